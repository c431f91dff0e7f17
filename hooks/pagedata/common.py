"""Names every run can answer: the data, the tokenizer, the training, the samples.

Values are plain text (the build escapes them where the page needs it);
tables and players are HTML.
"""

import functools
import math
from collections import Counter
from html import escape

from hooks import render
from hooks.directives import DirectiveError
from hooks.pagedata import ALL, fixed, fmt_float, fmt_int, frames_file, player, table, value

# ---------------------------------------------------------------- values: data


@functools.lru_cache(maxsize=1)
def dataset_names():
    """Every name of names.txt in file order, read the way every run reads it (microgpt.data):
    for facts about the file itself, which a run does not record."""
    from microgpt.data import locate_dataset, parse_docs

    _, raw = locate_dataset()
    return tuple(parse_docs(raw))


@value(runs=ALL)
def seed(page, run: int = None):
    """The seed of the run's random number generator (microgpt.data.SEED)."""
    from microgpt.data import SEED

    page.run(run)  # a run must exist for the page (and the seed is part of its code)
    return str(SEED)


@value(runs=ALL)
def repeated_names(page, run: int = None):
    """How many names occur twice in names.txt (a name given to girls and to boys)."""
    page.run(run)
    counts = Counter(dataset_names())
    if max(counts.values()) > 2:
        raise DirectiveError("a name occurs more than twice in names.txt: say so on the page first")
    return fmt_int(sum(1 for n in counts.values() if n == 2))


@value(runs=ALL)
def joined_length(page, run: int = None):
    """How many characters all the names have together: the length of ''.join(docs)."""
    page.run(run)
    return fmt_int(sum(map(len, dataset_names())))


@value(runs=ALL)
def longest_in_dataset(page, run: int = None):
    """The length in characters of the longest name in names.txt (all of it, not only what training sees)."""
    page.run(run)
    return str(max(map(len, dataset_names())))


@value(runs=ALL)
def repeats_in_training(page, run: int = None):
    """How many names come up twice among the names training sees (its steps' docs)."""
    counts = Counter(record["doc"] for record in page.run(run).steps)
    return fmt_int(sum(1 for n in counts.values() if n > 1))


@value(runs=ALL)
def repeat_in_training(page, index: int = 1, run: int = None):
    """The index-th name (from 1, in training order) that training sees twice."""
    run = page.run(run)
    counts = Counter(record["doc"] for record in run.steps)
    twice = list(dict.fromkeys(record["doc"] for record in run.steps if counts[record["doc"]] > 1))
    if not 1 <= index <= len(twice):
        raise DirectiveError(f"index={index}: training sees {len(twice)} name(s) twice")
    return twice[index - 1]


@value(runs=ALL)
def num_docs(page, run: int = None):
    """The number of names in the dataset."""
    return fmt_int(page.run(run).facts["num_docs"])


@value(runs=ALL)
def vocab_size(page, run: int = None):
    """The number of tokens: the characters plus BOS."""
    return fmt_int(page.run(run).facts["vocab_size"])


@value(runs=ALL)
def num_chars(page, run: int = None):
    """The number of distinct characters in the names."""
    return fmt_int(len(page.run(run).facts["uchars"]))


@value(runs=ALL)
def uchars(page, run: int = None):
    """The characters, sorted and joined: abc...z."""
    return "".join(page.run(run).facts["uchars"])


@value(runs=ALL)
def bos(page, run: int = None):
    """The token id of BOS."""
    return str(page.run(run).tokenizer.BOS)


@value(runs=ALL)
def token(page, char: str, run: int = None):
    """The token id of one character (char=a), or of char=BOS."""
    return str(page.run(run).token_id(char))


@value(runs=ALL)
def doc(page, step: int, run: int = None):
    """The name training step `step` learned from (steps count from 1)."""
    return page.run(run).record(step)["doc"]


@value(runs=ALL)
def longest_name(page, run: int = None):
    """The length in characters of the longest name seen in training."""
    return str(max(len(record["doc"]) for record in page.run(run).steps))


@value(runs=ALL)
def num_pairs(page, name: str, run: int = None):
    """How many (token, next token) pairs a name gives: its length plus one."""
    return str(len(page.run(run).encode(name)) - 1)


# ------------------------------------------------------------ values: training


@value(runs=ALL)
def num_steps(page, run: int = None):
    """The number of training steps of the run."""
    return fmt_int(page.run(run).facts["num_steps"])


@value(runs=ALL)
def num_params(page, run: int = None):
    """The number of numbers in the model (step 0: the cells of the count table)."""
    run = page.run(run)
    if "num_params" in run.facts:
        return fmt_int(run.facts["num_params"])
    return fmt_int(sum(len(row) for row in run.snapshot(0)))


