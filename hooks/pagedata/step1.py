"""Names only step 1's run can answer: its parameters, linear() and softmax(), and the MLP.

Every number is read from the run's snapshots, or is what microgpt.step1_gradient's
own functions (init_model, linear, softmax, mlp) return on them: the MLP's inner
values are read by tracing mlp() (microgpt.replay.trace_locals), never recomputed here.
"""

import json
import math
import re
import sys
from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import fixed, fmt_float, fmt_int, frames_file, player, rounded, value
from microgpt import replay, step1_gradient

STEP1 = (1,)
PARAM_CELL = 10  # the side of a parameter's cell: the same in every map, so the three compare in size
DIGITS = 4  # significant digits a heatmap shows (its readout and legend): its frames carry no more


# ---------------------------------------------------------------- reading the run


def matrix_of(run, matrix, after):
    """One parameter matrix of the snapshot after `after` steps, as plain lists."""
    snapshot = run.snapshot(after)
    if matrix not in snapshot:
        raise DirectiveError(f"matrix={matrix!r}: the step 1 model has {', '.join(snapshot)}")
    return snapshot[matrix]


def state_dict(run, after):
    """The snapshot as the model step 1's own functions take (microgpt.replay.restore)."""
    return replay.restore(1, run.snapshot(after))


def memo(run, key, compute):
    """compute(), once per run: in memory and on disk (Run.remember), like Run.probe."""
    return run.remember(json.dumps(["step1", *key]), compute, __file__)


def flow(run, token_id, after):
    """What mlp() computes for one token with the snapshot after `after` steps, read by tracing
    its local variables: {"x": the embedding, "h_pre": after mlp_fc1, "h": after ReLU,
    "logits", "probs": softmax(logits)}."""
    def compute():
        logits, traced = replay.trace_locals(step1_gradient.mlp, ["x", "logits"], state_dict(run, after), token_id)
        if len(traced["x"]) != 3:
            raise DirectiveError(f"microgpt.step1_gradient.mlp bound x {len(traced['x'])} times, not 3"
                                 " (embedding, mlp_fc1, ReLU): this probe must follow the code")
        x, h_pre, h = traced["x"]
        return {"x": x, "h_pre": h_pre, "h": h, "logits": logits, "probs": step1_gradient.softmax(logits)}
    return memo(run, ("flow", token_id, after), compute)


def init_draws():
    """The (mu, sigma) of every draw init_model makes, read by handing it a generator that notes them."""
    class Noting:
        def __init__(self):
            self.draws = []

        def gauss(self, mu, sigma):
            self.draws.append((mu, sigma))
            return 0.0

    noting = Noting()
    step1_gradient.init_model(replay.TOKENIZER, noting)
    return noting.draws


def the_draw():
    draws = set(init_draws())
    if len(draws) != 1:
        raise DirectiveError(f"init_model draws with {len(draws)} different (mu, sigma): the page says one")
    return draws.pop()


def short(x):
    """A number of the code as the code writes it: 0.08, 0 (not 0.0)."""
    return svg.num(x)


# ---------------------------------------------------------------- values: the parameters


@value(runs=STEP1)
def shape(page, matrix: str, run: int = None):
    """The shape of one parameter matrix, rows×columns: wte is 27×16."""
    m = matrix_of(page.run(run), matrix, 0)
    return f"{len(m)}×{len(m[0])}"


@value(runs=STEP1)
def rows(page, matrix: str, run: int = None):
    """How many rows one parameter matrix has."""
    return fmt_int(len(matrix_of(page.run(run), matrix, 0)))


@value(runs=STEP1)
def cols(page, matrix: str, run: int = None):
    """How many columns one parameter matrix has (wte: n_embd)."""
    return fmt_int(len(matrix_of(page.run(run), matrix, 0)[0]))


@value(runs=STEP1)
def matrix_size(page, matrix: str, run: int = None):
    """How many numbers one parameter matrix holds: rows times columns."""
    m = matrix_of(page.run(run), matrix, 0)
    return fmt_int(sum(len(row) for row in m))


