"""Names only step 0's run can answer: the count table and what is read from it."""

from hooks import render
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
