"""Recording a run from the outside, as plain data for the guide.

The teaching code knows nothing of this module. record_run() runs the real
program (microgpt.program.run_program) and learns what happened by spying:
for the length of the run, a few named functions of the step's code (the
loss, the update, init_model, ...) are replaced by wrappers that call the
original and take note of its arguments and result. Afterwards the originals
are put back. A spy reads; it never changes an argument, a result or the
random number generator, so a recorded run prints exactly what a plain run
prints.

SPIES below is the one table of what each step's recording wraps. If the
code renames or removes one of those functions, recording fails with a
SpyError that names it: this module must follow the code.

Worker entry point (the guide's build runs one per step, maybe under PyPy):

    python -m microgpt.record --step N --settings JSON --out PATH [--watch-stdin]

It writes the recorded run as JSON to PATH, reports "@progress DONE TOTAL" on
stderr after every training step, and exits 0; on an error it prints the
traceback and exits 1. With --watch-stdin it exits (code 3) as soon as its
stdin reaches end of file, so it dies with the process that started it.
"""

import argparse
import contextlib
import functools
import importlib
import inspect
import io
import json
import os
import sys
import threading
import traceback

from microgpt.autograd import Value
from microgpt.program import (NUM_SAMPLES, NUM_STEPS, STEP_MODULES,
                              num_params, run_program)

DEFAULT_SNAPSHOTS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

# What each step's recording wraps: role -> (module, attribute). An attribute
# may name a method ("SGD.step"). The roles:
#   load_docs, tokenizer  the docs and the tokenizer (num_docs, uchars, ...)
#   init_model            the model as initialised (num_params, snapshot 0)
#   check_gradient        step 1's gradient check
#   train                 the training loop: steps are recorded inside it
#   loss                  called once per training step with (state_dict,
#                         tokens); returns the loss (or a tuple, loss first)
#   update                called once per training step, after the loss; its
#                         argument lr_t is the learning rate (steps 1-5)
#   sample                returns one generated name
#   moments               (not a function) Adam's attributes: its parameter
#                         list and its two running averages
PROGRAM = "microgpt.program"
SPIES = {
    0: {
        "load_docs": (PROGRAM, "load_docs"),
        "tokenizer": (PROGRAM, "Tokenizer"),
        "init_model": ("microgpt.step0_counting", "init_model"),
        "train": ("microgpt.step0_counting", "train"),
        "loss": ("microgpt.step0_counting", "forward"),
        "update": ("microgpt.step0_counting", "update"),
        "sample": ("microgpt.step0_counting", "sample"),
    },
    1: {
        "load_docs": (PROGRAM, "load_docs"),
        "tokenizer": (PROGRAM, "Tokenizer"),
        "init_model": ("microgpt.step1_gradient", "init_model"),
        "check_gradient": ("microgpt.step1_gradient", "check_gradient"),
        "train": ("microgpt.step1_gradient", "train"),
        "loss": ("microgpt.step1_gradient", "analytic_gradient"),
        "update": ("microgpt.step1_gradient", "update"),
        "sample": ("microgpt.step1_gradient", "sample"),
    },
    2: {
        "load_docs": (PROGRAM, "load_docs"),
        "tokenizer": (PROGRAM, "Tokenizer"),
        "init_model": ("microgpt.step2_autograd", "init_model"),
        "train": ("microgpt.step2_autograd", "train"),
        "loss": ("microgpt.step2_autograd", "forward"),
        "update": ("microgpt.step2_autograd", "SGD.step"),
        "sample": ("microgpt.step2_autograd", "sample"),
    },
    3: {
        "load_docs": (PROGRAM, "load_docs"),
        "tokenizer": (PROGRAM, "Tokenizer"),
        "init_model": ("microgpt.step3_attention", "init_model"),
        "train": ("microgpt.step3_attention", "train"),
        "loss": ("microgpt.step3_attention", "forward"),
        "update": ("microgpt.step3_attention", "SGD.step"),
        "sample": ("microgpt.step3_attention", "sample"),
    },
    4: {
        "load_docs": (PROGRAM, "load_docs"),
        "tokenizer": (PROGRAM, "Tokenizer"),
        "init_model": ("microgpt.step4_transformer", "init_model"),
        "train": ("microgpt.step4_transformer", "train"),
        "loss": ("microgpt.step4_transformer", "forward"),
        "update": ("microgpt.step4_transformer", "SGD.step"),
        "sample": ("microgpt.step4_transformer", "sample"),
    },
    5: {
        "load_docs": (PROGRAM, "load_docs"),
        "tokenizer": (PROGRAM, "Tokenizer"),
        "init_model": ("microgpt.step5_adam", "init_model"),
        "train": ("microgpt.step5_adam", "train"),
        "loss": ("microgpt.step5_adam", "forward"),
        "update": ("microgpt.step5_adam", "Adam.step"),
        "sample": ("microgpt.step5_adam", "sample"),
        "moments": ("microgpt.step5_adam", "Adam", ("params", "m", "v")),
    },
}
SETTINGS = ("num_steps", "num_samples", "snapshots", "watch", "stop_after")


