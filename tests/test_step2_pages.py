"""Every value of Step 2's landing page and of 2.6 to 2.8, checked in the built site.

The expected values are found without hooks/pagedata or microgpt.replay:

- the graph of a name is counted from the architecture (MICROGPT-SPEC.md, Step 2): which
  Values one pair of the MLP creates that end in the loss, operation by operation;
- Step 1 and Step 2 are compared through the reference programs' printed output
  (tests/reference) and the runs' recorded losses and snapshots, compared here with ==;
- the gradient of one SGD update is read back from the parameters before and after it.
"""

import json
from pathlib import Path

import pytest

from hooks.runs import unpack_matrices
from tests.conftest import reference_lines, shuffled, texts

SEED = 42
NUM_STEPS = 1000
E, H = 16, 64                 # n_embd, and the MLP's hidden width 4 * n_embd
LETTERS = "abcdefghijklmnopqrstuvwxyz"
V = len(LETTERS) + 1          # vocab_size, BOS the last token
BOS = V - 1
NUM_PARAMS = V * E + H * E + V * H


# ---------------------------------------------------------------- the graph, counted by hand

# One pair, following step2_autograd.forward: each op below makes one Value in the loss's graph.
# linear(): per output, `in` products and `in` additions (sum() adds the first product to 0).
# softmax: per logit, val - max (an addition) and exp(); sum(exps): `V` additions; the target's
# prob only, e / total = e * total**-1: a power and a product. -log: log, then * -1.
# Then the pair's loss is added into sum(losses).
COMPUTED_PER_PAIR = H * 2 * E + H + V * 2 * H + 2 * V + V + 2 + 2 + 1
# Wrapped numbers: the 0 of each sum() in linear (H + V) and of sum(exps) (1); -max per logit (V); -1 of the negation.
CONSTANTS_PER_PAIR = H + V + 1 + V + 1
# Once per name: the 0 of sum(losses) and 1/n (constants), and the product (1/n) * sum (computed).
CONSTANTS_PER_NAME, COMPUTED_PER_NAME = 2, 1


def census(name):
    pairs = len(name) + 1
    distinct = len(set(name) | {"BOS"})
    parameters = H * E + V * H + E * distinct  # every weight of the two layers, and the name's rows of wte
    constants = CONSTANTS_PER_PAIR * pairs + CONSTANTS_PER_NAME
    computed = COMPUTED_PER_PAIR * pairs + COMPUTED_PER_NAME
    return {"pairs": pairs, "parameters": parameters, "constants": constants, "computed": computed,
            "values": parameters + constants + computed}


def n(x):
    return f"{x:,}"


# ---------------------------------------------------------------- the site and the runs


@pytest.fixture(scope="module")
def pages(built_site):
    site = built_site[0]
    found = {}
    for name in ["", "parameters", "training-loop", "same-results"]:
        html = (site / "step-2" / name / "index.html").read_text()
        found[name or "index"] = texts(html[html.index("<article"):html.index("</article>")])
    return found


@pytest.fixture(scope="module")
def runs(built_site):
    cache = Path(built_site[2]["MICROGPT_RUN_CACHE"])
    return {step: json.loads(next(cache.glob(f"step{step}-*.json")).read_text()) for step in (1, 2)}


@pytest.fixture(scope="module")
def docs(names_path):
    return shuffled(names_path, SEED)[1]


# ---------------------------------------------------------------- the tests


def test_the_hand_count_of_one_pair_is_what_the_spec_gives():
    # literals, so a slip in the formulas above cannot pass unnoticed
    assert (COMPUTED_PER_PAIR, CONSTANTS_PER_PAIR) == (5654, 120)
    assert census("ava")["values"] == 25899


def test_landing_page(pages):
    assert f"its {n(NUM_PARAMS)} parameters" in pages["index"]


def test_the_graph_of_ava_on_2_6(pages):
    text = pages["parameters"]
    ava = census("ava")
    row = f"“ava” {ava['pairs']} {n(ava['parameters'])} {n(ava['constants'])} {n(ava['computed'])} {n(ava['values'])}"
    assert row in text
    assert f"the graph reaches {n(ava['parameters'])} of the {n(NUM_PARAMS)} parameters" in text
    assert f"The {n(NUM_PARAMS - ava['parameters'])} parameters of the other rows" in text
    assert f"{n(ava['constants'])} plain numbers wrapped" in text
    assert f"{n(ava['computed'])} Values made by an operation" in text
    assert f"every further pair adds the same number of Values: {n(COMPUTED_PER_PAIR + CONSTANTS_PER_PAIR)}" in text
    assert f"a graph of {n(ava['values'])} Values, far more" in text
    later = pages["training-loop"]  # 2.6's defines, in the So far box of the next page
    assert "nout rows of nin Values, each drawn from gauss(0, 0.08) as in Step 1" in later
    assert f"all {n(NUM_PARAMS)} parameter Values in one flat list" in later


