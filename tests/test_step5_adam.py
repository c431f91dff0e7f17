"""Step 5's landing page and pages 5.1 to 5.3 (what changes, momentum and adaptive rates, Adam's
code), checked in the built site.

What those pages show comes from hooks/pagedata/step5_adam.py, which replays the watched gradient
trace through microgpt's own Adam. Here Adam is done again in plain Python floats, from the run's
recorded gradients and learning rates alone (the run's JSON, read from the built site's run cache),
and compared with what the run kept: m and v, and the values data[t] - data[t + 1] the updates
left. Every number the pages show is then checked against this recomputation (or against a
literal from MICROGPT-SPEC.md and mkdocs.yml), formatted here by the rules the pages state:
4 significant digits, a real minus sign, small numbers as 7.375 × 10⁻¹⁰.
"""

import ast
import json
import math
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest

from hooks.runs import unpack_matrices
from tests.conftest import ROOT, texts

MINUS = "\u2212"
B1, B2, EPS, LR = 0.85, 0.99, 1e-8, 0.01      # MICROGPT-SPEC.md, Step 5
STEPS, N_PARAMS = 1000, 4192
WATCHED = ["wte[0][0]", "layer0.attn_wq[0][0]", "lm_head[0][0]"]   # mkdocs.yml, extra.microgpt.runs.5.watch
SLIDER_STEPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 50, 100, 200, 500, 1000]   # the stepper's default
SUPER = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


# ---------------------------------------------------------------- plain Python: numbers and Adam


def num(x, digits=4):
    """A number as the pages write it, by the rules they state (not by the hooks' code)."""
    if x == 0:
        return "0"
    if 1e-4 <= abs(x) < 1e4:
        text = f"{x:.{digits}g}"
        assert "e" not in text
        return text.replace("-", MINUS)
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    sign = MINUS if x < 0 else ""
    mantissa = mantissa.lstrip("-").rstrip("0").rstrip(".")
    e = int(exponent)
    power = "10" + ("⁻" if e < 0 else "") + str(abs(e)).translate(SUPER)
    return sign + (power if mantissa == "1" else f"{mantissa} × {power}")


def one_minus(power):
    """1 − β^t as the pages write it: as a number, or as 1 − 4.317 × 10⁻⁵ when it would round to 1."""
    return f"1 {MINUS} {num(power)}" if num(1 - power) == "1" else num(1 - power)


def adam(grads, lrs, start, b1=B1, b2=B2, eps=EPS):
    """Adam on one parameter, as MICROGPT-SPEC.md states it: every quantity at every step."""
    m = v = 0.0
    p = start
    out = SimpleNamespace(m=[], v=[], m_hat=[], v_hat=[], step=[], before=[], after=[])
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        step = lr * m_hat / (v_hat ** 0.5 + eps)
        out.before.append(p)
        p -= step
        for name, value in (("m", m), ("v", v), ("m_hat", m_hat), ("v_hat", v_hat), ("step", step), ("after", p)):
            getattr(out, name).append(value)
    return out


def sign_changes(values):
    return sum(1 for a, b in zip(values, values[1:]) if a * b < 0)


def rms(values):
    return math.sqrt(sum(v * v for v in values) / len(values))


def mean_last(values, window):
    """At each step, the mean of the last `window` values (of all of them, before there are `window`)."""
    return [sum(values[max(0, i + 1 - window):i + 1]) / min(i + 1, window) for i in range(len(values))]


def close4(shown, exact):
    """shown is exact to 4 significant digits (half a unit of the 4th digit, and a hair for the sums' order)."""
    if exact == 0:
        return shown == 0
    return abs(shown - exact) <= 0.5 * 10 ** (math.floor(math.log10(abs(exact))) - 3) * (1 + 1e-9) + 1e-15


# ---------------------------------------------------------------- the run and the site


@pytest.fixture(scope="module")
def run5(built_site):
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    return json.loads(next(cache.glob("step5-*.json")).read_text())


@pytest.fixture(scope="module")
def lrs(run5):
    return [record["lr"] for record in run5["steps"]]


@pytest.fixture(scope="module")
def watch(run5):
    return {f"{name}[{r}][{c}]": entry for entry in run5["watch"] for name, r, c in [entry["param"]]}


@pytest.fixture(scope="module")
def start(run5):
    return unpack_matrices(run5["snapshots"]["0"])


