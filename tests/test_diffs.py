"""The generated code diffs (hooks/pagedata/diffs.py) and page 2.1, What Changes.

The diff is checked against the two source files, read here without the hook:
its lines put back together give each file again, its counts are those of an
optimal line diff computed here (a longest common subsequence, function by
function), and what it says of each function (new, removed, imported, changed)
is read off the files with ast. The built page is then read for the diff and
the numbers its prose quotes.
"""

import ast
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from hooks.directives import DirectiveError
from hooks.pagedata import NAMES, call
from tests.conftest import ROOT, reference_lines

SOURCE = ROOT / "microgpt"
BEFORE, AFTER = "step1_gradient", "step2_autograd"
PAIRS = [(BEFORE, AFTER), ("step0_counting", "step1_gradient"), ("step2_autograd", "step3_attention"),
         ("step3_attention", "step4_transformer"), ("step4_transformer", "step5_adam")]
MARK = re.compile(r"^\s*# --8<-- \[(start|end):\w+\]$")


# ---------------------------------------------------------------- the files, read here


def shown_lines(module):
    """(line number, text) of every line a diff of the module may show: not the module docstring,
    not a snippet mark, not blank."""
    text = (SOURCE / f"{module}.py").read_text()
    tree = ast.parse(text)
    doc = tree.body[0]
    assert isinstance(doc, ast.Expr) and isinstance(doc.value.value, str), f"{module} has a docstring"
    skip = set(range(doc.lineno, doc.end_lineno + 1))
    return [(n, line) for n, line in enumerate(text.split("\n"), 1)
            if n not in skip and line.strip() and not MARK.match(line)]


def groups(module):
    """The shown lines of a module by top-level function or class (None: the module level)."""
    tree = ast.parse((SOURCE / f"{module}.py").read_text())
    spans = {node.name: (node.lineno, node.end_lineno) for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    out = {}
    for n, line in shown_lines(module):
        owner = next((name for name, (a, b) in spans.items() if a <= n <= b), None)
        out.setdefault(owner, []).append(line)
    return out


def lcs(a, b):
    """The length of a longest common subsequence of two lists of lines."""
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], previous + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def expected_counts(before, after):
    """Lines kept, removed and added by an optimal diff, function by function."""
    old, new = groups(before), groups(after)
    kept = sum(lcs(old[name], new[name]) for name in old if name in new)
    removed = sum(map(len, old.values())) - kept
    added = sum(map(len, new.values())) - kept
    return SimpleNamespace(kept=kept, removed=removed, added=added)


def imported_from_microgpt(module):
    tree = ast.parse((SOURCE / f"{module}.py").read_text())
    return {alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
            and node.module.startswith("microgpt.") for alias in node.names}


# ---------------------------------------------------------------- the rendered diff, read back


