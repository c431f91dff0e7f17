"""Every value of Step 4's page 4.3 (multi-head attention: the code), checked in the built site.

What the page shows comes from hooks/pagedata/step4_heads.py, which reads step 4's own gpt() by
tracing it (microgpt.replay.internals). Here nothing of that is called: the snapshots are read from
the run cache the build wrote, and step 4's forward pass is written again below with plain floats
(embeddings, rmsnorm, q/k/v, then per head: the slices, the scores scaled by 1/sqrt(head_dim), softmax,
head_out; x_attn joined, attn_wo, the residual adds, the MLP block, lm_head). Every number the page and
its player show is compared with it, and every claim the prose makes about the heads is checked on it.
"""

import json
import math
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from hooks.runs import unpack_matrices
from tests.conftest import texts
from tests.page_kit import frames, linear, player, rmsnorm, says, so_far, softmax, t4, table_rows

LETTERS = "abcdefghijklmnopqrstuvwxyz"
LABELS = list(LETTERS) + ["BOS"]
V = len(LABELS)
BOS = V - 1


def encode(name):
    return [BOS] + [LETTERS.index(ch) for ch in name] + [BOS]


N_EMBD = 16        # MICROGPT-SPEC.md, Step 4
N_HEAD = 4
HEAD_DIM = 4
BLOCK_SIZE = 16
NUM_STEPS = 1000
SNAPSHOTS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
MINUS = "\u2212"
PAGE = "step-4/multi-head-code"
EXAMPLE = "emma"
NAMES = ["BOS", "e", "m", "m", "a"]
POS_LABELS = [f"{t} {x}" for t, x in enumerate(NAMES)]
SECOND_M = 3


# ---------------------------------------------------------------- step 4 by hand, plain floats


def forward(params, name):
    """Step 4's gpt() at every position of a name (one layer), every head's work kept."""
    tokens = encode(name)
    n = min(BLOCK_SIZE, len(tokens) - 1)
    keys, values, out = [], [], []
    for pos in range(n):
        x = rmsnorm([t + p for t, p in zip(params["wte"][tokens[pos]], params["wpe"][pos])])
        x_in = x
        h = rmsnorm(x)
        q, k, v = (linear(h, params[f"layer0.attn_w{m}"]) for m in "qkv")
        keys.append(k)
        values.append(v)
        heads, x_attn = [], []
        for head in range(N_HEAD):
            hs = head * HEAD_DIM
            scores = [sum(q[hs + j] * kt[hs + j] for j in range(HEAD_DIM)) / math.sqrt(HEAD_DIM) for kt in keys]
            weights = softmax(scores)
            head_out = [sum(weights[t] * values[t][hs + j] for t in range(len(values))) for j in range(HEAD_DIM)]
            heads.append(SimpleNamespace(scores=scores, weights=weights, out=head_out))
            x_attn += head_out
        after_attn = [a + b for a, b in zip(linear(x_attn, params["layer0.attn_wo"]), x_in)]
        hidden = [max(0.0, u) for u in linear(rmsnorm(after_attn), params["layer0.mlp_fc1"])]
        after_mlp = [a + b for a, b in zip(linear(hidden, params["layer0.mlp_fc2"]), after_attn)]
        logits = linear(after_mlp, params["lm_head"])
        out.append(SimpleNamespace(token=tokens[pos], q=q, k=k, v=v, heads=heads, x_attn=x_attn,
                                   probs=softmax(logits), next=tokens[pos + 1]))
    return out


def f4(x):
    return f"{x:.4f}"


def who(t, itself=None):
    """A position of "emma" in words, as the pages say it: e, BOS, the second m, itself."""
    if t == itself:
        return "itself"
    same = [i for i, x in enumerate(NAMES) if x == NAMES[t]]
    return NAMES[t] if len(same) == 1 else f"the {['first', 'second'][same.index(t)]} {NAMES[t]}"


def even_gap(positions, head):
    return max(abs(w - 1 / (pos + 1)) for pos, p in enumerate(positions) for w in p.heads[head].weights)


