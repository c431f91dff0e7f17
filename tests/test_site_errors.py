"""An author's mistakes fail `mkdocs build --strict` and say where they are;
without --strict (as under `mkdocs serve`) the page still builds, with a mark."""

import textwrap

import pytest

from tests.conftest import ROOT, mkdocs_build

BAD_PAGE = """\
---
title: Mistakes
defines:
  - thing: something
---

The {{ num_docs }} names are fine.

A typo: {{ lose step=1 }}.

A bad argument: {{ loss step=one }}.

``` python
--8<-- "microgpt/step0_counting.py:no_such_section"
```

{{ player count_table }} inline is not allowed.
"""


@pytest.fixture
def small_guide(tmp_path, data_env):
    """A guide of one step with one page of mistakes, built with the real hooks."""
    docs = tmp_path / "docs"
    (docs / "step-0").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    (docs / "step-0" / "index.md").write_text("---\ntitle: Counting\n---\n\nThe landing.\n")
    (docs / "step-0" / "mistakes.md").write_text(BAD_PAGE)
    config = tmp_path / "mkdocs.yml"
    config.write_text(textwrap.dedent(f"""\
        site_name: test
        docs_dir: {docs}
        theme: {{name: material, custom_dir: {ROOT / "overrides"}}}
        nav:
          - index.md
          - "Step 0: Counting": [step-0/index.md, step-0/mistakes.md]
        hooks: [{ROOT / "hooks" / "guide.py"}]
        markdown_extensions:
          - pymdownx.superfences
          - pymdownx.snippets: {{base_path: [.], check_paths: true}}
        extra:
          microgpt: {{runs: {{0: {{snapshot_after: [1000]}}}}}}
        """))
    env = {**data_env, "MICROGPT_RUN_CACHE": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1"}
    return config, tmp_path / "site", env


def test_strict_build_fails_naming_page_and_line(small_guide):
    built = mkdocs_build(*small_guide)
    assert built.returncode == 1
    warnings = [line.split("-  ", 1)[1] for line in built.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [
        "docs/step-0/mistakes.md:9: unknown name 'lose' (did you mean 'loss'?); `python -m hooks names` lists them all",
        "docs/step-0/mistakes.md:11: loss: step='one' is not a int",
        "docs/step-0/mistakes.md:14: snippet 'microgpt/step0_counting.py:no_such_section':"
        " microgpt/step0_counting.py has no section 'no_such_section'"
        " (its sections: bigram, count_table, forward, sample, training, update)",
        "docs/step-0/mistakes.md:17: player count_table is a player: put it on a line of its own",
    ]
    assert "Aborted with 4 warnings in strict mode!" in built.stdout + built.stderr


def test_without_strict_the_page_shows_the_errors(small_guide):
    config, site, env = small_guide
    built = mkdocs_build(config, site, env, strict=False)
    assert built.returncode == 0, built.stderr
    html = (site / "step-0" / "mistakes" / "index.html").read_text()
    assert "The 32,033 names are fine." in html
    assert html.count('class="mgv-error"') == 3
