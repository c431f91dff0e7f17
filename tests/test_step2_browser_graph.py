"""Step 2's graph players (2.3 value-graph, 2.5 backward-walk) in Chromium, against the built site
served on 127.0.0.1, driven by the keyboard alone: focus never falls to <body>, the live line says
what changed, the SVG changes with it. The expected numbers are worked out by hand here (plain
floats and the derivative rules), not read from the frames. Then the pages without JavaScript,
and the contrast of the graph's text and lines in both schemes (axe-core on every page:
tests/test_a11y.py). Every test also checks that the page logged no console error and asked nothing
of any other host."""

import math

import pytest

from tests.browser_kit import CONTRAST_KIT, browser, focused, heights_over_frames, open_context, opener, press, site_url, started, tab, tab_to  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
MINUS = "\u2212"
MADE = ["z1", "z2", "e1", "e2", "total", "total**-1", "p", "p.log()", "−1", "loss"]
WALK = ["loss", "−1", "p.log()", "p", "total**-1", "total", "e2", "z2", "e1", "z1"]


def sig(x):
    return f"{x:.4g}".replace("-", MINUS)


# the example by hand: z1 = 2, z2 = 1, softmax, -ln p of the first
E1, E2 = math.exp(2.0), math.exp(1.0)
TOTAL = E1 + E2
P = E1 / TOTAL
G_P = -1 / P                                   # d(-ln p)/dp
G_TOTAL = (-1 / TOTAL ** 2) * (E1 * G_P)       # through total**-1
SHARE_P, SHARE_TOTAL = G_P / TOTAL, G_TOTAL    # e1's two shares: along p, along total
G_E1 = SHARE_P + SHARE_TOTAL
G_Z1, G_Z2 = E1 * G_E1, E2 * G_TOTAL


def node(player, label):
    return player.locator(".mgv-vg-node").nth(MADE.index(label))


def grad_of(player, label):
    return node(player, label).locator(".mgv-vg-grad").text_content()


def classes(locator):
    return locator.get_attribute("class").split()


# ---------------------------------------------------------------- 2.3: the forward pass makes the graph

def test_value_graph_by_keyboard(tab, site_url):
    tab.goto(f"{site_url}/step-2/add-mul/")
    player = started(tab, "value-graph")
    status = player.locator(".mgv-status")
    now = player.locator(".mgv-vg-now code")
    assert status.text_content() == "z1 = Value(2.0): a Value made from a plain number: z1 = 2, with no children."
    assert now.text_content() == "z1 = Value(2.0)"
    assert "mgv-vg-future" in classes(node(player, "z2"))
    assert "mgv-vg-current" in classes(node(player, "z1"))

    tab_to(tab, '[data-player="value-graph"] .mgv-controls button:nth-child(4)')
    assert focused(tab) == "BUTTON:Step ▶"
    press(tab, "Enter")
    assert status.text_content() == "z2 = Value(1.0): a Value made from a plain number: z2 = 1, with no children."
    assert "mgv-vg-future" not in classes(node(player, "z2"))
    press(tab, "Space")   # Space on a button presses it: one more step
    assert status.text_content() == (f"e1 = z1.exp(): exp() makes e1 = {sig(E1)}, with children (z1,) and"
                                     f" local_grads ({sig(E1)},).")
    # the arrow into e1 is marked, and carries the local gradient e^z1
    arrow = player.locator('.mgv-vg-edge[data-child="0"][data-parent="2"]')
    assert "mgv-vg-active" in classes(arrow)
    assert arrow.locator("text").text_content() == sig(E1)
    assert grad_of(player, "e1") == "0"   # the forward pass leaves every grad at 0

    for _ in range(3):
        press(tab, "ArrowRight")          # e2, total, total**-1
    assert now.text_content() == "p = e1 / total"
    assert status.text_content() == (f"p = e1 / total: __truediv__ calls __pow__, which makes total**-1 ="
                                     f" {sig(1 / TOTAL)}, with children (total,) and local_grads ({sig(-1 / TOTAL ** 2)},).")
    assert "mgv-vg-future" in classes(node(player, "p"))

    # the end: the graph after loss.backward(), every grad filled in; Step can do no more and keeps the focus
    press(tab, "End")
    assert now.text_content() == "loss.backward()"
    assert status.text_content().endswith(f"The inputs: z1.grad {sig(G_Z1)}, z2.grad {sig(G_Z2)}.")
    assert [grad_of(player, x) for x in ("z1", "z2", "e1", "total", "loss")] == \
        [sig(G_Z1), sig(G_Z2), sig(G_E1), sig(G_TOTAL), "1"]
    assert player.locator(".mgv-vg-future").count() == 0
    assert player.get_by_role("button", name="Step ▶").get_attribute("aria-disabled") == "true"
    press(tab, "Enter")
    assert focused(tab) == "BUTTON:Step ▶"
    press(tab, "Home")
    assert now.text_content() == "z1 = Value(2.0)" and grad_of(player, "z1") == "0"


