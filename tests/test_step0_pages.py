"""Every value the Step 0 pages and the home page show, checked in the built site.

Each expected value is recomputed here, in plain Python, from names.txt (or is a
literal, or a line of the reference output in tests/reference/): nothing here
calls microgpt or hooks/pagedata, so a wrong value produced there fails a test
instead of being compared with itself.

The last test reads the Markdown sources: no number is typed into prose.
"""

import json
import math
import re
from collections import Counter
from html import unescape
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT, reference_lines, shuffled, texts

NUM_STEPS = 1000        # the run's training steps (microgpt.program.NUM_STEPS, never imported)
SEED = 42               # the seed of MICROGPT-SPEC.md
MAX_LEN = 16            # sample()'s length limit (MICROGPT-SPEC.md)
SNAPSHOTS = (0, 100, NUM_STEPS)


# ---------------------------------------------------------------- the truth, recomputed


@pytest.fixture(scope="module")
def truth(names_path):
    """Step 0 redone from the names file with nothing but the standard library."""
    names, docs, rng = shuffled(names_path, SEED)
    uchars = sorted(set("".join(names)))
    V = len(uchars) + 1
    bos = V - 1

    def encode(name):
        return [bos] + [uchars.index(ch) for ch in name] + [bos]

    def pairs(name):
        t = encode(name)
        return list(zip(t, t[1:]))

    def prob(table, i, j):
        return (table[i][j] + 1) / (sum(table[i]) + V)

    table = [[0] * V for _ in range(V)]
    tables, losses = {}, []
    for step in range(NUM_STEPS):
        if step in SNAPSHOTS:
            tables[step] = [row[:] for row in table]
        ps = pairs(docs[step])
        losses.append(sum(-math.log(prob(table, i, j)) for i, j in ps) / len(ps))
        for i, j in ps:
            table[i][j] += 1
    tables[NUM_STEPS] = table

    samples = []
    for _ in range(20):
        token, name = bos, ""
        for _ in range(MAX_LEN):
            token = rng.choices(range(V), weights=[prob(table, token, j) for j in range(V)])[0]
            if token == bos:
                break
            name += uchars[token]
        samples.append(name)

    seen = docs[:NUM_STEPS]
    all_pairs = [p for name in seen for p in pairs(name)]
    return SimpleNamespace(
        names=names, docs=docs, seen=seen, uchars=uchars, V=V, bos=bos, encode=encode, pairs=pairs,
        prob=prob, tables=tables, losses=losses, samples=samples, all_pairs=all_pairs,
        letter=lambda label: bos if label == "BOS" else uchars.index(label),
        label=lambda token: "BOS" if token == bos else uchars[token],
    )


def n(x):
    return f"{x:,}"


def f4(x):
    return f"{x:.4f}"


# ---------------------------------------------------------------- reading the site


def html_of(site, path):
    return (site / path / "index.html").read_text()


def text_of(html):
    """The article's text, tags removed, spaces collapsed."""
    article = html[html.index("<article"):html.index("</article>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", article)).split())


@pytest.fixture(scope="module")
def site(built_site):
    return built_site[0]


@pytest.fixture(scope="module")
def pages(site):
    """path -> (html, article text), for the home page and every Step 0 page."""
    paths = ["", "step-0", "step-0/dataset", "step-0/tokenizer", "step-0/count-table", "step-0/model",
             "step-0/training", "step-0/loss", "step-0/inference", "step-0/what-counting-cannot-do"]
    out = {}
    for path in paths:
        html = html_of(site, path) if path else (site / "index.html").read_text()
        out[path] = (html, text_of(html))
    return out


def says(text, sentence):
    assert sentence in text, f"the page does not say: {sentence!r}"


def so_far(html):
    box = re.search(r'<aside class="mgv-sofar".*?</aside>', html, re.DOTALL)
    assert box, "no So far box"
    return [texts(item) for item in re.findall(r"<li>(.*?)</li>", box.group(0))]


