"""The players of Step 1's first half (1.2 to 1.5) in Chromium, against the built site served on
127.0.0.1, driven by the keyboard alone: focus never falls to <body>, the live lines say what
changed, and what the browser computes (linear(), softmax()) equals what microgpt's own Python
functions compute on the same inputs. Every test also checks that the page logged no console error
and asked nothing of any other host. Then the pages without JavaScript (axe-core on every page:
tests/test_a11y.py)."""

import json
import math
from decimal import Decimal

import pytest

from microgpt.step1_gradient import linear, softmax
from tests.browser_kit import browser, focused, open_context, opener, press, site_url, started, tab  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
LETTERS = "abcdefghijklmnopqrstuvwxyz"
LABELS = list(LETTERS) + ["BOS"]
BOS = 26
MINUS = "\u2212"


def f4(x):
    """x to 4 decimals as the players write it: a real minus sign."""
    text = f"{x:.4f}"
    return "0.0000" if text == "-0.0000" else text.replace("-", MINUS)


def kit(x):
    """A number the build already rounded to 4 significant digits, as the kit's readout writes it."""
    text = format(Decimal(repr(float(x))).normalize(), "f")
    return ("0" if float(x) == 0 else text).replace("-", MINUS)


def frames_of(built_site, name):
    return json.loads((built_site[0] / "generated" / "step1" / name).read_text())


# ---------------------------------------------------------------- the keyboard

def tab_to(page, selector, limit=400):
    target = page.locator(selector).first.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("t => document.activeElement === t", target):
            return
    raise AssertionError(f"Tab never reached {selector}")


# ---------------------------------------------------------------- 1.2 the parameter heatmaps

def test_parameter_heatmaps_by_keyboard(tab, site_url, built_site):
    f = frames_of(built_site, "param-heatmaps-0-1000.json")
    tab.goto(f"{site_url}/step-1/parameters/")
    player = started(tab, "param-heatmaps", ".mgv-controls")
    status = player.locator(".mgv-status")
    assert status.text_content() == "Showing the parameters after 1,000 training steps."
    wte_map = player.locator('[data-matrix="wte"]')
    trained = wte_map.evaluate("""b => b.querySelector(".mgv-cells").dataset.values.split(" ").map(Number)""")

    tab_to(tab, '[data-player="param-heatmaps"] .mgv-controls button')
    assert focused(tab) == "BUTTON:As initialised"
    press(tab, "Enter")
    assert status.text_content() == "Showing the parameters as initialised, before any training step."
    assert player.get_by_role("button", name="As initialised").get_attribute("aria-pressed") == "true"
    assert player.locator(":scope > figcaption").text_content() == \
        "The 3,184 parameters as initialised, before any training step"
    assert focused(tab) == "BUTTON:As initialised"

    # the wte map, by the arrow keys: its readout reads the numbers as initialised
    tab_to(tab, '[data-matrix="wte"] .mgv-plot')
    readout = wte_map.locator(".mgv-readout")
    assert readout.text_content() == f"token a, dimension 0: {kit(f['before']['wte'][0][0])}."
    for _ in range(3):
        press(tab, "ArrowRight")
    for _ in range(21):
        press(tab, "ArrowDown")
    assert readout.text_content() == f"token v, dimension 3: {kit(f['before']['wte'][21][3])}."
    assert readout.get_attribute("aria-live") == "polite"
    press(tab, "PageDown")
    assert readout.text_content() == f"token BOS, dimension 3: {kit(f['before']['wte'][BOS][3])}."

    # back to the trained numbers: the same cell now reads the trained value, the scale unchanged
    press(tab, "Shift+Tab")
    press(tab, "Enter")
    assert focused(tab) == "BUTTON:After 1,000 steps"
    assert status.text_content() == "Showing the parameters after 1,000 training steps."
    tab_to(tab, '[data-matrix="wte"] .mgv-plot')
    assert readout.text_content() == f"token BOS, dimension 3: {kit(trained[BOS * 16 + 3])}."

    # mlp_fc2: a cell far in, by Home, End and PageDown
    tab_to(tab, '[data-matrix="mlp_fc2"] .mgv-plot')
    press(tab, "End")
    press(tab, "PageDown")
    fc2 = player.locator('[data-matrix="mlp_fc2"]')
    last = fc2.evaluate("""b => b.querySelector(".mgv-cells").dataset.values.split(" ").map(Number).at(-1)""")
    assert fc2.locator(".mgv-readout").text_content() == f"next token BOS, hidden unit 63: {kit(last)}."

    # and by pointing: a cell of wte under the pointer (the readout is then not live: the pointer talks too much)
    wte_map.locator(".mgv-cells rect").nth(5).hover()
    assert readout.text_content() == f"token a, dimension 5: {kit(trained[5])}."
    assert readout.get_attribute("aria-live") == "off"


