/* Linear and softmax (Step 1.3), two small calculators.
 *   linear(x, w): edit x and w (number fields), see each output, a row of w
 *     times x, worked out term by term.
 *   softmax(logits): the logits the trained model gives after one token;
 *     pick a token (a toolbar: one tab stop, arrow keys) and edit its logit,
 *     or add the same amount to every logit, and see the probabilities.
 * The arithmetic is microgpt's, in the same order: linear() sums w[i][j] *
 * x[j] over j; softmax() subtracts the largest logit, exponentiates, divides
 * by the sum. Beside it, the same without the subtraction, to show where it
 * overflows. Frames: {token, after, labels, x, w, logits} (logits to 4
 * decimals). */
(function () {
  "use strict";

  MGV.defineWithFrames("linear-softmax", start);

  const MINUS = "\u2212";
  const SHIFT = 100;   // what "Add" adds to every logit
  const LIMIT = Math.log(Number.MAX_VALUE);  // exp(x) is Infinity above this

  /* x to 4 decimals, with a real minus sign. */
  function fixed(x) {
    if (x !== x) return "NaN";
    if (Math.abs(x) === Infinity) return (x < 0 ? MINUS : "") + "Infinity";
    const text = x.toFixed(4);
    return text === "-0.0000" ? "0.0000" : text.replace("-", MINUS);
  }

  /* A number as typed (short), in a product: 0.5, (−1.25) */
  function term(x) {
    const text = String(x).replace("-", MINUS);
    return x < 0 ? "(" + text + ")" : text;
  }

  function linear(x, w) {
    return w.map(function (row) {
      let sum = 0;
      row.forEach(function (wi, j) { sum += wi * x[j]; });
      return sum;
    });
  }

  function softmax(logits) {
    const maxVal = Math.max.apply(null, logits);
    const exps = logits.map(function (v) { return Math.exp(v - maxVal); });
    const total = exps.reduce(function (a, b) { return a + b; }, 0);
    return exps.map(function (e) { return e / total; });
  }

  function naiveSoftmax(logits) {
    const exps = logits.map(Math.exp);
    const total = exps.reduce(function (a, b) { return a + b; }, 0);
    return exps.map(function (e) { return e / total; });
  }

  function numberField(life, label, value, onChange) {
    const input = MGV.make("input", "mgv-num");
    input.type = "number";
    input.step = "0.01";
    input.value = String(value);
    input.setAttribute("aria-label", label);
    life.listen(input, "input", function () {
      const v = input.value.trim() === "" ? NaN : Number(input.value);
      input.setAttribute("aria-invalid", String(!isFinite(v)));
      onChange(v);
    });
    return input;
  }

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const linearPart = make("div", "mgv-part-box");
    const softmaxPart = make("div", "mgv-part-box");
    stage.replaceChildren(linearPart, softmaxPart);
    startLinear(linearPart, f, life);
    startSoftmax(softmaxPart, f, life);
    MGV.refresh();  // the scroll boxes
  }

  /* ------------------------------------------------------------ linear */

  function startLinear(part, f, life) {
    const make = MGV.make;
    const x = f.x.slice();
    const w = f.w.map(function (row) { return row.slice(); });
    part.appendChild(make("p", "mgv-part", "")).innerHTML = "<code>y = linear(x, w)</code>";
    part.appendChild(make("p", "mgv-hint", "Edit any number of x or w (type, or use the Up and Down arrows)."));
    const box = make("div", "mgv-scroll mgv-linear");
    box.dataset.label = "linear(x, w)";
    const table = make("table");
    box.appendChild(table);
    const head = table.createTHead().insertRow();
    [""].concat(x.map(function (_, j) { return "j = " + j; })).forEach(function (text, i) {
      const th = make("th", "", text);
      th.scope = "col";
      if (i === 0) th.appendChild(make("span", "mgv-sr", "row"));
      head.appendChild(th);
    });
    const body = table.createTBody();
    const xRow = body.insertRow();
    const xHead = make("th", "", "");
    xHead.scope = "row";
    xHead.innerHTML = "<code>x</code>";
    xRow.appendChild(xHead);
    x.forEach(function (v, j) {
      xRow.insertCell().appendChild(numberField(life, "x[" + j + "]", v, function (nv) { x[j] = nv; update("x[" + j + "]"); }));
    });
    w.forEach(function (row, i) {
      const tr = body.insertRow();
      const th = make("th", "");
      th.scope = "row";
      th.innerHTML = "<code>w[" + i + "]</code>";
      tr.appendChild(th);
      row.forEach(function (v, j) {
        tr.insertCell().appendChild(numberField(life, "w[" + i + "][" + j + "]", v, function (nv) {
          w[i][j] = nv; update("w[" + i + "][" + j + "]");
        }));
      });
    });
    part.appendChild(box);
    const work = make("ul", "mgv-linear-work");  // each output, term by term
    const lines = w.map(function () { return work.appendChild(make("li", "")); });
    part.appendChild(work);
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    part.appendChild(status);

    function update(changed) {
      const bad = x.concat.apply(x, w).some(function (v) { return !isFinite(v); });
      if (bad) {
        lines.forEach(function (li, i) { li.replaceChildren(make("code", "", "y[" + i + "]"), document.createTextNode(" = ?")); });
        status.textContent = "Type a number in every field to see y.";
        return;
      }
      const y = linear(x, w);
      lines.forEach(function (li, i) {
        const terms = w[i].map(function (wi, j) { return term(wi) + " × " + term(x[j]); }).join(" + ");
        li.replaceChildren(make("code", "", "y[" + i + "]"), document.createTextNode(" = " + terms + " = "),
                           make("strong", "mgv-y", fixed(y[i])));
      });
      status.textContent = (changed ? changed + " changed. " : "") + "y = linear(x, w) = [" + y.map(fixed).join(", ") + "]";
    }
    update(null);
  }

  /* ------------------------------------------------------------ softmax */

  function startSoftmax(part, f, life) {
    const make = MGV.make;
    let logits = f.logits.slice();
    let current = 0;
    part.appendChild(make("p", "mgv-part", "")).innerHTML = "<code>probs = softmax(logits)</code>";
    part.appendChild(make("p", "mgv-hint",
      "The logits the trained model gives after " + f.labels[f.token] + ". Pick a next token (click it, or Tab to the " +
      "row of tokens and use the arrow keys), then edit its logit."));
    const picker = MGV.rowPicker(life, "The logit to edit", f.labels, function (i) { pick(i); });
    const edit = make("div", "mgv-softmax-edit");
    const label = make("label", "");
    const labelText = make("span", "", "");
    const field = make("input", "mgv-num");
    field.type = "number";
    field.step = "0.1";
    label.appendChild(labelText);
    label.appendChild(field);
    const add = make("button", "", "Add " + SHIFT + " to every logit");
    add.type = "button";
    const reset = make("button", "", "Reset");
    reset.type = "button";
    [label, add, reset].forEach(function (n) { edit.appendChild(n); });
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    const overflow = make("p", "mgv-overflow");
    const bars = make("div", "mgv-softbars");
    ["next", "logit", "", "probability"].forEach(function (text) {
      const h = make("span", "mgv-softbars-head", text);
      if (!text) h.setAttribute("aria-hidden", "true");
      bars.appendChild(h);
    });
    const cells = f.labels.map(function (name) {
      const row = { name: make("span", "mgv-softbars-token", name), logit: make("span", ""), bar: make("span", "mgv-bar"),
                    prob: make("span", "mgv-softbars-prob") };
      [row.name, row.logit, row.bar, row.prob].forEach(function (n) { bars.appendChild(n); });
      return row;
    });
    [picker.element, edit, status, overflow, bars].forEach(function (n) { part.appendChild(n); });

    function likeliest(probs) {
      let best = 0;
      probs.forEach(function (p, j) { if (p > probs[best]) best = j; });
      return "The likeliest next token is " + f.labels[best] + ", probability " + fixed(probs[best]) + ".";
    }

    function edited(j, v, before, after) {
      return "Logit of " + f.labels[j] + " set to " + fixed(v) + ": its probability is now " + fixed(after[j]) +
        " (was " + fixed(before) + "). " + likeliest(after);
    }

    function overflowText(ls) {
      const m = Math.max.apply(null, ls);
      const broken = naiveSoftmax(ls).some(function (p) { return p !== p; });
      return "The largest logit is " + fixed(m) + ". " + (broken
        ? "Without subtracting it first, exp(" + fixed(m) + ") is too large for a float (the limit is about exp(" +
          LIMIT.toFixed(2) + ")): it comes out as Infinity, and the probabilities as NaN. softmax() subtracts it, so " +
          "the largest exponent is 0, and exp(0) = 1."
        : "exp(" + fixed(m) + ") = " + fixed(Math.exp(m)) + " fits a float easily (the limit is about exp(" +
          LIMIT.toFixed(2) + ")), so subtracting it changes nothing here; it matters once a logit passes that.");
    }

    life.listen(field, "input", function () {
      const v = field.value.trim() === "" ? NaN : Number(field.value);
      field.setAttribute("aria-invalid", String(!isFinite(v)));
      if (!isFinite(v)) { status.textContent = "Type a number for the logit of " + f.labels[current] + "."; return; }
      const before = softmax(logits)[current];
      logits[current] = v;
      draw();
      status.textContent = edited(current, v, before, softmax(logits));
    });
    life.listen(add, "click", function () {
      const before = softmax(logits).map(fixed);
      logits = logits.map(function (v) { return v + SHIFT; });
      const after = softmax(logits).map(fixed);
      draw();
      const same = before.every(function (p, j) { return p === after[j]; });
      status.textContent = "Added " + SHIFT + " to every logit; the largest is now " + fixed(Math.max.apply(null, logits)) +
        ". " + (same ? "Every probability is unchanged." : "The probabilities changed.");
    });
    life.listen(reset, "click", function () {
      logits = f.logits.slice();
      draw();
      status.textContent = "Back to the trained model's logits after " + f.labels[f.token] + ". " + likeliest(softmax(logits));
    });

    function pick(i) {
      current = i;
      picker.set(i);
      labelText.textContent = "Logit of " + f.labels[i] + " ";
      field.value = String(Number(logits[i].toFixed(4)));
      field.removeAttribute("aria-invalid");
      status.textContent = "Editing the logit of " + f.labels[i] + ": " + fixed(logits[i]) + ", probability " +
        fixed(softmax(logits)[i]) + ".";
    }

    function draw() {
      const probs = softmax(logits);
      const top = Math.max.apply(null, probs);
      probs.forEach(function (p, j) {
        cells[j].logit.textContent = fixed(logits[j]);
        cells[j].bar.style.width = (100 * p / top).toFixed(1) + "%";
        cells[j].prob.textContent = fixed(p);
      });
      overflow.textContent = overflowText(logits);
      if (document.activeElement !== field) field.value = String(Number(logits[current].toFixed(4)));
    }

    // the live line and the note keep the height of their longest text: nothing below them moves
    const big = f.logits.map(function (v) { return v + 10 * SHIFT; });
    MGV.reserve(overflow, life, [overflowText(f.logits), overflowText(big)], function (t) { overflow.textContent = t; });
    const worst = f.logits.map(function () { return -1 / 3; });
    MGV.reserve(status, life, [edited(f.labels.length - 1, -1000 / 3, 1 / 3, softmax(worst))],
                function (t) { status.textContent = t; });
    pick(0);
    draw();
    status.textContent = "The trained model's logits after " + f.labels[f.token] + ". " + likeliest(softmax(logits));
  }
})();
