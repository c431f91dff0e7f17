"""Step 4's heads at work (page 4.3): each head's slice, its weights and its output, x_attn
built up head by head; one attention map per head, and how far the heads differ.

Every number is what the step's own gpt() computed on a name, read by tracing it while its
forward() runs (microgpt.replay.internals, through Run.probe, as Step 3's pages read it): q, the
cached keys and values, attn_logits and attn_weights of every head, x_attn. head_of() (from
step3_weights) cuts one head's slices out of them; a head's head_out is its part of x_attn, which
the code builds by joining the heads' outputs in order (checked below: it is the head's weighted
sum of its value slices, or the page would lie). Nothing here computes what gpt() computes.
"""

import math
from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import fixed, fmt_float, fmt_int, frames_file, player, table, value
from hooks.pagedata.step3_weights import (check_pos, dec, heat_td, head_of, map_table, pos_label, positions,
                                          scroll_table, tokens_of, who)

HEADS = (4, 5)   # the runs whose model has several heads (step 5 trains the same model with Adam)
VEC_DIGITS = 2   # the numbers of q, k, v, head_out and x_attn, as the heads player shows them


# ---------------------------------------------------------------- reading the run


def layer_heads(ps, layer=0):
    """How many heads layer `layer` has: one list of weights per head."""
    layers = ps[0]["layers"]
    if not 0 <= layer < len(layers):
        raise DirectiveError(f"layer={layer}: this model has layers 0 to {len(layers) - 1}")
    return len(layers[layer]["attn_weights"])


def head_out_of(ps, pos, layer, head):
    """Head `head`'s output at position pos: its part of x_attn (the heads' outputs joined in order),
    checked to be the weighted sum of its value slices."""
    h = head_of(ps, pos, layer, head)
    size = len(h["q"])
    out = ps[pos]["layers"][layer]["x_attn"][head * size:(head + 1) * size]
    values = [head_of(ps, t, layer, head)["v"] for t in range(pos + 1)]
    mix = [sum(w * v[j] for w, v in zip(h["weights"], values)) for j in range(size)]
    if len(out) != size or any(abs(a - b) > 1e-12 for a, b in zip(out, mix)):
        raise DirectiveError(f"x_attn[{head * size}:{(head + 1) * size}] is not head {head}'s weighted sum of its"
                             " value slices any more: the page says the heads' outputs are joined in order")
    return out


def cross_head_gaps(ps, layer=0):
    """Every cell of the map where two heads differ, as (|difference|, pos, t, head a, head b, w_a, w_b),
    largest first; ties (to 12 decimals: with two positions, both cells of a row differ by as much) go
    to the earliest cell."""
    n_head = layer_heads(ps, layer)
    gaps = []
    for pos in range(len(ps)):
        rows = [head_of(ps, pos, layer, h)["weights"] for h in range(n_head)]
        for a in range(n_head):
            for b in range(a + 1, n_head):
                for t in range(pos + 1):
                    gaps.append((abs(rows[a][t] - rows[b][t]), pos, t, a, b, rows[a][t], rows[b][t]))
    return sorted(gaps, key=lambda g: (-round(g[0], 12), g[1:5]))


def mean_cross_head_gap(ps, layer=0):
    """The mean |difference| between two heads' weights at the same cell, over every pair of heads and
    every cell of the rows after the first (at position 0 every head gives its one key all its weight)."""
    gaps = [g[0] for g in cross_head_gaps(ps, layer) if g[1] > 0]
    if not gaps:
        raise DirectiveError("the name is too short: only its first position, where every head has one key")
    return sum(gaps) / len(gaps)


def even_gap(ps, layer, head):
    """How far head `head` is from an even split: its largest |weight - 1 / (pos + 1)| over the map."""
    return max(abs(w - 1 / (pos + 1)) for pos in range(len(ps)) for w in head_of(ps, pos, layer, head)["weights"])


