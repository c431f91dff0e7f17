"""Step 2's small graph (pages 2.2 to 2.5): microgpt.graph_example.two_token_loss(), built
with the real Value class and walked by the real backward(), both watched from outside.

Nothing here computes what microgpt computes. The forward pass is watched with a profile
hook (sys.setprofile): every Value.__init__ call says which Value was made, by which Value
methods (the sugar's chain, e.g. __truediv__ then __pow__) and at which line of the
example; the example's local variables, read as it returns, name the Values. backward() is
watched line by line (sys.settrace): the `topo` list it sorted, each Value it visits, and
every `child.grad += local_grad * v.grad` with the child's grad before and after, and all
the grads each time the walk moves on. The build only lays the graph out (layers by depth)
and words what it saw.
"""

import functools
import inspect
import sys
from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import frames_file, player, table, value
from microgpt import autograd, graph_example, replay

STEP2 = (2,)
EXAMPLE = graph_example.two_token_loss
DIGITS = 4           # significant digits of every number the graph shows (svg.fmt, MGV.kit.fmt)
MINUS = "\u2212"

# The layout, in SVG units: boxes of three lines (what the Value is, data, grad) in rows by depth.
BOX_W, BOX_H = 156, 58
ROW_GAP = 42         # room between rows for the arrows and their local gradients
MIN_GAP = 26         # between two boxes of one row
LANE = 14            # the width an arrow passing through a row takes
MARGIN = 10
ARROW_SPREAD = 30    # how far apart the arrows into one box end


def fmt(x):
    return svg.fmt(x, DIGITS)


def plain(text):
    """A label as directives spell it: ASCII minus signs."""
    return text.replace(MINUS, "-")


# ---------------------------------------------------------------- watching the real code


def watch_forward():
    """Run the example under a profile hook: (loss, [(Value, method chain, line, power)] in the
    order the Values were made, the example's local variables as it returned)."""
    code = EXAMPLE.__code__
    init = autograd.Value.__init__.__code__
    made, final = [], {}

    def profile(frame, event, arg):
        if event == "call" and frame.f_code is init:
            chain, power, outer = [], None, frame.f_back
            while outer is not None and outer.f_code is not code:
                chain.append(outer.f_code.co_name)
                if outer.f_code.co_name == "__pow__":
                    power = outer.f_locals.get("power")
                outer = outer.f_back
            if outer is not None:
                made.append((frame.f_locals["self"], chain[::-1], outer.f_lineno, power))
        elif event == "return" and frame.f_code is code:
            final.update(frame.f_locals)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        loss = EXAMPLE()
    finally:
        sys.setprofile(previous)
    return loss, made, final


def source_line(function, text):
    """The line number of the one line of function's source that starts with text."""
    lines, first = inspect.getsourcelines(function)
    found = [first + i for i, line in enumerate(lines) if line.strip().startswith(text)]
    if len(found) != 1:
        raise DirectiveError(f"{function.__qualname__} has {len(found)} lines starting with {text!r}, not 1:"
                             " the page must follow the code (hooks/pagedata/step2_graph.py)")
    return found[0]