# ---------------------------------------------------------------- 2.5: backward() walks it

def test_backward_walk_by_keyboard(tab, site_url):
    tab.goto(f"{site_url}/step-2/backward/")
    player = started(tab, "backward-walk")
    status = player.locator(".mgv-status")
    panel = player.locator(".mgv-vg-adds")
    assert status.text_content() == ("Before the walk every grad is 0. backward() first sorts the 10 Values so that"
                                     " each comes after its children: " + ", ".join(WALK[::-1]) + ".")
    assert player.locator(".mgv-vg-topo__list li").all_text_contents() == WALK[::-1]
    assert [grad_of(player, x) for x in MADE] == ["0"] * len(MADE)
    assert player.locator(".mgv-vg-walk").count() == 0   # the table is for readers without JavaScript

    tab_to(tab, '[data-player="backward-walk"] .mgv-controls button:nth-child(4)')
    press(tab, "Enter")
    assert status.text_content().startswith("self.grad = 1: d(loss)/d(loss) is 1.")
    assert grad_of(player, "loss") == "1"
    assert panel.text_content() == "self.grad = 1   # 0 → 1"

    for _ in range(4):
        press(tab, "Enter")               # loss, −1, p.log(), p
    assert status.text_content() == (f"Visit 4 of 10: p, grad {sig(G_P)}. e1.grad += {sig(1 / TOTAL)} × {sig(G_P)},"
                                     f" now {sig(SHARE_P)}; total**-1.grad += {sig(E1)} × {sig(G_P)}, now {sig(E1 * G_P)}.")
    assert grad_of(player, "e1") == sig(SHARE_P)
    assert "mgv-vg-pending" in classes(node(player, "e1"))      # a share in, one still to come
    assert "mgv-vg-current" in classes(node(player, "p"))
    items = player.locator(".mgv-vg-topo__list li")
    assert items.nth(WALK[::-1].index("p")).get_attribute("aria-current") == "step"
    # in the list, the Values done are shaded as their boxes are, never dashed: a dashed box is one
    # still waiting for shares (e1 here)
    done = items.nth(WALK[::-1].index("loss"))
    assert "mgv-vg-done" in classes(done)
    assert done.evaluate("li => getComputedStyle(li).borderTopStyle") == "solid"
    assert done.evaluate("li => getComputedStyle(li).backgroundColor") == \
        node(player, "loss").locator(".mgv-vg-box").evaluate("r => getComputedStyle(r).fill")
    assert node(player, "e1").locator(".mgv-vg-box").evaluate("r => getComputedStyle(r).strokeDasharray") != "none"

    press(tab, "ArrowRight")              # total**-1
    press(tab, "ArrowRight")              # total: e1's second share
    assert status.text_content() == (f"Visit 6 of 10: total, grad {sig(G_TOTAL)}. e1.grad += 1 × {sig(G_TOTAL)}: from"
                                     f" {sig(SHARE_P)} to {sig(G_E1)}, its second share; e2.grad += 1 ×"
                                     f" {sig(G_TOTAL)}, now {sig(G_TOTAL)}.")
    assert grad_of(player, "e1") == sig(G_E1)
    assert "mgv-vg-fresh" in classes(node(player, "e1"))
    assert panel.text_content() == (f"e1.grad += 1 * {sig(G_TOTAL)}   # {sig(SHARE_P)} → {sig(G_E1)}\n"
                                    f"e2.grad += 1 * {sig(G_TOTAL)}   # 0 → {sig(G_TOTAL)}")
    # both of e1's arrows now show the share they carried back, and the two add up to its grad
    along_p = player.locator('.mgv-vg-edge[data-child="2"][data-parent="6"]')
    along_total = player.locator('.mgv-vg-edge[data-child="2"][data-parent="4"]')
    assert along_p.locator("text").text_content() == f"↑ {sig(SHARE_P)}" and "mgv-vg-passed" in classes(along_p)
    assert along_total.locator("text").text_content() == f"↑ {sig(SHARE_TOTAL)}" and "mgv-vg-active" in classes(along_total)
    assert G_E1 == pytest.approx(SHARE_P + SHARE_TOTAL)

    # the end: z1, a leaf; every grad as worked out by hand
    press(tab, "End")
    assert status.text_content() == f"Visit 10 of 10: z1, grad {sig(G_Z1)}. A leaf: no children, nothing to pass on."
    assert panel.text_content() == "# a leaf: no children"
    assert [grad_of(player, x) for x in ("z1", "z2", "e1", "e2", "p")] == \
        [sig(G_Z1), sig(G_Z2), sig(G_E1), sig(G_TOTAL), sig(G_P)]
    assert player.locator(".mgv-vg-pending").count() == 0
    assert focused(tab) == "BUTTON:Step ▶"


