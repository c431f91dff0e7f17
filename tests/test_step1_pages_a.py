"""Every value the first half of Step 1 shows (the landing page, 1.1 to 1.5), checked in the built site.

What the pages show comes from hooks/pagedata (step1.py, curves.py, common.py), which read the
run and call microgpt's own functions. Here the expected values are recomputed without them:

- the initial parameters are drawn again from the seed, with random.Random and nothing else;
- the trained parameters and the losses are the run's data (microgpt.record, as the build records
  it), and everything derived from them (embeddings, the MLP's layers, softmax, losses, means,
  ReLU's zeros) is recomputed here with plain loops;
- Step 0's counts are recounted from the names.

So a wrong value made by the hooks, or by a microgpt function they call, fails a test here instead
of being compared with itself. The scan for numbers typed into prose (tests/test_step0_pages.py)
covers these pages too.
"""

import json
import math
import re
import sys
from html import unescape
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT, reference_lines, shuffled, texts

NUM_STEPS = 1000
SEED = 42
N_EMBD = 16        # MICROGPT-SPEC.md, Step 1
HIDDEN = 4 * N_EMBD
SIGMA = 0.08       # init_model's gauss(0, 0.08)
LETTERS = "abcdefghijklmnopqrstuvwxyz"
V = len(LETTERS) + 1
BOS = V - 1
LABELS = list(LETTERS) + ["BOS"]
SHAPES = {"wte": (V, N_EMBD), "mlp_fc1": (HIDDEN, N_EMBD), "mlp_fc2": (V, HIDDEN)}
PAGES = ["step-1", "step-1/same-starting-point", "step-1/parameters", "step-1/linear-softmax", "step-1/mlp",
         "step-1/forward-pass"]


# ---------------------------------------------------------------- plain Python, no microgpt, no hooks


def matvec(w, x):
    out = []
    for row in w:
        total = 0.0
        for a, b in zip(row, x):
            total += a * b
        out.append(total)
    return out


def probabilities(logits):
    top = max(logits)
    e = [math.exp(v - top) for v in logits]
    return [v / sum(e) for v in e]


def layers(params, token):
    """The MLP by hand: embedding, first layer, ReLU, logits, probabilities."""
    x = list(params["wte"][token])
    h_pre = matvec(params["mlp_fc1"], x)
    h = [v if v > 0 else 0.0 for v in h_pre]
    logits = matvec(params["mlp_fc2"], h)
    return SimpleNamespace(x=x, h_pre=h_pre, h=h, logits=logits, probs=probabilities(logits))


def encode(name):
    return [BOS] + [LETTERS.index(ch) for ch in name] + [BOS]


def pair_probs(params, name):
    ids = encode(name)
    return [layers(params, a).probs[b] for a, b in zip(ids, ids[1:])]


def running(values, window):
    return [sum(values[max(0, k - window + 1):k + 1]) / min(k + 1, window) for k in range(len(values))]


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / (math.hypot(*a) * math.hypot(*b))


def sig(x, digits=4):
    return float(f"{x:.{digits}g}")


def n(x):
    return f"{x:,}"


def f4(x):
    return f"{x:.4f}"


@pytest.fixture(scope="module")
def truth(names_path):
    names, docs, rng = shuffled(names_path, SEED)
    # the initial parameters: the draws right after the shuffle, matrix by matrix, row by row
    init = {name: [[rng.gauss(0, SIGMA) for _ in range(cols)] for _ in range(rows)]
            for name, (rows, cols) in SHAPES.items()}
    seen = docs[:NUM_STEPS]
    counts = [[0] * V for _ in range(V)]
    for d in seen:
        ids = encode(d)
        for a, b in zip(ids, ids[1:]):
            counts[a][b] += 1
    return SimpleNamespace(names=names, docs=docs, seen=seen, init=init, counts=counts)