def watch_backward(loss, values):
    """Run loss.backward() under a line tracer. Returns {"topo": indices in the order it sorted
    them, "visits": indices in the order it visited them, "adds": [{v, child, local, vgrad,
    before, after}] for each `child.grad += local_grad * v.grad`, "states": every grad each
    time the walk moved on to the next Value (the first: just after self.grad = 1)}."""
    backward = autograd.Value.backward
    code = backward.__code__
    start = source_line(backward, "self.grad = 1")
    outer = source_line(backward, "for v in reversed(topo):")
    inner = source_line(backward, "for child, local_grad in zip(")
    add = source_line(backward, "child.grad += local_grad * v.grad")
    index = {id(v): k for k, v in enumerate(values)}
    seen = {"topo": None, "visits": [], "adds": [], "states": []}
    pending = []

    def local(frame, event, arg):
        if pending:  # the += of the previous line has run: read the child's grad now
            entry, child = pending.pop()
            entry["after"] = child.grad
            seen["adds"].append(entry)
        if event != "line":
            return local
        names = frame.f_locals
        if frame.f_lineno == start:
            seen["topo"] = [index[id(v)] for v in names["topo"]]
        elif frame.f_lineno == outer:
            seen["states"].append([v.grad for v in values])
        elif frame.f_lineno == inner:
            k = index[id(names["v"])]
            if not seen["visits"] or seen["visits"][-1] != k:
                seen["visits"].append(k)
        elif frame.f_lineno == add:
            v, child = names["v"], names["child"]
            pending.append(({"v": index[id(v)], "child": index[id(child)], "local": names["local_grad"],
                             "vgrad": v.grad, "before": child.grad}, child))
        return local

    def watch(frame, event, arg):
        return local if frame.f_code is code else None

    previous = sys.gettrace()
    sys.settrace(watch)
    try:
        loss.backward()
    finally:
        sys.settrace(previous)
    return seen


def expression(op, children, power):
    """What a Value is, from the method that made it and its children's labels."""
    def part(label):
        return f"({label})" if " " in label else label
    if op == "__add__":
        return f"{part(children[0])} + {part(children[1])}"
    if op == "__mul__":
        return f"{part(children[0])} * {part(children[1])}"
    if op == "__pow__":
        return f"{part(children[0])}**{plain(fmt(power))}"
    if len(children) == 1:
        return f"{part(children[0])}.{op}()"
    return f"{op}({', '.join(children)})"


@functools.lru_cache(maxsize=None)
def graph():
    """The example, watched: {"nodes": [{label, name, op, chain, expr, data, grad, children,
    locals, line, lineno}] in the order they were made, "loss" (its index), "before" (every grad
    before backward()), "forward_data", "topo", "visits", "adds", "states"}. Once per build (the
    build imports hooks and microgpt afresh each time)."""
    loss, made, final = watch_forward()
    values = [v for v, _, _, _ in made]
    index = {id(v): k for k, v in enumerate(values)}
    if id(loss) not in index:
        raise DirectiveError("two_token_loss() returned a Value it did not make")
    names = {}
    for name, obj in final.items():
        if isinstance(obj, autograd.Value) and id(obj) in index:
            names.setdefault(index[id(obj)], name)
    before = [v.grad for v in values]
    forward_data = [v.data for v in values]
    seen = watch_backward(loss, values)

    nodes = []
    for k, (v, chain, line, power) in enumerate(made):
        children = [index[id(c)] for c in v._children]
        op = chain[-1] if children else None
        name = names.get(k)
        if name is None and not children:
            label = fmt(v.data)                      # a plain number the sugar wrapped
        elif name is None:
            label = expression(op, [nodes[c]["label"] for c in children], power)
        else:
            label = name
        expr = expression(op, [nodes[c]["label"] for c in children], power) if children else None
        start, statement = replay.statement_at(EXAMPLE, line)
        nodes.append({
            "label": label, "name": name, "op": op, "chain": chain, "expr": expr,
            "data": v.data, "grad": v.grad, "children": children, "locals": list(v._local_grads),
            "line": statement, "lineno": start,
        })
    labels = [plain(n["label"]) for n in nodes]
    if len(set(labels)) != len(labels):
        raise DirectiveError("two Values of the example would be labelled alike: give them names")
    if seen["topo"] is None or len(seen["states"]) != len(seen["visits"]) + 1:
        raise DirectiveError("backward() was not seen sorting and walking as expected: the page must follow"
                             " the code (hooks/pagedata/step2_graph.py)")
    if seen["visits"] != seen["topo"][::-1]:
        raise DirectiveError("backward() did not visit the Values in reversed topological order:"
                             " the page must follow the code")
    return {"nodes": nodes, "loss": index[id(loss)], "before": before, "forward_data": forward_data, **seen}