class SpyError(Exception):
    """The code no longer has what SPIES says: microgpt/record.py must follow."""


class StopTraining(Exception):
    """Raised by the loss spy to end a run after stop_after training steps."""


def follow_the_code(what):
    return SpyError(f"{what}: microgpt/record.py must follow the code "
                    "(its SPIES table names what each step's recording wraps)")


def as_float(x):
    return x.data if isinstance(x, Value) else x


def resolve(module_name, attribute):
    """(the object that holds the attribute, its last name, its value)."""
    holder = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        if not hasattr(holder, part):
            raise follow_the_code(f"{module_name}.{attribute}: "
                                  f"{module_name} has no {part!r} any more")
        holder = getattr(holder, part)
    if not hasattr(holder, name):
        raise follow_the_code(f"{module_name}.{attribute} does not exist")
    return holder, name, getattr(holder, name)


@contextlib.contextmanager
def spies(step, handlers):
    """Wrap the step's SPIES in handlers[role](original, args, kwargs) while
    the block runs; always put the originals back."""
    table = SPIES[step]
    targets = []
    for role, handler in handlers.items():
        module_name, attribute = table[role][:2]
        holder, name, original = resolve(module_name, attribute)
        targets.append((holder, name, original, handler))
    installed = []
    try:
        for holder, name, original, handler in targets:
            own = name in vars(holder)  # a class may inherit the method
            setattr(holder, name, make_spy(original, handler))
            installed.append((holder, name, original, own))
        yield
    finally:
        for holder, name, original, own in reversed(installed):
            if own:
                setattr(holder, name, original)
            else:
                delattr(holder, name)


def make_spy(original, handler):
    @functools.wraps(original)
    def spy(*args, **kwargs):
        return handler(original, args, kwargs)
    return spy


def normalise_settings(step, num_steps=NUM_STEPS, num_samples=NUM_SAMPLES,
                       snapshots=DEFAULT_SNAPSHOTS, watch=(), stop_after=None):
    if step not in STEP_MODULES:
        raise ValueError(f"there is no step {step!r}; the steps are 0 to 5")
    if not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps must be a whole number >= 1, not {num_steps!r}")
    if not isinstance(num_samples, int) or num_samples < 0:
        raise ValueError(f"num_samples must be a whole number >= 0, not {num_samples!r}")
    if stop_after is not None and (not isinstance(stop_after, int) or stop_after < 1):
        raise ValueError(f"stop_after must be a whole number >= 1 or None, not {stop_after!r}")
    if stop_after is not None and stop_after >= num_steps:
        stop_after = None  # the run ends there anyway
    steps_run = stop_after or num_steps
    if not all(isinstance(k, int) and k >= 0 for k in snapshots):
        raise ValueError(f"snapshots must be step counts (0, 1, 2, ...), not {list(snapshots)!r}")
    watched = []
    for entry in watch:
        if not (isinstance(entry, (list, tuple)) and len(entry) == 3 and isinstance(entry[0], str)
                and all(isinstance(i, int) and i >= 0 for i in entry[1:])):
            raise ValueError(f"watch: each entry is [matrix name, row, col], not {entry!r}")
        watched.append([entry[0], entry[1], entry[2]])
    if watched and step == 0:
        raise ValueError("watch: step 0 has no parameters to watch (its count table is in the snapshots)")
    return {
        "num_steps": num_steps,
        "num_samples": num_samples,
        "snapshots": sorted({k for k in snapshots if k <= steps_run}),
        "watch": watched,
        "stop_after": stop_after,
    }


