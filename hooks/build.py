"""One build of the guide: MkDocs' events, in the order MkDocs sends them.

hooks/guide.py makes a fresh GuideBuild for every build (every rebuild of
`mkdocs serve` too); what outlives a build (the trainer, the probe memo) is
in the session it is given. Problems an author can fix (an unknown name, a
bad argument, a missing snippet section, bad math, bad front matter) are
logged as warnings that name the page and line: `mkdocs serve` keeps going
and shows a red mark on the page, `mkdocs build --strict` fails. No mistake
in a page shows a traceback.

Runs: `mkdocs build` trains what is missing and waits for it; `mkdocs serve`
answers at once, shows a placeholder where a run is still training, and
rebuilds when the run lands in the cache.
"""

import difflib
import hashlib
import html
import json
import logging
import re
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from hooks import assets, structure
from hooks.directives import DirectiveError, check_snippets, error_mark, expand, leftovers
from hooks.frontmatter import read_front_matter
from hooks.mathml import check_math, to_mathml
from hooks.outputs import OutputMemo
from hooks.pagedata import NAMES, PROBLEMS, PageData, Pending, Run, call
from hooks.runs import RunCache, RunError
from hooks.training import Trainer
from microgpt.data import DataError

log = logging.getLogger("mkdocs.hooks.guide")
STASHED = re.compile(r"<!--mgv-stash:(\d+)-->")


MARKDOWN_MARKS = str.maketrans({"*": "&#42;", "_": "&#95;", "`": "&#96;", "[": "&#91;", "]": "&#93;"})


def prose_safe(value):
    """A value as text in a sentence: HTML escaped, and Markdown's marks as entities, so that
    `total**-1` or `wte[26]` reads as written instead of turning bold or into a link."""
    return html.escape(value).translate(MARKDOWN_MARKS)


class GuideIndex:
    """Every page of the nav (structure.GuidePage), for the directives that read the whole
    guide: expand(meaning, guide_page) renders a meaning's directives as on its own page.
    `digest` names all of it, so their kept outputs are recomputed when any of it changes."""

    def __init__(self, pages, expand):
        self.pages = pages
        self.expand = expand
        described = [[p.src_uri, p.url, p.title, p.step, p.defines, p.terms] for p in pages]
        self.digest = hashlib.sha256(json.dumps(described).encode()).hexdigest()[:20]


