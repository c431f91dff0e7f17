"""Names every run can answer: the data, the tokenizer, the training, the samples.

Values are plain text (the build escapes them where the page needs it);
tables and players are HTML.
"""

import math
from html import escape

from hooks import render
from hooks.directives import DirectiveError
from hooks.pagedata import ALL, fixed, fmt_float, fmt_int, frames_file, player, table, value

# ---------------------------------------------------------------- values: data


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
    return render.player_shell("loss-steps", url, probe(page, name, after, run.number),
                               f"The loss of “{escape(name)}” after {fmt_int(after)} steps")
