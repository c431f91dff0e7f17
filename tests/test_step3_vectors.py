"""Every value of Step 3's pages 3.2 to 3.4 (position embeddings, RMSNorm, q, k and v), checked in
the built site.

What those pages show comes from hooks/pagedata/step3_vectors.py, which reads gpt()'s inner values
by tracing it (microgpt.replay.internals). Here the expected values are recomputed without either:
the parameters are the run's own snapshots, read from the built site's run cache, and the
embeddings, rmsnorm and the three projections are done again below in plain Python, in the same
order of operations as the code, so a wrong value (or a probe that read the wrong variable) fails
here instead of being compared with itself. Shapes and sizes are literals from MICROGPT-SPEC.md.
"""

import json
import math
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest

from hooks.runs import unpack_matrices
from tests.conftest import ROOT, texts

LETTERS = "abcdefghijklmnopqrstuvwxyz"
BOS = 26
LABELS = list(LETTERS) + ["BOS"]
N_EMBD = 16          # MICROGPT-SPEC.md, Step 3
BLOCK_SIZE = 16
EPS = 1e-5           # rmsnorm's constant
MINUS = "\u2212"
NAME = "emma"
SNAPSHOTS = (0, 1000)
SOURCE = ROOT / "microgpt" / "step3_attention.py"


# ---------------------------------------------------------------- plain Python, no microgpt, no hooks


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + EPS) ** -0.5
    return [xi * scale for xi in x], scale


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def rms(v):
    return math.sqrt(sum(a * a for a in v) / len(v))


def rounded(x, digits=2):
    return float(f"{x:.{digits}f}")


def cell(x):
    """A number as the players' cells show it: 2 decimals, a real minus sign, no -0.00."""
    text = f"{x:.2f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def heat(v, bound):
    t = max(-1.0, min(1.0, v / bound))
    return math.floor(t * 1000 + 0.5) / 1000


def short(x):
    """A number to 2 significant digits, trailing zeros dropped (the legend's)."""
    return f"{x:.2g}"


def encode(name):
    return [BOS] + [LETTERS.index(c) for c in name] + [BOS]


def vectors(params, name):
    """What gpt() computes at the start of each position of a name, by hand."""
    out = []
    for pos, token in enumerate(encode(name)[:-1]):
        tok_emb, pos_emb = params["wte"][token], params["wpe"][pos]
        x0 = [t + p for t, p in zip(tok_emb, pos_emb)]
        x1, s1 = rmsnorm(x0)
        x2, s2 = rmsnorm(x1)
        out.append(SimpleNamespace(pos=pos, token=token, tok_emb=tok_emb, pos_emb=pos_emb, x0=x0, x1=x1, x2=x2,
                                   s1=s1, s2=s2, q=linear(x2, params["attn_wq"]), k=linear(x2, params["attn_wk"]),
                                   v=linear(x2, params["attn_wv"])))
    return out


def gap(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


def source_lines(start, end):
    """The lines of gpt() in the source from the one starting with `start` to the one starting with `end`."""
    lines = SOURCE.read_text().split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip().startswith(start))
    last = next(i for i in range(first, len(lines)) if lines[i].strip().startswith(end))
    chunk = lines[first:last + 1]
    indent = min(len(line) - len(line.lstrip()) for line in chunk if line.strip())
    return [line[indent:] for line in chunk]


# ---------------------------------------------------------------- the run and the site


@pytest.fixture(scope="module")
def run3(built_site):
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    return json.loads(next(cache.glob("step3-*.json")).read_text())


@pytest.fixture(scope="module")
def params(run3):
    return {k: unpack_matrices(run3["snapshots"][str(k)]) for k in SNAPSHOTS}


@pytest.fixture(scope="module")
def emma(params):
    return {k: vectors(params[k], NAME) for k in SNAPSHOTS}


class Page(SimpleNamespace):
    def says(self, sentence):
        assert sentence in self.text, f"the page does not say: {sentence!r}"


@pytest.fixture(scope="module")
def pages(built_site):
    out = {}
    for path in ["position-embeddings", "rmsnorm", "qkv", "scores-weights"]:
        html = (built_site[0] / "step-3" / path / "index.html").read_text()
        article = html[html.index("<article"):html.index("</article>")]
        out[path] = Page(html=html, article=article, text=texts(article))
    return out


