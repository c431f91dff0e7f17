"""python -m microgpt: run a step's program, or check the dataset."""

import argparse
import sys

from microgpt.data import DATA_SHA256, DataError, locate_dataset
from microgpt.printing import ProgressDisplay, ReferencePrinter
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
        help="run one step's program and print what the reference program prints",
        description=f"Run one step's program. Steps: {steps_help}.",
    )
    run.add_argument("step", type=int, choices=sorted(STEP_MODULES), metavar="STEP", help="0 to 5")
    run.add_argument("--steps", type=positive_int, default=NUM_STEPS, metavar="N",
                     help=f"length of the training schedule (default {NUM_STEPS})")
    run.add_argument("--stop-after", type=positive_int, default=None, metavar="K",
                     help="stop after the first K steps of the schedule, then sample")
    run.add_argument("--samples", type=non_negative_int, default=NUM_SAMPLES, metavar="M",
                     help=f"how many names to generate (default {NUM_SAMPLES})")
    run.add_argument("--progress", action="store_true",
                     help="show a progress line with the time left on stderr")

    commands.add_parser("data", help="say where the dataset comes from and check it")
    return parser


def run_command(args):
    observer = ReferencePrinter()
    if args.progress:
        observer = ProgressDisplay(observer)
    run_program(args.step, observer, num_steps=args.steps, stop_after=args.stop_after, num_samples=args.samples)


def data_command(args):
    path, raw = locate_dataset()
    print(f"{path}: {len(raw):,} bytes, SHA-256 {DATA_SHA256} (verified)")


def main(argv=None):
    args = build_parser().parse_args(argv)
    command = {"run": run_command, "data": data_command}[args.command]
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
