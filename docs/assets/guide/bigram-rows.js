/* The bigram-rows player (Step 0.4): pick the current token, see bigram()'s
 * distribution over the next token as bars.
 * Frames: {after, labels, counts, probs}: counts[i][j] and bigram(i)[j]. */
(function () {
  "use strict";

  MGV.defineWithFrames("bigram-rows", start);

  function start(element, f, life) {
    const make = MGV.make;
    const stage = element.querySelector(".mgv-stage");
    const caption = element.querySelector("figcaption");
    const picker = make("div", "mgv-rowpick");
    picker.setAttribute("role", "group");
    picker.setAttribute("aria-label", "The current token");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    const bars = make("div", "mgv-bars");
    const buttons = f.labels.map(function (label, i) {
      const b = make("button", "", label);
      b.type = "button";
      b.setAttribute("aria-pressed", "false");
      life.listen(b, "click", function () { show(i); });
      picker.appendChild(b);
      return b;
    });
    stage.textContent = "";
    stage.appendChild(picker);
    stage.appendChild(status);
    stage.appendChild(bars);

    function show(i) {
      const probs = f.probs[i];
      const counts = f.counts[i];
      const top = Math.max.apply(null, probs);
      const total = counts.reduce(function (a, b) { return a + b; }, 0);
      buttons.forEach(function (b, j) { b.setAttribute("aria-pressed", String(i === j)); });
      bars.textContent = "";
      probs.forEach(function (p, j) {
        bars.appendChild(make("span", "", f.labels[j]));
        const bar = make("span", "mgv-bar");
        bar.style.width = (100 * p / top).toFixed(1) + "%";
        bar.title = counts[j] + " of " + total + " pairs";
        bars.appendChild(bar);
        bars.appendChild(make("span", "", p.toFixed(4)));
      });
      const best = probs.indexOf(top);
      caption.textContent = "bigram(" + f.labels[i] + ") after " + MGV.formatCount(f.after) + " names";
      status.textContent = "After " + f.labels[i] + " (" + MGV.formatCount(total) + " pairs counted), the likeliest next token is " +
        f.labels[best] + " with probability " + top.toFixed(4) + ".";
    }

    show(0);
  }
})();
