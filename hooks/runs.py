"""The run cache: each step trained once per change of what it runs.

A run is what `microgpt.record` writes: plain JSON (the printed output,
facts, one record per training step, snapshots of the parameters, samples).
Each step has one cache entry, `step{N}-{key}.json`, where the key is made of

- the code that step runs: the modules of microgpt/ it imports, followed
  from the step's own module and from the recorder, compared as syntax
  trees, so comments, docstrings and blank lines do not count;
- the dataset's pinned SHA-256;
- its normalised settings from mkdocs.yml (defaults filled in);
- the interpreter that trains it (PyPy or CPython, and its version).

Editing a narrating comment trains nothing; editing step 2 trains step 2 and
the steps that import it. Entries no key points to any more are pruned by
`mkdocs build` and `python -m hooks train` (not by `mkdocs serve`, so that
undoing an edit while serving finds its run again).

The cache lives in .cache/runs/ or in $MICROGPT_RUN_CACHE. Writes are atomic
(a temporary file in its tmp/ folder, then a rename), so a build never reads
half a run, and two builds at once never corrupt an entry.
"""

import array
import ast
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "microgpt"
DEFAULT_CACHE_DIR = ROOT / ".cache" / "runs"
CACHE_ENV = "MICROGPT_RUN_CACHE"
PYTHON_ENV = "MICROGPT_PYTHON"
STEPS = range(6)
RECORDER = "microgpt.record"  # the worker's entry point: part of every step's key
ENTRY = re.compile(r"^step(\d+)-([0-9a-f]{20})\.json$")

DEFAULT_SNAPSHOTS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
DEFAULTS = {"num_steps": 1000, "num_samples": 20}
SETTINGS = ("num_steps", "num_samples", "snapshots", "watch")


class RunError(Exception):
    """A run could not be had: bad settings, or the training itself failed."""


# ------------------------------------------------------------------ settings


def normalise(step, settings):
    """Settings from mkdocs.yml with the defaults filled in, checked, in one canonical form."""
    where = f"extra.microgpt.runs.{step} in mkdocs.yml"
    if step not in STEPS:
        raise RunError(f"extra.microgpt.runs in mkdocs.yml: there is no step {step}; the steps are 0 to 5")
    if not isinstance(settings, dict):
        raise RunError(f"{where}: a mapping of settings (or {{}}), not {settings!r}")
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise RunError(f"{where}: unknown setting {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    out = {}
    for name, default in DEFAULTS.items():
        value = settings.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < (1 if name == "num_steps" else 0):
            raise RunError(f"{where}: {name} must be a whole number{' of at least 1' if name == 'num_steps' else ''}")
        out[name] = value
    snapshots = settings.get("snapshots", DEFAULT_SNAPSHOTS)
    if not isinstance(snapshots, list) or not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0
                                                  for k in snapshots):
        raise RunError(f"{where}: snapshots is a list of step counts (0 = before training, 1, 2, ...)")
    out["snapshots"] = sorted({k for k in snapshots if k <= out["num_steps"]})
    watch = settings.get("watch", [])
    if not isinstance(watch, list) or not all(
            isinstance(w, list) and len(w) == 3 and isinstance(w[0], str)
            and all(isinstance(i, int) and i >= 0 for i in w[1:]) for w in watch):
        raise RunError(f"{where}: watch is a list of [matrix, row, column], e.g. [[wte, 0, 0]]")
    out["watch"] = [list(w) for w in watch]
    return out


# ------------------------------------------------------------------ the code a step runs


def module_path(name, source_dir=SOURCE_DIR):
    """microgpt.step2_autograd -> microgpt/step2_autograd.py (or a package's __init__.py)."""
    parts = name.split(".")[1:]
    path = source_dir.joinpath(*parts)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def is_step_module(name):
    return re.match(r"^microgpt\.step\d+_", name) is not None


def imported_modules(tree, package="microgpt"):
    """The microgpt modules a syntax tree imports (absolute or relative)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == package)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"{package}.{base}".rstrip(".")
            if base.split(".")[0] != package:
                continue
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from microgpt import step1_gradient`
    return found


def strip_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


_parsed = {}  # path -> ((mtime_ns, size), fingerprint, imports, sha256 of its bytes)
_by_content = {}  # sha256 of a module's bytes -> [fingerprint, imports]: kept on disk (module_memo)
_read = set()  # the contents read_module answered for since module_memo began


def read_module(path):
    """(fingerprint of the code without comments and docstrings, the microgpt modules it imports)."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    if path in _parsed and _parsed[path][0] == stamp:
        _read.add(_parsed[path][3])
        return _parsed[path][1:3]
    source = path.read_bytes()
    content = hashlib.sha256(source).hexdigest()
    _read.add(content)
    if content in _by_content:  # parsing is most of a warm build's key work: done once per content
        fingerprint, imports = _by_content[content]
        _parsed[path] = (stamp, fingerprint, set(imports), content)
        return fingerprint, set(imports)
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as err:
        raise RunError(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{err.lineno}: "
                       f"cannot train: {err.msg}") from None
    imports = imported_modules(tree)
    fingerprint = hashlib.sha256(ast.dump(strip_docstrings(tree), include_attributes=False).encode()).hexdigest()
    _parsed[path] = (stamp, fingerprint, imports, content)
    _by_content[content] = [fingerprint, sorted(imports)]
    return fingerprint, imports


