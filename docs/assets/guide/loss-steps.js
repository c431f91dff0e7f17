/* The loss step-through (Step 0.6): one name, pair by pair. Frame k shows
 * the first k pairs' probabilities and losses and their running mean.
 * Frames: {name, after, labels, tokens, target_probs, losses, means}, each
 * number already rounded by the build to the 4 decimals shown (means[k-1]:
 * the mean of the first k losses; the last is the name's loss). */
(function () {
  "use strict";

  MGV.defineWithFrames("loss-steps", start);

  function start(element, f) {
    const n = f.losses.length;
    const stage = element.querySelector(".mgv-stage");
    const make = MGV.make;
    const wrapper = make("div", "mgv-scroll mgv-steps");  // the table itself unclassed: Material styles it
    const table = make("table");
    wrapper.appendChild(table);
    const head = table.createTHead().insertRow();
    ["pos", "pair", "p (next token)", "loss = −ln p"].forEach(function (text) {
      const th = make("th", "", text);
      th.scope = "col";
      head.appendChild(th);
    });
    const body = table.createTBody();
    const rows = f.losses.map(function (loss, pos) {
      const row = body.insertRow();
      row.insertCell().textContent = String(pos);
      const pair = row.insertCell();
      pair.appendChild(MGV.chip(f.labels[f.tokens[pos]], f.tokens[pos]));
      pair.appendChild(document.createTextNode(" → "));
      pair.appendChild(MGV.chip(f.labels[f.tokens[pos + 1]], f.tokens[pos + 1]));
      row.insertCell();
      row.insertCell();
      return row;
    });
    const meanRow = body.insertRow();
    meanRow.insertCell();
    meanRow.insertCell().textContent = "mean so far";
    meanRow.insertCell();
    const meanCell = meanRow.insertCell();
    stage.replaceChildren(wrapper);
    MGV.refresh();  // its scroll box, if it needs one

    function mean(k) {
      return f.means[k - 1];
    }

    function show(k) {
      rows.forEach(function (row, pos) {
        const done = pos < k;
        row.cells[2].textContent = done ? f.target_probs[pos].toFixed(4) : "?";
        row.cells[3].textContent = done ? f.losses[pos].toFixed(4) : "?";
        row.classList.toggle("mgv-row--current", pos === k - 1);
        row.classList.toggle("mgv-row--later", !done);
      });
      meanRow.cells[1].textContent = k === n ? "mean: the loss" : "mean so far";
      meanCell.textContent = k ? mean(k).toFixed(4) : "?";
    }

    function say(k) {
      if (k === 0) return "“" + f.name + "” has " + n + " pairs. Step forward to score them one by one.";
      const pos = k - 1;
      const from = f.labels[f.tokens[pos]], to = f.labels[f.tokens[pos + 1]];
      const text = "Pair " + k + " of " + n + ": after " + from + ", the model gives " + to + " probability " +
        f.target_probs[pos].toFixed(4) + ", a loss of " + f.losses[pos].toFixed(4) + ". ";
      return text + (k === n ? "The name's loss, the mean of all " + n + ": " + mean(n).toFixed(4) + "."
                              : "Mean so far: " + mean(k).toFixed(4) + ".");
    }

    return MGV.stepper(element, { last: n, show: show, say: say, speeds: [["1 pair/s", 1], ["2 pairs/s", 2]] });
  }
})();
