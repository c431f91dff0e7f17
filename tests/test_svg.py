"""hooks/svg.py, the build's side of the players' kit: the heat scale, number
formats and the exact structure of its SVG figures. (tests/test_kit_browser.py
checks that players.js draws the same markup and computes the same heat.)"""

import math
import re
from html.parser import HTMLParser

import pytest

from hooks import render, svg
from microgpt.tokenizer import Tokenizer


class Tree(HTMLParser):
    """Elements as (tag, attributes, text inside), in document order; checks nesting."""

    VOID = {"line", "rect", "circle", "path"}

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.elements, self.open = [], []
        self.feed(markup)
        self.close()
        assert self.open == [], f"unclosed: {[e[0] for e in self.open]}"

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append([tag, dict(attrs), ""])

    def handle_endtag(self, tag):
        assert self.open and self.open[-1][0] == tag, f"</{tag}> closes {self.open[-1][0] if self.open else 'nothing'}"
        self.open.pop()

    def handle_data(self, data):
        for element in self.open:
            element[2] += data

    def find(self, tag=None, cls=None):
        return [e for e in self.elements if (tag is None or e[0] == tag)
                and (cls is None or cls in e[1].get("class", "").split())]


def points(d):
    """The (command, x, y) of each move/line of a path."""
    return [(m.group(1), float(m.group(2)), float(m.group(3))) for m in re.finditer(r"([ML])(-?[\d.]+) (-?[\d.]+)", d)]


# ---------------------------------------------------------------- heat scale and numbers

@pytest.mark.parametrize("value, hi, lo, scale, expected", [
    (0, 10, 0, "linear", 0.0),
    (10, 10, 0, "linear", 1.0),
    (3, 10, 0, "linear", 0.3),
    (3, 10, 0, "sqrt", 0.548),        # sqrt(0.3) = 0.5477...
    (25, 100, 0, "sqrt", 0.5),
    (1, 729, 0, "sqrt", 0.037),       # one count in 729: still shows
    (-5, 10, 0, "linear", 0.0),       # clamped
    (50, 10, 0, "linear", 1.0),
    (5, 5, 5, "linear", 0.0),         # no range: 0
    (0.0625, 1, 0, "linear", 0.063),  # half up (Python's round() would give 0.062)
    (7, 12, 2, "linear", 0.5),
    (float("nan"), 1, 0, "linear", 0.0),
])
def test_heat(value, hi, lo, scale, expected):
    assert svg.heat(value, hi, lo, scale) == expected


@pytest.mark.parametrize("value, bound, scale, expected", [
    (0, 1, "linear", 0.0), (0.5, 1, "linear", 0.5), (-0.5, 1, "linear", -0.5),
    (-3, 1, "linear", -1.0), (3, 1, "linear", 1.0), (-0.25, 1, "sqrt", -0.5),
    (0.08, 0.16, "linear", 0.5), (1, 0, "linear", 0.0), (-0.0004, 1, "linear", 0.0),
])
def test_signed_heat(value, bound, scale, expected):
    assert svg.signed_heat(value, bound, scale) == expected


def test_count_table_heat_goes_through_the_shared_scale():
    assert render.heat(81, 100) == svg.heat(81, 100, 0, "sqrt") == 0.9
    assert render.heat(0, 0) == 0
    tokenizer = Tokenizer(["abcdefghijklmnopqrstuvwxyz"])
    table = [[0] * 27 for _ in range(27)]
    table[0][1], table[2][3] = 100, 25
    html = render.count_table(tokenizer, table)
    heats = re.findall(r'--heat:([^"]+)"', html)
    assert len(heats) == 729
    assert heats[1] == "1" and heats[2 * 27 + 3] == "0.5" and heats[0] == "0"


