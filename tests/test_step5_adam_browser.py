"""The players of Step 5 (5.2's beta slider, 5.3's step-by-step Adam) in Chromium, against the built
site served on 127.0.0.1, driven by the keyboard alone: the focus never falls to <body>, the live
line says what is shown, and what the browser computed is what plain Python computes here from the
run's own gradients. At the code's beta1 the browser's running average is the run's m, to the last
bit. Then both pages without JavaScript, and at a phone's width in both colour schemes. Every test
also checks that the page logged no console error and asked nothing of any other host (axe-core on
every page: tests/test_a11y.py)."""

import json
from pathlib import Path

import pytest

from tests.browser_kit import browser, heights_over_frames, opener, press, site_url, tab, tab_to  # noqa: F401 (fixtures)
from tests.test_step5_adam import B1, num, slider_sentence

pytestmark = pytest.mark.browser
SLIDER = '[data-player="beta-slider"]'
STEPPER = '[data-player="adam-steps"]'


@pytest.fixture(scope="module")
def lm_head(built_site):
    """The run's record of lm_head[0][0]: gradient, m and v at every step."""
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    run = json.loads(next(cache.glob("step5-*.json")).read_text())
    return next(w for w in run["watch"] if w["param"] == ["lm_head", 0, 0])


def average(grads, beta):
    """The running average m, as Adam.step computes it, in Python floats."""
    out, m = [], 0.0
    for g in grads:
        m = beta * m + (1 - beta) * g
        out.append(m)
    return out


def series(player, chart, index):
    """The numbers one series of one chart of the player holds (its data-values)."""
    text = player.locator(".mgv-beta-chart").nth(chart).locator(f'.mgv-series[data-series="{index}"]').get_attribute(
        "data-values")
    return [float(v) for v in text.split()]


def active(page):
    return page.evaluate("""() => { const a = document.activeElement;
        return a.tagName + ":" + (a.getAttribute("aria-label") || a.id || a.textContent.trim().slice(0, 20)); }""")


def open_slider(page, site_url):
    page.goto(f"{site_url}/step-5/momentum/")
    player = page.locator(SLIDER)
    player.locator(".mgv-field input[type=range]").wait_for()
    return player


# ---------------------------------------------------------------- 5.2: the beta slider


def test_beta_slider_by_keyboard(tab, site_url, lm_head):
    g, kept = lm_head["grad"], lm_head["m"]
    player = open_slider(tab, site_url)
    slider = player.get_by_label("β1, how much of itself m keeps each step:")
    status = player.locator(".mgv-status")
    assert status.get_attribute("aria-live") == "polite"
    assert player.locator(".mgv-beta-summary").is_hidden()     # the live line says it instead

    def check(beta):
        m = average(g, beta)
        assert slider.get_attribute("aria-valuetext") == f"β1 = {beta:.2f}"
        assert status.text_content() == slider_sentence(g, m, beta)
        assert player.locator("output").text_content() == f"{beta:.2f}"
        # the browser's average, as the charts hold it: Python's, to the last bit
        assert series(player, 0, 1) == m[:100] and series(player, 1, 1) == m[:20]
        assert series(player, 0, 0) == g[:100] and series(player, 1, 0) == g[:20]
        m_hat = series(player, 1, 2)
        assert m_hat == pytest.approx([v / (1 - beta ** t) for t, v in enumerate(m[:20], start=1)], rel=1e-13, abs=1e-300)
        assert player.locator(":scope > figcaption").text_content() == \
            f"The gradient of lm_head[0][0] and its running average, β1 = {beta:.2f}"
        assert active(tab).startswith("INPUT")
        return m

    # at the code's beta1, before any key: the run's own m, bit for bit
    assert series(player, 0, 1) == kept[:100] and series(player, 1, 1) == kept[:20]
    assert status.text_content() == slider_sentence(g, kept, B1)
    tab_to(tab, f"{SLIDER} input[type=range]")
    ring = tab.evaluate("() => [getComputedStyle(document.activeElement).outlineStyle,"
                        " getComputedStyle(document.activeElement).outlineWidth]")
    assert ring == ["solid", "2px"]
    assert check(B1) == kept                     # the whole average, through its sign changes in the sentence
    press(tab, "ArrowRight")
    check(0.86)
    for _ in range(4):
        press(tab, "ArrowRight")
    check(0.9)
    assert "(Adam’s usual)" in status.text_content()
    press(tab, "Home")
    m = check(0.0)
    assert m == g and "a memory of about 1 step." in status.text_content()   # m is the gradient itself
    press(tab, "End")
    check(0.99)
    press(tab, "PageDown")
    lower = float(tab.evaluate("document.activeElement.value"))
    assert lower < 0.99
    check(round(lower, 2))

    # a series hidden from its legend stays hidden while the slider moves, and the legend keeps the focus
    tab_to(tab, f'{SLIDER} .mgv-beta-avg .mgv-legend-item[data-series="0"]')
    press(tab, "Enter")
    button = player.locator('.mgv-beta-chart').first.locator('.mgv-legend-item[data-series="0"]')
    assert button.get_attribute("aria-pressed") == "false"
    tab_to(tab, f"{SLIDER} input[type=range]")
    press(tab, "Home")
    assert button.get_attribute("aria-pressed") == "false"
    assert "mgv-is-hidden" in player.locator(".mgv-beta-chart").first.locator('.mgv-series[data-series="0"]').get_attribute(
        "class")


