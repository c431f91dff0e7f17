import io

from microgpt.cli import ProgressLine, format_duration
from tests.conftest import reference_lines, run_cli

INFERENCE = ["", "--- inference (new, hallucinated names) ---"]


def test_stop_after_keeps_the_schedule_then_samples(data_env):
    result = run_cli("run", 0, "--stop-after", 5, "--samples", 2, env=data_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:7] == reference_lines(0)[:7]  # "step k / 1000": the schedule is still 1,000 steps
    assert lines[7:9] == INFERENCE
    assert len(lines) == 11
    assert lines[9].startswith("sample  1: ") and lines[10].startswith("sample  2: ")
    # The samples come from the table after 5 names, the RNG where training left it:
    # the same names as a 5-step schedule samples (counting has no learning rate).
    five_steps = run_cli("run", 0, "--steps", 5, "--samples", 2, env=data_env).stdout.splitlines()
    assert lines[9:] == five_steps[9:]


def test_steps_sets_the_schedule(data_env):
    result = run_cli("run", 0, "--steps", 3, "--samples", 0, env=data_env)
    assert result.stdout.splitlines()[2:] == [
        "step    1 /    3 | loss 3.2958",
        "step    2 /    3 | loss 3.3095",
        "step    3 /    3 | loss 3.2326",
    ] + INFERENCE


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
    assert "[#######################-] 999/1000  " in result.stderr
    assert "trained in " in result.stderr


def test_help_names_the_steps():
    result = run_cli("run", "--help")
    assert result.returncode == 0
    assert "5: Adam (this is microgpt)" in " ".join(result.stdout.split())
    assert "--stop-after K" in result.stdout


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_line_erases_itself_around_printed_lines():
    out, err, clock = io.StringIO(), io.StringIO(), FakeClock()
    progress = ProgressLine(out, err, clock)
    for step in range(4):
        clock.now += 0.5
        progress(step + 1, 4)  # the spies call it after each update...
        progress.write(f"step {step + 1:4d} /    4 | loss 2.0000")  # ...then the loop prints its line
        progress.write("\n")
    assert out.getvalue() == "".join(f"step {k:4d} /    4 | loss 2.0000\n" for k in range(1, 5))
    erase = "\r\033[K"
    first = "[######------------------] 1/4  2.0 steps/s  2s left"
    second = "[############------------] 2/4  2.0 steps/s  1s left"
    third = "[##################------] 3/4  2.0 steps/s  0s left"
    assert err.getvalue() == (
        first + erase + first + erase + second + erase + second + erase + third + erase + third + erase
        + "trained in 2s\n"
    )


def test_format_duration():
    assert [format_duration(s) for s in (0.4, 59.6, 61, 3725)] == ["0s", "1m00s", "1m01s", "62m05s"]
