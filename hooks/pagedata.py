"""Every name a page can use, and what it becomes.

Three kinds, one namespace:

- value:  a number or a word inside a sentence        {{ num_docs }}
- table:  a generated block: table, figure, list      {{ increments name=ava }}
- player: an interactive block fed by generated JSON  {{ player count_table }}

Each is a function below, registered with @value, @table or @player. Its
first line of docstring is its documentation (`python -m hooks names`), its
keyword arguments are the directive's arguments, converted by their
annotations. A function raises DirectiveError for anything it cannot do; the
build reports it with the page and line.

Numbers come from runs (a page in step N reads run N unless it says run=M)
or from calling microgpt on what a run recorded. Nothing here computes what
microgpt computes.
"""

import inspect
import json
import math
from dataclasses import dataclass
from html import escape

from hooks import render
from hooks.directives import DirectiveError
from microgpt.program import step_module
from microgpt.record import score_name
from microgpt.tokenizer import Tokenizer

NAMES = {}  # name -> Entry


@dataclass
class Entry:
    name: str
    kind: str
    function: object
    doc: str

    @property
    def parameters(self):
        return list(inspect.signature(self.function).parameters.values())[1:]

    def usage(self):
        args = []
        for p in self.parameters:
            kind = p.annotation.__name__
            if p.default is inspect.Parameter.empty:
                args.append(f"{p.name}=<{kind}>")
            else:
                args.append(f"[{p.name}=<{kind}>]" if p.default is None else f"[{p.name}={p.default}]")
        return "{{ " + " ".join([self.name, *args]) + " }}"


def register(kind):
    def decorate(function):
        # players are written {{ player NAME }}; their functions end in _player
        name = f"player {function.__name__.removesuffix('_player')}" if kind == "player" else function.__name__
        doc = inspect.getdoc(function).splitlines()[0]
        NAMES[name] = Entry(name, kind, function, doc)
        return function
    return decorate


value, table, player = register("value"), register("table"), register("player")


def call(entry, page, args):
    """Convert the directive's text arguments by annotation and call the entry."""
    parameters = {p.name: p for p in entry.parameters}
    unknown = sorted(set(args) - set(parameters))
    if unknown:
        known = ", ".join(parameters) or "none"
        raise DirectiveError(f"{entry.name} takes no argument {unknown[0]!r} (its arguments: {known})")
    converted = {}
    for name, parameter in parameters.items():
        if name not in args:
            if parameter.default is inspect.Parameter.empty:
                raise DirectiveError(f"{entry.name} needs {name}=...: {entry.usage()}")
            continue
        try:
            converted[name] = parameter.annotation(args[name])
        except ValueError:
            raise DirectiveError(f"{entry.name}: {name}={args[name]!r} is not a {parameter.annotation.__name__}") from None
    return entry.function(page, **converted)


class Run:
    """One recorded run, with the questions pages ask of it."""

    def __init__(self, data):
        self.data = data
        self.number = data["step"]
        self.facts = data["facts"]
        self.steps = data["steps"]
        self.samples = data["samples"]
        self.tokenizer = Tokenizer(self.facts["uchars"])
        self.code = step_module(self.number)

    def record(self, step):
        """The record of training step `step`, counted from 1 as the printed lines count."""
        if not 1 <= step <= len(self.steps):
            raise DirectiveError(f"step={step}: run {self.number} has steps 1 to {len(self.steps)}")
        return self.steps[step - 1]

    def snapshot(self, after):
        snapshots = self.data["snapshots"]
        if str(after) not in snapshots:
            kept = ", ".join(sorted(snapshots, key=int)) or "none"
            raise DirectiveError(
                f"after={after}: run {self.number} kept the model after {kept} steps only;"
                f" add {after} to extra.microgpt.runs.{self.number}.snapshot_after in mkdocs.yml"
            )
        return snapshots[str(after)]

    def token_id(self, label):
        """'a' -> 0, 'BOS' -> 26."""
        if label == "BOS":
            return self.tokenizer.BOS
        if label not in self.tokenizer.uchars:
            raise DirectiveError(f"{label!r} is not a token: use one of a..z or BOS")
        return self.tokenizer.uchars.index(label)

    def encode(self, name):
        bad = sorted(set(name) - set(self.tokenizer.uchars))
        if bad or not name:
            raise DirectiveError(f"name={name!r}: a name is one or more of the characters a..z")
        return self.tokenizer.encode(name)

    def score(self, name, after):
        return score_name(self.code, self.snapshot(after), self.tokenizer, name)


class PageData:
    """What a directive function may use: the runs, the page's own step, and a
    way to publish a generated file."""

    def __init__(self, runs, page_step, publish):
        self.runs = runs
        self.page_step = page_step
        self.publish = publish  # publish(uri, text) -> the URL of the file, relative to the page

    def run(self, number=None):
        if number is None:
            if self.page_step is None:
                raise DirectiveError("this page belongs to no step: say which run, e.g. run=0")
            number = self.page_step
        if number not in self.runs:
            configured = ", ".join(map(str, sorted(self.runs))) or "none"
            raise DirectiveError(f"run={number}: no such run in extra.microgpt.runs (configured: {configured})")
        return self.runs[number]


