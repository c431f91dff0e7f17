"""The home page: what the reader builds, in run 5's numbers; the six steps linked; every
step's loss curve on one chart; and the ways in."""

import re

from tests.conftest import reference_lines, texts


def home(built_site):
    html = (built_site[0] / "index.html").read_text()
    return html[html.index("<article"):html.index("</article>")]


def test_what_you_will_build_is_run_5(built_site):
    text = texts(home(built_site))
    samples = [line.split(": ", 1)[1] for line in reference_lines(5) if line.startswith("sample")]
    assert samples[:3] == ["kamon", "ann", "karai"]
    assert ("a transformer with 4,192 parameters: token and position embeddings, attention with 4 heads,"
            in text)
    assert "trained with Adam for 1,000 steps, one name per step, from a dataset of 32,033 names." in text
    assert f"its first three are {samples[0]} , {samples[1]} and {samples[2]} ." in text


def test_the_six_steps_and_the_ways_in_are_linked(built_site):
    article = home(built_site)
    links = set(re.findall(r'href="([^"#]+)"', article))
    assert {f"step-{n}/" for n in range(6)} <= links
    assert {"glossary/", "history/", "step-5/microgpt/"} <= links


def test_one_chart_holds_every_steps_loss_curve(built_site):
    article = home(built_site)
    assert article.count("<svg class=\"mgv-chart\"") == 1
    legend = re.findall(r"class=\"mgv-legend-item\"[^>]*>(.*?)</button>", article, re.DOTALL)
    assert [texts(item) for item in legend] == [f"Step {n}: mean of the last 100" for n in range(6)]
