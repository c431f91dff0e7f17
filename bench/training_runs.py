"""Time each step's run, plain and recorded, under CPython or PyPy.

    python -m bench.training_runs [--python INTERP] [--steps N] [STEP ...]

For each step, two worker processes run one after the other (the machine is
shared: never two long runs at once): one runs the program plainly
(microgpt.program.run_program), the other records it the way the guide's
build does (microgpt.record.record_run with the default snapshots and one
watched weight). Steps that take under two seconds repeat for two seconds
and report their best time. Both outputs are compared with
tests/reference/stepN.txt, so this is also the full 1,000-step reproduction
check of every step; with --steps N (a shorter schedule, for a quick
measurement) the two outputs are compared with each other instead.

--python picks the interpreter of the workers (default: this one), e.g.
--python pypy3. The reference seconds are CPython 3.11's, from
MICROGPT-SPEC.md.
"""

import argparse
import contextlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_SECONDS = {0: 0.15, 1: 8, 2: 190, 3: 325, 4: 345, 5: 310}  # MICROGPT-SPEC.md, CPython 3.11
WATCH = {1: ["mlp_fc1", 0, 0]}  # one weight the recorder follows through every step
DEFAULT_WATCH = ["wte", 0, 0]


def run_once(step, mode, num_steps):
    from microgpt.program import run_program
    from microgpt.record import record_run

    out = io.StringIO()
    started = time.perf_counter()
    if mode == "recorded":
        watch = [] if step == 0 else [WATCH.get(step, DEFAULT_WATCH)]
        data = record_run(step, num_steps=num_steps, watch=watch)
        seconds = time.perf_counter() - started
        return seconds, data["output"], len(json.dumps(data, separators=(",", ":")))
    with contextlib.redirect_stdout(out):
        run_program(step, num_steps=num_steps)
    return time.perf_counter() - started, out.getvalue(), None


def measure(step, mode, num_steps, budget=2.0):
    """In a worker: the best time (quick steps repeat for about `budget`
    seconds), the output of the first run, and the recorded JSON's size."""
    times, outputs, size, spent = [], set(), None, 0.0
    while not times or spent < budget:
        seconds, output, size = run_once(step, mode, num_steps)
        times.append(seconds)
        outputs.add(output)
        spent += seconds
    if len(outputs) != 1:
        raise SystemExit(f"step {step} {mode}: repeated runs printed different output")
    return {"seconds": min(times), "runs": len(times), "output": outputs.pop(), "json_bytes": size}


def run_worker(python, step, mode, num_steps):
    worker = subprocess.run(
        [python, "-m", "bench.training_runs", "--worker", str(step), mode, str(num_steps)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    if worker.returncode != 0:
        sys.exit(f"the {mode} run of step {step} under {python} failed (exit {worker.returncode})")
    return json.loads(worker.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.training_runs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the workers' interpreter (default: this one)")
    parser.add_argument("--steps", type=int, default=1000, help="length of the schedule (default 1000)")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("step", type=int, nargs="*", help="steps to time (default: all)")
    args = parser.parse_args(argv)
    if args.worker:
        step, mode, num_steps = args.worker
        result = measure(int(step), mode, int(num_steps))
        sys.stdout.write(json.dumps(result))
        return
    steps = args.step or sorted(REFERENCE_SECONDS)
    full = args.steps == 1000
    print(f"workers: {args.python}; schedule: {args.steps} steps")
    print("step   plain s   recorded s   overhead   JSON MB   plain/reference   "
          + ("output = reference" if full else "recorded output = plain"))
    for step in steps:
        print(f"{step:4d}   (running...)", end="\r", file=sys.stderr, flush=True)
        plain = run_worker(args.python, step, "plain", args.steps)
        recorded = run_worker(args.python, step, "recorded", args.steps)
        if full:
            reference = (ROOT / "tests" / "reference" / f"step{step}.txt").read_text()
            same = plain["output"] == reference and recorded["output"] == reference
        else:
            same = plain["output"] == recorded["output"]
        ratio = plain["seconds"] / (REFERENCE_SECONDS[step] * args.steps / 1000)
        print("\r\033[K", end="", file=sys.stderr, flush=True)
        print(
            f"{step:4d}   {plain['seconds']:7.2f}   {recorded['seconds']:10.2f}"
            f"   {recorded['seconds'] / plain['seconds'] - 1:+8.1%}   {recorded['json_bytes'] / 1e6:7.2f}"
            f"   {ratio:15.2f}x   {'yes' if same else 'NO'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
