"""Names only step 1's run can answer: its gradients, the check, training and inference.

Everything here is read from the run (its facts, steps and snapshots) or from
step 1's own functions (microgpt.step1_gradient: forward, analytic_gradient,
mlp, softmax) called on a restored snapshot, through microgpt.replay. The
check name is the one the program checks the gradient on: docs[0], the first
name of training (step 1's doc).
"""

import json
import inspect
import math
from decimal import Decimal
from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import fixed, fmt_float, fmt_int, frames_file, player, rounded, table, value
from microgpt import replay, step1_gradient

STEP1 = (1,)
TRAINED = (1, 2, 3, 4, 5)  # the runs that learn by gradient descent
EPS_DECADES = range(-12, 0)  # the eps slider: 1, 2, 5 × 10^k for these k, up to the span
CURVE_POINTS = 81            # the loss curve of one parameter: this many points across the span
WINDOW = 50                  # the running mean of the loss curve on 1.9


# ---------------------------------------------------------------- shared helpers


def memo(run, key, compute):
    """compute(), once per run: in memory and on disk (Run.remember), like Run.probe."""
    return run.remember(json.dumps(["step1_gradients", *key]), compute, __file__)


def check_tokens(run):
    """The tokens of the check name: docs[0], the name of training step 1."""
    return run.encode(run.record(1)["doc"])


def restored(run, after):
    """A fresh state_dict of step 1's kind, from the snapshot after `after` steps."""
    return replay.restore(1, run.snapshot(after))


def parameter(run, matrix, row, col):
    """(matrix, row index, column index, its name as the page writes it) for one parameter.
    row is a token (a..z, BOS) for wte, a row number for the other matrices."""
    shapes = {name: (rows, cols) for name, rows, cols in replay.model_shape(1)}
    if matrix not in shapes:
        raise DirectiveError(f"matrix={matrix!r}: step 1's matrices are {', '.join(shapes)}")
    rows, cols = shapes[matrix]
    if matrix == "wte":
        i = run.token_id(row)
    else:
        try:
            i = int(row)
        except ValueError:
            raise DirectiveError(f"row={row!r}: a row of {matrix} is a number, 0 to {rows - 1}") from None
    if not 0 <= i < rows:
        raise DirectiveError(f"row={row}: {matrix} has rows 0 to {rows - 1}")
    if not 0 <= col < cols:
        raise DirectiveError(f"col={col}: {matrix} has columns 0 to {cols - 1}")
    return matrix, i, col, f"{matrix}[{i}][{col}]"


def flat_name(index):
    """(matrix, row, column) of a parameter's place in the flat order (flatten())."""
    for name, rows, cols in replay.model_shape(1):
        if index < rows * cols:
            return name, index // cols, index % cols
        index -= rows * cols
    raise IndexError(index)


def decimal_text(x):
    """A float as plain decimal digits, as its repr reads: 1e-05 -> 0.00001."""
    return format(Decimal(repr(x)), "f")


def eps_text(eps):
    """An eps as the players write it: decimals down to 0.001, then 5e-4, 1e-12."""
    if eps >= 1e-3:
        return decimal_text(eps)
    mantissa, exponent = f"{eps:.0e}".split("e")
    return f"{mantissa}e-{int(exponent[1:])}"


def sci(x, digits=2):
    """A small number for people: 2.03 × 10⁻⁹ (digits after the point), with a real minus."""
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    sign = "\u2212" if mantissa.startswith("-") else ""
    return f"{sign}{mantissa.lstrip('-')} × 10{superscript(int(exponent))}"


def superscript(n):
    return ("⁻" if n < 0 else "") + str(abs(n)).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def default_of(function, name):
    return inspect.signature(function).parameters[name].default


