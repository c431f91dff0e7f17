"""The players in a real browser: Chromium, driven by Playwright, against the
built site served on 127.0.0.1. Every test also checks that the page logged
no console error and asked nothing of any other host."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from playwright import sync_api as playwright_api


pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


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


@pytest.fixture
def tab(browser):
    context = open_context(browser)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and context.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: context.problems.append(f"page error: {e}"))
    yield page
    problems = context.problems
    context.close()
    assert problems == []


def table_sum(player):
    return player.evaluate("p => Array.from(p.querySelectorAll('tbody td'), td => Number(td.textContent))"
                           ".reduce((a, b) => a + b, 0)")


def frame(player):
    return int(player.locator("input[type=range]").input_value())


def count_player(page, url):
    page.goto(url)
    player = page.locator('[data-player="count-table"]')
    player.locator(".mgv-controls").wait_for()
    return player


def test_count_table_player_steps_scrubs_and_plays(tab, site_url, step0_record):
    player = count_player(tab, f"{site_url}/step-0/training/")
    status = player.locator(".mgv-status")
    assert frame(player) == 0 and table_sum(player) == 0 and status.text_content().startswith("Empty table")

    player.get_by_role("button", name="Step ▶").click()
    first = step0_record["steps"][0]
    assert status.text_content() == ("Name 1 of 1,000, “yuheng”: added 1 to 7 cells, "
                                     "[26][24], [24][20], [20][7], [7][4], [4][13], [13][6], [6][26].")
    assert player.locator("td.mgv-hit").count() == len(first["doc"]) + 1 == 7
    assert table_sum(player) == 7

    player.focus()
    tab.keyboard.press("ArrowRight")
    assert frame(player) == 2 and "“diondre”" in status.text_content()
    tab.keyboard.press("ArrowLeft")
    assert frame(player) == 1

    player.locator("input[type=range]").fill("100")
    assert table_sum(player) == sum(len(s["doc"]) + 1 for s in step0_record["steps"][:100])
    assert "Name 100 of 1,000" in status.text_content()

    tab.keyboard.press("End")
    cells = player.evaluate("p => Array.from(p.querySelectorAll('tbody td'), td => Number(td.textContent))")
    assert cells == [c for row in step0_record["snapshots"]["1000"] for c in row]
    tab.keyboard.press("Home")
    assert frame(player) == 0 and table_sum(player) == 0

    player.get_by_label("Playing speed").select_option(label="100 names/s")
    play = player.get_by_role("button", name="▶ Play")
    play.click()
    assert status.get_attribute("aria-live") == "off"  # quiet while playing
    tab.wait_for_function("p => Number(p.querySelector('input[type=range]').value) >= 30", arg=player.element_handle())
    player.get_by_role("button", name="Pause").click()
    stopped = frame(player)
    tab.wait_for_timeout(300)
    assert frame(player) == stopped >= 30 and status.get_attribute("aria-live") == "polite"
    tab.keyboard.press("Space")  # Space plays again...
    tab.wait_for_function(f"p => Number(p.querySelector('input[type=range]').value) > {stopped}", arg=player.element_handle())
    tab.keyboard.press("Space")  # ...and pauses
    player.get_by_role("button", name="Reset").click()
    assert frame(player) == 0


def test_instant_navigation_keeps_the_player_working(tab, site_url):
    player = count_player(tab, f"{site_url}/step-0/training/")
    tab.evaluate("window.sameDocument = true")
    player.get_by_role("button", name="▶ Play").click()  # a timer running when we leave

    tab.locator(".mgv-pager__next").click()  # to 0.6, without reloading
    tab.wait_for_url(f"{site_url}/step-0/loss/")
    tab.locator('[data-player="loss-steps"] .mgv-controls').wait_for()
    tab.locator(".mgv-pager__prev").click()  # and back to 0.5
    tab.wait_for_url(f"{site_url}/step-0/training/")
    assert tab.evaluate("window.sameDocument") is True  # instant navigation, not a page load

    player = tab.locator('[data-player="count-table"]')
    player.locator(".mgv-controls").wait_for()
    assert player.locator(".mgv-controls").count() == 1 and frame(player) == 0
    player.get_by_role("button", name="Step ▶").click()
    assert "“yuheng”" in player.locator(".mgv-status").text_content()

    tab.go_back()  # the browser's back button, also handled by instant navigation
    tab.wait_for_url(f"{site_url}/step-0/loss/")
    tab.locator('[data-player="loss-steps"] .mgv-controls').wait_for()
    assert tab.evaluate("window.sameDocument") is True


def test_tokenizer_player_shows_tokens_and_never_html(tab, site_url):
    tab.goto(f"{site_url}/step-0/tokenizer/")
    player = tab.locator('[data-player="tokenizer"]')
    field = player.get_by_label("Type a name:")
    field.fill("emma")
    assert player.locator(".mgv-tokens").get_attribute("aria-label") == "tokens: BOS 26, e 4, m 12, m 12, a 0, BOS 26"
    assert player.locator(".mgv-status").text_content() == "6 tokens: 26 4 12 12 0 26 (5 pairs of neighbours)"

    field.fill("Zoë")
    status = player.locator(".mgv-status")
    assert status.text_content().startswith("Not in the vocabulary: “Z” “ë”. The tokenizer knows only the 26 characters a to z")
    assert player.locator(".mgv-tok").count() == 0

    field.fill('<img src=x onerror="window.injected=1">')
    assert player.locator("img").count() == 0 and tab.evaluate("window.injected") is None
    assert "“<”" in status.text_content()
    field.fill("")
    assert status.text_content() == "Type a name to see its tokens."


def test_loss_step_through_of_ava(tab, site_url):
    tab.goto(f"{site_url}/step-0/loss/")
    player = tab.locator('[data-player="loss-steps"]')
    player.locator(".mgv-controls").wait_for()
    cells = lambda: player.locator("tbody tr").evaluate_all("rows => rows.map(r => r.cells[3].textContent)")
    assert cells() == ["?", "?", "?", "?", "?"]
    for _ in range(2):
        player.get_by_role("button", name="Step ▶").click()
    assert cells()[:4] == ["2.0110", "3.1946", "?", "?"]
    assert player.locator("tfoot, tbody tr:last-child").last.text_content() == "mean so far" + cells()[4]
    assert abs(float(cells()[4]) - (2.0110 + 3.1946) / 2) < 1e-4
    assert player.locator(".mgv-status").text_content().startswith("Pair 2 of 4: after a, the model gives v probability 0.0410")
    player.locator("input[type=range]").fill("4")
    assert cells() == ["2.0110", "3.1946", "2.1401", "1.9136", "2.3148"]
    player.get_by_role("button", name="Reset").click()
    player.get_by_role("button", name="▶ Play").click()
    tab.wait_for_function("p => p.querySelector('input[type=range]').value === '4'", arg=player.element_handle(), timeout=10000)
    assert player.get_by_role("button", name="▶ Play").is_visible()  # stops by itself at the end


def test_bigram_rows_player(tab, site_url, step0_record):
    tab.goto(f"{site_url}/step-0/model/")
    player = tab.locator('[data-player="bigram-rows"]')
    player.locator(".mgv-rowpick").wait_for()
    player.get_by_role("button", name="q", exact=True).click()
    assert player.get_by_role("button", name="q", exact=True).get_attribute("aria-pressed") == "true"
    row = step0_record["snapshots"]["1000"][16]
    probs = [(c + 1) / (sum(row) + 27) for c in row]
    best = max(range(27), key=lambda j: probs[j])
    assert player.locator(".mgv-status").text_content() == (
        f"After q ({sum(row)} pairs counted), the likeliest next token is {'abcdefghijklmnopqrstuvwxyz'[best]}"
        f" with probability {probs[best]:.4f}.")
    assert player.locator(".mgv-bar").count() == 27


def test_without_javascript_the_final_table_shows(browser, site_url, step0_record):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/step-0/training/")
    player = page.locator('[data-player="count-table"]')
    cells = player.locator("tbody td").all_text_contents()
    assert [int(c) for c in cells] == [c for row in step0_record["snapshots"]["1000"] for c in row]
    assert player.locator(".mgv-controls").count() == 0
    context.close()
    assert context.problems == []


def test_dark_mode_and_reduced_motion(browser, site_url):
    context = open_context(browser, reduced_motion="reduce", color_scheme="dark")
    page = context.new_page()
    player = count_player(page, f"{site_url}/step-0/training/")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    td = player.locator("tbody td").first
    assert td.evaluate("td => getComputedStyle(td).transitionDuration") == "0s"
    page.locator("label[title='Switch to light mode']:visible").click()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    context.close()
    assert context.problems == []
