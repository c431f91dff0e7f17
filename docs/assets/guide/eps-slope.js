/* The eps player (Step 1.6): the loss of the check name as one parameter w
 * moves around its value, with the true slope there (the analytic gradient)
 * and the secant over [w, w + eps] for the eps the slider picks.
 * Frames: {label, name, ylo, yhi, xs, ys (the curve), theta, loss, slope,
 * eps, eps_text, loss_plus, code_eps}. theta, loss, slope, eps and loss_plus
 * are exact (strings of the doubles), because the browser takes the
 * difference loss_plus - loss itself: the secant slope is
 * (loss(w + eps) - loss(w)) / eps, numerical_gradient's own formula. */
(function () {
  "use strict";

  MGV.defineWithFrames("eps-slope", start);

  const MINUS = "\u2212";
  const SUPER = "⁰¹²³⁴⁵⁶⁷⁸⁹";

  /* 2.03 × 10⁻⁹, as the build writes it (step1_gradients.sci). */
  function sci(x, digits) {
    if (x === 0) return "0";
    const parts = x.toExponential(digits === undefined ? 2 : digits).split("e");
    const e = Number(parts[1]);
    const power = String(Math.abs(e)).split("").map(function (d) { return SUPER[Number(d)]; }).join("");
    return parts[0].replace("-", MINUS) + " × 10" + (e < 0 ? "⁻" : "") + power;
  }

  function signed(x, decimals) {
    return x.toFixed(decimals).replace("-", MINUS);
  }

  let count = 0;

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector("figcaption");
    const eps = f.eps.map(Number);
    const lossPlus = f.loss_plus.map(Number);
    const theta = Number(f.theta), loss = Number(f.loss), slope = Number(f.slope);
    const codeEps = Number(f.code_eps);
    const last = eps.length - 1;
    const id = "mgv-eps-" + (++count);

    const field = make("div", "mgv-field");
    const label = make("label", "", "eps, the nudge: ");
    label.htmlFor = id;
    const input = make("input");
    input.type = "range";
    input.id = id;
    input.min = "0";
    input.max = String(last);
    input.step = "1";
    input.value = String(last);
    const shown = make("output", "mgv-field__value");
    shown.htmlFor = id;
    shown.setAttribute("aria-hidden", "true");  // the slider's own value text says it
    field.appendChild(label);
    field.appendChild(input);
    field.appendChild(shown);
    const hint = make("p", "mgv-hint", "The slider goes from eps = " + f.eps_text[0] + " (left) to " + f.eps_text[last] +
                      " (right); the arrow keys move it one step.");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    const box = make("div", "mgv-eps-chart");
    stage.replaceChildren(field, hint, status, box);

    function secant(k) {
      return (lossPlus[k] - loss) / eps[k];
    }

    function sentence(k) {
      const s = secant(k);
      return "eps = " + f.eps_text[k] + (eps[k] === codeEps ? " (the code’s)" : "") + ": the secant slope is " +
        signed(s, 10) + ", the true slope " + signed(slope, 10) + ", a gap of " + sci(Math.abs(s - slope)) + ".";
    }

    function options(k) {
      const s = secant(k);
      const line = function (m) { return f.xs.map(function (x) { return loss + m * (x - theta); }); };
      return {
        series: [
          { name: "loss", values: f.ys, tone: 0 },
          { name: "true slope (analytic)", values: line(slope), tone: 3, weight: "thin" },
          { name: "secant, eps = " + f.eps_text[k], values: line(s), tone: 1, weight: "thick" },
        ],
        uid: "eps-slope",
        title: "The loss of the check name as " + f.label + " moves, with the true slope and the secant over eps = " + f.eps_text[k],
        x: f.xs, xTitle: f.label, yTitle: "loss", yMin: f.ylo, yMax: f.yhi, digits: 5, height: 320,
      };
    }

    let chart = null;

    function show(k) {
      const visible = chart ? [0, 1, 2].map(function (i) { return chart.isVisible(i); }) : [true, true, true];
      const focused = box.contains(document.activeElement) ? document.activeElement : null;
      const which = focused && focused.dataset.series;  // a legend button keeps the focus
      if (chart) chart.stop();
      chart = MGV.kit.lineChart(box, options(k), life);
      visible.forEach(function (on, i) { if (!on) chart.setVisible(i, false); });
      if (focused) {
        const again = which !== undefined ? box.querySelector('.mgv-legend-item[data-series="' + which + '"]') : box.querySelector(".mgv-plot");
        if (again) again.focus();
      }
      shown.textContent = f.eps_text[k];
      input.setAttribute("aria-valuetext", "eps = " + f.eps_text[k]);
      element.dataset.secant = String(secant(k));
      caption.textContent = "The loss of “" + f.name + "” as " + f.label + " moves, with the secant over eps = " + f.eps_text[k];
      status.textContent = sentence(k);
    }

    life.listen(input, "input", function () { show(Number(input.value)); });
    const sentences = eps.map(function (_, k) { return sentence(k); });
    MGV.reserve(status, life, MGV.longest(sentences), function (text) { status.textContent = text; });
    show(last);
  }
})();
