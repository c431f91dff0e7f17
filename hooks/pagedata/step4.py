"""Step 4, the transformer: what changes, the heads drawn, the layer loop and its per-layer
cache, training and results (pages 4.1, 4.2, 4.4 to 4.6).

Every vector is what the step's own gpt() computed, read by tracing it while its forward()
runs on a kept snapshot (microgpt.replay.internals, through Run.probe); the cache is read by
tracing forward()'s own keys and values; the order in which init_model() draws its matrices is
read by running init_model() with a stand-in generator that numbers its draws. What is computed
here is only what a page says about those numbers: a difference, a count, a sum of shapes.
"""

import json
import math
import re
from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import ALL, fixed, fmt_float, fmt_int, frames_file, player, table, value
from hooks.pagedata.curves import runs_of
from hooks.pagedata.step3 import shapes
from hooks.pagedata.step3_weights import (check_pos, dec, head_of, heat_td, pos_label, positions, qk_root_of,
                                          scroll_table, stream, tokens_of, who)
from microgpt import replay

MULTI_HEAD = (4, 5)        # the runs whose model has heads and layers: Step 4's, and Step 5's (the same model)
ATTENTION = (3, 4, 5)      # the runs with attention (Step 3: one head, one block of each)
LAYER_PREFIX = re.compile(r"^layer(\d+)\.")
ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


# ---------------------------------------------------------------- the settings of the model


def setting(run, name):
    """A setting (n_head, head_dim, n_layer, n_embd) of the code that defines the step's gpt():
    the step's module, or the one its forward() comes from (Step 5 takes Step 4's)."""
    module = replay.module_of(run.number)
    defined = {**module.forward.__globals__, **vars(module)} if hasattr(module, "forward") else vars(module)
    if name not in defined:
        raise DirectiveError(f"{module.__name__} has no setting {name!r}")
    return defined[name]


@value(runs=MULTI_HEAD)
def n_head(page, run: int = None):
    """How many attention heads each layer has (the code's n_head)."""
    return fmt_int(setting(page.run(run), "n_head"))


@value(runs=MULTI_HEAD)
def head_dim(page, run: int = None):
    """How many numbers each head's slice of q, k and v has: head_dim = n_embd // n_head."""
    return fmt_int(setting(page.run(run), "head_dim"))


@value(runs=MULTI_HEAD)
def n_layer(page, run: int = None):
    """How many layers (attention block + MLP block) the model stacks (the code's n_layer)."""
    return fmt_int(setting(page.run(run), "n_layer"))


@value(runs=(1, 2, 3, 4, 5))
def n_embd(page, run: int = None):
    """The model's width: how many numbers an embedding, a query, a key or a value has (n_embd)."""
    return fmt_int(setting(page.run(run), "n_embd"))


# ---------------------------------------------------------------- reading the run


def attention_runs(page, runs):
    """'3,4' -> [Run 3, Run 4]: runs with attention, each checked."""
    try:
        numbers = [int(part) for part in runs.split(",") if part.strip()]
    except ValueError:
        raise DirectiveError(f"runs={runs!r}: a list of step numbers, e.g. runs=3,4") from None
    if not numbers or len(set(numbers)) != len(numbers) or not set(numbers) <= set(ATTENTION):
        raise DirectiveError(f"runs={runs!r}: one or more different runs with attention (3, 4, 5)")
    return [page.run(n) for n in numbers]


def layer_of(ps, pos, layer):
    layers = ps[pos]["layers"]
    if not 0 <= layer < len(layers):
        raise DirectiveError(f"layer={layer}: this model has layers 0 to {len(layers) - 1}")
    return layers[layer]


def heads_in(ps, layer=0):
    return len(layer_of(ps, 0, layer)["attn_weights"])


def ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else ORDINAL_SUFFIX.get(n % 10, 'th')}"


def weight_td(w):
    """An attention weight in a cell coloured like the attention maps' (0 to 1)."""
    return f'<td class="mgv-heat-cell" style="--heat:{svg.num(svg.heat(w, 1))}">{dec(w)}</td>'


# ---------------------------------------------------------------- 4.1 one softmax per head, one layer


