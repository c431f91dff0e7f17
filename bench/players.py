"""How fast the players play, and how busy they keep the main thread.

    python -m bench.players [--site DIR] [--seconds 3] [--width 1280]

Builds the guide (mkdocs build --strict, into a scratch directory) unless
--site names a built one, serves it on 127.0.0.1, and in Chromium plays the
count-table player of Step 0.5 at its fastest setting ("100 names/s") from
the first name, for a few seconds:

- frames a second: names shown per second of wall time (the scrub's value)
- draws a second:  how often the table was actually redrawn (a MutationObserver
                   on the caption; at most one draw per animation frame)
- main thread busy: the share of wall time the renderer's main thread spent in
                   tasks (Chrome's Performance.getMetrics TaskDuration), then
                   the shares of script, style and layout in it, and the
                   animation frames longer than 50 ms (a sampling of
                   requestAnimationFrame gaps)

Goal: "100 names/s" shows about 100 names a second and leaves the main thread
mostly idle. The figures are printed; nothing is asserted (the machine's load
decides them).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright import sync_api as playwright_api

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build(into, port):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GUIDE_SITE_URL": f"http://127.0.0.1:{port}/"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(into)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stderr}")
    return into


WATCH = """(player) => {
  window.__bench = { draws: 0, gaps: [], last: null, running: true };
  const caption = player.querySelector("figcaption");
  new MutationObserver(() => { window.__bench.draws += 1; })
    .observe(caption, { childList: true, characterData: true, subtree: true });
  const sample = (t) => {
    const b = window.__bench;
    if (b.last !== null) b.gaps.push(t - b.last);
    b.last = t;
    if (b.running) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}"""


PARTS = {"script": "ScriptDuration", "style": "RecalcStyleDuration", "layout": "LayoutDuration"}


def metrics(cdp):
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def measure(page, url, seconds):
    page.goto(url)
    player = page.locator('[data-player="count-table"]')
    player.locator(".mgv-controls").wait_for()
    player.get_by_label("Playing speed").select_option(label="100 names/s")
    player.focus()
    page.keyboard.press("Home")   # the first name
    page.wait_for_timeout(300)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeMode": "threadTicks"})
    page.evaluate(WATCH, player.element_handle())
    scrub = player.locator("input[type=range]")
    before = metrics(cdp)
    frame0 = int(scrub.input_value())
    player.get_by_role("button", name="▶ Play").click()
    page.wait_for_timeout(seconds * 1000)
    frame1 = int(scrub.input_value())
    after = metrics(cdp)
    bench = page.evaluate("() => { window.__bench.running = false; return window.__bench; }")
    player.get_by_role("button", name="Pause").click()
    wall = after["Timestamp"] - before["Timestamp"]
    share = lambda name: (after[name] - before[name]) / wall
    gaps = bench["gaps"]
    return {
        "frames a second": (frame1 - frame0) / wall,
        "draws a second": bench["draws"] / wall,
        "main thread busy": share("TaskDuration"),
        **{f"{part} busy": share(name) for part, name in PARTS.items()},
        "animation frames": len(gaps),
        "mean frame gap (ms)": sum(gaps) / len(gaps) if gaps else float("nan"),
        "frames over 50 ms": sum(1 for g in gaps if g > 50),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one into a scratch directory)")
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), QuietHandler)  # the port first: the build needs it
    port = server.server_port
    with tempfile.TemporaryDirectory() as scratch:
        site = args.site or build(Path(scratch) / "site", port)
        server.RequestHandlerClass = partial(QuietHandler, directory=str(site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{port}/step-0/training/"
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
            print(f"count-table player at 100 names/s, {args.seconds:g} s, {args.width} px wide, {url}")
            for run in range(args.runs):
                page = browser.new_page(viewport={"width": args.width, "height": 900})
                figures = measure(page, url, args.seconds)
                page.close()
                print(f"  run {run + 1}: " + ", ".join(
                    f"{name} {value:.0%}" if name.endswith("busy") else
                    f"{name} {value:.1f}" if isinstance(value, float) else f"{name} {value}"
                    for name, value in figures.items()))
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
