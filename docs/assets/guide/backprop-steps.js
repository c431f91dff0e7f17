/* Two gradient players: the backward pass layer by layer (Step 1.7) and the
 * gradient check's scatter (Step 1.8, below).
 *
 * The backward pass, layer by layer: on the check name, what
 * analytic_gradient computes for every pair, one layer per frame: the
 * forward pass's probs, then dlogits, dh, dh_pre, dx, each as a heatmap (one
 * row per pair), read by the arrow keys.
 * Frames: {name, rows (the pairs, "BOS→y"), stages: [{key, title, formula,
 * values (rows of numbers), colLabels, colTitle, signed}], closed (per pair,
 * how many hidden units ReLU shut)}. The numbers were traced in
 * analytic_gradient while it ran (microgpt.replay.trace_locals). */
(function () {
  "use strict";

  MGV.defineWithFrames("backprop-steps", start);

  const fmt = function (v) { return MGV.kit.fmt(v, 4); };

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const n = f.stages.length;
    const caption = element.querySelector("figcaption");
    const head = make("p", "mgv-bp-head");
    const formula = make("code");
    head.appendChild(formula);
    const box = make("div", "mgv-bp-chart");
    stage.replaceChildren(head, box);

    function options(k) {
      const s = f.stages[k];
      return {
        values: s.values, uid: "backprop-" + s.key,
        title: s.title + ": " + s.formula + ", one row per pair of “" + f.name + "”",
        rowLabels: f.rows, colLabels: s.colLabels, rowTitle: "pair", colTitle: s.colTitle, signed: s.signed, digits: 4,
      };
    }

    function range(values) {
      let lo = Infinity, hi = -Infinity;
      values.forEach(function (row) { row.forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); }); });
      return [lo, hi];
    }

    function say(k) {
      const s = f.stages[k];
      const r = range(s.values);
      const pairs = f.rows.length;
      const head = "Layer " + (k + 1) + " of " + n + ", " + s.title + ": ";
      if (s.key === "probs") {
        return head + "the forward pass gave each of the " + pairs + " pairs 27 probabilities, from " + fmt(r[0]) +
          " to " + fmt(r[1]) + ". The backward pass starts from them.";
      }
      if (s.key === "dlogits") {
        return head + "probs / " + pairs + ", minus 1/" + pairs + " at each pair’s target: from " + fmt(r[0]) +
          " (a target) to " + fmt(r[1]) + ".";
      }
      if (s.key === "dh_pre") {
        const shut = f.closed.reduce(function (a, b) { return a + b; }, 0);
        return head + "ReLU passes dh only where the unit was on; " + shut + " of the " + pairs * s.values[0].length +
          " are now 0. From " + fmt(r[0]) + " to " + fmt(r[1]) + ".";
      }
      if (s.key === "dx") {
        return head + s.values[0].length + " numbers per pair, from " + fmt(r[0]) + " to " + fmt(r[1]) +
          ", each row added to the gradient of its input token’s row of wte.";
      }
      return head + s.values[0].length + " numbers per pair, from " + fmt(r[0]) + " to " + fmt(r[1]) + ".";
    }

    let chart = null;

    function show(k) {
      const s = f.stages[k];
      const focused = box.contains(document.activeElement);
      if (chart) chart.stop();
      chart = MGV.kit.heatmap(box, options(k), life);
      if (focused) box.querySelector(".mgv-plot").focus();  // focus stays in the map, never on <body>
      formula.textContent = s.formula;
      element.dataset.layer = s.key;
    }

    const stepper = MGV.stepper(element, { last: n - 1, show: show, say: say,
                                           speeds: [["½ layer/s", 0.5], ["1 layer/s", 1]] });
    // the caption names the player; the live line says which layer shows
    caption.textContent = "The backward pass on “" + f.name + "”, layer by layer, one row per pair";
    // the formula and the map keep the height of their tallest: nothing below them moves while it plays
    MGV.reserve(head, life, MGV.longest(f.stages.map(function (s) { return s.formula; })), function (text) {
      head.replaceChildren(make("code", "", text));
    });
    const hint = box.querySelector(".mgv-readout").textContent;  // what the live map's readout says first
    MGV.reserve(box, life, f.stages.map(function (_, k) { return k; }), function (k) {
      box.innerHTML = MGV.kit.markup.heatmap(options(k));
      box.firstElementChild.classList.add("mgv-live");
      box.querySelector(".mgv-readout").textContent = hint;
    });
    return stepper;
  }
})();

