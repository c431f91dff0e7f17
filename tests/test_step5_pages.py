"""5.4 Training and Results and the last page, microgpt Assembled, checked in the built site.

The expected values are found without hooks/pagedata or microgpt.replay:

- losses and names from the reference programs' printed output (tests/reference/stepN.txt) and
  from the runs' recorded losses (the run cache's JSON), averaged and compared here;
- the code on the last page against the source files, read here line by line;
- which functions Step 5's program calls from the modules' syntax trees (ast), following the
  calls from program.run_program by name; the page's own check traces a real run instead.
"""

import ast
import json
import math
import re
import textwrap
from html import unescape
from pathlib import Path

import pytest

from tests.browser_kit import browser, opener, settled, site_url  # noqa: F401 (fixtures)
from tests.conftest import ROOT, reference_lines, texts

SOURCE = ROOT / "microgpt"
WINDOW = 100   # 5.4 averages the last 100 steps
NUM_STEPS = 1000
PARAMS = {0: 27 * 27, 1: 3184, 2: 3184, 3: 4192, 4: 4192, 5: 4192}   # MICROGPT-SPEC.md (step 0: its counts)
SAMPLES = ["kamon", "ann", "karai"]   # the spec's first three of step 5


@pytest.fixture(scope="module")
def site(built_site):
    return built_site[0]


@pytest.fixture(scope="module")
def runs(built_site):
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    return {step: json.loads(next(cache.glob(f"step{step}-*.json")).read_text()) for step in range(6)}


def article(site, path):
    html = (site / path / "index.html").read_text()
    return html[html.index("<article"):html.index("</article>")]


def f4(x):
    return f"{x:.4f}"


def printed_losses(step):
    """The losses a reference program printed, as printed."""
    return [float(line.rsplit("loss ", 1)[1]) for line in reference_lines(step) if line.startswith("step ")]


def reference_samples(step):
    return [line.split(": ", 1)[1] for line in reference_lines(step) if line.startswith("sample")]


def code_blocks(html):
    """The text of every code box (highlighted Python, not printed output), in page order."""
    return [unescape(re.sub(r"<[^>]+>", "", block))
            for block in re.findall(r'<div class="highlight"><pre[^>]*>(.*?)</pre>', html, re.S)]


def section(file, name):
    """A snippet section as the page should show it: its lines without the marks of sections
    inside it, dedented."""
    lines = (SOURCE / file).read_text().split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == f"# --8<-- [start:{name}]")
    end = next(i for i, line in enumerate(lines) if line.strip() == f"# --8<-- [end:{name}]")
    kept = [line for line in lines[start + 1:end] if not line.strip().startswith("# --8<-- [")]
    return textwrap.dedent("\n".join(kept))


# ---------------------------------------------------------------- 5.4 Training and Results


def test_the_training_code_on_5_4(site):
    html = article(site, "step-5/training-results")
    assert code_blocks(html)[0].strip() == section("step5_adam.py", "training").strip()
    text = texts(html)
    assert ("Of what is handed to it, two things are new: an Adam optimizer over every parameter, and a learning"
            " rate of 0.01, where Step 4's started at 0.1.") in text


def test_step_4_and_step_5_start_alike_and_part(site, runs):
    text = texts(article(site, "step-5/training-results"))
    four, five = printed_losses(4), printed_losses(5)
    assert four[0] == five[0] and four[1] != five[1]
    assert runs[4]["snapshots"]["0"] == runs[5]["snapshots"]["0"]  # "the model and its initial parameters"
    assert f"at the same loss, {f4(four[0])} for Step 4 and {f4(five[0])} here." in text
    assert f"At the second step Step 4 prints {f4(four[1])} and Step 5 {f4(five[1])}." in text


def running_mean(values, window):
    return [sum(values[max(0, i + 1 - window):i + 1]) / min(i + 1, window) for i in range(len(values))]