class module_memo:
    """`with module_memo(directory):` read_module's answers, kept in directory/modules.json
    between builds (by content, so an edit is read again); written back with only the
    modules this build read, when that differs from what was on disk."""

    def __init__(self, directory):
        self.path = Path(directory) / "modules.json"

    def __enter__(self):
        self.known = {}
        try:
            self.known = dict(json.loads(self.path.read_text()))
        except (OSError, ValueError, TypeError):
            pass  # only a memo
        _by_content.update({k: v for k, v in self.known.items() if k not in _by_content})
        _read.clear()
        return self

    def __exit__(self, *exc):
        used = {content: _by_content[content] for content in _read}
        if used != self.known:
            write_memo(self.path, used)


def write_memo(path, data):
    """A JSON memo file, replaced atomically; failing to write it is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(data, separators=(",", ":")))
        partial.replace(path)
    except OSError:
        pass


def step_modules(step, source_dir=SOURCE_DIR):
    """Every microgpt module a run of `step` executes: followed from the step's module
    and from the recorder, except that the recorder's side never pulls in other steps."""
    matches = sorted(source_dir.glob(f"step{step}_*.py"))
    if len(matches) != 1:
        raise RunError(f"microgpt/ should have exactly one step{step}_*.py, found {len(matches)}")
    own = f"microgpt.{matches[0].stem}"
    seen, todo = {}, [(own, True), (RECORDER, False), ("microgpt", False)]
    while todo:
        name, from_step = todo.pop()
        path = module_path(name, source_dir)
        if name in seen or not path.is_file():
            continue  # `from microgpt.x import f` also names microgpt.x.f, which is no module
        if is_step_module(name) and not from_step and name != own:
            continue  # the program can run any step; a run of this one runs only its own
        seen[name] = path
        todo.extend((child, from_step) for child in read_module(path)[1])
    return {name: seen[name] for name in sorted(seen)}


def code_digest(step, source_dir=SOURCE_DIR):
    digest = hashlib.sha256()
    for name, path in step_modules(step, source_dir).items():
        digest.update(f"{name}\0{read_module(path)[0]}\0".encode())
    return digest.hexdigest()


# ------------------------------------------------------------------ the interpreter


def choose_interpreter():
    """MICROGPT_PYTHON if set, else pypy3 if on PATH, else this Python."""
    named = os.environ.get(PYTHON_ENV)
    if named:
        found = shutil.which(named)
        if not found:
            raise RunError(f"{PYTHON_ENV}={named}: no such interpreter; name a python or pypy3 executable, or unset it")
        return found
    return shutil.which("pypy3") or sys.executable


