r"""Directives: the few marks an author puts in Markdown for generated content.

    {{ num_docs }}                      a value, inline in a sentence
    {{ loss step=100 }}                 a value with an argument
    {{ tokens name=ava }}               a table: on a line of its own
    {{ player count_table }}            a player: on a line of its own

A directive is `{{`, a name, any number of key=value arguments (quote values
with spaces: name="mary ann"), and `}}`. It may wrap over several lines of
one paragraph (an editor's line wrap), but not over a blank line or a code
fence. What each name means lives in hooks/pagedata.py.

Directives are expanded everywhere: in prose, inside `inline code` and
inside code blocks; each Directive says where it stood, in `context`:

    "prose"          text Markdown reads as Markdown/HTML: escape the value
    "inline_code"    inside `...`: plain text, no backtick or line break
    "fence"          inside a fenced (or indented) code block: plain text
    "math"           inside $...$, \(...\), $$...$$: plain text (LaTeX)

Tables and players only work alone on a line of prose (`alone` is only
ever true in prose). Inside math only a directive written with spaces,
`{{ name ... }}`, is one: other braces there are LaTeX's.

Showing the syntax itself. Write `{{!` instead of `{{`:

    The value {{! loss step=100 }} is ...      the reader sees {{ loss step=100 }}
    Write `{{! loss step=100 }}` for ...       the same, as inline code

The built HTML never contains two braces in a row (a site-wide test forbids
them): in prose the braces become the entities &#123; and &#125;, and an
inline code span holding a literal becomes raw HTML <code>...</code> with
its text written the same way. A literal inside a fenced code block cannot
be shown without the braces, so it is reported as an error.

Every `{{` must be closed by `}}` in the same paragraph and every `}}` must
close one: otherwise the build reports the line and puts a visible error
mark in its place. leftovers() proves that nothing directive-shaped is left
after expansion.

This module only finds and parses; it knows nothing of MkDocs or microgpt.
It also knows where Markdown puts code and math (scan()), which
hooks/mathml.py reuses to check the math with page lines.
"""

import bisect
import re
import shlex
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from markdown.inlinepatterns import BACKTICK_RE, BacktickInlineProcessor
from pymdownx.arithmatex import (
    RE_BRACKET_BLOCK,
    RE_BRACKET_INLINE,
    RE_DOLLAR_BLOCK,
    RE_SMART_DOLLAR_INLINE,
    RE_TEX_BLOCK,
)
from pymdownx.superfences import RE_NESTED_FENCE_START

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")   # a fence line; superfences' own expression decides if it opens one
SNIPPET = re.compile(r"""^\s*-{1,}8<-{1,}\s+(["'])(?P<target>[^"']+)\1\s*$""")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
BRACES = re.compile(r"\{\{|\}\}")
# Inside math only this is a directive; any other pair of braces is LaTeX's.
MATH_DIRECTIVE = re.compile(r"\{\{(!?)(\s+[a-z_][^{}]*?)\}\}")

# Lines that open a Markdown container: an indented block after them is its
# content, not an indented code block.
CONTAINER = re.compile(r"^ {0,3}(?:[-*+]\s|\d{1,9}[.)]\s|!!!|\?\?\?|===|\[\^[^\]]+\]:|>)")
# Lines that start an element of their own inside a run of lines (as Python-Markdown
# reads them): a heading, an admonition, and a list item when the run is a list.
ELEMENT_START = re.compile(r"^(?:#{1,6}|\s*(?:!!!|\?\?\?\+?) ?[\w-])")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s")

# What pymdownx.arithmatex finds (its default syntax, smart dollars on), with
# its own expressions, compiled the way Python-Markdown compiles them.
INLINE_MATH = re.compile(f"(?:{RE_SMART_DOLLAR_INLINE}|{RE_BRACKET_INLINE})", re.DOTALL | re.UNICODE)
BLOCK_MATH = re.compile(rf"(?s)^(?:{RE_DOLLAR_BLOCK}|{RE_BRACKET_BLOCK}|{RE_TEX_BLOCK})[ ]*$")
_BACKTICKS = BacktickInlineProcessor(BACKTICK_RE)

CONTEXTS = ("prose", "inline_code", "fence", "math")


class DirectiveError(Exception):
    """An author's mistake in a directive; the message says what to do."""


