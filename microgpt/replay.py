"""Replaying a recorded snapshot through the step's own functions.

A recorded run (microgpt.record) keeps the parameters at a few steps. The
probes here turn such a snapshot back into a model of the step's own kind
and run the step's real code on it: its forward pass, its backward pass, its
gradient check. What a page wants from inside a function (the probabilities
at each position, the attention weights, ...) is read by tracing the
function's local variables while it runs, never by editing it: if a traced
name disappears from the code, the probe fails with ProbeError and says so.

Everything here is read-only and deterministic: nothing draws a random
number, nothing touches a run. Every probe returns plain numbers and lists.
"""

import ast
import functools
import inspect
import linecache
import string
import sys
import textwrap

from microgpt.autograd import Value
from microgpt.program import step_module
from microgpt.tokenizer import Tokenizer

# The dataset's characters are a..z (its checksum is pinned), so the
# tokenizer every run builds is this one.
TOKENIZER = Tokenizer([string.ascii_lowercase])


class ProbeError(Exception):
    """A probe cannot answer: a wrong argument, or code it no longer matches."""


# ---------------------------------------------------------------- arguments


def module_of(step):
    if step not in range(6):
        raise ProbeError(f"step={step!r}: the steps are 0 to 5")
    return step_module(step)


def snapshot(run, k):
    """The snapshot a recorded run kept after k training steps."""
    kept = run.get("snapshots", {})
    if str(k) not in kept:
        listed = ", ".join(sorted(kept, key=int)) or "none"
        raise ProbeError(f"run {run.get('step')} kept no snapshot after {k} steps "
                         f"(it kept {listed}); add {k} to its snapshots")
    return kept[str(k)]


def encode(name):
    if not isinstance(name, str) or not name or set(name) - set(TOKENIZER.uchars):
        raise ProbeError(f"name={name!r}: a name is one or more of the characters a..z")
    return TOKENIZER.encode(name)


class ZeroDraws:
    """Stands in for the run's random generator when only the shapes matter."""

    def gauss(self, mu, sigma):
        return 0.0


@functools.lru_cache(maxsize=None)
def model_shape(step):
    """The step's model as init_model makes it: [(matrix name, rows, cols)]."""
    state_dict = module_of(step).init_model(TOKENIZER, ZeroDraws())
    if step == 0:
        return [("the count table", len(state_dict), len(state_dict[0]))]
    return [(name, len(matrix), len(matrix[0])) for name, matrix in state_dict.items()]


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def shape_of(matrix):
    """(rows, cols) of a list of equal rows of numbers, else None. One number per
    row is looked at: snapshots come from the recorder, the shapes are the check."""
    if not (isinstance(matrix, list) and matrix and all(isinstance(row, list) and row for row in matrix)
            and len({len(row) for row in matrix}) == 1 and all(is_number(row[0]) for row in matrix)):
        return None
    return len(matrix), len(matrix[0])


def restore(step, snapshot):
    """A fresh state_dict of the step's own kind from a snapshot: the count
    table (ints) for step 0, matrices of floats for step 1, of Values for 2-5."""
    expected = model_shape(step)
    if step == 0:
        if not isinstance(snapshot, list) or shape_of(snapshot) != expected[0][1:]:
            raise ProbeError("a step 0 snapshot is the count table, a 27×27 list of lists of counts")
        return [list(row) for row in snapshot]
    if not isinstance(snapshot, dict):
        raise ProbeError(f"a step {step} snapshot is a dict of matrices by name, not a {type(snapshot).__name__}")
    found = [(name, *(shape_of(matrix) or ("?", "?"))) for name, matrix in snapshot.items()]
    if found != expected:
        def describe(shapes):
            return ", ".join(f"{name} {rows}×{cols}" for name, rows, cols in shapes)
        raise ProbeError(f"this snapshot does not fit: the step {step} model has {describe(expected)}; "
                         f"the snapshot has {describe(found) or 'nothing'}")
    if step == 1:
        return {name: [list(row) for row in matrix] for name, matrix in snapshot.items()}
    return {name: [[Value(x) for x in row] for row in matrix] for name, matrix in snapshot.items()}


