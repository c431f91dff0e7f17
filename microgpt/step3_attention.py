"""Step 3 · Attention: the model can look back at the earlier tokens of the name.

Until now the next-token guess depended on the current token only. Here each
position also gets a position embedding (wpe), and an attention block lets it
gather information from every position so far: it asks a question (query),
compares it with what each earlier position offers (keys), and takes a
weighted mix of their contents (values). RMSNorm keeps the numbers at a
steady scale and residual connections add each block's output to its input.
A separate lm_head turns the final vector into logits.
"""

from microgpt.step1_gradient import linear, n_embd, temperature
from microgpt.step2_autograd import (SGD, matrix, parameters, softmax,
                                     training_loop)

block_size = 16  # the longest context: BOS plus up to 15 characters
learning_rate = 0.1


# --8<-- [start:params]
def init_model(tokenizer, rng):
    vocab_size = tokenizer.vocab_size
    return {
        "wte": matrix(rng, vocab_size, n_embd),      # token embeddings
        "wpe": matrix(rng, block_size, n_embd),      # one row per position
        "attn_wq": matrix(rng, n_embd, n_embd),      # query
        "attn_wk": matrix(rng, n_embd, n_embd),      # key
        "attn_wv": matrix(rng, n_embd, n_embd),      # value
        "attn_wo": matrix(rng, n_embd, n_embd),      # the attention's output
        "mlp_fc1": matrix(rng, 4 * n_embd, n_embd),
        "mlp_fc2": matrix(rng, n_embd, 4 * n_embd),  # back to n_embd
        "lm_head": matrix(rng, vocab_size, n_embd),  # vector -> 27 logits
    }
# --8<-- [end:params]


# --8<-- [start:rmsnorm]
def rmsnorm(x):
    """Scale x so that the mean of its squares is 1."""
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]
# --8<-- [end:rmsnorm]


# --8<-- [start:gpt]
def gpt(state_dict, token_id, pos_id, keys, values):
    """The logits for the token after token_id, which sits at pos_id.

    keys and values hold one entry per earlier position of this name (the
    KV cache); this call appends its own.
    """
    tok_emb = state_dict["wte"][token_id]
    pos_emb = state_dict["wpe"][pos_id]
    x = [t + p for t, p in zip(tok_emb, pos_emb)]  # what it is, and where
    x = rmsnorm(x)

    # Attention block
    x_residual = x
    x = rmsnorm(x)
    q = linear(x, state_dict["attn_wq"])
    k = linear(x, state_dict["attn_wk"])
    v = linear(x, state_dict["attn_wv"])
    keys.append(k)
    values.append(v)
    # --8<-- [start:attention_weights]
    attn_logits = [sum(q[j] * keys[t][j] for j in range(n_embd)) / n_embd**0.5
                   for t in range(len(keys))]
    attn_weights = softmax(attn_logits)  # how much to take from each position
    # --8<-- [end:attention_weights]
    x_attn = [sum(attn_weights[t] * values[t][j] for t in range(len(values)))
              for j in range(n_embd)]
    x = linear(x_attn, state_dict["attn_wo"])
    x = [a + b for a, b in zip(x, x_residual)]  # residual: add the input back

    # MLP block
    x_residual = x
    x = rmsnorm(x)
    x = linear(x, state_dict["mlp_fc1"])
    x = [xi.relu() for xi in x]
    x = linear(x, state_dict["mlp_fc2"])
    x = [a + b for a, b in zip(x, x_residual)]

    logits = linear(x, state_dict["lm_head"])
    return logits
# --8<-- [end:gpt]


# --8<-- [start:forward]
def forward(state_dict, tokens):
    n = min(block_size, len(tokens) - 1)  # longer names are cut short
    keys, values = [], []  # a fresh cache for every name
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        logits = gpt(state_dict, token_id, pos_id, keys, values)
        probs = softmax(logits)
        loss_t = -probs[target_id].log()
        losses.append(loss_t)
    loss = (1 / n) * sum(losses)
    return loss
# --8<-- [end:forward]


# --8<-- [start:training]
def train(state_dict, docs, tokenizer, num_steps):
    optimizer = SGD(parameters(state_dict))
    training_loop(state_dict, docs, tokenizer, num_steps,
                  forward, optimizer, learning_rate)  # step 2's loop
# --8<-- [end:training]


# --8<-- [start:sample]
def sample(state_dict, tokenizer, rng):
    keys, values = [], []
    token_id = tokenizer.BOS
    name = []
    for pos_id in range(block_size):
        logits = gpt(state_dict, token_id, pos_id, keys, values)
        probs = softmax([logit / temperature for logit in logits])
        weights = [p.data for p in probs]
        token_id = rng.choices(range(tokenizer.vocab_size), weights=weights)[0]
        if token_id == tokenizer.BOS:
            break
        name.append(token_id)
    return tokenizer.decode(name)
# --8<-- [end:sample]
