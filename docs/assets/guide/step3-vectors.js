/* Step 3's vectors (3.2 to 3.4), one kind of player, "vector-rows": pick a position
 * of a name ("emma": BOS e m m a) and a model (as initialised, trained); see a few
 * vectors of that position as rows of cells, each number to 2 decimals on a signed
 * colour scale (one per group of rows, the same for every position and both
 * models, given by the build). 3.2: tok_emb, pos_emb and their sum x; 3.3: x
 * before and after rmsnorm, each with its rms; 3.4: the x the attention block reads,
 * and its q, k and v.
 *
 * The build draws the table for one position of the trained model (the
 * no-JavaScript figure, with its sentence above it); this takes it over and
 * updates its cells in place. The frames (hooks/pagedata/step3_vectors.py):
 *   {name, picks: [{label, pos}], snapshots: [before, after], start, codes,
 *    bounds: [per row], decimals,
 *    frames: {"0": [per position {notes, cells, say, caption}], "1000": [...]}}
 * A note's lines (a row header's second part) are kept as lines (CSS white-space). 
 * The two rows of buttons are toolbars: one tab stop each; the arrow keys, Home
 * and End move along them and pick as they go. The live line says what is shown. */
(function () {
  "use strict";

  const MINUS = "\u2212";

  MGV.defineWithFrames("vector-rows", start);

  /* A row of buttons, one tab stop (MGV.rowPicker), each filled by fill(button, i). */
  function toolbar(life, label, fill, count, onPick) {
    const blank = [];
    for (let i = 0; i < count; i++) blank.push("");
    return MGV.rowPicker(life, label, blank, onPick, { className: "mgv-vec-bar", fill: fill });
  }

  /* A number as the cells show it (hooks/pagedata/step3_vectors.py, signed()). */
  function cellText(v, decimals) {
    let text = Number(v).toFixed(decimals);
    if (Number(text) === 0) text = text.replace("-", "");
    return text.replace("-", MINUS);
  }

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const summary = stage.querySelector(".mgv-vec-summary");
    const table = stage.querySelector("table.mgv-vec");
    const rows = Array.from(table.tBodies[0].rows, function (tr) {
      return { note: tr.querySelector(".mgv-vec-note"), cells: Array.from(tr.querySelectorAll("td.mgv-heat-cell")) };
    });
    const keptCaption = caption.textContent;
    let pos = f.start;
    let snap = f.snapshots.length - 1;   // the build drew the trained model

    const positions = toolbar(life, "Position in " + f.name, function (b, i) {
      const pick = f.picks[i];
      b.appendChild(make("span", "mgv-vec-pick-tok", pick.label));
      b.appendChild(make("span", "mgv-vec-pick-pos", " at " + pick.pos));
    }, f.picks.length, function (i) { pos = i; show(); });
    const models = toolbar(life, "Model", function (b, i) {
      const k = f.snapshots[i];
      b.textContent = k === 0 ? "As initialised" : "After " + MGV.formatCount(k) + " steps";
    }, f.snapshots.length, function (i) { snap = i; show(); });

    const picks = make("div", "mgv-vec-picks");
    picks.appendChild(make("p", "mgv-vec-pick-label", "Position:"));
    picks.appendChild(positions.element);
    picks.appendChild(make("p", "mgv-vec-pick-label", "Model:"));
    picks.appendChild(models.element);
    const hint = make("p", "mgv-hint", "Pick a position of " + f.name + " and a model: click, or Tab to a row of" +
      " buttons and use the arrow keys.");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    element.insertBefore(status, stage);
    element.insertBefore(picks, status);
    element.insertBefore(hint, picks);
    summary.hidden = true;   // the live line says it
    life.onStop(function () {
      [hint, picks, status].forEach(function (n) { n.remove(); });
      summary.hidden = false;
      caption.textContent = keptCaption;
      caption.style.minHeight = "";
    });

    function frame() {
      return f.frames[String(f.snapshots[snap])][pos];
    }

    function show() {
      const fr = frame();
      rows.forEach(function (row, r) {
        row.note.textContent = fr.notes[r];
        fr.cells[r].forEach(function (v, j) {
          const td = row.cells[j];
          td.textContent = cellText(v, f.decimals);
          td.style.setProperty("--heat", MGV.kit.num(MGV.kit.signedHeat(v, f.bounds[r])));
        });
      });
      positions.set(pos);
      models.set(snap);
      status.textContent = fr.say;
      caption.textContent = fr.caption;
    }

    // the live line keeps the height of its longest sentence: the table below never moves;
    // and the caption the height of its tallest, so that nothing after the figure moves either
    const all = [], captions = [];
    Object.keys(f.frames).forEach(function (k) {
      f.frames[k].forEach(function (fr) { all.push(fr.say); captions.push(fr.caption); });
    });
    MGV.reserve(status, life, MGV.longest(all), function (text) { status.textContent = text; });
    MGV.reserve(caption, life, captions, function (text) { caption.textContent = text; });
    show();
  }
})();
