"""The History page: the ideas the guide uses, in the order they were published, each with its source and the page where it appears.

The entries are data, hooks/pagedata/history.yml (its header says what each one holds);
{{ timeline }} shows them as an ordered list, year by year. A missing or unknown field, a
malformed DOI or arXiv identifier, or a page that is not in the nav fails the build and
names the entry, so the links cannot drift from the guide.
"""

import re
from html import escape
from pathlib import Path

import yaml
from mkdocs.utils import get_relative_url

from hooks.directives import DirectiveError
from hooks.pagedata import ALL, table

DATA = Path(__file__).with_name("history.yml")
REQUIRED = ("year", "idea", "text", "authors", "title", "venue", "page")
OPTIONAL = ("translated", "lang", "doi", "arxiv")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV = re.compile(r"^\d{4}\.\d{4,5}$")
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
CODE = re.compile(r"`([^`]+)`")
EMPHASIS = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])")


def describe(number, entry):
    """How a message names an entry: its place in the file, and its year and idea if it has them."""
    said = " ".join(str(entry[key]) for key in ("year", "idea") if isinstance(entry, dict) and entry.get(key))
    return f"entry {number}" + (f" ({said})" if said else "")


def read_entries(path=DATA):
    """The entries of the data file, each checked field by field, in the file's order."""
    try:
        entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise DirectiveError(f"timeline: cannot read {path.name}: {err}") from None
    if not isinstance(entries, list) or not entries:
        raise DirectiveError(f"timeline: {path.name} should be a list of entries (see its header)")
    for number, entry in enumerate(entries, start=1):
        check_entry(entry, f"timeline: {path.name}, {describe(number, entry)}")
    return entries


def check_entry(entry, where):
    if not isinstance(entry, dict):
        raise DirectiveError(f"{where}: an entry is a set of fields (year:, idea:, ...), not {entry!r}")
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise DirectiveError(f"{where}: no {missing[0]}: (every entry has {', '.join(REQUIRED)})")
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise DirectiveError(f"{where}: unknown field {unknown[0]}: (fields: {', '.join(REQUIRED + OPTIONAL)})")
    if type(entry["year"]) is not int:
        raise DirectiveError(f"{where}: year: {entry['year']!r} is not a year")
    for key in [key for key in REQUIRED + OPTIONAL if key in entry and key != "year"]:
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise DirectiveError(f"{where}: {key}: should be text (quote it), not {entry[key]!r}")
    if "doi" in entry and not DOI.match(entry["doi"]):
        raise DirectiveError(f"{where}: doi: {entry['doi']!r} is not a DOI (10.NNNN/...)")
    if "arxiv" in entry and not ARXIV.match(entry["arxiv"]):
        raise DirectiveError(f"{where}: arxiv: {entry['arxiv']!r} is not an arXiv identifier (NNNN.NNNNN)")
    if "translated" in entry and "lang" not in entry:
        raise DirectiveError(f"{where}: a translated title needs lang: (the language of the title, e.g. fr)")
    if "lang" in entry and not LANG.match(entry["lang"]):
        raise DirectiveError(f"{where}: lang: {entry['lang']!r} is not a language tag (fr, ru-Latn)")


def slug(idea):
    return "history-" + (re.sub(r"[^a-z0-9]+", "-", idea.lower()).strip("-") or "idea")


def prose(text):
    """An entry's text as HTML: escaped, `code` in code, *a variable* in italics, the lines
    YAML folded joined by single spaces."""
    parts = CODE.split(escape(" ".join(text.split()), quote=False))  # even: prose, odd: code
    return "".join(f"<code>{part}</code>" if i % 2 else EMPHASIS.sub(r"<em>\1</em>", part)
                   for i, part in enumerate(parts))


def source_html(entry):
    """Authors, title (and its translation), venue, and a DOI or arXiv link where there is one."""
    lang = f' lang="{escape(entry["lang"])}"' if "lang" in entry else ""
    title = f"<cite{lang}>{prose(entry['title'])}</cite>"
    if "translated" in entry:
        title += f" (“{prose(entry['translated'])}”)"
    links = []
    if "doi" in entry:
        links.append(f'<a href="https://doi.org/{escape(entry["doi"])}">doi:{escape(entry["doi"])}</a>')
    if "arxiv" in entry:
        links.append(f'<a href="https://arxiv.org/abs/{escape(entry["arxiv"])}">arXiv:{escape(entry["arxiv"])}</a>')
    return f"{prose(entry['authors'])}, {title}. {prose(entry['venue'])}." + "".join(f" {link}" for link in links)


def timeline_html(entries, pages, here):
    """The entries (checked by read_entries) as an ordered list, by year (stable: entries of one
    year keep the file's order). pages: {src_uri: GuidePage} of the nav; here: the page's URL."""
    taken, items = set(), []
    for number, entry in sorted(enumerate(entries, start=1), key=lambda item: item[1]["year"]):
        where = f"timeline: {DATA.name}, {describe(number, entry)}"
        target = pages.get(entry["page"])
        if target is None:
            raise DirectiveError(f"{where}: page: {entry['page']} is not a page of the nav (mkdocs.yml);"
                                 " name the page of the guide where the idea appears, e.g. step-3/rmsnorm.md")
        anchor = slug(entry["idea"])
        if anchor in taken:
            raise DirectiveError(f"{where}: another entry has the idea {entry['idea']!r}; name each idea once")
        taken.add(anchor)
        year = entry["year"]
        items.append(
            f'<li class="mgv-history__entry">'
            f'<h2 class="mgv-history__head" id="{anchor}">'
            f'<time class="mgv-history__year" datetime="{year:04d}">{year}</time> '
            f'<span class="mgv-history__idea">{prose(entry["idea"])}</span></h2>'
            f'<p class="mgv-history__text">{prose(entry["text"])}</p>'
            f'<p class="mgv-history__source"><span class="mgv-history__label">Source:</span> {source_html(entry)}</p>'
            f'<p class="mgv-history__where"><span class="mgv-history__label">In the guide:</span> '
            f'<a href="{escape(get_relative_url(target.url, here))}">{escape(target.title)}</a></p>'
            f"</li>")
    return f'<ol class="mgv-history">{"".join(items)}</ol>'


@table(runs=ALL, reads_guide=True)
def timeline(page):
    """The ideas the guide uses, by year (hooks/pagedata/history.yml), each with its source and a link to its page."""
    if page.guide is None:
        raise DirectiveError("timeline needs the guide's nav (it is built by hooks/guide.py)")
    pages = {guide_page.src_uri: guide_page for guide_page in page.guide.pages}
    if page.page_uri not in pages:
        raise DirectiveError(f"timeline: {page.page_uri} is not in the nav")
    return timeline_html(read_entries(), pages, pages[page.page_uri].url)