def cross_gaps(positions):
    """(|difference|, pos, t, head a, head b) of every cell two heads share, largest first."""
    gaps = [(abs(p.heads[a].weights[t] - p.heads[b].weights[t]), pos, t, a, b)
            for pos, p in enumerate(positions) for a in range(N_HEAD) for b in range(a + 1, N_HEAD)
            for t in range(pos + 1)]
    return sorted(gaps, key=lambda g: (-round(g[0], 12), g[1:]))   # a tie goes to the earliest cell


# ---------------------------------------------------------------- the run, and the site


def run_file(built_site, step):
    found = sorted(Path(built_site[2]["MICROGPT_RUN_CACHE"]).glob(f"step{step}-*.json"))
    assert len(found) == 1, found
    return json.loads(found[0].read_text())


@pytest.fixture(scope="module")
def run4(built_site):
    """Run 4 as the build's run cache holds it."""
    data = run_file(built_site, 4)
    assert data["settings"]["snapshots"] == SNAPSHOTS and data["facts"]["num_steps"] == NUM_STEPS
    return data


@pytest.fixture(scope="module")
def snapshots(run4):
    return {int(k): unpack_matrices(v) for k, v in run4["snapshots"].items()}


@pytest.fixture(scope="module")
def emma(snapshots):
    """Step 4's gpt() on "emma", by hand, as initialised and trained."""
    return {k: forward(snapshots[k], EXAMPLE) for k in (0, NUM_STEPS)}


@pytest.fixture(scope="module")
def page(built_site):
    html = (built_site[0] / PAGE / "index.html").read_text()
    article = html[html.index("<article"):html.index("</article>")]
    return SimpleNamespace(html=html, article=article, text=texts(article))


def r(xs, digits):
    return [round(x, digits) for x in xs]


# ---------------------------------------------------------------- the forward pass and the code


def test_the_hand_forward_pass_is_step_4s(run4, snapshots):
    """The forward pass written above gives the losses run 4 recorded: its first training step (the model as
    initialised) and the step after the snapshot at 500."""
    for step, after in ((1, 0), (501, 500)):
        record = run4["steps"][step - 1]
        positions = forward(snapshots[after], record["doc"])
        loss = sum(-math.log(p.probs[p.next]) for p in positions) / len(positions)
        assert abs(loss - record["loss"]) < 1e-12, (step, loss, record["loss"])


def test_the_code_and_the_walk_through(page):
    # the heads loop, from its snippet section; the block before and after it, from code_lines
    code = texts(page.article)
    for line in ["hs = h * head_dim", "q_h = q [ hs : hs + head_dim ]", "x_attn . extend ( head_out )",
                 "keys [ li ] . append ( k )", "x = linear ( x_attn , state_dict [ f \"layer { li } .attn_wo\" ])"]:
        assert line in code, line
    assert "--8&lt;--" not in page.article and "[start:" not in page.article
    assert N_HEAD * HEAD_DIM == N_EMBD
    says(page, f"n_head is {N_HEAD} and head_dim , the width of a slice, is {HEAD_DIM}: {N_HEAD} slices of"
               f" {HEAD_DIM} numbers cover the {N_EMBD} numbers of q .")
    says(page, f"at number 0 for the first head ( h = 0 ), {HEAD_DIM} for the second, {2 * HEAD_DIM} for the third,"
               " and so on.")
    says(page, f"For the third head that is q[{2 * HEAD_DIM}:{3 * HEAD_DIM}] , the numbers {2 * HEAD_DIM} to"
               f" {3 * HEAD_DIM - 1}.")
    says(page, f"{HEAD_DIM} products added up, divided by the square root of head_dim , {math.isqrt(HEAD_DIM)}."
               f" In Step 3 a score added {N_EMBD} products and was divided by {math.isqrt(N_EMBD)}:")
    says(page, f"for each of the {HEAD_DIM} numbers j")
    says(page, f"appends those {HEAD_DIM} numbers at the end of x_attn . The heads run in order, so after the loop"
               f" x_attn has {N_EMBD} numbers")
    says(page, f"so each has {N_EMBD} numbers.")
    says(page, f"each by linear with a {N_EMBD}×{N_EMBD} matrix")
    says(page, f"attn_wo is {N_EMBD}×{N_EMBD}: each of its rows takes a weighted sum of all {N_EMBD} numbers of"
               f" x_attn .")
    says(page, f"reads the outputs of all {N_HEAD} heads at once.")


