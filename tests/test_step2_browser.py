"""Step 2's comparison chart (2.8) in Chromium, by the keyboard alone, against the
built site on 127.0.0.1: both runs are drawn, on the same points, and Step 1's line
can be switched off to show Step 2's beneath it. (axe-core on every page:
tests/test_a11y.py.)"""

import pytest

from tests.browser_kit import browser, opener, site_url, tab_to  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_step_1_and_step_2_lie_on_one_line_and_toggle_by_keyboard(opener, site_url):
    page = opener(viewport={"width": 390, "height": 900})
    page.goto(f"{site_url}/step-2/same-results/")
    figure = page.locator("figure.mgv-kit--line")
    one, two = figure.locator(".mgv-legend-item").all()
    assert [one.text_content().strip(), two.text_content().strip()] == [
        "Step 1: mean of the last 50", "Step 2: mean of the last 50"]
    paths = [figure.locator(f'path.mgv-series[data-series="{i}"]') for i in (0, 1)]
    drawn = [p.get_attribute("d") for p in paths]
    assert drawn[0] and drawn[0] == drawn[1]  # the same running mean, to the pixel
    tab_to(page, "figure.mgv-kit--line .mgv-legend-item")
    page.keyboard.press("Enter")
    assert one.get_attribute("aria-pressed") == "false"
    assert paths[0].evaluate("p => getComputedStyle(p).display") == "none"
    assert paths[1].evaluate("p => getComputedStyle(p).display") == "inline"
    page.keyboard.press("Space")
    assert one.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.classList.contains('mgv-legend-item')")
