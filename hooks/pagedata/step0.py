"""Names only step 0's run can answer: the count table and what is read from it."""

import inspect
import math

from hooks import render
from hooks.directives import DirectiveError
from hooks.pagedata import fixed, fmt_float, fmt_int, frames_file, player, table, value
from microgpt import step0_counting

STEP0 = (0,)


def pairs_of(tokens):
    """(token, next token) for each neighbour pair: the cells update() adds one to."""
    return [[tokens[i], tokens[i + 1]] for i in range(len(tokens) - 1)]


@value(runs=STEP0)
def count(page, row: str, col: str, after: int, run: int = None):
    """The count table's cell [row][col] after `after` steps (row=a col=v, or BOS)."""
    run = page.run(run)
    return fmt_int(run.snapshot(after)[run.token_id(row)][run.token_id(col)])


@value(runs=STEP0)
def row_total(page, row: str, after: int, run: int = None):
    """How many pairs start with token `row` after `after` steps."""
    run = page.run(run)
    return fmt_int(sum(run.snapshot(after)[run.token_id(row)]))


@value(runs=STEP0)
def total_count(page, after: int, run: int = None):
    """The sum of the whole count table after `after` steps: every pair counted."""
    return fmt_int(sum(map(sum, page.run(run).snapshot(after))))


@value(runs=STEP0)
def zero_cells(page, after: int, run: int = None):
    """How many cells of the count table are still 0 after `after` steps."""
    return fmt_int(sum(row.count(0) for row in page.run(run).snapshot(after)))


@value(runs=STEP0)
def bigram_prob(page, row: str, col: str, after: int, run: int = None):
    """bigram(row)[col] for the table after `after` steps, to 4 decimals."""
    run = page.run(run)
    probs = step0_counting.bigram(run.snapshot(after), run.token_id(row))
    return fmt_float(probs[run.token_id(col)])


@value(runs=STEP0)
def row_zeros(page, row: str, after: int, run: int = None):
    """How many cells of row `row` are still 0 after `after` steps: next tokens never seen after it."""
    run = page.run(run)
    return fmt_int(run.snapshot(after)[run.token_id(row)].count(0))


@value(runs=STEP0)
def unseen_prob(page, row: str, after: int, run: int = None):
    """The probability bigram(row) gives, all together, to the next tokens never seen after `row`."""
    run = page.run(run)
    counts = run.snapshot(after)[run.token_id(row)]
    probs = step0_counting.bigram(run.snapshot(after), run.token_id(row))
    return fmt_float(sum(p for p, c in zip(probs, counts) if c == 0))


@value(runs=STEP0)
def prior_share(page, row: str, after: int, run: int = None):
    """The part of bigram(row) that comes from the added ones: vocab_size / (row total + vocab_size)."""
    run = page.run(run)
    counts = run.snapshot(after)[run.token_id(row)]
    return fmt_float(len(counts) / (sum(counts) + len(counts)))


@value(runs=STEP0)
def top_next(page, row: str, after: int, run: int = None):
    """The next token counted most often after `row` in the table after `after` steps (a letter or BOS)."""
    run = page.run(run)
    counts = run.snapshot(after)[run.token_id(row)]
    best = max(counts)
    if best == 0 or counts.count(best) > 1:
        raise DirectiveError(f"row={row} after={after}: no single next token is counted most often")
    return run.tokenizer.label(counts.index(best))


def training_pairs(run, after):
    """Every (token, next token) pair of the first `after` training names."""
    if after < 1:
        raise DirectiveError(f"after={after}: these losses are over the first `after` training names; use 1 or more")
    pairs = []
    for record in run.steps[:after]:
        tokens = run.tokenizer.encode(record["doc"])
        pairs += [(tokens[i], tokens[i + 1]) for i in range(len(tokens) - 1)]
    return pairs


