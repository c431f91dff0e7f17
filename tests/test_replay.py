"""Replaying snapshots through the steps' own functions reproduces the run."""

import inspect
import math
import random

import pytest

from microgpt import replay, step0_counting, step3_attention
from microgpt.autograd import Value
from microgpt.data import load_docs
from microgpt.record import record_run
from microgpt.replay import ProbeError

KEPT = [0, 1, 2, 5]


@pytest.fixture(scope="module")
def short_runs(names_path, step0_record):
    """Step 0 in full; steps 1-5 for their first 6 steps, keeping snapshots 0, 1, 2 and 5."""
    runs = {0: step0_record}
    for step in range(1, 6):
        runs[step] = record_run(step, stop_after=6, num_samples=0, snapshots=KEPT)
    return runs


def docs_of(run):
    return [s["doc"] for s in run["steps"]]


@pytest.mark.parametrize("step", range(6))
def test_replaying_snapshot_k_on_name_k_gives_the_loss_of_step_k_plus_1(short_runs, step):
    run = short_runs[step]
    for k in KEPT:
        scored = replay.score(step, replay.snapshot(run, k), docs_of(run)[k])
        assert scored["loss"] == run["steps"][k]["loss"]  # exactly: the same code on the same numbers
        assert scored["loss"] == pytest.approx(sum(scored["losses"]) / len(scored["losses"]), rel=1e-15)
        assert scored["losses"] == pytest.approx([-math.log(p) for p in scored["target_probs"]], rel=1e-12)
        assert all(sum(p) == pytest.approx(1, abs=1e-12) for p in scored["probs"])


def test_step0_snapshots_are_plain_counts(step0_record, names_path):
    docs = load_docs(random.Random(42))  # the run's order: seed 42, one shuffle
    assert docs_of(step0_record) == docs[:1000]
    for k in [0, 1, 2, 5, 50, 500, 1000]:
        table = [[0] * 27 for _ in range(27)]
        for doc in docs[:k]:
            ids = [26] + [ord(ch) - ord("a") for ch in doc] + [26]
            for a, b in zip(ids, ids[1:]):
                table[a][b] += 1
        assert replay.restore(0, replay.snapshot(step0_record, k)) == table


def test_step0_probe_of_ava_after_100_names(step0_record):
    table = replay.snapshot(step0_record, 100)
    probe = replay.score(0, table, "ava")
    expected = []
    for token, target in [(26, 0), (0, 21), (21, 0), (0, 26)]:  # BOS a v a BOS
        row = table[token]
        expected.append((row[target] + 1) / (sum(row) + 27))
    assert probe["tokens"] == [26, 0, 21, 0, 26]
    assert probe["target_probs"] == expected
    assert probe["losses"] == [-math.log(p) for p in expected]
    assert round(probe["loss"], 4) == 2.3148
    assert probe["probs"][0] == [(count + 1) / (sum(table[26]) + 27) for count in table[26]]


def test_restore_gives_each_step_its_own_kind_of_model(short_runs):
    table = replay.restore(0, replay.snapshot(short_runs[0], 5))
    assert type(table) is list and type(table[0][0]) is int
    table[0][0] += 1  # a fresh copy: the recorded snapshot is unchanged
    assert short_runs[0]["snapshots"]["5"][0][0] == table[0][0] - 1
    floats = replay.restore(1, replay.snapshot(short_runs[1], 5))
    assert list(floats) == ["wte", "mlp_fc1", "mlp_fc2"] and type(floats["wte"][0][0]) is float
    values = replay.restore(5, replay.snapshot(short_runs[5], 5))
    assert list(values)[:4] == ["wte", "wpe", "lm_head", "layer0.attn_wq"]
    assert isinstance(values["wte"][0][0], Value)
    assert values["wte"][3][7].data == short_runs[5]["snapshots"]["5"]["wte"][3][7]


