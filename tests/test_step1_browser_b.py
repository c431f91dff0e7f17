"""The players of Step 1.6 to 1.9 in a real browser (Chromium, driven by
Playwright, against the built site on 127.0.0.1), by the keyboard alone
(axe-core on every page: tests/test_a11y.py). Every test also checks that the page logged no console error and asked nothing of
any other host.

What a player computes in the browser (a secant slope, softmax(logits / T),
how many gaps lie above the diagonal, a range of values) is checked against
plain Python here, on the same inputs: the frames the player read."""

import json
import math

import pytest

from tests.browser_kit import CONTRAST_KIT, browser, heights_over_frames, open_context, opener, site_url, tab, tab_to  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
MINUS = "\u2212"


# ---------------------------------------------------------------- plain Python, on the frames' inputs

def frames(built_site, name):
    return json.loads((built_site[0] / "generated" / "step1" / name).read_text())


def softmax(logits):
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def fmt4(v):
    """MGV.kit.fmt(v, 4) for the plain decimals these players show: 4 significant digits, a real minus."""
    return f"{v:.4g}".replace("-", MINUS)


def sci(x):
    mantissa, exponent = f"{x:.2e}".split("e")
    sup = str(abs(int(exponent))).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa.replace('-', MINUS)} × 10{'⁻' if int(exponent) < 0 else ''}{sup}"


# ---------------------------------------------------------------- the keyboard

def active(page):
    """What has the focus: tag and class or label; never BODY while a player is used."""
    return page.evaluate("""() => { const a = document.activeElement;
        return a.tagName + ":" + (a.getAttribute("aria-label") || a.className || a.textContent.trim().slice(0, 20)); }""")


def started(page, kind):
    player = page.locator(f'[data-player="{kind}"]')
    player.locator(".mgv-controls, .mgv-field").first.wait_for()
    return player


# ---------------------------------------------------------------- 1.6: eps and the secant

def test_eps_slider_by_keyboard(tab, site_url, built_site):
    f = frames(built_site, "eps-slope-wte-BOS-2-0_5.json")
    loss, slope = float(f["loss"]), float(f["slope"])
    eps, plus = [float(e) for e in f["eps"]], [float(v) for v in f["loss_plus"]]
    secant = lambda k: (plus[k] - loss) / eps[k]   # numerical_gradient's formula, in Python
    last = len(eps) - 1

    tab.goto(f"{site_url}/step-1/numerical-gradient/")
    player = started(tab, "eps-slope")
    slider = player.locator("input[type=range]")
    status = player.locator(".mgv-status")
    assert slider.get_attribute("aria-valuetext") == "eps = 0.5"
    assert float(player.get_attribute("data-secant")) == secant(last)
    tab_to(tab, '[data-player="eps-slope"] input[type=range]')
    assert player.get_by_label("eps, the nudge:").evaluate("s => s === document.activeElement")

    def check(k):
        assert int(slider.input_value()) == k
        s = float(player.get_attribute("data-secant"))
        assert s == secant(k), k      # the browser's subtraction and division: the same doubles
        text = status.text_content()
        assert text.startswith(f"eps = {f['eps_text'][k]}")
        assert f"the secant slope is {s:.10f}".replace("-", MINUS) in text
        assert f"the true slope {slope:.10f}".replace("-", MINUS) in text
        assert text.endswith(f"a gap of {sci(abs(s - slope))}.")
        # the chart's secant: through the curve at w, with the browser's slope
        values = [float(v) for v in player.locator('.mgv-series[data-series="2"]').get_attribute("data-values").split()]
        xs = [float(v) for v in player.locator(".mgv-series-set").get_attribute("data-x").split()]
        assert values[40] == pytest.approx(loss, abs=1e-8)   # the curve's x, at 6 significant digits
        assert values[-1] == pytest.approx(loss + s * (xs[-1] - float(f["theta"])), abs=1e-12)
        assert active(tab).startswith("INPUT")

    check(last)
    tab.keyboard.press("ArrowLeft")
    check(last - 1)
    code = f["eps"].index(f["code_eps"])
    for _ in range(last - 1 - code):
        tab.keyboard.press("ArrowLeft")
    check(code)
    assert "(the code’s)" in status.text_content()
    tab.keyboard.press("Home")
    check(0)
    assert abs(secant(0) - slope) > 1e3 * abs(secant(code) - slope)  # 1e-12: rounding has taken over

    # a series hidden from its legend stays hidden while the slider moves, and its button keeps the focus
    tab_to(tab, '[data-player="eps-slope"] .mgv-legend-item[data-series="1"]')
    tab.keyboard.press("Enter")
    assert player.locator('.mgv-legend-item[data-series="1"]').get_attribute("aria-pressed") == "false"
    tab.keyboard.press("Shift+Tab")
    tab.keyboard.press("Shift+Tab")
    tab.keyboard.press("Shift+Tab")
    assert active(tab).startswith("INPUT")
    tab.keyboard.press("End")
    check(last)
    assert player.locator('.mgv-legend-item[data-series="1"]').get_attribute("aria-pressed") == "false"
    assert "mgv-is-hidden" in player.locator('.mgv-series[data-series="1"]').get_attribute("class")
    assert player.locator("figcaption").text_content().endswith("with the secant over eps = 0.5")


