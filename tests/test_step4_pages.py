"""Step 4's landing page and pages 4.1, 4.2, 4.4, 4.5 and 4.6, checked in the built site.

What the pages show comes from hooks/pagedata/step4.py (and step3.py's flow and parameter table), which
trace step 4's own gpt() and forward() on the runs' snapshots. Here none of that is called: the runs are
read from the run cache the build wrote, Step 3's and Step 4's forward passes are written again below
with plain floats (one function, with n_head heads: one head is Step 3's attention), the initial
parameters are drawn again with random.Random from the seed after the shuffle, and every number a page
shows is compared with these, or with literals from MICROGPT-SPEC.md and tests/reference/.
"""

import json
import math
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest

from hooks.runs import unpack_matrices
from tests.conftest import ROOT, reference_lines, shuffled, texts
from tests.page_kit import flat, frames, linear, player, so_far, softmax, t4, table_rows

LETTERS = "abcdefghijklmnopqrstuvwxyz"
LABELS = list(LETTERS) + ["BOS"]
BOS = len(LABELS) - 1


def encode(name):
    return [BOS] + [LETTERS.index(ch) for ch in name] + [BOS]


N_EMBD, N_HEAD, HEAD_DIM, N_LAYER, BLOCK_SIZE = 16, 4, 4, 1, 16   # MICROGPT-SPEC.md, Step 4
NUM_STEPS = 1000
MINUS = "\u2212"
# the spec's shapes, in each step's init order
STEP3_ORDER = [("wte", (27, 16)), ("wpe", (16, 16)), ("attn_wq", (16, 16)), ("attn_wk", (16, 16)),
               ("attn_wv", (16, 16)), ("attn_wo", (16, 16)), ("mlp_fc1", (64, 16)), ("mlp_fc2", (16, 64)),
               ("lm_head", (27, 16))]
STEP4_ORDER = [("wte", (27, 16)), ("wpe", (16, 16)), ("lm_head", (27, 16))] + [
    (f"layer0.{m}", shape) for m, shape in STEP3_ORDER[2:8]]
PAGES = ["step-4", "step-4/what-changes", "step-4/multi-head-idea", "step-4/layer-loop", "step-4/kv-cache",
         "step-4/training-results"]


# ---------------------------------------------------------------- steps 3 and 4 by hand, plain floats


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    return [xi * (ms + 1e-5) ** -0.5 for xi in x]


def add(a, b):
    return [x + y for x, y in zip(a, b)]


def forward(params, name, n_head, prefix):
    """gpt() at every position of a name with one layer of n_head heads (n_head=1, prefix="": Step 3's
    model; n_head=4, prefix="layer0.": Step 4's), every intermediate kept."""
    tokens = encode(name)
    size = N_EMBD // n_head
    keys, values, out = [], [], []
    for pos in range(min(BLOCK_SIZE, len(tokens) - 1)):
        x = rmsnorm(add(params["wte"][tokens[pos]], params["wpe"][pos]))
        h = rmsnorm(x)
        q, k, v = (linear(h, params[prefix + m]) for m in ("attn_wq", "attn_wk", "attn_wv"))
        keys.append(k)
        values.append(v)
        weights, x_attn = [], []
        for head in range(n_head):
            s = head * size
            scores = [sum(q[s + j] * kt[s + j] for j in range(size)) / math.sqrt(size) for kt in keys]
            w = softmax(scores)
            weights.append(w)
            x_attn += [sum(w[t] * values[t][s + j] for t in range(len(values))) for j in range(size)]
        after_attn = add(linear(x_attn, params[prefix + "attn_wo"]), x)
        relu = [max(0.0, u) for u in linear(rmsnorm(after_attn), params[prefix + "mlp_fc1"])]
        after_mlp = add(linear(relu, params[prefix + "mlp_fc2"]), after_attn)
        probs = softmax(linear(after_mlp, params["lm_head"]))
        out.append(SimpleNamespace(token=tokens[pos], input=x, q=q, k=k, v=v, weights=weights, x_attn=x_attn,
                                   after_attn=after_attn, after_mlp=after_mlp, probs=probs, next=tokens[pos + 1]))
    return out


def loss_of(positions):
    return sum(-math.log(p.probs[p.next]) for p in positions) / len(positions)


def step4(params, name):
    return forward(params, name, N_HEAD, "layer0.")


def step3(params, name):
    return forward(params, name, 1, "")


def who(labels, t, itself=None):
    if t == itself:
        return "itself"
    same = [i for i, x in enumerate(labels) if x == labels[t]]
    return labels[t] if len(same) == 1 else f"the {['first', 'second', 'third'][same.index(t)]} {labels[t]}"


