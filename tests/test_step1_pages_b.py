"""Every value the second half of Step 1 shows (1.6 Numerical Gradient to 1.9
Training and Inference), checked in the built site.

Each expected value is a literal (the reference output in tests/reference/),
or recomputed here by a plain re-implementation of step 1 from names.txt:
the seeded shuffle and initialisation, the MLP's forward pass, the gradient
by the chain rule, training and sampling, written again with nothing but the
standard library. Nothing here calls microgpt or hooks/, so a wrong value
made there fails a test instead of being compared with itself.
"""

import json
import math
import re
from types import SimpleNamespace

import pytest

from tests.conftest import reference_lines, shuffled, texts

SEED = 42          # MICROGPT-SPEC.md
N_EMBD = 16        # MICROGPT-SPEC.md, step 1
NUM_STEPS = 1000
MAX_LEN = 16
EPS = 1e-5         # the forward difference's eps (MICROGPT-SPEC.md)
TEMPERATURE = 0.5
PAGES = ["numerical-gradient", "analytic-gradient", "gradient-check", "training-inference"]
CHECK_LINE = "gradient check | loss_n 3.297830 | loss_a 3.297830 | max diff 0.00000000"


# ---------------------------------------------------------------- step 1, again, by hand


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def softmax(logits):
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def mlp(params, token):
    h = [max(0, v) for v in linear(params["wte"][token], params["mlp_fc1"])]
    return linear(h, params["mlp_fc2"])


def loss_of(params, tokens):
    n = len(tokens) - 1
    losses = [-math.log(softmax(mlp(params, tokens[i]))[tokens[i + 1]]) for i in range(n)]
    return (1 / n) * sum(losses)


def backprop(params, tokens):
    """The gradient by the chain rule, and what each pair's backward pass computes on the way."""
    n = len(tokens) - 1
    grad = {key: [[0.0] * len(row) for row in matrix] for key, matrix in params.items()}
    seen = {"probs": [], "dlogits": [], "h_pre": [], "dh": [], "dh_pre": [], "dx": []}
    for i in range(n):
        token, target = tokens[i], tokens[i + 1]
        x = params["wte"][token]
        h_pre = linear(x, params["mlp_fc1"])
        h = [max(0, v) for v in h_pre]
        probs = softmax(linear(h, params["mlp_fc2"]))
        dlogits = [p / n for p in probs]
        dlogits[target] -= 1 / n
        dh = [0.0] * len(h)
        for a in range(len(dlogits)):
            for b in range(len(h)):
                grad["mlp_fc2"][a][b] += dlogits[a] * h[b]
                dh[b] += params["mlp_fc2"][a][b] * dlogits[a]
        dh_pre = [dh[j] * (1.0 if h_pre[j] > 0 else 0.0) for j in range(len(h))]
        dx = [0.0] * len(x)
        for a in range(len(dh_pre)):
            for b in range(len(x)):
                grad["mlp_fc1"][a][b] += dh_pre[a] * x[b]
                dx[b] += params["mlp_fc1"][a][b] * dh_pre[a]
        for b in range(len(x)):
            grad["wte"][token][b] += dx[b]
        for key, v in (("probs", probs), ("dlogits", dlogits), ("h_pre", h_pre), ("dh", dh), ("dh_pre", dh_pre),
                       ("dx", dx)):
            seen[key].append(v)
    return grad, seen


def flat(matrices):
    return [v for matrix in matrices.values() for row in matrix for v in row]


def copy(params):
    return {key: [row[:] for row in matrix] for key, matrix in params.items()}