def tables_of(html):
    """Every <table> of the article as (caption text, header texts, [row cell texts])."""
    article = html[html.index("<article"):html.index("</article>")]
    found = []
    for table in re.findall(r"<table\b.*?</table>", article, re.DOTALL):
        caption = re.search(r"<caption>(.*?)</caption>", table, re.DOTALL)
        head = re.findall(r"<thead>.*?</thead>", table, re.DOTALL)
        heads = re.findall(r"<th\b[^>]*>(.*?)</th>", head[0]) if head else []
        rows = [[texts(c) for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
                for row in re.findall(r"<tr>(.*?)</tr>", re.sub(r"<thead>.*?</thead>", "", table, flags=re.DOTALL),
                                      re.DOTALL)]
        found.append((texts(caption.group(1)) if caption else "", [texts(h) for h in heads], rows))
    return found


def table_with(html, caption_start):
    for caption, heads, rows in tables_of(html):
        if caption.startswith(caption_start):
            return heads, rows
    raise AssertionError(f"no table captioned {caption_start!r}")


def printed_blocks(html):
    return [unescape(b).split("\n") for b in re.findall(r'<pre class="mgv-printed"><code>(.*?)</code></pre>', html,
                                                          re.DOTALL)]


def printed_line(truth, step):
    return f"step {step:4d} / {NUM_STEPS:4d} | loss {truth.losses[step - 1]:.4f}"


# ---------------------------------------------------------------- the home page and the overview


def test_home_page(pages, truth):
    _, text = pages[""]
    says(text, f"trained with Adam for {n(NUM_STEPS)} steps, one name per step, from a dataset of"
               f" {n(len(truth.names))} names.")
    assert n(len(truth.names)) == "32,033"


def test_overview_page(pages, truth):
    html, text = pages["step-0"]
    says(text, f"It reads {n(NUM_STEPS)} names and, for every pair")
    says(text, f"The Dataset : {n(len(truth.names))} names, shuffled once.")
    says(text, f"The Count Table : {truth.V}×{truth.V} cells, all zero.")
    says(text, f"seeded with {SEED}, so every run")
    first, last = printed_blocks(html)
    reference = reference_lines(0)
    assert first == reference[0:5]
    assert first == [f"num docs: {len(truth.names)}", f"vocab size: {truth.V}"] + [
        printed_line(truth, k) for k in (1, 2, 3)]
    assert last == reference[1001:1007]
    assert last == [printed_line(truth, NUM_STEPS), "", "--- inference (new, hallucinated names) ---"] + [
        f"sample {k + 1:2d}: {name}" for k, name in enumerate(truth.samples[:3])]


# ---------------------------------------------------------------- 0.1 to 0.3


def test_dataset_page(pages, truth):
    _, text = pages["step-0/dataset"]
    seen = truth.seen
    ends_a, ends_n = sum(d.endswith("a") for d in seen), sum(d.endswith("n") for d in seen)
    starts_x = sum(d.startswith("x") for d in seen)
    says(text, f"Of the {n(NUM_STEPS)} names our model will learn from, for example, {n(ends_a)} end in a and"
               f" {n(ends_n)} in n , but only {n(starts_x)} start with x .")
    counts = Counter(truth.names)
    assert max(counts.values()) == 2
    says(text, f"That is also why {n(sum(c == 2 for c in counts.values()))} names appear in it twice")
    assert "2,539 names appear in it twice" in text
    says(text, f"seeded with {SEED} before anything else happens")
    says(text, f"The first three are {seen[0]} , {seen[1]} and {seen[2]} .")
    twice = [name for name, c in Counter(seen).items() if c > 1]
    first_twice = next(d for d in seen if d in twice)
    says(text, f"{n(len(twice))} of them come up twice in those steps ( {first_twice} is one)")
    says(text, f"The longest name training sees has {max(map(len, seen))} characters.")


def test_tokenizer_page(pages, truth):
    html, text = pages["step-0/tokenizer"]
    assert so_far(html) == [f"docs — the {n(len(truth.names))} names, shuffled with seed {SEED}"]
    says(text, f"glues all {n(len(truth.names))} names into one long string of"
               f" {n(sum(map(len, truth.names)))} characters.")
    letters = "".join(truth.uchars)
    assert letters == "abcdefghijklmnopqrstuvwxyz"
    says(text, f"use {len(truth.uchars)} different characters, the lowercase letters {letters} ,")
    says(text, f"a is token {truth.uchars.index('a')}, v is token {truth.uchars.index('v')} and z is token"
               f" {truth.uchars.index('z')}.")
    says(text, f"with the next free id, {truth.bos}, and put it at both ends")
    says(text, f"That makes vocab_size {truth.V}: {len(truth.uchars)} characters and BOS.")
    chips = re.search(r'<p class="mgv-tokens"[^>]*>(.*?)</p>', html).group(1)
    assert texts(chips) == " ".join(f"{truth.label(t)} {t}" for t in range(truth.V))


def count_cells(table_html):
    return [int(c) for c in re.findall(r"<td[^>]*>(\d+)</td>", table_html)]


def test_count_table_page(pages, truth):
    html, text = pages["step-0/count-table"]
    assert so_far(html)[1:] == [
        f"uchars — the {len(truth.uchars)} characters a to z, in order; a character's token id is its place here",
        f"BOS — token {truth.bos}, at both ends of every name",
        f"vocab_size — {truth.V} tokens, the {len(truth.uchars)} characters and BOS",
        "encode(doc) — a name as token ids, BOS at both ends"]
    says(text, f"{truth.V}×{truth.V}, that is {n(truth.V * truth.V)} cells.")
    says(text, f"Row {truth.bos} (BOS) counts how names start ; column {truth.bos} counts how they end .")
    empty = re.findall(r'<table class="mgv-counts"[^>]*>.*?</table>', html, re.DOTALL)
    assert len(empty) == 1
    assert count_cells(empty[0]) == [0] * truth.V ** 2
    final = truth.tables[NUM_STEPS]
    says(text, f"the table holds {n(len(truth.all_pairs))} counted pairs.")
    assert len(truth.all_pairs) == sum(map(sum, final)) == sum(len(d) + 1 for d in truth.seen)
    for row, col, meaning in [("BOS", "a", "names starting with a"), ("a", "n", "a followed by n"),
                              ("n", "BOS", "names ending in n"), ("q", "u", "q followed by u")]:
        i, j = truth.letter(row), truth.letter(col)
        says(text, f"state_dict[{i}][{j}] {meaning} {n(final[i][j])}")
    says(text, f"and {n(sum(r.count(0) for r in final))} cells are still zero")


# ---------------------------------------------------------------- 0.4 and 0.5


def test_model_page(pages, truth):
    html, text = pages["step-0/model"]
    assert so_far(html)[-1] == (f"state_dict — {truth.V}×{truth.V} counts, row = current token, column = next token;"
                                " all zero before training")
    final = truth.tables[NUM_STEPS]
    a, nn, q, u, bos = (truth.letter(x) for x in ("a", "n", "q", "u", "BOS"))
    says(text, f"divide each by the row's total plus {truth.V} (the ones just added")
    says(text, f"row a holds {n(sum(final[a]))} counts, {n(final[a][nn])} of them for n ,")
    math_block = re.findall(r'<math [^>]*display="block">.*?</math>', html, re.DOTALL)[1]
    worked = f"{n(final[a][nn])}+1 over {n(sum(final[a]))}+{truth.V} = {f4(truth.prob(final, a, nn))}"
    assert texts(math_block).replace(" ", "") == worked.replace(" over ", "").replace(" ", ""), \
        f"the worked cell is not {worked}: {texts(math_block)}"
    says(text, f"Row a counted {n(sum(final[a]))} pairs in training. The {truth.V} added ones make up only"
               f" {f4(truth.V / (sum(final[a]) + truth.V))} of its probability")
    assert final[q][u] == sum(final[q]), "the page says every pair after q is q followed by u"
    unseen = sum(truth.prob(final, q, j) for j in range(truth.V) if final[q][j] == 0)
    says(text, f"Row q counted {n(sum(final[q]))}, all of them q followed by u . The"
               f" {final[q].count(0)} tokens never seen after q still share {f4(unseen)} of the probability"
               f" between them, while u gets {f4(truth.prob(final, q, u))}:")
    assert unseen > truth.prob(final, q, u), "the page says the prior outweighs the data in row q"
    says(text, f"the model gives n probability {f4(truth.prob(final, a, nn))}, and after BOS (at the start of a"
               f" name) it gives a probability {f4(truth.prob(final, bos, a))}.")
    player = re.search(r'data-player="bigram-rows".*?</figure>', html, re.DOTALL).group(0)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(\d+)</td><td>([\d.]+)</td></tr>', player)
    assert rows == [(truth.label(j), str(final[a][j]), f4(truth.prob(final, a, j))) for j in range(truth.V)]


def test_training_page(pages, truth, site):
    html, text = pages["step-0/training"]
    says(text, f"Here there are {n(NUM_STEPS)} steps and {n(len(truth.names))} names, so the list never wraps:"
               f" training reads the first {n(NUM_STEPS)} entries of the shuffled list, each once.")
    heads, rows = table_with(html, "If docs held only its first 100 names")
    caption = tables_of(html)[0][0]
    assert caption == f"If docs held only its first 100 names, the {n(NUM_STEPS)} steps would go round it" \
                      f" {NUM_STEPS // 100} times"
    assert heads == ["step", "step % 100", "the name"]
    assert rows == [[str(s), str(s % 100), truth.docs[s % 100]] for s in (0, 1, 99, 100, 101, NUM_STEPS - 1)]
    ava = truth.pairs("ava")
    says(text, " → ".join(f"{truth.label(t)} {t}" for t in truth.encode("ava")))
    says(text, f"That is {len(ava)} pairs of neighbours")
    (printed,) = printed_blocks(html)
    assert printed == [printed_line(truth, k) for k in (1, 2, 3)] == reference_lines(0)[2:5]
    assert len(set(ava)) == len(ava), "the page says each pair of ava is its own cell"
    says(text, f"that adds one to {len(set(ava))} cells of the table, one per pair:")
    says(text, " ".join(f"state_dict[{i}][{j}] += 1 {truth.label(i)} {i} was followed by {truth.label(j)} {j}"
                        for i, j in ava))
    final = truth.tables[NUM_STEPS]
    player = re.search(r'<figure class="mgv-player" data-player="count-table".*?</figure>', html, re.DOTALL).group(0)
    assert count_cells(player) == [c for row in final for c in row], "the count table after the last name"
    frames = json.loads((site / "generated" / "step0" / "count-table.json").read_text())
    assert [s["doc"] for s in frames["steps"]] == truth.seen
    assert [s["loss"] for s in frames["steps"]] == [round(x, 4) for x in truth.losses]
    ml = sum(-math.log(final[i][j] / sum(final[i])) for i, j in truth.all_pairs) / len(truth.all_pairs)
    smoothed = sum(-math.log(truth.prob(final, i, j)) for i, j in truth.all_pairs) / len(truth.all_pairs)
    assert (f4(ml), f4(smoothed)) == ("2.4159", "2.4512")
    says(text, f"that table's loss is {f4(ml)} per pair. Our bigram() adds one to every count first and scores"
               f" {f4(smoothed)}:")


# ---------------------------------------------------------------- 0.6 to 0.8


def test_loss_page_probe_of_ava(pages, truth):
    html, text = pages["step-0/loss"]
    at100 = truth.tables[100]
    ava = truth.pairs("ava")
    probs = [truth.prob(at100, i, j) for i, j in ava]
    heads, rows = table_with(html, "“ava” scored by the model after 100 training steps")
    assert heads == ["pos", "pair", "p (next token)", "loss = −ln p"]
    assert rows[:-1] == [[str(k), f"{truth.label(i)} {i} → {truth.label(j)} {j}", f4(p), f4(-math.log(p))]
                         for k, ((i, j), p) in enumerate(zip(ava, probs))]
    assert rows[-1][1:] == ["mean: the loss of the name", "", f4(sum(-math.log(p) for p in probs) / len(probs))]
    whole = math.prod(probs)
    assert f"{whole:.3g}" == "9.52e-05"
    says(text, f"these {len(ava)} probabilities give the whole name a probability of 0.0000952;")
    a, v, bos = truth.letter("a"), truth.letter("v"), truth.bos
    says(text, f"the model has seen {n(sum(at100[bos]))} starts, {n(at100[bos][a])} of them a .")
    assert sum(at100[bos]) == 100 and at100[bos][a] == 16
    assert probs.index(min(probs)) == ava.index((a, v)), "the page says a → v costs the most"
    says(text, f"only {n(at100[a][v])} of the {n(sum(at100[a]))} pairs that began with a went on to v .")
    assert probs.index(max(probs)) == ava.index((a, bos)), "the page says a → BOS is the cheapest"
    assert at100[a].index(max(at100[a])) == bos and at100[a].count(max(at100[a])) == 1
    says(text, f"the token that most often followed a is BOS, {n(at100[a][bos])} times")


def test_loss_page_curve_and_averages(pages, truth):
    html, text = pages["step-0/loss"]
    losses = truth.losses
    chart = re.search(r'<figure class="mgv-figure mgv-kit mgv-kit--line".*?</figure>', html, re.DOTALL).group(0)
    series = re.findall(r'data-series="(\d)" data-values="([^"]*)"', chart)
    shown = [float(x) for x in dict(series)["0"].split()]
    assert len(shown) == NUM_STEPS
    assert all(abs(a - b) < 1e-9 for a, b in zip(shown, losses)), "the loss curve is not the loss of each step"
    running = [sum(losses[max(0, k - 49):k + 1]) / min(k + 1, 50) for k in range(NUM_STEPS)]
    assert all(abs(a - b) < 1e-9 for a, b in zip(map(float, dict(series)["1"].split()), running))
    log_v = math.log(truth.V)
    says(text, f"The very first loss is {f4(losses[0])}:")
    says(text, f"= {f4(log_v)} for V = {truth.V}, the uniform-guess line")
    above = [k + 1 for k, x in enumerate(losses) if float(f4(x)) > float(f4(log_v))]
    says(text, f"as {n(len(above))} of the {n(NUM_STEPS)} steps do, the last of them at step {n(above[-1])}.")
    means = [sum(losses[k:k + 100]) / 100 for k in range(0, NUM_STEPS, 100)]
    heads, rows = next((h, r) for c, h, r in tables_of(html) if h == ["training steps", "average loss"])
    assert rows == [[f"{n(k * 100 + 1)} to {n(k * 100 + 100)}", f4(m)] for k, m in enumerate(means)]
    says(text, f"The last stretch averages {f4(means[-1])}.")
    perplexity = f"{math.exp(float(f4(means[-1]))):.1f}"
    assert perplexity == "11.5"
    says(text, f"raised to that loss is {perplexity}.")
    says(text, f"choosing among {perplexity} equally likely ones, down from {truth.V} for the uniform guess")


def test_loss_steps_player_frames(site, truth):
    frames = json.loads((site / "generated" / "step0" / "loss-steps-ava-100.json").read_text())
    probs = [truth.prob(truth.tables[100], i, j) for i, j in truth.pairs("ava")]
    assert frames["target_probs"] == [round(p, 4) for p in probs]
    assert frames["losses"] == [round(-math.log(p), 4) for p in probs]


def test_inference_page(pages, truth):
    html, text = pages["step-0/inference"]
    final = truth.tables[NUM_STEPS]
    says(text, f"After BOS, for instance, the model gives a probability"
               f" {f4(truth.prob(final, truth.bos, truth.letter('a')))}, so")
    says(text, f"After training on {n(NUM_STEPS)} names, the model made up these {len(truth.samples)}:")
    shown = re.findall(r"<li><code>(.*?)</code></li>", re.search(r'<ol class="mgv-samples">.*?</ol>', html).group(0))
    assert shown == truth.samples == [line.split()[-1] for line in reference_lines(0)[-20:]]
    cut = sum(len(s) == MAX_LEN for s in truth.samples)
    says(text, f"like {truth.samples[3]} . Of the {len(truth.samples)}, {cut} end only because they reached the"
               f" limit of {MAX_LEN} letters without drawing BOS.")


def test_what_counting_cannot_do_page(pages, truth):
    html, text = pages["step-0/what-counting-cannot-do"]
    final, pairs = truth.tables[NUM_STEPS], truth.all_pairs
    ml = sum(-math.log(final[i][j] / sum(final[i])) for i, j in pairs) / len(pairs)
    smoothed = sum(-math.log(truth.prob(final, i, j)) for i, j in pairs) / len(pairs)
    says(text, f"After {n(NUM_STEPS)} names, the table scores the names it learned from at {f4(smoothed)} per"
               f" pair, against {f4(math.log(truth.V))} for the uniform guess")
    says(text, f"On the training names it would score {f4(ml)} per pair. Add-one smoothing gives up a little of"
               f" that fit, to {f4(smoothed)}, so")
    assert ml < smoothed
    says(text, f"that is {n(truth.V ** 3)} cells. Three tokens back needs {n(truth.V ** 4)}.")
    says(text, f"Our training names hold {n(len(pairs))} pairs in all, so most of those cells")
    assert len(pairs) < truth.V ** 3 / 2
    a, b = re.search(r'"(\w+)" and "(\w+)" are built alike', text).groups()
    assert not set(truth.pairs(a)) & set(truth.pairs(b)), f"{a} and {b} share a pair"
    says(text, f"{n(sum(r.count(0) for r in final))} of the {n(truth.V ** 2)} cells are still zero")
    assert so_far(html) == [
        f"docs — the {n(len(truth.names))} names, shuffled with seed {SEED}",
        f"uchars — the {len(truth.uchars)} characters a to z, in order; a character's token id is its place here",
        f"BOS — token {truth.bos}, at both ends of every name",
        f"vocab_size — {truth.V} tokens, the {len(truth.uchars)} characters and BOS",
        "encode(doc) — a name as token ids, BOS at both ends",
        f"state_dict — {truth.V}×{truth.V} counts, row = current token, column = next token;"
        " all zero before training",
        "bigram(token) — each next token's probability, from the token's row with one added to every count",
        "train() — one name per step, first the loss (forward pass), then the counts (update)",
        f"loss — the mean of −ln p over a name's pairs; {f4(math.log(truth.V))} for a uniform guess",
        "sample() — a new name, drawn token by token from bigram() until BOS",
    ]


# ---------------------------------------------------------------- no number typed by hand

# What may stand in prose as digits, each for a reason:
ALLOWED = [
    r"\bSteps? [0-5]\b(?:(?:, | and | to |-|–)[0-5]\b)*",  # the six steps' names, like chapter titles ("Steps 2, 3 and 4")
    r"\bheads? [0-9]\b",   # a head's name, as its index in the code ("head 0")
    r"\bpositions? [0-9]+\b",  # a position's name, as its index in the code ("the m at position 2")
    r"\((?:[A-Z][\w-]+(?:,? (?:and |et al\.)?)?)+, (?:1[89]|20)\d\d\)",  # a citation's year: (Kingma and Ba, 2014)
    r"\bSHA-256\b",        # the name of a checksum
]
# What the scan leaves out: front matter keys and the title (meanings are scanned), fenced code and
# snippets, inline code, math, directives, HTML tags and link targets, list numbers.
FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.DOTALL | re.MULTILINE)
SKIP = [
    re.compile(r"\{\{.*?\}\}", re.DOTALL),                     # directives: their output is generated
    re.compile(r"\$\$.*?\$\$", re.DOTALL),                     # display math
    re.compile(r"\$[^$\n]+\$"),                                # inline math
    re.compile(r"(`+).+?\1", re.DOTALL),                       # inline code
    re.compile(r"<[^>]+>"),                                    # HTML tags
    re.compile(r"\]\([^)]*\)"),                                # link targets
    re.compile(r"\{[:.#][^}]*\}"),                             # attribute lists
    re.compile(r"^\s*\d+\.\s", re.MULTILINE),                  # numbered list items
    re.compile(r"^\s*--8<--.*$", re.MULTILINE),                # snippet lines
]


