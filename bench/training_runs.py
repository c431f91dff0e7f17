"""Time each step's full run, with and without the guide's recorder attached.

    python -m bench.training_runs [STEP ...]

For each step, two processes run side by side (one per core, as the
reference timings in MICROGPT-SPEC.md were taken): one prints the reference
format only, the other also records everything the guide uses (every step's
record, a probe of "ava" after 100 and after all steps, a count-table
snapshot). Steps that take under two seconds repeat for two seconds and
report their best time. Both outputs are compared with tests/reference/stepN.txt, so this
is also the full 1,000-step reproduction check of every step.
"""

import io
import json
import subprocess
import sys
import time
from pathlib import Path

from microgpt.printing import ReferencePrinter
from microgpt.program import run_program
from microgpt.record import record_run

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_SECONDS = {0: 0.15, 1: 8, 2: 190, 3: 325, 4: 345, 5: 310}  # MICROGPT-SPEC.md, 2 cores, one run per core


def run_once(step, mode):
    out = io.StringIO()
    printer = ReferencePrinter(out)
    started = time.perf_counter()
    if mode == "observed":
        record_run(step, printer, probe_names=["ava"], probe_after=[100, 1000], snapshot_after=[1000])
    else:
        run_program(step, printer)
    return time.perf_counter() - started, out.getvalue()


def measure(step, mode, budget=2.0):
    """Runs in this process: the best time (fast steps repeat for about `budget`
    seconds), and whether every run printed the reference output."""
    reference = (ROOT / "tests" / "reference" / f"step{step}.txt").read_text()
    times, matches, spent = [], True, 0.0
    while not times or spent < budget:
        seconds, printed = run_once(step, mode)
        times.append(seconds)
        matches = matches and printed == reference
        spent += seconds
    return {"seconds": min(times), "runs": len(times), "matches_reference": matches}


def measure_pair(step):
    workers = {
        mode: subprocess.Popen(
            [sys.executable, "-m", "bench.training_runs", "--worker", str(step), mode],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        for mode in ("plain", "observed")
    }
    results = {}
    for mode, worker in workers.items():
        out, _ = worker.communicate()
        if worker.returncode != 0:
            sys.exit(f"the {mode} run of step {step} failed (exit {worker.returncode})")
        results[mode] = json.loads(out)
    return results


def main(argv):
    if argv[:1] == ["--worker"]:
        print(json.dumps(measure(int(argv[1]), argv[2])))
        return
    steps = [int(a) for a in argv] or sorted(REFERENCE_SECONDS)
    print("step   plain s   observed s   overhead   reference s   plain/reference   output = reference")
    for step in steps:
        print(f"{step:4d}   (running...)", end="\r", file=sys.stderr, flush=True)
        r = measure_pair(step)
        plain, observed = r["plain"]["seconds"], r["observed"]["seconds"]
        same = r["plain"]["matches_reference"] and r["observed"]["matches_reference"]
        print("\r\033[K", end="", file=sys.stderr, flush=True)
        print(
            f"{step:4d}   {plain:7.2f}   {observed:10.2f}   {observed / plain - 1:+8.1%}"
            f"   {REFERENCE_SECONDS[step]:11.2f}   {plain / REFERENCE_SECONDS[step]:15.2f}×   {'yes' if same else 'NO'}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