@value(runs=STEP1)
def init_sigma(page, run: int = None):
    """The standard deviation of init_model's random draws (gauss(0, sigma))."""
    page.run(run)
    return short(the_draw()[1])


@value(runs=STEP1)
def init_mu(page, run: int = None):
    """The mean of init_model's random draws."""
    page.run(run)
    return short(the_draw()[0])


@value(runs=STEP1)
def param(page, matrix: str, row: int, col: int, after: int, run: int = None):
    """One parameter, matrix[row][col], after `after` steps, to 4 decimals."""
    m = matrix_of(page.run(run), matrix, after)
    if not (0 <= row < len(m) and 0 <= col < len(m[0])):
        raise DirectiveError(f"row={row} col={col}: {matrix} has rows 0 to {len(m) - 1}, columns 0 to {len(m[0]) - 1}")
    return fmt_float(m[row][col])


@value(runs=STEP1)
def largest_param(page, after: int, matrix: str = None, run: int = None):
    """The largest parameter in size (|value|) after `after` steps, of one matrix or of all, to 4 decimals."""
    run = page.run(run)
    names = [matrix] if matrix else list(run.snapshot(after))
    return fmt_float(max(abs(v) for name in names for row in matrix_of(run, name, after) for v in row))


def embedding(run, token, after):
    return matrix_of(run, "wte", after)[run.token_id(token)]


def length(v):
    return math.sqrt(sum(x * x for x in v))


@value(runs=STEP1)
def embedding_norm(page, token: str, after: int, run: int = None):
    """The length of a token's embedding (its row of wte) after `after` steps: sqrt of the sum of squares, 2 decimals."""
    return f"{length(embedding(page.run(run), token, after)):.2f}"


@value(runs=STEP1)
def nearest_token(page, token: str, after: int, rank: int = 1, run: int = None):
    """The token whose embedding points most nearly the same way as `token`'s (by cosine), after `after` steps;
    rank=2 the next nearest."""
    run = page.run(run)
    mine = embedding(run, token, after)
    others = [t for t in range(run.tokenizer.vocab_size) if t != run.token_id(token)]
    wte = matrix_of(run, "wte", after)
    cosine = {t: sum(a * b for a, b in zip(mine, wte[t])) / (length(mine) * length(wte[t])) for t in others}
    order = sorted(others, key=lambda t: -cosine[t])
    if not 1 <= rank <= len(order):
        raise DirectiveError(f"rank={rank}: there are {len(order)} other tokens")
    return run.tokenizer.label(order[rank - 1])


@value(runs=STEP1)
def within_sigmas(page, sigmas: int, run: int = None):
    """How many of the initial parameters lie within `sigmas` standard deviations of 0, in percent (1 decimal)."""
    run = page.run(run)
    sigma = the_draw()[1]
    flat = [v for matrix in run.snapshot(0).values() for row in matrix for v in row]
    return f"{100 * sum(abs(v) <= sigmas * sigma for v in flat) / len(flat):.1f}"


# ---------------------------------------------------------------- values: linear, softmax, the MLP


@value(runs=STEP1)
def exp_limit(page, run: int = None):
    """The largest x whose exp(x) a float can hold: ln of the largest float, to 2 decimals."""
    page.run(run)
    return f"{math.log(sys.float_info.max):.2f}"


@value(runs=STEP1)
def uniform_prob(page, run: int = None):
    """1 / vocab_size to 4 decimals: each token's probability when all logits are equal."""
    return fmt_float(1 / page.run(run).facts["vocab_size"])


def token_flow(page, token, after, run):
    run = page.run(run)
    return run, flow(run, run.token_id(token), after)


@value(runs=STEP1)
def mlp_logit(page, token: str, next: str, after: int, run: int = None):
    """mlp(token)'s logit for the next token `next`, with the model after `after` steps, to 4 decimals."""
    run, f = token_flow(page, token, after, run)
    return fmt_float(f["logits"][run.token_id(next)])


@value(runs=STEP1)
def mlp_prob(page, token: str, next: str, after: int, run: int = None):
    """softmax(mlp(token))[next] with the model after `after` steps, to 4 decimals."""
    run, f = token_flow(page, token, after, run)
    return fmt_float(f["probs"][run.token_id(next)])


