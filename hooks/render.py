"""HTML and Markdown for generated blocks. Plain functions of plain data.

Generated HTML has no blank lines (a blank line would end Markdown's raw
HTML block) and escapes every piece of text it did not write itself.
"""

import math
import re
from html import escape

from hooks import svg


def labels(tokenizer):
    return [tokenizer.label(token_id) for token_id in range(tokenizer.vocab_size)]


def chip(tokenizer, token_id):
    """A token as the guide writes it: its character with its id below, e.g. a₀, BOS₂₆."""
    label = escape(tokenizer.label(token_id))
    kind = " mgv-tok--bos" if token_id == tokenizer.BOS else ""
    return f'<span class="mgv-tok{kind}">{label}<sub>{token_id}</sub></span>'


def token_row(tokenizer, ids, arrows):
    arrow = '<span class="mgv-arrow" aria-hidden="true">→</span>' if arrows else " "
    text = " ".join(f"{tokenizer.label(t)} {t}" for t in ids)
    chips = arrow.join(chip(tokenizer, t) for t in ids)
    return f'<p class="mgv-tokens" aria-label="tokens: {escape(text)}">{chips}</p>'


def html_table(headers, rows, final=None):
    """A plain table (Material styles it like a Markdown one) in a box that scrolls
    sideways when it must (players.js makes it a named, focusable region then).
    Cells are HTML."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    foot = "<tfoot><tr>" + "".join(f"<td>{c}</td>" for c in final) + "</tr></tfoot>" if final else ""
    label = "Table: " + ", ".join(re.sub(r"<[^>]*>", "", h) for h in headers)
    return (f'<div class="mgv-scroll" data-label="{escape(label)}">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table></div>")


def sample_list(samples):
    items = "".join(f"<li><code>{escape(name)}</code></li>" for name in samples)
    return f'<ol class="mgv-samples">{items}</ol>'


def heat(count, largest):
    """0..1, on a square-root scale so that small counts still show: the kit's shared
    scale (hooks/svg.py, MGV.kit.heat in players.js); guide.css picks the colour."""
    return svg.heat(count, largest, 0, "sqrt")


def count_table(tokenizer, table):
    """The count table: a header row of next tokens, one row per current token.
    Every column is as wide as the largest count (--mgv-digits), so that a player
    filling the table never makes it jump."""
    names = labels(tokenizer)
    largest = max(map(max, table))
    head = "".join(f'<th scope="col">{escape(n)}</th>' for n in names)
    body = []
    for i, row in enumerate(table):
        cells = "".join(
            f'<td style="--heat:{svg.num(heat(c, largest))}"{" class=zero" if c == 0 else ""}>{c}</td>' for c in row
        )
        body.append(f'<tr><th scope="row">{escape(names[i])}</th>{cells}</tr>')
    return (
        '<div class="mgv-scroll" data-label="The count table">'
        f'<table class="mgv-counts" style="--mgv-digits:{len(str(largest))}">'
        '<caption><span>rows: the current token · columns: the next token</span></caption>'
        f'<thead><tr><th scope="col"><span class="mgv-sr">current ↓ next →</span></th>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></div>'
    )


def distribution_table(tokenizer, table, all_probs, row_id):
    """One row of the model: count and probability of each next token."""
    names = labels(tokenizer)
    rows = "".join(
        f'<tr><th scope="row">{escape(names[j])}</th><td>{table[row_id][j]}</td><td>{p:.4f}</td></tr>'
        for j, p in enumerate(all_probs[row_id])
    )
    return (
        f'<table class="mgv-dist"><caption>after {escape(names[row_id])}: the next token</caption>'
        f'<thead><tr><th scope="col">next</th><th scope="col">count</th><th scope="col">bigram()</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def player_shell(kind, frames_url, fallback, caption):
    """A player's place on the page. Without JavaScript, the fallback is what shows;
    players.js builds the controls around it."""
    return (
        f'<figure class="mgv-player" data-player="{kind}" data-frames="{escape(frames_url)}">'
        f'<div class="mgv-stage">{fallback}</div>'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def tokenizer_shell(tokenizer, example):
    uchars = escape("".join(tokenizer.uchars))
    return (
        f'<figure class="mgv-player mgv-tokenizer" data-player="tokenizer" data-uchars="{uchars}"'
        f' data-bos="{tokenizer.BOS}">'
        f'<div class="mgv-stage">{example}</div>'
        f"<figcaption>The tokens of “ava”</figcaption></figure>"
    )


def loss_chart(losses, vocab_size, window, run_number, width=640, height=280):
    """A line chart (the kit's, hooks/svg.py): each step's loss (thin), its running mean
    over `window` steps (thick), and the uniform-guess line ln(vocab_size)."""
    baseline = math.log(vocab_size)  # every token equally likely: the loss of knowing nothing
    n = len(losses)
    running, total = [], 0.0
    for i, v in enumerate(losses):
        total += v - (losses[i - window] if i >= window else 0)
        running.append(total / min(i + 1, window))
    return svg.line_chart(
        [
            {"name": "loss of each step", "values": losses, "tone": 2, "weight": "thin"},
            {"name": f"mean of the last {window}", "values": running, "tone": 0, "weight": "thick"},
        ],
        uid=f"loss-{run_number}",
        title=(f"Loss at each of the {n:,} training steps of step {run_number},"
               f" its running mean over {window} steps, and the uniform-guess line at {baseline:.4f}"),
        x=range(1, n + 1), x_min=0, y_min=0, x_title="training step", y_title="loss",
        reference={"value": baseline, "label": f"ln {vocab_size} = {baseline:.4f}: the uniform guess"},
        width=width, height=height,
    )