class DiffReader(HTMLParser):
    """The parts of a rendered diff: their head, and their lines as (kind, text, folded), where text
    is what the code shows (the hidden "removed:"/"added:" words apart, in `said`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.stack, self.line, self.folds = [], [], None, 0
        self.head = None
        self.summaries = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class", "") or ""
        self.stack.append((tag, cls))
        if "mgv-diff-part" in cls.split():
            self.parts.append(SimpleNamespace(cls=cls, head="", lines=[]))
        elif "mgv-diff-head" in cls.split():
            self.head = ""
        elif "mgv-dl" in cls.split():
            kind = next(c.removeprefix("mgv-dl--") for c in cls.split() if c.startswith("mgv-dl--"))
            self.line = SimpleNamespace(kind=kind, text="", said="", folded=self.folds > 0)
        elif tag == "details":
            self.folds += 1
            assert "open" not in dict(attrs), "a fold starts closed"
        elif tag == "summary":
            self.summaries.append("")

    def handle_endtag(self, tag):
        opened, cls = self.stack.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if "mgv-diff-head" in cls.split():
            self.parts[-1].head, self.head = self.head, None
        elif "mgv-dl" in cls.split():
            self.parts[-1].lines.append(self.line)
            self.line = None
        elif tag == "details":
            self.folds -= 1

    def handle_data(self, data):
        if self.head is not None:
            self.head += data
        elif self.line is not None:
            if any("mgv-sr" in c.split() for _, c in self.stack):
                self.line.said += data
            else:
                self.line.text += data
        elif any(t == "summary" for t, _ in self.stack):
            self.summaries[-1] += data


def read_diff(html):
    reader = DiffReader()
    reader.feed(html)
    assert reader.stack == [], "every element is closed"
    return reader


def lines_of(reader):
    return [line for part in reader.parts for line in part.lines]


def rendered(before, after, only=None):
    args = {"before": before, "after": after, **({"only": only} if only else {})}
    return call(NAMES["code_diff"], SimpleNamespace(page_step=2), args)


def value(name, **args):
    return call(NAMES[name], SimpleNamespace(page_step=2), {k: str(v) for k, v in args.items()})


# ---------------------------------------------------------------- the diff against the files


@pytest.mark.parametrize("before,after", PAIRS)
def test_the_diff_puts_both_files_back_together(before, after):
    """Unchanged and removed lines, in order, are the old file; unchanged and added lines the new one."""
    shown = [line for line in lines_of(read_diff(rendered(before, after))) if line.text.strip()]
    assert [l.text for l in shown if l.kind in ("same", "del")] == [t for _, t in shown_lines(before)]
    assert [l.text for l in shown if l.kind in ("same", "add")] == [t for _, t in shown_lines(after)]


@pytest.mark.parametrize("before,after", PAIRS)
def test_the_counts_are_those_of_an_optimal_diff(before, after):
    expected = expected_counts(before, after)
    lines = [l for l in lines_of(read_diff(rendered(before, after))) if l.text.strip()]
    counted = Counter(l.kind for l in lines)
    assert (counted["same"], counted["del"], counted["add"]) == (expected.kept, expected.removed, expected.added)
    assert value("diff_removed", before=before, after=after) == f"{expected.removed:,}"
    assert value("diff_added", before=before, after=after) == f"{expected.added:,}"
    assert value("diff_unchanged", before=before, after=after) == f"{expected.kept:,}"


def test_removed_lines_cover_what_step_1_has_more_of():
    """A line that step 1 has more often than step 2 is removed at least that many times, and the
    other way round for added lines: however the diff is cut, it cannot keep them."""
    old = Counter(t for _, t in shown_lines(BEFORE))
    new = Counter(t for _, t in shown_lines(AFTER))
    lines = [l for l in lines_of(read_diff(rendered(BEFORE, AFTER))) if l.text.strip()]
    removed = Counter(l.text for l in lines if l.kind == "del")
    added = Counter(l.text for l in lines if l.kind == "add")
    assert removed - old == Counter() and added - new == Counter()   # each is a line of its file
    assert (old - new) - removed == Counter() and (new - old) - added == Counter()
    assert sum(removed.values()) - sum(added.values()) == sum(old.values()) - sum(new.values())


def test_each_part_says_what_happened_to_it():
    """Read off the files: the functions only step 1 defines are removed (or imported by step 2
    now), those only step 2 defines are new, the others changed."""
    old, new = groups(BEFORE), groups(AFTER)
    imported = imported_from_microgpt(AFTER)
    heads = {}
    for part in read_diff(rendered(BEFORE, AFTER)).parts:
        if part.head.startswith("imports and settings "):
            continue
        name, status = re.fullmatch(r"(?:class )?(\w+)(?:\(\))? (.*)", part.head).groups()
        heads[name] = status
    for name in old:
        if name is None:
            continue
        if name in new:
            assert heads[name].startswith("changed" if old[name] != new[name] else "unchanged"), name
        elif name in imported:
            assert heads[name] == f"no longer here: imported from {BEFORE}", name
        else:
            assert heads[name] == f"removed, {len(old[name])} lines", name
    for name in new:
        if name is not None and name not in old:
            assert heads[name] == f"new, {len(new[name])} lines", name
    # what the page says goes, and what comes
    assert {n for n, s in heads.items() if s.startswith("removed")} == {
        "numerical_gradient", "zeros_like", "analytic_gradient", "flatten", "check_gradient", "update"}
    assert {n for n, s in heads.items() if s.startswith("new")} == {"matrix", "parameters", "SGD", "training_loop"}
    assert heads["linear"] == "no longer here: imported from step1_gradient"


def test_changed_lines_are_marked_in_words_and_folds_hold_only_what_is_unchanged():
    reader = read_diff(rendered(BEFORE, AFTER))
    for line in lines_of(reader):
        assert line.said == {"del": "removed: ", "add": "added: ", "same": ""}[line.kind]
        if line.folded:
            assert line.kind == "same" or line.said == "removed: "
    assert reader.summaries and all(re.fullmatch(r"(show its )?\d+ lines?,? (unchanged|removed here)", s)
                                    for s in reader.summaries), reader.summaries


def test_no_docstring_of_a_module_and_no_snippet_mark_is_shown():
    for before, after in PAIRS:
        text = "\n".join(l.text for l in lines_of(read_diff(rendered(before, after))))
        assert "--8<--" not in text
        for module in (before, after):
            first_line = (SOURCE / f"{module}.py").read_text().split("\n")[0]
            assert first_line not in text


def test_shown_lines_fit_eighty_columns_and_are_highlighted():
    html = rendered(BEFORE, AFTER)
    assert all(len(l.text) <= 80 for l in lines_of(read_diff(html)))
    assert '<span class="k">def </span><span class="nf">analytic_gradient</span>' in html
    assert "{{" not in html and "}}" not in html and "\n" not in html


def test_only_shows_the_parts_asked_for():
    reader = read_diff(rendered(BEFORE, AFTER, only="train,training_loop,update"))
    assert [p.head.split()[0] for p in reader.parts] == ["update()", "training_loop()", "train()"]
    old, new = groups(BEFORE), groups(AFTER)
    assert value("diff_added", before=BEFORE, after=AFTER, only="training_loop") == str(len(new["training_loop"]))
    assert value("diff_removed", before=BEFORE, after=AFTER, only="update") == str(len(old["update"]))


def test_mistakes_are_said_with_what_there_is():
    with pytest.raises(DirectiveError) as err:
        rendered("step9_nothing", AFTER)
    message = str(err.value)
    assert "before='step9_nothing'" in message
    for module in ("autograd", "step0_counting", "step1_gradient", "step5_adam", "tokenizer"):
        assert module in message
    with pytest.raises(DirectiveError, match=r"after='\.\./hooks/guide'.*the modules are autograd, "):
        rendered(BEFORE, "../hooks/guide")
    with pytest.raises(DirectiveError, match=r"only='nothing'.*their parts are imports, matrix, init_model, "):
        rendered(BEFORE, AFTER, only="nothing")
    with pytest.raises(DirectiveError, match=r"part='nothing'.*its parts are imports, "):
        value("part_lines", module=BEFORE, part="nothing")
    with pytest.raises(DirectiveError, match="needs after="):
        call(NAMES["code_diff"], SimpleNamespace(page_step=2), {"before": BEFORE})


def test_line_counts_of_a_module_and_a_function():
    assert value("module_lines", module="autograd") == str(len(shown_lines("autograd")))
    assert value("part_lines", module=BEFORE, part="analytic_gradient") == str(len(groups(BEFORE)["analytic_gradient"]))


# ---------------------------------------------------------------- the page as built


@pytest.fixture(scope="module")
def page(built_site):
    html = (built_site[0] / "step-2" / "what-changes" / "index.html").read_text()
    article = html[html.index("<article"):html.index("</article>")]
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", article)).split())
    return SimpleNamespace(html=html, article=article, text=text)


def test_the_page_shows_the_diff_and_no_directive(page):
    assert page.article.count('<figure class="mgv-diff">') == 1
    assert "{{" not in page.article and "}}" not in page.article
    assert "mgv-error" not in page.article
    shown = [l for l in lines_of(read_diff(page.article[page.article.index('<figure class="mgv-diff">'):]))
             if l.text.strip()]
    assert [l.text for l in shown if l.kind != "add"] == [t for _, t in shown_lines(BEFORE)]
    assert [l.text for l in shown if l.kind != "del"] == [t for _, t in shown_lines(AFTER)]


def test_the_page_quotes_the_counts(page):
    expected = expected_counts(BEFORE, AFTER)
    assert (f"{expected.removed:,} lines go, {expected.added:,} come, and {expected.kept:,} stay as they were"
            in page.text)
    assert (f"{expected.removed:,} lines removed, {expected.added:,} lines added, {expected.kept:,} lines unchanged"
            in page.text)
    analytic = len(groups(BEFORE)["analytic_gradient"])
    assert f"analytic_gradient() , the backward pass of the Analytic Gradient page: {analytic} lines" in page.text
    assert f"microgpt/autograd.py , {len(shown_lines('autograd'))} lines long" in page.text


def test_what_the_page_says_of_the_run_holds():
    """"the run prints what Step 1's printed ... only the gradient check line is missing": the
    reference outputs the runs are checked against (tests/test_reproduction.py)."""
    step1, step2 = reference_lines(1), reference_lines(2)
    missing = [line for line in step1 if line not in step2]
    assert len(missing) == 1 and missing[0].startswith("gradient check")
    assert [line for line in step1 if line != missing[0]] == step2


def test_what_the_page_says_of_the_code_holds():
    """The page's claims about the code, read off the files."""
    def functions(module):
        tree = ast.parse((SOURCE / f"{module}.py").read_text())
        return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}

    old, new = functions(BEFORE), functions(AFTER)
    # "Step 2 also drops the docstrings of the functions it carries over"
    carried = [name for name in old if name in new]
    assert carried and all(ast.get_docstring(new[name]) is None for name in carried)
    assert any(ast.get_docstring(old[name]) for name in carried)
    # "linear(), n_embd and temperature are imported from Step 1's module"; "import math goes"
    assert {"linear", "n_embd", "temperature"} <= imported_from_microgpt(AFTER)
    assert "import math" not in (SOURCE / f"{AFTER}.py").read_text()
    # "the program runs the gradient check for Step 1 only"
    program = (SOURCE / "program.py").read_text()
    assert re.search(r"if step == 1:.*\n(?:.*\n){0,2}.*check_gradient\(", program)
    # autograd.py "defines one class, Value"
    tree = ast.parse((SOURCE / "autograd.py").read_text())
    assert [node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))] == ["Value"]
    # "Step 3 and Step 4 call the same training_loop() with their own forward passes [and SGD], and Step 5
    # with Step 4's forward pass and a new optimizer, Adam"
    for module, optimizer in [("step3_attention", "SGD"), ("step4_transformer", "SGD"), ("step5_adam", "Adam")]:
        train = ast.unparse(functions(module)["train"])
        assert f"optimizer = {optimizer}(parameters(state_dict)" in train
        assert "training_loop(state_dict, docs, tokenizer, num_steps, forward, optimizer, learning_rate)" in train
        assert "training_loop" in imported_from_microgpt(module)
    assert "forward" in functions("step3_attention") and "forward" in functions("step4_transformer")
    assert "forward" in imported_from_microgpt("step5_adam") and "forward" not in functions("step5_adam")
