"""The players of Step 3's pages 3.5 to 3.7 in Chromium, against the built site served on 127.0.0.1,
driven by the keyboard alone: the attention map stepped over the snapshots of training, the residual
stream picked position by position, the KV cache filling over "emma". Focus never falls to <body>,
the live line says in words (letters, not token ids) what is shown, and the numbers shown are the
frames' (which tests/test_step3_weights.py checks against a forward pass written by hand). Then the
pages without JavaScript: the final state, styled, with no controls. Every test also checks that the
page logged no console error and asked nothing of any other host."""

import json

import pytest

from tests.browser_kit import browser, focused, open_context, opener, press, site_url, started, tab, tab_to  # noqa: F401 (fixtures)

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


def frames_of(built_site, name):
    return json.loads((built_site[0] / "generated" / "step3" / name).read_text())


def cell_texts(player, selector):
    return player.locator(selector).evaluate_all("rows => rows.map(r => Array.from(r.children, c => c.textContent))")


# ---------------------------------------------------------------- 3.5 the attention map


def when(k):
    return "As initialised, before any training step" if k == 0 else f"After {k:,} training step{'' if k == 1 else 's'}"


def map_sentence(f, s):
    labels = f["labels"]
    words = []
    for pos, row in enumerate(f["weights"][s]):
        if pos:
            best = max(range(len(row)), key=lambda t: row[t])
            words.append(f"{who(labels, pos)} looks most at {who(labels, best, pos)} ({dec(row[best])})")
    return f"{when(f['snapshots'][s])}: {'; '.join(words)}."


def test_attention_map_by_keyboard(tab, site_url, built_site):
    f = frames_of(built_site, "attention-map-emma.json")
    last = len(f["snapshots"]) - 1
    tab.goto(f"{site_url}/step-3/scores-weights/")
    player = started(tab, "attention-map", ".mgv-controls")
    status = player.locator(".mgv-status")
    caption = player.locator(":scope > figcaption")

    def check(s):
        assert status.text_content().endswith(map_sentence(f, s))
        rows = cell_texts(player, "table.mgv-attn-map tbody tr")
        for pos, row in enumerate(rows):
            assert row[1:pos + 2] == [dec(w) for w in f["weights"][s][pos]], (s, pos)   # t <= pos: the weights
            assert all(c == "later: not seen" for c in row[pos + 2:-1])                  # t > pos: nothing
            assert row[-1] == dec(f["sums"][s][pos]) == "1.0000"                         # each row sums to 1
        k = when(f["snapshots"][s])
        assert caption.text_content() == "The attention weights of “emma” " + k[0].lower() + k[1:]

    check(last)
    assert "As initialised" not in status.text_content()
    assert "e looks most at itself" in status.text_content()

    tab_to(tab, '[data-player="attention-map"] .mgv-controls button')
    assert focused(tab) == "BUTTON:Reset"
    press(tab, "Enter")                       # back to the model as initialised
    check(0)
    assert focused(tab) == "BUTTON:Reset"     # the button can no longer act, and keeps the focus
    assert player.get_by_role("button", name="Reset").get_attribute("aria-disabled") == "true"
    press(tab, "Tab")
    press(tab, "Tab")
    press(tab, "Tab")
    assert focused(tab) == "BUTTON:Step ▶"
    press(tab, "Enter")
    check(1)
    assert status.text_content().startswith("After 1 training step:")
    press(tab, "ArrowRight")                  # the arrows step from any control
    check(2)
    press(tab, "End")
    check(last)
    # a cell's colour follows its weight: row 3 (the second m), column 1 (e)
    heat = player.locator("table.mgv-attn-map tbody tr").nth(3).locator("td").nth(1).evaluate(
        "c => c.style.getPropertyValue('--heat')")
    w = f["weights"][last][3][1]
    assert float(heat) == int(w * 1000 + 0.5) / 1000

    # the slider: one snapshot back from the end, after 500 steps
    press(tab, "Tab")
    assert focused(tab) == "INPUT:Scrub through the frames"
    press(tab, "ArrowLeft")
    check(last - 1)
    assert status.text_content().startswith("After 500 training steps:")
    press(tab, "Home")
    check(0)

    # Space plays from the focused player, and again pauses: the live line speaks on pause
    tab.locator('[data-player="attention-map"]').focus()
    press(tab, " ")
    tab.wait_for_timeout(1300)
    press(tab, " ")
    text = status.text_content()
    assert text.startswith("Paused. ") or text.startswith("At the end. ")
    assert status.get_attribute("aria-live") == "polite"
    shown = [i for i in range(last + 1) if text.endswith(map_sentence(f, i))]
    assert shown and shown[0] >= 1