@table(runs=MULTI_HEAD)
def head_weights(page, name: str, pos: int, after: int, runs: str = "3,4", layer: int = 0):
    """The attention weights of one position of a name, one row per softmax: Step 3's one head, then each head of the others."""
    found = attention_runs(page, runs)
    rows, labels = [], None
    for run in found:
        ps = positions(run, name, after)
        check_pos(ps, pos, name)
        labels = tokens_of(run, ps)
        heads = heads_in(ps, layer)
        for h in range(heads):
            w = head_of(ps, pos, layer, h)["weights"]
            best = max(range(len(w)), key=lambda t: w[t])
            title = f"Step {run.number}: its one head" if heads == 1 else f"Step {run.number}: head {h}"
            rows.append(f'<tr><th scope="row">{escape(title)}</th>{"".join(weight_td(x) for x in w)}'
                        f'<td class="mgv-attn-sum">{dec(sum(w))}</td>'
                        f'<td class="mgv-hw-top">{escape(who(labels, best, itself=pos))}</td></tr>')
    head_row = ('<tr><th scope="col"><span class="mgv-sr">softmax ↓ position attended →</span></th>'
                + "".join(f'<th scope="col">{escape(pos_label(labels, t))}</th>' for t in range(pos + 1))
                + '<th scope="col" class="mgv-attn-sum">sum</th><th scope="col">largest</th></tr>')
    caption = (f"<span>The weights of position {pos} ({escape(who(labels, pos))}) of “{escape(name)}” after"
               f" {fmt_int(after)} training steps: a row per softmax, each summing to 1</span>")
    return scroll_table(f"The attention weights of position {pos}, per head", head_row, "".join(rows),
                        "mgv-attn-map mgv-head-rows", caption=caption)


# The vectors of one position the page compares between two names, by what gpt() calls them
PLACE_ROWS = [
    ("input", "x: the layer's input, from the token and position embeddings"),
    ("q", "q: the query"),
    ("k", "k: the key"),
    ("v", "v: the value"),
    ("x_attn", "x_attn: what the heads gather"),
    ("after_attn", "x after the attention block"),
    ("after_mlp", "x after the MLP block: the layer's output"),
]


def place_vectors(run, name, pos, after):
    """{what: vector} at one position of a name: layer 0's q, k, v and x_attn, and the values x takes."""
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    if len(ps[pos]["layers"]) != 1:
        raise DirectiveError("this comparison reads a model of one layer")
    s = stream(ps[pos])
    this = ps[pos]["layers"][0]
    return {"input": s["input"], "q": this["q"], "k": this["k"], "v": this["v"], "x_attn": this["x_attn"],
            "after_attn": s["after_attn"], "after_mlp": s["after_mlp"]}


def place_pair(page, name, other, pos, after, run=None):
    run = page.run(run)
    a, b = run.encode(name), run.encode(other)
    if not (pos < len(a) - 1 and pos < len(b) - 1) or a[pos] != b[pos]:
        raise DirectiveError(f"pos={pos}: {name!r} and {other!r} must hold the same token at position {pos}")
    return run, place_vectors(run, name, pos, after), place_vectors(run, other, pos, after)


def gap(u, w):
    return max(abs(x - y) for x, y in zip(u, w))


@value(runs=MULTI_HEAD)
def place_gap(page, name: str, other: str, pos: int, after: int, what: str, run: int = None):
    """The largest difference between one vector at the same position of two names (what=input, q, k, v, x_attn, after_attn, after_mlp), 4 decimals."""
    kinds = [key for key, _ in PLACE_ROWS]
    if what not in kinds:
        raise DirectiveError(f"what={what!r}: one of {', '.join(kinds)}")
    _, a, b = place_pair(page, name, other, pos, after, run)
    return fmt_float(gap(a[what], b[what]))


@table(runs=MULTI_HEAD)
def same_place(page, name: str, other: str, pos: int, after: int, run: int = None):
    """The same token at the same position of two names: what the layer's attention reads, and what it makes (first number, largest difference)."""
    run, a, b = place_pair(page, name, other, pos, after, run)
    label = run.tokenizer.label(run.encode(name)[pos])
    body = "".join(f'<tr><th scope="row">{escape(words)}</th><td>{dec(a[key][0])}</td><td>{dec(b[key][0])}</td>'
                   f"<td>{dec(gap(a[key], b[key]))}</td></tr>" for key, words in PLACE_ROWS)
    head_row = (f'<tr><th scope="col">vector</th><th scope="col">[0] in “{escape(name)}”</th>'
                f'<th scope="col">[0] in “{escape(other)}”</th><th scope="col">largest difference</th></tr>')
    caption = (f"<span>Position {pos}, {escape(label)}, in “{escape(name)}” and in “{escape(other)}” after"
               f" {fmt_int(after)} training steps: the first number of each vector, and the largest difference"
               f" between the two names over all {len(a['q'])} of its numbers</span>")
    return scroll_table(f"Position {pos} of {name} and of {other}", head_row, body, "mgv-vec-table mgv-place",
                        caption=caption)


# ---------------------------------------------------------------- 4.2 the heads drawn


