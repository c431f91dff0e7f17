"""What every directive became in the last build, kept so a warm build computes nothing.

A directive's output (and the frame files it published) depends on the runs it
reads, the code in hooks/ and microgpt/ that turns them into text, the page it
stands on and its arguments. The memo as a whole is named by a digest of the
first two (every run key, the bytes of every .py file in both folders and of
the data files among them, *.yml), each output in it by the last two; change
any of them and the output is computed again. Under `mkdocs serve` the memo
lives in the session; between builds in one file, `pages-DIGEST.json`, in the
run cache (older ones are removed when a build writes a new one).

Errors and placeholders are never kept: a directive that fails or waits for a
run is computed again on every build.
"""

import hashlib
import json
import os
from pathlib import Path

from hooks.runs import ROOT, write_memo

CODE_DIRS = ("hooks", "microgpt")
CODE_FILES = ("*.py", "*.yml")  # the code, and the data it reads (hooks/pagedata/history.yml)
PREFIX = "pages-"


def code_digest(root=ROOT):
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted(path for pattern in CODE_FILES for path in (root / folder).rglob(pattern)):
            digest.update(f"{path.relative_to(root)}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class OutputMemo:
    def __init__(self, directory, run_keys, session=None):
        described = json.dumps({"runs": sorted(run_keys.items()), "code": code_digest()})
        self.digest = hashlib.sha256(described.encode()).hexdigest()[:20]
        self.path = Path(directory) / f"{PREFIX}{self.digest}.json"
        kept = session if session is not None else {}
        if kept.get("digest") != self.digest:  # an edit since the last rebuild: start over
            kept.clear()
            kept.update(digest=self.digest, outputs=self.read())
        self.outputs = kept["outputs"]
        self.added = self.reused = 0

    def read(self):
        try:
            outputs = json.loads(self.path.read_text(encoding="utf-8"))
            return outputs if isinstance(outputs, dict) else {}
        except (OSError, ValueError):
            return {}

    @staticmethod
    def label(page_uri, name, args):
        return json.dumps([page_uri, name, sorted(args.items())])

    def get(self, label):
        """(output, [(uri, text) published]) or None."""
        found = self.outputs.get(label)
        if not found:
            return None
        self.reused += 1
        return found[0], [tuple(item) for item in found[1]]

    def put(self, label, output, published):
        self.outputs[label] = [output, [list(item) for item in published]]
        self.added += 1

    def save(self):
        """Write the memo if this build added to it, and remove the files of older digests."""
        if not self.added:
            return
        write_memo(self.path, self.outputs)
        for old in self.path.parent.glob(f"{PREFIX}*.json"):
            if old != self.path:
                try:
                    os.unlink(old)
                except OSError:
                    pass