def check_head(ps, layer, head):
    n_head = layer_heads(ps, layer)
    if not 0 <= head < n_head:
        raise DirectiveError(f"head={head}: this model has heads 0 to {n_head - 1}")


# ---------------------------------------------------------------- values


@value(runs=HEADS)
def head_count(page, layer: int = 0, run: int = None):
    """How many attention heads a layer has (n_head): the lists of weights gpt() computes per position."""
    return fmt_int(layer_heads(positions(page.run(run), "emma", 0), layer))


@value(runs=HEADS)
def head_start(page, head: int, run: int = None):
    """Where head `head`'s slice starts in q, k and v (hs = head × head_dim)."""
    ps = positions(page.run(run), "emma", 0)
    check_head(ps, 0, head)
    return fmt_int(head * len(head_of(ps, 0, 0, head)["q"]))


@value(runs=HEADS)
def head_last(page, head: int, run: int = None):
    """The last number of head `head`'s slice (hs + head_dim - 1)."""
    ps = positions(page.run(run), "emma", 0)
    check_head(ps, 0, head)
    return fmt_int((head + 1) * len(head_of(ps, 0, 0, head)["q"]) - 1)


@value(runs=HEADS)
def head_slice(page, head: int, of: str = "q", run: int = None):
    """Head `head`'s slice as Python writes it: q[8:12] (of=q, k or v)."""
    if of not in ("q", "k", "v"):
        raise DirectiveError(f"of={of!r}: of is q, k or v")
    ps = positions(page.run(run), "emma", 0)
    check_head(ps, 0, head)
    size = len(head_of(ps, 0, 0, head)["q"])
    return slice_name(of, head * size, size)


@value(runs=HEADS)
def x_attn_size(page, run: int = None):
    """How many numbers x_attn has once every head has added its head_out (n_embd)."""
    return fmt_int(len(positions(page.run(run), "emma", 0)[0]["layers"][0]["x_attn"]))


@value(runs=HEADS)
def heads_digits(page, run: int = None):
    """How many decimals the heads player shows the numbers of q, k, v, head_out and x_attn with."""
    page.run(run)
    return str(VEC_DIGITS)


@value(runs=HEADS)
def heads_gap(page, name: str, after: int, layer: int = 0, run: int = None):
    """The largest difference between two heads' weights at the same cell of the map of `name`, to 4 decimals."""
    return fmt_float(cross_head_gaps(positions(page.run(run), name, after), layer)[0][0])


@value(runs=HEADS)
def heads_gap_cell(page, name: str, after: int, layer: int = 0, run: int = None):
    """Where heads_gap is, in words: the position asking, the one it looks at, the two heads and their weights."""
    run = page.run(run)
    ps = positions(run, name, after)
    _, pos, t, a, b, wa, wb = cross_head_gaps(ps, layer)[0]
    labels = tokens_of(run, ps)
    return (f"{who(labels, pos)}’s weight on {who(labels, t, itself=pos)}, {fmt_float(wa)} in head {a}"
            f" and {fmt_float(wb)} in head {b}")


@value(runs=HEADS)
def heads_mean_gap(page, name: str, after: int, layer: int = 0, run: int = None):
    """The mean difference between two heads' weights at the same cell of the map of `name` (rows after BOS's), 4 decimals."""
    return fmt_float(mean_cross_head_gap(positions(page.run(run), name, after), layer))


def even_ranked(ps, layer, rank):
    """(head, its even_gap): the head that is rank-th furthest from an even split (rank 1: the furthest)."""
    n_head = layer_heads(ps, layer)
    if not 1 <= rank <= n_head:
        raise DirectiveError(f"rank={rank}: there are {n_head} heads, ranks 1 to {n_head}")
    gaps = [(even_gap(ps, layer, h), h) for h in range(n_head)]
    gap, head = sorted(gaps, key=lambda g: (-g[0], g[1]))[rank - 1]
    return head, gap