def test_every_step_on_one_chart(site, runs):
    html = article(site, "step-5/training-results")
    figure = html[html.index('<figure class="mgv-figure mgv-kit mgv-kit--line"'):]
    figure = figure[:figure.index("</figure>")]
    paths = re.findall(r'<path class="mgv-series mgv-tone-(\d) mgv-weight-(\w+)" data-series="(\d)"'
                       r' data-values="([^"]*)"', figure)
    assert [int(series) for _, _, series, _ in paths] == list(range(6))
    assert [weight for _, weight, _, _ in paths] == ["normal"] * 5 + ["thick"]   # microgpt drawn thick
    for step, (_, _, _, values) in enumerate(paths):
        losses = [s["loss"] for s in runs[step]["steps"]]
        assert len(losses) == NUM_STEPS
        expected = running_mean(losses, 50)
        shown = [float(v) for v in values.split()]
        assert shown == pytest.approx(expected, rel=6e-4), step   # 4 significant digits
    legend = re.findall(r'<button type="button" class="mgv-legend-item"[^>]*>.*?</span>(.*?)</button>', figure)
    assert legend == [f"Step {n}: mean of the last 50" for n in range(6)]
    assert f"ln 27 = {f4(math.log(27))}: the uniform guess" in figure
    assert "The loss of Step 0, Step 1, Step 2, Step 3, Step 4 and Step 5 over their 1,000 training steps" in figure
    assert losses_equal_as_printed(1, 2)  # "Step 2's line lies exactly on Step 1's"
    assert paths[1][3] == paths[2][3]     # as drawn
    assert "both runs print the same losses, to every digit printed" in texts(html)


def losses_equal_as_printed(a, b):
    return printed_losses(a) == printed_losses(b) and len(printed_losses(a)) == NUM_STEPS


def test_the_uniform_guess_and_the_first_losses(site):
    text = texts(article(site, "step-5/training-results"))
    ln27 = f4(math.log(27))
    first = {step: printed_losses(step)[0] for step in range(6)}
    assert f4(first[0]) == ln27   # "Step 0 starts exactly there"
    assert all(first[step] > math.log(27) for step in range(1, 6))   # "a little above the line"
    assert first[1] == first[2] and first[4] == first[5]
    assert (f"The dashed line is ln 27 = {ln27}: the loss of a model that gives each of the 27 tokens the same"
            f" chance. Step 0 starts exactly there: its first loss is {ln27},") in text
    assert (f"a little above the line: {f4(first[1])} for Step 1 and Step 2, {f4(first[3])} for Step 3,"
            f" {f4(first[5])} for Step 4 and Step 5.") in text
    assert "shuffles the names with the same seed, 42." in text


