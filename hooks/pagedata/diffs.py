"""Code diffs between two modules of microgpt/, made when the site is built: the What Changes pages.

    {{ code_diff before=step1_gradient after=step2_autograd }}     the whole diff, as a figure
    {{ code_diff before=... after=... only=train,training_loop }}  only these parts
    {{ diff_removed before=... after=... }}                          lines removed (diff_added, diff_unchanged)
    {{ module_lines module=autograd }}                               the lines of one module

The real source is read and compared with difflib on every build: nothing is
typed. Each module is cut into its parts (ast): one per top-level function or
class, with the comment lines right above it, and one for what is left at
module level (imports and settings). Parts are matched by name, so the diff is
grouped by function: what is new, what is gone, what changed inside (a line
diff, unchanged stretches longer than CONTEXT lines around a change folded
into a <details>). A part that is gone but that the new module imports from
another microgpt module is said so, and folded.

Not shown: the module docstrings (the page says what the step is about) and
the snippet marks (# --8<-- [start:...]). Counted: the lines a reader sees,
blank lines not counted.

The HTML: Material's code colours (Pygments' classes under .highlight); each
line a block of its own, marked by its class and, for a screen reader, by a
visually hidden "removed:" or "added:". docs/assets/guide/code-diff.css draws
the sign column (− and +, as CSS content that screen readers skip), the
tints and the folds.
"""

import ast
import difflib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from pygments.lexers import PythonLexer
from pygments.token import STANDARD_TYPES

from hooks.directives import DirectiveError
from hooks.pagedata import ALL, fmt_int, table, value

SOURCE_DIR = Path(__file__).resolve().parent.parent.parent / "microgpt"
PACKAGE = "microgpt"
MARKER = re.compile(r"^\s*#\s*-{1,}8<-{1,}\s*\[(?:start|end):[^\]]*\]\s*$")   # a snippet mark: never shown
CONTEXT = 3        # unchanged lines shown on each side of a change
MIN_FOLD = 3       # a fold hides at least this many lines (fewer are just shown)
MODULE_PART = "imports"   # the name of the module-level part, for only=
PLAIN = {"", "w", "n"}   # token classes in the code's own colour: no span needed
WORDS = {"del": "removed", "add": "added"}


# ---------------------------------------------------------------- reading a module


@dataclass
class Line:
    number: int   # in the source file, from 1
    text: str
    html: str     # highlighted

    @property
    def blank(self):
        return not self.text.strip()


@dataclass
class Part:
    key: str      # what only= names: the function's or class's name, or MODULE_PART
    label: str    # what the page shows: forward(), class SGD, module level
    lines: list


@dataclass
class Module:
    name: str
    parts: list                                   # in the order of the file
    imports: dict = field(default_factory=dict)   # a name imported from another microgpt module -> that module

    def part(self, key):
        return next((p for p in self.parts if p.key == key), None)


def available():
    return sorted(p.stem for p in SOURCE_DIR.glob("*.py") if not p.stem.startswith("_"))


def source_path(name, argument):
    name = name.removesuffix(".py").removeprefix(f"{PACKAGE}/").removeprefix(f"{PACKAGE}.")
    path = SOURCE_DIR / f"{name}.py"
    if name.startswith("_") or not re.fullmatch(r"\w+", name) or not path.is_file():
        raise DirectiveError(f"{argument}={name!r}: there is no module {name!r} in {PACKAGE}/;"
                             f" the modules are {', '.join(available())}")
    return name, path


def css_class(ttype):
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


