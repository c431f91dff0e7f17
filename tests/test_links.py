"""Every link of the built site resolves: each internal href and src names a file of the site,
and each #anchor an id on the page it points to. MkDocs checks the links written in Markdown;
this also covers the theme's links and the HTML that directives generate."""

import re
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlparse

SITE_ROOT = "http://site.invalid/"


class Links(HTMLParser):
    """The ids of a page and its links, as (attribute, value) pairs."""

    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) is not None and not (tag == "link" and attrs.get("rel") == "canonical"):
                self.links.append(attrs[name])


def read_site(site):
    pages = {}
    for html_file in site.rglob("*.html"):
        parsed = Links()
        parsed.feed(html_file.read_text())
        pages[html_file.relative_to(site).as_posix()] = parsed
    return pages


def target_file(site, url):
    """The site's file an internal URL points to, or None."""
    path = unquote(urlparse(url).path)[len(urlparse(SITE_ROOT).path):]
    candidate = site / path
    if candidate.is_dir() or path == "":
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def broken_links(site):
    pages, broken, checked = read_site(site), [], 0
    for name, parsed in pages.items():
        page_url = urljoin(SITE_ROOT, name)
        for link in parsed.links:
            if link.startswith(("mailto:", "data:", "javascript:")):
                continue
            url = urljoin(page_url, link)
            if not url.startswith(SITE_ROOT):
                continue  # another host: test_a11y blocks and reports any request to one
            checked += 1
            found = target_file(site, url)
            if found is None:
                broken.append(f"{name}: {link} (no such file)")
                continue
            fragment = unquote(urlparse(url).fragment)
            if fragment and found.suffix == ".html":
                ids = pages[found.relative_to(site).as_posix()].ids
                if fragment not in ids:
                    broken.append(f"{name}: {link} (no id {fragment!r} there)")
    return broken, checked


def test_every_internal_link_and_anchor_resolves(built_site):
    broken, checked = broken_links(built_site[0])
    assert checked > 1000
    assert broken == []


def test_a_missing_page_and_a_missing_anchor_are_caught(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">A</a> <a href="a/#here">here</a>'
                                         ' <a href="a/#gone">gone</a> <a href="b/">B</a>'
                                         ' <a href="https://example.org/">far</a>')
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">Here</h2><a href="../#top">top</a>')
    broken, checked = broken_links(tmp_path)
    assert checked == 5
    assert sorted(broken) == ["a/index.html: ../#top (no id 'top' there)",
                              "index.html: a/#gone (no id 'gone' there)",
                              "index.html: b/ (no such file)"]


def test_every_title_names_the_site_once_and_the_404_page_leads_back(built_site):
    site = built_site[0]
    titles = {}
    for html_file in site.rglob("*.html"):
        titles[html_file.relative_to(site).as_posix()] = re.search(r"<title>(.*?)</title>", html_file.read_text()).group(1)
    assert all(title.count("MicroGPT Visualized") == 1 for title in titles.values()), titles
    assert titles["index.html"] == "MicroGPT Visualized"
    assert titles["step-4/multi-head-code/index.html"] == "4.3 Multi-Head Attention: The Code - MicroGPT Visualized"
    assert titles["404.html"] == "Page not found - MicroGPT Visualized"
    not_found = (site / "404.html").read_text()
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', not_found.split('class="mgv-not-found"')[1])
    assert links[0] == ("/", "Home")
    assert ("/step-0/", "Step 0: Counting") in links and ("/step-5/", "Step 5: Adam") in links