@pytest.fixture(scope="module")
def traces(watch, lrs, start):
    """Adam redone by hand for each watched parameter, with the run's betas and with others."""
    def at(b1, b2):
        out = {}
        for label, entry in watch.items():
            name, r, c = entry["param"]
            out[label] = adam(entry["grad"], lrs, start[name][r][c], b1, b2)
        return out
    return {(B1, B2): at(B1, B2), (0.9, 0.999): at(0.9, 0.999), (0.9, 0.99): at(0.9, 0.99),
            (0.85, 0.999): at(0.85, 0.999)}


@pytest.fixture(scope="module")
def own(traces):
    return traces[(B1, B2)]


class Page(SimpleNamespace):
    def says(self, *sentences):
        for sentence in sentences:
            assert sentence in self.text, f"{self.path} does not say: {sentence!r}"


@pytest.fixture(scope="module")
def pages(built_site):
    out = {}
    for path in ["", "what-changes", "momentum", "the-code"]:
        html = (built_site[0] / "step-5" / path / "index.html").read_text()
        article = html[html.index("<article"):html.index("</article>")]
        prose = re.sub(r'<figure class="mgv-(player|figure|diff).*?</figure>', " ", article, flags=re.DOTALL)
        prose = re.sub(r'<div class="mgv-adam-table">.*?</table></div></div>', " ", prose, flags=re.DOTALL)
        out[path or "landing"] = Page(path=path, html=html, article=article, text=texts(prose), all=texts(article))
    return out


def tables(html):
    """Every headed table of the page (step5.css's .mgv-adam-table): caption, header texts, rows of cell texts."""
    found = []
    for box in re.findall(r'<div class="mgv-adam-table">(.*?)</table></div></div>', html, re.DOTALL):
        caption = texts(re.search(r"<caption>(.*?)</caption>", box, re.DOTALL).group(1))
        heads = [texts(h) for h in re.findall(r'<th scope="col">(.*?)</th>', box, re.DOTALL)]
        rows = [[texts(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.DOTALL)]
                for tr in re.findall(r"<tr>(.*?)</tr>", box.split("<tbody>", 1)[1], re.DOTALL)]
        found.append(SimpleNamespace(caption=caption, heads=heads, rows=rows))
    return found


def table_with(page, caption_start):
    found = [t for t in tables(page.article) if t.caption.startswith(caption_start)]
    assert len(found) == 1, (caption_start, [t.caption for t in tables(page.article)])
    return found[0]


def charts(html):
    """Every line chart: its title, and each series' legend name and data-values."""
    out = []
    for figure in re.findall(r'<figure class="mgv-figure mgv-kit mgv-kit--line".*?</figure>', html, re.DOTALL):
        title = unescape(re.search(r"<title[^>]*>(.*?)</title>", figure).group(1))
        values = [[None if v == "-" else float(v) for v in vs.split()]
                  for vs in re.findall(r'class="mgv-series[^"]*" data-series="\d+" data-values="([^"]*)"', figure)]
        names = [texts(n) for n in re.findall(r'<button[^>]*class="mgv-legend-item"[^>]*>(.*?)</button>', figure)]
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure)
        out.append(SimpleNamespace(title=title, values=values, names=names,
                                   caption=unescape(caption.group(1)) if caption else None))
    return out


def frames(built_site, name):
    return json.loads((built_site[0] / "generated" / "step5" / name).read_text())


# ---------------------------------------------------------------- the run: Adam redone by hand


def test_the_run_watched_three_parameters_at_every_step(run5, watch):
    assert list(watch) == WATCHED
    for entry in watch.values():
        assert all(len(entry[k]) == STEPS for k in ("grad", "data", "m", "v"))
    assert run5["steps"][0]["lr"] == LR and len(run5["steps"]) == STEPS


def test_adam_by_hand_gives_the_runs_m_v_and_values(watch, own):
    """m and v recomputed from the recorded gradients are the run's to the last bit, and so is every value the
    updates left: data[t] - data[t + 1] is the step."""
    for label, entry in watch.items():
        t = own[label]
        assert t.m == entry["m"] and t.v == entry["v"], label
        assert t.after == entry["data"], label
        assert all(entry["data"][k] - entry["data"][k + 1] == pytest.approx(t.step[k + 1], rel=1e-9, abs=1e-18)
                   for k in range(STEPS - 1))