def so_far(page):
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', page.article, re.DOTALL)
    return [texts(item) for item in re.findall(r"<li>(.*?)</li>", box.group(0))] if box else []


def prose(page):
    """The article's text without the player (whose own sentences are checked against its frames)."""
    return texts(re.sub(r'<figure class="mgv-player.*?</figure>', " ", page.article, flags=re.DOTALL))


def code_blocks(page):
    return [unescape(re.sub(r"<[^>]+>", "", block)) for block in re.findall(r"<pre[^>]*>(?:<span></span>)?<code[^>]*>(.*?)</code></pre>",
                                                                          page.article, re.DOTALL)]


def player(page):
    match = re.search(r'<figure class="mgv-player mgv-vec-player" data-player="vector-rows" data-frames="([^"]+)">'
                      r'(.*?)</div><figcaption>([^<]*)</figcaption></figure>', page.article, re.DOTALL)
    assert match, "no vector-rows player"
    return SimpleNamespace(url=match.group(1), stage=match.group(2), caption=unescape(match.group(3)))


def frames_of(site, page):
    url = player(page).url
    return json.loads((site / "generated" / url.split("generated/", 1)[1]).read_text())


def table_rows(stage):
    """The fallback table: [(row header text, [cell texts], [--heat values])]."""
    rows = []
    for tr in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", stage, re.DOTALL):
        head = texts(tr[:tr.index("</th>")])
        cells = re.findall(r'<td class="mgv-heat-cell" style="--heat:([^"]+)">([^<]*)</td>', tr)
        rows.append((head, [unescape(t) for _, t in cells], [float(h) for h, _ in cells]))
    return rows


def when(k):
    return "as initialised" if k == 0 else f"after {k:,} training steps"


def check_player(site, page, emma, rows_of, groups, codes, start, say):
    """The frames and the fallback of one vector-rows player against the recomputation:
    rows_of(p) -> [(note, values)]; say(p, ps, k) -> the sentence."""
    f = frames_of(site, page)
    assert f["name"] == NAME and f["snapshots"] == list(SNAPSHOTS) and f["start"] == start and f["decimals"] == 2
    assert f["picks"] == [{"label": LABELS[t], "pos": i} for i, t in enumerate(encode(NAME)[:-1])]
    assert f["codes"] == codes
    expected = {k: [[(note, [rounded(v) for v in values]) for note, values in rows_of(p)] for p in emma[k]]
                for k in SNAPSHOTS}
    bounds = [max(abs(v) for k in SNAPSHOTS for rows in expected[k] for r, (_, values) in enumerate(rows)
                  if groups[r] == groups[row] for v in values) for row in range(len(codes))]
    assert f["bounds"] == pytest.approx(bounds, abs=1e-12)
    for k in SNAPSHOTS:
        frames = f["frames"][str(k)]
        assert len(frames) == len(encode(NAME)) - 1
        for p, frame, rows in zip(emma[k], frames, expected[k]):
            assert frame["notes"] == [note for note, _ in rows]
            assert frame["cells"] == [values for _, values in rows]
            assert frame["say"] == say(p, emma[k], k)
            assert frame["caption"].endswith(f": {LABELS[p.token]} at position {p.pos} of {NAME}, {when(k)}")
    # the fallback: the start position of the trained model, cells, colours and sentence as the frames say
    shown = player(page)
    fallback = table_rows(shown.stage)
    assert [head for head, _, _ in fallback] == [f"{code} {note}".replace("\n", " ")
                                                 for code, (note, _) in zip(codes, expected[1000][start])]
    for r, (_, texts_, heats) in enumerate(fallback):
        values = expected[1000][start][r][1]
        assert texts_ == [cell(v) for v in values]
        assert heats == [heat(v, bounds[r]) for v in values]
    assert f["frames"]["1000"][start]["say"] in unescape(shown.stage)
    assert shown.caption == f["frames"]["1000"][start]["caption"]
    return f, bounds


# ---------------------------------------------------------------- the run's model, checked once


