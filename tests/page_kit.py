"""What page tests share: plain-float pieces of the model (written again here, not imported
from microgpt, so a test recomputes rather than repeats) and readers of a built page's HTML."""

import json
import math
import re

from tests.conftest import texts

MINUS = "\u2212"


# ---------------------------------------------------------------- the model in plain floats

def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def softmax(logits):
    top = max(logits)
    e = [math.exp(v - top) for v in logits]
    total = sum(e)
    return [v / total for v in e]


# ---------------------------------------------------------------- reading a built page

def t4(x, digits=4):
    """A number as the tables write it: fixed decimals, a real minus, never a negative zero."""
    text = f"{x:.{digits}f}"
    if re.fullmatch(r"-0\.0*", text):
        text = text[1:]
    return text.replace("-", MINUS)


def flat(s):
    return re.sub(r"\s+", "", s)


def says(page, sentence):
    """The page says it (spaces aside: tags around a word leave spaces in the text)."""
    assert flat(sentence) in flat(page.text), f"the page does not say: {sentence!r}"


def table_rows(html, cls):
    """The rows of the first table with this class: [[cell text, ...], ...], header and footer included."""
    table = re.search(rf'<table class="[^"]*\b{cls}\b[^"]*".*?</table>', html, re.DOTALL)
    assert table, f"no table {cls}"
    return [[texts(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.DOTALL)]


def player(html, kind):
    match = re.search(rf'<figure class="mgv-player" data-player="{kind}".*?</figure>', html, re.DOTALL)
    assert match, f"no {kind} player"
    return match.group(0)


def frames(site, html, kind):
    url = re.search(rf'data-player="{kind}" data-frames="([^"]+)"', html).group(1)
    return json.loads((site / "generated" / url.split("generated/", 1)[1]).read_text())


def so_far(html):
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', html, re.DOTALL)
    return [texts(item) for item in re.findall(r"<li>(.*?)</li>", box.group(0))] if box else []
