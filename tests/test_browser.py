"""The players in a real browser: Chromium, driven by Playwright, against the
built site served on 127.0.0.1, by the keyboard alone. Every test also checks
that the page logged no console error and asked nothing of any other host.

What a player computes (a mean, a row's total, a token's id) is checked
against plain Python here, from the frames' inputs (the names, in the order
the run read them) or the names file: never from the hooks' own functions."""

import json
import math
import re

import pytest

from tests.browser_kit import CONTRAST_KIT, browser, open_context, opener, site_url, tab, tab_to  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
LETTERS = "abcdefghijklmnopqrstuvwxyz"
BOS = 26
LABELS = list(LETTERS) + ["BOS"]


# ---------------------------------------------------------------- plain Python, independent of hooks/

@pytest.fixture(scope="module")
def docs(built_site):
    """The names in the order the run read them: the count-table frames' inputs."""
    frames = json.loads((built_site[0] / "generated" / "step0" / "count-table.json").read_text())
    return [step["doc"] for step in frames["steps"]]


def counts_after(docs, n):
    table = [[0] * 27 for _ in range(27)]
    for doc in docs[:n]:
        ids = [BOS] + [LETTERS.index(ch) for ch in doc] + [BOS]
        for a, b in zip(ids, ids[1:]):
            table[a][b] += 1
    return table


def pairs_of(doc):
    labels = ["BOS"] + list(doc) + ["BOS"]
    return [f"{a}→{b}" for a, b in zip(labels, labels[1:])]


# ---------------------------------------------------------------- the keyboard

def focused(page):
    """What has the focus: tag, text or label."""
    return page.evaluate("""() => { const a = document.activeElement;
        return a.tagName + ":" + (a.getAttribute("aria-label") || a.textContent.trim().slice(0, 20)); }""")


def frame(player):
    return int(player.locator("input[type=range]").input_value())


def started(page, kind):
    player = page.locator(f'[data-player="{kind}"]')
    player.locator(".mgv-controls, .mgv-rowpick, input").first.wait_for()
    return player


def cells_of(player):
    return player.evaluate("p => Array.from(p.querySelectorAll('tbody td'), td => Number(td.textContent))")


# ---------------------------------------------------------------- the count table

