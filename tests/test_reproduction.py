"""Our runs print what the reference programs print.

Steps 0 and 1 are cheap, so they run in full and must match every line.
Steps 2-5 take minutes each in pure Python: here they run their first steps
of the same 1,000-step schedule; bench/training_runs.py runs them in full.
"""

import pytest

from tests.conftest import reference_lines, run_cli

# The anchor table of MICROGPT-SPEC.md: params, the first three losses, the first three samples.
ANCHORS = {
    0: (None, ["3.2958", "3.3095", "3.2326"], ["enaroa", "romra", "brabecyler"]),
    1: ("3184", ["3.2978", "3.2974", "3.2965"], ["aylan", "an", "ma"]),
    2: ("3184", ["3.2978", "3.2974", "3.2965"], ["aylan", "an", "ma"]),
    3: ("4192", ["3.3816", "3.4377", "3.2193"], ["jalon", "annyn", "jaenn"]),
    4: ("4192", ["3.3660", "3.4273", "3.1706"], ["jalyn", "annze", "jaenn"]),
    5: ("4192", ["3.3660", "3.4243", "3.1778"], ["kamon", "ann", "karai"]),
}


def header_length(step):
    return {0: 2, 1: 4}.get(step, 3)


@pytest.mark.parametrize("step", sorted(ANCHORS))
def test_reference_files_hold_the_anchor_rows(step):
    params, losses, samples = ANCHORS[step]
    lines = reference_lines(step)
    assert lines[:2] == ["num docs: 32033", "vocab size: 27"]
    assert (f"num params: {params}" in lines) == (params is not None)
    first = lines[header_length(step) : header_length(step) + 3]
    assert [line.split("loss ")[1] for line in first] == losses
    assert lines[-20:-17] == [f"sample {i + 1:2d}: {name}" for i, name in enumerate(samples)]
    assert len(lines) == header_length(step) + 1000 + 2 + 20


@pytest.mark.parametrize("step", [0, 1])
def test_full_run_matches_reference_line_for_line(step, data_env):
    result = run_cli("run", step, env=data_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == reference_lines(step)


def test_gradient_check_line(data_env):
    result = run_cli("run", 1, "--stop-after", 1, "--samples", 0, env=data_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2:5] == [
        "num params: 3184",
        "gradient check | loss_n 3.297830 | loss_a 3.297830 | max diff 0.00000000",
        "step    1 / 1000 | loss 3.2978",
    ]


@pytest.mark.parametrize("step", [2, 3, 4, 5])
def test_first_steps_match_reference(step, data_env):
    first = 4
    result = run_cli("run", step, "--stop-after", first, "--samples", 0, env=data_env)
    assert result.returncode == 0, result.stderr
    expected = reference_lines(step)[: header_length(step) + first]
    assert result.stdout.splitlines() == expected + ["", "--- inference (new, hallucinated names) ---"]
    params, losses, _ = ANCHORS[step]
    assert expected[2] == f"num params: {params}"
    assert [line.split("loss ")[1] for line in expected[3:6]] == losses
