"""Step 2's small graph (pages 2.2 to 2.5), checked in the built site.

The pages show two_token_loss() (microgpt/graph_example.py) as hooks/pagedata/step2_graph.py
watched it: built with the real Value class, walked by the real backward(). Here the expected
numbers are worked out again by hand: the same arithmetic on plain floats (math.exp, math.log),
and every gradient from the derivative rules and the chain rule written out line by line, never
with the Value class. The order of the walk is checked against a depth-first sort written here,
against literals, and against the real backward(), watched a different way than the build watches
it (each Value's _local_grads replaced by a list that notes when backward() reads it).
"""

import json
import math
import re
import shutil
import subprocess
from html import unescape
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT

MINUS = "\u2212"
PAGES = {"value": "step-2/value", "add-mul": "step-2/add-mul", "more-ops": "step-2/more-ops",
         "backward": "step-2/backward"}

# The Values in the order the forward pass makes them, as the pages label them (read off the
# example's code by hand: -p.log() is p.log() * -1, e1 / total is e1 * total**-1).
MADE = ["z1", "z2", "e1", "e2", "total", "total**-1", "p", "p.log()", "−1", "loss"]
CHILDREN = {"e1": ["z1"], "e2": ["z2"], "total": ["e1", "e2"], "total**-1": ["total"], "p": ["e1", "total**-1"],
            "p.log()": ["p"], "loss": ["p.log()", "−1"]}
LINES = {"z1": "z1 = Value(2.0)", "z2": "z2 = Value(1.0)", "e1": "e1 = z1.exp()", "e2": "e2 = z2.exp()",
         "total": "total = e1 + e2", "total**-1": "p = e1 / total", "p": "p = e1 / total",
         "p.log()": "loss = -p.log()", "−1": "loss = -p.log()", "loss": "loss = -p.log()"}
# backward()'s sort, worked out by hand from its code (a depth-first walk, first child first)
TOPO = ["z1", "e1", "z2", "e2", "total", "total**-1", "p", "p.log()", "−1", "loss"]


def sig(x):
    """x as the pages write it: 4 significant digits, no trailing zeros, a real minus sign."""
    text = f"{x:.4g}"
    return text.replace("-", MINUS)


# ---------------------------------------------------------------- by hand, with plain floats


@pytest.fixture(scope="module")
def hand():
    z1, z2 = 2.0, 1.0
    e1, e2 = math.exp(z1), math.exp(z2)
    total = e1 + e2
    inv = total ** -1
    p = e1 * inv
    logp = math.log(p)
    const = -1
    loss = logp * const
    data = {"z1": z1, "z2": z2, "e1": e1, "e2": e2, "total": total, "total**-1": inv, "p": p,
            "p.log()": logp, "−1": const, "loss": loss}
    # d(parent)/d(child): the derivative rules
    local = {("e1", "z1"): math.exp(z1), ("e2", "z2"): math.exp(z2), ("total", "e1"): 1, ("total", "e2"): 1,
             ("total**-1", "total"): -1 * total ** -2, ("p", "e1"): inv, ("p", "total**-1"): e1,
             ("p.log()", "p"): 1 / p, ("loss", "p.log()"): const, ("loss", "−1"): logp}
    # the chain rule, from the loss back, each grad the sum over the Values that use it
    grad = {"loss": 1.0}
    grad["p.log()"] = local["loss", "p.log()"] * grad["loss"]
    grad["−1"] = local["loss", "−1"] * grad["loss"]
    grad["p"] = local["p.log()", "p"] * grad["p.log()"]
    grad["total**-1"] = local["p", "total**-1"] * grad["p"]
    grad["total"] = local["total**-1", "total"] * grad["total**-1"]
    share = {("p", "e1"): local["p", "e1"] * grad["p"], ("total", "e1"): local["total", "e1"] * grad["total"]}
    grad["e1"] = share["p", "e1"] + share["total", "e1"]
    grad["e2"] = local["total", "e2"] * grad["total"]
    grad["z1"] = local["e1", "z1"] * grad["e1"]
    grad["z2"] = local["e2", "z2"] * grad["e2"]
    return SimpleNamespace(data=data, local=local, grad=grad, share=share)