@pytest.fixture(scope="module")
def run1(names_path):
    """Step 1's run, recorded as the build records it: its losses and its trained parameters."""
    from microgpt.record import record_run

    return record_run(1, snapshots=[0, NUM_STEPS], num_samples=0)


@pytest.fixture(scope="module")
def trained(run1):
    return run1["snapshots"][str(NUM_STEPS)]


# ---------------------------------------------------------------- reading the site


@pytest.fixture(scope="module")
def pages(built_site):
    out = {}
    for path in PAGES:
        html = (built_site[0] / path / "index.html").read_text()
        article = html[html.index("<article"):html.index("</article>")]
        out[path] = SimpleNamespace(html=html, text=texts(article))
    return out


def says(page, sentence):
    assert sentence in page.text, f"the page does not say: {sentence!r}"


def so_far(html):
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', html, re.DOTALL)
    return [texts(item) for item in re.findall(r"<li>(.*?)</li>", box.group(0))] if box else []


def player(html, kind):
    # the player's own caption follows its stage (a figure inside it has its caption after its readout)
    match = re.search(rf'<figure class="mgv-player" data-player="{kind}".*?</div><figcaption>[^<]*</figcaption></figure>',
                      html, re.DOTALL)
    assert match, f"no {kind} player"
    return match.group(0)


def heatmaps(html):
    """{uid: (flat values, legend bound, row labels)} of the kit's heatmaps in a piece of HTML."""
    found = {}
    for figure in re.findall(r'<figure class="mgv-figure mgv-kit mgv-kit--heatmap.*?</figure>', html, re.DOTALL):
        uid = re.search(r'aria-labelledby="([^"]+)-title"', figure).group(1)
        values = [float(v) for v in re.search(r'class="mgv-heat mgv-cells"[^>]*data-values="([^"]*)"', figure)
                  .group(1).split()]
        lo, hi = map(float, re.search(r'data-range="([^"]*)"', figure).group(1).split())
        found[uid] = SimpleNamespace(values=values, lo=lo, hi=hi, figure=figure)
    return found


def frames(site, html, kind):
    url = re.search(rf'data-player="{kind}" data-frames="([^"]+)"', html).group(1)
    return json.loads((site / "generated" / url.split("generated/", 1)[1]).read_text())


def close(shown, exact, digits=4):
    """A number shown to `digits` significant digits is the exact one, rounded."""
    return shown == sig(exact, digits)


# ---------------------------------------------------------------- the parameters themselves


def test_the_run_starts_from_the_draws_of_the_seed(run1, truth):
    """The parameters the pages show as initialised are the seed's draws, in order (checked once here,
    so that the pages' initial values can be compared with truth.init)."""
    assert run1["snapshots"]["0"] == truth.init
    assert [step["doc"] for step in run1["steps"]] == truth.seen


# ---------------------------------------------------------------- the landing page and 1.1


def test_landing_page(pages):
    page = pages["step-1"]
    total = sum(r * c for r, c in SHAPES.values())
    assert total == 3184
    says(page, f"comes out as {V} probabilities. The function has {n(total)} adjustable numbers, its parameters")
    says(page, f"The Parameters : three matrices of random numbers, {n(total)} in all.")
    says(page, f"The MLP Model : a token in, {V} next-token probabilities out.")
    titles = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page.html[page.html.index("In this step"):])
    assert [t for _, t in titles] == ["Same Starting Point", "The Parameters", "Linear and Softmax", "The MLP Model",
                                      "The Forward Pass", "Numerical Gradient", "Analytic Gradient",
                                      "Gradient Check", "Training and Inference"]
    assert "The big idea" in page.text