@value(runs=ALL)
def loss(page, step: int, run: int = None):
    """The loss printed at training step `step` (from 1), to 4 decimals."""
    return fmt_float(page.run(run).record(step)["loss"])


@value(runs=ALL)
def mean_loss(page, first: int, last: int, run: int = None):
    """The average loss over training steps first..last, to 4 decimals."""
    run = page.run(run)
    if first > last:
        raise DirectiveError(f"first={first} comes after last={last}")
    losses = [run.record(step)["loss"] for step in range(first, last + 1)]
    return fmt_float(sum(losses) / len(losses))


@value(runs=ALL)
def perplexity(page, first: int, last: int, run: int = None):
    """e to the average loss of steps first..last, to 1 decimal: a uniform pick among that many is as unsure."""
    return f"{math.exp(float(mean_loss(page, first, last, run))):.1f}"


def printed_above(run):
    """The steps (from 1) whose printed loss is above the printed ln(vocab_size)."""
    line = float(fmt_float(math.log(run.facts["vocab_size"])))
    return [k for k, record in enumerate(run.steps, start=1) if float(fmt_float(record["loss"])) > line]


@value(runs=ALL)
def above_uniform(page, run: int = None):
    """How many training steps printed a loss above ln(vocab_size), the uniform guess."""
    return fmt_int(len(printed_above(page.run(run))))


@value(runs=ALL)
def last_above_uniform(page, run: int = None):
    """The last training step whose printed loss is above ln(vocab_size)."""
    above = printed_above(page.run(run))
    if not above:
        raise DirectiveError("no step printed a loss above ln(vocab_size)")
    return fmt_int(above[-1])


@value(runs=ALL)
def log_vocab(page, run: int = None):
    """ln(vocab_size): the loss of a model that gives every token the same chance."""
    return fmt_float(math.log(page.run(run).facts["vocab_size"]))


@value(runs=ALL)
def probe_prob(page, name: str, pos: int, after: int, run: int = None):
    """The probability the model, after `after` steps, gives the token at pos+1 of a name."""
    scored = page.run(run).score(name, after)
    if not 0 <= pos < len(scored["target_probs"]):
        raise DirectiveError(f"pos={pos}: {name!r} has positions 0 to {len(scored['target_probs']) - 1}")
    return fmt_float(scored["target_probs"][pos])


@value(runs=ALL)
def probe_loss(page, name: str, after: int, run: int = None):
    """The loss of one name under the model after `after` steps, to 4 decimals."""
    return fmt_float(page.run(run).score(name, after)["loss"])


@value(runs=ALL)
def name_prob(page, name: str, after: int, run: int = None):
    """The probability the model after `after` steps gives a whole name (its pairs' product): 0.0000952.

    Three significant digits, written without an exponent."""
    p = math.prod(page.run(run).score(name, after)["target_probs"])
    return f"{p:.{max(0, 2 - math.floor(math.log10(p)))}f}"


@value(runs=ALL)
def sample(page, index: int, run: int = None):
    """The index-th generated name (from 1)."""
    samples = page.run(run).samples
    if not 1 <= index <= len(samples):
        raise DirectiveError(f"index={index}: the run generated names 1 to {len(samples)}")
    return samples[index - 1]


@value(runs=ALL)
def num_samples(page, run: int = None):
    """How many names the run generated."""
    return fmt_int(len(page.run(run).samples))


# ---------------------------------------------------------------- tables


@table(runs=ALL)
def vocab(page, run: int = None):
    """Every token with its id, as a row of token chips."""
    tokenizer = page.run(run).tokenizer
    return render.token_row(tokenizer, range(tokenizer.vocab_size), arrows=False)


@table(runs=ALL)
def tokens(page, name: str, run: int = None):
    """The tokens of a name, BOS at both ends, with arrows between neighbours."""
    run = page.run(run)
    return render.token_row(run.tokenizer, run.encode(name), arrows=True)


@table(runs=ALL)
def pairs(page, name: str, run: int = None):
    """The forward pass over a name, pair by pair: what the model is asked."""
    run = page.run(run)
    ids = run.encode(name)
    chip = lambda t: render.chip(run.tokenizer, t)
    rows = [
        [f"<code>pos {pos}</code>", f"Given {chip(ids[pos])}, how likely is {chip(ids[pos + 1])}? Note the loss."]
        for pos in range(len(ids) - 1)
    ]
    return render.html_table(["position", "question"], rows)


@table(runs=ALL)
def probe(page, name: str, after: int, run: int = None):
    """A name scored by the model after `after` steps: p and -log p per pair, and the mean."""
    return captioned(probe_rows(page, name, after, run),
                     f"“{escape(name)}” scored by the model after {fmt_int(after)} training steps")