def headed_table(caption, headers, rows, label):
    """A table whose first column heads its rows and stays in view while the box scrolls sideways
    (the box: render.html_table's, .mgv-scroll; players.js makes it a named region when it scrolls).
    Cells are HTML; numbers stay on one line."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = "".join(f'<tr><th scope="row">{row[0]}</th>' + "".join(f'<td><span class="mgv-nowrap">{c}</span></td>'
                                                                 for c in row[1:]) + "</tr>" for row in rows)
    return (f'<div class="mgv-scroll mgv-rowheads" data-label="{escape(label)}">'
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


# ---------------------------------------------------------------- 1.6: one parameter, nudged


def eps_values(span):
    values = [float(f"{m}e{k}") for k in EPS_DECADES for m in (1, 2, 5)]
    return [e for e in values if e <= span]


def nudged(run, matrix, row, col, span, after=0):
    """The loss of the check name as one parameter moves around its value, by step 1's forward:
    the curve across ±span, the loss at value + eps for each eps of the slider, and the
    true slope there (analytic_gradient)."""
    matrix, i, j, label = parameter(run, matrix, row, col)
    if not 0 < span <= 10:
        raise DirectiveError(f"span={span}: the curve goes from value - span to value + span; pick 0 < span <= 10")

    def compute():
        state_dict = restored(run, after)
        tokens = check_tokens(run)
        theta = state_dict[matrix][i][j]
        loss = step1_gradient.forward(state_dict, tokens)

        def loss_at(x):
            state_dict[matrix][i][j] = x
            try:
                return step1_gradient.forward(state_dict, tokens)
            finally:
                state_dict[matrix][i][j] = theta

        half = (CURVE_POINTS - 1) // 2
        xs = [theta + span * (k - half) / half for k in range(CURVE_POINTS)]
        eps = eps_values(span)
        return {
            "label": label, "theta": theta, "loss": loss, "slope": true_slope(run, matrix, row, col, after),
            "xs": xs, "ys": [loss_at(x) for x in xs],
            "eps": eps, "loss_plus": [loss_at(theta + e) for e in eps],
        }

    return memo(run, ("nudged", matrix, i, j, span, after), compute)


def secant(curve, eps):
    """The forward difference with this eps: numerical_gradient's formula, for one parameter."""
    if eps not in curve["eps"]:
        listed = ", ".join(eps_text(e) for e in curve["eps"])
        raise DirectiveError(f"eps={eps!r}: the page computes eps = {listed}")
    return (curve["loss_plus"][curve["eps"].index(eps)] - curve["loss"]) / eps


@value(runs=STEP1)
def eps(page, run: int = None):
    """numerical_gradient's nudge eps, as plain decimals (0.00001)."""
    page.run(run)
    return decimal_text(default_of(step1_gradient.numerical_gradient, "eps"))


@value(runs=STEP1)
def check_name(page, run: int = None):
    """The name the gradient is checked on: docs[0], the first name of training."""
    return page.run(run).record(1)["doc"]


@value(runs=STEP1)
def check_pairs(page, run: int = None):
    """How many pairs the check name has: the n the loss is the mean over."""
    return str(len(check_tokens(page.run(run))) - 1)


@value(runs=STEP1)
def forward_passes(page, run: int = None):
    """The forward passes numerical_gradient runs for one gradient: one per parameter, plus one."""
    return fmt_int(page.run(run).facts["num_params"] + 1)


@value(runs=STEP1)
def training_forward_passes(page, run: int = None):
    """The forward passes training would run if every step took its gradient numerically."""
    run = page.run(run)
    return fmt_int((run.facts["num_params"] + 1) * run.facts["num_steps"])


@value(runs=STEP1)
def param_name(page, matrix: str, row: str, col: int, run: int = None):
    """A parameter as the page writes it: matrix=wte row=BOS col=2 -> wte[26][2]."""
    return parameter(page.run(run), matrix, row, col)[3]


@value(runs=STEP1)
def param_value(page, matrix: str, row: str, col: int, after: int, run: int = None):
    """The value of one parameter after `after` training steps, to 4 decimals."""
    run = page.run(run)
    matrix, i, j, _ = parameter(run, matrix, row, col)
    return fmt_float(run.snapshot(after)[matrix][i][j])


def true_slope(run, matrix, row, col, after):
    """d(loss)/d(one parameter) on the check name, by analytic_gradient on the snapshot after `after` steps."""
    matrix, i, j, _ = parameter(run, matrix, row, col)

    def compute():
        _, grad = step1_gradient.analytic_gradient(restored(run, after), check_tokens(run))
        return grad[matrix][i][j]

    return memo(run, ("slope", matrix, i, j, after), compute)


