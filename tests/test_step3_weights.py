"""Every value of Step 3's pages 3.5 to 3.7 (scores and weights, attention output and residuals,
the KV cache), checked in the built site.

What the pages show comes from hooks/pagedata/step3_weights.py, which traces step 3's own gpt()
(microgpt.replay.internals). Here nothing of that is called: the snapshots are read from the run
cache the build wrote, and step 3's forward pass is written again below with plain floats
(embeddings, rmsnorm, q/k/v, the scores, softmax, the weighted sum, attn_wo, the residual adds, the
MLP block, lm_head). Every number a page shows is compared with it, and every claim the prose
makes about those numbers ("both m's look most at e") is checked on it too.
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


N_EMBD = 16        # MICROGPT-SPEC.md, Step 3
BLOCK_SIZE = 16
HIDDEN = 4 * N_EMBD
NUM_STEPS = 1000
SNAPSHOTS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
MINUS = "\u2212"
PAGES = ["step-3/scores-weights", "step-3/output-residuals", "step-3/kv-cache"]
EXAMPLE = "emma"
SECOND_M = 3       # the position the pages work on: BOS e m m a, the second m


# ---------------------------------------------------------------- step 3 by hand, plain floats


def forward(params, name):
    """Step 3's gpt() at every position of a name, every intermediate kept."""
    tokens = encode(name)
    n = min(BLOCK_SIZE, len(tokens) - 1)
    keys, values, out = [], [], []
    for pos in range(n):
        x = [t + p for t, p in zip(params["wte"][tokens[pos]], params["wpe"][pos])]
        x = rmsnorm(x)
        x_in = x
        h = rmsnorm(x)
        q, k, v = linear(h, params["attn_wq"]), linear(h, params["attn_wk"]), linear(h, params["attn_wv"])
        keys.append(k)
        values.append(v)
        scores = [sum(a * b for a, b in zip(q, kt)) / math.sqrt(N_EMBD) for kt in keys]
        weights = softmax(scores)
        x_attn = [sum(weights[t] * values[t][j] for t in range(len(values))) for j in range(N_EMBD)]
        attn_out = linear(x_attn, params["attn_wo"])
        after_attn = [a + b for a, b in zip(attn_out, x_in)]
        hidden = linear(rmsnorm(after_attn), params["mlp_fc1"])
        relu = [max(0.0, u) for u in hidden]
        mlp_out = linear(relu, params["mlp_fc2"])
        after_mlp = [a + b for a, b in zip(mlp_out, after_attn)]
        logits = linear(after_mlp, params["lm_head"])
        out.append(SimpleNamespace(token=tokens[pos], q=q, k=k, v=v, dots=[s * math.sqrt(N_EMBD) for s in scores],
                                   scores=scores, weights=weights, x_attn=x_attn, input=x_in, attn_out=attn_out,
                                   after_attn=after_attn, relu=relu, mlp_out=mlp_out, after_mlp=after_mlp,
                                   logits=logits, probs=softmax(logits), next=tokens[pos + 1]))
    return out


def length(v):
    return math.sqrt(sum(x * x for x in v))


def f4(x):
    return f"{x:.4f}"


def who(labels, t, itself=None):
    """A position in words, as the pages say it: e, BOS, the second m, itself."""
    if t == itself:
        return "itself"
    same = [i for i, x in enumerate(labels) if x == labels[t]]
    return labels[t] if len(same) == 1 else f"the {['first', 'second', 'third'][same.index(t)]} {labels[t]}"


# ---------------------------------------------------------------- the run, and the site


@pytest.fixture(scope="module")
def run3(built_site):
    """Run 3 as the build's run cache holds it."""
    found = sorted(Path(built_site[2]["MICROGPT_RUN_CACHE"]).glob("step3-*.json"))
    assert len(found) == 1, found
    data = json.loads(found[0].read_text())
    assert data["settings"]["snapshots"] == SNAPSHOTS and data["facts"]["num_steps"] == NUM_STEPS
    return data


@pytest.fixture(scope="module")
def snapshots(run3):
    """The parameters run 3 kept, by the number of steps after which it kept them."""
    return {int(k): unpack_matrices(v) for k, v in run3["snapshots"].items()}


@pytest.fixture(scope="module")
def emma(snapshots):
    """Step 3's gpt() on "emma", by hand, at every snapshot."""
    return {k: forward(params, EXAMPLE) for k, params in snapshots.items()}


