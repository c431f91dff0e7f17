"""Step 3's landing page, 3.1 What Changes and 3.8 Training and Results, checked in the
built site against literals (MICROGPT-SPEC.md), the reference output, the two modules'
source read here, and the runs' recorded losses compared here."""

import json
import re
from html import unescape
from pathlib import Path

import pytest

from hooks.runs import unpack_matrices
from tests.conftest import ROOT, reference_lines, texts

SHAPES = {"wte": (27, 16), "wpe": (16, 16), "attn_wq": (16, 16), "attn_wk": (16, 16), "attn_wv": (16, 16),
          "attn_wo": (16, 16), "mlp_fc1": (64, 16), "mlp_fc2": (16, 64), "lm_head": (27, 16)}  # the spec, Step 3
STEP2_SHAPES = {"wte": (27, 16), "mlp_fc1": (64, 16), "mlp_fc2": (27, 64)}


@pytest.fixture(scope="module")
def site(built_site):
    return built_site[0]


def article(site, path):
    html = (site / path / "index.html").read_text()
    return html[html.index("<article"):html.index("</article>")]


@pytest.fixture(scope="module")
def runs(built_site):
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    return {step: json.loads(next(cache.glob(f"step{step}-*.json")).read_text()) for step in (2, 3)}


def test_the_landing_page(site):
    text = texts(article(site, "step-3"))
    assert f"The model grows to {sum(r * c for r, c in SHAPES.values()):,} parameters" in text
    assert "reads up to 16 tokens of context" in text


def test_the_flow_on_3_1_follows_the_code(site):
    html = article(site, "step-3/what-changes")
    figure = html[html.index('<figure class="mgv-figure mgv-flow">'):]
    figure = figure[:figure.index("</figure>")]
    step2 = (ROOT / "microgpt" / "step2_autograd.py").read_text()
    step3 = (ROOT / "microgpt" / "step3_attention.py").read_text()
    steps = re.findall(r'<li class="mgv-flow__step( mgv-flow__step--\w+)?">(.*?)</li>', figure)
    assert len(steps) == 19
    marked = {}
    for state, inner in steps:
        code = unescape(re.search(r'<code class="mgv-flow__code">(.*?)</code>', inner).group(1))
        assert code in step3, code  # every block stands for real code
        matrices = re.findall(r"<code>(\w+)</code> (\d+)×(\d+)", inner)
        for name, rows, cols in matrices:
            assert SHAPES[name] == (int(rows), int(cols))
        expected = "new" if code not in step2 or any(m not in STEP2_SHAPES for m, _, _ in matrices) else (
            "changed" if any(STEP2_SHAPES[m] != SHAPES[m] for m, _, _ in matrices) else "")
        assert state.replace(" mgv-flow__step--", "") == expected, code
        assert (f">{expected}</strong>" in inner) == bool(expected)
        marked[code] = expected
    assert marked['linear(x, state_dict["mlp_fc2"])'] == "changed" and marked["xi.relu()"] == ""
    assert "scores q·k / √16 over the positions so far" in texts(figure)


def test_the_parameter_table_on_3_1(site):
    text = texts(article(site, "step-3/what-changes"))
    rows = " ".join(f"{name} {r}×{c} {r * c:,}" + (" new" if name not in STEP2_SHAPES else "")
                    + (" changed (was 27×64)" if name == "mlp_fc2" else "") for name, (r, c) in SHAPES.items())
    assert rows in text
    assert f"in all {sum(r * c for r, c in SHAPES.values()):,}" in text


def test_training_and_results_on_3_8(site, runs, names_path):
    text = texts(article(site, "step-3/training-results"))
    names = Path(names_path).read_text().split()
    assert max(map(len, names)) == 15 and "the longest name in the whole dataset has 15 letters" in text
    assert "The learning rate starts at 0.1, where Step 2's started at 1." in text
    mean = {step: sum(s["loss"] for s in runs[step]["steps"][900:]) / 100 for step in (2, 3)}
    assert (f"setting Step 2 Step 3 parameters 3,184 4,192 learning rate (first step) 1.0 0.1 the model sees the current token only "
            f"up to 16 tokens: the current one and those before it the model mlp() gpt() "
            f"mean loss, steps 901 to 1,000 {mean[2]:.4f} {mean[3]:.4f}") in text
    means = {step: [sum(s["loss"] for s in runs[step]["steps"][i:i + 100]) / 100 for i in range(0, 1000, 100)]
             for step in (2, 3)}
    assert all(b < a for a, b in zip(means[2], means[3]))  # "Step 3 then stays below Step 2 in every stretch"
    assert f"In the last stretch Step 2 averages {mean[2]:.4f} and Step 3 {mean[3]:.4f}" in text
    wte = [unpack_matrices(runs[step]["snapshots"]["0"])["wte"] for step in (2, 3)]
    assert wte[0] == wte[1]  # "their token embeddings start equal"
    assert runs[2]["steps"][0]["loss"] != runs[3]["steps"][0]["loss"]
    samples = [line.split(": ", 1)[1] for line in reference_lines(3) if line.startswith("sample")]
    assert len(samples) == 20 and " ".join(samples) in text
    assert "Step 3 generates 20 names, at the same temperature as before, 0.5" in text