@table(runs=MULTI_HEAD)
def head_slices(page, name: str = "emma", pos: int = 3, after: int = 1000, layer: int = 0, run: int = None):
    """q, k and v of one position, each cut into n_head slices of head_dim numbers, a colour per head; the scale √head_dim."""
    run = page.run(run)
    ps = positions(run, name, after)
    check_pos(ps, pos, name)
    labels = tokens_of(run, ps)
    this = layer_of(ps, pos, layer)
    heads = heads_in(ps, layer)
    size = len(this["q"]) // heads
    root = qk_root_of(run, ps, layer, 0)

    def cls(j):
        h = j // size
        return f"mgv-hs mgv-hs--{h % 4}" + (" mgv-hs-first" if j % size == 0 else "")

    groups = "".join(f'<th scope="colgroup" colspan="{size}" class="mgv-hs mgv-hs--{h % 4} mgv-hs-first">head {h}'
                     f'<span class="mgv-hs-range">[{h * size}:{(h + 1) * size}]</span></th>' for h in range(heads))
    numbers = "".join(f'<th scope="col" class="{cls(j)} mgv-hs-j">{j}</th>' for j in range(len(this["q"])))
    head_row = (f'<tr><th scope="col" rowspan="2">{escape(pos_label(labels, pos))}</th>{groups}</tr>'
                f"<tr>{numbers}</tr>")
    body = "".join(f'<tr><th scope="row">{what}</th>'
                   + "".join(f'<td class="{cls(j)}">{dec(x, 2)}</td>' for j, x in enumerate(this[what])) + "</tr>"
                   for what in ("q", "k", "v"))
    table_html = scroll_table(f"q, k and v of position {pos}, cut into {heads} heads", head_row, body,
                              "mgv-vec-table mgv-head-slices")
    caption = (f"The query, key and value of position {pos} ({escape(who(labels, pos))}) of “{escape(name)}” after"
               f" {fmt_int(after)} training steps, {len(this['q'])} numbers each, cut into {heads} heads of {size}:"
               f" head h reads numbers h × {size} to h × {size} + {size - 1} (written [start:end], end left out, as"
               f" Python slices them). Each head divides its dot products by √{size} = {svg.num(round(root, 12))}.")
    return f'<figure class="mgv-figure mgv-head-fig">{table_html}<figcaption>{caption}</figcaption></figure>'


# ---------------------------------------------------------------- 4.4 the layer loop: the state_dict by layer


def layer_groups(run):
    """The model's matrices in state_dict order, grouped: [(None, {name: shape}) outside the loop,
    (0, {...}) layer 0, ...]; checked: every layer has the same matrices, of the same shapes."""
    groups = {}
    for name, shape in shapes(run).items():
        match = LAYER_PREFIX.match(name)
        groups.setdefault(int(match.group(1)) if match else None, {})[name] = shape
    layers = [k for k in groups if k is not None]
    if layers != list(range(len(layers))):
        raise DirectiveError(f"the layers of run {run.number} are not numbered 0, 1, ...: {layers}")
    plain = [{LAYER_PREFIX.sub("", n): s for n, s in groups[k].items()} for k in layers]
    if any(p != plain[0] for p in plain):
        raise DirectiveError(f"the layers of run {run.number} do not all have the same matrices")
    return [(k, groups[k]) for k in [None] + layers if k in groups]


def numbers_in(group):
    return sum(r * c for r, c in group.values())


def per_layer(run):
    """(numbers outside the loop, numbers in one layer, matrices in one layer, layers)."""
    groups = layer_groups(run)
    outside = dict(groups[0][1]) if groups[0][0] is None else {}
    layers = [g for k, g in groups if k is not None]
    if not layers:
        raise DirectiveError(f"run {run.number} has no layer-prefixed matrices")
    return numbers_in(outside), numbers_in(layers[0]), len(layers[0]), len(layers)


@table(runs=MULTI_HEAD)
def state_dict_table(page, run: int = None):
    """The model's matrices as the state_dict names them, grouped: outside the layer loop, then each layer (its count of numbers)."""
    run = page.run(run)
    rows = []
    for layer, group in layer_groups(run):
        title = ("Outside the loop: embeddings and lm_head" if layer is None
                 else f"Layer {layer}: its names begin with layer{layer}.")
        rows.append(f'<tr class="mgv-sd-group"><th scope="rowgroup" colspan="2">{escape(title)}</th>'
                    f"<td>{fmt_int(numbers_in(group))}</td></tr>")
        rows += [f'<tr><th scope="row"><code>{escape(name)}</code></th><td>{r}×{c}</td><td>{fmt_int(r * c)}</td></tr>'
                 for name, (r, c) in group.items()]
    total = sum(r * c for r, c in shapes(run).values())
    head_row = '<tr><th scope="col">matrix</th><th scope="col">shape</th><th scope="col">numbers</th></tr>'
    foot = (f'<tfoot><tr><th scope="row" colspan="2">in all ({fmt_int(len(shapes(run)))} matrices)</th>'
            f"<td>{fmt_int(total)}</td></tr></tfoot>")
    return scroll_table(f"The state_dict of run {run.number}, by layer", head_row, "".join(rows),
                        "mgv-vec-table mgv-state-dict", foot=foot)


