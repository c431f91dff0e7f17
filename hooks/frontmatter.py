"""A page's front matter, read with the page file's own line numbers.

    ---
    title: The Count Table
    defines:
      - state_dict: the count table
    terms:
      - count table: how often each token followed each other one
    ---

`defines:` lists the names of the code a page introduces (the So far box shows
them), `terms:` the ideas it explains; the Glossary lists both.

MkDocs reads this block itself, but silently drops a block it cannot read
(the page then shows the YAML as text and loses its title): this is where
such mistakes are reported, with the line to fix.
"""

import copy
import functools

import yaml
from mkdocs.utils.meta import YAML_RE, get_data

LISTS = ("defines", "terms")  # `name: what it is` lists, whose meanings may hold directives


def front_matter_lines(source_text):
    """How many lines of the file come before the Markdown MkDocs hands to
    on_page_markdown (the front matter and the blank lines after it):
    line N of that Markdown is line N + front_matter_lines(source) of the file."""
    try:
        source = _normal(source_text)
        body, _ = get_data(source)
        if not source.endswith(body):
            return 0
        return source[: len(source) - len(body)].count("\n")
    except Exception:
        return 0


def read_front_matter(source_text):
    """(meta, body_start_line, errors) for a page's text: the front matter as a
    dict ({} when it cannot be read), the file line where the Markdown body
    starts (as MkDocs cuts it), and [(line, message)] with file lines."""
    try:
        meta, body_start, errors = _read_once(_normal(source_text))
        return copy.deepcopy(meta), body_start, list(errors)
    except Exception as err:  # never stop a build
        return {}, front_matter_lines(source_text) + 1, [
            (1, f"front matter: the check failed ({type(err).__name__}: {err}): a bug in hooks/frontmatter.py")]


def _normal(text):
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


@functools.lru_cache(maxsize=256)  # the nav and the page both read every page's front matter
def _read_once(source):
    return _read(source)


def _read(source):
    body_start = front_matter_lines(source) + 1
    match = YAML_RE.match(source)
    if not match:
        return _without_yaml(source, body_start)
    block = match.group(1)
    first = 2                                   # the file line of the block's first line

    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(block)
    except yaml.YAMLError as err:
        line, message = _yaml_problem(err, block, first)
        return {}, body_start, [(line, message)]
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        what = "is empty" if meta is None else f"is a {type(meta).__name__}, not `key: value` lines"
        return {}, body_start, [(first, f"front matter {what}: write `title: ...` (and `defines:`)"
                                        " between the --- lines, or remove the --- lines")]

    errors = []
    keys = {}
    for key_node, value_node in node.value:
        key = key_node.value
        line = key_node.start_mark.line + first
        if key in keys:
            errors.append((line, f"front matter: {key!r} is given twice (also on line {keys[key]}):"
                                 " keep one, YAML would silently use the last"))
        keys.setdefault(key, line)
        if key == "title":
            errors += _check_title(meta.get("title"), line)
        elif key in LISTS:
            errors += _check_defines(value_node, first, line, key)
    # Directives are expanded in the meanings of `defines:` and `terms:` (the So far box and
    # the Glossary show them), nowhere else.
    outside_defines = [pair for pair in node.value if pair[0].value not in LISTS]
    errors += [(line, f"front matter: {text!r} holds '{{{{' or '}}}}', which is never expanded here:"
                      " write the text itself (directives work in the page body and in defines: and terms: meanings)")
               for key, value in outside_defines for line, text in _scalars(value, first)
               if "{{" in text or "}}" in text]
    return meta, body_start, sorted(set(errors))


def _without_yaml(source, body_start):
    """No --- block. MkDocs still reads leading `word: text` lines as metadata
    (MultiMarkdown style) and cuts them from the page: say so."""
    if body_start == 1:
        return {}, 1, []
    _, meta = get_data(source)
    if not meta:
        return {}, body_start, []
    cut = [n for n, line in enumerate(source.split("\n")[: body_start - 1], start=1) if line.strip()]
    lines = f"line {cut[0]}" if len(cut) == 1 else f"lines {cut[0]}-{cut[-1]}"
    return meta, body_start, [(cut[0], (
        f"MkDocs reads {lines} as metadata (`key: value` lines at the top) and drops them from the page:"
        " put them between --- lines as front matter, or start the page with a line that is not `word: text`"))]


def _yaml_problem(err, block, first):
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None) or ""
    problem_mark = getattr(err, "problem_mark", None)
    context_mark = getattr(err, "context_mark", None)
    mark = problem_mark or context_mark
    lines = block.split("\n")
    if "quoted scalar" in context and context_mark is not None:
        mark = context_mark
        advice = "the quote opened here is never closed: close it on the same line"
    elif "\t" in problem or (mark is not None and "\t" in _line(lines, mark.line)[: mark.column + 1]):
        advice = "a tab: indent front matter with spaces only"
    elif "mapping values are not allowed" in problem:
        advice = "a ':' inside a value: put the value in quotes, e.g. title: \"Loss: a score\""
    elif "expected <block end>" in problem or "did not find expected" in problem:
        advice = ("the indentation does not line up with the lines above: indent the items of one"
                  " list by the same number of spaces (defines: then `  - name: what it is`)")
    else:
        advice = f"{problem}: check the indentation (spaces) and the quotes"
    line = (mark.line if mark is not None else 0) + first
    last = first + len(lines) - 2               # the block's last line (its text ends with \n)
    line = max(first - 1, min(line, last + 1))
    return line, (f"front matter cannot be read: {advice}. MkDocs ignores the whole block"
                  " when it cannot read it, so the page loses its title and defines")


def _line(lines, index):
    return lines[index] if 0 <= index < len(lines) else ""


def _check_title(title, line):
    if isinstance(title, str) and title.strip():
        return []
    if title is None or isinstance(title, str):
        return [(line, "front matter: title: is empty: write the page's title after it")]
    return [(line, f"front matter: title: must be text, not {type(title).__name__} {title!r}:"
                   f" put it in quotes, e.g. title: \"{title}\"")]


def _check_defines(node, first, key_line, key_name="defines"):
    how = "one `- name: what it is` line per item"
    if isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag.endswith(":null"):
        what = "defines" if key_name == "defines" else "explains"
        return [(key_line, f"front matter: {key_name}: is empty: list what the page {what}, {how}, or remove it")]
    if not isinstance(node, yaml.SequenceNode):
        return [(key_line, f"front matter: {key_name}: must be a list, {how}")]
    errors = []
    for item in node.value:
        line = item.start_mark.line + first
        if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
            key, value = item.value[0]
            if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
                errors.append((line, f"front matter: a {key_name}: item needs a name: {how}"))
            elif not isinstance(value, yaml.ScalarNode) or not value.value.strip():
                errors.append((line, f"front matter: {key_name}: {key.value!r} needs a meaning after the"
                                     f" colon: {how}"))
            continue
        if isinstance(item, yaml.ScalarNode):
            hint = " (a ':' and a space after the name?)" if item.value else ""
            errors.append((line, f"front matter: {key_name}: item {item.value!r} is not `name: what it is`"
                                 f"{hint}: {how}"))
        elif isinstance(item, yaml.MappingNode):
            errors.append((line, f"front matter: a {key_name}: item holds {len(item.value)} names:"
                                 f" {how}, each with its own '-'"))
        else:
            errors.append((line, f"front matter: a {key_name}: item is a list: {how}"))
    return errors


def _scalars(node, first):
    """(line, text) of every string in a composed YAML tree."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            yield node.start_mark.line + first, node.value
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend([key, value])
