"""The heads player of Step 4's page 4.3 in Chromium, against the built site served on 127.0.0.1,
driven by the keyboard alone: the position picked in its row of buttons, the heads stepped through
with the player's controls and keys. Focus never falls to <body>, the live line says in words
(letters, not token ids) what the tables show, the numbers shown are the frames' (which
tests/test_step4_heads.py checks against a forward pass written by hand), and nothing moves while it
plays: no column of its tables moves either, and at 1280 px both fit the player. Then the page without
JavaScript: the final state, styled, with no controls; and the four
maps of the heads, two in a row at 1280 px and one under another at 390 px. Every test also checks
that the page logged no console error and asked nothing of any other host."""

import json

import pytest

from tests.browser_kit import (browser, focused, heights_over_frames, open_context, opener, press,  # noqa: F401
                               site_url, started, tab, tab_to)

pytestmark = pytest.mark.browser
MINUS = "\u2212"
ORDINALS = ["first", "second", "third"]
URL = "/step-4/multi-head-code/"


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


@pytest.fixture(scope="module")
def f(built_site):
    return json.loads((built_site[0] / "generated" / "step4" / "heads-emma-1000.json").read_text())


def cell_texts(player, selector):
    return player.locator(selector).evaluate_all("rows => rows.map(r => Array.from(r.children, c => c.textContent))")


def sentence(f, pos, head):
    """The live line, written again from the frames."""
    labels, size = f["labels"], f["size"]
    fr = f["positions"][pos]
    q, k = f"q[{head * size}:{(head + 1) * size}]", f"k[{head * size}:{(head + 1) * size}]"
    meets = f"the one cached key's slice {k}" if pos == 0 else f"the slices {k} of {pos + 1} cached keys"
    weights = ", ".join(f"{who(labels, t, pos)} {dec(w)}" for t, w in enumerate(fr["weights"][head]))
    return (f"Position {pos}, {who(labels, pos)}, head {head} of {f['heads']}: q_h = {q} meets {meets}; weights"
            f" {weights} (sum {dec(fr['sums'][head])}). Its head_out joins x_attn, which now has {(head + 1) * size}"
            f" of {f['heads'] * size} numbers.")


def check(player, f, pos, head):
    """Everything the player shows for this position and head, against the frames."""
    labels, size, digits = f["labels"], f["size"], f["digits"]
    n, width, start = len(labels), f["heads"] * f["size"], head * f["size"]
    fr = f["positions"][pos]
    status = player.locator(".mgv-status").text_content()
    assert status.endswith(sentence(f, pos, head)), (status, sentence(f, pos, head))
    assert player.locator(".mgv-heads-title").text_content() == (
        f"Position {pos}, {who(labels, pos)} · head {head} of {f['heads']} (hs = {start}): q_h = q[{start}:{start + size}]")
    # q and x_attn: all their numbers; x_attn filled through this head
    vectors = cell_texts(player, "table.mgv-heads-vectors tbody tr")
    assert vectors[0] == [f"q ({pos} {labels[pos]})"] + [dec(x, digits) for x in fr["q"]]
    filled = (head + 1) * size
    assert vectors[1] == ["x_attn"] + [dec(x, digits) for x in fr["x_attn"][:filled]] + ["not yet"] * (width - filled)
    marked = player.locator("table.mgv-heads-vectors tbody td.mgv-heads-on").all_text_contents()
    assert marked == [dec(x, digits) for x in fr["q"][start:start + size] + fr["x_attn"][start:start + size]]
    assert player.locator("table.mgv-heads-vectors th.mgv-heads-group.mgv-heads-on").all_text_contents() == [f"head {head}"]
    # the head alone: its slices of every cached key and value, scores, weights, head_out
    one = player.locator("table.mgv-heads-one")
    heads = one.locator("thead tr").nth(0).locator("th").all_text_contents()
    assert heads == ["cached", f"k_h: k[{start}:{start + size}]", "score", "weight", f"v_h: v[{start}:{start + size}]"]
    assert one.locator("thead tr").nth(1).locator("th").all_text_contents() == [str(j) for j in range(start, start + size)] * 2
    rows = cell_texts(player, "table.mgv-heads-one tbody tr")
    assert rows[0] == [f"q_h ({pos} {labels[pos]})"] + [dec(x, digits) for x in fr["q"][start:start + size]] + ["", "", ""]
    for t in range(n):
        if t <= pos:
            assert rows[1 + t] == ([f"{t} {labels[t]}"] + [dec(x, digits) for x in f["keys"][t][start:start + size]]
                                   + [dec(fr["scores"][head][t]), dec(fr["weights"][head][t])]
                                   + [dec(x, digits) for x in f["values"][t][start:start + size]]), (pos, head, t)
        else:
            assert rows[1 + t] == [f"{t} {labels[t]}", "not computed yet"]
    foot = cell_texts(player, "table.mgv-heads-one tfoot tr")[0]
    assert foot == ["head_out", "", "", "sum of the weights: Σ " + dec(fr["sums"][head])] + \
        [dec(x, digits) for x in fr["x_attn"][start:start + size]]
    assert dec(fr["sums"][head]) == "1.0000"
    chips = player.locator(".mgv-tokens .mgv-tok")
    assert [chips.nth(t).evaluate("c => c.classList.contains('mgv-tok--current')") for t in range(n)] == \
        [t == pos for t in range(n)]
    assert player.get_by_role("button", name=f"{pos} {labels[pos]}").get_attribute("aria-pressed") == "true"