# ---------------------------------------------------------------- 1.7: the backward pass

def test_backprop_steps_by_keyboard(tab, site_url, built_site):
    f = frames(built_site, "backprop-steps.json")
    tab.goto(f"{site_url}/step-1/analytic-gradient/")
    player = started(tab, "backprop-steps")
    status = player.locator(".mgv-status")
    scrub = player.locator("input[type=range]")

    def stage_range(k):
        values = [v for row in f["stages"][k]["values"] for v in row]
        return min(values), max(values)

    lo, hi = stage_range(0)
    assert status.text_content() == (f"Layer 1 of 5, forward: probs: the forward pass gave each of the 7 pairs 27"
                                     f" probabilities, from {fmt4(lo)} to {fmt4(hi)}. The backward pass starts from them.")
    tab_to(tab, '[data-player="backprop-steps"]')
    tab.keyboard.press("ArrowRight")
    assert scrub.input_value() == "1" and player.get_attribute("data-layer") == "dlogits"
    lo, hi = stage_range(1)
    n = len(f["rows"])
    assert status.text_content() == (f"Layer 2 of 5, dlogits: probs / {n}, minus 1/{n} at each pair’s target: from"
                                     f" {fmt4(lo)} (a target) to {fmt4(hi)}.")
    assert player.locator("figcaption").text_content() == f"The backward pass on “{f['name']}”, layer by layer, one row per pair"
    assert player.locator(".mgv-bp-head code").text_content() == "dlogits = (probs − one_hot(target)) / n"

    # into the map: the arrow keys read its cells, and do not drive the player
    tab_to(tab, '[data-player="backprop-steps"] .mgv-plot')
    tab.keyboard.press("ArrowRight")
    readout = player.locator(".mgv-readout")
    assert readout.text_content() == f"pair {f['rows'][0]}, next token b: {fmt4(f['stages'][1]['values'][0][1])}."
    tab.keyboard.press("ArrowDown")
    assert readout.text_content() == f"pair {f['rows'][1]}, next token b: {fmt4(f['stages'][1]['values'][1][1])}."
    assert scrub.input_value() == "1"
    # Space on the map plays; the map is drawn again for each layer and keeps the focus
    tab.keyboard.press("Space")
    tab.wait_for_function("p => p.dataset.layer === 'dh'", arg=player.element_handle(), timeout=5000)
    assert active(tab).startswith("DIV:") and "mgv-plot" in tab.evaluate("document.activeElement.className")
    tab.keyboard.press("Space")
    assert not tab.evaluate("document.activeElement === document.body")

    # the last layer: dx, and how many units ReLU shut on the way
    tab.keyboard.press("Shift+Tab")
    while not active(tab).startswith("FIGURE"):
        tab.keyboard.press("Shift+Tab")
    tab.keyboard.press("End")
    assert scrub.input_value() == "4" and player.get_attribute("data-layer") == "dx"
    tab.keyboard.press("ArrowLeft")
    lo, hi = stage_range(3)
    shut = sum(f["closed"])
    assert sum(1 for row in f["stages"][3]["values"] for v in row if v == 0) == shut
    assert status.text_content() == (f"Layer 4 of 5, dh_pre: ReLU passes dh only where the unit was on; {shut} of the"
                                     f" {n * 64} are now 0. From {fmt4(lo)} to {fmt4(hi)}.")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_backward_pass_never_moves_the_page(opener, site_url, width):
    page = opener(viewport={"width": width, "height": 800})
    page.goto(f"{site_url}/step-1/analytic-gradient/")
    player = started(page, "backprop-steps")
    assert heights_over_frames(player) == 1


