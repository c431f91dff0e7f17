"""Names of Step 3's first pages (3.2 to 3.4): position embeddings, RMSNorm, q, k and v.

Every vector is what the step's own gpt() computed: read by tracing it while its forward()
runs on a kept snapshot (microgpt.replay.internals, through Run.probe), never recomputed
here. What is computed here is only what a page says about those vectors: a root mean
square, a difference, a largest entry.

Names that hold for the transformers of Steps 4 and 5 too serve runs 3, 4 and 5.
"""

import ast
import inspect
import math
import textwrap
from html import escape
from pathlib import Path

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import fixed, fmt_float, fmt_int, frames_file, player, table, value
from microgpt import replay

STEPS = (3, 4, 5)   # the transformers: the same embeddings, RMSNorm and q, k, v
ROOT = Path(__file__).resolve().parent.parent.parent
CELL_DECIMALS = 2   # what a cell of the players' tables shows
MINUS = "\u2212"

# The values x is bound to at the start of gpt(), in order, and how each binding's line reads:
# the probe checks the code still does this (the page says it).
X_STAGES = {
    "sum": (0, lambda line: "tok_emb" in line and "pos_emb" in line and "+" in line),
    "norm": (1, lambda line: line == "x = rmsnorm(x)"),
    "norm2": (2, lambda line: line == "x = rmsnorm(x)"),
}


# ---------------------------------------------------------------- reading the run


def matrix_of(run, matrix, after):
    snapshot = run.snapshot(after)
    if matrix not in snapshot:
        raise DirectiveError(f"matrix={matrix!r}: the step {run.number} model has {', '.join(snapshot)}")
    return snapshot[matrix]


def positions(run, name, after):
    """gpt()'s inner values at each position of a name (replay.internals, memoised on disk)."""
    run.encode(name)
    return run.probe("internals", after, name)


def position(run, name, pos, after):
    found = positions(run, name, after)
    if not 0 <= pos < len(found):
        raise DirectiveError(f"pos={pos}: {name!r} has positions 0 to {len(found) - 1}")
    return found[pos]


def x_at(p, stage):
    """The value x held at one stage of the start of gpt() (X_STAGES)."""
    if stage not in X_STAGES:
        raise DirectiveError(f"stage={stage!r}: one of {', '.join(X_STAGES)}")
    index, reads = X_STAGES[stage]
    bindings = p["x"]
    if index >= len(bindings) or not reads(bindings[index]["line"]):
        lines = "; ".join(b["line"] for b in bindings[:3])
        raise DirectiveError(f"gpt() no longer binds x as the page says (x = tok_emb + pos_emb, then rmsnorm"
                             f" twice): its first bindings of x: {lines}")
    return bindings[index]["value"]


def qkv_of(p, what):
    if what not in ("q", "k", "v"):
        raise DirectiveError(f"what={what!r}: q, k or v")
    return p["layers"][0][what]


def rms(v):
    return math.sqrt(sum(a * a for a in v) / len(v))


def label(run, token_id):
    return run.tokenizer.label(token_id)


def signed(x, digits=4):
    """x to `digits` decimals with a real minus sign, never −0.00 (what the players' cells show)."""
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


# ---------------------------------------------------------------- the code, a few lines of it


@table(runs=STEPS)
def code_lines(page, start: str, end: str, function: str = "gpt", run: int = None):
    """The lines of the step's `function` from the one starting with `start` to the one starting with `end`, as code.

    Code is never pasted: this writes a pymdownx.snippets include of those lines (path:first:last),
    found in the source at every build, for a part of a function no section marks. A method is
    named with its class: function=Adam.step."""
    run = page.run(run)
    module = replay.module_of(run.number)
    target = module
    for part in function.split("."):
        target = getattr(target, part, None)
    if not inspect.isfunction(target) or target.__module__ != module.__name__:
        raise DirectiveError(f"function={function!r}: {module.__name__} defines no such function")
    lines, first = inspect.getsourcelines(target)
    stripped = [line.strip() for line in lines]
    starts = [i for i, line in enumerate(stripped) if line.startswith(start)]
    if not starts:
        raise DirectiveError(f"start={start!r}: no line of {function}() starts so")
    ends = [i for i, line in enumerate(stripped) if i >= starts[0] and line.startswith(end)]
    if not ends:
        raise DirectiveError(f"end={end!r}: no line of {function}() from {start!r} on starts so")
    last = ends[0]
    # a statement over several lines is shown whole
    tree = ast.parse(textwrap.dedent("".join(lines)))
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno - 1 == last and not hasattr(node, "body"):
            last = node.end_lineno - 1
    path = Path(inspect.getsourcefile(target)).resolve().relative_to(ROOT).as_posix()
    return f'``` python\n--8<-- "{path}:{first + starts[0]}:{first + last}"\n```'