def test_same_starting_point(pages, truth, run1):
    page = pages["step-1/same-starting-point"]
    assert so_far(page.html) == []
    says(page, f"The {n(len(truth.names))} names are read and shuffled with the same seed, {SEED}, as the first")
    says(page, f"It trains for {n(NUM_STEPS)} steps, one name per step: Step 1's first training name is"
               f" \"{truth.seen[0]}\" and Step 0's was \"{truth.seen[0]}\"; the last are \"{truth.seen[-1]}\" and"
               f" \"{truth.seen[-1]}\".")
    says(page, f"plus BOS (token {BOS}) at both ends of every name, {V} tokens in all.")
    says(page, "BOS 26 → a 0 → v 21 → a 0 → BOS 26")
    says(page, f"how likely is each of the {V} tokens to come next?")
    says(page, f"In Step 0 the model was the count table: {n(V * V)} whole numbers")
    says(page, f"three matrices of {n(3184)} real numbers in all")
    printed = [unescape(b).split("\n") for b in
               re.findall(r'<pre class="mgv-printed"><code>(.*?)</code></pre>', page.html, re.DOTALL)]
    losses = [s["loss"] for s in run1["steps"]]
    assert printed == [reference_lines(1)[:6]]
    assert printed[0][:3] == [f"num docs: {len(truth.names)}", f"vocab size: {V}", "num params: 3184"]
    assert printed[0][4:] == [f"step {k:4d} / {NUM_STEPS:4d} | loss {losses[k - 1]:.4f}" for k in (1, 2)]


# ---------------------------------------------------------------- 1.2 the parameters


SO_FAR_1_2 = [f"docs — the same {n(32033)} names as Step 0, shuffled with seed {SEED}",
              f"encode(doc) — a name as token ids, BOS ({BOS}) at both ends; {V} tokens in all"]
SO_FAR_1_3 = SO_FAR_1_2 + [
    f"wte — {V}×{N_EMBD} token embeddings: a row of {N_EMBD} numbers for each token",
    f"mlp_fc1 — {HIDDEN}×{N_EMBD} weights: embedding ({N_EMBD}) → {HIDDEN} hidden values",
    f"mlp_fc2 — {V}×{HIDDEN} weights: {HIDDEN} hidden values → {V} logits",
    f"state_dict — the three matrices by name, {n(3184)} numbers, each first drawn from gauss(0, {SIGMA})"]
SO_FAR_1_4 = SO_FAR_1_3 + [
    "linear(x, w) — one weighted sum of x per row of w; as many outputs as w has rows",
    "softmax(logits) — any numbers to probabilities; exponentiate (the largest subtracted first), divide by the sum"]
SO_FAR_1_5 = SO_FAR_1_4 + [
    f"mlp(state_dict, token_id) — a token's embedding ({N_EMBD}) → mlp_fc1 ({HIDDEN}) → ReLU → mlp_fc2: {V} logits"]


def test_parameters_page_shapes_and_count(pages):
    page = pages["step-1/parameters"]
    assert so_far(page.html) == SO_FAR_1_2
    sizes = {name: r * c for name, (r, c) in SHAPES.items()}
    for name, (r, c) in SHAPES.items():
        assert re.search(rf"<td><code>{name}</code></td>\s*<td>{r}×{c}</td>\s*<td>{n(sizes[name])}</td>", page.html), name
    display = re.findall(r'<math [^>]*display="block">.*?</math>', page.html, re.DOTALL)[0]
    assert texts(display).replace(" ", "") == (f"{n(sizes['wte'])}+{n(sizes['mlp_fc1'])}+{n(sizes['mlp_fc2'])}="
                                               f"{n(sum(sizes.values()))}")
    assert sum(sizes.values()) == 3184
    says(page, f"n_embd is {N_EMBD}, and the vocabulary has {V} tokens")
    says(page, f"mlp_fc1 takes the {N_EMBD} numbers of an embedding to {HIDDEN} hidden values, and mlp_fc2 takes"
               f" those {HIDDEN} to one score for each of the {V} tokens.")