@value(runs=STEP1)
def param_slope(page, matrix: str, row: str, col: int, after: int = 0, digits: int = 4, run: int = None):
    """d(loss)/d(parameter) on the check name (analytic_gradient), after `after` steps, to `digits` decimals."""
    return fmt_float(true_slope(page.run(run), matrix, row, col, after), digits)


@value(runs=STEP1)
def secant_slope(page, matrix: str, row: str, col: int, eps: float, span: float, digits: int = 4, run: int = None):
    """The forward-difference slope (loss(value + eps) - loss(value)) / eps of one parameter, on the check name."""
    return fmt_float(secant(nudged(page.run(run), matrix, row, col, span), eps), digits)


@value(runs=STEP1)
def secant_error(page, matrix: str, row: str, col: int, eps: float, span: float, run: int = None):
    """|forward-difference slope - true slope| for one parameter and eps, as 1.23 × 10⁻⁷."""
    curve = nudged(page.run(run), matrix, row, col, span)
    return sci(abs(secant(curve, eps) - curve["slope"]))


@value(runs=STEP1)
def best_eps(page, matrix: str, row: str, col: int, span: float, run: int = None):
    """The eps (of the page's list) whose forward difference comes closest to the true slope."""
    curve = nudged(page.run(run), matrix, row, col, span)
    best = min(curve["eps"], key=lambda e: abs(secant(curve, e) - curve["slope"]))
    return eps_text(best)


@table(runs=STEP1)
def eps_table(page, matrix: str, row: str, col: int, span: float, run: int = None):
    """The forward difference of one parameter for eps = span down to 1e-12 (one per power of ten), against the true slope."""
    curve = nudged(page.run(run), matrix, row, col, span)
    shown = sorted({e for e in curve["eps"] if f"{e:.0e}".startswith("1") or e == curve["eps"][-1]}, reverse=True)
    rows = []
    for e in shown:
        s = secant(curve, e)
        rows.append([f"<code>{eps_text(e)}</code>", f"{s:.10f}", f"{curve['slope']:.10f}",
                     escape(sci(abs(s - curve["slope"])))])
    caption = (f"The slope of {escape(curve['label'])} on “{escape(page.run(run).record(1)['doc'])}”,"
               " measured with each eps")
    return headed_table(caption, ["eps", "(loss(w + eps) − loss(w)) / eps", "true slope", "gap"], rows,
                        "The slope measured with each eps")


def eps_chart(curve, eps, ylo, yhi):
    """The build's drawing of the eps player (svg.line_chart): what it shows for one eps."""
    s = secant(curve, eps)
    line = lambda slope: [curve["loss"] + slope * (x - curve["theta"]) for x in curve["xs"]]
    return svg.line_chart(
        [
            {"name": "loss", "values": curve["ys"], "tone": 0},
            {"name": "true slope (analytic)", "values": line(curve["slope"]), "tone": 3, "weight": "thin"},
            {"name": f"secant, eps = {eps_text(eps)}", "values": line(s), "tone": 1, "weight": "thick"},
        ],
        uid="eps-slope", title=f"The loss of the check name as {curve['label']} moves, with the true slope"
                               f" and the secant over eps = {eps_text(eps)}",
        x=curve["xs"], x_title=curve["label"], y_title="loss", y_min=ylo, y_max=yhi, digits=5, height=320,
    )


@player(runs=STEP1)
def eps_slope_player(page, matrix: str, row: str, col: int, span: float, run: int = None):
    """The loss as one parameter moves (±span), with an eps slider: the secant slope against the true slope."""
    run = page.run(run)
    curve = nudged(run, matrix, row, col, span)
    # one y range for every eps, so that the chart never rescales under the slider
    ends = [curve["loss"] + s * (x - curve["theta"]) for x in (curve["xs"][0], curve["xs"][-1])
            for s in [curve["slope"]] + [secant(curve, e) for e in curve["eps"]]]
    ylo, yhi, _ = svg.nice_domain(min(curve["ys"] + ends), max(curve["ys"] + ends))
    data = {
        "label": curve["label"], "name": run.record(1)["doc"], "ylo": ylo, "yhi": yhi,
        "xs": rounded(curve["xs"], 8), "ys": rounded(curve["ys"], 8),
        # exact (repr) where the browser takes a difference: rounding them would change the slopes
        "theta": repr(curve["theta"]), "loss": repr(curve["loss"]), "slope": repr(curve["slope"]),
        "eps": [repr(e) for e in curve["eps"]], "eps_text": [eps_text(e) for e in curve["eps"]],
        "loss_plus": [repr(v) for v in curve["loss_plus"]],
        "code_eps": repr(default_of(step1_gradient.numerical_gradient, "eps")),
    }
    name = f"{matrix}-{row}-{col}-{span}".replace(".", "_")
    url = frames_file(page, f"generated/step{run.number}/eps-slope-{name}.json", data)
    largest = curve["eps"][-1]
    return render.player_shell("eps-slope", url, eps_chart(curve, largest, ylo, yhi),
                               f"The loss of “{escape(data['name'])}” as {escape(curve['label'])} moves,"
                               f" with the secant over eps = {eps_text(largest)}")


