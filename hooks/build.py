"""One build of the guide: MkDocs' events, in the order MkDocs sends them.

hooks/guide.py makes a fresh GuideBuild for every build (every rebuild of
`mkdocs serve` too), so nothing here outlives the build it belongs to.
Problems an author can fix (an unknown name, a bad argument, a missing
snippet section, bad math) are logged as warnings that name the page and
line: `mkdocs serve` keeps going and shows a red mark on the page,
`mkdocs build --strict` fails.
"""

import difflib
import logging
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from hooks import structure
from hooks.directives import DirectiveError, check_snippets, expand
from hooks.mathml import to_mathml
from hooks.pagedata import NAMES, PageData, Run, call
from hooks.runs import RunCache, RunError
from microgpt.data import DataError

log = logging.getLogger("mkdocs.hooks.guide")


class GuideBuild:
    def __init__(self, config):
        self.config = config
        self.started = time.perf_counter()
        runs = (config.extra.get("microgpt") or {}).get("runs") or {}
        try:
            self.requests = {int(step): dict(settings or {}) for step, settings in runs.items()}
        except (TypeError, ValueError):
            raise PluginError("extra.microgpt.runs in mkdocs.yml: map step numbers to settings, e.g. 0: {}") from None
        self.snippet_dirs = [Path(p) for p in config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", ["."])]
        self.runs = {}
        self.places = {}
        self.files = None
        self.published = {}

    # ---------------------------------------------------------- MkDocs events

    def on_files(self, files):
        self.files = files
        try:
            cache = RunCache(log=log)
            self.runs = {step: Run(data) for step, data in cache.load(self.requests).items()}
        except (RunError, DataError) as err:
            raise PluginError(f"guide: {err}") from None
        return files

    def on_nav(self, nav):
        try:
            self.places = structure.map_nav(nav)
        except structure.StructureError as err:
            raise PluginError(f"guide: {err}") from None
        return nav

    def on_page_markdown(self, markdown, page):
        where, offset = self.source_position(page, markdown)
        place = self.places.get(page.file.src_uri)
        data = PageData(self.runs, place.step if place else None, lambda uri, text: self.publish(uri, text, page))

        markdown, errors = expand(markdown, lambda directive: self.render(directive, data))
        bad_snippets = check_snippets(markdown, self.snippet_dirs)
        for line, message in sorted(errors + bad_snippets):
            self.problem(f"{where}:{line + offset}: {message}")
        if bad_snippets:  # keep pymdownx.snippets from stopping the build on the same mistake
            bad_lines = {line for line, _ in bad_snippets}
            lines = markdown.split("\n")
            markdown = "\n".join("" if number in bad_lines else text for number, text in enumerate(lines, start=1))

        if place:
            markdown = self.place_page(page, place, markdown, where)
        return markdown

    def on_page_content(self, html, page):
        where = self.source_position(page)[0]
        return to_mathml(html, lambda latex, err: self.problem(f"{where}: cannot read the math {latex!r}: {err}"))

    def on_post_build(self):
        seconds = time.perf_counter() - self.started
        published = len(self.published)
        log.info(f"guide: {len(self.runs)} run(s), {published} generated file(s), built in {seconds:.2f} s")

    # ---------------------------------------------------------- the work

    def render(self, directive, data):
        entry = NAMES.get(directive.name)
        if entry is None:
            close = difflib.get_close_matches(directive.name, NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DirectiveError(f"unknown name {directive.name!r}{hint}; `python -m hooks names` lists them all")
        if entry.kind != "value" and not directive.alone:
            raise DirectiveError(f"{directive.name} is a {entry.kind}: put it on a line of its own")
        output = call(entry, data, directive.args)
        return f"\n{output.strip()}\n" if entry.kind != "value" else output

    def place_page(self, page, place, markdown, where):
        """Number the page, give it its heading, breadcrumb data and So far box."""
        title = page.meta.get("title")
        if not title:
            self.problem(f"{where}:1: a page in {place.section} needs `title:` in its front matter")
            title = page.title
        if place.number:
            page.title = f"{place.number} {title}"
        else:
            page.title = title = place.section
        page.meta["title"] = page.title  # Material's <title> reads the front matter
        page.meta["guide"] = {
            "section": place.section,
            "landing": place.landing.url if place.landing else None,
            "number": place.number,
        }
        return f"# {title}\n\n{structure.so_far_box(place)}\n\n{markdown}"

    def publish(self, uri, text, page):
        """A generated file (player frames): served with the site, never written into docs/."""
        if uri not in self.published:
            self.files.append(File.generated(self.config, uri, content=text))
            self.published[uri] = text
        elif self.published[uri] != text:
            raise DirectiveError(f"two different contents for the generated file {uri}")
        return get_relative_url(uri, page.url)

    def source_position(self, page, markdown=None):
        """("docs/step-0/training.md", lines of front matter before `markdown`)."""
        docs_dir = Path(self.config.docs_dir)
        where = f"{docs_dir.name}/{page.file.src_uri}"
        if markdown is None or not page.file.abs_src_path:
            return where, 0
        source = Path(page.file.abs_src_path).read_text(encoding="utf-8")
        return where, len(source.splitlines()) - len(markdown.splitlines())

    def problem(self, message):
        log.warning(message)