@pytest.mark.parametrize("path, kind", [("step-2/add-mul/", "value-graph"), ("step-2/backward/", "backward-walk")])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_players_never_move_the_page(opener, site_url, path, kind, width):
    page = opener(viewport={"width": width, "height": 800})
    page.goto(f"{site_url}/{path}")
    player = started(page, kind)
    assert heights_over_frames(player) == 1


# ---------------------------------------------------------------- on a phone

@pytest.mark.parametrize("js", [True, False])
def test_on_a_phone_the_graph_reads_and_the_slots_fit(opener, site_url, js):
    page = opener(viewport={"width": 390, "height": 900}, java_script_enabled=js)
    for path in ("step-2/add-mul/", "step-2/backward/"):
        page.goto(f"{site_url}/{path}")
        found = page.evaluate("""() => { const svg = document.querySelector("svg.mgv-vg");
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            const sizes = Array.from(svg.querySelectorAll("text"), t => parseFloat(getComputedStyle(t).fontSize) * scale);
            const outside = [];
            svg.querySelectorAll(".mgv-vg-node").forEach(g => {
              const box = g.querySelector("rect").getBBox();
              g.querySelectorAll("text").forEach(t => { const b = t.getBBox();
                if (b.x < box.x + 2 || b.x + b.width > box.x + box.width - 2) outside.push(t.textContent); });
            });
            return { smallest: Math.min(...sizes), scale, outside }; }""")
        assert found["scale"] < 1, found        # drawn smaller than its own size: the case that matters
        assert found["smallest"] >= 11, found   # px, as rendered
        assert found["outside"] == [], found
    page.goto(f"{site_url}/step-2/value/")
    slots = page.evaluate("""() => { const box = document.querySelector(".mgv-vg-slots"), table = box.querySelector("table");
        return { fits: box.scrollWidth <= box.clientWidth, display: getComputedStyle(table).display,
                 caption: table.querySelector("caption").getBoundingClientRect().bottom,
                 head: table.querySelector("thead").getBoundingClientRect().top,
                 border: parseFloat(getComputedStyle(table).borderTopWidth) }; }""")
    # a table (its caption above its border, not inside it), with or without Material's wrapper
    assert slots["fits"] and slots["display"] == "table" and slots["border"] > 0, slots
    assert slots["caption"] <= slots["head"] - slots["border"], slots


