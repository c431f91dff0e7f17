"""Math without a CDN: pymdownx.arithmatex (generic mode) marks the LaTeX,
and this turns each mark into MathML, which browsers draw natively.

check_math() reads the Markdown first, finding the LaTeX where arithmatex
will (its own expressions, outside code; see directives.scan), so a mistake
is reported with its page line. to_mathml() converts the marked HTML and
puts a visible error mark where a piece of LaTeX cannot be read, never the
raw LaTeX.

latex2mathml accepts some bad LaTeX without complaint: an unknown command
(\\notacommand, and also real ones it does not know, like \\arg) comes out
as the text "\\notacommand", and unbalanced braces (c_{ij, x}) are drawn as
best it can. latex_to_mathml() adds those two checks.
"""

import functools
import html
import re

from latex2mathml.converter import convert

from hooks.directives import MATH_DIRECTIVE, error_mark, scan

MARKED = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])\s*</(?P=tag)>',
    re.DOTALL,
)
UNKNOWN_COMMAND = re.compile(r">[^<]*?(\\[A-Za-z]+)[^<]*<")

# What each latex2mathml exception means, in words an author can act on.
REASONS = {
    "NoAvailableTokensError": "it ends too early: a command, '{' or '^'/'_' is missing what follows it;"
                              " complete it, e.g. \\frac{1}{2}",
    "MissingSuperScriptOrSubscriptError": "a '^' or '_' has nothing after it: give it a value, e.g. x^{2}",
    "DoubleSubscriptsError": "two subscripts on one thing: group them, e.g. x_{ij}",
    "DoubleSuperscriptsError": "two superscripts on one thing: group them, e.g. x^{ab}",
    "ExtraLeftOrMissingRightError": "a \\left has no \\right (or a \\right no \\left): pair them",
    "MissingEndError": "a \\begin{...} has no matching \\end{...}: add it",
    "NumeratorNotFoundError": "a fraction has no numerator: write \\frac{a}{b}",
    "DenominatorNotFoundError": "a fraction has no denominator: write \\frac{a}{b}",
    "InvalidStyleForGenfracError": "\\genfrac has a bad style argument: use 0 to 3",
    "InvalidAlignmentError": "an array or matrix has a bad column alignment: use l, c or r",
    "InvalidWidthError": "a bad width: give a number and a unit, e.g. 1em",
    "LimitsMustFollowMathOperatorError": "\\limits must follow an operator such as \\sum: move it",
}


class MathError(Exception):
    """LaTeX that cannot become MathML; the message says why and what to do."""


@functools.lru_cache(maxsize=4096)  # the check before Markdown and the conversion after meet the same LaTeX
def latex_to_mathml(latex, display=False):
    """MathML for one piece of LaTeX, or MathError. Stricter than latex2mathml
    alone: unknown commands and unbalanced braces are errors too."""
    if not latex.strip():
        raise MathError("the math is empty: write something between the delimiters, or remove them")
    balance = _brace_problem(latex)
    if balance:
        raise MathError(balance)
    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception as err:  # latex2mathml raises plain exceptions for bad input
        name = type(err).__name__
        reason = REASONS.get(name) or f"{name} {err}".strip() + ": fix the LaTeX"
        raise MathError(reason) from None
    unknown = UNKNOWN_COMMAND.search(mathml)
    if unknown:
        command = unknown.group(1)
        raise MathError(f"{command} is not a command latex2mathml knows: check the spelling, or write"
                        f" \\operatorname{{{command[1:]}}} for an operator name")
    return mathml


def _brace_problem(latex):
    depth, index = 0, 0
    while index < len(latex):
        char = latex[index]
        if char == "\\":
            index += 2                 # \{ \} \\ and commands: not grouping braces
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "a '}' closes no '{': remove it or add the '{' it closes (write \\} for a brace)"
        index += 1
    if depth:
        return "a '{' is never closed: add its '}' (write \\{ for a brace)"
    return None


def check_math(markdown):
    """[(line, message)] for each piece of LaTeX in a Markdown text (outside code,
    where pymdownx.arithmatex finds it) that cannot become MathML. Lines are the
    text's own. A directive inside math ({{ name }}) is read as a number."""
    try:
        errors = []
        for math in scan(markdown).math:
            latex = MATH_DIRECTIVE.sub("0", math.latex)
            try:
                latex_to_mathml(latex, math.display)
            except MathError as err:
                errors.append((math.line, f"cannot read the math '{_shown(math.latex)}': {err}"))
            except Exception as err:  # never stop a build
                errors.append((math.line, f"cannot read the math '{_shown(math.latex)}':"
                                          f" {type(err).__name__}: {err}; fix the LaTeX"))
        return errors
    except Exception as err:
        return [(1, f"the math check failed ({type(err).__name__}: {err}): a bug in hooks/mathml.py")]


def _shown(latex, limit=60):
    text = " ".join(latex.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def to_mathml(page_html, report):
    """Replace every arithmatex mark by MathML; for one that fails call
    report(latex, error) and put a visible error mark (class mgv-error) in
    its place, so the raw LaTeX never reaches the reader."""

    def replace(match):
        block = match.group("block") is not None
        latex = html.unescape(match.group("block") if block else match.group("inline")).strip()
        try:
            mathml = latex_to_mathml(latex, block)
        except Exception as err:
            report(latex, err)
            mark = error_mark(f"cannot read the math '{_shown(latex)}': {err}")
            return f"<p>{mark}</p>" if block else mark
        return f'<div class="mgv-math">{mathml}</div>' if block else mathml

    return MARKED.sub(replace, page_html)
