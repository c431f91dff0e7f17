"""Names that compare several runs on one figure: their loss curves on one chart, their
average losses side by side. Runs are named by a list of step numbers, runs=0,1."""

import math

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import ALL, fmt_float, fmt_int, table


def runs_of(page, runs):
    """'0,1' -> [Run 0, Run 1], each checked; at least two, all with as many steps."""
    try:
        numbers = [int(part) for part in runs.split(",") if part.strip()]
    except ValueError:
        raise DirectiveError(f"runs={runs!r}: a list of step numbers, e.g. runs=0,1") from None
    if len(numbers) < 2 or len(set(numbers)) != len(numbers):
        raise DirectiveError(f"runs={runs!r}: name two or more different runs, e.g. runs=0,1")
    found = [page.run(n) for n in numbers]
    if len({len(r.steps) for r in found}) != 1:
        raise DirectiveError(f"runs={runs!r}: these runs have different numbers of steps")
    return found


def running_mean(values, window):
    """The mean of the last `window` values at each point (of all of them, before there are `window`)."""
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v - (values[i - window] if i >= window else 0)
        out.append(total / min(i + 1, window))
    return out


@table(runs=ALL)
def loss_curves(page, runs: str, window: int = 50, thick: int = None):
    """The running mean (over `window` steps) of the loss of several runs on one chart, each series toggleable.

    thick: the run drawn with a thick line (the first one unless said)."""
    found = runs_of(page, runs)
    if not 1 <= window <= len(found[0].steps):
        raise DirectiveError(f"window={window}: 1 to {len(found[0].steps):,} steps")
    numbers = [r.number for r in found]
    if thick is not None and thick not in numbers:
        raise DirectiveError(f"thick={thick}: draw thick one of the runs shown, {runs}")
    thick = numbers[0] if thick is None else thick
    vocab_size = found[0].facts["vocab_size"]
    baseline = math.log(vocab_size)
    n = len(found[0].steps)
    series = [{"name": f"Step {r.number}: mean of the last {window}",
               "values": [float(f"{v:.4g}") for v in running_mean([s["loss"] for s in r.steps], window)],
               "tone": i, "weight": "thick" if r.number == thick else "normal"} for i, r in enumerate(found)]
    names = [f"Step {r.number}" for r in found]
    names = ", ".join(names[:-1]) + " and " + names[-1]
    return svg.line_chart(
        series, uid="loss-" + "-".join(str(r.number) for r in found),
        title=f"The loss of {names} over their {n:,} training steps, each as its running mean over {window} steps",
        x=range(1, n + 1), x_min=0, x_title="training step", y_title="loss",
        reference={"value": baseline, "label": f"ln {vocab_size} = {baseline:.4f}: the uniform guess"})


@table(runs=ALL)
def compare_means(page, runs: str, every: int):
    """The average loss over each stretch of `every` training steps, one column per run."""
    found = runs_of(page, runs)
    total = len(found[0].steps)
    if not 1 <= every <= total:
        raise DirectiveError(f"every={every}: a stretch is 1 to {total:,} steps")
    rows = []
    for first in range(1, total + 1, every):
        last = min(first + every - 1, total)
        means = [sum(s["loss"] for s in r.steps[first - 1:last]) / (last - first + 1) for r in found]
        rows.append([f"{fmt_int(first)} to {fmt_int(last)}"] + [fmt_float(m) for m in means])
    heads = ["training steps"] + [f"Step {r.number}" for r in found]
    return render.html_table(heads, rows).replace(
        "<table>", f"<table><caption>Average loss per stretch of {fmt_int(every)} steps</caption>", 1)