def test_beta_slider_readout_by_keyboard(tab, site_url, lm_head):
    """The chart of the running average reads its values point by point from the keyboard."""
    player = open_slider(tab, site_url)
    tab_to(tab, f"{SLIDER} .mgv-beta-avg .mgv-plot")
    press(tab, "Home")
    readout = player.locator(".mgv-beta-chart").first.locator(".mgv-readout")
    assert readout.text_content() == (f"training step 1: gradient g {num(lm_head['grad'][0])}, m, β1 = 0.85"
                                      f" {num(lm_head['m'][0])}.")
    press(tab, "ArrowRight")
    assert readout.text_content().startswith(f"training step 2: gradient g {num(lm_head['grad'][1])}")
    assert readout.get_attribute("aria-live") == "polite"


def test_beta_slider_never_moves_the_page(tab, site_url):
    """The player keeps one height for every beta: nothing below it jumps while the slider moves."""
    player = open_slider(tab, site_url)
    heights = player.evaluate("""(p) => {
        const input = p.querySelector("input[type=range]"), seen = new Set();
        for (let k = 0; k <= 99; k++) {
          input.value = (k / 100).toFixed(2);
          input.dispatchEvent(new Event("input", { bubbles: true }));
          seen.add(Math.round(p.getBoundingClientRect().height));
        }
        return seen.size;
    }""")
    assert heights == 1


# ---------------------------------------------------------------- 5.3: Adam, step by step


def stepper_frames(built_site):
    return json.loads((built_site[0] / "generated" / "step5" / "adam-steps-1-1000-18.json").read_text())


def shown(player):
    return player.evaluate("""(p) => Array.from(p.querySelectorAll("tbody tr"),
        tr => Array.from(tr.querySelectorAll("td"), td => td.textContent))""")


