"""Step 5, microgpt: what changes, training and results, and the whole program assembled
(pages 5.1, 5.4 and the last page).

5.4 compares every run, 0 to 5: the mean loss of each over the same last stretch of names
(every run shuffles the names with the same seed, so step k of every run sees the same name),
what it changed (the first line of the step module's docstring) and what that bought.

The last page includes microgpt's code part by part with `--8<--` snippets. Two names read
it: its settings, from the modules that set them, and a check of the page itself
(reads_page): the lines its snippets show, and whether every function run 5 calls is among
them. Which functions run 5 calls is found by running microgpt's own program for step 5 (one
training step, one sample) under a profiler that notes every function of microgpt/ called
and who called it.
"""

import ast
import contextlib
import importlib
import io
import math
import re
import sys
from html import escape
from pathlib import Path

from hooks.directives import SNIPPET, DirectiveError
from hooks.pagedata import ALL, fixed, fmt_float, fmt_int, table, value
from hooks.pagedata.common import dataset_names, num_params
from microgpt import replay

MINUS = "\u2212"
WINDOW = 100  # 5.4 compares the runs over their last WINDOW steps
SOURCE_DIR = Path(replay.__file__).resolve().parent
MARK = re.compile(r"^\s*#\s*-+8<-+\s*\[(start|end):([\w-]+)\]\s*$")   # a snippet mark in microgpt/


# ---------------------------------------------------------------- 5.4: what each step bought


def last_stretch(run, window):
    """The records of the run's last `window` training steps."""
    total = len(run.steps)
    if not 1 <= window <= total:
        raise DirectiveError(f"window={window}: 1 to {total:,} steps")
    return run.steps[total - window:]


def same_names(earlier, later, window):
    """The two runs' last `window` records, checked to be the same names in the same order."""
    a, b = last_stretch(earlier, window), last_stretch(later, window)
    if [r["doc"] for r in a] != [r["doc"] for r in b]:
        raise DirectiveError(f"runs {earlier.number} and {later.number} trained on different names:"
                             " their losses cannot be compared name by name")
    return a, b


def mean(records):
    return sum(r["loss"] for r in records) / len(records)


def uniform_loss(run):
    """ln(vocab_size): the loss of every name under a model that gives every token the same chance."""
    return math.log(run.facts["vocab_size"])


def gain(page, run, window):
    """(the mean loss of the run's last `window` steps, how much lower it is than the step
    before's (run 0: than the uniform guess), how many of those names print a lower loss, how
    many the same)."""
    mine = last_stretch(run, window)
    if run.number == 0:
        before = [fixed(uniform_loss(run))] * window
        previous = uniform_loss(run)
    else:
        earlier, mine = same_names(page.run(run.number - 1), run, window)
        before = [fixed(r["loss"]) for r in earlier]
        previous = mean(earlier)
    now = [fixed(r["loss"]) for r in mine]
    lower = sum(1 for b, n in zip(before, now) if n < b)
    equal = sum(1 for b, n in zip(before, now) if n == b)
    return mean(mine), previous - mean(mine), lower, equal


def signed(x):
    """A change of loss to 4 decimals with a real minus sign; a change that rounds to zero is 0.0000."""
    text = fmt_float(x)
    if float(text) == 0:
        return fmt_float(0)
    return text.replace("-", MINUS) if x < 0 else "+" + text


def what_changed(number):
    """The first line of the step module's docstring, without its "Step N · "."""
    first = (replay.module_of(number).__doc__ or "").strip().splitlines()[0]
    head = f"Step {number} · "
    if not first.startswith(head):
        raise DirectiveError(f"the docstring of step {number}'s module should start with {head!r}")
    return first.removeprefix(head)


