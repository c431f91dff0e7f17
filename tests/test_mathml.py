"""Math: found with page lines before Markdown runs, converted to MathML after."""

import random

import markdown
import pytest

from hooks.directives import error_mark
from hooks.mathml import MathError, check_math, latex_to_mathml, to_mathml

NEVER_CLOSED = "a '{' is never closed: add its '}' (write \\{ for a brace)"
NOTHING_AFTER = "a '^' or '_' has nothing after it: give it a value, e.g. x^{2}"


def arithmatex_html(text):
    """The HTML the site's own Markdown settings make of a page."""
    md = markdown.Markdown(
        extensions=["admonition", "pymdownx.arithmatex", "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(text)


PAGE = "\n".join([
    "A sentence with $p = 1$ and \\(x\\) in it.",     # 1
    "",                                                # 2
    "`$\\frac{1}{$` is code, and so is this:",         # 3
    "",                                                # 4
    "```",                                             # 5
    "$x^$",                                            # 6
    "```",                                             # 7
    "Here the math is bad: $\\frac{1}{$.",             # 8  (the page's line 7 in the brief's terms is here 8)
    "",                                                # 9
    "$$",                                              # 10
    "\\left( x",                                       # 11
    "$$",                                              # 12
    "",                                                # 13
    "!!! note",                                        # 14
    "",                                                # 15
    "    Inside a note $a_$, and $5 or $6 is no math.",  # 16
    "",                                                # 17
    "    \\[",                                          # 18
    "    \\notacommand",                                # 19
    "    \\]",                                          # 20
])


def test_bad_math_on_line_7_is_reported_on_line_7():
    text = "\n".join(["Title", "", "Some prose.", "", "More prose,", "over two lines.", "Then $x^$ here."])
    assert check_math(text) == [(7, f"cannot read the math 'x^': {NOTHING_AFTER}")]


def test_check_math_finds_what_arithmatex_finds_outside_code():
    assert check_math(PAGE) == [
        (8, f"cannot read the math '\\frac{{1}}{{': {NEVER_CLOSED}"),
        (10, "cannot read the math '\\left( x': a \\left has no \\right (or a \\right no \\left): pair them"),
        (16, f"cannot read the math 'a_': {NOTHING_AFTER}"),
        (18, "cannot read the math '\\notacommand': \\notacommand is not a command latex2mathml knows:"
             " check the spelling, or write \\operatorname{notacommand} for an operator name"),
    ]


def test_to_mathml_marks_the_same_failures_and_converts_the_rest():
    reported = []
    html = to_mathml(arithmatex_html(PAGE), lambda latex, err: reported.append(latex))
    assert reported == ["\\frac{1}{", "\\left( x", "a_", "\\notacommand"]
    assert html.count('class="mgv-error"') == 4
    assert html.count("<math ") == 2                  # p = 1 and x
    assert 'class="arithmatex"' not in html          # no raw LaTeX left for the reader
    assert "{{" not in html and "}}" not in html


def test_to_mathml_replaces_a_bad_span_by_an_error_mark():
    html = '<p>See <span class="arithmatex">\\(c_{ij\\)</span>.</p><div class="arithmatex">\\[x^\\]</div>'
    reported = []
    out = to_mathml(html, lambda latex, err: reported.append((latex, str(err))))
    assert reported == [("c_{ij", NEVER_CLOSED), ("x^", NOTHING_AFTER)]
    assert out == (
        "<p>See " + error_mark(f"cannot read the math 'c_{{ij': {NEVER_CLOSED}") + ".</p>"
        "<p>" + error_mark(f"cannot read the math 'x^': {NOTHING_AFTER}") + "</p>"
    )
    assert 'class="mgv-error"' in out and "{" not in out.replace("&#123;", "")


def test_to_mathml_converts_good_math():
    out = to_mathml('<span class="arithmatex">\\(a &lt; b\\)</span>', lambda *a: pytest.fail("no error"))
    assert out == ('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow>'
                   "<mi>a</mi><mo>&#x0003C;</mo><mi>b</mi></mrow></math>")


def test_directives_inside_math_are_read_as_numbers():
    assert check_math("$\\ln V = {{ log_vocab }}$ and $e^{x_{i}}$ and $$ {{ loss step=1 }} $$\n") == []


@pytest.mark.parametrize("latex, message", [
    ("\\frac{1}{", NEVER_CLOSED),
    ("x}", "a '}' closes no '{': remove it or add the '{' it closes (write \\} for a brace)"),
    ("\\notacommand", "\\notacommand is not a command latex2mathml knows: check the spelling,"
                      " or write \\operatorname{notacommand} for an operator name"),
    ("\\arg x", "\\arg is not a command latex2mathml knows: check the spelling,"
                " or write \\operatorname{arg} for an operator name"),
    ("\\sqrt", "it ends too early: a command, '{' or '^'/'_' is missing what follows it;"
               " complete it, e.g. \\frac{1}{2}"),
    ("\\begin{matrix} a", "a \\begin{...} has no matching \\end{...}: add it"),
    ("  ", "the math is empty: write something between the delimiters, or remove them"),
])
def test_latex_to_mathml_rejects_what_latex2mathml_would_draw_wrong(latex, message):
    with pytest.raises(MathError) as caught:
        latex_to_mathml(latex)
    assert str(caught.value) == message


def test_latex2mathml_alone_accepts_some_bad_input():
    """Why latex_to_mathml adds its own checks (if this fails, latex2mathml got stricter)."""
    from latex2mathml.converter import convert

    assert "<mi>\\notacommand</mi>" in convert("\\notacommand")
    assert "<mi>}</mi>" in convert("x}")
    convert("c_{ij")                                   # no error, the brace is never closed
    convert("\\frac{1}")                                # no error, the denominator is missing


def test_the_guide_math_converts():
    for latex in ["P(\\text{next} = j \\mid \\text{current} = i) = \\frac{c_{ij} + 1}{\\sum_{k} c_{ik} + V}",
                  "\\text{loss}_t = -\\ln p(\\text{actual next token})", "-\\ln(1/V) = \\ln V", "V^4"]:
        assert latex_to_mathml(latex, display=True).startswith("<math")


PIECES = ["$", "$$", "\\(", "\\)", "\\[", "\\]", "{", "}", "{{", "}}", "`", "```", "\n", "\n\n", "---",
          "x", "^", "_", "\\frac", "\\left(", "\\right)", " ", "    ", "!!! note\n", "\\\\", "a"]


@pytest.mark.parametrize("seed", range(200))
def test_fuzz_never_raises(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 50)))
    errors = check_math(text)
    assert all(1 <= line <= text.count("\n") + 1 and isinstance(message, str) for line, message in errors)
    html = to_mathml(arithmatex_html(text), lambda latex, err: None)
    assert isinstance(html, str) and 'class="arithmatex"' not in html
