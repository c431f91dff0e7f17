/* Step 5: Adam's players (5.2, 5.3). Built by hooks/pagedata/step5_adam.py.
 *
 * beta-slider (5.2): a slider for beta1 over one watched parameter's real
 * gradients. The browser runs the running average itself, the line of
 * Adam.step being taught, m = beta1 * m + (1 - beta1) * g, from the exact
 * recorded gradients: at the code's beta1 it gives the run's own m, to the
 * last bit. Two charts (MGV.kit, the same markup the build draws): the
 * gradient and m over the first `window` steps; the gradient, m and
 * m_hat = m / (1 - beta1^t) over the first `bias_steps`.
 * Frames: {param, beta (the code's beta1), common (0.9), window, bias_steps,
 * grads (strings of the exact doubles)}.
 *
 * adam-steps (5.3): a stepper over chosen training steps; each frame is a
 * table of the numbers Adam.step computed for every watched parameter.
 * Frames: {params, rows: [[code, note]], frames: [{step, lr, cells (texts,
 * one row per line of the table, one column per parameter), say}]}. */
(function () {
  "use strict";

  const MINUS = "\u2212";
  const MIN = 0, MAX = 0.99, STEP = 0.01;

  /* ------------------------------------------------------------ numbers, as step5_adam.number writes them */

  function superscript(n) {
    const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    return (n < 0 ? "⁻" : "") + String(Math.abs(n)).split("").map(function (d) { return digits[Number(d)]; }).join("");
  }

  function number(x) {
    if (x === 0) return "0";
    if (Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6) return MGV.kit.fmt(x, 4);
    const parts = x.toExponential(3).split("e");
    const sign = parts[0][0] === "-" ? MINUS : "";
    const mantissa = parts[0].replace("-", "").replace(/0+$/, "").replace(/\.$/, "");
    const power = "10" + superscript(Number(parts[1]));
    return sign + (mantissa === "1" ? power : mantissa + " × " + power);
  }

  function count(n) {
    return MGV.kit.fmt(n);
  }

  function signChanges(values) {
    let n = 0;
    for (let i = 1; i < values.length; i++) if (values[i - 1] * values[i] < 0) n++;
    return n;
  }

  /* ------------------------------------------------------------ the beta slider */

  MGV.defineWithFrames("beta-slider", startSlider);

  let sliders = 0;

  function startSlider(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const summary = stage.querySelector(".mgv-beta-summary");
    const boxes = Array.from(stage.querySelectorAll(".mgv-beta-chart"));
    const grads = f.grads.map(Number);
    const id = "mgv-beta-" + (++sliders);
    const gradChanges = signChanges(grads);

    const field = make("div", "mgv-field");
    const label = make("label", "", "β1, how much of itself m keeps each step: ");
    label.htmlFor = id;
    const input = make("input");
    input.type = "range";
    input.id = id;
    input.min = String(MIN);
    input.max = String(MAX);
    input.step = String(STEP);
    input.value = String(f.beta);
    const shown = make("output", "mgv-field__value");
    shown.htmlFor = id;
    shown.setAttribute("aria-hidden", "true");   // the slider's own value text says it
    field.appendChild(label);
    field.appendChild(input);
    field.appendChild(shown);
    const hint = make("p", "mgv-hint", "The arrow keys move β1 by " + STEP + ", Page Up and Page Down by a tenth of the way;" +
                      " Home and End go to " + MIN + " (m is the gradient) and " + MAX + ". The run used " +
                      f.beta + ", Adam’s usual value is " + f.common + ".");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    summary.hidden = true;   // the live line says it
    stage.insertBefore(status, summary);
    stage.insertBefore(hint, status);
    stage.insertBefore(field, hint);

    /* the slider's value as the double of k / 100: what Python reads from "0.85" */
    function beta() {
      return Math.round(Number(input.value) * 100) / 100;
    }

    function average(b) {
      const m = [];
      let run = 0;
      for (let i = 0; i < grads.length; i++) {
        run = b * run + (1 - b) * grads[i];   // Adam.step's line: self.m[i] = beta1 * self.m[i] + (1 - beta1) * p.grad
        m.push(run);
      }
      return m;
    }

    function sentence(b, m) {
      const keep = Math.round(b * 100);
      const tag = b === f.beta ? " (the run’s)" : b === f.common ? " (Adam’s usual)" : "";
      const memory = MGV.kit.fmt(1 / (1 - b), 3);
      return "β1 = " + b.toFixed(2) + tag + ": each step m keeps " + keep + "% of itself and adds " + (100 - keep) +
        "% of the new gradient, a memory of about " + memory + (memory === "1" ? " step" : " steps") + ". Over the " +
        count(grads.length) + " steps m changes sign " + count(signChanges(m)) + " times, the gradient " +
        count(gradChanges) + " times. At step 1, m is " + number(m[0]) + " and m_hat is " + number(m[0] / (1 - b)) + ".";
    }

    /* the options of step5_adam.slider_charts, for MGV.kit.markup.line */
    function charts(b, m) {
      const name = f.param, w = f.window, k = f.bias_steps, text = b.toFixed(2);
      const steps = function (n) { return Array.from({ length: n }, function (_, i) { return i + 1; }); };
      const mHat = m.slice(0, k).map(function (v, i) { return v / (1 - Math.pow(b, i + 1)); });
      return [
        {
          series: [
            { name: "gradient g", values: grads.slice(0, w), tone: 2, weight: "thin" },
            { name: "m, β1 = " + text, values: m.slice(0, w), tone: 0, weight: "thick" },
          ],
          uid: "beta-avg", x: steps(w), xMin: 0, xTitle: "training step", yTitle: "gradient", height: 300,
          title: "The gradient of " + name + " at each of the first " + count(w) +
            " training steps, and its running average m with β1 = " + text,
        },
        {
          series: [
            { name: "gradient g", values: grads.slice(0, k), tone: 2, weight: "thin" },
            { name: "m, β1 = " + text, values: m.slice(0, k), tone: 0, weight: "thick" },
            { name: "m_hat = m / (1 − β1^t)", values: mHat, tone: 1, weight: "normal" },
          ],
          uid: "beta-bias", x: steps(k), xMin: 0, xTitle: "training step", yTitle: "gradient", height: 260,
          title: "The first " + k + " steps of " + name + ": the gradient, m with β1 = " + text +
            ", and m_hat, m corrected for its start at 0",
        },
      ];
    }

    /* the charts the build drew are taken over (players.js starts them as line-chart players) */
    let controllers = boxes.map(function (box) { return MGV.kit.attach(box.querySelector("figure"), life); });

    function draw(options) {
      controllers = boxes.map(function (box, c) {
        const old = controllers[c];
        const visible = old.element.querySelectorAll(".mgv-legend-item").length ?
          Array.from(old.element.querySelectorAll(".mgv-legend-item"), function (b) { return b.getAttribute("aria-pressed") !== "false"; }) : [];
        const active = box.contains(document.activeElement) ? document.activeElement : null;
        const which = active && active.dataset.series;   // a legend button keeps the focus
        old.stop();
        const ctrl = MGV.kit.lineChart(box, options[c], life);
        visible.forEach(function (on, i) { if (!on) ctrl.setVisible(i, false); });
        if (active) {
          const again = which !== undefined ? box.querySelector('.mgv-legend-item[data-series="' + which + '"]') : box.querySelector(".mgv-plot");
          if (again) again.focus();
        }
        return ctrl;
      });
    }

    function show() {
      const b = beta();
      const m = average(b);
      draw(charts(b, m));
      shown.textContent = b.toFixed(2);
      input.setAttribute("aria-valuetext", "β1 = " + b.toFixed(2));
      caption.textContent = "The gradient of " + f.param + " and its running average, β1 = " + b.toFixed(2);
      status.textContent = sentence(b, m);
    }

    life.listen(input, "input", show);
    // the live line keeps the height of its longest sentence: nothing below it moves
    const sentences = [];
    for (let k = 0; k <= Math.round(MAX / STEP); k++) {
      const b = Math.round(k * STEP * 100) / 100;
      sentences.push(sentence(b, average(b)));
    }
    MGV.reserve(status, life, MGV.longest(sentences), function (text) { status.textContent = text; });
    show();
  }

  /* ------------------------------------------------------------ Adam, step by step */

  MGV.defineWithFrames("adam-steps", startSteps);

  function startSteps(element, f, life) {
    const stage = element.querySelector(".mgv-stage");
    const summary = stage.querySelector(".mgv-adam-summary");
    const cells = Array.from(stage.querySelectorAll("tbody tr"), function (tr) {
      return Array.from(tr.querySelectorAll("td .mgv-nowrap"));
    });
    const k = stage.querySelector(".mgv-adam-k"), lr = stage.querySelector(".mgv-adam-lr");
    summary.hidden = true;   // the live line says it

    function show(i) {
      const frame = f.frames[i];
      k.textContent = count(frame.step);
      lr.textContent = frame.lr;
      frame.cells.forEach(function (row, r) {
        row.forEach(function (text, c) { cells[r][c].textContent = text; });
      });
      element.dataset.step = String(frame.step);
    }

    return MGV.stepper(element, {
      last: f.frames.length - 1,
      show: show,
      say: function (i) { return f.frames[i].say; },
      speeds: [["1 per second", 1], ["2 per second", 2], ["4 per second", 4]],
      life: life,
    });
  }
})();
