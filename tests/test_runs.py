"""The run cache and the trainer: what a key covers, what a miss costs, how
training reports, fails and stops.

Most tests train with a fake interpreter (a small script standing in for
`pypy3 -m microgpt.record`), so they exercise the plumbing in seconds; the
site-build tests train the real runs."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from hooks.runs import RunCache, RunError, code_digest, normalise, step_modules
from hooks.training import Trainer, format_left
from tests.conftest import ROOT

FAKE = textwrap.dedent('''\
    #!{python}
    """A stand-in interpreter: answers the version probe, and plays a worker."""
    import json, os, sys, time
    args = sys.argv[1:]
    if args[0] == "-c":
        print("Fake 1.0.0")
        sys.exit(0)
    step = int(args[args.index("--step") + 1])
    settings = json.loads(args[args.index("--settings") + 1])
    out = args[args.index("--out") + 1]
    if os.environ.get("FAKE_LOG"):
        with open(os.environ["FAKE_LOG"], "a") as log:
            log.write("%d %d\\n" % (step, os.getpid()))
    for done in range(1, settings["num_steps"] + 1):
        time.sleep(float(os.environ.get("FAKE_DELAY", "0")))
        print("@progress %d %d" % (done, settings["num_steps"]), file=sys.stderr, flush=True)
    if str(step) == os.environ.get("FAKE_FAIL_STEP"):
        raise ValueError("the fake worker fails on purpose")
    with open(out, "w") as f:
        json.dump({{"step": step, "facts": {{}}, "steps": [{{"loss": 1.5}}], "snapshots": {{}}, "samples": []}}, f)
''')


@pytest.fixture
def fake_python(tmp_path, monkeypatch):
    path = tmp_path / "fakepython"
    path.write_text(FAKE.format(python=sys.executable))
    path.chmod(0o755)
    monkeypatch.setenv("MICROGPT_PYTHON", str(path))
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "trained.log"))
    return path


def trained(tmp_path):
    log = tmp_path / "trained.log"
    return [int(line.split()[0]) for line in log.read_text().splitlines()] if log.exists() else []


class Said(list):
    def info(self, message):
        self.append(message)

    warning = info


# ------------------------------------------------------------------ keys


def copy_source(tmp_path):
    source = tmp_path / "microgpt"
    shutil.copytree(ROOT / "microgpt", source, ignore=shutil.ignore_patterns("__pycache__"))
    return source


def test_a_step_runs_its_own_modules_and_those_it_imports():
    zero = step_modules(0)
    assert "microgpt.step0_counting" in zero and not any(name.startswith("microgpt.step1") for name in zero)
    three = step_modules(3)
    assert {"microgpt.step1_gradient", "microgpt.step2_autograd", "microgpt.step3_attention",
            "microgpt.autograd", "microgpt.record", "microgpt.data", "microgpt.tokenizer"} <= set(three)
    assert "microgpt.step4_transformer" not in three and "microgpt.step5_adam" not in three


def test_comments_docstrings_and_blank_lines_train_nothing(tmp_path):
    source = copy_source(tmp_path)
    before = [code_digest(step, source) for step in range(6)]
    path = source / "step5_adam.py"
    text = path.read_text()
    assert text.startswith('"""')
    edited = '"""A reworded docstring.' + text[3:]  # the module's docstring, reworded
    edited = edited.replace("\nclass ", "\n# a new narrating comment\n\n\nclass ", 1) + "\n# end\n"
    assert edited != text
    path.write_text(edited)
    assert [code_digest(step, source) for step in range(6)] == before


def test_a_code_edit_trains_that_step_and_the_steps_that_import_it(tmp_path):
    source = copy_source(tmp_path)
    before = [code_digest(step, source) for step in range(6)]
    path = source / "step2_autograd.py"
    path.write_text(path.read_text() + "\nEXTRA_CONSTANT = 1\n")
    after = [code_digest(step, source) for step in range(6)]
    assert [a != b for a, b in zip(before, after)] == [False, False, True, True, True, True]


def test_settings_are_normalised_and_checked():
    assert normalise(1, {}) == {"num_steps": 1000, "num_samples": 20,
                                "snapshots": [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], "watch": []}
    assert normalise(0, {"num_steps": 30, "snapshots": [50, 5, 0, 5]})["snapshots"] == [0, 5]
    with pytest.raises(RunError, match=r"extra.microgpt.runs.0 in mkdocs.yml: unknown setting snapshot_after"):
        normalise(0, {"snapshot_after": [5]})
    with pytest.raises(RunError, match="watch is a list of \\[matrix, row, column\\]"):
        normalise(5, {"watch": ["wte"]})
    with pytest.raises(RunError, match="there is no step 7"):
        normalise(7, {})


