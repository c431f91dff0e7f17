"""Shared test helpers.

The dataset comes from MICROGPT_DATA or the download cache, as for any run
(see README). Reference output lives in tests/reference/.
"""

import os
import random
import re
import socket
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "reference"


def reference_lines(step):
    return (REFERENCE / f"step{step}.txt").read_text().splitlines()


def texts(html):
    """Text with tags removed and spaces collapsed, for any piece of HTML."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def shuffled(names_path, seed=42):
    """(names, docs, rng) as microgpt starts, redone with the standard library only: the names
    of the file, shuffled by random.Random(seed), and the generator right after the shuffle
    (its next draws are the parameters')."""
    names = [line.strip() for line in Path(names_path).read_text().split("\n") if line.strip()]
    rng = random.Random(seed)
    docs = list(names)
    rng.shuffle(docs)
    return names, docs, rng


def run_cli(*args, env=None, **kwargs):
    """python -m microgpt with the given arguments, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "microgpt", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, **kwargs,
    )


@pytest.fixture(scope="session")
def names_path():
    """The real names.txt, located the way every run locates it."""
    from microgpt.data import DataError, locate_dataset

    try:
        path, _ = locate_dataset()
    except DataError as err:
        pytest.fail(f"the dataset is needed for this test: {err}")
    return path


@pytest.fixture(scope="session")
def step0_record(names_path):
    """Step 0 recorded with the default snapshots: what the pages are built from."""
    from microgpt.record import record_run

    return record_run(0, snapshots=[0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])


@pytest.fixture
def data_env(names_path):
    """An environment for subprocesses that points MICROGPT_DATA at the dataset."""
    return {**os.environ, "MICROGPT_DATA": str(names_path)}


def mkdocs_build(config_file, site_dir, env, strict=True):
    """mkdocs build (--strict) as an author runs it; returns the finished process."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file), "-d", str(site_dir)]
    return subprocess.run(command + (["--strict"] if strict else []), cwd=ROOT, env=env, capture_output=True, text=True)


def small_guide_config(base, pages, runs, extra=""):
    """A guide of one step ("Step 0: Counting": a landing page and `pages`, {file name:
    Markdown}) built with the real hooks; `runs` is extra.microgpt.runs in YAML flow
    style, `extra` more top-level YAML. Returns the mkdocs.yml path."""
    docs = base / "docs"
    (docs / "step-0").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    (docs / "step-0" / "index.md").write_text("---\ntitle: Counting\n---\n\nThe landing.\n")
    for name, text in pages.items():
        (docs / "step-0" / name).write_text(text)
    nav = ", ".join(["step-0/index.md"] + [f"step-0/{name}" for name in pages])
    config = base / "mkdocs.yml"
    config.write_text(
        f"site_name: test\ndocs_dir: {docs}\n{extra}"
        f"theme: {{name: material, custom_dir: {ROOT / 'overrides'}}}\n"
        f"nav:\n  - index.md\n  - \"Step 0: Counting\": [{nav}]\n"
        f"hooks: [{ROOT / 'hooks' / 'guide.py'}]\n"
        "markdown_extensions:\n  - pymdownx.superfences\n"
        "  - pymdownx.snippets: {base_path: [.], check_paths: true}\n  - pymdownx.arithmatex: {generic: true}\n"
        f"extra:\n  microgpt: {{runs: {runs}}}\n")
    return config


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, names_path):
    """The guide built with --strict from a cold run cache:
    (site directory, build log, environment, the port it is built to be served on)."""
    base = tmp_path_factory.mktemp("guide")
    port = free_port()  # instant navigation works only on site_url's own port
    env = {**os.environ, "MICROGPT_DATA": str(names_path), "MICROGPT_RUN_CACHE": str(base / "cache"),
           "NO_MKDOCS_2_WARNING": "1", "GUIDE_SITE_URL": f"http://127.0.0.1:{port}/"}
    built = mkdocs_build(ROOT / "mkdocs.yml", base / "site", env)
    assert built.returncode == 0, built.stderr
    return base / "site", built.stderr, env, port