def test_parameters_page_initialisation(pages, truth, run1):
    page = pages["step-1/parameters"]
    flat = [v for m in truth.init.values() for row in m for v in row]
    says(page, f"a draw from rng.gauss(0, {SIGMA}) : a normal (Gaussian) distribution with mean 0 and standard"
               f" deviation {SIGMA}.")
    within = lambda k: f"{100 * sum(abs(v) <= k * SIGMA for v in flat) / len(flat):.1f}"
    says(page, f"Of the {n(len(flat))} numbers drawn, {within(1)}% lie within one standard deviation of zero and"
               f" {within(3)}% within three; the largest in size is {f4(max(map(abs, flat)))}.")
    says(page, f"the {HIDDEN} hidden values would be worth one.")
    first = run1["steps"][0]["loss"]
    says(page, f"its first loss is {f4(first)}, next to ln V = {f4(math.log(V))} for the uniform guess.")
    assert abs(first - math.log(V)) < 0.01
    wte = truth.init["wte"]
    says(page, f"The very first draw is wte[0][0] , token a 's first number, {f4(wte[0][0])}, and the next is"
               f" wte[0][1] , {f4(wte[0][1])}.")


def test_parameter_heatmaps_fallback_and_frames(pages, built_site, truth, trained):
    page = pages["step-1/parameters"]
    shell = player(page.html, "param-heatmaps")
    maps = heatmaps(shell)
    assert list(maps) == ["param-wte", "param-mlp_fc1", "param-mlp_fc2"]
    data = frames(built_site[0], page.html, "param-heatmaps")
    assert data["snapshots"] == [0, NUM_STEPS] and data["names"] == list(SHAPES)
    for name, (rows, cols) in SHAPES.items():
        shown = maps[f"param-{name}"]
        # without JavaScript: the trained numbers, to the 4 significant digits the readout shows
        exact = [v for row in trained[name] for v in row]
        assert len(shown.values) == rows * cols
        assert all(close(s, e) for s, e in zip(shown.values, exact)), name
        # the frames: the numbers as initialised, drawn again from the seed here
        assert [v for row in data["before"][name] for v in row] == [sig(v) for row in truth.init[name] for v in row]
        # one colour scale for both: the largest in size of either
        bound = max(max(abs(sig(v)) for v in exact), max(abs(sig(v)) for row in truth.init[name] for v in row))
        assert (shown.lo, shown.hi) == (-bound, bound), name
        assert f"{name}, {rows}×{cols}:" in texts(shown.figure)
    assert texts(re.search(r"<figcaption>([^<]*)</figcaption></figure>$", shell).group(1)) == \
        f"The {n(3184)} parameters after {n(NUM_STEPS)} training steps"
    # one cell, by hand: token v's embedding, dimension 3, after training
    v = LETTERS.index("v")
    assert maps["param-wte"].values[v * N_EMBD + 3] == sig(trained["wte"][v][3])


def test_parameters_page_after_training(pages, truth, trained):
    page = pages["step-1/parameters"]
    init_flat = [abs(v) for m in truth.init.values() for row in m for v in row]
    says(page, f"no number is larger in size than {f4(max(init_flat))}.")
    largest = {name: max(abs(v) for row in m for v in row) for name, m in trained.items()}
    assert max(largest, key=largest.get) == "wte"
    says(page, f"after {n(NUM_STEPS)} steps the largest is {f4(largest['wte'])}, in wte .")
    says(page, f"went from {f4(truth.init['wte'][0][0])} to {f4(trained['wte'][0][0])}.")

    def nearest(wte, token, rank=1):
        t = LABELS.index(token)
        others = sorted((u for u in range(V) if u != t), key=lambda u: -cosine(wte[t], wte[u]))
        return LABELS[others[rank - 1]]

    says(page, f"the row closest in direction to e 's is {nearest(truth.init['wte'], 'e')} 's: chance. After"
               f" training it is {nearest(trained['wte'], 'e')} 's, and the closest to o 's are"
               f" {nearest(trained['wte'], 'o')} 's and {nearest(trained['wte'], 'o', 2)} 's.")
    assert {nearest(trained["wte"], "e"), nearest(trained["wte"], "o"), nearest(trained["wte"], "o", 2)} <= set("aeiouy"), \
        "the page says the vowels drew together"
    # ... and that vowels are followed by the same letters: in Step 0's table, their rows are most like each other's
    for vowel in "aeo":
        assert nearest(truth.counts, vowel) in "aeiouy", vowel
    q = LETTERS.index("q")
    q_current = sum(d.count("q") for d in truth.seen)
    says(page, f"q was the current token only {q_current} times (Step 0 counted them).")
    a = LETTERS.index("a")
    norm = lambda row: f"{math.hypot(*row):.2f}"
    says(page, f"went from {norm(truth.init['wte'][q])} to {norm(trained['wte'][q])}, while a 's went from"
             f" {norm(truth.init['wte'][a])} to {norm(trained['wte'][a])}.")
    assert abs(math.hypot(*trained["wte"][q]) - math.hypot(*truth.init["wte"][q])) < 0.1, "q's row hardly changed"


