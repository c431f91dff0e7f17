"""Step 5 · Adam: the same transformer, trained with a better optimizer. This is microgpt.

Plain gradient descent moves every parameter by the same multiple of its
gradient. Adam keeps two running averages per parameter: of the gradient
(momentum, which smooths out the noise of one-name steps) and of the squared
gradient (which scales each parameter's step to the size of its own
gradients). Both start at zero, so early on they are corrected upwards.
"""

from microgpt.step2_autograd import parameters, training_loop
from microgpt.step4_transformer import (  # noqa: F401 (the same model)
    forward, init_model, sample)

learning_rate = 0.01
beta1 = 0.85      # how much of the gradient average carries over each step
beta2 = 0.99      # the same, for the average of squared gradients
eps_adam = 1e-8   # keeps the division safe when a gradient is tiny


# --8<-- [start:adam]
class Adam:
    def __init__(self, params, beta1, beta2, eps):
        self.params = params
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [0.0] * len(params)  # running average of each gradient
        self.v = [0.0] * len(params)  # ... and of each squared gradient
        self.t = 0                    # how many steps it has taken

    def step(self, lr_t):
        self.t += 1
        beta1, beta2 = self.beta1, self.beta2
        for i, p in enumerate(self.params):
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * p.grad
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * p.grad**2
            m_hat = self.m[i] / (1 - beta1**self.t)  # undo the pull to 0
            v_hat = self.v[i] / (1 - beta2**self.t)
            p.data -= lr_t * m_hat / (v_hat**0.5 + self.eps)
            p.grad = 0
# --8<-- [end:adam]


# --8<-- [start:training]
def train(state_dict, docs, tokenizer, num_steps):
    optimizer = Adam(parameters(state_dict), beta1, beta2, eps_adam)
    training_loop(state_dict, docs, tokenizer, num_steps,
                  forward, optimizer, learning_rate)
# --8<-- [end:training]
