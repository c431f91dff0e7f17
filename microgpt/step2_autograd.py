"""Step 2 · Autograd: the same MLP, with the gradient computed for us.

Every number is now a Value (microgpt.autograd), which records how it was
computed. The forward pass builds a graph from the parameters to the loss;
loss.backward() walks it back and fills in each parameter's grad. The hand
derivation of step 1 disappears, and the results stay exactly the same.

The training loop written here, train(), is the one steps 3 to 5 use too:
from now on only the forward pass and the optimizer change.
"""

from microgpt.autograd import Value
from microgpt.observe import StepRecord
from microgpt.step1_gradient import linear, n_embd, temperature

learning_rate = 1.0


# --8<-- [start:params]
def matrix(rng, nout, nin):
    """nout rows of nin random Values, drawn row by row."""
    return [[Value(rng.gauss(0, 0.08)) for _ in range(nin)] for _ in range(nout)]


def init_model(tokenizer, rng):
    vocab_size = tokenizer.vocab_size
    return {
        "wte": matrix(rng, vocab_size, n_embd),
        "mlp_fc1": matrix(rng, 4 * n_embd, n_embd),
        "mlp_fc2": matrix(rng, vocab_size, 4 * n_embd),
    }


def parameters(state_dict):
    """Every Value the optimizer may change, in a flat list."""
    return [p for matrix in state_dict.values() for row in matrix for p in row]
# --8<-- [end:params]


# --8<-- [start:softmax]
def softmax(logits):
    max_val = max(val.data for val in logits)  # a plain number: no gradient flows through it
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]
# --8<-- [end:softmax]


# --8<-- [start:mlp]
def mlp(state_dict, token_id):
    x = state_dict["wte"][token_id]
    x = linear(x, state_dict["mlp_fc1"])  # step 1's linear(), unchanged: it works on Values too
    x = [xi.relu() for xi in x]
    logits = linear(x, state_dict["mlp_fc2"])
    return logits
# --8<-- [end:mlp]


# --8<-- [start:forward]
def forward(state_dict, tokens):
    n = len(tokens) - 1
    all_probs, losses = [], []
    for pos_id in range(n):
        token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
        probs = softmax(mlp(state_dict, token_id))
        loss_t = -probs[target_id].log()
        all_probs.append(probs)
        losses.append(loss_t)
    loss = (1 / n) * sum(losses)
    return loss, losses, all_probs
# --8<-- [end:forward]


# --8<-- [start:sgd]
class SGD:
    """Plain gradient descent with a learning rate that decays linearly to zero."""

    def __init__(self, params, learning_rate):
        self.params = params
        self.learning_rate = learning_rate

    def step(self, step, num_steps):
        lr_t = self.learning_rate * (1 - step / num_steps)
        for p in self.params:
            p.data -= lr_t * p.grad
            p.grad = 0  # gradients add up in backward(), so clear them for the next step
        return lr_t
# --8<-- [end:sgd]


# --8<-- [start:train]
def train(forward, optimizer, state_dict, docs, tokenizer, num_steps):
    for step in range(num_steps):
        doc = docs[step % len(docs)]
        tokens = tokenizer.encode(doc)

        loss, losses, all_probs = forward(state_dict, tokens)  # builds the graph, ends at loss
        loss.backward()                                        # fills in every p.grad
        lr_t = optimizer.step(step, num_steps)                 # moves every p downhill

        yield StepRecord(step, doc, tokens, all_probs, losses, loss, state_dict, {"lr": lr_t})
# --8<-- [end:train]


def training_steps(state_dict, docs, tokenizer, num_steps):
    optimizer = SGD(parameters(state_dict), learning_rate)
    return train(forward, optimizer, state_dict, docs, tokenizer, num_steps)


# --8<-- [start:sample]
def sample(state_dict, tokenizer, rng, max_len=16):
    token_id = tokenizer.BOS
    name = []
    for _ in range(max_len):
        logits = mlp(state_dict, token_id)
        probs = softmax([logit / temperature for logit in logits])
        token_id = rng.choices(range(tokenizer.vocab_size), weights=[p.data for p in probs])[0]
        if token_id == tokenizer.BOS:
            break
        name.append(token_id)
    return tokenizer.decode(name)
# --8<-- [end:sample]