# ---------------------------------------------------------------- 1.3 linear and softmax


def test_linear_softmax_page(pages, truth, trained):
    page = pages["step-1/linear-softmax"]
    assert so_far(page.html) == SO_FAR_1_3
    says(page, f"When all the logits are equal, every token gets 1 / V = {f4(1 / V)}, the uniform guess.")
    says(page, f"a logit above {math.log(sys.float_info.max):.2f} would overflow")
    assert f"{math.log(sys.float_info.max):.2f}" == "709.78"
    with pytest.raises(OverflowError):
        math.exp(710)  # what the page says Python does
    after_bos = layers(trained, BOS)
    best = max(range(V), key=lambda j: after_bos.probs[j])
    says(page, f"gives logits from {f4(min(after_bos.logits))} to {f4(max(after_bos.logits))}. softmax turns them"
               f" into probabilities; the largest, {f4(after_bos.probs[best])}, goes to {LABELS[best]} , the likeliest"
               " first letter.")
    step0_best = max(range(V), key=lambda j: truth.counts[BOS][j])
    says(page, f"the letter counted most often after BOS was {LABELS[step0_best]} .)")


def test_linear_softmax_player(pages, built_site, trained):
    page = pages["step-1/linear-softmax"]
    data = frames(built_site[0], page.html, "linear-softmax")
    bos = layers(trained, BOS)
    assert data["token"] == BOS and data["labels"] == LABELS
    assert data["x"] == [round(v, 2) for v in trained["wte"][BOS][:3]]
    assert data["w"] == [[round(v, 2) for v in row[:3]] for row in trained["mlp_fc1"][:2]]
    assert data["logits"] == [round(v, 4) for v in bos.logits]
    # without JavaScript: the corner of linear() worked out, and softmax of the logits, likeliest first
    shell = player(page.html, "linear-softmax")
    y = [sum(a * b for a, b in zip(row, data["x"])) for row in data["w"]]
    for i in range(2):
        assert re.search(rf"<td><code>y\[{i}\]</code></td><td>[^<]*</td><td>{re.escape(f4(y[i]))}</td>", shell)
    probs = probabilities(data["logits"])
    rows = re.findall(r'<tr><td><span class="mgv-tok[^"]*">([^<]+)<sub>\d+</sub></span></td><td>([^<]+)</td>'
                      r'<td>([^<]+)</td></tr>', shell)
    order = sorted(range(V), key=lambda j: -probs[j])
    assert rows == [(LABELS[j], f4(data["logits"][j]), f4(probs[j])) for j in order]


# ---------------------------------------------------------------- 1.4 the MLP