def test_the_hand_gradients_are_softmax_s_rule(hand):
    """The check of the check: d(-ln p)/dz is p - 1 at the target, the other probability elsewhere."""
    p = hand.data["p"]
    assert hand.grad["z1"] == pytest.approx(p - 1, abs=1e-12)
    assert hand.grad["z2"] == pytest.approx(1 - p, abs=1e-12)
    assert hand.data["loss"] == pytest.approx(-math.log(math.exp(2) / (math.exp(2) + math.exp(1))))


def dfs_topo(children, root):
    """A recursive depth-first sort, first child first: every node after its children."""
    order, seen = [], set()

    def visit(v):
        if v in seen:
            return
        seen.add(v)
        for c in children.get(v, []):
            visit(c)
        order.append(v)

    visit(root)
    return order


def test_the_literal_order_is_a_depth_first_sort():
    assert dfs_topo(CHILDREN, "loss") == TOPO
    # and a topological one: every Value after all its children
    assert all(TOPO.index(c) < TOPO.index(v) for v, cs in CHILDREN.items() for c in cs)


# ---------------------------------------------------------------- the real code, watched another way


class Noted(list):
    """A Value's local gradients that note when backward() reads them: once per visit."""

    def __init__(self, items, label, log):
        super().__init__(items)
        self.label, self.log = label, log

    def __iter__(self):
        self.log.append(self.label)
        return super().__iter__()


def real_graph():
    """two_token_loss()'s Values, found by following _children from the loss by hand."""
    from microgpt.graph_example import two_token_loss

    loss = two_token_loss()
    logp, const = loss._children
    (p,) = logp._children
    e1, inv = p._children
    (total,) = inv._children
    e1_again, e2 = total._children
    assert e1_again is e1
    (z1,), (z2,) = e1._children, e2._children
    return loss, {"z1": z1, "z2": z2, "e1": e1, "e2": e2, "total": total, "total**-1": inv, "p": p,
                  "p.log()": logp, "−1": const, "loss": loss}


def test_the_real_backward_visits_in_the_literal_order(hand):
    loss, values = real_graph()
    log = []
    for label, v in values.items():
        v._local_grads = Noted(v._local_grads, label, log)
    loss.backward()
    assert log == TOPO[::-1]
    assert {k: v.grad for k, v in values.items()} == pytest.approx(hand.grad, abs=1e-12)


def test_no_training_run_imports_the_example():
    """So that editing it retrains nothing: it is in no step's cache key."""
    from hooks.runs import step_modules

    for step in range(6):
        assert "microgpt.graph_example" not in step_modules(step), step


