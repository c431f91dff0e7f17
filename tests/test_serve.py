"""`mkdocs serve` never waits for training: it answers at once on a cold cache
with placeholders, rebuilds when a run lands, and stops its workers when it
stops. Training is slowed down by a wrapper around the real interpreter, so
the placeholder is there to be seen."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request

import pytest

from tests.conftest import ROOT, free_port, small_guide_config

SLOW = textwrap.dedent('''\
    #!{python}
    """Trains like the real interpreter, after a pause: step 0 waits 3 s, step 1 a minute."""
    import os, sys, time
    args = sys.argv[1:]
    if "--step" in args:
        step = args[args.index("--step") + 1]
        with open(os.environ["SLOW_LOG"], "a") as log:
            log.write("%s %d\\n" % (step, os.getpid()))
        time.sleep({{"0": 3, "1": 60}}.get(step, 0))
    os.execv("{python}", ["{python}"] + args)
''')

# `mkdocs serve -f CONFIG`, with Ctrl-C handled as in a terminal: a child inherits an ignored
# SIGINT (as a shell starts a background job: `.ci/run &` ignores SIGINT and SIGQUIT)
SERVE = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
         " sys.argv = ['mkdocs', 'serve', '-f', sys.argv[1]]; runpy.run_module('mkdocs', run_name='__main__')")

PAGE = """\
---
title: A page
---

The first loss was {{ loss step=1 }}.
"""


@pytest.fixture
def slow_guide(tmp_path, data_env):
    port = free_port()
    config = small_guide_config(tmp_path, {"page.md": PAGE},
                                "{0: {num_steps: 20, num_samples: 2}, 1: {num_steps: 5, num_samples: 1}}",
                                extra=f"dev_addr: 127.0.0.1:{port}\n")
    slow = tmp_path / "slowpython"
    slow.write_text(SLOW.format(python=sys.executable))
    slow.chmod(0o755)
    env = {**data_env, "MICROGPT_RUN_CACHE": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1",
           "MICROGPT_PYTHON": str(slow), "SLOW_LOG": str(tmp_path / "slow.log")}
    return config, env, port, tmp_path / "slow.log"


class Log:
    def __init__(self, stream):
        self.lines = []
        threading.Thread(target=lambda: self.lines.extend(iter(stream.readline, "")), daemon=True).start()

    def wait_for(self, text, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            time.sleep(0.05)
        raise AssertionError(f"serve never said {text!r}:\n{''.join(self.lines)}")


def get(port, path, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_serve_shows_placeholders_then_the_run_then_stops_its_workers(slow_guide):
    config, env, port, slow_log = slow_guide
    serve = subprocess.Popen([sys.executable, "-c", SERVE, str(config)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = Log(serve.stdout)
    try:
        first = get(port, "/step-0/page/")  # answers while step 0 still trains
        assert "The first loss was <span class=\"mgv-pending\"" in first
        assert "(step 0 is still training)" in first and "Training in the background" in first
        assert "3.2958" not in first

        log.wait_for("trained step 0 in")
        log.wait_for("guide: 1 run(s), 1 still training")  # the rebuild when step 0 landed
        landed = get(port, "/step-0/page/")
        assert "The first loss was 3.2958." in landed and "mgv-pending" not in landed
        assert not [line for line in log.lines if line.startswith("WARNING")]

        workers = {line.split()[0]: int(line.split()[1]) for line in slow_log.read_text().splitlines()}
        assert set(workers) == {"0", "1"}
        os.kill(workers["1"], 0)  # step 1 is still training when serve stops
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(workers["1"], 0)