def test_adam_steps_by_keyboard(tab, site_url, built_site):
    f = stepper_frames(built_site)
    tab.goto(f"{site_url}/step-5/the-code/")
    player = tab.locator(STEPPER)
    player.locator(".mgv-controls").wait_for()
    status = player.locator(".mgv-status")
    assert player.locator(".mgv-adam-summary").is_hidden()

    def check(i):
        frame = f["frames"][i]
        assert status.text_content().endswith(frame["say"])
        assert shown(player) == frame["cells"]
        assert player.locator("caption").text_content() == f"Training step {frame['step']:,}, lr_t = {frame['lr']}"
        assert player.get_attribute("data-step") == str(frame["step"])

    check(0)
    assert status.get_attribute("aria-live") == "polite"
    tab_to(tab, f"{STEPPER} .mgv-controls button:nth-of-type(3)")      # Play: the first button that can act
    assert active(tab) == "BUTTON:▶ Play"
    press(tab, "ArrowRight")
    check(1)
    press(tab, "ArrowRight")
    press(tab, "ArrowRight")
    check(3)
    assert "(its gradient was 0: m alone moved it)" in status.text_content()   # wte[0][0] at step 4
    press(tab, "End")
    check(len(f["frames"]) - 1)
    assert status.text_content().startswith("Training step 1,000")
    press(tab, "ArrowRight")                                             # at the end: stays, focus kept
    check(len(f["frames"]) - 1)
    press(tab, "Home")
    check(0)
    # the scrub slider, by its own arrow keys
    tab_to(tab, f"{STEPPER} .mgv-controls input[type=range]")
    press(tab, "ArrowRight")
    check(1)
    # Back, with Enter; it keeps the focus when it can go no further
    tab_to(tab, f"{STEPPER} .mgv-controls button:nth-of-type(2)")
    press(tab, "Enter")
    check(0)
    assert player.locator(".mgv-controls button").nth(1).get_attribute("aria-disabled") == "true"
    assert active(tab) == "BUTTON:◀ Back"
    assert heights_over_frames(player) == 1


# ---------------------------------------------------------------- without JavaScript, and on a phone

INSTRUCTIONS = ("press", "click", "drag", "arrow key", "slider", "pick", "choose")


def test_without_javascript(opener, site_url, built_site, lm_head):
    page = opener(java_script_enabled=False)
    page.goto(f"{site_url}/step-5/momentum/")
    player = page.locator(SLIDER)
    assert player.locator("input, select, button:not([disabled])").count() == 0
    assert player.locator(".mgv-beta-summary").text_content() == slider_sentence(lm_head["grad"], lm_head["m"], B1)
    assert player.locator("svg").count() == 2
    assert player.locator("svg").first.evaluate("e => e.getBoundingClientRect().height") > 150
    assert player.evaluate("f => getComputedStyle(f).borderTopStyle") == "solid"
    words = player.text_content().lower()
    assert not [w for w in INSTRUCTIONS if w in words], words
    page.goto(f"{site_url}/step-5/the-code/")
    player = page.locator(STEPPER)
    last = stepper_frames(built_site)["frames"][-1]
    assert player.locator(".mgv-adam-summary").text_content() == last["say"]
    assert shown(player) == last["cells"]
    assert player.locator("button, input, select").count() == 0
    words = player.text_content().lower()
    assert not [w for w in INSTRUCTIONS if w in words], words


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone(opener, site_url, scheme):
    """At 390 px no page of the step scrolls sideways; the slider is whole on the screen; the stepper's table
    scrolls in its own box, a named region the keyboard reaches, its row headers kept in view."""
    page = opener(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    for path in ["", "what-changes/", "momentum/", "the-code/"]:
        page.goto(f"{site_url}/step-5/{path}")
        page.wait_for_timeout(0)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, path
    open_slider(page, site_url)
    box = page.locator(f"{SLIDER} input[type=range]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] > 100
    page.goto(f"{site_url}/step-5/the-code/")
    player = page.locator(STEPPER)
    player.locator(".mgv-controls").wait_for()
    scroll = player.locator(".mgv-scroll")
    page.wait_for_function(f"""() => document.querySelector('{STEPPER} .mgv-scroll').getAttribute("role") === "region" """)
    tab_to(page, f"{STEPPER} .mgv-scroll")
    left = scroll.evaluate("b => b.querySelector('tbody th').getBoundingClientRect().left")
    for _ in range(3):
        press(page, "ArrowRight")          # the arrow keys scroll the box, not the player
    page.wait_for_function(f"() => document.querySelector('{STEPPER} .mgv-scroll').scrollLeft > 0")
    assert scroll.evaluate("b => b.querySelector('tbody th').getBoundingClientRect().left") == pytest.approx(left, abs=1)
    assert player.get_attribute("data-step") == "1"
    assert heights_over_frames(player) == 1    # on a phone too, the page below never moves