def test_adams_first_update_by_hand(watch, start, lrs):
    """Step 1 with plain floats: m = (1 − β1) g, v = (1 − β2) g², m_hat = g, v_hat = g², step = lr_t · g / (|g| + ε)."""
    for label, entry in watch.items():
        name, r, c = entry["param"]
        g = entry["grad"][0]
        m, v = (1 - B1) * g, (1 - B2) * g ** 2
        assert (m, v) == (entry["m"][0], entry["v"][0])
        m_hat, v_hat = m / (1 - B1), v / (1 - B2)
        assert m_hat == g and v_hat == g ** 2        # in this run, to the last bit
        step = lrs[0] * m_hat / (v_hat ** 0.5 + EPS)
        assert step == lrs[0] * g / (abs(g) + EPS)
        assert start[name][r][c] - step == entry["data"][0]
        if g:
            assert 0 < LR - abs(step) < 1e-4 * LR      # ±lr_t, whatever the gradient (eps takes a hair off)
        else:
            assert step == 0


# ---------------------------------------------------------------- the landing page


def test_the_landing_page(pages, watch, own):
    page = pages["landing"]
    grads = {k: watch[k]["grad"] for k in WATCHED}
    ratio = rms(grads["lm_head[0][0]"]) / rms(grads["layer0.attn_wq[0][0]"])
    page.says(
        "attention with 4 heads, an MLP, 4,192 parameters",
        f"lm_head[0][0] , one of the weights that make the logit of a , gets a gradient whose sign flips from one step"
        f" to the next {sign_changes(grads['lm_head[0][0]'])} times in 1,000 steps",
        f"lm_head[0][0] 's gradients are {ratio:.2g} times the size of those of layer0.attn_wq[0][0]",
        f"Adam keeps those averages for every parameter, {2 * N_PARAMS:,} numbers besides the parameters themselves",
        "at each of its 1,000 steps, the gradient, the value and both averages of three parameters: wte[0][0] ,"
        " layer0.attn_wq[0][0] and lm_head[0][0] .",
        "the learning rate drops from 0.1 to 0.01",
        "bias correction, and steps on one scale for every parameter.")
    assert sign_changes(grads["lm_head[0][0]"]) == 470 and round(ratio) == 72
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page.article)
    assert links == [("what-changes/", "What Changes"), ("momentum/", "Momentum and Adaptive Rates"),
                     ("the-code/", "The Code"), ("training-results/", "Training and Results"),
                     ("microgpt/", "microgpt, Assembled")]


# ---------------------------------------------------------------- 5.1 What Changes


def source_lines(module):
    """The lines of a module a diff counts: no docstring, no snippet marks, no blank lines."""
    text = (ROOT / "microgpt" / f"{module}.py").read_text()
    tree = ast.parse(text)
    doc = tree.body[0].end_lineno if isinstance(tree.body[0], ast.Expr) else 0
    return [line for i, line in enumerate(text.split("\n"), start=1)
            if i > doc and line.strip() and not line.strip().startswith("# --8<--")]


def test_what_changes(pages, run5, built_site):
    page = pages["what-changes"]
    step5 = source_lines("step5_adam")
    adam_lines = step5[step5.index("class Adam:"):step5.index("def train(state_dict, docs, tokenizer, num_steps):")]
    assert len(adam_lines) == 17 and len(step5) == 28
    # the diff of imports and settings, Adam and train(): 8 + 1 lines go, 7 + 17 + 1 come, train()'s other 3 stay
    page.says("Step 5's module, step5_adam.py , is short: 28 lines, blank lines not counted.",
              "9 lines go, 25 come, and 3 stay as they were.")
    diff = texts(page.article[page.article.index('<figure class="mgv-diff">'):])
    assert "9 lines removed, 25 lines added, 3 lines unchanged" in diff
    assert "class Adam new, 17 lines" in diff and "train() changed: 1 line removed, 1 line added" in diff
    assert "imports and settings changed: 8 lines removed, 7 lines added" in diff
    for hidden in ("def gpt(", "def forward(", "def sample(", "def empty_cache("):
        assert hidden not in unescape(re.sub(r"<[^>]+>", "", page.article))
    lm_head = unpack_matrices(run5["snapshots"]["0"])["lm_head"]
    rms_mean = sum(rms(row) for row in lm_head) / len(lm_head)
    lr_last = run5["steps"][-1]["lr"]
    assert lr_last == pytest.approx(LR / STEPS)
    page.says("learning_rate drops from 0.1 to 0.01, and still shrinks in a straight line over the 1,000 steps:"
              f" the loop computes lr_t as before, so the first step uses 0.01 and the last {lr_last:.5f}.",
              f"the rows of lm_head , for one, start with a root mean square of {rms_mean:.4f} on average.",
              "beta1 = 0.85 :", "beta2 = 0.99 :", "eps_adam = 10⁻⁸ :",
              "the model and its 4,192 parameters")


