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
