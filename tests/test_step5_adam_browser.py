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

from tests.browser_kit import (CONTRAST_KIT, browser, heights_over_frames, opener, press, site_url, tab,  # noqa: F401
                               tab_to)
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


# ---------------------------------------------------------------- found by the browser audit of Step 5

# CIELAB distance of two colours, given as [r, g, b, a] in 0..1 over the page (JavaScript, after CONTRAST_KIT)
LAB_KIT = """
  const lin = (v) => v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  const lab = (c) => { const [r, g, b] = c.slice(0, 3).map(lin);
    const f = (t) => t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
    const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047), y = f(0.2126 * r + 0.7152 * g + 0.0722 * b),
          z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    return [116 * y - 16, 500 * (x - y), 200 * (y - z)]; };
  const apart = (a, b) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));
"""


def no_transitions(page):
    """Material eases colours in on focus: switched off, so that what is measured is the final colour."""
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")


def rows_ruled(page):
    """For every table of numbers on the page: does each row header carry the rule its row's cells carry?"""
    return page.evaluate("""() => Array.from(document.querySelectorAll(".mgv-adam-table tbody tr"), tr => {
        const th = getComputedStyle(tr.querySelector("th")), td = getComputedStyle(tr.querySelector("td"));
        return th.borderTopStyle === td.borderTopStyle && th.borderTopWidth === td.borderTopWidth
               && th.borderTopColor === td.borderTopColor && td.borderTopStyle !== "none"; })""")


def test_row_headers_are_ruled_like_their_rows(opener, site_url):
    """Material rules only the cells of a table: the row headers of 5.2's and 5.3's tables stood unruled beside them."""
    page = opener()
    for path in ["momentum/", "the-code/"]:
        page.goto(f"{site_url}/step-5/{path}")
        ruled = rows_ruled(page)
        assert ruled and all(ruled), path


def readout_heights(page, plot, keys):
    """Tabs to a chart, reads it with `keys`: the heights the chart's figure took, and the page's."""
    tab_to(page, plot)
    figure = page.locator(plot).locator("xpath=ancestor::figure[1]")
    heights, pages = set(), set()
    for key in keys:
        press(page, key)
        heights.add(round(figure.evaluate("f => f.getBoundingClientRect().height")))
        pages.add(page.evaluate("document.scrollingElement.scrollHeight"))
    assert figure.locator(".mgv-readout").text_content().startswith("training step ")
    return heights, pages


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_reading_a_chart_by_keyboard_never_moves_the_page(opener, site_url, width):
    """The readout under a chart keeps the height of its longest sentence: at step 1 the 5.4 chart's sentence
    took a line more than the hint before it, and 5.3's counterfactual chart and 5.2's charts changed height
    from point to point on a phone."""
    page = opener(viewport={"width": width, "height": 900})
    keys = ["Home", "ArrowRight", "ArrowRight", "PageUp", "End", "ArrowLeft", "PageDown", "Home"]
    for path, ready, plots in [
            ("training-results/", ".mgv-live .mgv-plot", ["figure.mgv-kit .mgv-plot"]),
            ("the-code/", ".mgv-live .mgv-plot", [".mgv-kit--line >> nth=0 >> .mgv-plot", ".mgv-kit--line >> nth=1 >> .mgv-plot"]),
            # the slider draws its charts anew when it starts: they are read once it has
            ("momentum/", f"{SLIDER} .mgv-field input", [f"{SLIDER} .mgv-beta-avg .mgv-plot", f"{SLIDER} .mgv-beta-bias .mgv-plot"])]:
        page.goto(f"{site_url}/step-5/{path}")
        page.locator(ready).first.wait_for()
        for plot in plots:
            heights, pages = readout_heights(page, plot, keys)
            assert len(heights) == 1 and len(pages) == 1, (path, plot, heights, pages)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_six_steps_are_told_apart(opener, site_url, scheme):
    """5.4's chart draws Steps 0 to 5: every two lines at least 30 apart in CIELAB (Step 1's accent and Step 5's
    colour were 25 apart in both schemes, orange beside salmon in the dark one), every line >= 3:1 on the page,
    and Step 5, microgpt, told apart without colour too: drawn thicker than every other line."""
    page = opener(color_scheme=scheme)
    page.goto(f"{site_url}/step-5/training-results/")
    found = page.locator("figure.mgv-kit").first.evaluate("(f) => {" + CONTRAST_KIT + LAB_KIT + """
        const paths = Array.from(f.querySelectorAll(".mgv-series"));
        const colours = paths.map(p => over(parse(getComputedStyle(p).stroke), page));
        const gaps = [];
        colours.forEach((a, i) => colours.forEach((b, j) => { if (i < j) gaps.push(apart(a, b)); }));
        return { count: colours.length, gap: Math.min(...gaps), contrast: Math.min(...colours.map(c => ratio(c, page))),
                 widths: paths.map(p => parseFloat(getComputedStyle(p).strokeWidth)),
                 names: Array.from(f.querySelectorAll(".mgv-legend-item"), b => b.textContent) }; }""")
    assert found["count"] == 6 and found["names"][5].startswith("Step 5")
    assert found["gap"] >= 30, found
    assert found["contrast"] >= 3, found
    assert found["widths"][5] > max(found["widths"][:5]), found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_copy_buttons_and_links_focus_in_the_guides_accent(opener, site_url, scheme):
    """Material rings a focused link or code box's copy button in the accent, 2.8:1 on the light page (2.5:1 on
    a code box), and turns a focused link's text to it: the guide's accent instead, ring >= 3:1, text >= 4.5:1."""
    page = opener(color_scheme=scheme)
    page.goto(f"{site_url}/step-5/the-code/")
    no_transitions(page)
    probe = "() => {" + CONTRAST_KIT + """
        const a = document.activeElement, cs = getComputedStyle(a);
        let bg = page;
        for (let e = a.parentElement; e; e = e.parentElement) {
          const c = parse(getComputedStyle(e).backgroundColor);
          if (c[3] > 0) { bg = over(c, page); break; } }
        return { ring: ratio(over(parse(cs.outlineColor), bg), bg), text: ratio(over(parse(cs.color), bg), bg),
                 style: cs.outlineStyle }; }"""
    tab_to(page, "article .md-code__button")
    button = page.evaluate(probe)
    assert button["style"] != "none" and button["ring"] >= 3 and button["text"] >= 3, button   # an icon: 3:1
    tab_to(page, "article p a[href]")
    link = page.evaluate(probe)
    assert link["style"] != "none" and link["ring"] >= 3 and link["text"] >= 4.5, link
