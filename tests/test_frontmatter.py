"""Front matter read with the page file's own line numbers."""

import random

import pytest
from mkdocs.utils.meta import get_data

from hooks.frontmatter import front_matter_lines, read_front_matter

LOST = ". MkDocs ignores the whole block when it cannot read it, so the page loses its title and defines"
HOW = "one `- name: what it is` line per item"


def test_a_good_front_matter_and_where_the_body_starts():
    text = "---\ntitle: Loss\ndefines:\n  - loss: the mean of -log p\n---\n\nBody {{ x }}\n"
    meta, start, errors = read_front_matter(text)
    assert (meta, start, errors) == ({"title": "Loss", "defines": [{"loss": "the mean of -log p"}]}, 7, [])
    assert front_matter_lines(text) == 6
    assert text.split("\n")[start - 1] == "Body {{ x }}"


def test_a_page_without_front_matter():
    assert read_front_matter("Just text.\n\nMore.\n") == ({}, 1, [])
    assert read_front_matter("") == ({}, 1, [])
    assert front_matter_lines("Just text.\n") == 0


@pytest.mark.parametrize("text", [
    "---\ntitle: Loss\n---\n\n\nBody\n",
    "---\ntitle: Loss\n---\nBody\nmore\n",
    "---\ntitle: [broken\n---\n\nBody\n",          # unreadable: MkDocs keeps the block in the page
    "---\n- a list\n---\nBody\n",
    "\n\n\nBody\n",
    "Note: this line is eaten by MkDocs\n\nBody\n",
    "Body\n",
])
def test_front_matter_lines_agrees_with_what_mkdocs_hands_on(text):
    body, _ = get_data(text)
    lines = front_matter_lines(text)
    assert text.split("\n")[lines:] == body.split("\n")
    assert read_front_matter(text)[1] == lines + 1


def test_a_bad_indent_is_reported_on_its_line():
    text = "---\ndefines:\n  - a: b\n - c: d\n---\nBody\n"      # line 4 is indented one space less
    assert read_front_matter(text) == ({}, 1, [(4, (
        "front matter cannot be read: the indentation does not line up with the lines above: indent the"
        " items of one list by the same number of spaces (defines: then `  - name: what it is`)" + LOST))])


def test_a_tab_is_reported_on_its_line():
    text = "---\ntitle: Tokens\ndefines:\n\t- uchars: the characters\n---\nBody\n"
    assert read_front_matter(text) == ({}, 1, [(4, (
        "front matter cannot be read: a tab: indent front matter with spaces only" + LOST))])


def test_an_unclosed_quote_is_reported_where_it_opens():
    text = '---\ntitle: Tokens\ndescription: "the characters\ndefines:\n  - a: b\n---\nBody\n'
    assert read_front_matter(text) == ({}, 1, [(3, (
        "front matter cannot be read: the quote opened here is never closed: close it on the same line" + LOST))])


def test_a_colon_in_a_value():
    text = "---\ntitle: Loss: a score\n---\n"
    assert read_front_matter(text)[2] == [(2, (
        "front matter cannot be read: a ':' inside a value: put the value in quotes, e.g."
        ' title: "Loss: a score"' + LOST))]


def test_bad_defines_items_are_reported_on_their_own_lines():
    text = "\n".join([
        "---",                                   # 1
        "title: Tokens",                         # 2
        "defines:",                              # 3
        "  - uchars: the characters",            # 4
        "  - vocab_size the number of tokens",   # 5: a string, no colon
        "  - {bos: 26, eos: 27}",                # 6: two names
        "  - encode:",                           # 7: no meaning
        "  - [a, b]",                            # 8: a list
        "---",
        "Body",
    ])
    meta, start, errors = read_front_matter(text)
    assert start == 10
    assert errors == [
        (5, f"front matter: defines: item 'vocab_size the number of tokens' is not `name: what it is`"
            f" (a ':' and a space after the name?): {HOW}"),
        (6, f"front matter: a defines: item holds 2 names: {HOW}, each with its own '-'"),
        (7, f"front matter: defines: 'encode' needs a meaning after the colon: {HOW}"),
        (8, f"front matter: a defines: item is a list: {HOW}"),
    ]


def test_defines_that_is_not_a_list_and_a_title_that_is_not_text():
    text = "---\ntitle: 2024\ndefines: uchars\n---\n"
    meta, _, errors = read_front_matter(text)
    assert meta == {"title": 2024, "defines": "uchars"}
    assert errors == [
        (2, "front matter: title: must be text, not int 2024: put it in quotes, e.g. title: \"2024\""),
        (3, f"front matter: defines: must be a list, {HOW}"),
    ]


def test_a_key_given_twice_and_braces_in_front_matter():
    text = "---\ntitle: One\ntitle: '{{ num_docs }} names'\n---\n"
    assert read_front_matter(text)[2] == [
        (3, "front matter: 'title' is given twice (also on line 2): keep one, YAML would silently use the last"),
        (3, "front matter: '{{ num_docs }} names' holds '{{' or '}}', which is never expanded here:"
            " write the text itself (directives work in the page body and in defines: and terms: meanings)"),
    ]
    allowed = "---\ntitle: One\ndefines:\n  - BOS: token {{ bos }}, at both ends\n---\n"
    assert read_front_matter(allowed)[2] == []  # the So far box expands it


def test_front_matter_that_is_not_a_mapping():
    assert read_front_matter("---\n- a\n---\nBody\n")[2] == [(2, (
        "front matter is a list, not `key: value` lines: write `title: ...` (and `defines:`) between"
        " the --- lines, or remove the --- lines"))]


def test_metadata_without_dashes_that_mkdocs_would_drop():
    text = "Note: the first line\n\nBody\n"
    assert read_front_matter(text) == ({"note": "the first line"}, 3, [(1, (
        "MkDocs reads line 1 as metadata (`key: value` lines at the top) and drops them from the page:"
        " put them between --- lines as front matter, or start the page with a line that is not `word: text`"))])


PIECES = ["---\n", "---", "title: ", "defines:\n", "  - ", "a: b\n", "\t", "'", '"', "{{", "}}", "\n",
          " ", ":", "- x\n", "...\n", "`", "$", "[", "{", "}", "abc", "!!python/name:os.system"]


@pytest.mark.parametrize("seed", range(300))
def test_fuzz_never_raises_and_lines_are_in_the_file(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
    if seed % 2:
        text = "---\n" + text
    meta, start, errors = read_front_matter(text)
    assert isinstance(meta, dict)
    assert start == front_matter_lines(text) + 1
    assert all(1 <= line <= text.count("\n") + 1 and isinstance(message, str) for line, message in errors)


def test_terms_are_checked_like_defines():
    text = "---\ntitle: Loss\nterms:\n  - loss: the mean of -ln p\n  - perplexity\n---\n"
    meta, _, errors = read_front_matter(text)
    assert meta["terms"] == [{"loss": "the mean of -ln p"}, "perplexity"]
    assert errors == [(5, f"front matter: terms: item 'perplexity' is not `name: what it is`"
                           f" (a ':' and a space after the name?): {HOW}")]
    assert read_front_matter("---\ntitle: Loss\nterms:\n---\n")[2] == [
        (3, f"front matter: terms: is empty: list what the page explains, {HOW}, or remove it")]
    assert read_front_matter("---\ntitle: Loss\nterms:\n  - loss: '{{ log_vocab }} at first'\n---\n")[2] == []