def test_the_key_follows_settings_and_interpreter(tmp_path, fake_python, monkeypatch):
    fake = RunCache(tmp_path).entries({0: {}})[0]
    assert RunCache(tmp_path).entries({0: {"num_samples": 5}})[0].key != fake.key
    monkeypatch.setenv("MICROGPT_PYTHON", sys.executable)
    assert RunCache(tmp_path).entries({0: {}})[0].key != fake.key
    monkeypatch.setenv("MICROGPT_PYTHON", "no-such-python")
    with pytest.raises(RunError, match="MICROGPT_PYTHON=no-such-python: no such interpreter"):
        RunCache(tmp_path)


# ------------------------------------------------------------------ the trainer


def test_misses_train_once_land_whole_and_report_progress(tmp_path, fake_python, monkeypatch):
    monkeypatch.setenv("FAKE_DELAY", "0.02")
    said = Said()
    cache = RunCache(tmp_path / "cache", log=said)
    entries = cache.entries({0: {"num_steps": 40}, 3: {"num_steps": 40}})
    trainer = Trainer(cache, workers=2, log=said)
    jobs = trainer.submit(list(entries.values()))
    trainer.wait(list(jobs.values()), every=0.3)
    assert sorted(trained(tmp_path)) == [0, 3]
    assert [cache.read(entries[step])["step"] for step in (0, 3)] == [0, 3]
    progress = [line for line in said if line.startswith("training: ")]
    assert progress and all("step 0: " in line or "step 3: " in line for line in progress)
    assert any("/40" in line for line in progress)
    assert list((tmp_path / "cache" / "tmp").glob("*.partial")) == []

    again = Trainer(cache, log=said)  # a second build: everything is cached
    assert [cache.read(entry) is not None for entry in entries.values()] == [True, True]
    assert again.jobs == {}


def test_a_failing_worker_names_its_step_and_shows_its_traceback(tmp_path, fake_python, monkeypatch):
    monkeypatch.setenv("FAKE_FAIL_STEP", "4")
    cache = RunCache(tmp_path / "cache")
    entries = cache.entries({1: {"num_steps": 3}, 4: {"num_steps": 3}})
    trainer = Trainer(cache, workers=2)
    jobs = trainer.submit(list(entries.values()))
    with pytest.raises(RunError) as raised:
        trainer.wait(list(jobs.values()))
    message = str(raised.value)
    assert message.startswith("training step 4 failed (the worker exited with 1); its output:")
    assert "Traceback (most recent call last)" in message
    assert "ValueError: the fake worker fails on purpose" in message
    assert cache.read(entries[1]) is not None and cache.read(entries[4]) is None


def test_an_unreadable_entry_is_a_miss_warned_and_trained_again(tmp_path, fake_python):
    said = Said()
    cache = RunCache(tmp_path / "cache", log=said)
    entry = cache.entries({2: {"num_steps": 2}})[2]
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    entry.path.write_text('{"step": 2, "steps": [')  # cut off mid-write by something else
    assert cache.read(entry) is None
    assert any(line.startswith(f"warning: the cached run {entry.path.name} is unreadable") for line in said)
    assert not entry.path.exists()
    trainer = Trainer(cache)
    trainer.wait(list(trainer.submit([entry]).values()))
    assert cache.read(entry)["step"] == 2 and trained(tmp_path) == [2]


def test_prune_removes_what_no_key_points_to(tmp_path, fake_python):
    cache = RunCache(tmp_path / "cache")
    entries = cache.entries({0: {}})
    cache.directory.mkdir(parents=True, exist_ok=True)
    entries[0].path.write_text("{}")
    stale = cache.directory / "step0-0123456789abcdef0123.json"
    stale.write_text("{}")
    other = cache.directory / "notes.txt"
    other.write_text("kept")
    cache.tmp.mkdir(exist_ok=True)
    kept_lock = cache.tmp / f"{entries[0].path.stem}.lock"
    stale_lock = cache.tmp / "step0-0123456789abcdef0123.lock"
    for lock in (kept_lock, stale_lock):
        lock.write_text("")
    assert cache.prune(entries.values()) == [stale.name]
    assert entries[0].path.exists() and other.exists() and not stale.exists()
    assert kept_lock.exists() and not stale_lock.exists()