@value(runs=HEADS)
def heads_even_head(page, name: str, after: int, rank: int = 1, layer: int = 0, run: int = None):
    """The head rank-th furthest from an even split on `name` (rank=1: the furthest), as "head 0"."""
    return f"head {even_ranked(positions(page.run(run), name, after), layer, rank)[0]}"


@value(runs=HEADS)
def heads_even_size(page, name: str, after: int, rank: int = 1, layer: int = 0, run: int = None):
    """How far the head rank-th furthest from an even split strays from it: its largest |weight - 1/(pos+1)|, 4 decimals."""
    return fmt_float(even_ranked(positions(page.run(run), name, after), layer, rank)[1])


@value(runs=HEADS)
def heads_nearer_even(page, name: str, before: int, after: int, layer: int = 0, run: int = None):
    """How many heads are nearer an even split on `name` after `after` steps than after `before` (their largest gap)."""
    run = page.run(run)
    early, late = positions(run, name, before), positions(run, name, after)
    return fmt_int(sum(1 for h in range(layer_heads(late, layer)) if even_gap(late, layer, h) < even_gap(early, layer, h)))


# ---------------------------------------------------------------- tables: where each head looks, one map per head


@table(runs=HEADS)
def heads_top(page, name: str, after: int, layer: int = 0, run: int = None):
    """Per head and position asking: where the head puts its largest weight; how far it is from an even split.

    A row per head, a column per position asking; the last column is the head's largest
    |weight - 1 / (pos + 1)| over the map."""
    run = page.run(run)
    ps = positions(run, name, after)
    labels = tokens_of(run, ps)
    n_head = layer_heads(ps, layer)
    head_row = ('<tr><th scope="col">head</th>'
                + "".join(f'<th scope="col">{escape(pos_label(labels, pos))} looks at</th>' for pos in range(1, len(ps)))
                + '<th scope="col">furthest from an even split</th></tr>')
    body = []
    for h in range(n_head):
        cells = []
        for pos in range(1, len(ps)):
            weights = head_of(ps, pos, layer, h)["weights"]
            best = max(range(len(weights)), key=lambda t: weights[t])
            cells.append(f'<td><span class="mgv-heads-who">{escape(who(labels, best, itself=pos))}</span>'
                         f" {dec(weights[best])}</td>")
        body.append(f'<tr><th scope="row">head {h}</th>{"".join(cells)}<td>{dec(even_gap(ps, layer, h))}</td></tr>')
    caption = (f"<span>Each cell: the position that gets the head’s largest weight, and that weight, after"
               f" {fmt_int(after)} training steps. BOS, at position 0, sees only itself. The last column: the"
               " head’s largest distance from an even split, over its whole map.</span>")
    return scroll_table(f"Where each head looks most in {name}", head_row, "".join(body),
                        "mgv-vec-table mgv-heads-top", caption=caption)


@table(runs=HEADS)
def head_maps(page, name: str, after: int, layer: int = 0, run: int = None):
    """One attention map per head of a layer, side by side (rows sum to 1): do the heads look at different positions?"""
    run = page.run(run)
    ps = positions(run, name, after)
    labels = tokens_of(run, ps)
    maps, sums = [], set()
    for h in range(layer_heads(ps, layer)):
        rows = [head_of(ps, pos, layer, h)["weights"] for pos in range(len(ps))]
        sums |= {dec(sum(row)) for row in rows}
        uid = f"head-map-{run.number}-{name}-{after}-{layer}-{h}"
        maps.append(f'<div class="mgv-head-map"><p class="mgv-part" id="{uid}-title">Head {h}</p>'
                    + map_table(labels, rows, uid, f"Head {h}: the attention weights of {name}", caption=False)
                    + "</div>")
    if len(sums) != 1:
        raise DirectiveError(f"the rows of the maps of {name} do not all sum to the same number: {sorted(sums)}")
    total = f"{float(sums.pop()):g}"   # as the sum column shows it, without the trailing zeros: 1
    caption = (f"The attention weights of “{escape(name)}” in each head, after {fmt_int(after)} training steps."
               " Rows: the position asking (its query); columns: the positions it looks at (their keys);"
               f" each row sums to {total}.")
    return (f'<figure class="mgv-figure mgv-head-maps"><div class="mgv-head-grid">{"".join(maps)}</div>'
            f"<figcaption>{caption}</figcaption></figure>")


