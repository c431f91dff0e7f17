"""python -m hooks names: every name a page can use, with its arguments."""

import sys

from hooks.pagedata import NAMES

KINDS = ("value", "table", "player")


def list_names(out=sys.stdout):
    for kind in KINDS:
        print(f"{kind}s:", file=out)
        for entry in sorted((e for e in NAMES.values() if e.kind == kind), key=lambda e: e.name):
            print(f"  {entry.usage()}", file=out)
            print(f"      {entry.doc}", file=out)
        print(file=out)
    print("Arguments in [brackets] are optional. run= defaults to the page's own step.", file=out)


def main(argv):
    if argv != ["names"]:
        print("usage: python -m hooks names", file=sys.stderr)
        return 2
    list_names()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