# ---------------------------------------------------------------- 5.2 Momentum and Adaptive Rates


def test_momentum_prose(pages, watch, own):
    page = pages["momentum"]
    g = watch["lm_head[0][0]"]["grad"]
    t = own["lm_head[0][0]"]
    page.says(
        "one of the 16 weights that make the logit of a",
        "Here is the gradient of lm_head[0][0] at the first five steps: " + ", ".join(num(x) for x in g[:4])
        + f" and {num(g[4])}.",
        f"its sign flips {sign_changes(g)} times over the run",
        "the average keeps 85% of itself and takes in 15% of the new gradient",
        f"the newest gets weight 1 − β 1 , {num(1 - B1)}, the one before {num((1 - B1) * B1)}, the one before that"
        f" {num((1 - B1) * B1 ** 2)}",
        f"would average over 1 / ( 1 − β 1 ) steps, {1 / (1 - B1):.3g} here",
        f"changes sign {sign_changes(g)} times over the run, its running average m only {sign_changes(t.m)} times",
        "The first chart shows the first 100 steps; the second shows the first 20",
        f"at the first step, lm_head[0][0] 's gradient is {num(g[0])}, and m is {num(t.m[0])}.",
        f"gives back the first gradient itself, {num(t.m_hat[0])}. By step 20, 1 − β 1 t is {num(1 - B1 ** 20)}:"
        f" the correction only multiplies m by {num(1 / (1 - B1 ** 20))}, and by less at every later step.",
        f"with β 2 = beta2 = 0.99, a memory of about {1 / (1 - B2):.3g} steps",
        f"at step 20, 1 − β 2 t is still only {num(1 - B2 ** 20)}",
        "( ϵ is eps_adam , 10⁻⁸:",
        "At 0.85, the value microgpt uses, it gives exactly the m that Adam kept during the run.",
        "Without JavaScript, the charts show β 1 = 0.85.")
    assert sign_changes(t.m) == 147 and t.m_hat[0] == g[0]
    assert num(1 / (1 - B1 ** 20)) == "1.04"
    assert '<h2 id="adaptive-rates-steps-on-one-scale">' in page.article
    assert 'href="../momentum/#adaptive-rates-steps-on-one-scale"' in pages["the-code"].article
    ratio = rms(g) / rms(watch["layer0.attn_wq[0][0]"]["grad"])
    page.says(f"the gradients of lm_head[0][0] are {ratio:.2g} times the size of those of layer0.attn_wq[0][0]")


def test_momentum_is_an_average_not_a_speed():
    """5.2: with the same gradient at every step, m comes closer and closer to it and never passes it (the ball
    does not keep gathering speed), m_hat is that gradient and every step is lr_t (eps aside)."""
    g = 0.1
    t = adam([g] * 200, [LR] * 200, 0.0)
    assert all(a < b for a, b in zip(t.m, t.m[1:]) if b < g) and all(m <= g for m in t.m)
    assert all(m_hat == pytest.approx(g, rel=1e-12) for m_hat in t.m_hat)
    assert all(abs(s) == pytest.approx(LR, rel=1e-6) for s in t.step)


def test_bias_correction_table(pages, watch, own):
    table = table_with(pages["momentum"], "lm_head[0][0] , its first 20 training steps")
    t, g = own["lm_head[0][0]"], watch["lm_head[0][0]"]["grad"]
    assert table.heads == ["step t", "gradient g", "m (kept by the run)", "1 − 0.85 t", "m_hat = m / (1 − β1 t )"]
    assert table.rows == [[str(k), num(g[k - 1]), num(watch["lm_head[0][0]"]["m"][k - 1]), one_minus(B1 ** k),
                           num(watch["lm_head[0][0]"]["m"][k - 1] / (1 - B1 ** k))] for k in range(1, 21)]
    assert [row[4] for row in table.rows] == [num(x) for x in t.m_hat[:20]]


