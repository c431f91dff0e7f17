"""The run cache: each step trained once per change of code, data or settings.

A run is what microgpt.record.record_run returns: plain data (facts, one
record per training step, snapshots of the model, samples). It is stored as
JSON in the cache directory under a key made from

- the bytes of every file in microgpt/ (change the code: a new run),
- the dataset's SHA-256 (fixed by microgpt.data, so part of the code),
- the run's settings from mkdocs.yml,
- the Python version (major.minor).

Misses are trained in separate processes, several at once when there are
cores for them; a fresh process also means the code that trains is the code
on disk now, even under a long-lived `mkdocs serve`.
"""

import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "microgpt"
DEFAULT_CACHE_DIR = ROOT / ".cache" / "runs"
CACHE_ENV = "MICROGPT_RUN_CACHE"
ALLOWED_SETTINGS = {"num_steps", "snapshot_after", "num_samples"}


class RunError(Exception):
    """A run could not be had: bad settings, or the training itself failed."""


def source_digest(source_dir=SOURCE_DIR):
    digest = hashlib.sha256()
    for path in sorted(source_dir.rglob("*.py")):
        digest.update(path.relative_to(source_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_key(step, settings, code=None):
    described = {
        "step": step,
        "settings": settings,
        "code": code or source_digest(),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:20]


def check_settings(step, settings):
    unknown = set(settings) - ALLOWED_SETTINGS
    if unknown:
        raise RunError(
            f"extra.microgpt.runs.{step} in mkdocs.yml: unknown setting {', '.join(sorted(unknown))}"
            f" (known: {', '.join(sorted(ALLOWED_SETTINGS))})"
        )
    after = settings.get("snapshot_after", [])
    if not isinstance(after, list) or not all(isinstance(k, int) and k >= 1 for k in after):
        raise RunError(f"extra.microgpt.runs.{step}.snapshot_after in mkdocs.yml: a list of step counts (1, 2, ...)")


def train(step, settings):
    """In a worker process: train one step and return (its data, seconds)."""
    from microgpt.record import record_run

    started = time.perf_counter()
    data = record_run(step, **settings)
    return data, time.perf_counter() - started


class RunCache:
    def __init__(self, directory=None, log=None):
        self.directory = Path(directory or os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)
        self.log = log
        self.code = source_digest()
        self.trained = []  # the steps this cache had to train (the rest came from disk)

    def path(self, step, settings):
        return self.directory / f"step{step}-{run_key(step, settings, self.code)}.json"

    def load(self, requests):
        """requests: {step: settings}. Returns {step: run data}, training what is missing."""
        runs, missing = {}, {}
        for step, settings in requests.items():
            check_settings(step, settings)
            path = self.path(step, settings)
            if path.is_file():
                runs[step] = json.loads(path.read_text())
            else:
                missing[step] = settings
        for step, (data, seconds) in self.train_all(missing).items():
            text = self.save(self.path(step, missing[step]), data)
            self.say(f"trained step {step} in {seconds:.1f} s (cached for the next build)")
            runs[step] = json.loads(text)  # exactly what a warm build will read
        self.trained = sorted(missing)
        return runs

    def train_all(self, missing):
        if not missing:
            return {}
        self.say(f"training step{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))}: "
                 "the code, data or settings changed since the last cached run")
        workers = min(len(missing), os.cpu_count() or 1)
        # spawn, not fork: the worker imports microgpt fresh from disk
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            futures = {step: pool.submit(train, step, settings) for step, settings in missing.items()}
            results = {}
            for step, future in futures.items():
                try:
                    results[step] = future.result()
                except Exception as err:  # the worker's own error, e.g. microgpt.data.DataError
                    raise RunError(f"training step {step} failed: {err}") from None
        return results

    def save(self, path, data):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        text = json.dumps(data, separators=(",", ":"))
        partial.write_text(text)
        partial.replace(path)  # atomic: a half-written run is never read
        return text

    def say(self, message):
        if self.log:
            self.log.info(message)
