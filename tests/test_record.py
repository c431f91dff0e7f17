"""Recording a run by spies: what it keeps, and that it changes no number."""

import contextlib
import io
import json
import math
import subprocess
import sys

import pytest

from microgpt import step0_counting, step2_autograd, step5_adam
from microgpt.program import run_program
from microgpt.record import SpyError, record_run
from tests.conftest import ROOT, reference_lines

DEFAULT = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]


def printed(step, **settings):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_program(step, **settings)
    return out.getvalue()


def loss_lines(output):
    return [line for line in output.splitlines() if line.startswith("step ")]


def test_step0_full_run(step0_record):
    run = step0_record
    assert run["step"] == 0
    assert run["settings"] == {"num_steps": 1000, "num_samples": 20, "snapshots": DEFAULT, "watch": [],
                               "stop_after": None}
    assert run["output"].splitlines() == reference_lines(0)
    assert run["facts"] == {"num_docs": 32033, "uchars": list("abcdefghijklmnopqrstuvwxyz"), "vocab_size": 27,
                            "num_steps": 1000}
    assert len(run["steps"]) == 1000
    assert run["steps"][0] == {"doc": "yuheng", "loss": math.log(27)}  # an empty table guesses uniformly
    assert [s["doc"] for s in run["steps"][:3]] == ["yuheng", "diondre", "xavien"]
    assert run["samples"][:3] == ["enaroa", "romra", "brabecyler"] and len(run["samples"]) == 20
    assert sorted(run["snapshots"], key=int) == [str(k) for k in DEFAULT]
    assert "optimizer" not in run and run["watch"] == []


def test_recorded_losses_are_the_printed_ones(step0_record):
    printed_losses = [line.split("loss ")[1] for line in loss_lines(step0_record["output"])]
    assert [f"{s['loss']:.4f}" for s in step0_record["steps"]] == printed_losses


def test_step0_snapshots_are_the_counts_so_far(step0_record):
    docs = [s["doc"] for s in step0_record["steps"]]
    for k in DEFAULT:
        table = step0_record["snapshots"][str(k)]
        assert len(table) == 27 and all(len(row) == 27 for row in table)
        # every name adds len(name) + 1 pairs (BOS at both ends)
        assert sum(map(sum, table)) == sum(len(doc) + 1 for doc in docs[:k])
    assert step0_record["snapshots"]["0"] == [[0] * 27 for _ in range(27)]
    assert step0_record["snapshots"]["1"][26][24] == 1  # BOS -> y of "yuheng"


def test_recording_changes_no_number(names_path):
    settings = {"num_steps": 3, "num_samples": 3}  # a whole (short) run, samples included
    plain = printed(3, **settings)
    run = record_run(3, snapshots=[0, 1, 2, 3], watch=[["attn_wq", 0, 0], ["wte", 0, 0]], **settings)
    assert run["output"] == plain
    assert len(run["samples"]) == 3 and plain.endswith(f"sample  3: {run['samples'][2]}\n")
    assert [f"step {i + 1:4d} /    3 | loss {s['loss']:.4f}" for i, s in enumerate(run["steps"])] == loss_lines(plain)
    assert printed(3, **settings) == plain  # and the spies are gone afterwards
    assert step2_autograd.SGD.step.__name__ == "step" and not hasattr(step2_autograd.SGD.step, "__wrapped__")


def test_stop_after_keeps_the_schedule_and_samples_nothing(names_path):
    calls = []
    run = record_run(2, stop_after=3, progress=lambda done, total: calls.append((done, total)))
    assert run["output"].splitlines() == reference_lines(2)[:3 + 3]
    assert run["samples"] == [] and len(run["steps"]) == 3
    assert [s["lr"] for s in run["steps"]] == [1.0, 1.0 * (1 - 1 / 1000), 1.0 * (1 - 2 / 1000)]
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert run["settings"]["snapshots"] == [0, 1, 2]  # only those the run reached
    assert run["settings"]["stop_after"] == 3


def test_step1_facts(names_path):
    run = record_run(1, stop_after=2, num_samples=0, watch=[["mlp_fc2", 24, 5]])
    loss_n, loss_a, max_diff = run["facts"]["gradient_check"]
    assert round(loss_n, 6) == round(loss_a, 6) == 3.29783
    assert 0 <= max_diff < 1e-6
    assert run["facts"]["num_params"] == 3184
    assert run["steps"][0]["loss"] == loss_a  # the same name (docs[0]), the same initial weights
    # The watched weight moves by exactly lr * grad.
    watched = run["watch"][0]
    before = run["snapshots"]["0"]["mlp_fc2"][24][5]
    assert watched["data"][0] == before - 1.0 * watched["grad"][0]
    assert watched["data"][1] == run["snapshots"]["2"]["mlp_fc2"][24][5]
    assert watched["grad"][0] != 0