def fmt_int(n):
    return f"{n:,}"


def fmt_float(x, digits=4):
    return f"{x:.{digits}f}"


# ---------------------------------------------------------------- values: data


@value
def num_docs(page, run: int = None):
    """The number of names in the dataset."""
    return fmt_int(page.run(run).facts["num_docs"])


@value
def vocab_size(page, run: int = None):
    """The number of tokens: the characters plus BOS."""
    return fmt_int(page.run(run).facts["vocab_size"])


@value
def num_chars(page, run: int = None):
    """The number of distinct characters in the names."""
    return fmt_int(len(page.run(run).facts["uchars"]))


@value
def uchars(page, run: int = None):
    """The characters, sorted and joined: abc...z."""
    return "".join(page.run(run).facts["uchars"])


@value
def bos(page, run: int = None):
    """The token id of BOS."""
    return str(page.run(run).tokenizer.BOS)


@value
def token(page, char: str, run: int = None):
    """The token id of one character (char=a), or of char=BOS."""
    return str(page.run(run).token_id(char))


@value
def doc(page, step: int, run: int = None):
    """The name training step `step` learned from (steps count from 1)."""
    return escape(page.run(run).record(step)["doc"])


@value
def longest_name(page, run: int = None):
    """The length in characters of the longest name seen in training."""
    return str(max(len(record["doc"]) for record in page.run(run).steps))


@value
def num_pairs(page, name: str, run: int = None):
    """How many (token, next token) pairs a name gives: its length plus one."""
    return str(len(page.run(run).encode(name)) - 1)


# ------------------------------------------------------------ values: training


@value
def num_steps(page, run: int = None):
    """The number of training steps of the run."""
    return fmt_int(page.run(run).facts["num_steps"])


@value
def num_params(page, run: int = None):
    """The number of numbers in the model (step 0: the cells of the count table)."""
    run = page.run(run)
    if "num_params" in run.facts:
        return fmt_int(run.facts["num_params"])
    return fmt_int(sum(len(row) for row in run.snapshot(run.facts["num_steps"])))


@value
def loss(page, step: int, run: int = None):
    """The loss printed at training step `step` (from 1), to 4 decimals."""
    return fmt_float(page.run(run).record(step)["loss"])


@value
def mean_loss(page, first: int, last: int, run: int = None):
    """The average loss over training steps first..last, to 4 decimals."""
    run = page.run(run)
    if first > last:
        raise DirectiveError(f"first={first} comes after last={last}")
    losses = [run.record(step)["loss"] for step in range(first, last + 1)]
    return fmt_float(sum(losses) / len(losses))


@value
def log_vocab(page, run: int = None):
    """ln(vocab_size): the loss of a model that gives every token the same chance."""
    return fmt_float(math.log(page.run(run).facts["vocab_size"]))


@value
def count(page, row: str, col: str, after: int, run: int = None):
    """The count table's cell [row][col] after `after` steps (row=a col=v, or BOS)."""
    run = page.run(run)
    return fmt_int(run.snapshot(after)[run.token_id(row)][run.token_id(col)])


@value
def row_total(page, row: str, after: int, run: int = None):
    """How many pairs start with token `row` after `after` steps."""
    run = page.run(run)
    return fmt_int(sum(run.snapshot(after)[run.token_id(row)]))


@value
def total_count(page, after: int, run: int = None):
    """The sum of the whole count table after `after` steps: every pair counted."""
    return fmt_int(sum(map(sum, page.run(run).snapshot(after))))


@value
def zero_cells(page, after: int, run: int = None):
    """How many cells of the count table are still 0 after `after` steps."""
    return fmt_int(sum(row.count(0) for row in page.run(run).snapshot(after)))


@value
def bigram_prob(page, row: str, col: str, after: int, run: int = None):
    """bigram(row)[col] for the table after `after` steps, to 4 decimals."""
    run = page.run(run)
    probs = run.code.bigram(run.snapshot(after), run.token_id(row))
    return fmt_float(probs[run.token_id(col)])


@value
def probe_prob(page, name: str, pos: int, after: int, run: int = None):
    """The probability the model, after `after` steps, gives the token at pos+1 of a name."""
    scored = page.run(run).score(name, after)
    if not 0 <= pos < len(scored["target_probs"]):
        raise DirectiveError(f"pos={pos}: {name!r} has positions 0 to {len(scored['target_probs']) - 1}")
    return fmt_float(scored["target_probs"][pos])


@value
def probe_loss(page, name: str, after: int, run: int = None):
    """The loss of one name under the model after `after` steps, to 4 decimals."""
    return fmt_float(page.run(run).score(name, after)["loss"])