def gains_table(html):
    table = html[html.index('<div class="mgv-scroll mgv-gains"'):]
    table = table[:table.index("</table>")]
    return [[texts(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]


def docstring_line(step):
    """What the step module's docstring says first, without its "Step N · "."""
    module = next(SOURCE.glob(f"step{step}_*.py"))
    return ast.get_docstring(ast.parse(module.read_text())).splitlines()[0].split(" · ", 1)[1]


def last_window(step):
    return printed_losses(step)[-WINDOW:]


def test_what_each_step_bought(site, runs):
    html = article(site, "step-5/training-results")
    rows = gains_table(html)
    assert rows[0] == ["step", "what it changed", "parameters", "mean loss", "change", "names lower"]
    ln27 = math.log(27)
    assert rows[1] == ["uniform guess", "no model: every token equally likely, 1 in 27", "none", f"{f4(ln27)} (ln 27)",
                       "", ""]
    docs = [[s["doc"] for s in runs[step]["steps"]] for step in range(6)]
    assert all(d == docs[0] for d in docs)   # the same names in every run, in the same order
    means = {step: sum(s["loss"] for s in runs[step]["steps"][-WINDOW:]) / WINDOW for step in range(6)}
    before = {0: ln27, **{step: means[step - 1] for step in range(1, 6)}}
    for step in range(6):
        # the recorded losses agree with the reference output (printed to 4 decimals)
        assert means[step] == pytest.approx(sum(last_window(step)) / WINDOW, abs=5e-5)
        previous = [round(ln27, 4)] * WINDOW if step == 0 else last_window(step - 1)
        lower = sum(1 for b, n in zip(previous, last_window(step)) if n < b)
        same = sum(1 for b, n in zip(previous, last_window(step)) if n == b)
        change = means[step] - before[step]
        change_text = "0.0000" if f4(abs(change)) == "0.0000" else f4(change).replace("-", "\u2212")
        assert rows[step + 2] == [
            f"Step {step}", docstring_line(step), f"{PARAMS[step]:,}" + (" counts" if step == 0 else ""),
            f4(means[step]), change_text, f"{lower}" + (f" ({same} the same)" if same else "")], step
    assert rows[3][3] == rows[4][3] and rows[4][4:] == ["0.0000", "0 (100 the same)"]  # Steps 1 and 2
    assert "What each step bought. Mean loss: over training steps 901 to 1,000, the same 100 names in every run." \
        in texts(html)


def test_what_the_numbers_show(site, runs):
    text = texts(article(site, "step-5/training-results"))
    ln27 = math.log(27)
    means = {step: sum(s["loss"] for s in runs[step]["steps"][-WINDOW:]) / WINDOW for step in range(6)}
    drop = {0: ln27 - means[0], **{step: means[step - 1] - means[step] for step in range(1, 6)}}
    lower = {step: sum(1 for b, n in zip(last_window(step - 1), last_window(step)) if n < b) for step in range(1, 6)}
    higher = {step: sum(1 for b, n in zip(last_window(step - 1), last_window(step)) if n > b) for step in range(1, 6)}
    assert all(drop[step] > 0 for step in (0, 1, 3, 4, 5))   # every "lowers"
    assert drop[0] == max(drop.values())                      # "the largest drop of any row"
    assert drop[3] == max(drop[s] for s in range(1, 6))       # "the largest change after counting"
    assert lower[1] + higher[1] == WINDOW                     # "higher on the others"
    assert last_window(1) == last_window(2)                   # Step 2's row is Step 1's
    assert f"Step 0 , counting, lowers the loss by {f4(drop[0])} from the uniform guess: the largest drop" in text
    assert (f"Step 1 , a network trained by gradient descent, ends {f4(drop[1])} lower than counting, a small"
            f" difference: name by name it is lower on {lower[1]} of the 100 names and higher on the others.") in text
    assert "Step 2 , autograd, changes nothing in these numbers: its row is Step 1's, digit for digit," in text
    assert (f"Step 3 , attention and the parts that came with it, lowers the mean by {f4(drop[3])}, the largest"
            f" change after counting, and is lower on {lower[3]} of the 100 names.") in text
    assert f"Step 4 , heads, lowers it by {f4(drop[4])}, lower on {lower[4]} of the 100." in text
    assert f"Step 5 , Adam with its own learning rate, lowers it by {f4(drop[5])}, lower on {lower[5]} of the 100." in text
    assert (f"On those names microgpt averages {f4(means[5])}: as unsure as a uniform pick among"
            f" {math.exp(means[5]):.1f} tokens, where guessing picks among 27.") in text
    assert "which took the model from 3,184 parameters to 4,192, and started its learning rate at 0.1 instead of 1." in text
    assert "Step 5 changed the optimizer and the learning rate, from 0.1 to 0.01." in text
    assert "each row is a single run of 1,000 steps with a single seed." in text
    window = runs[5]["steps"][-WINDOW:]
    low, high = min(window, key=lambda s: s["loss"]), max(window, key=lambda s: s["loss"])
    assert (f"over microgpt's last 100 steps the loss goes from {f4(low['loss'])} for “{low['doc']}” to"
            f" {f4(high['loss'])} for “{high['doc']}”.") in text
    assert "those of training steps 901 to 1,000: the last stretch" in text
    names = [s["doc"] for s in runs[5]["steps"]]
    seen = sum(1 for k in range(NUM_STEPS - WINDOW, NUM_STEPS) if names[k] in names[:k])
    assert seen == 1
    assert f"unless the name came up before: of these 100, {seen} had." in text


def test_the_samples_on_5_4(site, runs, names_path):
    html = article(site, "step-5/training-results")
    samples = reference_samples(5)
    assert samples[:3] == SAMPLES and len(samples) == 20
    assert re.findall(r"<li><code>(.*?)</code></li>", html[html.index('<ol class="mgv-samples">'):]) == samples
    text = texts(html)
    assert "microgpt generates 20 names, at the temperature of every step since Step 1, 0.5:" in text
    names = set(Path(names_path).read_text().split())
    known = sum(1 for name in samples if name in names)   # an exact match with a line of names.txt
    assert known == 11   # kamon, ann, karai, jaire, anna, areli, kaina, keylen, kana, lara, anton
    assert f"{known} of them are names that occur in names.txt; the others are new." in text
    trained_on = {s["doc"] for s in runs[5]["steps"]}
    copied = sum(1 for name in samples if name in trained_on)
    assert copied == 0   # "the real names it makes up are not remembered from training"
    assert (f"And {copied} of the 20 are among the 1,000 names the model trained on: the real names it makes up"
            " are not remembered from training.") in text
    assert "puts the code that Step 5 runs on one page, part by part." in text


# ---------------------------------------------------------------- the last page: microgpt, assembled

# The parts, in the order of the page (the order of a single-file microgpt), as sections of microgpt/.
PARTS = [("data.py", "parse_docs"), ("data.py", "load_docs"), ("tokenizer.py", "tokenizer"),
         ("autograd.py", "value_class"),
         ("step2_autograd.py", "matrix"), ("step4_transformer.py", "params"), ("step2_autograd.py", "parameters"),
         ("step1_gradient.py", "linear"), ("step2_autograd.py", "softmax"), ("step3_attention.py", "rmsnorm"),
         ("step4_transformer.py", "gpt"), ("step5_adam.py", "adam"),
         ("step4_transformer.py", "cache"), ("step4_transformer.py", "forward"),
         ("step2_autograd.py", "training_loop"), ("step5_adam.py", "training"),
         ("step4_transformer.py", "sample"), ("program.py", "num_params"), ("program.py", "program")]
HEADINGS = ["The settings", "Data", "Tokenizer", "Autograd", "The model", "Parameters", "linear", "softmax",
            "rmsnorm", "gpt", "Adam", "Training", "forward", "training_loop", "train", "Inference", "The program",
            "Checked"]
# What Step 5's program calls and the page leaves out: where names.txt comes from, and how the
# program picks the step's module.
LEFT_OUT = {("data", name) for name in ("locate_dataset", "cache_path", "read_bytes", "check_checksum",
                                        "sha256_of", "download", "save_to_cache")} | {("program", "step_module")}
NEVER_CALLED = ["Value.__rsub__", "Value.__rtruediv__", "Value.__repr__"]


def test_the_page_includes_the_parts_in_order():
    source = (ROOT / "docs" / "step-5" / "microgpt.md").read_text()
    assert re.findall(r'--8<-- "microgpt/(\w+\.py):(\w+)"', source) == PARTS


def test_every_code_box_is_its_section(site):
    html = article(site, "step-5/microgpt")
    blocks = code_blocks(html)
    assert len(blocks) == len(PARTS)
    for block, (file, name) in zip(blocks, PARTS):
        assert block.rstrip("\n") == section(file, name).rstrip("\n"), f"{file}:{name}"
        assert max(map(len, block.split("\n"))) <= 80


def test_the_headings_and_links(site):
    html = article(site, "step-5/microgpt")
    headings = [texts(h).rstrip(" ¶") for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html)]
    assert headings == HEADINGS
    for link in re.findall(r'<a href="(\.\./[^"#]*)', html):
        target = (site / "step-5" / "microgpt" / link).resolve() / "index.html"
        assert target.is_file(), link


def parts_and_links():
    """[(heading, [module of each code box], [linked page's Markdown path])] of the last page's
    part sections (those with code boxes), read from its Markdown."""
    source = (ROOT / "docs" / "step-5" / "microgpt.md").read_text()
    found = []
    for chunk in re.split(r"^#{2,3} ", source, flags=re.M)[1:]:
        heading = chunk.split("\n", 1)[0]
        modules = re.findall(r'--8<-- "microgpt/(\w+)\.py:\w+"', chunk)
        links = re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", chunk)
        if modules:
            found.append((heading, modules, [(ROOT / "docs" / "step-5" / link).resolve() for link in links]))
    return found


def test_each_part_links_to_a_page_that_shows_its_code():
    """Every module of a part's code boxes is shown on a page the part links to: included with
    --8<--, or as the new side of a diff."""
    parts = parts_and_links()
    assert [heading for heading, _, _ in parts] == [
        "Data", "Tokenizer", "Autograd", "Parameters", "linear", "softmax", "rmsnorm", "gpt", "Adam", "forward",
        "training_loop", "train", "Inference", "The program"]
    for heading, modules, links in parts:
        assert links, heading
        shown = " ".join(link.read_text() for link in links)
        for module in modules:
            assert f'--8<-- "microgpt/{module}.py:' in shown or f"after={module}" in shown, (heading, module)


def test_no_function_is_shown_twice(site):
    names = []
    for block in code_blocks(article(site, "step-5/microgpt")):
        for node in ast.parse(block).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.append(node.name)
    assert len(names) == len(set(names)) == len(PARTS), names   # one definition a box


class Modules:
    """microgpt's modules as syntax trees: what each defines and imports from the others."""

    def __init__(self):
        self.trees = {path.stem: ast.parse(path.read_text()) for path in SOURCE.glob("*.py")}

    def definition(self, module, name):
        """(module, name) where `name`, as `module` sees it, is defined (following `from microgpt.X import`)."""
        for node in self.trees[module].body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
                return module, node
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("microgpt."):
                if any((alias.asname or alias.name) == name for alias in node.names):
                    return self.definition(node.module.split(".")[1], name)
        return None

    def methods(self, module, cls):
        return {item.name: item for item in cls.body if isinstance(item, ast.FunctionDef)}


OPERATORS = {ast.Add: ["__add__", "__radd__"], ast.Mult: ["__mul__", "__rmul__"], ast.Sub: ["__sub__", "__rsub__"],
             ast.Div: ["__truediv__", "__rtruediv__"], ast.Pow: ["__pow__"], ast.USub: ["__neg__"]}


def static_calls():
    """{(module, qualified name)} that program.run_program may call for step 5, by following the
    syntax trees: functions named (called, or handed to another function), `steps.X` as step5_adam's X, a class as its
    __init__, `.method()` as that method of every class made anywhere, and arithmetic (and sum())
    as Value's operators: a superset of what a run calls."""
    modules = Modules()
    found, classes, wanted = set(), {}, set()
    todo = [("program", modules.definition("program", "run_program")[1], None)]
    while todo:
        while todo:
            module, node, owner = todo.pop()
            key = (module, f"{owner}.{node.name}" if owner else node.name)
            if key in found:
                continue
            found.add(key)
            own = {arg.arg for arg in node.args.args}   # a parameter is not the module's function of that name
            for sub in ast.walk(node):
                target = None
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in own:
                    target = modules.definition(module, sub.id)   # called, or handed on (forward to the loop)
                    if sub.id == "sum":
                        wanted.add(ast.Add)
                elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
                    if isinstance(sub.func.value, ast.Name) and sub.func.value.id == "steps":
                        target = modules.definition("step5_adam", sub.func.attr)
                    else:
                        wanted.add(sub.func.attr)
                elif isinstance(sub, (ast.BinOp, ast.UnaryOp, ast.AugAssign)):
                    wanted.add(type(sub.op))
                if target is not None:
                    where, what = target
                    if isinstance(what, ast.ClassDef):
                        classes[what.name] = (where, what)
                        wanted.add("__init__")
                    elif isinstance(what, ast.FunctionDef):
                        todo.append((where, what, None))
        for name, (where, cls) in classes.items():   # every method wanted, of every class made
            methods = modules.methods(where, cls)
            names = {w for w in wanted if isinstance(w, str)}
            if name == "Value":
                names |= {n for w in wanted if not isinstance(w, str) for n in OPERATORS.get(w, [])}
            todo += [(where, methods[n], name) for n in names if n in methods and (where, f"{name}.{n}") not in found]
    return found


def page_definitions(site):
    """{(qualified name)} of the functions and methods defined in the page's code boxes."""
    found = set()
    for block in code_blocks(article(site, "step-5/microgpt")):
        for node in ast.parse(block).body:
            if isinstance(node, ast.FunctionDef):
                found.add(node.name)
            elif isinstance(node, ast.ClassDef):
                found |= {f"{node.name}.{item.name}" for item in node.body if isinstance(item, ast.FunctionDef)}
    return found


def test_every_function_step_5_calls_is_on_the_page(site):
    calls = static_calls()
    assert ("step5_adam", "Adam.step") in calls and ("step4_transformer", "gpt") in calls
    assert ("step2_autograd", "SGD.step") not in calls and ("step2_autograd", "mlp") not in calls
    shown = page_definitions(site)
    missing = {name for module, name in calls if (module, name) not in LEFT_OUT and name not in shown}
    assert not missing
    assert shown - {name for _, name in calls} == {"Value.__repr__"}   # nothing that Step 5 does not run
    assert "SGD" not in " ".join(code_blocks(article(site, "step-5/microgpt")))


def test_the_check_on_the_page(site):
    html = article(site, "step-5/microgpt")
    blocks = code_blocks(html)
    lines = sum(1 for block in blocks for line in block.split("\n") if line.strip())
    shown = page_definitions(site)
    text = texts(html)
    assert (f"{lines:,} lines of code in {len(blocks)} boxes (blank lines not counted): {len(shown)} functions and"
            f" methods, whole.") in text
    assert f"Step 5's program called {len(shown) - len(NEVER_CALLED)} of them" in text
    assert "locate_dataset() in data.py : finds names.txt" in text and "step_module() in program.py :" in text
    assert ("On the page because their class is, but never called by Step 5's program: "
            + " , ".join(f"{name}()" for name in NEVER_CALLED) + " .") in text
    assert f"It comes to {lines:,} lines, blank lines not counted." in text


def test_the_settings_table(site):
    html = article(site, "step-5/microgpt")
    table = html[html.index('<div class="mgv-scroll mgv-settings"'):]
    table = table[:table.index("</table>")]
    rows = [[texts(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]
    expected = {"n_embd": "16", "n_head": "4", "n_layer": "1", "block_size": "16", "head_dim": "4 = n_embd // n_head",
                "learning_rate": "0.01", "beta1": "0.85", "beta2": "0.99", "eps_adam": "1e-08", "SEED": "42",
                "NUM_STEPS": "1000", "NUM_SAMPLES": "20", "temperature": "0.5"}
    assert [row[0] for row in rows[1:]] == list(expected)
    for name, value, module, _ in rows[1:]:
        assert value == expected[name]
        tree = ast.parse((SOURCE / module).read_text())   # the module named sets it, at its top level
        assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == name for t in n.targets)
                   for n in tree.body), name
    modules = {row[0]: row[2] for row in rows[1:]}
    assert modules["learning_rate"] == "step5_adam.py" and modules["temperature"] == "step1_gradient.py"
    assert modules["SEED"] == "data.py" and modules["NUM_SAMPLES"] == "program.py"
    # every name run_program reads that a module sets at its top level, apart from the table of step modules
    program = ast.parse((SOURCE / "program.py").read_text())
    run_program = next(n for n in program.body if isinstance(n, ast.FunctionDef) and n.name == "run_program")
    read = {n.id for n in ast.walk(run_program) if isinstance(n, ast.Name) and n.id.isupper()}
    assert read == {"SEED", "NUM_STEPS", "NUM_SAMPLES"} and read <= set(modules)


def test_what_the_program_prints_on_the_last_page(site):
    html = article(site, "step-5/microgpt")
    printed = [unescape(re.sub(r"<[^>]+>", "", p)) for p in
               re.findall(r'<pre class="mgv-printed"><code>(.*?)</code></pre>', html, re.S)]
    lines = reference_lines(5)
    assert printed == ["\n".join(lines[0:4]), "\n".join(lines[1002:1010])]
    assert lines[1009] == "sample  5: vialan"
    text = texts(html)
    assert "and at the end the last step and the first of the 20 names it makes up:" in text
    assert sum(1 for line in lines if line.startswith("sample")) == 20


def test_no_directive_text_reaches_the_pages(site):
    for path in ("step-5/training-results", "step-5/microgpt"):
        html = article(site, path)
        assert "{{" not in html and "}}" not in html


# ---------------------------------------------------------------- the check itself can fail


@pytest.fixture(scope="module")
def run5(runs):
    from hooks.pagedata import Run
    return Run(runs[5])


def check(run5, markdown):
    from hooks.pagedata import NAMES, PageData
    return NAMES["assembled_check"].function(PageData({5: run5}, 5, None, markdown=markdown))


def test_the_check_fails_when_a_part_is_missing_or_extra(run5):
    from hooks.directives import DirectiveError
    from hooks.pagedata import NAMES

    assert NAMES["assembled_check"].reads_page and NAMES["assembled_lines"].reads_page  # a page edit recomputes them
    source = (ROOT / "docs" / "step-5" / "microgpt.md").read_text()
    assert "Step 5's program called 34 of them" in check(run5, source)
    with pytest.raises(DirectiveError, match=r"step3_attention.rmsnorm\(\)"):
        check(run5, source.replace('--8<-- "microgpt/step3_attention.py:rmsnorm"', ""))
    with pytest.raises(DirectiveError, match=r"SGD.__init__\(\), step2_autograd.SGD.step\(\), which"):
        check(run5, source + '\n``` python\n--8<-- "microgpt/step2_autograd.py:sgd"\n```\n')


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
def test_the_chart_of_every_step_by_keyboard(opener, site_url):
    page = opener(viewport={"width": 1280, "height": 900})
    page.goto(f"{site_url}/step-5/training-results/")
    settled(page)
    figure = page.locator("figure.mgv-kit--line")
    paths = [figure.locator(f'path.mgv-series[data-series="{i}"]') for i in range(6)]
    values = [[float(v) for v in path.get_attribute("data-values").split()] for path in paths]
    readout = figure.locator(".mgv-readout")
    page.locator("#every-step-on-one-chart a.headerlink").focus()   # where the reader is: the heading
    for _ in range(10):   # Tab from the heading to the chart, past the links of the prose
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('mgv-plot')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('mgv-plot')")
    at_end = ", ".join(f"Step {i}: mean of the last 50 {values[i][-1]:.4g}" for i in range(6))
    assert readout.text_content() == f"training step 1,000: {at_end}."
    assert readout.get_attribute("aria-live") == "polite"
    page.keyboard.press("Home")
    assert readout.text_content().startswith(f"training step 1: Step 0: mean of the last 50 {values[0][0]:.4g},")
    for _ in range(3):   # the legend follows the chart: Step 0, Step 1, Step 2
        page.keyboard.press("Tab")
    button = page.locator(".mgv-legend-item").nth(2)
    assert page.evaluate("document.activeElement.textContent") == "Step 2: mean of the last 50"
    page.keyboard.press("Space")
    assert button.get_attribute("aria-pressed") == "false"
    hidden = figure.locator('path.mgv-series[data-series="2"]').evaluate("p => getComputedStyle(p).display")
    assert hidden == "none"
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    assert readout.text_content().startswith("training step 1: Step 0: ")
    assert "Step 2:" not in readout.text_content() and "Step 1: " in readout.text_content()
    page.keyboard.press("End")
    assert readout.text_content().startswith("training step 1,000: ")


@pytest.mark.browser
def test_without_javascript_the_tables_and_the_chart_stand(opener, site_url):
    # (that no page scrolls sideways, with or without JavaScript, is test_a11y's)
    page = opener(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page.goto(f"{site_url}/step-5/training-results/")
    assert page.locator("figure.mgv-kit--line svg path.mgv-series").count() == 6
    assert page.locator(".mgv-legend-item[disabled]").count() == 6
    assert page.locator(".mgv-gains tbody tr").count() == 7
    page.goto(f"{site_url}/step-5/microgpt/")
    assert page.locator(".mgv-settings tbody tr").count() == 13


@pytest.mark.browser
@pytest.mark.parametrize("path, box", [("step-5/training-results/", ".mgv-gains"), ("step-5/microgpt/", ".mgv-settings")])
def test_row_headers_stay_in_view_while_a_table_scrolls_on_a_phone(opener, site_url, path, box):
    # (axe and overflow on every page, light and dark, at 1280 and 390 px, are test_a11y's)
    page = opener(viewport={"width": 390, "height": 900})
    page.goto(f"{site_url}/{path}")
    settled(page)
    table = page.locator(box)
    assert table.evaluate("b => b.scrollWidth > b.clientWidth")   # it does scroll in its own box
    table.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    head = page.locator(f"{box} tbody th").first.bounding_box()
    assert 0 <= head["x"] < 60, head
