"""Recording a run as plain data, for the guide to show.

A Recorder is an Observer that keeps, as numbers, strings and lists only:

- the run's facts (num_docs, uchars, vocab_size, num_params, ...);
- one entry per training step: the name, its tokens, the probability the model
  gave each actual next token, each position's loss, the mean loss, and what
  is particular to the step (step 0: the cells it incremented; 1-5: the
  learning rate);
- probes: chosen names scored by the model as it stands after chosen steps
  (a forward pass only: no update, no random draw);
- snapshots of a count table (step 0) after chosen steps;
- the generated names.

The result is what microgpt.record.record_run returns and what the guide's
build caches as JSON.
"""

from microgpt.observe import Observer, Observers, StepRecord, as_float
from microgpt.program import run_program, step_module
from microgpt.tokenizer import Tokenizer


JSON_SCALARS = {int, float, str, bool, type(None)}


def plain(value):
    """Tuples become lists, Values become floats: what JSON can hold."""
    kind = type(value)
    if kind in JSON_SCALARS:
        return value
    if kind is list or kind is tuple:
        return [plain(item) for item in value]
    if kind is dict:
        return {key: plain(item) for key, item in value.items()}
    return value.data  # a Value


def score_name(steps, model, tokenizer, name):
    """Score one name with a model as it stands: a forward pass and nothing else
    (no update, no random draw). `steps` is the step's module. The guide's build
    uses it too, on snapshots, so a page can ask about any name without a new run."""
    tokens = tokenizer.encode(name)
    loss, losses, all_probs = steps.forward(model, tokens)
    scored = StepRecord(None, name, tokens, all_probs, losses, loss, model)
    return {
        "tokens": tokens,
        "probs": plain(all_probs),
        "target_probs": scored.target_probs(),
        "losses": scored.loss_values(),
        "loss": as_float(loss),
    }


class Recorder(Observer):
    def __init__(self, step, probe_names=(), probe_after=(), snapshot_after=()):
        self.steps = step_module(step)
        self.probe_names = list(probe_names)
        self.probe_after = set(probe_after)       # "after k steps": k counts from 1
        self.snapshot_after = set(snapshot_after)
        self.tokenizer = None
        self.data = {"step": step, "facts": {}, "steps": [], "probes": {}, "snapshots": {}, "samples": []}

    def fact(self, name, value):
        self.data["facts"][name] = plain(value)
        if name == "uchars":
            self.tokenizer = Tokenizer(value)

    def step(self, record):
        self.data["steps"].append({
            "doc": record.doc,
            "tokens": list(record.tokens),
            "target_probs": record.target_probs(),
            "losses": record.loss_values(),
            "loss": as_float(record.loss),
            **record.extra,  # plain numbers and tuples of them: JSON writes tuples as lists
        })
        done = record.step + 1
        if done in self.probe_after:
            self.data["probes"][str(done)] = {
                name: score_name(self.steps, record.model, self.tokenizer, name) for name in self.probe_names
            }
        if done in self.snapshot_after:
            self.data["snapshots"][str(done)] = plain(record.model)

    def sample(self, index, text):
        self.data["samples"].append(text)


def record_run(step, observer=None, probe_names=(), probe_after=(), snapshot_after=(), **settings):
    """Run a step with a Recorder attached (and another observer, if given); return its data."""
    recorder = Recorder(step, probe_names, probe_after, snapshot_after)
    watchers = recorder if observer is None else Observers(recorder, observer)
    run_program(step, watchers, **settings)
    return recorder.data