@value(runs=MULTI_HEAD)
def layer_params(page, run: int = None):
    """How many numbers one layer's matrices hold (the layer0.… ones; every layer has as many)."""
    return fmt_int(per_layer(page.run(run))[1])


@value(runs=MULTI_HEAD)
def shared_params(page, run: int = None):
    """How many numbers the matrices outside the layer loop hold (wte, wpe, lm_head)."""
    return fmt_int(per_layer(page.run(run))[0])


@value(runs=MULTI_HEAD)
def layer_matrices(page, run: int = None):
    """How many matrices each layer has."""
    return fmt_int(per_layer(page.run(run))[2])


def check_layers(layers):
    if layers < 1:
        raise DirectiveError(f"layers={layers}: one or more")


@value(runs=MULTI_HEAD)
def params_with_layers(page, layers: int, run: int = None):
    """How many parameters the model would have with `layers` layers: outside the loop + layers × one layer's."""
    check_layers(layers)
    outside, one, _, _ = per_layer(page.run(run))
    return fmt_int(outside + layers * one)


@value(runs=MULTI_HEAD)
def params_added(page, layers: int, run: int = None):
    """How many parameters `layers` layers would add to (or take from) the run's model: the difference in layers × one layer's."""
    check_layers(layers)
    _, one, _, have = per_layer(page.run(run))
    return fmt_int((layers - have) * one)


@value(runs=MULTI_HEAD)
def added_names(page, layers: int, run: int = None):
    """The names of the matrices `layers` layers would add: layer 0's, renamed for each new layer."""
    check_layers(layers)
    run = page.run(run)
    groups = layer_groups(run)
    have = len([k for k, _ in groups if k is not None])
    if layers <= have:
        raise DirectiveError(f"layers={layers}: run {run.number} already has {have} layer(s)")
    first = [LAYER_PREFIX.sub("", n) for n in dict(groups)[0]]
    return ", ".join(f"layer{k}.{n}" for k in range(have, layers) for n in first)


@value(runs=MULTI_HEAD)
def loop_passes(page, name: str = "emma", run: int = None):
    """How many times gpt() ran its layer loop's body per position of a name, as traced (n_layer)."""
    ps = positions(page.run(run), name, 0)
    counts = {len(p["layers"]) for p in ps}
    if len(counts) != 1:
        raise DirectiveError("the positions of the name ran the loop a different number of times")
    return fmt_int(counts.pop())


# ---------------------------------------------------------------- 4.5 the per-layer KV cache


def cache_of(run, name, after):
    """forward()'s own keys and values once it has run over a name: {"keys": [per layer: [per position:
    the key]], "values": ...}, read by tracing forward() (memoised with the run)."""
    run.encode(name)

    def compute():
        module = replay.module_of(run.number)
        state_dict = replay.restore(run.number, run.snapshot(after))
        _, traced = replay.trace_locals(module.forward, ["keys", "values"], state_dict, replay.encode(name))
        if len(traced["keys"]) != 1 or len(traced["values"]) != 1:
            raise DirectiveError(f"{module.__name__}.forward binds keys and values more than once: the page"
                                 " says it makes one cache per name")
        return {"keys": traced["keys"][0], "values": traced["values"][0]}

    return run.remember(json.dumps(["step4-cache", name, after]), compute, __file__)


@value(runs=MULTI_HEAD)
def cache_lists(page, name: str = "emma", run: int = None):
    """How many lists keys (and values) holds after forward() over a name: one per layer."""
    return fmt_int(len(cache_of(page.run(run), name, 0)["keys"]))


@value(runs=MULTI_HEAD)
def cache_entries(page, name: str = "emma", layer: int = 0, run: int = None):
    """How many entries one layer's list of keys holds after forward() over a name: one per position."""
    keys = cache_of(page.run(run), name, 0)["keys"]
    if not 0 <= layer < len(keys):
        raise DirectiveError(f"layer={layer}: the cache has lists 0 to {len(keys) - 1}")
    return fmt_int(len(keys[layer]))