@pytest.fixture(scope="module")
def truth(names_path):
    """Step 1 redone from the names file: initialisation, the check's two gradients, training, samples."""
    names, docs, rng = shuffled(names_path, SEED)
    uchars = sorted(set("".join(names)))
    V = len(uchars) + 1
    bos = V - 1

    def encode(name):
        return [bos] + [uchars.index(ch) for ch in name] + [bos]

    def matrix(rows, cols):
        return [[rng.gauss(0, 0.08) for _ in range(cols)] for _ in range(rows)]

    params = {"wte": matrix(V, N_EMBD), "mlp_fc1": matrix(4 * N_EMBD, N_EMBD), "mlp_fc2": matrix(V, 4 * N_EMBD)}
    initial = copy(params)
    check = encode(docs[0])

    # the check: both gradients of docs[0] on the initial model
    loss0 = loss_of(initial, check)
    numerical = []
    probe = copy(initial)
    for mat in probe.values():
        for row in mat:
            for j in range(len(row)):
                old = row[j]
                row[j] = old + EPS
                numerical.append((loss_of(probe, check) - loss0) / EPS)
                row[j] = old
    grad0, seen0 = backprop(initial, check)

    # training
    losses, after1 = [], None
    for step in range(NUM_STEPS):
        tokens = encode(docs[step])
        losses.append(loss_of(params, tokens))
        grad, _ = backprop(params, tokens)
        lr = 1.0 * (1 - step / NUM_STEPS)
        for key in params:
            for row, g in zip(params[key], grad[key]):
                for j in range(len(row)):
                    row[j] -= lr * g[j]
        if step == 0:
            after1 = copy(params)

    samples = []
    for _ in range(20):
        token, name = bos, ""
        for _ in range(MAX_LEN):
            probs = softmax([v / TEMPERATURE for v in mlp(params, token)])
            token = rng.choices(range(V), weights=probs)[0]
            if token == bos:
                break
            name += uchars[token]
        samples.append(name)

    label = lambda t: "BOS" if t == bos else uchars[t]
    return SimpleNamespace(
        docs=docs, V=V, bos=bos, uchars=uchars, encode=encode, label=label, letter=lambda c: bos if c == "BOS" else uchars.index(c),
        initial=initial, after1=after1, final=params, check=check, loss0=loss0, numerical=numerical,
        analytic=flat(grad0), grad0=grad0, seen0=seen0, losses=losses, samples=samples,
    )


# ---------------------------------------------------------------- formats, as the pages write numbers


def f4(x):
    return f"{x:.4f}"


def n(x):
    return f"{x:,}"


def sci(x):
    """2.03 × 10⁻⁹: the pages' way of writing a small number."""
    mantissa, exponent = f"{x:.2e}".split("e")
    sup = str(abs(int(exponent))).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa.replace('-', '−')} × 10{'⁻' if int(exponent) < 0 else ''}{sup}"


def eps_text(e):
    return str(e) if e >= 1e-3 else f"{e:.0e}".replace("e-0", "e-")


# ---------------------------------------------------------------- reading the site


@pytest.fixture(scope="module")
def site(built_site):
    return built_site[0]


@pytest.fixture(scope="module")
def pages(site):
    out = {}
    for name in PAGES:
        html = (site / "step-1" / name / "index.html").read_text()
        article = html[html.index("<article"):html.index("</article>")]
        out[name] = SimpleNamespace(html=html, text=texts(article))
    return out


def frames(site, name):
    return json.loads((site / "generated" / "step1" / name).read_text())


def says(text, sentence):
    assert sentence in text, f"the page does not say: {sentence!r}"


def so_far(html):
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', html, re.DOTALL)
    assert box, "no So far box"
    return [texts(item) for item in re.findall(r"<li>(.*?)</li>", box.group(0), re.DOTALL)]


