"""The Value class computes the derivatives calculus gives."""

import math

import pytest

from microgpt.autograd import Value


def numeric(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize(
    "make, plain",
    [
        (lambda x: x * x + 3 * x, lambda x: x * x + 3 * x),
        (lambda x: (x * 2).exp() / (x + 1), lambda x: math.exp(2 * x) / (x + 1)),
        (lambda x: -(x**3).log() - 1 / x, lambda x: -math.log(x**3) - 1 / x),
        (lambda x: (x - 4).relu() + (2 - x).relu() * x, lambda x: max(0, x - 4) + max(0, 2 - x) * x),
    ],
)
def test_gradient_matches_finite_difference(make, plain):
    for x0 in (0.7, 1.3, 5.0):
        x = Value(x0)
        out = make(x)
        out.backward()
        assert out.data == pytest.approx(plain(x0))
        assert x.grad == pytest.approx(numeric(plain, x0), rel=1e-5)


def test_a_value_used_twice_collects_both_gradients():
    a = Value(3.0)
    b = a * a  # d(b)/d(a) = 2a, through two paths
    c = b + a  # plus one more
    c.backward()
    assert a.grad == 7.0
    assert b.grad == 1


def test_backward_visits_each_node_once():
    a = Value(2.0)
    x = a
    for _ in range(50):  # a long shared chain: x = x + x doubles the gradient each time
        x = x + x
    x.backward()
    assert a.grad == 2.0**50


def recursive_backward(loss):
    """The textbook backward(): a recursive depth-first topological sort."""
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._children:
                build_topo(child)
            topo.append(v)

    build_topo(loss)
    loss.grad = 1
    for v in reversed(topo):
        for child, local_grad in zip(v._children, v._local_grads):
            child.grad += local_grad * v.grad


def test_backward_orders_the_graph_as_the_recursive_walk_does():
    """Same order, same additions in the same order: bit-identical gradients on a real graph."""
    import random
    import string
    import sys

    from microgpt import step3_attention
    from microgpt.tokenizer import Tokenizer

    tokenizer = Tokenizer([string.ascii_lowercase])
    models = [step3_attention.init_model(tokenizer, random.Random(7)) for _ in range(2)]
    losses = [step3_attention.forward(model, tokenizer.encode("emmanuelle")) for model in models]
    losses[0].backward()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10000))
    try:
        recursive_backward(losses[1])
    finally:
        sys.setrecursionlimit(limit)
    grads = [[p.grad for matrix in model.values() for row in matrix for p in row] for model in models]
    assert grads[0] == grads[1]
    assert sum(1 for g in grads[0] if g != 0) > 1000


def test_backward_handles_graphs_deeper_than_the_recursion_limit():
    a = Value(1.0)
    x = a
    for _ in range(5000):
        x = x * 1.0 + 0.5
    x.backward()
    assert a.grad == 1.0 and x.data == 2501.0
