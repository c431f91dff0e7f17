"""The History page: every entry of hooks/pagedata/history.yml is on the built page, in year
order, with its idea, its text, its source (and the DOI or arXiv link) and a link to a page of
the nav whose title the link shows; the dates and sources the issue asked for are there, as
typed here; a page missing from the nav fails the build naming the entry, and so does a
missing or malformed field; an edit of the data file recomputes the page in a warm build."""

import re
import shutil
from html import unescape
from posixpath import normpath

import pytest
import yaml

from tests.browser_kit import nav_pages
from tests.conftest import ROOT, mkdocs_build, small_guide_config, texts

DATA = ROOT / "hooks" / "pagedata" / "history.yml"

# What the issue asked for, and the other ideas the guide uses: idea -> (year, the page where
# it appears). Typed from the sources (see the report), not read from the data file.
EXPECTED = {
    "The rule of succession": (1814, "step-0/model/"),
    "Gradient descent": (1847, "step-1/training-inference/"),
    "Markov chains": (1906, "step-0/inference/"),
    "Information and entropy": (1948, "step-0/loss/"),
    "Stochastic approximation": (1951, "step-1/training-inference/"),
    "The perceptron": (1958, "step-1/mlp/"),
    "Momentum": (1964, "step-5/momentum/"),
    "Reverse-mode differentiation": (1970, "step-2/backward/"),
    "Backpropagation": (1986, "step-1/analytic-gradient/"),
    "Softmax": (1990, "step-1/linear-softmax/"),
    "A neural language model with learned embeddings": (2003, "step-1/parameters/"),
    "Rectified linear units": (2010, "step-1/mlp/"),
    "RMSProp": (2012, "step-5/momentum/"),
    "Attention": (2014, "step-3/scores-weights/"),
    "Adam": (2014, "step-5/the-code/"),
    "Residual connections": (2015, "step-3/output-residuals/"),
    "Layer normalisation": (2016, "step-3/rmsnorm/"),
    "The transformer": (2017, "step-4/multi-head-idea/"),
    "GPT": (2018, "step-4/layer-loop/"),
    "GPT-2": (2019, "step-3/rmsnorm/"),
    "RMSNorm": (2019, "step-3/rmsnorm/"),
    "microgpt": (2026, "step-5/microgpt/"),
}
# The links to the sources, checked against the sources (see the report).
LINKS = {
    "Information and entropy": "https://doi.org/10.1002/j.1538-7305.1948.tb01338.x",
    "Stochastic approximation": "https://doi.org/10.1214/aoms/1177729586",
    "The perceptron": "https://doi.org/10.1037/h0042519",
    "Momentum": "https://doi.org/10.1016/0041-5553(64)90137-5",
    "Backpropagation": "https://doi.org/10.1038/323533a0",
    "Softmax": "https://doi.org/10.1007/978-3-642-76153-9_28",
    "Attention": "https://arxiv.org/abs/1409.0473",
    "Adam": "https://arxiv.org/abs/1412.6980",
    "Residual connections": "https://arxiv.org/abs/1512.03385",
    "Layer normalisation": "https://arxiv.org/abs/1607.06450",
    "The transformer": "https://arxiv.org/abs/1706.03762",
    "RMSNorm": "https://arxiv.org/abs/1910.07467",
}


def data():
    return yaml.safe_load(DATA.read_text())


def inline(html):
    """The text of inline HTML as a reader sees it: tags gone without a space (unlike
    conftest.texts, for blocks), entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def page_entries(html):
    """[{year, datetime, idea, text, source, links, where, where_href}] as the page shows them."""
    body = html.split('<ol class="mgv-history">', 1)[1].split("</ol>", 1)[0]
    found = []
    for item in re.findall(r'<li class="mgv-history__entry">(.*?)</li>', body):
        head = re.search(r'<h2 class="mgv-history__head" id="[^"]+"><time class="mgv-history__year" '
                         r'datetime="(\d{4})">(\d+)</time> <span class="mgv-history__idea">(.*?)</span></h2>', item)
        paragraphs = dict(re.findall(r'<p class="mgv-history__(text|source|where)">(.*?)</p>', item))
        where = re.search(r'<a href="([^"]+)">([^<]+)</a>', paragraphs["where"])
        found.append({
            "datetime": head.group(1), "year": int(head.group(2)), "idea": inline(head.group(3)),
            "text": inline(paragraphs["text"]), "source": inline(paragraphs["source"]),
            "links": re.findall(r'<a href="([^"]+)">', paragraphs["source"]),
            "where": inline(paragraphs["where"]), "where_href": unescape(where.group(1)), "where_title": unescape(where.group(2)),
        })
    return found


@pytest.fixture(scope="module")
def history(built_site):
    return (built_site[0] / "history" / "index.html").read_text()


def plain(text):
    """An entry's text as a reader sees it: the marks for code and variables gone, one space."""
    return " ".join(re.sub(r"`([^`]+)`", r"\1", re.sub(r"\*([^*\s][^*]*)\*", r"\1", text)).split())