@pytest.mark.parametrize("step", [3, 4])
def test_attention_weights_sum_to_one_and_follow_the_formula(short_runs, step):
    positions = replay.internals(step, replay.snapshot(short_runs[step], 5), "emma")
    assert [p["token"] for p in positions] == [26, 4, 12, 12, 0]  # BOS e m m a
    assert [p["pos"] for p in positions] == [0, 1, 2, 3, 4]
    n_head = 1 if step == 3 else 4
    head_dim = 16 // n_head
    for p in positions:
        assert len(p["layers"]) == 1
        for layer in p["layers"]:
            assert len(layer["attn_weights"]) == n_head
            for weights in layer["attn_weights"]:
                assert len(weights) == p["pos"] + 1  # the positions so far
                assert sum(weights) == pytest.approx(1, abs=1e-12)
    # One weight by hand: position 3 (the second m) looking back at position 1 (e), last head.
    h = n_head - 1
    q = positions[3]["layers"][0]["q"][h * head_dim:(h + 1) * head_dim]
    keys = [positions[t]["layers"][0]["k"][h * head_dim:(h + 1) * head_dim] for t in range(4)]
    logits = [sum(qj * kj for qj, kj in zip(q, k)) / math.sqrt(head_dim) for k in keys]
    assert positions[3]["layers"][0]["attn_logits"][h] == pytest.approx(logits, rel=1e-12)
    by_hand = math.exp(logits[1]) / sum(math.exp(x) for x in logits)
    assert positions[3]["layers"][0]["attn_weights"][h][1] == pytest.approx(by_hand, rel=1e-12)


def test_internals_label_each_x_with_its_statement(short_runs):
    positions = replay.internals(3, replay.snapshot(short_runs[3], 0), "ava")
    first = positions[0]
    labels = [x["line"] for x in first["x"]]
    assert labels[:3] == ["x = [t + p for t, p in zip(tok_emb, pos_emb)]", "x = rmsnorm(x)", "x = rmsnorm(x)"]
    assert labels[-1] == "x = [a + b for a, b in zip(x, x_residual)]"
    assert len(labels) == 10
    source, start = inspect.getsourcelines(step3_attention.gpt)
    for x in first["x"]:
        assert source[x["lineno"] - start].strip().startswith(x["line"])
    # x before the attention block, normalised: the embeddings' sum, scaled to mean square 1.
    summed = [t + p for t, p in zip(first["tok_emb"], first["pos_emb"])]
    assert first["x"][0]["value"] == summed
    assert sum(v * v for v in first["x"][1]["value"]) / 16 == pytest.approx(1, rel=1e-2)
    assert len(first["logits"]) == 27 and len(first["layers"][0]["x_attn"]) == 16
    # At position 0 attention can only look at itself.
    assert first["layers"][0]["attn_weights"] == [[1.0]]


def test_step2_gradients_equal_step1_hand_derived_ones(short_runs):
    name = docs_of(short_runs[1])[0]
    assert short_runs[1]["snapshots"]["0"] == short_runs[2]["snapshots"]["0"]  # the same initial weights
    autograd = replay.gradients(2, replay.snapshot(short_runs[2], 0), name)
    by_hand = replay.gradients(1, replay.snapshot(short_runs[1], 0), name)
    assert list(autograd) == list(by_hand) == ["wte", "mlp_fc1", "mlp_fc2"]
    for key in autograd:
        for row_a, row_h in zip(autograd[key], by_hand[key]):
            assert row_a == pytest.approx(row_h, abs=1e-12)
    assert any(g != 0 for row in autograd["mlp_fc1"] for g in row)


def test_a_gradient_agrees_with_a_finite_difference(short_runs):
    snap = replay.snapshot(short_runs[4], 5)
    grads = replay.gradients(4, snap, "ava")
    eps = 1e-6
    for key, row, col in [("wte", 0, 3), ("layer0.attn_wq", 2, 5), ("lm_head", 21, 0)]:
        bumped = {k: [list(r) for r in m] for k, m in snap.items()}
        bumped[key][row][col] += eps
        dropped = {k: [list(r) for r in m] for k, m in snap.items()}
        dropped[key][row][col] -= eps
        slope = (replay.score(4, bumped, "ava")["loss"] - replay.score(4, dropped, "ava")["loss"]) / (2 * eps)
        assert grads[key][row][col] == pytest.approx(slope, rel=1e-5, abs=1e-9)


