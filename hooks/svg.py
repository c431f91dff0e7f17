"""The players' shared kit, the build's side: heat scale, number formats and
SVG figures (line chart, heatmap, scatter) as HTML strings.

docs/assets/guide/players.js (MGV.kit) holds the same functions, written the
same way, so the build draws the no-JavaScript figure and the JavaScript
draws, or takes over, the very same markup: `MGV.kit.markup.line(options)`
returns exactly what `line_chart(...)` returns for the same data (a browser
test compares them). Change one, change the other.

Colours are never decided here: a heat cell carries `--heat` (0..1, or -1..1
on a signed scale) and guide.css turns it into a colour from Material's theme
variables; lines and points carry a tone class (`mgv-tone-0` ...).

Generated HTML has no line breaks and escapes every piece of text it did
not write itself.
"""

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from html import escape

MINUS = "\u2212"
FONT = 20      # the largest font size (viewBox units) guide.css gives chart text, on a narrow screen: room is left for it
CHAR = 11      # the width of one character at that size, roughly
CHAR_BASE = 7  # ... and at the usual size (12)


# ---------------------------------------------------------------- the heat scale

def _round3(t):
    # half up, in the same floating-point steps as MGV.kit (Math.floor(t * 1000 + 0.5) / 1000)
    return math.floor(t * 1000 + 0.5) / 1000


def heat(value, hi, lo=0, scale="linear"):
    """A value's place on the sequential scale, for `--heat`: 0 at `lo`, 1 at `hi`.

    t = (value - lo) / (hi - lo), clamped to 0..1 (NaN counts as 0); with
    scale="sqrt", t = sqrt(t), so that small values still show; rounded to
    3 decimals, half up. 0 when hi <= lo. Same formula as MGV.kit.heat.
    """
    lo, hi = float(lo), float(hi)
    if not hi > lo:
        return 0.0
    t = (float(value) - lo) / (hi - lo)
    t = 0.0 if not t > 0 else 1.0 if t > 1 else t
    if scale == "sqrt":
        t = math.sqrt(t)
    return _round3(t)


def signed_heat(value, bound, scale="linear"):
    """A signed value's place on the diverging scale, for `--heat`: -1 at -bound, 0 at 0, 1 at bound.

    t = value / bound, clamped to -1..1 (NaN counts as 0); with scale="sqrt",
    t = sign(t) * sqrt(|t|); rounded to 3 decimals, half up. 0 when bound <= 0.
    Same formula as MGV.kit.signedHeat.
    """
    bound = float(bound)
    if not bound > 0:
        return 0.0
    t = float(value) / bound
    t = 0.0 if t != t else -1.0 if t < -1 else 1.0 if t > 1 else t
    if scale == "sqrt":
        t = -math.sqrt(-t) if t < 0 else math.sqrt(t)
    return _round3(t)


def heat_inverse(t, scale="linear"):
    """The value fraction (0..1, or -1..1) at which the scale reaches t: the inverse, for legends."""
    if scale == "sqrt":
        return t * abs(t)
    return t


# ---------------------------------------------------------------- numbers

def num(v):
    """A number as JavaScript's String(number) writes it: shortest digits that read back the same.
    For numbers the JavaScript reads back (data attributes) and CSS values."""
    v = float(v)
    if v != v:
        return "NaN"
    if v in (math.inf, -math.inf):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    mantissa, _, exponent = repr(abs(v)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def _group(whole):
    head = len(whole) % 3 or 3
    return ",".join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])


def fmt(v, digits=4):
    """A number for people: whole numbers exactly, with thousands separators (1,000);
    others to `digits` significant digits (half up), trailing zeros dropped: 3.296,
    0.0125; a real minus sign. Same rules as MGV.kit.fmt."""
    v = float(v)
    if v != v:
        return "NaN"
    if v in (math.inf, -math.inf):
        return ("" if v > 0 else MINUS) + "∞"
    sign = MINUS if v < 0 else ""
    v = abs(v)
    if v.is_integer() and v < 1e15:
        return sign + _group(str(int(v)))
    exact = Decimal(v)  # the double's exact value: rounding half up from it is what toExponential does
    exponent = exact.adjusted()
    rounded = exact.quantize(Decimal(1).scaleb(exponent - digits + 1), rounding=ROUND_HALF_UP)
    if rounded.adjusted() > exponent:  # 9.9996 -> 10.00
        exponent += 1
        rounded = exact.quantize(Decimal(1).scaleb(exponent - digits + 1), rounding=ROUND_HALF_UP)
    return sign + _positional("".join(map(str, rounded.as_tuple().digits)), exponent, digits)


