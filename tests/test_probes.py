"""Page data reaches every probe of microgpt.replay through Run.probe, memoised."""

from hooks.pagedata import Run
from microgpt.record import record_run


def test_probes_reach_every_replay_function(names_path):
    """Run.probe passes the step where replay wants it: checked on step 3 and step 1's own check."""
    run3 = Run(record_run(3, stop_after=1, snapshots=[0], num_samples=0))
    doc = run3.steps[0]["doc"]
    assert run3.probe("graph_size", 0, doc) > 1000
    assert sorted(run3.probe("gradients", 0, doc)) == sorted(run3.snapshot(0))
    run1 = Run(record_run(1, stop_after=1, snapshots=[0], num_samples=0))
    check = run1.probe("gradient_check_at", 0, run1.steps[0]["doc"])
    assert len(check["numerical"]) == len(check["analytic"]) == 3184
    assert f"gradient check | loss_n {check['loss_n']:.6f} | loss_a {check['loss_a']:.6f}" \
           == "gradient check | loss_n 3.297830 | loss_a 3.297830"
    assert run1.probe("gradient_check_at", 0, run1.steps[0]["doc"]) is check  # memoised


def test_results_are_kept_on_disk_with_their_run(tmp_path, step0_record):
    """A second build (a new Run, an empty memory) reads a probe or a remembered result
    from disk and computes nothing; another run key does not see it."""
    first = Run(step0_record, key="k1", probe_dir=tmp_path)
    scored = first.probe("score", 100, "ava")
    assert round(scored["loss"], 4) == 2.3148
    assert first.remember("answer", lambda: {"x": (1, 2)}, __file__) == {"x": [1, 2]}  # as JSON gives it back

    second = Run(step0_record, key="k1", probe_dir=tmp_path)
    assert second.probe("score", 100, "ava") == scored
    assert second.remember("answer", lambda: 1 / 0, __file__) == {"x": [1, 2]}  # from disk: never computed
    other = Run(step0_record, key="k2", probe_dir=tmp_path)
    assert other.remember("answer", lambda: "fresh", __file__) == "fresh"
    assert len(list(tmp_path.glob("step0-k1-*.json"))) == 2