def node_index(g, node):
    wanted = plain(node)
    for k, n in enumerate(g["nodes"]):
        if plain(n["label"]) == wanted:
            return k
    known = ", ".join(plain(n["label"]) for n in g["nodes"])
    raise DirectiveError(f"node={node!r}: the example's Values are {known}")


def edge(g, parent, child):
    p, c = node_index(g, parent), node_index(g, child)
    n = g["nodes"][p]
    if c not in n["children"]:
        kids = ", ".join(g["nodes"][k]["label"] for k in n["children"]) or "none"
        raise DirectiveError(f"{child} is not a child of {parent}: {parent}'s children are {kids}")
    return p, c, n["locals"][n["children"].index(c)]


# ---------------------------------------------------------------- layout


def layout(g):
    """Rows by depth: a Value's depth is the longest path from it to the loss, and the inputs
    stand in the top row. An arrow that skips rows passes through them in a narrow lane.
    x: a Value's children's mean (with the lanes in between), spread so nothing overlaps.
    Returns (positions {node: (x, y) of the box's top left}, arrows [(child, parent, points)],
    width, height)."""
    nodes = g["nodes"]
    depth = {g["loss"]: 0}
    for v in g["visits"]:   # parents before children
        for c in nodes[v]["children"]:
            depth[c] = max(depth.get(c, 0), depth[v] + 1)
    rows = max(depth.values())
    row_of = {k: rows - d for k, d in depth.items()}
    slots = {}                                    # (kind, key) -> {"row", "x", "w"}
    order = {r: [] for r in range(rows + 1)}
    lanes = {}                                    # (child, parent) -> [lane keys, top to bottom]
    for k in range(len(nodes)):                   # children were made before their parents
        r = row_of[k]
        inputs = []
        for c in nodes[k]["children"]:
            key = ("node", c)
            chain = []
            for between in range(row_of[c] + 1, r):
                lane = ("lane", (c, k, between))
                slots[lane] = {"row": between, "x": slots[key]["x"], "w": LANE}
                order[between].append(lane)
                chain.append(lane)
                key = lane
            lanes[(c, k)] = chain
            inputs.append(slots[key]["x"])
        if inputs:
            x = sum(inputs) / len(inputs)
        else:
            taken = [slots[s]["x"] for s in order[r]]
            x = max(taken) + BOX_W + MIN_GAP if taken else 0.0
        slots[("node", k)] = {"row": r, "x": x, "w": BOX_W}
        order[r].append(("node", k))
    for r in range(rows + 1):                     # spread each row: push right what overlaps
        row = sorted(order[r], key=lambda s: slots[s]["x"])
        for a, b in zip(row, row[1:]):
            room = (slots[a]["w"] + slots[b]["w"]) / 2 + (MIN_GAP if a[0] == b[0] == "node" else MIN_GAP / 2)
            slots[b]["x"] = max(slots[b]["x"], slots[a]["x"] + room)
    left = min(s["x"] - s["w"] / 2 for s in slots.values())
    right = max(s["x"] + s["w"] / 2 for s in slots.values())
    width = right - left + 2 * MARGIN
    height = (rows + 1) * BOX_H + rows * ROW_GAP + 2 * MARGIN

    def top(r):
        return MARGIN + r * (BOX_H + ROW_GAP)

    def cx(key):
        return slots[key]["x"] - left + MARGIN

    positions = {k: (cx(("node", k)) - BOX_W / 2, top(row_of[k])) for k in range(len(nodes))}
    arrows = []
    for (c, k), chain in lanes.items():
        points = [(cx(("node", c)), top(row_of[c]) + BOX_H)]
        for lane in chain:
            x, r = cx(lane), slots[lane]["row"]
            points += [(x, top(r) - ROW_GAP / 2 + 6), (x, top(r) + BOX_H + ROW_GAP / 2 - 6)]
        kids = nodes[k]["children"]
        spread = (kids.index(c) - (len(kids) - 1) / 2) * ARROW_SPREAD   # each child's arrow to its own spot
        points.append((cx(("node", k)) + spread, top(row_of[k])))
        arrows.append((c, k, points))
    return positions, arrows, width, height