# ---------------------------------------------------------------- 1.3 linear and softmax

def shown_probs(player):
    return player.locator(".mgv-softbars-prob").all_text_contents()


def test_linear_by_keyboard_equals_python(tab, site_url, built_site):
    f = frames_of(built_site, "linear-softmax-BOS-1000.json")
    tab.goto(f"{site_url}/step-1/linear-softmax/")
    player = started(tab, "linear-softmax", "input")
    work = player.locator(".mgv-linear-work li")
    status = player.locator(".mgv-part-box").first.locator(".mgv-status")

    def check(x, w):
        y = linear(x, w)
        assert [t.split(" = ")[-1] for t in work.all_text_contents()] == [f4(v) for v in y]
        assert status.text_content().endswith("y = linear(x, w) = [" + ", ".join(f4(v) for v in y) + "]")

    x, w = list(f["x"]), [list(r) for r in f["w"]]
    check(x, w)
    tab_to(tab, '[data-player="linear-softmax"] input[aria-label="x[0]"]')
    ring = tab.evaluate("() => [getComputedStyle(document.activeElement).outlineStyle, getComputedStyle(document.activeElement).outlineWidth]")
    assert ring == ["solid", "2px"]   # a visible focus ring on a text field
    press(tab, "Control+A")
    tab.keyboard.type("1.5")
    x[0] = 1.5
    check(x, w)
    assert status.text_content().startswith("x[0] changed. ")
    press(tab, "Tab")                 # x[1]
    press(tab, "ArrowUp")             # one step (0.01) up
    x[1] = float(player.locator('input[aria-label="x[1]"]').input_value())
    assert abs(x[1] - (f["x"][1] + 0.01)) < 1e-9
    check(x, w)
    for _ in range(3):
        press(tab, "Tab")             # x[2], w[0][0], w[0][1]
    assert focused(tab) == "INPUT:w[0][1]"
    press(tab, "Control+A")
    tab.keyboard.type("-2.25")
    w[0][1] = -2.25
    check(x, w)
    press(tab, "Control+A")
    press(tab, "Backspace")            # an empty field: no result, and the line says why
    assert work.all_text_contents() == ["y[0] = ?", "y[1] = ?"]
    assert status.text_content() == "Type a number in every field to see y."
    tab.keyboard.type("3")
    w[0][1] = 3.0
    check(x, w)


def test_softmax_by_keyboard_equals_python(tab, site_url, built_site):
    f = frames_of(built_site, "linear-softmax-BOS-1000.json")
    tab.goto(f"{site_url}/step-1/linear-softmax/")
    player = started(tab, "linear-softmax", "input")
    part = player.locator(".mgv-part-box").nth(1)
    status = part.locator(".mgv-status")
    logits = list(f["logits"])

    def check():
        assert shown_probs(player) == [f4(p) for p in softmax(logits)]
        assert player.locator(".mgv-softbars > span:nth-child(4n+2)").all_text_contents()[1:] == [f4(v) for v in logits]

    check()
    probs = softmax(logits)
    best = max(range(27), key=lambda j: probs[j])
    assert status.text_content() == (f"The trained model's logits after BOS. The likeliest next token is {LABELS[best]},"
                                     f" probability {f4(probs[best])}.")

    # pick e with the arrow keys along the row of tokens, then edit its logit
    tab_to(tab, '[data-player="linear-softmax"] .mgv-rowpick button[tabindex="0"]')
    assert focused(tab) == "BUTTON:a"
    for _ in range(4):
        press(tab, "ArrowRight")
    assert focused(tab) == "BUTTON:e"
    assert status.text_content() == f"Editing the logit of e: {f4(logits[4])}, probability {f4(probs[4])}."
    press(tab, "Tab")
    assert focused(tab) == "INPUT:"  # labelled by its <label>
    assert part.get_by_label("Logit of e").evaluate("i => i === document.activeElement")
    press(tab, "Control+A")
    tab.keyboard.type("3")
    before = softmax(logits)[4]
    logits[4] = 3.0
    check()
    after = softmax(logits)
    best = max(range(27), key=lambda j: after[j])
    assert status.text_content() == (f"Logit of e set to 3.0000: its probability is now {f4(after[4])} (was"
                                     f" {f4(before)}). The likeliest next token is {LABELS[best]}, probability"
                                     f" {f4(after[best])}.")

    # add 100 to every logit, eight times: the same probabilities, and the note says where exp() would overflow
    press(tab, "Tab")
    assert focused(tab) == "BUTTON:Add 100 to every logit"
    note = part.locator(".mgv-overflow")
    assert note.text_content().startswith("The largest logit is 3.0000. exp(3.0000) = ")
    for k in range(8):
        press(tab, "Enter")
        logits = [v + 100 for v in logits]
        assert status.text_content().endswith("Every probability is unchanged."), k
    check()   # microgpt's softmax, which subtracts the largest first, on the same logits
    assert focused(tab) == "BUTTON:Add 100 to every logit"
    assert max(logits) > math.log(1.7976931348623157e308)
    with pytest.raises(OverflowError):
        math.exp(max(logits))   # without the subtraction, Python would stop here
    assert note.text_content() == (f"The largest logit is {f4(max(logits))}. Without subtracting it first,"
                                   f" exp({f4(max(logits))}) is too large for a float (the limit is about exp(709.78)):"
                                   " it comes out as Infinity, and the probabilities as NaN. softmax() subtracts it,"
                                   " so the largest exponent is 0, and exp(0) = 1.")
    press(tab, "Tab")
    press(tab, "Enter")   # Reset
    logits = list(f["logits"])
    check()
    assert status.text_content().startswith("Back to the trained model's logits after BOS.")
    assert part.get_by_label("Logit of e").input_value() == str(f["logits"][4])