def ordinal(n):
    return str(n) + {1: "st", 2: "nd", 3: "rd"}.get(n, "th")


# ---------------------------------------------------------------- the runs, and the site


@pytest.fixture(scope="module")
def runs(built_site):
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    out = {}
    for step in (2, 3, 4):
        found = sorted(cache.glob(f"step{step}-*.json"))
        assert len(found) == 1, found
        out[step] = json.loads(found[0].read_text())
    return out


@pytest.fixture(scope="module")
def snapshots(runs):
    return {step: {int(k): unpack_matrices(v) for k, v in runs[step]["snapshots"].items()} for step in (3, 4)}


@pytest.fixture(scope="module")
def pages(built_site):
    out = {}
    for path in PAGES:
        html = (built_site[0] / path / "index.html").read_text()
        article = html[html.index("<article"):html.index("</article>")]
        out[path] = SimpleNamespace(html=html, article=article, text=texts(article))
    return out


def says(page, sentence):
    assert flat(sentence) in flat(page.text), f"the page does not say: {sentence!r}"


def block_after(html, marker, tag="table"):
    """The <tag>...</tag> that holds `marker` (a class, a caption), else the first one after it."""
    at = html.index(marker)
    start = html.rfind(f"<{tag}", 0, at)
    if start < 0 or html.rfind(f"</{tag}>", 0, at) > start:
        start = html.index(f"<{tag}", at)
    return html[start:html.index(f"</{tag}>", start) + len(tag) + 3]