# ---------------------------------------------------------------- drawing


def coord(v):
    """A coordinate as the kit writes it (svg._c): one decimal."""
    return svg._c(v)


def node_markup(n, k, x, y, grad):
    head = escape(n["label"] if n["expr"] is None or n["name"] is None else f"{n['name']} = {n['expr']}")
    kind = "leaf" if not n["children"] else "op"
    cx = x + BOX_W / 2
    return (f'<g class="mgv-vg-node mgv-vg-node--{kind}" data-node="{k}">'
            f'<rect class="mgv-vg-box" x="{coord(x)}" y="{coord(y)}" width="{BOX_W}" height="{BOX_H}" rx="5"/>'
            f'<text class="mgv-vg-head" x="{coord(cx)}" y="{coord(y + 17)}" text-anchor="middle">{head}</text>'
            f'<text class="mgv-vg-line" x="{coord(cx)}" y="{coord(y + 34)}" text-anchor="middle">'
            f'<tspan class="mgv-vg-key">data </tspan><tspan class="mgv-vg-data">{fmt(n["data"])}</tspan></text>'
            f'<text class="mgv-vg-line" x="{coord(cx)}" y="{coord(y + 50)}" text-anchor="middle">'
            f'<tspan class="mgv-vg-key">grad </tspan><tspan class="mgv-vg-grad">{fmt(grad)}</tspan></text>'
            "</g>")


def arrow_markup(g, child, parent, points, uid, middle):
    """One arrow, child to parent, with its local gradient: on the arrow (on a halo of the page's
    colour) at its middle; beside it, on the outer side, for an arrow that passes through rows."""
    n = g["nodes"][parent]
    local = n["locals"][n["children"].index(child)]
    d = "M" + "L".join(f"{coord(x)} {coord(y)}" for x, y in points)
    if len(points) == 2:
        (x1, y1), (x2, y2) = points
        lx, ly, anchor = (x1 + x2) / 2, (y1 + y2) / 2, "middle"
    else:
        (x1, y1), (x2, y2) = max(zip(points, points[1:]), key=lambda s: abs(s[1][1] - s[0][1]))
        lx, ly = (x1 + x2) / 2, (y1 + y2) / 2
        lx, anchor = (lx - 6, "end") if lx < middle else (lx + 6, "start")
    return (f'<g class="mgv-vg-edge" data-child="{child}" data-parent="{parent}">'
            f'<path class="mgv-vg-arrow" d="{d}" marker-end="url(#{uid}-head)"/>'
            f'<text class="mgv-vg-local" x="{coord(lx)}" y="{coord(ly)}" dy="0.35em" text-anchor="{anchor}">{fmt(local)}</text>'
            "</g>")


def describe(g, grads):
    parts = []
    for k, n in enumerate(g["nodes"]):
        what = n["label"] if n["expr"] is None or n["name"] is None else f"{n['name']} = {n['expr']}"
        made = (" made from " + ", ".join(f"{g['nodes'][ch]['label']} (local gradient {fmt(lg)})"
                                         for ch, lg in zip(n["children"], n["locals"]))) if n["children"] else ""
        parts.append(f"{what}: data {fmt(n['data'])}, grad {fmt(grads[k])}{made}.")
    return f"{len(g['nodes'])} Values, from the inputs to the loss. " + " ".join(parts)


def graph_svg(g, uid, grads, title):
    """The whole graph as the build lays it out, each box showing `grads`."""
    positions, arrows, width, height = layout(g)
    out = [
        f'<div class="mgv-vg-plot"><svg class="mgv-vg" width="{coord(width)}" height="{coord(height)}"'
        f' viewBox="0 0 {coord(width)} {coord(height)}" style="--mgv-width:{coord(width)}px" role="img"'
        f' aria-labelledby="{uid}-title" aria-describedby="{uid}-desc">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(describe(g, grads))}</desc>',
        "<defs>" + "".join(
            f'<marker id="{uid}-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9"'
            f' orient="auto" markerUnits="userSpaceOnUse"><path class="mgv-vg-tip mgv-vg-tip--{kind}" d="M0 1L10 5L0 9z"/></marker>'
            for kind in ("head", "on", "passed")) + "</defs>",
        '<g class="mgv-vg-edges">',
    ]
    out += [arrow_markup(g, child, parent, points, uid, width / 2) for child, parent, points in arrows]
    out.append('</g><g class="mgv-vg-nodes">')
    out += [node_markup(n, k, *positions[k], grads[k]) for k, n in enumerate(g["nodes"])]
    out.append("</g></svg></div>")
    return "".join(out)