# ---------------------------------------------------------------- the player: the heads, one after another


def slice_name(letter, start, size):
    return f"{letter}[{start}:{start + size}]"


def vector_table(labels, pos, head, size, q, x_attn, bound_q, bound_v):
    """q and x_attn, all their numbers, the columns grouped by head: head `head`'s slice of q marked,
    x_attn filled up to and including that head's head_out (marked), the rest not yet there."""
    n_head = len(q) // size
    on = range(head * size, (head + 1) * size)
    groups = "".join(f'<th scope="colgroup" colspan="{size}" class="mgv-heads-group{" mgv-heads-on" if h == head else ""}">'
                     f"head {h}</th>" for h in range(n_head))
    marked = ' class="mgv-heads-on"'
    numbers = "".join(f'<th scope="col"{marked if j in on else ""}>{j}</th>' for j in range(len(q)))
    head_rows = (f'<tr><th scope="col" rowspan="2">j</th>{groups}</tr><tr>{numbers}</tr>')
    q_cells = "".join(heat_td(v, bound_q, dec(v, VEC_DIGITS), "mgv-heat-cell" + (" mgv-heads-on" if j in on else ""))
                      for j, v in enumerate(q))
    filled = (head + 1) * size
    x_cells = "".join(heat_td(v, bound_v, dec(v, VEC_DIGITS), "mgv-heat-cell" + (" mgv-heads-on" if j in on else ""))
                      if j < filled else '<td class="mgv-heads-later"><span class="mgv-sr">not yet</span></td>'
                      for j, v in enumerate(x_attn))
    body = (f'<tr class="mgv-heads-q"><th scope="row">q ({escape(pos_label(labels, pos))})</th>{q_cells}</tr>'
            f'<tr class="mgv-heads-x"><th scope="row">x_attn</th>{x_cells}</tr>')
    return scroll_table(f"q and x_attn at position {pos}, by head", head_rows, body,
                        "mgv-vec-table mgv-heads-vectors mgv-signed")


def head_table(labels, pos, head, size, q, keys, values, scores, weights, total, out, bound_q, bound_v):
    """One head at position pos: its slice of q over its slices of the cached keys (one row per position,
    the later ones not computed yet), each key's score and weight, its slices of the values, and their
    weighted sum head_out (with the weights' sum)."""
    start = head * size
    cols = range(start, start + size)
    head_rows = (f'<tr><th scope="col" rowspan="2">cached</th>'
                 f'<th scope="colgroup" colspan="{size}">k_h: {slice_name("k", start, size)}</th>'
                 '<th scope="col" rowspan="2">score</th><th scope="col" rowspan="2">weight</th>'
                 f'<th scope="colgroup" colspan="{size}">v_h: {slice_name("v", start, size)}</th></tr>'
                 "<tr>" + "".join(f'<th scope="col">{j}</th>' for j in cols) * 2 + "</tr>")
    q_row = (f'<tr class="mgv-heads-qh"><th scope="row">q_h ({escape(pos_label(labels, pos))})</th>'
             + "".join(heat_td(v, bound_q, dec(v, VEC_DIGITS)) for v in q[start:start + size])
             + f'<td></td><td></td><td colspan="{size}"></td></tr>')
    rows = [q_row]
    for t in range(len(labels)):
        label = f'<th scope="row">{escape(pos_label(labels, t))}</th>'
        if t <= pos:
            rows.append(f'<tr class="mgv-heads-row">{label}'
                        + "".join(heat_td(v, bound_q, dec(v, VEC_DIGITS)) for v in keys[t][start:start + size])
                        + f'<td class="mgv-heads-num">{dec(scores[t])}</td>'
                        + heat_td(weights[t], 1, dec(weights[t]), "mgv-heat-cell mgv-heads-weight")
                        + "".join(heat_td(v, bound_v, dec(v, VEC_DIGITS)) for v in values[t][start:start + size])
                        + "</tr>")
        else:
            rows.append(f'<tr class="mgv-heads-row mgv-heads-empty">{label}'
                        f'<td colspan="{2 * size + 2}" class="mgv-heads-later">not computed yet</td></tr>')
    foot = (f'<tfoot><tr><th scope="row">head_out</th><td colspan="{size}"></td><td></td>'
            f'<td class="mgv-heads-num"><span class="mgv-sr">sum of the weights: </span>Σ {dec(total)}</td>'
            + "".join(heat_td(v, bound_v, dec(v, VEC_DIGITS), "mgv-heat-cell mgv-total") for v in out)
            + "</tr></tfoot>")
    return scroll_table(f"Head {head} at position {pos}: its slices, scores and weights", head_rows, "".join(rows),
                        "mgv-vec-table mgv-heads-one mgv-signed", foot=foot)