# ---------------------------------------------------------------- values: the model's shapes


@value(runs=STEPS)
def matrix_shape(page, matrix: str, run: int = None):
    """The shape of one parameter matrix of the model, rows×columns: wpe is 16×16."""
    m = matrix_of(page.run(run), matrix, 0)
    return f"{len(m)}×{len(m[0])}"


@value(runs=STEPS)
def matrix_rows(page, matrix: str, run: int = None):
    """How many rows one parameter matrix has (wpe: block_size)."""
    return fmt_int(len(matrix_of(page.run(run), matrix, 0)))


@value(runs=STEPS)
def matrix_cols(page, matrix: str, run: int = None):
    """How many columns one parameter matrix has (n_embd for wte, wpe, attn_wq ...)."""
    return fmt_int(len(matrix_of(page.run(run), matrix, 0)[0]))


@value(runs=STEPS)
def last_position(page, run: int = None):
    """The last position the model has: block_size - 1 (positions count from 0)."""
    return fmt_int(replay.module_of(page.run(run).number).block_size - 1)


@value(runs=STEPS)
def matrix_count(page, run: int = None):
    """How many parameter matrices the model has (the entries of its state_dict)."""
    return fmt_int(len(page.run(run).snapshot(0)))


@value(runs=STEPS)
def position_of(page, name: str, char: str, nth: int = 1, run: int = None):
    """The position (pos_id) of the nth `char` of a name, BOS at 0: emma's first m is at 2."""
    run = page.run(run)
    ids = run.encode(name)
    found = [i for i, t in enumerate(ids[:-1]) if t == run.token_id(char)]
    if not 1 <= nth <= len(found):
        raise DirectiveError(f"nth={nth}: {name!r} has {len(found)} {char!r} as inputs")
    return fmt_int(found[nth - 1])


@table(runs=STEPS)
def position_table(page, name: str, run: int = None):
    """The inputs of a name, one column each: its position (pos_id) over its token, BOS at 0 (the last BOS left out)."""
    run = page.run(run)
    ids = run.encode(name)[:-1]  # the final BOS is only a target: gpt() never reads it
    head = "".join(f'<th scope="col">{i}</th>' for i in range(len(ids)))
    chips = "".join(f"<td>{render.chip(run.tokenizer, t)}</td>" for t in ids)
    return (f'<div class="mgv-scroll mgv-positions" data-label="The inputs of {escape(name)}">'
            f'<table><thead><tr><th scope="row">position</th>'
            f'{head}</tr></thead><tbody><tr><th scope="row">token</th>{chips}</tr></tbody></table></div>')


# ---------------------------------------------------------------- values: wpe, as trained


def unchanged(run, matrix, after):
    before, now = matrix_of(run, matrix, 0), matrix_of(run, matrix, after)
    return [i for i, (a, b) in enumerate(zip(before, now)) if a == b]


@value(runs=STEPS)
def unchanged_rows(page, matrix: str, after: int, run: int = None):
    """How many rows of a matrix are exactly as initialised after `after` steps (no gradient ever reached them)."""
    return fmt_int(len(unchanged(page.run(run), matrix, after)))


@value(runs=STEPS)
def first_unchanged_row(page, matrix: str, after: int, run: int = None):
    """The first row of a matrix that is exactly as initialised after `after` steps."""
    run = page.run(run)
    rows = unchanged(run, matrix, after)
    if not rows:
        raise DirectiveError(f"every row of {matrix} changed in {after} steps")
    if rows != list(range(rows[0], len(matrix_of(run, matrix, after)))):
        raise DirectiveError(f"the rows of {matrix} unchanged after {after} steps are not the last ones: {rows}")
    return fmt_int(rows[0])


@value(runs=STEPS)
def row_rms_mean(page, matrix: str, after: int, run: int = None):
    """The root mean square of a matrix's rows, averaged over its rows, after `after` steps (4 decimals)."""
    m = matrix_of(page.run(run), matrix, after)
    return fmt_float(sum(rms(row) for row in m) / len(m))


# ---------------------------------------------------------------- values: one name's vectors