def test_adaptive_rates_table(pages, watch, own):
    table = table_with(pages["momentum"], "The watched parameters over the 1,000 training steps")
    rows = []
    for label in WATCHED:
        t = own[label]
        ratios = [abs(s) / lr for s, lr in zip(t.step, [r for r in (LR * (1 - k / STEPS) for k in range(STEPS))])]
        rows.append([label, num(rms(watch[label]["grad"])), num(sum(map(abs, t.step)) / STEPS),
                     num(sum(ratios) / STEPS)])
    assert table.rows == rows
    # "steps of a similar size": the mean steps lie within 1.5 times of each other, the gradients 70 times apart
    steps = [sum(map(abs, own[label].step)) / STEPS for label in WATCHED]
    grads = [rms(watch[label]["grad"]) for label in WATCHED]
    assert max(steps) / min(steps) < 1.5 and max(grads) / min(grads) > 70


# ---------------------------------------------------------------- 5.2 the beta slider


def test_beta_slider_frames(built_site, watch):
    f = frames(built_site, "beta-slider-lm_head-0-0.json")
    assert f["param"] == "lm_head[0][0]" and f["beta"] == B1 and f["common"] == 0.9
    assert f["window"] == 100 and f["bias_steps"] == 20
    assert [float(x) for x in f["grads"]] == watch["lm_head[0][0]"]["grad"]   # exact: the browser averages them


def slider_sentence(g, m, beta):
    keep = round(beta * 100)
    tag = " (the run’s)" if beta == B1 else " (Adam’s usual)" if beta == 0.9 else ""
    memory = f"{1 / (1 - beta):.3g}"
    return (f"β1 = {beta:.2f}{tag}: each step m keeps {keep}% of itself and adds {100 - keep}% of the new gradient,"
            f" a memory of about {memory} step{'' if memory == '1' else 's'}. Over the 1,000 steps m changes sign"
            f" {sign_changes(m)}"
            f" times, the gradient {sign_changes(g)} times. At step 1, m is {num(m[0])} and m_hat is"
            f" {num(m[0] / (1 - beta))}.")


def test_beta_slider_fallback(pages, watch):
    """Without JavaScript: the sentence and the two charts at the run's beta1, with the run's m."""
    page = pages["momentum"]
    entry = watch["lm_head[0][0]"]
    g, m = entry["grad"], entry["m"]
    player = page.article[page.article.index('data-player="beta-slider"'):]
    player = player[:player.index("</div><figcaption>")]
    assert unescape(re.search(r'<p class="mgv-beta-summary">(.*?)</p>', player).group(1)) == slider_sentence(g, m, B1)
    first, second = charts(player)
    six = lambda values: [float(f"{v:.6g}") for v in values]   # noqa: E731
    assert first.names == ["gradient g", "m, β1 = 0.85"]
    assert first.values == [six(g[:100]), six(m[:100])]
    assert second.names == ["gradient g", "m, β1 = 0.85", "m_hat = m / (1 − β1^t)"]
    assert second.values[:2] == [six(g[:20]), six(m[:20])]
    m_hat = [float(f"{v:.6g}") / (1 - B1 ** k) for k, v in enumerate(m[:20], start=1)]
    assert second.values[2] == pytest.approx(m_hat, rel=1e-12)
    assert "The gradient of lm_head[0][0] and its running average, β1 = 0.85" in page.all


# ---------------------------------------------------------------- 5.3 The Code


def test_the_code_excerpts(pages):
    page = pages["the-code"]
    blocks = [unescape(re.sub(r"<[^>]+>", "", b)) for b in
              re.findall(r"<pre[^>]*>(?:<span></span>)?<code[^>]*>(.*?)</code></pre>", page.article, re.DOTALL)]
    source = (ROOT / "microgpt" / "step5_adam.py").read_text()
    section = source.split("# --8<-- [start:adam]\n")[1].split("# --8<-- [end:adam]")[0]
    assert blocks[0].rstrip("\n") == section.rstrip("\n")
    assert [b.strip() for b in blocks[1:5]] == [
        "self.t += 1",
        "self.m[i] = beta1 * self.m[i] + (1 - beta1) * p.grad\nself.v[i] = beta2 * self.v[i] + (1 - beta2) * p.grad**2",
        "m_hat = self.m[i] / (1 - beta1**self.t)  # undo the pull to 0\nv_hat = self.v[i] / (1 - beta2**self.t)",
        "p.data -= lr_t * m_hat / (v_hat**0.5 + self.eps)\np.grad = 0"]