@pytest.mark.parametrize("value, text", [
    (0, "0"), (1, "1"), (1000, "1,000"), (1234567, "1,234,567"), (-1000, "\u22121,000"),
    (3.2958368660043291, "3.296"), (0.5, "0.5"), (2.30, "2.3"), (0.0125, "0.0125"), (0.000123456, "0.0001235"),
    (123456.789, "123,500"), (9.99996, "10"), (1.0625, "1.063"), (-0.3, "\u22120.3"), (1e-9, "1e\u22129"),
])
def test_fmt_four_significant_digits(value, text):
    assert svg.fmt(value) == text


@pytest.mark.parametrize("value, text", [
    (0, "0"), (1.0, "1"), (-2.5, "-2.5"), (0.1, "0.1"), (1 / 3, "0.3333333333333333"),
    (1e-7, "1e-7"), (1.5e-6, "0.0000015"), (1e21, "1e+21"), (123456789012.0, "123456789012"),
])
def test_num_writes_numbers_as_javascript_does(value, text):
    assert svg.num(value) == text


def test_nice_ticks():
    assert svg.nice_domain(0, 3.3) == (0, 4, 1)
    assert svg.nice_step(1000) == 200
    assert svg.ticks(0, 1000, 200) == [0, 200, 400, 600, 800, 1000]
    lo, hi, step = svg.nice_domain(-0.0123, 0.0456)
    assert (lo, hi, step) == (-0.02, 0.06, 0.02)


# ---------------------------------------------------------------- line chart

def three_points(**extra):
    return svg.line_chart(
        [{"name": "loss", "values": [3.0, 2.0, 1.5]},
         {"name": "mean <of> \"last\" & 'two'", "values": [3.0, 2.5, None], "tone": 2, "weight": "thick"}],
        uid="t", title="A <title>", x_title="step & co", y_title="loss", x=[1, 2, 3],
        reference={"value": 3.2958, "label": "ln 27 = 3.2958: the uniform guess"}, **extra)


def test_line_chart_structure():
    html = three_points()
    assert "\n" not in html
    tree = Tree(html)
    figure = tree.find("figure")[0]
    assert figure[1]["data-player"] == "line-chart" and "mgv-kit--line" in figure[1]["class"]
    svg_el = tree.find("svg")[0]
    assert svg_el[1]["role"] == "img" and svg_el[1]["viewbox"] == "0 0 640 300"
    assert svg_el[1]["aria-labelledby"] == "t-title" and svg_el[1]["aria-describedby"] == "t-desc"
    assert tree.find("title")[0][2] == "A <title>"
    desc = tree.find("desc")[0][2]
    assert desc.startswith("loss: 3 points, from 3 at step & co 1 to 1.5 at step & co 3;")

    series = tree.find("path", "mgv-series")
    assert len(series) == 2
    assert series[0][1]["class"] == "mgv-series mgv-tone-0 mgv-weight-normal"
    assert series[1][1]["class"] == "mgv-series mgv-tone-2 mgv-weight-thick"
    first = points(series[0][1]["d"])
    assert [p[0] for p in first] == ["M", "L", "L"]
    left, top, width, height = map(float, svg_el[1]["data-frame"].split())
    xlo, xhi, ylo, yhi = map(float, svg_el[1]["data-domain"].split())
    assert (xlo, xhi) == (1, 3) and ylo <= 1.5 and yhi >= 3.2958
    for (_, x, y), xv, yv in zip(first, [1, 2, 3], [3.0, 2.0, 1.5]):
        assert x == pytest.approx(left + (xv - xlo) / (xhi - xlo) * width, abs=0.05)
        assert y == pytest.approx(top + (1 - (yv - ylo) / (yhi - ylo)) * height, abs=0.05)
    assert series[0][1]["data-values"] == "3 2 1.5"
    assert series[1][1]["data-values"] == "3 2.5 -"     # a missing value
    assert [p[0] for p in points(series[1][1]["d"])] == ["M", "L"]
    assert tree.find("g", "mgv-series-set")[0][1]["data-x"] == "1 2 3"

    buttons = tree.find("button", "mgv-legend-item")
    assert [b[2] for b in buttons] == ["loss", "mean <of> \"last\" & 'two'"]
    assert all(b[1]["aria-pressed"] == "true" and "disabled" in b[1] and b[1]["type"] == "button" for b in buttons)
    assert [b[1]["data-series"] for b in buttons] == ["0", "1"]
    assert tree.find("g", "mgv-legend") == [] and tree.find("div", "mgv-legend")[0][1]["role"] == "group"

    ref = tree.find("g", "mgv-ref")[0]
    assert ref[2] == "ln 27 = 3.2958: the uniform guess"
    titles = [t[2] for t in tree.find("text", "mgv-axis-title")]
    assert titles == ["step & co", "loss"]
    assert tree.find("p", "mgv-readout")[0][1]["aria-live"] == "polite"
    assert len(tree.find("circle", "mgv-cursor-dot")) == 2
    assert "mgv-is-hidden" in tree.find("g", "mgv-cursor")[0][1]["class"]


