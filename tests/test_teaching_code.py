"""What the pages show of microgpt/ reads as a plain program.

Pages include marked sections of the source (`# --8<-- [start:NAME]` ...
`# --8<-- [end:NAME]`). Those sections must fit the code box (80 columns),
carry none of the guide's plumbing, and exist under the names pages use.
"""

import ast
import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "microgpt"
MARKER = re.compile(r"^\s*# --8<-- \[(start|end):([a-z][-_0-9a-z]*)\]\s*$")
PLUMBING = re.compile(r"StepRecord|observer|islice|yield|record", re.IGNORECASE)

SECTIONS = {
    "autograd.py": ["value", "add_mul", "more_ops", "sugar", "backward"],
    "data.py": ["load_docs"],
    "graph_example.py": ["example"],
    "program.py": ["program"],
    "tokenizer.py": ["tokenizer"],
    "step0_counting.py": ["count_table", "bigram", "forward", "update", "training", "sample"],
    "step1_gradient.py": ["params", "linear", "softmax", "mlp", "forward", "numerical_gradient",
                          "analytic_gradient", "gradient_check", "update", "training", "sample"],
    "step2_autograd.py": ["params", "softmax", "mlp", "forward", "sgd", "training", "sample"],
    "step3_attention.py": ["params", "rmsnorm", "gpt", "attention_weights", "forward", "training", "sample"],
    "step4_transformer.py": ["params", "gpt", "heads", "cache", "forward", "training", "sample"],
    "step5_adam.py": ["adam", "training"],
}


def sections(path):
    """{name: [(line number, text)]} of one file; nested sections included in both."""
    found, open_sections = {}, {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        marker = MARKER.match(line)
        if marker:
            kind, name = marker.groups()
            if kind == "start":
                assert name not in open_sections and name not in found, f"{path.name}: section {name} twice"
                open_sections[name] = []
            else:
                assert name in open_sections, f"{path.name}:{number}: end of {name} without its start"
                found[name] = open_sections.pop(name)
            continue
        for lines in open_sections.values():
            lines.append((number, line))
    assert not open_sections, f"{path.name}: sections never ended: {sorted(open_sections)}"
    return found


ALL = {path.name: sections(path) for path in sorted(SOURCE.glob("*.py"))}
SNIPPETS = [(file, name, lines) for file, found in ALL.items() for name, lines in found.items()]
IDS = [f"{file}:{name}" for file, name, _ in SNIPPETS]


def test_every_section_the_pages_use_exists():
    for file, names in SECTIONS.items():
        assert file in ALL, f"microgpt/{file} is missing"
        missing = [name for name in names if name not in ALL[file]]
        assert not missing, f"microgpt/{file} lacks the sections {missing}"
        assert ALL[file][names[0]], f"microgpt/{file}:{names[0]} is empty"


def test_the_marker_pattern_sees_every_marker():
    text = "\n".join(path.read_text() for path in SOURCE.glob("*.py"))
    assert text.count("# --8<-- [") == 2 * sum(len(found) for found in ALL.values())


@pytest.mark.parametrize("file, name, lines", SNIPPETS, ids=IDS)
def test_snippet_lines_fit_the_code_box(file, name, lines):
    long = [f"microgpt/{file}:{number} is {len(text)} characters" for number, text in lines if len(text) > 80]
    assert not long


@pytest.mark.parametrize("file, name, lines", SNIPPETS, ids=IDS)
def test_snippets_carry_no_plumbing(file, name, lines):
    found = [f"microgpt/{file}:{number}: {text.strip()}" for number, text in lines if PLUMBING.search(text)]
    assert not found


def test_the_plumbing_check_can_fail():
    assert PLUMBING.search("        yield StepRecord(step, doc)")
    assert PLUMBING.search("    observer.fact('num_docs', len(docs))")
    assert not PLUMBING.search("    loss = forward(state_dict, tokens)")


def function(file, name):
    tree = ast.parse((SOURCE / file).read_text())
    return next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == name)


@pytest.mark.parametrize("file", [f for f in SECTIONS if f.startswith("step") and f != "step5_adam.py"])
def test_forward_returns_the_loss_and_nothing_else(file):
    returns = [node for node in ast.walk(function(file, "forward")) if isinstance(node, ast.Return)]
    assert [ast.unparse(node) for node in returns] == ["return loss"]


@pytest.mark.parametrize("file, loop", [("step0_counting.py", "train"), ("step1_gradient.py", "train"),
                                        ("step2_autograd.py", "training_loop")])
def test_training_loops_are_plain_loops_that_print_their_line(file, loop):
    source = ast.unparse(function(file, loop))
    assert "for step in range(num_steps):" in source
    assert "print(f'step {step + 1:4d} / {num_steps:4d} | loss {loss" in source
