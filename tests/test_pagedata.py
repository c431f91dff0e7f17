"""The names pages use: each returns what microgpt computes, and each mistake
gets a message that says what to write instead."""

import math

import pytest

from hooks.directives import DirectiveError
from hooks.pagedata import NAMES, PageData, Run, call
from microgpt import step0_counting


@pytest.fixture(scope="module")
def run0(step0_record):
    return Run(step0_record)


@pytest.fixture
def page(run0):
    published = {}

    def publish(uri, text):
        published[uri] = text
        return "../" + uri

    data = PageData({0: run0}, 0, publish)
    data.published = published
    return data


def use(page, entry_name, **args):
    return call(NAMES[entry_name], page, {key: str(value) for key, value in args.items()})


def test_values_of_the_data(page):
    assert use(page, "num_docs") == "32,033"
    assert use(page, "vocab_size") == "27"
    assert use(page, "bos") == "26"
    assert use(page, "uchars") == "abcdefghijklmnopqrstuvwxyz"
    assert use(page, "token", char="v") == "21"
    assert use(page, "num_params") == "729"
    assert use(page, "doc", step=1) == "yuheng"


def test_values_of_training_equal_the_printed_lines(page, run0):
    printed_first = math.log(27)
    assert use(page, "loss", step=1) == f"{printed_first:.4f}" == "3.2958"
    assert use(page, "loss", step=2) == "3.3095"
    assert use(page, "loss", step=3) == "3.2326"
    assert use(page, "log_vocab") == "3.2958"
    assert use(page, "sample", index=1) == "enaroa"
    losses = [record["loss"] for record in run0.steps[:100]]
    assert use(page, "mean_loss", first=1, last=100) == f"{sum(losses) / 100:.4f}"


def test_probe_of_ava_after_100_names(page, run0):
    assert [use(page, "probe_prob", name="ava", pos=pos, after=100) for pos in range(4)] == [
        "0.1339", "0.0410", "0.1176", "0.1475"]
    assert use(page, "probe_loss", name="ava", after=100) == "2.3148"
    table = use(page, "probe", name="ava", after=100)
    assert "<strong>2.3148</strong>" in table and table.count("<tr>") == 1 + 4 + 1


def test_counts_come_from_the_snapshot(page, run0):
    final = run0.snapshot(1000)
    assert use(page, "count", row="a", col="n", after=1000) == f"{final[0][13]:,}"
    assert use(page, "count", row="BOS", col="a", after=1000) == f"{final[26][0]:,}"
    assert use(page, "total_count", after=1000) == f"{sum(len(r['doc']) + 1 for r in run0.steps):,}"
    expected = step0_counting.bigram(final, 0)[13]
    assert use(page, "bigram_prob", row="a", col="n", after=1000) == f"{expected:.4f}"


def test_walkthrough_tables_of_ava(page):
    tokens = use(page, "tokens", name="ava")
    chips = ['BOS<sub>26</sub>', 'a<sub>0</sub>', 'v<sub>21</sub>', 'a<sub>0</sub>', 'BOS<sub>26</sub>']
    positions = [tokens.index(chip) for chip in chips[:3]]
    assert positions == sorted(positions) and tokens.count("mgv-arrow") == 4
    increments = use(page, "increments", name="ava")
    cells = ["state_dict[26][0] += 1", "state_dict[0][21] += 1", "state_dict[21][0] += 1", "state_dict[0][26] += 1"]
    assert [increments.index(cell) for cell in cells] == sorted(increments.index(cell) for cell in cells)


def test_the_count_table_player_publishes_every_step(page, run0):
    html = use(page, "player count_table")
    assert 'data-player="count-table"' in html and 'data-frames="../generated/step0/count-table.json"' in html
    import json

    frames = json.loads(page.published["generated/step0/count-table.json"])
    assert len(frames["steps"]) == 1000 and frames["labels"][26] == "BOS"
    table = [[0] * 27 for _ in range(27)]
    for step in frames["steps"]:
        for i, j in step["cells"]:
            table[i][j] += 1
    assert table == run0.snapshot(1000)  # replaying the frames gives the final table


def test_values_added_for_the_step_0_prose(page):
    """Literals checked by hand against names.txt (tests/test_step0_pages.py recomputes them)."""
    assert use(page, "seed") == "42"
    assert use(page, "repeated_names") == "2,539"
    assert use(page, "joined_length") == "196,113"
    assert use(page, "repeats_in_training") == "4"
    assert use(page, "repeat_in_training") == "kamry"
    assert use(page, "row_total", row="q", after=1000) == "3" == use(page, "count", row="q", col="u", after=1000)
    assert use(page, "row_zeros", row="q", after=1000) == "26"
    assert use(page, "unseen_prob", row="q", after=1000) == "0.8667"   # 26/30
    assert use(page, "prior_share", row="a", after=1000) == "0.0252"   # 27/(1,046 + 27)
    assert use(page, "top_next", row="a", after=100) == "BOS"
    assert use(page, "mean_pair_loss", after=1000) == "2.4512"
    assert use(page, "ml_pair_loss", after=1000) == "2.4159"
    assert use(page, "sample_limit") == "16"
    assert use(page, "cut_samples") == "2"
    assert use(page, "context_cells", back=2) == "19,683"
    assert use(page, "perplexity", first=901, last=1000) == "11.5"
    assert use(page, "above_uniform") == "25"
    assert use(page, "last_above_uniform") == "892"
    assert use(page, "name_prob", name="ava", after=100) == "0.0000952"


