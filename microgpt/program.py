"""The program every step runs: data, model, training, inference.

Each step module (microgpt.step0_counting ... microgpt.step5_adam) supplies
the parts that change: init_model, training_steps and sample, and optionally
check_gradient. The order of events here is what makes runs reproducible:
seed, shuffle, initialise, train (no randomness), sample.
"""

import importlib
import itertools
import random

from microgpt.data import SEED, load_docs
from microgpt.observe import Observer
from microgpt.tokenizer import Tokenizer

STEP_MODULES = {
    0: "microgpt.step0_counting",
    1: "microgpt.step1_gradient",
    2: "microgpt.step2_autograd",
    3: "microgpt.step3_attention",
    4: "microgpt.step4_transformer",
    5: "microgpt.step5_adam",
}
NUM_STEPS = 1000
NUM_SAMPLES = 20


def step_module(number):
    if number not in STEP_MODULES:
        raise ValueError(f"there is no step {number}; the steps are 0 to {max(STEP_MODULES)}")
    return importlib.import_module(STEP_MODULES[number])


def count_params(state_dict):
    return sum(len(row) for matrix in state_dict.values() for row in matrix)


# --8<-- [start:program]
def run_program(step, observer=Observer(), num_steps=NUM_STEPS, stop_after=None, num_samples=NUM_SAMPLES):
    """Run step `step` from start to end, telling the observer what happens."""
    steps = step_module(step)
    rng = random.Random(SEED)  # one generator, seeded once: the run is repeatable

    docs = load_docs(rng)  # the shuffle is the first draw
    tokenizer = Tokenizer(docs)
    observer.fact("num_docs", len(docs))
    observer.fact("uchars", tokenizer.uchars)
    observer.fact("vocab_size", tokenizer.vocab_size)

    model = steps.init_model(tokenizer, rng)  # random initial weights are the next draws
    if isinstance(model, dict):
        observer.fact("num_params", count_params(model))
    if hasattr(steps, "check_gradient"):
        observer.fact("gradient_check", steps.check_gradient(model, tokenizer.encode(docs[0])))

    observer.fact("num_steps", num_steps)
    training = steps.training_steps(model, docs, tokenizer, num_steps)
    for record in itertools.islice(training, stop_after):  # stop_after=None: every step
        observer.step(record)

    for index in range(num_samples):  # sampling draws from the generator, one draw per token
        observer.sample(index, steps.sample(model, tokenizer, rng))
# --8<-- [end:program]
