"""Every name a page can use, and what it becomes.

Three kinds, one namespace:

- value:  a number or a word inside a sentence        {{ num_docs }}
- table:  a generated block: table, figure, list      {{ increments name=ava }}
- player: an interactive block fed by generated JSON  {{ player count_table }}

Names live in one module per step (step0.py, ...) plus common.py for what
every run has. Each is a function registered with @value(runs=...),
@table(runs=...) or @player(runs=...): `runs` says which runs it can read
(ALL, or a tuple of step numbers). The first line of its docstring is its
documentation (`python -m hooks names`); its keyword arguments are the
directive's arguments, converted by their annotations. A function raises
DirectiveError for anything it cannot do; the build reports it with the
page and line.

Numbers come from runs (a page in step N reads run N unless it says run=M),
or from replaying a run's snapshot through microgpt's own functions
(microgpt.replay). Nothing here computes what microgpt computes.
"""

import hashlib
import inspect
import json
import logging
import traceback
from dataclasses import dataclass
from pathlib import Path

from hooks.directives import DirectiveError
from hooks.runs import unpack_matrices, write_memo
from microgpt.tokenizer import Tokenizer

ALL = (0, 1, 2, 3, 4, 5)
NAMES = {}      # name -> Entry
PROBLEMS = []   # mistakes in the page-data modules themselves (a name defined twice): reported by the build


class Pending(Exception):
    """The run a directive needs is still training (under `mkdocs serve`)."""

    def __init__(self, job):
        super().__init__(job.describe())
        self.job = job


@dataclass
class Entry:
    name: str
    kind: str
    function: object
    doc: str
    runs: tuple
    module: str
    reads_guide: bool = False  # reads the nav and every page's front matter (page.guide)
    reads_page: bool = False  # reads the Markdown of the page it stands on (page.markdown)

    @property
    def parameters(self):
        return list(inspect.signature(self.function).parameters.values())[1:]

    def usage(self):
        args = []
        for p in self.parameters:
            kind = p.annotation.__name__
            if p.default is inspect.Parameter.empty:
                args.append(f"{p.name}=<{kind}>")
            else:
                args.append(f"[{p.name}=<{kind}>]" if p.default is None else f"[{p.name}={p.default}]")
        return "{{ " + " ".join([self.name, *args]) + " }}"

    def serves(self):
        return "every run" if self.runs == ALL else "run " + ", ".join(map(str, self.runs))


def register(kind, runs, reads_guide=False, reads_page=False):
    if not isinstance(runs, tuple) or not runs or not set(runs) <= set(ALL):
        raise TypeError(f"@{kind}(runs=...) takes ALL or a tuple of step numbers, not {runs!r}")

    def decorate(function):
        # players are written {{ player NAME }}; their functions end in _player
        name = f"player {function.__name__.removesuffix('_player')}" if kind == "player" else function.__name__
        module = function.__module__.replace(".", "/") + ".py"
        if name in NAMES:
            PROBLEMS.append(f"{module}: the name {name!r} is defined twice (also in {NAMES[name].module});"
                            " rename one of them")
            return function
        doc = (inspect.getdoc(function) or "").splitlines()
        if not doc:
            PROBLEMS.append(f"{module}: {name!r} has no docstring; its first line is its documentation")
        NAMES[name] = Entry(name, kind, function, doc[0] if doc else "", runs, module, reads_guide, reads_page)
        return function

    return decorate


def value(runs, reads_page=False):
    return register("value", runs, reads_page=reads_page)


def table(runs, reads_guide=False, reads_page=False):
    """reads_guide: the output depends on the nav and on every page's front matter, not only
    on the runs and the code (the Glossary, the History): page.guide is a GuideIndex.
    reads_page: the output depends on the page's own Markdown as written (page.markdown), e.g.
    a check of the snippets the page includes."""
    return register("table", runs, reads_guide, reads_page)


def player(runs):
    return register("player", runs)


