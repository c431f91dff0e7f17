"""Page 2.1, What Changes, and its generated code diff, in Chromium: axe-core finds no violation
(folds closed and open, light and dark, 1280 and 390 px), nothing makes the page scroll sideways
on a phone (the code boxes scroll inside), the lines fit their boxes at 1280 px, the folds open
and close with the keyboard (and without JavaScript), and the − and + signs, which axe does not
see (they are CSS content), keep 4.5:1 against their lines."""


import pytest

from tests.browser_kit import axe_source, axe_violations, browser, opener, site_url, tab_to  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
PATH = "step-2/what-changes/"
SCHEMES = {"light": "default", "dark": "slate"}

# Colours as Chromium computes them (rgb(), rgba(), and color(srgb ...) for color-mix()),
# the contrast ratio of WCAG 2, and the signs' colours against their own line.
CONTRAST = """
(() => {
  function parse(text) {
    let m = text.match(/^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/);
    if (m) return { rgb: [+m[1] / 255, +m[2] / 255, +m[3] / 255], a: m[4] === undefined ? 1 : +m[4] };
    m = text.match(/^color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.]+))?\\)$/);
    if (m) return { rgb: [+m[1], +m[2], +m[3]], a: m[4] === undefined ? 1 : +m[4] };
    throw new Error("unread colour: " + text);
  }
  function luminance(rgb) {
    const lin = rgb.map(c => c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  }
  function ratio(fg, bg) {
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  }
  return { parse, ratio };
})()
"""


def settle(page):
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_violation_and_the_page_does_not_scroll_sideways(opener, site_url, axe_source, scheme, width):
    page = opener(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(f"{site_url}/{PATH}")
    settle(page)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEMES[scheme]
    assert page.locator("figure.mgv-diff details.mgv-diff-fold").count() > 0
    assert axe_violations(page, axe_source) == []
    page.evaluate("document.querySelectorAll('details.mgv-diff-fold').forEach(d => d.open = true)")
    settle(page)
    assert axe_violations(page, axe_source) == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_signs_keep_their_contrast(opener, site_url, scheme):
    page = opener(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page.goto(f"{site_url}/{PATH}")
    found = page.evaluate(f"""() => {{
        const c = {CONTRAST};
        const out = [];
        for (const kind of ["del", "add"]) {{
            const line = document.querySelector(".mgv-dl--" + kind);
            const sign = getComputedStyle(line, "::before");
            const bg = c.parse(getComputedStyle(line).backgroundColor);
            out.push({{ kind, content: sign.content, alpha: bg.a, sticky: sign.position + " " + sign.left,
                        gutter: sign.backgroundColor === getComputedStyle(line).backgroundColor,
                        ratio: c.ratio(c.parse(sign.color).rgb, bg.rgb) }});
        }}
        return out;
    }}""")
    assert [f["content"] for f in found] == ['"\u2212" / ""', '"+" / ""']   # silent for screen readers
    assert all(f["alpha"] == 1 for f in found), found   # opaque: the ratio is the one seen
    assert all(f["ratio"] >= 4.5 for f in found), found
    # the sign keeps to the box's left edge, on its line's tint, when the code scrolls sideways
    assert all(f["sticky"] == "sticky 0px" and f["gutter"] for f in found), found


def test_lines_fit_their_box_at_1280_and_scroll_inside_it_at_390(opener, site_url):
    wide = opener(viewport={"width": 1280, "height": 900})
    wide.goto(f"{site_url}/{PATH}")
    settle(wide)
    boxes = wide.evaluate("""() => Array.from(document.querySelectorAll(".mgv-diff-box"),
        box => ({ fits: box.scrollWidth <= box.clientWidth, region: box.getAttribute("role") }))""")
    assert boxes and all(b["fits"] for b in boxes), boxes
    assert all(b["region"] is None for b in boxes)   # nothing to scroll: no tab stop either
    # the longest line of all (80 columns or fewer) fits, opened
    wide.evaluate("document.querySelectorAll('details.mgv-diff-fold').forEach(d => d.open = true)")
    settle(wide)
    assert wide.evaluate("""() => Array.from(document.querySelectorAll(".mgv-diff-box"))
        .every(box => box.scrollWidth <= box.clientWidth)""")

    phone = opener(viewport={"width": 390, "height": 900})
    phone.goto(f"{site_url}/{PATH}")
    phone.wait_for_function("""() => document.querySelector(".mgv-diff-box[role=region]") !== null""")
    state = phone.evaluate("""() => {
        const figure = document.querySelector("figure.mgv-diff").getBoundingClientRect();
        const boxes = Array.from(document.querySelectorAll(".mgv-diff-box"));
        const scrolling = boxes.filter(b => b.scrollWidth > b.clientWidth);
        return { inside: figure.right <= document.documentElement.clientWidth, scrolling: scrolling.length,
                 focusable: scrolling.every(b => b.tabIndex === 0 && b.getAttribute("role") === "region"
                                                  && b.getAttribute("aria-label").length > 0) };
    }""")
    assert state["inside"] and state["scrolling"] > 0 and state["focusable"], state


def test_a_folds_summary_lines_up_with_the_code_and_stays_in_view(opener, site_url):
    page = opener(viewport={"width": 390, "height": 900})
    page.goto(f"{site_url}/{PATH}")
    settle(page)
    page.evaluate("document.querySelectorAll('details.mgv-diff-fold').forEach(d => d.open = true)")
    settle(page)
    found = page.evaluate("""() => Array.from(document.querySelectorAll(".mgv-diff-fold > summary"), summary => {
        const box = summary.closest(".mgv-diff-box"), text = summary.querySelector(".mgv-diff-more");
        const code = box.querySelector(".mgv-dl code");
        const left = () => text.getBoundingClientRect().left - box.getBoundingClientRect().left;
        const before = left(), column = code.getBoundingClientRect().left - box.getBoundingClientRect().left;
        const scrolls = box.scrollWidth > box.clientWidth;
        box.scrollLeft = 60;
        const after = left();
        box.scrollLeft = 0;
        return { before, column, after, scrolls };
    })""")
    assert found and any(f["scrolls"] for f in found), found
    for f in found:
        assert abs(f["before"] - f["column"]) < 1, f   # the summary's words start where the code does
        assert abs(f["after"] - f["before"]) < 1, f    # and stay there when the box scrolls sideways


def test_a_fold_opens_and_closes_with_the_keyboard(opener, site_url):
    page = opener(viewport={"width": 1280, "height": 900})
    page.goto(f"{site_url}/{PATH}")
    settle(page)
    fold = "figure.mgv-diff details.mgv-diff-fold > summary"
    tab_to(page, fold)
    details = page.locator("figure.mgv-diff details.mgv-diff-fold").first
    lines = details.locator(".mgv-dl")
    assert not details.evaluate("d => d.open") and not lines.first.is_visible()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"   # focus shows
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open") and lines.first.is_visible()
    page.keyboard.press("Space")
    assert not details.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"   # focus stays where it was


def test_without_javascript_the_diff_and_its_folds_work(opener, site_url):
    page = opener(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page.goto(f"{site_url}/{PATH}")
    details = page.locator("figure.mgv-diff details.mgv-diff-fold").first
    details.locator("summary").click()
    assert details.evaluate("d => d.open")
    assert page.locator("figure.mgv-diff .mgv-dl--del").first.is_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