def test_mlp_page(pages, truth, trained):
    page = pages["step-1/mlp"]
    assert so_far(page.html) == SO_FAR_1_4
    says(page, f"picks the token's row of wte : {N_EMBD} numbers that stand for the token.")
    says(page, f"takes those {N_EMBD} numbers to {HIDDEN}, one weighted sum per row of mlp_fc1")
    says(page, f"takes the {HIDDEN} hidden values to {V} logits, one per possible next token.")
    says(page, f"the {n(HIDDEN * N_EMBD)} weights of mlp_fc1 and the {n(V * HIDDEN)} of mlp_fc2 are shared by"
               " every token.")
    says(page, f"This network has more parameters ({n(3184)}) than the count table had cells ({n(V * V)});")
    a = LETTERS.index("a")
    before, after = layers(truth.init, a), layers(trained, a)
    says(page, f"After a , for example, they lie between {f4(min(before.logits))} and {f4(max(before.logits))}, and"
               f" softmax gives every next token a probability between {f4(min(before.probs))} and"
               f" {f4(max(before.probs))}: all close to 1 / V = {f4(1 / V)}.")
    order = sorted(range(V), key=lambda j: -after.probs[j])
    says(page, f"the logits after a range from {f4(min(after.logits))} to {f4(max(after.logits))}, and the likeliest"
               f" next token is {LABELS[order[0]]} , with probability {f4(after.probs[order[0]])}, then"
               f" {LABELS[order[1]]} (the name ends) with {f4(after.probs[BOS])}.")
    assert order[1] == BOS
    zeros = lambda params, t: sum(1 for v in layers(params, t).h if v == 0)
    says(page, f"For a , it sets {zeros(truth.init, a)} of the {HIDDEN} to zero before training, about half,")
    assert abs(zeros(truth.init, a) - HIDDEN / 2) <= HIDDEN / 8
    says(page, f"and {zeros(trained, a)} after.")
    mean = lambda params: f"{sum(zeros(params, t) for t in range(V)) / V:.1f}"
    says(page, f"Over all {V} tokens, the average goes from {mean(truth.init)} to {mean(trained)}.")


def test_mlp_flow_player(pages, built_site, truth, trained):
    page = pages["step-1/mlp"]
    data = frames(built_site[0], page.html, "mlp-flow")
    assert data["labels"] == LABELS and data["snapshots"] == [0, NUM_STEPS] and data["token"] == LETTERS.index("a")
    keys = ["x", "h_pre", "h", "logits", "probs"]
    for k, params in (("0", truth.init), (str(NUM_STEPS), trained)):
        for t in range(V):
            want, got = layers(params, t), data["flows"][k][t]
            for key in keys[:-1]:
                assert len(got[key]) == len(getattr(want, key))
                assert all(close(s, e) for s, e in zip(got[key], getattr(want, key))), (k, t, key)
            assert got["probs"] == [round(p, 4) for p in want.probs], (k, t)
            assert data["zeros"][k][t] == sum(1 for v in want.h if v == 0)
    # without JavaScript: token a through the trained model, one strip per layer
    shell = player(page.html, "mlp-flow")
    strips = heatmaps(shell)
    assert list(strips) == [f"flow-{key}" for key in keys]
    a = layers(trained, LETTERS.index("a"))
    for key in keys[:-1]:
        assert all(close(s, e) for s, e in zip(strips[f"flow-{key}"].values, getattr(a, key))), key
    assert strips["flow-probs"].values == [round(p, 4) for p in a.probs]
    zeros = sum(1 for v in a.h if v == 0)
    top = sorted(range(V), key=lambda j: (-round(a.probs[j], 4), j))[:3]
    summary = texts(re.search(r'<p class="mgv-flow-summary">(.*?)</p>', shell).group(1))
    assert summary == (f"ReLU set {zeros} of the {HIDDEN} hidden values to 0. Likeliest next tokens: "
                       + ", ".join(f"{LABELS[j]} {f4(a.probs[j])}" for j in top) + ".")
    # the strips' titles quote the code: each line is in the source as written
    source = (ROOT / "microgpt" / "step1_gradient.py").read_text()
    for code in re.findall(r'<p class="mgv-flow-title">\d+\. <code>(.*?)</code>', shell):
        assert unescape(code) in source, code


# ---------------------------------------------------------------- 1.5 the forward pass


