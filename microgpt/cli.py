"""python -m microgpt: run a step's program, or check the dataset."""

import argparse
import sys
import time

from microgpt.data import DATA_SHA256, DataError, locate_dataset
from microgpt.program import NUM_SAMPLES, NUM_STEPS, STEP_MODULES, run_program

STEP_TITLES = {
    0: "counting (bigram count table)",
    1: "gradient descent (MLP, hand-derived gradient)",
    2: "autograd (the same MLP on Values)",
    3: "attention (one head, position embeddings, RMSNorm)",
    4: "the transformer (multi-head, layers)",
    5: "Adam (this is microgpt)",
}


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m microgpt",
        description="Train and sample the six steps of microgpt, from counting to Adam.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    steps_help = "; ".join(f"{n}: {title}" for n, title in STEP_TITLES.items())
    run = commands.add_parser(
        "run",
        help="run one step's program: it prints what the reference program prints",
        description=f"Run one step's program (microgpt.program.run_program). Steps: {steps_help}.",
    )
    run.add_argument("step", type=int, choices=sorted(STEP_MODULES), metavar="STEP", help="0 to 5")
    run.add_argument("--steps", type=positive_int, default=NUM_STEPS, metavar="N",
                     help=f"length of the training schedule (default {NUM_STEPS})")
    run.add_argument("--stop-after", type=positive_int, default=None, metavar="K",
                     help="stop training after the first K steps of the schedule, then sample "
                          "(the schedule, and so the learning rate, stays that of N steps)")
    run.add_argument("--samples", type=non_negative_int, default=NUM_SAMPLES, metavar="M",
                     help=f"how many names to generate (default {NUM_SAMPLES})")
    run.add_argument("--progress", action="store_true",
                     help="show a progress line with the time left on stderr")

    commands.add_parser("data", help="say where the dataset comes from and check it")
    return parser


def format_duration(seconds):
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class ProgressLine:
    """A status line on stderr (bar, speed, time left) kept below the printed output.

    Called as progress(done, total) after every training step. The program's
    output is written through it (write, flush): the status line is erased
    before a line is printed and drawn again after it, so the two never garble
    each other on one terminal.
    """

    WIDTH = 24

    def __init__(self, out=None, stream=None, clock=time.monotonic):
        self.out = out or sys.stdout
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.status = ""
        self.shown = False

    def erase(self):
        if self.shown:
            self.stream.write("\r\033[K")
            self.shown = False

    def draw(self):
        if self.status and not self.shown:
            self.stream.write(self.status)
            self.shown = True
        self.stream.flush()

    def __call__(self, done, total):
        elapsed = self.clock() - self.started
        self.erase()
        if done == total:
            self.status = ""
            self.stream.write(f"trained in {format_duration(elapsed)}\n")
            self.stream.flush()
            return
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate else 0.0
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.status = f"[{bar}] {done}/{total}  {rate:.1f} steps/s  {format_duration(left)} left"
        self.draw()

    def write(self, text):
        self.erase()
        self.out.write(text)
        self.out.flush()
        if text.endswith("\n"):
            self.draw()
        return len(text)

    def flush(self):
        self.out.flush()


def run_command(args):
    if args.stop_after is None and not args.progress:
        run_program(args.step, args.steps, args.samples)
        return
    # Stopping early and showing progress are done from outside the
    # program, by the spies that record runs for the guide.
    from microgpt.record import record_run

    progress = ProgressLine() if args.progress else None
    record_run(args.step, num_steps=args.steps, num_samples=args.samples, snapshots=(),
               stop_after=args.stop_after, progress=progress, echo=progress or sys.stdout,
               sample_after_stop=True)


def data_command(args):
    path, raw = locate_dataset()
    print(f"{path}: {len(raw):,} bytes, SHA-256 {DATA_SHA256} (verified)")


def main(argv=None):
    args = build_parser().parse_args(argv)
    command = {"run": run_command, "data": data_command}[args.command]
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # a pipe shows the run as it goes
    try:
        command(args)
    except DataError as err:
        print(f"microgpt: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nmicrogpt: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `python -m microgpt run 0 | head`
        sys.stderr.close()
        return 0
    return 0