@pytest.fixture(scope="module")
def pages(built_site):
    out = {}
    for path in PAGES:
        html = (built_site[0] / path / "index.html").read_text()
        article = html[html.index("<article"):html.index("</article>")]
        out[path] = SimpleNamespace(html=html, article=article, text=texts(article))
    return out


# ---------------------------------------------------------------- 3.5 scores and weights


def test_the_hand_forward_pass_is_step_3s(run3, snapshots):
    """The forward pass written above gives the losses run 3 recorded: its first training step (the model as
    initialised) and the step after the snapshot at 500 (the model after 500 steps)."""
    for step, after in ((1, 0), (501, 500)):
        record = run3["steps"][step - 1]
        positions = forward(snapshots[after], record["doc"])
        loss = sum(-math.log(p.probs[p.next]) for p in positions) / len(positions)
        assert abs(loss - record["loss"]) < 1e-12, (step, loss, record["loss"])


def test_scores_page_worked_score(pages, emma):
    page = pages["step-3/scores-weights"]
    p = emma[NUM_STEPS][SECOND_M]
    e = emma[NUM_STEPS][1]
    products = [a * b for a, b in zip(p.q, e.k)]
    rows = table_rows(page.article, "mgv-qk")
    assert rows[0] == ["j", "q (3 m)", "k 1 (1 e)", "q[j] × k 1 [j]"]
    assert rows[1:1 + N_EMBD] == [[str(j), t4(p.q[j]), t4(e.k[j]), t4(products[j])] for j in range(N_EMBD)]
    assert rows[1 + N_EMBD:] == [["sum: q·k 1", t4(sum(products))], ["÷ √16 = 4: the score", t4(p.scores[1])]]
    says(page, f"The products add up to {f4(sum(products))}, and divided by 4 that is the score, {f4(p.scores[1])}.")
    says(page, "adds the 16 products")
    says(page, "(here the square root of 16, 4)")
    says(page, "a dot product is a vote of all 16 numbers at once")


def test_scores_page_softmax(pages, emma):
    page = pages["step-3/scores-weights"]
    p = emma[NUM_STEPS][SECOND_M]
    top = max(p.scores)
    exps = [math.exp(s - top) for s in p.scores]
    rows = table_rows(page.article, "mgv-softmax-steps")
    assert rows[0] == ["t", "score", "score − max", "exp(score − max)", "÷ total: the weight"]
    labels = ["0 BOS", "1 e", "2 m", "3 m"]
    assert rows[1:5] == [[labels[t], t4(s), t4(s - top), t4(x), t4(w)]
                         for t, (s, x, w) in enumerate(zip(p.scores, exps, p.weights))]
    assert rows[5] == ["total", t4(sum(exps)), t4(sum(p.weights))] and t4(sum(p.weights)) == "1.0000"
    says(page, "they add up to one (1.0000 here)")
    says(page, f"The scores are small, from {f4(min(p.scores))} to {f4(max(p.scores))},")
    says(page, f"which would give each of the 4 positions {f4(1 / 4)}. The largest, {f4(max(p.weights))}, goes to e .")
    says(page, "Its query is compared with 4 keys: those of BOS, e , the first m and its own.")
    says(page, "The second m has 4 scores, one per position it can see.")
    assert max(range(4), key=lambda t: p.weights[t]) == 1  # e
    assert all(abs(s) < 0.2 for s in p.scores)              # "the scores are small"
    says(page, "gives it all of its attention (1.0000)")
    assert emma[NUM_STEPS][0].weights == [1.0]


