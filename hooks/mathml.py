"""Math without a CDN: pymdownx.arithmatex (generic mode) marks the LaTeX,
and this turns each mark into MathML, which browsers draw natively."""

import html
import re

from latex2mathml.converter import convert

MARKED = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])\s*</(?P=tag)>',
    re.DOTALL,
)


def to_mathml(page_html, report):
    """Replace every arithmatex mark; report(latex, error) for one that fails."""

    def replace(match):
        block = match.group("block") is not None
        latex = html.unescape(match.group("block") if block else match.group("inline")).strip()
        try:
            mathml = convert(latex, display="block" if block else "inline")
        except Exception as err:  # latex2mathml raises plain exceptions for bad input
            report(latex, err)
            return match.group(0)
        return f'<div class="mgv-math">{mathml}</div>' if block else mathml

    return MARKED.sub(replace, page_html)
