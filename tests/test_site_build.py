"""The built guide: `mkdocs build --strict` from a cold cache, then its pages
checked against what microgpt computes."""

import json
import math
import re
from html import unescape
from pathlib import Path

from tests.conftest import ROOT, mkdocs_build, reference_lines

STEP0_PAGES = ["index", "dataset", "tokenizer", "count-table", "model", "training", "loss", "inference",
               "what-counting-cannot-do"]


def page(site, path):
    return (site / path / "index.html").read_text()


def text_of(html):
    """The article's text, tags removed, spaces collapsed."""
    article = html[html.index("<article"):html.index("</article>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", article)).split())


def test_every_page_is_built(built_site):
    site, log, _, _ = built_site
    assert sorted(re.findall(r"trained step (\d) in", log)) == ["0", "1", "2", "3", "4", "5"]  # a cold cache
    for name in STEP0_PAGES:
        assert (site / "step-0" / ("" if name == "index" else name) / "index.html").is_file()
    assert not (ROOT / "docs" / "generated").exists()  # generated files stay out of docs/


def test_the_six_runs_the_site_is_built_from_print_the_reference_output(built_site):
    """All 1,000 loss lines and 20 samples of each step, as Karpathy's programs print them
    (tests/reference/); the runs were trained for this build, in full, from a cold cache."""
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    for step in range(6):
        found, = cache.glob(f"step{step}-*.json")
        run = json.loads(found.read_text())
        assert run["output"].splitlines() == reference_lines(step), step
        assert len(reference_lines(step)) == {0: 2, 1: 4}.get(step, 3) + 1000 + 2 + 20


def test_breadcrumb_title_and_neighbours_of_0_5(built_site):
    html = page(built_site[0], "step-0/training")
    top = text_of(html).split("So far")[0]
    assert top.startswith("Step 0: Counting › 0.5 ← 0.4 The Model 0.6 Loss → Training")
    assert '<a href="../">Step 0: Counting</a>' in html
    assert "<title>0.5 Training - MicroGPT Visualized</title>" in html


def test_so_far_lists_what_earlier_pages_defined(built_site):
    html = page(built_site[0], "step-0/training")
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', html).group(0)
    assert re.findall(r"<code>(.*?)</code>", box) == [
        "docs", "uchars", "BOS", "vocab_size", "encode(doc)", "state_dict", "bigram(token)"]
    assert 'class="mgv-sofar"' not in page(built_site[0], "step-0/dataset")  # nothing before 0.1


def test_walkthrough_of_ava_on_0_5(built_site):
    text = text_of(page(built_site[0], "step-0/training"))
    assert "BOS 26 → a 0 → v 21 → a 0 → BOS 26" in text
    assert ("state_dict[26][0] += 1 BOS 26 was followed by a 0 state_dict[0][21] += 1 a 0 was followed by v 21 "
            "state_dict[21][0] += 1 v 21 was followed by a 0 state_dict[0][26] += 1 a 0 was followed by BOS 26") in text
    assert "That is 4 pairs of neighbours" in text
    assert "Here there are 1,000 steps and 32,033 names" in text


def by_hand(table, pairs):
    """The add-one probabilities of pairs, recomputed from a count table without microgpt."""
    return [(table[i][j] + 1) / (sum(table[i]) + 27) for i, j in pairs]


def test_loss_page_numbers_are_microgpts(built_site, step0_record):
    text = text_of(page(built_site[0], "step-0/loss"))
    ava = [(26, 0), (0, 21), (21, 0), (0, 26)]
    probs = by_hand(step0_record["snapshots"]["100"], ava)
    assert [f"{p:.4f}" for p in probs] == ["0.1339", "0.0410", "0.1176", "0.1475"]
    rows = ["0 BOS 26 → a 0", "a 0 → v 21", "v 21 → a 0", "a 0 → BOS 26"]
    for row, p in zip(rows, probs):
        assert f"{row} {p:.4f} {-math.log(p):.4f}" in text
    assert f"mean: the loss of the name {sum(-math.log(p) for p in probs) / 4:.4f}" in text
    assert "mean: the loss of the name 2.3148" in text
    first_line = next(line for line in reference_lines(0) if line.startswith("step    1 /"))
    assert first_line.endswith("loss 3.2958") and "The very first loss is 3.2958" in text