@value(runs=STEP1)
def mlp_top(page, token: str, after: int, rank: int = 1, run: int = None):
    """The rank-th likeliest next token after `token` under the MLP after `after` steps (a letter or BOS)."""
    run, f = token_flow(page, token, after, run)
    order = sorted(range(len(f["probs"])), key=lambda j: -f["probs"][j])
    if not 1 <= rank <= len(order):
        raise DirectiveError(f"rank={rank}: there are {len(order)} tokens")
    return run.tokenizer.label(order[rank - 1])


@value(runs=STEP1)
def mlp_prob_low(page, token: str, after: int, run: int = None):
    """The smallest probability softmax(mlp(token)) gives any next token, after `after` steps, to 4 decimals."""
    return fmt_float(min(token_flow(page, token, after, run)[1]["probs"]))


@value(runs=STEP1)
def mlp_prob_high(page, token: str, after: int, run: int = None):
    """The largest probability softmax(mlp(token)) gives any next token, after `after` steps, to 4 decimals."""
    return fmt_float(max(token_flow(page, token, after, run)[1]["probs"]))


@value(runs=STEP1)
def logit_low(page, token: str, after: int, run: int = None):
    """The smallest of mlp(token)'s logits after `after` steps, to 4 decimals."""
    return fmt_float(min(token_flow(page, token, after, run)[1]["logits"]))


@value(runs=STEP1)
def logit_high(page, token: str, after: int, run: int = None):
    """The largest of mlp(token)'s logits after `after` steps, to 4 decimals."""
    return fmt_float(max(token_flow(page, token, after, run)[1]["logits"]))


@value(runs=STEP1)
def relu_zeros(page, token: str, after: int, run: int = None):
    """How many of the hidden values ReLU sets to 0 for `token`, with the model after `after` steps."""
    h = token_flow(page, token, after, run)[1]["h"]
    return fmt_int(sum(1 for v in h if v == 0))


@value(runs=STEP1)
def relu_zeros_mean(page, after: int, run: int = None):
    """How many of the hidden values ReLU sets to 0, on average over the tokens, after `after` steps (1 decimal)."""
    run = page.run(run)
    counts = [sum(1 for v in flow(run, t, after)["h"] if v == 0) for t in range(run.tokenizer.vocab_size)]
    return f"{sum(counts) / len(counts):.1f}"


# ---------------------------------------------------------------- the parameter heatmaps

# What the rows and columns of each matrix are: (row title, row labels, column title, column labels, caption)
def matrix_axes(run, name):
    labels = render.labels(run.tokenizer)
    m = matrix_of(run, name, 0)
    n_rows, n_cols = len(m), len(m[0])
    index = lambda n: [str(i) for i in range(n)]
    if name == "wte":
        return ("token", labels, "dimension", index(n_cols),
                f"wte, {n_rows}×{n_cols}: one row of {n_cols} numbers, the embedding, for each token")
    if name == "mlp_fc1":
        return ("hidden unit", index(n_rows), "dimension", index(n_cols),
                f"mlp_fc1, {n_rows}×{n_cols}: one row of {n_cols} weights for each of the {n_rows} hidden units")
    if name == "mlp_fc2":
        return ("next token", labels, "hidden unit", index(n_cols),
                f"mlp_fc2, {n_rows}×{n_cols}: one row of {n_cols} weights for each next token’s logit")
    raise DirectiveError(f"no axes known for the matrix {name!r}")