# ---------------------------------------------------------------- 1.8: the gradient check

def test_gradient_check_magnifier_by_keyboard(tab, site_url, built_site):
    f = frames(built_site, "gradient-check.json")
    above = sum(1 for d in f["gap"] if d > 0)
    below = sum(1 for d in f["gap"] if d < 0)
    on = len(f["gap"]) - above - below
    assert max(range(len(f["gap"])), key=lambda k: abs(f["gap"][k])) == f["index"]

    tab.goto(f"{site_url}/step-1/gradient-check/")
    player = started(tab, "gradient-check")
    status = player.locator(".mgv-status")
    tail = f"; {above:,} points lie above, {below:,} below, {on:,} on it."
    assert status.text_content() == (f"Gaps not magnified: the largest, {f['label']}, is drawn {sci(f['gap'][f['index']])}"
                                     f" above its place on the diagonal" + tail)
    tab_to(tab, '[data-player="gradient-check"] input[type=range]')
    for _ in range(6):
        tab.keyboard.press("ArrowRight")
    assert player.get_attribute("data-magnify") == "6" and active(tab).startswith("INPUT")
    lift = f["gap"][f["index"]] * 1e6
    assert status.text_content() == (f"Gaps magnified 1,000,000 times: the largest, {f['label']}, is drawn"
                                     f" {fmt4(float(f'{lift:.3g}'))} above its place on the diagonal" + tail)
    assert player.locator("input[type=range]").get_attribute("aria-valuetext") == "magnified 1,000,000 times"
    points = player.locator(".mgv-points")
    assert points.get_attribute("data-count") == str(len(f["gap"]))
    assert player.locator(".mgv-highlight").get_attribute("data-index") == str(f["index"])
    assert "magnified 1,000,000 times" in player.locator("figcaption").text_content()


# ---------------------------------------------------------------- 1.9: training, and temperature

def test_training_player_by_keyboard(tab, site_url, built_site):
    f = frames(built_site, "loss-build.json")
    tab.goto(f"{site_url}/step-1/training-inference/")
    player = started(tab, "loss-build")
    status = player.locator(".mgv-status")
    scrub = player.locator("input[type=range]")
    loss_path = player.locator('.mgv-kit--line').first.locator('.mgv-series[data-series="0"]')
    assert status.text_content() == "Before training: no step taken yet, 1,000 to go."
    assert loss_path.get_attribute("d") == ""

    def say(k):
        return (f"Step {k:,} of 1,000, “{f['docs'][k - 1]}”: loss {f['loss'][k - 1]:.4f} (mean of the last"
                f" {min(k, f['window'])}: {f['mean'][k - 1]:.4f}), learning rate {f['lr'][k - 1]:.4f}.")

    tab_to(tab, '[data-player="loss-build"]')
    tab.keyboard.press("ArrowRight")
    assert status.text_content() == say(1)
    assert f["lr"][0] == 1.0 and f["docs"][0] == "yuheng"
    for _ in range(9):
        tab.keyboard.press("ArrowRight")
    assert status.text_content() == say(10)
    assert loss_path.get_attribute("d").count("L") == 9          # ten points drawn, no more
    assert f["lr"][9] == round(1 - 9 / 1000, 4)
    tab.keyboard.press("End")
    assert status.text_content() == say(1000) and loss_path.get_attribute("d").count("L") == 999

    # playing keeps its promised speed: 100 steps a second
    tab.keyboard.press("Home")
    player.get_by_label("Playing speed").select_option(label="100 steps/s")
    player.focus()
    tab.keyboard.press("Space")
    tab.wait_for_timeout(1000)
    tab.keyboard.press("Space")
    reached = int(scrub.input_value())
    assert 60 <= reached <= 140, reached
    assert status.text_content() == "Paused. " + say(reached)
    assert loss_path.get_attribute("d").count("L") == reached - 1


