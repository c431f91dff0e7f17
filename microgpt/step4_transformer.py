"""Step 4 · The transformer: several attention heads, and a stack of layers.

The 16 numbers of a query, key and value are split into 4 heads of 4. Each
head attends on its own slice, so it can follow its own pattern, and their
outputs are joined again before attn_wo. The attention and MLP blocks form a
layer, and the model is a loop over n_layer layers (one here). The number of
parameters is unchanged: heads split the same weights, they add none.
"""

from microgpt.step1_gradient import linear, n_embd, temperature
from microgpt.step2_autograd import (SGD, matrix, parameters, softmax,
                                     training_loop)
from microgpt.step3_attention import block_size, rmsnorm

n_head = 4                   # attention heads per layer
n_layer = 1                  # transformer layers
head_dim = n_embd // n_head  # each head's slice: 4 numbers
learning_rate = 0.1


# --8<-- [start:params]
def init_model(tokenizer, rng):
    vocab_size = tokenizer.vocab_size
    state_dict = {
        "wte": matrix(rng, vocab_size, n_embd),
        "wpe": matrix(rng, block_size, n_embd),
        "lm_head": matrix(rng, vocab_size, n_embd),
    }
    for i in range(n_layer):
        state_dict[f"layer{i}.attn_wq"] = matrix(rng, n_embd, n_embd)
        state_dict[f"layer{i}.attn_wk"] = matrix(rng, n_embd, n_embd)
        state_dict[f"layer{i}.attn_wv"] = matrix(rng, n_embd, n_embd)
        state_dict[f"layer{i}.attn_wo"] = matrix(rng, n_embd, n_embd)
        state_dict[f"layer{i}.mlp_fc1"] = matrix(rng, 4 * n_embd, n_embd)
        state_dict[f"layer{i}.mlp_fc2"] = matrix(rng, n_embd, 4 * n_embd)
    return state_dict
# --8<-- [end:params]


# --8<-- [start:gpt]
def gpt(state_dict, token_id, pos_id, keys, values):
    tok_emb = state_dict["wte"][token_id]
    pos_emb = state_dict["wpe"][pos_id]
    x = [t + p for t, p in zip(tok_emb, pos_emb)]
    x = rmsnorm(x)

    for li in range(n_layer):
        # Multi-head attention block
        x_residual = x
        x = rmsnorm(x)
        q = linear(x, state_dict[f"layer{li}.attn_wq"])
        k = linear(x, state_dict[f"layer{li}.attn_wk"])
        v = linear(x, state_dict[f"layer{li}.attn_wv"])
        keys[li].append(k)  # every layer keeps its own cache
        values[li].append(v)
        # --8<-- [start:heads]
        x_attn = []
        for h in range(n_head):
            hs = h * head_dim  # where this head's slice starts
            q_h = q[hs:hs + head_dim]
            k_h = [ki[hs:hs + head_dim] for ki in keys[li]]
            v_h = [vi[hs:hs + head_dim] for vi in values[li]]
            attn_logits = [
                sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5
                for t in range(len(k_h))
            ]
            attn_weights = softmax(attn_logits)
            head_out = [
                sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                for j in range(head_dim)
            ]
            x_attn.extend(head_out)  # join the heads into one vector again
        # --8<-- [end:heads]
        x = linear(x_attn, state_dict[f"layer{li}.attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]

        # MLP block
        x_residual = x
        x = rmsnorm(x)
        x = linear(x, state_dict[f"layer{li}.mlp_fc1"])
        x = [xi.relu() for xi in x]
        x = linear(x, state_dict[f"layer{li}.mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]

    logits = linear(x, state_dict["lm_head"])
    return logits
# --8<-- [end:gpt]


# --8<-- [start:cache]
def empty_cache():
    """Keys and values: one list per layer, one entry per position seen."""
    return [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
# --8<-- [end:cache]


# --8<-- [start:forward]
def forward(state_dict, tokens):
    n = min(block_size, len(tokens) - 1)
    keys, values = empty_cache()
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
                  forward, optimizer, learning_rate)
# --8<-- [end:training]


# --8<-- [start:sample]
def sample(state_dict, tokenizer, rng):
    keys, values = empty_cache()
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
