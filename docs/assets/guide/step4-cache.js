/* Step 4 (4.5): "layer-cache", one layer's KV cache filling over a name,
 * position by position: at each one its key and value join keys[layer] and
 * values[layer] (a pair of columns per position), its query comes before them
 * and x_attn after them; the rows are the numbers, grouped by the head whose
 * slice they are, each group headed by that head's weights. The build draws the
 * last position (hooks/pagedata/step4.py, layer_cache_player); the frames
 * carry them all:
 *   {name, after, layer, heads, size: numbers per head, labels: [token of
 *    each position], keys: [k of each position], values: [v ...],
 *    positions: [{q, weights: [per head: its weights over t <= pos], x_attn}],
 *    digits: decimals of the vectors, bounds: {keys, values}}
 * Weights to the 4 decimals shown. The cells carry --heat and a head's class
 * (step4.css); guide.css colours them from the theme, and the numbers are
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

  function argmax(row) {
    let best = 0;
    row.forEach(function (w, t) { if (w > row[best]) best = t; });
    return best;
  }

  MGV.defineWithFrames("layer-cache", function (element, f, life) {
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector(":scope > figcaption");
    const part = stage.querySelector(".mgv-part");
    const chips = Array.from(stage.querySelectorAll(".mgv-tokens .mgv-tok"));
    const table = stage.querySelector("table.mgv-kvh");
    const n = f.labels.length, digits = f.digits, heads = f.heads, size = f.size, dims = heads * size;
    const esc = MGV.kit.esc;

    /* The class of the columns of position t when position pos has run (hooks: pos_cls). */
    function posClass(t, pos) {
      return t === pos ? " mgv-kvh-new" : t > pos ? " mgv-kvh-later" : "";
    }

    function label(t) {
      return t + " " + f.labels[t];
    }

    function cell(v, bound, cls) {
      return "<td class=\"mgv-heat-cell " + cls + "\" style=\"--heat:" + MGV.kit.num(MGV.kit.signedHeat(v, bound)) +
        "\">" + dec(v, digits) + "</td>";
    }

    /* The table once position pos has run: the same markup as the build's (cache_table). */
    function draw(pos) {
      const fr = f.positions[pos];
      const head = ["<tr><th scope=\"col\" rowspan=\"2\">keys[" + f.layer + "], values[" + f.layer + "]</th>" +
        "<th scope=\"col\" rowspan=\"2\" class=\"mgv-kvh-q\">q (" + esc(label(pos)) + ")</th>"];
      for (let t = 0; t < n; t++) {
        const tag = t === pos ? "<span class=\"mgv-kv-badge\">new</span>" :
          t > pos ? "<span class=\"mgv-kvh-later-tag\">later</span>" : "";
        head.push("<th scope=\"colgroup\" colspan=\"2\" class=\"mgv-kvh-pos" + posClass(t, pos) + "\">" +
          esc(label(t)) + tag + "</th>");
      }
      head.push("<th scope=\"col\" rowspan=\"2\" class=\"mgv-kvh-sum\">x_attn</th></tr><tr>");
      for (let t = 0; t < n; t++) {
        head.push("<th scope=\"col\" class=\"mgv-kvh-k" + posClass(t, pos) + "\">k<sub>" + t + "</sub></th>" +
          "<th scope=\"col\" class=\"mgv-kvh-v" + posClass(t, pos) + "\">v<sub>" + t + "</sub></th>");
      }
      head.push("</tr>");
      const body = [];
      for (let h = 0; h < heads; h++) {
        const cls = "mgv-hs--" + (h % 4);
        const row = ["<tr class=\"mgv-kvh-head " + cls + "\"><th scope=\"rowgroup\">head " + h +
          "<span class=\"mgv-hs-range\">[" + h * size + ":" + (h + 1) * size + "]</span></th>" +
          "<td class=\"mgv-kvh-wlabel\">weight</td>"];
        for (let t = 0; t < n; t++) {
          row.push(t <= pos ? "<td colspan=\"2\" class=\"mgv-kv-num" + posClass(t, pos) + "\">" + dec(fr.weights[h][t]) + "</td>"
                            : "<td colspan=\"2\" class=\"mgv-kv-later" + posClass(t, pos) + "\"></td>");
        }
        row.push("<td></td></tr>");
        body.push(row.join(""));
        for (let j = h * size; j < (h + 1) * size; j++) {
          const cells = ["<tr class=\"" + cls + "\"><th scope=\"row\">" + j + "</th>" + cell(fr.q[j], f.bounds.keys, "mgv-kvh-q")];
          for (let t = 0; t < n; t++) {
            if (t <= pos) {
              cells.push(cell(f.keys[t][j], f.bounds.keys, "mgv-kvh-k" + posClass(t, pos)));
              cells.push(cell(f.values[t][j], f.bounds.values, "mgv-kvh-v" + posClass(t, pos)));
            } else {
              cells.push("<td colspan=\"2\" class=\"mgv-kv-later" + posClass(t, pos) + "\"></td>");
            }
          }
          cells.push(cell(fr.x_attn[j], f.bounds.values, "mgv-kvh-sum") + "</tr>");
          body.push(cells.join(""));
        }
      }
      table.querySelector("thead").innerHTML = head.join("");
      table.querySelector("tbody").innerHTML = body.join("");
    }

    function partText(pos) {
      const count = pos + 1;
      return "Position " + pos + ", " + who(f.labels, pos) + ": keys[" + f.layer + "] and values[" + f.layer +
        "] hold " + count + " entr" + (count === 1 ? "y" : "ies") + " of " + dims + " numbers each";
    }

    function sentence(pos) {
      const fr = f.positions[pos];
      const count = pos + 1;
      const held = f.labels.slice(0, count).join(", ");
      const tops = fr.weights.map(function (w, h) {
        const best = argmax(w);
        return "head " + h + " " + who(f.labels, best, pos) + " " + dec(w[best]);
      }).join(", ");
      return "Position " + pos + ", " + who(f.labels, pos) + ": its key and value join keys[" + f.layer +
        "] and values[" + f.layer + "], which now hold " + count + " of each (" + held + "). Each head reads its " +
        size + " numbers of every entry; the largest weights: " + tops + ".";
    }

    /* On a narrow screen the table scrolls in its box: bring the newest pair (k and v of pos) into view,
     * right of the row headers that stay put, moving the box as little as it takes (at the first
     * position, with the query beside it). */
    const box = table.closest(".mgv-scroll");
    function reveal(pos) {
      const b = box.getBoundingClientRect();
      const cols = table.tHead.rows[1].cells;
      const k = cols[2 * pos].getBoundingClientRect(), v = cols[2 * pos + 1].getBoundingClientRect();
      const left = b.left + table.tBodies[0].rows[1].cells[0].getBoundingClientRect().width;
      const first = pos === 0 ? table.querySelector("thead th.mgv-kvh-q").getBoundingClientRect().left : k.left;
      if (v.right > b.right + 1) box.scrollLeft += Math.min(v.right - b.right, k.left - left);
      else if (k.left < left - 1) box.scrollLeft += first - left;
    }

    function show(pos) {
      draw(pos);
      reveal(pos);
      chips.forEach(function (chip, t) { chip.classList.toggle("mgv-tok--current", t === pos); });
      part.textContent = partText(pos);
    }

    const captionText = caption.textContent;
    life.onStop(function () {
      chips.forEach(function (c) { c.classList.remove("mgv-tok--current"); });
      caption.textContent = captionText;
      part.style.minHeight = "";
    });
    // the heading keeps the height of its tallest: the table below it never moves while it plays
    MGV.reserve(part, life, f.labels.map(function (_, pos) { return partText(pos); }),
                function (text) { part.textContent = text; });
    return MGV.stepper(element, {
      last: n - 1, start: 0, show: show, say: sentence,
      speeds: [["1 position per second", 1], ["2 per second", 2]],
    });
  });
})();