# ---------------------------------------------------------------- 1.7: the backward pass, traced

TRACED = ["probs", "dlogits", "h_pre", "dh", "dh_pre", "dx"]


def backward(run, after=0):
    """What analytic_gradient computes at each pair of the check name (traced, never redone):
    {name: [one list per pair]} for TRACED, and the tokens."""
    def compute():
        tokens = check_tokens(run)
        _, traced = replay.trace_locals(step1_gradient.analytic_gradient, TRACED, restored(run, after), tokens)
        for name in TRACED:
            if len(traced[name]) != len(tokens) - 1:
                raise DirectiveError(f"analytic_gradient bound {name!r} {len(traced[name])} times for"
                                     f" {len(tokens) - 1} pairs: the page must follow the code")
        return {"tokens": tokens, **traced}

    return memo(run, ("backward", after), compute)


def pair_labels(run, tokens):
    return [f"{run.tokenizer.label(a)}→{run.tokenizer.label(b)}" for a, b in zip(tokens, tokens[1:])]


@value(runs=STEP1)
def relu_closed(page, pos: int = None, run: int = None):
    """How many hidden units ReLU shuts (h_pre <= 0) at pair `pos` of the check name (default: all pairs)."""
    traced = backward(page.run(run))
    pairs = range(len(traced["h_pre"])) if pos is None else [pos]
    if pos is not None and not 0 <= pos < len(traced["h_pre"]):
        raise DirectiveError(f"pos={pos}: the check name has pairs 0 to {len(traced['h_pre']) - 1}")
    return fmt_int(sum(1 for p in pairs for v in traced["h_pre"][p] if not v > 0))


@value(runs=STEP1)
def hidden_values(page, run: int = None):
    """How many hidden values the forward pass computes over the check name: 64 per pair."""
    traced = backward(page.run(run))
    return fmt_int(sum(len(h) for h in traced["h_pre"]))


def pair_token(run, traced, pos, char):
    """The token id `char` names at pair `pos` of the check name: a..z or BOS, or char=target
    for the pair's next token (a token that happens to be the target must be called so)."""
    if not 0 <= pos < len(traced["probs"]):
        raise DirectiveError(f"pos={pos}: the check name has pairs 0 to {len(traced['probs']) - 1}")
    target = traced["tokens"][pos + 1]
    if char == "target":
        return target
    token_id = run.token_id(char)
    if token_id == target:
        raise DirectiveError(f"char={char}: that is the target of pair {pos}; write char=target,"
                             " so that the page says so")
    return token_id


@value(runs=STEP1)
def check_pair(page, pos: int, run: int = None):
    """Pair `pos` of the check name, as BOS → y."""
    run = page.run(run)
    tokens = check_tokens(run)
    if not 0 <= pos < len(tokens) - 1:
        raise DirectiveError(f"pos={pos}: the check name has pairs 0 to {len(tokens) - 2}")
    return f"{run.tokenizer.label(tokens[pos])} → {run.tokenizer.label(tokens[pos + 1])}"


@value(runs=STEP1)
def check_target(page, pos: int, run: int = None):
    """The target (next token) of pair `pos` of the check name."""
    run = page.run(run)
    traced = backward(run)
    return run.tokenizer.label(pair_token(run, traced, pos, "target"))