# ---------------------------------------------------------------- 1.4 the MLP, layer by layer

def test_mlp_flow_by_keyboard(tab, site_url, built_site):
    f = frames_of(built_site, "mlp-flow-a-0-1000.json")
    tab.goto(f"{site_url}/step-1/mlp/")
    player = started(tab, "mlp-flow", ".mgv-rowpick")
    status = player.locator(".mgv-status")

    def sentence(t, k):
        flow = f["flows"][k][t]
        top = sorted(range(27), key=lambda j: (-flow["probs"][j], j))[:3]
        when = "as initialised" if k == "0" else "after 1,000 training steps"
        return (f"mlp({LABELS[t]}) {when}: ReLU set {f['zeros'][k][t]} of the 64 hidden values to 0. Likeliest next"
                " tokens: " + ", ".join(f"{LABELS[j]} {f4(flow['probs'][j])}" for j in top) + ".")

    def strip(key):
        """The numbers a strip holds now, as its readout reads them (the kit's controller)."""
        return player.locator(f'[data-layer="{key}"] figure').evaluate(
            "f => { const c = MGV.kit.attach(f); return Array.from({length: c.cols}, (_, j) => c.value(0, j)); }")

    assert status.text_content() == sentence(0, "1000")
    tab_to(tab, '[data-player="mlp-flow"] .mgv-rowpick button[tabindex="0"]')
    assert focused(tab) == "BUTTON:a"
    press(tab, "ArrowRight")
    assert focused(tab) == "BUTTON:b" and status.text_content() == sentence(1, "1000")
    press(tab, "End")
    assert focused(tab) == "BUTTON:BOS" and status.text_content() == sentence(BOS, "1000")
    assert player.locator(":scope > figcaption").text_content() == \
        "mlp(BOS) with the model after 1,000 training steps, layer by layer"
    press(tab, "Tab")   # the model's toolbar
    assert focused(tab) == "BUTTON:After 1,000 steps"
    press(tab, "ArrowLeft")
    assert focused(tab) == "BUTTON:As initialised" and status.text_content() == sentence(BOS, "0")
    assert player.get_by_role("button", name="As initialised").get_attribute("aria-pressed") == "true"
    # every strip now holds BOS's numbers in the untrained model
    for key in ("x", "h_pre", "h", "logits", "probs"):
        assert strip(key) == f["flows"]["0"][BOS][key], key
    # ReLU's strip by the arrow keys: the readout gives each hidden value
    tab_to(tab, '[data-layer="h"] .mgv-plot')
    readout = player.locator('[data-layer="h"] .mgv-readout')
    h = f["flows"]["0"][BOS]["h"]
    assert readout.text_content() == f"layer ReLU, hidden unit 0: {kit(h[0])}."
    for j in range(1, 6):
        press(tab, "ArrowRight")
        assert readout.text_content() == f"layer ReLU, hidden unit {j}: {kit(h[j])}."
    # the probabilities' strip, labelled by letters
    tab_to(tab, '[data-layer="probs"] .mgv-plot')
    press(tab, "End")
    probs = f["flows"]["0"][BOS]["probs"]
    assert player.locator('[data-layer="probs"] .mgv-readout').text_content() == \
        f"layer softmax, next token BOS: {kit(probs[BOS])}."