def test_the_example_runs_on_pypy(hand):
    pypy = shutil.which("pypy3")
    if pypy is None:
        pytest.skip("pypy3 is not installed (CI installs it)")
    out = subprocess.run([pypy, "-m", "microgpt.graph_example"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"loss {hand.data['loss']:.4f}\n"


# ---------------------------------------------------------------- the built site


def texts(s):
    """The text of some HTML, on one line, with no space before punctuation (where code ended)."""
    return re.sub(r" ([,.:;)])", r"\1", " ".join(unescape(re.sub(r"<[^>]+>", " ", s)).split()))


@pytest.fixture(scope="module")
def site(built_site):
    return built_site[0]


@pytest.fixture(scope="module")
def pages(site):
    out = {}
    for key, path in PAGES.items():
        html = (site / path / "index.html").read_text()
        article = html[html.index("<article"):html.index("</article>")]
        out[key] = SimpleNamespace(html=html, article=article, text=texts(article))
    return out


def frames(site, html, kind):
    url = re.search(rf'data-player="{kind}" data-frames="([^"]+)"', html).group(1)
    return json.loads((site / "generated" / url.split("generated/", 1)[1]).read_text())


def says(page, sentence):
    assert sentence in page.text, f"the page does not say: {sentence!r}"


def svg_nodes(html, uid):
    """{label: (data text, grad text)} of the boxes of one graph SVG, and its arrows
    {(parent, child): label text}."""
    svg = re.search(rf'<svg class="mgv-vg"[^>]*aria-labelledby="{uid}-title".*?</svg>', html, re.DOTALL).group(0)
    boxes = re.findall(r'<g class="mgv-vg-node[^"]*" data-node="(\d+)">.*?<text class="mgv-vg-head"[^>]*>([^<]*)</text>'
                       r'.*?class="mgv-vg-data">([^<]*)<.*?class="mgv-vg-grad">([^<]*)<', svg, re.DOTALL)
    heads = {int(k): unescape(head) for k, head, _, _ in boxes}
    labels = {k: head.split(" = ")[0] for k, head in heads.items()}
    nodes = {labels[int(k)]: (unescape(d), unescape(g)) for k, _, d, g in boxes}
    arrows = {(labels[int(p)], labels[int(c)]): unescape(t) for c, p, t in re.findall(
        r'<g class="mgv-vg-edge" data-child="(\d+)" data-parent="(\d+)">.*?<text class="mgv-vg-local"[^>]*>([^<]*)</text>',
        svg, re.DOTALL)}
    return nodes, arrows, heads


def test_no_directive_reaches_the_pages(pages):
    for key, page in pages.items():
        assert "{{" not in page.article and "}}" not in page.article, key   # (Material's scripts have their own)
        assert "mgv-error" not in page.html, key


@pytest.mark.parametrize("kind, uid, page", [("value-graph", "vg-graph", "add-mul"),
                                             ("backward-walk", "bw-graph", "backward")])
def test_the_graph_shows_the_hand_computed_values(pages, hand, kind, uid, page):
    nodes, arrows, heads = svg_nodes(pages[page].html, uid)
    assert sorted(nodes) == sorted(MADE)
    for label in MADE:
        assert nodes[label] == (sig(hand.data[label]), sig(hand.grad[label])), label
    assert {(p, c): t for (p, c), t in arrows.items()} == {k: sig(v) for k, v in hand.local.items()}
    assert heads[MADE.index("loss")] == "loss = p.log() * −1"
    assert heads[MADE.index("p")] == "p = e1 * total**-1"
    assert heads[MADE.index("total**-1")] == "total**-1"


def test_the_graph_is_laid_out_in_rows_by_depth(pages):
    """The inputs in the top row, the loss alone at the bottom, every arrow going down."""
    svg = re.search(r'<svg class="mgv-vg".*?</svg>', pages["add-mul"].html, re.DOTALL).group(0)
    tops = {MADE[int(k)]: float(y) for k, y in
            re.findall(r'data-node="(\d+)"><rect class="mgv-vg-box" x="[^"]*" y="([^"]*)"', svg)}
    rows = sorted(set(tops.values()))
    assert tops["z1"] == tops["z2"] == rows[0] and tops["loss"] == rows[-1]
    assert [v for v, y in tops.items() if y == rows[-1]] == ["loss"]
    assert all(tops[c] < tops[v] for v, cs in CHILDREN.items() for c in cs)
    assert len(rows) == 7   # the longest chain: z1, e1, total, total**-1, p, p.log(), loss


def test_the_forward_frames(site, pages, hand):
    f = frames(site, pages["add-mul"].html, "value-graph")
    assert f["labels"] == MADE
    assert [f["labels"][s["node"]] for s in f["steps"]] == MADE
    assert [s["line"] for s in f["steps"]] == [LINES[label] for label in MADE]
    assert f["before"] == [0] * len(MADE)
    assert f["grads"] == pytest.approx([hand.grad[label] for label in MADE], rel=1e-5)
    say = {f["labels"][s["node"]]: s["say"] for s in f["steps"]}
    assert say["z1"] == "z1 = Value(2.0): a Value made from a plain number: z1 = 2, with no children."
    assert say["total**-1"] == (f"p = e1 / total: __truediv__ calls __pow__, which makes total**-1 ="
                                f" {sig(hand.data['total**-1'])}, with children (total,) and local_grads"
                                f" ({sig(hand.local['total**-1', 'total'])},).")
    assert say["−1"] == ("loss = -p.log(): __neg__ calls __mul__, which wraps the plain number −1 in a Value,"
                         " with no children.")
    assert say["e1"] == (f"e1 = z1.exp(): exp() makes e1 = {sig(hand.data['e1'])}, with children (z1,) and"
                         f" local_grads ({sig(hand.data['e1'])},).")
    assert f["final"].endswith(f"The inputs: z1.grad {sig(hand.grad['z1'])}, z2.grad {sig(hand.grad['z2'])}.")


def test_the_backward_frames_follow_the_real_walk(site, pages, hand):
    f = frames(site, pages["backward"].html, "backward-walk")
    labels = f["labels"]
    assert labels == MADE
    assert [labels[k] for k in f["topo"]] == TOPO
    assert [labels[k] for k in f["visits"]] == TOPO[::-1]
    fr = f["frames"]
    assert len(fr) == len(MADE) + 2
    assert fr[0]["grads"] == [0] * len(MADE) and fr[0]["visit"] is None
    assert fr[1]["grads"] == [1 if label == "loss" else 0 for label in MADE]
    # each visit: the Value visited, in the walk's order, and the grads after it, worked out here
    grads = {label: 0.0 for label in MADE}
    grads["loss"] = 1.0
    for step, label in enumerate(TOPO[::-1]):
        frame = fr[step + 2]
        assert labels[frame["visit"]] == label
        for child in CHILDREN.get(label, []):
            grads[child] += hand.local[label, child] * grads[label]
        assert frame["grads"] == pytest.approx([grads[x] for x in MADE], rel=1e-5, abs=1e-12), label
        assert [labels[a["child"]] for a in frame["adds"]] == CHILDREN.get(label, [])
    assert grads == pytest.approx(hand.grad)
    # e1 gets two shares: from p (4th visit), then from total (6th), which add up to its grad
    shares = {(labels[p], labels[c]): s for p, c, s in f["shares"]}
    assert shares["p", "e1"] == pytest.approx(hand.share["p", "e1"], rel=1e-5)
    assert shares["total", "e1"] == pytest.approx(hand.share["total", "e1"], rel=1e-5)
    total_visit = fr[2 + TOPO[::-1].index("total")]
    assert total_visit["adds"][0] == {
        "child": MADE.index("e1"), "code": f"e1.grad += 1 * {sig(hand.grad['total'])}",
        "note": f"{sig(hand.share['p', 'e1'])} → {sig(hand.grad['e1'])}"}
    assert total_visit["say"] == (
        f"Visit 6 of 10: total, grad {sig(hand.grad['total'])}. e1.grad += 1 × {sig(hand.grad['total'])}: from"
        f" {sig(hand.share['p', 'e1'])} to {sig(hand.grad['e1'])}, its second share; e2.grad += 1 ×"
        f" {sig(hand.grad['total'])}, now {sig(hand.grad['e2'])}.")
    assert fr[2 + TOPO[::-1].index("−1")]["say"] == \
        f"Visit 2 of 10: the constant −1, grad {sig(hand.grad['−1'])}. A leaf: no children, nothing to pass on."


def test_the_walk_table_without_javascript(pages, hand):
    table = re.search(r'<div class="mgv-scroll mgv-vg-walk".*?</table></div>', pages["backward"].html, re.DOTALL).group(0)
    rows = [texts(r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)][1:]
    assert [r.split(" ")[1] for r in rows] == ["loss", "the", "p.log()", "p", "total**-1", "total", "e2", "z2",
                                                "e1", "z1"]
    assert rows[5] == (f"6. total {sig(hand.grad['total'])} e1.grad += 1 * {sig(hand.grad['total'])}"
                       f" ({sig(hand.share['p', 'e1'])} → {sig(hand.grad['e1'])}) e2.grad += 1 *"
                       f" {sig(hand.grad['total'])} (0 → {sig(hand.grad['e2'])})")


def test_value_page(pages, hand):
    page = pages["value"]
    says(page, "It makes 10 Values in all, more than there are lines")
    says(page, f"Its loss is {sig(hand.data['loss'])}: the model gives the target probability {sig(hand.data['p'])}.")
    says(page, "so those are its children; an addition passes any change of either input straight through, so both"
               " local derivatives are 1.")
    says(page, f"the loss moves by {sig(hand.grad['total'])} per unit of total")
    table = re.search(r'<div class="mgv-scroll mgv-vg-slots".*?</table>', page.html, re.DOTALL).group(0)
    rows = [texts(r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)]
    assert rows == [
        "slot after the forward pass after loss.backward()",
        f"data {sig(hand.data['total'])} {sig(hand.data['total'])}",
        f"grad 0 {sig(hand.grad['total'])}",
        "_children (e1, e2) (e1, e2)",
        "_local_grads (1, 1) (1, 1)",
    ]


def test_add_mul_page(pages, hand):
    page = pages["add-mul"]
    says(page, "In the example, total = e1 + e2 keeps the local gradients 1 and 1.")
    says(page, f"whose value is {sig(hand.data['total**-1'])}. So p keeps, as its local gradient along e1, the value"
               f" of total**-1, {sig(hand.local['p', 'e1'])}, and along total**-1, the value of e1,"
               f" {sig(hand.local['p', 'total**-1'])}.")
    says(page, "so 2 arrows leave it.")
    says(page, "The 10 boxes come from 7 lines")
    says(page, "the constant −1 (from the minus sign)")


def test_more_ops_page(pages, hand):
    page = pages["more-ops"]
    says(page, f"e1 = z1.exp() is {sig(hand.data['e1'])}, and its local gradient along z1 is that same number,"
               f" {sig(hand.local['e1', 'z1'])}.")
    says(page, f"keeps 1 / p, {sig(hand.local['p.log()', 'p'])}, for p = {sig(hand.data['p'])}.")
    says(page, f", {sig(hand.local['total**-1', 'total'])} at total = {sig(hand.data['total'])}.")
    says(page, "the line p = e1 / total makes 2 Values")
    says(page, "The line loss = -p.log() makes 3: the logarithm, the constant −1 that")


def test_backward_page(pages, hand):
    page = pages["backward"]
    says(page, f"From p it receives {sig(hand.share['p', 'e1'])} (raising e1")
    says(page, f"from total it receives {sig(hand.share['total', 'e1'])} (raising e1 also raises the sum")
    says(page, f"Its grad is the sum of the two, {sig(hand.grad['e1'])}.")
    says(page, "For the example, topo is [" + ", ".join(TOPO) + "], so the walk visits " + ", ".join(TOPO[::-1])
         + ", in that order: p comes 4th and total 6th, both before e1, which comes 9th.")
    says(page, f"with p = {sig(hand.data['p'])}, the target's probability")
    says(page, "for the example, 10 visits and 10 runs of the += line.")
    blocks = [texts(m) for m in re.findall(r'<div class="mgv-math">(.*?)</div>', page.article, re.DOTALL)]
    assert [b for b in blocks if f"= p − 1 = {sig(hand.grad['z1'])}" in b and f"= 1 − p = {sig(hand.grad['z2'])}" in b]


def so_far(html):
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', html, re.DOTALL)
    return [texts(item) for item in re.findall(r"<li>(.*?)</li>", box.group(0))] if box else []


def test_the_so_far_boxes_carry_the_values(pages, hand):
    items = so_far(pages["backward"].html)
    assert (f"two_token_loss() — the small example of these pages, two logits to a loss of"
            f" {sig(hand.data['loss'])}, in 10 Values") in items
    assert "the graph — every Value points to the Values it was made from, one arrow per child; two_token_loss()'s" \
           " graph has 10 arrows" in items
    assert ("the sugar — -x, a - b, a / b and plain numbers on the left, all written with +, * and **;"
            " p = e1 / total makes 2 Values") in items