def describe_interpreter(path, memo_dir=None):
    """'PyPy 3.9.16' or 'CPython 3.11.7': part of the key, and said in the log.
    Starting PyPy to ask costs a good part of a warm build, so the answer is kept
    in memo_dir, under the interpreter's path, size and modification time."""
    stat = os.stat(path)
    stamp = f"{os.path.realpath(path)}|{stat.st_mtime_ns}|{stat.st_size}"
    memo = Path(memo_dir) / "interpreters.json" if memo_dir else None
    known = {}
    if memo is not None:
        try:
            known = json.loads(memo.read_text())
        except (OSError, ValueError):
            known = {}
    if stamp in known:
        return known[stamp]
    probe = "import platform, sys; print(platform.python_implementation(), '%d.%d.%d' % sys.version_info[:3])"
    try:
        done = subprocess.run([path, "-c", probe], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RunError(f"cannot start the interpreter {path}: {err}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise RunError(f"the interpreter {path} does not run Python: {done.stderr.strip()[-300:]}")
    if memo is not None:
        write_memo(memo, {**known, stamp: done.stdout.strip()})
    return done.stdout.strip()


# ------------------------------------------------------------------ packed matrices


def pack_matrices(tree):
    """Float matrices ({name: [[float]]}) become {"f64": [rows, cols, base64 of the doubles]}:
    exact, and about ten times faster to read back than JSON numbers."""
    if isinstance(tree, dict):
        return {key: pack_matrices(value) for key, value in tree.items()}
    if (isinstance(tree, list) and tree and isinstance(tree[0], list) and tree[0]
            and isinstance(tree[0][0], float)):
        flat = array.array("d", [x for row in tree for x in row])
        if sys.byteorder == "big":
            flat.byteswap()
        return {"f64": [len(tree), len(tree[0]), base64.b64encode(flat.tobytes()).decode("ascii")]}
    return tree


def unpack_matrices(tree):
    """The inverse of pack_matrices: plain lists of floats again."""
    if isinstance(tree, dict):
        if set(tree) == {"f64"}:
            rows, cols, text = tree["f64"]
            flat = array.array("d")
            flat.frombytes(base64.b64decode(text))
            if sys.byteorder == "big":
                flat.byteswap()
            return [flat[r * cols:(r + 1) * cols].tolist() for r in range(rows)]
        return {key: unpack_matrices(value) for key, value in tree.items()}
    return tree


# ------------------------------------------------------------------ the cache


def data_digest():
    from microgpt.data import DATA_SHA256  # pinned: every run checks the file against it

    return DATA_SHA256


KEPT_MEMOS = ("interpreters.json", "modules.json")  # in tmp/: never pruned
FORMAT = 2  # of a cache entry (2: parameter matrices packed); a new format is a new key


def run_key(step, settings, code, interpreter, data=None):
    described = {"step": step, "settings": settings, "code": code, "interpreter": interpreter,
                 "data": data or data_digest(), "format": FORMAT}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:20]


class Entry:
    """One run the build wants: which step, with what settings, stored where."""

    def __init__(self, step, settings, key, path):
        self.step, self.settings, self.key, self.path = step, settings, key, path

    def __repr__(self):
        return f"Entry(step={self.step}, key={self.key})"


class RunCache:
    def __init__(self, directory=None, log=None, interpreter=None):
        self.directory = Path(directory or os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)
        self.tmp = self.directory / "tmp"
        self.probes = self.directory / "probes"  # results of probes on cached runs (hooks/pagedata)
        self.log = log
        self.interpreter = interpreter or choose_interpreter()
        self.interpreter_name = describe_interpreter(self.interpreter, self.tmp)

    def entries(self, requests):
        """{step: settings} from mkdocs.yml -> {step: Entry}."""
        entries = {}
        with module_memo(self.tmp):
            for step, settings in sorted(requests.items()):
                settings = normalise(step, settings)
                key = run_key(step, settings, code_digest(step), self.interpreter_name)
                entries[step] = Entry(step, settings, key, self.directory / f"step{step}-{key}.json")
        return entries

    def read(self, entry):
        """The run's data, or None if it is not cached. An unreadable file is a miss: warned and removed."""
        try:
            text = entry.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as err:
            self.warn(f"cannot read the cached run {entry.path} ({err.strerror}); training step {entry.step} again")
            return None
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("step") != entry.step or "steps" not in data:
                raise ValueError("not a run of this step")
        except ValueError as err:
            self.warn(f"the cached run {entry.path.name} is unreadable ({err}); training step {entry.step} again")
            try:
                entry.path.unlink()
            except OSError:
                pass
            return None
        return data

    def store(self, worker_output, entry):
        """Land a worker's run in the cache, its parameter matrices packed. Atomic."""
        data = json.loads(Path(worker_output).read_text(encoding="utf-8"))
        for part in ("snapshots", "optimizer"):
            if part in data:
                data[part] = pack_matrices(data[part])
        partial = Path(f"{worker_output}.packed")
        partial.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(partial, entry.path)  # the entry appears whole or not at all
        Path(worker_output).unlink()

    def prune(self, keep):
        """Remove the entries no current key points to, and stale temporary files."""
        wanted = {entry.path.name for entry in keep}
        removed = []
        if self.directory.is_dir():
            for path in self.directory.iterdir():
                if ENTRY.match(path.name) and path.name not in wanted:
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
        if self.probes.is_dir():  # probes of runs no longer wanted
            stems = {entry.path.stem for entry in keep}
            for path in self.probes.iterdir():
                if "-".join(path.name.split("-")[:2]) not in stems:
                    path.unlink(missing_ok=True)
        if self.tmp.is_dir():  # locks and partial files of entries no longer wanted
            stems = {entry.path.stem for entry in keep}
            for path in self.tmp.iterdir():
                if path.name.split(".")[0] not in stems and path.name not in KEPT_MEMOS:
                    path.unlink(missing_ok=True)
        if removed:
            self.say(f"pruned {len(removed)} cached run(s) no longer used: {', '.join(sorted(removed))}")
        return removed

    def say(self, message):
        if self.log is not None:
            self.log.info(message)

    def warn(self, message):
        # Not a warning for MkDocs: the entry is trained again and nothing is wrong with the pages,
        # so `--strict` must not fail on it.
        if self.log is not None:
            self.log.info(f"warning: {message}")