def test_scores_page_claims_about_training(pages, emma):
    page = pages["step-3/scores-weights"]

    def gap(k):
        return max(abs(w - 1 / (pos + 1)) for pos, p in enumerate(emma[k]) for w in p.weights)

    says(page, f"no weight is further than {f4(gap(0))} from its row's even share.")
    says(page, f"after 1,000 steps the largest gap is {f4(gap(NUM_STEPS))}.")
    assert gap(0) < gap(NUM_STEPS) < 0.1  # "moved them a little, not far"
    trained = emma[NUM_STEPS]
    best = [max(range(len(p.weights)), key=lambda t: p.weights[t]) for p in trained]
    assert best[2] == best[3] == 1 and best[1] == 1 and best[4] == 4  # both m's → e; e and a → themselves
    says(page, f"Both m 's give their largest weight to e ({f4(max(trained[2].weights))} for the first,"
               f" {f4(max(trained[3].weights))} for the second), and e and a lean most toward themselves,"
               f" {f4(max(trained[1].weights))} and {f4(max(trained[4].weights))}.")
    says(page, "The rows of the two m 's differ although the letter is the same, but not mainly because of what"
               " they ask. Their queries differ,")
    assert trained[2].token == trained[3].token and trained[2].q != trained[3].q
    first, second = trained[2], trained[3]
    score_gap = max(abs(a - b) for a, b in zip(first.scores, second.scores[:3]))
    shared = sum(second.weights[:3])
    weight_gap = max(abs(a - b / shared) for a, b in zip(first.weights, second.weights[:3]))
    says(page, f"yet on the 3 keys both can see, their scores differ by no more than {f4(score_gap)}.")
    says(page, "The second m has one more key to share its weight with, its own: leave that key out, rescale its"
               f" other weights to add up to one, and they come within {f4(weight_gap)} of the first m 's.")
    # "not mainly because of what they ask": rescaled, the rows agree far better than as they stand
    assert weight_gap < 0.01 < max(abs(a - b) for a, b in zip(first.weights, second.weights))


def test_attention_map_frames_and_fallback(pages, built_site, emma):
    page = pages["step-3/scores-weights"]
    data = frames(built_site[0], page.html, "attention-map")
    assert data["name"] == EXAMPLE and data["labels"] == ["BOS", "e", "m", "m", "a"]
    assert data["snapshots"] == SNAPSHOTS
    for s, k in enumerate(SNAPSHOTS):
        rows = data["weights"][s]
        assert [len(r) for r in rows] == [1, 2, 3, 4, 5]     # causal: position pos sees t <= pos only
        for pos, row in enumerate(rows):
            assert row == [round(w, 4) for w in emma[k][pos].weights], (k, pos)
            assert abs(sum(row) - 1) <= 5 * 0.00005          # the rounded weights still sum to 1
            assert data["sums"][s][pos] == 1.0               # the exact ones do
    # one cell by hand: after 200 steps, the second m's weight for the first m
    assert data["weights"][SNAPSHOTS.index(200)][3][2] == round(emma[200][3].weights[2], 4)

    # without JavaScript: the map after training, a heat cell per weight, the later positions empty, sums of 1
    shell = player(page.html, "attention-map")
    rows = table_rows(shell, "mgv-attn-map")
    names = ["0 BOS", "1 e", "2 m", "3 m", "4 a"]
    assert rows[0] == ["asking ↓ attended →"] + names + ["sum"]
    for pos, row in enumerate(rows[1:]):
        weights = emma[NUM_STEPS][pos].weights
        assert row == [names[pos]] + [t4(w) for w in weights] + ["later: not seen"] * (4 - pos) + ["1.0000"]
    cell = re.findall(r'<td class="mgv-heat-cell" style="--heat:([0-9.]+)">([^<]*)</td>', shell)
    assert len(cell) == 15
    w31 = emma[NUM_STEPS][3].weights[1]
    assert cell[7] == (str(math.floor(w31 * 1000 + 0.5) / 1000), t4(w31))   # row 3, column 1: the heat is the weight
    best = ["e looks most at itself", "the first m looks most at e", "the second m looks most at e",
            "a looks most at itself"]
    words = "; ".join(f"{b} ({t4(max(emma[NUM_STEPS][pos + 1].weights))})" for pos, b in enumerate(best))
    assert f"After 1,000 training steps: {words}." in texts(shell)
    assert texts(re.search(r"<figcaption>([^<]*)</figcaption></figure>$", shell).group(1)) == \
        "The attention weights of “emma” after 1,000 training steps"


def test_scores_page_defines(pages, emma):
    p = emma[NUM_STEPS][SECOND_M]
    assert so_far(pages["step-3/output-residuals"].html)[-2:] == [
        f"attn_logits — one score per position so far, q·k_t / √16: at the second m of “emma”, {f4(p.scores[1])} for e",
        "attn_weights — softmax(attn_logits), how much to take from each position, summing to one: at the second m"
        f" of “emma”, {f4(p.weights[1])} for e"]


# ---------------------------------------------------------------- 3.6 the weighted sum and the residuals


