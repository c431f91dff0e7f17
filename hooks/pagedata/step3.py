"""Names that describe a transformer step as a whole: its architecture drawn as a flow
with what is new since an earlier step marked, its parameters matrix by matrix, and a
comparison of two steps' settings. Steps 3-5 (the Step 4 and 5 flows follow their code).

Nothing here is typed knowledge about the code that the build does not check: every
block of a flow names a fragment of the step's source that must be there (or the build
fails), a block is "new" when its fragment is not in the earlier step's source, and a
matrix is new or changed by comparing the two runs' snapshots. A block may also name the
fragment of the earlier step's source it replaces (which must be there too): it is then
"renamed" when it is that fragment with the layer prefix added to its matrix names, and
"changed" otherwise; a matrix whose name is an earlier matrix's with a layer prefix
(layer0.attn_wq, attn_wq) is "renamed".
"""

import ast
import inspect
import re
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

# Step 4: the blocks sit in a loop over layers ({"loop": (what, code), "blocks": [...]}), their
# matrices are named per layer ("layer{li}.attn_wq": drawn once per layer the run has), and a
# block may name the fragment of the earlier code it replaces (a fourth item).
LAYER = "layer{li}."
FLOWS[4] = [
    FLOWS[3][0],
    {"loop": ("The layer loop: the two blocks below, once for each layer li (n_layer = {n_layer} here)",
              "for li in range(n_layer)"),
     "blocks": [
        ("Multi-head attention block (layer li)", [
            ("keep x for the residual", "x_residual = x", []),
            ("RMSNorm", "x = rmsnorm(x)", []),
            ("query, key and value: three projections of x", 'linear(x, state_dict[f"layer{li}.attn_wq"])',
             [LAYER + "attn_wq", LAYER + "attn_wk", LAYER + "attn_wv"], 'linear(x, state_dict["attn_wq"])'),
            ("KV cache: this layer's own lists get this position's key and value", "keys[li].append(k)", [],
             "keys.append(k)"),
            ("cut q, k and v into {n_head} heads of {head_dim} numbers: head h reads its own slice",
             "q_h = q[hs:hs + head_dim]", []),
            ("per head: scores q_h·k_h / √{head_dim} over the positions so far, then its own softmax",
             "/ head_dim**0.5", [], "/ n_embd**0.5"),
            ("per head: the weighted sum of its slices of the values", "attn_weights[t] * v_h[t][j]", [],
             "attn_weights[t] * values[t][j]"),
            ("join the heads' outputs: x_attn, {n_embd} numbers again", "x_attn.extend(head_out)", []),
            ("output projection", 'linear(x_attn, state_dict[f"layer{li}.attn_wo"])', [LAYER + "attn_wo"],
             'linear(x_attn, state_dict["attn_wo"])'),
            ("add the residual", "zip(x, x_residual)", []),
        ]),
        ("MLP block (layer li)", [
            ("keep x for the residual", "x_residual = x", []),
            ("RMSNorm", "x = rmsnorm(x)", []),
            ("first layer", 'linear(x, state_dict[f"layer{li}.mlp_fc1"])', [LAYER + "mlp_fc1"],
             'linear(x, state_dict["mlp_fc1"])'),
            ("ReLU", "xi.relu()", []),
            ("second layer", 'linear(x, state_dict[f"layer{li}.mlp_fc2"])', [LAYER + "mlp_fc2"],
             'linear(x, state_dict["mlp_fc2"])'),
            ("add the residual", "zip(x, x_residual)", []),
        ]),
     ]},
    FLOWS[3][3],
]


def source_of(step):
    return inspect.getsource(replay.module_of(step))


def shapes(run):
    return {name: (len(m), len(m[0])) for name, m in run.snapshot(0).items()}


def unprefixed(name):
    """A matrix's name without its layer prefix: layer0.attn_wq -> attn_wq (a name without one stays)."""
    return re.sub(r"^layer\d+\.", "", name)


def earlier_name(name, old_shapes):
    """The earlier run's name for a matrix: its own, else its name without the layer prefix, else None."""
    if name in old_shapes:
        return name
    return unprefixed(name) if unprefixed(name) in old_shapes else None