def table_rows(html, caption_start):
    for table in re.findall(r"<table\b.*?</table>", html, re.DOTALL):
        caption = re.search(r"<caption>(.*?)</caption>", table, re.DOTALL)
        if caption and texts(caption.group(1)).startswith(caption_start):
            body = re.search(r"<tbody>(.*?)</tbody>", table, re.DOTALL).group(1)
            return [[texts(c) for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
                    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]
    raise AssertionError(f"no table captioned {caption_start!r}")


# ---------------------------------------------------------------- 1.6 Numerical Gradient

W = ("wte", 26, 2)   # the parameter 1.6 follows (wte row BOS, column 2)
SPAN = 0.5


def moved(truth, x, params=None):
    params = copy(params or truth.initial)
    params[W[0]][W[1]][W[2]] = x
    return loss_of(params, truth.check)


def eps_list():
    return [float(f"{m}e{k}") for k in range(-12, 0) for m in (1, 2, 5) if float(f"{m}e{k}") <= SPAN]


@pytest.fixture(scope="module")
def nudges(truth):
    theta = truth.initial[W[0]][W[1]][W[2]]
    slope = truth.grad0[W[0]][W[1]][W[2]]
    secants = {e: (moved(truth, theta + e) - truth.loss0) / e for e in eps_list()}
    return SimpleNamespace(theta=theta, slope=slope, secants=secants, gaps={e: abs(s - slope) for e, s in secants.items()})


def test_numerical_gradient_page(pages, truth, nudges):
    text = pages["numerical-gradient"].text
    assert truth.label(W[1]) == "BOS"
    count = sum(len(row) for matrix in truth.initial.values() for row in matrix)
    assert count == 3184
    says(text, "it adds eps = 0.00001, runs the whole forward pass again")
    says(text, f"the first name of training, \"{truth.docs[0]}\", before training starts")
    says(text, f"it has {len(truth.check) - 1} pairs")
    says(text, f"Take one of the {n(count)} parameters: wte[26][2], the third number in the embedding of BOS (token 26).")
    says(text, f"Before training it holds {f4(nudges.theta)}, and the slope of the check name's loss along it is"
               f" {f4(nudges.slope)}: negative,")
    assert nudges.slope < 0
    # eps = 0.5 gets the sign wrong, because the curve's lowest point lies between w and w + 0.5
    says(text, f"the secant's slope is {f4(nudges.secants[0.5])}: it does not even have the right sign.")
    assert nudges.secants[0.5] > 0
    xs = [nudges.theta + SPAN * (k - 40) / 40 for k in range(81)]
    ys = [moved(truth, x) for x in xs]
    lowest = xs[ys.index(min(ys))]
    assert nudges.theta < lowest < nudges.theta + SPAN and ys[-1] > min(ys)
    # a hidden value crosses zero between w and w + 0.01, none between w and w + 0.001
    def signs(x):
        row = list(truth.initial["wte"][26])
        row[2] = x
        return [v > 0 for v in linear(row, truth.initial["mlp_fc1"])]
    assert signs(nudges.theta) != signs(nudges.theta + 0.01)
    assert signs(nudges.theta) == signs(nudges.theta + 0.001)
    # from 0.001 down to the code's eps: tenfold smaller eps, tenfold smaller gap
    for big, small in ((1e-3, 1e-4), (1e-4, 1e-5)):
        assert 8 < nudges.gaps[big] / nudges.gaps[small] < 12
    says(text, f"At the code's eps the gap is {sci(nudges.gaps[EPS])}, tiny next to the slope itself.")
    assert nudges.gaps[EPS] < abs(nudges.slope) / 1e5
    best = min(nudges.gaps, key=nudges.gaps.get)
    says(text, f"The smallest gap of all comes at eps = {eps_text(best)}; below that it grows again")
    assert eps_text(best) == "5e-8"
    assert nudges.gaps[1e-12] > 1000 * nudges.gaps[best]
    says(text, "One gradient this way costs 3,185 forward passes: one for the loss as it stands, then one for each"
               " of the 3,184 parameters.")
    says(text, f"so {n(NUM_STEPS)} steps would need {n(3185 * NUM_STEPS)} forward passes")


def test_the_eps_table(pages, nudges):
    rows = table_rows(pages["numerical-gradient"].html, "The slope of wte[26][2] on")
    shown = [0.5, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12]
    assert [row[0] for row in rows] == [eps_text(e) for e in shown]
    assert [row[0] for row in rows][:6] == ["0.5", "0.1", "0.01", "0.001", "1e-4", "1e-5"]
    for row, e in zip(rows, shown):
        assert row[1:] == [f"{nudges.secants[e]:.10f}", f"{nudges.slope:.10f}", sci(nudges.gaps[e])]


def test_the_eps_player_frames_and_fallback(site, pages, truth, nudges):
    data = frames(site, "eps-slope-wte-BOS-2-0_5.json")
    assert data["label"] == "wte[26][2]" and data["name"] == truth.docs[0]
    # exact where the browser subtracts: the same doubles as a plain forward pass
    assert float(data["theta"]) == nudges.theta and float(data["loss"]) == truth.loss0
    assert float(data["slope"]) == pytest.approx(nudges.slope, rel=1e-12)
    assert [float(e) for e in data["eps"]] == eps_list()
    for e, plus in zip(eps_list(), data["loss_plus"]):
        assert float(plus) == moved(truth, nudges.theta + e), e
    xs = [nudges.theta + SPAN * (k - 40) / 40 for k in range(81)]
    assert data["xs"] == pytest.approx(xs, rel=6e-6)   # 6 significant digits: enough to draw
    assert data["ys"] == pytest.approx([moved(truth, x) for x in xs], abs=6e-6)
    assert data["code_eps"] == "1e-05"
    # without JavaScript: the chart at the largest eps, its secant through the curve at w and w + 0.5
    player = re.search(r'<figure class="mgv-player" data-player="eps-slope".*?</figure></figure>|'
                       r'<figure class="mgv-player" data-player="eps-slope".*?</figcaption></figure>',
                       pages["numerical-gradient"].html, re.DOTALL).group(0)
    secant = [float(v) for v in re.search(r'data-series="2" data-values="([^"]*)"', player).group(1).split()]
    assert secant[40] == pytest.approx(truth.loss0, abs=1e-12)
    assert secant[-1] == pytest.approx(moved(truth, xs[-1]), abs=1e-12)
    assert "with the secant over eps = 0.5" in texts(player)


# ---------------------------------------------------------------- 1.7 Analytic Gradient


def test_analytic_gradient_page(pages, truth):
    text = pages["analytic-gradient"].text
    seen, check = truth.seen0, truth.check
    pairs = len(check) - 1
    first, target = truth.label(check[0]), truth.label(check[1])
    says(text, f"On the check name \"{truth.docs[0]}\" ( n = {pairs}), the first pair is {first} → {target}.")
    p_target = seen["probs"][0][check[1]]
    a = truth.letter("a")
    assert a != check[1]
    says(text, f"The untrained model gives the target {target} probability {f4(p_target)}")
    # (p - 1) / n and p / n, as MathML: the numbers in order
    block = pages["analytic-gradient"].html
    assert re.search(rf"<mtext>{f4(p_target)}</mtext>.*?<mn>{pairs}</mn>.*?{f4(abs(seen['dlogits'][0][check[1]]))}",
                     block, re.DOTALL)
    assert f4(seen["dlogits"][0][check[1]]) == f4((p_target - 1) / pairs)
    says(text, f"gets {f4(seen['probs'][0][a])} / {pairs} = {f4(seen['dlogits'][0][a])}")
    shut = sum(1 for h in seen["h_pre"] for v in h if not v > 0)
    says(text, f"On the check name, {shut} of its {n(pairs * 4 * N_EMBD)} hidden values (one per hidden unit and pair)"
               " were off.")
    unused = truth.V - len(set(check[:-1]))
    says(text, f"for the check name that is {unused} of the {truth.V} rows.")
    assert all(v == 0 for t in range(truth.V) if t not in check[:-1] for v in truth.grad0["wte"][t])
    says(text, "against 3,185 forward passes for the numerical gradient")


def test_the_backprop_player_frames_and_fallback(site, pages, truth):
    data = frames(site, "backprop-steps.json")
    check, seen = truth.check, truth.seen0
    assert data["name"] == truth.docs[0]
    assert data["rows"] == [f"{truth.label(a)}→{truth.label(b)}" for a, b in zip(check, check[1:])]
    assert [s["key"] for s in data["stages"]] == ["probs", "dlogits", "dh", "dh_pre", "dx"]
    for stage in data["stages"]:
        for shown, real in zip(stage["values"], seen[stage["key"]]):
            assert shown == pytest.approx(real, rel=1e-3, abs=1e-9), stage["key"]
    assert data["closed"] == [sum(1 for v in h if not v > 0) for h in seen["h_pre"]]
    # the dlogits rule, read off the frame: probs / n, minus 1 / n at the target
    probs, dlogits = data["stages"][0]["values"], data["stages"][1]["values"]
    for pos, (p, d) in enumerate(zip(probs, dlogits)):
        for j in range(truth.V):
            expected = (p[j] - (1 if j == check[pos + 1] else 0)) / (len(check) - 1)
            assert d[j] == pytest.approx(expected, abs=6e-5)  # both read at 4 significant digits
    # without JavaScript: the last layer, dx, as a heatmap
    html = pages["analytic-gradient"].html
    player = re.search(r'<figure class="mgv-player" data-player="backprop-steps".*?</figcaption></figure>', html,
                       re.DOTALL).group(0)
    cells = [float(v) for v in re.search(r'class="mgv-heat mgv-cells"[^>]*data-values="([^"]*)"', player).group(1).split()]
    assert cells == pytest.approx([v for row in seen["dx"] for v in row], rel=1e-3, abs=1e-9)
    assert "last layer: dx" in texts(player)


# ---------------------------------------------------------------- 1.8 Gradient Check


@pytest.fixture(scope="module")
def gaps(truth):
    return [a - b for a, b in zip(truth.numerical, truth.analytic)]


def flat_label(index):
    for name, rows, cols in (("wte", 27, N_EMBD), ("mlp_fc1", 4 * N_EMBD, N_EMBD), ("mlp_fc2", 27, 4 * N_EMBD)):
        if index < rows * cols:
            return f"{name}[{index // cols}][{index % cols}]"
        index -= rows * cols
    raise IndexError(index)


def test_the_printed_check_line(pages, truth, gaps):
    reference = [line for line in reference_lines(1) if line.startswith("gradient check")]
    assert reference == [CHECK_LINE]
    html = pages["gradient-check"].html
    assert re.findall(r'<pre class="mgv-printed"><code>(.*?)</code></pre>', html) == [CHECK_LINE]
    largest = max(abs(g) for g in gaps)
    # the line, recomputed: both losses, and max diff to 8 decimals
    assert CHECK_LINE == (f"gradient check | loss_n {truth.loss0:.6f} | loss_a {loss_of(truth.initial, truth.check):.6f}"
                          f" | max diff {largest:.8f}")


def test_gradient_check_page(pages, truth, gaps):
    text = pages["gradient-check"].text
    largest_index = max(range(len(gaps)), key=lambda k: abs(gaps[k]))
    largest = abs(gaps[largest_index])
    says(text, "they agree: 3.297830 and 3.297830.")
    says(text, "max diff is printed with 8 decimals and shows 0.00000000: the largest gap is smaller than half of the"
               f" last printed digit. Its exact value is {sci(largest)}.")
    assert largest < 0.5e-8
    biggest = max(abs(a) for a in truth.analytic)
    says(text, f"which reach {f4(biggest)} here. This gap is millions of times smaller")
    assert biggest / largest > 1e6
    says(text, f"The ring marks the largest gap, {flat_label(largest_index)}.")
    assert flat_label(largest_index) == "wte[7][3]"
    says(text, f"is a number of the embedding of {truth.label(7)} .")
    # the bend: the analytic slope's change along that parameter
    h = 1e-4
    name, i, j = "wte", 7, 3
    slopes = []
    for x in (truth.initial[name][i][j] + h, truth.initial[name][i][j] - h):
        params = copy(truth.initial)
        params[name][i][j] = x
        slopes.append(backprop(params, truth.check)[0][name][i][j])
    curvature = (slopes[0] - slopes[1]) / (2 * h)
    truncation = EPS / 2 * curvature
    says(text, f"the analytic slope changes by {sci(curvature)} per unit; half of eps times that is {sci(truncation)},"
               f" close to the gap itself, {sci(largest)}.")
    assert truncation == pytest.approx(largest, rel=0.05)
    above = sum(1 for g in gaps if g > 0)
    below = sum(1 for g in gaps if g < 0)
    says(text, f"{n(above)} numerical gradients come out above their analytic one and {below} below.")
    assert above > 5 * below
    # along almost every parameter the loss curves upward (every seventh checked)
    upward = total = 0
    flat_params = [(key, r, c) for key, matrix in truth.initial.items() for r in range(len(matrix))
                   for c in range(len(matrix[0]))]
    for k in range(0, len(flat_params), 7):
        if truth.analytic[k] == 0:
            continue
        key, r, c = flat_params[k]
        values = []
        for x in (-1e-3, 1e-3):
            params = copy(truth.initial)
            params[key][r][c] += x
            values.append(loss_of(params, truth.check))
        total += 1
        upward += values[0] + values[1] - 2 * truth.loss0 > 0
    assert upward > 0.95 * total
    # rounding: doubles between 2 and 4 lie 2^-51 apart
    assert 2 <= truth.loss0 < 4
    says(text, f"the nearest floats are {sci(2 ** -51)} apart")
    says(text, f"turns one step into {sci(2 ** -51 / EPS)} in the slope: here, much smaller than the bend's share.")
    assert 2 ** -51 / EPS < truncation / 10
    zero = [k for k in range(len(gaps)) if truth.numerical[k] == 0 and truth.analytic[k] == 0]
    unused = [t for t in range(truth.V) if t not in truth.check[:-1]]
    assert zero == [t * N_EMBD + c for t in unused for c in range(N_EMBD)]  # exactly those rows of wte
    says(text, f"Finally, {len(zero)} of the gradients are exactly zero both ways, the points at the centre: the rows"
               f" of wte of the {len(unused)} tokens that never come in as input in \"{truth.docs[0]}\".")


def test_the_largest_gaps_table(pages, truth, gaps):
    rows = table_rows(pages["gradient-check"].html, "The 5 largest gaps of the 3,184 gradients")
    order = sorted(range(len(gaps)), key=lambda k: -abs(gaps[k]))[:5]
    assert rows == [[flat_label(k), f"{truth.numerical[k]:.10f}", f"{truth.analytic[k]:.10f}", sci(gaps[k])]
                    for k in order]


def test_the_gradient_check_player_frames_and_fallback(site, pages, truth, gaps):
    data = frames(site, "gradient-check.json")
    largest = max(range(len(gaps)), key=lambda k: abs(gaps[k]))
    assert data["index"] == largest and data["label"] == flat_label(largest)
    assert data["analytic"] == pytest.approx(truth.analytic, rel=1e-4, abs=1e-12)
    assert data["gap"] == pytest.approx(gaps, rel=6e-3, abs=1e-16)  # 3 significant digits
    # the largest gap, recomputed from the frame itself
    assert max(range(len(data["gap"])), key=lambda k: abs(data["gap"][k])) == largest
    html = pages["gradient-check"].html
    player = re.search(r'<figure class="mgv-player" data-player="gradient-check".*?</figcaption></figure>', html,
                       re.DOTALL).group(0)
    assert 'data-count="3184"' in player and player.count("h0") >= 3184
    assert f'data-index="{largest}"' in player and "wte[7][3]: largest gap" in player


# ---------------------------------------------------------------- 1.9 Training and Inference


def test_the_update_and_the_learning_rate(pages, truth):
    text = pages["training-inference"].text
    theta, slope = truth.initial["wte"][26][2], truth.grad0["wte"][26][2]
    says(text, f"It starts at {f4(theta)}.")
    says(text, f"this parameter's slope is {f4(slope)}. With the first step's learning rate of 1, the update moves it"
               f" to {f4(truth.after1['wte'][26][2])}: up,")
    assert truth.after1["wte"][26][2] == theta - 1.0 * slope > theta
    lr = lambda step: 1.0 * (1 - (step - 1) / NUM_STEPS)   # printed step `step` is the code's step - 1
    says(text, f"the first step uses {lr(1):g}, the step halfway through {lr(500):g}, and the last one {lr(1000):.3f}.")
    assert (f"{lr(1):g}", f"{lr(500):g}", f"{lr(1000):.3f}") == ("1", "0.501", "0.001")


def step0_losses(truth):
    """Step 0's losses: add-one bigram counts of the same names, in the same order."""
    table = [[0] * truth.V for _ in range(truth.V)]
    losses = []
    for name in truth.docs[:NUM_STEPS]:
        t = truth.encode(name)
        pairs = list(zip(t, t[1:]))
        losses.append(sum(-math.log((table[a][b] + 1) / (sum(table[a]) + truth.V)) for a, b in pairs) / len(pairs))
        for a, b in pairs:
            table[a][b] += 1
    return losses


def test_training_results(pages, truth):
    text = pages["training-inference"].text
    assert f4(truth.losses[0]) == "3.2978" and f4(math.log(27)) == "3.2958"
    says(text, "The first loss, 3.2978, is close to 3.2958, the loss of the uniform guess among 27 tokens")
    mine, counting = sum(truth.losses[900:]) / 100, sum(step0_losses(truth)[900:]) / 100
    says(text, f"The last hundred steps average {f4(mine)}.")
    says(text, f"averaged {f4(counting)} over the same steps: nearly the same.")
    assert abs(mine - counting) < 0.01
    says(text, "the mean of the last 50 steps (thick)")


def test_temperature_values(pages, truth):
    text = pages["training-inference"].text
    after_bos = mlp(truth.final, truth.bos)
    one, half = softmax(after_bos), softmax([v / 0.5 for v in after_bos])
    top = one.index(max(one))
    assert half.index(max(half)) == top
    says(text, f"the trained model's likeliest first letter is {truth.label(top)} . At T = 1 it gets {f4(one[top])};"
               f" at T = 0.5, {f4(half[top])}.")
    assert half[top] > one[top]   # lower temperature: more sure of its favourite
    after_n = mlp(truth.final, truth.letter("n"))
    one_n, half_n = softmax(after_n), softmax([v / 0.5 for v in after_n])
    says(text, f"gives BOS {f4(half_n[truth.bos])} ({f4(one_n[truth.bos])} at T = 1 ), so a name that reaches n usually"
               " ends there.")
    assert half_n[truth.bos] > 0.5
    # the samples: the reference output's, and this file's own
    html = pages["training-inference"].html
    shown = re.findall(r"<li><code>(.*?)</code></li>", re.search(r'<ol class="mgv-samples">.*?</ol>', html, re.DOTALL).group(0))
    assert shown == [line.split()[-1] for line in reference_lines(1)[-20:]] == truth.samples
    starting = sum(1 for s in truth.samples if s.startswith(truth.label(top)))
    says(text, f"{starting} of the 20 start with {truth.label(top)} , and there are only {len(set(truth.samples))}"
               f" different names among them.")
    says(text, f"the longest has {max(map(len, truth.samples))} letters.")
    step0 = [line.split()[-1] for line in reference_lines(0)[-20:]]
    says(text, f"and {sum(1 for s in step0 if len(s) == MAX_LEN)} of its 20 names ran on to its limit of {MAX_LEN} letters.")


def test_the_training_player_frames_and_fallback(site, pages, truth):
    data = frames(site, "loss-build.json")
    assert data["docs"] == truth.docs[:NUM_STEPS]
    assert data["loss"] == [round(v, 4) for v in truth.losses]
    assert data["lr"] == [round(1 - k / NUM_STEPS, 4) for k in range(NUM_STEPS)]
    window = data["window"]
    means = [sum(truth.losses[max(0, k - window + 1):k + 1]) / len(truth.losses[max(0, k - window + 1):k + 1])
             for k in range(NUM_STEPS)]
    assert data["mean"] == pytest.approx(means, abs=6e-5)
    html = pages["training-inference"].html
    player = re.search(r'<figure class="mgv-player" data-player="loss-build".*?</figcaption></figure>', html,
                       re.DOTALL).group(0)
    series = re.findall(r'data-values="([^"]*)"', player)
    assert [float(v) for v in series[0].split()] == [round(v, 4) for v in truth.losses]
    assert [float(v) for v in series[2].split()] == [round(1 - k / NUM_STEPS, 4) for k in range(NUM_STEPS)]


def test_the_temperature_player_frames_and_fallback(site, pages, truth):
    data = frames(site, "temperature.json")
    assert data["labels"] == list(truth.uchars) + ["BOS"] and data["temperature"] == TEMPERATURE
    assert data["context"] == truth.bos
    for token in range(truth.V):
        assert data["logits"][token] == pytest.approx(mlp(truth.final, token), rel=1e-5, abs=1e-9)
    rows = table_rows(pages["training-inference"].html, "after BOS: the next token")
    logits = mlp(truth.final, truth.bos)
    half, one = softmax([v / 0.5 for v in logits]), softmax(logits)
    assert rows == [[truth.label(j), f4(half[j]), f4(one[j])] for j in range(truth.V)]


# ---------------------------------------------------------------- the So far boxes


def test_so_far_boxes_carry_these_pages_definitions(site, pages, gaps):
    box = so_far(pages["training-inference"].html)
    assert ("numerical_gradient() — each parameter nudged by eps = 0.00001, the forward pass run again; 3,185 forward"
            " passes for one gradient") in box
    assert "analytic_gradient() — the loss and all 3,184 slopes, exactly, from one pass forward and one pass back per pair" in box
    assert f"check_gradient() — both gradients of the check name before training, compared; the largest gap {sci(max(map(abs, gaps)))}" in box
    assert not any(item.startswith("numerical_gradient()") for item in so_far(pages["numerical-gradient"].html))


def test_nothing_directive_shaped_and_no_error_marks(pages):
    for page in pages.values():
        html = re.sub(r"<script\b.*?</script>", "", page.html, flags=re.DOTALL)
        assert "{{" not in html and "}}" not in html
        assert "mgv-error" not in html and "mgv-pending" not in html
