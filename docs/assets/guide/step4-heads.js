/* Step 4: the heads player (4.3), "heads". Pick a position of a name, then step
 * through the heads of layer 0 as gpt()'s loop runs them: each head's slice of q
 * (framed among all of q's numbers), its slices of the cached keys and values, its
 * scores and weights (which sum to 1), its head_out, and x_attn growing by
 * head_dim numbers per head until it is full.
 *
 * The build draws the last head at one position (the no-JavaScript figure); this
 * takes it over and redraws its rows. The frames (hooks/pagedata/step4_heads.py):
 *   {name, after, labels: [token of each position], pos: the one drawn,
 *    heads: n_head, size: head_dim, digits: decimals of the vectors,
 *    keys: [k of each position], values: [v of each position],
 *    positions: [{q, x_attn (all heads' head_out joined), scores: [per head],
 *                 weights: [per head], sums: [per head]}],
 *    bounds: {q: for q and the keys, v: for the values and x_attn}}
 * A frame of the stepper is a head; the position is picked with a row of
 * buttons (MGV.rowPicker: one tab stop, the arrow keys move along it).
 * Cells carry --heat (guide.css colours them from the theme); the numbers are
 * written in them, so nothing is told by colour alone. */
(function () {
  "use strict";

  const MINUS = "\u2212";
  const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"];

  /* A number as the tables write it: fixed decimals, a real minus, no negative zero. */
  function dec(x, digits) {
    let text = Number(x).toFixed(digits === undefined ? 4 : digits);
    if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
    return text.replace("-", MINUS);
  }

  /* A position in words: "e", "BOS", "the second m" (its letter occurs more than once), "itself". */
  function who(labels, t, itself) {
    if (itself !== undefined && t === itself) return "itself";
    const label = labels[t];
    const same = [];
    labels.forEach(function (x, i) { if (x === label) same.push(i); });
    if (same.length === 1) return label;
    const k = same.indexOf(t);
    return k < ORDINALS.length ? "the " + ORDINALS[k] + " " + label : label + " at " + t;
  }

  function cell(v, bound, digits, cls) {
    return "<td class=\"mgv-heat-cell" + (cls ? " " + cls : "") + "\" style=\"--heat:" +
      MGV.kit.num(MGV.kit.signedHeat(v, bound)) + "\">" + dec(v, digits) + "</td>";
  }

  MGV.defineWithFrames("heads", function (element, f, life) {
    const esc = MGV.kit.esc;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const title = stage.querySelector(".mgv-heads-title");
    const chips = Array.from(stage.querySelectorAll(".mgv-tokens .mgv-tok"));
    const vectors = stage.querySelector("table.mgv-heads-vectors");
    const one = stage.querySelector("table.mgv-heads-one");
    const oneBox = one.closest(".mgv-scroll"), vectorsBox = vectors.closest(".mgv-scroll");
    const labels = f.labels, n = labels.length, size = f.size, digits = f.digits;
    const width = f.heads * size;
    const captionText = caption.textContent;
    const kept = { one: oneBox.dataset.label, vectors: vectorsBox.dataset.label };
    let pos = f.pos, head = 0;

    function slice(letter, h) {
      return letter + "[" + h * size + ":" + (h + 1) * size + "]";
    }

    function titleText(p, h) {
      return "Position " + p + ", " + who(labels, p) + " · head " + h + " of " + f.heads +
        " (hs = " + h * size + "): q_h = " + slice("q", h);
    }

    /* The live line, in the words of the tables. */
    function sentence(h) {
      const fr = f.positions[pos];
      const count = pos + 1;
      const weights = fr.weights[h].map(function (w, t) { return who(labels, t, pos) + " " + dec(w); }).join(", ");
      const filled = (h + 1) * size;
      return "Position " + pos + ", " + who(labels, pos) + ", head " + h + " of " + f.heads + ": q_h = " +
        slice("q", h) + " meets " + (count === 1 ? "the one cached key's slice " : "the slices " + slice("k", h) +
        " of " + count + " cached keys") + (count === 1 ? slice("k", h) : "") + "; weights " + weights +
        " (sum " + dec(fr.sums[h]) + "). Its head_out joins x_attn, which now has " + filled + " of " + width +
        " numbers.";
    }

    /* q and x_attn: all their numbers, head h's slice framed, x_attn filled through head h. */
    function drawVectors(h) {
      const fr = f.positions[pos];
      const on = function (j) { return j >= h * size && j < (h + 1) * size; };
      const groups = vectors.tHead.rows[0].querySelectorAll("th.mgv-heads-group");
      groups.forEach(function (th, g) { th.classList.toggle("mgv-heads-on", g === h); });
      Array.from(vectors.tHead.rows[1].cells).forEach(function (th, j) { th.classList.toggle("mgv-heads-on", on(j)); });
      const q = ["<th scope=\"row\">q (" + pos + " " + esc(labels[pos]) + ")</th>"];
      const x = ["<th scope=\"row\">x_attn</th>"];
      for (let j = 0; j < width; j++) {
        q.push(cell(fr.q[j], f.bounds.q, digits, on(j) ? "mgv-heads-on" : ""));
        x.push(j < (h + 1) * size ? cell(fr.x_attn[j], f.bounds.v, digits, on(j) ? "mgv-heads-on" : "")
          : "<td class=\"mgv-heads-later\"><span class=\"mgv-sr\">not yet</span></td>");
      }
      const rows = vectors.tBodies[0].rows;
      rows[0].innerHTML = q.join("");
      rows[1].innerHTML = x.join("");
      // on a narrow screen the table scrolls in its box: bring the head's slice into view
      const box = vectorsBox.getBoundingClientRect();
      const cells = rows[0].cells;
      const from = cells[1 + h * size].getBoundingClientRect(), to = cells[(h + 1) * size].getBoundingClientRect();
      const left = box.left + cells[0].getBoundingClientRect().width;   // the sticky row header covers this much
      if (from.left < left - 1 || to.right > box.right + 1) vectorsBox.scrollLeft += from.left - left;
    }

    /* Head h alone: its slices of q, of every cached key and value, scores, weights, head_out. */
    function drawHead(h) {
      const fr = f.positions[pos];
      const start = h * size;
      const groups = one.tHead.rows[0].querySelectorAll("th[scope=colgroup]");
      groups[0].textContent = "k_h: " + slice("k", h);
      groups[1].textContent = "v_h: " + slice("v", h);
      Array.from(one.tHead.rows[1].cells).forEach(function (th, i) { th.textContent = String(start + i % size); });
      const rows = one.tBodies[0].rows;
      const q = ["<th scope=\"row\">q_h (" + pos + " " + esc(labels[pos]) + ")</th>"];
      for (let j = start; j < start + size; j++) q.push(cell(fr.q[j], f.bounds.q, digits));
      q.push("<td></td><td></td><td colspan=\"" + size + "\"></td>");
      rows[0].innerHTML = q.join("");
      for (let t = 0; t < n; t++) {
        const tr = rows[t + 1];
        const parts = ["<th scope=\"row\">" + t + " " + esc(labels[t]) + "</th>"];
        if (t <= pos) {
          for (let j = start; j < start + size; j++) parts.push(cell(f.keys[t][j], f.bounds.q, digits));
          parts.push("<td class=\"mgv-heads-num\">" + dec(fr.scores[h][t]) + "</td>");
          parts.push(cell(fr.weights[h][t], 1, 4, "mgv-heads-weight"));
          for (let j = start; j < start + size; j++) parts.push(cell(f.values[t][j], f.bounds.v, digits));
          tr.className = "mgv-heads-row";
        } else {
          parts.push("<td colspan=\"" + (2 * size + 2) + "\" class=\"mgv-heads-later\">not computed yet</td>");
          tr.className = "mgv-heads-row mgv-heads-empty";
        }
        tr.innerHTML = parts.join("");
      }
      const foot = one.tFoot.rows[0].cells;
      foot[3].innerHTML = "<span class=\"mgv-sr\">sum of the weights: </span>Σ " + dec(fr.sums[h]);
      for (let j = 0; j < size; j++) {
        const v = fr.x_attn[start + j];
        const td = foot[4 + j];
        td.textContent = dec(v, digits);
        td.style.setProperty("--heat", MGV.kit.num(MGV.kit.signedHeat(v, f.bounds.v)));
      }
    }

    function label(box, text) {
      box.dataset.label = text;
      if (box.hasAttribute("aria-label")) box.setAttribute("aria-label", text + " (scrolls sideways)");
    }

    function show(h) {
      head = h;
      drawVectors(h);
      drawHead(h);
      title.textContent = titleText(pos, h);
      chips.forEach(function (chip, t) { chip.classList.toggle("mgv-tok--current", t === pos); });
      label(vectorsBox, "q and x_attn at position " + pos + ", by head");
      label(oneBox, "Head " + h + " at position " + pos + ": its slices, scores and weights");
      caption.textContent = captionText.replace(/ at position \d+ of /, " at position " + pos + " of ");
    }

    const picker = MGV.rowPicker(life, "The position", labels.map(function (l, t) { return t + " " + l; }),
      function (p) {
        pos = p;
        picker.set(p);
        stepper.go(head);
      });
    const pick = MGV.make("div", "mgv-heads-pick");
    pick.appendChild(MGV.make("p", "mgv-heads-pick-label", "Position:"));
    pick.appendChild(picker.element);
    const hint = MGV.make("p", "mgv-hint", "Pick a position of “" + f.name + "”: click, or Tab to the row of" +
      " buttons and use the arrow keys. Then step through the heads.");
    picker.set(pos);

    // the heading keeps the height of its tallest: the tables below never move
    const titles = [];
    for (let p = 0; p < n; p++) for (let h = 0; h < f.heads; h++) titles.push(titleText(p, h));
    MGV.reserve(title, life, titles, function (text) { title.textContent = text; });
    const stepper = MGV.stepper(element, {
      last: f.heads - 1, start: 0, show: show, say: sentence,
      speeds: [["1 head per second", 1], ["2 per second", 2]],
    });
    // the live line keeps the height of its longest sentence at any position (the stepper's own
    // measure knows only the position it started at): picking a position moves nothing below it
    const all = [];
    const at = pos;
    for (pos = 0; pos < n; pos++) for (let h = 0; h < f.heads; h++) all.push("At the end. " + sentence(h));
    pos = at;
    const status = element.querySelector(".mgv-status");
    MGV.reserve(status, life, MGV.longest(all), function (text) { status.textContent = text; });
    element.insertBefore(pick, element.firstChild);
    element.insertBefore(hint, pick);
    life.onStop(function () {
      [hint, pick].forEach(function (node) { node.remove(); });
      chips.forEach(function (c) { c.classList.remove("mgv-tok--current"); });
      caption.textContent = captionText;
      title.style.minHeight = "";
      oneBox.dataset.label = kept.one;
      vectorsBox.dataset.label = kept.vectors;
    });
    return stepper;
  });
})();
