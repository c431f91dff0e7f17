"""Step 5 · Adam: the same transformer, trained with a better optimizer. This is microgpt.

Plain gradient descent moves every parameter by the same multiple of its
gradient. Adam keeps two running averages per parameter: of the gradient
(momentum, which smooths out the noise of one-name steps) and of the squared
gradient (which scales each parameter's step to the size of its own
gradients). Both start at zero, so early on they are corrected upwards.
"""

from microgpt.step2_autograd import parameters, train
from microgpt.step4_transformer import forward, init_model, sample  # noqa: F401 (the same model)

learning_rate = 0.01
beta1 = 0.85      # how much of the gradient average carries over from step to step
beta2 = 0.99      # the same, for the average of squared gradients
eps_adam = 1e-8   # keeps the division safe when a gradient is tiny


# --8<-- [start:adam]
class Adam:
    def __init__(self, params, learning_rate, beta1, beta2, eps):
        self.params = params
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = [0.0] * len(params)  # running average of each gradient (momentum)
        self.v = [0.0] * len(params)  # running average of each squared gradient

    def step(self, step, num_steps):
        beta1, beta2 = self.beta1, self.beta2
        lr_t = self.learning_rate * (1 - step / num_steps)
        for i, p in enumerate(self.params):
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * p.grad
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * p.grad**2
            m_hat = self.m[i] / (1 - beta1 ** (step + 1))  # undo the pull towards the zero start
            v_hat = self.v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat**0.5 + self.eps)
            p.grad = 0
        return lr_t
# --8<-- [end:adam]


# --8<-- [start:training]
def training_steps(state_dict, docs, tokenizer, num_steps):
    optimizer = Adam(parameters(state_dict), learning_rate, beta1, beta2, eps_adam)
    return train(forward, optimizer, state_dict, docs, tokenizer, num_steps)
# --8<-- [end:training]