class Recorder:
    """The spies' handlers for one run, and what they saw."""

    def __init__(self, step, settings, progress=None, sample_after_stop=False):
        self.step = step
        self.settings = settings
        self.snapshot_at = set(settings["snapshots"])
        self.stop_after = settings["stop_after"]
        self.total = self.stop_after or settings["num_steps"]
        self.progress = progress
        self.sample_after_stop = sample_after_stop
        self.moments = SPIES[step].get("moments")
        self.facts = {}
        self.steps = []
        self.snapshots = {}
        self.optimizer = {}
        self.watch = [{"param": list(p), "grad": [], "data": []} for p in settings["watch"]]
        if self.moments:
            for entry in self.watch:
                entry["m"], entry["v"] = [], []
        self.samples = []
        self.tokenizer = None
        self.state_dict = None
        self.training = False
        self.pending = None  # the loss of the step under way
        self.where = None    # id(parameter) -> (name, row, col), for Adam

    def handlers(self):
        roles = ["load_docs", "tokenizer", "init_model", "train", "loss", "update", "sample"]
        if "check_gradient" in SPIES[self.step]:
            roles.append("check_gradient")
        return {role: getattr(self, "on_" + role) for role in roles}

    # --- facts

    def on_load_docs(self, original, args, kwargs):
        docs = original(*args, **kwargs)
        self.facts["num_docs"] = len(docs)
        return docs

    def on_tokenizer(self, original, args, kwargs):
        tokenizer = original(*args, **kwargs)
        self.tokenizer = tokenizer
        self.facts["uchars"] = list(tokenizer.uchars)
        self.facts["vocab_size"] = tokenizer.vocab_size
        return tokenizer

    def on_init_model(self, original, args, kwargs):
        state_dict = original(*args, **kwargs)
        self.state_dict = state_dict
        self.facts["num_steps"] = self.settings["num_steps"]
        if self.step > 0:
            self.facts["num_params"] = num_params(state_dict)
            self.check_watch()
        if 0 in self.snapshot_at:
            self.take_snapshot(0, None)
        return state_dict

    def on_check_gradient(self, original, args, kwargs):
        result = original(*args, **kwargs)
        self.facts["gradient_check"] = [as_float(x) for x in result]
        return result

    def on_sample(self, original, args, kwargs):
        name = original(*args, **kwargs)
        self.samples.append(name)
        return name

    # --- training steps

    def on_train(self, original, args, kwargs):
        self.training = True
        try:
            return original(*args, **kwargs)
        except StopTraining:
            if not self.sample_after_stop:
                raise  # to record_run: the run ends here
        finally:
            self.training = False

    def on_loss(self, original, args, kwargs):
        if not self.training:  # e.g. step 1's gradient check
            return original(*args, **kwargs)
        if len(self.steps) == self.stop_after:
            raise StopTraining()
        tokens = argument(original, args, kwargs, "tokens")
        result = original(*args, **kwargs)
        loss = result[0] if isinstance(result, tuple) else result
        self.pending = {"doc": self.tokenizer.decode(tokens[1:-1]), "loss": as_float(loss)}
        return result

    def on_update(self, original, args, kwargs):
        if not self.training:
            return original(*args, **kwargs)
        if self.pending is None:
            raise follow_the_code(f"step {self.step}: an update came without a loss before it")
        record, self.pending = self.pending, None
        if self.step > 0:
            record["lr"] = argument(original, args, kwargs, "lr_t")
        grads = [self.grad_of(entry["param"], original, args, kwargs) for entry in self.watch]
        result = original(*args, **kwargs)
        self.steps.append(record)
        done = len(self.steps)
        optimizer = args[0] if self.moments else None  # Adam.step(self, lr_t)
        for entry, grad in zip(self.watch, grads):
            name, row, col = entry["param"]
            entry["grad"].append(grad)
            entry["data"].append(as_float(self.state_dict[name][row][col]))
            if self.moments:
                m, v = self.moments_of(optimizer, entry["param"])
                entry["m"].append(m)
                entry["v"].append(v)
        if done in self.snapshot_at:
            self.take_snapshot(done, optimizer)
        if self.progress is not None:
            self.progress(done, self.total)
        return result

    # --- what the updates change

    def check_watch(self):
        for name, row, col in self.settings["watch"]:
            if name not in self.state_dict:
                known = ", ".join(self.state_dict)
                raise ValueError(f"watch: step {self.step} has no matrix {name!r} (it has {known})")
            matrix = self.state_dict[name]
            if row >= len(matrix) or col >= len(matrix[0]):
                raise ValueError(f"watch: {name} is {len(matrix)}×{len(matrix[0])}; "
                                 f"it has no entry [{row}, {col}]")

    def grad_of(self, param, update, args, kwargs):
        name, row, col = param
        if self.step == 1:  # update(state_dict, grad, lr_t)
            return argument(update, args, kwargs, "grad")[name][row][col]
        return as_float(self.state_dict[name][row][col].grad)  # read before the optimizer clears it

    def moments_of(self, optimizer, param):
        params, m, v = self.optimizer_state(optimizer)
        if self.where is None:
            self.where = {id(p): i for i, p in enumerate(params)}
        name, row, col = param
        i = self.where[id(self.state_dict[name][row][col])]
        return m[i], v[i]

    def optimizer_state(self, optimizer):
        module_name, class_name, attributes = self.moments
        missing = [a for a in attributes if not hasattr(optimizer, a)]
        if missing:
            raise follow_the_code(f"{module_name}.{class_name} has no attribute {missing[0]!r} any more")
        return [getattr(optimizer, a) for a in attributes]

    def take_snapshot(self, done, optimizer):
        if self.step == 0:
            self.snapshots[str(done)] = [list(row) for row in self.state_dict]
            return
        self.snapshots[str(done)] = {
            name: [[as_float(p) for p in row] for row in matrix] for name, matrix in self.state_dict.items()
        }
        if not self.moments:
            return
        m_matrices = {name: [[0.0] * len(row) for row in matrix] for name, matrix in self.state_dict.items()}
        v_matrices = {name: [[0.0] * len(row) for row in matrix] for name, matrix in self.state_dict.items()}
        if optimizer is not None:  # at 0 the optimizer does not exist yet: all zeros
            params, m, v = self.optimizer_state(optimizer)
            where = {id(p): (name, r, c) for name, matrix in self.state_dict.items()
                     for r, row in enumerate(matrix) for c, p in enumerate(row)}
            for i, p in enumerate(params):
                name, r, c = where[id(p)]
                m_matrices[name][r][c] = m[i]
                v_matrices[name][r][c] = v[i]
        self.optimizer[str(done)] = {"m": m_matrices, "v": v_matrices}


