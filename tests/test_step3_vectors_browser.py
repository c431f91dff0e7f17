"""The vector-rows players of Step 3 (3.2 position embeddings, 3.3 RMSNorm, 3.4 q, k, v) in Chromium,
against the built site served on 127.0.0.1, driven by the keyboard alone: the focus never falls to
<body>, the live line says what is shown (in letters and positions, as the frames word it), and the
cells show the frames' numbers with the colours the build's formula gives them. Then the pages
without JavaScript, and at a phone's width. Every test also checks that the page logged no console
error and asked nothing of any other host (axe-core on every page: tests/test_a11y.py)."""

import json

import pytest

from tests.browser_kit import browser, opener, press, site_url, tab, tab_to  # noqa: F401 (fixtures)
from tests.test_step3_vectors import cell, heat  # the cells as the pages write them

pytestmark = pytest.mark.browser
PAGES = {"position-embeddings": ("embed-rows", 3), "rmsnorm": ("rms-rows", 2), "qkv": ("qkv-rows", 3)}
LABELS = ["BOS", "e", "m", "m", "a"]   # the inputs of emma, position by position


def frames_of(built_site, path):
    kind, _ = PAGES[path]
    return json.loads((built_site[0] / "generated" / "step3" / f"{kind}-emma-0-1000.json").read_text())


def focused(page):
    return page.evaluate("""() => { const a = document.activeElement;
        return a.tagName + ":" + a.textContent.trim(); }""")


def shown(player):
    """What the table shows: per row, the note and the cells' texts and --heat values."""
    return player.evaluate("""f => Array.from(f.querySelectorAll("table.mgv-vec tbody tr"), tr => ({
        note: tr.querySelector(".mgv-vec-note").textContent,
        cells: Array.from(tr.querySelectorAll("td.mgv-heat-cell"), td => td.textContent),
        heats: Array.from(tr.querySelectorAll("td.mgv-heat-cell"), td => Number(td.style.getPropertyValue("--heat")))}))""")


def check(player, f, pos, snap):
    """The player shows position pos of the model after `snap` steps, as the frames hold it."""
    frame = f["frames"][str(snap)][pos]
    assert player.locator(".mgv-status").text_content() == frame["say"]
    assert player.locator(":scope > figcaption").text_content() == frame["caption"]
    rows = shown(player)
    assert [r["note"] for r in rows] == frame["notes"]
    for r, row in enumerate(rows):
        assert row["cells"] == [cell(v) for v in frame["cells"][r]]
        assert row["heats"] == [heat(v, f["bounds"][r]) for v in frame["cells"][r]]
    pressed = player.locator('.mgv-vec-bar button[aria-pressed="true"]').all_text_contents()
    assert pressed == [f"{LABELS[pos]} at {pos}", "As initialised" if snap == 0 else "After 1,000 steps"]


def open_player(page, site_url, path):
    page.goto(f"{site_url}/step-3/{path}/")
    player = page.locator('[data-player="vector-rows"]')
    player.locator(".mgv-vec-picks").wait_for()
    return player


@pytest.mark.parametrize("path", list(PAGES))
def test_the_player_by_keyboard(tab, site_url, built_site, path):
    f = frames_of(built_site, path)
    start = PAGES[path][1]
    player = open_player(tab, site_url, path)
    assert player.locator(".mgv-status").get_attribute("aria-live") == "polite"
    assert player.locator(".mgv-vec-summary").is_hidden()   # the live line says it instead
    check(player, f, start, 1000)

    # the positions: one tab stop, the arrow keys pick as they move
    tab_to(tab, '[data-player="vector-rows"] .mgv-vec-bar button[tabindex="0"]')
    assert focused(tab) == f"BUTTON:{LABELS[start]} at {start}"
    ring = tab.evaluate("() => [getComputedStyle(document.activeElement).outlineStyle,"
                        " getComputedStyle(document.activeElement).outlineWidth]")
    assert ring == ["solid", "2px"]
    press(tab, "ArrowLeft")
    check(player, f, start - 1, 1000)
    assert focused(tab) == f"BUTTON:{LABELS[start - 1]} at {start - 1}"
    press(tab, "Home")
    check(player, f, 0, 1000)
    press(tab, "End")
    check(player, f, 4, 1000)
    press(tab, "ArrowRight")                 # already at the end: stays, focus kept
    check(player, f, 4, 1000)
    press(tab, "ArrowUp")
    check(player, f, 3, 1000)

    # the model: the next tab stop
    press(tab, "Tab")
    assert focused(tab) == "BUTTON:After 1,000 steps"
    press(tab, "ArrowLeft")
    assert focused(tab) == "BUTTON:As initialised"
    check(player, f, 3, 0)

    # back to the positions: Space and Enter on a button pick it too
    press(tab, "Shift+Tab")
    assert focused(tab) == "BUTTON:m at 3"
    press(tab, "ArrowLeft")
    check(player, f, 2, 0)
    press(tab, "Space")
    check(player, f, 2, 0)
    press(tab, "Tab")
    press(tab, "ArrowRight")
    press(tab, "Enter")
    check(player, f, 2, 1000)


