"""Step 0 · Counting: a bigram model that learns by counting.

The model is a 27×27 table. Row i, column j counts how often token j has
followed token i in the names seen so far. To predict what comes after a
token, read its row and turn the counts into probabilities. To learn from a
name, add one to the cell of every pair of neighbours in it. No gradients, no
optimizer. The plain counts divided by their row's total would be the exact
maximum-likelihood table, the one that fits the names seen best; bigram()
first adds one to every count, giving up a little of that fit so that no
pair ever gets probability 0.
"""

import math


# --8<-- [start:count_table]
def init_model(tokenizer, rng):
    """The count table: state_dict[i][j] counts token j after token i."""
    vocab_size = tokenizer.vocab_size
    state_dict = [[0] * vocab_size for _ in range(vocab_size)]  # all zeros
    return state_dict
# --8<-- [end:count_table]


# --8<-- [start:bigram]
def bigram(state_dict, token_id):
    """The probability of every possible next token, given this one."""
    row = state_dict[token_id]
    total = sum(row) + len(row)  # add one to every count: nothing gets 0
    return [(count + 1) / total for count in row]
# --8<-- [end:bigram]


# --8<-- [start:forward]
def forward(state_dict, tokens):
    """Quiz the model on one name: how surprised is it by each next token?"""
    n = len(tokens) - 1  # the number of (token, next token) pairs
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        probs = bigram(state_dict, token_id)
        loss_t = -math.log(probs[target_id])  # small if target_id was likely
        losses.append(loss_t)
    loss = (1 / n) * sum(losses)  # the mean over the name's pairs
    return loss
# --8<-- [end:forward]


# --8<-- [start:update]
def update(state_dict, tokens):
    """Learn from the name: count each pair of neighbours once."""
    for pos_id in range(len(tokens) - 1):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        state_dict[token_id][target_id] += 1
# --8<-- [end:update]


# --8<-- [start:training]
def train(state_dict, docs, tokenizer, num_steps):
    for step in range(num_steps):
        doc = docs[step % len(docs)]  # one name per step, in order
        tokens = tokenizer.encode(doc)

        loss = forward(state_dict, tokens)  # first measure the surprise...
        update(state_dict, tokens)          # ...then learn from the name

        print(f"step {step + 1:4d} / {num_steps:4d} | loss {loss:.4f}")
# --8<-- [end:training]


# --8<-- [start:sample]
def sample(state_dict, tokenizer, rng, max_len=16):
    """Make up a name: start at BOS, draw each next token, stop at BOS."""
    token_id = tokenizer.BOS
    name = []
    for _ in range(max_len):
        probs = bigram(state_dict, token_id)
        token_id = rng.choices(range(tokenizer.vocab_size), weights=probs)[0]
        if token_id == tokenizer.BOS:
            break
        name.append(token_id)
    return tokenizer.decode(name)
# --8<-- [end:sample]