def test_no_new_parameters(page, built_site, snapshots):
    def count(params):
        return sum(len(m) * len(m[0]) for m in params.values())

    run3 = {k: unpack_matrices(v) for k, v in run_file(built_site, 3)["snapshots"].items()}
    ours, theirs = count(snapshots[0]), count(run3["0"])
    assert ours == theirs == 4192
    says(page, f"So the model has {ours:,} parameters, as Step 3's had ({theirs:,}).")
    says(page, "q , k and v come from three matrices of the same shape as Step 3's")
    shapes3 = {name.removeprefix("layer0."): (len(m), len(m[0])) for name, m in run3["0"].items()}
    shapes4 = {name.removeprefix("layer0."): (len(m), len(m[0])) for name, m in snapshots[0].items()}
    assert shapes3 == shapes4 and shapes4["attn_wq"] == (N_EMBD, N_EMBD)
    says(page, f"The dot products and the weighted sums cost no more either. A score of one head adds up {HEAD_DIM}"
               f" products, so the {N_HEAD} heads add up as many products per key as Step 3's single score did, and"
               f" their weighted sums multiply each value's {N_EMBD} numbers once, as Step 3's did.")
    says(page, f"What does run once per head is what comes after the dot products: each key gets {N_HEAD} scores,"
               f" each divided by {math.isqrt(HEAD_DIM)}, where Step 3 had one score to divide, and each position"
               f" runs {N_HEAD} softmaxes instead of one.")
    says(page, f"all {N_EMBD} numbers of the values were mixed with it. Here each position has {N_HEAD} sets, one"
               f" per head, and each mixes only its own {HEAD_DIM} numbers of the values.")


def test_what_the_heads_cost(monkeypatch):
    """The arithmetic the page counts, counted on the code: Value operations of one gpt() call, Step 3's and
    Step 4's, and what one more key in the cache adds to them. Per key, Step 3 makes its dot product
    (N_EMBD products and sums), divides its score, and its softmax subtracts, exponentiates, sums and divides
    once; its weighted sum multiplies and adds N_EMBD numbers. Step 4 makes as many products and sums, but
    the scaling and the softmax's work per key happen once per head."""
    import random

    from microgpt import step3_attention, step4_transformer
    from microgpt.autograd import Value

    counts = {}
    for op in ("__add__", "__mul__", "exp"):
        def counted(self, *args, _op=op, _f=getattr(Value, op)):
            counts[_op] = counts.get(_op, 0) + 1
            return _f(self, *args)
        monkeypatch.setattr(Value, op, counted)

    tokenizer = SimpleNamespace(vocab_size=V, BOS=BOS)
    per_key = {}
    for step, module in ((3, step3_attention), (4, step4_transformer)):
        params = module.init_model(tokenizer, random.Random(0))
        keys, values = ([], []) if step == 3 else module.empty_cache()
        calls = []
        for pos, token in enumerate(encode(EXAMPLE)[:-1]):
            counts.clear()
            module.gpt(params, token, pos, keys, values)
            calls.append(dict(counts))
        steps = {op: {b[op] - a[op] for a, b in zip(calls, calls[1:])} for op in counts}
        assert all(len(v) == 1 for v in steps.values()), steps      # the same for every key added
        per_key[step] = {op: v.pop() for op, v in steps.items()}
    # products: dot product and weighted sum, then the score's division and the softmax's, once per softmax
    assert per_key[3]["__mul__"] == 2 * N_EMBD + 2
    assert per_key[4]["__mul__"] == 2 * N_EMBD + 2 * N_HEAD
    # sums: dot product and weighted sum, then the softmax's subtraction and total, once per softmax
    assert per_key[3]["__add__"] == 2 * N_EMBD + 2
    assert per_key[4]["__add__"] == 2 * N_EMBD + 2 * N_HEAD
    # exponentials: one per key and softmax
    assert (per_key[3]["exp"], per_key[4]["exp"]) == (1, N_HEAD)


def test_the_defines_reach_the_next_page(built_site):
    html = (built_site[0] / "step-4/layer-loop/index.html").read_text()
    items = so_far(html)
    for item in [f"hs — where head h's slice starts, h × head_dim: the third head's slice is"
                 f" q[{2 * HEAD_DIM}:{3 * HEAD_DIM}]",
                 f"q_h, k_h, v_h — one head's slices: {HEAD_DIM} numbers of the query, and the same {HEAD_DIM} of"
                 " every cached key and value",
                 f"head_out — one head's weighted sum of its v_h, {HEAD_DIM} numbers; x_attn joins the {N_HEAD} of"
                 f" them into {N_EMBD}"]:
        assert item in items, (item, items)