def test_samples_on_0_7_are_the_reference_samples(built_site):
    html = page(built_site[0], "step-0/inference")
    shown = re.findall(r"<li><code>(.*?)</code></li>", re.search(r'<ol class="mgv-samples">.*?</ol>', html).group(0))
    assert shown == [line.split()[-1] for line in reference_lines(0)[-20:]]


def test_count_table_player_frames_and_fallback(built_site, step0_record):
    site = built_site[0]
    frames = json.loads((site / "generated" / "step0" / "count-table.json").read_text())
    docs = [r["doc"] for r in step0_record["steps"]]
    assert [s["doc"] for s in frames["steps"]] == docs
    letters = "abcdefghijklmnopqrstuvwxyz"
    for frame, name in zip(frames["steps"], docs):
        ids = [26] + [letters.index(ch) for ch in name] + [26]
        assert frame["cells"] == [[a, b] for a, b in zip(ids, ids[1:])]
    html = page(site, "step-0/training")
    player = re.search(r'<figure class="mgv-player" data-player="count-table".*?</figure>', html).group(0)
    assert 'data-frames="../../generated/step0/count-table.json"' in player
    cells = [int(c) for c in re.findall(r"<td[^>]*>(\d+)</td>", player)]
    assert cells == [c for row in step0_record["snapshots"]["1000"] for c in row]  # no JavaScript: the final table


def test_no_directive_text_reaches_any_page(built_site):
    site = built_site[0]
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 10
    for html_file in pages:
        html = re.sub(r"<script\b.*?</script>", "", html_file.read_text(), flags=re.DOTALL)  # Material's own JS
        assert "{{" not in html and "}}" not in html, html_file
        assert "mgv-error" not in html and "mgv-pending" not in html, html_file


def test_math_is_mathml_and_nothing_is_fetched_from_elsewhere(built_site):
    site = built_site[0]
    for html_file in site.rglob("*.html"):
        html = html_file.read_text()
        assert 'class="arithmatex"' not in html
        assert not re.findall(r'(?:src|href)="(?:https?:)?//(?!127\.0\.0\.1)[^"]*\.(?:js|css|woff2?)"', html)
    model = page(site, "step-0/model")
    assert model.count("<math ") == 8 and model.count('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">') == 2
    assert "<mtext>1,046</mtext>" in model  # a number with a thousands separator in math: one piece, not "1, 046"


def test_a_rebuild_with_nothing_changed_trains_and_computes_nothing_and_builds_the_same_site(built_site, tmp_path):
    site, log, env, _ = built_site
    computed, reused = map(int, re.search(r"(\d+) output\(s\) computed, (\d+) reused", log).groups())
    assert computed > 300  # the cold build computed each directive once per page (a repeat is reused)
    again = mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "site", env)
    assert again.returncode == 0, again.stderr
    assert "training step" not in again.stderr and "trained step" not in again.stderr
    # nothing computed; fewer reused than the cold build produced, since the kept Glossary brings
    # its meanings along instead of expanding each one again
    rebuilt = re.search(r"(\d+) output\(s\) computed, (\d+) reused", again.stderr)
    assert rebuilt and int(rebuilt.group(1)) == 0 and 0 < int(rebuilt.group(2)) <= computed + reused
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name] and name.name != "sitemap.xml.gz"] == []


def test_search_finds_tables_but_not_the_insides_of_charts_and_players(built_site):
    site, _, _, _ = built_site
    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    text = {doc["location"]: doc["text"] for doc in docs}
    assert "average loss" in text["step-0/loss/#the-loss-curve"]  # the loss_means table
    assert "mean: the loss of the name" in text["step-0/loss/#scoring-ava-part-way-through-training"]  # probe
    assert "mean: the loss of the name" not in text["step-0/loss/#try-it"]  # the same, inside the player
    assert not any("mgv-stash" in doc["text"] for doc in docs)
    html = page(site, "step-0/loss")
    assert "mgv-stash" not in html and html.count('data-player="loss-steps"') == 1