def test_the_snapshots_have_the_shapes_of_the_spec(params):
    for k in SNAPSHOTS:
        assert (len(params[k]["wpe"]), len(params[k]["wpe"][0])) == (BLOCK_SIZE, N_EMBD)
        for name in ("attn_wq", "attn_wk", "attn_wv"):
            assert (len(params[k][name]), len(params[k][name][0])) == (N_EMBD, N_EMBD)
        assert len(params[k]) == 9


# ---------------------------------------------------------------- 3.2 Position Embeddings


def test_position_embeddings_prose(pages, params, emma, run3, names_path):
    page = pages["position-embeddings"]
    text = prose(page)
    assert "The model's parameters are 9 matrices" in text
    assert "wpe has one row per position, 16 of them ( pos_id runs from 0 to block_size - 1 ), and each row has 16 numbers" in text
    longest = max(len(n) for n in Path(names_path).read_text().split())
    assert longest + 1 == BLOCK_SIZE  # "every name fits with its BOS in front"
    assert (f"The number of rows is block_size , 16: the longest context the model can read, BOS and up to 15"
            f" letters. The longest name in names.txt has {longest} letters, so every name fits") in text
    assert "keeps x at 16 numbers, the width the rest of the model is built for" in text
    assert "position 0 1 2 3 4 token BOS 26 e 4 m 12 m 12 a 0" in text
    m2, m3 = emma[1000][2], emma[1000][3]
    assert m2.tok_emb == m3.tok_emb and m2.pos_emb != m3.pos_emb
    assert ("At positions 2 and 3, tok_emb is the same row of wte , the row of m."
            " pos_emb is not") in text
    assert f"the two x differ: in the trained model, by up to {gap(m2.x0, m3.x0):.2f} in one of their 16 numbers" in text

    def mean_rms(matrix):
        return f"{sum(rms(row) for row in matrix) / len(matrix):.4f}"

    assert (f"of {mean_rms(params[0]['wpe'])} for wpe and {mean_rms(params[0]['wte'])} for wte , on average over the"
            f" rows. After 1,000 training steps both have grown, to {mean_rms(params[1000]['wpe'])} and"
            f" {mean_rms(params[1000]['wte'])}") in text
    same = [i for i in range(BLOCK_SIZE) if params[0]["wpe"][i] == params[1000]["wpe"][i]]
    longest_seen = max(len(s["doc"]) for s in run3["steps"])
    assert same == list(range(longest_seen + 1, BLOCK_SIZE)) == [14, 15]  # the rows no training name reached
    assert (f"The last {len(same)} rows of wpe , from row {same[0]} on, are exactly as they were initialised") in text
    assert (f"The longest of the names training saw has {longest_seen} letters, so no token ever sat at a position"
            f" after {longest_seen}") in text
    assert "rounded to hundredths" in text and "16 numbers each" in text


def test_position_embeddings_code(pages):
    blocks = code_blocks(pages["position-embeddings"])
    assert "\n".join(source_lines("tok_emb =", "x = rmsnorm(x)")) in [b.rstrip("\n") for b in blocks]
    assert any('"wpe": matrix(rng, block_size, n_embd),' in b for b in blocks)  # the params section


def test_position_embeddings_defines(pages):
    items = so_far(pages["rmsnorm"])
    assert "wpe — 16×16 position embeddings: one learned row of 16 numbers for each position (pos_id) up to 15" in items
    assert ("x = tok_emb + pos_emb — what the token is plus where it stands: both m's of emma share tok_emb,"
            " not x") in items