@value(runs=STEP0)
def mean_pair_loss(page, after: int, run: int = None):
    """The model's loss per pair (bigram(), add-one) on the first `after` training names, after those steps.

    Every pair of those names is scored with the table after the same `after` steps."""
    run = page.run(run)
    state_dict = run.snapshot(after)
    losses = [-math.log(step0_counting.bigram(state_dict, i)[j]) for i, j in training_pairs(run, after)]
    return fmt_float(sum(losses) / len(losses))


@value(runs=STEP0)
def ml_pair_loss(page, after: int, run: int = None):
    """mean_pair_loss with plain count / row total: the maximum-likelihood table's loss per pair.

    No table of next-token probabilities gives those pairs a lower loss."""
    run = page.run(run)
    state_dict = run.snapshot(after)
    losses = [-math.log(state_dict[i][j] / sum(state_dict[i])) for i, j in training_pairs(run, after)]
    return fmt_float(sum(losses) / len(losses))


@value(runs=STEP0)
def sample_limit(page, run: int = None):
    """The most tokens sample() draws for one name (its max_len)."""
    page.run(run)
    return fmt_int(inspect.signature(step0_counting.sample).parameters["max_len"].default)


@value(runs=STEP0)
def cut_samples(page, run: int = None):
    """How many generated names stopped at the length limit rather than at BOS."""
    limit = inspect.signature(step0_counting.sample).parameters["max_len"].default
    return fmt_int(sum(len(name) == limit for name in page.run(run).samples))


@value(runs=STEP0)
def context_cells(page, back: int, run: int = None):
    """The cells a count table needs to look `back` tokens back: vocab_size ** (back + 1)."""
    if back < 1:
        raise DirectiveError("back= is 1 or more")
    return fmt_int(page.run(run).facts["vocab_size"] ** (back + 1))


@table(runs=STEP0)
def increments(page, name: str, run: int = None):
    """The cells the update adds one to for a name: microgpt's update() on an empty table."""
    run = page.run(run)
    ids = run.encode(name)
    table_after = step0_counting.init_model(run.tokenizer, None)
    step0_counting.update(table_after, ids)
    cells = pairs_of(ids)
    assert sum(map(sum, table_after)) == len(cells)  # update() counted exactly these pairs
    chip = lambda t: render.chip(run.tokenizer, t)
    rows = [[f"<code>state_dict[{i}][{j}] += 1</code>", f"{chip(i)} was followed by {chip(j)}"] for i, j in cells]
    return render.html_table(["update", "because"], rows)


@table(runs=STEP0)
def count_table(page, after: int, run: int = None):
    """The whole count table after `after` steps, as an HTML table."""
    run = page.run(run)
    return render.count_table(run.tokenizer, run.snapshot(after))


@player(runs=STEP0)
def count_table_player(page, run: int = None):
    """The 27×27 count table filling name by name; without JavaScript, the final table."""
    run = page.run(run)
    steps = []
    for record in run.steps:
        tokens = run.tokenizer.encode(record["doc"])
        steps.append({"doc": record["doc"], "tokens": tokens, "cells": pairs_of(tokens),
                      "loss": fixed(record["loss"])})
    url = frames_file(page, f"generated/step{run.number}/count-table.json",
                      {"labels": render.labels(run.tokenizer), "steps": steps})
    final = run.snapshot(len(steps))
    return render.player_shell("count-table", url, render.count_table(run.tokenizer, final),
                               f"The count table after all {fmt_int(len(steps))} names")


@player(runs=STEP0)
def bigram_rows_player(page, after: int, run: int = None):
    """Pick a row of the count table; see bigram()'s next-token distribution for it."""
    run = page.run(run)
    table_after = run.snapshot(after)
    rows = [step0_counting.bigram(table_after, token_id) for token_id in range(run.tokenizer.vocab_size)]
    data = {"after": after, "labels": render.labels(run.tokenizer), "counts": table_after, "probs": fixed(rows)}
    url = frames_file(page, f"generated/step{run.number}/bigram-rows-{after}.json", data)
    fallback = render.distribution_table(run.tokenizer, table_after, rows, run.token_id("a"))
    return render.player_shell("bigram-rows", url, fallback, f"bigram(a) after {fmt_int(after)} steps")