def highlighted(text):
    """The source's lines as HTML, coloured by Pygments' token classes (Material styles them
    under .highlight). The file is lexed whole, so a string over several lines is one string."""
    lines = [[]]   # per line: [class, text] runs, neighbours of one class merged
    for ttype, chunk in PythonLexer(stripnl=False, ensurenl=False).get_tokens(text):
        cls = css_class(ttype)
        cls = "" if cls in PLAIN else cls
        for k, piece in enumerate(chunk.split("\n")):
            if k:
                lines.append([])
            if piece:
                runs = lines[-1]
                if runs and (runs[-1][0] == cls or not piece.strip()):
                    runs[-1][1] += piece   # spaces take the colour of what they follow: they show none
                else:
                    runs.append([cls, piece])
    out = ["".join(f'<span class="{c}">{escape(t, quote=False)}</span>' if c else escape(t, quote=False)
                   for c, t in runs) for runs in lines]
    plain = text.split("\n")
    if len(out) != len(plain):  # never expected; the plain text is still right
        out = [escape(line, quote=False) for line in plain]
    # no two braces in a row reach the page (they would read as a directive)
    return [re.sub(r"([{}])(?=[{}])", lambda m: f"&#{ord(m.group(1))};", line) for line in out]


def module_docstring(tree):
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return range(first.lineno - 1, first.end_lineno)
    return range(0)


def tidy(lines):
    """Without blank lines at either end, and one blank line where there were several."""
    out = []
    for line in lines:
        if line.blank and (not out or out[-1].blank):
            continue
        out.append(line)
    while out and out[-1].blank:
        out.pop()
    return out


_READ = {}   # (name, text) -> Module: the same text is parsed once


def read_module(name, argument="module"):
    name, path = source_path(name, argument)
    text = path.read_text(encoding="utf-8")
    if (name, text) in _READ:
        return _READ[name, text]
    tree = ast.parse(text)
    raw = text.split("\n")
    html = highlighted(text)
    hidden = set(module_docstring(tree)) | {i for i, line in enumerate(raw) if MARKER.match(line)}
    owner = [None] * len(raw)
    parts = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        while start > 0 and raw[start - 1].lstrip().startswith("#") and start - 1 not in hidden:
            start -= 1   # the comments right above it are its own
        end = node.end_lineno
        while end < len(raw) and raw[end][:1].isspace() and raw[end].lstrip().startswith("#") \
                and end not in hidden:
            end += 1     # and so are comments indented into its body after its last statement
        key = node.name
        while any(p.key == key for _, p in parts):
            key += "'"   # defined twice: told apart, never merged
        label = f"class {node.name}" if isinstance(node, ast.ClassDef) else f"{node.name}()"
        for i in range(start, end):
            owner[i] = key
        parts.append((start, Part(key, label, [])))
    for i, line in enumerate(raw):
        if i in hidden:
            continue
        for start, part in parts:
            if part.key == owner[i]:
                part.lines.append(Line(i + 1, line, html[i]))
    module_level = tidy([Line(i + 1, line, html[i]) for i, line in enumerate(raw)
                         if i not in hidden and owner[i] is None])
    ordered = [part for _, part in sorted(parts, key=lambda item: item[0])]
    for part in ordered:
        part.lines = tidy(part.lines)
    if module_level:
        ordered.insert(0, Part(MODULE_PART, "imports and settings", module_level))
    imports = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"{PACKAGE}."):
            for alias in node.names:
                imports[alias.asname or alias.name] = node.module.removeprefix(f"{PACKAGE}.")
    module = Module(name, ordered, imports)
    _READ[name, text] = module
    return module


# ---------------------------------------------------------------- the diff


@dataclass
class Row:
    kind: str     # "same", "del" or "add"
    line: Line    # for "same": the line as it stands in the new module


@dataclass
class Section:
    key: str
    label: str
    status: str       # "changed", "same", "removed", "added" or "imported" (removed, imported now)
    rows: list        # Row, or a list of Rows: a fold
    source: str = ""  # for "imported": the module it comes from now

    def count(self, kind):
        return sum(1 for row in flat(self.rows) if row.kind == kind and not row.line.blank)


def flat(rows):
    for row in rows:
        if isinstance(row, list):
            yield from row
        else:
            yield row