def test_position_embeddings_player(built_site, pages, emma):
    def rows_of(p):
        return [(f"wte row of {LABELS[p.token]}", p.tok_emb), (f"wpe row {p.pos}", p.pos_emb),
                ("tok_emb + pos_emb", p.x0)]

    def say(p, ps, k):
        t = LABELS[p.token]
        text = (f"{t} at position {p.pos} of {NAME}, {when(k)}: tok_emb is the row of wte for {t}, pos_emb is row"
                f" {p.pos} of wpe, and x is their sum.")
        for o in ps:
            if o.token == p.token and o.pos != p.pos:
                text += (f" The {t} at position {o.pos} has the same tok_emb and another pos_emb: the two x differ"
                         f" by up to {gap(p.x0, o.x0):.2f}.")
        return text

    f, bounds = check_player(built_site[0], pages["position-embeddings"], emma, rows_of, [0, 0, 1],
                             ["tok_emb", "pos_emb", "x"], 3, say)
    assert (f"The colour is strongest at: tok_emb and pos_emb ±{short(bounds[0])}, x ±{short(bounds[2])}."
            in pages["position-embeddings"].text)
    assert "m at position 3 of emma, after 1,000 training steps: tok_emb is the row of wte for m" in \
        pages["position-embeddings"].text


# ---------------------------------------------------------------- 3.3 RMSNorm


def test_rmsnorm_prose(pages, emma):
    text = prose(pages["rmsnorm"])
    m = {k: emma[k][2] for k in SNAPSHOTS}
    j = max(range(N_EMBD), key=lambda i: abs(m[1000].x0[i]))
    assert abs(m[1000].x1[j] / m[1000].x0[j] - m[1000].s1) < 1e-12
    assert (f"Take the first m of emma, at position 2, in the trained model (after 1,000 steps). Its"
            f" x = tok_emb + pos_emb has an rms of {rms(m[1000].x0):.4f}. rmsnorm multiplies each of its numbers by"
            f" {m[1000].s1:.3f}, and the rms becomes {rms(m[1000].x1):.6f}. As initialised, the same position's x has"
            f" an rms of {rms(m[0].x0):.4f}, and rmsnorm multiplies it by {m[0].s1:.3f}, to an rms of"
            f" {rms(m[0].x1):.6f}.") in text
    for k in SNAPSHOTS:  # "a hair short of one"
        assert all(rms(p.x1) < 1 and rms(p.x2) < 1 for p in emma[k])
    low = {k: min(rms(p.x0) for p in emma[k]) for k in SNAPSHOTS}
    high = {k: max(rms(p.x0) for p in emma[k]) for k in SNAPSHOTS}
    assert (f"the rms of x runs from {low[1000]:.4f} to {high[1000]:.4f} in the trained model (from {low[0]:.4f}"
            f" to {high[0]:.4f} as initialised)") in text
    rows = " ".join(f"{p.pos} {LABELS[p.token]} {p.token} {rms(p.x0):.4f} {p.s1:.3f} {rms(p.x1):.6f} {rms(p.x2):.6f}"
                    for p in emma[1000])
    assert ("The positions of emma, with the model after 1,000 training steps: the rms of x = tok_emb + pos_emb , the"
            " scale rmsnorm multiplies it by, and the rms after each call position token rms of x scale rms after"
            " rmsnorm rms after the second " + rows) in text
    assert (f"For the first m, it multiplies by {m[1000].s2:.6f}, and the rms goes from {rms(m[1000].x1):.6f} to"
            f" {rms(m[1000].x2):.6f}") in text
    moved = max(abs(a - b) for p in emma[1000] for a, b in zip(p.x1, p.x2))
    assert f"no number of x moves by more than {moved:.4g}." in text
    # the ratio of numbers is kept: x1 is x0 times one factor
    assert all(abs(a * p.s1 - b) < 1e-12 for p in emma[1000] for a, b in zip(p.x0, p.x1))


def test_rmsnorm_code(pages):
    blocks = [b.rstrip("\n") for b in code_blocks(pages["rmsnorm"])]
    source = SOURCE.read_text()
    section = source[source.index("# --8<-- [start:rmsnorm]\n") + 25:source.index("# --8<-- [end:rmsnorm]")]
    assert section.rstrip("\n") in blocks
    assert "\n".join(source_lines("x = [t + p", "q = linear")) in blocks


def test_rmsnorm_defines(pages, emma):
    m = emma[1000][2]
    assert (f"rmsnorm(x) — x divided by its root mean square (a tiny constant added under the root): no parameters;"
            f" the first m of emma goes from rms {rms(m.x0):.4f} to {rms(m.x1):.6f}") in so_far(pages["qkv"])