# ---------------------------------------------------------------- 3.6 the residual stream


def stream_sentence(f, p):
    fr = f["positions"][p]
    labels = f["labels"]
    takes = ", ".join(f"{dec(w)} of {who(labels, t, p)}" for t, w in enumerate(fr["weights"]))
    top = ", ".join(f"{label} {dec(prob)}" for label, prob in fr["top"])
    return (f"Position {p}, {who(labels, p)}: it takes {takes}. The attention block adds a vector of length"
            f" {fr['lengths'][1]:.2f}, the MLP block one of length {fr['lengths'][3]:.2f}. Likeliest next: {top}.")


def test_residual_stream_by_keyboard(tab, site_url, built_site):
    f = frames_of(built_site, "residual-stream-emma-1000.json")
    tab.goto(f"{site_url}/step-3/output-residuals/")
    player = started(tab, "residual-stream", ".mgv-rowpick")
    status = player.locator(".mgv-status")
    keys = ["input", "attn_out", "after_attn", "mlp_out", "after_mlp"]

    def check(p):
        fr = f["positions"][p]
        assert status.text_content() == stream_sentence(f, p)
        mix = cell_texts(player, "table.mgv-mix tbody tr")
        assert mix == [[str(j)] + [dec(f["values"][t][j]) for t in range(p + 1)] + [dec(fr["x_attn"][j])]
                       for j in range(16)]
        heads = player.locator("table.mgv-mix thead th").all_text_contents()
        assert heads == ["j"] + [f"v{t} {f['labels'][t]}× {dec(w)}" for t, w in enumerate(fr["weights"])] + ["x_attn"]
        stream = cell_texts(player, "table.mgv-stream tbody tr")
        assert stream == [[str(j)] + [dec(fr["stream"][key][j]) for key in keys] for j in range(16)]
        assert player.locator("table.mgv-stream tfoot td").all_text_contents() == [f"{v:.2f}" for v in fr["lengths"]]
        assert player.locator(".mgv-stream-next").text_content() == (
            "Next token, after lm_head and softmax: " + ", ".join(f"{a} {dec(b)}" for a, b in fr["top"])
            + f" (the name goes on with {fr['next']}).")

    check(3)
    assert status.text_content().startswith("Position 3, the second m: it takes ")
    tab_to(tab, '[data-player="residual-stream"] .mgv-rowpick button[tabindex="0"]')
    assert focused(tab) == "BUTTON:3 m"
    press(tab, "ArrowRight")
    assert focused(tab) == "BUTTON:4 a"
    check(4)
    assert player.get_by_role("button", name="4 a").get_attribute("aria-pressed") == "true"
    press(tab, "Home")
    assert focused(tab) == "BUTTON:0 BOS"
    check(0)
    assert "it takes 1.0000 of itself" in status.text_content()
    press(tab, "ArrowRight")
    press(tab, "ArrowRight")
    check(2)
    assert status.text_content().startswith("Position 2, the first m:")
    # Tab leaves the toolbar in one step: it is one tab stop
    press(tab, "Tab")
    assert not focused(tab).startswith("BUTTON:3 m")


# ---------------------------------------------------------------- 3.7 the KV cache


def kv_sentence(f, p):
    labels = f["labels"]
    count = p + 1
    weights = ", ".join(f"{who(labels, t)} {dec(w)}" for t, w in enumerate(f["positions"][p]["weights"]))
    meets = "its own key only" if count == 1 else f"all {count} keys"
    return (f"Position {p}, {who(labels, p)}: its key and value join the cache, which now holds {count} of each"
            f" ({', '.join(labels[:count])}). Its query meets {meets}: weights {weights}.")