# ---------------------------------------------------------------- the heads player


def test_heads_player_frames(page, built_site, emma):
    data = frames(built_site[0], page.html, "heads")
    trained = emma[NUM_STEPS]
    assert data["labels"] == NAMES and data["pos"] == SECOND_M and data["name"] == EXAMPLE
    assert data["heads"] == N_HEAD and data["size"] == HEAD_DIM and data["digits"] == 2 and data["after"] == NUM_STEPS
    assert data["keys"] == [r(p.k, 2) for p in trained]
    assert data["values"] == [r(p.v, 2) for p in trained]
    for pos, (frame, p) in enumerate(zip(data["positions"], trained)):
        assert frame["q"] == r(p.q, 2)
        assert frame["x_attn"] == r(p.x_attn, 2)
        for head, h in enumerate(p.heads):
            assert frame["scores"][head] == r(h.scores, 4), (pos, head)
            assert frame["weights"][head] == r(h.weights, 4), (pos, head)
            assert len(h.weights) == pos + 1                       # causal: itself and the positions before
            assert abs(sum(h.weights) - 1) < 1e-12                 # each head's weights sum to 1
            assert frame["sums"][head] == 1.0
            # its head_out is its part of x_attn, where its slice came from
            assert frame["x_attn"][head * HEAD_DIM:(head + 1) * HEAD_DIM] == r(h.out, 2)
    # the heads really differ: not one set of weights copied four times
    for f in data["positions"][1:]:
        assert len({tuple(f["weights"][h]) for h in range(N_HEAD)}) == N_HEAD
    bound_q = max(abs(x) for row in data["keys"] + [f["q"] for f in data["positions"]] for x in row)
    bound_v = max(abs(x) for row in data["values"] + [f["x_attn"] for f in data["positions"]] for x in row)
    assert data["bounds"] == {"q": bound_q, "v": bound_v}


def test_heads_player_without_javascript(page, emma):
    """The last head at the second m: x_attn full, head 3's slices, scores, weights and head_out."""
    shell = player(page.html, "heads")
    p = emma[NUM_STEPS][SECOND_M]
    last = N_HEAD - 1
    hs = last * HEAD_DIM
    h = p.heads[last]
    assert (f"Position {SECOND_M}, the second m · head {last} of {N_HEAD} (hs = {hs}): q_h = q[{hs}:{hs + HEAD_DIM}]"
            in texts(shell))
    vectors = table_rows(shell, "mgv-heads-vectors")
    assert vectors[0] == ["j"] + [f"head {k}" for k in range(N_HEAD)]
    assert vectors[1] == [str(j) for j in range(N_EMBD)]
    assert vectors[2] == ["q (3 m)"] + [t4(x, 2) for x in p.q]
    assert vectors[3] == ["x_attn"] + [t4(x, 2) for x in p.x_attn]
    # the current head's slice is marked: its group header, its four numbers of q and of x_attn
    assert re.findall(r'class="mgv-heads-group mgv-heads-on">([^<]*)<', shell) == [f"head {last}"]
    assert len(re.findall(r'class="mgv-heat-cell mgv-heads-on"', shell)) == 2 * HEAD_DIM

    rows = table_rows(shell, "mgv-heads-one")
    cols = [str(j) for j in range(hs, hs + HEAD_DIM)]
    assert rows[0] == ["cached", f"k_h: k[{hs}:{hs + HEAD_DIM}]", "score", "weight", f"v_h: v[{hs}:{hs + HEAD_DIM}]"]
    assert rows[1] == cols + cols
    assert rows[2] == ["q_h (3 m)"] + [t4(x, 2) for x in p.q[hs:hs + HEAD_DIM]] + ["", "", ""]
    trained = emma[NUM_STEPS]
    for t in range(SECOND_M + 1):
        assert rows[3 + t] == ([POS_LABELS[t]] + [t4(x, 2) for x in trained[t].k[hs:hs + HEAD_DIM]]
                               + [t4(h.scores[t]), t4(h.weights[t])] + [t4(x, 2) for x in trained[t].v[hs:hs + HEAD_DIM]])
    assert rows[3 + SECOND_M + 1] == ["4 a", "not computed yet"]
    assert rows[-1] == ["head_out", "", "", "sum of the weights: Σ 1.0000"] + [t4(x, 2) for x in h.out]
    assert texts(re.search(r"<figcaption>([^<]*)</figcaption></figure>$", shell).group(1)) == \
        "The heads of layer 0 at position 3 of “emma”, with the model after 1,000 training steps"


