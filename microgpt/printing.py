"""Printing a run the way the reference programs print it, and a progress line.

The reference format is what the guide quotes and what the tests compare:

    num docs: 32033
    vocab size: 27
    num params: 4192
    step    1 / 1000 | loss 3.3660
    ...

    --- inference (new, hallucinated names) ---
    sample  1: kamon
"""

import sys
import time

from microgpt.observe import Observer, as_float

INFERENCE_HEADER = "--- inference (new, hallucinated names) ---"


def format_fact(name, value):
    """The line a fact prints as, or None for facts the reference does not print."""
    if name == "num_docs":
        return f"num docs: {value}"
    if name == "vocab_size":
        return f"vocab size: {value}"
    if name == "num_params":
        return f"num params: {value}"
    if name == "gradient_check":
        loss_n, loss_a, max_diff = value
        return f"gradient check | loss_n {loss_n:.6f} | loss_a {loss_a:.6f} | max diff {max_diff:.8f}"
    return None


def format_step(step, num_steps, loss):
    return f"step {step + 1:4d} / {num_steps:4d} | loss {as_float(loss):.4f}"


def format_sample(index, text):
    return f"sample {index + 1:2d}: {text}"


class ReferencePrinter(Observer):
    """Prints exactly the lines the reference program prints."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.num_steps = None

    def write(self, line):
        self.out.write(line + "\n")
        self.out.flush()  # a line at a time, so a pipe shows the run as it goes

    def fact(self, name, value):
        if name == "num_steps":
            self.num_steps = value
        line = format_fact(name, value)
        if line is not None:
            self.write(line)

    def step(self, record):
        self.write(format_step(record.step, self.num_steps, record.loss))

    def sample(self, index, text):
        if index == 0:
            self.write("\n" + INFERENCE_HEADER)
        self.write(format_sample(index, text))


def format_duration(seconds):
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class ProgressDisplay(Observer):
    """A status line on stderr (bar, speed, time left) kept below another observer's output.

    Before the inner observer prints, the status line is erased; afterwards it
    is drawn again, so the two never garble each other on one terminal.
    """

    WIDTH = 24

    def __init__(self, inner, stream=None, clock=time.monotonic):
        self.inner = inner
        self.stream = stream or sys.stderr
        self.clock = clock
        self.num_steps = None
        self.started = None
        self.status = ""

    def erase(self):
        if self.status:
            self.stream.write("\r\033[K")

    def draw(self):
        if self.status:
            self.stream.write(self.status)
        self.stream.flush()

    def fact(self, name, value):
        if name == "num_steps":
            self.num_steps = value
            self.started = self.clock()
        self.erase()
        self.inner.fact(name, value)
        self.draw()

    def step(self, record):
        done = record.step + 1
        elapsed = self.clock() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.num_steps - done) / rate if rate else 0.0
        filled = self.WIDTH * done // self.num_steps
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.erase()
        self.inner.step(record)
        self.status = (
            f"[{bar}] {done}/{self.num_steps}  loss {as_float(record.loss):.4f}  "
            f"{rate:.1f} steps/s  {format_duration(left)} left"
        )
        self.draw()

    def sample(self, index, text):
        if index == 0 and self.status:
            self.erase()
            self.status = ""
            elapsed = self.clock() - self.started
            self.stream.write(f"trained in {format_duration(elapsed)}\n")
        self.inner.sample(index, text)
