/* The MLP, layer by layer (Step 1.4): pick a token and a snapshot, see the
 * token's numbers at each layer of mlp() as a strip of the kit's heatmap
 * cells (the readout gives each number: pointer, or focus and arrow keys).
 * The build draws the strips for one token after training (the
 * no-JavaScript figure); the frames carry every token at both snapshots, as
 * mlp() computed them (the build traced its local variables):
 *   {labels, token: the one the build drew, snapshots: [before, after],
 *    flows: {"0": [per token {x, h_pre, h, logits, probs}], "1000": [...]},
 *    zeros: {"0": [per token: how many of h are 0], ...}}
 * Numbers to 4 significant digits (the readout's), probs to the 4 decimals
 * shown. Each strip keeps the colour scale the build gave it (one for every
 * token and both snapshots). The two rows of buttons are
 * toolbars: one tab stop each, the arrow keys, Home and End move along. */
(function () {
  "use strict";

  MGV.defineWithFrames("mlp-flow", start);

  const toolbar = MGV.rowPicker;

  function when(k) {
    return k === 0 ? "as initialised" : "after " + MGV.formatCount(k) + " training steps";
  }

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const summary = stage.querySelector(".mgv-flow-summary");
    const strips = Array.from(stage.querySelectorAll(".mgv-flow-layer"), function (box) {
      const ctrl = MGV.kit.attach(box.querySelector("figure"), life);
      box.querySelector(".mgv-readout").textContent = "";  // one hint for all of them, above
      return { key: box.dataset.layer, ctrl: ctrl };
    });
    let token = f.token;  // the build drew this one
    let snap = f.snapshots.length - 1;

    const tokens = toolbar(life, "The token", f.labels, function (i) { token = i; show(); });
    const snaps = toolbar(life, "The model", f.snapshots.map(function (k) {
      return k === 0 ? "As initialised" : "After " + MGV.formatCount(k) + " steps";
    }), function (i) { snap = i; show(); });
    const picks = make("div", "mgv-flow-picks");
    const hint = make("p", "mgv-hint", "Pick a token and a model: click, or Tab to a row of buttons and use the arrow keys. " +
      "Point at a cell, or focus a row of cells and use the arrow keys, to read its value.");
    const tokenLabel = make("p", "mgv-flow-pick-label", "Token:");
    const snapLabel = make("p", "mgv-flow-pick-label", "Model:");
    picks.appendChild(tokenLabel);
    picks.appendChild(tokens.element);
    picks.appendChild(snapLabel);
    picks.appendChild(snaps.element);
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    element.insertBefore(status, stage);
    element.insertBefore(picks, status);
    element.insertBefore(hint, picks);
    summary.hidden = true;  // the live line above the strips says it, and which token and model
    life.onStop(function () { [hint, picks, status].forEach(function (n) { n.remove(); }); summary.hidden = false; });

    function top(probs, count) {
      const order = probs.map(function (_, j) { return j; });
      order.sort(function (a, b) { return probs[b] - probs[a] || a - b; });
      return order.slice(0, count);
    }

    function sentence(t, s) {
      const k = String(f.snapshots[s]);
      const flow = f.flows[k][t];
      const likeliest = top(flow.probs, 3).map(function (j) { return f.labels[j] + " " + flow.probs[j].toFixed(4); });
      return "mlp(" + f.labels[t] + ") " + when(f.snapshots[s]) + ": ReLU set " + f.zeros[k][t] + " of the " +
        flow.h.length + " hidden values to 0. Likeliest next tokens: " + likeliest.join(", ") + ".";
    }

    function show() {
      const flow = f.flows[String(f.snapshots[snap])][token];
      strips.forEach(function (s) { s.ctrl.update([flow[s.key]]); });
      tokens.set(token);
      snaps.set(snap);
      status.textContent = sentence(token, snap);
      caption.textContent = "mlp(" + f.labels[token] + ") with the model " + when(f.snapshots[snap]) + ", layer by layer";
    }

    // the live line keeps the height of its longest sentence: the strips below never move
    const all = [];
    f.snapshots.forEach(function (_, s) { f.labels.forEach(function (_, t) { all.push(sentence(t, s)); }); });
    MGV.reserve(status, life, MGV.longest(all), function (text) { status.textContent = text; });
    show();
  }
})();