def test_heads_player_prose(page, emma):
    says(page, f"x_attn fills up by {HEAD_DIM} numbers per head.")
    says(page, "The numbers of the vectors are rounded to 2 decimals.")
    says(page, "Without JavaScript the player shows the last head at the second m , when x_attn is full; with it,"
               " pick a position, then step through the heads.")
    assert "Pick the position" not in page.text     # no button to press before the text says JavaScript is needed
    firsts = [h.weights for h in emma[NUM_STEPS][0].heads]
    assert firsts == [[1.0]] * N_HEAD            # "and so in every head"
    says(page, "gives it all of its weight (1.0000 in every head)")


# ---------------------------------------------------------------- one map per head, and what they show


def test_one_map_per_head(page, emma):
    figure = re.search(r'<figure class="mgv-figure mgv-head-maps">.*?</figure>', page.article, re.DOTALL).group(0)
    maps = re.findall(r'<div class="mgv-head-map">(.*?</table></div>)</div>', figure, re.DOTALL)
    assert len(maps) == N_HEAD
    trained = emma[NUM_STEPS]
    for head, html in enumerate(maps):
        assert f">Head {head}</p>" in html
        rows = table_rows(html, "mgv-attn-map")
        assert rows[0] == ["asking ↓ attended →"] + POS_LABELS + ["sum"]
        for pos, row in enumerate(rows[1:]):
            weights = trained[pos].heads[head].weights
            assert row == ([POS_LABELS[pos]] + [t4(w) for w in weights] + ["later: not seen"] * (4 - pos)
                           + ["1.0000"]), (head, pos)
        assert "<caption>" not in html   # the figure's caption says it once for the four
    says(page, "in each of the 4 heads, with the model after 1,000 training steps")
    # the caption's sum is what every row of every map adds up to, as the sum column shows it
    sums = {f"{round(sum(p.heads[h].weights), 4):g}" for p in trained for h in range(N_HEAD)}
    assert sums == {"1"}
    assert texts(re.search(r"<figcaption>(.*?)</figcaption>", figure).group(1)) == (
        "The attention weights of “emma” in each head, after 1,000 training steps. Rows: the position asking"
        f" (its query); columns: the positions it looks at (their keys); each row sums to {sums.pop()}.")


def test_where_each_head_looks(page, emma):
    trained = emma[NUM_STEPS]
    rows = table_rows(page.article, "mgv-heads-top")
    assert rows[0] == ["head"] + [f"{label} looks at" for label in POS_LABELS[1:]] + ["furthest from an even split"]
    for head in range(N_HEAD):
        cells = []
        for pos in range(1, len(trained)):
            w = trained[pos].heads[head].weights
            best = max(range(len(w)), key=lambda t: w[t])
            cells.append(f"{who(best, pos)} {t4(w[best])}")
        assert rows[1 + head] == [f"head {head}"] + cells + [t4(even_gap(trained, head))]
    caption = re.search(r'<table class="[^"]*mgv-heads-top.*?<caption>(.*?)</caption>', page.article, re.DOTALL)
    assert texts(caption.group(1)) == (
        "Each cell: the position that gets the head’s largest weight, and that weight, after 1,000 training steps."
        " BOS, at position 0, sees only itself. The last column: the head’s largest distance from an even split,"
        " over its whole map.")


def mean_gap(positions):
    """The mean |difference| between two heads' weights at a cell, over every pair and every cell after BOS's row."""
    gaps = [g[0] for g in cross_gaps(positions) if g[1] > 0]
    assert len(gaps) == N_HEAD * (N_HEAD - 1) // 2 * sum(range(2, len(positions) + 1))
    return sum(gaps) / len(gaps)