@value(runs=STEP1)
def dlogit(page, pos: int, char: str, run: int = None):
    """dlogits[char] at pair `pos` of the check name (analytic_gradient, traced), to 4 decimals; char=target for the target."""
    run = page.run(run)
    traced = backward(run)
    return fmt_float(traced["dlogits"][pos][pair_token(run, traced, pos, char)])


@value(runs=STEP1)
def check_prob(page, pos: int, char: str, run: int = None):
    """probs[char] at pair `pos` of the check name, before training (analytic_gradient's forward), to 4 decimals."""
    run = page.run(run)
    traced = backward(run)
    return fmt_float(traced["probs"][pos][pair_token(run, traced, pos, char)])


STAGES = [  # (traced name, title, formula, column title, signed)
    ("probs", "forward: probs", "probs = softmax(logits)", "next token", False),
    ("dlogits", "dlogits", "dlogits = (probs − one_hot(target)) / n", "next token", True),
    ("dh", "dh", "dh = mlp_fc2ᵀ · dlogits", "hidden unit", True),
    ("dh_pre", "dh_pre", "dh_pre = dh where h_pre > 0, else 0 (ReLU)", "hidden unit", True),
    ("dx", "dx", "dx = mlp_fc1ᵀ · dh_pre, added to wte’s row of the input token", "embedding dim", True),
]


def stage_heatmap(run, traced, k):
    """The heatmap the backprop player draws for stage k (svg.heatmap, as MGV.kit.heatmap draws it)."""
    key, title, formula, col_title, signed = STAGES[k]
    rows = rounded(traced[key], 4)
    cols = len(rows[0])
    col_labels = ([run.tokenizer.label(t) for t in range(cols)] if col_title == "next token"
                  else [str(c) for c in range(cols)])
    return dict(values=rows, uid=f"backprop-{key}", title=f"{title}: {formula}, one row per pair of"
                                                          f" “{run.record(1)['doc']}”",
                row_labels=pair_labels(run, traced["tokens"]), col_labels=col_labels,
                row_title="pair", col_title=col_title, signed=signed)


@player(runs=STEP1)
def backprop_steps_player(page, run: int = None):
    """Step backwards through the layers on the check name: probs, dlogits, dh, dh_pre, dx, per pair."""
    run = page.run(run)
    traced = backward(run)
    stages = []
    for k, (key, title, formula, col_title, signed) in enumerate(STAGES):
        options = stage_heatmap(run, traced, k)
        stages.append({"key": key, "title": title, "formula": formula, "values": options["values"],
                       "colLabels": options["col_labels"], "colTitle": col_title, "signed": signed})
    data = {"name": run.record(1)["doc"], "rows": pair_labels(run, traced["tokens"]), "stages": stages,
            "closed": [sum(1 for v in h if not v > 0) for h in traced["h_pre"]]}
    url = frames_file(page, f"generated/step{run.number}/backprop-steps.json", data)
    last = stage_heatmap(run, traced, len(STAGES) - 1)
    fallback = svg.heatmap(last.pop("values"), **last)
    return render.player_shell("backprop-steps", url, fallback,
                               f"The backward pass on “{escape(data['name'])}”, last layer: {escape(STAGES[-1][2])}")


# ---------------------------------------------------------------- 1.8: the gradient check


def check(run):
    """Both gradients of the check name before training, flat: replay.gradient_check_at."""
    return run.probe("gradient_check_at", 0, run.record(1)["doc"])


def gaps(run):
    found = check(run)
    return [n - a for n, a in zip(found["numerical"], found["analytic"])]


def largest_gap(run):
    d = gaps(run)
    return max(range(len(d)), key=lambda k: abs(d[k]))


def flat_label(run, index):
    name, i, j = flat_name(index)
    return f"{name}[{i}][{j}]"


@value(runs=STEP1)
def gc_loss(page, which: str, run: int = None):
    """The loss the gradient check printed: which=numerical (loss_n) or analytic (loss_a), to 6 decimals."""
    facts = page.run(run).facts["gradient_check"]
    if which not in ("numerical", "analytic"):
        raise DirectiveError(f"which={which!r}: numerical or analytic")
    return fmt_float(facts[0 if which == "numerical" else 1], 6)


@value(runs=STEP1)
def gc_max_diff(page, run: int = None):
    """The largest |numerical - analytic| of the gradient check, as 2.03 × 10⁻⁹ (the run's own fact)."""
    return sci(page.run(run).facts["gradient_check"][2])


