"""A page loads only the players and style sheets it uses (hooks/assets.py), and lacks none:
every player on every page starts, and adding every page style sheet of the guide changes
the style of no element. Instant navigation brings a page's scripts and sheets with it."""

import re

import pytest
import yaml

from hooks import assets
from tests.browser_kit import browser, nav_pages, opener, settled, site_url  # noqa: F401 (fixtures)
from tests.conftest import ROOT

# mkdocs.yml's extra: block (the file as a whole holds MkDocs' own !ENV tag)
LISTED = yaml.safe_load("extra:\n" + (ROOT / "mkdocs.yml").read_text().split("\nextra:\n", 1)[1])[
    "extra"]["microgpt"]["page_assets"]


def loaded(html):
    """The page assets an HTML page loads, as listed in mkdocs.yml."""
    found = re.findall(r'(?:href|src)="(?:\.\./)*(assets/guide/[\w.-]+)"', html)
    return [uri for uri in found if uri in LISTED]


# ---------------------------------------------------------------- reading scripts and sheets

def test_selectors_lists_and_negations():
    css = "/* .mgv-gone */ .mgv-a .mgv-b, .mgv-c:not(.mgv-d) > td { x: 1 }\n@media (max-width: 40em) { .mgv-e { y: 2 } }"
    assert assets.selectors(css) == [".mgv-a .mgv-b", ".mgv-c:not(.mgv-d) > td", ".mgv-e"]
    assert [assets.required_classes(s) for s in assets.selectors(css)] == [
        {"mgv-a", "mgv-b"}, {"mgv-c"}, {"mgv-e"}]


def test_a_page_gets_a_script_for_its_players_and_a_sheet_when_a_selector_can_match():
    needs = {"a.css": {frozenset({"mgv-a", "mgv-b"})}, "tone.css": {frozenset({"mgv-tone-3"})},
             "p.js": {"pie"}, "q.js": {"quiz"}}
    page = '<div class="mgv-a x"><div data-player="pie"></div></div>'
    assert assets.used_by(page, needs, {"p.js": {"mgv-b"}, "q.js": {"mgv-tone-"}}) == ["a.css", "p.js"]
    assert assets.used_by(page, needs, {"p.js": set(), "q.js": {"mgv-b"}}) == ["p.js"]  # q.js is not loaded
    assert assets.used_by(page, needs, {"core.js": {"mgv-tone-"}, "p.js": set()}) == ["tone.css", "p.js"]


def test_files_that_cannot_be_placed_are_refused(tmp_path):
    (tmp_path / "a.css").write_text("table td { x: 1 }")
    (tmp_path / "b.js").write_text("console.log(1)")
    with pytest.raises(assets.AssetError, match="the rule for 'table td' names no mgv-\\* class"):
        assets.read_page_assets(tmp_path, ["a.css"], [])
    with pytest.raises(assets.AssetError, match="b.js defines no player"):
        assets.read_page_assets(tmp_path, ["b.js"], [])
    with pytest.raises(assets.AssetError, match="also loaded on every page"):
        assets.read_page_assets(tmp_path, ["b.js"], ["b.js"])
    (tmp_path / "c.js").write_text('MGV.defineWithFrames("cat", start)')
    assert assets.read_page_assets(tmp_path, ["c.js"], []) == {"c.js": {"cat"}}
    assert assets.unlisted(tmp_path.parent, tmp_path.name, [f"{tmp_path.name}/c.js"]) == [
        f"{tmp_path.name}/a.css", f"{tmp_path.name}/b.js"]


# ---------------------------------------------------------------- the built site

def test_pages_load_what_they_use_and_every_asset_is_used_somewhere(built_site):
    site = built_site[0]
    by_page = {path: loaded((site / path / "index.html").read_text()) for path in nav_pages()}
    assert by_page[""] == []  # the home page's chart is drawn by players.js alone
    assert by_page["glossary/"] == ["assets/guide/reference.css"]
    assert "assets/guide/attention-map.js" in by_page["step-3/scores-weights/"]
    assert not any(uri.endswith(".js") and uri != "assets/guide/attention-map.js"
                   for uri in by_page["step-3/scores-weights/"])
    assert by_page["step-0/training/"].count("assets/guide/count-table.js") == 1
    assert {uri for uris in by_page.values() for uri in uris} == set(LISTED)
    average = sum(map(len, by_page.values())) / len(by_page)
    assert average < len(LISTED) / 4


STYLES = """() => Array.from(document.querySelectorAll("article *"), el => {
    const s = getComputedStyle(el);
    return [s.display, s.color, s.backgroundColor, s.fontWeight, s.fontSize, s.padding, s.margin,
            s.borderTopStyle, s.borderTopColor, s.width, s.position, s.textAlign, s.whiteSpace].join("|");
})"""


@pytest.mark.browser
def test_every_player_starts_and_no_style_sheet_is_missing(opener, site_url):
    page = opener(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")  # no transitions midway
    missing, idle = {}, {}
    for path in nav_pages():
        page.goto(f"{site_url}/{path}")
        settled(page)
        # (a chart inside a player's stage is its player's to draw)
        not_started = page.evaluate("""() => Array.from(document.querySelectorAll("[data-player]"))
            .filter(el => !el.parentElement.closest("[data-player]"))
            .filter(el => el.dataset.playerStarted !== "yes").map(el => el.dataset.player)""")
        if not_started:
            idle[path] = not_started
        before = page.evaluate(STYLES)
        page.evaluate("""(uris) => Promise.all(uris.map(uri => new Promise(done => {
            const link = document.createElement("link");
            link.rel = "stylesheet"; link.href = "/" + uri; link.onload = done;
            document.head.append(link);
        })))""", [uri for uri in LISTED if uri.endswith(".css")])
        after = page.evaluate(STYLES)
        changed = sum(a != b for a, b in zip(before, after))
        if changed:
            missing[path] = changed
    assert idle == {}, idle
    assert missing == {}, missing


@pytest.mark.browser
def test_instant_navigation_brings_a_pages_scripts_and_sheets(opener, site_url):
    page = opener(viewport={"width": 1280, "height": 900})
    page.goto(f"{site_url}/step-3/qkv/")
    settled(page)
    page.evaluate("() => { window.notReloaded = true; }")
    page.click("a.mgv-pager__next")  # 3.5, a page with the attention map
    page.wait_for_selector('[data-player="attention-map"][data-player-started="yes"]')
    assert page.evaluate("window.notReloaded") is True, page.url  # Material swapped the page in
    sheets = page.evaluate("""() => Array.from(document.querySelectorAll('head link[rel=stylesheet]'),
        link => new URL(link.href).pathname)""")
    assert "/assets/guide/step3.css" in sheets
