"""The pages' Markdown pastes no code: every code block of every page is an include of a
marked section of microgpt/ (the build fails if the section is missing), so the code a
reader sees is the code that ran. (Numbers typed into prose: tests/test_step0_pages.py.)"""

import re

from tests.conftest import ROOT

FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n(.*?)^\1\2[ \t]*$", re.DOTALL | re.MULTILINE)
INCLUDE = re.compile(r'^\s*--8<-- "microgpt/[\w/]+\.py:\w+"\s*$')


def pasted_lines(markdown):
    """The lines of code blocks that are not includes of a microgpt/ section."""
    return [line for match in FENCE.finditer(markdown) for line in match.group(3).splitlines()
            if line.strip() and not INCLUDE.match(line)]


def test_every_code_block_of_every_page_is_an_include_of_microgpt():
    pages = sorted((ROOT / "docs").rglob("*.md"))
    blocks = sum(len(FENCE.findall(page.read_text())) for page in pages)
    assert blocks >= 60
    pasted = {str(page.relative_to(ROOT)): pasted_lines(page.read_text()) for page in pages}
    assert {page: lines for page, lines in pasted.items() if lines} == {}


def test_the_scan_finds_pasted_code():
    markdown = ('Text.\n\n``` python\n--8<-- "microgpt/step0_counting.py:bigram"\n```\n\n'
                '``` python\nfor step in range(1000):\n    pass\n```\n\n    indented is prose here\n')
    assert pasted_lines(markdown) == ["for step in range(1000):", "    pass"]
    assert pasted_lines('``` python\n--8<-- "elsewhere/x.py:part"\n```\n') == ['--8<-- "elsewhere/x.py:part"']