def printed_check(run):
    """The line the program printed for the gradient check."""
    found = [line for line in run.data["output"].splitlines() if line.startswith("gradient check")]
    if len(found) != 1:
        raise DirectiveError(f"run {run.number} printed {len(found)} gradient check lines, not 1")
    return found[0]


@table(runs=STEP1)
def gc_printed(page, run: int = None):
    """The gradient check line the program printed, as a code block."""
    return f'<pre class="mgv-printed"><code>{escape(printed_check(page.run(run)))}</code></pre>'


@value(runs=STEP1)
def gc_printed_diff(page, run: int = None):
    """max diff as the program printed it (0.00000000)."""
    return printed_check(page.run(run)).rsplit(" ", 1)[1]


@value(runs=STEP1)
def gc_printed_digits(page, run: int = None):
    """How many decimals the program prints max diff with."""
    return str(len(printed_check(page.run(run)).rsplit(" ", 1)[1].split(".")[1]))


@value(runs=STEP1)
def gc_largest(page, run: int = None):
    """The parameter whose two gradients differ most, as wte[7][3]."""
    run = page.run(run)
    return flat_label(run, largest_gap(run))


@value(runs=STEP1)
def gc_largest_token(page, run: int = None):
    """The token whose embedding holds the parameter with the largest gap (if it is in wte)."""
    run = page.run(run)
    name, i, _ = flat_name(largest_gap(run))
    if name != "wte":
        raise DirectiveError(f"the largest gap is in {name}, not in wte: it belongs to no token")
    return run.tokenizer.label(i)


@value(runs=STEP1)
def gc_count(page, run: int = None):
    """How many gradients the check compares: one per parameter."""
    return fmt_int(len(check(page.run(run))["analytic"]))


@value(runs=STEP1)
def gc_largest_gradient(page, run: int = None):
    """The largest |analytic gradient| of the check, to 4 decimals: the size a wrong derivation would show."""
    return fmt_float(max(abs(a) for a in check(page.run(run))["analytic"]))


@value(runs=STEP1)
def gc_zero(page, run: int = None):
    """How many parameters have a gradient of exactly 0 by both methods."""
    found = check(page.run(run))
    return fmt_int(sum(1 for n, a in zip(found["numerical"], found["analytic"]) if n == 0 and a == 0))


@value(runs=STEP1)
def unused_tokens(page, run: int = None):
    """How many tokens never come in as input in the check name (their rows of wte play no part)."""
    run = page.run(run)
    inputs = set(check_tokens(run)[:-1])
    return fmt_int(run.tokenizer.vocab_size - len(inputs))


@value(runs=STEP1)
def gc_above(page, run: int = None):
    """How many numerical gradients come out above their analytic one."""
    return fmt_int(sum(1 for d in gaps(page.run(run)) if d > 0))


@value(runs=STEP1)
def gc_below(page, run: int = None):
    """How many numerical gradients come out below their analytic one."""
    return fmt_int(sum(1 for d in gaps(page.run(run)) if d < 0))


def curvature(run):
    """The second derivative of the check name's loss along the parameter with the largest gap:
    the change of its analytic gradient over a small step either way."""
    def compute():
        index = largest_gap(run)
        name, i, j = flat_name(index)
        state_dict = restored(run, 0)
        tokens = check_tokens(run)
        h = 1e-4
        theta = state_dict[name][i][j]
        slopes = []
        for x in (theta + h, theta - h):
            state_dict[name][i][j] = x
            slopes.append(step1_gradient.analytic_gradient(state_dict, tokens)[1][name][i][j])
        state_dict[name][i][j] = theta
        return (slopes[0] - slopes[1]) / (2 * h)

    return memo(run, ("curvature",), compute)


@value(runs=STEP1)
def gc_curvature(page, run: int = None):
    """How fast the slope changes along the parameter with the largest gap (its second derivative), as 4.10 × 10⁻⁴."""
    return sci(curvature(page.run(run)))


@value(runs=STEP1)
def gc_truncation(page, run: int = None):
    """The forward difference's expected overshoot there: eps / 2 × the second derivative."""
    eps_ = default_of(step1_gradient.numerical_gradient, "eps")
    return sci(eps_ / 2 * curvature(page.run(run)))