def test_forward_pass_page_ava(pages, truth, trained):
    page = pages["step-1/forward-pass"]
    assert so_far(page.html) == SO_FAR_1_5
    mean_loss = lambda probs: sum(-math.log(p) for p in probs) / len(probs)
    untrained, now = pair_probs(truth.init, "ava"), pair_probs(trained, "ava")
    counted = [(truth.counts[a][b] + 1) / (sum(truth.counts[a]) + V) for a, b in zip(encode("ava"), encode("ava")[1:])]
    says(page, f"\"ava\" has {len(now)} pairs. Before training, the network gives each of them a probability close"
               f" to 1 / V , and the loss of the name is {f4(mean_loss(untrained))}, next to ln V ="
               f" {f4(math.log(V))} for the uniform guess. After training it is {f4(mean_loss(now))}.")
    assert all(abs(p - 1 / V) < 0.002 for p in untrained)
    says(page, f"Step 0's count table, after the same {n(NUM_STEPS)} names, scores \"ava\" at {f4(mean_loss(counted))}.")
    # the player's table without JavaScript: the trained network, pair by pair
    shell = player(page.html, "loss-steps")
    rows = [texts(r) for r in re.findall(r"<tr>(.*?)</tr>", shell.split("<tbody>")[1])]
    ids = encode("ava")
    assert rows[:-1] == [f"{k} {LABELS[a]} {a} → {LABELS[b]} {b} {f4(p)} {f4(-math.log(p))}"
                         for k, ((a, b), p) in enumerate(zip(zip(ids, ids[1:]), now))]
    assert rows[-1] == f"mean: the loss of the name {f4(mean_loss(now))}"
    assert now.index(min(now)) == 1 and counted.index(min(counted)) == 1, "the page says a → v costs the most, in both"
    assert now.index(max(now)) == 2
    says(page, f"The cheapest is v → a , which the network gives {f4(now[2])}.")


def test_forward_pass_page_curves(pages, run1, step0_record):
    page = pages["step-1/forward-pass"]
    losses = {0: [s["loss"] for s in step0_record["steps"]], 1: [s["loss"] for s in run1["steps"]]}
    chart = re.search(r'<figure class="mgv-figure mgv-kit mgv-kit--line".*?</figure>', page.html, re.DOTALL).group(0)
    series = dict(re.findall(r'<path class="mgv-series [^"]*" data-series="(\d)" data-values="([^"]*)"', chart))
    for i, step in enumerate((0, 1)):
        shown = [float(v) for v in series[str(i)].split()]
        assert shown == [sig(v) for v in running(losses[step], 50)], step
    legend = re.findall(r'<button type="button" class="mgv-legend-item"[^>]*>.*?</span>([^<]*)</button>', chart)
    assert legend == ["Step 0: mean of the last 50", "Step 1: mean of the last 50"]
    assert f"ln {V} = {f4(math.log(V))}: the uniform guess" in chart
    stretch = lambda step, k: sum(losses[step][k * 100:(k + 1) * 100]) / 100
    table = re.search(r"<caption>Average loss per stretch of 100 steps</caption>.*?</table>", page.html, re.DOTALL)
    rows = [texts(r) for r in re.findall(r"<tr>(.*?)</tr>", table.group(0).split("<tbody>")[1])]
    assert rows == [f"{n(k * 100 + 1)} to {n(k * 100 + 100)} {f4(stretch(0, k))} {f4(stretch(1, k))}" for k in range(10)]
    says(page, f"its first loss is {f4(losses[1][0])}, about ln V .")
    says(page, f"over the first stretch it averages {f4(stretch(1, 0))}, against {f4(stretch(0, 0))} for the count"
               f" table, and it stays behind in every later stretch but the last, where it averages {f4(stretch(1, 9))}"
               f" against {f4(stretch(0, 9))}.")
    assert [stretch(1, k) > stretch(0, k) for k in range(10)] == [True] * 9 + [False]
