"""Scripts and style sheets that only some pages need, loaded only by those pages.

mkdocs.yml loads the shared core on every page (extra_css: guide.css, extra_javascript:
players.js) and lists the rest under extra.microgpt.page_assets. A page gets

- a script when it holds a player of a kind the script defines: the script calls
  MGV.define("kind", ...) or MGV.defineWithFrames("kind", ...), the page has
  data-player="kind";
- a style sheet when one of its selectors can match: the page uses every mgv-* class
  the selector names (outside :not()), in its HTML or in the scripts it loads (which
  add classes as they draw). Every selector of a page style sheet names an mgv-*
  class: a sheet with a rule for every page belongs in guide.css.

Style sheets go at the end of <head>; Material's instant navigation adds and removes
them as the reader moves between pages. Scripts go at the end of <main>, deferred, so
they run after players.js on a page that is loaded, and Material runs them again when
it swaps a page in; MGV.define starts the page's players either way.
"""

import re
from pathlib import Path

from mkdocs.utils import get_relative_url

KIND = re.compile(r"""MGV\.define(?:WithFrames)?\(\s*["']([\w-]+)["']""")
STYLED_CLASS = re.compile(r"\.(mgv-[\w-]+)")
USED_CLASS = re.compile(r"""\bclass=["']([^"']*)["']""")
PLAYER = re.compile(r"""\bdata-player=["']([\w-]+)["']""")
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


class AssetError(Exception):
    pass


NEGATION = re.compile(r":not\([^()]*\)")


def selectors(css):
    """Every selector of a style sheet, one per item of a selector list (at-rules such as
    @media looked into)."""
    css = COMMENT.sub("", css)
    found = []
    for group in re.findall(r"([^{}]+)\{", css):
        if not group.strip().startswith("@"):
            found += [part.strip() for part in re.split(r",(?![^()]*\))", group) if part.strip()]
    return found


def required_classes(selector):
    """The mgv-* classes an element tree must have for `selector` to match anything."""
    return frozenset(STYLED_CLASS.findall(NEGATION.sub("", selector)))


def read_page_assets(docs_dir, uris, everywhere):
    """{uri: what the page must use}: kinds for a script, classes for a style sheet.
    Raises AssetError for a file that cannot be told apart this way."""
    docs_dir = Path(docs_dir)
    needs = {}
    for uri in uris:
        if uri in everywhere:
            raise AssetError(f"{uri} is in extra.microgpt.page_assets and also loaded on every page"
                             " (extra_css / extra_javascript): keep it in one list")
        path = docs_dir / uri
        if not path.is_file():
            raise AssetError(f"extra.microgpt.page_assets: {uri} is not a file of docs/")
        text = path.read_text(encoding="utf-8")
        if uri.endswith(".js"):
            kinds = set(KIND.findall(text))
            if not kinds:
                raise AssetError(f"{uri} defines no player (no MGV.define(\"kind\", ...)): no page would load"
                                 " it; load it on every page (extra_javascript) if it is shared code")
            needs[uri] = kinds
        elif uri.endswith(".css"):
            unscoped = [s for s in selectors(text) if not required_classes(s)]
            if unscoped:
                raise AssetError(f"{uri}: the rule for {unscoped[0]!r} names no mgv-* class, so no page can"
                                 " be told to load it: scope it to a class, or move it to guide.css")
            needs[uri] = {required_classes(s) for s in selectors(text)}
        else:
            raise AssetError(f"extra.microgpt.page_assets: {uri} is neither a script (.js) nor a style sheet (.css)")
    return needs


def unlisted(docs_dir, folder, listed):
    """The scripts and style sheets of docs/FOLDER that no list loads."""
    root = Path(docs_dir)
    found = sorted(p.relative_to(root).as_posix() for p in (root / folder).glob("*")
                   if p.suffix in (".js", ".css"))
    return [uri for uri in found if uri not in listed]


def used_by(html, needs, script_classes):
    """The page assets an HTML page uses, in the order they are listed. script_classes:
    {script uri: the mgv-* class names its source mentions}, players.js's included; a name
    that ends in "-" ("mgv-tone-" + i) stands for every class it begins."""
    kinds = set(PLAYER.findall(html))
    scripts = [uri for uri, wanted in needs.items() if uri.endswith(".js") and wanted & kinds]
    classes = {name for value in USED_CLASS.findall(html) for name in value.split()}
    for uri in [*scripts, *(uri for uri in script_classes if uri not in needs)]:
        classes |= script_classes.get(uri, set())
    prefixes = tuple(name for name in classes if name.endswith("-"))

    def present(name):
        return name in classes or name.startswith(prefixes)

    sheets = [uri for uri, wanted in needs.items() if uri.endswith(".css")
              and any(all(present(name) for name in selector) for selector in wanted)]
    return [uri for uri in needs if uri in scripts or uri in sheets]


def classes_in_scripts(docs_dir, uris):
    """{uri: the mgv-* class names its source mentions} for each script in `uris`."""
    return {uri: set(re.findall(r"mgv-[\w-]*", (Path(docs_dir) / uri).read_text(encoding="utf-8")))
            for uri in uris if uri.endswith(".js")}


def add_to_page(html, uris, page_url):
    """The page with a <link> for each style sheet and a <script> for each script in `uris`."""
    links = "".join(f'<link rel="stylesheet" href="{get_relative_url(uri, page_url)}">'
                    for uri in uris if uri.endswith(".css"))
    scripts = "".join(f'<script src="{get_relative_url(uri, page_url)}" defer></script>'
                      for uri in uris if uri.endswith(".js"))
    if links:
        html = html.replace("</head>", links + "</head>", 1)
    if scripts:
        html = html.replace("</main>", scripts + "</main>", 1)
    return html