class GuideBuild:
    def __init__(self, config, session=None):
        self.config = config
        self.session = session if session is not None else {"command": "build", "trainer": None, "memo": {}}
        self.serving = self.session["command"] == "serve"
        self.cache = None
        self.pending = {}       # step -> Job still training (serve only)
        self.placeholders = []  # (page, step) where a placeholder was shown
        self.math_reported = {}  # src_uri -> whether check_math found a problem there
        self.started = time.perf_counter()
        runs = (config.extra.get("microgpt") or {}).get("runs") or {}
        try:
            self.requests = {int(step): dict(settings or {}) for step, settings in runs.items()}
        except (TypeError, ValueError):
            raise PluginError("extra.microgpt.runs in mkdocs.yml: map step numbers to settings, e.g. 0: {}") from None
        self.snippet_dirs = [Path(p) for p in config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", ["."])]
        self.runs = {}
        self.places = {}
        self.guide = None  # GuideIndex, from the nav
        self.files = None
        self.published = {}
        self.outputs = None  # OutputMemo: what each directive became, once the run keys are known
        self.stashed = {}  # src_uri -> [HTML block]: generated HTML kept out of Markdown's way (stash())
        # uri -> the kinds or classes a page must use; script uri -> the classes its source mentions
        self.page_assets, self.script_classes = self.read_page_assets(config)

    # ---------------------------------------------------------- MkDocs events

    def on_files(self, files):
        self.files = files
        for problem in PROBLEMS:
            self.problem(problem)
        try:
            self.cache = RunCache(log=log)
            entries = self.cache.entries(self.requests)
            missing = []
            for step, entry in entries.items():
                data = self.cache.read(entry)
                if data is None:
                    missing.append(entry)
                else:
                    self.runs[step] = Run(data, entry.key, self.session["memo"], self.cache.probes)
            self.outputs = OutputMemo(self.cache.directory, {step: entry.key for step, entry in entries.items()},
                                      self.session.setdefault("outputs", {}))
            trainer = self.trainer()
            if self.serving:
                trainer.retain({entry.key for entry in entries.values()})
            if missing:
                jobs = trainer.submit(missing)
                if self.serving:  # never wait: pages show a placeholder until the run lands
                    self.pending = jobs
                else:
                    trainer.wait(list(jobs.values()))
                    for entry in missing:
                        self.runs[entry.step] = Run(self.cache.read(entry), entry.key, self.session["memo"],
                                                    self.cache.probes)
            if not self.serving:
                self.cache.prune(entries.values())
        except (RunError, DataError) as err:
            raise PluginError(f"guide: {err}") from None
        return files

    def trainer(self):
        """The session's trainer, made once: under serve it outlives this build."""
        trainer = self.session.get("trainer")
        if trainer is None or trainer.cache.directory != self.cache.directory:
            trainer = self.session["trainer"] = Trainer(self.cache, log=log)
        trainer.cache = self.cache
        trainer.loud = self.serving
        return trainer

    def watch_runs(self, server):
        """Under serve: a run landing in the cache rebuilds the site (and reloads the browser)."""
        self.cache.directory.mkdir(parents=True, exist_ok=True)
        server.watch(str(self.cache.directory), recursive=False)

    def on_nav(self, nav):
        try:
            self.places = structure.map_nav(nav)
        except structure.StructureError as err:
            raise PluginError(f"guide: {err}") from None
        self.guide = GuideIndex(structure.guide_pages(nav, self.places), self.expand_meaning)
        return nav

    def on_page_markdown(self, markdown, page):
        where = self.source_name(page)
        offset, marks = 0, []
        if page.file.abs_src_path:
            _, body_start, front_errors = read_front_matter(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
            offset = body_start - 1  # a line of the file = a line of the Markdown body + offset
            for line, message in front_errors:
                self.problem(f"{where}:{line}: {message}")
                marks.append(error_mark(f"front matter, line {line}: {message}"))
        place = self.places.get(page.file.src_uri)
        data = PageData(self.runs, place.step if place else None, lambda uri, text: self.publish(uri, text, page),
                        self.pending, page.file.src_uri, self.guide, markdown)
        waiting = {}

        # Snippets and math are checked before expansion, while lines are the author's lines.
        bad_snippets = check_snippets(markdown, self.snippet_dirs)
        math_errors = check_math(markdown)
        self.math_reported[page.file.src_uri] = bool(math_errors)
        if bad_snippets:  # keep pymdownx.snippets from stopping the build on the same mistake
            bad_lines = {line for line, _ in bad_snippets}
            lines = markdown.split("\n")
            markdown = "\n".join("" if number in bad_lines else text for number, text in enumerate(lines, start=1))
        markdown, errors = expand(markdown, lambda directive: self.render(directive, data, waiting))
        for line, message in sorted(errors + bad_snippets + math_errors):
            self.problem(f"{where}:{line + offset}: {message}")
        for line, message in leftovers(markdown):  # a value that itself holds braces
            self.problem(f"{where}: {message} (line {line} of the expanded Markdown)")

        if waiting:
            markdown = self.waiting_note(waiting) + markdown
            self.placeholders.append((where, sorted(waiting)))
        if marks:
            markdown = "\n\n".join(marks) + "\n\n" + markdown
        if place:
            markdown = self.place_page(page, place, markdown, where, data, waiting)
        return markdown

    def on_page_content(self, page_html, page):
        where = self.source_name(page)
        if self.math_reported.get(page.file.src_uri):  # already reported with its line
            report = lambda latex, err: None  # noqa: E731
        else:
            report = lambda latex, err: self.problem(f"{where}: cannot read the math {latex!r}: {err}")  # noqa: E731
        return self.unstash(to_mathml(page_html, report), page)

    def on_post_build(self):
        if self.outputs is not None:
            self.outputs.save()
        seconds = time.perf_counter() - self.started
        published = len(self.published)
        if self.placeholders and not self.serving:
            for where, steps in self.placeholders:
                self.problem(f"{where}: still shows a placeholder for step {', '.join(map(str, steps))}")
        waiting = f", {len(self.pending)} still training" if self.pending else ""
        outputs = f", {self.outputs.added} output(s) computed, {self.outputs.reused} reused" if self.outputs else ""
        log.info(f"guide: {len(self.runs)} run(s){waiting}, {published} generated file(s){outputs},"
                 f" built in {seconds:.2f} s")

    # ---------------------------------------------------------- the work

    def render(self, directive, data, waiting):
        entry = NAMES.get(directive.name)
        if entry is None:
            close = difflib.get_close_matches(directive.name, NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DirectiveError(f"unknown name {directive.name!r}{hint}; `python -m hooks names` lists them all")
        in_code = getattr(directive, "context", "prose") != "prose"
        if entry.kind != "value" and (in_code or not directive.alone):
            raise DirectiveError(f"{directive.name} is a {entry.kind}: put it on a line of its own, outside code")
        try:
            output = self.computed(entry, data, directive.args)
        except Pending as pending:
            waiting[pending.job.step] = pending.job
            return self.placeholder(entry, pending.job, in_code)
        if entry.kind == "value":
            return output if in_code else prose_safe(output)
        return f"\n{self.stash(output.strip(), data.page_uri)}\n"

    def stash(self, block, page_uri):
        """A generated HTML block (a table, a figure, a player: up to hundreds of kB of SVG) goes
        into the page after Markdown has run, not through it: Markdown would only pass it through,
        slowly. It stands in the Markdown as a comment, which Markdown keeps as it is. Tables come
        back before the search plugin reads the page, so their words are found; figures (charts,
        players: SVG, frames, fallbacks) after it, as data-search-exclude would leave them."""
        if not block.startswith("<"):
            return block  # Markdown (a code fence): Markdown's to convert
        kept = self.stashed.setdefault(page_uri, [])
        kept.append(block)
        return f"<!--mgv-stash:{len(kept) - 1}-->"

    def unstash(self, page_html, page, figures=False):
        kept = self.stashed.get(page.file.src_uri)
        if not kept:
            return page_html

        def restore(match):
            index = int(match.group(1))
            if index >= len(kept) or kept[index].startswith("<figure") != figures:
                return match.group(0)
            return kept[index]

        return STASHED.sub(restore, page_html)

    def on_post_page(self, output, page):
        output = self.unstash(output, page, figures=True)
        self.stashed.pop(page.file.src_uri, None)
        used = assets.used_by(output, self.page_assets, self.script_classes)
        return assets.add_to_page(output, used, page.url)

    def read_page_assets(self, config):
        listed = (config.extra.get("microgpt") or {}).get("page_assets") or []
        everywhere = [str(uri) for uri in [*config.extra_css, *config.extra_javascript]]
        try:
            needs = assets.read_page_assets(config.docs_dir, listed, everywhere)
        except assets.AssetError as err:
            raise PluginError(f"guide: {err}") from None
        for uri in assets.unlisted(config.docs_dir, "assets/guide", [*listed, *everywhere]):
            self.problem(f"docs/{uri} is loaded by no page: list it in extra.microgpt.page_assets in mkdocs.yml"
                         " (or extra_css / extra_javascript for every page)")
        return needs, assets.classes_in_scripts(config.docs_dir, [*listed, *everywhere])

    def computed(self, entry, data, args):
        """call(entry, data, args), or what it gave in an earlier build with the same runs and code
        (the files it published are published again)."""
        if self.outputs is None:
            return call(entry, data, args)
        label = self.outputs.label(data.page_uri, entry.name,
                                   {**args, "(guide)": self.guide.digest} if entry.reads_guide else args)
        if entry.reads_page:  # and what the page itself says: an edit of the page recomputes it
            label += hashlib.sha256(data.markdown.encode()).hexdigest()[:20]
        found = self.outputs.get(label)
        if found is not None:
            output, published = found
            for uri, text in published:
                data.publish(uri, text)
            return output
        published = []
        publish = data.publish
        data.publish = lambda uri, text: published.append((uri, text)) or publish(uri, text)
        try:
            output = call(entry, data, args)
        finally:
            data.publish = publish
        self.outputs.put(label, output, published)
        return output

    def placeholder(self, entry, job, in_code):
        """What stands where a run is still training (serve only)."""
        if in_code:
            return "…"
        text = f"step {job.step} is still training"
        if entry.kind == "value":
            return f'<span class="mgv-pending" title="{html.escape(job.describe())}">({text})</span>'
        return (f'\n<div class="mgv-pending mgv-pending--block"><p>Here goes the {entry.kind} '
                f'<code>{html.escape(entry.name)}</code>: {text}.</p></div>\n')

    def waiting_note(self, waiting):
        steps = "; ".join(job.describe() for job in waiting.values())
        return (f'<div class="mgv-pending mgv-pending--note" role="status"><p><strong>Training in the background'
                f'</strong> ({html.escape(steps)}). This page reloads by itself when the run is ready.</p></div>\n\n')

    def place_page(self, page, place, markdown, where, data, waiting):
        """Number the page, give it its heading, breadcrumb data and So far box (whose
        meanings may hold value directives, e.g. `BOS: token {{ bos }}`)."""
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
        box, errors = expand(structure.so_far_box(place), lambda directive: self.render(directive, data, waiting))
        for _, message in errors:
            self.problem(f"{where}: in the So far box (from the defines: of an earlier page): {message}")
        return f"# {title}\n\n{box}\n\n{markdown}"

    def expand_meaning(self, text, guide_page):
        """A `defines:` or `terms:` meaning of another page as HTML, its directives expanded
        as on that page (its step's run)."""
        def no_files(uri, _):
            raise DirectiveError(f"a meaning cannot publish a file ({uri})")

        data = PageData(self.runs, guide_page.step, no_files, self.pending, guide_page.src_uri)
        waiting = {}
        expanded, errors = expand(html.escape(text), lambda directive: self.render(directive, data, waiting))
        if errors:
            raise DirectiveError(f"docs/{guide_page.src_uri}, front matter {text!r}: {errors[0][1]}")
        if waiting:
            raise Pending(next(iter(waiting.values())))
        return expanded

    def publish(self, uri, text, page):
        """A generated file (player frames): served with the site, never written into docs/."""
        if uri not in self.published:
            self.files.append(File.generated(self.config, uri, content=text))
            self.published[uri] = text
        elif self.published[uri] != text:
            raise DirectiveError(f"two different contents for the generated file {uri}")
        return get_relative_url(uri, page.url)

    def source_name(self, page):
        """docs/step-0/training.md: how messages name a page."""
        return f"{Path(self.config.docs_dir).name}/{page.file.src_uri}"

    def problem(self, message):
        log.warning(message)
