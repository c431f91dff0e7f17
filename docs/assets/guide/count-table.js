/* The count-table player (Step 0.5): the 27×27 table filling name by name.
 * Frame k is the table after k names; the cells name k added to are outlined.
 * Frames: {labels, steps: [{doc, tokens, cells, loss}]}, from the training run. */
(function () {
  "use strict";

  MGV.defineWithFrames("count-table", start);

  function start(element, frames) {
    const table = element.querySelector("table.mgv-counts");
    const size = frames.labels.length;
    const steps = frames.steps;
    const tds = Array.from(table.tBodies[0].rows, function (row) { return Array.from(row.cells).slice(1); });
    const rowHeads = Array.from(table.tBodies[0].rows, function (row) { return row.cells[0]; });
    const colHeads = Array.from(table.tHead.rows[0].cells).slice(1);
    let counts = [];
    let shown = -1;  // the frame `counts` holds
    let marked = [];

    const caption = element.querySelector("figcaption");
    const now = MGV.make("div", "mgv-now");
    element.querySelector(".mgv-stage").insertBefore(now, table.parentNode);

    function countUpTo(k) {
      if (k < shown || shown < 0) {
        counts = Array.from({ length: size }, function () { return new Array(size).fill(0); });
        shown = 0;
      }
      for (; shown < k; shown++) {
        steps[shown].cells.forEach(function (cell) { counts[cell[0]][cell[1]] += 1; });
      }
    }

    function show(k) {
      countUpTo(k);
      let largest = 0;
      counts.forEach(function (row) { row.forEach(function (c) { if (c > largest) largest = c; }); });
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const c = counts[i][j];
          const td = tds[i][j];
          if (td.textContent !== String(c)) td.textContent = String(c);
          td.style.setProperty("--heat", MGV.kit.num(MGV.kit.heat(c, largest, 0, "sqrt")));  // the shared scale: svg.heat
          td.classList.toggle("zero", c === 0);
        }
      }
      caption.textContent = "The count table after " + MGV.formatCount(k) + (k === 1 ? " name" : " names");
      marked.forEach(function (node) { node.classList.remove("mgv-hit"); });
      marked = [];
      now.textContent = "";
      if (k === 0) {
        now.textContent = "No names yet: every cell is 0.";
        return;
      }
      const step = steps[k - 1];
      step.cells.forEach(function (cell) {
        marked.push(tds[cell[0]][cell[1]], rowHeads[cell[0]], colHeads[cell[1]]);
      });
      marked.forEach(function (node) { node.classList.add("mgv-hit"); });
      now.appendChild(MGV.make("span", "", "Name " + MGV.formatCount(k) + ": “" + step.doc + "”"));
      now.appendChild(MGV.tokenRow(frames.labels, step.tokens));
      now.appendChild(MGV.make("span", "", "loss before counting it: " + step.loss.toFixed(4)));
    }

    function say(k) {
      if (k === 0) return "Empty table, before the first name. Frame 0 of " + MGV.formatCount(steps.length) + ".";
      const step = steps[k - 1];
      const cells = step.cells.map(function (cell) { return "[" + cell[0] + "][" + cell[1] + "]"; }).join(", ");
      return "Name " + MGV.formatCount(k) + " of " + MGV.formatCount(steps.length) + ", “" + step.doc +
        "”: added 1 to " + step.cells.length + " cells, " + cells + ".";
    }

    return MGV.stepper(element, {
      last: steps.length, show: show, say: say,
      speeds: [["5 names/s", 5], ["1 name/s", 1], ["20 names/s", 20], ["100 names/s", 100]],
    });
  }
})();
