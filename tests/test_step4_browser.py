"""The per-layer KV cache player of page 4.5 in Chromium, against the built site served on 127.0.0.1,
driven by the keyboard alone: the cache of layer 0 filling over "emma", position by position. Focus
never falls to <body>, the live line says in words (letters, not token ids) what is shown, the numbers
shown are the frames' (which tests/test_step4_pages.py checks against a forward pass written by hand),
and playing never moves what follows the player nor any column of the table (on a phone the table's box
follows the newest pair). Then the page without JavaScript: the final state, styled, with no controls. And
the tables of 4.1, 4.4 and 4.6 on a phone: they fit, or scroll in their own box with their row headers in
view. Every test also checks that the page logged no console error and asked
nothing of any other host."""

import json

import pytest

from tests.browser_kit import (browser, focused, heights_over_frames, open_context, opener, press,  # noqa: F401
                               site_url, started, tab, tab_to)

pytestmark = pytest.mark.browser
MINUS = "\u2212"
ORDINALS = ["first", "second", "third"]


def dec(x, digits=4):
    """A number as the players write it: toFixed, a real minus, never a negative zero."""
    text = f"{x:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", MINUS)


def who(labels, t, itself=None):
    if t == itself:
        return "itself"
    same = [i for i, x in enumerate(labels) if x == labels[t]]
    return labels[t] if len(same) == 1 else f"the {ORDINALS[same.index(t)]} {labels[t]}"


def frames_of(built_site):
    return json.loads((built_site[0] / "generated" / "step4" / "layer-cache-emma-1000-l0.json").read_text())


def sentence(f, p):
    labels = f["labels"]
    tops = []
    for h, w in enumerate(f["positions"][p]["weights"]):
        best = max(range(len(w)), key=lambda t: w[t])
        tops.append(f"head {h} {who(labels, best, p)} {dec(w[best])}")
    return (f"Position {p}, {who(labels, p)}: its key and value join keys[0] and values[0], which now hold {p + 1}"
            f" of each ({', '.join(labels[:p + 1])}). Each head reads its {f['size']} numbers of every entry; the"
            f" largest weights: {', '.join(tops)}.")


def rows(player, selector):
    return player.locator(selector).evaluate_all("rows => rows.map(r => Array.from(r.children, c => c.textContent))")