def as_plain(x):
    """Values become floats, recursively through lists and tuples."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (list, tuple)):
        return [as_plain(item) for item in x]
    return x


# ---------------------------------------------------------------- tracing


def check_locals(function, names):
    code = function.__code__
    local_names = set(code.co_varnames) | set(code.co_cellvars)
    for name in names:
        if name not in local_names:
            raise ProbeError(f"{function.__module__}.{function.__qualname__} has no local variable "
                             f"{name!r} any more: the probe must follow the code")


UNBOUND = object()


def trace_calls(function, names, caller, *args, **kwargs):
    """Call caller(*args, **kwargs) and watch every call it makes to function.

    Returns (caller's result, one entry per call of function in order), each
    entry {name: [(value, line), ...]}: every object the local variable was
    bound to, in order, with the line number of the statement that bound it
    (None for the function's arguments). A binding is seen on the 'line' and
    'return' events of the function's own frames (sys.settrace), whenever the
    object a name refers to is another one than before. Values are converted
    to floats after the call, so a list the function fills after binding it
    shows its final contents.
    """
    check_locals(function, names)
    code = function.__code__
    calls = []

    def watch(frame, event, arg):
        if frame.f_code is not code:
            return None  # do not trace any other function
        seen = {name: UNBOUND for name in names}
        bindings = {name: [] for name in names}
        calls.append(bindings)
        last_line = [None]

        def look(frame, event, arg):
            current = frame.f_locals
            for name in names:
                value = current.get(name, UNBOUND)
                if value is not seen[name]:
                    seen[name] = value
                    if value is not UNBOUND:
                        bindings[name].append((value, last_line[0]))
            if event == "line":
                last_line[0] = frame.f_lineno
            return look

        return look(frame, event, arg)

    previous = sys.gettrace()
    sys.settrace(watch)
    try:
        result = caller(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return result, [{name: [(as_plain(value), line) for value, line in bound] for name, bound in call.items()}
                    for call in calls]


def trace_locals(function, names, *args, **kwargs):
    """Call function(*args, **kwargs) and read its local variables as it runs.

    Returns (its result, {name: [each value the name was bound to, in order]}),
    Values as floats. A name that is not a local variable of the function
    raises ProbeError.
    """
    result, calls = trace_calls(function, names, function, *args, **kwargs)
    merged = {name: [value for call in calls for value, _ in call[name]] for name in names}
    return result, merged


@functools.lru_cache(maxsize=None)
def statement_at(function, line):
    """(first line, source on one line without its comment) of the simple
    statement of function that spans line."""
    filename = inspect.getsourcefile(function)
    source_lines, first = inspect.getsourcelines(function)
    tree = ast.parse(textwrap.dedent("".join(source_lines)))
    start, end = line, line
    for node in ast.walk(tree):
        is_simple = isinstance(node, ast.stmt) and not hasattr(node, "body")
        if is_simple and node.lineno + first - 1 <= line <= node.end_lineno + first - 1:
            start, end = node.lineno + first - 1, node.end_lineno + first - 1
            break
    text = " ".join(linecache.getline(filename, n).strip() for n in range(start, end + 1))
    return start, strip_comment(text)


def strip_comment(text):
    """The statement without its trailing # comment (a # inside quotes stays)."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return text[:i].rstrip()
    return text


# ---------------------------------------------------------------- probes


def score(step, snapshot, name):
    """The step's forward pass on one name with the snapshot's model.

    Returns {"tokens", "probs" (per position: the distribution over the next
    token), "target_probs", "losses" (per position), "loss"}.
    """
    module = module_of(step)
    state_dict = restore(step, snapshot)
    tokens = encode(name)
    loss, traced = trace_locals(module.forward, ["probs", "losses"], state_dict, tokens)
    probs = traced["probs"]
    if not traced["losses"]:
        raise ProbeError(f"{module.__name__}.forward never bound 'losses': the probe must follow the code")
    losses = traced["losses"][-1]
    targets = tokens[1:len(probs) + 1]
    return {
        "tokens": tokens,
        "probs": probs,
        "target_probs": [p[t] for p, t in zip(probs, targets)],
        "losses": losses,
        "loss": as_plain(loss),
    }


def gradients(step, snapshot, name):
    """d(loss)/d(each parameter) for one name: {matrix name: matrix of floats}.

    Steps 2-5 by loss.backward() on the restored Values; step 1 by its
    hand-derived analytic_gradient.
    """
    module = module_of(step)
    if step == 0:
        raise ProbeError("step 0 counts: it has no gradients (steps 1-5 have)")
    state_dict = restore(step, snapshot)
    tokens = encode(name)
    if step == 1:
        loss, grad = module.analytic_gradient(state_dict, tokens)
        return {key: [[float(g) for g in row] for row in matrix] for key, matrix in grad.items()}
    loss = module.forward(state_dict, tokens)
    loss.backward()
    return {key: [[float(p.grad) for p in row] for row in matrix] for key, matrix in state_dict.items()}


def gradient_check_at(snapshot, name):
    """Step 1's two gradients for one name, flat, in the parameters' order:
    {"numerical", "analytic", "loss_n", "loss_a"}."""
    module = module_of(1)
    state_dict = restore(1, snapshot)
    tokens = encode(name)
    loss_n, numerical = module.numerical_gradient(state_dict, tokens)
    loss_a, grad = module.analytic_gradient(state_dict, tokens)
    return {"numerical": numerical, "analytic": module.flatten(grad), "loss_n": loss_n, "loss_a": loss_a}


def graph_size(step, snapshot, name):
    """How many distinct Values the graph of one name's loss holds (steps 2-5):
    what autograd costs, counted the same way every time."""
    return graph_census(step, snapshot, name)["values"]


def graph_census(step, snapshot, name):
    """The graph of one name's loss, counted (steps 2-5): {"values": every
    distinct Value in it, "parameters": those that are the model's parameters,
    "constants": the other leaves (plain numbers wrapped on the way, like the
    0 that sum() starts from), "computed": those an operation made}. Constants
    and computed Values are the ones the forward pass built."""
    module = module_of(step)
    if step < 2:
        raise ProbeError(f"step {step} computes with plain numbers: it builds no graph (steps 2-5 do)")
    state_dict = restore(step, snapshot)
    loss = module.forward(state_dict, encode(name))
    seen = {loss}
    stack = [loss]
    while stack:
        for child in stack.pop()._children:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    params = set(module_of(2).parameters(state_dict))  # every step's state_dict: {name: matrix}
    leaves = [v for v in seen if not v._children]
    in_graph = sum(1 for v in leaves if v in params)
    return {"values": len(seen), "parameters": in_graph, "constants": len(leaves) - in_graph,
            "computed": len(seen) - len(leaves)}


GPT_LOCALS = ["token_id", "pos_id", "tok_emb", "pos_emb", "x", "q", "k", "v",
              "attn_logits", "attn_weights", "x_attn", "logits"]


def internals(step, snapshot, name):
    """What the transformer computes at each position of one name (steps 3-5).

    One dict per position: {"pos", "token", "tok_emb", "pos_emb", "x" (each
    value x was bound to, as {"line": the statement that bound it, "lineno":
    its line number in the source, "value"}), "layers" (per
    layer: "q", "k", "v", "attn_logits" and "attn_weights" (one list per
    head, over the positions so far), "x_attn"), "logits"}. Read by tracing
    the step's own gpt() while its forward() runs.
    """
    module = module_of(step)
    if step < 3:
        raise ProbeError(f"step {step} has no attention: internals() reads steps 3-5")
    forward = module.forward
    gpt = forward.__globals__.get("gpt")
    if gpt is None:
        raise ProbeError(f"{forward.__module__}.forward calls no gpt() any more: the probe must follow the code")
    n_layer = gpt.__globals__.get("n_layer", 1)
    n_head = gpt.__globals__.get("n_head", 1)
    state_dict = restore(step, snapshot)
    _, calls = trace_calls(gpt, GPT_LOCALS, forward, state_dict, encode(name))
    positions = []
    for call in calls:
        values = {key: [value for value, _ in call[key]] for key in GPT_LOCALS}
        for key, count in [("q", n_layer), ("k", n_layer), ("v", n_layer), ("x_attn", n_layer),
                           ("attn_logits", n_layer * n_head), ("attn_weights", n_layer * n_head),
                           ("token_id", 1), ("pos_id", 1), ("tok_emb", 1), ("pos_emb", 1), ("logits", 1)]:
            if len(values[key]) != count:
                raise ProbeError(f"{gpt.__module__}.gpt bound {key!r} {len(values[key])} times in one call, "
                                 f"not {count}: the probe must follow the code")
        positions.append({
            "pos": values["pos_id"][0],
            "token": values["token_id"][0],
            "tok_emb": values["tok_emb"][0],
            "pos_emb": values["pos_emb"][0],
            "x": [dict(zip(("lineno", "line"), statement_at(gpt, line)), value=value) for value, line in call["x"]],
            "layers": [{
                "q": values["q"][li],
                "k": values["k"][li],
                "v": values["v"][li],
                "attn_logits": values["attn_logits"][li * n_head:(li + 1) * n_head],
                "attn_weights": values["attn_weights"][li * n_head:(li + 1) * n_head],
                "x_attn": values["x_attn"][li],
            } for li in range(n_layer)],
            "logits": values["logits"][0],
        })
    return positions
