/* MicroGPT Visualized: the players' shared core and kit.
 *
 * THE LIFECYCLE CONTRACT (every kind of player follows it)
 *
 * 1. A player is an element with data-player="kind", written by the build
 *    (hooks/). Without JavaScript it already shows something complete: the
 *    final frame as a table or figure.
 * 2. A kind is defined once, in its own file or in the kit below:
 *        MGV.define(kind, setup)            setup(element, life)
 *        MGV.defineWithFrames(kind, start)  start(element, frames, life), once the
 *                                           JSON of data-frames has arrived
 * 3. Start. setup runs once per element, when the page showing it is shown:
 *    on DOMContentLoaded, or on each emission of Material's document$ (every
 *    page, pages reached by instant navigation included). An element is never
 *    set up twice (data-player-started).
 * 4. Stop. When its element has left the document (instant navigation
 *    replaced the content), at the next emission of document$, the player is
 *    stopped: first what setup returned, then its `life`.
 * 5. What setup returns: nothing, a function that stops the player, or an
 *    object with a stop() method (a stepper, a kit chart).
 * 6. `life` is the player's own scope. Everything that would outlive the
 *    element goes through it and is released when the player stops:
 *        life.listen(target, type, fn, options)   event listeners (any target)
 *        life.setInterval / clearInterval / setTimeout / clearTimeout
 *        life.requestFrame(fn) / cancelFrame(id)  animation frames
 *        life.observe(observer)                   Resize/Mutation/IntersectionObserver
 *        life.fetch(url)                          aborted if the player stops first
 *        life.onStop(fn)                          anything else
 *    life.signal is aborted on stop; life.stopped says whether it has been.
 *    MGV.stepper and the kit's charts register in the scope of the player
 *    they are given (or find, MGV.life(element)), so a kind using them has
 *    nothing more to release. Stopping is idempotent.
 * 7. Boxes that scroll sideways (.mgv-scroll, .mgv-math, and Material's
 *    .md-typeset__scrollwrap around Markdown tables), players or not, are
 *    started too, as the kind "scroll-box": focusable, as a named region, only
 *    while their content overflows them (so the arrow keys scroll them); a
 *    stepper leaves the keys pressed in one of them to it.
 * 8. Nothing is decided by colour in JavaScript: the kit sets custom
 *    properties (--heat) and classes; guide.css turns them into colours from
 *    Material's theme variables, so the colour scheme and palette apply
 *    without any observer.
 *
 * THE KIT (MGV.kit): the heat scale, number formats and SVG figures (line
 * chart, heatmap, scatter), the same functions as hooks/svg.py, written the
 * same way: MGV.kit.markup.line(options) returns exactly what
 * svg.line_chart(...) returns for the same data. The build draws the
 * no-JavaScript figure; MGV.kit.attach(figure) takes it over (readouts,
 * legend toggles, updates). Figures the build draws carry
 * data-player="line-chart" or "heatmap" and are taken over on their own.
 */
