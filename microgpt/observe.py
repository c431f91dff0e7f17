"""Watching a run without touching it.

Every step's training loop is a generator: after each step it yields a
StepRecord and waits. The program (microgpt.program) hands each record to an
Observer, which may print it, keep what it needs or ignore it. An observer
reads the model; it never writes to it and never draws from the run's random
number generator, so observing changes no number.
"""

from dataclasses import dataclass, field


def as_float(x):
    """Steps 2-5 compute with Values; observers want plain numbers."""
    return x if isinstance(x, (int, float)) else x.data


@dataclass
class StepRecord:
    step: int           # 0-based index of the training step
    doc: str            # the name this step trained on
    tokens: list        # its token ids, BOS at both ends
    probs: list         # per position: the model's distribution over the next token, before the update
    losses: list        # per position: -log(probability of the actual next token)
    loss: object        # the mean of losses: the number printed for this step
    model: object       # the model after this step's update; read it, never change it
    extra: dict = field(default_factory=dict)  # what only this step has (step 0: cells; steps 1-5: lr)

    @property
    def targets(self):
        return self.tokens[1 : len(self.losses) + 1]

    @property
    def computed_with_values(self):
        return not isinstance(self.loss, (int, float))

    def target_probs(self):
        """The probability the model gave each actual next token, as plain numbers."""
        chosen = [probs[target] for probs, target in zip(self.probs, self.targets)]
        return [p.data for p in chosen] if self.computed_with_values else chosen

    def loss_values(self):
        return [loss_t.data for loss_t in self.losses] if self.computed_with_values else list(self.losses)


class Observer:
    """Does nothing. Subclass it and override what you want to see."""

    def fact(self, name, value):
        """A fact about the run: num_docs, uchars, vocab_size, num_params, gradient_check, num_steps."""

    def step(self, record):
        """One training step has finished."""

    def sample(self, index, text):
        """One name has been generated (index counts from 0)."""


class Observers(Observer):
    """Several observers watching the same run, in order."""

    def __init__(self, *observers):
        self.observers = observers

    def fact(self, name, value):
        for observer in self.observers:
            observer.fact(name, value)

    def step(self, record):
        for observer in self.observers:
            observer.step(record)

    def sample(self, index, text):
        for observer in self.observers:
            observer.sample(index, text)