def test_heads_by_keyboard(tab, site_url, f):
    last = f["heads"] - 1
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(site_url + URL)
    player = started(tab, "heads", ".mgv-controls")
    check(player, f, f["pos"], 0)                 # the second m, the first head

    # the position: one tab stop, the arrow keys pick as they go; the head stays
    tab_to(tab, '[data-player="heads"] .mgv-rowpick button[tabindex="0"]')
    assert focused(tab) == "BUTTON:3 m"
    press(tab, "ArrowRight")
    assert focused(tab) == "BUTTON:4 a"
    check(player, f, 4, 0)
    press(tab, "Home")
    assert focused(tab) == "BUTTON:0 BOS"
    check(player, f, 0, 0)
    assert "meets the one cached key's slice k[0:4]; weights itself 1.0000" in player.locator(".mgv-status").text_content()
    press(tab, "ArrowRight")
    press(tab, "ArrowRight")
    check(player, f, 2, 0)
    press(tab, "Tab")                              # out of the toolbar in one step: to the player's controls
    assert focused(tab) == "BUTTON:Reset"
    press(tab, "Tab")
    press(tab, "Tab")
    press(tab, "Tab")
    assert focused(tab) == "BUTTON:Step ▶"
    for head in range(1, last + 1):                # Enter steps head by head; x_attn fills up
        press(tab, "Enter")
        check(player, f, 2, head)
    press(tab, "Enter")                            # at the last head: nothing changes, the focus stays
    assert focused(tab) == "BUTTON:Step ▶"
    assert player.get_by_role("button", name="Step ▶").get_attribute("aria-disabled") == "true"
    check(player, f, 2, last)
    press(tab, "ArrowLeft")                        # the arrows step from any control
    check(player, f, 2, last - 1)
    press(tab, "Home")
    check(player, f, 2, 0)
    press(tab, "End")
    check(player, f, 2, last)

    # picking another position keeps the head shown
    tab_to(tab, '[data-player="heads"] .mgv-rowpick button[tabindex="0"]')
    press(tab, "End")
    assert focused(tab) == "BUTTON:4 a"
    check(player, f, 4, last)

    # Space plays from the focused player, and again pauses: the live line speaks on pause
    tab.locator('[data-player="heads"]').focus()
    press(tab, "Home")
    press(tab, " ")
    status = player.locator(".mgv-status")
    assert status.get_attribute("aria-live") == "off"   # quiet while playing
    tab.wait_for_timeout(1300)
    press(tab, " ")
    text = status.text_content()
    assert text.startswith("Paused. ") or text.startswith("At the end. ")
    assert status.get_attribute("aria-live") == "polite"
    shown = [h for h in range(last + 1) if text.endswith(sentence(f, 4, h))]
    assert shown and shown[0] >= 1


def test_nothing_moves(opener, site_url, f):
    """The player keeps its height over every head at every position, at 1280 and 390 px."""
    for width in (1280, 390):
        page = opener(viewport={"width": width, "height": 900})
        page.goto(site_url + URL)
        player = started(page, "heads", ".mgv-controls")
        heights = set()
        for pos in range(len(f["labels"])):
            player.locator(".mgv-rowpick button").nth(pos).click()
            assert heights_over_frames(player) == 1, (width, pos)
            heights.add(round(player.evaluate("p => p.getBoundingClientRect().height")))
        assert len(heights) == 1, (width, heights)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width