def test_both_ms_share_tok_emb_and_differ_in_x(tab, site_url, built_site):
    """3.2's claim, on the screen: from one m to the other, the tok_emb row stays, pos_emb and x change."""
    f = frames_of(built_site, "position-embeddings")
    player = open_player(tab, site_url, "position-embeddings")
    tab_to(tab, '[data-player="vector-rows"] .mgv-vec-bar button[tabindex="0"]')
    at3 = shown(player)
    press(tab, "ArrowLeft")
    at2 = shown(player)
    assert at2[0]["cells"] == at3[0]["cells"] and at2[0]["note"] == at3[0]["note"] == "wte row of m"
    assert at2[1]["cells"] != at3[1]["cells"] and at2[2]["cells"] != at3[2]["cells"]
    assert "The m at position 3 has the same tok_emb and another pos_emb" in \
        player.locator(".mgv-status").text_content()
    assert f["frames"]["1000"][2]["cells"][0] == f["frames"]["1000"][3]["cells"][0]


def test_without_javascript(opener, site_url, built_site):
    """The final state as a styled table, with its sentence; nothing mentions controls that are not there."""
    page = opener(java_script_enabled=False)
    for path, (_, start) in PAGES.items():
        f = frames_of(built_site, path)
        page.goto(f"{site_url}/step-3/{path}/")
        player = page.locator('[data-player="vector-rows"]')
        frame = f["frames"]["1000"][start]
        assert player.locator(".mgv-vec-summary").text_content() == frame["say"]
        assert player.locator(":scope > figcaption").text_content() == frame["caption"]
        assert player.locator("button").count() == 0
        rows = shown(player)
        assert [r["cells"] for r in rows] == [[cell(v) for v in row] for row in frame["cells"]]
        # styled: a heat cell has a background of its own, the table keeps its row headers
        colours = player.evaluate("""f => Array.from(f.querySelectorAll("td.mgv-heat-cell"),
            td => getComputedStyle(td).backgroundColor)""")
        assert len(set(colours)) > 5
        words = player.text_content().lower()
        assert not any(w in words for w in ("button", "click", "press", "tab to"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone(opener, site_url, scheme):
    """At 390 px nothing makes the page scroll sideways: the table scrolls in its own box, a named
    region the keyboard can reach, and its row headers stay in view."""
    page = opener(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    for path in PAGES:
        player = open_player(page, site_url, path)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        box = player.locator(".mgv-scroll")
        box.wait_for()
        page.wait_for_function("""() => document.querySelector('[data-player="vector-rows"] .mgv-scroll')
            .getAttribute("role") === "region" """)
        assert box.get_attribute("tabindex") == "0"
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
        tab_to(page, '[data-player="vector-rows"] .mgv-scroll')
        left = box.evaluate("b => b.querySelector('tbody th').getBoundingClientRect().left")
        for _ in range(3):
            press(page, "ArrowRight")            # the arrow keys scroll the box
        page.wait_for_function("""() => document.querySelector('[data-player="vector-rows"] .mgv-scroll')
            .scrollLeft > 0""")
        assert box.evaluate("b => b.querySelector('tbody th').getBoundingClientRect().left") == pytest.approx(left, abs=1)
        # every button of the toolbars is inside the page's width
        rights = player.evaluate("f => Array.from(f.querySelectorAll('.mgv-vec-bar button'),"
                                 " b => b.getBoundingClientRect().right)")
        assert max(rights) <= 390