@value(runs=MULTI_HEAD)
def cache_width(page, name: str = "emma", run: int = None):
    """How many numbers each cached key (and value) has."""
    widths = {len(k) for layer in cache_of(page.run(run), name, 0)["keys"] for k in layer}
    if len(widths) != 1:
        raise DirectiveError("the cached keys do not all have the same length")
    return fmt_int(widths.pop())


@value(runs=MULTI_HEAD)
def cache_numbers(page, name: str = "emma", run: int = None):
    """How many numbers the whole cache (keys and values, every layer) holds after forward() over a name."""
    cache = cache_of(page.run(run), name, 0)
    return fmt_int(sum(len(entry) for part in ("keys", "values") for layer in cache[part] for entry in layer))


CACHE_DIGITS = 2   # the numbers of the cached keys and values, as the player shows them


@value(runs=MULTI_HEAD)
def cache_digits(page, run: int = None):
    """How many decimals the per-layer cache player shows keys, values and queries with."""
    page.run(run)
    return str(CACHE_DIGITS)


def cache_frames(run, name, after, layer):
    """The player's data: the cache of one layer as forward() left it, each position's query, and each
    head's weights, checked against gpt()'s own trace (the cached rows are the keys gpt() made)."""
    ps = positions(run, name, after)
    cache = cache_of(run, name, after)
    if not 0 <= layer < len(cache["keys"]):
        raise DirectiveError(f"layer={layer}: the cache has lists 0 to {len(cache['keys']) - 1}")
    keys, values = cache["keys"][layer], cache["values"][layer]
    if [layer_of(ps, t, layer)["k"] for t in range(len(ps))] != keys or \
            [layer_of(ps, t, layer)["v"] for t in range(len(ps))] != values:
        raise DirectiveError("the cache forward() kept is not the keys and values gpt() made")
    heads = heads_in(ps, layer)
    return ps, keys, values, heads, len(keys[0]) // heads


def cache_table(labels, keys, values, pos, bounds, heads, size, layer, weights, query, x_attn):
    """One layer's cache once position `pos` has run, as one table: a pair of columns per position of the
    name (its key and its value; the later ones empty, the newest marked), the query of `pos` before them
    and x_attn after them; a row per number, grouped by head, each group headed by that head's weights."""
    n = len(labels)
    tags = {t: ('<span class="mgv-kv-badge">new</span>' if t == pos else
                '<span class="mgv-kvh-later-tag">later</span>' if t > pos else "") for t in range(n)}
    head_row = (f'<tr><th scope="col" rowspan="2">keys[{layer}], values[{layer}]</th>'
                f'<th scope="col" rowspan="2" class="mgv-kvh-q">q ({escape(pos_label(labels, pos))})</th>'
                + "".join(f'<th scope="colgroup" colspan="2" class="mgv-kvh-pos{pos_cls(t, pos)}">'
                          f"{escape(pos_label(labels, t))}{tags[t]}</th>" for t in range(n))
                + '<th scope="col" rowspan="2" class="mgv-kvh-sum">x_attn</th></tr><tr>'
                + "".join(f'<th scope="col" class="mgv-kvh-k{pos_cls(t, pos)}">k<sub>{t}</sub></th>'
                          f'<th scope="col" class="mgv-kvh-v{pos_cls(t, pos)}">v<sub>{t}</sub></th>' for t in range(n))
                + "</tr>")
    rows = []
    for h in range(heads):
        cls = f"mgv-hs--{h % 4}"
        ws = "".join(f'<td colspan="2" class="mgv-kv-num{pos_cls(t, pos)}">{dec(weights[h][t])}</td>' if t <= pos
                     else f'<td colspan="2" class="mgv-kv-later{pos_cls(t, pos)}"></td>' for t in range(n))
        rows.append(f'<tr class="mgv-kvh-head {cls}"><th scope="rowgroup">head {h}'
                    f'<span class="mgv-hs-range">[{h * size}:{(h + 1) * size}]</span></th>'
                    f'<td class="mgv-kvh-wlabel">weight</td>{ws}<td></td></tr>')
        for j in range(h * size, (h + 1) * size):
            cells = []
            for t in range(n):
                if t <= pos:
                    cells.append(heat_td(keys[t][j], bounds["keys"], dec(keys[t][j], CACHE_DIGITS),
                                         f"mgv-heat-cell mgv-kvh-k{pos_cls(t, pos)}"))
                    cells.append(heat_td(values[t][j], bounds["values"], dec(values[t][j], CACHE_DIGITS),
                                         f"mgv-heat-cell mgv-kvh-v{pos_cls(t, pos)}"))
                else:
                    cells.append(f'<td colspan="2" class="mgv-kv-later{pos_cls(t, pos)}"></td>')
            rows.append(f'<tr class="{cls}"><th scope="row">{j}</th>'
                        + heat_td(query[j], bounds["keys"], dec(query[j], CACHE_DIGITS), "mgv-heat-cell mgv-kvh-q")
                        + "".join(cells)
                        + heat_td(x_attn[j], bounds["values"], dec(x_attn[j], CACHE_DIGITS),
                                  "mgv-heat-cell mgv-kvh-sum") + "</tr>")
    return scroll_table(f"The cache of layer {layer}: keys[{layer}] and values[{layer}]", head_row, "".join(rows),
                        "mgv-vec-table mgv-kvh mgv-signed")