def test_kv_cache_by_keyboard(tab, site_url, built_site):
    f = frames_of(built_site, "kv-cache-emma-1000.json")
    names = f["labels"]
    n = len(names)
    tab.goto(f"{site_url}/step-3/kv-cache/")
    player = started(tab, "kv-cache", ".mgv-controls")
    status = player.locator(".mgv-status")

    def check(p):
        fr = f["positions"][p]
        assert status.text_content().endswith(kv_sentence(f, p))
        keys = cell_texts(player, "table.mgv-kv--keys tbody tr")
        assert keys[0] == [f"q ({p} {names[p]})", "", ""] + [dec(x, 2) for x in fr["q"]]
        for t, row in enumerate(keys[1:]):
            head = f"k{t} {names[t]}" + ("new" if t == p else "")
            if t <= p:   # cached: its score, its weight, its numbers
                assert row == [head, dec(fr["scores"][t]), dec(fr["weights"][t])] + [dec(x, 2) for x in f["keys"][t]]
            else:        # not yet
                assert row == [head, "", "", "not computed yet"]
        values = cell_texts(player, "table.mgv-kv--values tbody tr")
        for t, row in enumerate(values[:n]):
            head = f"v{t} {names[t]}" + ("new" if t == p else "")
            assert row == ([head, dec(fr["weights"][t])] + [dec(x, 2) for x in f["values"][t]] if t <= p
                           else [head, "", "not computed yet"])
        assert values[n] == ["x_attn", ""] + [dec(x, 2) for x in fr["x_attn"]]
        assert player.locator("tr.mgv-kv-new").count() == 2               # the newest key and value, marked
        chips = player.locator(".mgv-tokens .mgv-tok")
        assert [chips.nth(t).evaluate("c => c.classList.contains('mgv-tok--current')") for t in range(n)] == \
            [t == p for t in range(n)]

    check(0)
    tab_to(tab, '[data-player="kv-cache"]')
    assert focused(tab).startswith("FIGURE:")
    for p in range(1, n):
        press(tab, "ArrowRight")
        check(p)
    assert status.text_content().endswith("Its query meets all 5 keys: weights BOS " + dec(f["positions"][4]["weights"][0])
                                          + ", e " + dec(f["positions"][4]["weights"][1]) + ", the first m "
                                          + dec(f["positions"][4]["weights"][2]) + ", the second m "
                                          + dec(f["positions"][4]["weights"][3]) + ", a "
                                          + dec(f["positions"][4]["weights"][4]) + ".")
    press(tab, "ArrowRight")                  # at the end: nothing changes
    check(n - 1)
    press(tab, "ArrowLeft")
    check(n - 2)
    press(tab, "Home")
    check(0)
    # the Step button, by Enter: focus stays on it, all the way to the end
    tab_to(tab, '[data-player="kv-cache"] .mgv-controls button:nth-of-type(4)')
    assert focused(tab) == "BUTTON:Step ▶"
    for p in range(1, n):
        press(tab, "Enter")
        check(p)
    press(tab, "Enter")
    assert focused(tab) == "BUTTON:Step ▶"
    assert player.get_by_role("button", name="Step ▶").get_attribute("aria-disabled") == "true"


# ---------------------------------------------------------------- without JavaScript


@pytest.mark.parametrize("path, kind, shows", [
    ("scores-weights", "attention-map", "After 1,000 training steps: e looks most at itself"),
    ("output-residuals", "residual-stream", "Position 3, the second m: the weighted sum of the values"),
    ("kv-cache", "kv-cache", "Position 4, a: the cache holds 5 keys and 5 values"),
])
def test_players_without_javascript(browser, site_url, path, kind, shows):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/step-3/{path}/")
    player = page.locator(f'[data-player="{kind}"]')
    assert shows in player.text_content()
    assert player.locator(".mgv-controls, .mgv-rowpick, button, input").count() == 0
    # the final state is styled: heat cells coloured from the theme, not plain text
    cell = player.locator("td.mgv-heat-cell").first
    assert cell.evaluate("c => getComputedStyle(c).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    # nothing sticks out of the page on a phone: wide tables scroll in their own box
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    problems = context.problems
    context.close()
    assert problems == []