# ---------------------------------------------------------------- without JavaScript

INSTRUCTIONS = ("press", "click", "step forward", "drag", "play", "arrow key", "slider", "pick", "button")


def test_without_javascript_the_final_graph_shows(browser, site_url):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    for path, kind in [("step-2/add-mul/", "value-graph"), ("step-2/backward/", "backward-walk")]:
        page.goto(f"{site_url}/{path}")
        player = page.locator(f'[data-player="{kind}"]')
        assert player.locator(".mgv-controls, button, input, select").count() == 0, kind
        text = player.text_content().lower()
        assert not [word for word in INSTRUCTIONS if word in text], (kind, text)
        assert player.evaluate("f => getComputedStyle(f).borderTopStyle") == "solid"
        svg = player.locator("svg.mgv-vg")
        assert svg.evaluate("e => e.getBoundingClientRect().height") > 300
        assert [grad_of(player, x) for x in ("z1", "z2", "e1")] == [sig(G_Z1), sig(G_Z2), sig(G_E1)]
        assert player.locator(".mgv-vg-future").count() == 0
    assert page.locator('[data-player="backward-walk"] .mgv-vg-walk tbody tr').count() == len(WALK)
    context.close()
    assert context.problems == []


# ---------------------------------------------------------------- contrast of the graph

CONTRAST = """(root) => {""" + CONTRAST_KIT + """  const style = (sel) => getComputedStyle(root.querySelector(sel));
  const on = (color, bg) => ratio(over(parse(color), bg), bg);
  const box = parse(style(".mgv-vg-node--op .mgv-vg-box").fill), leaf = over(parse(style(".mgv-vg-node--leaf .mgv-vg-box").fill), page);
  const done = root.querySelector(".mgv-vg-done .mgv-vg-box");
  const fill = done ? over(parse(getComputedStyle(done).fill), page) : over(box, page);
  return {
    head: Math.min(on(style(".mgv-vg-head").fill, over(box, page)), on(style(".mgv-vg-head").fill, leaf), on(style(".mgv-vg-head").fill, fill)),
    key: Math.min(on(style(".mgv-vg-key").fill, over(box, page)), on(style(".mgv-vg-key").fill, leaf), on(style(".mgv-vg-key").fill, fill)),
    local: on(style(".mgv-vg-local").fill, page),
    marked: on(style(".mgv-vg-active .mgv-vg-local").fill, page),
    fresh: root.querySelector(".mgv-vg-fresh") ? on(style(".mgv-vg-fresh .mgv-vg-grad").fill, fill) : 99,
    passed: root.querySelector(".mgv-vg-passed") ? on(style(".mgv-vg-passed .mgv-vg-local").fill, page) : 99,
    border: on(style(".mgv-vg-box").stroke, page),
    arrow: on(style(".mgv-vg-arrow").stroke, page),
    current: on(style(".mgv-vg-current .mgv-vg-box").stroke, page),
    arrowOn: on(style(".mgv-vg-active .mgv-vg-arrow").stroke, page),
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_graph_has_contrast(opener, site_url, scheme):
    page = opener(color_scheme=scheme)
    page.goto(f"{site_url}/step-2/backward/")
    player = started(page, "backward-walk")
    player.evaluate("""(p) => { const s = p.querySelector("input[type=range]"); s.value = "7";
        s.dispatchEvent(new Event("input", { bubbles: true })); }""")
    found = player.evaluate(CONTRAST)
    text = {k: v for k, v in found.items() if k in ("head", "key", "local", "marked", "fresh", "passed")}
    lines = {k: v for k, v in found.items() if k in ("border", "arrow", "current", "arrowOn")}
    assert min(text.values()) >= 4.5, text
    assert min(lines.values()) >= 3, lines


