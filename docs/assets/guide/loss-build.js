/* Training, step by step (Step 1.9): the loss curve builds as training plays,
 * with the learning rate each step used below it. Both charts are drawn by
 * the build (complete: what shows without JavaScript); this player takes
 * them over (MGV.kit.attach) and shows their first k steps.
 * Frames: {docs, loss, mean (of the last `window` losses), lr, window}:
 * loss[k-1], mean[k-1] and lr[k-1] belong to step k, rounded by the build
 * to the 4 decimals shown. */
(function () {
  "use strict";

  MGV.defineWithFrames("loss-build", start);

  function start(element, f, life) {
    const figures = element.querySelectorAll(".mgv-stage figure.mgv-kit--line");
    const loss = MGV.kit.attach(figures[0], life);
    const rate = MGV.kit.attach(figures[1], life);
    const n = f.loss.length;

    function show(k) {
      loss.showUpTo(k);
      rate.showUpTo(k);
      element.dataset.step = String(k);
    }

    function say(k) {
      if (k === 0) return "Before training: no step taken yet, " + MGV.formatCount(n) + " to go.";
      const i = k - 1;
      return "Step " + MGV.formatCount(k) + " of " + MGV.formatCount(n) + ", “" + f.docs[i] + "”: loss " +
        f.loss[i].toFixed(4) + " (mean of the last " + Math.min(k, f.window) + ": " + f.mean[i].toFixed(4) +
        "), learning rate " + f.lr[i].toFixed(4) + ".";
    }

    return MGV.stepper(element, { last: n, show: show, say: say,
                                  speeds: [["20 steps/s", 20], ["100 steps/s", 100], ["500 steps/s", 500]] });
  }
})();