def test_every_entry_is_on_the_page_in_year_order_with_its_source(history):
    shown, entries = page_entries(history), data()
    assert len(shown) == len(entries) == len(EXPECTED)
    in_order = sorted(entries, key=lambda entry: entry["year"])  # stable: one year's entries keep the file's order
    for entry, on_page in zip(in_order, shown):
        assert on_page["idea"] == entry["idea"]
        assert on_page["year"] == entry["year"] and on_page["datetime"] == str(entry["year"])
        assert on_page["text"] == plain(entry["text"])
        title = plain(entry["title"]) + (f" (“{plain(entry['translated'])}”)" if "translated" in entry else "")
        links = [f"{label}:{entry[key]}" for key, label in (("doi", "doi"), ("arxiv", "arXiv")) if key in entry]
        assert on_page["source"] == " ".join([f"Source: {plain(entry['authors'])}, {title}. {plain(entry['venue'])}.",
                                              *links])
    assert [entry["year"] for entry in shown] == sorted(entry["year"] for entry in shown)
    assert {entry["idea"]: entry["year"] for entry in shown} == {idea: year for idea, (year, _) in EXPECTED.items()}
    assert {entry["idea"]: entry["links"] for entry in shown if entry["links"]} == {
        idea: [link] for idea, link in LINKS.items()}


def test_the_sources_say_what_was_checked(history):
    """A few sources in full, as typed here from the publications."""
    sources = {entry["idea"]: entry["source"] for entry in page_entries(history)}
    assert sources["Stochastic approximation"] == (
        "Source: Herbert Robbins and Sutton Monro, A Stochastic Approximation Method. Annals of Mathematical"
        " Statistics 22 (3), 400–407, 1951. doi:10.1214/aoms/1177729586")
    assert sources["Backpropagation"] == (
        "Source: David E. Rumelhart, Geoffrey E. Hinton and Ronald J. Williams, Learning representations by"
        " back-propagating errors. Nature 323, 533–536, 1986. doi:10.1038/323533a0")
    assert "Izvestiya Fiziko-matematicheskogo obshchestva pri Kazanskom universitete, 2nd series, 15, 135–156, 1906" \
        in sources["Markov chains"]
    assert "Master's thesis (in Finnish), University of Helsinki, 1970" in sources["Reverse-mode differentiation"]
    assert "Journal of Machine Learning Research 3, 1137–1155, 2003" in sources[
        "A neural language model with learned embeddings"]
    assert "Comptes rendus hebdomadaires des séances de l'Académie des sciences 25, 536–538, 1847" in sources[
        "Gradient descent"]


def test_each_link_goes_to_the_page_of_the_nav_it_names(history, built_site):
    site = built_site[0]
    nav = nav_pages()
    for entry in page_entries(history):
        target = normpath("history/" + entry["where_href"]).lstrip("/") + "/"
        assert target in nav, entry["idea"]
        assert target == EXPECTED[entry["idea"]][1], entry["idea"]
        page = (site / target / "index.html").read_text()
        title = unescape(re.search(r"<title>(.*?)</title>", page).group(1))
        assert title == f"{entry['where_title']} - MicroGPT Visualized", entry["idea"]
        assert entry["where"] == f"In the guide: {entry['where_title']}"


def test_the_page_is_an_ordered_list_under_a_short_introduction(history):
    article = history.split('<article', 1)[1].split("</article>", 1)[0]
    assert "{{" not in article and "}}" not in article
    intro = texts(article.split("<h1>History</h1>", 1)[1].split('<ol class="mgv-history">', 1)[0])
    assert intro.startswith("microgpt is small, but the ideas in it were worked out over more than two centuries")
    assert "links to the page of the guide where the idea is used" in intro
    assert article.count('<li class="mgv-history__entry">') == len(EXPECTED)
    assert article.count('<h2 class="mgv-history__head"') == len(EXPECTED)
    assert '<cite lang="ru-Latn">Rasprostranenie' in article and '<cite lang="fr">Essai' in article
    assert "<code>bigram()</code>" in article and "every one of <em>n</em> times" in article