def test_residuals_page_weighted_sum(pages, emma):
    page = pages["step-3/output-residuals"]
    trained = emma[NUM_STEPS]
    p = trained[SECOND_M]
    rows = table_rows(page.article, "mgv-mix")
    assert rows[0] == ["j"] + [f"v {t} {'BOS e m m'.split()[t]} × {t4(w)}" for t, w in enumerate(p.weights)] + ["x_attn"]
    assert rows[1:] == [[str(j)] + [t4(trained[t].v[j]) for t in range(4)] + [t4(p.x_attn[j])] for j in range(N_EMBD)]
    says(page, "the 4 weights of the previous page mix 4 value vectors, one column each")
    says(page, " + ".join(f"{f4(p.weights[t])} × {f4(trained[t].v[0])}" for t in range(4)) + f" = {f4(p.x_attn[0])}.")
    # "each number of x_attn lies between the smallest and the largest of the numbers it mixes"
    for pos in range(len(trained)):
        for j in range(N_EMBD):
            mixed = [trained[t].v[j] for t in range(pos + 1)]
            assert min(mixed) - 1e-12 <= trained[pos].x_attn[j] <= max(mixed) + 1e-12


def test_residuals_page_residual_add(pages, emma):
    page = pages["step-3/output-residuals"]
    p = emma[NUM_STEPS][SECOND_M]
    p0 = emma[0][SECOND_M]
    says(page, f"that is a vector of length {length(p.attn_out):.2f} (its first number, {f4(p.attn_out[0])}).")
    says(page, f"the first number of the input is {f4(p.input[0])}, the block adds {f4(p.attn_out[0])}, and x[0]"
               f" becomes {f4(p.after_attn[0])}.")
    says(page, f"The input has length {length(p.input):.2f} (RMSNorm made it so), the block adds a vector of length"
               f" {length(p.attn_out):.2f}, and the sum has length {length(p.after_attn):.2f}.")
    says(page, f"the attention block adds a vector of length only {length(p0.attn_out):.2f} to the second m 's input"
               f" of length {length(p0.input):.2f}:")
    says(page, f"widen to {HIDDEN} numbers with mlp_fc1 , apply ReLU, come back to {N_EMBD} with mlp_fc2")
    zeros = sum(1 for u in p.relu if u == 0)
    says(page, f"ReLU sets {zeros} of the {HIDDEN} hidden numbers to zero, and the block adds a vector of length"
               f" {length(p.mlp_out):.2f}, leaving x with length {length(p.after_mlp):.2f}.")
    # "at every position ... a long vector from RMSNorm, to which each block adds a shorter one"
    for q in emma[NUM_STEPS]:
        assert abs(length(q.input) - 4) < 0.01
        assert length(q.attn_out) < length(q.input) and length(q.mlp_out) < length(q.after_attn)


def test_residuals_page_lm_head(pages, emma):
    page = pages["step-3/output-residuals"]
    p = emma[NUM_STEPS][SECOND_M]
    order = sorted(range(V), key=lambda j: -p.probs[j])
    assert [LABELS[j] for j in order[:2]] == ["a", "i"] and LABELS[p.next] == "a"
    says(page, f"softmax of those logits gives a {f4(p.probs[0])} and i {f4(p.probs[8])}, and the name does go on"
               " with a .")
    says(page, f"lm_head , {V}×{N_EMBD}, turns the final x into a logit for every token")
    assert so_far(pages["step-3/kv-cache"].html)[-4:] == [
        f"x_attn — the attention weights times the value vectors, summed: {N_EMBD} numbers, a mix of what the"
        " positions so far offer",
        f"attn_wo — a {N_EMBD}×{N_EMBD} layer after the mix: at the second m of “emma”, it makes a vector of length"
        f" {length(p.attn_out):.2f}",
        "residual connection — each block's output is added to its input, x = block(x) + x: the second m's x, of"
        f" length {length(p.input):.2f}, gains that vector",
        f"lm_head — the final layer, {N_EMBD} numbers → {V} logits (in Step 1 and Step 2, mlp_fc2 made the logits)"]