def test_the_first_update_table(pages, watch, start, lrs):
    table = table_with(pages["the-code"], "Training step 1 (lr_t = 0.01), for each watched parameter")
    assert table.heads == ["what Adam computes"] + WATCHED
    columns = []
    for label in WATCHED:
        entry = watch[label]
        name, r, c = entry["param"]
        g = entry["grad"][0]
        m, v = (1 - B1) * g, (1 - B2) * g ** 2
        before = start[name][r][c]
        step = lrs[0] * (m / (1 - B1)) / ((v / (1 - B2)) ** 0.5 + EPS)
        columns.append([g, m, v, m / (1 - B1), v / (1 - B2), step, before, before - step])
    heads = ["p.grad , the gradient g", "m = (1 − 0.85) × g", "v = (1 − 0.99) × g²", "m_hat = m / (1 − 0.85)",
             "v_hat = v / (1 − 0.99)", "the step, 0.01 × m_hat / (√v_hat + ε)", "p.data before", "p.data after"]
    assert table.rows == [[head] + [num(col[i]) for col in columns] for i, head in enumerate(heads)]


def test_the_first_update_prose(pages, watch, run5):
    page = pages["the-code"]
    g_wq, g_lm = watch["layer0.attn_wq[0][0]"]["grad"][0], watch["lm_head[0][0]"]["grad"][0]
    page.says(f"layer0.attn_wq[0][0] had a gradient of {num(g_wq)}, and lm_head[0][0] one of {num(g_lm)}, about"
              f" {abs(g_lm) / abs(g_wq):.2g} times larger in size; both moved by almost exactly lr_t = 0.01."
              f" Gradient descent with the same learning rate would have moved the first {abs(g_lm) / abs(g_wq):.2g}"
              " times less than the second.")
    docs = [s["doc"] for s in run5["steps"]]
    assert "a" not in docs[0] and "a" not in docs[1] and "a" in docs[2]
    page.says(f"the first names, {docs[0]} and {docs[1]}, have no a : its gradient is 0")
    # every parameter's first move, from the snapshots
    before, after = unpack_matrices(run5["snapshots"]["0"]), unpack_matrices(run5["snapshots"]["1"])
    moves = [abs(a - b) for n in before for r0, r1 in zip(before[n], after[n]) for a, b in zip(r0, r1)]
    moved = [x / LR for x in moves if x]
    assert len(moves) == N_PARAMS
    page.says(f"Over the whole model, {len(moves) - len(moved)} parameters got no gradient at the first step and stayed where"
              f" they were; the other {len(moved):,} moved by between {num(min(moved))} and {num(max(moved))} times"
              " lr_t .")
    assert min(moved) > 0.98 and max(moved) <= 1
    # wte[0][0]: its first gradient at step 3, and a first move shorter than lr_t
    wte = watch["wte[0][0]"]["grad"]
    first = next(k for k, x in enumerate(wte, start=1) if x)
    m = (1 - B1) * wte[first - 1]
    v = (1 - B2) * wte[first - 1] ** 2
    ratio = abs(m / (1 - B1 ** first)) / ((v / (1 - B2 ** first)) ** 0.5 + EPS)
    assert first == 3
    page.says(f"wte[0][0] got its first gradient at step {first}, from {docs[2]}.",
              f"and the step was {num(ratio)} times lr_t .")


def test_the_stepper_frames(built_site, watch, own):
    f = frames(built_site, "adam-steps-1-1000-18.json")
    assert f["params"] == WATCHED
    assert [fr["step"] for fr in f["frames"]] == SLIDER_STEPS
    for fr in f["frames"]:
        k = fr["step"]
        lr = LR * (1 - (k - 1) / STEPS)
        assert fr["lr"] == num(lr)
        cells = []
        for label in WATCHED:
            t, i = own[label], k - 1
            cells.append([num(watch[label]["grad"][i]), num(watch[label]["m"][i]), num(watch[label]["v"][i]),
                          num(t.m_hat[i]), num(t.v_hat[i]), num(t.v_hat[i] ** 0.5), num(t.step[i]),
                          num(watch[label]["data"][i])])
        assert fr["cells"] == [list(row) for row in zip(*cells)], k
        parts = []
        for label in WATCHED:
            g, step = watch[label]["grad"][k - 1], own[label].step[k - 1]
            note = (" (its gradient was 0: m alone moved it)" if g == 0 and step != 0 else
                    " (no gradient yet, and m is 0: it stays)" if g == 0 else "")
            parts.append(f"{num(step)} from {label}{note}")
        assert fr["say"] == f"Training step {k:,}, lr_t = {num(lr)}. Adam subtracts {parts[0]}, {parts[1]} and {parts[2]}."
    # what 5.3 says to follow: wte[0][0] at step 3 (a gradient) and 4 (none, yet it moves)
    wte = watch["wte[0][0]"]["grad"]
    assert wte[2] != 0 and wte[3] == 0 and own["wte[0][0]"].step[3] != 0
    assert "(its gradient was 0: m alone moved it)" in f["frames"][3]["say"]


