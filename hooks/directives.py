"""Directives: the few marks an author puts in Markdown for generated content.

    {{ num_docs }}                      a value, inline in a sentence
    {{ loss step=100 }}                 a value with an argument
    {{ tokens name=ava }}               a table: on a line of its own
    {{ player count_table }}            a player: on a line of its own

A directive is `{{`, a name, any number of key=value arguments (quote values
with spaces: name="mary ann"), and `}}`. Inside code (fenced blocks and
`inline code`) nothing is expanded, which is how a page shows the syntax
itself. What each name means lives in hooks/pagedata.py.

This module only finds and parses; it knows nothing of MkDocs or microgpt.
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DIRECTIVE = re.compile(r"\{\{(.*?)\}\}")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+).+?\1")
SNIPPET = re.compile(r"""^\s*-{1,}8<-{1,}\s+(["'])(?P<target>[^"']+)\1\s*$""")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class DirectiveError(Exception):
    """An author's mistake in a directive; the message says what to do."""


@dataclass
class Directive:
    line: int                  # 1-based, in the text given to find()
    start: int                 # the span of `{{ ... }}` within its line
    end: int
    name: str
    args: dict = field(default_factory=dict)
    alone: bool = False        # the only thing on its line (tables and players must be)
    indent: str = ""           # the line's indentation, kept for block output

    def __str__(self):
        args = " ".join(f"{key}={value}" for key, value in self.args.items())
        return "{{ " + " ".join(filter(None, [self.name, args])) + " }}"


def parse(inside):
    """`loss step=100` -> ("loss", {"step": "100"})."""
    try:
        words = shlex.split(inside)
    except ValueError as err:
        raise DirectiveError(f"cannot read {{{{{inside}}}}}: {err}") from None
    if not words:
        raise DirectiveError("empty directive {{ }}: write a name, e.g. {{ num_docs }}")
    name, rest = words[0], words[1:]
    if not NAME.match(name):
        raise DirectiveError(f"{name!r} is not a name: names are lowercase words joined by _")
    if name == "player" and rest and "=" not in rest[0]:  # {{ player count_table ... }}
        name, rest = f"player {rest[0]}", rest[1:]
    args = {}
    for word in rest:
        key, equals, value = word.partition("=")
        if not equals or not key:
            raise DirectiveError(f"argument {word!r} in {{{{{inside}}}}} is not key=value")
        if key in args:
            raise DirectiveError(f"argument {key!r} given twice in {{{{{inside}}}}}")
        args[key] = value
    return name, args


def code_mask(line):
    """The character positions of a line that are inside `inline code`."""
    covered = set()
    for match in INLINE_CODE.finditer(line):
        covered.update(range(match.start(), match.end()))
    return covered


def find(text):
    """Every directive outside code, in order, and the errors met on the way:
    ([Directive], [(line, message)])."""
    found, errors = [], []
    fence = None
    for number, line in enumerate(text.splitlines(), start=1):
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        in_code = code_mask(line)
        for match in DIRECTIVE.finditer(line):
            if match.start() in in_code:
                continue
            try:
                name, args = parse(match.group(1))
            except DirectiveError as err:
                errors.append((number, str(err)))
                continue
            alone = line.strip() == match.group(0)
            indent = line[: len(line) - len(line.lstrip())]
            found.append(Directive(number, match.start(), match.end(), name, args, alone, indent))
    return found, errors


def expand(text, render):
    """Replace each directive by render(directive) (a string, or a DirectiveError).
    Returns (new text, [(line, message)]); a directive that failed becomes a
    visible error mark, so `mkdocs serve` keeps going while --strict fails."""
    directives, errors = find(text)
    lines = text.splitlines()
    for directive in reversed(directives):  # right to left: earlier spans stay valid
        try:
            output = render(directive)
        except DirectiveError as err:
            errors.append((directive.line, str(err)))
            output = error_mark(str(err))
        line = lines[directive.line - 1]
        if "\n" in output:
            output = "\n".join(directive.indent + part if part else part for part in output.split("\n"))
            output = output.lstrip()
        lines[directive.line - 1] = line[: directive.start] + output + line[directive.end :]
    errors.sort()
    ending = "\n" if text.endswith("\n") else ""
    return "\n".join(lines) + ending, errors


def error_mark(message):
    from html import escape

    return f'<strong class="mgv-error">build error: {escape(message)}</strong>'


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
