"""The memo of directive outputs (hooks/outputs.py): what names it, and what it keeps."""

import shutil

from hooks.outputs import OutputMemo, code_digest
from tests.conftest import ROOT


def copy_code(into):
    for folder in ("hooks", "microgpt"):
        shutil.copytree(ROOT / folder, into / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def test_the_code_digest_covers_every_python_file_of_hooks_and_microgpt(tmp_path):
    root = copy_code(tmp_path)
    before = code_digest(root)
    assert code_digest(root) == before
    for edited in ("hooks/svg.py", "microgpt/step1_gradient.py", "hooks/pagedata/step0.py"):
        path = root / edited
        text = path.read_text()
        path.write_text(text + "\n# a comment\n")
        assert code_digest(root) != before, edited  # a comment too: the memo keeps no guesses
        path.write_text(text)
    assert code_digest(root) == before
    (root / "hooks" / "pagedata" / "new.py").write_text("")
    assert code_digest(root) != before


def test_outputs_come_back_with_their_files_for_the_same_runs_only(tmp_path):
    memo = OutputMemo(tmp_path, {0: "aaa", 1: "bbb"})
    label = memo.label("step-0/loss.md", "loss_curve", {"window": "50"})
    assert memo.get(label) is None
    memo.put(label, "<figure>chart</figure>", [("generated/loss.json", "[1,2]")])
    memo.save()
    again = OutputMemo(tmp_path, {0: "aaa", 1: "bbb"})
    assert again.get(label) == ("<figure>chart</figure>", [("generated/loss.json", "[1,2]")])
    assert (again.reused, again.added) == (1, 0)
    assert again.get(again.label("step-0/loss.md", "loss_curve", {"window": "20"})) is None
    assert again.get(again.label("step-1/mlp.md", "loss_curve", {"window": "50"})) is None
    retrained = OutputMemo(tmp_path, {0: "aaa", 1: "ccc"})
    assert retrained.get(label) is None
    retrained.put(label, "<figure>new</figure>", [])
    retrained.save()
    assert [path.name for path in tmp_path.glob("pages-*.json")] == [retrained.path.name]  # the old one went


def test_a_session_keeps_the_memo_until_the_runs_change(tmp_path):
    session = {}
    memo = OutputMemo(tmp_path, {0: "aaa"}, session)
    memo.put("label", "text", [])  # not saved: under serve the session carries it
    assert OutputMemo(tmp_path, {0: "aaa"}, session).get("label") == ("text", [])
    assert OutputMemo(tmp_path, {0: "bbb"}, session).get("label") is None
