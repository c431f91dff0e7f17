"""Time the guide's build: cold, warm, plain MkDocs, and `mkdocs serve` rebuilds.

    python -m bench.site_build

- cold:  mkdocs build --strict with an empty run cache (trains every run)
- warm:  the same again, the cache full (trains nothing)
- plain: MkDocs and Material on the same pages without the guide's hooks
         (directives left as text), to see what the hooks cost
- serve: `mkdocs serve`, then the time from saving a page until the browser
         is told to reload; and the same after an edit to microgpt/, which
         must retrain

Builds run in fresh processes, as an author runs them; best of three for the
quick ones.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3


def build(config, site, env):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stderr


def plain_config(directory):
    """mkdocs.yml without the hooks: what MkDocs and Material alone cost."""
    text = (ROOT / "mkdocs.yml").read_text()
    text = re.sub(r"\n(hooks|watch):\n(  - .*\n)+", "\n", text)
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    text += f"\ndocs_dir: {ROOT / 'docs'}\n"
    config = directory / "plain.yml"
    config.write_text(text)
    return config


class Serve:
    """mkdocs serve in the background, its log read line by line."""

    def __init__(self, env, port=8765):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "--strict"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.wait_for("Serving on")

    def wait_for(self, text, timeout=120):
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            seen.append(line)
            if text in line:
                return seen
        sys.exit(f"mkdocs serve never said {text!r}")

    def rebuild_after(self, path, edit):
        original = path.read_text()
        started = time.perf_counter()
        path.write_text(edit(original))
        try:
            log = self.wait_for("Reloading browsers")
        finally:
            path.write_text(original)
        seconds = time.perf_counter() - started
        self.wait_for("Reloading browsers")  # the rebuild after restoring the file
        return seconds, "".join(log)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def main():
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = {**os.environ, "MICROGPT_RUN_CACHE": str(scratch / "cache"), "NO_MKDOCS_2_WARNING": "1"}
        cold, log = build(ROOT / "mkdocs.yml", scratch / "site", env)
        assert "trained step 0" in log, log
        warm = min(build(ROOT / "mkdocs.yml", scratch / "site", env)[0] for _ in range(REPEATS))
        plain = min(build(plain_config(scratch), scratch / "plain-site", env)[0] for _ in range(REPEATS))
        print(f"cold build (trains step 0)   {cold:6.2f} s")
        print(f"warm build (cache hit)       {warm:6.2f} s")
        print(f"plain MkDocs, no hooks       {plain:6.2f} s")
        print(f"warm / plain                 {warm / plain:6.2f}×")

        serve = Serve(env)
        try:
            page = ROOT / "docs" / "step-0" / "loss.md"
            seconds, log = serve.rebuild_after(page, lambda text: text + "\nAn edit.\n")
            assert "training step" not in log
            print(f"serve: page edit to reload   {seconds:6.2f} s (no training)")
            code = ROOT / "microgpt" / "tokenizer.py"
            seconds, log = serve.rebuild_after(code, lambda text: text + "\n# an edit\n")
            assert "trained step 0" in log, log
            print(f"serve: microgpt edit         {seconds:6.2f} s (retrained step 0)")
        finally:
            serve.stop()


if __name__ == "__main__":
    main()