NUMBER = r"(?<!\w)\d[\d,.]*"   # a number, not the digit of a name like mlp_fc1 or layer0


def prose_of(source):
    """The text of a page a reader sees as prose: the front matter's meanings and the body,
    without what the build generates or what is code."""
    meanings = []
    body = source
    match = re.match(r"^---\n(.*?)\n---\n", source, re.DOTALL)
    if match:
        body = source[match.end():]
        meanings = [m.strip().strip('"') for m in re.findall(r"^\s*-\s*[^:]+:\s*(.*)$", match.group(1), re.M)]
    text = FENCE.sub("", body) + "\n" + "\n".join(meanings)
    for pattern in SKIP:
        text = pattern.sub(" ", text)
    for allowed in ALLOWED:
        text = re.sub(allowed, " ", text)
    return text


SOURCES = sorted((ROOT / "docs").rglob("*.md"))


def test_every_page_is_scanned():
    assert len(SOURCES) >= 10 and ROOT / "docs" / "index.md" in SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_number_is_typed_into_prose(path):
    typed = [f"{digits!r} in {line.strip()!r}"
             for line in prose_of(path.read_text()).split("\n") for digits in re.findall(NUMBER, line)]
    assert not typed, f"{path.relative_to(ROOT)}: numbers typed into prose (write a directive):\n" + "\n".join(typed)


def test_the_scan_finds_typed_numbers():
    assert re.findall(NUMBER, prose_of("Steps 2, 3 and 4 and Step 5; head 0 and heads 1; Adam (Kingma and Ba,"
                                       " 2014), published in 2015, has 4 heads and Step 12.")) == ["2015,", "4", "12."]
    assert re.findall(NUMBER, prose_of("---\ntitle: X\ndefines:\n  - a: 27 tokens\n---\n\n"
                                              "Row a has 1,046 counts, {{ count row=a }} here, `x[0]`, $V^2$,"
                                              " Step 1, SHA-256, mlp_fc1.\n\n```\n1000\n```\n")) == ["1,046", "27"]
    assert re.findall(NUMBER, prose_of("---\ntitle: X\ndefines:\n  - a: 27 tokens\n---\n\nRow a.")) == ["27"]
    assert re.findall(NUMBER, prose_of("Row a has 1,046 counts, {{ count row=a }}, `x[0]`, $V^2$.")) == [
        "1,046"]