# ---------------------------------------------------------------- the words


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def listing(g, ks):
    return ", ".join(g["nodes"][k]["label"] for k in ks)


def ref(n):
    """A Value as a sentence names it: its label, or "the constant −1" for a wrapped number."""
    return f"the constant {n['label']}" if n["name"] is None and not n["children"] else n["label"]


def code_ref(n):
    """A Value as a line of code names it: (−1).grad for a wrapped number."""
    return f"({n['label']})" if n["name"] is None and not n["children"] else n["label"]


def tuple_text(items):
    """As Python writes a tuple: (), (a,), (a, b)."""
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def creation_sentence(g, k):
    """What the forward pass did when it made the k-th Value, in the code's words."""
    n = g["nodes"][k]
    chain = [m if m.startswith("__") else f"{m}()" for m in n["chain"]]
    if not n["children"] and not chain:
        return f"{n['line']}: a Value made from a plain number: {n['label']} = {fmt(n['data'])}, with no children."
    if not n["children"]:
        return (f"{n['line']}: {' calls '.join(chain)}, which wraps the plain number {fmt(n['data'])}"
                " in a Value, with no children.")
    who = chain[0] if len(chain) == 1 else f"{' calls '.join(chain)}, which"
    kids = tuple_text([g["nodes"][ch]["label"] for ch in n["children"]])
    grads = tuple_text([fmt(v) for v in n["locals"]])
    return (f"{n['line']}: {who} makes {n['label']} = {fmt(n['data'])}, with children {kids}"
            f" and local_grads {grads}.")


def visit_sentence(g, step):
    """What backward() did when it visited the step-th Value of its walk."""
    k = g["visits"][step]
    n = g["nodes"][k]
    head = f"Visit {step + 1} of {len(g['visits'])}: {ref(n)}, grad {fmt(g['states'][step][k])}. "
    adds = [a for a in g["adds"] if a["v"] == k]
    if not adds:
        return head + "A leaf: no children, nothing to pass on."
    parts = []
    for a in adds:
        child = code_ref(g["nodes"][a["child"]])
        text = f"{child}.grad += {fmt(a['local'])} × {fmt(a['vgrad'])}"
        if a["before"] == 0:
            text += f", now {fmt(a['after'])}"
        else:
            text += f": from {fmt(a['before'])} to {fmt(a['after'])}, its second share"
        parts.append(text)
    return head + "; ".join(parts) + "."


def add_lines(g, k):
    """The += lines of one visit, as code with the numbers in, and what each did."""
    out = []
    for a in g["adds"]:
        if a["v"] != k:
            continue
        child = code_ref(g["nodes"][a["child"]])
        out.append({"child": a["child"],
                    "code": f"{child}.grad += {fmt(a['local'])} * {fmt(a['vgrad'])}",
                    "note": f"{fmt(a['before'])} → {fmt(a['after'])}"})
    return out


# ---------------------------------------------------------------- values for the prose


@value(runs=STEP2)
def graph_nodes(page):
    """How many Values two_token_loss() makes: the nodes of its graph."""
    return str(len(graph()["nodes"]))


@value(runs=STEP2)
def graph_arrows(page):
    """How many arrows the example's graph has: one per child of each Value (backward()'s += lines)."""
    return str(sum(len(n["children"]) for n in graph()["nodes"]))


@value(runs=STEP2)
def graph_lines(page):
    """How many lines of two_token_loss() make Values."""
    return str(len({n["lineno"] for n in graph()["nodes"]}))