def test_step1_gradient_check_at_a_later_snapshot(short_runs):
    check = replay.gradient_check_at(replay.snapshot(short_runs[1], 5), "emma")
    assert len(check["numerical"]) == len(check["analytic"]) == 3184
    assert max(abs(n - a) for n, a in zip(check["numerical"], check["analytic"])) < 1e-5
    assert check["loss_n"] == check["loss_a"]
    assert sum(1 for a in check["analytic"] if a != 0) > 100


def test_graph_size_counts_the_values_of_one_loss(short_runs):
    size = replay.graph_size(2, replay.snapshot(short_runs[2], 0), "ava")
    assert size == 25899  # 4 positions of the step 2 MLP, counted once each
    assert replay.graph_size(2, replay.snapshot(short_runs[2], 5), "ava") == size  # shape, not values
    assert replay.graph_size(2, replay.snapshot(short_runs[2], 0), "emma") > size
    assert replay.graph_size(3, replay.snapshot(short_runs[3], 0), "ava") > size


def test_trace_locals_reads_every_binding():
    def f(n):
        total = 0
        for i in range(n):
            total = total + [10, 20, 30][i]
        return total

    result, traced = replay.trace_locals(f, ["total", "i"], 3)
    assert result == 60
    assert traced == {"total": [0, 10, 30, 60], "i": [0, 1, 2]}
    with pytest.raises(ProbeError, match=r"test_replay\..*f has no local variable 'nope' any more: "
                                         r"the probe must follow the code"):
        replay.trace_locals(f, ["nope"], 3)


def renamed(function, old, new):
    """The same function with one of its local variables renamed, as an edit would."""
    source = inspect.getsource(function).replace(old, new)
    namespace = {}
    exec(compile(source, inspect.getsourcefile(function), "exec"), function.__globals__, namespace)
    return namespace[function.__name__]


def test_a_traced_local_that_disappears_is_a_clear_error(short_runs, monkeypatch):
    monkeypatch.setattr(step3_attention, "gpt", renamed(step3_attention.gpt, "attn_weights", "weights"))
    with pytest.raises(ProbeError, match=r"^microgpt\.step3_attention\.gpt has no local variable 'attn_weights' "
                                         r"any more: the probe must follow the code$"):
        replay.internals(3, replay.snapshot(short_runs[3], 0), "ava")
    monkeypatch.setattr(step0_counting, "forward", renamed(step0_counting.forward, "losses", "surprises"))
    with pytest.raises(ProbeError, match=r"step0_counting\.forward has no local variable 'losses'"):
        replay.score(0, replay.snapshot(short_runs[0], 0), "ava")


def test_wrong_input_is_one_clear_line(short_runs):
    cases = [
        (lambda: replay.snapshot(short_runs[0], 7),
         "run 0 kept no snapshot after 7 steps (it kept 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)"),
        (lambda: replay.score(0, replay.snapshot(short_runs[0], 0), "Ava"), "a name is one or more of the characters a..z"),
        (lambda: replay.score(0, replay.snapshot(short_runs[0], 0), ""), "a name is one or more"),
        (lambda: replay.score(6, {}, "ava"), "step=6: the steps are 0 to 5"),
        (lambda: replay.internals(2, replay.snapshot(short_runs[2], 0), "ava"), "step 2 has no attention"),
        (lambda: replay.gradients(0, replay.snapshot(short_runs[0], 0), "ava"), "step 0 counts: it has no gradients"),
        (lambda: replay.graph_size(1, replay.snapshot(short_runs[1], 0), "ava"), "step 1 computes with plain numbers"),
        (lambda: replay.score(3, replay.snapshot(short_runs[0], 0), "ava"), "a step 3 snapshot is a dict of matrices"),
        (lambda: replay.score(0, replay.snapshot(short_runs[3], 0), "ava"), "a step 0 snapshot is the count table"),
        (lambda: replay.score(3, replay.snapshot(short_runs[4], 0), "ava"),
         "this snapshot does not fit: the step 3 model has wte 27×16, wpe 16×16, attn_wq 16×16"),
    ]
    for probe, message in cases:
        with pytest.raises(ProbeError) as err:
            probe()
        assert message in str(err.value)
        assert "\n" not in str(err.value)
