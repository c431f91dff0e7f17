"""Names only step 2's run can answer: the size of the graph autograd builds, one
SGD update traced through a real step, and the proof that Step 2 trains exactly
as Step 1 did.

The graph is counted by microgpt.replay.graph_census on the step's own forward
pass; gradients come from loss.backward() (replay.gradients); the rest is read
from the runs.
"""

from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import ALL, fmt_float, fmt_int, table, value
from hooks.pagedata.curves import runs_of
from hooks.pagedata.step1_gradients import headed_table, sci

GRAPHS = (2, 3, 4, 5)  # the steps that compute with Values
PARTS = ("values", "parameters", "constants", "computed")


# ---------------------------------------------------------------- the graph of one name


def census(run, name, after=0):
    """replay.graph_census: the graph's shape does not depend on the weights, only on the name."""
    run.encode(name)  # the page's mistake, said in the page's terms
    return run.probe("graph_census", after, name)


@value(runs=GRAPHS)
def graph_count(page, name: str = None, step: int = None, part: str = "values", run: int = None):
    """How many Values the graph of one name's loss holds (name=ava, or step=1: that training step's name):
    part=values (all), parameters, constants or computed."""
    if part not in PARTS:
        raise DirectiveError(f"part={part!r}: one of {', '.join(PARTS)}")
    run = page.run(run)
    if (name is None) == (step is None):
        raise DirectiveError("say name=... or step=..., one of them")
    return fmt_int(census(run, name if step is None else run.record(step)["doc"])[part])


@value(runs=GRAPHS)
def params_outside(page, name: str, run: int = None):
    """How many of the model's parameters the graph of one name never reaches (no gradient from it)."""
    run = page.run(run)
    return fmt_int(run.facts["num_params"] - census(run, name)["parameters"])


@table(runs=GRAPHS)
def graph_table(page, names: str, run: int = None):
    """The graph of each name's loss, counted: pairs, parameters reached, constants, computed Values, in all."""
    run = page.run(run)
    rows = []
    for name in [n.strip() for n in names.split(",") if n.strip()]:
        counted = census(run, name)
        rows.append([f"“{escape(name)}”", str(len(run.encode(name)) - 1)]
                    + [fmt_int(counted[part]) for part in ("parameters", "constants", "computed", "values")])
    if not rows:
        raise DirectiveError("names=...: one or more names, e.g. names=ava,emma")
    heads = ["name", "pairs", "parameters", "constants", "computed", "Values in all"]
    return headed_table("The graph of one name’s loss, Value by Value", heads, rows, "The graph of one name, counted")


def built(run, name):
    """The Values of the graph of `name`'s loss that its forward pass made: all but the parameters."""
    counted = census(run, name)
    return counted["constants"] + counted["computed"]


def cost_line(run):
    """(Values per pair, per name besides) in a name's graph, parameters left out: measured on the
    shortest and the longest name of training, and checked on every other length training met,
    so the line is exact for every training name."""
    by_length = {}
    for record in run.steps:
        by_length.setdefault(len(record["doc"]), record["doc"])
    lengths = sorted(by_length)
    if len(lengths) < 2:
        raise DirectiveError("training met names of one length only: no line through two points")
    short, long = by_length[lengths[0]], by_length[lengths[-1]]
    pairs = lambda name: len(run.encode(name)) - 1  # noqa: E731
    per_pair, rest = divmod(built(run, long) - built(run, short), pairs(long) - pairs(short))
    if rest:
        raise DirectiveError("the Values built do not grow by the same number per pair")
    fixed = built(run, short) - per_pair * pairs(short)
    for name in by_length.values():
        if built(run, name) != per_pair * pairs(name) + fixed:
            raise DirectiveError(f"{name!r} builds {built(run, name):,} Values, off the line: say it differently")
    return per_pair, fixed


@value(runs=GRAPHS)
def built_per_pair(page, run: int = None):
    """How many Values each pair of a name adds to its graph (besides parameters)."""
    return fmt_int(cost_line(page.run(run))[0])


@value(runs=GRAPHS)
def built_per_name(page, run: int = None):
    """How many Values a name's graph holds once, whatever its length (the mean of the losses), besides parameters."""
    return fmt_int(cost_line(page.run(run))[1])


@value(runs=GRAPHS)
def built_in_training(page, run: int = None):
    """How many Values the graphs of all the training steps hold together, parameters left out (see cost_line)."""
    run = page.run(run)
    per_pair, fixed = cost_line(run)
    return fmt_int(sum(per_pair * (len(run.encode(r["doc"])) - 1) + fixed for r in run.steps))


# ---------------------------------------------------------------- one update, traced