def test_head_maps_side_by_side_then_stacked(opener, site_url):
    for width, rows in ((1280, 2), (390, 4)):
        page = opener(viewport={"width": width, "height": 900})
        page.goto(site_url + URL)
        boxes = page.locator(".mgv-head-map").evaluate_all(
            "maps => maps.map(m => { const r = m.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top)]; })")
        assert len(boxes) == 4
        assert len({top for _, top in boxes}) == rows, (width, boxes)
        # every map shows all its columns at 1280 px: nothing to scroll
        if width == 1280:
            assert page.locator(".mgv-head-map .mgv-scroll").evaluate_all(
                "boxes => boxes.every(b => b.scrollWidth <= b.clientWidth + 1)")


def test_without_javascript(browser, site_url):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + URL)
    player = page.locator('[data-player="heads"]')
    assert "Position 3, the second m · head 3 of 4 (hs = 12): q_h = q[12:16]" in player.text_content()
    assert player.locator(".mgv-controls, .mgv-rowpick, button, input, select").count() == 0
    # the final state is styled: heat cells coloured from the theme, the current head's slice marked
    cell = player.locator("td.mgv-heat-cell").first
    assert cell.evaluate("c => getComputedStyle(c).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    marked = player.locator("table.mgv-heads-vectors td.mgv-heads-on").first
    assert marked.evaluate("c => getComputedStyle(c).boxShadow") != "none"
    # at 1280 px both tables of the final state fit the figure: nothing to scroll, at the last head too
    page.set_viewport_size({"width": 1280, "height": 800})
    assert player.locator(".mgv-scroll").evaluate_all("boxes => boxes.map(b => b.scrollWidth <= b.clientWidth)") == \
        [True, True]
    assert page.locator(".mgv-head-map td.mgv-heat-cell").count() == 4 * 15
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    problems = context.problems
    context.close()
    assert problems == []


# Where every header cell of the player's tables sits, from its table's left edge, and how wide it is:
# one answer for every head at every position means no column ever moves. With it, for each table,
# whether it fits its box (nothing to scroll) and whether the box is a tab stop (a named region).
GEOMETRY = """(p) => Array.from(p.querySelectorAll("table"), t => {
    const left = t.getBoundingClientRect().left, box = t.closest(".mgv-scroll");
    return { cells: Array.from(t.querySelectorAll("thead th, tbody tr:first-child > *"), c => {
               // a sticky cell keeps to the box's left edge as it scrolls: only its width counts
               const r = c.getBoundingClientRect(), sticky = getComputedStyle(c).position === "sticky";
               return (sticky ? "" : Math.round(r.left - left)) + "+" + Math.round(r.width); }).join(" "),
             fits: box.scrollWidth <= box.clientWidth + 1, stop: box.getAttribute("role") === "region" };
})"""


def test_no_column_moves_and_all_fits_at_1280(opener, site_url, f):
    """Picking a position or stepping through the heads redraws the tables without moving any column
    (a number, bold or not, or a cell not filled yet, takes one width), at 1280 and 390 px; at 1280 px
    both tables fit the player at every frame, so neither box needs scrolling nor a tab stop."""
    n, last = len(f["labels"]), f["heads"] - 1
    for width in (1280, 390, 320):
        page = opener(viewport={"width": width, "height": 900})
        page.goto(site_url + URL)
        player = started(page, "heads", ".mgv-controls")
        frames = []
        tab_to(page, '[data-player="heads"] .mgv-rowpick button[tabindex="0"]')
        press(page, "Home")
        for pos in range(n):
            if pos:
                press(page, "ArrowRight")             # the next position, in the row of buttons
            assert focused(page) == f"BUTTON:{pos} {f['labels'][pos]}"
            press(page, "Tab")                        # to the player's controls: Home, then the arrows step
            assert focused(page) == "BUTTON:Reset"
            press(page, "Home")
            frames.append(player.evaluate(GEOMETRY))
            for head in range(1, last + 1):
                press(page, "ArrowRight")
                assert player.locator(".mgv-heads-title").text_content().startswith(
                    f"Position {pos}, {who(f['labels'], pos)} · head {head} of")
                frames.append(player.evaluate(GEOMETRY))
            press(page, "Shift+Tab")                  # back to the row of buttons, on the position picked
        assert len(frames) == n * (last + 1)
        for t in range(2):
            assert len({fr[t]["cells"] for fr in frames}) == 1, (width, t)
        if width == 1280:
            assert all(table["fits"] and not table["stop"] for fr in frames for table in fr), width
        else:
            assert all(not table["fits"] and table["stop"] for fr in frames for table in fr), width
        # nothing in the tables (their words for screen readers included) makes the page scroll sideways
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
