"""A small graph to watch autograd at work: Step 2's pages draw it.

The end of the model's forward pass in miniature: two logits, softmax over
them, and the loss -log p of the first one, the target. Every line below
makes one or more Values, each keeping the Values it was made from and the
local derivatives; loss.backward() then fills in every grad.

    loss = two_token_loss()
    loss.backward()

No training run imports this module: changing it retrains nothing.
"""

from microgpt.autograd import Value


# --8<-- [start:example]
def two_token_loss():
    # Two logits, as mlp() would give them for a vocabulary of two tokens.
    # The first token is the target.
    z1 = Value(2.0)      # the target's logit
    z2 = Value(1.0)      # the other token's logit

    # softmax, written out (step 2's softmax() first subtracts the largest
    # logit, which changes no probability; left out here)
    e1 = z1.exp()        # a new Value: exp of z1, made from z1
    e2 = z2.exp()
    total = e1 + e2      # made from e1 and e2
    p = e1 / total       # the target's probability: e1 is used a second time

    # the loss of this pair, as forward() computes it
    loss = -p.log()
    return loss
# --8<-- [end:example]


if __name__ == "__main__":
    loss = two_token_loss()
    loss.backward()
    print(f"loss {loss.data:.4f}")
