"""Names that describe a transformer step as a whole: its architecture drawn as a flow
with what is new since an earlier step marked, its parameters matrix by matrix, and a
comparison of two steps' settings. Steps 3-5 (the Step 4 and 5 flows follow their code).

Nothing here is typed knowledge about the code that the build does not check: every
block of a flow names a fragment of the step's source that must be there (or the build
fails), a block is "new" when its fragment is not in the earlier step's source, and a
matrix is new or changed by comparing the two runs' snapshots.
"""

import ast
import inspect
from html import escape

from hooks import render
from hooks.directives import DirectiveError
from hooks.pagedata import fmt_int, table, value
from microgpt import replay

TRANSFORMERS = (3, 4, 5)

# A flow: (block title, [(what it does, the code it stands for, the matrices it reads)]).
FLOWS = {
    3: [
        ("Embeddings", [
            ("token embedding: the token's row", 'state_dict["wte"][token_id]', ["wte"]),
            ("position embedding: the position's row", 'state_dict["wpe"][pos_id]', ["wpe"]),
            ("add them: what the token is, and where", "zip(tok_emb, pos_emb)", []),
            ("RMSNorm", "x = rmsnorm(x)", []),
        ]),
        ("Attention block", [
            ("keep x for the residual", "x_residual = x", []),
            ("RMSNorm", "x = rmsnorm(x)", []),
            ("query, key and value: three projections of x", 'linear(x, state_dict["attn_wq"])',
             ["attn_wq", "attn_wk", "attn_wv"]),
            ("KV cache: this position's key and value join the earlier ones", "keys.append(k)", []),
            ("scores q·k / √{n_embd} over the positions so far, then softmax", "softmax(attn_logits)", []),
            ("the weighted sum of the values", "attn_weights[t] * values[t][j]", []),
            ("output projection", 'linear(x_attn, state_dict["attn_wo"])', ["attn_wo"]),
            ("add the residual", "zip(x, x_residual)", []),
        ]),
        ("MLP block", [
            ("keep x for the residual", "x_residual = x", []),
            ("RMSNorm", "x = rmsnorm(x)", []),
            ("first layer", 'linear(x, state_dict["mlp_fc1"])', ["mlp_fc1"]),
            ("ReLU", "xi.relu()", []),
            ("second layer", 'linear(x, state_dict["mlp_fc2"])', ["mlp_fc2"]),
            ("add the residual", "zip(x, x_residual)", []),
        ]),
        ("Output", [
            ("logits: one per token of the vocabulary", 'linear(x, state_dict["lm_head"])', ["lm_head"]),
        ]),
    ],
}


def source_of(step):
    return inspect.getsource(replay.module_of(step))


def shapes(run):
    return {name: (len(m), len(m[0])) for name, m in run.snapshot(0).items()}


def status(run, before, code, matrices):
    """'new', 'changed' (a matrix of another shape) or '' for one block of the flow."""
    old_shapes = shapes(before)
    mine = shapes(run)
    if any(name not in old_shapes for name in matrices) or code not in source_of(before.number):
        return "new"
    if any(old_shapes[name] != mine[name] for name in matrices):
        return "changed"
    return ""


def badge(state):
    if not state:
        return ""
    return f' <strong class="mgv-flow__badge mgv-flow__badge--{state}">{state}</strong>'