@value(runs=STEP1)
def gc_rounding(page, run: int = None):
    """The rounding scale of the forward difference: the spacing of doubles near the loss, divided by eps."""
    eps_ = default_of(step1_gradient.numerical_gradient, "eps")
    return sci(math.ulp(page.run(run).facts["gradient_check"][0]) / eps_)


@value(runs=STEP1)
def loss_ulp(page, run: int = None):
    """The spacing of doubles near the check name's loss: the smallest change it can show."""
    return sci(math.ulp(page.run(run).facts["gradient_check"][0]))


@table(runs=STEP1)
def gc_top(page, count: int = 5, run: int = None):
    """The `count` parameters whose numerical and analytic gradients differ most."""
    run = page.run(run)
    found = check(run)
    d = gaps(run)
    order = sorted(range(len(d)), key=lambda k: -abs(d[k]))[:count]
    rows = [[f"<code>{flat_label(run, k)}</code>", f"{found['numerical'][k]:.10f}", f"{found['analytic'][k]:.10f}",
             escape(sci(d[k]))] for k in order]
    return headed_table(f"The {fmt_int(count)} largest gaps of the {fmt_int(len(d))} gradients",
                        ["parameter", "numerical", "analytic", "numerical − analytic"], rows, "The largest gaps")


@player(runs=STEP1)
def gradient_check_player(page, run: int = None):
    """All numerical vs analytic gradients of the check on one scatter, the diagonal drawn, the largest gap marked;
    a slider magnifies the gaps."""
    run = page.run(run)
    found = check(run)
    index = largest_gap(run)
    label = flat_label(run, index)
    d = gaps(run)
    data = {"label": label, "index": index, "name": run.record(1)["doc"],
            "analytic": rounded(found["analytic"], 5), "gap": rounded(d, 3)}
    url = frames_file(page, f"generated/step{run.number}/gradient-check.json", data)
    figure = svg.scatter(list(zip(found["analytic"], found["numerical"])), uid="gradient-check",
                         title=f"The {fmt_int(len(d))} numerical gradients against the analytic ones,"
                               f" on “{data['name']}” before training",
                         x_title="analytic", y_title="numerical", diagonal=True,
                         highlight={"index": index, "label": f"{label}: largest gap"})
    return render.player_shell("gradient-check", url, figure,
                               f"Numerical against analytic: all {fmt_int(len(d))} gradients, the largest gap"
                               f" ({escape(sci(abs(d[index])))}) marked")


# ---------------------------------------------------------------- 1.9: training and inference


@value(runs=TRAINED)
def learning_rate(page, run: int = None):
    """The learning rate the schedule starts from (the step module's learning_rate)."""
    return svg.fmt(replay.module_of(page.run(run).number).learning_rate)


@value(runs=TRAINED)
def lr(page, step: int, run: int = None):
    """The learning rate training step `step` (from 1) used, as the run recorded it (4 significant digits)."""
    return svg.fmt(page.run(run).record(step)["lr"], 4)


@value(runs=STEP1)
def temperature(page, run: int = None):
    """The sampling temperature of step 1 (step1_gradient.temperature)."""
    page.run(run)
    return repr(step1_gradient.temperature)


def next_probs(run, context, temp):
    """softmax(logits / temp) of the trained model (the last snapshot) after token `context`, by step 1's own mlp and softmax."""
    final = len(run.steps)
    logits = step1_gradient.mlp(restored(run, final), run.token_id(context))
    return step1_gradient.softmax([v / temp for v in logits])


@value(runs=STEP1)
def temp_prob(page, context: str, char: str, temperature: float, run: int = None):
    """The trained model's probability of `char` (or char=top: the likeliest) after `context` at a temperature, to 4 decimals."""
    run = page.run(run)
    if not temperature > 0:
        raise DirectiveError("temperature= must be above 0")
    probs = next_probs(run, context, temperature)
    return fmt_float(max(probs) if char == "top" else probs[run.token_id(char)])


@value(runs=STEP1)
def temp_top(page, context: str, run: int = None):
    """The token the trained model finds likeliest after `context` (the same at every temperature)."""
    run = page.run(run)
    probs = next_probs(run, context, 1.0)
    return run.tokenizer.label(probs.index(max(probs)))