def test_the_stepper_fallback(pages, built_site):
    """Without JavaScript the stepper shows the last step: its sentence and its table."""
    page = pages["the-code"]
    last = frames(built_site, "adam-steps-1-1000-18.json")["frames"][-1]
    table = table_with(page, "Training step 1,000 , lr_t = ")
    assert table.caption == f"Training step 1,000 , lr_t = {last['lr']}" and last["lr"] == "10⁻⁵"
    assert [row[1:] for row in table.rows] == last["cells"]
    assert [row[0] for row in table.rows][0] == "p.grad g, the gradient"
    assert unescape(re.search(r'<p class="mgv-adam-summary">(.*?)</p>', page.article).group(1)) == last["say"]
    assert "Adam's update of the watched parameters at 18 training steps, from step 1 to 1,000" in page.all


def test_over_the_whole_run(pages, watch, run5, own):
    page = pages["the-code"]
    wte, steps = watch["wte[0][0]"]["grad"], own["wte[0][0]"].step
    without = sum(1 for s in run5["steps"] if "a" not in s["doc"])
    zero = [k for k, g in enumerate(wte) if g == 0]
    moved = [k for k in zero if steps[k] != 0]
    assert len(zero) == without == 271 and len(moved) == 269
    page.says(f"{without} of the 1,000 training names have none, and at {len(zero)} steps its gradient is exactly 0 ."
              f" With Adam it moved at {len(moved)} of those")
    lrs = [s["lr"] for s in run5["steps"]]
    means = [mean_last([abs(s) / lr for s, lr in zip(own[label].step, lrs)], 50) for label in WATCHED]
    later = list(zip(*means))[49:]
    low, high = min(map(min, later)), max(map(max, later))
    spread = max(max(at) / min(at) for at in later)
    ratio = rms(watch["lm_head[0][0]"]["grad"]) / rms(watch["layer0.attn_wq[0][0]"]["grad"])
    page.says(f"the three lines stay between {low:.2g} and {high:.2g}, never more than {spread:.2g} times apart,"
              f" although the parameters' gradients differ by a factor of {ratio:.2g}")
    assert high < 1   # below the line at 1
    ratios = [num(sum(abs(s) / lr for s, lr in zip(own[label].step, lrs)) / STEPS) for label in WATCHED]
    page.says(f"the three steps come to {ratios[0]}, {ratios[1]} and {ratios[2]} times lr_t")
    # lr_t is not a limit: wte[0][0]'s steps above it, each after a run of gradients of one sign, larger than usual
    relative = [abs(s) / lr for s, lr in zip(steps, lrs)]
    above = [k for k, r in enumerate(relative) if r > 1]
    assert len(above) == 3 and max(relative) > 1.05
    page.says(f"wte[0][0] moved by more than lr_t at {len(above)} steps, by at most {num(max(relative))} times lr_t ,"
              " each time just after a run of gradients of one sign, larger than usual")
    for k in above:
        run_ = [g for g in wte[k - 2:k + 1] if g]            # the last three gradients, zeros aside: one sign
        assert len(run_) >= 2 and (all(g < 0 for g in run_) or all(g > 0 for g in run_)), k
        assert max(map(abs, run_)) > 2 * own["wte[0][0]"].v_hat[k - 3] ** 0.5, k   # well above the size v had
        assert abs(own["wte[0][0]"].m_hat[k]) > own["wte[0][0]"].v_hat[k] ** 0.5
    # the chart: |step| as a running mean over 50 steps, and lr_t
    chart = [c for c in charts(page.article) if c.title.startswith("How far Adam moved")][0]
    assert chart.names == [f"{label}, mean of the last 50" for label in WATCHED]
    assert len(chart.values) == 3
    for shown, exact in zip(chart.values, means):
        assert len(shown) == STEPS and all(close4(a, b) for a, b in zip(shown, exact))
    assert "a step of lr_t" in texts(page.article[page.article.index("How far Adam moved"):])


