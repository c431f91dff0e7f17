"""Step 3's attention at work (pages 3.5 to 3.7): scores and weights, the weighted sum and the
residuals, the KV cache.

Every number is what the step's own gpt() computed on a name, read by tracing it while its
forward() runs (microgpt.replay.internals, through Run.probe): the queries, keys and values,
attn_logits, attn_weights, x_attn, each value x was bound to, the logits. The worked examples
take those apart (the products of one dot product, the steps of one softmax, read by tracing the
step's own softmax()); nothing here computes what gpt() computes.

The attention map serves runs 3 to 5 (one head of one layer at a time: Step 4 shows one map per
head); the rest reads Step 3's gpt(), one layer and one head.
"""

import math
import re
from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import fixed, fmt_float, fmt_int, frames_file, player, table, value
from microgpt import replay
from microgpt.autograd import Value

STEP3 = (3,)
ATTENTION = (3, 4, 5)
MINUS = "\u2212"
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]


# ---------------------------------------------------------------- reading the run


def positions(run, name, after):
    """internals(): what gpt() computed at each position of `name` with the snapshot after `after` steps."""
    run.encode(name)  # the page's mistake, said in the page's terms
    return run.probe("internals", after, name)


def check_pos(ps, pos, name):
    if not 0 <= pos < len(ps):
        raise DirectiveError(f"pos={pos}: the forward pass over {name!r} has positions 0 to {len(ps) - 1}")


def head_of(ps, pos, layer, head):
    """One head of one layer at position pos: {"q", "k", "v" (this head's slices), "scores", "weights"}."""
    layers = ps[pos]["layers"]
    if not 0 <= layer < len(layers):
        raise DirectiveError(f"layer={layer}: this model has layers 0 to {len(layers) - 1}")
    this = layers[layer]
    heads = len(this["attn_weights"])
    if not 0 <= head < heads:
        raise DirectiveError(f"head={head}: this model has heads 0 to {heads - 1}")
    size = len(this["q"]) // heads  # each head reads its own slice of q, k and v
    part = slice(head * size, (head + 1) * size)
    return {"q": this["q"][part], "k": this["k"][part], "v": this["v"][part],
            "scores": this["attn_logits"][head], "weights": this["attn_weights"][head]}


def tokens_of(run, ps):
    return [run.tokenizer.label(p["token"]) for p in ps]


def who(labels, t, itself=None):
    """A position of the name in words: "e", "BOS", "the second m" (when its letter occurs more than once)."""
    if itself is not None and t == itself:
        return "itself"
    label = labels[t]
    same = [i for i, x in enumerate(labels) if x == label]
    if len(same) == 1:
        return label
    return f"the {ORDINALS[same.index(t)]} {label}" if same.index(t) < len(ORDINALS) else f"{label} at {t}"


def pos_label(labels, t):
    """A position as the tables and the maps label it: its index, then its token."""
    return f"{t} {labels[t]}"


def minus(text):
    """A number as the tables write it: a real minus sign, never a negative zero."""
    if re.fullmatch(r"-0(\.0*)?", text):
        text = text[1:]
    return text.replace("-", MINUS)


def dec(x, digits=4):
    return minus(f"{x:.{digits}f}")


def stream(p):
    """The values x was bound to at one position of Step 3's gpt(), by what bound them:
    {"embed", "input" (x_residual of the attention block), "normed", "attn_out", "after_attn",
    "mlp_in", "hidden", "relu", "mlp_out", "after_mlp"}. Checked against the code it comes from:
    each residual line is the sum of the two vectors it adds."""
    xs = p["x"]
    lines = [x["line"] for x in xs]
    wanted = ["embed", "input", "normed", "attn_out", "after_attn", "mlp_in", "hidden", "relu", "mlp_out", "after_mlp"]
    expect = [r"^x = \[t \+ p for", r"^x = rmsnorm\(x\)$", r"^x = rmsnorm\(x\)$", r"attn_wo", r"zip\(x, x_residual\)",
              r"^x = rmsnorm\(x\)$", r"mlp_fc1", r"relu\(\)", r"mlp_fc2", r"zip\(x, x_residual\)"]
    if len(xs) != len(expect) or not all(re.search(e, line) for e, line in zip(expect, lines)):
        raise DirectiveError("step 3's gpt() no longer binds x as these pages tell it (embedding, rmsnorm,"
                             " attention block, MLP block): " + " | ".join(lines))
    out = {key: x["value"] for key, x in zip(wanted, xs)}
    for total, a, b in (("after_attn", "attn_out", "input"), ("after_mlp", "mlp_out", "after_attn")):
        if any(abs(s - (u + w)) > 1e-12 for s, u, w in zip(out[total], out[a], out[b])):
            raise DirectiveError(f"the residual line that makes {total} does not add {a} and {b} any more")
    out["x_attn"] = p["layers"][0]["x_attn"]
    out["logits"] = p["logits"]
    return out


