"""The players' shared kit in a real browser: Chromium, driven by Playwright,
against a static harness page generated here (not the site): players.js,
guide.css and two player kinds, Material's own stylesheets from the installed
theme, and figures drawn by hooks/svg.py. The page is served on 127.0.0.1;
every test also checks that it logged no console error and asked nothing of
any other host."""

import json
import math
import random
import shutil
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import material
import pytest

from hooks import render, svg
from microgpt.tokenizer import Tokenizer
from tests.browser_kit import QuietHandler, browser, new_page, open_context  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "assets" / "guide"
MATERIAL_CSS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
SCHEMES = ["default", "slate"]


# ---------------------------------------------------------------- the harness

TOKENIZER = Tokenizer(["abcdefghijklmnopqrstuvwxyz"])
LABELS = render.labels(TOKENIZER)
NAMES = ["ava", "emma", "olivia", "noah", "liam", "mia", "zoe", "yuheng", "diondre", "xavier", "quinn", "jo"]


def harness_data():
    rng = random.Random(0)
    losses = [2.45 + 0.85 * math.exp(-i / 180) + rng.gauss(0, 0.35) for i in range(1000)]
    counts = [[0] * 27 for _ in range(27)]
    steps = []
    for name in NAMES * 3:
        tokens = TOKENIZER.encode(name)
        cells = list(zip(tokens, tokens[1:]))
        for i, j in cells:
            counts[i][j] += 1
        steps.append({"doc": name, "tokens": tokens, "cells": [list(c) for c in cells], "loss": 3.3})
    bigrams = [[rng.choice([0, 0, 1, 3, 10, 40, 120, 400]) for _ in range(27)] for _ in range(27)]
    weights = [[rng.gauss(0, 0.08) for _ in range(16)] for _ in range(27)]
    numerical = [rng.gauss(0, 0.02) for _ in range(3184)]
    analytic = [v + rng.gauss(0, 0.0004) for v in numerical]
    worst = max(range(3184), key=lambda i: abs(numerical[i] - analytic[i]))
    demo = {"x": list(range(1, 41)), "losses": losses[:40],
            "maps": [[[rng.uniform(-1, 1) for _ in range(5)] for _ in range(4)] for _ in range(3)]}
    return {"losses": losses, "counts": counts, "steps": steps, "bigrams": bigrams, "weights": weights,
            "points": list(zip(numerical, analytic)), "worst": worst, "demo": demo}


def figures(data):
    """The harness's figures, all drawn by the build's side of the kit."""
    tones = svg.line_chart(
        [{"name": f"tone {t}", "values": [math.sin(i / 6 + t) + t for i in range(60)], "tone": t,
          "weight": ["thin", "normal", "thick"][t % 3]} for t in range(6)],
        uid="tones", title="Six series, one per tone", x_title="x", y_title="y")
    return {
        "loss": render.loss_chart(data["losses"], 27, 50, 0),
        "counts-map": svg.heatmap(data["bigrams"], uid="bigrams", title="Bigram counts", row_labels=LABELS,
                                  col_labels=LABELS, row_title="current token", col_title="next token", scale="sqrt"),
        "weights": svg.heatmap(data["weights"], uid="wte", title="wte, 27 × 16", row_labels=LABELS,
                               row_title="token", col_title="dimension", signed=True),
        "scatter": svg.scatter(data["points"], uid="grads", title="3,184 gradients, numerical against analytic",
                               x_title="numerical", y_title="analytic", diagonal=True,
                               highlight={"index": data["worst"], "label": "largest difference"}),
        "tones": tones,
    }


HEAT_SAMPLES = (
    '<p id="heat-samples">'
    + "".join(f'<span class="mgv-heat-cell" style="--heat:{h}">{h} text</span> ' for h in ("0", "0.5", "1"))
    + '<span class="mgv-signed">'
    + "".join(f'<span class="mgv-heat-cell" style="--heat:{h}">{h} text</span> ' for h in ("-1", "-0.5", "0.5", "1"))
    + "</span></p>"
)