def hooks_train(tmp_path, *steps):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\nextra:\n  microgpt:\n    runs:\n      0: {num_steps: 30}\n      5: {num_steps: 30}\n")
    env = {**os.environ, "MICROGPT_RUN_CACHE": str(tmp_path / "cache")}
    return subprocess.Popen([sys.executable, "-m", "hooks", "train", "-f", str(config), *map(str, steps)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_builds_at_once_train_once_and_share_the_entry(tmp_path, fake_python, monkeypatch):
    monkeypatch.setenv("FAKE_DELAY", "0.05")
    first, second = hooks_train(tmp_path), hooks_train(tmp_path)
    outputs = [process.communicate(timeout=60) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert sorted(trained(tmp_path)) == [0, 5]  # each step trained by one of the two
    entries = sorted((tmp_path / "cache").glob("step*.json"))
    assert sorted(json.loads(path.read_text())["step"] for path in entries) == [0, 5]


def test_sigterm_stops_every_worker(tmp_path, fake_python, monkeypatch):
    monkeypatch.setenv("FAKE_DELAY", "0.5")
    process = hooks_train(tmp_path)
    deadline = time.monotonic() + 30
    while len(trained(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = [int(line.split()[1]) for line in (tmp_path / "trained.log").read_text().splitlines()]
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "every worker was stopped" in err
    time.sleep(0.2)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert list((tmp_path / "cache").glob("step*.json")) == []


def test_hooks_train_says_what_it_does(tmp_path, fake_python):
    process = hooks_train(tmp_path, 0)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "training step 0 with Fake 1.0.0 on up to" in err and "started step 0 (30 steps)" in err
    assert "trained step 0, cached in" in err
    again = hooks_train(tmp_path, 0)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0 and err.startswith("nothing to train: step 0 cached in")
    wrong = hooks_train(tmp_path, 3)
    _, err = wrong.communicate(timeout=60)
    assert wrong.returncode == 2 and "step 3 is not in extra.microgpt.runs" in err


def test_time_left_reads_like_a_person_wrote_it():
    assert [format_left(s) for s in (3, 41, 59, 61, 130, 600)] == [
        "about 5 s left", "about 45 s left", "about 60 s left", "about 1 min left", "about 2 min left",
        "about 10 min left"]


def test_packed_matrices_come_back_exactly():
    from hooks.runs import pack_matrices, unpack_matrices

    floats = [[0.1, -2.5e-300, 1 / 3], [float(2**60), -0.0, 7.25]]
    tree = {"0": {"wte": floats, "counts": [[1, 2], [3, 4]]}, "k": "text"}
    packed = pack_matrices(tree)
    assert set(packed["0"]["wte"]) == {"f64"} and packed["0"]["counts"] == [[1, 2], [3, 4]]
    again = unpack_matrices(packed)
    assert again == tree and [x.hex() for row in again["0"]["wte"] for x in row] == \
        [x.hex() for row in floats for x in row]  # to the last bit, the sign of -0.0 included


def test_a_warm_start_reads_fingerprints_from_the_memo_and_parses_only_what_changed(tmp_path, monkeypatch):
    from hooks import runs

    source = copy_source(tmp_path)
    memo_dir = tmp_path / "memo"

    def digests():
        runs._parsed.clear()  # a fresh process: only the memo on disk remains
        runs._by_content.clear()
        with runs.module_memo(memo_dir):
            return [code_digest(step, source) for step in range(6)]

    before = digests()
    read = {path for step in range(6) for path in step_modules(step, source).values()}
    assert len(json.loads((memo_dir / "modules.json").read_text())) == len(read) > 10
    parsed = []
    real_parse = runs.ast.parse
    monkeypatch.setattr(runs.ast, "parse", lambda source, **kw: parsed.append(kw["filename"]) or real_parse(source, **kw))
    assert digests() == before and parsed == []
    path = source / "step2_autograd.py"
    path.write_text(path.read_text() + "\nEXTRA_CONSTANT = 1\n")
    after = digests()
    assert parsed == [str(path)]
    assert [a != b for a, b in zip(before, after)] == [False, False, True, True, True, True]