def rows_of(table_html):
    return [[texts(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.DOTALL)]


# ---------------------------------------------------------------- the hand forward pass is the runs'


def test_the_hand_forward_pass_is_step_3s_and_step_4s(runs, snapshots):
    """The forward pass above gives the losses runs 3 and 4 recorded at their first training step (the
    models as initialised) and at step 501 (after 500 steps)."""
    for step, model in ((3, step3), (4, step4)):
        for record_step, after in ((1, 0), (501, 500)):
            record = runs[step]["steps"][record_step - 1]
            loss = loss_of(model(snapshots[step][after], record["doc"]))
            assert abs(loss - record["loss"]) < 1e-12, (step, record_step, loss, record["loss"])


# ---------------------------------------------------------------- the landing page


def test_the_landing_page(pages, snapshots):
    page = pages["step-4"]
    count = sum(r * c for _, (r, c) in STEP4_ORDER)
    assert count == sum(len(m) * len(m[0]) for m in snapshots[4][0].values()) == 4192
    says(page, f"This step lifts the first limit without adding a single parameter: the model still has {count:,}"
               " numbers, as Step 3's did")
    says(page, "the code can stack layers, each with matrices of its own, though this run does not.")
    assert N_LAYER == 1
    says(page, f"here {N_HEAD} slices of {HEAD_DIM} numbers")
    says(page, f"joined back into one vector of {N_EMBD} numbers")
    says(page, f"Here `n_layer` is {N_LAYER}: the loop runs once".replace("`", ""))
    links = re.findall(r'<li><a href="([\w-]+/)">', page.article)
    assert links == ["what-changes/", "multi-head-idea/", "multi-head-code/", "layer-loop/", "kv-cache/",
                     "training-results/"]
    says(page, f"Multi-Head Attention: The Idea : {N_EMBD} numbers as {N_HEAD} heads of {HEAD_DIM}")


# ---------------------------------------------------------------- 4.1 what changes

# What the flow marks, line by line, since Step 3: a literal reading of the two programs
FLOW_MARKS = {
    'state_dict["wte"][token_id]': "", 'state_dict["wpe"][pos_id]': "", "zip(tok_emb, pos_emb)": "",
    "x = rmsnorm(x)": "", "x_residual = x": "",
    'linear(x, state_dict[f"layer{li}.attn_wq"])': "renamed", "keys[li].append(k)": "changed",
    "q_h = q[hs:hs + head_dim]": "new", "/ head_dim**0.5": "changed", "attn_weights[t] * v_h[t][j]": "changed",
    "x_attn.extend(head_out)": "new", 'linear(x_attn, state_dict[f"layer{li}.attn_wo"])': "renamed",
    "zip(x, x_residual)": "", 'linear(x, state_dict[f"layer{li}.mlp_fc1"])': "renamed", "xi.relu()": "",
    'linear(x, state_dict[f"layer{li}.mlp_fc2"])': "renamed", 'linear(x, state_dict["lm_head"])': "",
}


def test_the_flow_on_4_1_follows_the_code(pages):
    html = pages["step-4/what-changes"].article
    figure = html[html.index('<figure class="mgv-figure mgv-flow">'):]
    figure = figure[:figure.index("</figure>")]
    step3_src = (ROOT / "microgpt" / "step3_attention.py").read_text()
    step4_src = (ROOT / "microgpt" / "step4_transformer.py").read_text()
    shapes = dict(STEP4_ORDER)
    steps = re.findall(r'<li class="mgv-flow__step( mgv-flow__step--\w+)?">(.*?)</li>', figure)
    assert len(steps) == 21
    seen = []
    for state, inner in steps:
        code = unescape(re.search(r'<code class="mgv-flow__code">(.*?)</code>', inner).group(1))
        assert code in step4_src, code
        state = state.replace(" mgv-flow__step--", "")
        assert state == FLOW_MARKS[code], code
        assert (f">{state}</strong>" in inner) == bool(state)
        # the marks agree with the two sources
        if state == "":
            assert code in step3_src, code
        elif state == "renamed":
            assert code not in step3_src and code.replace('f"layer{li}.', '"') in step3_src, code
        else:
            assert code not in step3_src, code
        for name, rows, cols in re.findall(r"<code>([\w.]+)</code> (\d+)×(\d+)", inner):
            assert shapes[name] == (int(rows), int(cols)), name
        seen.append(code)
    assert set(seen) == set(FLOW_MARKS)
    loop = re.search(r'<li class="mgv-flow__block mgv-flow__loop mgv-flow__loop--new">.*?</code>', figure).group(0)
    assert "for li in range(n_layer)" in loop and f"(n_layer = {N_LAYER} here)" in texts(loop)
    assert ">new</strong>" in loop   # the loop is new: Step 3 has none
    assert "for li in range(n_layer)" not in step3_src
    text = texts(figure)
    assert f"cut q, k and v into {N_HEAD} heads of {HEAD_DIM} numbers" in text
    assert f"per head: scores q_h·k_h / √{HEAD_DIM} over the positions so far" in text
    assert f"join the heads' outputs: x_attn, {N_EMBD} numbers again" in text
    assert "marked: what is new, changed or renamed since Step 3" in text


def test_the_parameter_table_on_4_1(pages, snapshots):
    page = pages["step-4/what-changes"]
    assert [(name, (len(m), len(m[0]))) for name, m in snapshots[4][0].items()] == STEP4_ORDER
    rows = " ".join(f"{name} {r}×{c} {r * c:,}" + (f" renamed (was {name[7:]} )" if name.startswith("layer0.") else "")
                    for name, (r, c) in STEP4_ORDER)
    says(page, rows)
    says(page, f"in all {sum(r * c for _, (r, c) in STEP4_ORDER):,}")
    says(page, "so the count is the same, 4,192. What changed is the names of the 6 matrices inside the loop")


def test_one_softmax_per_head_on_4_1(pages, snapshots):
    page = pages["step-4/what-changes"]
    pos, labels = 3, ["BOS", "e", "m", "m"]
    rows = [("Step 3: its one head", step3(snapshots[3][NUM_STEPS], "emma")[pos].weights[0])]
    four = step4(snapshots[4][NUM_STEPS], "emma")[pos].weights
    rows += [(f"Step 4: head {h}", w) for h, w in enumerate(four)]
    table = rows_of(block_after(page.article, "mgv-head-rows"))
    assert table[0] == ["softmax ↓ position attended →", "0 BOS", "1 e", "2 m", "3 m", "sum", "largest"]
    tops = []
    for (title, w), row in zip(rows, table[1:]):
        best = max(range(len(w)), key=lambda t: w[t])
        tops.append(who(labels, best, itself=pos))
        assert row == [title] + [t4(x) for x in w] + [t4(sum(w)), tops[-1]]
    assert len(table) == 1 + 1 + N_HEAD
    says(page, f"At this position, every row is close to an even split, {t4(1 / (pos + 1))} for each of the"
               f" {pos + 1} positions, and the rows are not all alike")
    assert all(abs(x - 1 / (pos + 1)) < 0.05 for _, w in rows for x in w)   # "close to an even split"
    says(page, f"head 0 gives its largest weight to {tops[1]}, head 1 to {tops[2]}, head 2 to {tops[3]} and head 3"
               f" to {tops[4]}.")
    assert len(set(tops[1:])) > 1   # "the rows are not all alike"
    # "Some of these leanings are slight": head 1's first and second choices, e and itself, a hair apart
    ranked = sorted(range(pos + 1), key=lambda t: -four[1][t])
    assert ranked[:2] == [1, 3] and four[1][1] - four[1][3] < 0.001
    says(page, f"head 1 takes {t4(four[1][1])} from e and {t4(four[1][3])} from itself.")


def test_one_layer_on_4_1(pages, snapshots):
    page = pages["step-4/what-changes"]
    a = step4(snapshots[4][NUM_STEPS], "emma")[2]
    b = step4(snapshots[4][NUM_STEPS], "amy")[2]
    assert a.token == b.token == LETTERS.index("m")
    table = rows_of(block_after(page.article, "mgv-place"))
    assert table[0] == ["vector", "[0] in “emma”", "[0] in “amy”", "largest difference"]
    gaps = {}
    for row, key in zip(table[1:], ["input", "q", "k", "v", "x_attn", "after_attn", "after_mlp"]):
        u, w = getattr(a, key), getattr(b, key)
        gaps[key] = max(abs(x - y) for x, y in zip(u, w))
        assert row[1:] == [t4(u[0]), t4(w[0]), t4(gaps[key])], key
    for key in ("input", "q", "k", "v"):
        assert gaps[key] == 0.0   # "identical in both names (the largest difference is zero)"
    says(page, "the query, key and value this position makes are identical in both names (the largest difference is"
               " zero). Only what attention gathers, from the keys and values of the earlier positions, differs")
    assert all(gaps[key] > 0 for key in ("x_attn", "after_attn", "after_mlp"))
    says(page, f"for the two m 's already differs (by up to {t4(gaps['after_mlp'])} here)")
    says(page, f"This step's run keeps n_layer = {N_LAYER}")


def source_lines(module):
    """The lines a diff counts: no blank lines, no module docstring, no snippet marks."""
    text = (ROOT / "microgpt" / f"{module}.py").read_text()
    body = text.split('"""', 2)[2] if text.startswith('"""') else text
    return [line for line in body.splitlines() if line.strip() and not re.match(r"\s*#\s*-+8<-+", line)]


def test_the_diff_counts_on_4_1(pages):
    m = re.search(r"(\d+) lines go, (\d+) come, and (\d+) stay as they were", pages["step-4/what-changes"].text)
    removed, added, kept = map(int, m.groups())
    assert removed + kept == len(source_lines("step3_attention"))
    assert added + kept == len(source_lines("step4_transformer"))


# ---------------------------------------------------------------- 4.2 the idea


def test_the_heads_figure_on_4_2(pages, snapshots):
    page = pages["step-4/multi-head-idea"]
    p = step4(snapshots[4][NUM_STEPS], "emma")[3]
    figure = block_after(page.article, "mgv-head-fig", "figure")
    rows = rows_of(figure)
    assert rows[0] == ["3 m"] + [f"head {h} [{h * HEAD_DIM}:{(h + 1) * HEAD_DIM}]" for h in range(N_HEAD)]
    assert rows[1] == [str(j) for j in range(N_EMBD)]
    for row, what in zip(rows[2:], ("q", "k", "v")):
        assert row == [what] + [t4(x, 2) for x in getattr(p, what)]
    # each number's cell carries its head's class, the first of each group marked
    cells = re.findall(r'<td class="mgv-hs mgv-hs--(\d)( mgv-hs-first)?">', figure)
    assert len(cells) == 3 * N_EMBD
    for i, (head, first) in enumerate(cells):
        j = i % N_EMBD
        assert int(head) == j // HEAD_DIM and bool(first) == (j % HEAD_DIM == 0)
    assert (f"cut into {N_HEAD} heads of {HEAD_DIM}: head h reads numbers h × {HEAD_DIM} to h × {HEAD_DIM} +"
            f" {HEAD_DIM - 1}") in texts(figure)
    assert f"Each head divides its dot products by √{HEAD_DIM} = {math.sqrt(HEAD_DIM):g}." in texts(figure)


def test_the_idea_prose_on_4_2(pages):
    page = pages["step-4/multi-head-idea"]
    says(page, f"each is cut into {N_HEAD} slices of {HEAD_DIM} numbers")
    says(page, f"a dot product of {N_EMBD} products per key")
    says(page, f"{N_HEAD} × {HEAD_DIM} = {N_EMBD} products per key, as many as Step 3's one score did")
    assert N_HEAD * HEAD_DIM == N_EMBD
    says(page, f"so the code divides by head_dim**0.5, {math.sqrt(HEAD_DIM):g}, where Step 3 divided by"
               f" n_embd**0.5, {math.sqrt(N_EMBD):g}.")
    says(page, f"The query is still made by one {N_EMBD}×{N_EMBD} matrix, layer0.attn_wq")
    says(page, "So the model still has 4,192 parameters, as Step 3's had (4,192)")
    says(page, f"still a {N_EMBD}×{N_EMBD} matrix")
    # "n_head appears nowhere in init_model()"
    source = (ROOT / "microgpt" / "step4_transformer.py").read_text()
    init = source[source.index("# --8<-- [start:params]"):source.index("# --8<-- [end:params]")]
    assert "def init_model" in init and "n_head" not in init and "head_dim" not in init
    defined = so_far(pages["step-4/layer-loop"].html)
    assert defined[0] == f"n_head — {N_HEAD} attention heads per layer: attention runs {N_HEAD} times at each" \
                         " position, once per slice"
    assert defined[1] == (f"head_dim — {HEAD_DIM} numbers, the width of one head's slice: n_embd // n_head ="
                          f" {N_EMBD} // {N_HEAD}")


# ---------------------------------------------------------------- 4.4 the layer loop


def test_the_state_dict_on_4_4(pages, snapshots):
    page = pages["step-4/layer-loop"]
    shapes = {name: (len(m), len(m[0])) for name, m in snapshots[4][0].items()}
    outside = {n: s for n, s in shapes.items() if not n.startswith("layer")}
    layer0 = {n: s for n, s in shapes.items() if n.startswith("layer0.")}
    assert len(outside) + len(layer0) == len(shapes)
    size = {k: sum(r * c for r, c in g.values()) for k, g in (("out", outside), ("l0", layer0))}
    assert size == {"out": 1120, "l0": 3072}
    expected = [["matrix", "shape", "numbers"], ["Outside the loop: embeddings and lm_head", f"{size['out']:,}"]]
    expected += [[n, f"{r}×{c}", f"{r * c:,}"] for n, (r, c) in outside.items()]
    expected += [["Layer 0: its names begin with layer0.", f"{size['l0']:,}"]]
    expected += [[n, f"{r}×{c}", f"{r * c:,}"] for n, (r, c) in layer0.items()]
    expected += [[f"in all ({len(shapes)} matrices)", f"{size['out'] + size['l0']:,}"]]
    assert table_rows(page.article, "mgv-state-dict") == expected
    says(page, f"then the {len(layer0)} of each layer")
    says(page, f"Each layer holds {size['l0']:,} numbers")
    says(page, f"The matrices outside the loop hold {size['out']:,}.")
    names = ", ".join("layer1." + n[len("layer0."):] for n in layer0)
    says(page, f"makes a second set of {len(layer0)} matrices, {names}, the loop")
    says(page, f"The model would grow by {size['l0']:,} parameters, to {size['out'] + 2 * size['l0']:,};")
    says(page, "Step 3's state_dict had the same matrices, of the same shapes; here lm_head is made right after the"
               " embeddings rather than last")
    assert list(shapes)[:3] == ["wte", "wpe", "lm_head"] and STEP3_ORDER[-1][0] == "lm_head"
    assert sorted(shapes.values()) == sorted(shape for _, shape in STEP3_ORDER)
    says(page, f"the number of passes through the loop body at each position is {N_LAYER}: each call of gpt() makes"
               f" one query, one key and one value, and {N_HEAD} sets of attention weights")
    defined = so_far(pages["step-4/kv-cache"].html)
    assert "n_layer — how many times the loop in gpt() runs its two blocks, each time with the next layer's" \
           f" matrices and cache: {N_LAYER} here" in defined
    assert f"layer{{i}}. — the start of the names of layer i's matrices in the state_dict: layer0.attn_wq ..." \
           f" layer0.mlp_fc2, {size['l0']:,} numbers per layer" in defined


# ---------------------------------------------------------------- 4.5 the per-layer cache


def test_the_cache_on_4_5(pages, snapshots):
    page = pages["step-4/kv-cache"]
    trained = step4(snapshots[4][NUM_STEPS], "emma")
    keys = [[p.k for p in trained]]   # one list per layer (n_layer = 1): what forward()'s cache ends with
    says(page, f"keys holds {len(keys)} list, one per layer (n_layer is {N_LAYER}). That list, keys[0], holds"
               f" {len(keys[0])} keys, one for each position")
    says(page, f"each key has {len(keys[0][0])} numbers")
    says(page, f"In all, the cache holds {2 * len(keys) * len(keys[0]) * N_EMBD} numbers.")
    says(page, f"So head 0 reads the first {HEAD_DIM} numbers of every key and value")
    says(page, "The numbers of the vectors are rounded to 2 decimals;")
    says(page, f"The rows are the {N_EMBD} numbers of these vectors, grouped by head")
    says(page, f"one per position cached so far: {N_HEAD} softmaxes, each adding up to one.")
    assert so_far(pages["step-4/training-results"].html)[-2:] == [
        f"empty_cache() — a fresh cache: keys and values, each a list of n_layer empty lists; after “emma”, each"
        f" layer’s list of keys holds {len(keys[0])} keys of {N_EMBD} numbers",
        "keys[li], values[li] — layer li's cache: one key (one value) per position so far, each read by head h as its"
        " slice ki[hs:hs + head_dim]"]


def test_the_layer_cache_player(pages, built_site, snapshots):
    page = pages["step-4/kv-cache"]
    data = frames(built_site[0], page.html, "layer-cache")
    trained = step4(snapshots[4][NUM_STEPS], "emma")
    names = ["BOS", "e", "m", "m", "a"]
    assert data["labels"] == names and data["digits"] == 2 and data["layer"] == 0
    assert data["heads"] == N_HEAD and data["size"] == HEAD_DIM
    assert data["keys"] == [[round(x, 2) for x in p.k] for p in trained]
    assert data["values"] == [[round(x, 2) for x in p.v] for p in trained]
    for frame, p in zip(data["positions"], trained):
        assert frame["q"] == [round(x, 2) for x in p.q]
        assert frame["weights"] == [[round(w, 4) for w in head] for head in p.weights]
        assert all(abs(sum(head) - 1) < 1e-12 for head in p.weights)
        assert frame["x_attn"] == [round(x, 2) for x in p.x_attn]
    # without JavaScript: the last position, the cache full, its newest pair of columns marked
    shell = player(page.html, "layer-cache")
    last = trained[-1]
    assert "Position 4, a: keys[0] and values[0] hold 5 entries of 16 numbers each" in texts(shell)
    rows = table_rows(shell, "mgv-kvh")
    assert rows[0] == ["keys[0], values[0]", "q (4 a)"] + [f"{t} {n}" + (" new" if t == 4 else "")
                                                         for t, n in enumerate(names)] + ["x_attn"]
    assert rows[1] == [f"{kv} {t}" for t in range(5) for kv in "kv"]
    body = rows[2:]
    assert len(body) == N_HEAD * (1 + HEAD_DIM)
    for h in range(N_HEAD):
        group = body[h * (1 + HEAD_DIM):(h + 1) * (1 + HEAD_DIM)]
        assert group[0] == [f"head {h} [{h * HEAD_DIM}:{(h + 1) * HEAD_DIM}]", "weight"] + \
            [t4(w) for w in last.weights[h]] + [""]
        for j, row in zip(range(h * HEAD_DIM, (h + 1) * HEAD_DIM), group[1:]):
            assert row == [str(j), t4(last.q[j], 2)] + [t4(x, 2) for p in trained for x in (p.k[j], p.v[j])] + \
                [t4(last.x_attn[j], 2)]
    assert "later" not in texts(shell) and "mgv-kv-later" not in shell


# ---------------------------------------------------------------- 4.6 training and results


def draw(rng, order):
    """The parameters drawn as init_model draws them: one gauss(0, 0.08) per entry, matrix by matrix."""
    return {name: [[rng.gauss(0, 0.08) for _ in range(c)] for _ in range(r)] for name, (r, c) in order}


def test_the_init_order_on_4_6(pages, snapshots, names_path):
    page = pages["step-4/training-results"]
    drawn = {}
    for step, order in ((3, STEP3_ORDER), (4, STEP4_ORDER)):
        _, _, rng = shuffled(names_path)
        drawn[step] = draw(rng, order)
        assert drawn[step] == snapshots[step][0]   # the spec's order is the run's
    spans = {}
    for step, order in ((3, STEP3_ORDER), (4, STEP4_ORDER)):
        first = 1
        for place, (name, (r, c)) in enumerate(order, start=1):
            spans[step, name.removeprefix("layer0.")] = (place, first, first + r * c - 1)
            first += r * c
    rows = rows_of(block_after(page.article, "mgv-init-order"))
    assert rows[0] == ["matrix", "drawn in Step 3", "drawn in Step 4", "[0][0] in Step 3", "[0][0] in Step 4",
                       "all equal"]
    for row, (name, _) in zip(rows[1:], STEP4_ORDER):
        base = name.removeprefix("layer0.")
        (p3, a3, b3), (p4, a4, b4) = spans[3, base], spans[4, base]
        same = drawn[3][base] == drawn[4][name]
        label = name + (f" Step 3: {base}" if base != name else "")
        assert row == [label, f"{ordinal(p3)} draws {a3:,}–{b3:,}", f"{ordinal(p4)} draws {a4:,}–{b4:,}",
                       t4(drawn[3][base][0][0]), t4(drawn[4][name][0][0]), "yes" if same else "no"], name
        assert same == (base in ("wte", "wpe"))   # "wte and wpe ... start equal ... Every other matrix ... other draws"
    assert len(rows) == 1 + len(STEP4_ORDER)
    # lm_head takes the draws that began Step 3's attn_wq: the same first number
    says(page, f"lm_head now takes draws {spans[4, 'lm_head'][1]:,} to {spans[4, 'lm_head'][2]:,}, which in Step 3"
               f" filled attn_wq ({spans[3, 'attn_wq'][1]:,} to {spans[3, 'attn_wq'][2]:,}) and the start of attn_wk")
    assert spans[4, "lm_head"][1] == spans[3, "attn_wq"][1] and spans[4, "lm_head"][2] > spans[3, "attn_wk"][1]
    assert drawn[4]["lm_head"][0][0] == drawn[3]["attn_wq"][0][0]
    says(page, f"begins with {t4(drawn[4]['lm_head'][0][0])}, as Step 3's attn_wq did ({t4(drawn[3]['attn_wq'][0][0])})")
    # "the matrices of the layer come after it, each shifted by the size of lm_head"
    for name, _ in STEP3_ORDER[2:8]:
        assert spans[4, name][1] - spans[3, name][1] == 27 * 16
    says(page, "Step 3 made lm_head last; Step 4 makes it right after the embeddings.")
    assert STEP3_ORDER[-1][0] == "lm_head" and STEP4_ORDER[2][0] == "lm_head"
    says(page, "Both programs seed the random generator with 42")


def test_whose_numbers_whose_model_on_4_6(pages, snapshots, runs):
    page = pages["step-4/training-results"]
    start3, start4 = snapshots[3][0], snapshots[4][0]
    as3 = {n.removeprefix("layer0."): m for n, m in start4.items()}          # Step 4's numbers, Step 3's names
    as4 = {("layer0." + n if n not in ("wte", "wpe", "lm_head") else n): m for n, m in start3.items()}
    doc = runs[3]["steps"][0]["doc"]
    assert doc == runs[4]["steps"][0]["doc"] == "yuheng"
    loss = {(3, 3): loss_of(step3(start3, doc)), (4, 3): loss_of(step4(as4, doc)),
            (3, 4): loss_of(step3(as3, doc)), (4, 4): loss_of(step4(start4, doc))}   # (model, numbers)
    assert abs(loss[3, 3] - runs[3]["steps"][0]["loss"]) < 1e-12 and abs(loss[4, 4] - runs[4]["steps"][0]["loss"]) < 1e-12
    rows = rows_of(block_after(page.article, "The loss of “yuheng”"))
    assert rows == [["initial numbers", "Step 3's gpt()", "Step 4's gpt()"],
                    ["Step 3's numbers", f"{loss[3, 3]:.4f}", f"{loss[4, 3]:.4f}"],
                    ["Step 4's numbers", f"{loss[3, 4]:.4f}", f"{loss[4, 4]:.4f}"]]
    says(page, "The loss of “yuheng”, the name of training step 1, before any training")
    by_numbers = min(abs(loss[m, 3] - loss[m, 4]) for m in (3, 4))
    by_model = max(abs(loss[3, n] - loss[4, n]) for n in (3, 4))
    assert by_numbers > 10 * by_model   # "comes mostly from the order of the draws, not from the heads"
    says(page, f"moves the loss by {by_numbers:.4f} or more; changing only the model, with the numbers kept, by"
               f" {by_model:.4f} at most.")
    says(page, f"the difference between the two runs' first losses, {runs[3]['steps'][0]['loss']:.4f} and"
               f" {runs[4]['steps'][0]['loss']:.4f}, comes mostly from the order of the draws")


def losses(runs, step):
    return [s["loss"] for s in runs[step]["steps"]]


def test_the_losses_on_4_6(pages, runs):
    page = pages["step-4/training-results"]
    l2, l3, l4 = losses(runs, 2), losses(runs, 3), losses(runs, 4)
    mean = {step: sum(losses(runs, step)[900:]) / 100 for step in (3, 4)}
    says(page, "setting Step 3 Step 4 parameters 4,192 4,192 learning rate (first step) 0.1 0.1 the model sees up to"
               " 16 tokens: the current one and those before it up to 16 tokens: the current one and those before it"
               f" the model gpt() gpt() mean loss, steps 901 to 1,000 {mean[3]:.4f} {mean[4]:.4f}")
    # the chart: three running means over 50 steps
    for step, values in ((2, l2), (3, l3), (4, l4)):
        run_mean = [sum(values[max(0, i - 49):i + 1]) / min(i + 1, 50) for i in range(len(values))]
        says(page, f"Step {step}: mean of the last 50: 1,000 points, from {run_mean[0]:.4g} at training step 1 to"
                   f" {float(f'{run_mean[-1]:.4g}'):g} at training step 1,000")
    stretch = {s: [sum(v[i:i + 100]) / 100 for i in range(0, 1000, 100)] for s, v in ((2, l2), (3, l3), (4, l4))}
    table = rows_of(block_after(page.article, "Average loss per stretch of 100 steps"))
    assert table[0] == ["training steps", "Step 2", "Step 3", "Step 4"]
    for k, row in enumerate(table[1:]):
        assert row == [f"{k * 100 + 1:,} to {(k + 1) * 100:,}"] + [f"{stretch[s][k]:.4f}" for s in (2, 3, 4)]
    lower = sum(1 for a, b in zip(stretch[3], stretch[4]) if b < a)
    gap = mean[3] - mean[4]
    step_gap = max(abs(a - b) for a, b in zip(l3, l4))
    lower_steps = sum(1 for a, b in zip(l3, l4) if b < a)
    says(page, f"Step 4's average is below Step 3's in {lower} of the 10 stretches, and in the last stretch by {gap:.4f}.")
    says(page, f"their losses on the same name differ by as much as {step_gap:.4f}; Step 4's is the lower one at"
               f" {lower_steps} of the 1,000 steps, close to half.")
    # what the prose concludes from those numbers
    assert lower > 5 and gap > 0                 # "with Step 4 slightly ahead on average"
    assert 0.45 < lower_steps / 1000 < 0.55      # "close to half"
    assert gap < step_gap / 10                   # the averages differ far less than single steps do
    assert [r["doc"] for r in runs[3]["steps"]] == [r["doc"] for r in runs[4]["steps"]]   # "the same names in the same order"


def test_the_samples_on_4_6(pages, runs):
    page = pages["step-4/training-results"]
    samples = {step: [line.split(": ", 1)[1] for line in reference_lines(step) if line.startswith("sample")]
               for step in (3, 4)}
    assert len(samples[4]) == 20 and samples[4] == runs[4]["samples"]
    says(page, "After training, Step 4 generates 20 names, at the same temperature, 0.5:")
    says(page, " ".join(samples[4]))
    same = sum(a == b for a, b in zip(samples[3], samples[4]))
    says(page, f"{same} of them are the same, at the same place in the list, as Step 3's")
    assert runs[3]["facts"]["num_params"] == runs[4]["facts"]["num_params"]   # "they drew as many numbers"
    # "a name is made from the same draws in both runs as long as the names before it took as many picks in
    # all": one pick per letter, and one for the end unless the name filled all BLOCK_SIZE places
    says(page, "Each pick, of a letter or of the end of the name, takes one draw")
    picks = {step: [min(len(name) + 1, BLOCK_SIZE) for name in samples[step]] for step in (3, 4)}
    for i, (a, b) in enumerate(zip(samples[3], samples[4])):
        if a == b:
            assert sum(picks[3][:i]) == sum(picks[4][:i]), i
    assert any(x != y for x, y in zip(picks[3], picks[4]))   # so "as long as" is not always


def test_train_is_step_3s_less_a_comment(built_site):
    """The definition of train() from 4.6, as the glossary shows it: the same code as Step 3's, less a comment."""
    def train_lines(module, strip):
        text = (ROOT / "microgpt" / f"{module}.py").read_text()
        body = text[text.index("def train("):text.index("# --8<-- [end:training]")]
        return [re.sub(r"\s*#.*$", "", line) if strip else line for line in body.splitlines()]
    assert train_lines("step3_attention", True) == train_lines("step4_transformer", True)
    assert train_lines("step3_attention", False) != train_lines("step4_transformer", False)
    glossary = texts((built_site[0] / "glossary" / "index.html").read_text())
    assert flat("the same code as Step 3's, less a comment: Step 2's training_loop and SGD, with Step 4's forward"
                " and a learning rate of 0.1 (4.6 Training and Results)") in flat(glossary)


# ---------------------------------------------------------------- every page


def test_no_directive_text_and_no_build_error(pages):
    for path, page in pages.items():
        assert "{{" not in page.article and "}}" not in page.article, path
        assert "build error" not in page.text, path
        for kind in re.findall(r'data-player="([\w-]+)" data-frames', page.html):
            fallback = texts(player(page.html, kind))
            assert not re.search(r"\b(press|click|button|Play|slider)\b", fallback), (path, kind)