@table(runs=TRANSFORMERS)
def architecture(page, before: int, run: int = None):
    """The step's model as a flow of blocks, from token to logits, each with its code and matrices;
    what is new (or changed) since run `before` marked."""
    run = page.run(run)
    earlier = page.run(before)
    flow = FLOWS.get(run.number)
    if flow is None:
        raise DirectiveError(f"no flow is written for step {run.number} (hooks/pagedata/step3.py FLOWS)")
    source = source_of(run.number)
    n_embd = len(run.snapshot(0)["wte"][0])
    mine = shapes(run)
    blocks = []
    for title, steps in flow:
        items = []
        for what, code, matrices in steps:
            if code not in source:
                raise DirectiveError(f"the flow of step {run.number} shows `{code}`, which its code no longer"
                                     " has: update FLOWS in hooks/pagedata/step3.py")
            state = status(run, earlier, code, matrices)
            sizes = ", ".join(f'<span class="mgv-flow__size"><code>{m}</code> {mine[m][0]}×{mine[m][1]}</span>'
                              for m in matrices)
            items.append(
                f'<li class="mgv-flow__step{" mgv-flow__step--" + state if state else ""}">'
                f'<span class="mgv-flow__what">{escape(what.format(n_embd=n_embd))}{badge(state)}</span>'
                f'<code class="mgv-flow__code">{escape(code)}</code>'
                + (f'<span class="mgv-flow__sizes">{sizes}</span>' if sizes else "") + "</li>")
        blocks.append(f'<li class="mgv-flow__block"><span class="mgv-flow__title">{escape(title)}</span>'
                      f'<ol class="mgv-flow__steps">{"".join(items)}</ol></li>')
    vocab = run.facts["vocab_size"]
    caption = (f"Step {run.number}'s model, from a token and its position to {vocab} logits; "
               f"marked: what is new or changed since Step {earlier.number}")
    return (f'<figure class="mgv-figure mgv-flow"><ol class="mgv-flow__blocks">{"".join(blocks)}</ol>'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


@table(runs=TRANSFORMERS)
def param_table(page, before: int, run: int = None):
    """Every parameter matrix of the run: shape, how many numbers, and whether it is new since run `before`."""
    run = page.run(run)
    old = shapes(page.run(before))
    rows = []
    for name, (r, c) in shapes(run).items():
        state = "new" if name not in old else ("changed" if old[name] != (r, c) else "")
        if state == "changed":
            state = f"changed (was {old[name][0]}×{old[name][1]})"
        rows.append([f"<code>{escape(name)}</code>", f"{r}×{c}", fmt_int(r * c), state])
    total = sum(r * c for r, c in shapes(run).values())
    html = render.html_table(["matrix", "shape", "numbers", f"since Step {before}"], rows,
                             final=["<strong>in all</strong>", "", f"<strong>{fmt_int(total)}</strong>", ""])
    return f'<div class="mgv-param-table">{html}</div>'   # step3.css: fits a phone whole


def model_function(step):
    """The function forward() calls for the logits: mlp (Steps 1-2) or gpt (Steps 3-5), read from the code."""
    module = replay.module_of(step)
    tree = ast.parse(inspect.getsource(module.forward))
    called = [node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
    found = [name for name in called if name in ("mlp", "gpt")]
    if len(set(found)) != 1:
        raise DirectiveError(f"cannot tell which model step {step}'s forward() calls")
    return found[0]


def context_of(step):
    """How many tokens the model sees when it guesses the next one."""
    size = getattr(replay.module_of(step), "block_size", None)
    return "the current token only" if size is None else f"up to {size} tokens: the current one and those before it"


@table(runs=(2, 3, 4, 5))
def compare_steps(page, before: int, run: int = None):
    """Two steps side by side: parameters, learning rate, what the model sees, the model function, final loss."""
    run = page.run(run)
    earlier = page.run(before)
    last = len(run.steps)
    first = max(1, last - 99)

    def mean(r):
        return sum(s["loss"] for s in r.steps[first - 1:last]) / (last - first + 1)

    rows = [
        ["parameters", fmt_int(earlier.facts["num_params"]), fmt_int(run.facts["num_params"])],
        ["learning rate (first step)", repr(replay.module_of(earlier.number).learning_rate),
         repr(replay.module_of(run.number).learning_rate)],
        ["the model sees", context_of(earlier.number), context_of(run.number)],
        ["the model", f"<code>{model_function(earlier.number)}()</code>", f"<code>{model_function(run.number)}()</code>"],
        [f"mean loss, steps {fmt_int(first)} to {fmt_int(last)}", f"{mean(earlier):.4f}", f"{mean(run):.4f}"],
    ]
    return render.html_table(["setting", f"Step {earlier.number}", f"Step {run.number}"], rows)


@value(runs=TRANSFORMERS)
def block_size(page, run: int = None):
    """The longest context the model reads: block_size positions (BOS and up to block_size - 1 letters)."""
    return str(replay.module_of(page.run(run).number).block_size)
