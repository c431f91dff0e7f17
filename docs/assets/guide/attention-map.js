/* Step 3: attention at work (3.5 to 3.7), three kinds of player.
 *
 * "attention-map" (3.5): the attention weights of a name as a causal map,
 * stepped over the snapshots kept during training. The build draws the map
 * (a table of heat cells) after the last snapshot; the frames carry them all:
 *   {name, labels: [token of each position], snapshots: [0, 1, ...],
 *    weights: [per snapshot: per position asking, its weights over t <= pos],
 *    sums: [per snapshot: per position, the sum of its weights]}
 * Weights to the 4 decimals shown.
 *
 * "residual-stream" (3.6): pick a position of a name; its weighted sum of the
 * values and the residual stream through both blocks. The build draws one
 * position; the frames carry them all:
 *   {name, labels, pos: the one drawn, values: [v of each position],
 *    positions: [{weights, x_attn, stream: {input, attn_out, after_attn,
 *    mlp_out, after_mlp}, lengths, top: [[token, probability] x3], next}],
 *    bounds: {mix, stream}}
 *
 * "kv-cache" (3.7): a stepper over the positions of a name: at each one its
 * key and value join the cache, and its query meets every cached key. The
 * build draws the last position; the frames carry them all:
 *   {name, labels, keys: [k of each position], values: [v ...],
 *    positions: [{q, scores, weights, x_attn}], bounds: {keys, values}, digits}
 *
 * The cells carry --heat (guide.css colours them, from the theme); the
 * numbers are written in them, so nothing is told by colour alone. */
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

  function setHeat(cell, h) {
    cell.style.setProperty("--heat", MGV.kit.num(h));
  }

  /* A position in words: "e", "BOS", "the second m" (its letter occurs more than once). */
  function who(labels, t, itself) {
    if (itself !== undefined && t === itself) return "itself";
    const label = labels[t];
    const same = [];
    labels.forEach(function (x, i) { if (x === label) same.push(i); });
    if (same.length === 1) return label;
    const k = same.indexOf(t);
    return k < ORDINALS.length ? "the " + ORDINALS[k] + " " + label : label + " at " + t;
  }

  function when(k) {
    return k === 0 ? "As initialised, before any training step" : "After " + MGV.formatCount(k) + " training step" + (k === 1 ? "" : "s");
  }

  function argmax(row) {
    let best = 0;
    row.forEach(function (w, t) { if (w > row[best]) best = t; });
    return best;
  }

  const toolbar = MGV.rowPicker;

  /* ------------------------------------------------------------ 3.5 the attention map */

  MGV.defineWithFrames("attention-map", function (element, f, life) {
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const summary = stage.querySelector(".mgv-attn-summary");
    const rows = Array.from(stage.querySelectorAll("table.mgv-attn-map tbody tr"), function (tr) {
      const tds = Array.from(tr.querySelectorAll("td"));
      return { cells: tds.slice(0, -1), sum: tds[tds.length - 1] };
    });
    const captionText = caption.textContent;
    const base = captionText.replace(/ after [\d,]+ training steps$/, "");

    function sentence(s) {
      const words = f.weights[s].slice(1).map(function (row, i) {
        const pos = i + 1, best = argmax(row);
        return who(f.labels, pos) + " looks most at " + who(f.labels, best, pos) + " (" + dec(row[best]) + ")";
      });
      return when(f.snapshots[s]) + ": " + words.join("; ") + ".";
    }

    function show(s) {
      f.weights[s].forEach(function (row, pos) {
        row.forEach(function (w, t) {
          const cell = rows[pos].cells[t];
          cell.textContent = dec(w);
          setHeat(cell, MGV.kit.heat(w, 1));
        });
        rows[pos].sum.textContent = dec(f.sums[s][pos]);
      });
      const k = when(f.snapshots[s]);
      caption.textContent = base + " " + k.charAt(0).toLowerCase() + k.slice(1);
    }

    summary.hidden = true;  // the live line says it, for the snapshot shown
    life.onStop(function () { summary.hidden = false; caption.textContent = captionText; caption.style.minHeight = ""; });
    const last = f.snapshots.length - 1;
    // the caption keeps the height of its tallest ("after 1 training step" may take a line less on a
    // phone): nothing after the figure moves while it plays
    MGV.reserve(caption, life, f.snapshots.map(function (k) {
      return base + " " + when(k).charAt(0).toLowerCase() + when(k).slice(1);
    }), function (text) { caption.textContent = text; });
    return MGV.stepper(element, {
      last: last, start: last, show: show, say: sentence,
      speeds: [["1 snapshot per second", 1], ["2 per second", 2], ["4 per second", 4]],
    });
  });

  /* ------------------------------------------------------------ 3.6 the residual stream */

  MGV.defineWithFrames("residual-stream", function (element, f, life) {
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const captionText = caption.textContent;
    const title = stage.querySelector(".mgv-part");
    const mix = stage.querySelector("table.mgv-mix");
    const streamCells = Array.from(stage.querySelectorAll("table.mgv-stream tbody tr"), function (tr) {
      return Array.from(tr.querySelectorAll("td"));
    });
    const lengthCells = Array.from(stage.querySelectorAll("table.mgv-stream tfoot td"));
    const next = stage.querySelector(".mgv-stream-next");
    const mixBox = mix.closest(".mgv-scroll");
    const mixLabel = mixBox.dataset.label;
    const keys = ["input", "attn_out", "after_attn", "mlp_out", "after_mlp"];
    const dims = streamCells.length;
    let pos = f.pos;

    /* The weighted-sum table for one position: its columns change with the number of values. */
    function drawMix(p) {
      const w = f.positions[p].weights, x = f.positions[p].x_attn;
      const head = ["<tr><th scope=\"col\">j</th>"];
      w.forEach(function (wt, t) {
        head.push("<th scope=\"col\">v<sub>" + t + "</sub> " + MGV.kit.esc(f.labels[t]) +
          "<br><span class=\"mgv-weight\">× " + dec(wt) + "</span></th>");
      });
      head.push("<th scope=\"col\">x_attn</th></tr>");
      const body = [];
      for (let j = 0; j < dims; j++) {
        const cells = ["<tr><th scope=\"row\">" + j + "</th>"];
        w.forEach(function (_, t) {
          const v = f.values[t][j];
          cells.push("<td class=\"mgv-heat-cell\" style=\"--heat:" + MGV.kit.num(MGV.kit.signedHeat(v, f.bounds.mix)) + "\">" + dec(v) + "</td>");
        });
        cells.push("<td class=\"mgv-heat-cell mgv-total\" style=\"--heat:" + MGV.kit.num(MGV.kit.signedHeat(x[j], f.bounds.mix)) + "\">" + dec(x[j]) + "</td></tr>");
        body.push(cells.join(""));
      }
      mix.querySelector("thead").innerHTML = head.join("");
      mix.querySelector("tbody").innerHTML = body.join("");
      // Its width changes with the position: players.js makes its box a tab stop only while it
      // overflows, and looks again on a resize of the window. Ask it to look again whenever this
      // table starts or stops overflowing (no empty tab stop; no box out of the keyboard's reach).
      if ((mixBox.scrollWidth > mixBox.clientWidth + 1) !== mixBox.classList.contains("mgv-scrolls")) {
        window.dispatchEvent(new Event("resize"));
      }
    }

    function titleText(p) {
      return "Position " + p + ", " + who(f.labels, p) + ": the weighted sum of the values";
    }

    function nextText(p) {
      return "Next token, after lm_head and softmax: " + words(p) + " (the name goes on with " + f.positions[p].next + ").";
    }

    function words(p) {
      const fr = f.positions[p];
      return fr.top.map(function (pair) { return pair[0] + " " + dec(pair[1]); }).join(", ");
    }

    function sentence(p) {
      const fr = f.positions[p];
      return "Position " + p + ", " + who(f.labels, p) + ": it takes " + fr.weights.map(function (w, t) {
        return dec(w) + " of " + who(f.labels, t, p);
      }).join(", ") + ". The attention block adds a vector of length " + fr.lengths[1].toFixed(2) +
        ", the MLP block one of length " + fr.lengths[3].toFixed(2) + ". Likeliest next: " + words(p) + ".";
    }

    function show(p) {
      pos = p;
      const fr = f.positions[p];
      drawMix(p);
      keys.forEach(function (key, c) {
        const vec = fr.stream[key];
        for (let j = 0; j < dims; j++) {
          const cell = streamCells[j][c];
          cell.textContent = dec(vec[j]);
          setHeat(cell, MGV.kit.signedHeat(vec[j], f.bounds.stream));
        }
        lengthCells[c].textContent = fr.lengths[c].toFixed(2);
      });
      title.textContent = titleText(p);
      next.textContent = nextText(p);
      // the box of the weighted sum is named for the position it shows (players.js reads data-label)
      mixBox.dataset.label = titleText(p);
      if (mixBox.hasAttribute("aria-label")) mixBox.setAttribute("aria-label", titleText(p) + " (scrolls sideways)");
      picker.set(p);
      status.textContent = sentence(p);
      caption.textContent = captionText.replace(/ at position \d+ of /, " at position " + p + " of ");
    }

    const picker = toolbar(life, "The position", f.labels.map(function (label, t) { return t + " " + label; }), show);
    const hint = MGV.make("p", "mgv-hint", "Pick a position of “" + f.name + "”: click, or Tab to the row of buttons and use the arrow keys.");
    const status = MGV.make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    element.insertBefore(status, stage);
    element.insertBefore(picker.element, status);
    element.insertBefore(hint, picker.element);
    life.onStop(function () {
      [hint, picker.element, status].forEach(function (n) { n.remove(); });
      caption.textContent = captionText;
      mixBox.dataset.label = mixLabel;
      [title, next].forEach(function (n) { n.style.minHeight = ""; });
    });
    MGV.reserve(status, life, MGV.longest(f.positions.map(function (_, p) { return sentence(p); })),
                function (text) { status.textContent = text; });
    // the heading and the line of likeliest next tokens keep the height of their tallest: picking a
    // position never moves what follows them
    MGV.reserve(title, life, f.positions.map(function (_, p) { return titleText(p); }),
                function (text) { title.textContent = text; });
    MGV.reserve(next, life, f.positions.map(function (_, p) { return nextText(p); }),
                function (text) { next.textContent = text; });
    show(pos);
  });

  /* ------------------------------------------------------------ 3.7 the KV cache */

  MGV.defineWithFrames("kv-cache", function (element, f, life) {
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const part = stage.querySelector(".mgv-part");
    const chips = Array.from(stage.querySelectorAll(".mgv-tokens .mgv-tok"));
    const n = f.labels.length, digits = f.digits;

    function tables(kind) {
      const table = stage.querySelector("table.mgv-kv--" + kind);
      return {
        query: table.querySelector("tr.mgv-kv-query"),
        sum: table.querySelector("tr.mgv-kv-sum"),
        rows: Array.from(table.querySelectorAll("tr.mgv-kv-row")),
      };
    }
    const K = tables("keys"), V = tables("values");

    function fill(tr, vector, bound) {
      Array.from(tr.querySelectorAll("td.mgv-heat-cell")).forEach(function (cell, j) {
        cell.textContent = dec(vector[j], digits);
        setHeat(cell, MGV.kit.signedHeat(vector[j], bound));
      });
    }

    /* One cached row (t <= pos: its score, weight and numbers; later: empty), rebuilt. */
    function row(tr, kind, t, pos, vector, bound, fr) {
      const letter = kind === "keys" ? "k" : "v";
      const cached = t <= pos;
      const blank = kind === "keys" ? "<td></td><td></td>" : "<td></td>";
      tr.className = "mgv-kv-row" + (t === pos ? " mgv-kv-new" : "") + (cached ? "" : " mgv-kv-empty");
      const cells = ["<th scope=\"row\">" + letter + "<sub>" + t + "</sub> " + MGV.kit.esc(f.labels[t]) +
        (t === pos ? "<span class=\"mgv-kv-badge\">new</span>" : "") + "</th>"];
      if (cached) {
        if (kind === "keys") cells.push("<td class=\"mgv-kv-num\">" + dec(fr.scores[t]) + "</td>");
        cells.push("<td class=\"mgv-kv-num\">" + dec(fr.weights[t]) + "</td>");
        vector.forEach(function (v) {
          cells.push("<td class=\"mgv-heat-cell\" style=\"--heat:" + MGV.kit.num(MGV.kit.signedHeat(v, bound)) + "\">" + dec(v, digits) + "</td>");
        });
      } else {
        cells.push(blank);
        cells.push("<td colspan=\"" + vector.length + "\" class=\"mgv-kv-later\">not computed yet</td>");
      }
      tr.innerHTML = cells.join("");
    }

    function sentence(pos) {
      const fr = f.positions[pos];
      const count = pos + 1;
      const held = f.labels.slice(0, count).join(", ");
      const weights = fr.weights.map(function (w, t) { return who(f.labels, t) + " " + dec(w); }).join(", ");
      return "Position " + pos + ", " + who(f.labels, pos) + ": its key and value join the cache, which now holds " +
        count + " of each (" + held + "). Its query meets " + (count === 1 ? "its own key only" : "all " + count + " keys") +
        ": weights " + weights + ".";
    }

    function show(pos) {
      const fr = f.positions[pos];
      fill(K.query, fr.q, f.bounds.keys);
      K.query.querySelector("th").textContent = "q (" + pos + " " + f.labels[pos] + ")";
      for (let t = 0; t < n; t++) {
        row(K.rows[t], "keys", t, pos, f.keys[t], f.bounds.keys, fr);
        row(V.rows[t], "values", t, pos, f.values[t], f.bounds.values, fr);
      }
      fill(V.sum, fr.x_attn, f.bounds.values);
      chips.forEach(function (chip, t) { chip.classList.toggle("mgv-tok--current", t === pos); });
      part.textContent = partText(pos);
    }

    function partText(pos) {
      return "Position " + pos + ", " + who(f.labels, pos) + ": the cache holds " + (pos + 1) +
        " key" + (pos ? "s" : "") + " and " + (pos + 1) + " value" + (pos ? "s" : "");
    }

    const captionText = caption.textContent;
    life.onStop(function () {
      chips.forEach(function (c) { c.classList.remove("mgv-tok--current"); });
      caption.textContent = captionText;
      part.style.minHeight = "";
    });
    // the heading keeps the height of its tallest: the tables below it never move while it plays
    MGV.reserve(part, life, f.labels.map(function (_, pos) { return partText(pos); }),
                function (text) { part.textContent = text; });
    return MGV.stepper(element, {
      last: n - 1, start: 0, show: show, say: sentence,
      speeds: [["1 position per second", 1], ["2 per second", 2]],
    });
  });
})();