@player(runs=STEP1)
def param_heatmaps_player(page, before: int = 0, after: int = 1000, run: int = None):
    """The three parameter matrices as heatmaps, after `after` steps; with JavaScript, toggled with `before`."""
    run = page.run(run)
    names = list(run.snapshot(after))
    shown = {k: {name: rounded(matrix_of(run, name, k), DIGITS) for name in names} for k in (before, after)}
    figures = []
    for name in names:
        # one colour scale for both snapshots, so that the toggle compares like with like
        bound = max(abs(v) for k in (before, after) for row in shown[k][name] for v in row)
        row_title, row_labels, col_title, col_labels, caption = matrix_axes(run, name)
        n_rows, n_cols = len(shown[after][name]), len(shown[after][name][0])
        figure = svg.heatmap(
            shown[after][name], uid=f"param-{name}", title=f"The {n_rows * n_cols:,} numbers of {name}",
            row_labels=row_labels, col_labels=col_labels, row_title=row_title, col_title=col_title,
            signed=True, scale="sqrt", bound=bound, cell=PARAM_CELL, digits=DIGITS, caption=caption,
            desc=(f"{n_rows} rows ({row_title}) by {n_cols} columns ({col_title}), one cell per number:"
                  f" the stronger the colour, the larger the number in size, one colour for positive and"
                  f" another for negative (legend below the map)."))
        # a kit figure takes no width from its content (CSS containment): each box asks for its map's own
        width = re.search(r'<svg[^>]* width="([0-9.]+)"', figure).group(1)
        figures.append(f'<div class="mgv-param-map" data-matrix="{escape(name)}" style="flex-basis:{width}px">'
                       f"{figure}</div>")
    # the maps carry the `after` numbers; the frames, the others
    data = {"snapshots": [before, after], "names": names, "before": shown[before]}
    url = frames_file(page, f"generated/step{run.number}/param-heatmaps-{before}-{after}.json", data)
    total = sum(len(m) * len(m[0]) for m in shown[after].values())
    return render.player_shell("param-heatmaps", url, f'<div class="mgv-param-maps">{"".join(figures)}</div>',
                               f"The {fmt_int(total)} parameters after {fmt_int(after)} training steps")


# ---------------------------------------------------------------- linear and softmax


@player(runs=STEP1)
def linear_softmax_player(page, token: str = "BOS", after: int = 1000, run: int = None):
    """Edit a small x and w and see linear(x, w); edit the logits after `token` and see softmax() respond."""
    run = page.run(run)
    token_id = run.token_id(token)
    f = flow(run, token_id, after)
    # A corner of the first layer: the first 3 numbers of the token's embedding and the
    # weights 2 hidden units give them, to 2 decimals (numbers a reader can edit)
    x = fixed(f["x"][:3], 2)
    w = [fixed(row[:3], 2) for row in matrix_of(run, "mlp_fc1", after)[:2]]
    y = step1_gradient.linear(x, w)
    logits = fixed(f["logits"])
    probs = step1_gradient.softmax(logits)
    labels = render.labels(run.tokenizer)
    data = {"token": token_id, "after": after, "labels": labels, "x": x, "w": w, "logits": logits}
    url = frames_file(page, f"generated/step{run.number}/linear-softmax-{token}-{after}.json", data)
    x_text = ", ".join(svg.fmt(v) for v in x)
    rows_ = [[f"<code>y[{i}]</code>",
              " + ".join(f"{svg.fmt(wi)}×{svg.fmt(xi)}" for wi, xi in zip(w[i], x)), fmt_float(y[i])]
             for i in range(len(w))]
    linear_table = render.html_table(["output", f"the row of w times x = [{escape(x_text)}]", "value"], rows_)
    top = sorted(range(len(probs)), key=lambda j: -probs[j])
    soft_rows = [[render.chip(run.tokenizer, j), fmt_float(logits[j]), fmt_float(probs[j])] for j in top]
    soft_table = render.html_table(["next token", "logit", "softmax"], soft_rows)
    fallback = (f'<p class="mgv-part"><code>linear(x, w)</code></p>{linear_table}'
                f'<p class="mgv-part"><code>softmax(logits)</code> after {render.chip(run.tokenizer, token_id)},'
                f' likeliest first</p>{soft_table}')
    return render.player_shell("linear-softmax", url, fallback,
                               f"linear() on a corner of the first layer, and softmax() of the logits after"
                               f" {escape(token)}, with the model after {fmt_int(after)} steps")


# ---------------------------------------------------------------- the MLP, layer by layer

