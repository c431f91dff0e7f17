"""python -m hooks: the build's tools from the command line.

    python -m hooks names             every name a page can use, with its arguments
    python -m hooks train [STEP ...]  train the runs mkdocs.yml asks for that are not
                                      cached yet (all, or only these steps), with progress
"""

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("value", "table", "player")


def list_names(out=sys.stdout):
    from hooks.pagedata import NAMES

    for kind in KINDS:
        print(f"{kind}s:", file=out)
        for entry in sorted((e for e in NAMES.values() if e.kind == kind), key=lambda e: e.name):
            print(f"  {entry.usage()}", file=out)
            print(f"      {entry.doc} ({entry.serves()})", file=out)
        print(file=out)
    print("Arguments in [brackets] are optional. run= defaults to the page's own step.", file=out)
    return 0


def configured_runs(config_file):
    """extra.microgpt.runs of mkdocs.yml, read with MkDocs' own YAML loader (it knows !ENV)."""
    from mkdocs.utils.yaml import yaml_load

    with open(config_file, encoding="utf-8") as f:
        config = yaml_load(f) or {}
    runs = ((config.get("extra") or {}).get("microgpt") or {}).get("runs") or {}
    return {int(step): settings or {} for step, settings in runs.items()}


def train(steps, config_file, say):
    from hooks.runs import RunCache, RunError
    from hooks.training import Trainer
    from microgpt.data import DataError

    log = logging.getLogger("hooks.train")
    try:
        requests = configured_runs(config_file)
        unknown = sorted(set(steps) - set(requests))
        if unknown:
            say(f"error: step {', '.join(map(str, unknown))} is not in extra.microgpt.runs of {config_file}"
                f" (configured: {', '.join(map(str, sorted(requests)))})")
            return 2
        cache = RunCache(log=log)
        entries = cache.entries(requests)
        wanted = [entries[step] for step in (steps or sorted(entries))]
        missing = [entry for entry in wanted if cache.read(entry) is None]
        cache.prune(entries.values())
        if not missing:
            say(f"nothing to train: step {', '.join(str(e.step) for e in wanted)} cached in {cache.directory}")
            return 0
        trainer = Trainer(cache, log=log)
        jobs = trainer.submit(missing)
        try:
            trainer.wait(list(jobs.values()), say=say)
        except KeyboardInterrupt:
            say("interrupted: every worker was stopped")
            return 130
        say(f"trained step {', '.join(str(e.step) for e in missing)}, cached in {cache.directory}")
        return 0
    except (RunError, DataError) as err:
        say(f"error: {err}")
        return 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m hooks", description="The guide's build tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("names", help="list every name a page can use")
    trainer = commands.add_parser("train", help="train the runs that are not cached yet, with progress")
    trainer.add_argument("steps", nargs="*", type=int, metavar="STEP", help="only these steps (default: all)")
    trainer.add_argument("-f", "--config-file", default=str(ROOT / "mkdocs.yml"), help="default: mkdocs.yml")
    args = parser.parse_args(argv)
    if args.command == "names":
        return list_names()

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("hooks.train")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return train(args.steps, args.config_file, lambda message: print(message, file=sys.stderr, flush=True))


if __name__ == "__main__":
    sys.exit(main())
