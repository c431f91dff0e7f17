"""Time the guide's build as an author meets it.

    python -m bench.site_build [--skip-cpython]

Works on a scratch copy of the project (so its edits never touch yours), each
measurement in fresh processes:

- cold, PyPy:     mkdocs build --strict, empty run cache, workers under pypy3
- cold, CPython:  the same with MICROGPT_PYTHON set to this Python (slow: minutes)
- warm:           the same again, every run cached (best of 3)
- plain:          MkDocs and Material on the same pages without the hooks (best of 3)
- comment edit:   a narrating comment added to microgpt/step5_adam.py, then a build:
                  how many runs it trains (goal: 0) and how long it takes
- serve, cold:    `mkdocs serve` on an empty cache: seconds until a page answers
                  (with its placeholder), and until every run has landed and the
                  site rebuilt; then whether stopping serve left any worker alive
- serve, edit:    a page edit, then a comment edit in microgpt/: seconds to reload

Goals (issue 7): cold with PyPy <= 180 s on 2 cores, CPython only <= 600 s,
warm <= 1.5x plain, serve cold <= 5 s to the first page.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3
PORT = 8765


def copy_project(into):
    project = into / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".cache", "site", "__pycache__", "*.egg-info"))
    return project


def build(project, site, env):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                          cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stdout}{done.stderr}")
    return seconds, re.findall(r"trained step (\d+) in", done.stderr)


def plain_config(project):
    """mkdocs.yml without the hooks: what MkDocs and Material alone cost."""
    text = (project / "mkdocs.yml").read_text()
    text = re.sub(r"\n(hooks|watch):\n(  - .*\n)+", "\n", text)
    config = project / "plain.yml"
    config.write_text(text)
    return config


def best(measure):
    return min(measure() for _ in range(REPEATS))


class Serve:
    """mkdocs serve in the background, its log read by a thread."""

    def __init__(self, project, env):
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{PORT}"],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            self.lines.append((time.perf_counter(), line))

    def wait_for(self, text, after=0.0, timeout=900):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for when, line in list(self.lines):
                if when >= after and text in line:
                    return when
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        sys.exit(f"mkdocs serve never said {text!r}:\n" + "".join(line for _, line in self.lines[-30:]))

    def first_page(self, path, timeout=60):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=2) as response:
                    return time.perf_counter(), response.read().decode()
            except OSError:
                time.sleep(0.05)
        sys.exit("mkdocs serve never answered")

    def rebuild_after(self, path, edit):
        original = path.read_text()
        started = time.perf_counter()
        path.write_text(edit(original))
        when = self.wait_for("Reloading browsers", after=started)
        log = "".join(line for t, line in self.lines if t >= started)
        return when - started, log

    def stop(self):
        """Ctrl-C, as an author stops it. Returns the worker processes still alive after it."""
        children = subprocess.run(["pgrep", "-f", "microgpt.record"], capture_output=True, text=True).stdout.split()
        self.process.send_signal(2)
        self.process.wait(timeout=30)
        time.sleep(0.5)
        return [pid for pid in children if Path(f"/proc/{pid}").exists()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cpython", action="store_true", help="skip the CPython-only cold build (minutes)")
    args = parser.parse_args()
    pypy = shutil.which("pypy3")
    if not pypy:
        sys.exit("pypy3 is not on PATH (Debian: apt-get install pypy3)")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        project = copy_project(scratch)
        env = {**os.environ, "MICROGPT_RUN_CACHE": str(scratch / "cache"), "NO_MKDOCS_2_WARNING": "1",
               "GUIDE_SITE_URL": f"http://127.0.0.1:{PORT}/"}
        env.pop("MICROGPT_PYTHON", None)

        seconds, trained = build(project, scratch / "site", env)
        rows.append(("cold build, workers on PyPy", f"{seconds:.1f} s", f"trained steps {', '.join(trained)}"))
        if not args.skip_cpython:
            cpython = {**env, "MICROGPT_PYTHON": sys.executable, "MICROGPT_RUN_CACHE": str(scratch / "cpython")}
            seconds, trained = build(project, scratch / "site-cpython", cpython)
            rows.append(("cold build, CPython only", f"{seconds:.1f} s", f"trained steps {', '.join(trained)}"))
        warm = best(lambda: build(project, scratch / "site", env)[0])
        plain = best(lambda: build_plain(project, scratch, env))
        rows.append(("warm build", f"{warm:.2f} s", "trains nothing"))
        rows.append(("plain MkDocs, no hooks", f"{plain:.2f} s", ""))
        rows.append(("warm / plain", f"{warm / plain:.2f}x", "goal <= 1.5x"))

        adam = project / "microgpt" / "step5_adam.py"
        original = adam.read_text()
        adam.write_text(original + "\n# A narrating comment, added by the benchmark.\n")
        seconds, trained = build(project, scratch / "site", env)
        adam.write_text(original)
        rows.append(("comment edit in step5_adam.py, rebuild", f"{seconds:.2f} s",
                     f"runs trained: {len(trained)}"))

        cold_env = {**env, "MICROGPT_RUN_CACHE": str(scratch / "serve-cache")}
        serve = Serve(project, cold_env)
        try:
            answered, page = serve.first_page("/step-0/training/")
            rows.append(("serve, cold cache: first page", f"{answered - serve.started:.2f} s",
                         "with a placeholder" if "mgv-pending" in page else "complete"))
            landed = serve.wait_for("guide: 6 run(s), ")
            rows.append(("serve, cold cache: every run landed", f"{landed - serve.started:.1f} s", ""))
            seconds, log = serve.rebuild_after(project / "docs" / "step-0" / "loss.md",
                                               lambda text: text + "\nAn edit.\n")
            rows.append(("serve: page edit to reload", f"{seconds:.2f} s",
                         "trained nothing" if "training step" not in log else "TRAINED"))
            seconds, log = serve.rebuild_after(project / "microgpt" / "tokenizer.py",
                                               lambda text: text + "\n# an edit\n")
            rows.append(("serve: comment edit in microgpt/ to reload", f"{seconds:.2f} s",
                         "trained nothing" if "training step" not in log else "TRAINED"))
        finally:
            alive = serve.stop()
        rows.append(("serve stopped with Ctrl-C: workers left", str(len(alive)), ""))

    width = max(len(row[0]) for row in rows)
    for what, figure, note in rows:
        print(f"{what:<{width}}  {figure:>9}  {note}")


def build_plain(project, scratch, env):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain_config(project)),
                           "-d", str(scratch / "plain-site")], cwd=project, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the plain build failed:\n{done.stderr}")
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