(function () {
  "use strict";

  const kinds = {};
  const lives = new WeakMap();  // player element -> its life
  let running = [];  // {element, life, stop} of every player started and not yet stopped

  /* ------------------------------------------------------------ lifecycle */

  /* A scope: what it registers is released by stop(). */
  function scope() {
    const abort = new AbortController();
    const intervals = new Set(), timeouts = new Set(), frames = new Set(), observers = new Set();
    const stops = [];
    let stopped = false;
    /* A timer, interval or frame request, kept in `set` until it has run (done) or is cancelled. */
    function start(set, begin) {
      if (stopped) return null;
      let id = null;
      id = begin(function () { set.delete(id); });
      set.add(id);
      return id;
    }
    function cancel(set, clear, id) {
      if (id === null || id === undefined) return;
      clear(id);
      set.delete(id);
    }
    const life = {
      signal: abort.signal,
      get stopped() { return stopped; },
      listen: function (target, type, fn, options) {
        if (stopped) return;
        const opts = typeof options === "boolean" ? { capture: options } : Object.assign({}, options);
        opts.signal = abort.signal;
        target.addEventListener(type, fn, opts);
      },
      setInterval: function (fn, ms) {
        return start(intervals, function () { return window.setInterval(fn, ms); });
      },
      clearInterval: function (id) { cancel(intervals, window.clearInterval, id); },
      setTimeout: function (fn, ms) {
        return start(timeouts, function (done) { return window.setTimeout(function () { done(); fn(); }, ms); });
      },
      clearTimeout: function (id) { cancel(timeouts, window.clearTimeout, id); },
      requestFrame: function (fn) {
        return start(frames, function (done) { return window.requestAnimationFrame(function (t) { done(); fn(t); }); });
      },
      cancelFrame: function (id) { cancel(frames, window.cancelAnimationFrame, id); },
      observe: function (observer) {
        if (stopped) observer.disconnect(); else observers.add(observer);
        return observer;
      },
      fetch: function (url, init) {
        return window.fetch(url, Object.assign({}, init, { signal: abort.signal }));
      },
      onStop: function (fn) {
        if (stopped) fn(); else stops.push(fn);
      },
      stop: function () {
        if (stopped) return;
        stopped = true;
        stops.splice(0).reverse().forEach(function (fn) {
          try { fn(); } catch (error) { console.error(error); }
        });
        intervals.forEach(function (id) { window.clearInterval(id); });
        timeouts.forEach(function (id) { window.clearTimeout(id); });
        frames.forEach(function (id) { window.cancelAnimationFrame(id); });
        observers.forEach(function (o) { o.disconnect(); });
        intervals.clear(); timeouts.clear(); frames.clear(); observers.clear();
        abort.abort();
      },
    };
    return life;
  }

  /* What setup returned, as a function. */
  function asStop(result) {
    if (typeof result === "function") return result;
    if (result && typeof result.stop === "function") return function () { result.stop(); };
    return function () {};
  }

  function define(kind, setup) {
    kinds[kind] = setup;
    startAll();
  }

  function halt(player) {
    try { player.stop(); } catch (error) { console.error(error); }
    player.life.stop();
    lives.delete(player.element);
  }

  /* Boxes that scroll sideways: the guide's, and Material's around Markdown tables. */
  const SCROLL_BOXES = ".mgv-scroll, .mgv-math, .md-typeset__scrollwrap";

  /* Stop the players whose page has gone, start the ones not yet started.
   * Safe to call at any time. */
  function startAll() {
    running = running.filter(function (player) {
      if (player.element.isConnected) return true;
      halt(player);
      return false;
    });
    document.querySelectorAll("[data-player], " + SCROLL_BOXES).forEach(function (element) {
      const setup = kinds[element.dataset.player || "scroll-box"];
      if (!setup || element.dataset.playerStarted) return;
      element.dataset.playerStarted = "yes";
      const life = scope();
      lives.set(element, life);
      const player = { element: element, life: life, stop: function () {} };
      running.push(player);
      try {
        player.stop = asStop(setup(element, life));
      } catch (error) {
        console.error(error);
        failed(element, error);
      }
    });
  }

  /* The life of the player element `node` is, or is inside; null if none. */
  function lifeOf(node) {
    for (let n = node; n; n = n.parentElement) {
      const life = lives.get(n);
      if (life) return life;
    }
    return null;
  }

  /* A kind of player fed by frames: JSON generated by the build, next to the
   * page (data-frames). start(element, frames, life) runs once they arrive,
   * if the player is still running; what it returns is stopped with it. */
  function defineWithFrames(kind, start) {
    define(kind, function (element, life) {
      let stopStarted = function () {};
      const url = new URL(element.dataset.frames, window.location.href);
      life.fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      }).then(function (frames) {
        if (!life.stopped && element.isConnected) stopStarted = asStop(start(element, frames, life));
      }).catch(function (error) {
        if (!life.stopped && error.name !== "AbortError") failed(element, error);
      });
      return function () { stopStarted(); };
    });
  }

  function failed(element, error) {
    const note = make("p", "mgv-status", "This player could not load its data (" + error.message + "); the table shows the final state.");
    element.insertBefore(note, element.firstChild);
  }

  /* ------------------------------------------------------------ small DOM helpers */

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A token chip, as the build draws it: the character, its id below. */
  function chip(label, id) {
    const node = make("span", "mgv-tok" + (label === "BOS" ? " mgv-tok--bos" : ""), label);
    node.appendChild(make("sub", "", String(id)));
    return node;
  }

  function tokenRow(labels, ids) {
    const row = make("p", "mgv-tokens");
    ids.forEach(function (id, index) {
      if (index > 0) {
        const arrow = make("span", "mgv-arrow", "→");
        arrow.setAttribute("aria-hidden", "true");
        row.appendChild(arrow);
      }
      row.appendChild(chip(labels[id], id));
    });
    row.setAttribute("aria-label", "tokens: " + ids.map(function (id) { return labels[id] + " " + id; }).join(", "));
    return row;
  }

  function formatCount(n) {
    return n.toLocaleString("en-US");
  }

  /* ------------------------------------------------------------ reserved heights */

  /* Keeps `node` as tall as the tallest of `candidates`, so that what follows
   * it never moves while a player plays. draw(candidate) fills the node with
   * one of them; what it showed is put back after measuring. Measured again
   * whenever the node's width changes (a window resized, a phone turned). */
  function reserve(node, life, candidates, draw) {
    let width = -1, pending = null;
    function measure() {
      pending = null;
      const w = node.clientWidth;
      if (w === width || !node.isConnected) return;
      width = w;
      const kept = Array.from(node.childNodes);
      node.style.minHeight = "";
      let tallest = 0;
      candidates.forEach(function (candidate) {
        draw(candidate);
        tallest = Math.max(tallest, node.getBoundingClientRect().height);
      });
      node.replaceChildren.apply(node, kept);
      node.style.minHeight = Math.ceil(tallest) + "px";
    }
    // the node's width changes only with the window's (Material's layout follows the viewport)
    life.listen(window, "resize", function () { if (pending === null) pending = life.requestFrame(measure); });
    measure();
  }

  /* The `count` longest of texts (for reserve). */
  function longest(texts, count) {
    return texts.slice().sort(function (a, b) { return b.length - a.length; }).slice(0, count || 3);
  }

  /* ------------------------------------------------------------ scroll boxes */

  /* A box that scrolls sideways (SCROLL_BOXES) is a named region the
   * keyboard can reach (Tab, then the arrow keys scroll it) only while its
   * content is wider than it: no empty tab stop where there is nothing to
   * scroll. Started like a player, as the kind "scroll-box". Its name:
   * data-label, else its table's caption, else "Formula" or "Table". */
  function scrollBox(box, life) {
    let scrolls = null, pending = null;

    function text(node) {
      const t = node ? node.textContent.replace(/\s+/g, " ").trim() : "";
      return t.length > 60 ? t.slice(0, 59) + "…" : t;
    }

    /* Its name, told apart from any other region's on the page. */
    function name() {
      const math = box.querySelector("math");
      const heads = Array.from(box.querySelectorAll("thead th"), text).filter(Boolean);
      const what = box.dataset.label || text(box.querySelector("caption")) ||
        (math ? "Formula: " + (math.getAttribute("alttext") || text(math)) : "") ||
        (heads.length ? "Table: " + heads.join(", ") : "Table");
      const base = what + " (scrolls sideways)";
      let label = base;
      for (let n = 2; document.querySelector('[role="region"][aria-label="' + CSS.escape(label) + '"]'); n++) label = base + " " + n;
      return label;
    }

    function check() {
      pending = null;
      if (!box.isConnected) return;
      const now = /auto|scroll/.test(getComputedStyle(box).overflowX) && box.scrollWidth > box.clientWidth + 1;
      if (now === scrolls) return;
      scrolls = now;
      box.classList.toggle("mgv-scrolls", now);
      if (now) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name());
      } else if (document.activeElement === box) {
        box.tabIndex = -1;  // nothing to scroll any more, but focus stays where it is
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }

    // what fits depends on the window's width; and once more when the page has settled
    life.listen(window, "resize", function () { if (pending === null) pending = life.requestFrame(check); });
    check();
    pending = life.requestFrame(check);
    life.onStop(function () {
      ["tabindex", "role", "aria-label"].forEach(function (a) { box.removeAttribute(a); });
      box.classList.remove("mgv-scrolls");
    });
  }

  /* ------------------------------------------------------------ the stepper */

  /* Step / play / scrub controls over frames 0..last.
   *   options.last      the last frame index
   *   options.show(i, fast)  draws frame i (from whatever frame it showed before:
   *                     playing catches up by whole frames, so i may jump);
   *                     fast: playing faster than 10 frames a second, when a
   *                     kind may skip what no one can see at that speed. On
   *                     pause the frame is drawn again, at rest (fast false).
   *   options.say(i)    one sentence for the aria-live line
   *   options.speeds    [[label, frames per second], ...], slowest first
   *   options.speed     the index of the default speed (0)
   *   options.start     the first frame shown
   *   options.life      the scope to register in (default: the player's, MGV.life(element))
   * Playing is driven by animation frames: each shows the frame the clock has
   * reached, so "100 per second" shows 100 frames a second on any screen.
   * Keyboard, with the player or one of its controls focused: Space plays or
   * pauses, arrows step, Home and End jump to the ends; keys a control inside
   * has already handled (event.defaultPrevented, e.g. a chart's cursor) and
   * keys in a scroll box (its arrows scroll it) are left alone.
   * Buttons that cannot act (Back on the first frame, Step on the last) are
   * aria-disabled, not disabled: they keep the focus and say why.
   * The live line is quiet while playing and speaks again on pause.
   * Returns {stop, go, playing}. */
  const DRAWS = 30;   // the most frames a playing stepper draws in a second

  function stepper(element, options) {
    const own = options.life || lifeOf(element) ? null : scope();
    const life = options.life || lifeOf(element) || own;
    const speeds = options.speeds || [["1 per second", 1], ["4 per second", 4], ["16 per second", 16]];
    const last = options.last;
    let frame = Math.max(0, Math.min(last, options.start || 0));
    let perSecond = speeds[options.speed || 0][1];
    let playing = false;
    let tick = null;                  // the animation frame requested
    let clock = null;                 // [time, frame] when playing (re)started
    let drawn = 0;                    // when a frame was last drawn while playing

    const controls = make("div", "mgv-controls");
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Player controls");
    const reset = button("Reset", "Back to the start (Home)");
    const back = button("◀ Back", "One step back (Left arrow)");
    const play = button("▶ Play", "Play or pause (Space)");
    const forward = button("Step ▶", "One step forward (Right arrow)");
    play.setAttribute("aria-pressed", "false");
    const scrub = make("input");
    scrub.type = "range";
    scrub.min = "0";
    scrub.max = String(last);
    scrub.step = "1";
    scrub.setAttribute("aria-label", "Scrub through the frames");
    const speed = make("select");
    speed.setAttribute("aria-label", "Playing speed");
    speeds.forEach(function (choice, index) {
      const option = make("option", "", choice[0]);
      option.value = String(index);
      speed.appendChild(option);
    });
    speed.value = String(options.speed || 0);
    [reset, back, play, forward, scrub, speed].forEach(function (c) { controls.appendChild(c); });
    const hint = make("p", "mgv-hint", "Keys: ← and → step, Space plays and pauses, Home and End jump to the ends.");
    const status = make("p", "mgv-status");
    status.setAttribute("aria-live", "polite");
    element.insertBefore(status, element.firstChild);
    element.insertBefore(hint, element.firstChild);
    element.insertBefore(controls, element.firstChild);
    element.tabIndex = 0;
    element.setAttribute("aria-roledescription", "player");
    life.onStop(function () {
      [controls, hint, status].forEach(function (n) { n.remove(); });
      element.removeAttribute("tabindex");
      element.removeAttribute("aria-roledescription");
      element.classList.remove("mgv-playing", "mgv-fast");
    });

    function button(label, title) {
      const b = make("button", "", label);
      b.type = "button";
      b.title = title;
      return b;
    }

    function able(b, on) {
      if (on) b.removeAttribute("aria-disabled"); else b.setAttribute("aria-disabled", "true");
    }

    function go(to) {
      frame = Math.max(0, Math.min(last, to));
      scrub.value = String(frame);
      options.show(frame, playing && perSecond > 10);
      able(back, frame > 0);
      able(reset, frame > 0);
      able(forward, frame < last);
      if (playing && frame === last) pause("At the end. ");
      else status.textContent = options.say(frame);
    }

    /* One animation frame while playing: shows the frame the clock has reached,
     * the frames in between at once. Faster than DRAWS frames a second, it draws
     * at most DRAWS times a second (no eye follows more, and the main thread
     * stays mostly idle); the clock, and so the speed, is kept all the same. */
    function loop(time) {
      tick = null;
      if (!playing) return;
      if (clock === null) { clock = [time, frame]; drawn = time; }
      const due = clock[1] + Math.floor((time - clock[0]) * perSecond / 1000);
      const early = perSecond > DRAWS && time - drawn < 1000 / DRAWS - 4 && due < last;
      if (due > frame && !early) {
        drawn = time;
        go(due);
      }
      if (playing) tick = life.requestFrame(loop);
    }

    /* Stops playing; the live line speaks again, saying where it stopped. */
    function pause(why) {
      if (!playing) return;
      playing = false;
      life.cancelFrame(tick);
      tick = null;
      play.textContent = "▶ Play";
      play.setAttribute("aria-pressed", "false");
      element.classList.remove("mgv-playing", "mgv-fast");
      options.show(frame, false);   // at rest
      status.setAttribute("aria-live", "polite");
      status.textContent = (why || "Paused. ") + options.say(frame);
    }

    function resume() {
      if (playing) return;
      if (frame === last) go(0);
      playing = true;
      clock = null;
      // while playing, the live line would talk over itself: it speaks again on pause
      status.setAttribute("aria-live", "off");
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
      element.classList.add("mgv-playing");
      element.classList.toggle("mgv-fast", perSecond > 10);
      tick = life.requestFrame(loop);
    }

    function toggle() {
      if (playing) pause(); else resume();
    }

    function stepTo(to) {
      pause();
      go(to);
    }

    life.listen(reset, "click", function () { if (frame > 0 || playing) stepTo(0); });
    life.listen(back, "click", function () { if (frame > 0) stepTo(frame - 1); });
    life.listen(forward, "click", function () { if (frame < last) stepTo(frame + 1); });
    life.listen(play, "click", toggle);
    life.listen(scrub, "input", function () { stepTo(Number(scrub.value)); });
    life.listen(speed, "change", function () {
      perSecond = speeds[Number(speed.value)][1];
      clock = null;
      element.classList.toggle("mgv-fast", playing && perSecond > 10);
    });
    life.listen(element, "keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target;
      const tag = target.tagName;
      if (tag === "INPUT" || tag === "SELECT" || (tag === "BUTTON" && (event.key === " " || event.key === "Enter"))) return;
      if (target !== element && target.closest(SCROLL_BOXES)) return;  // a scroll box's keys scroll it
      const moves = { ArrowRight: 1, ArrowLeft: -1 };
      if (event.key === " ") toggle();
      else if (event.key in moves) stepTo(frame + moves[event.key]);
      else if (event.key === "Home") stepTo(0);
      else if (event.key === "End") stepTo(last);
      else return;
      event.preventDefault();
    });

    // the live line keeps the height of its longest sentence: nothing below it moves
    const sentences = [];
    for (let i = 0; i <= last; i++) sentences.push(options.say(i));
    reserve(status, life, longest(sentences).map(function (s) { return "At the end. " + s; }),
            function (text) { status.textContent = text; });

    go(frame);
    return { stop: function () { pause(); if (own) own.stop(); }, go: go, get playing() { return playing; } };
  }

  /* ============================================================ THE KIT */

  const MINUS = "\u2212";
  const FONT = 20;   // the largest font size (viewBox units) guide.css uses on a narrow screen
  const CHAR = 11;   // the width of one character at that size, roughly
  const CHAR_BASE = 7;  // ... and at the usual size (12)
  const LEGEND_STEPS = 10;
  const NICE_EVERY = [1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100];

  /* ------------------------------------------------------------ the heat scale */

  function round3(t) {
    return Math.floor(t * 1000 + 0.5) / 1000;  // half up: svg.py's _round3
  }

  /* A value's place on the sequential scale, for --heat: 0 at lo, 1 at hi.
   * t = (value - lo) / (hi - lo), clamped to 0..1 (NaN counts as 0); with
   * scale "sqrt", t = sqrt(t); rounded to 3 decimals, half up. 0 when
   * hi <= lo. Same formula as svg.heat. */
  function heat(value, hi, lo, scale) {
    lo = Number(lo || 0);
    hi = Number(hi);
    if (!(hi > lo)) return 0;
    let t = (Number(value) - lo) / (hi - lo);
    t = !(t > 0) ? 0 : t > 1 ? 1 : t;
    if (scale === "sqrt") t = Math.sqrt(t);
    return round3(t);
  }

  /* A signed value's place on the diverging scale, for --heat: -1 at -bound,
   * 0 at 0, 1 at bound. t = value / bound, clamped to -1..1 (NaN counts as 0);
   * with scale "sqrt", t = sign(t) sqrt(|t|); rounded to 3 decimals, half up.
   * 0 when bound <= 0. Same formula as svg.signed_heat. */
  function signedHeat(value, bound, scale) {
    bound = Number(bound);
    if (!(bound > 0)) return 0;
    let t = Number(value) / bound;
    t = t !== t ? 0 : t < -1 ? -1 : t > 1 ? 1 : t;
    if (scale === "sqrt") t = t < 0 ? -Math.sqrt(-t) : Math.sqrt(t);
    return round3(t);
  }

  /* The value fraction at which the scale reaches t (for legends). */
  function heatInverse(t, scale) {
    return scale === "sqrt" ? t * Math.abs(t) : t;
  }

  /* ------------------------------------------------------------ numbers */

  /* A number for data attributes and CSS: String(number) (svg.num). */
  function num(v) {
    return String(Number(v));
  }

  function group(whole) {
    const head = whole.length % 3 || 3;
    const parts = [whole.slice(0, head)];
    for (let i = head; i < whole.length; i += 3) parts.push(whole.slice(i, i + 3));
    return parts.join(",");
  }

  /* A number for people: whole numbers exactly, with thousands separators
   * (1,000); others to `digits` significant digits (default 4, half up),
   * trailing zeros dropped: 3.296, 0.0125; a real minus sign. Same as svg.fmt. */
  function fmt(v, digits) {
    digits = digits || 4;
    v = Number(v);
    if (v !== v) return "NaN";
    if (v === Infinity || v === -Infinity) return (v > 0 ? "" : MINUS) + "∞";
    const sign = v < 0 ? MINUS : "";
    v = Math.abs(v);
    if (Number.isInteger(v) && v < 1e15) return sign + group(String(v));
    const parts = v.toExponential(digits - 1).split("e");
    return sign + positional(parts[0].replace(".", ""), Number(parts[1]), digits);
  }

  function stripZeros(s) {
    return s.replace(/0+$/, "");
  }

  function positional(d, e, digits) {
    if (e < -6 || e >= 21) {
      const frac = stripZeros(d.slice(1));
      return d[0] + (frac ? "." + frac : "") + "e" + (e >= 0 ? "" : MINUS) + String(Math.abs(e));
    }
    if (e >= digits - 1) return group(d + "0".repeat(e - digits + 1));
    if (e >= 0) {
      const frac = stripZeros(d.slice(e + 1));
      return group(d.slice(0, e + 1)) + (frac ? "." + frac : "");
    }
    return "0." + "0".repeat(-e - 1) + stripZeros(d);
  }

  /* A coordinate: one decimal, half up (svg._c). */
  function c(v) {
    return num(Math.floor(v * 10 + 0.5) / 10);
  }

  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#x27;" };

  /* Text into HTML: Python's html.escape. */
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (ch) { return ESCAPES[ch]; });
  }

  function len(text) {
    return Array.from(text).length;  // code points, as Python's len
  }

  function maxLen(texts) {
    return texts.reduce(function (m, t) { return Math.max(m, len(t)); }, 0) || 1;
  }

  /* ------------------------------------------------------------ scales and ticks */

  function niceStep(span, count) {
    count = count || 5;
    if (!(span > 0)) return 1;
    const raw = span / count;
    const k = Math.floor(Math.log10(raw));
    let base = 1;
    for (let i = 0; i < Math.abs(k); i++) base *= 10;
    if (k < 0) base = 1 / base;
    const ms = [1, 2, 2.5, 5, 10];
    for (let i = 0; i < ms.length; i++) {
      const step = ms[i] * base;
      if (span / step <= count + 1e-9) return step;
    }
    return 10 * base;
  }

  function niceDomain(lo, hi, count) {
    if (!(hi > lo)) { lo = lo - 1; hi = hi + 1; }
    const step = niceStep(hi - lo, count);
    return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step, step];
  }

  function ticks(lo, hi, step) {
    const first = Math.ceil(lo / step - 1e-9), last = Math.floor(hi / step + 1e-9);
    const out = [];
    for (let i = first; i <= last; i++) out.push(i * step);
    return out;
  }

  function missing(v) {
    return v === null || v === undefined || Number(v) !== Number(v);
  }

  function finite(values) {
    return values.filter(function (v) { return !missing(v); }).map(Number);
  }

  function every(room, cell, of) {
    of = of || 1;
    for (let i = 0; i < NICE_EVERY.length; i++) if (NICE_EVERY[i] % of === 0 && NICE_EVERY[i] * cell >= room) return NICE_EVERY[i];
    return NICE_EVERY[NICE_EVERY.length - 1];
  }

  /* Which of the labels shown would overlap a neighbour at the largest font
   * (hidden on narrow screens, .mgv-crowded); the last one always stays. */
  function crowdedOf(centers, texts, shown) {
    const crowded = new Set();
    if (!shown.length) return crowded;
    const last = shown[shown.length - 1];
    const lastLeft = centers[last] - CHAR * len(texts[last]) / 2;
    let right = -Infinity;
    shown.forEach(function (i) {
      const half = CHAR * len(texts[i]) / 2;
      if (i === last || (centers[i] - half >= right + 2 && centers[i] + half <= lastLeft - 2)) right = centers[i] + half;
      else crowded.add(i);
    });
    return crowded;
  }

  function range(n) {
    return Array.from({ length: n }, function (_, i) { return i; });
  }

  function pick(value, fallback) {
    return value === undefined || value === null ? fallback : value;
  }

  /* ------------------------------------------------------------ markup: line chart */

  function toneClass(s, i) {
    const tone = s.tone === undefined || s.tone === null ? i : Math.trunc(s.tone);
    return "mgv-tone-" + tone + " mgv-weight-" + (s.weight || "normal");
  }

  function valueText(v) {
    return missing(v) ? "-" : num(v);
  }

  function pathD(xs, values, count, px, py) {
    const d = [];
    let pen = false;
    const n = Math.min(count, xs.length, values.length);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (missing(v)) { pen = false; continue; }
      d.push((pen ? "L" : "M") + c(px(xs[i])) + " " + c(py(Number(v))));
      pen = true;
    }
    return d.join("");
  }

  function lineDesc(series, xs, xTitle, digits) {
    return series.map(function (s) {
      const pts = [];
      const n = Math.min(xs.length, s.values.length);
      for (let i = 0; i < n; i++) if (!missing(s.values[i])) pts.push([xs[i], Number(s.values[i])]);
      if (!pts.length) return s.name + ": no values.";
      let low = pts[0], high = pts[0];
      pts.forEach(function (p) { if (p[1] < low[1]) low = p; if (p[1] > high[1]) high = p; });
      const last = pts[pts.length - 1];
      return s.name + ": " + fmt(pts.length) + " points, from " + fmt(pts[0][1], digits) + " at " + xTitle + " " +
        fmt(pts[0][0], digits) + " to " + fmt(last[1], digits) + " at " + xTitle + " " + fmt(last[0], digits) + ";" +
        " lowest " + fmt(low[1], digits) + " at " + xTitle + " " + fmt(low[0], digits) + "," +
        " highest " + fmt(high[1], digits) + " at " + xTitle + " " + fmt(high[0], digits) + ".";
    }).join(" ");
  }

  /* The markup of svg.line_chart. Options, as its arguments:
   * {series: [{name, values, tone, weight}], uid, title, xTitle, yTitle, x, xMin, xMax,
   *  yMin, yMax, reference: {value, label}, width: 640, height: 300, digits: 4, desc, caption} */
  function lineMarkup(o) {
    const series = o.series;
    const width = pick(o.width, 640), height = pick(o.height, 300), digits = pick(o.digits, 4);
    const n = series.reduce(function (m, s) { return Math.max(m, s.values.length); }, 0);
    const xs = (o.x ? Array.from(o.x) : range(n)).map(Number);
    const ys = [];
    series.forEach(function (s) { finite(s.values).forEach(function (v) { ys.push(v); }); });
    if (o.reference) ys.push(Number(o.reference.value));
    const xsLo = xs.concat(missing(o.xMin) ? [] : [Number(o.xMin)]);
    const xsHi = xs.concat(missing(o.xMax) ? [] : [Number(o.xMax)]);
    const xlo = xs.length ? Math.min.apply(null, xsLo) : 0;
    let xhi = xs.length ? Math.max.apply(null, xsHi) : 1;
    if (!(xhi > xlo)) xhi = xlo + 1;
    let ylo = !missing(o.yMin) ? Number(o.yMin) : (ys.length ? Math.min.apply(null, ys) : 0);
    let yhi = !missing(o.yMax) ? Number(o.yMax) : (ys.length ? Math.max.apply(null, ys) : 1);
    const yd = niceDomain(ylo, yhi);
    ylo = yd[0]; yhi = yd[1];
    const ystep = yd[2];
    if (!missing(o.yMin)) ylo = Number(o.yMin);
    if (!missing(o.yMax)) yhi = Number(o.yMax);
    const xstep = niceStep(xhi - xlo);
    const ylabels = ticks(ylo, yhi, ystep).map(function (v) { return [v, fmt(v, digits)]; });
    const xlabels = ticks(xlo, xhi, xstep).map(function (v) { return [v, fmt(v, digits)]; });
    const left = Math.max(40, 14 + CHAR * maxLen(ylabels.map(function (t) { return t[1]; })));
    const right = 32, top = 40, bottom = 52;
    const pw = width - left - right, ph = height - top - bottom;
    const px = function (v) { return left + (v - xlo) / (xhi - xlo) * pw; };
    const py = function (v) { return top + (1 - (v - ylo) / (yhi - ylo)) * ph; };
    const uid = esc(o.uid);

    const out = [
      '<figure class="mgv-figure mgv-kit mgv-kit--line" data-player="line-chart">',
      '<div class="mgv-plot">',
      '<svg class="mgv-chart" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + " " + height + '" style="--mgv-width:' + width + 'px"' +
        ' role="img" aria-labelledby="' + uid + '-title" aria-describedby="' + uid + '-desc"' +
        ' data-frame="' + num(left) + " " + num(top) + " " + num(pw) + " " + num(ph) + '" data-domain="' +
        num(xlo) + " " + num(xhi) + " " + num(ylo) + " " + num(yhi) + '"' +
        ' data-digits="' + digits + '" data-x-title="' + esc(o.xTitle) + '">',
      '<title id="' + uid + '-title">' + esc(o.title) + "</title>",
      '<desc id="' + uid + '-desc">' + esc(missing(o.desc) ? lineDesc(series, xs, o.xTitle, digits) : o.desc) + "</desc>",
      '<g class="mgv-grid">',
    ];
    ylabels.forEach(function (t) {
      out.push('<line class="mgv-gridline" x1="' + c(left) + '" x2="' + c(left + pw) + '" y1="' + c(py(t[0])) + '" y2="' + c(py(t[0])) + '"/>');
    });
    out.push("</g>");
    out.push('<g class="mgv-axes">');
    out.push('<line class="mgv-axis-line" x1="' + c(left) + '" x2="' + c(left + pw) + '" y1="' + c(top + ph) + '" y2="' + c(top + ph) + '"/>');
    out.push('<line class="mgv-axis-line" x1="' + c(left) + '" x2="' + c(left) + '" y1="' + c(top) + '" y2="' + c(top + ph) + '"/>');
    ylabels.forEach(function (t) {
      out.push('<text class="mgv-tick" x="' + c(left - 6) + '" y="' + c(py(t[0])) + '" dy="0.35em" text-anchor="end">' + t[1] + "</text>");
    });
    xlabels.forEach(function (t) {
      out.push('<line class="mgv-axis-line" x1="' + c(px(t[0])) + '" x2="' + c(px(t[0])) + '" y1="' + c(top + ph) + '" y2="' + c(top + ph + 5) + '"/>');
      out.push('<text class="mgv-tick" x="' + c(px(t[0])) + '" y="' + c(top + ph + 22) + '" text-anchor="middle">' + t[1] + "</text>");
    });
    out.push('<text class="mgv-axis-title" x="' + c(left + pw / 2) + '" y="' + c(height - 6) + '" text-anchor="middle">' + esc(o.xTitle) + "</text>");
    out.push('<text class="mgv-axis-title" x="' + c(left) + '" y="' + c(top - 16) + '" text-anchor="middle">' + esc(o.yTitle) + "</text>");
    out.push("</g>");
    if (o.reference) {
      const ry = py(Number(o.reference.value));
      out.push('<g class="mgv-ref"><line class="mgv-ref-line" x1="' + c(left) + '" x2="' + c(left + pw) + '" y1="' + c(ry) + '" y2="' + c(ry) + '"/>' +
        '<text class="mgv-ref-label" x="' + c(left + pw) + '" y="' + c(ry - 6) + '" text-anchor="end">' + esc(o.reference.label) + "</text></g>");
    }
    out.push('<g class="mgv-series-set" data-x="' + xs.map(num).join(" ") + '">');
    series.forEach(function (s, i) {
      out.push('<path class="mgv-series ' + toneClass(s, i) + '" data-series="' + i + '"' +
        ' data-values="' + Array.from(s.values).map(valueText).join(" ") + '" d="' + pathD(xs, s.values, s.values.length, px, py) + '"/>');
    });
    out.push("</g>");
    out.push('<g class="mgv-cursor mgv-is-hidden">');
    out.push('<line class="mgv-cursor-line" x1="0" x2="0" y1="' + c(top) + '" y2="' + c(top + ph) + '"/>');
    series.forEach(function (s, i) {
      out.push('<circle class="mgv-cursor-dot ' + toneClass(s, i) + '" data-series="' + i + '" cx="0" cy="0" r="4"/>');
    });
    out.push("</g>");
    out.push("</svg></div>");
    out.push('<div class="mgv-legend" role="group" aria-label="' + esc("Series shown") + '">');
    series.forEach(function (s, i) {
      out.push('<button type="button" class="mgv-legend-item" aria-pressed="true" data-series="' + i + '" disabled>' +
        '<span class="mgv-swatch ' + toneClass(s, i) + '" aria-hidden="true"></span>' + esc(s.name) + "</button>");
    });
    out.push("</div>");
    out.push('<p class="mgv-readout" aria-live="polite"></p>');
    if (o.caption) out.push("<figcaption>" + esc(o.caption) + "</figcaption>");
    out.push("</figure>");
    return out.join("");
  }

  /* ------------------------------------------------------------ markup: heatmap */

  /* A cell's number; null (JSON's NaN) is missing. */
  function cellValue(v) {
    return missing(v) ? NaN : Number(v);
  }

  function heatDesc(values, rlabels, clabels, rowTitle, colTitle, digits) {
    let low = null, high = null;
    values.forEach(function (r, i) {
      Array.from(r).forEach(function (v, j) {
        v = cellValue(v);
        if (v !== v) return;
        if (low === null || v < low[0]) low = [v, i, j];
        if (high === null || v > high[0]) high = [v, i, j];
      });
    });
    if (low === null) return values.length + " rows, no values.";
    return values.length + " rows (" + rowTitle + ") × " + clabels.length + " columns (" + colTitle + "). " +
      "Smallest " + fmt(low[0], digits) + " at " + rowTitle + " " + rlabels[low[1]] + ", " + colTitle + " " + clabels[low[2]] + "; " +
      "largest " + fmt(high[0], digits) + " at " + rowTitle + " " + rlabels[high[1]] + ", " + colTitle + " " + clabels[high[2]] + ".";
  }

  function heatLegend(x, y, lo, hi, signed, scale, digits) {
    const w = 18, h = 12;
    const out = ['<g class="mgv-scale">', '<g class="mgv-heat mgv-swatches">'];
    for (let k = 0; k <= LEGEND_STEPS; k++) {
      const t = signed ? 2 * k / LEGEND_STEPS - 1 : k / LEGEND_STEPS;
      out.push('<rect x="' + c(x + k * w) + '" y="' + c(y) + '" width="' + w + '" height="' + h + '" style="--heat:' + num(round3(t)) + '"/>');
    }
    out.push("</g>");
    out.push('<rect class="mgv-frame" x="' + c(x) + '" y="' + c(y) + '" width="' + (LEGEND_STEPS + 1) * w + '" height="' + h + '"/>');
    const mid = signed ? 0 : lo + (hi - lo) * heatInverse(0.5, scale);
    [[0, lo], [LEGEND_STEPS / 2, mid], [LEGEND_STEPS, hi]].forEach(function (pair) {
      const k = pair[0];
      const anchor = k === 0 ? "start" : k === LEGEND_STEPS ? "end" : "middle";
      const at = x + k * w + (k === 0 ? 0 : k === LEGEND_STEPS ? w : w / 2);
      out.push('<text class="mgv-tick mgv-scale-label" x="' + c(at) + '" y="' + c(y + h + 20) + '" text-anchor="' + anchor + '">' + fmt(pair[1], digits) + "</text>");
    });
    out.push("</g>");
    return out.join("");
  }

  /* The markup of svg.heatmap. Options, as its arguments:
   * {values: rows of numbers, uid, title, rowLabels, colLabels, rowTitle: "row", colTitle: "column",
   *  signed: false, scale: "linear", lo, hi, bound, cell, width: 640, digits: 4, desc, caption} */
  function heatmapMarkup(o) {
    const values = o.values;
    const rows = values.length;
    const cols = values.reduce(function (m, r) { return Math.max(m, r.length); }, 0);
    const flat = [];
    values.forEach(function (r) { Array.from(r).forEach(function (v) { flat.push(cellValue(v)); }); });
    const real = flat.filter(function (v) { return v === v; });
    const rlabels = o.rowLabels ? Array.from(o.rowLabels, String) : range(rows).map(String);
    const clabels = o.colLabels ? Array.from(o.colLabels, String) : range(cols).map(String);
    const rowTitle = pick(o.rowTitle, "row"), colTitle = pick(o.colTitle, "column");
    const signed = !!o.signed, scale = o.scale || "linear", digits = pick(o.digits, 4);
    let lo, hi, bound;
    if (signed) {
      bound = !missing(o.bound) ? Number(o.bound) : real.reduce(function (m, v) { return Math.max(m, Math.abs(v)); }, 0);
      lo = -bound; hi = bound;
    } else {
      lo = !missing(o.lo) ? Number(o.lo) : Math.min(0, real.length ? Math.min.apply(null, real) : 0);
      hi = !missing(o.hi) ? Number(o.hi) : (real.length ? Math.max.apply(null, real) : 0);
    }
    const left = 34 + CHAR * maxLen(rlabels);
    const top = 58, right = 12;
    const cell = !missing(o.cell) ? Number(o.cell) :
      Math.min(24, (pick(o.width, 640) - left - right) / Math.max(cols, 1), 560 / Math.max(rows, 1));
    const gw = cols * cell, gh = rows * cell;
    const width = left + gw + right;
    const legendY = top + gh + 16;
    const height = legendY + 48;
    const everyRow = every(14, cell);
    const everyRowNarrow = every(FONT * 0.9, cell, everyRow);
    const everyCol = every(CHAR_BASE * clabels.reduce(function (m, t) { return m + len(t); }, 0) / Math.max(cols, 1) + 4, cell);
    const colCenters = range(cols).map(function (j) { return left + (j + 0.5) * cell; });
    const crowdedCols = crowdedOf(colCenters, clabels, range(cols).filter(function (j) { return j % everyCol === 0; }));
    const h = signed ? function (v) { return signedHeat(v, bound, scale); } : function (v) { return heat(v, hi, lo, scale); };
    const uid = esc(o.uid);

    const out = [
      '<figure class="mgv-figure mgv-kit mgv-kit--heatmap ' + (signed ? "mgv-signed" : "mgv-sequential") + '" data-player="heatmap">',
      '<div class="mgv-plot">',
      '<svg class="mgv-chart" width="' + c(width) + '" height="' + c(height) + '" viewBox="0 0 ' + c(width) + " " + c(height) + '"' +
        ' style="--mgv-width:' + c(width) + 'px" role="img" aria-labelledby="' + uid + '-title" aria-describedby="' + uid + '-desc"' +
        ' data-frame="' + num(left) + " " + num(top) + " " + num(cell) + '" data-scale="' + esc(scale) + '" data-signed="' + (signed ? "true" : "false") + '"' +
        ' data-range="' + num(lo) + " " + num(hi) + '" data-digits="' + digits + '"' +
        ' data-row-title="' + esc(rowTitle) + '" data-col-title="' + esc(colTitle) + '"' +
        ' data-row-labels="' + esc(JSON.stringify(rlabels)) + '" data-col-labels="' + esc(JSON.stringify(clabels)) + '">',
      '<title id="' + uid + '-title">' + esc(o.title) + "</title>",
      '<desc id="' + uid + '-desc">' + esc(missing(o.desc) ? heatDesc(values, rlabels, clabels, rowTitle, colTitle, digits) : o.desc) + "</desc>",
      '<text class="mgv-axis-title" x="' + c(left + gw / 2) + '" y="' + c(top - 34) + '" text-anchor="middle">' + esc(colTitle) + "</text>",
      '<text class="mgv-axis-title" transform="rotate(-90)" x="' + c(-(top + gh / 2)) + '" y="16" text-anchor="middle">' + esc(rowTitle) + "</text>",
      '<g class="mgv-labels">',
    ];
    clabels.forEach(function (label, j) {
      if (j % everyCol !== 0) return;
      const cls = crowdedCols.has(j) ? "mgv-tick mgv-crowded" : "mgv-tick";
      out.push('<text class="' + cls + '" x="' + c(colCenters[j]) + '" y="' + c(top - 8) + '" text-anchor="middle">' + esc(label) + "</text>");
    });
    rlabels.forEach(function (label, i) {
      if (i % everyRow !== 0) return;
      const cls = i % everyRowNarrow === 0 ? "mgv-tick" : "mgv-tick mgv-crowded";
      out.push('<text class="' + cls + '" x="' + c(left - 6) + '" y="' + c(top + (i + 0.5) * cell) + '" dy="0.35em" text-anchor="end">' + esc(label) + "</text>");
    });
    out.push("</g>");
    out.push('<g class="mgv-heat mgv-cells" data-rows="' + rows + '" data-cols="' + cols + '" data-values="' + flat.map(num).join(" ") + '">');
    values.forEach(function (r, i) {
      Array.from(r).forEach(function (v, j) {
        out.push('<rect x="' + c(left + j * cell) + '" y="' + c(top + i * cell) + '" width="' + c(cell) + '" height="' + c(cell) + '"' +
          ' style="--heat:' + num(h(cellValue(v))) + '"/>');
      });
    });
    out.push("</g>");
    out.push('<rect class="mgv-frame" x="' + c(left) + '" y="' + c(top) + '" width="' + c(gw) + '" height="' + c(gh) + '"/>');
    out.push(heatLegend(left, legendY, lo, hi, signed, scale, digits));
    out.push('<g class="mgv-cursor mgv-is-hidden"><rect class="mgv-cell-halo" x="0" y="0" width="' + c(cell) + '" height="' + c(cell) + '"/>' +
      '<rect class="mgv-cell-cursor" x="0" y="0" width="' + c(cell) + '" height="' + c(cell) + '"/></g>');
    out.push("</svg></div>");
    out.push('<p class="mgv-readout" aria-live="polite"></p>');
    if (o.caption) out.push("<figcaption>" + esc(o.caption) + "</figcaption>");
    out.push("</figure>");
    return out.join("");
  }

  /* ------------------------------------------------------------ markup: scatter */

  function scatterDesc(pts, highlight, xTitle, yTitle, digits) {
    if (!pts.length) return "No points.";
    const xs = pts.map(function (p) { return p[0]; }), ys = pts.map(function (p) { return p[1]; });
    const min = function (a) { return a.reduce(function (m, v) { return v < m ? v : m; }); };
    const max = function (a) { return a.reduce(function (m, v) { return v > m ? v : m; }); };
    let text = fmt(pts.length) + " points. " + xTitle + " from " + fmt(min(xs), digits) + " to " + fmt(max(xs), digits) + ";" +
      " " + yTitle + " from " + fmt(min(ys), digits) + " to " + fmt(max(ys), digits) + ".";
    if (highlight) {
      const p = pts[highlight.index];
      text += " Marked, " + highlight.label + ": " + xTitle + " " + fmt(p[0], digits) + ", " + yTitle + " " + fmt(p[1], digits) + ".";
    }
    return text;
  }

  /* The markup of svg.scatter. Options, as its arguments:
   * {points: [[x, y], ...], uid, title, xTitle, yTitle, diagonal: false, highlight: {index, label},
   *  width: 480, height: 480, digits: 4, desc, caption} */
  function scatterMarkup(o) {
    const pts = Array.from(o.points, function (p) { return [Number(p[0]), Number(p[1])]; });
    const width = pick(o.width, 480), height = pick(o.height, 480), digits = pick(o.digits, 4);
    const xs = pts.length ? pts.map(function (p) { return p[0]; }) : [0];
    const ys = pts.length ? pts.map(function (p) { return p[1]; }) : [0];
    const lowest = function (a) { return a.reduce(function (m, v) { return v < m ? v : m; }); };
    const highest = function (a) { return a.reduce(function (m, v) { return v > m ? v : m; }); };
    let xd, yd;
    if (o.diagonal) {
      xd = yd = niceDomain(Math.min(lowest(xs), lowest(ys)), Math.max(highest(xs), highest(ys)));
    } else {
      xd = niceDomain(lowest(xs), highest(xs));
      yd = niceDomain(lowest(ys), highest(ys));
    }
    const xlo = xd[0], xhi = xd[1], ylo = yd[0], yhi = yd[1];
    const ylabels = ticks(ylo, yhi, yd[2]).map(function (v) { return [v, fmt(v, digits)]; });
    const xlabels = ticks(xlo, xhi, xd[2]).map(function (v) { return [v, fmt(v, digits)]; });
    const left = Math.max(40, 14 + CHAR * maxLen(ylabels.map(function (t) { return t[1]; })));
    const right = 32, top = 40, bottom = 52;
    const pw = width - left - right, ph = height - top - bottom;
    const px = function (v) { return left + (v - xlo) / (xhi - xlo) * pw; };
    const py = function (v) { return top + (1 - (v - ylo) / (yhi - ylo)) * ph; };
    const uid = esc(o.uid);
    const text = missing(o.desc) ? scatterDesc(pts, o.highlight, o.xTitle, o.yTitle, digits) : o.desc;
    const out = [
      '<figure class="mgv-figure mgv-kit mgv-kit--scatter">',
      '<div class="mgv-plot">',
      '<svg class="mgv-chart" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + " " + height + '" style="--mgv-width:' + width + 'px"' +
        ' role="img" aria-labelledby="' + uid + '-title" aria-describedby="' + uid + '-desc">',
      '<title id="' + uid + '-title">' + esc(o.title) + "</title>",
      '<desc id="' + uid + '-desc">' + esc(text) + "</desc>",
      '<g class="mgv-grid">',
    ];
    ylabels.forEach(function (t) {
      out.push('<line class="mgv-gridline" x1="' + c(left) + '" x2="' + c(left + pw) + '" y1="' + c(py(t[0])) + '" y2="' + c(py(t[0])) + '"/>');
    });
    xlabels.forEach(function (t) {
      out.push('<line class="mgv-gridline" x1="' + c(px(t[0])) + '" x2="' + c(px(t[0])) + '" y1="' + c(top) + '" y2="' + c(top + ph) + '"/>');
    });
    out.push("</g>");
    out.push('<g class="mgv-axes">');
    out.push('<line class="mgv-axis-line" x1="' + c(left) + '" x2="' + c(left + pw) + '" y1="' + c(top + ph) + '" y2="' + c(top + ph) + '"/>');
    out.push('<line class="mgv-axis-line" x1="' + c(left) + '" x2="' + c(left) + '" y1="' + c(top) + '" y2="' + c(top + ph) + '"/>');
    ylabels.forEach(function (t) {
      out.push('<text class="mgv-tick" x="' + c(left - 6) + '" y="' + c(py(t[0])) + '" dy="0.35em" text-anchor="end">' + t[1] + "</text>");
    });
    xlabels.forEach(function (t) {
      out.push('<text class="mgv-tick" x="' + c(px(t[0])) + '" y="' + c(top + ph + 22) + '" text-anchor="middle">' + t[1] + "</text>");
    });
    out.push('<text class="mgv-axis-title" x="' + c(left + pw / 2) + '" y="' + c(height - 6) + '" text-anchor="middle">' + esc(o.xTitle) + "</text>");
    out.push('<text class="mgv-axis-title" x="' + c(left) + '" y="' + c(top - 16) + '" text-anchor="middle">' + esc(o.yTitle) + "</text>");
    out.push("</g>");
    if (o.diagonal) {
      out.push('<g class="mgv-ref"><line class="mgv-diagonal" x1="' + c(px(xlo)) + '" y1="' + c(py(xlo)) + '" x2="' + c(px(xhi)) + '" y2="' + c(py(xhi)) + '"/>' +
        '<text class="mgv-ref-label" x="' + c(px(xhi)) + '" y="' + c(py(xhi) + 36) + '" text-anchor="end">y = x</text></g>');
    }
    const d = pts.map(function (p) { return "M" + c(px(p[0])) + " " + c(py(p[1])) + "h0"; }).join("");
    out.push('<path class="mgv-points mgv-tone-0" data-count="' + pts.length + '" d="' + d + '"/>');
    if (o.highlight) {
      const p = pts[o.highlight.index];
      const cx = px(p[0]), cy = py(p[1]);
      const rightSide = cx < left + pw * 0.6;
      out.push('<g class="mgv-highlight" data-index="' + Math.trunc(o.highlight.index) + '">' +
        '<circle class="mgv-highlight-ring" cx="' + c(cx) + '" cy="' + c(cy) + '" r="8"/>' +
        '<text class="mgv-highlight-label" x="' + c(rightSide ? cx + 12 : cx - 12) + '" y="' + c(cy - 10) + '"' +
        ' text-anchor="' + (rightSide ? "start" : "end") + '">' + esc(o.highlight.label) + "</text></g>");
    }
    out.push("</svg></div>");
    if (o.caption) out.push("<figcaption>" + esc(o.caption) + "</figcaption>");
    out.push("</figure>");
    return out.join("");
  }

  /* ------------------------------------------------------------ taking a figure over */

  const controllers = new WeakMap();  // figure -> its controller

  function numbers(text) {
    return text ? text.split(" ").map(function (t) { return t === "-" ? null : Number(t); }) : [];
  }

  /* The pointer's position in the SVG's own units. */
  function svgPoint(svg, event) {
    const box = svg.getBoundingClientRect();
    const view = svg.viewBox.baseVal;
    return [(event.clientX - box.left) * view.width / box.width, (event.clientY - box.top) * view.height / box.height];
  }

  /* Makes the plot focusable, and the readout speak only for the keyboard
   * (pointer moves would make the live line talk over itself). */
  function interactive(figure, life, label) {
    const plot = figure.querySelector(".mgv-plot");
    const readout = figure.querySelector(".mgv-readout");
    plot.tabIndex = 0;
    plot.setAttribute("role", "group");
    plot.setAttribute("aria-label", label);
    figure.classList.add("mgv-live");
    life.onStop(function () {
      plot.removeAttribute("tabindex");
      plot.removeAttribute("role");
      plot.removeAttribute("aria-label");
      figure.classList.remove("mgv-live");
    });
    return {
      plot: plot,
      say: function (text, fromKeyboard) {
        readout.setAttribute("aria-live", fromKeyboard ? "polite" : "off");
        readout.textContent = text;
      },
    };
  }

  function attachLine(figure, life) {
    const svg = figure.querySelector("svg.mgv-chart");
    const frame = numbers(svg.dataset.frame), domain = numbers(svg.dataset.domain);
    const left = frame[0], top = frame[1], pw = frame[2], ph = frame[3];
    const xlo = domain[0], xhi = domain[1], ylo = domain[2], yhi = domain[3];
    const digits = Number(svg.dataset.digits) || 4;
    const xTitle = svg.dataset.xTitle || "x";
    const px = function (v) { return left + (v - xlo) / (xhi - xlo) * pw; };
    const py = function (v) { return top + (1 - (v - ylo) / (yhi - ylo)) * ph; };
    const set = svg.querySelector(".mgv-series-set");
    const xs = numbers(set.dataset.x);
    const buttons = Array.from(figure.querySelectorAll(".mgv-legend-item"));
    const series = Array.from(set.querySelectorAll(".mgv-series")).map(function (path, i) {
      return {
        path: path,
        values: numbers(path.dataset.values),
        name: buttons[i] ? buttons[i].textContent : "series " + (i + 1),
        dot: svg.querySelector('.mgv-cursor-dot[data-series="' + i + '"]'),
        visible: !path.classList.contains("mgv-is-hidden"),
      };
    });
    const cursor = svg.querySelector(".mgv-cursor");
    const cursorLine = svg.querySelector(".mgv-cursor-line");
    let limit = xs.length;
    let index = null;
    let focused = false, hovered = false;
    const ui = interactive(figure, life, svg.querySelector("title").textContent +
      ". Left and Right arrows read the values point by point.");
    ui.say("Point at the chart, or focus it and use the Left and Right arrows, to read its values.", false);
    // the readout keeps the height of its longest sentence (every series shown): reading the
    // chart point by point moves nothing below it
    const readout = figure.querySelector(".mgv-readout");
    reserve(readout, life, longest(xs.map(function (_, i) { return sentence(i, true); }).concat([readout.textContent])),
            function (text) { readout.textContent = text; });

    function sentence(i, every) {
      const shown = series.filter(function (s) { return every || s.visible; });
      const head = xTitle + " " + fmt(xs[i], digits) + ": ";
      if (!shown.length) return head + "no series shown.";
      return head + shown.map(function (s) {
        const v = s.values[i];
        return s.name + " " + (missing(v) ? "no value" : fmt(v, digits));
      }).join(", ") + ".";
    }

    function draw() {
      const on = index !== null && (focused || hovered);
      cursor.classList.toggle("mgv-is-hidden", !on);
      if (!on) return;
      const x = c(px(xs[index]));
      cursorLine.setAttribute("x1", x);
      cursorLine.setAttribute("x2", x);
      series.forEach(function (s) {
        if (!s.dot) return;
        const v = s.values[index];
        const hide = !s.visible || missing(v);
        s.dot.classList.toggle("mgv-is-hidden", hide);
        if (!hide) { s.dot.setAttribute("cx", x); s.dot.setAttribute("cy", c(py(v))); }
      });
    }

    function select(i, fromKeyboard) {
      if (!limit) { index = null; draw(); ui.say("No points yet.", fromKeyboard); return; }
      index = Math.max(0, Math.min(limit - 1, i));
      draw();
      ui.say(sentence(index), fromKeyboard);
    }

    function nearest(ux) {
      let best = 0, gap = Infinity;
      for (let i = 0; i < limit; i++) {
        const d = Math.abs(px(xs[i]) - ux);
        if (d < gap) { gap = d; best = i; }
      }
      return best;
    }

    function setVisible(i, on) {
      const s = series[i];
      s.visible = !!on;
      s.path.classList.toggle("mgv-is-hidden", !on);
      if (buttons[i]) buttons[i].setAttribute("aria-pressed", String(!!on));
      draw();
      if (index !== null && (focused || hovered)) ui.say(sentence(index), focused);
    }

    function showUpTo(k) {
      limit = Math.max(0, Math.min(xs.length, k));
      series.forEach(function (s) { s.path.setAttribute("d", pathD(xs, s.values, limit, px, py)); });
      if (index !== null && index >= limit) index = limit ? limit - 1 : null;
      draw();
    }

    buttons.forEach(function (b, i) {
      b.disabled = false;
      life.listen(b, "click", function () { setVisible(i, !series[i].visible); });
    });
    life.onStop(function () { buttons.forEach(function (b) { b.disabled = true; }); });
    ["pointermove", "pointerdown"].forEach(function (type) {
      life.listen(svg, type, function (event) {
        hovered = true;
        select(nearest(svgPoint(svg, event)[0]), false);
      });
    });
    life.listen(svg, "pointerleave", function () { hovered = false; draw(); });
    life.listen(ui.plot, "focus", function () {
      focused = true;
      select(index === null ? limit - 1 : index, true);
    });
    life.listen(ui.plot, "blur", function () { focused = false; draw(); });
    life.listen(ui.plot, "keydown", function (event) {
      const page = Math.max(1, Math.round(limit / 10));
      const at = index === null ? limit - 1 : index;
      const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, ArrowUp: at + 1, ArrowDown: at - 1,
                      PageUp: at + page, PageDown: at - page, Home: 0, End: limit - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(moves[event.key], true);
    });

    return {
      element: figure, kind: "line",
      get count() { return limit; },
      showUpTo: showUpTo,
      setVisible: setVisible,
      isVisible: function (i) { return series[i].visible; },
      select: function (i) { select(i, true); },
      stop: function () { life.stop(); },
    };
  }

  function attachHeatmap(figure, life) {
    const svg = figure.querySelector("svg.mgv-chart");
    const frame = numbers(svg.dataset.frame);
    const left = frame[0], top = frame[1], cell = frame[2];
    const scale = svg.dataset.scale || "linear";
    const signed = svg.dataset.signed === "true";
    let bounds = numbers(svg.dataset.range);
    const digits = Number(svg.dataset.digits) || 4;
    const rowTitle = svg.dataset.rowTitle, colTitle = svg.dataset.colTitle;
    const rowLabels = JSON.parse(svg.dataset.rowLabels), colLabels = JSON.parse(svg.dataset.colLabels);
    const group = svg.querySelector(".mgv-cells");
    const rows = Number(group.dataset.rows), cols = Number(group.dataset.cols);
    let values = numbers(group.dataset.values);
    const rects = Array.from(group.children);
    const cursor = svg.querySelector(".mgv-cursor");
    const marks = Array.from(cursor.children);
    const scaleLabels = Array.from(svg.querySelectorAll(".mgv-scale-label"));
    let at = null;  // [row, col]
    let focused = false, hovered = false;
    const ui = interactive(figure, life, svg.querySelector("title").textContent +
      ". Arrow keys move from cell to cell and read its value.");
    ui.say("Point at a cell, or focus the map and use the arrow keys, to read its value.", false);

    function sentence() {
      const i = at[0], j = at[1];
      const v = values[i * cols + j];
      return rowTitle + " " + rowLabels[i] + ", " + colTitle + " " + colLabels[j] + ": " + (missing(v) ? "no value" : fmt(v, digits)) + ".";
    }

    function draw() {
      const on = at !== null && (focused || hovered);
      cursor.classList.toggle("mgv-is-hidden", !on);
      if (!on) return;
      marks.forEach(function (m) {
        m.setAttribute("x", c(left + at[1] * cell));
        m.setAttribute("y", c(top + at[0] * cell));
      });
    }

    function select(i, j, fromKeyboard) {
      at = [Math.max(0, Math.min(rows - 1, i)), Math.max(0, Math.min(cols - 1, j))];
      draw();
      ui.say(sentence(), fromKeyboard);
    }

    /* New values for every cell (rows of numbers, or one flat row-major list):
     * each cell's --heat and the readout's data change, the DOM stays. The
     * scale's ends stay unless `range` gives new ones: {lo, hi}, or {bound}
     * on a signed map; the legend's labels follow them. */
    function update(next, range) {
      const flat = [];
      Array.from(next).forEach(function (r) {
        if (typeof r === "number" || r === null) flat.push(r); else Array.from(r).forEach(function (v) { flat.push(v); });
      });
      values = flat.map(function (v) { return missing(v) ? NaN : Number(v); });
      if (range) {
        bounds = signed ? [-Number(range.bound), Number(range.bound)] : [Number(pick(range.lo, bounds[0])), Number(pick(range.hi, bounds[1]))];
        const lo = bounds[0], hi = bounds[1];
        const mid = signed ? 0 : lo + (hi - lo) * heatInverse(0.5, scale);
        [lo, mid, hi].forEach(function (v, k) { if (scaleLabels[k]) scaleLabels[k].textContent = fmt(v, digits); });
      }
      const lo = bounds[0], hi = bounds[1];
      for (let k = 0; k < rects.length; k++) {
        const h = signed ? signedHeat(values[k], hi, scale) : heat(values[k], hi, lo, scale);
        rects[k].style.setProperty("--heat", num(h));
      }
      if (at !== null && (focused || hovered)) ui.say(sentence(), focused);
    }

    ["pointermove", "pointerdown"].forEach(function (type) {
      life.listen(svg, type, function (event) {
        const p = svgPoint(svg, event);
        const j = Math.floor((p[0] - left) / cell), i = Math.floor((p[1] - top) / cell);
        if (i < 0 || j < 0 || i >= rows || j >= cols) return;
        hovered = true;
        if (!at || at[0] !== i || at[1] !== j) select(i, j, false);
      });
    });
    life.listen(svg, "pointerleave", function () { hovered = false; draw(); });
    life.listen(ui.plot, "focus", function () {
      focused = true;
      if (at === null) select(0, 0, true); else select(at[0], at[1], true);
    });
    life.listen(ui.plot, "blur", function () { focused = false; draw(); });
    life.listen(ui.plot, "keydown", function (event) {
      const i = at ? at[0] : 0, j = at ? at[1] : 0;
      const moves = { ArrowRight: [i, j + 1], ArrowLeft: [i, j - 1], ArrowDown: [i + 1, j], ArrowUp: [i - 1, j],
                      Home: [i, 0], End: [i, cols - 1], PageUp: [0, j], PageDown: [rows - 1, j] };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(moves[event.key][0], moves[event.key][1], true);
    });

    return {
      element: figure, kind: "heatmap", rows: rows, cols: cols,
      update: update,
      value: function (i, j) { return values[i * cols + j]; },
      select: function (i, j) { select(i, j, true); },
      stop: function () { life.stop(); },
    };
  }

  /* Takes over a figure drawn by the build (or by the markup functions):
   * returns its controller, the same one however often it is asked for.
   * `life` (optional): a scope whose stop also stops the figure. */
  function attach(figure, life) {
    let ctrl = controllers.get(figure);
    if (!ctrl) {
      const own = scope();
      if (figure.classList.contains("mgv-kit--line")) ctrl = attachLine(figure, own);
      else if (figure.classList.contains("mgv-kit--heatmap")) ctrl = attachHeatmap(figure, own);
      else ctrl = { element: figure, kind: "scatter", stop: function () { own.stop(); } };
      controllers.set(figure, ctrl);
      own.onStop(function () { controllers.delete(figure); });
    }
    if (life) life.onStop(ctrl.stop);
    return ctrl;
  }

  /* Draws a figure into container (replacing what it held) and takes it over. */
  function render(container, html, life) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const figure = template.content.firstElementChild;
    container.replaceChildren(figure);
    return attach(figure, life);
  }

  function lineChart(container, options, life) {
    return render(container, lineMarkup(options), life);
  }

  function heatmapChart(container, options, life) {
    return render(container, heatmapMarkup(options), life);
  }

  /* A scatter has no readout: update(options) draws it again (a few elements only). */
  function scatterChart(container, options, life) {
    const ctrl = render(container, scatterMarkup(options), life);
    return {
      get element() { return container.firstElementChild; },
      kind: "scatter",
      update: function (next) { render(container, scatterMarkup(next)); },
      stop: ctrl.stop,
    };
  }

  /* A row of buttons of which one is chosen (a token, a position, a snapshot): one Tab stop,
     arrow keys and Home/End move the choice; onPick(i) is called, set(i) shows i as chosen.
     options: className (added to the row's), fill(button, i) (content richer than texts[i]). */
  function rowPicker(life, label, texts, onPick, options) {
    const opts = options || {};
    const bar = make("div", "mgv-rowpick" + (opts.className ? " " + opts.className : ""));
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", label);
    let current = 0;
    const buttons = texts.map(function (text, i) {
      const b = make("button", "", text);
      if (opts.fill) opts.fill(b, i);
      b.type = "button";
      b.tabIndex = -1;
      b.setAttribute("aria-pressed", "false");
      life.listen(b, "click", function () { onPick(i); });
      bar.appendChild(b);
      return b;
    });
    life.listen(bar, "keydown", function (event) {
      const last = buttons.length - 1;
      const moves = { ArrowRight: current + 1, ArrowDown: current + 1, ArrowLeft: current - 1, ArrowUp: current - 1,
                      Home: 0, End: last };
      if (!(event.key in moves) || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      onPick(Math.max(0, Math.min(last, moves[event.key])));
      buttons[current].focus();
    });
    return {
      element: bar,
      buttons: buttons,
      get current() { return current; },
      set: function (i) {
        current = i;
        buttons.forEach(function (b, j) {
          b.setAttribute("aria-pressed", String(i === j));
          b.tabIndex = i === j ? 0 : -1;
        });
      },
    };
  }

  window.MGV = {
    define: define, defineWithFrames: defineWithFrames, stepper: stepper, scope: scope, life: lifeOf,
    refresh: startAll, make: make, chip: chip, tokenRow: tokenRow, formatCount: formatCount, rowPicker: rowPicker,
    reserve: reserve, longest: longest,
    kit: {
      heat: heat, signedHeat: signedHeat, heatInverse: heatInverse, num: num, fmt: fmt, esc: esc,
      niceStep: niceStep, niceDomain: niceDomain, ticks: ticks,
      markup: { line: lineMarkup, heatmap: heatmapMarkup, scatter: scatterMarkup },
      attach: attach, lineChart: lineChart, heatmap: heatmapChart, scatter: scatterChart,
    },
  };

  // boxes that scroll sideways are scroll boxes, for the keyboard too
  define("scroll-box", function (element, life) { scrollBox(element, life); });
  // the figures the build draws take themselves over
  define("line-chart", function (element, life) { return attach(element, life); });
  define("heatmap", function (element, life) { return attach(element, life); });

  if (window.document$) {
    window.document$.subscribe(startAll);  // Material: every page, instant navigation included
  } else {
    document.addEventListener("DOMContentLoaded", startAll);
  }
})();