def _positional(d, e, digits):
    """Digits d (d[0].d[1:] × 10^e) written out."""
    if e < -6 or e >= 21:
        frac = d[1:].rstrip("0")
        return d[0] + ("." + frac if frac else "") + "e" + ("" if e >= 0 else MINUS) + str(abs(e))
    if e >= digits - 1:
        return _group(d + "0" * (e - digits + 1))
    if e >= 0:
        frac = d[e + 1:].rstrip("0")
        return _group(d[:e + 1]) + ("." + frac if frac else "")
    return "0." + "0" * (-e - 1) + d.rstrip("0")


def _c(v):
    """A coordinate: one decimal, half up (same steps as MGV.kit)."""
    return num(math.floor(v * 10 + 0.5) / 10)


def _esc(text):
    return escape(str(text))


def _json(value):
    return _esc(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


# ---------------------------------------------------------------- scales and ticks

def nice_step(span, count=5):
    """The smallest of 1, 2, 2.5, 5, 10 × 10^k that cuts `span` in at most `count` intervals."""
    if not span > 0:
        return 1.0
    raw = span / count
    k = math.floor(math.log10(raw))
    base = 1.0
    for _ in range(abs(k)):
        base *= 10
    if k < 0:
        base = 1 / base
    for m in (1, 2, 2.5, 5, 10):
        step = m * base
        if span / step <= count + 1e-9:
            return step
    return 10 * base


def nice_domain(lo, hi, count=5):
    """lo and hi widened to whole steps: (lo, hi, step)."""
    if not hi > lo:
        lo, hi = lo - 1, hi + 1
    step = nice_step(hi - lo, count)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step, step


def ticks(lo, hi, step):
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [i * step for i in range(first, last + 1)]


def _finite(values):
    return [float(v) for v in values if v is not None and float(v) == float(v)]


# ---------------------------------------------------------------- line chart

def plot_area(xlo, xhi, xstep, ylo, yhi, ystep, width, height, digits):
    """The frame of a line chart or a scatter: tick labels, margins (the left one wide
    enough for the longest y label), plot size, and the data-to-pixel maps px and py."""
    ylabels = [(v, fmt(v, digits)) for v in ticks(ylo, yhi, ystep)]
    xlabels = [(v, fmt(v, digits)) for v in ticks(xlo, xhi, xstep)]
    left = max(40, 14 + CHAR * max((len(t) for _, t in ylabels), default=1))
    right, top, bottom = 32, 40, 52
    pw, ph = width - left - right, height - top - bottom

    def px(v):
        return left + (v - xlo) / (xhi - xlo) * pw

    def py(v):
        return top + (1 - (v - ylo) / (yhi - ylo)) * ph

    return ylabels, xlabels, left, right, top, bottom, pw, ph, px, py


def grid_and_axes(area, width, height, x_title, y_title, x_grid):
    """A chart's grid (horizontal lines at the y ticks; vertical ones too if x_grid, else tick
    marks under the x axis), its two axes, their tick labels and titles: SVG elements."""
    ylabels, xlabels, left, right, top, bottom, pw, ph, px, py = area
    out = ['<g class="mgv-grid">']
    for v, _ in ylabels:
        out.append(f'<line class="mgv-gridline" x1="{_c(left)}" x2="{_c(left + pw)}" y1="{_c(py(v))}" y2="{_c(py(v))}"/>')
    if x_grid:
        for v, _ in xlabels:
            out.append(f'<line class="mgv-gridline" x1="{_c(px(v))}" x2="{_c(px(v))}" y1="{_c(top)}" y2="{_c(top + ph)}"/>')
    out.append("</g>")
    out.append('<g class="mgv-axes">')
    out.append(f'<line class="mgv-axis-line" x1="{_c(left)}" x2="{_c(left + pw)}" y1="{_c(top + ph)}" y2="{_c(top + ph)}"/>')
    out.append(f'<line class="mgv-axis-line" x1="{_c(left)}" x2="{_c(left)}" y1="{_c(top)}" y2="{_c(top + ph)}"/>')
    for v, label in ylabels:
        out.append(f'<text class="mgv-tick" x="{_c(left - 6)}" y="{_c(py(v))}" dy="0.35em" text-anchor="end">{label}</text>')
    for v, label in xlabels:
        if not x_grid:
            out.append(f'<line class="mgv-axis-line" x1="{_c(px(v))}" x2="{_c(px(v))}" y1="{_c(top + ph)}"'
                       f' y2="{_c(top + ph + 5)}"/>')
        out.append(f'<text class="mgv-tick" x="{_c(px(v))}" y="{_c(top + ph + 22)}" text-anchor="middle">{label}</text>')
    out.append(f'<text class="mgv-axis-title" x="{_c(left + pw / 2)}" y="{_c(height - 6)}" text-anchor="middle">'
               f'{_esc(x_title)}</text>')
    out.append(f'<text class="mgv-axis-title" x="{_c(left)}" y="{_c(top - 16)}" text-anchor="middle">{_esc(y_title)}</text>')
    out.append("</g>")
    return out


def line_chart(series, *, uid, title, x_title, y_title, x=None, x_min=None, x_max=None, y_min=None, y_max=None,
               reference=None, width=640, height=300, digits=4, desc=None, caption=None):
    """A line chart of named series sharing one x axis.

    series     [{"name": legend text, "values": [y or None, ...], "tone": 0-5 (default: its index),
                 "weight": "thin" | "normal" | "thick"}]
    uid        unique on the page: the ids of the title and description start with it
    x          the x of each point (default 0, 1, 2, ...); x_min/x_max widen the x axis
    y_min/y_max  fix the ends of the y axis (otherwise: the data, widened to whole ticks)
    reference  {"value": y, "label": text}: a dashed horizontal line with its label
    Returns a <figure data-player="line-chart">: the SVG, a legend of toggle buttons
    (disabled until players.js takes the chart over) and an empty readout line.
    """
    n = max((len(s["values"]) for s in series), default=0)
    xs = [float(v) for v in (x if x is not None else range(n))]
    ys = [v for s in series for v in _finite(s["values"])]
    if reference is not None:
        ys.append(float(reference["value"]))
    xlo = min(xs + ([float(x_min)] if x_min is not None else [])) if xs else 0.0
    xhi = max(xs + ([float(x_max)] if x_max is not None else [])) if xs else 1.0
    if not xhi > xlo:
        xhi = xlo + 1
    ylo = float(y_min) if y_min is not None else min(ys, default=0.0)
    yhi = float(y_max) if y_max is not None else max(ys, default=1.0)
    ylo, yhi, ystep = nice_domain(ylo, yhi)
    if y_min is not None:
        ylo = float(y_min)
    if y_max is not None:
        yhi = float(y_max)
    xstep = nice_step(xhi - xlo)
    area = plot_area(xlo, xhi, xstep, ylo, yhi, ystep, width, height, digits)
    ylabels, xlabels, left, right, top, bottom, pw, ph, px, py = area

    out = [
        '<figure class="mgv-figure mgv-kit mgv-kit--line" data-player="line-chart">',
        '<div class="mgv-plot">',
        f'<svg class="mgv-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="--mgv-width:{width}px"'
        f' role="img" aria-labelledby="{_esc(uid)}-title" aria-describedby="{_esc(uid)}-desc"'
        f' data-frame="{num(left)} {num(top)} {num(pw)} {num(ph)}" data-domain="{num(xlo)} {num(xhi)} {num(ylo)} {num(yhi)}"'
        f' data-digits="{digits}" data-x-title="{_esc(x_title)}">',
        f'<title id="{_esc(uid)}-title">{_esc(title)}</title>',
        f'<desc id="{_esc(uid)}-desc">{_esc(desc if desc is not None else _line_desc(series, xs, x_title, digits))}</desc>',
    ]
    out += grid_and_axes(area, width, height, x_title, y_title, x_grid=False)
    if reference is not None:
        ry = py(float(reference["value"]))
        out.append(
            f'<g class="mgv-ref"><line class="mgv-ref-line" x1="{_c(left)}" x2="{_c(left + pw)}" y1="{_c(ry)}" y2="{_c(ry)}"/>'
            f'<text class="mgv-ref-label" x="{_c(left + pw)}" y="{_c(ry - 6)}" text-anchor="end">{_esc(reference["label"])}</text></g>'
        )
    out.append(f'<g class="mgv-series-set" data-x="{" ".join(num(v) for v in xs)}">')
    for i, s in enumerate(series):
        values = s["values"]
        out.append(
            f'<path class="mgv-series {_tone(s, i)}" data-series="{i}"'
            f' data-values="{" ".join(_value(v) for v in values)}" d="{_path(xs, values, len(values), px, py)}"/>'
        )
    out.append("</g>")
    out.append('<g class="mgv-cursor mgv-is-hidden">')
    out.append(f'<line class="mgv-cursor-line" x1="0" x2="0" y1="{_c(top)}" y2="{_c(top + ph)}"/>')
    for i, s in enumerate(series):
        out.append(f'<circle class="mgv-cursor-dot {_tone(s, i)}" data-series="{i}" cx="0" cy="0" r="4"/>')
    out.append("</g>")
    out.append("</svg></div>")
    out.append(f'<div class="mgv-legend" role="group" aria-label="{_esc("Series shown")}">')
    for i, s in enumerate(series):
        out.append(
            f'<button type="button" class="mgv-legend-item" aria-pressed="true" data-series="{i}" disabled>'
            f'<span class="mgv-swatch {_tone(s, i)}" aria-hidden="true"></span>{_esc(s["name"])}</button>'
        )
    out.append("</div>")
    out.append('<p class="mgv-readout" aria-live="polite"></p>')
    if caption:
        out.append(f"<figcaption>{_esc(caption)}</figcaption>")
    out.append("</figure>")
    return "".join(out)


def _tone(s, i):
    tone = s.get("tone")
    return f'mgv-tone-{i if tone is None else int(tone)} mgv-weight-{s.get("weight") or "normal"}'


NICE_EVERY = (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100)


def _every(room, cell, of=1):
    """Label every k-th row or column: k the first of NICE_EVERY (a multiple of `of`) that leaves
    `room` units from one label to the next."""
    for k in NICE_EVERY:
        if k % of == 0 and k * cell >= room:
            return k
    return NICE_EVERY[-1]


def _crowded(centers, texts, shown):
    """Which of the labels shown would overlap a neighbour at the largest font (CHAR): guide.css
    hides them on narrow screens (.mgv-crowded). The last one always stays."""
    if not shown:
        return set()
    last = shown[-1]
    last_left = centers[last] - CHAR * len(texts[last]) / 2
    crowded, right = set(), -math.inf
    for i in shown:
        half = CHAR * len(texts[i]) / 2
        if i == last or (centers[i] - half >= right + 2 and centers[i] + half <= last_left - 2):
            right = centers[i] + half
        else:
            crowded.add(i)
    return crowded


def _value(v):
    return "-" if v is None or float(v) != float(v) else num(v)


def _path(xs, values, count, px, py):
    """Move to the first point, line to the next; a missing value (None, NaN) breaks the line."""
    d, pen = [], False
    for i in range(min(count, len(xs), len(values))):
        v = values[i]
        if v is None or float(v) != float(v):
            pen = False
            continue
        d.append(("L" if pen else "M") + _c(px(xs[i])) + " " + _c(py(float(v))))
        pen = True
    return "".join(d)


def _line_desc(series, xs, x_title, digits):
    parts = []
    for s in series:
        pts = [(x, float(v)) for x, v in zip(xs, s["values"]) if v is not None and float(v) == float(v)]
        if not pts:
            parts.append(f'{s["name"]}: no values.')
            continue
        low = min(pts, key=lambda p: p[1])
        high = max(pts, key=lambda p: p[1])
        parts.append(
            f'{s["name"]}: {fmt(len(pts))} points, from {fmt(pts[0][1], digits)} at {x_title} {fmt(pts[0][0], digits)}'
            f' to {fmt(pts[-1][1], digits)} at {x_title} {fmt(pts[-1][0], digits)};'
            f' lowest {fmt(low[1], digits)} at {x_title} {fmt(low[0], digits)},'
            f' highest {fmt(high[1], digits)} at {x_title} {fmt(high[0], digits)}.'
        )
    return " ".join(parts)


# ---------------------------------------------------------------- heatmap

def heatmap(values, *, uid, title, row_labels=None, col_labels=None, row_title="row", col_title="column",
            signed=False, scale="linear", lo=None, hi=None, bound=None, cell=None, width=640, digits=4,
            desc=None, caption=None):
    """A matrix as coloured cells, with a colour legend and (once players.js takes it over)
    a readout of any cell by pointer or arrow keys.

    values      rows of numbers
    row_labels, col_labels  text for each row / column (default: their index)
    row_title, col_title    what rows and columns are, for the axis titles and the readout
    signed      a diverging scale around 0 from -bound to bound (default bound: the largest |value|);
                otherwise sequential from lo (default 0, or the smallest value if negative) to hi
                (default: the largest value)
    scale       "linear" or "sqrt" (small values still show)
    cell        the side of a cell in viewBox units (default: what fits `width`, at most 24)
    Returns a <figure data-player="heatmap">.
    """
    rows = len(values)
    cols = max((len(r) for r in values), default=0)
    flat = [float(v) for r in values for v in r]
    rlabels = [str(x) for x in row_labels] if row_labels is not None else [str(i) for i in range(rows)]
    clabels = [str(x) for x in col_labels] if col_labels is not None else [str(j) for j in range(cols)]
    if signed:
        bound = float(bound) if bound is not None else max((abs(v) for v in flat if v == v), default=0.0)
        lo, hi = -bound, bound
    else:
        lo = float(lo) if lo is not None else min(0.0, min((v for v in flat if v == v), default=0.0))
        hi = float(hi) if hi is not None else max((v for v in flat if v == v), default=0.0)
    left = 34 + CHAR * max((len(t) for t in rlabels), default=1)
    top = 58
    right = 12
    if cell is None:
        cell = min(24, (width - left - right) / max(cols, 1), 560 / max(rows, 1))
    gw, gh = cols * cell, rows * cell
    width = left + gw + right
    legend_y = top + gh + 16
    height = legend_y + 48
    every_row = _every(14, cell)
    every_row_narrow = _every(FONT * 0.9, cell, every_row)
    every_col = _every(CHAR_BASE * sum(len(t) for t in clabels) / max(cols, 1) + 4, cell)
    col_centers = [left + (j + 0.5) * cell for j in range(cols)]
    crowded_cols = _crowded(col_centers, clabels, [j for j in range(cols) if j % every_col == 0])
    kind = "mgv-signed" if signed else "mgv-sequential"

    def h(v):
        return signed_heat(v, bound, scale) if signed else heat(v, hi, lo, scale)

    out = [
        f'<figure class="mgv-figure mgv-kit mgv-kit--heatmap {kind}" data-player="heatmap">',
        '<div class="mgv-plot">',
        f'<svg class="mgv-chart" width="{_c(width)}" height="{_c(height)}" viewBox="0 0 {_c(width)} {_c(height)}"'
        f' style="--mgv-width:{_c(width)}px" role="img" aria-labelledby="{_esc(uid)}-title" aria-describedby="{_esc(uid)}-desc"'
        f' data-frame="{num(left)} {num(top)} {num(cell)}" data-scale="{_esc(scale)}" data-signed="{"true" if signed else "false"}"'
        f' data-range="{num(lo)} {num(hi)}" data-digits="{digits}"'
        f' data-row-title="{_esc(row_title)}" data-col-title="{_esc(col_title)}"'
        f' data-row-labels="{_json(rlabels)}" data-col-labels="{_json(clabels)}">',
        f'<title id="{_esc(uid)}-title">{_esc(title)}</title>',
        f'<desc id="{_esc(uid)}-desc">{_esc(desc if desc is not None else _heat_desc(values, rlabels, clabels, row_title, col_title, digits))}</desc>',
        f'<text class="mgv-axis-title" x="{_c(left + gw / 2)}" y="{_c(top - 34)}" text-anchor="middle">{_esc(col_title)}</text>',
        f'<text class="mgv-axis-title" transform="rotate(-90)" x="{_c(-(top + gh / 2))}" y="16" text-anchor="middle">{_esc(row_title)}</text>',
        '<g class="mgv-labels">',
    ]
    for j, label in enumerate(clabels):
        if j % every_col == 0:
            cls = "mgv-tick mgv-crowded" if j in crowded_cols else "mgv-tick"
            out.append(f'<text class="{cls}" x="{_c(col_centers[j])}" y="{_c(top - 8)}" text-anchor="middle">{_esc(label)}</text>')
    for i, label in enumerate(rlabels):
        if i % every_row == 0:
            cls = "mgv-tick" if i % every_row_narrow == 0 else "mgv-tick mgv-crowded"
            out.append(f'<text class="{cls}" x="{_c(left - 6)}" y="{_c(top + (i + 0.5) * cell)}" dy="0.35em" text-anchor="end">{_esc(label)}</text>')
    out.append("</g>")
    out.append(f'<g class="mgv-heat mgv-cells" data-rows="{rows}" data-cols="{cols}" data-values="{" ".join(num(v) for v in flat)}">')
    for i, r in enumerate(values):
        for j, v in enumerate(r):
            out.append(f'<rect x="{_c(left + j * cell)}" y="{_c(top + i * cell)}" width="{_c(cell)}" height="{_c(cell)}"'
                       f' style="--heat:{num(h(v))}"/>')
    out.append("</g>")
    out.append(f'<rect class="mgv-frame" x="{_c(left)}" y="{_c(top)}" width="{_c(gw)}" height="{_c(gh)}"/>')
    out.append(_heat_legend(left, legend_y, lo, hi, signed, scale, digits))
    out.append(f'<g class="mgv-cursor mgv-is-hidden"><rect class="mgv-cell-halo" x="0" y="0" width="{_c(cell)}" height="{_c(cell)}"/>'
               f'<rect class="mgv-cell-cursor" x="0" y="0" width="{_c(cell)}" height="{_c(cell)}"/></g>')
    out.append("</svg></div>")
    out.append('<p class="mgv-readout" aria-live="polite"></p>')
    if caption:
        out.append(f"<figcaption>{_esc(caption)}</figcaption>")
    out.append("</figure>")
    return "".join(out)


LEGEND_STEPS = 10   # swatches: LEGEND_STEPS + 1 of them, from the low end to the high end


def _heat_legend(x, y, lo, hi, signed, scale, digits):
    """Swatches carrying --heat from one end of the scale to the other, the ends and middle labelled."""
    w, hgt = 18, 12
    out = ['<g class="mgv-scale">', '<g class="mgv-heat mgv-swatches">']
    for k in range(LEGEND_STEPS + 1):
        t = (2 * k / LEGEND_STEPS - 1) if signed else k / LEGEND_STEPS
        out.append(f'<rect x="{_c(x + k * w)}" y="{_c(y)}" width="{w}" height="{hgt}" style="--heat:{num(_round3(t))}"/>')
    out.append("</g>")
    out.append(f'<rect class="mgv-frame" x="{_c(x)}" y="{_c(y)}" width="{(LEGEND_STEPS + 1) * w}" height="{hgt}"/>')
    mid = 0.0 if signed else lo + (hi - lo) * heat_inverse(0.5, scale)
    for k, value in ((0, lo), (LEGEND_STEPS // 2, mid), (LEGEND_STEPS, hi)):
        anchor = "start" if k == 0 else "end" if k == LEGEND_STEPS else "middle"
        at = x + k * w + (0 if k == 0 else w if k == LEGEND_STEPS else w / 2)
        out.append(f'<text class="mgv-tick mgv-scale-label" x="{_c(at)}" y="{_c(y + hgt + 20)}" text-anchor="{anchor}">{fmt(value, digits)}</text>')
    out.append("</g>")
    return "".join(out)


def _heat_desc(values, rlabels, clabels, row_title, col_title, digits):
    low = high = None  # (value, row, column), the first of each in reading order
    for i, r in enumerate(values):
        for j, v in enumerate(r):
            v = float(v)
            if v != v:
                continue
            if low is None or v < low[0]:
                low = (v, i, j)
            if high is None or v > high[0]:
                high = (v, i, j)
    if low is None:
        return f"{len(values)} rows, no values."
    return (f"{len(values)} rows ({row_title}) × {len(clabels)} columns ({col_title}). "
            f"Smallest {fmt(low[0], digits)} at {row_title} {rlabels[low[1]]}, {col_title} {clabels[low[2]]}; "
            f"largest {fmt(high[0], digits)} at {row_title} {rlabels[high[1]]}, {col_title} {clabels[high[2]]}.")


# ---------------------------------------------------------------- scatter

def scatter(points, *, uid, title, x_title, y_title, diagonal=False, highlight=None, width=480, height=480,
            digits=4, desc=None, caption=None):
    """Points (x, y), thousands of them, drawn as one path of dots.

    diagonal   draw y = x (and give both axes the same range)
    highlight  {"index": i, "label": text}: ring and label one point
    Returns a <figure class="mgv-kit--scatter">.
    """
    pts = [(float(px_), float(py_)) for px_, py_ in points]
    xs_, ys_ = [p[0] for p in pts] or [0.0], [p[1] for p in pts] or [0.0]
    if diagonal:
        lo, hi, step = nice_domain(min(xs_ + ys_), max(xs_ + ys_))
        xlo, xhi, xstep, ylo, yhi, ystep = lo, hi, step, lo, hi, step
    else:
        xlo, xhi, xstep = nice_domain(min(xs_), max(xs_))
        ylo, yhi, ystep = nice_domain(min(ys_), max(ys_))
    area = plot_area(xlo, xhi, xstep, ylo, yhi, ystep, width, height, digits)
    ylabels, xlabels, left, right, top, bottom, pw, ph, px, py = area

    text = desc if desc is not None else _scatter_desc(pts, highlight, x_title, y_title, digits)
    out = [
        '<figure class="mgv-figure mgv-kit mgv-kit--scatter">',
        '<div class="mgv-plot">',
        f'<svg class="mgv-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="--mgv-width:{width}px"'
        f' role="img" aria-labelledby="{_esc(uid)}-title" aria-describedby="{_esc(uid)}-desc">',
        f'<title id="{_esc(uid)}-title">{_esc(title)}</title>',
        f'<desc id="{_esc(uid)}-desc">{_esc(text)}</desc>',
    ]
    out += grid_and_axes(area, width, height, x_title, y_title, x_grid=True)
    if diagonal:
        out.append(f'<g class="mgv-ref"><line class="mgv-diagonal" x1="{_c(px(xlo))}" y1="{_c(py(xlo))}" x2="{_c(px(xhi))}" y2="{_c(py(xhi))}"/>'
                   f'<text class="mgv-ref-label" x="{_c(px(xhi))}" y="{_c(py(xhi) + 36)}" text-anchor="end">y = x</text></g>')
    d = "".join("M" + _c(px(x)) + " " + _c(py(y)) + "h0" for x, y in pts)
    out.append(f'<path class="mgv-points mgv-tone-0" data-count="{len(pts)}" d="{d}"/>')
    if highlight is not None:
        hx, hy = pts[highlight["index"]]
        cx, cy = px(hx), py(hy)
        right_side = cx < left + pw * 0.6
        out.append(
            f'<g class="mgv-highlight" data-index="{int(highlight["index"])}">'
            f'<circle class="mgv-highlight-ring" cx="{_c(cx)}" cy="{_c(cy)}" r="8"/>'
            f'<text class="mgv-highlight-label" x="{_c(cx + 12 if right_side else cx - 12)}" y="{_c(cy - 10)}"'
            f' text-anchor="{"start" if right_side else "end"}">{_esc(highlight["label"])}</text></g>'
        )
    out.append("</svg></div>")
    if caption:
        out.append(f"<figcaption>{_esc(caption)}</figcaption>")
    out.append("</figure>")
    return "".join(out)


def _scatter_desc(pts, highlight, x_title, y_title, digits):
    if not pts:
        return "No points."
    xs_, ys_ = [p[0] for p in pts], [p[1] for p in pts]
    text = (f"{fmt(len(pts))} points. {x_title} from {fmt(min(xs_), digits)} to {fmt(max(xs_), digits)};"
            f" {y_title} from {fmt(min(ys_), digits)} to {fmt(max(ys_), digits)}.")
    if highlight is not None:
        hx, hy = pts[highlight["index"]]
        text += f" Marked, {highlight['label']}: {x_title} {fmt(hx, digits)}, {y_title} {fmt(hy, digits)}."
    return text