@value(runs=STEP2)
def graph_data(page, node: str):
    """The data of one Value of the example (node=its label: z1, e1, total, p, loss, ...), 4 significant digits."""
    g = graph()
    return fmt(g["nodes"][node_index(g, node)]["data"])


@value(runs=STEP2)
def graph_grad(page, node: str):
    """The grad of one Value of the example after loss.backward(), 4 significant digits."""
    g = graph()
    return fmt(g["nodes"][node_index(g, node)]["grad"])


@value(runs=STEP2)
def graph_local(page, parent: str, child: str):
    """The local gradient a Value of the example keeps for one of its children: d(parent)/d(child)."""
    return fmt(edge(graph(), parent, child)[2])


@value(runs=STEP2)
def graph_share(page, parent: str, child: str):
    """What backward() added to child.grad when it visited parent: local_grad × parent.grad, as observed."""
    g = graph()
    p, ch, _ = edge(g, parent, child)
    found = [a for a in g["adds"] if a["v"] == p and a["child"] == ch]
    return fmt(found[0]["after"] - found[0]["before"])


@value(runs=STEP2)
def graph_visit(page, node: str):
    """When backward() visits one Value of the example, as an ordinal: 1st for the loss, 2nd, ..."""
    g = graph()
    return ordinal(g["visits"].index(node_index(g, node)) + 1)


@value(runs=STEP2)
def graph_topo(page):
    """The example's Values in the order backward() sorts them (every Value after its children)."""
    g = graph()
    return listing(g, g["topo"])


@value(runs=STEP2)
def graph_order(page):
    """The example's Values in the order backward() visits them: the sorted list from its end."""
    g = graph()
    return listing(g, g["visits"])


@value(runs=STEP2)
def graph_made(page, var: str):
    """How many Values the line of the example that binds `var` makes (e.g. var=loss)."""
    g = graph()
    k = next((k for k, n in enumerate(g["nodes"]) if n["name"] == var), None)
    if k is None:
        named = ", ".join(n["name"] for n in g["nodes"] if n["name"])
        raise DirectiveError(f"var={var!r}: the example's variables are {named}")
    line = g["nodes"][k]["lineno"]
    return str(sum(1 for n in g["nodes"] if n["lineno"] == line))


@value(runs=STEP2)
def graph_uses(page, node: str):
    """How many times one Value of the example is used as an input (its arrows out)."""
    g = graph()
    k = node_index(g, node)
    return str(sum(n["children"].count(k) for n in g["nodes"]))