def pos_cls(t, pos):
    """The class of a column of position t when position `pos` has run: the newest, or one not computed yet."""
    return " mgv-kvh-new" if t == pos else " mgv-kvh-later" if t > pos else ""


def cache_part(labels, pos, n_entries, dims, layer):
    return (f"Position {pos}, {who(labels, pos)}: keys[{layer}] and values[{layer}] hold {n_entries}"
            f" entr{'y' if n_entries == 1 else 'ies'} of {dims} numbers each")


@player(runs=MULTI_HEAD)
def layer_cache_player(page, name: str = "emma", after: int = 1000, layer: int = 0, run: int = None):
    """One layer's KV cache filling over a name, position by position: each key and value cut into the heads' slices, each head's weights."""
    run = page.run(run)
    ps, keys, values, heads, size = cache_frames(run, name, after, layer)
    labels = tokens_of(run, ps)
    frames = [{"q": fixed(layer_of(ps, p, layer)["q"], CACHE_DIGITS),
               "weights": [fixed(head_of(ps, p, layer, h)["weights"]) for h in range(heads)],
               "x_attn": fixed(layer_of(ps, p, layer)["x_attn"], CACHE_DIGITS)} for p in range(len(ps))]
    shown_k, shown_v = fixed(keys, CACHE_DIGITS), fixed(values, CACHE_DIGITS)
    bounds = {"keys": max(abs(v) for row in shown_k + [f["q"] for f in frames] for v in row),
              "values": max(abs(v) for row in shown_v + [f["x_attn"] for f in frames] for v in row)}
    data = {"name": name, "after": after, "layer": layer, "heads": heads, "size": size, "labels": labels,
            "keys": shown_k, "values": shown_v, "positions": frames, "digits": CACHE_DIGITS, "bounds": bounds}
    url = frames_file(page, f"generated/step{run.number}/layer-cache-{name}-{after}-l{layer}.json", data)
    last = len(ps) - 1
    f = frames[last]
    body = (f'<p class="mgv-part">{escape(cache_part(labels, last, len(ps), heads * size, layer))}</p>'
            + render.token_row(run.tokenizer, [p["token"] for p in ps], arrows=False)
            + cache_table(labels, shown_k, shown_v, last, bounds, heads, size, layer, f["weights"], f["q"],
                          f["x_attn"]))
    return render.player_shell("layer-cache", url, body,
                               f"Layer {layer}'s KV cache of “{escape(name)}”, position by position, with the model"
                               f" after {fmt_int(after)} training steps")


# ---------------------------------------------------------------- 4.6 the order of the random draws


class NumberedDraws:
    """Stands in for the run's random generator: its k-th draw is the number k (from 1), so a matrix
    init_model() makes holds the numbers of the draws that filled it."""

    def __init__(self):
        self.count = 0

    def gauss(self, mu, sigma):
        self.count += 1
        return float(self.count)


def draw_order(step):
    """{matrix: (its place in the order init_model draws them, from 1; its first draw; its last draw)},
    read by running the step's own init_model() on numbered draws."""
    state_dict = replay.module_of(step).init_model(replay.TOKENIZER, NumberedDraws())
    spans = {name: (int(replay.as_plain(m[0][0])), int(replay.as_plain(m[-1][-1]))) for name, m in state_dict.items()}
    order = sorted(spans, key=lambda name: spans[name][0])
    return {name: (order.index(name) + 1, *spans[name]) for name in spans}


def counterpart(name, other_names):
    """The matrix of another run that `name` corresponds to: the same name, else the one name that is the
    same without its layer prefix (attn_wq <-> layer0.attn_wq); None if there is none, or more than one."""
    if name in other_names:
        return name
    found = [other for other in other_names if LAYER_PREFIX.sub("", other) == LAYER_PREFIX.sub("", name)]
    return found[0] if len(found) == 1 else None


