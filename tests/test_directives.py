"""Finding, parsing and expanding directives; checking snippet references."""

import random

import pytest

from hooks.directives import (
    DirectiveError, check_snippets, code_error_mark, error_mark, expand, find, leftovers, parse,
)
from tests.conftest import ROOT



def never_closed(excerpt):
    return ("'{{' is never closed: add '}}' after " + repr(excerpt) + " before the end of the paragraph"
            " (a directive may wrap over lines, not over a blank line or a code fence)")


STRAY = ("'}}' closes no directive: remove it, or add the '{{' that opens it in the same"
         " paragraph (to show the syntax to the reader, write {{! name }})")
LITERAL_IN_FENCE = ("literal directives work in prose and inline code, not in a code block: the page may"
                    " not contain two braces in a row, so show the syntax in `inline code` instead")


def name_of(directive):
    return f"<{directive.name}>"


def test_parse_name_and_arguments():
    assert parse(" loss step=100 ") == ("loss", {"step": "100"})
    assert parse('probe name="mary ann" after=5') == ("probe", {"name": "mary ann", "after": "5"})
    assert parse("player count_table run=0") == ("player count_table", {"run": "0"})


@pytest.mark.parametrize("inside, message", [
    ("  ", "empty directive"),
    ("Loss", "is not a name"),
    ("loss 100", "argument '100' in {{loss 100}} is not key=value"),
    ("loss step=1 step=2", "argument 'step' given twice"),
    ('loss name="ava', "cannot read"),
])
def test_parse_rejects_what_it_cannot_read(inside, message):
    with pytest.raises(DirectiveError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse(inside)


def test_find_reports_lines_and_contexts_in_prose_and_code():
    # Changed: directives in code are found now (they used to be left as raw text).
    text = "\n".join([
        "The {{ num_docs }} names.",          # 1
        "```python",                           # 2
        "x = {{ in_fence }}",                  # 3
        "```",                                 # 4
        "Inline `{{ in_code }}` here.",        # 5
        "    {{ tokens name=ava }}",           # 6: continues the paragraph, so prose
        "~~~~",                                # 7
        "```",                                 # 8: not the closing fence
        "{{ still_fence }}",                   # 9
        "~~~~",                                # 10
        "{{ loss step=1 }} and {{ bos }}",     # 11
    ])
    found, errors = find(text)
    assert errors == []
    assert [(d.line, d.name, d.context, d.alone) for d in found] == [
        (1, "num_docs", "prose", False),
        (3, "in_fence", "fence", False),
        (5, "in_code", "inline_code", False),
        (6, "tokens", "prose", True),
        (9, "still_fence", "fence", False),
        (11, "loss", "prose", False),
        (11, "bos", "prose", False),
    ]
    assert found[3].indent == "    " and found[3].args == {"name": "ava"}
    assert (found[2].start, found[2].end) == (8, 21)


def test_alone_only_in_prose_and_indented_code_blocks_are_code():
    text = "Text.\n\n    {{ table }}\n\n!!! note\n\n    {{ table }}\n\n```\n{{ table }}\n```\n"
    found, errors = find(text)
    assert errors == []
    assert [(d.line, d.context, d.alone, d.indent) for d in found] == [
        (3, "fence", False, "    "),       # an indented code block after a paragraph
        (7, "prose", True, "    "),        # the body of an admonition
        (10, "fence", False, ""),
    ]


def test_expand_replaces_inline_and_block_directives_keeping_indentation():
    text = "A {{ a }} and {{ b }}.\n\n!!! note\n\n    {{ block }}\n"
    rendered = {"a": "1", "b": "2", "block": "\nrow one\nrow two\n"}
    out, errors = expand(text, lambda d: rendered[d.name])
    assert errors == []
    assert out == "A 1 and 2.\n\n!!! note\n\n    row one\n    row two\n\n"


def test_expand_marks_failures_and_reports_their_lines():
    def render(directive):
        if directive.name == "bad":
            raise DirectiveError("bad is bad")
        return "ok"

    out, errors = expand("{{ good }}\n\nSee {{ bad }}.\n{{ 7up }}\n", render)
    # Changed: the message says where the names are listed, and a directive that
    # cannot be read is replaced by the mark too (it used to stay as raw text).
    assert errors == [(3, "bad is bad"), (4, "'7up' is not a name: names are lowercase words joined by _"
                                             " (`python -m hooks names` lists them)")]
    assert out == ("ok\n\nSee " + error_mark("bad is bad") + ".\n"
                   + error_mark("'7up' is not a name: names are lowercase words joined by _"
                                " (`python -m hooks names` lists them)") + "\n")
    assert leftovers(out) == []


def test_expand_in_inline_code_and_fences_with_context():
    text = "Characters `{{ uchars }}`, ``{{ bos }}`` and {{ bos }}.\n\n``` python\nvocab = {{ vocab }}\n```\n"
    seen = []

    def render(directive):
        seen.append((directive.name, directive.context))
        return {"uchars": "abc", "bos": "26", "vocab": "27"}[directive.name]

    out, errors = expand(text, render)
    assert errors == []
    assert seen == [("uchars", "inline_code"), ("bos", "inline_code"), ("bos", "prose"), ("vocab", "fence")]
    assert out == "Characters `abc`, ``26`` and 26.\n\n``` python\nvocab = 27\n```\n"


def test_a_directive_wrapped_over_lines_is_one_directive():
    text = "The loss after\n{{ loss\n   step=100 }} names, and {{\nbos }}.\n"
    found, errors = find(text)
    assert errors == []
    assert [(d.line, d.end_line, d.start, d.end, d.name, d.args) for d in found] == [
        (2, 3, 0, 14, "loss", {"step": "100"}),
        (3, 4, 26, 6, "bos", {}),
    ]
    out, errors = expand(text, lambda d: {"loss": "2.45", "bos": "26"}[d.name])
    assert (out, errors) == ("The loss after\n2.45 names, and 26.\n", [])


def test_a_directive_cannot_span_a_blank_line_or_a_fence():
    text = "A {{ loss\n\nstep=100 }}\n\nB {{ loss\n```\n}}\n```\n"
    found, errors = find(text)
    assert found == []
    assert errors == [
        (1, never_closed("{{ loss")),
        (3, STRAY),
        (5, never_closed("{{ loss")),
        (7, STRAY),
    ]


def test_never_closed_and_stray_braces_become_marks_with_their_lines():
    text = "Fine {{ a }}.\n\nStray }} here,\nand {{ open\nstill open\n\n`code }}` and\n```\nx = {{ y\n```\n"
    out, errors = expand(text, name_of)
    assert errors == [
        (3, STRAY),
        (4, never_closed("{{ open")),
        (7, STRAY),
        (9, never_closed("{{ y")),
    ]
    assert out == (
        "Fine <a>.\n\nStray " + error_mark(STRAY) + " here,\nand "
        + error_mark(never_closed("{{ open")) + " open\nstill open\n\n"
        "`code " + code_error_mark(STRAY) + "` and\n```\nx = "
        + code_error_mark(never_closed("{{ y")) + " y\n```\n"
    )
    assert "{{" not in out and "}}" not in out
    assert code_error_mark(STRAY) == (
        "[build error: '))' closes no directive: remove it, or add the '((' that opens it in the same"
        " paragraph (to show the syntax to the reader, write ((! name )))]")


def test_error_marks_contain_no_double_braces():
    assert error_mark("bad {{ x }} `y` $z$ <b>") == (
        '<strong class="mgv-error">build error: bad &#123;&#123; x &#125;&#125; &#96;y&#96;'
        ' &#36;z&#36; &lt;b&gt;</strong>')


def test_literal_syntax_in_prose_and_inline_code():
    text = "Write {{! loss step=100 }} in a page, or `{{! loss step=100 }}`, not `{{! tokens }} = {{ bos }}`.\n"
    out, errors = expand(text, lambda d: "26")
    assert errors == []
    assert out == (
        "Write &#123;&#123; loss step=100 &#125;&#125; in a page,"
        " or <code>&#123;&#123; loss step=100 &#125;&#125;</code>,"
        " not <code>&#123;&#123; tokens &#125;&#125; = 26</code>.\n"
    )
    assert "{{" not in out and "}}" not in out and leftovers(out) == []
    found, errors = find(text)
    assert [d.name for d in found] == ["bos"] and errors == []    # literals are not directives


def test_literal_text_is_escaped_for_html_and_markdown():
    out, errors = expand('`{{! probe name="<b>*x*</b>" }}`', name_of)
    assert errors == []
    assert out == '<code>&#123;&#123; probe name="&lt;b&gt;&#42;x&#42;&lt;/b&gt;" &#125;&#125;</code>'


def test_literal_syntax_in_a_fence_is_an_error():
    text = "```\nx = {{! loss }}\n```\n"
    out, errors = expand(text, name_of)
    assert errors == [(2, LITERAL_IN_FENCE)]
    assert out == "```\nx = " + code_error_mark(LITERAL_IN_FENCE) + "\n```\n"
    assert leftovers(out) == []


def test_directives_in_math_and_latex_braces():
    text = "With $V$ = {{ vocab_size }}, $\\ln V = {{ log_vocab }}$ and $e^{x_{i}}$ or $x^{{2}}$.\n"
    found, errors = find(text)
    assert errors == []
    assert [(d.name, d.context) for d in found] == [("vocab_size", "prose"), ("log_vocab", "math")]
    out, errors = expand(text, lambda d: "3.3")
    assert out == "With $V$ = 3.3, $\\ln V = 3.3$ and $e^{x_{i}}$ or $x^{{2}}$.\n"
    assert leftovers(out) == []          # the braces left are LaTeX's


def test_a_value_that_cannot_go_in_inline_code():
    out, errors = expand("See `{{ x }}`.", lambda d: "a`b")
    message = ("{{ x }} gives a value with a backtick or a line break, which cannot go in `inline code`:"
               " put it in prose or a code block")
    assert errors == [(1, message)]
    assert out == "See `" + code_error_mark(message) + "`."


def test_a_renderer_bug_is_reported_not_raised():
    out, errors = expand("A {{ x }}.", lambda d: 1 / 0)
    assert errors == [(1, "{{ x }} failed: ZeroDivisionError: division by zero (a bug in hooks/pagedata.py)")]
    assert out == "A " + error_mark(errors[0][1]) + "."


def test_a_fence_never_closed_is_reported():
    assert find("Text\n\n```python\nx = 1\n")[1] == [
        (3, "the code fence ``` opened here is never closed: end the code block with a line ```")]


def test_leftovers_finds_braces_anywhere_but_math():
    text = "ok\nvalue }} here\n\n`{{ x`\n\n```\n{{\n```\n\n$a_{b_{c}}$\n"
    message = ("{!r} is left in the page after expansion: write {{{{! name }}}} to show the syntax"
               " (prose or inline code); if a directive's value holds it, fix that value in hooks/pagedata.py")
    assert leftovers(text) == [(2, message.format("}}")), (4, message.format("{{")), (7, message.format("{{"))]
    assert leftovers("nothing {here}") == []


FUZZ_PIECES = ["{", "}", "{{", "}}", "{{!", "`", "``", "```", "$", "$$", "\n", "\n\n", "---", "~~~",
               " ", "    ", "a", "loss", "step=1", "=", '"', "!", "\\", "(", "-", "*"]


@pytest.mark.parametrize("seed", range(300))
def test_fuzz_never_raises_and_leaves_no_braces(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(0, 60)))

    def render(directive):
        if rng.random() < 0.3:
            raise DirectiveError("no {{ such }} thing")
        return "v"

    found, errors = find(text)
    assert all(d.context in ("prose", "inline_code", "fence", "math") for d in found)
    assert all(isinstance(line, int) and 1 <= line <= text.count("\n") + 1 for line, _ in errors)
    out, errors = expand(text, render)
    assert isinstance(out, str)
    assert all(isinstance(line, int) and isinstance(message, str) for line, message in errors)
    left = leftovers(out)
    if "$" not in text and "\\" not in text:   # without math every brace pair is replaced
        assert left == [], (text, out)


def test_check_snippets_names_missing_files_and_sections():
    text = "\n".join([
        '--8<-- "microgpt/step0_counting.py:bigram"',
        '--8<-- "microgpt/step0_counting.py:bigrams"',
        '--8<-- "microgpt/nowhere.py"',
        "```python",
        '--8<-- "microgpt/tokenizer.py:tokenizer"',
        "```",
    ])
    errors = check_snippets(text, [ROOT])
    assert errors == [
        (2, "snippet 'microgpt/step0_counting.py:bigrams': microgpt/step0_counting.py has no section 'bigrams'"
            " (its sections: bigram, count_table, forward, sample, training, update)"),
        (3, "snippet 'microgpt/nowhere.py': no file 'microgpt/nowhere.py'"),
    ]