@table(runs=(5,))
def loss_by_step(page, window: int = WINDOW):
    """One row per step 0-5: what it changed, its parameters, its mean loss over the last `window` steps, the change.

    The change is from the row above (the first row: the uniform guess), with on how many of the
    names the loss is lower."""
    runs = [page.run(n) for n in range(6)]
    last = len(runs[0].steps)
    stretch = f"steps {fmt_int(last - window + 1)} to {fmt_int(last)}"
    vocab = runs[0].facts["vocab_size"]
    rows = [("uniform guess", f"no model: every token equally likely, 1 in {fmt_int(vocab)}", "none",
             f"{fmt_float(uniform_loss(runs[0]))} (ln {vocab})", "", "")]
    for run in runs:
        mean_loss, change, lower, equal = gain(page, run, window)
        same = f" ({fmt_int(equal)} the same)" if equal else ""
        rows.append((f"Step {run.number}", escape(what_changed(run.number)),
                     num_params(page, run.number) + (" counts" if run.number == 0 else ""),
                     fmt_float(mean_loss), signed(-change), f"{fmt_int(lower)}{same}"))
    heads = ["step", "what it changed", "parameters", "mean loss", "change", "names lower"]
    head = "".join(f'<th scope="col">{h}</th>' for h in heads)
    body = "".join(f'<tr><th scope="row">{row[0]}</th>' + "".join(f"<td>{c}</td>" for c in row[1:]) + "</tr>"
                   for row in rows)
    caption = (f"What each step bought. Mean loss: over training {stretch}, the same {fmt_int(window)}"
               " names in every run. Change: from the row above. Names lower: of those names, how many"
               " print a lower loss than in the row above.")
    return (f'<div class="mgv-scroll mgv-gains" data-label="Table: what each step bought"><table>'
            f"<caption><span>{escape(caption)}</span></caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            "</table></div>")


@value(runs=ALL)
def step_gain(page, window: int = WINDOW, run: int = None):
    """How much lower the mean loss of the run's last `window` steps is than the step before's (run 0: ln V's).

    Run 0 is compared with ln(vocab_size), the uniform guess. To 4 decimals."""
    change = gain(page, page.run(run), window)[1]
    return fmt_float(0 if float(fmt_float(change)) == 0 else change).replace("-", MINUS)


@value(runs=ALL)
def gain_window(page, run: int = None):
    """How many of the last training steps 5.4 averages to compare the runs (WINDOW)."""
    last_stretch(page.run(run), WINDOW)
    return fmt_int(WINDOW)


@value(runs=ALL)
def stretch_steps(page, window: int = WINDOW, run: int = None):
    """The training steps of the run's last `window` steps: 901 to 1,000."""
    run = page.run(run)
    last_stretch(run, window)
    return f"{fmt_int(len(run.steps) - window + 1)} to {fmt_int(len(run.steps))}"


@value(runs=ALL)
def loss_extremes(page, window: int = WINDOW, run: int = None):
    """The lowest and the highest loss among the run's last `window` steps, with their names."""
    records = last_stretch(page.run(run), window)
    low = min(records, key=lambda r: r["loss"])
    high = max(records, key=lambda r: r["loss"])
    return f"{fmt_float(low['loss'])} for “{low['doc']}” to {fmt_float(high['loss'])} for “{high['doc']}”"


@value(runs=ALL)
def samples_in_dataset(page, run: int = None):
    """How many of the run's generated names occur in names.txt."""
    names = set(dataset_names())
    return fmt_int(sum(1 for name in page.run(run).samples if name in names))


@value(runs=ALL)
def samples_in_training(page, run: int = None):
    """How many of the run's generated names are among the names its training saw (its steps' docs)."""
    run = page.run(run)
    seen = {record["doc"] for record in run.steps}
    return fmt_int(sum(1 for name in run.samples if name in seen))


@value(runs=ALL)
def seen_before(page, window: int = WINDOW, run: int = None):
    """Of the run's last `window` names, how many training had already seen at an earlier step."""
    run = page.run(run)
    first = len(run.steps) - len(last_stretch(run, window))
    earlier = set()
    count = 0
    for k, record in enumerate(run.steps):
        if k >= first and record["doc"] in earlier:
            count += 1
        earlier.add(record["doc"])
    return fmt_int(count)


@value(runs=ALL)
def names_lower(page, window: int = WINDOW, run: int = None):
    """Of the last `window` names, how many the run prints a lower loss for than the step before (run 0: ln V).

    Run 0 is compared with ln(vocab_size), the uniform guess."""
    return fmt_int(gain(page, page.run(run), window)[2])


# ---------------------------------------------------------------- the last page: the settings

# The settings of microgpt, in the order the page shows them, and what each sets.
SETTINGS = [
    ("n_embd", "the width of the vector each position carries from block to block, and of its"
               " embeddings, query, key and value"),
    ("n_head", "attention heads per layer"),
    ("n_layer", "layers, each an attention block and an MLP block"),
    ("block_size", "the longest context in tokens, and the rows of wpe"),
    ("head_dim", "the width of each head's slice of a query, key and value"),
    ("learning_rate", "Adam's learning rate at the first step; it shrinks in a straight line"),
    ("beta1", "how much of the running average of gradients carries over each step"),
    ("beta2", "the same, for the running average of squared gradients"),
    ("eps_adam", "keeps Adam's division safe when a gradient is tiny"),
    ("SEED", "seeds the one random number generator: the shuffle, the initial weights, the samples"),
    ("NUM_STEPS", "training steps, one name each"),
    ("NUM_SAMPLES", "names generated after training"),
    ("temperature", "divides the logits before sampling: below 1, likely tokens get likelier"),
]
# Where run 5 finds them: its own module first, then the modules it imports from, in order.
SETTING_MODULES = ["step5_adam", "step4_transformer", "step3_attention", "step2_autograd",
                   "step1_gradient", "program", "data"]


def assigned_at_top(module_name):
    """{name: the ast.Assign} of a microgpt module's top-level assignments."""
    tree = ast.parse((SOURCE_DIR / f"{module_name}.py").read_text(encoding="utf-8"))
    return {target.id: node for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def setting_source(name):
    """(the module that sets `name`, the expression it is set to, as written, and its value)."""
    for module_name in SETTING_MODULES:
        found = assigned_at_top(module_name)
        if name in found:
            module = importlib.import_module(f"microgpt.{module_name}")
            return module_name, ast.unparse(found[name].value), getattr(module, name)
    raise DirectiveError(f"no module run 5 reads sets {name!r}: update SETTINGS in hooks/pagedata/step5.py")


@table(runs=(5,))
def microgpt_settings(page, run: int = None):
    """microgpt's settings, read from the modules that set them: name, value, module, what it sets."""
    run = page.run(run)
    rows = []
    for name, what in SETTINGS:
        module_name, written, setting = setting_source(name)
        if name == "NUM_STEPS" and setting != run.facts["num_steps"]:
            raise DirectiveError(f"run 5 was configured with num_steps={run.facts['num_steps']}, not"
                                 f" NUM_STEPS = {setting}: its numbers are not the program's")
        shown = f"<code>{escape(repr(setting))}</code>"
        if written != repr(setting):
            shown += f' <span class="mgv-settings__as">= <code>{escape(written)}</code></span>'
        rows.append(f'<tr><th scope="row"><code>{escape(name)}</code></th><td>{shown}</td>'
                    f"<td><code>{module_name}.py</code></td><td>{escape(what)}</td></tr>")
    heads = "".join(f'<th scope="col">{h}</th>' for h in ("setting", "value", "set in", "what it sets"))
    caption = "microgpt's settings, as the modules Step 5 reads set them"
    return (f'<div class="mgv-scroll mgv-settings" data-label="Table: {escape(caption)}"><table>'
            f"<caption><span>{escape(caption)}</span></caption><thead><tr>{heads}</tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table></div>')


# ---------------------------------------------------------------- the last page: the check

# Functions run 5 calls that the page leaves out on purpose, and why; the functions that only
# they call are left out with them.
LEFT_OUT = {
    ("data", "locate_dataset"): "finds names.txt (MICROGPT_DATA, a copy cached earlier or a download)"
                                " and checks its SHA-256",
    ("program", "step_module"): "imports the module of the step asked for, here step5_adam",
}


def snippets_of(markdown):
    """[(module name, section)] of every `--8<-- "microgpt/FILE.py:SECTION"` line, in page order."""
    found = []
    for line in markdown.splitlines():
        match = SNIPPET.match(line)
        if not match:
            continue
        path, _, section = match.group("target").partition(":")
        if not (path.startswith("microgpt/") and path.endswith(".py") and section):
            raise DirectiveError(f"snippet {match.group('target')!r}: this page includes sections of"
                                 " microgpt/*.py only")
        found.append((Path(path).stem, section))
    if len(set(found)) != len(found):
        twice = next(s for s in found if found.count(s) > 1)
        raise DirectiveError(f"the page includes {twice[0]}.py:{twice[1]} twice")
    return found


def source_lines(module_name):
    """The lines of microgpt/MODULE.py, numbered from 1 as {number: text}."""
    text = (SOURCE_DIR / f"{module_name}.py").read_text(encoding="utf-8")
    return dict(enumerate(text.splitlines(), start=1))


def section_lines(module_name, section):
    """{line number: text} of one snippet section, without the marks of sections inside it."""
    lines = source_lines(module_name)
    marks = {}   # ("start" or "end", section) -> its line
    for number, text in lines.items():
        found = MARK.match(text)
        if found:
            marks[found.groups()] = number
    first, last = marks.get(("start", section)), marks.get(("end", section))
    if first is None or last is None or last < first:
        raise DirectiveError(f"microgpt/{module_name}.py has no section {section!r}")
    return {n: lines[n] for n in range(first + 1, last) if not MARK.match(lines[n])}


def definitions(module_name):
    """{qualified name: (first line, last line, class or None)} of a module's functions and the
    methods of its classes."""
    tree = ast.parse((SOURCE_DIR / f"{module_name}.py").read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = (node.lineno, node.end_lineno, None)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found[f"{node.name}.{item.name}"] = (item.lineno, item.end_lineno, node.name)
    return found


def shown_functions(markdown):
    """({(module, qualified name): class or None} of the functions shown whole on the page, the
    lines shown (blank lines not counted), the code boxes)."""
    snippets = snippets_of(markdown)
    shown_lines = {}
    for module_name, section in snippets:
        shown_lines.setdefault(module_name, {}).update(section_lines(module_name, section))
    shown = {}
    for module_name, numbers in shown_lines.items():
        lines = source_lines(module_name)
        for name, (first, last, owner) in definitions(module_name).items():
            body = [n for n in range(first, last + 1) if lines[n].strip() and not MARK.match(lines[n])]
            if all(n in numbers for n in body):
                shown[(module_name, name)] = owner
    count = sum(1 for numbers in shown_lines.values() for text in numbers.values() if text.strip())
    return shown, count, len(snippets)


def traced_calls():
    """{"module:qualified name": [callers]} of every function of microgpt/ that the program of
    step 5 calls, with one training step and one sample (which functions a run calls does not
    depend on how long it runs). A caller is the nearest function, not a comprehension."""
    from microgpt.program import STEP_MODULES, run_program

    importlib.import_module(STEP_MODULES[5])  # imported first: no module body counts as a call
    folder = str(SOURCE_DIR)
    calls = {}

    def name_of(code):
        return f"{Path(code.co_filename).stem}:{code.co_qualname}"

    def profile(frame, event, arg):
        code = frame.f_code
        if event != "call" or not code.co_filename.startswith(folder) or code.co_name.startswith("<"):
            return
        caller = frame.f_back
        while caller is not None and caller.f_code.co_name.startswith("<"):
            caller = caller.f_back  # a comprehension stands for the function it is in
        inside = caller is not None and caller.f_code.co_filename.startswith(folder)
        calls.setdefault(name_of(code), set()).add(name_of(caller.f_code) if inside else "")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            run_program(5, num_steps=1, num_samples=1)
    finally:
        sys.setprofile(previous)
    return {name: sorted(callers) for name, callers in sorted(calls.items())}


def run5_calls(page):
    """traced_calls(), once per run 5 and version of this file."""
    run = page.run(5)
    found = run.remember("traced_calls", traced_calls, __file__)
    return {tuple(name.split(":", 1)): [tuple(c.split(":", 1)) if c else None for c in callers]
            for name, callers in found.items()}


def check_page(page):
    """The check of the assembled page: (shown, lines, boxes, called and shown, left out)."""
    shown, count, boxes = shown_functions(page.markdown)
    if not boxes:
        raise DirectiveError("this page includes no section of microgpt/: nothing to check")
    calls = run5_calls(page)
    left_out = {}  # function -> the left-out function it is left out with

    def excused(name, seen=()):
        if name in LEFT_OUT:
            return name
        callers = calls.get(name, [])
        if name in seen or not callers or None in callers:
            return None
        owners = {excused(c, seen + (name,)) for c in callers if c not in shown}
        if len(owners) == 1 and None not in owners and all(c not in shown for c in callers):
            return owners.pop()
        return None

    unused = [name for name in LEFT_OUT if name not in calls]
    if unused:
        raise DirectiveError("LEFT_OUT in hooks/pagedata/step5.py names " + ", ".join(f"{m}.{q}()" for m, q in unused)
                             + ", which run 5 no longer calls")
    missing = []
    for name in calls:
        if name in shown:
            continue
        owner = excused(name)
        if owner is None:
            missing.append(name)
        else:
            left_out[name] = owner
    if missing:
        raise DirectiveError("run 5 calls " + ", ".join(f"{m}.{q}()" for m, q in missing)
                             + ", which this page does not show (nor says why it leaves out)")
    never = [name for name in shown if name not in calls]
    loose = [name for name in never if shown[name] is None
             or not any(n[0] == name[0] and n[1].startswith(shown[name] + ".") for n in calls)]
    if loose:
        raise DirectiveError("the page shows " + ", ".join(f"{m}.{q}()" for m, q in loose)
                             + ", which run 5 never calls: only the code run 5 runs belongs here")
    return shown, count, boxes, [n for n in shown if n in calls], never, left_out


@value(runs=(5,), reads_page=True)
def assembled_lines(page):
    """How many lines of code the page's `--8<--` snippets show, blank lines not counted."""
    page.run(5)
    return fmt_int(shown_functions(page.markdown)[1])


@table(runs=(5,), reads_page=True)
def assembled_check(page):
    """The page checked against Step 5's program: the lines it shows, and every function the program calls.

    A function called but not shown must be in LEFT_OUT (or called only by one that is); a function
    shown but not called must be a method of a class that is."""
    shown, count, boxes, called, never, left_out = check_page(page)
    code = lambda name: f"<code>{escape(name[1])}()</code>"  # noqa: E731
    items = [f"<li>{fmt_int(count)} lines of code in {fmt_int(boxes)} boxes (blank lines not counted):"
             f" {fmt_int(len(shown))} functions and methods, whole.</li>",
             f"<li>Step 5's program called {fmt_int(len(called))} of them, and every other function of"
             " microgpt/ it called is left out on purpose:<ul>"
             + "".join(f"<li>{code(name)} in <code>{name[0]}.py</code>: {escape(why)}"
                       + (" (with what only it calls)" if any(o == name != n for n, o in left_out.items()) else "")
                       + "</li>" for name, why in LEFT_OUT.items()) + "</ul></li>"]
    if never:
        items.append("<li>On the page because their class is, but never called by Step 5's program: "
                     + ", ".join(code(name) for name in never) + ".</li>")
    return (f'<div class="mgv-assembled-check"><p><strong>Checked when this page was built</strong>, by'
            " running step 5's program for one training step and one sample and noting every"
            f' function it called:</p><ul>{"".join(items)}</ul></div>')