# ---------------------------------------------------------------- mistakes fail the build

def test_a_page_missing_from_the_nav_fails_the_build_naming_the_entry(tmp_path, data_env):
    """A guide whose nav has the page of the first entry (step-0/model.md) but not the second's."""
    config = small_guide_config(tmp_path, {"model.md": "---\ntitle: The Model\n---\n\nThe model.\n",
                                           "history.md": "---\ntitle: History\n---\n\n{{ timeline }}\n"},
                                "{0: {num_steps: 20, num_samples: 2}}")
    env = {**data_env, "MICROGPT_RUN_CACHE": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1"}
    built = mkdocs_build(config, tmp_path / "site", env)
    assert built.returncode == 1
    warnings = [line.split("-  ", 1)[1] for line in built.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [
        "docs/step-0/history.md:5: timeline: history.yml, entry 2 (1847 Gradient descent): page:"
        " step-1/training-inference.md is not a page of the nav (mkdocs.yml); name the page of the guide where"
        " the idea appears, e.g. step-3/rmsnorm.md"]


def write_entries(tmp_path, entries):
    path = tmp_path / "history.yml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True))
    return path


GOOD = {"year": 1906, "idea": "Markov chains", "text": "A chain.", "authors": "A. A. Markov",
        "title": "A title", "venue": "A journal, 1906", "page": "step-0/inference.md"}


@pytest.mark.parametrize("change, message", [
    ({"venue": None}, "entry 1 (1906 Markov chains): no venue: (every entry has year, idea, text, authors,"
                      " title, venue, page)"),
    ({"year": None}, "entry 1 (Markov chains): no year:"),
    ({"pages": "step-0/inference.md"}, "entry 1 (1906 Markov chains): unknown field pages:"),
    ({"year": "1906"}, "entry 1 (1906 Markov chains): year: '1906' is not a year"),
    ({"arxiv": 1706.03762}, "entry 1 (1906 Markov chains): arxiv: should be text (quote it), not 1706.03762"),
    ({"doi": "doi:10.1038/323533a0"}, "doi: 'doi:10.1038/323533a0' is not a DOI"),
    ({"translated": "A title in English"}, "a translated title needs lang:"),
    ({"text": ""}, "entry 1 (1906 Markov chains): text: should be text (quote it), not ''"),
])
def test_a_missing_or_malformed_field_names_the_entry(tmp_path, change, message):
    from hooks.directives import DirectiveError
    from hooks.pagedata.history import read_entries

    entry = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    with pytest.raises(DirectiveError) as raised:
        read_entries(write_entries(tmp_path, [entry]))
    assert message in str(raised.value)
    assert str(raised.value).startswith("timeline: history.yml, entry 1")


def test_the_same_idea_twice_and_an_unreadable_file_are_reported(tmp_path):
    from types import SimpleNamespace

    from hooks.directives import DirectiveError
    from hooks.pagedata.history import read_entries, timeline_html

    pages = {"step-0/inference.md": SimpleNamespace(url="step-0/inference/", title="0.7 Inference")}
    entries = read_entries(write_entries(tmp_path, [GOOD, dict(GOOD, year=1913)]))
    with pytest.raises(DirectiveError, match=r"entry 2 \(1913 Markov chains\): another entry has the idea"):
        timeline_html(entries, pages, "history/")
    assert 'href="../step-0/inference/">0.7 Inference</a>' in timeline_html(entries[:1], pages, "history/")
    (tmp_path / "history.yml").write_text("- year: 1906\n  idea: [unclosed\n")
    with pytest.raises(DirectiveError, match="cannot read history.yml"):
        read_entries(tmp_path / "history.yml")
    (tmp_path / "history.yml").write_text("year: 1906\n")
    with pytest.raises(DirectiveError, match="should be a list of entries"):
        read_entries(tmp_path / "history.yml")


def test_an_edit_of_the_data_file_recomputes_the_page(tmp_path):
    """The memo of outputs is named by the code and the data files beside it: a warm build
    after an edit of history.yml shows the edit."""
    from hooks.outputs import code_digest

    for folder in ("hooks", "microgpt"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_digest(tmp_path)
    copied = tmp_path / "hooks" / "pagedata" / "history.yml"
    copied.write_text(copied.read_text().replace("idea: Markov chains", "idea: Markov's chains"))
    assert code_digest(tmp_path) != before
