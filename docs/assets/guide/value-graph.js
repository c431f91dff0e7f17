/* Step 2's two graph players, over the graph of two_token_loss()
 * (microgpt/graph_example.py) that the build lays out as SVG
 * (hooks/pagedata/step2_graph.py). Both only change classes and texts in
 * that SVG: every box (g.mgv-vg-node, data-node = the order the Values were
 * made in) shows a Value's label, data and grad; every arrow
 * (g.mgv-vg-edge, data-child, data-parent) its local gradient.
 *
 * value-graph (2.3): the forward pass making the graph, one Value per frame,
 * every grad still 0; the last frame is the graph after loss.backward().
 * Frames: {count, labels, before (grads before backward), grads (after),
 * steps: [{node, line (the statement that made it), say}], final (what the
 * last frame says)}.
 *
 * backward-walk (2.5): backward() itself: the sorted order, self.grad = 1,
 * then one visit per frame, in the order backward() visits the Values, with
 * the `child.grad += local_grad * v.grad` lines it runs.
 * Frames: {labels, topo, visits, frames: [{grads (every grad after the
 * frame), visit (the Value visited, or null), adds: [{child, code, note}],
 * say}]}. Every number was watched in the real backward() as it ran. */
(function () {
  "use strict";

  const fmt = function (v) { return MGV.kit.fmt(v, 4); };

  /* The build's SVG: its boxes and arrows, and a way to set a box's grad. */
  function graphOf(element, uid) {
    const svg = element.querySelector("svg.mgv-vg");
    const nodes = Array.from(svg.querySelectorAll(".mgv-vg-node"));
    const edges = Array.from(svg.querySelectorAll(".mgv-vg-edge")).map(function (g) {
      return { g: g, child: Number(g.dataset.child), parent: Number(g.dataset.parent),
               path: g.querySelector(".mgv-vg-arrow") };
    });
    return {
      svg: svg, nodes: nodes, edges: edges,
      grad: function (k, v) { nodes[k].querySelector(".mgv-vg-grad").textContent = fmt(v); },
      // an arrow marked "on" (this step's) or "passed" (its share handed back), or neither
      mark: function (edge, state) {
        edge.g.classList.toggle("mgv-vg-active", state === "on");
        edge.g.classList.toggle("mgv-vg-passed", state === "passed");
        edge.path.setAttribute("marker-end", "url(#" + uid + "-" + (state || "head") + ")");
      },
    };
  }

  function caption(element, parts) {
    const figcaption = element.querySelector(":scope > figcaption");
    figcaption.replaceChildren();
    parts.forEach(function (part) {
      figcaption.appendChild(part.code ? MGV.make("code", "", part.code) : document.createTextNode(part));
    });
  }

  /* ------------------------------------------------------------ value-graph */

  MGV.defineWithFrames("value-graph", function (element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const graph = graphOf(element, "vg-graph");
    const last = f.steps.length;   // frames 0 .. last - 1 make one Value each; the last: after backward()
    const line = make("p", "mgv-vg-now");
    const code = make("code");
    const lead = make("span", "mgv-vg-now__lead", "");
    line.appendChild(lead);
    line.appendChild(code);
    stage.insertBefore(line, stage.firstChild);

    function show(i) {
      const done = i === last;
      graph.nodes.forEach(function (g, k) {
        g.classList.toggle("mgv-vg-future", !done && k > i);
        g.classList.toggle("mgv-vg-current", !done && k === i);
        graph.grad(k, done ? f.grads[k] : f.before[k]);
      });
      graph.edges.forEach(function (e) {
        e.g.classList.toggle("mgv-vg-future", !done && e.parent > i);
        graph.mark(e, !done && e.parent === i ? "on" : null);
      });
      lead.textContent = done ? "Then: " : "Running: ";
      code.textContent = done ? "loss.backward()" : f.steps[i].line;
      element.dataset.frame = String(i);
    }

    function say(i) {
      return i === last ? f.final : f.steps[i].say;
    }

    caption(element, ["The graph of ", { code: "two_token_loss()" }, " as the forward pass makes it, Value by Value," +
                      " then after ", { code: "loss.backward()" }, "; each arrow goes from a child to the Value made" +
                      " from it and carries its local gradient"]);
    return MGV.stepper(element, { last: last, show: show, say: say,
                                  speeds: [["1 Value/s", 1], ["2 Values/s", 2]] });
  });

  /* ------------------------------------------------------------ backward-walk */

  MGV.defineWithFrames("backward-walk", function (element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const graph = graphOf(element, "bw-graph");
    const walkTable = stage.querySelector(".mgv-vg-walk");
    const plot = stage.querySelector(".mgv-vg-plot");

    // the sorted list, as backward() keeps it in `topo`: the walk goes from its end
    const topoBox = make("div", "mgv-vg-topo");
    const topoHead = make("p", "mgv-vg-topo__head");
    topoHead.appendChild(make("code", "", "topo"));
    topoHead.appendChild(document.createTextNode(", sorted: every Value after its children. The walk goes from the end."));
    const list = make("ol", "mgv-vg-topo__list");
    list.setAttribute("aria-label", "topo, in order");
    const items = f.topo.map(function (k) {
      const li = make("li", "", f.labels[k]);
      list.appendChild(li);
      return li;
    });
    topoBox.appendChild(topoHead);
    topoBox.appendChild(list);
    // the lines backward() runs in this frame
    const panel = make("pre", "mgv-vg-adds");
    const panelCode = make("code");
    panel.appendChild(panelCode);
    stage.replaceChildren(topoBox, plot, panel);
    life.onStop(function () { if (walkTable) stage.appendChild(walkTable); });
    // the share each arrow carries back: local_grad * v.grad, as backward() added it
    const share = {};
    f.shares.forEach(function (s) { const key = s[0] + " " + s[1]; share[key] = (share[key] || 0) + s[2]; });
    graph.edges.forEach(function (e) { e.label = e.g.querySelector(".mgv-vg-local"); e.local = e.label.textContent; });

    function panelText(fr) {
      if (!fr.adds.length) return fr.visit === null ? "topo = [" + f.topo.map(function (k) { return f.labels[k]; }).join(", ") + "]"
                                                    : "# a leaf: no children";
      return fr.adds.map(function (a) { return a.code + "   # " + a.note; }).join("\n");
    }

    // who uses each Value: its grad is complete once all of them have handed their share back
    const users = graph.nodes.map(function () { return []; });
    graph.edges.forEach(function (e) { users[e.child].push(e.parent); });

    function show(i) {
      const fr = f.frames[i];
      const at = fr.visit === null ? -1 : f.visits.indexOf(fr.visit);   // how far the walk is
      const visited = new Set(at < 0 ? [] : f.visits.slice(0, at));
      const handed = new Set(visited);
      if (fr.visit !== null) handed.add(fr.visit);
      const fresh = new Set(fr.adds.map(function (a) { return a.child; }));
      graph.nodes.forEach(function (g, k) {
        const some = users[k].some(function (u) { return handed.has(u); });
        const all = users[k].every(function (u) { return handed.has(u); });
        g.classList.toggle("mgv-vg-current", k === fr.visit);
        g.classList.toggle("mgv-vg-done", visited.has(k));
        // some shares in, some still to come
        g.classList.toggle("mgv-vg-pending", some && !all && !visited.has(k) && k !== fr.visit);
        g.classList.toggle("mgv-vg-fresh", fresh.has(k));
        graph.grad(k, fr.grads[k]);
      });
      graph.edges.forEach(function (e) {
        const now = e.parent === fr.visit, passed = visited.has(e.parent);
        graph.mark(e, now ? "on" : passed ? "passed" : null);
        // once its parent is visited, an arrow shows the share it carried back to its child
        e.label.textContent = now || passed ? "↑ " + fmt(share[e.parent + " " + e.child]) : e.local;
      });
      items.forEach(function (li, j) {
        const k = f.topo[j];
        li.classList.toggle("mgv-vg-current", k === fr.visit);
        li.classList.toggle("mgv-vg-done", visited.has(k));
        if (k === fr.visit) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
      });
      panelCode.textContent = panelText(fr);
      element.dataset.frame = String(i);
    }

    caption(element, [{ code: "backward()" }, " on the graph of ", { code: "two_token_loss()" },
                      ": the sorted list, then one Value per step, in the order it visits them. A dashed box has" +
                      " some of its shares, not yet all; an arrow marked ↑ shows the share it carried back"]);
    MGV.reserve(panel, life, MGV.longest(f.frames.map(panelText), 2), function (text) {
      panel.replaceChildren(make("code", "", text));
    });
    return MGV.stepper(element, { last: f.frames.length - 1, show: show, say: function (i) { return f.frames[i].say; },
                                  speeds: [["1 step/s", 1], ["2 steps/s", 2]] });
  });
})();