def test_layer_cache_by_keyboard(tab, site_url, built_site):
    f = frames_of(built_site)
    names, heads, size = f["labels"], f["heads"], f["size"]
    n = len(names)
    tab.goto(f"{site_url}/step-4/kv-cache/")
    player = started(tab, "layer-cache", ".mgv-controls")
    status = player.locator(".mgv-status")

    def check(p):
        fr = f["positions"][p]
        assert status.text_content().endswith(sentence(f, p))
        count = p + 1
        assert player.locator(".mgv-part").text_content() == (
            f"Position {p}, {who(names, p)}: keys[0] and values[0] hold {count} entr{'y' if count == 1 else 'ies'}"
            f" of {heads * size} numbers each")
        head = rows(player, "table.mgv-kvh thead tr")
        assert head[0] == ["keys[0], values[0]", f"q ({p} {names[p]})"] + [
            f"{t} {names[t]}" + ("new" if t == p else "later" if t > p else "") for t in range(n)] + ["x_attn"]
        assert head[1] == [f"{kv}{t}" for t in range(n) for kv in "kv"]
        body = rows(player, "table.mgv-kvh tbody tr")
        assert len(body) == heads * (1 + size)
        for h in range(heads):
            group = body[h * (1 + size):(h + 1) * (1 + size)]
            weights = [dec(w) for w in fr["weights"][h]] + [""] * (n - count)   # later pairs: one empty cell each
            assert group[0] == [f"head {h}[{h * size}:{(h + 1) * size}]", "weight"] + weights + [""]
            for j, row in zip(range(h * size, (h + 1) * size), group[1:]):
                cached = [dec(x, 2) for t in range(count) for x in (f["keys"][t][j], f["values"][t][j])]
                assert row == [str(j), dec(fr["q"][j], 2)] + cached + [""] * (n - count) + [dec(fr["x_attn"][j], 2)]
        assert player.locator("thead th.mgv-kvh-pos.mgv-kvh-new").count() == 1   # the newest pair, marked
        assert player.locator("thead th.mgv-kvh-pos.mgv-kvh-later").count() == n - count
        chips = player.locator(".mgv-tokens .mgv-tok")
        assert [chips.nth(t).evaluate("c => c.classList.contains('mgv-tok--current')") for t in range(n)] == \
            [t == p for t in range(n)]

    check(0)
    tab_to(tab, '[data-player="layer-cache"]')
    assert focused(tab).startswith("FIGURE:")
    for p in range(1, n):
        press(tab, "ArrowRight")
        check(p)
    press(tab, "ArrowRight")                  # at the end: nothing changes
    check(n - 1)
    press(tab, "ArrowLeft")
    check(n - 2)
    press(tab, "Home")
    check(0)
    press(tab, "End")
    check(n - 1)
    press(tab, "Home")
    # the Step button, by Enter: focus stays on it, all the way to the end
    tab_to(tab, '[data-player="layer-cache"] .mgv-controls button:nth-of-type(4)')
    assert focused(tab) == "BUTTON:Step ▶"
    for p in range(1, n):
        press(tab, "Enter")
        check(p)
    press(tab, "Enter")
    assert focused(tab) == "BUTTON:Step ▶"
    assert player.get_by_role("button", name="Step ▶").get_attribute("aria-disabled") == "true"
    # playing never moves what follows the player
    assert heights_over_frames(player) == 1


def test_layer_cache_plays_and_speaks_on_pause(tab, site_url, built_site):
    f = frames_of(built_site)
    tab.goto(f"{site_url}/step-4/kv-cache/")
    player = started(tab, "layer-cache", ".mgv-controls")
    status = player.locator(".mgv-status")
    tab_to(tab, '[data-player="layer-cache"]')
    press(tab, "End")
    press(tab, "Home")
    press(tab, " ")                           # play, from the first position
    assert status.get_attribute("aria-live") == "off"
    tab.wait_for_function("() => document.querySelector('[data-player=\"layer-cache\"] .mgv-status')"
                          ".textContent.startsWith('At the end.')", timeout=15000)
    assert status.get_attribute("aria-live") == "polite"
    assert status.text_content() == "At the end. " + sentence(f, len(f["labels"]) - 1)


