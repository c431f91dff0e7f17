"""The program every step runs: data, model, training, inference.

Each step module (microgpt.step0_counting ... microgpt.step5_adam) supplies
the parts that change: init_model, train and sample (and step 1 its
check_gradient). The order of events here is what makes runs reproducible:
seed, shuffle, initialise, train (no randomness), sample.
"""

import importlib
import random

from microgpt.data import SEED, load_docs
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
    """The module of step `number` (0 to 5)."""
    if number not in STEP_MODULES:
        raise ValueError(f"there is no step {number!r}; the steps are 0 to 5")
    return importlib.import_module(STEP_MODULES[number])


# --8<-- [start:num_params]
def num_params(state_dict):
    """How many numbers the model has: the entries of all its matrices."""
    return sum(len(row) for matrix in state_dict.values() for row in matrix)
# --8<-- [end:num_params]


# --8<-- [start:program]
def run_program(step, num_steps=NUM_STEPS, num_samples=NUM_SAMPLES):
    """Run step `step` from start to end, printing what it does."""
    steps = step_module(step)  # this step's own parts
    rng = random.Random(SEED)  # one generator, seeded once: a repeatable run

    docs = load_docs(rng)  # the shuffle is the first random draw
    tokenizer = Tokenizer(docs)
    print(f"num docs: {len(docs)}")
    print(f"vocab size: {tokenizer.vocab_size}")

    # The model. Step 0's count table starts at zero and draws nothing;
    # steps 1-5 draw their random initial weights here, after the shuffle.
    state_dict = steps.init_model(tokenizer, rng)
    if step > 0:  # the counting step prints no parameter count
        print(f"num params: {num_params(state_dict)}")
    if step == 1:  # a gradient derived by hand is checked before it is used
        tokens = tokenizer.encode(docs[0])
        loss_n, loss_a, max_diff = steps.check_gradient(state_dict, tokens)
        print(f"gradient check | loss_n {loss_n:.6f} | loss_a {loss_a:.6f}"
              f" | max diff {max_diff:.8f}")

    steps.train(state_dict, docs, tokenizer, num_steps)  # no random draws

    print("\n--- inference (new, hallucinated names) ---")
    for sample_idx in range(num_samples):  # one draw per token (BOS included)
        name = steps.sample(state_dict, tokenizer, rng)
        print(f"sample {sample_idx + 1:2d}: {name}")
# --8<-- [end:program]