@value(runs=STEPS)
def vec_rms(page, name: str, pos: int, after: int, stage: str = "sum", digits: int = 4, run: int = None):
    """The root mean square of x at position `pos` of a name: stage=sum (tok_emb + pos_emb), norm or norm2."""
    return fmt_float(rms(x_at(position(page.run(run), name, pos, after), stage)), digits)


@value(runs=STEPS)
def vec_rms_range(page, name: str, after: int, which: str, stage: str = "sum", run: int = None):
    """The smallest (which=low) or largest (which=high) rms of x over the positions of a name, 4 decimals."""
    if which not in ("low", "high"):
        raise DirectiveError(f"which={which!r}: low or high")
    values = [rms(x_at(p, stage)) for p in positions(page.run(run), name, after)]
    return fmt_float(min(values) if which == "low" else max(values))


@value(runs=STEPS)
def rms_scale(page, name: str, pos: int, after: int, stage: str = "norm", digits: int = 4, run: int = None):
    """The factor rmsnorm multiplied x by at a stage (norm or norm2): what it made of each number, divided by it."""
    if stage not in ("norm", "norm2"):
        raise DirectiveError(f"stage={stage!r}: norm or norm2 (the stages rmsnorm made)")
    p = position(page.run(run), name, pos, after)
    before = x_at(p, "sum" if stage == "norm" else "norm")
    after_ = x_at(p, stage)
    # every number was multiplied by the same factor: read it off the largest
    j = max(range(len(before)), key=lambda i: abs(before[i]))
    return fmt_float(after_[j] / before[j], digits)


@value(runs=STEPS)
def rms_second_change(page, name: str, after: int, run: int = None):
    """The most any number of x moves in the second rmsnorm, over every position of a name (4 significant digits)."""
    moves = [abs(a - b) for p in positions(page.run(run), name, after)
             for a, b in zip(x_at(p, "norm"), x_at(p, "norm2"))]
    return svg.fmt(max(moves))


@value(runs=STEPS)
def vec_gap(page, name: str, a: int, b: int, after: int, what: str = "sum", run: int = None):
    """The largest difference between one vector at two positions of a name (what=sum, norm, q, k or v), 2 decimals."""
    run = page.run(run)
    pa, pb = position(run, name, a, after), position(run, name, b, after)
    pick = (lambda p: qkv_of(p, what)) if what in ("q", "k", "v") else (lambda p: x_at(p, what))
    return fmt_float(max(abs(x - y) for x, y in zip(pick(pa), pick(pb))), 2)


@value(runs=STEPS)
def vec_max(page, name: str, what: str, after: int, run: int = None):
    """The largest number in size of q, k or v over every position of a name, 2 decimals."""
    return fmt_float(max(abs(v) for p in positions(page.run(run), name, after) for v in qkv_of(p, what)), 2)


# ---------------------------------------------------------------- the RMS table


@table(runs=STEPS)
def rms_table(page, name: str, after: int, run: int = None):
    """Each position of a name: x's root mean square before rmsnorm, the factor, and after each of the two calls."""
    run = page.run(run)
    rows = []
    for p in positions(run, name, after):
        x0, x1, x2 = x_at(p, "sum"), x_at(p, "norm"), x_at(p, "norm2")
        j = max(range(len(x0)), key=lambda i: abs(x0[i]))
        rows.append([str(p["pos"]), render.chip(run.tokenizer, p["token"]), fmt_float(rms(x0)),
                     fmt_float(x1[j] / x0[j], 3), fmt_float(rms(x1), 6), fmt_float(rms(x2), 6)])
    headers = ["position", "token", "rms of <code>x</code>", "scale", "rms after <code>rmsnorm</code>",
               "rms after the second"]
    html = render.html_table(headers, rows)
    when = "as initialised" if after == 0 else f"after {fmt_int(after)} training steps"
    caption = (f"The positions of {escape(name)}, with the model {when}: the rms of <code>x = tok_emb + pos_emb</code>,"
               f" the scale <code>rmsnorm</code> multiplies it by, and the rms after each call")
    return f'<div class="mgv-rms-table">{html.replace("<table>", f"<table><caption>{caption}</caption>", 1)}</div>'