@table(runs=STEP2)
def graph_value_slots(page, node: str):
    """The four slots of one Value of the example: after the forward pass, and after loss.backward()."""
    g = graph()
    k = node_index(g, node)
    n = g["nodes"][k]
    kids = tuple_text([g["nodes"][ch]["label"] for ch in n["children"]])
    local = tuple_text([fmt(v) for v in n["locals"]])
    rows = [
        ["data", fmt(g["forward_data"][k]), fmt(n["data"])],
        ["grad", fmt(g["before"][k]), fmt(n["grad"])],
        ["_children", kids, kids],
        ["_local_grads", local, local],
    ]
    body = "".join(f'<tr><th scope="row"><code>{escape(r[0])}</code></th>'
                   + "".join(f'<td><code>{escape(x)}</code></td>' for x in r[1:]) + "</tr>" for r in rows)
    caption = f"The Value {escape(n['label'])} of two_token_loss(), slot by slot"
    shown = f"The Value <code>{escape(n['label'])}</code> of <code>two_token_loss()</code>, slot by slot"
    return (f'<div class="mgv-scroll mgv-vg-slots" data-label="{caption}"><table><caption>{shown}</caption>'
            '<thead><tr><th scope="col">slot</th><th scope="col">after the forward pass</th>'
            '<th scope="col">after <code>loss.backward()</code></th></tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


# ---------------------------------------------------------------- the players


def zeros(g):
    return list(g["before"])


@player(runs=STEP2)
def value_graph_player(page):
    """two_token_loss()'s graph as the forward pass makes it, Value by Value, then with every grad after backward()."""
    g = graph()
    nodes = g["nodes"]
    steps = [{"node": k, "line": n["line"], "say": creation_sentence(g, k)} for k, n in enumerate(nodes)]
    final = ("After loss.backward(): every grad is filled in, each the slope of the loss along that Value"
             " (the loss's own is 1). The inputs: "
             + ", ".join(f"{n['label']}.grad {fmt(n['grad'])}" for n in nodes if not n["children"] and n["name"]) + ".")
    data = {
        "count": len(nodes),
        "labels": [n["label"] for n in nodes],
        "before": zeros(g),
        "grads": [n["grad"] for n in nodes],
        "steps": steps,
        "final": final,
    }
    url = frames_file(page, "generated/step2/value-graph.json", data)
    title = f"The graph of two_token_loss(): {len(nodes)} Values, each with its data and, after backward(), its grad"
    figure = graph_svg(g, "vg-graph", [n["grad"] for n in nodes], title)
    return render.player_shell("value-graph", url, figure,
                               "The graph of <code>two_token_loss()</code> after <code>loss.backward()</code>:"
                               " each box a Value, each arrow from a child to the Value made from it,"
                               " labelled with its local gradient")


def walk_table(g):
    rows = []
    for step, k in enumerate(g["visits"]):
        lines = add_lines(g, k)
        cell = "<br>".join(f'<code>{escape(line["code"])}</code> ({escape(line["note"])})'
                           for line in lines) or "a leaf: nothing to pass on"
        rows.append(f'<tr><th scope="row">{step + 1}. {escape(ref(g["nodes"][k]))}</th>'
                    f'<td><span class="mgv-nowrap">{fmt(g["states"][step][k])}</span></td><td>{cell}</td></tr>')
    return ('<div class="mgv-scroll mgv-vg-walk" data-label="The walk of backward(), visit by visit">'
            "<table><caption><code>backward()</code>’s walk, in the order it visits the Values: what each"
            " passes on to its children</caption>"
            '<thead><tr><th scope="col">Value visited</th><th scope="col">its grad</th>'
            '<th scope="col">child.grad += local_grad * v.grad</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


@player(runs=STEP2)
def backward_walk_player(page):
    """backward() on two_token_loss()'s graph: the sorted order, then one visit per frame, each += shown."""
    g = graph()
    nodes = g["nodes"]
    n = len(nodes)
    frames = [{
        "grads": zeros(g), "visit": None, "adds": [],
        "say": (f"Before the walk every grad is 0. backward() first sorts the {n} Values so that each comes"
                f" after its children: {listing(g, g['topo'])}."),
    }, {
        "grads": g["states"][0], "visit": None, "adds": [{"child": g["loss"], "code": "self.grad = 1",
                                                          "note": f"{fmt(g['before'][g['loss']])} → 1"}],
        "say": (f"self.grad = 1: d(loss)/d(loss) is 1. The walk starts at the end of the sorted list,"
                f" with {nodes[g['loss']]['label']}."),
    }]
    for step, k in enumerate(g["visits"]):
        frames.append({"grads": g["states"][step + 1], "visit": k, "adds": add_lines(g, k),
                       "say": visit_sentence(g, step)})
    shares = [[a["v"], a["child"], a["after"] - a["before"]] for a in g["adds"]]
    data = {"labels": [x["label"] for x in nodes], "topo": g["topo"], "visits": g["visits"], "shares": shares,
            "frames": frames}
    url = frames_file(page, "generated/step2/backward-walk.json", data)
    title = f"The graph of two_token_loss() after backward(): {n} Values, each with its data and grad"
    fallback = graph_svg(g, "bw-graph", [x["grad"] for x in nodes], title) + walk_table(g)
    return render.player_shell("backward-walk", url, fallback,
                               "backward() on the graph of <code>two_token_loss()</code>: the grads it fills in,"
                               " Value by Value, in the order it visits them")
