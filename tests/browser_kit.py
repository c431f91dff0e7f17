"""What the browser tests of the built site share: the site served on
127.0.0.1, Chromium, and contexts that record console errors and block (and
report) any request to another host.

A test module imports the fixtures it uses:
    from tests.browser_kit import browser, site_url, tab  # noqa: F401 (fixtures)
"""

import re
import threading
from functools import partial
from pathlib import Path
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from playwright import sync_api as playwright_api

CHROMIUM = "/usr/bin/chromium"
STEP0_PAGES = ["step-0/", "step-0/dataset/", "step-0/tokenizer/", "step-0/count-table/", "step-0/model/",
               "step-0/training/", "step-0/loss/", "step-0/inference/", "step-0/what-counting-cannot-do/"]


def nav_pages():
    """Every page of mkdocs.yml's nav, as its path in the site ("" for the home page)."""
    text = (Path(__file__).resolve().parent.parent / "mkdocs.yml").read_text()
    nav = text[text.index("\nnav:\n"):text.index("\nhooks:\n")]
    sources = re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?([\w/.-]+\.md)\s*$", nav, re.MULTILINE)
    return [re.sub(r"(^|/)index\.md$", r"\1", source).removesuffix(".md") + ("" if source.endswith("index.md") else "/")
            for source in sources]


@pytest.fixture(scope="module")
def axe_source():
    """axe-core's script, as the axe-playwright-python package bundles it (a test dependency)."""
    import axe_playwright_python as axe
    return (Path(axe.__file__).parent / "axe.min.js").read_text()


def axe_violations(page, source):
    """axe-core on the whole document: ["rule id: up to three targets", ...], [] when clean."""
    page.evaluate(source)
    return page.evaluate("""async () => (await axe.run(document, { resultTypes: ["violations"] }))
        .violations.map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))""")


def settled(page):
    """Waits for the page's players to have started (their frames fetched), then two frames."""
    page.wait_for_function("""() => Array.from(document.querySelectorAll("figure[data-player]"))
        .every(f => f.querySelector(".mgv-controls, .mgv-rowpick, input, .mgv-steps, button")
                    || f.classList.contains("mgv-live"))""")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(built_site):
    site, _, _, port = built_site
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        yield browser
        browser.close()


def open_context(browser, **options):
    """A context whose .problems lists requests to other hosts (blocked); pages
    opened with new_page(context) add their console errors to it."""
    context = browser.new_context(**options)
    context.problems = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host != "127.0.0.1":
            context.problems.append(f"request to another host: {route.request.url}")
            return route.abort()
        return route.continue_()

    context.route("**/*", guard)
    return context


def new_page(context):
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and context.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: context.problems.append(f"page error: {e}"))
    return page


@pytest.fixture
def tab(browser):
    context = open_context(browser)
    page = new_page(context)
    yield page
    problems = context.problems
    context.close()
    assert problems == []


@pytest.fixture
def opener(browser):
    """opener(**context options) -> a new page; every context is checked for problems at the end."""
    contexts = []

    def open_page(**options):
        context = open_context(browser, **options)
        contexts.append(context)
        return new_page(context)

    yield open_page
    problems = [p for context in contexts for p in context.problems]
    for context in contexts:
        context.close()
    assert problems == []


# The start of a contrast probe's body (JavaScript): parse(css colour) -> [r, g, b, a],
# over(fg, bg) composes, ratio(a, b) is WCAG's contrast ratio, page is the page's background.
CONTRAST_KIT = """
  const canvas = document.createElement("canvas"); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const parse = (text) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = "rgba(0, 0, 0, 0)"; ctx.fillStyle = text;
    ctx.fillRect(0, 0, 1, 1); const d = ctx.getImageData(0, 0, 1, 1).data; return [d[0] / 255, d[1] / 255, d[2] / 255, d[3] / 255]; };
  const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat([1]);
  const lum = (c) => { const l = c.slice(0, 3).map(v => v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
                       return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const page = parse(getComputedStyle(document.body).backgroundColor);
"""


def press(page, key):
    """Presses a key; the focus must stay on something (never fall back to <body>)."""
    page.keyboard.press(key)
    assert page.evaluate("document.activeElement !== document.body && document.activeElement !== null"), key


def focused(page):
    """What has the focus: its tag, and its label or the start of its text."""
    return page.evaluate("""() => { const a = document.activeElement;
        return a.tagName + ":" + (a.getAttribute("aria-label") || a.textContent.trim().slice(0, 30)); }""")


def started(page, kind, ready=".mgv-controls"):
    """The player of that kind, once it has started (`ready` matches something it draws)."""
    player = page.locator(f'[data-player="{kind}"]')
    player.locator(ready).first.wait_for()
    return player


def heights_over_frames(player):
    """How many different heights the player takes as its scrub slider visits every frame (1: it never
    moves the page)."""
    return player.evaluate("""(p) => {
        const scrub = p.querySelector("input[type=range]"), seen = new Set();
        for (let k = 0; k <= Number(scrub.max); k++) {
          scrub.value = String(k);
          scrub.dispatchEvent(new Event("input", { bubbles: true }));
          seen.add(Math.round(p.getBoundingClientRect().height));
        }
        return seen.size;
    }""")


def tab_to(page, selector, limit=400):
    """Presses Tab until the element matching selector has the focus."""
    target = page.locator(selector).first.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("t => document.activeElement === t", target):
            return
    raise AssertionError(f"Tab never reached {selector}")
