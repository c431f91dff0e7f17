"""Step 2 · Autograd: the same MLP, with the gradient computed for us.

Every number is now a Value (microgpt.autograd), which remembers how it was
computed. The forward pass builds a graph from the parameters to the loss;
loss.backward() walks it back and fills in each parameter's grad. The hand
derivation of step 1 disappears, and the results stay exactly the same.

The training loop written here, training_loop(), is the one steps 3 to 5 use
too: from now on only the forward pass and the optimizer change.
"""

from microgpt.autograd import Value
from microgpt.step1_gradient import linear, n_embd, temperature

learning_rate = 1.0


# --8<-- [start:params]
# --8<-- [start:matrix]
def matrix(rng, nout, nin):
    """nout rows of nin random Values, drawn row by row."""
    return [[Value(rng.gauss(0, 0.08)) for _ in range(nin)]
            for _ in range(nout)]
# --8<-- [end:matrix]


def init_model(tokenizer, rng):
    vocab_size = tokenizer.vocab_size
    return {
        "wte": matrix(rng, vocab_size, n_embd),
        "mlp_fc1": matrix(rng, 4 * n_embd, n_embd),
        "mlp_fc2": matrix(rng, vocab_size, 4 * n_embd),
    }


# --8<-- [start:parameters]
def parameters(state_dict):
    """Every Value the optimizer may change, in one flat list."""
    return [p for matrix in state_dict.values() for row in matrix for p in row]
# --8<-- [end:parameters]
# --8<-- [end:params]


# --8<-- [start:softmax]
def softmax(logits):
    max_val = max(val.data for val in logits)  # a plain number: no gradient
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]
# --8<-- [end:softmax]


# --8<-- [start:mlp]
def mlp(state_dict, token_id):
    x = state_dict["wte"][token_id]
    x = linear(x, state_dict["mlp_fc1"])  # step 1's linear() works on Values
    x = [xi.relu() for xi in x]
    logits = linear(x, state_dict["mlp_fc2"])
    return logits
# --8<-- [end:mlp]


# --8<-- [start:forward]
def forward(state_dict, tokens):
    n = len(tokens) - 1
    losses = []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        probs = softmax(mlp(state_dict, token_id))
        loss_t = -probs[target_id].log()
        losses.append(loss_t)
    loss = (1 / n) * sum(losses)  # a Value: the end of the graph
    return loss
# --8<-- [end:forward]


# --8<-- [start:sgd]
class SGD:
    """Gradient descent: move every parameter a little way downhill."""

    def __init__(self, params):
        self.params = params

    def step(self, lr_t):
        for p in self.params:
            p.data -= lr_t * p.grad
            p.grad = 0  # backward() adds to grads: clear them for next time
# --8<-- [end:sgd]


# --8<-- [start:training]
# --8<-- [start:training_loop]
def training_loop(state_dict, docs, tokenizer, num_steps,
                  forward, optimizer, learning_rate):
    for step in range(num_steps):
        doc = docs[step % len(docs)]
        tokens = tokenizer.encode(doc)

        loss = forward(state_dict, tokens)  # builds the graph, ends at loss
        loss.backward()                     # fills in every p.grad
        lr_t = learning_rate * (1 - step / num_steps)
        optimizer.step(lr_t)                # moves every p downhill

        print(f"step {step + 1:4d} / {num_steps:4d} | loss {loss.data:.4f}")
# --8<-- [end:training_loop]


def train(state_dict, docs, tokenizer, num_steps):
    optimizer = SGD(parameters(state_dict))
    training_loop(state_dict, docs, tokenizer, num_steps,
                  forward, optimizer, learning_rate)
# --8<-- [end:training]


# --8<-- [start:sample]
def sample(state_dict, tokenizer, rng, max_len=16):
    token_id = tokenizer.BOS
    name = []
    for _ in range(max_len):
        logits = mlp(state_dict, token_id)
        probs = softmax([logit / temperature for logit in logits])
        weights = [p.data for p in probs]  # plain numbers for the draw
        token_id = rng.choices(range(tokenizer.vocab_size), weights=weights)[0]
        if token_id == tokenizer.BOS:
            break
        name.append(token_id)
    return tokenizer.decode(name)
# --8<-- [end:sample]