@dataclass
class Directive:
    line: int                  # 1-based, in the text given to find(): the line of `{{`
    start: int                 # column of `{{` in that line
    end: int                   # column just after `}}`, in line end_line
    name: str
    args: dict = field(default_factory=dict)
    alone: bool = False        # alone on its line(s), in prose (tables and players must be)
    indent: str = ""           # the line's indentation, kept for block output
    context: str = "prose"     # "prose", "inline_code", "fence" or "math"
    end_line: int = 0          # the line of `}}` (== line unless the directive wraps)

    def __post_init__(self):
        self.end_line = self.end_line or self.line

    def __str__(self):
        args = " ".join(f"{key}={value}" for key, value in self.args.items())
        return "{{ " + " ".join(filter(None, [self.name, args])) + " }}"


def parse(inside):
    """`loss step=100` -> ("loss", {"step": "100"})."""
    shown = " ".join(inside.split())
    try:
        words = shlex.split(inside)
    except ValueError as err:
        raise DirectiveError(f"cannot read {{{{{shown}}}}}: {err}; close the quote"
                             f" or quote the whole value, e.g. name=\"mary ann\"") from None
    if not words:
        raise DirectiveError("empty directive {{ }}: write a name, e.g. {{ num_docs }}")
    name, rest = words[0], words[1:]
    if not NAME.match(name):
        raise DirectiveError(f"{name!r} is not a name: names are lowercase words joined by _"
                             f" (`python -m hooks names` lists them)")
    if name == "player" and rest and "=" not in rest[0]:  # {{ player count_table ... }}
        name, rest = f"player {rest[0]}", rest[1:]
    args = {}
    for word in rest:
        key, equals, value = word.partition("=")
        if not equals or not key:
            raise DirectiveError(f"argument {word!r} in {{{{{shown}}}}} is not key=value:"
                                 f" write it as key=value, e.g. step=100")
        if key in args:
            raise DirectiveError(f"argument {key!r} given twice in {{{{{shown}}}}}: keep one")
        args[key] = value
    return name, args


# ------------------------------------------------------------------ where code and math sit


@dataclass
class Unit:
    """A stretch of the text searched for directives as one piece."""
    start: int                 # offsets into the whole text
    end: int
    context: str
    span: tuple = None         # inline_code: (start, end) of the whole code span, backticks included
    lenient: bool = False      # math: braces that are not a directive are LaTeX's


@dataclass
class Math:
    """A piece of LaTeX that pymdownx.arithmatex will find."""
    line: int
    latex: str
    display: bool              # $$...$$, \[...\], \begin{...}: a block
    start: int                 # offsets of the latex in the whole text
    end: int


