import io

from microgpt.observe import StepRecord
from microgpt.printing import ProgressDisplay, ReferencePrinter, format_duration
from tests.conftest import reference_lines, run_cli


def test_stop_after_keeps_the_schedule(data_env):
    result = run_cli("run", 0, "--stop-after", 5, "--samples", 2, env=data_env)
    lines = result.stdout.splitlines()
    assert lines[:7] == reference_lines(0)[:7]  # "step k / 1000": the schedule is still 1,000 steps
    assert lines[7:] == ["", "--- inference (new, hallucinated names) ---", lines[9], lines[10]]
    assert lines[9].startswith("sample  1: ") and lines[10].startswith("sample  2: ")


def test_steps_sets_the_schedule(data_env):
    result = run_cli("run", 0, "--steps", 3, "--samples", 0, env=data_env)
    assert result.stdout.splitlines()[2:] == [
        "step    1 /    3 | loss 3.2958",
        "step    2 /    3 | loss 3.3095",
        "step    3 /    3 | loss 3.2326",
    ]


def test_unknown_step_is_a_usage_error(data_env):
    result = run_cli("run", 6, env=data_env)
    assert result.returncode == 2
    assert "argument STEP: invalid choice: 6 (choose from 0, 1, 2, 3, 4, 5)" in result.stderr


def test_zero_steps_is_refused(data_env):
    result = run_cli("run", 0, "--steps", 0, env=data_env)
    assert result.returncode == 2
    assert "argument --steps: must be at least 1, not 0" in result.stderr


def test_progress_goes_to_stderr_and_leaves_stdout_alone(data_env):
    result = run_cli("run", 0, "--progress", env=data_env)
    assert result.stdout.splitlines() == reference_lines(0)
    assert "[########################] 1000/1000  loss " in result.stderr
    assert "trained in " in result.stderr


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_line_erases_itself_around_printed_lines():
    out, err, clock = io.StringIO(), io.StringIO(), FakeClock()
    display = ProgressDisplay(ReferencePrinter(out), stream=err, clock=clock)
    display.fact("num_steps", 4)
    for step in range(2):
        clock.now += 0.5
        display.step(StepRecord(step, "ava", [26, 0, 21, 0, 26], [], [], 2.0, None))
    assert out.getvalue() == "step    1 /    4 | loss 2.0000\nstep    2 /    4 | loss 2.0000\n"
    assert err.getvalue() == (
        "[######------------------] 1/4  loss 2.0000  2.0 steps/s  2s left"
        "\r\033[K"
        "[############------------] 2/4  loss 2.0000  2.0 steps/s  1s left"
    )


def test_format_duration():
    assert [format_duration(s) for s in (0.4, 59.6, 61, 3725)] == ["0s", "1m00s", "1m01s", "62m05s"]