# ---------------------------------------------------------------- 1.5 the forward pass

def test_forward_pass_players_by_keyboard(tab, site_url, built_site):
    f = frames_of(built_site, "loss-steps-ava-1000.json")
    tab.goto(f"{site_url}/step-1/forward-pass/")
    player = started(tab, "loss-steps", ".mgv-controls")
    status = player.locator(".mgv-status")
    tab_to(tab, '[data-player="loss-steps"]')
    ids = f["tokens"]
    for k in range(1, len(f["losses"]) + 1):
        press(tab, "ArrowRight")
        assert status.text_content().startswith(
            f"Pair {k} of 4: after {LABELS[ids[k - 1]]}, the model gives {LABELS[ids[k]]} probability"
            f" {f['target_probs'][k - 1]:.4f}, a loss of {f['losses'][k - 1]:.4f}.")
    assert status.text_content().endswith(f"the mean of all 4: {sum(f['losses']) / 4:.4f}.")

    # the loss curves: read both at the last step, then hide Step 0's and read again
    chart = tab.locator("figure.mgv-kit--line")
    chart.locator(".mgv-legend-item").first.wait_for()
    values = chart.evaluate("""c => Array.from(c.querySelectorAll(".mgv-series"), p => p.dataset.values.split(" ").map(Number))""")
    tab_to(tab, "figure.mgv-kit--line .mgv-plot")
    readout = chart.locator(".mgv-readout")
    press(tab, "End")
    assert readout.text_content() == (f"training step 1,000: Step 0: mean of the last 50 {kit(values[0][-1])},"
                                      f" Step 1: mean of the last 50 {kit(values[1][-1])}.")
    press(tab, "Home")
    assert readout.text_content() == (f"training step 1: Step 0: mean of the last 50 {kit(values[0][0])},"
                                      f" Step 1: mean of the last 50 {kit(values[1][0])}.")
    press(tab, "Tab")
    assert focused(tab) == "BUTTON:Step 0: mean of the last 50"
    press(tab, "Enter")
    assert chart.locator(".mgv-legend-item").first.get_attribute("aria-pressed") == "false"
    assert chart.locator('.mgv-series[data-series="0"]').evaluate("p => getComputedStyle(p).display") == "none"
    press(tab, "Shift+Tab")
    assert readout.text_content() == f"training step 1: Step 1: mean of the last 50 {kit(values[1][0])}."


# ---------------------------------------------------------------- without JavaScript

FALLBACKS = {"step-1/parameters/": "param-heatmaps", "step-1/linear-softmax/": "linear-softmax",
             "step-1/mlp/": "mlp-flow", "step-1/forward-pass/": "loss-steps"}
INSTRUCTIONS = ("press", "click", "button", "step forward", "drag", "play", "arrow key", "point at", "pick ")


def test_without_javascript_each_player_shows_its_final_state(browser, site_url):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    for path, kind in FALLBACKS.items():
        page.goto(f"{site_url}/{path}")
        player = page.locator(f'[data-player="{kind}"]')
        assert player.locator(".mgv-controls, input, button, .mgv-rowpick").count() == 0, path
        text = player.text_content().lower()
        assert not [word for word in INSTRUCTIONS if word in text], (path, text)
        assert player.locator(":scope > figcaption").text_content().strip()
        assert player.evaluate("f => getComputedStyle(f).borderTopStyle") == "solid"
        # a figure drawn: heat cells with a colour, or a table with rules
        drawn = player.evaluate("""f => { const r = f.querySelector(".mgv-cells rect");
            if (r) return getComputedStyle(r).fill !== "none" && getComputedStyle(r).fill !== "";
            const s = getComputedStyle(f.querySelector("td"));
            return s.borderBottomStyle !== "none" || s.borderTopStyle !== "none"; }""")
        assert drawn, path
    page.goto(f"{site_url}/step-1/parameters/")
    assert page.locator('[data-player="param-heatmaps"] .mgv-cells rect').count() == 3184
    page.goto(f"{site_url}/step-1/forward-pass/")
    chart = page.locator("figure.mgv-kit--line")
    assert chart.locator("path.mgv-series").count() == 2 and chart.locator(".mgv-legend-item").count() == 2
    context.close()
    assert context.problems == []


