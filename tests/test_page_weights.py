"""Every page stays within its weight budget: its HTML, the frames its players fetch and the
guide's scripts and style sheets it loads, gzipped (bench/page_weights.py reports them)."""

import gzip

from bench.page_weights import BUDGET_KB, site_pages, total_gz, weigh


def test_every_page_is_within_the_budget(built_site):
    site = built_site[0]
    pages = site_pages(site)
    assert len(pages) >= 50 and "" in pages and "step-5/microgpt/" in pages
    over = {page or "home": round(total_gz(weigh(site, page)[0]) / 1024, 1) for page in pages
            if total_gz(weigh(site, page)[0]) > BUDGET_KB * 1024}
    assert over == {}


def test_the_weighing_counts_html_frames_and_the_pages_own_assets(tmp_path):
    (tmp_path / "p" / "f").mkdir(parents=True)
    (tmp_path / "assets" / "guide").mkdir(parents=True)
    html = ('<link href="../assets/guide/a.css"><div data-frames="f/x.json"></div>'
            '<script src="../assets/guide/b.js"></script>')
    (tmp_path / "p" / "index.html").write_text(html)
    (tmp_path / "p" / "f" / "x.json").write_text("[1, 2, 3]" * 50)
    (tmp_path / "assets" / "guide" / "a.css").write_text(".mgv-a { color: red }")
    (tmp_path / "assets" / "guide" / "b.js").write_text("var b = 1;")
    parts, frames, assets = weigh(tmp_path, "p/")
    assert (frames, assets) == (1, 2)
    expected = [len(gzip.compress(text.encode(), 9)) for text in
                [html, "[1, 2, 3]" * 50, ".mgv-a { color: red }", "var b = 1;"]]
    assert total_gz(parts) == sum(expected)