def update(run, matrix, row, col, step):
    """One parameter through training step `step` (snapshots step-1 and step must be kept):
    {"before", "grad", "lr", "after", "kept"}, the grad by loss.backward() on the step's name."""
    if step < 1:
        raise DirectiveError(f"step={step}: training steps count from 1")
    before = run.snapshot(step - 1)
    if matrix not in before:
        raise DirectiveError(f"matrix={matrix!r}: one of {', '.join(before)}")
    r = run.token_id(row) if matrix == "wte" else int(row)
    if not (0 <= r < len(before[matrix]) and 0 <= col < len(before[matrix][0])):
        raise DirectiveError(f"row={row} col={col}: outside {matrix}")
    grads = run.probe("gradients", step - 1, run.record(step)["doc"])
    p, g, lr = before[matrix][r][col], grads[matrix][r][col], run.record(step)["lr"]
    after = run.snapshot(step)[matrix][r][col]
    if p - lr * g != after:
        raise DirectiveError(f"{matrix}[{row}][{col}]: p.data - lr_t * p.grad is not what the run kept")
    return {"before": p, "grad": g, "lr": lr, "after": after}


@value(runs=ALL)
def same_params(page, runs: str, after: int):
    """How many parameters two runs hold equal, to the last bit, after `after` steps (0: as initialised)."""
    first, second = pair_of(page, runs)
    mine, theirs = first.snapshot(after), second.snapshot(after)
    if list(mine) != list(theirs):
        raise DirectiveError(f"runs={runs}: the two models have different matrices")
    return fmt_int(sum(a == b for name in mine for r, s in zip(mine[name], theirs[name]) for a, b in zip(r, s)))


@value(runs=ALL)
def largest_param_gap(page, runs: str, after: int):
    """The largest difference between a parameter of two runs after `after` steps, as 2.78 × 10⁻¹⁷."""
    first, second = pair_of(page, runs)
    mine, theirs = first.snapshot(after), second.snapshot(after)
    gap = max(abs(a - b) for name in mine for r, s in zip(mine[name], theirs[name]) for a, b in zip(r, s))
    return sci(gap) if gap else "0"


@value(runs=GRAPHS)
def sgd(page, matrix: str, row: str, col: int, step: int, what: str, run: int = None):
    """One parameter through one SGD update: what=before, grad, lr or after, to 4 decimals (the grad to 6)."""
    traced = update(page.run(run), matrix, row, col, step)
    if what not in traced:
        raise DirectiveError(f"what={what!r}: one of {', '.join(traced)}")
    if what == "lr":
        return svg.fmt(traced[what], 4)
    return fmt_float(traced[what], 6 if what == "grad" else 4)


@value(runs=GRAPHS)
def nonzero_grads(page, step: int, run: int = None):
    """How many of the parameters got a gradient other than zero from training step `step`'s name."""
    run = page.run(run)
    grads = run.probe("gradients", step - 1, run.record(step)["doc"])
    return fmt_int(sum(1 for matrix in grads.values() for row in matrix for g in row if g != 0))


# ---------------------------------------------------------------- Step 1 against Step 2


def loss_lines(run):
    return [line for line in run.data["output"].splitlines() if line.startswith("step ")]


def pair_of(page, runs):
    found = runs_of(page, runs)
    if len(found) != 2:
        raise DirectiveError(f"runs={runs!r}: name two runs, e.g. runs=1,2")
    return found


@value(runs=ALL)
def same_loss_lines(page, runs: str):
    """How many printed loss lines two runs share, line for line (all of them, if they print alike)."""
    first, second = pair_of(page, runs)
    return fmt_int(sum(a == b for a, b in zip(loss_lines(first), loss_lines(second))))


@value(runs=ALL)
def same_samples(page, runs: str):
    """How many generated names two runs share, name for name."""
    first, second = pair_of(page, runs)
    return fmt_int(sum(a == b for a, b in zip(first.samples, second.samples)))


@value(runs=ALL)
def equal_losses(page, runs: str):
    """How many training steps' losses of two runs are equal to the last bit, unrounded."""
    first, second = pair_of(page, runs)
    return fmt_int(sum(a["loss"] == b["loss"] for a, b in zip(first.steps, second.steps)))


@value(runs=ALL)
def largest_loss_gap(page, runs: str):
    """The largest difference between two runs' unrounded losses at the same step, as 1.78 × 10⁻¹⁵."""
    first, second = pair_of(page, runs)
    gap = max(abs(a["loss"] - b["loss"]) for a, b in zip(first.steps, second.steps))
    return sci(gap) if gap else "0"


@table(runs=ALL)
def printed_only(page, runs: str):
    """The lines the first run printed that the second did not, as a code block."""
    first, second = pair_of(page, runs)
    theirs = set(second.data["output"].splitlines())
    lines = [line for line in first.data["output"].splitlines() if line not in theirs]
    if not lines:
        raise DirectiveError(f"runs={runs}: run {first.number} printed nothing run {second.number} did not")
    return f'<pre class="mgv-printed"><code>{escape(chr(10).join(lines))}</code></pre>'


@value(runs=ALL)
def num_printed_only(page, runs: str):
    """How many lines the first run printed that the second did not."""
    first, second = pair_of(page, runs)
    theirs = set(second.data["output"].splitlines())
    return fmt_int(sum(1 for line in first.data["output"].splitlines() if line not in theirs))