def test_residual_stream_player(pages, built_site, emma):
    page = pages["step-3/output-residuals"]
    data = frames(built_site[0], page.html, "residual-stream")
    trained = emma[NUM_STEPS]
    assert data["labels"] == ["BOS", "e", "m", "m", "a"] and data["pos"] == SECOND_M
    assert data["values"] == [[round(x, 4) for x in p.v] for p in trained]
    keys = ["input", "attn_out", "after_attn", "mlp_out", "after_mlp"]
    for pos, (frame, p) in enumerate(zip(data["positions"], trained)):
        assert frame["weights"] == [round(w, 4) for w in p.weights]
        assert frame["x_attn"] == [round(x, 4) for x in p.x_attn]
        assert frame["stream"] == {key: [round(x, 4) for x in getattr(p, key)] for key in keys}
        assert frame["lengths"] == [round(length(getattr(p, key)), 2) for key in keys]
        order = sorted(range(V), key=lambda j: (-round(p.probs[j], 4), j))[:3]
        assert frame["top"] == [[LABELS[j], round(p.probs[j], 4)] for j in order]
        assert frame["next"] == LABELS[p.next]
    # without JavaScript: the second m
    shell = player(page.html, "residual-stream")
    rows = table_rows(shell, "mgv-stream")
    p = trained[SECOND_M]
    assert rows[1:1 + N_EMBD] == [[str(j)] + [t4(getattr(p, key)[j]) for key in keys] for j in range(N_EMBD)]
    assert rows[-1] == ["length"] + [f"{length(getattr(p, key)):.2f}" for key in keys]
    order = sorted(range(V), key=lambda j: -p.probs[j])[:3]
    says(SimpleNamespace(text=texts(shell)), "Next token, after lm_head and softmax: "
         + ", ".join(f"{LABELS[j]} {f4(p.probs[j])}" for j in order) + " (the name goes on with a).")


# ---------------------------------------------------------------- 3.7 the KV cache


def test_kv_cache_page(pages, snapshots, emma):
    page = pages["step-3/kv-cache"]
    says(page, 'For "emma" that is 5 calls, and the cache ends with 5 keys and as many values.')
    emily = forward(snapshots[NUM_STEPS], "emily")
    k_emma, k_emily = emma[NUM_STEPS][2].k, emily[2].k
    assert k_emma == k_emily   # a key depends only on its own token and position
    says(page, f'its first number is {f4(k_emma[0])} in "emma" and {f4(k_emily[0])} in "emily"')
    without = sum(range(1, BLOCK_SIZE + 1))
    assert without == 136
    says(page, f"a name that ran to the limit of {BLOCK_SIZE} positions would compute {without} keys instead of"
               f" {BLOCK_SIZE}.")
    assert so_far(page.html)[-1].startswith("lm_head — ")
    says(page, "The numbers of the vectors are rounded to 2 decimals;")


def test_kv_cache_player(pages, built_site, emma):
    page = pages["step-3/kv-cache"]
    data = frames(built_site[0], page.html, "kv-cache")
    trained = emma[NUM_STEPS]
    assert data["labels"] == ["BOS", "e", "m", "m", "a"] and data["digits"] == 2
    assert data["keys"] == [[round(x, 2) for x in p.k] for p in trained]
    assert data["values"] == [[round(x, 2) for x in p.v] for p in trained]
    for frame, p in zip(data["positions"], trained):
        assert frame["q"] == [round(x, 2) for x in p.q]
        assert frame["scores"] == [round(s, 4) for s in p.scores]
        assert frame["weights"] == [round(w, 4) for w in p.weights]
        assert frame["x_attn"] == [round(x, 2) for x in p.x_attn]
    # without JavaScript: the last position, the cache full, its newest row marked
    shell = player(page.html, "kv-cache")
    last = trained[-1]
    keys = table_rows(shell, "mgv-kv--keys")
    assert keys[0] == ["cached", "score", "weight"] + [str(j) for j in range(N_EMBD)]
    assert keys[1] == ["q (4 a)", "", ""] + [t4(x, 2) for x in last.q]
    names = ["BOS", "e", "m", "m", "a"]
    for t, row in enumerate(keys[2:]):
        head = f"k {t} {names[t]}" + (" new" if t == 4 else "")
        assert row == [head, t4(last.scores[t]), t4(last.weights[t])] + [t4(x, 2) for x in trained[t].k]
    values = table_rows(shell, "mgv-kv--values")
    assert values[-1] == ["x_attn", ""] + [t4(x, 2) for x in last.x_attn]
    assert len(re.findall(r'class="mgv-kv-row mgv-kv-new"', shell)) == 2  # the newest key and value
    assert "not computed yet" not in shell
    assert "the cache holds 5 keys and 5 values" in texts(shell)


# ---------------------------------------------------------------- all three pages


def test_no_directive_text_and_no_buttons_without_javascript(pages):
    for path, page in pages.items():
        assert "{{" not in page.article and "}}" not in page.article, path
        assert "build error" not in page.text, path
        for kind in re.findall(r'data-player="([\w-]+)" data-frames', page.html):
            fallback = texts(player(page.html, kind))
            assert not re.search(r"\b(press|click|button|Play|slider)\b", fallback), (path, kind)