def test_adam_first_update_recomputed_from_the_recorded_gradient(names_path):
    run = record_run(5, stop_after=2, num_samples=0, watch=[["wte", 24, 3], ["wte", 0, 0]])
    assert run["optimizer"]["0"]["m"]["wte"][24][3] == 0.0
    for watched in run["watch"]:
        name, row, col = watched["param"]
        g = watched["grad"][0]
        m = 0.85 * 0.0 + (1 - 0.85) * g
        v = 0.99 * 0.0 + (1 - 0.99) * g**2
        m_hat = m / (1 - 0.85**1)
        v_hat = v / (1 - 0.99**1)
        before = run["snapshots"]["0"][name][row][col]
        assert watched["m"][0] == m and watched["v"][0] == v
        assert watched["data"][0] == before - 0.01 * m_hat / (v_hat**0.5 + 1e-8)
        assert run["optimizer"]["1"]["m"][name][row][col] == m
        assert run["optimizer"]["1"]["v"][name][row][col] == v
        assert run["snapshots"]["1"][name][row][col] == watched["data"][0]
    y_grad, a_grad = run["watch"][0]["grad"][0], run["watch"][1]["grad"][0]
    assert y_grad != 0 and a_grad == 0  # "yuheng" has a "y" and no "a"
    assert run["steps"][0]["lr"] == 0.01


def test_snapshots_are_plain_json(names_path):
    run = record_run(4, stop_after=1, num_samples=0, snapshots=[0, 1])
    assert json.loads(json.dumps(run)) == run
    assert list(run["snapshots"]["1"])[:3] == ["wte", "wpe", "lm_head"]  # the state_dict's order
    assert run["snapshots"]["0"] != run["snapshots"]["1"]
    assert all(type(x) is float for matrix in run["snapshots"]["1"].values() for row in matrix for x in row)


def test_bad_settings_say_what_is_wrong(names_path):
    with pytest.raises(ValueError, match=r"watch: step 3 has no matrix 'nope' \(it has wte, wpe, "):
        record_run(3, stop_after=1, watch=[["nope", 0, 0]])
    with pytest.raises(ValueError, match=r"watch: wte is 27×16; it has no entry \[27, 0\]"):
        record_run(2, stop_after=1, watch=[["wte", 27, 0]])
    with pytest.raises(ValueError, match="step 0 has no parameters to watch"):
        record_run(0, watch=[["wte", 0, 0]])
    with pytest.raises(ValueError, match="snapshots must be step counts"):
        record_run(0, snapshots=[-1])
    assert step0_counting.init_model.__name__ == "init_model"  # spies removed after the failure


def test_a_spied_name_that_disappears_is_a_clear_error(names_path, monkeypatch):
    monkeypatch.delattr(step0_counting, "update")
    with pytest.raises(SpyError, match=r"microgpt\.step0_counting\.update does not exist: "
                                       r"microgpt/record\.py must follow the code"):
        record_run(0)
    monkeypatch.undo()
    monkeypatch.delattr(step5_adam.Adam, "step")
    with pytest.raises(SpyError, match=r"microgpt\.step5_adam\.Adam\.step does not exist"):
        record_run(5, stop_after=1)


def test_a_loop_that_bypasses_the_spies_is_noticed(names_path, monkeypatch):
    # A training loop that no longer calls what SPIES names: the spies see no step.
    monkeypatch.setattr(step0_counting, "train", lambda state_dict, docs, tokenizer, num_steps: None)
    with pytest.raises(SpyError, match=r"the spies saw 0 training steps of the 1000 that ran"):
        record_run(0, num_samples=0)


def worker(step, settings, out, *extra, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "microgpt.record", "--step", str(step), "--settings", json.dumps(settings),
         "--out", str(out), *extra],
        cwd=ROOT, capture_output=True, text=True, **kwargs,
    )


def test_worker_writes_the_run_and_reports_progress(tmp_path, data_env):
    out = tmp_path / "run.json"
    result = worker(0, {"num_steps": 4, "num_samples": 2, "snapshots": [0, 4, 100]}, out, env=data_env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["@progress 1 4", "@progress 2 4", "@progress 3 4", "@progress 4 4"]
    text = out.read_text()
    run = json.loads(text)
    assert text == json.dumps(run, separators=(",", ":"))  # compact
    assert run["settings"]["snapshots"] == [0, 4]
    assert run["output"].splitlines()[2:] == [
        "step    1 /    4 | loss 3.2958", "step    2 /    4 | loss 3.3095", "step    3 /    4 | loss 3.2326",
        f"step    4 /    4 | loss {run['steps'][3]['loss']:.4f}", "", "--- inference (new, hallucinated names) ---",
        f"sample  1: {run['samples'][0]}", f"sample  2: {run['samples'][1]}",
    ]


def test_worker_failure_prints_the_traceback_and_exits_1(tmp_path, data_env):
    out = tmp_path / "run.json"
    result = worker(0, {"num_stepz": 4}, out, env=data_env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "unknown key 'num_stepz'" in result.stderr
    assert not out.exists()


def test_worker_dies_with_its_parent(tmp_path, data_env):
    """--watch-stdin: when the parent goes, stdin ends and the worker exits (3) at once."""
    process = subprocess.Popen(
        [sys.executable, "-m", "microgpt.record", "--step", "1", "--out", str(tmp_path / "run.json"),
         "--watch-stdin"],
        cwd=ROOT, env=data_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdin.close()  # a full step 1 run takes seconds; this ends it now
    assert process.wait(timeout=30) == 3
    process.stdout.close()
    process.stderr.close()
    assert not (tmp_path / "run.json").exists()
