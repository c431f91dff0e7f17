"""The pages around the steps (Home, History, Glossary and the 404 page) in Chromium, against the built
site served on 127.0.0.1, as a reader on a laptop and on a phone, by the keyboard alone: what the
browser audit of these pages found, each kept fixed. Every test also checks that the page logged no
console error and asked nothing of any other host (axe-core on every page: tests/test_a11y.py)."""

import pytest

from tests.browser_kit import CONTRAST_KIT, browser, opener, site_url, tab_to  # noqa: F401 (fixtures)
from tests.test_step5_adam_browser import LAB_KIT, no_transitions, readout_heights

pytestmark = pytest.mark.browser

# the nav of mkdocs.yml, as the 404 page lists it: a link's text, the page it leads to, that page's title
NAV = [("Home", "/", "MicroGPT Visualized")] + [
    (name, f"/{path}/", f"{name} - MicroGPT Visualized")
    for name, path in [("Step 0: Counting", "step-0"), ("Step 1: Gradient descent", "step-1"),
                       ("Step 2: Autograd", "step-2"), ("Step 3: Attention", "step-3"),
                       ("Step 4: The transformer", "step-4"), ("Step 5: Adam", "step-5"),
                       ("History", "history"), ("Glossary", "glossary")]]

# the colours of the focused element, measured on what is under it (JavaScript, after CONTRAST_KIT)
FOCUS = """
  const a = document.activeElement, cs = getComputedStyle(a);
  let under = page;
  for (let e = a.parentElement; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { under = over(c, page); break; } }
  const fill = parse(cs.backgroundColor), behind = fill[3] > 0 ? over(fill, under) : under;
  return { tag: a.tagName, name: a.textContent.trim(), style: cs.outlineStyle,
           ring: ratio(over(parse(cs.outlineColor), under), under), text: ratio(over(parse(cs.color), behind), behind) };
"""


# ---------------------------------------------------------------- the 404 page


def test_the_404_page_leads_to_every_page_of_the_nav(opener, site_url):
    """History and Glossary linked to the home page: every link, followed by the keyboard, reaches its page."""
    page = opener()
    for name, path, title in NAV:
        page.goto(f"{site_url}/404.html")
        link = page.locator(".mgv-not-found a", has_text=name).first
        assert link.text_content() == name
        tab_to(page, f'.mgv-not-found a[href="{link.get_attribute("href")}"]')
        page.keyboard.press("Enter")   # the new page starts with the focus on its <body>, as any page does
        page.wait_for_url(f"{site_url}{path}")
        page.wait_for_function("title => document.title === title", arg=title)   # instant navigation: once swapped
    page.goto(f"{site_url}/404.html")
    assert page.locator(".mgv-not-found a").all_text_contents() == [name for name, _, _ in NAV]


# ---------------------------------------------------------------- links: focus and contrast


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_focused_link_keeps_its_contrast(opener, site_url, scheme):
    """Material turns a focused link and its focus ring to the accent, 2.8:1 on the light page, and the Home
    page's button to white on the accent (2.8:1 in both schemes): the guide's accent instead, text >= 4.5:1,
    ring >= 3:1."""
    page = opener(color_scheme=scheme)
    for path, selector in [("glossary/", ".mgv-glossary__letters a"), ("glossary/", ".mgv-glossary dd a"),
                           ("404.html", ".mgv-not-found a"), ("", "article a.md-button"),
                           ("history/", ".md-sidebar--primary .md-nav__link[href]")]:
        page.goto(f"{site_url}/{path}")
        no_transitions(page)
        tab_to(page, selector)
        found = page.evaluate("() => {" + CONTRAST_KIT + FOCUS + "}")
        assert found["style"] != "none" and found["ring"] >= 3 and found["text"] >= 4.5, (path, selector, found)


# ---------------------------------------------------------------- Glossary