def test_line_chart_escapes_every_label():
    html = three_points()
    assert "<of>" not in html and "&lt;of&gt;" in html
    assert "&quot;last&quot; &amp; &#x27;two&#x27;" in html
    assert "A &lt;title&gt;" in html and 'data-x-title="step &amp; co"' in html
    assert "<script" not in svg.line_chart([{"name": "<script>x</script>", "values": [1]}], uid='"><script>',
                                           title="t", x_title="x", y_title="y")


def test_line_chart_ticks_are_formatted_to_four_significant_digits():
    html = svg.line_chart([{"name": "a", "values": [0.012345, 0.0456]}], uid="u", title="t", x_title="x", y_title="y",
                          x=[0, 12345])
    ticks = [t[2] for t in Tree(html).find("text", "mgv-tick")]
    assert ticks[:5] == ["0.01", "0.02", "0.03", "0.04", "0.05"]   # the data widened to whole ticks
    assert "10,000" in ticks and "0.01" in html


def test_loss_chart_uses_the_kit():
    losses = [3.3, 3.0, 2.8, 2.9, 2.5, 2.6]
    html = render.loss_chart(losses, 27, 3, 0)
    tree = Tree(html)
    series = tree.find("path", "mgv-series")
    assert len(series) == 2
    assert [b[2] for b in tree.find("button", "mgv-legend-item")] == ["loss of each step", "mean of the last 3"]
    assert series[0][1]["data-values"] == "3.3 3 2.8 2.9 2.5 2.6"
    means = [float(v) for v in series[1][1]["data-values"].split()]
    assert means == pytest.approx([3.3, 3.15, 3.0333333, 2.9, 2.7333333, 2.6666667])
    assert tree.find("g", "mgv-series-set")[0][1]["data-x"] == "1 2 3 4 5 6"
    assert tree.find("g", "mgv-ref")[0][2] == f"ln 27 = {math.log(27):.4f}: the uniform guess"
    assert [t[2] for t in tree.find("text", "mgv-axis-title")] == ["training step", "loss"]
    assert tree.find("svg")[0][1]["viewbox"] == "0 0 640 280"
    assert tree.find("title")[0][2].startswith("Loss at each of the 6 training steps of step 0")
    assert tree.find("svg")[0][1]["data-domain"].split()[:3] == ["0", "6", "0"]   # x from 0, y from 0


# ---------------------------------------------------------------- heatmap