def test_count_table_player_by_keyboard(tab, site_url, docs):
    tab.goto(f"{site_url}/step-0/training/")
    player = started(tab, "count-table")
    status = player.locator(".mgv-status")
    assert frame(player) == 0 and sum(cells_of(player)) == 0 and status.text_content().startswith("Empty table")

    tab_to(tab, '[data-player="count-table"]')
    tab.keyboard.press("ArrowRight")
    # the live line names the cells as the table does: by their letters
    assert status.text_content() == (f"Name 1 of 1,000, “{docs[0]}”: added 1 to {len(docs[0]) + 1} cells: "
                                     + ", ".join(pairs_of(docs[0])) + ".")
    assert player.locator("td.mgv-hit").count() == len(set(pairs_of(docs[0])))
    assert sum(cells_of(player)) == len(docs[0]) + 1
    tab.keyboard.press("ArrowRight")
    assert frame(player) == 2 and f"“{docs[1]}”" in status.text_content()
    tab.keyboard.press("ArrowLeft")
    assert frame(player) == 1

    # Back to frame 0, from the button: the button keeps the focus, and looks disabled
    tab.keyboard.press("Tab")   # Reset
    tab.keyboard.press("Tab")   # Back
    assert focused(tab) == "BUTTON:◀ Back"
    tab.keyboard.press("Enter")
    assert frame(player) == 0 and focused(tab) == "BUTTON:◀ Back"
    back = player.get_by_role("button", name="◀ Back")
    assert back.get_attribute("aria-disabled") == "true"
    assert back.evaluate("b => getComputedStyle(b).borderStyle") == "dashed"
    tab.keyboard.press("Enter")    # nothing to go back to: nothing happens, focus stays
    tab.keyboard.press("Space")
    assert frame(player) == 0 and focused(tab) == "BUTTON:◀ Back"

    # End, then one step back and Step to the last frame: Step keeps the focus
    tab.keyboard.press("End")
    tab.keyboard.press("ArrowLeft")
    assert frame(player) == 999
    tab.keyboard.press("Tab")   # Play
    tab.keyboard.press("Tab")   # Step
    tab.keyboard.press("Enter")
    assert frame(player) == 1000 and focused(tab) == "BUTTON:Step ▶"
    assert player.get_by_role("button", name="Step ▶").get_attribute("aria-disabled") == "true"
    assert cells_of(player) == [c for row in counts_after(docs, 1000) for c in row]
    last = docs[999]
    assert status.text_content().endswith(", ".join(pairs_of(last)) + ".")

    # Home, then the fastest speed from the list (in order), and play with Space on the player
    tab.keyboard.press("Home")
    assert frame(player) == 0 and sum(cells_of(player)) == 0
    tab.keyboard.press("Tab")   # the scrub
    tab.keyboard.press("Tab")   # the speed
    speed = player.get_by_label("Playing speed")
    options = speed.evaluate("s => Array.from(s.options, o => o.text)")
    assert options == ["1 name/s", "5 names/s", "20 names/s", "100 names/s"]
    assert speed.evaluate("s => s.selectedOptions[0].text") == "5 names/s"
    tab.keyboard.press("End")
    assert speed.evaluate("s => s.selectedOptions[0].text") == "100 names/s"
    for _ in range(5):
        tab.keyboard.press("Shift+Tab")
    assert focused(tab).startswith("BUTTON:Reset")
    tab.keyboard.press("Shift+Tab")
    assert focused(tab).startswith("FIGURE")
    tab.keyboard.press("Space")
    assert status.get_attribute("aria-live") == "off"  # quiet while playing
    tab.wait_for_function("p => Number(p.querySelector('input[type=range]').value) >= 30", arg=player.element_handle())
    tab.keyboard.press("Space")
    stopped = frame(player)
    # it speaks again on pause: polite, and a new sentence saying where it stopped
    assert status.get_attribute("aria-live") == "polite"
    assert status.text_content() == (f"Paused. Name {stopped} of 1,000, “{docs[stopped - 1]}”: added 1 to "
                                     f"{len(docs[stopped - 1]) + 1} cells: " + ", ".join(pairs_of(docs[stopped - 1])) + ".")
    assert cells_of(player) == [c for row in counts_after(docs, stopped) for c in row]
    assert frame(player) == stopped
    tab.keyboard.press("Space")   # plays again...
    tab.wait_for_function(f"p => Number(p.querySelector('input[type=range]').value) > {stopped}", arg=player.element_handle())
    tab.keyboard.press("Space")   # ...and pauses
    again = frame(player)
    assert cells_of(player) == [c for row in counts_after(docs, again) for c in row]
    tab.keyboard.press("Home")
    assert frame(player) == 0 and sum(cells_of(player)) == 0


def test_count_table_plays_to_the_end_and_says_so(tab, site_url, docs):
    tab.goto(f"{site_url}/step-0/training/")
    player = started(tab, "count-table")
    player.get_by_label("Playing speed").select_option(label="100 names/s")
    player.locator("input[type=range]").fill("990")
    player.focus()
    tab.keyboard.press("Space")
    tab.wait_for_function("p => p.querySelector('.mgv-status').textContent.startsWith('At the end.')",
                          arg=player.element_handle())
    assert frame(player) == 1000 and player.locator(".mgv-status").get_attribute("aria-live") == "polite"
    assert player.get_by_role("button", name="▶ Play").is_visible()
    assert cells_of(player) == [c for row in counts_after(docs, 1000) for c in row]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_count_table_never_moves_while_it_fills(opener, site_url, width):
    page = opener(viewport={"width": width, "height": 800})
    page.goto(f"{site_url}/step-0/training/")
    player = started(page, "count-table")
    tops = player.evaluate("""(p) => {
        const scrub = p.querySelector("input[type=range]"), table = p.querySelector("table");
        const tops = new Set(), bottoms = new Set();
        for (let k = 0; k <= Number(scrub.max); k++) {
          scrub.value = String(k);
          scrub.dispatchEvent(new Event("input", { bubbles: true }));
          tops.add(table.getBoundingClientRect().top + window.scrollY);
          bottoms.add(Math.round(p.getBoundingClientRect().bottom + window.scrollY));
        }
        return [tops.size, bottoms.size, table.getBoundingClientRect().width];
    }""")
    assert tops[:2] == [1, 1]


