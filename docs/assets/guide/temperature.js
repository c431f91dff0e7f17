/* Temperature (Step 1.9): the trained model's next-token distribution after
 * a chosen token, at the temperature the slider sets. The browser computes
 * softmax(logits / T) itself, the way step 1's softmax does: subtract the
 * largest, exponentiate, divide by the sum.
 * Frames: {labels, logits (27 rows: mlp(token) of the trained model),
 * context (the token shown first), temperature (sampling's), after}. */
(function () {
  "use strict";

  MGV.defineWithFrames("temperature", start);

  let count = 0;
  const MIN = 0.1, MAX = 2, STEP = 0.05;

  function softmax(logits, t) {
    const scaled = logits.map(function (v) { return v / t; });
    const top = Math.max.apply(null, scaled);
    const exps = scaled.map(function (v) { return Math.exp(v - top); });
    const total = exps.reduce(function (a, b) { return a + b; }, 0);
    return exps.map(function (e) { return e / total; });
  }

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector("figcaption");
    const id = "mgv-temp-" + (++count);
    const labels = f.labels;

    const fields = make("div", "mgv-fields");
    const pickField = make("div", "mgv-field");
    const pickLabel = make("label", "", "After the token ");
    pickLabel.htmlFor = id + "-after";
    const pick = make("select");
    pick.id = id + "-after";
    labels.forEach(function (label, i) {
      const option = make("option", "", label === "BOS" ? "BOS (the start of a name)" : label);
      option.value = String(i);
      pick.appendChild(option);
    });
    pick.value = String(f.context);
    pickField.appendChild(pickLabel);
    pickField.appendChild(pick);

    const tempField = make("div", "mgv-field");
    const tempLabel = make("label", "", "Temperature T: ");
    tempLabel.htmlFor = id + "-t";
    const input = make("input");
    input.type = "range";
    input.id = id + "-t";
    input.min = String(MIN);
    input.max = String(MAX);
    input.step = String(STEP);
    input.value = String(f.temperature);
    const shown = make("output", "mgv-field__value");
    shown.htmlFor = input.id;
    shown.setAttribute("aria-hidden", "true");
    tempField.appendChild(tempLabel);
    tempField.appendChild(input);
    tempField.appendChild(shown);
    fields.appendChild(pickField);
    fields.appendChild(tempField);

    const hint = make("p", "mgv-hint", "Bars: the probability at T; the thin mark: at T = 1, the model’s own. " +
                      "Sampling uses T = " + f.temperature + ".");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    const bars = make("div", "mgv-tbars");
    bars.setAttribute("role", "list");
    bars.setAttribute("aria-label", "Probability of each next token");
    const cells = labels.map(function (label) {
      const row = make("div", "mgv-tbar");
      row.setAttribute("role", "listitem");
      const name = make("span", "mgv-tbar__label", label);
      const track = make("span", "mgv-tbar__track");
      track.setAttribute("aria-hidden", "true");
      const bar = make("span", "mgv-tbar__bar");
      const mark = make("span", "mgv-tbar__mark");
      track.appendChild(bar);
      track.appendChild(mark);
      const value = make("span", "mgv-tbar__value");
      row.appendChild(name);
      row.appendChild(track);
      row.appendChild(value);
      bars.appendChild(row);
      return { bar: bar, mark: mark, value: value };
    });
    stage.replaceChildren(fields, hint, status, bars);

    function state() {
      return { context: Number(pick.value), t: Number(input.value) };
    }

    function top(probs, k) {
      return probs.map(function (p, j) { return [p, j]; }).sort(function (a, b) { return b[0] - a[0]; }).slice(0, k);
    }

    function sentence(context, t) {
      const probs = softmax(f.logits[context], t);
      const first = top(probs, 1)[0];
      const one = softmax(f.logits[context], 1);
      const five = top(probs, 5).reduce(function (s, pj) { return s + pj[0]; }, 0);
      return "T = " + t.toFixed(2) + ", after " + labels[context] + ": " + labels[first[1]] + " is likeliest at " +
        first[0].toFixed(4) + " (" + one[first[1]].toFixed(4) + " at T = 1); the five likeliest tokens take " +
        five.toFixed(4) + " together.";
    }

    function show() {
      const s = state();
      const probs = softmax(f.logits[s.context], s.t);
      const one = softmax(f.logits[s.context], 1);
      probs.forEach(function (p, j) {
        cells[j].bar.style.width = (100 * p).toFixed(2) + "%";
        cells[j].mark.style.left = (100 * one[j]).toFixed(2) + "%";
        cells[j].value.textContent = p.toFixed(4);
      });
      shown.textContent = s.t.toFixed(2);
      input.setAttribute("aria-valuetext", "T = " + s.t.toFixed(2));
      caption.textContent = "The trained model’s next token after " + labels[s.context] + " at temperature " + s.t.toFixed(2) +
        " (the thin marks: at 1)";
      status.textContent = sentence(s.context, s.t);
    }

    life.listen(input, "input", show);
    life.listen(pick, "change", show);
    // the live line keeps the height of its longest sentence
    const longest = [];
    labels.forEach(function (_, c) { longest.push(sentence(c, MIN), sentence(c, MAX)); });
    MGV.reserve(status, life, MGV.longest(longest), function (text) { status.textContent = text; });
    show();
  }
})();
