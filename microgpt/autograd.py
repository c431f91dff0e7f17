"""Autograd: numbers that remember how they were made.

A Value holds a number (data) and, after backward(), the derivative of the
final result with respect to it (grad). Every operation keeps its inputs
(children) and the local derivative of its output with respect to each input
(local_grads); backward() walks that graph from the end and applies the chain
rule. Steps 2 to 5 compute everything with Values.
"""

import math


# --8<-- [start:value_class]
# --8<-- [start:value]
class Value:
    # Smaller objects, as a run makes millions of them.
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data                 # the number itself
        self.grad = 0                    # d(loss)/d(this), set by backward()
        self._children = children        # the Values this one was made from
        self._local_grads = local_grads  # d(this)/d(each child)
# --8<-- [end:value]

    # --8<-- [start:add_mul]
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data))
    # --8<-- [end:add_mul]

    # --8<-- [start:more_ops]
    def __pow__(self, power):  # power is a plain number
        return Value(self.data**power, (self,),
                     (power * self.data ** (power - 1),))

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        result = math.exp(self.data)
        return Value(result, (self,), (result,))  # e^x is its own derivative

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),))
    # --8<-- [end:more_ops]

    # --8<-- [start:sugar]
    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other**-1
    def __rtruediv__(self, other): return other * self**-1
    # --8<-- [end:sugar]

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # --8<-- [start:backward]
    def backward(self):
        # Order the graph so that every Value comes after its children. A
        # depth-first walk; a stack of the Values still to visit stands in
        # for recursion, which is slower and limited in depth.
        topo = []
        visited = set()
        stack = [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:       # all of v's children are in topo now
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))  # come back to v after its children
                for child in reversed(v._children):  # first child on top
                    stack.append((child, False))
        # Walk it from the end: d(self)/d(self) is 1, and each Value passes
        # its grad on to its children, times the local derivative (the chain
        # rule).
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad
    # --8<-- [end:backward]
# --8<-- [end:value_class]