def probe_rows(page, name, after, run):
    run = page.run(run)
    scored = run.score(name, after)
    ids, chip = scored["tokens"], (lambda t: render.chip(run.tokenizer, t))
    rows = [
        [str(pos), f"{chip(ids[pos])} → {chip(ids[pos + 1])}", fmt_float(p), fmt_float(loss_t)]
        for pos, (p, loss_t) in enumerate(zip(scored["target_probs"], scored["losses"]))
    ]
    mean = ["", "<strong>mean: the loss of the name</strong>", "", f"<strong>{fmt_float(scored['loss'])}</strong>"]
    return render.html_table(["pos", "pair", "p (next token)", "loss = −ln p"], rows, final=mean)


@table(runs=ALL)
def printed(page, first: int, last: int, run: int = None):
    """Lines first..last (from 1) of what the run's program printed, as a code block."""
    lines = page.run(run).data["output"].splitlines()
    if not 1 <= first <= last <= len(lines):
        raise DirectiveError(f"first={first} last={last}: the run printed lines 1 to {len(lines)}")
    text = escape("\n".join(lines[first - 1:last]))
    return f'<pre class="mgv-printed"><code>{text}</code></pre>'


def captioned(table_html, caption):
    """A render.html_table with a caption (HTML) as its first child."""
    return table_html.replace("<table>", f"<table><caption>{caption}</caption>", 1)


@table(runs=ALL)
def modulo_table(page, names: int, run: int = None):
    """Which name `docs[step % len(docs)]` would pick at a few steps if docs held only its first `names` names."""
    run = page.run(run)
    total = run.facts["num_steps"]
    if not 1 < names < total or total % names:
        raise DirectiveError(f"names={names}: pick a list shorter than the {total:,} steps that divides them")
    steps = [0, 1, names - 1, names, names + 1, total - 1]
    rows = [[f"<code>{s}</code>", f"<code>{s % names}</code>", escape(run.record(s % names + 1)["doc"])]
            for s in steps]
    table_html = render.html_table(["<code>step</code>", f"<code>step % {names}</code>", "the name"], rows)
    return captioned(table_html, f"If <code>docs</code> held only its first {fmt_int(names)} names, the"
                                 f" {fmt_int(total)} steps would go round it {fmt_int(total // names)} times")


@table(runs=ALL)
def loss_means(page, every: int, run: int = None):
    """The average printed loss over each stretch of `every` training steps, as a table."""
    run = page.run(run)
    total = len(run.steps)
    if not 1 <= every <= total:
        raise DirectiveError(f"every={every}: a stretch is 1 to {total:,} steps")
    rows = []
    for first in range(1, total + 1, every):
        last = min(first + every - 1, total)
        rows.append([f"{fmt_int(first)} to {fmt_int(last)}", mean_loss(page, first, last, run.number)])
    return render.html_table(["training steps", "average loss"], rows)


@table(runs=ALL)
def samples(page, run: int = None):
    """The generated names, as a numbered list of chips."""
    return render.sample_list(page.run(run).samples)


@table(runs=ALL)
def loss_curve(page, run: int = None, window: int = 50):
    """The loss of every training step as an SVG chart, its running mean, and the ln(vocab_size) line."""
    run = page.run(run)
    if window < 1:
        raise DirectiveError("window= must be 1 or more")
    losses = [record["loss"] for record in run.steps]
    return render.loss_chart(losses, run.facts["vocab_size"], window, run.number)


# ---------------------------------------------------------------- players


@player(runs=ALL)
def tokenizer_player(page, run: int = None):
    """Type a name, see its tokens; the vocabulary comes from the run."""
    tk = page.run(run).tokenizer
    return render.tokenizer_shell(tk, render.token_row(tk, tk.encode("ava"), arrows=True))


@player(runs=ALL)
def loss_steps_player(page, name: str, after: int, run: int = None):
    """Step through the loss of a name, pair by pair, under the model after `after` steps."""
    run = page.run(run)
    scored = run.score(name, after)
    losses = scored["losses"]
    means = [sum(losses[:k]) / k for k in range(1, len(losses) + 1)]  # the running mean the player shows
    data = {
        "name": name, "after": after, "labels": render.labels(run.tokenizer), "tokens": scored["tokens"],
        "target_probs": fixed(scored["target_probs"]), "losses": fixed(losses), "means": fixed(means),
    }
    url = frames_file(page, f"generated/step{run.number}/loss-steps-{name}-{after}.json", data)
    return render.player_shell("loss-steps", url, probe_rows(page, name, after, run.number),
                               f"The loss of “{escape(name)}” after {fmt_int(after)} steps")
