"""Observing a run records what happened and changes no number."""

import io
import math

from microgpt import step0_counting
from microgpt.observe import Observer, Observers
from microgpt.printing import ReferencePrinter
from microgpt.program import run_program
from microgpt.record import record_run
from tests.conftest import reference_lines


def printed(step, observer=None, **settings):
    out = io.StringIO()
    printer = ReferencePrinter(out)
    run_program(step, printer if observer is None else Observers(observer, printer), **settings)
    return out.getvalue().splitlines()


class Meddler(Observer):
    """Reads everything it is given, and probes the live model at every step."""

    def __init__(self, forward):
        self.forward = forward
        self.seen = 0

    def step(self, record):
        self.seen += 1
        record.target_probs(), record.loss_values()
        self.forward(record.model, [26, 0, 21, 0, 26])


def test_step0_record_of_the_first_name(names_path):
    run = record_run(0, stop_after=3, num_samples=0)
    first = run["steps"][0]
    assert first["doc"] == "yuheng"
    assert first["tokens"] == [26, 24, 20, 7, 4, 13, 6, 26]
    assert first["cells"] == [(26, 24), (24, 20), (20, 7), (7, 4), (4, 13), (13, 6), (6, 26)]
    assert first["target_probs"] == [1 / 27] * 7  # an empty table guesses uniformly
    assert first["loss"] == math.log(27)
    assert [round(s["loss"], 4) for s in run["steps"]] == [3.2958, 3.3095, 3.2326]
    assert run["facts"]["vocab_size"] == 27 and run["facts"]["num_docs"] == 32033


def test_step0_probe_of_ava_after_100_steps_is_a_forward_pass(names_path):
    run = record_run(0, probe_names=["ava"], probe_after=[100], snapshot_after=[100], num_samples=0, stop_after=100)
    probe = run["probes"]["100"]["ava"]
    table = run["snapshots"]["100"]
    # Recompute by hand from the table as it stood after 100 steps.
    expected = []
    for token, target in [(26, 0), (0, 21), (21, 0), (0, 26)]:
        row = table[token]
        expected.append((row[target] + 1) / (sum(row) + 27))
    assert probe["tokens"] == [26, 0, 21, 0, 26]
    assert probe["target_probs"] == expected
    assert probe["losses"] == [-math.log(p) for p in expected]
    assert round(probe["loss"], 4) == 2.3148
    assert sum(map(sum, table)) == sum(len(s["cells"]) for s in run["steps"])


def test_step1_records_learning_rate_and_gradient_check(names_path):
    run = record_run(1, stop_after=2, num_samples=0)
    assert [s["lr"] for s in run["steps"]] == [1.0, 1.0 * (1 - 1 / 1000)]
    loss_n, loss_a, max_diff = run["facts"]["gradient_check"]
    assert round(loss_n, 6) == round(loss_a, 6) == 3.29783
    assert max_diff < 1e-6
    assert run["facts"]["num_params"] == 3184


def test_observing_step0_changes_no_number(names_path):
    meddler = Meddler(step0_counting.forward)
    assert printed(0, meddler) == reference_lines(0)
    assert meddler.seen == 1000


def test_observing_step3_changes_no_number(names_path):
    from microgpt import step3_attention

    meddler = Meddler(step3_attention.forward)
    plain = printed(3, stop_after=3, num_samples=3)
    watched = printed(3, meddler, stop_after=3, num_samples=3)
    assert watched == plain
    assert watched[3:6] == reference_lines(3)[3:6]
    assert meddler.seen == 3


def test_recording_with_probes_prints_the_reference(names_path):
    out = io.StringIO()
    run = record_run(0, ReferencePrinter(out), probe_names=["ava", "emma"], probe_after=[1, 500, 1000])
    assert out.getvalue().splitlines() == reference_lines(0)
    assert sorted(run["probes"]) == ["1", "1000", "500"]
    assert run["samples"][:3] == ["enaroa", "romra", "brabecyler"]
