"""The Glossary: every name and term the pages define, each with its meaning and a link to the
page that explains it.

Nothing here is written twice: the entries are the pages' own front matter, `defines:` (the
names of the code a page introduces, which its step's So far boxes show) and `terms:` (the ideas
it explains). A meaning's directives are expanded as on its own page, with its step's run. A
name defined on several pages (train() in several steps) lists each, in the guide's order.
"""

import re
from html import escape

from mkdocs.utils import get_relative_url

from hooks.directives import DirectiveError
from hooks.pagedata import ALL, table


def sort_key(name):
    """Alphabetical, ignoring case and the marks around code names (__add__ sorts under a)."""
    return re.sub(r"[^a-z0-9]", "", name.lower()) or name.lower(), name


def letter_of(name):
    first = sort_key(name)[0][:1]
    return first.upper() if first.isalpha() else "#"


def letter_id(letter):
    return "glossary-" + (letter.lower() if letter.isalpha() else "symbols")


def slug(name, taken):
    base = "term-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "symbol")
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    taken.add(found)
    return found


def entries(guide):
    """{name: [(meaning HTML, page, is_code)]}, each name's pages in the guide's order."""
    found = {}
    for guide_page in guide.pages:
        for kind, pairs in (("code", guide_page.defines), ("idea", guide_page.terms)):
            for name, meaning in pairs:
                html = guide.expand(meaning, guide_page)
                found.setdefault(name, []).append((html, guide_page, kind == "code"))
    return found


@table(runs=ALL, reads_guide=True)
def glossary(page):
    """Every name (defines:) and term (terms:) of the pages' front matter, A to Z, each linked to its page."""
    if page.guide is None:
        raise DirectiveError("glossary needs the guide's nav (it is built by hooks/guide.py)")
    here = next((p.url for p in page.guide.pages if p.src_uri == page.page_uri), None)
    if here is None:
        raise DirectiveError(f"glossary: {page.page_uri} is not in the nav")
    found = entries(page.guide)
    if not found:
        raise DirectiveError("glossary: no page defines anything (defines: or terms: in its front matter)")
    letters, taken = {}, set()
    for name in sorted(found, key=sort_key):
        letters.setdefault(letter_of(name), []).append(name)

    jump = "".join(f'<li><a href="#{letter_id(letter)}">{letter}</a></li>' for letter in letters)
    sections = []
    for letter, names in letters.items():
        items = []
        for name in names:
            defined = found[name]
            shown = f"<code>{escape(name)}</code>" if all(is_code for _, _, is_code in defined) else escape(name)
            meanings = "".join(
                f'<dd>{meaning} <span class="mgv-glossary__where">(<a href="{get_relative_url(where.url, here)}">'
                f'{escape(where.title)}</a>)</span></dd>'
                for meaning, where, _ in defined)
            items.append(f'<dt id="{slug(name, taken)}">{shown}</dt>{meanings}')
        sections.append(f'<section aria-labelledby="{letter_id(letter)}">'
                        f'<h2 id="{letter_id(letter)}">{letter}</h2><dl>{"".join(items)}</dl></section>')
    return (f'<div class="mgv-glossary"><nav class="mgv-glossary__letters" aria-label="Glossary by letter">'
            f'<ul>{jump}</ul></nav>{"".join(sections)}</div>')