def test_rmsnorm_player(built_site, pages, emma):
    def rows_of(p):
        return [(f"tok_emb + pos_emb\nrms {rms(p.x0):.4f}", p.x0), (f"after the embeddings\nrms {rms(p.x1):.6f}", p.x1),
                (f"in the attention block\nrms {rms(p.x2):.6f}", p.x2)]

    def say(p, ps, k):
        return (f"{LABELS[p.token]} at position {p.pos} of {NAME}, {when(k)}: x has rms {rms(p.x0):.4f}. rmsnorm"
                f" multiplies every number by {p.s1:.3f}, to rms {rms(p.x1):.6f}; the second rmsnorm multiplies them by"
                f" {p.s2:.6f}, to rms {rms(p.x2):.6f}.")

    f, bounds = check_player(built_site[0], pages["rmsnorm"], emma, rows_of, [0, 1, 1],
                             ["x", "rmsnorm(x)", "rmsnorm(x)"], 2, say)
    assert (f"The colour is strongest at: x ±{short(bounds[0])}, both rows of rmsnorm(x) ±{short(bounds[1])}."
            in pages["rmsnorm"].text)


# ---------------------------------------------------------------- 3.4 q, k, v


def test_qkv_prose(pages, emma):
    text = prose(pages["qkv"])
    assert "here 16×16, so 16 numbers out. Like that layer it has no bias; unlike it, no ReLU follows." in text
    m2, m3 = emma[1000][2], emma[1000][3]
    assert (f"In the trained model their q differ by up to {gap(m2.q, m3.q):.2f} in one of their numbers, their k by"
            f" up to {gap(m2.k, m3.k):.2f} and their v by up to {gap(m2.v, m3.v):.2f}.") in text
    top = {w: max(abs(v) for p in emma[1000] for v in getattr(p, w)) for w in "qkv"}
    assert (f"the numbers of q reach {top['q']:.2f} in size, those of k {top['k']:.2f} and those of v"
            f" {top['v']:.2f}.") in text


def test_qkv_code(pages):
    blocks = [b.rstrip("\n") for b in code_blocks(pages["qkv"])]
    assert "\n".join(source_lines("def gpt", "values.append(v)")) in blocks


def test_qkv_defines(pages):
    items = so_far(pages["scores-weights"])
    assert "attn_wq, attn_wk, attn_wv — 16×16 each, learned: the three projections of the attention" in items
    assert ("q, k, v — a position's query, key and value: linear(x, attn_wq), linear(x, attn_wk), linear(x, attn_wv),"
            " 16 numbers each") in items


def test_qkv_player(built_site, pages, emma):
    def rows_of(p):
        return [("after the block’s rmsnorm", p.x2), ("= linear(x, attn_wq)", p.q), ("= linear(x, attn_wk)", p.k),
                ("= linear(x, attn_wv)", p.v)]

    def say(p, ps, k):
        held = "1 entry, its own" if p.pos == 0 else f"{p.pos + 1} entries, for positions 0 to {p.pos}"
        text = (f"{LABELS[p.token]} at position {p.pos} of {NAME}, {when(k)}: k and v join keys and values, which now"
                f" hold {held}; q is compared with each of those keys.")
        for o in ps:
            if o.token == p.token and o.pos != p.pos:
                text += (f" The {LABELS[p.token]} at position {o.pos} has other q, k and v: its q differs by up to"
                         f" {gap(p.q, o.q):.2f}.")
        return text

    f, bounds = check_player(built_site[0], pages["qkv"], emma, rows_of, [0, 1, 1, 1], ["x", "q", "k", "v"], 3, say)
    assert (f"The colour is strongest at: x ±{short(bounds[0])}, q, k and v ±{short(bounds[1])}."
            in pages["qkv"].text)


# ---------------------------------------------------------------- all three


@pytest.mark.parametrize("path", ["position-embeddings", "rmsnorm", "qkv"])
def test_light_and_clean(built_site, pages, path):
    page = pages[path]
    assert "{{" not in page.article and "}}" not in page.article
    url = player(page).url
    size = (built_site[0] / "generated" / url.split("generated/", 1)[1]).stat().st_size
    assert size < 40_000   # every position of both models, 2 decimals
    assert page.html.count('data-player="vector-rows"') == 1
