"""HTML and Markdown for generated blocks. Plain functions of plain data.

Generated HTML has no blank lines (a blank line would end Markdown's raw
HTML block) and escapes every piece of text it did not write itself.
"""

import math
from html import escape


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
    """A plain table (Material styles it like a Markdown one). Cells are HTML."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    foot = "<tfoot><tr>" + "".join(f"<td>{c}</td>" for c in final) + "</tr></tfoot>" if final else ""
    return f'<div class="mgv-scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table></div>'


def sample_list(samples):
    items = "".join(f"<li><code>{escape(name)}</code></li>" for name in samples)
    return f'<ol class="mgv-samples">{items}</ol>'


def heat(count, largest):
    """0..1, on a square-root scale so that small counts still show."""
    return 0 if not largest else round((count / largest) ** 0.5, 3)


def count_table(tokenizer, table):
    """The count table: a header row of next tokens, one row per current token."""
    names = labels(tokenizer)
    largest = max(map(max, table))
    head = "".join(f'<th scope="col">{escape(n)}</th>' for n in names)
    body = []
    for i, row in enumerate(table):
        cells = "".join(
            f'<td style="--heat:{heat(c, largest)}"{" class=zero" if c == 0 else ""}>{c}</td>' for c in row
        )
        body.append(f'<tr><th scope="row">{escape(names[i])}</th>{cells}</tr>')
    return (
        '<div class="mgv-scroll"><table class="mgv-counts">'
        '<caption>rows: the current token · columns: the next token</caption>'
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
    """An SVG line chart: each step's loss (thin), its running mean (thick), the baseline."""
    left, right, top, bottom = 44, 16, 14, 34
    baseline = math.log(vocab_size)  # every token equally likely: the loss of knowing nothing
    top_value = max(max(losses), baseline) * 1.05
    n = len(losses)

    def x(i):
        return left + (width - left - right) * i / max(n - 1, 1)

    def y(v):
        return top + (height - top - bottom) * (1 - v / top_value)

    def polyline(values, css):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        return f'<polyline class="{css}" points="{points}"/>'

    running, total = [], 0.0
    for i, v in enumerate(losses):
        total += v - (losses[i - window] if i >= window else 0)
        running.append(total / min(i + 1, window))

    parts = [
        f'<svg class="mgv-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="loss-title-{run_number}">',
        f'<title id="loss-title-{run_number}">Loss at each of the {n:,} training steps of step {run_number},'
        f" its running mean over {window} steps, and the uniform-guess line at {baseline:.4f}</title>",
    ]
    for v in range(0, int(top_value) + 1):
        parts.append(f'<line class="mgv-grid" x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>')
        parts.append(f'<text class="mgv-axis" x="{left - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v}</text>')
    for i in range(0, n + 1, max(n // 4, 1)):
        step_x = x(min(i, n - 1))
        parts.append(f'<text class="mgv-axis" x="{step_x:.1f}" y="{height - 12}" text-anchor="middle">{i:,}</text>')
    parts.append(polyline(losses, "mgv-raw"))
    parts.append(polyline(running, "mgv-mean"))
    parts.append(f'<line class="mgv-base" x1="{left}" x2="{width - right}" y1="{y(baseline):.1f}" y2="{y(baseline):.1f}"/>')
    parts.append(f'<text class="mgv-base-label" x="{width - right}" y="{y(baseline) - 6:.1f}" text-anchor="end">'
                 f"ln {vocab_size} = {baseline:.4f}: the uniform guess</text>")
    parts.append("</svg>")
    legend = (
        '<p class="mgv-legend"><span class="mgv-key mgv-key--raw"></span> loss of each step '
        f'<span class="mgv-key mgv-key--mean"></span> mean of the last {window} '
        '<span class="mgv-key mgv-key--base"></span> uniform guess</p>'
    )
    return f'<figure class="mgv-figure">{"".join(parts)}{legend}</figure>'