def call(entry, page, args):
    """Convert the directive's text arguments by annotation and call the entry."""
    parameters = {p.name: p for p in entry.parameters}
    unknown = sorted(set(args) - set(parameters))
    if unknown:
        known = ", ".join(parameters) or "none"
        raise DirectiveError(f"{entry.name} takes no argument {unknown[0]!r} (its arguments: {known})")
    converted = {}
    for name, parameter in parameters.items():
        if name not in args:
            if parameter.default is inspect.Parameter.empty:
                raise DirectiveError(f"{entry.name} needs {name}=...: {entry.usage()}")
            continue
        try:
            converted[name] = parameter.annotation(args[name])
        except ValueError:
            raise DirectiveError(f"{entry.name}: {name}={args[name]!r} is not a {parameter.annotation.__name__}") from None
    number = converted.get("run", page.page_step)
    if number is not None and number not in entry.runs:
        raise DirectiveError(f"{entry.name} serves {entry.serves()}, and this reads run {number}"
                             f"{' (the page’s own step)' if 'run' not in converted else ''}")
    try:
        return entry.function(page, **converted)
    except (DirectiveError, Pending):
        raise
    except Exception as err:  # a bug in the page data or in microgpt: said at the page's line, not a traceback
        logging.getLogger("mkdocs.hooks.guide").debug(traceback.format_exc())
        raise DirectiveError(f"{entry.name} failed: {type(err).__name__}: {err}"
                             " (`mkdocs build --verbose` shows the traceback)") from None


class Run:
    """One recorded run, with the questions pages ask of it."""

    def __init__(self, data, key="", memo=None, probe_dir=None):
        self.data = data
        self.key = key              # the cache key: what the run's numbers depend on
        self.number = data["step"]
        self.facts = data["facts"]
        self.steps = data["steps"]
        self.samples = data["samples"]
        self.tokenizer = Tokenizer(self.facts["uchars"])
        self.memo = {} if memo is None else memo  # probes are memoised, across rebuilds under serve
        self.unpacked = {}  # snapshots, unpacked when first asked for
        self.probe_dir = probe_dir  # probes also kept on disk, next to the run: a warm build replays nothing

    def record(self, step):
        """The record of training step `step`, counted from 1 as the printed lines count."""
        if not 1 <= step <= len(self.steps):
            raise DirectiveError(f"step={step}: run {self.number} has steps 1 to {len(self.steps)}")
        return self.steps[step - 1]

    def snapshot(self, after):
        """The parameters after `after` training steps (0: as initialised), as plain lists."""
        snapshots = self.data["snapshots"]
        if str(after) not in snapshots:
            kept = ", ".join(sorted(snapshots, key=int)) or "none"
            raise DirectiveError(
                f"after={after}: run {self.number} kept the model after {kept} steps only;"
                f" add {after} to extra.microgpt.runs.{self.number}.snapshots in mkdocs.yml"
            )
        if str(after) not in self.unpacked:
            self.unpacked[str(after)] = unpack_matrices(snapshots[str(after)])
        return self.unpacked[str(after)]

    def optimizer(self, after):
        """Adam's m and v after `after` training steps ({"m": {name: matrix}, "v": ...}), step 5 only."""
        self.snapshot(after)  # the same schedule, and the same message when it was not kept
        states = self.data.get("optimizer")
        if not states:
            raise DirectiveError(f"run {self.number} has no optimizer state: only Adam (run 5) keeps one")
        return unpack_matrices(states[str(after)])

    def token_id(self, label):
        """'a' -> 0, 'BOS' -> 26."""
        if label == "BOS":
            return self.tokenizer.BOS
        if label not in self.tokenizer.uchars:
            raise DirectiveError(f"{label!r} is not a token: use one of a..z or BOS")
        return self.tokenizer.uchars.index(label)

    def encode(self, name):
        bad = sorted(set(name) - set(self.tokenizer.uchars))
        if bad or not name:
            raise DirectiveError(f"name={name!r}: a name is one or more of the characters a..z")
        return self.tokenizer.encode(name)

    def probe(self, what, after, *args):
        """replay.WHAT(step, snapshot, *args), memoised: a forward pass (or more) on a kept
        snapshot. (gradient_check_at is step 1's own, and takes no step.)"""
        from microgpt import replay

        snapshot = self.snapshot(after)
        head = () if what == "gradient_check_at" else (self.number,)

        def compute():
            try:
                return getattr(replay, what)(*head, snapshot, *args)
            except replay.ProbeError as err:
                raise DirectiveError(str(err)) from None

        return self.kept((self.key, what, after, args), self.stored_probe(what, after, args), compute)

    def stored_probe(self, what, after, args):
        """Where a probe's result is kept: see stored()."""
        from hooks.runs import SOURCE_DIR

        return self.stored(json.dumps([what, after, list(args)]), SOURCE_DIR / "replay.py")

    def stored(self, label, code_file):
        """The file that keeps a result computed from this run: named by the run's key (so it
        goes with the run), the label and the code that computes it (so an edit recomputes)."""
        if self.probe_dir is None or not self.key:
            return None
        from hooks.runs import read_module

        described = json.dumps([label, read_module(Path(code_file))[0]])
        digest = hashlib.sha256(described.encode()).hexdigest()[:16]
        return Path(self.probe_dir) / f"step{self.number}-{self.key}-{digest}.json"

    def remember(self, label, compute, code_file):
        """compute(), once per run: in memory (across rebuilds under serve) and on disk (across
        builds). The result must be JSON data; it comes back as JSON gives it (lists, str keys),
        the first time too, so a cold and a warm build see the same thing."""
        return self.kept((self.key, "remember", label), self.stored(label, code_file), compute)

    def kept(self, memo_key, stored, compute):
        """compute()'s result from memory, else from its file `stored` (if any), else computed and
        kept in both. Always as JSON gives it back (lists, str keys), the first time too."""
        if memo_key in self.memo:
            return self.memo[memo_key]
        if stored is not None and stored.is_file():
            try:
                self.memo[memo_key] = json.loads(stored.read_text())
                return self.memo[memo_key]
            except (OSError, ValueError):
                pass  # unreadable: computed again below
        result = json.loads(json.dumps(compute(), separators=(",", ":")))
        if stored is not None:
            write_memo(stored, result)
        self.memo[memo_key] = result
        return result

    def score(self, name, after):
        self.encode(name)  # the page's mistake, said in the page's terms
        return self.probe("score", after, name)