@table(runs=MULTI_HEAD)
def init_order(page, before: int, run: int = None):
    """Each matrix of the run against run `before` before training: its place in init_model's draws, the draws that fill it, its first number."""
    run, earlier = page.run(run), page.run(before)
    mine, theirs = draw_order(run.number), draw_order(earlier.number)
    start, old_start = run.snapshot(0), earlier.snapshot(0)
    rows = []
    for name in mine:
        was = counterpart(name, theirs)
        if was is None:
            raise DirectiveError(f"{name} has no counterpart in run {earlier.number}")
        place, first, last = mine[name]
        old_place, old_first, old_last = theirs[was]
        same = start[name] == old_start[was]
        label = f"<code>{escape(name)}</code>" + (f'<span class="mgv-init-was">Step {earlier.number}:'
                                                   f" <code>{escape(was)}</code></span>" if was != name else "")
        rows.append([label,
                     f'{ordinal(old_place)}<span class="mgv-init-draws">draws {fmt_int(old_first)}–{fmt_int(old_last)}</span>',
                     f'{ordinal(place)}<span class="mgv-init-draws">draws {fmt_int(first)}–{fmt_int(last)}</span>',
                     dec(old_start[was][0][0]), dec(start[name][0][0]), "yes" if same else "no"])
    heads = ["matrix", f"drawn in Step {earlier.number}", f"drawn in Step {run.number}",
             f"[0][0] in Step {earlier.number}", f"[0][0] in Step {run.number}", "all equal"]
    # a plain table (Material styles it), each row headed by its matrix: on a phone the table scrolls
    # sideways in its box and the names stay in view (step4.css)
    head = "".join(f'<th scope="col">{h}</th>' for h in heads)
    body = "".join(f'<tr><th scope="row">{row[0]}</th>' + "".join(f"<td>{c}</td>" for c in row[1:]) + "</tr>"
                   for row in rows)
    label = f"When each matrix is drawn, Step {earlier.number} and Step {run.number}"
    return (f'<div class="mgv-scroll mgv-init-order" data-label="{escape(label)}">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


@value(runs=MULTI_HEAD + (3,))
def init_first(page, matrix: str, run: int = None):
    """The first number ([0][0]) of one matrix as initialised, before any training step, 4 decimals."""
    run = page.run(run)
    start = run.snapshot(0)
    if matrix not in start:
        raise DirectiveError(f"matrix={matrix!r}: the step {run.number} model has {', '.join(start)}")
    return dec(start[matrix][0][0])


@value(runs=MULTI_HEAD + (3,))
def init_draws(page, matrix: str, run: int = None):
    """Which draws of the random generator (after the shuffle, from 1) fill one matrix: 689 to 1,120."""
    run = page.run(run)
    order = draw_order(run.number)
    if matrix not in order:
        raise DirectiveError(f"matrix={matrix!r}: the step {run.number} model has {', '.join(order)}")
    return f"{fmt_int(order[matrix][1])} to {fmt_int(order[matrix][2])}"


# ---------------------------------------------------------------- 4.6 whose numbers, whose model


def renamed_for(step, snapshot):
    """A snapshot's matrices under the names the step's model gives them (attn_wq <-> layer0.attn_wq), in
    its order: the same numbers, for the other model."""
    names = [name for name, _, _ in replay.model_shape(step)]
    found = {}
    for name in names:
        source = counterpart(name, list(snapshot))
        if source is None:
            raise DirectiveError(f"the snapshot has no matrix for {name}")
        found[name] = snapshot[source]
    return found


def swap_losses(page, runs, step):
    """{(model step, numbers step): the loss of training step `step`'s name before any training}: each
    model's forward() on each run's initial numbers (renamed for it)."""
    found = runs_of(page, runs)
    if len(found) != 2:
        raise DirectiveError(f"runs={runs!r}: name two runs, e.g. runs=3,4")
    doc = found[0].record(step)["doc"]
    if found[1].record(step)["doc"] != doc:
        raise DirectiveError(f"step={step}: the two runs trained on different names at this step")

    def compute():
        return [[model.number, numbers.number,
                 replay.score(model.number, renamed_for(model.number, numbers.snapshot(0)), doc)["loss"]]
                for model in found for numbers in found]

    losses = {(m, n): loss for m, n, loss in found[0].remember(
        json.dumps(["step4-swap", [r.number for r in found], doc]), compute, __file__)}
    for r in found:   # a model on its own numbers gives what its run printed at step 1
        if abs(losses[(r.number, r.number)] - r.record(step)["loss"]) > 1e-12 and step == 1:
            raise DirectiveError(f"run {r.number}'s model on its own numbers does not give its first loss")
    return found, doc, losses


@table(runs=MULTI_HEAD)
def init_swap(page, runs: str = "3,4", step: int = 1):
    """The loss of one training name before training, for each model (columns) on each run's initial numbers (rows)."""
    found, doc, losses = swap_losses(page, runs, step)
    rows = [[f"Step {n.number}'s numbers"] + [f"{losses[(m.number, n.number)]:.4f}" for m in found] for n in found]
    heads = ["initial numbers"] + [f"Step {m.number}'s <code>gpt()</code>" for m in found]
    html = render.html_table(heads, rows)
    caption = (f"The loss of “{escape(doc)}”, the name of training step {fmt_int(step)}, before any training:"
               " each model on each run's initial numbers (matched by name)")
    return html.replace("<table>", f"<table><caption>{caption}</caption>", 1)


@value(runs=MULTI_HEAD)
def swap_loss(page, model: int, numbers: int, runs: str = "3,4", step: int = 1):
    """One cell of init_swap: the loss of step `step`'s name before training, Step `model`'s gpt() on Step `numbers`'s initial numbers."""
    _, _, losses = swap_losses(page, runs, step)
    if (model, numbers) not in losses:
        raise DirectiveError(f"model={model}, numbers={numbers}: both are one of the runs {runs}")
    return fmt_float(losses[(model, numbers)])


@value(runs=MULTI_HEAD)
def swap_effect(page, vary: str, which: str = "max", runs: str = "3,4", step: int = 1):
    """How far the loss of init_swap moves when only the model (vary=model) or only the numbers (vary=numbers) change: the largest (which=max) or smallest (which=min) of the two such moves, 4 decimals."""
    if which not in ("max", "min"):
        raise DirectiveError(f"which={which!r}: max or min")
    found, _, losses = swap_losses(page, runs, step)
    a, b = (r.number for r in found)
    if vary == "model":
        moves = [abs(losses[(a, n)] - losses[(b, n)]) for n in (a, b)]
    elif vary == "numbers":
        moves = [abs(losses[(m, a)] - losses[(m, b)]) for m in (a, b)]
    else:
        raise DirectiveError(f"vary={vary!r}: model or numbers")
    return fmt_float(max(moves) if which == "max" else min(moves))


# ---------------------------------------------------------------- 4.6 two runs' losses, step by step


def pair(page, runs):
    found = runs_of(page, runs)
    if len(found) != 2:
        raise DirectiveError(f"runs={runs!r}: name two runs, e.g. runs=3,4")
    return [[s["loss"] for s in r.steps] for r in found]


def stretch_means(losses, every):
    if not 1 <= every <= len(losses):
        raise DirectiveError(f"every={every}: a stretch is 1 to {len(losses):,} steps")
    return [sum(losses[i:i + every]) / len(losses[i:i + every]) for i in range(0, len(losses), every)]


@value(runs=ALL)
def lower_steps(page, runs: str):
    """At how many training steps the second run's loss is below the first's."""
    a, b = pair(page, runs)
    return fmt_int(sum(1 for x, y in zip(a, b) if y < x))


@value(runs=ALL)
def lower_stretches(page, runs: str, every: int):
    """In how many stretches of `every` steps the second run's average loss is below the first's."""
    a, b = pair(page, runs)
    return fmt_int(sum(1 for x, y in zip(stretch_means(a, every), stretch_means(b, every)) if y < x))


@value(runs=ALL)
def stretches(page, every: int, run: int = None):
    """How many stretches of `every` training steps the run has (the last may be shorter)."""
    steps = len(page.run(run).steps)
    stretch_means([0.0] * steps, every)
    return fmt_int(math.ceil(steps / every))


@value(runs=ALL)
def step_gap(page, runs: str, first: int = 1, last: int = None):
    """The largest difference between two runs' losses at the same training step, over steps first..last, 4 decimals."""
    a, b = pair(page, runs)
    last = len(a) if last is None else last
    if not 1 <= first <= last <= len(a):
        raise DirectiveError(f"first={first} last={last}: the runs have steps 1 to {len(a):,}")
    return fmt_float(max(abs(x - y) for x, y in zip(a[first - 1:last], b[first - 1:last])))


@value(runs=ALL)
def mean_gap(page, runs: str, first: int, last: int):
    """The difference between two runs' average losses over steps first..last (first run minus second), 4 decimals."""
    a, b = pair(page, runs)
    if not 1 <= first <= last <= len(a):
        raise DirectiveError(f"first={first} last={last}: the runs have steps 1 to {len(a):,}")
    return fmt_float(sum(a[first - 1:last]) / (last - first + 1) - sum(b[first - 1:last]) / (last - first + 1))