DEMO_KIND = """
/* A test kind in the harness: a loss curve building step by step and a map of
 * changing values, under a stepper; it also holds a timer, an observer and a
 * window listener through its life, which must all go when it stops. */
MGV.defineWithFrames("kit-demo", function (element, f, life) {
  const stage = element.querySelector(".mgv-stage");
  const lineBox = MGV.make("div"), mapBox = MGV.make("div");
  stage.replaceChildren(lineBox, mapBox);
  const chart = MGV.kit.lineChart(lineBox, { series: [{ name: "loss", values: f.losses }], uid: "demo-line",
    title: "The loss so far", xTitle: "step", yTitle: "loss", x: f.x, yMin: 0 }, life);
  const map = MGV.kit.heatmap(mapBox, { values: f.maps[0], uid: "demo-map", title: "A map", signed: true, bound: 1 }, life);
  life.observe(new ResizeObserver(function () {})).observe(element);
  life.setTimeout(function () {}, 600000);
  life.listen(window, "resize", function () {});
  return MGV.stepper(element, {
    last: f.losses.length, speeds: [["50 steps/s", 50]],
    show: function (k) { chart.showUpTo(k); map.update(f.maps[k % f.maps.length]); },
    say: function (k) { return "Step " + k + "."; },
  });
});
"""

# Installed before any script of the page: Material's document$ (a replaying
# subject: a subscriber hears the current page at once), and a count of what
# page scripts hold: timers, animation frames, observers, event listeners.
INIT = """
(() => {
  const subscribers = [];
  window.document$ = { subscribe(fn) { subscribers.push(fn); fn(document); }, emit() { subscribers.forEach(fn => fn(document)); } };
  const live = { intervals: new Set(), timeouts: new Set(), frames: new Set(), observers: new Set(), listeners: new Set() };
  const si = window.setInterval, ci = window.clearInterval, st = window.setTimeout, ct = window.clearTimeout;
  const raf = window.requestAnimationFrame, caf = window.cancelAnimationFrame;
  window.setInterval = function (fn, ms, ...rest) { const id = si.call(window, fn, ms, ...rest); live.intervals.add(id); return id; };
  window.clearInterval = function (id) { live.intervals.delete(id); return ci.call(window, id); };
  window.setTimeout = function (fn, ms, ...rest) {
    const id = st.call(window, function () { live.timeouts.delete(id); return typeof fn === "function" ? fn.apply(this, arguments) : undefined; }, ms, ...rest);
    live.timeouts.add(id); return id;
  };
  window.clearTimeout = function (id) { live.timeouts.delete(id); return ct.call(window, id); };
  window.requestAnimationFrame = function (fn) { const id = raf.call(window, t => { live.frames.delete(id); fn(t); }); live.frames.add(id); return id; };
  window.cancelAnimationFrame = function (id) { live.frames.delete(id); return caf.call(window, id); };
  for (const name of ["ResizeObserver", "MutationObserver", "IntersectionObserver"]) {
    const Original = window[name];
    window[name] = class extends Original {
      observe(...args) { live.observers.add(this); return super.observe(...args); }
      disconnect() { live.observers.delete(this); return super.disconnect(); }
    };
  }
  const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
  const capture = o => typeof o === "boolean" ? o : !!(o && o.capture);
  EventTarget.prototype.addEventListener = function (type, fn, options) {
    const signal = options && typeof options === "object" ? options.signal : undefined;
    if (!(signal && signal.aborted)) live.listeners.add({ target: this, type, fn, capture: capture(options), signal });
    return add.call(this, type, fn, options);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, options) {
    for (const r of live.listeners) if (r.target === this && r.type === type && r.fn === fn && r.capture === capture(options)) live.listeners.delete(r);
    return remove.call(this, type, fn, options);
  };
  window.__live = () => ({
    intervals: live.intervals.size, timeouts: live.timeouts.size, frames: live.frames.size, observers: live.observers.size,
    listeners: [...live.listeners].filter(r => !(r.signal && r.signal.aborted)).length,
  });
})();
"""


