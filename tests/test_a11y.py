"""Every page of the nav, as built, in Chromium: axe-core finds no
violation on the whole document (the theme's parts included), light and
dark, at 1280 and 390 px; at 390 px nothing makes the page scroll sideways;
no console error; no request to any host but 127.0.0.1."""


from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import sync_playwright

from tests.browser_kit import (CHROMIUM, axe_source, axe_violations, browser, nav_pages,  # noqa: F401 (fixtures)
                               new_page, open_context, opener, settled, site_url)

pytestmark = pytest.mark.browser
PAGES = nav_pages() + ["404.html"]  # the page a host serves for an unknown address
SCHEMES = {"light": "default", "dark": "slate"}


def audit(site_url, source, paths, width):
    """axe in both schemes (light and dark, switched by the header's toggle), and at 390 px
    the page's width, for each of `paths` at `width`:
    ({path: [violation, ...]}, {path: scroll width}, [console errors, other hosts]). One
    browser of its own, so that two audits can run side by side (one per core)."""
    found, wide = {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = open_context(browser, viewport={"width": width, "height": 900}, color_scheme="dark")
        page = new_page(context)
        page.goto(f"{site_url}/")  # the system's scheme is the first page's
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEMES["dark"]
        for path in paths:
            page.goto(f"{site_url}/{path}")
            settled(page)
            for _ in SCHEMES:
                scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
                violations = axe_violations(page, source)
                if violations:
                    found[f"{path or 'home'} ({scheme})"] = violations
                # the header's toggle, as a reader switches (the choice then holds for the next pages)
                page.click("form[data-md-component=palette] label:not([hidden])")
                page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{scheme}'")
            if width == 390 and page.evaluate("document.scrollingElement.scrollWidth") > 390:
                wide[path or "home"] = page.evaluate("document.scrollingElement.scrollWidth")
        problems = context.problems
        browser.close()
    return found, wide, problems


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_violation_and_nothing_overflows(site_url, axe_source, width):
    halves = [PAGES[0::2], PAGES[1::2]]
    with ThreadPoolExecutor(len(halves)) as pool:
        results = list(pool.map(lambda paths: audit(site_url, axe_source, paths, width), halves))
    assert [found for found, _, _ in results] == [{}, {}]
    assert [wide for _, wide, _ in results] == [{}, {}]
    assert [problems for _, _, problems in results] == [[], []]


def test_the_home_page_names_the_site_once(opener, site_url):
    page = opener()
    page.goto(f"{site_url}/")
    assert page.title() == "MicroGPT Visualized"
    page.goto(f"{site_url}/step-0/training/")
    assert page.title() == "0.5 Training - MicroGPT Visualized"


def test_links_in_prose_are_underlined(opener, site_url):
    """Told apart from the text around them without colour."""
    page = opener()
    for path in ["", "step-0/count-table/"]:
        page.goto(f"{site_url}/{path}")
        lines = page.evaluate("""() => Array.from(document.querySelectorAll("article a:not(.md-button):not(.headerlink)"),
            a => getComputedStyle(a).textDecorationLine)""")
        assert lines and set(lines) == {"underline"}, path


def test_without_javascript_no_page_scrolls_sideways_on_a_phone(opener, site_url):
    page = opener(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    wide = {}
    for path in PAGES:
        page.goto(f"{site_url}/{path}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > 390:
            wide[path or "home"] = width
    assert wide == {}


def test_every_page_of_the_nav_is_checked():
    assert PAGES[:2] == ["", "step-0/"] and "step-1/gradient-check/" in PAGES and "step-2/same-results/" in PAGES
    assert len(PAGES) == len(set(PAGES)) >= 29


def test_code_boxes_fit_80_columns_clear_of_the_copy_button(opener, site_url):
    page = opener(viewport={"width": 1280, "height": 900})
    found = []
    for path in PAGES:
        page.goto(f"{site_url}/{path}")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        found += page.evaluate("""() => Array.from(document.querySelectorAll("article pre > code"), code => {
            const probe = document.createElement("span"), newline = document.createTextNode("\\n");
            const lines = code.textContent.split("\\n").map(l => l.length);
            // a code box of the article's own width holds 80 columns (the teaching code's limit);
            // one nested in a list, an admonition or a table holds its own longest line
            const nested = code.closest("li, .admonition, details, td") !== null;
            probe.textContent = "0".repeat(nested ? Math.max(...lines) : 80);
            code.append(newline, probe);
            const columns = probe.getBoundingClientRect();
            probe.remove();
            newline.remove();
            const nav = code.parentElement.querySelector(".md-code__nav");
            return { nested: nested, longest: Math.max(...lines), fits: code.scrollWidth <= code.clientWidth,
                     room: columns.right <= code.getBoundingClientRect().right,
                     clear: !nav || columns.right <= nav.getBoundingClientRect().left };
        })""")
    assert found
    assert all(box["longest"] <= 80 for box in found), found   # the teaching code's shown lines
    assert all(box["fits"] and box["room"] and box["clear"] for box in found), found