def test_temperature_by_keyboard(tab, site_url, built_site):
    f = frames(built_site, "temperature.json")
    labels = f["labels"]
    tab.goto(f"{site_url}/step-1/training-inference/")
    player = started(tab, "temperature")
    slider = player.get_by_label("Temperature T:")
    status = player.locator(".mgv-status")

    def shown():
        return [float(v) for v in player.locator(".mgv-tbar__value").all_text_contents()]

    def check(context, t, focus=True):
        probs = softmax([v / t for v in f["logits"][context]])   # Python's softmax, on the frame's logits
        assert len(shown()) == len(labels)
        for got, p in zip(shown(), probs):
            assert abs(got - p) <= 0.5e-4 + 1e-12, (t, got, p)
        top = max(range(len(probs)), key=probs.__getitem__)
        one = softmax(f["logits"][context])
        five = sum(sorted(probs, reverse=True)[:5])
        assert status.text_content() == (f"T = {t:.2f}, after {labels[context]}: {labels[top]} is likeliest at"
                                         f" {probs[top]:.4f} ({one[top]:.4f} at T = 1); the five likeliest tokens"
                                         f" take {five:.4f} together.")
        assert slider.get_attribute("aria-valuetext") == f"T = {t:.2f}"
        assert not focus or active(tab).split(":")[0] in ("INPUT", "SELECT")

    check(f["context"], f["temperature"], focus=False)
    tab_to(tab, '[data-player="temperature"] select')
    tab_to(tab, '[data-player="temperature"] input[type=range]')
    tab.keyboard.press("ArrowRight")
    check(f["context"], 0.55)
    tab.keyboard.press("Home")
    check(f["context"], 0.1)
    for _ in range(18):
        tab.keyboard.press("ArrowRight")
    check(f["context"], 1.0)
    tab.keyboard.press("End")
    check(f["context"], 2.0)
    # lower temperature: sharper; higher: flatter (the likeliest token's share, read off the page)
    tab.keyboard.press("Home")
    sharp = max(shown())
    tab.keyboard.press("End")
    assert sharp > max(shown())
    # another context, by the keyboard
    tab.keyboard.press("Shift+Tab")
    assert active(tab).startswith("SELECT")
    tab.keyboard.press("Home")
    check(0, 2.0)
    assert "after a at temperature 2.00" in player.locator("figcaption").text_content()


# ---------------------------------------------------------------- without JavaScript

FALLBACKS = {"step-1/numerical-gradient/": "eps-slope", "step-1/analytic-gradient/": "backprop-steps",
             "step-1/gradient-check/": "gradient-check", "step-1/training-inference/": "loss-build"}
INSTRUCTIONS = ("press", "click", "step forward", "drag", "play", "arrow key", "slider", "pick")


def test_without_javascript_each_player_shows_its_final_state(browser, site_url):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    for path, kind in list(FALLBACKS.items()) + [("step-1/training-inference/", "temperature")]:
        page.goto(f"{site_url}/{path}")
        player = page.locator(f'[data-player="{kind}"]')
        assert player.locator(".mgv-controls, .mgv-field, input, select").count() == 0, kind
        assert player.locator("button:not([disabled])").count() == 0, kind   # a chart's legend is plain text
        text = player.text_content().lower()
        assert not [word for word in INSTRUCTIONS if word in text], (kind, text)
        assert player.locator("figcaption").text_content().strip()
        assert player.evaluate("f => getComputedStyle(f).borderTopStyle") == "solid"
        assert player.locator("svg, table").count() >= 1
        assert player.locator("svg, table").first.evaluate("e => e.getBoundingClientRect().height") > 100
    page.goto(f"{site_url}/step-1/training-inference/")
    assert page.locator('[data-player="loss-build"] svg').count() == 2
    assert page.locator('[data-player="temperature"] tbody tr').count() == 27
    context.close()
    assert context.problems == []


CONTRAST = """(root) => {""" + CONTRAST_KIT + """  const bar = root.querySelector(".mgv-tbar__bar"), mark = root.querySelector(".mgv-tbar__mark");
  const input = root.querySelector("input[type=range]");
  input.focus({ focusVisible: true });
  return { bar: ratio(over(parse(getComputedStyle(bar).backgroundColor), page), page),
           mark: ratio(over(parse(getComputedStyle(mark).borderLeftColor), page), page),
           ring: ratio(over(parse(getComputedStyle(input).outlineColor), page), page) };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_temperature_bars_and_focus_ring_contrast(opener, site_url, scheme):
    page = opener(color_scheme=scheme, reduced_motion="reduce")
    page.goto(f"{site_url}/step-1/training-inference/")
    player = started(page, "temperature")
    found = player.evaluate(CONTRAST)
    assert found["bar"] >= 3 and found["mark"] >= 3 and found["ring"] >= 3, found