def line_diff(old, new):
    rows = []
    matcher = difflib.SequenceMatcher(None, [l.text for l in old], [l.text for l in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row("same", line) for line in new[j1:j2]]
        else:
            rows += [Row("del", line) for line in old[i1:i2]]
            rows += [Row("add", line) for line in new[j1:j2]]
    return rows


def folded(rows):
    """Stretches of unchanged rows longer than the context around a change become folds."""
    out, k = [], 0
    while k < len(rows):
        if rows[k].kind != "same":
            out.append(rows[k])
            k += 1
            continue
        end = k
        while end < len(rows) and rows[end].kind == "same":
            end += 1
        lead = CONTEXT if k > 0 else 0              # after a change: keep its context
        tail = CONTEXT if end < len(rows) else 0    # before a change: likewise
        if end - k - lead - tail >= MIN_FOLD:
            out += rows[k:k + lead]
            out.append(rows[k + lead:end - tail])
            out += rows[end - tail:end]
        else:
            out += rows[k:end]
        k = end
    return out


def diff(before, after, only=None):
    """The sections of the diff from module `before` to `after` (names within microgpt/), in the
    order of the new module, with each part that went placed where it stood."""
    old, new = read_module(before, "before"), read_module(after, "after")
    old_keys, new_keys = [p.key for p in old.parts], [p.key for p in new.parts]
    pairs = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(key, key) for key in old_keys[i1:i2]]
            continue
        pairs += [(key, None) for key in old_keys[i1:i2] if key not in new_keys]
        pairs += [(key if key in old_keys else None, key) for key in new_keys[j1:j2]]
    if only is not None:
        wanted = [name.strip() for name in only.split(",") if name.strip()]
        known = [key for pair in pairs for key in pair if key]
        unknown = [name for name in wanted if name not in known]
        if unknown or not wanted:
            raise DirectiveError(f"only={only!r}: {before} and {after} have no part {unknown[0] if unknown else ''!r};"
                                 f" their parts are {', '.join(dict.fromkeys(known))}")
        pairs = [pair for pair in pairs if (pair[1] or pair[0]) in wanted]
    sections = []
    for old_key, new_key in pairs:
        if new_key is None:
            part = old.part(old_key)
            rows = [Row("del", line) for line in part.lines]
            source = new.imports.get(old_key, "")
            if source:
                sections.append(Section(part.key, part.label, "imported", [rows], source))
            else:
                sections.append(Section(part.key, part.label, "removed", rows))
        elif old_key is None:
            part = new.part(new_key)
            sections.append(Section(part.key, part.label, "added", [Row("add", line) for line in part.lines]))
        else:
            rows = line_diff(old.part(old_key).lines, new.part(new_key).lines)
            changed = any(row.kind != "same" for row in rows)
            sections.append(Section(new_key, new.part(new_key).label, "changed" if changed else "same",
                                    folded(rows) if changed else [rows]))
    return old, new, sections


def count(sections, kind):
    return sum(section.count(kind) for section in sections)


# ---------------------------------------------------------------- HTML


def lines_word(n):
    return f"{fmt_int(n)} line{'' if n == 1 else 's'}"


def status_text(section):
    removed, added = section.count("del"), section.count("add")
    if section.status == "changed":
        return f"changed: {lines_word(removed)} removed, {lines_word(added)} added"
    if section.status == "same":
        return f"unchanged, {lines_word(section.count('same'))}"
    if section.status == "removed":
        return f"removed, {lines_word(removed)}"
    if section.status == "added":
        return f"new, {lines_word(added)}"
    return f"no longer here: imported from <code>{escape(section.source)}</code>"


def row_html(row):
    word = f'<span class="mgv-sr">{WORDS[row.kind]}: </span>' if row.kind in WORDS else ""
    return f'<div class="mgv-dl mgv-dl--{row.kind}">{word}<code>{row.line.html or " "}</code></div>'