def softmax_steps(run, scores):
    """The step's own softmax() on the scores, traced: (max_val, exps, total, weights)."""
    softmax = replay.module_of(run.number).softmax
    result, traced = replay.trace_locals(softmax, ["max_val", "exps", "total"], [Value(s) for s in scores])
    return traced["max_val"][-1], traced["exps"][-1], traced["total"][-1], replay.as_plain(result)


def probabilities(run, logits):
    """softmax(logits) with the step's own softmax()."""
    return softmax_steps(run, logits)[3]


def heat_td(v, bound, text, cls="mgv-heat-cell"):
    return f'<td class="{cls}" style="--heat:{svg.num(svg.signed_heat(v, bound))}">{text}</td>'


def scroll_table(label, head, body, cls, caption=None, foot=""):
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (f'<div class="mgv-scroll" data-label="{escape(label)}"><table class="{cls}">{cap}'
            f"<thead>{head}</thead><tbody>{body}</tbody>{foot}</table></div>")


def qk_root_of(run, ps, layer=0, head=0):
    """The number the code divides each dot product by, read from the run: q·k_t over attn_logits[t]
    (every score of the position agrees, or the page's formula is wrong)."""
    h = head_of(ps, len(ps) - 1, layer, head)
    ks = [head_of(ps, t, layer, head)["k"] for t in range(len(ps))]
    ratios = [sum(a * b for a, b in zip(h["q"], k)) / s for k, s in zip(ks, h["scores"]) if abs(s) > 1e-9]
    root = math.sqrt(len(h["q"]))
    if not ratios or any(abs(r - root) > 1e-9 * root for r in ratios):
        raise DirectiveError(f"attn_logits are not q·k_t / √{len(h['q'])} any more: the pages say they are")
    return root


# ---------------------------------------------------------------- 3.5 values: scores and weights


@value(runs=ATTENTION)
def qk_dim(page, name: str = "emma", layer: int = 0, head: int = 0, run: int = None):
    """How many numbers a query and a key have (one head's): the products one score adds up."""
    ps = positions(page.run(run), name, 0)
    return fmt_int(len(head_of(ps, 0, layer, head)["q"]))


@value(runs=ATTENTION)
def qk_root(page, name: str = "emma", layer: int = 0, head: int = 0, run: int = None):
    """What each dot product q·k_t is divided by: the square root of qk_dim (checked against attn_logits)."""
    ps = positions(page.run(run), name, 0)
    return svg.num(round(qk_root_of(page.run(run), ps, layer, head), 12))


def score_parts(page, name, pos, t, after, layer, head, run):
    run = page.run(run)
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    if not 0 <= t <= pos:
        raise DirectiveError(f"t={t}: position {pos} attends to positions 0 to {pos} (t ≤ pos)")
    return run, ps, head_of(ps, pos, layer, head), head_of(ps, t, layer, head)