# ---------------------------------------------------------------- the players: rows of cells
#
# One kind of player (docs/assets/guide/step3-vectors.js, "vector-rows") for the three pages: pick a
# position of the name and a model (as initialised, trained); see a few vectors of that position as
# rows of cells, each number to 2 decimals on a colour scale (one scale per group of rows, the same for
# every position and both models). The build draws the table for one position of the trained model
# (the no-JavaScript figure); the frames hold every position of both models:
#   {name, picks: [{label, pos}], snapshots: [before, after], start: the position drawn,
#    codes: [the code of each row], bounds: [each row's colour bound], decimals,
#    frames: {"0": [per position {notes: [per row], cells: [per row: numbers], say: the live line's sentence,
#                                 caption}], "1000": [...]}}


def when(after):
    return "as initialised" if after == 0 else f"after {fmt_int(after)} training steps"


def where(run, p, name):
    return f"{label(run, p['token'])} at position {p['pos']} of {name}"


def cell(value, bound):
    return (f'<td class="mgv-heat-cell" style="--heat:{svg.num(svg.signed_heat(value, bound))}">'
            f"{signed(value, CELL_DECIMALS)}</td>")


def vector_table(codes, frame, bounds, label_text):
    n = len(frame["cells"][0])
    head = "".join(f'<th scope="col">{j}</th>' for j in range(n))
    body = []
    for r, (code, values) in enumerate(zip(codes, frame["cells"])):
        cells = "".join(cell(v, bounds[r]) for v in values)
        body.append(f'<tr><th scope="row"><code>{escape(code)}</code>'
                    f'<span class="mgv-vec-note">{escape(frame["notes"][r])}</span></th>{cells}</tr>')
    return (f'<div class="mgv-scroll" data-label="{escape(label_text)}">'
            f'<table class="mgv-vec mgv-signed"><thead><tr><th scope="col">dimension</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def vector_rows(page, run, kind_id, name, pos, before, after, title, codes, groups, rows_of, say, scale_names=None):
    """The player: rows_of(p, ps) -> [(note, values)] for position p of the positions ps (a note's
    lines are shown as lines), say(p, ps, after) -> the sentence of the live line; groups: each row's
    colour group, scale_names: what the legend calls each group (default: its rows' codes)."""
    found = {k: positions(run, name, k) for k in (before, after)}
    if not 0 <= pos < len(found[after]):
        raise DirectiveError(f"pos={pos}: {name!r} has positions 0 to {len(found[after]) - 1}")
    frames = {}
    for k, ps in found.items():
        frames[str(k)] = []
        for p in ps:
            rows = rows_of(p, ps)
            if len(rows) != len(codes):
                raise DirectiveError("a row without its code")
            frames[str(k)].append({
                "notes": [note for note, _ in rows],
                "cells": [fixed(values, CELL_DECIMALS) for _, values in rows],  # the cells show no more
                "say": say(p, ps, k),
                "caption": f"{title}: {where(run, p, name)}, {when(k)}",
            })
    # one colour scale per group of rows, over every position and both models
    bound = {g: max(abs(v) for fs in frames.values() for f in fs for r, row in enumerate(f["cells"])
                    if groups[r] == g for v in row) for g in set(groups)}
    bounds = [bound[g] for g in groups]
    picks = [{"label": label(run, p["token"]), "pos": p["pos"]} for p in found[after]]
    data = {"name": name, "picks": picks, "snapshots": [before, after], "start": pos, "codes": codes,
            "bounds": bounds, "decimals": CELL_DECIMALS, "frames": frames}
    url = frames_file(page, f"generated/step{run.number}/{kind_id}-{name}-{before}-{after}.json", data)
    shown = frames[str(after)][pos]
    def members(g):
        if scale_names:
            return scale_names[g]
        names = [codes[r] for r in range(len(codes)) if groups[r] == g]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    scales = ", ".join(f"{escape(members(g))} ±{escape(svg.fmt(bound[g], 2))}"
                       for g in sorted(set(groups), key=groups.index))
    legend = (f"Each cell is one number, rounded to hundredths: the deeper the colour, the further it is from zero,"
              f" one colour above zero and another below. The colour is strongest at: {scales}.")
    return (f'<figure class="mgv-player mgv-vec-player" data-player="vector-rows" data-frames="{escape(url)}">'
            f'<div class="mgv-stage"><p class="mgv-vec-summary">{escape(shown["say"])}</p>'
            f'{vector_table(codes, shown, bounds, title)}'
            f'<p class="mgv-vec-legend">{legend}</p></div>'
            f"<figcaption>{escape(shown['caption'])}</figcaption></figure>")


def others_with(p, ps):
    """The other positions of the name that hold the same token."""
    return [o for o in ps if o["token"] == p["token"] and o["pos"] != p["pos"]]


def largest_gap(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


@player(runs=STEPS)
def embed_rows_player(page, name: str = "emma", pos: int = 3, before: int = 0, after: int = 1000,
                      run: int = None):
    """Pick a position of a name: its token's row of wte, its position's row of wpe, and their sum x, as cells."""
    run = page.run(run)

    def rows_of(p, ps):
        t = label(run, p["token"])
        return [(f"wte row of {t}", p["tok_emb"]), (f"wpe row {p['pos']}", p["pos_emb"]),
                ("tok_emb + pos_emb", x_at(p, "sum"))]

    def say(p, ps, k):
        t = label(run, p["token"])
        text = (f"{where(run, p, name)}, {when(k)}: tok_emb is the row of wte for {t}, pos_emb is row {p['pos']}"
                f" of wpe, and x is their sum.")
        for o in others_with(p, ps):
            text += (f" The {t} at position {o['pos']} has the same tok_emb and another pos_emb: the two x differ"
                     f" by up to {fmt_float(largest_gap(x_at(p, 'sum'), x_at(o, 'sum')), 2)}.")
        return text

    return vector_rows(page, run, "embed-rows", name, pos, before, after, "tok_emb + pos_emb = x",
                       ["tok_emb", "pos_emb", "x"], [0, 0, 1], rows_of, say)


@player(runs=STEPS)
def rms_rows_player(page, name: str = "emma", pos: int = 2, before: int = 0, after: int = 1000, run: int = None):
    """Pick a position of a name: x before rmsnorm, after it, and after the attention block's rmsnorm, with each rms."""
    run = page.run(run)

    def rows_of(p, ps):
        x0, x1, x2 = x_at(p, "sum"), x_at(p, "norm"), x_at(p, "norm2")
        return [(f"tok_emb + pos_emb\nrms {fmt_float(rms(x0))}", x0),
                (f"after the embeddings\nrms {fmt_float(rms(x1), 6)}", x1),
                (f"in the attention block\nrms {fmt_float(rms(x2), 6)}", x2)]

    def say(p, ps, k):
        x0, x1, x2 = x_at(p, "sum"), x_at(p, "norm"), x_at(p, "norm2")
        j = max(range(len(x0)), key=lambda i: abs(x0[i]))
        return (f"{where(run, p, name)}, {when(k)}: x has rms {fmt_float(rms(x0))}. rmsnorm multiplies every number"
                f" by {fmt_float(x1[j] / x0[j], 3)}, to rms {fmt_float(rms(x1), 6)}; the second rmsnorm multiplies"
                f" them by {fmt_float(x2[j] / x1[j], 6)}, to rms {fmt_float(rms(x2), 6)}.")

    return vector_rows(page, run, "rms-rows", name, pos, before, after, "x before and after rmsnorm",
                       ["x", "rmsnorm(x)", "rmsnorm(x)"], [0, 1, 1], rows_of, say,
                       scale_names=["x", "both rows of rmsnorm(x)"])


@player(runs=STEPS)
def qkv_rows_player(page, name: str = "emma", pos: int = 3, before: int = 0, after: int = 1000, run: int = None):
    """Pick a position of a name: the x the attention block reads, and its query, key and value, as cells."""
    run = page.run(run)

    def rows_of(p, ps):
        return [("after the block’s rmsnorm", x_at(p, "norm2")),
                ("= linear(x, attn_wq)", qkv_of(p, "q")),
                ("= linear(x, attn_wk)", qkv_of(p, "k")),
                ("= linear(x, attn_wv)", qkv_of(p, "v"))]

    def say(p, ps, k):
        t, i = label(run, p["token"]), p["pos"]
        held = "1 entry, its own" if i == 0 else f"{i + 1} entries, for positions 0 to {i}"
        text = (f"{where(run, p, name)}, {when(k)}: k and v join keys and values, which now hold {held};"
                f" q is compared with each of those keys.")
        for o in others_with(p, ps):
            text += (f" The {t} at position {o['pos']} has other q, k and v: its q differs by up to"
                     f" {fmt_float(largest_gap(qkv_of(p, 'q'), qkv_of(o, 'q')), 2)}.")
        return text

    return vector_rows(page, run, "qkv-rows", name, pos, before, after, "q, k and v",
                       ["x", "q", "k", "v"], [0, 1, 1, 1], rows_of, say)