def part_text(labels, pos, head, n_head, size):
    start = head * size
    return (f"Position {pos}, {who(labels, pos)} · head {head} of {n_head} (hs = {start}):"
            f" q_h = {slice_name('q', start, size)}")


@player(runs=HEADS)
def heads_player(page, name: str = "emma", pos: int = 3, after: int = 1000, run: int = None):
    """Pick a position of a name, then step through the heads: slices, scores, weights, head_out, x_attn.

    Each head's slice of q, of the cached keys and values; its scores and weights; its head_out joining x_attn."""
    run = page.run(run)
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    labels = tokens_of(run, ps)
    n_head = layer_heads(ps)
    size = len(head_of(ps, 0, 0, 0)["q"])
    keys = [fixed(p["layers"][0]["k"], VEC_DIGITS) for p in ps]
    values = [fixed(p["layers"][0]["v"], VEC_DIGITS) for p in ps]
    frames = []
    for p in range(len(ps)):
        heads = [head_of(ps, p, 0, h) for h in range(n_head)]
        outs = [head_out_of(ps, p, 0, h) for h in range(n_head)]
        frames.append({
            "q": fixed(ps[p]["layers"][0]["q"], VEC_DIGITS),
            "x_attn": fixed([x for out in outs for x in out], VEC_DIGITS),
            "scores": [fixed(h["scores"]) for h in heads],
            "weights": [fixed(h["weights"]) for h in heads],
            "sums": [fixed(sum(h["weights"])) for h in heads],
        })
    bound_q = max(abs(v) for row in keys + [f["q"] for f in frames] for v in row)
    bound_v = max(abs(v) for row in values + [f["x_attn"] for f in frames] for v in row)
    data = {"name": name, "after": after, "labels": labels, "pos": pos, "heads": n_head, "size": size,
            "digits": VEC_DIGITS, "keys": keys, "values": values, "positions": frames,
            "bounds": {"q": bound_q, "v": bound_v}}
    url = frames_file(page, f"generated/step{run.number}/heads-{name}-{after}.json", data)
    last = n_head - 1
    f = frames[pos]
    out = f["x_attn"][last * size:]
    body = (f'<p class="mgv-part mgv-heads-title">{escape(part_text(labels, pos, last, n_head, size))}</p>'
            + render.token_row(run.tokenizer, [p["token"] for p in ps], arrows=False)
            + vector_table(labels, pos, last, size, f["q"], f["x_attn"], bound_q, bound_v)
            + head_table(labels, pos, last, size, f["q"], keys, values, f["scores"][last], f["weights"][last],
                         f["sums"][last], out,
                         bound_q, bound_v))
    return render.player_shell("heads", url, body,
                               f"The heads of layer 0 at position {pos} of “{escape(name)}”, with the model after"
                               f" {fmt_int(after)} training steps")
