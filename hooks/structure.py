"""Where a page sits in the guide: its step, its number, what came before it.

The nav in mkdocs.yml is the single source: a section titled "Step N: ..."
is step N; its index page is the step's landing page, its other pages are
N.1, N.2, ... in nav order. Each page's front matter may list what it
defines:

    defines:
      - docs: the names, shuffled
      - uchars: the characters a..z

and the "So far" box of a page lists what the earlier pages of its step defined.
"""

import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page

from hooks.frontmatter import read_front_matter

STEP_SECTION = re.compile(r"^Step (\d+)\b")


class StructureError(Exception):
    pass


@dataclass
class Place:
    step: int
    section: str                 # "Step 0: Counting"
    landing: object              # the step's index Page, or None
    number: str = None           # "0.5"; None for the landing page
    defines: list = field(default_factory=list)   # [(name, meaning)] of this page
    so_far: list = field(default_factory=list)    # [(name, meaning)] of the pages before it


def read_defines(path, key="defines"):
    """The (name, meaning) pairs of a page's `defines:` (or `terms:`) front matter. Bad items
    are skipped here: hooks/frontmatter.py reports them with their lines."""
    meta, _, _ = read_front_matter(Path(path).read_text(encoding="utf-8"))
    items = meta.get(key, [])
    pairs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and len(item) == 1:
            (name, meaning), = item.items()
            pairs.append((str(name), str(meaning)))
    return pairs


@dataclass
class GuidePage:
    """A page of the nav as the Glossary and the History see it."""
    src_uri: str                 # step-0/loss.md
    url: str                     # step-0/loss/
    title: str                   # "0.6 Loss", "Step 0: Counting", "History"
    step: int = None             # None outside the steps
    defines: list = field(default_factory=list)   # [(name, meaning)]: code it introduces
    terms: list = field(default_factory=list)     # [(term, meaning)]: ideas it explains


def guide_pages(nav, places):
    """Every page of the nav, in order, with its title as the reader sees it."""
    found = []
    for page in nav.pages:
        path = page.file.abs_src_path
        meta = read_front_matter(Path(path).read_text(encoding="utf-8"))[0] if path else {}
        place = places.get(page.file.src_uri)
        title = str(meta.get("title") or page.title or "")
        if place and place.number:
            title = f"{place.number} {title}"
        elif place:
            title = place.section
        found.append(GuidePage(page.file.src_uri, page.url, title, place.step if place else None,
                               read_defines(path) if path else [], read_defines(path, "terms") if path else []))
    return found


def map_nav(nav):
    """{src_uri: Place} for every page inside a "Step N" section."""
    places = {}
    for item in nav.items:
        if not isinstance(item, Section):
            continue
        match = STEP_SECTION.match(item.title or "")
        if not match:
            continue
        step = int(match.group(1))
        pages = [child for child in item.children if isinstance(child, Page)]
        landing = next((p for p in pages if p.file.name == "index"), None)
        so_far, number = [], 0
        for page in pages:
            place = Place(step, item.title, landing)
            if page is not landing:
                number += 1
                place.number = f"{step}.{number}"
            place.defines = read_defines(page.file.abs_src_path)
            place.so_far = list(so_far)
            so_far += place.defines
            places[page.file.src_uri] = place
    return places


def so_far_box(place):
    if not place.so_far:
        return ""
    items = "".join(f"<li><code>{escape(name)}</code> — {escape(meaning)}</li>" for name, meaning in place.so_far)
    return (
        f'<aside class="mgv-sofar" aria-label="Defined so far in {escape(place.section)}">'
        f'<p class="mgv-sofar__title">So far</p><ul>{items}</ul></aside>'
    )