class PageData:
    """What a directive function may use: the runs, the page's own step, and a
    way to publish a generated file."""

    def __init__(self, runs, page_step, publish, pending=None, page_uri="", guide=None, markdown=""):
        self.runs = runs
        self.page_step = page_step
        self.publish = publish  # publish(uri, text) -> the URL of the file, relative to the page
        self.pending = pending or {}  # step -> training Job, under `mkdocs serve`
        self.page_uri = page_uri  # step-1/mlp.md: the page the directive stands on
        self.guide = guide  # every page of the nav (hooks.build.GuideIndex), for reads_guide entries
        self.markdown = markdown  # the page's Markdown as written, for reads_page entries

    def run(self, number=None):
        if number is None:
            if self.page_step is None:
                raise DirectiveError("this page belongs to no step: say which run, e.g. run=0")
            number = self.page_step
        if number in self.pending:
            raise Pending(self.pending[number])
        if number not in self.runs:
            configured = ", ".join(map(str, sorted(self.runs))) or "none"
            raise DirectiveError(f"run={number}: no such run in extra.microgpt.runs (configured: {configured})")
        return self.runs[number]


def fmt_int(n):
    return f"{n:,}"


def fmt_float(x, digits=4):
    return f"{x:.{digits}f}"


def fixed(x, digits=4):
    """x as a page shows it (fmt_float), back as a number: what a player displays with
    toFixed(digits) must be rounded once, here, or the two could differ in the last digit."""
    if isinstance(x, list):
        return [fixed(item, digits) for item in x]
    return float(fmt_float(x, digits))


def rounded(data, digits=6):
    """Floats to `digits` significant digits, all the way down: what a frame file needs."""
    kind = type(data)
    if kind is float:
        return float(f"{data:.{digits}g}")
    if kind is list:
        if data and all(type(x) is float for x in data):  # the common case, done in one pass
            return [float(f"{x:.{digits}g}") for x in data]
        return [rounded(item, digits) for item in data]
    if kind is dict:
        return {key: rounded(item, digits) for key, item in data.items()}
    return data


def frames_file(page, uri, data):
    """Publish a player's frames as compact JSON, floats to 6 significant digits (values a
    player prints as text should already be fixed() to the digits it prints)."""
    return page.publish(uri, json.dumps(rounded(data), separators=(",", ":")))


# The modules that register names: importing them fills NAMES.
from hooks.pagedata import (common, curves, diffs, step0, step1, step1_gradients, step2, step2_graph,  # noqa: E402,F401
                            step3, step3_vectors, step3_weights, step4, step4_heads, step5, step5_adam,
                            history, glossary)