@value(runs=STEP1)
def samples_starting(page, char: str = None, run: int = None):
    """How many of the generated names start with `char` (default: the likeliest first letter, temp_top after BOS)."""
    run = page.run(run)
    if char is None:
        char = temp_top(page, "BOS", run.number)
    return fmt_int(sum(1 for name in run.samples if name.startswith(char)))


@value(runs=STEP1)
def distinct_samples(page, run: int = None):
    """How many different names are among the generated ones."""
    return fmt_int(len(set(page.run(run).samples)))


@value(runs=STEP1)
def longest_sample(page, run: int = None):
    """The length in letters of the longest generated name."""
    return fmt_int(max(len(name) for name in page.run(run).samples))


@value(runs=STEP1)
def loss_window(page, run: int = None):
    """How many steps the running mean of the training player's loss curve covers."""
    page.run(run)
    return fmt_int(WINDOW)


@player(runs=STEP1)
def loss_build_player(page, run: int = None):
    """The loss curve building step by step as training plays, with the learning rate each step used."""
    run = page.run(run)
    losses = [record["loss"] for record in run.steps]
    rates = [record["lr"] for record in run.steps]
    n = len(losses)
    running, total = [], 0.0
    for k, v in enumerate(losses):
        total += v - (losses[k - WINDOW] if k >= WINDOW else 0)
        running.append(total / min(k + 1, WINDOW))
    steps = range(1, n + 1)
    loss_chart = svg.line_chart(
        [{"name": "loss of each step", "values": fixed(losses), "tone": 2, "weight": "thin"},
         {"name": f"mean of the last {WINDOW}", "values": fixed(running), "tone": 0, "weight": "thick"}],
        uid="loss-build", title=f"The loss at each of the {fmt_int(n)} training steps of step 1, and its running mean",
        x=steps, x_min=0, y_min=0, x_title="training step", y_title="loss", height=280)
    lr_chart = svg.line_chart(
        [{"name": "learning rate", "values": fixed(rates), "tone": 1}],
        uid="loss-build-lr", title=f"The learning rate of each training step, from {svg.fmt(rates[0])}"
                                   f" down to {svg.fmt(rates[-1])}",
        x=steps, x_min=0, y_min=0, x_title="training step", y_title="learning rate", height=240)
    data = {"docs": [record["doc"] for record in run.steps], "loss": fixed(losses), "mean": fixed(running),
            "lr": fixed(rates), "window": WINDOW}
    url = frames_file(page, f"generated/step{run.number}/loss-build.json", data)
    return render.player_shell("loss-build", url, loss_chart + lr_chart,
                               f"Training: the loss and the learning rate of all {fmt_int(n)} steps")


@player(runs=STEP1)
def temperature_player(page, context: str = "BOS", run: int = None):
    """A temperature slider over the trained model's next-token distribution (softmax(logits / T), in the browser)."""
    run = page.run(run)
    final = len(run.steps)
    state_dict = restored(run, final)
    logits = [step1_gradient.mlp(state_dict, t) for t in range(run.tokenizer.vocab_size)]
    labels = render.labels(run.tokenizer)
    start = run.token_id(context)
    temp = step1_gradient.temperature
    data = {"labels": labels, "logits": logits, "context": start, "temperature": temp, "after": final}
    url = frames_file(page, f"generated/step{run.number}/temperature.json", data)
    low = next_probs(run, context, temp)
    one = next_probs(run, context, 1.0)
    rows = "".join(f'<tr><th scope="row">{escape(labels[j])}</th><td>{p:.4f}</td><td>{q:.4f}</td></tr>'
                   for j, (p, q) in enumerate(zip(low, one)))
    fallback = (f'<div class="mgv-scroll" data-label="The next token after {escape(labels[start])}">'
                f'<table class="mgv-dist"><caption>after {escape(labels[start])}: the next token</caption>'
                f'<thead><tr><th scope="col">next</th><th scope="col">T = {temp}</th><th scope="col">T = 1</th></tr></thead>'
                f"<tbody>{rows}</tbody></table></div>")
    return render.player_shell("temperature", url, fallback,
                               f"The trained model’s next token after {escape(labels[start])},"
                               f" at temperature {temp} and at 1")