def harness_page(scheme, data):
    figs = figures(data)
    count_player = render.player_shell("count-table", "ct.json", render.count_table(TOKENIZER, data["counts"]),
                                       "The count table after 36 names")
    tokenizer = render.tokenizer_shell(TOKENIZER, render.token_row(TOKENIZER, TOKENIZER.encode("ava"), arrows=True))
    demo = render.player_shell("kit-demo", "demo.json", "<p>The final loss curve would be here.</p>", "A demo")
    sections = "".join(f'<section id="{key}"><h2>{key}</h2>{html}</section>' for key, html in figs.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Kit harness ({scheme})</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="material/main.css"><link rel="stylesheet" href="material/palette.css">
<link rel="stylesheet" href="guide.css"></head>
<body dir="ltr" data-md-color-scheme="{scheme}" data-md-color-primary="indigo" data-md-color-accent="deep-orange">
<div class="md-container"><main class="md-main"><div class="md-main__inner md-grid"><div class="md-content" data-md-component="content">
<article class="md-content__inner md-typeset"><h1>The players' kit</h1>
<div id="players">{sections}
<section id="count-table"><h2>count table</h2>{count_player}</section>
<section id="tokenizer"><h2>tokenizer</h2>{tokenizer}</section>
<section id="demo"><h2>demo</h2>{demo}</section></div>
{HEAT_SAMPLES}
<div id="js-area"></div>
</article></div></div></main></div>
<script src="players.js"></script><script src="count-table.js"></script><script src="tokenizer.js"></script>
<script src="demo.js"></script>
</body></html>"""


@pytest.fixture(scope="module")
def data():
    return harness_data()


@pytest.fixture(scope="module")
def site(tmp_path_factory, data):
    base = tmp_path_factory.mktemp("kit")
    for name in ("players.js", "guide.css", "count-table.js", "tokenizer.js"):
        shutil.copy(GUIDE / name, base / name)
    (base / "material").mkdir()
    shutil.copy(next(MATERIAL_CSS.glob("main.*.min.css")), base / "material" / "main.css")
    shutil.copy(next(MATERIAL_CSS.glob("palette.*.min.css")), base / "material" / "palette.css")
    (base / "demo.js").write_text(DEMO_KIND)
    (base / "ct.json").write_text(json.dumps({"labels": LABELS, "steps": data["steps"]}))
    (base / "demo.json").write_text(json.dumps(data["demo"]))
    for scheme in SCHEMES:
        (base / f"{scheme}.html").write_text(harness_page(scheme, data))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(base)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def open_harness(browser, site):
    """open_harness(scheme="default", width=1280, **context options) -> a page, scripts started."""
    contexts = []

    def opener(scheme="default", width=1280, **options):
        context = open_context(browser, viewport={"width": width, "height": 900}, **options)
        contexts.append(context)
        context.add_init_script(INIT)
        page = new_page(context)
        page.goto(f"{site}/{scheme}.html")
        page.locator('[data-player="count-table"] .mgv-controls').wait_for()
        page.locator('[data-player="kit-demo"] .mgv-controls').wait_for()
        page.locator("#loss figure.mgv-live").wait_for()
        return page

    yield opener
    for context in contexts:
        problems = context.problems
        context.close()
        assert problems == []


def camel(options):
    return {"".join(w.capitalize() if i else w for i, w in enumerate(k.split("_"))): v for k, v in options.items()}


# ---------------------------------------------------------------- one scale, one formula

def test_js_heat_equals_python_heat(open_harness):
    page = open_harness()
    rng = random.Random(1)
    cases = [(v, hi, lo, scale) for scale in ("linear", "sqrt")
             for v, hi, lo in [(0, 10, 0), (10, 10, 0), (3, 10, 0), (1, 729, 0), (-5, 10, 0), (50, 10, 0), (5, 5, 5),
                               (0.0625, 1, 0), (0.0005, 1, 0), (0.9995, 1, 0), (7, 12, 2), (-3, -1, -5), (1, 3, 0)]]
    cases += [(rng.uniform(-1, 2), 1, 0, rng.choice(["linear", "sqrt"])) for _ in range(300)]
    cases += [(rng.randrange(0, 1000), 997, 0, "sqrt") for _ in range(300)]
    signed = [(v, b, s) for s in ("linear", "sqrt") for v, b in [(0, 1), (0.5, 1), (-0.5, 1), (-3, 1), (1, 0), (-0.0005, 1),
                                                                   (-0.0015, 1), (0.08, 0.16)]]
    signed += [(rng.gauss(0, 0.08), 0.25, rng.choice(["linear", "sqrt"])) for _ in range(300)]
    js = page.evaluate("""([cases, signed]) => [
        cases.map(([v, hi, lo, s]) => { const h = MGV.kit.heat(v, hi, lo, s); return [h, MGV.kit.num(h)]; }),
        signed.map(([v, b, s]) => { const h = MGV.kit.signedHeat(v, b, s); return [h, MGV.kit.num(h)]; })]""",
                       [cases, signed])
    py = [[[h := svg.heat(v, hi, lo, s), svg.num(h)] for v, hi, lo, s in cases],
          [[h := svg.signed_heat(v, b, s), svg.num(h)] for v, b, s in signed]]
    assert js == py


def test_js_numbers_equal_python_numbers(open_harness):
    page = open_harness()
    rng = random.Random(2)
    values = [0, 1, -1, 1000, 1234567, 3.2958368660043291, 0.5, 0.0625, 1.0625, 2.3, -0.3, 1e-9, 2.5e-7, 123456.789,
              9.99996, 0.000123456, 1e15, 1e21, 2.5e21, 1 / 3, 12345678.9]
    values += [rng.uniform(-5, 5) * 10 ** rng.randint(-8, 8) for _ in range(400)]
    js = page.evaluate("vs => vs.map(v => [MGV.kit.fmt(v), MGV.kit.fmt(v, 2), MGV.kit.num(v)])", values)
    assert js == [[svg.fmt(v), svg.fmt(v, 2), svg.num(v)] for v in values]


def markup_cases(data):
    losses = data["losses"][:200]
    return [
        ("line", dict(series=[{"name": "loss <each> & \"step\"", "values": losses, "tone": 2, "weight": "thin"},
                              {"name": "gappy", "values": [v if i % 17 else None for i, v in enumerate(losses)]}],
                      uid="L'1", title="Loss & <co>", x_title="training step", y_title="loss", x=list(range(1, 201)),
                      x_min=0, y_min=0, reference={"value": math.log(27), "label": "ln 27 = 3.2958: the uniform guess"},
                      caption="A caption")),
        ("line", dict(series=[{"name": "a", "values": [0.01234, -0.0456, 0.0789]}], uid="small", title="t",
                      x_title="x", y_title="y", width=390, height=240, digits=3)),
        ("heatmap", dict(values=data["bigrams"], uid="b", title="Bigrams", row_labels=LABELS, col_labels=LABELS,
                         row_title="current <token>", col_title="next \"token\"", scale="sqrt")),
        ("heatmap", dict(values=data["weights"], uid="w", title="wte", signed=True, row_labels=LABELS)),
        ("heatmap", dict(values=[[0.1, 0.2], [0.3, float("nan")]], uid="n", title="n", lo=0, hi=0.5, cell=30)),
        ("scatter", dict(points=data["points"][:500], uid="s", title="g", x_title="numerical", y_title="analytic",
                         diagonal=True, highlight={"index": 7, "label": "largest <difference>"}, caption="c")),
        ("scatter", dict(points=[(1, 5), (2, 3), (8, 9)], uid="s2", title="g", x_title="x", y_title="y",
                         highlight={"index": 2, "label": "far right"})),
    ]


def test_js_markup_equals_python_markup(open_harness, data):
    """MGV.kit draws exactly what hooks/svg.py draws, character for character."""
    page = open_harness()
    python = {"line": svg.line_chart, "heatmap": svg.heatmap, "scatter": svg.scatter}
    for kind, options in markup_cases(data):
        args = dict(options)
        if kind == "heatmap":
            expected = python[kind](args.pop("values"), **args)
        elif kind == "scatter":
            expected = python[kind](args.pop("points"), **args)
        else:
            expected = python[kind](args.pop("series"), **args)
        js_options = camel(options)
        if kind == "heatmap":
            js_options["values"] = [[None if v != v else v for v in row] for row in options["values"]]
        drawn = page.evaluate("([kind, o]) => MGV.kit.markup[kind](o)", [kind, js_options])
        assert drawn == expected, kind


# ---------------------------------------------------------------- line chart

def running_mean(losses, window):
    out, total = [], 0.0
    for i, v in enumerate(losses):
        total += v - (losses[i - window] if i >= window else 0)
        out.append(total / min(i + 1, window))
    return out


def test_line_chart_legend_toggles_by_click_and_keyboard(open_harness):
    page = open_harness()
    figure = page.locator("#loss figure")
    raw, mean = figure.locator(".mgv-legend-item").all()
    assert raw.is_enabled() and raw.get_attribute("aria-pressed") == "true"
    path = figure.locator('path.mgv-series[data-series="0"]')
    display = lambda: path.evaluate("p => getComputedStyle(p).display")
    assert display() == "inline"

    raw.click()
    assert raw.get_attribute("aria-pressed") == "false" and display() == "none"
    raw.click()
    assert raw.get_attribute("aria-pressed") == "true" and display() == "inline"

    mean.focus()
    page.keyboard.press("Enter")
    assert mean.get_attribute("aria-pressed") == "false"
    assert figure.locator('path.mgv-series[data-series="1"]').evaluate("p => getComputedStyle(p).display") == "none"
    page.keyboard.press("Space")
    assert mean.get_attribute("aria-pressed") == "true"
    page.keyboard.press("Shift+Tab")   # Tab order: the chart, then its legend
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.classList.contains('mgv-plot')")


def test_line_chart_readout_follows_the_keyboard_and_the_pointer(open_harness, data):
    page = open_harness()
    losses = data["losses"]
    means = running_mean(losses, 50)
    figure = page.locator("#loss figure")
    plot, readout = figure.locator(".mgv-plot"), figure.locator(".mgv-readout")
    plot.focus()
    assert readout.text_content() == (f"training step 1,000: loss of each step {svg.fmt(losses[-1])},"
                                      f" mean of the last 50 {svg.fmt(means[-1])}.")
    assert readout.get_attribute("aria-live") == "polite"
    page.keyboard.press("Home")
    assert readout.text_content().startswith(f"training step 1: loss of each step {svg.fmt(losses[0])}")
    page.keyboard.press("ArrowRight")
    assert readout.text_content() == (f"training step 2: loss of each step {svg.fmt(losses[1])},"
                                      f" mean of the last 50 {svg.fmt(means[1])}.")
    cursor = figure.locator(".mgv-cursor")
    assert "mgv-is-hidden" not in cursor.get_attribute("class")
    frame = [float(v) for v in figure.locator("svg").get_attribute("data-frame").split()]
    domain = [float(v) for v in figure.locator("svg").get_attribute("data-domain").split()]
    expected_x = frame[0] + (2 - domain[0]) / (domain[1] - domain[0]) * frame[2]
    assert float(figure.locator(".mgv-cursor-line").get_attribute("x1")) == pytest.approx(expected_x, abs=0.05)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert readout.text_content().startswith("training step 5:")
    page.keyboard.press("ArrowLeft")
    assert readout.text_content().startswith("training step 4:")

    figure.locator(".mgv-legend-item").first.click()   # hidden series leave the readout
    plot.focus()
    assert readout.text_content() == f"training step 4: mean of the last 50 {svg.fmt(means[3])}."
    figure.locator(".mgv-legend-item").first.click()

    box = figure.locator("svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] * (frame[0] + frame[2]) / 640, box["y"] + box["height"] / 2)
    assert readout.text_content().startswith("training step 1,000:")
    assert readout.get_attribute("aria-live") == "off"   # the pointer does not make the live line talk


def test_line_chart_grows_step_by_step(open_harness, data):
    """The demo kind: a loss curve building under a stepper (showUpTo), its arrows not the stepper's."""
    page = open_harness()
    demo = page.locator('[data-player="kit-demo"]')
    path = demo.locator("path.mgv-series")
    assert path.get_attribute("d") == ""
    for _ in range(3):
        demo.get_by_role("button", name="Step ▶").click()
    assert path.get_attribute("d").count("L") == 2 and path.get_attribute("d").count("M") == 1
    demo.locator(".mgv-plot").first.focus()
    page.keyboard.press("ArrowLeft")   # moves the chart's cursor, not the stepper
    assert demo.locator("input[type=range]").input_value() == "3"
    assert demo.locator(".mgv-readout").first.text_content().startswith("step 2: loss")
    page.keyboard.press("End")
    assert demo.locator(".mgv-readout").first.text_content().startswith("step 3: loss")  # not past what is shown
    demo.locator("input[type=range]").fill("40")
    expected = svg.line_chart([{"name": "loss", "values": data["demo"]["losses"]}], uid="demo-line",
                              title="The loss so far", x_title="step", y_title="loss", x=data["demo"]["x"], y_min=0)
    full = expected.split('data-series="0" ')[1].split(' d="')[1].split('"')[0]
    assert path.get_attribute("d") == full


# ---------------------------------------------------------------- heatmap

def test_heatmap_readout_by_keyboard(open_harness, data):
    page = open_harness()
    figure = page.locator("#counts-map figure")
    readout = figure.locator(".mgv-readout")
    b = data["bigrams"]
    figure.locator(".mgv-plot").focus()
    assert readout.text_content() == f"current token a, next token a: {svg.fmt(b[0][0])}."
    page.keyboard.press("ArrowRight")
    assert readout.text_content() == f"current token a, next token b: {svg.fmt(b[0][1])}."
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert readout.text_content() == f"current token c, next token b: {svg.fmt(b[2][1])}."
    page.keyboard.press("End")
    assert readout.text_content() == f"current token c, next token BOS: {svg.fmt(b[2][26])}."
    page.keyboard.press("PageDown")
    assert readout.text_content() == f"current token BOS, next token BOS: {svg.fmt(b[26][26])}."
    assert readout.get_attribute("aria-live") == "polite"
    cursor = figure.locator(".mgv-cell-cursor")
    cell = figure.locator("g.mgv-cells rect").nth(26 * 27 + 26)
    assert (cursor.get_attribute("x"), cursor.get_attribute("y")) == (cell.get_attribute("x"), cell.get_attribute("y"))

    box = figure.locator("g.mgv-cells rect").nth(27 + 3).bounding_box()   # row b, column d, by pointer
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert readout.text_content() == f"current token b, next token d: {svg.fmt(b[1][3])}."

    weights = page.locator("#weights figure")
    weights.locator(".mgv-plot").focus()
    page.keyboard.press("ArrowDown")
    assert weights.locator(".mgv-readout").text_content() == f"token b, dimension 0: {svg.fmt(data['weights'][1][0])}."


def test_heatmap_update_sets_every_cell_in_place(open_harness, data):
    page = open_harness()
    rng = random.Random(3)
    new = [[rng.randrange(0, 500) for _ in range(27)] for _ in range(27)]
    result = page.evaluate("""(values) => {
        const figure = document.querySelector("#counts-map figure");
        const rects = Array.from(figure.querySelectorAll("g.mgv-cells rect"));
        rects.forEach((r, i) => { r.__mark = i; });
        const before = rects.map(r => r.style.getPropertyValue("--heat"));
        const map = MGV.kit.attach(figure);
        map.update(values, { lo: 0, hi: 499 });
        const after = Array.from(figure.querySelectorAll("g.mgv-cells rect"));
        return { same: after.length === rects.length && after.every((r, i) => r.__mark === i),
                 before: before, after: after.map(r => r.style.getPropertyValue("--heat")),
                 labels: Array.from(figure.querySelectorAll(".mgv-scale-label"), t => t.textContent) };
    }""", new)
    assert result["same"]
    assert result["after"] == [svg.num(svg.heat(v, 499, 0, "sqrt")) for row in new for v in row]
    changed = sum(a != b for a, b in zip(result["before"], result["after"]))
    assert changed > 600
    assert result["labels"] == ["0", svg.fmt(499 / 4), "499"]
    figure = page.locator("#counts-map figure")
    figure.locator(".mgv-plot").focus()
    page.keyboard.press("ArrowRight")
    assert figure.locator(".mgv-readout").text_content() == f"current token a, next token b: {new[0][1]}."


# ---------------------------------------------------------------- scatter

def test_scatter_draws_every_point_and_marks_one(open_harness, data):
    page = open_harness()
    figure = page.locator("#scatter figure")
    d = figure.locator("path.mgv-points").get_attribute("d")
    assert d.count("M") == 3184 and figure.locator("path.mgv-points").get_attribute("data-count") == "3184"
    assert figure.locator("svg *").count() < 80      # one path, not 3,184 nodes
    assert figure.locator("[tabindex]").count() == 0
    assert figure.locator(".mgv-highlight-label").text_content() == "largest difference"
    ring = figure.locator(".mgv-highlight-ring")
    worst = d.split("M")[data["worst"] + 1].removesuffix("h0").split()
    assert [ring.get_attribute("cx"), ring.get_attribute("cy")] == worst
    assert figure.locator(".mgv-diagonal").count() == 1
    assert figure.locator("svg").evaluate("s => s.getAttribute('role')") == "img"
    drawn = page.evaluate("""(points) => {
        const c = MGV.kit.scatter(document.getElementById("js-area"), { points: points, uid: "js-s", title: "t",
          xTitle: "x", yTitle: "y", diagonal: true, highlight: { index: 1, label: "this one" } });
        const d = c.element.querySelector("path.mgv-points").getAttribute("d");
        c.update({ points: points.slice(0, 10), uid: "js-s", title: "t", xTitle: "x", yTitle: "y" });
        return [d.split("M").length - 1, c.element.querySelector("path.mgv-points").getAttribute("data-count")];
    }""", data["points"])
    assert drawn == [3184, "10"]


# ---------------------------------------------------------------- colour and contrast

CONTRAST_JS = """
() => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const parse = (text) => {   // any CSS colour (rgb, color(srgb), oklab...) as [r, g, b, alpha] in 0..1
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "rgba(0, 0, 0, 0)";
    ctx.fillStyle = text;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0] / 255, d[1] / 255, d[2] / 255, d[3] / 255];
  };
  const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat([1]);
  const lum = (c) => { const l = c.slice(0, 3).map(v => v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
                       return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const page = parse(getComputedStyle(document.body).backgroundColor);
  const style = (el, prop) => parse(getComputedStyle(el)[prop]);
  const out = { text: [], nontext: [] };
  const text = (what, el, bg) => out.text.push([what, ratio(over(style(el, el instanceof SVGElement ? "fill" : "color"), bg), bg)]);
  const line = (what, colour, bg) => out.nontext.push([what, ratio(over(colour, bg), bg)]);

  // text on heat colours: count table cells, sequential and signed samples
  document.querySelectorAll("#count-table td, #heat-samples .mgv-heat-cell").forEach((el) => {
    const bg = over(style(el, "backgroundColor"), page);
    text("heat text " + el.getAttribute("style") + " " + el.className, el, bg);
  });
  // the heat colours drawn in SVG: the cell cursor's ink ring on each of them
  document.querySelectorAll(".mgv-swatches rect").forEach((r) => {
    const fill = over(style(r, "fill"), page);
    const ink = over(style(document.querySelector(".mgv-cell-cursor"), "stroke"), fill);
    out.nontext.push(["cursor ring on " + r.getAttribute("style"), ratio(ink, fill)]);
  });
  // chart text, lines, frames
  document.querySelectorAll(".mgv-chart text").forEach((t) => text("chart text " + t.getAttribute("class"), t, page));
  document.querySelectorAll(".mgv-readout, .mgv-legend-item").forEach((t) => text("html text " + t.className, t, page));
  document.querySelectorAll(".mgv-series, .mgv-axis-line, .mgv-frame, .mgv-ref-line, .mgv-diagonal, .mgv-highlight-ring")
    .forEach((l) => line("line " + l.getAttribute("class"), style(l, "stroke"), page));
  document.querySelectorAll(".mgv-points").forEach((l) => line("points", style(l, "stroke"), page));
  document.querySelectorAll(".mgv-legend-item:not(:disabled)").forEach((b) => line("legend border", style(b, "borderTopColor"), page));
  const th = document.querySelector("#count-table th[scope=row]");
  th.classList.add("mgv-hit");
  text("hit header", th, page);
  th.classList.remove("mgv-hit");
  return out;
}
"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_contrast_of_heat_text_lines_and_labels(open_harness, scheme):
    page = open_harness(scheme, reduced_motion="reduce")   # colours at rest, not halfway through a transition
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == (
        "rgb(255, 255, 255)" if scheme == "default" else "rgb(30, 33, 41)")
    found = page.evaluate(CONTRAST_JS)
    heat_text = [r for r in found["text"] if r[0].startswith("heat text")]
    assert len(heat_text) >= 729 + 7
    styles = {r[0] for r in heat_text}
    assert any("--heat:1 " in s for s in styles) and any("--heat:0 " in s for s in styles)   # the darkest and lightest
    assert any("--heat:-1 " in s for s in styles)
    low_text = [r for r in found["text"] if r[1] < 4.5]
    low_lines = [r for r in found["nontext"] if r[1] < 3]
    assert (low_text, low_lines) == ([], [])
    assert len(found["nontext"]) > 30


@pytest.mark.parametrize("scheme", SCHEMES)
def test_heat_colours_follow_the_theme(open_harness, scheme):
    """The far ends of the scale are the theme's primary (sequential, positive) and accent (negative) colours."""
    page = open_harness(scheme)
    colours = page.evaluate("""() => Array.from(document.querySelectorAll("#heat-samples .mgv-heat-cell"),
        el => getComputedStyle(el).backgroundColor)""")
    to_rgb = lambda text: text if text.startswith("rgb") else "rgb({}, {}, {})".format(
        *[round(float(v) * 255) for v in text.removeprefix("color(srgb ").removesuffix(")").split()[:3]])
    colours = [to_rgb(c) for c in colours]
    assert len(set(colours)) == 5            # 0 | 0.5 | 1 | -1 | -0.5 (0.5 and 1 are the same either way)
    assert colours[0] == page.evaluate("getComputedStyle(document.body).backgroundColor")
    one, minus_one = page.evaluate("""() => {
        const probe = (heat, signed) => { const s = document.createElement("span"); s.className = "mgv-heat-cell";
          s.style.setProperty("--heat", heat); const w = document.createElement("span"); if (signed) w.className = "mgv-signed";
          w.appendChild(s); document.body.appendChild(w); const c = getComputedStyle(s).backgroundColor; w.remove(); return c; };
        document.body.style.setProperty("--mgv-heat-reach", "100%");
        const r = [probe("1", false), probe("-1", true)];
        document.body.style.removeProperty("--mgv-heat-reach");
        return r; }""")
    primary = "rgb(64, 81, 181)" if scheme == "default" else "rgb(84, 136, 232)"    # indigo; Material's slate link colour
    accent = "rgb(255, 110, 66)"                                                     # deep orange
    assert (to_rgb(one), to_rgb(minus_one)) == (primary, accent)


def test_reduced_motion_turns_transitions_off(open_harness):
    page = open_harness(reduced_motion="reduce")
    assert page.locator("#count-table td").first.evaluate("td => getComputedStyle(td).transitionDuration") == "0s"
    assert page.locator("#counts-map g.mgv-cells rect").first.evaluate("r => getComputedStyle(r).transitionDuration") == "0s"
    moving = open_harness(reduced_motion="no-preference")
    assert moving.locator("#counts-map g.mgv-cells rect").first.evaluate("r => getComputedStyle(r).transitionDuration") == "0.15s"


# ---------------------------------------------------------------- the lifecycle

def test_a_stopped_player_leaves_no_timers_observers_or_listeners(open_harness):
    page = open_harness()
    started = page.evaluate("window.__live()")
    assert started["listeners"] > 20 and started["observers"] == 1 and started["timeouts"] == 1

    ct = page.locator('[data-player="count-table"]')
    ct.get_by_role("button", name="▶ Play").click()
    page.locator('[data-player="kit-demo"]').get_by_role("button", name="▶ Play").click()
    page.locator("#loss .mgv-plot").focus()
    page.keyboard.press("ArrowLeft")
    playing = page.evaluate("window.__live()")
    assert playing["frames"] == 2

    # instant navigation: the content is replaced, then document$ emits
    page.evaluate("document.getElementById('players').replaceChildren(); document$.emit()")
    assert page.evaluate("window.__live()") == {"intervals": 0, "timeouts": 0, "frames": 0, "observers": 0, "listeners": 0}

    # and a page shown again starts its players afresh
    page.evaluate("""(html) => { document.getElementById("players").innerHTML = html; document$.emit(); }""",
                  svg.line_chart([{"name": "a", "values": [1, 2, 3]}], uid="again", title="t", x_title="x", y_title="y"))
    assert page.locator("#players figure.mgv-live").count() == 1
    assert page.locator("#players .mgv-legend-item").is_enabled()


def test_stopping_twice_and_scopes(open_harness):
    page = open_harness()
    result = page.evaluate("""() => {
        const life = MGV.scope();
        let calls = 0;
        life.onStop(() => { calls += 1; });
        life.setInterval(() => {}, 1000);
        life.listen(document, "click", () => {});
        const before = window.__live();
        life.stop(); life.stop();
        const after = window.__live();
        return { calls, stopped: life.stopped, intervals: before.intervals - after.intervals,
                 listeners: before.listeners - after.listeners, late: life.setInterval(() => {}, 10) };
    }""")
    assert result == {"calls": 1, "stopped": True, "intervals": 1, "listeners": 1, "late": None}


# ---------------------------------------------------------------- layout, axe, screenshots

@pytest.mark.parametrize("scheme", SCHEMES)
def test_legible_and_unclipped_at_390px(open_harness, scheme):
    page = open_harness(scheme, width=390)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll("#players figure.mgv-kit"), f => {
        const svg = f.querySelector("svg"), text = svg.querySelector("text.mgv-tick");
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [f.parentElement.id, parseFloat(getComputedStyle(text).fontSize) * scale,
                svg.getBoundingClientRect().right <= f.getBoundingClientRect().right + 0.5];
    })""")
    assert len(sizes) >= 5
    for where, size, inside in sizes:
        assert size >= 9.5 and inside, where


def test_axe_finds_no_violation(open_harness):
    import axe_playwright_python as axe  # a test dependency (pyproject: test extras)
    source = (Path(axe.__file__).parent / "axe.min.js").read_text()
    for scheme in SCHEMES:
        for width in (1280, 390):
            page = open_harness(scheme, width=width)
            page.evaluate(source)
            page.locator("#counts-map .mgv-plot").focus()   # a readout and cursor showing
            page.keyboard.press("ArrowRight")
            # the count table's own scroll box (render.count_table, not the kit) is left to its owner
            violations = page.evaluate("""async () => (await axe.run(document.querySelector("article"),
                { resultTypes: ["violations"], rules: { "scrollable-region-focusable": { enabled: false } } })).violations.map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target).join(" | "))""")
            assert violations == [], (scheme, width)