def test_the_betas(pages, watch, traces, lrs):
    page = pages["the-code"]
    table = table_with(page, "1 − β t , what bias correction divides by at step t")
    betas = [(B1, "0.85 (β1 of the run)"), (0.9, "0.9"), (B2, "0.99 (β2 of the run)"), (0.999, "0.999")]
    assert table.heads == ["β", "memory (steps)", "t = 1", "t = 10", "t = 100", "t = 1,000"]
    assert table.rows == [[text, f"{1 / (1 - b):,.3g}" if b < 0.999 else "1,000"] + [one_minus(b ** t) for t in (1, 10, 100, 1000)]
                          for b, text in betas]
    settle = next(t for t in range(1, 10000) if 1 - B2 ** t >= 0.99)
    page.says("Why 0.85 and 0.99?", "microgpt's betas are 0.85 and 0.99.",
              "Its m remembers about 6.67 steps instead of 10, and its v about 100 instead of 1,000.",
              f"1 − β 2 t would still be {num(1 - 0.999 ** 1000)} at step 1,000, so bias correction would be at work"
              f" to the very last step, multiplying v by {num(1 / (1 - 0.999 ** 1000))}.",
              f"reaches 0.99 at step {settle} and is {one_minus(B2 ** 1000)} by the end: from then on, v falls"
              " short of v_hat by at most a hundredth of it, and the correction hardly changes it.")
    assert settle == 459
    for t in traces[(B1, B2)].values():      # v / v_hat is 1 − β2^t: at least 0.99 from step 459 on
        assert all(v / v_hat >= 0.99 for v, v_hat in zip(t.v[settle - 1:], t.v_hat[settle - 1:]) if v)
        assert t.v[settle - 2] / t.v_hat[settle - 2] < 0.99

    def mean_ratio(t):
        return num(sum(abs(s) / lr for s, lr in zip(t.step, lrs)) / STEPS)

    lm = {k: v["lm_head[0][0]"] for k, v in traces.items()}
    page.says(f"Its steps come out smaller: on average {mean_ratio(lm[(0.9, 0.999)])} times lr_t , against"
              f" {mean_ratio(lm[(B1, B2)])} with the run's betas.",
              f"With β 1 = 0.9 alone, the mean comes to {mean_ratio(lm[(0.9, 0.99)])}",
              f"the mean size of m_hat falls from {num(sum(map(abs, lm[(B1, B2)].m_hat)) / STEPS)} to"
              f" {num(sum(map(abs, lm[(0.9, 0.99)].m_hat)) / STEPS)}",
              f"With β 2 = 0.999 alone, it comes to {mean_ratio(lm[(0.85, 0.999)])}",
              f"the mean of v_hat**0.5 rises from {num(sum(v ** 0.5 for v in lm[(B1, B2)].v_hat) / STEPS)} to"
              f" {num(sum(v ** 0.5 for v in lm[(0.85, 0.999)].v_hat) / STEPS)}")
    for other in ((0.9, 0.999), (0.9, 0.99), (0.85, 0.999)):   # "smaller", "falls", "rises"
        assert sum(abs(s) for s in lm[other].step) < sum(abs(s) for s in lm[(B1, B2)].step)
    # the counterfactual chart, said to be one
    chart = [c for c in charts(page.article) if c.title.startswith("lm_head[0][0]: how far it moved")][0]
    assert chart.names == ["the run: β1 0.85, β2 0.99", "counterfactual: β1 0.9, β2 0.999, the same gradients"]
    for shown, t in zip(chart.values, (lm[(B1, B2)], lm[(0.9, 0.999)])):
        assert all(close4(a, b) for a, b in zip(shown, mean_last([abs(s) / lr for s, lr in zip(t.step, lrs)], 50)))
    assert chart.caption.startswith("The counterfactual line is not a run")


def test_ema_values_on_the_code(pages):
    pages["the-code"].says("beta1 and beta2 are 0.85 and 0.99, so m keeps 85% of itself and v 99%",
                           "self.eps is 10⁻⁸", "With 4,192 parameters, that is 8,384 numbers of state")


def test_so_far_and_no_directive_text(pages):
    for page in pages.values():
        assert "{{" not in page.article and "}}" not in page.article
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', pages["the-code"].article, re.DOTALL).group(0)
    items = [texts(i) for i in re.findall(r"<li>(.*?)</li>", box, re.DOTALL)]
    assert "learning_rate — 0.01, down from Step 4's 0.1: Adam's steps are on the scale of lr_t itself" in items
    assert "beta1, beta2, eps_adam — Adam's settings: 0.85, 0.99 and 10⁻⁸" in items
    assert ("m, momentum — a running average of a parameter's gradient, each step keeps beta1 of the old m and takes"
            " the rest from the new gradient, starting at zero;"
            " with beta1 = 0.85 it remembers about 6.67 steps") in items