LAYERS = [  # key in flow(), the line of code (as mlp() and its caller write it), what it is,
            # its row label in the readout, what its columns are, signed
    ("x", 'x = state_dict["wte"][token_id]', "the embedding", "embedding", "dimension", True),
    ("h_pre", 'x = linear(x, state_dict["mlp_fc1"])', "the hidden values", "mlp_fc1", "hidden unit", True),
    ("h", "x = [max(0, xi) for xi in x]", "ReLU: negatives become 0", "ReLU", "hidden unit", False),
    ("logits", 'logits = linear(x, state_dict["mlp_fc2"])', "one logit per next token", "mlp_fc2", "next token", True),
    ("probs", "probs = softmax(mlp(state_dict, token_id))", "the probabilities (in forward())", "softmax",
     "next token", False),
]


def flow_strip(run, key, values, bound, labels, index):
    code, what, row_label, col_title, signed = next(layer[1:] for layer in LAYERS if layer[0] == key)
    title = f"{code}: {what}"
    col_labels = labels if col_title == "next token" else [str(i) for i in range(len(values))]
    options = dict(signed=True, bound=bound) if signed else dict(lo=0, hi=bound)
    figure = svg.heatmap([values], uid=f"flow-{key}", title=f"{title} ({len(values)} numbers)",
                         row_labels=[row_label], col_labels=col_labels, row_title="layer", col_title=col_title,
                         scale="sqrt", digits=DIGITS,
                         desc=f"{len(values)} numbers in a row, one cell each, coloured by size (legend below).",
                         **options)
    return (f'<div class="mgv-flow-layer" data-layer="{key}">'
            f'<p class="mgv-flow-title">{index}. <code>{escape(code)}</code>: {escape(what)},'
            f' {len(values)} numbers</p>{figure}</div>')


def flow_summary(run, f):
    """The line under the layers, without JavaScript: ReLU's zeros and the likeliest next tokens
    (ordered as the player orders them: by the probability shown, then by token id)."""
    zeros = sum(1 for v in f["h"] if v == 0)
    probs = fixed(f["probs"])
    top = sorted(range(len(probs)), key=lambda j: (-probs[j], j))[:3]
    likeliest = ", ".join(f"{escape(run.tokenizer.label(j))} {fmt_float(probs[j])}" for j in top)
    return f"ReLU set {zeros} of the {len(f['h'])} hidden values to 0. Likeliest next tokens: {likeliest}."


@player(runs=STEP1)
def mlp_flow_player(page, token: str = "a", before: int = 0, after: int = 1000, run: int = None):
    """Pick a token; see its values flow through the MLP, layer by layer, untrained and trained."""
    run = page.run(run)
    labels = render.labels(run.tokenizer)
    vocab = run.tokenizer.vocab_size
    flows = {k: [flow(run, t, k) for t in range(vocab)] for k in (before, after)}
    # to the digits shown: 4 significant digits (the readout), probabilities to 4 decimals (the live line)
    shown = {str(k): [{key: fixed(f[key]) if key == "probs" else rounded(f[key], DIGITS) for key, *_ in LAYERS}
                      for f in flows[k]] for k in (before, after)}
    # one colour scale per layer, over every token and both snapshots
    bounds = {key: max(abs(v) for k in shown for f in shown[k] for v in f[key]) for key, *_ in LAYERS}
    zeros = {k: [sum(1 for v in f["h"] if v == 0) for f in flows[int(k)]] for k in shown}
    token_id = run.token_id(token)
    data = {"labels": labels, "token": token_id, "snapshots": [before, after], "flows": shown, "zeros": zeros}
    url = frames_file(page, f"generated/step{run.number}/mlp-flow-{token}-{before}-{after}.json", data)
    strips = "".join(flow_strip(run, key, shown[str(after)][token_id][key], bounds[key], labels, i + 1)
                     for i, (key, *_) in enumerate(LAYERS))
    summary = f'<p class="mgv-flow-summary">{flow_summary(run, flows[after][token_id])}</p>'
    return render.player_shell("mlp-flow", url, strips + summary,
                               f"mlp({escape(token)}) with the model after {fmt_int(after)} training steps,"
                               f" layer by layer")