def test_layer_cache_without_javascript(browser, site_url):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/step-4/kv-cache/")
    player = page.locator('[data-player="layer-cache"]')
    assert "Position 4, a: keys[0] and values[0] hold 5 entries of 16 numbers each" in player.text_content()
    assert player.locator(".mgv-controls, .mgv-rowpick, button, input").count() == 0
    # the final state is styled: heat cells coloured from the theme, the heads' groups tinted
    cell = player.locator("td.mgv-heat-cell").first
    assert cell.evaluate("c => getComputedStyle(c).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    group = player.locator("tr.mgv-kvh-head th").first
    assert group.evaluate("c => getComputedStyle(c).borderTopWidth") == "3px"
    # nothing sticks out of the page on a phone: the wide table scrolls in its own box
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    problems = context.problems
    context.close()
    assert problems == []


# Where every header cell of the cache's table sits, from the table's left edge, and how wide it is; whether
# the table fits its box; and whether the newest pair of columns (k and v of the position shown) is in view
# in the box, right of the row headers that stay put when it scrolls.
CACHE_GEOMETRY = """(p) => {
    const box = p.querySelector(".mgv-scroll"), t = box.querySelector("table"), b = box.getBoundingClientRect();
    const left = t.getBoundingClientRect().left, headers = b.left + t.tBodies[0].rows[1].cells[0].getBoundingClientRect().width;
    const k = t.querySelector("thead th.mgv-kvh-k.mgv-kvh-new").getBoundingClientRect();
    const v = t.querySelector("thead th.mgv-kvh-v.mgv-kvh-new").getBoundingClientRect();
    return { cells: Array.from(t.querySelectorAll("thead th"), c => { const r = c.getBoundingClientRect();
               // a sticky cell keeps to the box's left edge as it scrolls: only its width counts
               return (getComputedStyle(c).position === "sticky" ? "" : Math.round(r.left - left)) + "+" + Math.round(r.width);
             }).join(" "),
             fits: box.scrollWidth <= box.clientWidth + 1, newInView: k.left >= headers - 1 && v.right <= b.right + 1,
             atStart: box.scrollLeft === 0 };
}"""


def test_layer_cache_columns_never_move_and_the_new_pair_stays_in_view(opener, site_url, built_site):
    """Stepping through "emma" by keyboard moves no column (a pair not filled yet is as wide as a filled
    one); at 1280 px the table fits the player at every position; on a phone it scrolls in its box, which
    follows the newest pair, and goes back to the query at the first position."""
    n = len(frames_of(built_site)["labels"])
    for width in (1280, 390, 320):
        page = opener(viewport={"width": width, "height": 900})
        page.goto(f"{site_url}/step-4/kv-cache/")
        player = started(page, "layer-cache", ".mgv-controls")
        tab_to(page, '[data-player="layer-cache"]')
        frames = [player.evaluate(CACHE_GEOMETRY)]
        for _ in range(1, n):
            press(page, "ArrowRight")
            frames.append(player.evaluate(CACHE_GEOMETRY))
        press(page, "Home")
        frames.append(player.evaluate(CACHE_GEOMETRY))
        assert len({fr["cells"] for fr in frames}) == 1, width
        assert all(fr["newInView"] for fr in frames), (width, frames)
        assert frames[-1]["atStart"], width
        assert {fr["fits"] for fr in frames} == {width == 1280}, width


TABLE_BOX = """(box) => {
    const t = box.querySelector("table"), th = t.querySelector("tbody th[scope=row]");
    const wide = box.scrollWidth > box.clientWidth + 1;
    box.scrollLeft = box.scrollWidth;   // scrolled to its end: do the row headers stay at the box's left?
    const b = box.getBoundingClientRect(), r = th.getBoundingClientRect();
    const kept = Math.abs(r.left - b.left) <= 1;
    box.scrollLeft = 0;
    return { wide, kept, share: r.width / b.width };
}"""


@pytest.mark.parametrize("width", [390, 320])
def test_tables_on_a_phone(opener, site_url, width):
    """The tables of 4.1, 4.4 and 4.6 on a phone: the page never scrolls sideways; a table that does not fit
    scrolls in its own box with its row headers kept in view, and those leave room for the numbers."""
    page = opener(viewport={"width": width, "height": 900})
    found = {}
    for selector, path in ((".mgv-scroll:has(> table.mgv-place)", "what-changes"),
                           (".mgv-scroll:has(> table.mgv-state-dict)", "layer-loop"),
                           (".mgv-scroll.mgv-init-order", "training-results")):
        page.goto(f"{site_url}/step-4/{path}/")
        box = page.locator(selector)
        found[path] = box.evaluate(TABLE_BOX)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, path
    # one position in two names: its long row headers wrap, and at 390 px the table fits
    assert found["what-changes"]["share"] <= 0.5 and (found["what-changes"]["wide"] is (width < 390))
    assert found["what-changes"]["kept"]
    # the state_dict by layer: its group headings wrap, and the table fits
    assert not found["layer-loop"]["wide"]
    # the init order: wider than a phone, and the matrix names stay in view
    assert found["training-results"]["wide"] and found["training-results"]["kept"]
    assert found["training-results"]["share"] <= 0.45