class Scan:
    """Where prose, code and math sit in a Markdown text (offsets and lines)."""

    def __init__(self, text):
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.units = []
        self.math = []
        self.errors = []       # [(line, message)]: fences never closed
        for first, last, kind in self._blocks():
            start = self.starts[first]
            end = self.starts[last] + len(self.lines[last])
            if kind == "fence":
                self.units.append(Unit(start, end, "fence"))
            else:
                self._prose(first, last, start, end)
        self.units.sort(key=lambda unit: unit.start)

    def line_of(self, offset):
        return bisect.bisect_right(self.starts, offset)

    def column_of(self, offset):
        return offset - self.starts[self.line_of(offset) - 1]

    # -- blocks: runs of non-blank lines, each prose or code

    def _blocks(self):
        blocks, current = [], None
        fence = None
        indented = container = False
        after_blank = True

        def close():
            nonlocal current
            if current:
                blocks.append(tuple(current))
            current = None

        def add(number, kind):
            nonlocal current
            if current and current[2] == kind and current[1] == number - 1:
                current[1] = number
            else:
                close()
                current = [number, number, kind]

        for number, line in enumerate(self.lines):
            blank = not line.strip()
            if fence:
                if _fence_closing(line, fence):
                    close()
                    blocks.append((number, number, "fence"))
                    fence = None
                    after_blank = False
                elif blank:
                    close()
                else:
                    add(number, "fence")
                continue
            if indented:
                if blank:
                    close()
                    after_blank = True
                    continue
                if _width(line) >= 4:
                    add(number, "fence")
                    continue
                indented = False
            if blank:
                close()
                after_blank = True
                continue
            opening = _fence_opening(line)
            if opening and not any(_fence_closing(later, opening) for later in self.lines[number + 1:]):
                self.errors.append((number + 1, f"the code fence {opening} opened here is never closed:"
                                                f" end the code block with a line {opening}"))
                opening = None
            if opening:
                close()
                blocks.append((number, number, "fence"))
                fence = opening
                after_blank = False
                continue
            width = _width(line)
            if after_blank and width >= 4 and not container:
                close()
                indented = True
                add(number, "fence")
                after_blank = False
                continue
            if width < 4:
                if CONTAINER.match(line):
                    container = True
                elif after_blank:
                    container = False
            if current and current[2] == "prose" and (
                    ELEMENT_START.match(line) or ELEMENT_START.match(self.lines[number - 1])
                    or LIST_ITEM.match(line) and LIST_ITEM.match(self.lines[current[0]])):
                close()
            add(number, "prose")
            after_blank = False
        close()
        return blocks

    # -- a prose block: code spans, math, and the prose between

    def _prose(self, first, last, start, end):
        text = self.text[start:end]
        # A block of math alone ($$ ... $$, \[ ... \], \begin{env} ... \end{env}), as arithmatex reads it
        dedented = _dedent(text)
        if not any(c in text for c in "`\x02\x03"):  # a code span or placeholder would stop it
            block = BLOCK_MATH.match(dedented)
            if block:
                latex = block.group("math") or block.group("math2") or block.group("math3") or ""
                self.math.append(Math(first + 1, latex, True, start, end))
                self.units.append(Unit(start, end, "math", lenient=True))
                return
        self._inline(start, end)

    def _inline(self, start, end):
        text = self.text[start:end]
        taken = []              # (start, end) within text, in order
        masked = list(text)
        spans, escapes = _code_spans(text)
        for a, b in escapes:    # escaped backslashes become placeholders, as in Python-Markdown
            masked[a:b] = "\x02\x03" * ((b - a) // 2)
        for outer, inner in spans:
            self.units.append(Unit(start + inner[0], start + inner[1], "inline_code",
                                   span=(start + outer[0], start + outer[1])))
            taken.append(outer)
            length = outer[1] - outer[0]
            masked[outer[0]:outer[1]] = "\x02" + "k" * (length - 2) + "\x03"
        masked = "".join(masked)
        position = 0
        while True:
            match = INLINE_MATH.search(masked, position)
            if not match:
                break
            position = max(match.end(), position + 1)
            if match.group(1) or match.group(4):   # escaped backslashes, not math
                a, b = match.span(1) if match.group(1) else match.span(4)
                masked = masked[:a] + "\x02\x03" * ((b - a) // 2) + masked[b:]
                continue
            group = 3 if match.group(2) else 6
            latex_start, latex_end = match.start(group), match.end(group)
            self.math.append(Math(self.line_of(start + match.start()), match.group(group), False,
                                  start + latex_start, start + latex_end))
            self.units.append(Unit(start + latex_start, start + latex_end, "math", lenient=True))
            taken.append((match.start(), match.end()))
        taken.sort()
        position = 0
        for a, b in taken:
            if a > position:
                self.units.append(Unit(start + position, start + a, "prose"))
            position = max(position, b)
        if position < len(text):
            self.units.append(Unit(start + position, start + len(text), "prose"))


def _fence_opening(line):
    """The fence (```, ~~~~) a line opens, if pymdownx.superfences reads it as an opening."""
    if not FENCE.match(line):
        return None
    match = RE_NESTED_FENCE_START.match(line.lstrip())
    if not match or match.group("unrecognized"):
        return None
    return match.group("fence")


def _fence_closing(line, fence):
    return re.fullmatch(rf"\s*{re.escape(fence)}[ \t]*", line) is not None


def _width(line):
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _dedent(text):
    """Remove the first line's indentation, in whole steps of 4 columns, from every line."""
    lines = text.split("\n")
    steps = _width(lines[0]) // 4 * 4
    if not steps:
        return text
    out = []
    for line in lines:
        cut = 0
        while cut < len(line) and _width(line[: cut + 1]) <= steps and line[cut] in " \t":
            cut += 1
        out.append(line[cut:])
    return "\n".join(out)


def _code_spans(text):
    """Code spans found by Python-Markdown's own backtick processor:
    ([((start, end) with backticks, (start, end) of the text)], [(start, end) of escaped backslashes])."""
    spans, escapes = [], []
    regex = _BACKTICKS.getCompiledRegExp()
    position = 0
    while position <= len(text):
        match = regex.search(text, position)
        if not match:
            break
        if match.group(1):                   # escaped backslashes before a backtick
            escapes.append(match.span(1))
            position = match.end()
            continue
        begin = match.start()
        inner_start, inner_end = _BACKTICKS.find_code_spans(begin, text)
        if inner_end is None:
            position = max(inner_start, begin + 1)
            continue
        outer_end = inner_end + (inner_start - begin)
        spans.append(((begin, outer_end), (inner_start, inner_end)))
        position = max(outer_end, begin + 1)
    return spans, escapes


def scan(text):
    """Where prose, inline code, code blocks and math sit in a Markdown text."""
    return Scan(text)


# ------------------------------------------------------------------ finding


@dataclass
class _Found:
    """One thing to replace: a directive, a literal, or bad braces."""
    start: int
    end: int
    unit: Unit
    directive: Directive = None
    literal: str = None        # the text to show, braces included
    error: str = None
    line: int = 0


def _scan_directives(text):
    page = Scan(text)
    found = []
    for unit in page.units:
        for item in _in_unit(page, unit):
            item.line = page.line_of(item.start)
            found.append(item)
    return page, found


def _in_unit(page, unit):
    text = page.text
    if unit.lenient:
        for match in MATH_DIRECTIVE.finditer(text, unit.start, unit.end):
            yield _make(page, unit, match.start(), match.end(), match.group(1) + match.group(2))
        return
    opened = None
    for match in BRACES.finditer(text, unit.start, unit.end):
        if match.group() == "{{":
            if opened is not None:
                yield _never_closed(page, unit, opened)
            opened = match.start()
        elif opened is None:
            yield _Found(match.start(), match.end(), unit, error=(
                "'}}' closes no directive: remove it, or add the '{{' that opens it in the same"
                " paragraph (to show the syntax to the reader, write {{! name }})"))
        else:
            yield _make(page, unit, opened, match.end(), text[opened + 2: match.start()])
            opened = None
    if opened is not None:
        yield _never_closed(page, unit, opened)


def _never_closed(page, unit, at):
    excerpt = page.text[at: min(unit.end, at + 40)].split("\n")[0]
    excerpt = "{{" + excerpt[2:].split("{{")[0].rstrip()
    return _Found(at, at + 2, unit, error=(
        f"'{{{{' is never closed: add '}}}}' after {excerpt!r} before the end of the paragraph"
        " (a directive may wrap over lines, not over a blank line or a code fence)"))


def _make(page, unit, start, end, inside):
    if inside.startswith("!"):
        if unit.context in ("fence", "math"):
            where = "a code block" if unit.context == "fence" else "math"
            return _Found(start, end, unit, error=(
                f"literal directives work in prose and inline code, not in {where}: the page may"
                " not contain two braces in a row, so show the syntax in `inline code` instead"))
        return _Found(start, end, unit, literal="{{" + inside[1:] + "}}")
    try:
        name, args = parse(inside)
    except DirectiveError as err:
        return _Found(start, end, unit, error=str(err))
    line = page.line_of(start)
    end_line = page.line_of(end - 1)
    first_line = page.lines[line - 1]
    before = first_line[: page.column_of(start)]
    after = page.lines[end_line - 1][page.column_of(end - 1) + 1:]
    alone = unit.context == "prose" and not before.strip() and not after.strip()
    indent = first_line[: len(first_line) - len(first_line.lstrip())]
    directive = Directive(line, page.column_of(start), page.column_of(end - 1) + 1, name, args,
                          alone, indent, unit.context, end_line)
    return _Found(start, end, unit, directive=directive)


def find(text):
    """Every directive, in order, and the errors met on the way:
    ([Directive], [(line, message)]). Literals ({{! ... }}) are not directives."""
    try:
        page, found = _scan_directives(text)
    except Exception as err:  # never stop a build: say so and go on
        return [], [(1, _internal(err))]
    errors = list(page.errors)
    errors += [(item.line, item.error) for item in found if item.error]
    return [item.directive for item in found if item.directive], sorted(errors)


# ------------------------------------------------------------------ expanding


def expand(text, render):
    """Replace each directive by render(directive) (a string, or a DirectiveError).
    Returns (new text, [(line, message)]); a directive that failed, and braces
    that open or close nothing, become a visible error mark, so `mkdocs serve`
    keeps going while --strict fails."""
    try:
        return _expand(text, render)
    except Exception as err:  # never stop a build: say so and go on
        return text, [(1, _internal(err))]


def _expand(text, render):
    page, found = _scan_directives(text)
    errors = list(page.errors)
    replacements = []                  # (start, end, new text)
    # An inline code span that shows a literal becomes raw HTML <code>, built whole
    rebuilt = {id(item.unit): [] for item in found
               if item.unit.context == "inline_code" and item.literal is not None}
    for item in found:
        output = _output(item, render, errors)
        if id(item.unit) in rebuilt:
            rebuilt[id(item.unit)].append((item, output))
        else:
            replacements.append((item.start, item.end, _place(item, output)))
    for parts in rebuilt.values():
        unit = parts[0][0].unit
        plain, position = [], unit.start
        for item, output in parts:
            plain += [text[position: item.start], output]
            position = item.end
        plain.append(text[position: unit.end])
        code = "<code>" + _entities("".join(plain).strip()) + "</code>"
        replacements.append((unit.span[0], unit.span[1], code))
    out = text
    for start, end, new in sorted(replacements, reverse=True):  # right to left: earlier offsets stay valid
        out = out[:start] + new + out[end:]
    return out, sorted(set(errors))


def _output(item, render, errors):
    """The plain text or HTML that replaces one found thing (before placing it)."""
    unit = item.unit
    if item.literal is not None:
        return item.literal            # shown by _place or the <code> rebuild
    if item.error is not None:
        message = item.error
    else:
        directive = item.directive
        try:
            output = render(directive)
            if not isinstance(output, str):
                raise DirectiveError(f"{directive} gave {type(output).__name__}, not text:"
                                     " fix its function in hooks/pagedata.py")
            if unit.context == "inline_code" and ("`" in output or "\n" in output.strip("\n")):
                raise DirectiveError(f"{directive} gives a value with a backtick or a line break,"
                                     " which cannot go in `inline code`: put it in prose or a code block")
            return output
        except DirectiveError as err:
            message = str(err)
        except Exception as err:  # a bug in a renderer must not stop the build
            message = f"{directive} failed: {type(err).__name__}: {err} (a bug in hooks/pagedata.py)"
    errors.append((item.line, message))
    if unit.context == "prose":
        return _Mark(message)
    if unit.context == "math":
        return r"\text{[build error: " + re.sub(r"[^A-Za-z0-9 .,:;'()=?-]", " ", message) + "]}"
    return code_error_mark(message)


class _Mark(str):
    """An error to show in prose (HTML), not a value."""


def _place(item, output):
    unit = item.unit
    if item.literal is not None:
        return _entities(output)       # prose: the braces as entities
    if isinstance(output, _Mark):
        return error_mark(str(output))
    if unit.context == "prose" and "\n" in output and item.directive is not None:
        indent = item.directive.indent
        output = "\n".join(indent + part if part else part for part in output.split("\n"))
        output = output.lstrip()
    return output


def error_mark(message):
    """The visible mark of a build error in prose: HTML with no two braces in a row."""
    return f'<strong class="mgv-error">build error: {_entities(message)}</strong>'


def code_error_mark(message):
    """The same for code: plain text, with no braces, backticks or line breaks."""
    plain = " ".join(message.split()).translate(str.maketrans({"{": "(", "}": ")", "`": "'"}))
    return f"[build error: {plain}]"


# Characters Markdown (or arithmatex) would act on, and the braces.
_ACTIVE = {char: f"&#{ord(char)};" for char in "{}`*_$[]|\\~"}


def _entities(text):
    """Text that Markdown passes through unchanged and a browser shows as written."""
    return escape(text, quote=False).translate(str.maketrans(_ACTIVE))


def _internal(err):
    return (f"the directive scanner failed ({type(err).__name__}: {err}): this is a bug in"
            " hooks/directives.py; please report it with the page")


# ------------------------------------------------------------------ checking


def leftovers(text):
    """[(line, message)] for every `{{` or `}}` still in a text after expand(),
    code included (math excepted: its braces are LaTeX's and become MathML)."""
    try:
        page = Scan(text)
        found = []
        for unit in page.units:
            if unit.context == "math":
                continue
            for match in BRACES.finditer(text, unit.start, unit.end):
                found.append((page.line_of(match.start()),
                              f"{match.group()!r} is left in the page after expansion: write {{{{! name }}}}"
                              " to show the syntax (prose or inline code); if a directive's value"
                              " holds it, fix that value in hooks/pagedata.py"))
        return found
    except Exception as err:
        return [(1, _internal(err))]


def check_snippets(text, base_dirs):
    """Each `--8<-- "path:section"` line must name a file under one of base_dirs
    and, if given, a section it marks with [start:section] and [end:section].
    Returns [(line, message)]: pymdownx.snippets itself would stop the build
    without saying which page asked."""
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = SNIPPET.match(line)
        if not match:
            continue
        target = match.group("target")
        path_text, _, section = target.partition(":")
        if section and not NAME.match(section.replace("-", "_").lower()):  # line ranges: left to snippets
            continue
        found = [Path(base) / path_text for base in base_dirs if (Path(base) / path_text).is_file()]
        if not found:
            errors.append((number, f"snippet {target!r}: no file {path_text!r}"))
            continue
        source = found[0].read_text(encoding="utf-8")
        if section and not (f"[start:{section}]" in source and f"[end:{section}]" in source):
            sections = sorted(set(re.findall(r"\[start:([\w-]+)\]", source)))
            errors.append((number, f"snippet {target!r}: {path_text} has no section {section!r}"
                                   f" (its sections: {', '.join(sections) or 'none'})"))
    return errors
