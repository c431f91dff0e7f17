"""The Glossary is the pages' own front matter: every `defines:` and `terms:` item of every
nav page, A to Z, its meaning expanded with its own step's run, linked to its page; it
follows an edit of any page's front matter, and a mistake in a meaning fails the build."""

import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from tests.browser_kit import nav_pages
from tests.conftest import ROOT, mkdocs_build, small_guide_config, texts


def front_matter(path):
    text = Path(path).read_text()
    return yaml.safe_load(text.split("---\n")[1]) if text.startswith("---\n") else {}


def nav_sources():
    nav = (ROOT / "mkdocs.yml").read_text().split("\nnav:\n")[1].split("\nhooks:\n")[0]
    return re.findall(r"([\w/.-]+\.md)\s*$", nav, re.MULTILINE)


def glossary_items(html):
    """[(name, [(meaning text, href, page title)])] as the page lists them."""
    body = html.split('class="mgv-glossary"', 1)[1]
    items = []
    for dt, dds in re.findall(r"<dt[^>]*>(.*?)</dt>((?:<dd>.*?</dd>)*)", body):
        meanings = [(texts(meaning), href, unescape(title)) for meaning, href, title in
                    re.findall(r'<dd>(.*?) <span class="mgv-glossary__where">\(<a href="([^"]+)">([^<]+)</a>\)</span></dd>', dds)]
        items.append((texts(dt), meanings))
    return items


def test_every_defined_name_and_term_is_listed_a_to_z_with_its_page(built_site):
    html = (built_site[0] / "glossary" / "index.html").read_text()
    items = glossary_items(html)
    expected = {}
    for source, path in zip(nav_sources(), nav_pages()):
        meta = front_matter(ROOT / "docs" / source)
        for key in ("defines", "terms"):
            for item in meta.get(key) or []:
                (name, _), = item.items()
                expected.setdefault(str(name), []).append("../" + path)
    assert len(expected) >= 50
    assert [name for name, _ in items] == sorted(expected, key=lambda n: (re.sub(r"[^a-z0-9]", "", n.lower()), n))
    for name, meanings in items:
        assert [href for _, href, _ in meanings] == expected[name], name
        assert all(meaning and "{{" not in meaning for meaning, _, _ in meanings), name


def test_meanings_carry_their_own_steps_numbers(built_site):
    items = dict(glossary_items((built_site[0] / "glossary" / "index.html").read_text()))
    assert items["BOS"] == [("token 26, at both ends of every name", "../step-0/tokenizer/", "0.2 The Tokenizer")]
    trains = items["train()"]
    assert [title for _, _, title in trains][:3] == ["0.5 Training", "1.9 Training and Inference",
                                                     "3.8 Training and Results"]
    assert "1,000 steps" in trains[1][0] and "learning rate of 0.1" in trains[2][0]  # run 1's steps, run 3's rate
    assert items["state_dict"][1][0].startswith("the three matrices by name, 3,184 numbers")  # run 1's count


def test_letters_lead_to_their_sections(built_site):
    html = (built_site[0] / "glossary" / "index.html").read_text()
    jumps = re.findall(r'<li><a href="#(glossary-[a-z]+)">([A-Z#])</a></li>', html)
    assert jumps and [letter for _, letter in jumps] == sorted(letter for _, letter in jumps)
    for target, _ in jumps:
        assert f'<h2 id="{target}">' in html


GLOSSARY = "---\ntitle: Glossary\n---\n\n{{ glossary }}\n"


def glossary_guide(tmp_path, meaning):
    page = f"---\ntitle: Words\ndefines:\n  - docs: the {{{{ num_docs }}}} names\nterms:\n  - token: {meaning}\n---\n\nText.\n"
    config = small_guide_config(tmp_path, {"words.md": page}, "{0: {num_steps: 20, num_samples: 2}}")
    (tmp_path / "docs" / "glossary.md").write_text(GLOSSARY)
    config.write_text(config.read_text().replace("nav:\n  - index.md\n", "nav:\n  - index.md\n  - glossary.md\n"))
    return config


@pytest.fixture
def guide_env(tmp_path, data_env):
    return {**data_env, "MICROGPT_RUN_CACHE": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1"}


def test_an_edited_meaning_reaches_the_glossary_of_a_warm_build(tmp_path, guide_env):
    config = glossary_guide(tmp_path, "a number for a character")
    assert mkdocs_build(config, tmp_path / "site", guide_env).returncode == 0
    listed = dict(glossary_items((tmp_path / "site" / "glossary" / "index.html").read_text()))
    assert listed == {"docs": [("the 32,033 names", "../step-0/words/", "0.1 Words")],
                      "token": [("a number for a character", "../step-0/words/", "0.1 Words")]}
    page = tmp_path / "docs" / "step-0" / "words.md"
    page.write_text(page.read_text().replace("a number for a character", "a whole number for a character"))
    rebuilt = mkdocs_build(config, tmp_path / "site", guide_env)
    assert rebuilt.returncode == 0 and "0 output(s) computed" not in rebuilt.stderr
    listed = dict(glossary_items((tmp_path / "site" / "glossary" / "index.html").read_text()))
    assert listed["token"] == [("a whole number for a character", "../step-0/words/", "0.1 Words")]


def test_a_bad_directive_in_a_meaning_fails_the_build_naming_the_page(tmp_path, guide_env):
    config = glossary_guide(tmp_path, "one of {{ vocab_sise }} symbols")
    built = mkdocs_build(config, tmp_path / "site", guide_env)
    assert built.returncode == 1
    assert ("docs/glossary.md:5: docs/step-0/words.md, front matter 'one of {{ vocab_sise }} symbols':"
            " unknown name 'vocab_sise' (did you mean 'vocab_size'?)") in built.stderr