@value(runs=ATTENTION)
def qk_dot(page, name: str, pos: int, t: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """The dot product q·k_t of position pos's query and position t's key, before scaling, to 4 decimals."""
    _, _, me, other = score_parts(page, name, pos, t, after, layer, head, run)
    return fmt_float(sum(a * b for a, b in zip(me["q"], other["k"])))


@value(runs=ATTENTION)
def attn_score(page, name: str, pos: int, t: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """attn_logits[t] at position pos of `name`: q·k_t / √d, to 4 decimals."""
    return fmt_float(score_parts(page, name, pos, t, after, layer, head, run)[2]["scores"][t])


@value(runs=ATTENTION)
def attn_weight(page, name: str, pos: int, t: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """attn_weights[t] at position pos of `name`: how much position pos takes from position t, to 4 decimals."""
    return fmt_float(score_parts(page, name, pos, t, after, layer, head, run)[2]["weights"][t])


def row_of(page, name, pos, after, layer, head, run):
    run = page.run(run)
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    return run, ps, head_of(ps, pos, layer, head)


@value(runs=ATTENTION)
def attn_row_sum(page, name: str, pos: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """The sum of the attention weights of position pos (softmax makes it 1), to 4 decimals."""
    return fmt_float(sum(row_of(page, name, pos, after, layer, head, run)[2]["weights"]))


@value(runs=ATTENTION)
def attn_top(page, name: str, pos: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """The position that position pos gives its largest weight, in words: e, BOS, the first m, itself."""
    run, ps, h = row_of(page, name, pos, after, layer, head, run)
    best = max(range(len(h["weights"])), key=lambda t: h["weights"][t])
    return who(tokens_of(run, ps), best, itself=pos)


@value(runs=ATTENTION)
def attn_top_weight(page, name: str, pos: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """The largest attention weight of position pos, to 4 decimals."""
    return fmt_float(max(row_of(page, name, pos, after, layer, head, run)[2]["weights"]))


@value(runs=ATTENTION)
def attn_even(page, name: str, pos: int, run: int = None):
    """The weight each position would get if position pos spread its attention evenly: 1 / (pos + 1), 4 decimals."""
    ps = positions(page.run(run), name, 0)
    check_pos(ps, pos, name)
    return fmt_float(1 / (pos + 1))


@value(runs=ATTENTION)
def attn_count(page, name: str, pos: int, run: int = None):
    """How many positions position pos of `name` attends to (itself and every earlier one): its keys, scores, weights."""
    ps = positions(page.run(run), name, 0)
    check_pos(ps, pos, name)
    return fmt_int(len(head_of(ps, pos, 0, 0)["weights"]))


@value(runs=ATTENTION)
def attn_max_gap(page, name: str, after: int, layer: int = 0, head: int = 0, run: int = None):
    """The largest gap, over the whole map of `name`, between a weight and the even share 1 / (pos + 1), 4 decimals."""
    run = page.run(run)
    ps = positions(run, name, after)
    gaps = [abs(w - 1 / (pos + 1)) for pos in range(len(ps)) for w in head_of(ps, pos, layer, head)["weights"]]
    return fmt_float(max(gaps))


@value(runs=ATTENTION)
def attn_score_range(page, name: str, pos: int, after: int, end: str = "max", layer: int = 0, head: int = 0,
                     run: int = None):
    """The largest (end=max) or smallest (end=min) score of position pos, to 4 decimals."""
    if end not in ("max", "min"):
        raise DirectiveError(f"end={end!r}: end is max or min")
    scores = row_of(page, name, pos, after, layer, head, run)[2]["scores"]
    return fmt_float(max(scores) if end == "max" else min(scores))


@value(runs=ATTENTION)
def attn_shared_gap(page, name: str, a: int, b: int, after: int, what: str = "score", layer: int = 0,
                    head: int = 0, run: int = None):
    """How alike two rows of the map are on the keys both see (t ≤ a < b), to 4 decimals: the largest
    difference between their scores (what=score), or between a's weights and b's weights on those keys
    rescaled to add up to one (what=weight), which leaves out the keys only b sees."""
    if what not in ("score", "weight"):
        raise DirectiveError(f"what={what!r}: what is score or weight")
    if not 0 <= a < b:
        raise DirectiveError(f"a={a}, b={b}: a is the earlier position (0 ≤ a < b)")
    _, ps, early = row_of(page, name, a, after, layer, head, run)
    check_pos(ps, b, name)
    late = head_of(ps, b, layer, head)
    if what == "score":
        return fmt_float(max(abs(x - y) for x, y in zip(early["scores"], late["scores"][:a + 1])))
    shared = sum(late["weights"][:a + 1])
    return fmt_float(max(abs(x - y / shared) for x, y in zip(early["weights"], late["weights"][:a + 1])))


# ---------------------------------------------------------------- 3.5 tables: one dot product, one softmax


@table(runs=ATTENTION)
def qk_products(page, name: str, pos: int, t: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """One score worked out: q[j] × k_t[j] for every j, their sum q·k_t, divided by √d."""
    run, ps, me, other = score_parts(page, name, pos, t, after, layer, head, run)
    labels = tokens_of(run, ps)
    root = qk_root_of(run, ps, layer, head)
    products = [a * b for a, b in zip(me["q"], other["k"])]
    bound = max(abs(v) for v in me["q"] + other["k"])
    pbound = max(abs(v) for v in products)
    q_name, k_name = f"q ({escape(pos_label(labels, pos))})", f"k<sub>{t}</sub> ({escape(pos_label(labels, t))})"
    head_row = (f'<tr><th scope="col">j</th><th scope="col">{q_name}</th><th scope="col">{k_name}</th>'
                f'<th scope="col">q[j] × k<sub>{t}</sub>[j]</th></tr>')
    body = "".join(f'<tr><th scope="row">{j}</th>{heat_td(a, bound, dec(a))}{heat_td(b, bound, dec(b))}'
                   f"{heat_td(c, pbound, dec(c))}</tr>" for j, (a, b, c) in enumerate(zip(me["q"], other["k"], products)))
    dot = sum(products)
    foot = (f'<tfoot><tr><th scope="row" colspan="3">sum: q·k<sub>{t}</sub></th><td>{dec(dot)}</td></tr>'
            f'<tr><th scope="row" colspan="3">÷ √{len(products)} = {svg.num(round(root, 12))}: the score</th>'
            f'<td>{dec(me["scores"][t])}</td></tr></tfoot>')
    return scroll_table(f"q · k{t}, number by number", head_row, body, "mgv-vec-table mgv-qk mgv-signed", foot=foot)


@table(runs=ATTENTION)
def attn_softmax(page, name: str, pos: int, after: int, layer: int = 0, head: int = 0, run: int = None):
    """Softmax of position pos's scores, step by step as softmax() takes it: score, minus the max, exp, / total."""
    run, ps, h = row_of(page, name, pos, after, layer, head, run)
    labels = tokens_of(run, ps)
    max_val, exps, total, weights = softmax_steps(run, h["scores"])
    if any(abs(a - b) > 1e-12 for a, b in zip(weights, h["weights"])):
        raise DirectiveError("softmax() of the traced scores is not the traced attn_weights: the page would lie")
    head_row = ('<tr><th scope="col">t</th><th scope="col">score</th><th scope="col">score − max</th>'
                '<th scope="col">exp(score − max)</th><th scope="col">÷ total: the weight</th></tr>')
    body = "".join(
        f'<tr><th scope="row">{escape(pos_label(labels, t))}</th><td>{dec(s)}</td><td>{dec(s - max_val)}</td>'
        f'<td>{dec(e)}</td><td class="mgv-heat-cell" style="--heat:{svg.num(svg.heat(w, 1))}">{dec(w)}</td></tr>'
        for t, (s, e, w) in enumerate(zip(h["scores"], exps, weights)))
    foot = (f'<tfoot><tr><th scope="row" colspan="3">total</th><td>{dec(total)}</td><td>{dec(sum(weights))}</td></tr>'
            "</tfoot>")
    return scroll_table(f"softmax of the scores of position {pos}", head_row, body, "mgv-vec-table mgv-softmax-steps",
                        foot=foot)


# ---------------------------------------------------------------- 3.5 the player: the attention map over training


def attention_rows(run, name, after, layer, head):
    ps = positions(run, name, after)
    return [head_of(ps, pos, layer, head)["weights"] for pos in range(len(ps))]


def map_table(labels, rows, uid, label="The attention weights", caption=True):
    """The causal map as a table: a row per position asking, a column per position attended, the cells
    above the diagonal empty, and each row's sum (caption=False: without the caption that says so, for
    maps that share one)."""
    n = len(labels)
    head_row = ('<tr><th scope="col"><span class="mgv-sr">asking ↓ attended →</span></th>'
                + "".join(f'<th scope="col">{escape(pos_label(labels, t))}</th>' for t in range(n))
                + '<th scope="col" class="mgv-attn-sum">sum</th></tr>')
    body = []
    for pos, row in enumerate(rows):
        cells = []
        for t in range(n):
            if t <= pos:
                cells.append(f'<td class="mgv-heat-cell" style="--heat:{svg.num(svg.heat(row[t], 1))}">{dec(row[t])}</td>')
            else:
                cells.append('<td class="mgv-attn-masked"><span class="mgv-sr">later: not seen</span></td>')
        body.append(f'<tr><th scope="row">{escape(pos_label(labels, pos))}</th>{"".join(cells)}'
                    f'<td class="mgv-attn-sum">{dec(sum(row))}</td></tr>')
    note = ("<span>rows: the position asking (its query) · columns: the positions it looks at (their keys)"
            " · each row sums to 1</span>") if caption else None
    return scroll_table(label, head_row, "".join(body), "mgv-attn-map",
                        caption=note).replace('<div class="mgv-scroll"', f'<div class="mgv-scroll" id="{uid}"', 1)


def largest_words(labels, row, pos):
    best = max(range(len(row)), key=lambda t: row[t])
    return f"{who(labels, pos)} looks most at {who(labels, best, itself=pos)} ({dec(row[best])})"


@player(runs=ATTENTION)
def attention_map_player(page, name: str = "emma", layer: int = 0, head: int = 0, run: int = None):
    """The attention weights of a name as a causal map (rows sum to 1), scrubbed over every snapshot of training."""
    run = page.run(run)
    snapshots = sorted(int(k) for k in run.data["snapshots"])
    weights = {k: attention_rows(run, name, k, layer, head) for k in snapshots}
    labels = tokens_of(run, positions(run, name, snapshots[-1]))
    data = {"name": name, "labels": labels, "snapshots": snapshots,
            "weights": [[fixed(row) for row in weights[k]] for k in snapshots],
            "sums": [[fixed(sum(row)) for row in weights[k]] for k in snapshots]}
    suffix = f"-l{layer}h{head}" if run.number != 3 else ""
    url = frames_file(page, f"generated/step{run.number}/attention-map-{name}{suffix}.json", data)
    last = snapshots[-1]
    which = f", layer {layer}, head {head}" if run.number != 3 else ""
    table_html = map_table(labels, weights[last], f"attention-map-{run.number}-{name}-{layer}-{head}",
                           f"The attention weights of {name}{which}")
    words = "; ".join(largest_words(labels, row, pos) for pos, row in enumerate(weights[last]) if pos > 0)
    summary = f'<p class="mgv-attn-summary">After {fmt_int(last)} training steps: {escape(words)}.</p>'
    return render.player_shell("attention-map", url, table_html + summary,
                               f"The attention weights of “{escape(name)}”{which} after {fmt_int(last)} training steps")


# ---------------------------------------------------------------- 3.6 the weighted sum and the residuals


def stream_at(page, name, pos, after, run):
    run = page.run(run)
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    return run, ps, stream(ps[pos])


PARTS = {  # what the page calls each vector: (key in stream(), words)
    "input": "the attention block's input, x_residual",
    "x_attn": "the weighted sum of the values, x_attn",
    "attn_out": "linear(x_attn, attn_wo): what the attention block adds",
    "after_attn": "after the attention block's residual add",
    "mlp_out": "what the MLP block adds",
    "after_mlp": "after the MLP block's residual add",
    "embed": "tok_emb + pos_emb",
}


def part_of(s, part):
    if part not in PARTS:
        raise DirectiveError(f"part={part!r}: one of {', '.join(PARTS)}")
    return s[part]


@value(runs=STEP3)
def stream_value(page, name: str, pos: int, dim: int, after: int, part: str, run: int = None):
    """One number of a vector of gpt() at position pos (part=input, x_attn, attn_out, after_attn, mlp_out, after_mlp), 4 decimals."""
    v = part_of(stream_at(page, name, pos, after, run)[2], part)
    if not 0 <= dim < len(v):
        raise DirectiveError(f"dim={dim}: the vector has numbers 0 to {len(v) - 1}")
    return fmt_float(v[dim])


@value(runs=STEP3)
def attn_value(page, name: str, pos: int, dim: int, after: int, run: int = None):
    """One number of the value vector v that position pos of `name` puts in the cache, to 4 decimals."""
    return cached_number(page.run(run), name, pos, dim, after, "v", "value")


def cached_number(run, name, pos, dim, after, part, noun):
    """Number `dim` of the key (part="k") or value ("v") position pos of `name` adds to the cache."""
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    vector = head_of(ps, pos, 0, 0)[part]
    if not 0 <= dim < len(vector):
        raise DirectiveError(f"dim={dim}: a {noun} has numbers 0 to {len(vector) - 1}")
    return fmt_float(vector[dim])


@value(runs=STEP3)
def stream_length(page, name: str, pos: int, after: int, part: str, run: int = None):
    """The length (square root of the sum of squares) of a vector of gpt() at position pos, to 2 decimals."""
    v = part_of(stream_at(page, name, pos, after, run)[2], part)
    return f"{math.sqrt(sum(x * x for x in v)):.2f}"


@value(runs=STEP3)
def relu_zeros_at(page, name: str, pos: int, after: int, run: int = None):
    """How many of the MLP's hidden values ReLU sets to 0 at position pos."""
    return fmt_int(sum(1 for v in stream_at(page, name, pos, after, run)[2]["relu"] if v == 0))


@value(runs=STEP3)
def mlp_width(page, name: str = "emma", run: int = None):
    """How many hidden values the MLP block has (the length of mlp_fc1's output)."""
    return fmt_int(len(stream_at(page, name, 0, 0, run)[2]["hidden"]))


def next_probs(page, name, pos, after, run):
    run, ps, s = stream_at(page, name, pos, after, run)
    return run, ps, probabilities(run, s["logits"])


@value(runs=STEP3)
def next_top(page, name: str, pos: int, after: int, rank: int = 1, run: int = None):
    """The rank-th likeliest next token after position pos of `name` (softmax of gpt()'s logits)."""
    run, _, probs = next_probs(page, name, pos, after, run)
    order = sorted(range(len(probs)), key=lambda j: (-probs[j], j))
    if not 1 <= rank <= len(order):
        raise DirectiveError(f"rank={rank}: there are {len(order)} tokens")
    return run.tokenizer.label(order[rank - 1])


@value(runs=STEP3)
def next_prob(page, name: str, pos: int, after: int, char: str, run: int = None):
    """The probability gpt() gives token `char` (a..z or BOS) next, after position pos of `name`, 4 decimals."""
    run, _, probs = next_probs(page, name, pos, after, run)
    return fmt_float(probs[run.token_id(char)])


@value(runs=STEP3)
def next_actual(page, name: str, pos: int, run: int = None):
    """The token that really comes after position pos of `name` (the target): a letter or BOS."""
    run = page.run(run)
    ids = run.encode(name)
    if not 0 <= pos < len(ids) - 1:
        raise DirectiveError(f"pos={pos}: {name!r} has targets after positions 0 to {len(ids) - 2}")
    return run.tokenizer.label(ids[pos + 1])


def mix_table(labels, pos, weights, values, x_attn):
    """x_attn = sum over t of weights[t] * v_t: a row per number j, a column per value vector and the sum."""
    bound = max(abs(v) for row in values for v in row)
    cols = "".join(f'<th scope="col">v<sub>{t}</sub> {escape(labels[t])}<br><span class="mgv-weight">× {dec(w)}</span></th>'
                   for t, w in enumerate(weights[:pos + 1]))
    head_row = f'<tr><th scope="col">j</th>{cols}<th scope="col">x_attn</th></tr>'
    body = "".join(
        f'<tr><th scope="row">{j}</th>' + "".join(heat_td(values[t][j], bound, dec(values[t][j])) for t in range(pos + 1))
        + heat_td(x_attn[j], bound, dec(x_attn[j]), "mgv-heat-cell mgv-total") + "</tr>"
        for j in range(len(x_attn)))
    return scroll_table(f"x_attn: the weighted sum of the values at position {pos}", head_row, body,
                        "mgv-vec-table mgv-mix mgv-signed")


@table(runs=STEP3)
def attn_mix(page, name: str, pos: int, after: int, run: int = None):
    """x_attn at position pos: each value vector v_t (a column, its weight on top) and their weighted sum."""
    run, ps, s = stream_at(page, name, pos, after, run)
    weights = head_of(ps, pos, 0, 0)["weights"]
    values = [head_of(ps, t, 0, 0)["v"] for t in range(pos + 1)]
    return mix_table(tokens_of(run, ps), pos, weights, values, s["x_attn"])


STREAM_COLS = [("input", "x_residual: the input"), ("attn_out", "+ attention (after attn_wo)"),
               ("after_attn", "= x"), ("mlp_out", "+ MLP"), ("after_mlp", "= x")]


def stream_table(s):
    vectors = [s[key] for key, _ in STREAM_COLS]
    bound = max(abs(v) for vec in vectors for v in vec)
    head_row = ('<tr><th scope="col">j</th>'
                + "".join(f'<th scope="col">{escape(words)}</th>' for _, words in STREAM_COLS) + "</tr>")
    body = "".join(f'<tr><th scope="row">{j}</th>'
                   + "".join(heat_td(vec[j], bound, dec(vec[j]), "mgv-heat-cell" + (" mgv-total" if key.startswith("after") else ""))
                             for (key, _), vec in zip(STREAM_COLS, vectors)) + "</tr>"
                   for j in range(len(vectors[0])))
    lengths = "".join(f"<td>{math.sqrt(sum(x * x for x in vec)):.2f}</td>" for vec in vectors)
    foot = f'<tfoot><tr><th scope="row">length</th>{lengths}</tr></tfoot>'
    return scroll_table("The residual stream at one position", head_row, body, "mgv-vec-table mgv-stream mgv-signed",
                        foot=foot)


def top_words(run, probs, count=3):
    order = sorted(range(len(probs)), key=lambda j: (-round(probs[j], 4), j))[:count]
    return ", ".join(f"{run.tokenizer.label(j)} {fmt_float(probs[j])}" for j in order)


@player(runs=STEP3)
def residual_stream_player(page, name: str = "emma", pos: int = 3, after: int = 1000, run: int = None):
    """Pick a position of a name: its weighted sum of values, and the residual stream through both blocks."""
    run = page.run(run)
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    labels = tokens_of(run, ps)
    ids = run.encode(name)
    frames = []
    for p in range(len(ps)):
        s = stream(ps[p])
        probs = probabilities(run, s["logits"])
        order = sorted(range(len(probs)), key=lambda j: (-round(probs[j], 4), j))[:3]
        frames.append({
            "weights": fixed(head_of(ps, p, 0, 0)["weights"]),
            "x_attn": fixed(s["x_attn"]),
            "stream": {key: fixed(s[key]) for key, _ in STREAM_COLS},
            "lengths": [fixed(math.sqrt(sum(x * x for x in s[key])), 2) for key, _ in STREAM_COLS],
            "top": [[run.tokenizer.label(j), fixed(probs[j])] for j in order],
            "next": run.tokenizer.label(ids[p + 1]),
        })
    values = [fixed(head_of(ps, t, 0, 0)["v"]) for t in range(len(ps))]
    data = {"name": name, "after": after, "labels": labels, "pos": pos, "values": values, "positions": frames,
            "bounds": {"mix": max(abs(v) for row in values for v in row),
                       "stream": max(abs(v) for f in frames for key in f["stream"] for v in f["stream"][key])}}
    url = frames_file(page, f"generated/step{run.number}/residual-stream-{name}-{after}.json", data)
    s = stream(ps[pos])
    probs = probabilities(run, s["logits"])
    head = (f'<p class="mgv-part">Position {pos}, {escape(who(labels, pos))}: the weighted sum of the values</p>'
            + mix_table(labels, pos, head_of(ps, pos, 0, 0)["weights"], [head_of(ps, t, 0, 0)["v"] for t in range(pos + 1)],
                        s["x_attn"])
            + '<p class="mgv-part">The residual stream: each block adds to x</p>' + stream_table(s)
            + f'<p class="mgv-stream-next">Next token, after lm_head and softmax: {escape(top_words(run, probs))}'
              f" (the name goes on with {escape(run.tokenizer.label(ids[pos + 1]))}).</p>")
    return render.player_shell("residual-stream", url, head,
                               f"What gpt() computes at position {pos} of “{escape(name)}” after {fmt_int(after)}"
                               " training steps")


# ---------------------------------------------------------------- 3.7 the KV cache


@value(runs=STEP3)
def kv_key(page, name: str, pos: int, dim: int, after: int, run: int = None):
    """One number of the key gpt() appends to the cache at position pos of `name`, to 4 decimals."""
    return cached_number(page.run(run), name, pos, dim, after, "k", "key")


@value(runs=STEP3)
def kv_calls(page, name: str, run: int = None):
    """How many times forward() calls gpt() on `name` (one per position): the entries its cache ends with."""
    return fmt_int(len(positions(page.run(run), name, 0)))


@value(runs=STEP3)
def kv_without_cache(page, calls: int = None, run: int = None):
    """How many keys (and values) `calls` calls of gpt() (default: block_size) would compute if each
    recomputed those of every earlier position: 1 + 2 + ... + calls."""
    run = page.run(run)
    if calls is None:
        calls = replay.module_of(run.number).block_size
    if calls < 1:
        raise DirectiveError("calls=...: one or more")
    return fmt_int(calls * (calls + 1) // 2)


KV_DIGITS = 2  # the numbers of the cache's keys and values, as the player shows them


@value(runs=STEP3)
def kv_digits(page, run: int = None):
    """How many decimals the KV cache player shows the numbers of queries, keys and values with."""
    page.run(run)
    return str(KV_DIGITS)


def kv_frame(ps, pos):
    me = head_of(ps, pos, 0, 0)
    return {"q": fixed(me["q"], KV_DIGITS), "scores": fixed(me["scores"]), "weights": fixed(me["weights"]),
            "x_attn": fixed(ps[pos]["layers"][0]["x_attn"], KV_DIGITS)}


def kv_table(kind, labels, vectors, pos, bound, query=None, scores=None, weights=None, extra=None):
    """The cache's keys (or values) once position `pos` has been computed: a row per position of the name,
    the ones not computed yet empty, the newest marked. Each key's score and weight come first, where a
    table scrolling sideways keeps them in view."""
    n, dims = len(labels), len(vectors[0])
    letter = "k" if kind == "keys" else "v"
    more = '<th scope="col">score</th><th scope="col">weight</th>' if kind == "keys" else '<th scope="col">weight</th>'
    blank = "<td></td>" * (2 if kind == "keys" else 1)
    head_row = ('<tr><th scope="col">cached</th>' + more
                + "".join(f'<th scope="col">{j}</th>' for j in range(dims)) + "</tr>")
    rows = []
    if query is not None:
        rows.append(f'<tr class="mgv-kv-query"><th scope="row">q ({escape(pos_label(labels, pos))})</th>{blank}'
                    + "".join(heat_td(v, bound, dec(v, KV_DIGITS)) for v in query) + "</tr>")
    for t in range(n):
        cached = t <= pos
        cls = "mgv-kv-row" + (" mgv-kv-new" if t == pos else "") + ("" if cached else " mgv-kv-empty")
        new = '<span class="mgv-kv-badge">new</span>' if t == pos else ""
        label = f'<th scope="row">{letter}<sub>{t}</sub> {escape(labels[t])}{new}</th>'
        if cached:
            numbers = (f'<td class="mgv-kv-num">{dec(scores[t])}</td>' if kind == "keys" else "") + \
                f'<td class="mgv-kv-num">{dec(weights[t])}</td>'
            cells = "".join(heat_td(v, bound, dec(v, KV_DIGITS)) for v in vectors[t])
        else:
            numbers = blank
            cells = f'<td colspan="{dims}" class="mgv-kv-later">not computed yet</td>'
        rows.append(f'<tr class="{cls}">{label}{numbers}{cells}</tr>')
    if extra is not None:
        rows.append(f'<tr class="mgv-kv-sum"><th scope="row">x_attn</th>{blank}'
                    + "".join(heat_td(v, bound, dec(v, KV_DIGITS)) for v in extra) + "</tr>")
    label = "The cached keys, and the query" if kind == "keys" else "The cached values, and their weighted sum"
    return scroll_table(label, head_row, "".join(rows), f"mgv-vec-table mgv-kv mgv-kv--{kind} mgv-signed")


@player(runs=STEP3)
def kv_cache_player(page, name: str = "emma", after: int = 1000, run: int = None):
    """The KV cache filling over a name, position by position: the new key and value, the query against every cached key."""
    run = page.run(run)
    ps = positions(run, name, after)
    labels = tokens_of(run, ps)
    keys = [fixed(head_of(ps, t, 0, 0)["k"], KV_DIGITS) for t in range(len(ps))]
    values = [fixed(head_of(ps, t, 0, 0)["v"], KV_DIGITS) for t in range(len(ps))]
    frames = [kv_frame(ps, pos) for pos in range(len(ps))]
    bound_k = max(abs(v) for row in keys + [f["q"] for f in frames] for v in row)
    bound_v = max(abs(v) for row in values + [f["x_attn"] for f in frames] for v in row)
    data = {"name": name, "after": after, "labels": labels, "keys": keys, "values": values, "positions": frames,
            "bounds": {"keys": bound_k, "values": bound_v}, "digits": KV_DIGITS}
    url = frames_file(page, f"generated/step{run.number}/kv-cache-{name}-{after}.json", data)
    last = len(ps) - 1
    f = frames[last]
    body = (f'<p class="mgv-part">Position {last}, {escape(who(labels, last))}: the cache holds {len(ps)} keys and'
            f" {len(ps)} values</p>"
            + render.token_row(run.tokenizer, [p["token"] for p in ps], arrows=False)
            + kv_table("keys", labels, keys, last, bound_k, query=f["q"], scores=f["scores"], weights=f["weights"])
            + kv_table("values", labels, values, last, bound_v, weights=f["weights"], extra=f["x_attn"]))
    return render.player_shell("kv-cache", url, body,
                               f"The KV cache of “{escape(name)}”, position by position, with the model after"
                               f" {fmt_int(after)} training steps")
