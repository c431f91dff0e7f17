"""Step 1 · Gradient descent: an MLP bigram model with a hand-derived gradient.

The count table becomes a small neural network: a token's embedding (a row of
wte) goes through a hidden layer of 64 ReLU units (mlp_fc1) to 27 logits
(mlp_fc2), and softmax turns the logits into probabilities. There is no closed
form for the best weights any more, so we follow the gradient of the loss
downhill. The gradient is derived by hand with the chain rule, and checked
once against a numerical estimate before training starts.
"""

import math

n_embd = 16  # the width of a token's embedding
learning_rate = 1.0
temperature = 0.5


# --8<-- [start:params]
def init_model(tokenizer, rng):
    """Three matrices of small random numbers, drawn in order, row by row."""
    vocab_size = tokenizer.vocab_size

    def matrix(nout, nin):
        return [[rng.gauss(0, 0.08) for _ in range(nin)] for _ in range(nout)]

    return {
        "wte": matrix(vocab_size, n_embd),          # one embedding per token
        "mlp_fc1": matrix(4 * n_embd, n_embd),      # embedding -> 64 hidden
        "mlp_fc2": matrix(vocab_size, 4 * n_embd),  # 64 hidden -> 27 logits
    }
# --8<-- [end:params]


# --8<-- [start:linear]
def linear(x, w):
    """Multiply vector x by matrix w: one weighted sum per row of w."""
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]
# --8<-- [end:linear]


# --8<-- [start:softmax]
def softmax(logits):
    """Turn any numbers into probabilities: exponentiate, divide by the sum."""
    max_val = max(logits)  # subtracting the largest keeps exp() from overflow
    exps = [math.exp(v - max_val) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]
# --8<-- [end:softmax]


# --8<-- [start:mlp]
def mlp(state_dict, token_id):
    x = state_dict["wte"][token_id]            # the token's embedding
    x = linear(x, state_dict["mlp_fc1"])       # 16 -> 64
    x = [max(0, xi) for xi in x]               # ReLU: negatives become 0
    logits = linear(x, state_dict["mlp_fc2"])  # 64 -> 27
    return logits
# --8<-- [end:mlp]


# --8<-- [start:forward]
def forward(state_dict, tokens):
    """The mean loss over one name's pairs, as in step 0, with the MLP."""
    n = len(tokens) - 1
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        probs = softmax(mlp(state_dict, token_id))
        loss_t = -math.log(probs[target_id])
        losses.append(loss_t)
    loss = (1 / n) * sum(losses)
    return loss
# --8<-- [end:forward]


# --8<-- [start:numerical_gradient]
def numerical_gradient(state_dict, tokens, eps=1e-5):
    """Nudge each parameter up by eps and see how much the loss moves."""
    loss = forward(state_dict, tokens)
    grad = []
    for matrix in state_dict.values():
        for row in matrix:
            for j in range(len(row)):
                old = row[j]
                row[j] = old + eps
                loss_plus = forward(state_dict, tokens)
                row[j] = old
                grad.append((loss_plus - loss) / eps)
    return loss, grad
# --8<-- [end:numerical_gradient]


# --8<-- [start:analytic_gradient]
def zeros_like(state_dict):
    """A gradient has one number per parameter, shaped like state_dict."""
    return {name: [[0.0] * len(row) for row in matrix]
            for name, matrix in state_dict.items()}


def analytic_gradient(state_dict, tokens):
    """The loss, and its exact gradient by the chain rule, layer by layer."""
    n = len(tokens) - 1
    grad = zeros_like(state_dict)
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]

        # Forward, keeping what the backward pass needs
        x = list(state_dict["wte"][token_id])
        h_pre = linear(x, state_dict["mlp_fc1"])
        h = [max(0, v) for v in h_pre]
        logits = linear(h, state_dict["mlp_fc2"])
        probs = softmax(logits)
        loss_t = -math.log(probs[target_id])
        losses.append(loss_t)

        # Softmax and -log: d(loss)/d(logits) = (probs - one_hot(target)) / n
        dlogits = [p / n for p in probs]
        dlogits[target_id] -= 1.0 / n

        # logits = mlp_fc2 · h: gradients for mlp_fc2, and for h
        dh = [0.0] * len(h)
        for i in range(len(dlogits)):
            for j in range(len(h)):
                grad["mlp_fc2"][i][j] += dlogits[i] * h[j]
                dh[j] += state_dict["mlp_fc2"][i][j] * dlogits[i]

        # ReLU lets the gradient through where its input was positive
        dh_pre = [dh[j] * (1.0 if h_pre[j] > 0 else 0.0)
                  for j in range(len(h_pre))]

        # h_pre = mlp_fc1 · x: gradients for mlp_fc1, and for x
        dx = [0.0] * len(x)
        for i in range(len(dh_pre)):
            for j in range(len(x)):
                grad["mlp_fc1"][i][j] += dh_pre[i] * x[j]
                dx[j] += state_dict["mlp_fc1"][i][j] * dh_pre[i]

        # x was row token_id of wte
        for j in range(len(x)):
            grad["wte"][token_id][j] += dx[j]

    loss = (1 / n) * sum(losses)
    return loss, grad
# --8<-- [end:analytic_gradient]


# --8<-- [start:gradient_check]
def flatten(grad):
    """Every number of a gradient in one list, in the parameters' order."""
    return [g for matrix in grad.values() for row in matrix for g in row]


def check_gradient(state_dict, tokens):
    """Do the two gradients agree? Returns (loss_n, loss_a, largest gap)."""
    loss_n, grad_n = numerical_gradient(state_dict, tokens)
    loss_a, grad_a = analytic_gradient(state_dict, tokens)
    max_diff = max(abs(gn - ga) for gn, ga in zip(grad_n, flatten(grad_a)))
    return loss_n, loss_a, max_diff
# --8<-- [end:gradient_check]


# --8<-- [start:update]
def update(state_dict, grad, lr_t):
    """Gradient descent: move every parameter a little way downhill."""
    for name, matrix in state_dict.items():
        for row, grad_row in zip(matrix, grad[name]):
            for j in range(len(row)):
                row[j] -= lr_t * grad_row[j]
# --8<-- [end:update]


# --8<-- [start:training]
def train(state_dict, docs, tokenizer, num_steps):
    for step in range(num_steps):
        doc = docs[step % len(docs)]
        tokens = tokenizer.encode(doc)

        loss, grad = analytic_gradient(state_dict, tokens)
        lr_t = learning_rate * (1 - step / num_steps)  # shrinks linearly to 0
        update(state_dict, grad, lr_t)

        print(f"step {step + 1:4d} / {num_steps:4d} | loss {loss:.4f}")
# --8<-- [end:training]


# --8<-- [start:sample]
def sample(state_dict, tokenizer, rng, max_len=16):
    """As in step 0, with the MLP's probabilities, sharpened (temperature)."""
    token_id = tokenizer.BOS
    name = []
    for _ in range(max_len):
        logits = mlp(state_dict, token_id)
        probs = softmax([logit / temperature for logit in logits])
        token_id = rng.choices(range(tokenizer.vocab_size), weights=probs)[0]
        if token_id == tokenizer.BOS:
            break
        name.append(token_id)
    return tokenizer.decode(name)
# --8<-- [end:sample]