@value
def sample(page, index: int, run: int = None):
    """The index-th generated name (from 1)."""
    samples = page.run(run).samples
    if not 1 <= index <= len(samples):
        raise DirectiveError(f"index={index}: the run generated names 1 to {len(samples)}")
    return escape(samples[index - 1])


@value
def num_samples(page, run: int = None):
    """How many names the run generated."""
    return fmt_int(len(page.run(run).samples))


# ---------------------------------------------------------------- tables


@table
def vocab(page, run: int = None):
    """Every token with its id, as a row of token chips."""
    tokenizer = page.run(run).tokenizer
    return render.token_row(tokenizer, range(tokenizer.vocab_size), arrows=False)


@table
def tokens(page, name: str, run: int = None):
    """The tokens of a name, BOS at both ends, with arrows between neighbours."""
    run = page.run(run)
    return render.token_row(run.tokenizer, run.encode(name), arrows=True)


@table
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


@table
def increments(page, name: str, run: int = None):
    """The cells the update adds one to for a name, via microgpt's update()."""
    run = page.run(run)
    ids = run.encode(name)
    blank = run.code.init_model(run.tokenizer, None)
    cells = run.code.update(blank, ids)
    chip = lambda t: render.chip(run.tokenizer, t)
    rows = [[f"<code>state_dict[{i}][{j}] += 1</code>", f"{chip(i)} was followed by {chip(j)}"] for i, j in cells]
    return render.html_table(["update", "because"], rows)


@table
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


@table
def samples(page, run: int = None):
    """The generated names, as a numbered list of chips."""
    return render.sample_list(page.run(run).samples)


@table
def count_table(page, after: int, run: int = None):
    """The whole count table after `after` steps, as an HTML table."""
    run = page.run(run)
    return render.count_table(run.tokenizer, run.snapshot(after))


@table
def loss_curve(page, run: int = None, window: int = 50):
    """The loss of every training step as an SVG chart, its running mean, and the ln(vocab_size) line."""
    run = page.run(run)
    if window < 1:
        raise DirectiveError("window= must be 1 or more")
    losses = [record["loss"] for record in run.steps]
    return render.loss_chart(losses, run.facts["vocab_size"], window, run.number)


# ---------------------------------------------------------------- players


def frames_file(page, uri, data):
    return page.publish(uri, json.dumps(data, separators=(",", ":")))


@player
def count_table_player(page, run: int = None):
    """The 27×27 count table filling name by name; without JavaScript, the final table."""
    run = page.run(run)
    if "cells" not in run.steps[0]:
        raise DirectiveError(f"run {run.number} has no count table: the count_table player is for step 0")
    steps = [{"doc": r["doc"], "tokens": r["tokens"], "cells": r["cells"], "loss": r["loss"]} for r in run.steps]
    url = frames_file(page, f"generated/step{run.number}/count-table.json",
                      {"labels": render.labels(run.tokenizer), "steps": steps})
    final = run.snapshot(run.facts["num_steps"])
    return render.player_shell("count-table", url, render.count_table(run.tokenizer, final),
                               f"The count table after all {fmt_int(len(steps))} names")


@player
def tokenizer_player(page, run: int = None):
    """Type a name, see its tokens; the vocabulary comes from the run."""
    tk = page.run(run).tokenizer
    return render.tokenizer_shell(tk, render.token_row(tk, tk.encode("ava"), arrows=True))


@player
def loss_steps_player(page, name: str, after: int, run: int = None):
    """Step through the loss of a name, pair by pair, under the model after `after` steps."""
    run = page.run(run)
    scored = run.score(name, after)
    data = {
        "name": name, "after": after, "labels": render.labels(run.tokenizer),
        "tokens": scored["tokens"], "target_probs": scored["target_probs"],
        "losses": scored["losses"], "loss": scored["loss"],
    }
    url = frames_file(page, f"generated/step{run.number}/loss-steps-{name}-{after}.json", data)
    return render.player_shell("loss-steps", url, probe(page, name, after, run.number),
                               f"The loss of “{escape(name)}” after {fmt_int(after)} steps")


@player
def bigram_rows_player(page, after: int, run: int = None):
    """Pick a row of the count table; see bigram()'s next-token distribution for it."""
    run = page.run(run)
    table_after = run.snapshot(after)
    rows = [run.code.bigram(table_after, token_id) for token_id in range(run.tokenizer.vocab_size)]
    data = {"after": after, "labels": render.labels(run.tokenizer), "counts": table_after, "probs": rows}
    url = frames_file(page, f"generated/step{run.number}/bigram-rows-{after}.json", data)
    fallback = render.distribution_table(run.tokenizer, table_after, rows, run.token_id("a"))
    return render.player_shell("bigram-rows", url, fallback, f"bigram(a) after {fmt_int(after)} steps")