def test_both_runs_start_from_the_same_parameters(pages, runs):
    one, two = (unpack_matrices(runs[step]["snapshots"]["0"]) for step in (1, 2))
    equal = sum(a == b for name in one for r, s in zip(one[name], two[name]) for a, b in zip(r, s))
    assert equal == NUM_PARAMS
    assert f"of the {n(NUM_PARAMS)} parameters, {n(equal)} are equal to the last bit" in pages["parameters"]


def test_one_step_traced_on_2_7(pages, runs, docs):
    text = pages["training-loop"]
    first = docs[0]
    assert first == "yuheng"  # MICROGPT-SPEC.md: the gradient check name, docs[0]
    assert f'The first training step learns from "{first}"' in text
    assert f"a graph of {n(census(first)['values'])} Values ending at the loss, 3.2978" in text
    before = unpack_matrices(runs[2]["snapshots"]["0"])
    after = unpack_matrices(runs[2]["snapshots"]["1"])
    lr = runs[2]["steps"][0]["lr"]
    assert lr == 1.0
    moved = sum(a != b for name in before for r, s in zip(before[name], after[name]) for a, b in zip(r, s))
    assert moved == census(first)["parameters"]
    assert f"{n(moved)} of the {n(NUM_PARAMS)} come out other than zero: exactly the {n(moved)} parameters" in text
    p, q = before["wte"][BOS][2], after["wte"][BOS][2]
    grad = (p - q) / lr
    assert (f"p.data before the step {p:.4f} p.grad after loss.backward() {grad:.6f} lr_t 1 "
            f"p.data after p.data -= lr_t * p.grad {q:.4f}") in text
    assert f"`wte[{BOS}][2]`" not in text and f"wte[{BOS}][2]" in text
    one = unpack_matrices(runs[1]["snapshots"]["1"])
    equal = sum(a == b for name in one for r, s in zip(one[name], after[name]) for a, b in zip(r, s))
    gap = max(abs(a - b) for name in one for r, s in zip(one[name], after[name]) for a, b in zip(r, s))
    assert 0 < equal < NUM_PARAMS and 0 < gap < 1e-15
    assert f"to the same {one['wte'][BOS][2]:.4f}, but not quite to the last bit" in text
    assert f"{n(equal)} of the {n(NUM_PARAMS)} parameters are equal bit for bit" in text
    mantissa, exponent = f"{gap:.2e}".split("e")
    superscript = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    assert f"differ by at most {mantissa} × 10{superscript}" in text
    assert "from 1 at the first step down in a straight line, to 0.001 at the last" in text


def test_step_1_and_step_2_agree_on_2_8(pages, runs):
    text = pages["same-results"]
    one, two = reference_lines(1), reference_lines(2)
    losses = lambda lines: [line for line in lines if line.startswith("step ")]  # noqa: E731
    samples = lambda lines: [line.split(": ", 1)[1] for line in lines if line.startswith("sample")]  # noqa: E731
    same = sum(a == b for a, b in zip(losses(one), losses(two)))
    assert same == len(losses(one)) == NUM_STEPS
    assert f"{n(same)} of the {n(NUM_STEPS)} printed loss lines are the same" in text
    assert samples(one) == samples(two) and len(samples(two)) == 20
    assert "20 of the 20 names generated after training are the same" in text
    assert " ".join(samples(two)) in text  # the list of names
    only = [line for line in one if line not in set(two)]
    assert only == ["gradient check | loss_n 3.297830 | loss_a 3.297830 | max diff 0.00000000"]
    assert "Step 2 no longer needs: " + only[0] in text
    assert "Losses : 1,000 of the 1,000" in text and "Names : 20 of the 20 names" in text
    a, b = ([s["loss"] for s in runs[step]["steps"]] for step in (1, 2))
    equal = sum(x == y for x, y in zip(a, b))
    gap = max(abs(x - y) for x, y in zip(a, b))
    assert 0 < equal < NUM_STEPS
    assert f"{n(equal)} of the {n(NUM_STEPS)} are, and the others differ by at most {gap:.2e}".replace(
        "e-15", " × 10⁻¹⁵") in text


def test_the_cost_of_autograd_on_2_8(pages, docs):
    text = pages["same-results"]
    per_pair = COMPUTED_PER_PAIR + CONSTANTS_PER_PAIR
    per_name = COMPUTED_PER_NAME + CONSTANTS_PER_NAME
    assert f"Every pair of a name adds {n(per_pair)} Values to its graph, and each name {per_name} more" in text
    assert f'"yuheng", the first training name, makes a graph of {n(census("yuheng")["values"])} Values' in text
    total = sum(census(doc)["constants"] + census(doc)["computed"] for doc in docs[:NUM_STEPS])
    assert f"hold {n(total)} Values" in text