def test_heatmap_structure_and_heat():
    values = [[0, 1, 4], [9, 16, 0]]
    html = svg.heatmap(values, uid="h", title="counts", row_labels=["a", "<b>"], col_labels=["x", "y", "z"],
                       row_title="current", col_title="next", scale="sqrt")
    assert "\n" not in html
    tree = Tree(html)
    figure = tree.find("figure")[0]
    assert figure[1]["data-player"] == "heatmap" and "mgv-sequential" in figure[1]["class"]
    cells = tree.find("g", "mgv-cells")[0]
    assert (cells[1]["data-rows"], cells[1]["data-cols"], cells[1]["data-values"]) == ("2", "3", "0 1 4 9 16 0")
    rects = [e for e in tree.elements if e[0] == "rect" and "style" in e[1]]
    heats = [r[1]["style"] for r in rects[:6]]
    assert heats == ["--heat:0", "--heat:0.25", "--heat:0.5", "--heat:0.75", "--heat:1", "--heat:0"]
    swatches = [r[1]["style"] for r in rects[6:]]
    assert swatches == [f"--heat:{svg.num(k / 10)}" for k in range(11)]
    assert [t[2] for t in tree.find("text", "mgv-scale-label")] == ["0", "4", "16"]  # sqrt: the middle colour is 1/4 of the way
    svg_el = tree.find("svg")[0][1]
    assert svg_el["data-row-labels"] == '["a","<b>"]' and svg_el["data-range"] == "0 16"
    assert "&lt;b&gt;" in html and "<b>" not in html.replace('"<b>"', "")
    assert tree.find("p", "mgv-readout") and tree.find("rect", "mgv-cell-cursor")
    assert tree.find("desc")[0][2] == ("2 rows (current) × 3 columns (next). Smallest 0 at current a, next x; "
                                        "largest 16 at current <b>, next y.")


def test_signed_heatmap():
    html = svg.heatmap([[-0.08, 0.0, 0.04]], uid="w", title="weights", signed=True)
    tree = Tree(html)
    assert "mgv-signed" in tree.find("figure")[0][1]["class"]
    rects = [e[1]["style"] for e in tree.elements if e[0] == "rect" and "style" in e[1]]
    assert rects[:3] == ["--heat:-1", "--heat:0", "--heat:0.5"]
    assert rects[3] == "--heat:-1" and rects[-1] == "--heat:1" and len(rects) == 3 + 11
    assert [t[2] for t in tree.find("text", "mgv-scale-label")] == ["\u22120.08", "0", "0.08"]


def test_heatmap_thins_labels_that_would_collide():
    html = svg.heatmap([[0] * 64 for _ in range(27)], uid="big", title="fc2")
    tree = Tree(html)
    columns = [t for t in tree.find("text", "mgv-tick") if t[1].get("text-anchor") == "middle" and "mgv-scale-label" not in t[1]["class"]]
    assert 4 <= len(columns) < 64 and columns[0][2] == "0"


# ---------------------------------------------------------------- scatter

def test_scatter_is_one_path_and_a_highlight():
    pts = [(i / 3184, i / 3184 + (0.01 if i == 1000 else 0)) for i in range(3184)]
    html = svg.scatter(pts, uid="g", title="gradients", x_title="numerical", y_title="analytic", diagonal=True,
                       highlight={"index": 1000, "label": "largest difference"})
    tree = Tree(html)
    path = tree.find("path", "mgv-points")
    assert len(path) == 1 and path[0][1]["data-count"] == "3184"
    assert path[0][1]["d"].count("M") == 3184 and path[0][1]["d"].count("h0") == 3184
    assert len(tree.elements) < 60   # a few elements, not one per point
    assert tree.find("line", "mgv-diagonal")
    highlight = tree.find("g", "mgv-highlight")[0]
    assert highlight[1]["data-index"] == "1000" and highlight[2] == "largest difference"
    ring = tree.find("circle", "mgv-highlight-ring")[0][1]
    moves = re.findall(r"M(-?[\d.]+) (-?[\d.]+)h0", path[0][1]["d"])
    assert (ring["cx"], ring["cy"]) == moves[1000]
    assert "Marked, largest difference: numerical 0.3141, analytic 0.3241." in tree.find("desc")[0][2]
