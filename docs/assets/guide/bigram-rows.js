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
    const picker = make("div", "mgv-rowpick");
    picker.setAttribute("role", "toolbar");
    picker.setAttribute("aria-label", "The current token");
    const hint = make("p", "mgv-hint", "Pick the current token: click it, or Tab to the row of tokens and use the arrow keys.");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    const bars = make("div", "mgv-bars");
    let current = 0;
    const buttons = f.labels.map(function (label, i) {
      const b = make("button", "", label);
      b.type = "button";
      b.tabIndex = -1;
      b.setAttribute("aria-pressed", "false");
      life.listen(b, "click", function () { show(i); });
      picker.appendChild(b);
      return b;
    });
    life.listen(picker, "keydown", function (event) {
      const last = buttons.length - 1;
      const moves = { ArrowRight: current + 1, ArrowDown: current + 1, ArrowLeft: current - 1, ArrowUp: current - 1,
                      Home: 0, End: last };
      if (!(event.key in moves) || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      show(Math.max(0, Math.min(last, moves[event.key])));
      buttons[current].focus();
    });
    stage.replaceChildren(hint, picker, status, bars);

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
      current = i;
      const probs = f.probs[i];
      const counts = f.counts[i];
      const top = Math.max.apply(null, probs);
      const total = counts.reduce(function (a, b) { return a + b; }, 0);
      buttons.forEach(function (b, j) {
        b.setAttribute("aria-pressed", String(i === j));
        b.tabIndex = i === j ? 0 : -1;
      });
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
