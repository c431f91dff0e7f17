/* The count-table player (Step 0.5): the 27×27 table filling name by name.
 * Frame k is the table after k names; the cells name k added to are outlined.
 * Frames: {labels, steps: [{doc, tokens, cells, loss}]}, from the training run.
 *
 * Drawing is incremental: going from frame a to frame b adds (or takes away)
 * the cells of the names in between, and only the cells whose count changed
 * are written, except when the top of the colour scale changes: then every
 * cell's --heat is computed again, and written only where it differs. At rest
 * the top is the largest count (svg.heat's scale, as the build draws it);
 * playing fast, it is set a quarter above the largest and stays there until
 * the largest passes it, so that the whole table is recoloured a few dozen
 * times in 1,000 names rather than at every new largest count. */
(function () {
  "use strict";

  MGV.defineWithFrames("count-table", start);

  function start(element, frames, life) {
    const table = element.querySelector("table.mgv-counts");
    const labels = frames.labels;
    const size = labels.length;
    const steps = frames.steps;
    const kit = MGV.kit;
    const rows = Array.from(table.tBodies[0].rows);
    const tds = [];      // row-major: tds[i * size + j]
    rows.forEach(function (row) { Array.from(row.cells).slice(1).forEach(function (td) { tds.push(td); }); });
    const rowHeads = rows.map(function (row) { return row.cells[0]; });
    const colHeads = Array.from(table.tHead.rows[0].cells).slice(1);
    const counts = new Int32Array(size * size);
    const heats = new Array(size * size);   // the --heat each cell shows
    const texts = tds.map(function (td) {   // each cell's text node, written in place
      td.textContent = "0";
      return td.firstChild;
    });
    let shown = 0;      // the frame `counts` holds
    let top = 0;        // the top of the colour scale
    let marked = [];

    const caption = element.querySelector("figcaption");
    const now = MGV.make("div", "mgv-now");
    const box = table.parentNode;
    box.parentNode.insertBefore(now, box);

    function paint(k) {
      const h = kit.num(kit.heat(counts[k], top, 0, "sqrt"));   // the shared scale: svg.heat
      if (heats[k] !== h) {
        heats[k] = h;
        tds[k].style.setProperty("--heat", h);
      }
    }

    for (let k = 0; k < tds.length; k++) {
      tds[k].classList.add("zero");
      paint(k);
    }

    /* From the frame shown to frame `to`, name by name; returns the cells changed. */
    function countTo(to) {
      const changed = new Set();
      for (; shown < to; shown++) {
        steps[shown].cells.forEach(function (cell) { const k = cell[0] * size + cell[1]; counts[k] += 1; changed.add(k); });
      }
      for (; shown > to; shown--) {
        steps[shown - 1].cells.forEach(function (cell) { const k = cell[0] * size + cell[1]; counts[k] -= 1; changed.add(k); });
      }
      return changed;
    }

    function show(k, fast) {
      const changed = countTo(k);
      let largest = 0;
      for (let i = 0; i < counts.length; i++) if (counts[i] > largest) largest = counts[i];
      changed.forEach(function (i) {
        texts[i].data = String(counts[i]);
        tds[i].classList.toggle("zero", counts[i] === 0);
      });
      const next = !fast ? largest : largest > top || largest === 0 ? Math.ceil(largest * 1.25) : top;
      if (next !== top) {
        top = next;
        for (let i = 0; i < tds.length; i++) paint(i);
      } else {
        changed.forEach(paint);
      }
      marked.forEach(function (node) { node.classList.remove("mgv-hit"); });
      marked = [];
      if (k > 0) {
        steps[k - 1].cells.forEach(function (cell) {
          marked.push(tds[cell[0] * size + cell[1]], rowHeads[cell[0]], colHeads[cell[1]]);
        });
        marked.forEach(function (node) { node.classList.add("mgv-hit"); });
      }
      caption.textContent = "The count table after " + MGV.formatCount(k) + (k === 1 ? " name" : " names");
      drawNow(k);
    }

    /* The "now" line: the tokens of the name just counted (the live line above
     * names it) and the loss the table gave it before counting it. */
    function drawNow(k) {
      if (k === 0) {
        now.replaceChildren(MGV.make("span", "", "No names yet: every cell is 0."));
        return;
      }
      const step = steps[k - 1];
      now.replaceChildren(
        MGV.tokenRow(labels, step.tokens),
        MGV.make("span", "mgv-now__loss", "loss before counting it: " + step.loss.toFixed(4)));
    }

    function pair(cell) {
      return labels[cell[0]] + "→" + labels[cell[1]];
    }

    function say(k) {
      if (k === 0) return "Empty table, before the first name. Frame 0 of " + MGV.formatCount(steps.length) + ".";
      const step = steps[k - 1];
      return "Name " + MGV.formatCount(k) + " of " + MGV.formatCount(steps.length) + ", “" + step.doc +
        "”: added 1 to " + step.cells.length + " cells: " + step.cells.map(pair).join(", ") + ".";
    }

    // the "now" line keeps the height of the longest names': the table below never moves
    const byLength = steps.map(function (step, i) { return i + 1; })
      .sort(function (a, b) { return steps[b - 1].tokens.length - steps[a - 1].tokens.length; }).slice(0, 3);
    MGV.reserve(now, life, byLength, drawNow);

    return MGV.stepper(element, {
      last: steps.length, show: show, say: say,
      speeds: [["1 name/s", 1], ["5 names/s", 5], ["20 names/s", 20], ["100 names/s", 100]], speed: 1,
    });
  }
})();