def status(run, before, code, matrices, was=None):
    """'new', 'changed' (a matrix of another shape, or code that replaces the earlier fragment `was`),
    'renamed' (`was` with the layer prefix added to its matrix names) or '' for one block of the flow."""
    old_shapes = shapes(before)
    mine = shapes(run)
    old_source = source_of(before.number)
    if was is not None and was not in old_source:
        raise DirectiveError(f"the flow of step {run.number} says `{code}` replaces `{was}`, which step"
                             f" {before.number}'s code does not have: update FLOWS in hooks/pagedata/step3.py")
    if any(earlier_name(name, old_shapes) is None for name in matrices) or (code not in old_source and was is None):
        return "new"
    if any(old_shapes[earlier_name(name, old_shapes)] != mine[name] for name in matrices):
        return "changed"
    if was is not None:
        return "renamed" if code.replace('f"' + LAYER, '"') == was else "changed"
    if any(name not in old_shapes for name in matrices):
        return "renamed"
    return ""


def model_settings(run):
    """The settings a flow's words may name ({n_embd}, {n_head}, {head_dim}, {n_layer}), from the code
    that defines the step's gpt() (Step 5 takes Step 4's)."""
    module = replay.module_of(run.number)
    defined = {**module.forward.__globals__, **vars(module)}
    return {key: defined[key] for key in ("n_embd", "n_head", "head_dim", "n_layer") if key in defined}


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
    settings = model_settings(run)
    mine = shapes(run)

    def present(code):
        if code not in source:
            raise DirectiveError(f"the flow of step {run.number} shows `{code}`, which its code no longer"
                                 " has: update FLOWS in hooks/pagedata/step3.py")

    def block(title, steps):
        items = []
        for what, code, matrices, *was in steps:
            present(code)
            # a matrix named per layer stands for one matrix of each layer the run has
            if any(LAYER in m for m in matrices):
                matrices = [m.format(li=li) for li in range(settings["n_layer"]) for m in matrices]
            state = status(run, earlier, code, matrices, *was)
            sizes = ", ".join(f'<span class="mgv-flow__size"><code>{m}</code> {mine[m][0]}×{mine[m][1]}</span>'
                              for m in matrices)
            items.append(
                f'<li class="mgv-flow__step{" mgv-flow__step--" + state if state else ""}">'
                f'<span class="mgv-flow__what">{escape(what.format(**settings))}{badge(state)}</span>'
                f'<code class="mgv-flow__code">{escape(code)}</code>'
                + (f'<span class="mgv-flow__sizes">{sizes}</span>' if sizes else "") + "</li>")
        return (f'<li class="mgv-flow__block"><span class="mgv-flow__title">{escape(title)}</span>'
                f'<ol class="mgv-flow__steps">{"".join(items)}</ol></li>')

    blocks = []
    for part in flow:
        if isinstance(part, dict):   # a loop around blocks
            what, code = part["loop"]
            present(code)
            state = "new" if code not in source_of(earlier.number) else ""
            inner = "".join(block(title, steps) for title, steps in part["blocks"])
            blocks.append(f'<li class="mgv-flow__block mgv-flow__loop{" mgv-flow__loop--" + state if state else ""}">'
                          f'<span class="mgv-flow__title">{escape(what.format(**settings))}{badge(state)}</span>'
                          f'<code class="mgv-flow__code">{escape(code)}</code>'
                          f'<ol class="mgv-flow__blocks">{inner}</ol></li>')
        else:
            blocks.append(block(*part))
    vocab = run.facts["vocab_size"]
    marks = "new, changed or renamed" if "mgv-flow__badge--renamed" in "".join(blocks) else "new or changed"
    caption = (f"Step {run.number}'s model, from a token and its position to {vocab} logits; "
               f"marked: what is {marks} since Step {earlier.number}")
    return (f'<figure class="mgv-figure mgv-flow"><ol class="mgv-flow__blocks">{"".join(blocks)}</ol>'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


@table(runs=TRANSFORMERS)
def param_table(page, before: int, run: int = None):
    """Every parameter matrix of the run: shape, how many numbers, and whether it is new since run `before`."""
    run = page.run(run)
    old = shapes(page.run(before))
    rows = []
    for name, (r, c) in shapes(run).items():
        was = earlier_name(name, old)
        state = "new" if was is None else ("changed" if old[was] != (r, c) else "")
        if state == "changed":
            state = f"changed (was {old[was][0]}×{old[was][1]})"
        if was is not None and was != name:   # the same matrix under a layer-prefixed name
            state = f"renamed (was <code>{escape(was)}</code>)" + (f", {state}" if state else "")
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