@pytest.mark.parametrize("javascript", [True, False])
def test_the_glossary_fits_the_smallest_phone(opener, site_url, javascript):
    """At 320 px a meaning's page name ("(2.3 Recording Operations: Add and Multiply)") would not wrap and made
    the page scroll sideways: it wraps, inside the article."""
    page = opener(viewport={"width": 320, "height": 800}, java_script_enabled=javascript)
    page.goto(f"{site_url}/glossary/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    outside = page.evaluate("""() => { const edge = document.querySelector("article").getBoundingClientRect().right;
        return Array.from(document.querySelectorAll(".mgv-glossary__where"), w => w.getBoundingClientRect())
          .filter(r => r.right > edge + 0.5).length; }""")
    assert outside == 0
    assert page.locator(".mgv-glossary__where").count() > 20


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_glossary_letters_sit_side_by_side_framed_at_3_to_1(opener, site_url, scheme):
    """Material's list indent (1.25em) pushed the letters apart: they are the flex gap apart, and their frames
    (Material's lighter grey, 2.2:1) are >= 3:1 on the page."""
    page = opener(color_scheme=scheme, viewport={"width": 390, "height": 800})
    page.goto(f"{site_url}/glossary/")
    found = page.locator(".mgv-glossary__letters ul").evaluate("(ul) => {" + CONTRAST_KIT + """
        const boxes = Array.from(ul.querySelectorAll("a"), a => a.getBoundingClientRect());
        const gap = parseFloat(getComputedStyle(ul).columnGap);
        const apart = boxes.slice(1).map((b, i) => [b, boxes[i]]).filter(([b, a]) => Math.abs(b.top - a.top) < 1)
          .map(([b, a]) => b.left - a.right);
        return { gap, apart, first: boxes[0].left - ul.getBoundingClientRect().left,
                 border: Math.min(...Array.from(ul.querySelectorAll("a"), a => ratio(over(parse(getComputedStyle(a).borderTopColor), page), page))) }; }""")
    assert found["apart"] and all(abs(a - found["gap"]) < 1 for a in found["apart"]), found
    assert abs(found["first"]) < 1, found
    assert found["border"] >= 3, found


# ---------------------------------------------------------------- History


@pytest.mark.parametrize("width", [1280, 390])
def test_the_timeline_lines_up_with_the_text(opener, site_url, width):
    """Material indented every entry by its list indent (1.25em): the timeline starts where the text does."""
    page = opener(viewport={"width": width, "height": 900})
    page.goto(f"{site_url}/history/")
    lefts = page.evaluate("""() => [document.querySelector("article > p, article .md-content__inner > p"),
        ...document.querySelectorAll(".mgv-history__entry")].map(e => Math.round(e.getBoundingClientRect().left))""")
    assert len(lefts) > 10 and len(set(lefts)) == 1, lefts


# ---------------------------------------------------------------- Home


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_reading_the_home_chart_never_moves_the_page(opener, site_url, width):
    """The readout under the six steps' chart keeps the height of its longest sentence."""
    page = opener(viewport={"width": width, "height": 900})
    page.goto(f"{site_url}/")
    page.locator(".mgv-live .mgv-plot").wait_for()
    heights, pages = readout_heights(page, ".mgv-plot", ["Home", "ArrowRight", "End", "PageDown", "Home"])
    assert len(heights) == 1 and len(pages) == 1, (heights, pages)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_home_chart_tells_the_six_steps_apart(opener, site_url, scheme):
    """Every two of the six lines at least 30 apart in CIELAB (Step 1 and Step 5 were 25 apart), each >= 3:1."""
    page = opener(color_scheme=scheme)
    page.goto(f"{site_url}/")
    found = page.locator("figure.mgv-kit").evaluate("(f) => {" + CONTRAST_KIT + LAB_KIT + """
        const colours = Array.from(f.querySelectorAll(".mgv-series"), p => over(parse(getComputedStyle(p).stroke), page));
        const gaps = [];
        colours.forEach((a, i) => colours.forEach((b, j) => { if (i < j) gaps.push(apart(a, b)); }));
        return { count: colours.length, gap: Math.min(...gaps), contrast: Math.min(...colours.map(c => ratio(c, page))) }; }""")
    assert found["count"] == 6 and found["gap"] >= 30 and found["contrast"] >= 3, found