def test_tables_added_for_the_step_0_prose(page):
    printed = use(page, "printed", first=1, last=3)
    assert printed == ('<pre class="mgv-printed"><code>num docs: 32033\nvocab size: 27\n'
                       'step    1 / 1000 | loss 3.2958</code></pre>')
    modulo = use(page, "modulo_table", names=100)
    assert "the 1,000 steps would go round it 10 times" in modulo and modulo.count("<tr>") == 1 + 6
    means = use(page, "loss_means", every=500)
    assert means.count("<tr>") == 1 + 2 and "<td>1 to 500</td>" in means and "<td>501 to 1,000</td>" in means
    probe = use(page, "probe", name="ava", after=100)
    assert "<caption>“ava” scored by the model after 100 training steps</caption>" in probe
    assert "<caption>" not in use(page, "player loss_steps", name="ava", after=100)  # the figure has its caption


@pytest.mark.parametrize("name, args, message", [
    ("loss", {}, r"loss needs step=\.\.\.: \{\{ loss step=<int> \[run=<int>\] \}\}"),
    ("loss", {"step": "x"}, "loss: step='x' is not a int"),
    ("loss", {"step": "1001"}, "step=1001: run 0 has steps 1 to 1000"),
    ("loss", {"steps": "1"}, r"loss takes no argument 'steps' \(its arguments: step, run\)"),
    ("loss", {"step": "1", "run": "3"}, r"run=3: no such run in extra.microgpt.runs \(configured: 0\)"),
    ("count", {"row": "A", "col": "a", "after": "1000"}, "'A' is not a token"),
    ("probe", {"name": "ava", "after": "30"},
     r"kept the model after 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 steps only; add 30 to"
     r" extra.microgpt.runs.0.snapshots in mkdocs.yml"),
    ("count", {"row": "a", "col": "a", "after": "1000", "run": "3"}, r"count serves run 0, and this reads run 3"),
    ("tokens", {"name": "Ava"}, "a name is one or more of the characters a..z"),
    ("sample", {"index": "0"}, "the run generated names 1 to 20"),
    ("printed", {"first": "0", "last": "3"}, "first=0 last=3: the run printed lines 1 to 1024"),
    ("modulo_table", {"names": "300"}, "names=300: pick a list shorter than the 1,000 steps that divides them"),
    ("top_next", {"row": "a", "after": "0"}, "row=a after=0: no single next token is counted most often"),
    ("context_cells", {"back": "0"}, "back= is 1 or more"),
    ("repeat_in_training", {"index": "5"}, r"index=5: training sees 4 name\(s\) twice"),
])
def test_mistakes_say_what_to_do(page, name, args, message):
    with pytest.raises(DirectiveError, match=message):
        call(NAMES[name], page, args)


def test_a_page_outside_the_steps_must_name_its_run(run0):
    outside = PageData({0: run0}, None, None)
    with pytest.raises(DirectiveError, match="belongs to no step: say which run"):
        call(NAMES["num_docs"], outside, {})
    assert call(NAMES["num_docs"], outside, {"run": "0"}) == "32,033"


def test_authors_can_list_the_names():
    import subprocess
    import sys

    from tests.conftest import ROOT

    listed = subprocess.run([sys.executable, "-m", "hooks", "names"], cwd=ROOT, capture_output=True, text=True)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert "  {{ loss step=<int> [run=<int>] }}" in lines
    assert "  {{ player count_table [run=<int>] }}" in lines
    assert sum(line.startswith("  {{") for line in lines) == len(NAMES)


@pytest.fixture(scope="module")
def run3(names_path):
    from microgpt.record import record_run

    return Run(record_run(3, stop_after=3, snapshots=[0, 1, 2, 3]))


def test_a_probe_on_step_3_replays_its_snapshot(run3):
    """The probe that crashed with AttributeError on Values: now a replay of the snapshot,
    which must give the loss the training printed for the next step."""
    page = PageData({3: run3}, 0, None)
    for after in (0, 1, 2):
        doc = run3.steps[after]["doc"]
        assert use(page, "probe_loss", name=doc, after=after, run=3) == f"{run3.steps[after]['loss']:.4f}"
    assert [use(page, "loss", step=k, run=3) for k in (1, 2, 3)] == ["3.3816", "3.4377", "3.2193"]
    with pytest.raises(DirectiveError, match="count serves run 0, and this reads run 3"):
        call(NAMES["count"], page, {"row": "a", "col": "a", "after": "0", "run": "3"})


def test_a_name_defined_twice_is_reported_not_raised():
    from hooks.pagedata import PROBLEMS, value

    before = list(PROBLEMS)

    @value(runs=(0,))
    def num_docs(page):
        """A second num_docs."""
        return "nope"

    try:
        assert PROBLEMS[len(before):] == [
            "tests/test_pagedata.py: the name 'num_docs' is defined twice (also in hooks/pagedata/common.py);"
            " rename one of them"]
        assert NAMES["num_docs"].module == "hooks/pagedata/common.py"  # the first one stays
    finally:
        PROBLEMS[:] = before


def test_a_name_that_crashes_becomes_a_message(page):
    from hooks.pagedata import table

    @table(runs=(0,))
    def broken_for_test(page, run: int = None):
        """A table with a bug in it."""
        return 1 / 0

    try:
        with pytest.raises(DirectiveError, match=r"^broken_for_test failed: ZeroDivisionError: division by zero"
                                                 r" \(`mkdocs build --verbose` shows the traceback\)$"):
            call(NAMES["broken_for_test"], page, {})
    finally:
        del NAMES["broken_for_test"]