/* The gradient check (Step 1.8): every numerical gradient against its
 * analytic one, on the diagonal y = x. They differ by billionths, far too
 * little to see, so a slider magnifies the gaps: each point is drawn at
 * (analytic, analytic + 10^k × (numerical − analytic)).
 * Frames: {label, index (of the largest gap), name, analytic, gap}: gap[i]
 * is numerical[i] − analytic[i], taken by the build from the exact values. */
(function () {
  "use strict";

  MGV.defineWithFrames("gradient-check", start);

  const SUPER = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  let count = 0;

  /* 2.03 × 10⁻⁹, as the build writes it (step1_gradients.sci); plain decimals from 0.001 up. */
  function sci(x) {
    if (x === 0) return "0";
    if (Math.abs(x) >= 1e-3) return MGV.kit.fmt(x, 3);
    const parts = x.toExponential(2).split("e");
    const e = Number(parts[1]);
    return parts[0].replace("-", "\u2212") + " × 10" + (e < 0 ? "⁻" : "") +
      String(Math.abs(e)).split("").map(function (d) { return SUPER[Number(d)]; }).join("");
  }

  function power(k) {
    return k === 0 ? "1" : "10" + String(k).split("").map(function (d) { return SUPER[Number(d)]; }).join("");
  }

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector("figcaption");
    const id = "mgv-gap-" + (++count);
    const top = 7;
    const field = make("div", "mgv-field");
    const label = make("label", "", "Magnify the gaps: ");
    label.htmlFor = id;
    const input = make("input");
    input.type = "range";
    input.id = id;
    input.min = "0";
    input.max = String(top);
    input.step = "1";
    input.value = "0";
    const shown = make("output", "mgv-field__value");
    shown.htmlFor = id;
    shown.setAttribute("aria-hidden", "true");
    field.appendChild(label);
    field.appendChild(input);
    field.appendChild(shown);
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    const box = make("div", "mgv-gc-chart");
    stage.replaceChildren(field, status, box);

    const above = f.gap.filter(function (d) { return d > 0; }).length;
    const below = f.gap.filter(function (d) { return d < 0; }).length;
    const on = f.gap.length - above - below;

    function times(k) {
      return k === 0 ? "not magnified" : "magnified " + MGV.formatCount(Math.pow(10, k)) + " times";
    }

    function sentence(k) {
      const lift = f.gap[f.index] * Math.pow(10, k);
      return "Gaps " + times(k) + ": the largest, " + f.label + ", is drawn " + sci(lift) + " above its place on" +
        " the diagonal; " + MGV.formatCount(above) + " points lie above, " + MGV.formatCount(below) + " below, " +
        MGV.formatCount(on) + " on it.";
    }

    function options(k) {
      const m = Math.pow(10, k);
      return {
        points: f.analytic.map(function (a, i) { return [a, a + m * f.gap[i]]; }),
        uid: "gradient-check",
        title: "The " + MGV.formatCount(f.gap.length) + " numerical gradients against the analytic ones, on “" + f.name +
          "” before training" + (k ? ", the gaps magnified " + MGV.formatCount(m) + " times" : ""),
        xTitle: "analytic", yTitle: k ? "analytic + " + power(k) + " × gap" : "numerical", diagonal: true,
        highlight: { index: f.index, label: f.label + ": largest gap" },
      };
    }

    let chart = null;

    function show(k) {
      if (chart) chart.update(options(k)); else chart = MGV.kit.scatter(box, options(k), life);
      shown.textContent = k === 0 ? "×1" : "×" + power(k);
      input.setAttribute("aria-valuetext", times(k));
      element.dataset.magnify = String(k);
      caption.textContent = "Numerical against analytic: all " + MGV.formatCount(f.gap.length) + " gradients, " +
        (k ? "the gaps magnified " + MGV.formatCount(Math.pow(10, k)) + " times" : "the gaps at their real size") +
        ", the largest (" + f.label + ") marked";
      status.textContent = sentence(k);
    }

    life.listen(input, "input", function () { show(Number(input.value)); });
    const sentences = [];
    for (let k = 0; k <= top; k++) sentences.push(sentence(k));
    MGV.reserve(status, life, MGV.longest(sentences), function (text) { status.textContent = text; });
    show(0);
  }
})();
