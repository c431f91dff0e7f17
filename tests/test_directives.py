"""Finding, parsing and expanding directives; checking snippet references."""

import pytest

from hooks.directives import DirectiveError, check_snippets, expand, find, parse
from tests.conftest import ROOT


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


def test_find_reports_lines_and_skips_code():
    text = "\n".join([
        "The {{ num_docs }} names.",          # 1
        "```python",                           # 2
        "x = {{ not_expanded }}",              # 3
        "```",                                 # 4
        "Inline `{{ shown_as_code }}` here.",  # 5
        "    {{ tokens name=ava }}",           # 6
        "~~~~",                                # 7
        "```",                                 # 8: not the closing fence
        "{{ still_code }}",                    # 9
        "~~~~",                                # 10
        "{{ loss step=1 }} and {{ bos }}",     # 11
    ])
    found, errors = find(text)
    assert errors == []
    assert [(d.line, d.name, d.alone) for d in found] == [
        (1, "num_docs", False), (6, "tokens", True), (11, "loss", False), (11, "bos", False),
    ]
    assert found[1].indent == "    " and found[1].args == {"name": "ava"}


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
    assert errors == [(3, "bad is bad"), (4, "'7up' is not a name: names are lowercase words joined by _")]
    assert out.splitlines()[0] == "ok"
    assert 'class="mgv-error"' in out.splitlines()[2]


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
