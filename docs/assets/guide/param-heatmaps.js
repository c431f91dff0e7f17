/* The parameter heatmaps (Step 1.2): wte, mlp_fc1 and mlp_fc2 as the kit's
 * signed heatmaps, switched between two snapshots of the run.
 * The build draws the maps with the numbers after training (the no-JavaScript
 * figure); the frames carry the other snapshot:
 *   {snapshots: [before, after], names: [matrix names], before: {name: rows}}
 * Each map keeps its colour scale (one for both snapshots), its legend and
 * its readout (pointer, or focus and arrow keys: the kit's). */
(function () {
  "use strict";

  MGV.defineWithFrames("param-heatmaps", start);

  function when(k) {
    return k === 0 ? "as initialised, before any training step" : "after " + MGV.formatCount(k) + " training steps";
  }

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const maps = Array.from(stage.querySelectorAll(".mgv-param-map"), function (box) {
      const ctrl = MGV.kit.attach(box.querySelector("figure"), life);
      const shown = [];
      for (let i = 0; i < ctrl.rows; i++) for (let j = 0; j < ctrl.cols; j++) shown.push(ctrl.value(i, j));
      return { name: box.dataset.matrix, ctrl: ctrl, values: [f.before[box.dataset.matrix], shown] };
    });
    const total = maps.reduce(function (n, m) { return n + m.ctrl.rows * m.ctrl.cols; }, 0);

    const controls = make("div", "mgv-controls");
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Which parameters to show");
    const buttons = f.snapshots.map(function (k, index) {
      const b = make("button", "", k === 0 ? "As initialised" : "After " + MGV.formatCount(k) + " steps");
      b.type = "button";
      b.setAttribute("aria-pressed", "false");
      life.listen(b, "click", function () { show(index); });
      controls.appendChild(b);
      return b;
    });
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    element.insertBefore(status, stage);
    element.insertBefore(controls, status);
    life.onStop(function () { controls.remove(); status.remove(); });

    let current = null;
    function show(index) {
      if (index === current) return;
      current = index;
      maps.forEach(function (m) { m.ctrl.update(m.values[index]); });
      buttons.forEach(function (b, i) { b.setAttribute("aria-pressed", String(i === index)); });
      const k = f.snapshots[index];
      caption.textContent = "The " + MGV.formatCount(total) + " parameters " + when(k);
      status.textContent = "Showing the parameters " + when(k) + ".";
    }

    show(f.snapshots.length - 1);  // what the build drew
  }
})();
