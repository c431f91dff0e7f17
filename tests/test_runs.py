"""The run cache: a run is trained once per change of code, data or settings."""

import pytest

from hooks.runs import RunCache, RunError, run_key, source_digest


def test_source_digest_follows_every_byte_of_the_code(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    before = source_digest(tmp_path)
    (tmp_path / "a.py").write_text("x = 2\n")
    assert source_digest(tmp_path) != before
    assert run_key(0, {"num_steps": 10}, "code") != run_key(0, {"num_steps": 11}, "code")


def test_a_second_load_trains_nothing_and_new_code_trains_again(tmp_path, names_path):
    settings = {0: {"num_steps": 20, "snapshot_after": [20], "num_samples": 2}}
    first = RunCache(tmp_path)
    runs = first.load(settings)
    assert first.trained == [0]
    assert [record["doc"] for record in runs[0]["steps"][:3]] == ["yuheng", "diondre", "xavien"]
    assert len(runs[0]["steps"]) == 20 and list(runs[0]["snapshots"]) == ["20"]

    again = RunCache(tmp_path)
    assert again.load(settings) == runs
    assert again.trained == []

    changed = RunCache(tmp_path)
    changed.code = "an edited microgpt"  # what an edit to microgpt/ does to the key
    changed.load(settings)
    assert changed.trained == [0]
    assert len(list(tmp_path.glob("step0-*.json"))) == 2


@pytest.mark.parametrize("settings, message", [
    ({"num_step": 5}, "unknown setting num_step"),
    ({"snapshot_after": [0]}, "snapshot_after in mkdocs.yml: a list of step counts"),
])
def test_bad_settings_are_named(tmp_path, settings, message):
    with pytest.raises(RunError, match=message):
        RunCache(tmp_path).load({0: settings})