def test_what_the_heads_show(page, emma):
    trained, initial = emma[NUM_STEPS], emma[0]
    gap, pos, t, a, b = cross_gaps(trained)[0]
    wa, wb = trained[pos].heads[a].weights[t], trained[pos].heads[b].weights[t]
    assert (pos, t, a, b) == (2, 2, 0, 2)
    mean = mean_gap(trained)
    assert mean < gap / 3 and gap < 0.1                           # "The heads differ, but not by much"
    says(page, f"Over every pair of heads and every cell after BOS's row, two heads' weights on the same cell differ"
               f" by {f4(mean)} on average. The largest difference is {f4(gap)}: the first m’s weight on itself,"
               f" {f4(wa)} in head 0 and {f4(wb)} in head 2.")

    gaps = [even_gap(trained, h) for h in range(N_HEAD)]
    order = sorted(range(N_HEAD), key=lambda h: -gaps[h])
    assert order[0] == 0                                          # "the head that leans most is head 0"
    # the cell furthest from an even split in any map: head 0, the first m on itself
    cells = [(abs(w - 1 / (p + 1)), h, p, s) for h in range(N_HEAD) for p, q in enumerate(trained)
             for s, w in enumerate(q.heads[h].weights)]
    _, h, p, s = max(cells)
    assert (h, p, s) == (0, 2, 2)
    w0 = trained[2].heads[0].weights
    says(page, f"The head that leans most is head 0. The cell furthest from an even split in any of the maps is its"
               f" first m looking at itself: {f4(w0[2])}, where an even split would give {f4(1 / 3)}, a gap of"
               f" {f4(gaps[0])}.")
    # further on, head 0's two largest weights go to the two m's, each above an even share, nearly tied
    m1, m2 = 2, 3
    for p in (3, 4):
        w = trained[p].heads[0].weights
        assert sorted(range(p + 1), key=lambda s: -w[s])[:2] == [m1, m2], p   # the table names the first m
        assert min(w[m1], w[m2]) > 1 / (p + 1) and abs(w[m1] - w[m2]) < 0.01, p
    w3, w4 = trained[3].heads[0].weights, trained[4].heads[0].weights
    says(page, f"Further on, head 0 gives the two m 's more than an even share each, but hardly more to one than to"
               f" the other: at the second m , {f4(w3[m1])} to the first m and {f4(w3[m2])} to itself (an even"
               f" split: {f4(1 / 4)}); at a , {f4(w4[m1])} and {f4(w4[m2])} (an even split: {f4(1 / 5)}). So where"
               f" the table names the first m in those two columns, it is a near tie.")
    says(page, f"but none of their weights is more than {f4(gaps[order[1]])} from an even split.")

    igap, ipos, it, ia, ib = cross_gaps(initial)[0]
    imean = mean_gap(initial)
    assert (ipos, it) == (1, 0)
    # "about as much as after training": the largest within a tenth, the mean within 15 %
    assert abs(igap - gap) < 0.1 * gap and abs(imean - mean) < 0.15 * mean
    says(page, f"two heads already differed by {f4(imean)} on average and by {f4(igap)} at most (e’s weight on BOS,"
               f" {f4(initial[ipos].heads[ia].weights[it])} in head {ia} and {f4(initial[ipos].heads[ib].weights[it])}"
               f" in head {ib}): about as much as after training,")
    before = [even_gap(initial, h) for h in range(N_HEAD)]
    nearer = [h for h in range(N_HEAD) if gaps[h] < before[h]]
    assert nearer == [1, 2, 3] and gaps[0] > before[0]
    says(page, f"Training moved head 0 further from an even split (from {f4(before[0])} to {f4(gaps[0])}) and"
               f" brought {len(nearer)} of the {N_HEAD} heads closer to it.")
    says(page, f"the heads are {N_HEAD} slightly different mixes rather than {N_HEAD} specialists.")
    assert max(gaps) < 0.1                                        # no head strays far from an even split


def test_no_directive_text_and_no_buttons_without_javascript(page):
    assert "{{" not in page.article and "}}" not in page.article
    assert "build error" not in page.text
    fallback = texts(player(page.html, "heads"))
    assert not re.search(r"\b(press|click|button|Play|slider)\b", fallback)
    assert re.findall(r'data-player="([\w-]+)"', page.html) == ["heads"]