def test_the_count_table_scrolls_by_keyboard_on_a_phone(opener, site_url):
    page = opener(viewport={"width": 390, "height": 800})
    page.goto(f"{site_url}/step-0/training/")
    player = started(page, "count-table")
    box = player.locator(".mgv-scroll")
    page.wait_for_function("b => b.getAttribute('role') === 'region'", arg=box.element_handle())
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label") == "The count table (scrolls sideways)"
    tab_to(page, '[data-player="count-table"] .mgv-scroll')
    before = frame(player)
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    page.keyboard.press("End")
    assert frame(player) == before == 0   # the keys scrolled the box, and did not drive the player
    # the row headers stay in view
    head, box_left = box.evaluate("b => [b.querySelector('tbody th').getBoundingClientRect().left, b.getBoundingClientRect().left]")
    assert abs(head - box_left) < 2
    # the table fits the page: only its box scrolls
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390


def test_scroll_boxes_are_tab_stops_only_when_they_scroll(opener, site_url):
    page = opener(viewport={"width": 1280, "height": 800})
    page.goto(f"{site_url}/step-0/loss/")
    started(page, "loss-steps")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll(".mgv-scroll"),
        b => [b.scrollWidth > b.clientWidth + 1, b.hasAttribute("tabindex")])""")
    assert boxes and all(scrolls == stop for scrolls, stop in boxes)


def test_instant_navigation_keeps_the_player_working(tab, site_url, docs):
    tab.goto(f"{site_url}/step-0/training/")
    player = started(tab, "count-table")
    tab.evaluate("window.sameDocument = true")
    player.get_by_role("button", name="▶ Play").click()  # an animation running when we leave

    tab.locator(".mgv-pager__next").click()  # to 0.6, without reloading
    tab.wait_for_url(f"{site_url}/step-0/loss/")
    started(tab, "loss-steps")
    tab.locator(".mgv-pager__prev").click()  # and back to 0.5
    tab.wait_for_url(f"{site_url}/step-0/training/")
    assert tab.evaluate("window.sameDocument") is True  # instant navigation, not a page load

    player = started(tab, "count-table")
    assert player.locator(".mgv-controls").count() == 1 and frame(player) == 0
    player.get_by_role("button", name="Step ▶").click()
    assert f"“{docs[0]}”" in player.locator(".mgv-status").text_content()

    tab.go_back()  # the browser's back button, also handled by instant navigation
    # (to 0.6 as it was left: navigation.tracking may have added the section in view to the address)
    tab.wait_for_url(re.compile(re.escape(f"{site_url}/step-0/loss/") + r"(#[\w-]+)?$"))
    started(tab, "loss-steps")
    assert tab.evaluate("window.sameDocument") is True


# ---------------------------------------------------------------- the tokenizer

def test_tokenizer_player_by_keyboard(tab, site_url, names_path):
    names = names_path.read_text().split()
    uchars = sorted(set("".join(names)))
    assert len(uchars) == 26

    tab.goto(f"{site_url}/step-0/tokenizer/")
    player = started(tab, "tokenizer")
    status = player.locator(".mgv-status")
    tab_to(tab, '[data-player="tokenizer"] input')
    field = player.get_by_label("Type a name:")
    # a focus ring shows, in the accent colour
    ring = field.evaluate("f => [getComputedStyle(f).outlineStyle, getComputedStyle(f).outlineWidth]")
    assert ring == ["solid", "2px"]

    some = [names[0], names[1], names[100], max(names, key=len), names[-1], "emma"]
    for name in some:
        tab.keyboard.press("Control+A")
        tab.keyboard.type(name)
        ids = [len(uchars)] + [uchars.index(ch) for ch in name] + [len(uchars)]
        row = player.locator(".mgv-tokens").get_attribute("aria-label")
        assert row == "tokens: " + ", ".join(f"{(['BOS'] + uchars)[(i + 1) % 27]} {i}" for i in ids)
        assert status.text_content() == f"{len(ids)} tokens: {' '.join(map(str, ids))} ({len(ids) - 1} pairs of neighbours)"

    tab.keyboard.press("Control+A")
    tab.keyboard.type("Ava")   # capitals are read as lower case, and the line says so
    assert status.text_content() == "Read as “ava” (lower-cased). 5 tokens: 26 0 21 0 26 (4 pairs of neighbours)"

    tab.keyboard.press("Control+A")
    tab.keyboard.type("Zoë")
    assert status.text_content().startswith("Read as “zoë” (lower-cased). Not in the vocabulary: “ë”. "
                                            "The tokenizer knows only the 26 characters a to z")
    assert player.locator(".mgv-tok").count() == 0

    tab.keyboard.press("Control+A")
    tab.keyboard.type('<img src=x onerror="window.injected=1">')
    assert player.locator("img").count() == 0 and tab.evaluate("window.injected") is None
    assert "“<”" in status.text_content()
    tab.keyboard.press("Control+A")
    tab.keyboard.press("Backspace")
    assert status.text_content() == "Type a name to see its tokens."


# ---------------------------------------------------------------- the loss step-through

def test_loss_step_through_by_keyboard(tab, site_url, docs, built_site):
    frames = json.loads((built_site[0] / "generated" / "step0" / "loss-steps-ava-100.json").read_text())
    name, after = frames["name"], frames["after"]
    table = counts_after(docs, after)
    ids = [BOS] + [LETTERS.index(ch) for ch in name] + [BOS]
    probs = [(table[a][b] + 1) / (sum(table[a]) + 27) for a, b in zip(ids, ids[1:])]
    losses = [-math.log(p) for p in probs]
    means = [sum(losses[:k]) / k for k in range(1, len(losses) + 1)]
    assert frames["means"] == [round(m, 4) for m in means]

    tab.goto(f"{site_url}/step-0/loss/")
    player = started(tab, "loss-steps")
    column = lambda c: player.locator("tbody tr").evaluate_all(f"rows => rows.map(r => r.cells[{c}].textContent)")
    assert column(3) == ["?"] * (len(ids) - 1) + ["?"]
    tab_to(tab, '[data-player="loss-steps"]')
    status = player.locator(".mgv-status")
    for k in range(1, len(losses) + 1):
        tab.keyboard.press("ArrowRight")
        assert column(2)[:k] == [f"{p:.4f}" for p in probs[:k]]
        assert column(3)[:k] == [f"{v:.4f}" for v in losses[:k]]
        assert column(3)[-1] == f"{means[k - 1]:.4f}"      # the mean so far, computed by the browser from the frames
        a, b = LABELS[ids[k - 1]], LABELS[ids[k]]
        assert status.text_content().startswith(f"Pair {k} of {len(losses)}: after {a}, the model gives {b} "
                                                f"probability {probs[k - 1]:.4f}, a loss of {losses[k - 1]:.4f}.")
    assert status.text_content().endswith(f"the mean of all {len(losses)}: {means[-1]:.4f}.")

    # Step on the last pair keeps the focus
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    assert focused(tab) == "BUTTON:Step ▶"
    tab.keyboard.press("Enter")
    assert focused(tab) == "BUTTON:Step ▶" and frame(player) == len(losses)

    tab.keyboard.press("Home")
    tab.keyboard.press("Shift+Tab")   # Play
    tab.keyboard.press("Enter")
    tab.wait_for_function("p => p.querySelector('input[type=range]').value === p.querySelector('input[type=range]').max",
                          arg=player.element_handle(), timeout=15000)
    assert player.get_by_role("button", name="▶ Play").is_visible()  # stops by itself at the end
    assert status.text_content().startswith("At the end. ") and status.get_attribute("aria-live") == "polite"


def test_the_loss_table_fits_a_phone(opener, site_url):
    page = opener(viewport={"width": 390, "height": 800})
    page.goto(f"{site_url}/step-0/loss/")
    player = started(page, "loss-steps")
    player.locator("input[type=range]").fill("4")
    box = player.locator(".mgv-scroll")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390


# ---------------------------------------------------------------- bigram rows

def test_bigram_rows_by_keyboard(tab, site_url, docs, built_site):
    frames = json.loads((built_site[0] / "generated" / "step0" / "bigram-rows-1000.json").read_text())
    table = counts_after(docs, frames["after"])

    def expected(i):
        total = sum(table[i])
        probs = [(c + 1) / (total + 27) for c in table[i]]
        best = max(range(27), key=lambda j: probs[j])
        return (f"After {LABELS[i]} ({total:,} pairs counted), the likeliest next token is {LABELS[best]}"
                f" with probability {probs[best]:.4f}.")

    tab.goto(f"{site_url}/step-0/model/")
    player = started(tab, "bigram-rows")
    status = player.locator(".mgv-status")
    assert status.text_content() == expected(0)
    tab_to(tab, '[data-player="bigram-rows"] .mgv-rowpick button[tabindex="0"]')
    assert focused(tab) == "BUTTON:a"
    for i in range(1, 17):
        tab.keyboard.press("ArrowRight")
        assert focused(tab) == f"BUTTON:{LABELS[i]}" and status.text_content() == expected(i)
    assert player.get_by_role("button", name="q", exact=True).get_attribute("aria-pressed") == "true"
    tab.keyboard.press("End")
    assert focused(tab) == "BUTTON:BOS" and status.text_content() == expected(BOS)
    tab.keyboard.press("Home")
    tab.keyboard.press("ArrowLeft")   # stays on the first
    assert focused(tab) == "BUTTON:a" and status.text_content() == expected(0)
    assert player.locator(".mgv-bar").count() == 27
    # one tab stop for the row of tokens
    tab.keyboard.press("Tab")
    assert not focused(tab).startswith("BUTTON:b")


# ---------------------------------------------------------------- without JavaScript

FALLBACKS = {"step-0/tokenizer/": "tokenizer", "step-0/model/": "bigram-rows", "step-0/training/": "count-table",
             "step-0/loss/": "loss-steps"}
INSTRUCTIONS = ("press", "click", "button", "step forward", "drag", "play", "arrow key")


def test_without_javascript_each_player_shows_a_styled_final_state(browser, site_url, docs):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    for path, kind in FALLBACKS.items():
        page.goto(f"{site_url}/{path}")
        player = page.locator(f'[data-player="{kind}"]')
        assert player.locator(".mgv-controls, input, button").count() == 0
        text = player.text_content().lower()
        assert not [word for word in INSTRUCTIONS if word in text], (path, text)
        assert player.locator("figcaption").text_content().strip()
        # styled: a frame round the player, and its table or tokens drawn by guide.css or Material
        assert player.evaluate("f => getComputedStyle(f).borderTopStyle") == "solid"
        styled = player.evaluate("""f => { const t = f.querySelector("table, .mgv-tok");
            const s = getComputedStyle(t.querySelector("td") || t);
            return s.borderBottomStyle !== "none" || s.borderTopStyle !== "none"; }""")
        assert styled, path
    page.goto(f"{site_url}/step-0/training/")
    cells = page.locator('[data-player="count-table"] tbody td').all_text_contents()
    assert [int(c) for c in cells] == [c for row in counts_after(docs, 1000) for c in row]
    assert page.locator('[data-player="count-table"] figcaption').text_content() == "The count table after all 1,000 names"
    context.close()
    assert context.problems == []


# ---------------------------------------------------------------- the colour scheme

def test_dark_mode_and_reduced_motion(opener, site_url):
    page = opener(reduced_motion="reduce", color_scheme="dark")
    page.goto(f"{site_url}/step-0/training/")
    player = started(page, "count-table")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    td = player.locator("tbody td").first
    assert td.evaluate("td => getComputedStyle(td).transitionDuration") == "0s"
    page.locator("label[title='Switch to light mode']:visible").click()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"


CONTRAST = """(player) => {""" + CONTRAST_KIT + """  const td = player.querySelector("tbody td"), th = player.querySelector("tbody th");
  const out = {};
  out.grid = ratio(over(parse(getComputedStyle(td).borderRightColor), page), page);
  const button = player.querySelector(".mgv-controls button:not([aria-disabled])");
  out.button = ratio(over(parse(getComputedStyle(button).borderTopColor), page), page);
  button.focus({ focusVisible: true });
  out.ring = ratio(over(parse(getComputedStyle(button).outlineColor), page), page);
  out.zero = Math.min(...Array.from(player.querySelectorAll("tbody td.zero"), z =>
    ratio(over(parse(getComputedStyle(z).color), over(parse(getComputedStyle(z).backgroundColor), page)),
          over(parse(getComputedStyle(z).backgroundColor), page))));
  out.hit = player.querySelector("td.mgv-hit") ? ratio(over(parse(getComputedStyle(player.querySelector("td.mgv-hit")).outlineColor), page), page) : 0;
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_count_table_contrast_in_both_schemes(opener, site_url, scheme):
    page = opener(color_scheme=scheme, reduced_motion="reduce")
    page.goto(f"{site_url}/step-0/training/")
    player = started(page, "count-table")
    player.locator("input[type=range]").fill("500")
    found = player.evaluate(CONTRAST)
    assert found["grid"] >= 3 and found["button"] >= 3 and found["ring"] >= 3 and found["hit"] >= 3, found
    assert found["zero"] >= 4.5, found
