/* The bigram-rows player (Step 0.4): pick the current token, see bigram()'s
 * distribution over the next token as bars.
 * Frames: {after, labels, counts, probs}: counts[i][j] and bigram(i)[j].
 * The 27 token buttons are one tab stop (a toolbar): the arrow keys, Home and
 * End move along it and pick the token. */
(function () {
  "use strict";

  MGV.defineWithFrames("bigram-rows", start);

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector("figcaption");
    const hint = make("p", "mgv-hint", "Pick the current token: click it, or Tab to the row of tokens and use the arrow keys.");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    const bars = make("div", "mgv-bars");
    const picker = MGV.rowPicker(life, "The current token", f.labels, function (i) { show(i); });
    stage.replaceChildren(hint, picker.element, status, bars);

    /* Each row's bars: label, bar, probability; drawn once, then updated in place. */
    const cells = f.labels.map(function (label) {
      const name = make("span", "", label);
      const bar = make("span", "mgv-bar");
      const value = make("span", "");
      bars.appendChild(name);
      bars.appendChild(bar);
      bars.appendChild(value);
      return { bar: bar, value: value };
    });

    function show(i) {
      const probs = f.probs[i];
      const counts = f.counts[i];
      const top = Math.max.apply(null, probs);
      const total = counts.reduce(function (a, b) { return a + b; }, 0);
      picker.set(i);
      probs.forEach(function (p, j) {
        cells[j].bar.style.width = (100 * p / top).toFixed(1) + "%";
        cells[j].bar.title = counts[j] + " of " + total + " pairs";
        cells[j].value.textContent = p.toFixed(4);
      });
      caption.textContent = "bigram(" + f.labels[i] + ") after " + MGV.formatCount(f.after) + " names";
      status.textContent = sentence(i);
    }

    function sentence(i) {
      const probs = f.probs[i];
      const top = Math.max.apply(null, probs);
      const total = f.counts[i].reduce(function (a, b) { return a + b; }, 0);
      return "After " + f.labels[i] + " (" + MGV.formatCount(total) + " pairs counted), the likeliest next token is " +
        f.labels[probs.indexOf(top)] + " with probability " + top.toFixed(4) + ".";
    }

    // the line keeps the height of its longest sentence: the bars below never move
    MGV.reserve(status, life, MGV.longest(f.labels.map(function (_, i) { return sentence(i); })),
                function (text) { status.textContent = text; });
    show(0);
  }
})();
