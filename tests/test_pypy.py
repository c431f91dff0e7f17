"""PyPy (Debian's pypy3, Python 3.9) runs the same code and prints the same numbers.

The guide's build trains under pypy3 when it is there (3-4x faster), so the
teaching code, the recorder and the replay must run on it, and every float
must come out the same as under CPython.
"""

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, reference_lines


@pytest.fixture(scope="module")
def pypy():
    path = shutil.which("pypy3")
    if path is None:
        pytest.fail("pypy3 is not on PATH: install it (Debian: apt-get install pypy3); CI installs it")
    return path


def run_with(interpreter, *args, env):
    result = subprocess.run([interpreter, "-m", *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{interpreter} -m {' '.join(map(str, args))}:\n{result.stderr}"
    return result


def test_pypy_is_python_3_9_or_later(pypy):
    result = subprocess.run([pypy, "-c", "import sys, platform; print(platform.python_implementation(), "
                                         "*sys.version_info[:2])"], capture_output=True, text=True)
    implementation, major, minor = result.stdout.split()
    assert implementation == "PyPy" and (int(major), int(minor)) >= (3, 9)


@pytest.mark.parametrize("step", [0, 1])
def test_full_runs_print_the_same(pypy, data_env, step):
    on_pypy = run_with(pypy, "microgpt", "run", step, env=data_env).stdout
    on_cpython = run_with(sys.executable, "microgpt", "run", step, env=data_env).stdout
    assert on_pypy == on_cpython
    assert on_pypy.splitlines() == reference_lines(step)


@pytest.mark.parametrize("step", [2, 3, 4, 5])
def test_first_steps_print_the_same(pypy, data_env, step):
    args = ("microgpt", "run", step, "--stop-after", 3, "--samples", 0)
    on_pypy = run_with(pypy, *args, env=data_env).stdout
    assert on_pypy == run_with(sys.executable, *args, env=data_env).stdout
    assert on_pypy.splitlines()[:6] == reference_lines(step)[:6]


def record_with(interpreter, step, settings, out, env):
    result = run_with(interpreter, "microgpt.record", "--step", step, "--settings", json.dumps(settings),
                      "--out", out, env=env)
    total = settings["num_steps"]
    assert result.stderr.splitlines() == [f"@progress {done} {total}" for done in range(1, total + 1)]
    return json.loads(out.read_text())


SETTINGS = {"num_steps": 3, "num_samples": 3, "snapshots": [0, 1, 3], "watch": [["wte", 24, 3]]}


def test_the_worker_records_the_same_run(pypy, data_env, tmp_path):
    """A whole (3-step) run of step 4 with samples, snapshots and a watched weight: every float the same."""
    on_pypy = record_with(pypy, 4, SETTINGS, tmp_path / "pypy.json", data_env)
    on_cpython = record_with(sys.executable, 4, SETTINGS, tmp_path / "cpython.json", data_env)
    assert [s["loss"] for s in on_pypy["steps"]] == [s["loss"] for s in on_cpython["steps"]]
    assert on_pypy["steps"][0]["loss"] == 3.3659669475848504
    assert on_pypy == on_cpython


def test_adam_under_pypy(pypy, data_env, tmp_path):
    """The same for step 5, but for the last bit of Adam's squared gradients: PyPy computes
    p.grad**2 as p.grad * p.grad (correctly rounded), CPython with the C library's pow(),
    which differs from it in about 1 case in 1,000. The printed output stays the same
    (bench/training_runs.py --python pypy3 5 checks all 1,000 steps)."""
    on_pypy = record_with(pypy, 5, SETTINGS, tmp_path / "pypy.json", data_env)
    on_cpython = record_with(sys.executable, 5, SETTINGS, tmp_path / "cpython.json", data_env)
    for key in ["output", "facts", "steps", "snapshots", "samples"]:
        assert on_pypy[key] == on_cpython[key], key
    assert on_pypy["optimizer"]["3"]["m"] == on_cpython["optimizer"]["3"]["m"]
    for name, matrix in on_pypy["optimizer"]["3"]["v"].items():
        for row_p, row_c in zip(matrix, on_cpython["optimizer"]["3"]["v"][name]):
            assert row_p == pytest.approx(row_c, rel=1e-15, abs=0)


REPLAY = """
import json
from microgpt import replay
from microgpt.record import record_run
run = record_run(3, stop_after=2, num_samples=0, snapshots=[1])
scored = replay.score(3, replay.snapshot(run, 1), run["steps"][1]["doc"])
positions = replay.internals(3, replay.snapshot(run, 1), "ava")
print(json.dumps([scored["loss"], run["steps"][1]["loss"], positions[3]["layers"][0]["attn_weights"]]))
"""


def test_replay_runs_under_pypy(pypy, data_env):
    result = subprocess.run([pypy, "-c", REPLAY], cwd=ROOT, env=data_env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    replayed, recorded, weights = json.loads(result.stdout)
    assert replayed == recorded
    assert len(weights) == 1 and len(weights[0]) == 4 and sum(weights[0]) == pytest.approx(1, abs=1e-12)