def fold_html(rows, section):
    n = sum(1 for row in rows if not row.line.blank)
    if section.status == "imported":
        what = f"show its {lines_word(n)}, removed here"
    else:
        what = f"{lines_word(n)} unchanged"
    inner = "".join(row_html(row) for row in rows)
    return (f'<details class="mgv-diff-fold"><summary><span class="mgv-diff-more">{what}</span></summary>'
            f"{inner}</details>")


def section_html(section):
    body = "".join(fold_html(row, section) if isinstance(row, list) else row_html(row) for row in section.rows)
    label = re.sub(r"<[^>]+>", "", f"{section.label}: {status_text(section)}")
    name = escape(section.label)
    name = f'<span class="mgv-diff-name">{name}</span>' if section.key == MODULE_PART else f"<code>{name}</code>"
    return (f'<div class="mgv-diff-part mgv-diff-part--{section.status}">'
            f'<p class="mgv-diff-head">{name}'
            f' <span class="mgv-diff-status">{status_text(section)}</span></p>'
            f'<div class="mgv-scroll mgv-diff-box highlight" data-label="{escape(label)}">'
            f'<div class="mgv-diff-lines">{body}</div></div></div>')


def diff_html(old, new, sections):
    removed, added, same = count(sections, "del"), count(sections, "add"), count(sections, "same")
    caption = (f'From <code>{PACKAGE}/{escape(old.name)}.py</code> to <code>{PACKAGE}/{escape(new.name)}.py</code>:'
               f" {lines_word(removed)} removed, {lines_word(added)} added, {lines_word(same)} unchanged."
               ' <span class="mgv-diff-key"><span class="mgv-diff-key--del" aria-hidden="true">\u2212</span> removed'
               ' · <span class="mgv-diff-key--add" aria-hidden="true">+</span> added</span>'
               '<span class="mgv-diff-note">Blank lines are not counted; the module docstrings and'
               " the snippet marks are left out.</span>")
    parts = "".join(section_html(section) for section in sections)
    return f'<figure class="mgv-diff"><figcaption>{caption}</figcaption>{parts}</figure>'


# ---------------------------------------------------------------- the names


@table(runs=ALL)
def code_diff(page, before: str, after: str, only: str = None):
    """The code diff from module `before` to `after` of microgpt/, grouped by function; only=a,b for some parts."""
    return diff_html(*diff(before, after, only))


@value(runs=ALL)
def diff_removed(page, before: str, after: str, only: str = None):
    """How many lines the diff from `before` to `after` removes (blank lines not counted)."""
    return fmt_int(count(diff(before, after, only)[2], "del"))


@value(runs=ALL)
def diff_added(page, before: str, after: str, only: str = None):
    """How many lines the diff from `before` to `after` adds (blank lines not counted)."""
    return fmt_int(count(diff(before, after, only)[2], "add"))


@value(runs=ALL)
def diff_unchanged(page, before: str, after: str, only: str = None):
    """How many lines the diff from `before` to `after` keeps as they were (blank lines not counted)."""
    return fmt_int(count(diff(before, after, only)[2], "same"))


@value(runs=ALL)
def module_lines(page, module: str):
    """How many lines a module of microgpt/ has, as a diff counts them: no blank lines, docstring or snippet marks."""
    return fmt_int(sum(1 for part in read_module(module).parts for line in part.lines if not line.blank))


@value(runs=ALL)
def part_lines(page, module: str, part: str):
    """How many lines one function or class of a microgpt module has, as a diff counts them (no blank lines)."""
    found = read_module(module)
    if found.part(part) is None:
        raise DirectiveError(f"part={part!r}: {found.name} has no part {part!r}; its parts are"
                             f" {', '.join(p.key for p in found.parts)}")
    return fmt_int(sum(1 for line in found.part(part).lines if not line.blank))