@functools.lru_cache(maxsize=None)
def parameter_index(function, name):
    names = list(inspect.signature(function).parameters)
    if name not in names:
        raise follow_the_code(f"{function.__module__}.{function.__qualname__} has no argument {name!r} any more")
    return names.index(name)


def argument(function, args, kwargs, name):
    """The argument a call passed for the parameter called name."""
    index = parameter_index(function, name)
    return args[index] if index < len(args) else kwargs[name]


class Tee(io.TextIOBase):
    """Keeps what is written, and passes it on to another stream as well."""

    def __init__(self, echo):
        self.kept = io.StringIO()
        self.echo = echo

    def write(self, text):
        self.kept.write(text)
        self.echo.write(text)
        return len(text)

    def flush(self):
        self.echo.flush()

    def getvalue(self):
        return self.kept.getvalue()


def record_run(step, num_steps=NUM_STEPS, num_samples=NUM_SAMPLES, snapshots=DEFAULT_SNAPSHOTS, watch=(),
               stop_after=None, progress=None, echo=None, sample_after_stop=False):
    """Run step `step` with spies attached; return what happened as plain data.

    stop_after=K ends the run after K training steps (no samples then, unless
    sample_after_stop). progress(done, total) is called after every training
    step. echo, a stream, also receives the printed output as it is printed.
    """
    settings = normalise_settings(step, num_steps, num_samples, snapshots, watch, stop_after)
    recorder = Recorder(step, settings, progress, sample_after_stop)
    output = io.StringIO() if echo is None else Tee(echo)
    with spies(step, recorder.handlers()), contextlib.redirect_stdout(output):
        try:
            run_program(step, settings["num_steps"], settings["num_samples"])
        except StopTraining:
            pass  # stop_after: the run ends after that many training steps
    if len(recorder.steps) != recorder.total:
        raise follow_the_code(f"step {step}: the spies saw {len(recorder.steps)} training steps "
                              f"of the {recorder.total} that ran")
    data = {
        "step": step,
        "settings": settings,
        "output": output.getvalue(),
        "facts": recorder.facts,
        "steps": recorder.steps,
        "snapshots": recorder.snapshots,
    }
    if recorder.moments:
        data["optimizer"] = recorder.optimizer
    data["watch"] = recorder.watch
    data["samples"] = recorder.samples
    return data


# ---------------------------------------------------------------- the worker


def watch_stdin():
    """Exit at once when stdin reaches its end: the parent has gone."""
    def wait_for_eof():
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered
        # reader's lock makes CPython abort when the worker exits normally.
        while os.read(0, 65536):
            pass
        os._exit(3)
    threading.Thread(target=wait_for_eof, daemon=True).start()


def report_progress(done, total):
    sys.stderr.write(f"@progress {done} {total}\n")
    sys.stderr.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m microgpt.record",
        description="Record one step's run as JSON (the guide's build worker).")
    parser.add_argument("--step", type=int, required=True, help="0 to 5")
    parser.add_argument("--settings", default="{}",
                        help=f"a JSON object; keys (all optional): {', '.join(SETTINGS)}")
    parser.add_argument("--out", required=True, help="where to write the JSON")
    parser.add_argument("--watch-stdin", action="store_true", help="exit (code 3) when stdin closes")
    args = parser.parse_args(argv)
    if args.watch_stdin:
        watch_stdin()
    try:
        settings = json.loads(args.settings)
        if not isinstance(settings, dict):
            raise ValueError(f"--settings must be a JSON object, not {args.settings!r}")
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise ValueError(f"--settings: unknown key {unknown[0]!r} (known: {', '.join(SETTINGS)})")
        data = record_run(args.step, progress=report_progress, **settings)
        text = json.dumps(data, separators=(",", ":"))
        partial = args.out + ".part"
        with open(partial, "w") as f:
            f.write(text)
        os.replace(partial, args.out)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
