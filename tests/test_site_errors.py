"""An author's mistakes fail `mkdocs build --strict` and say where they are;
without --strict (as under `mkdocs serve`) the page still builds, with a mark."""

import re
import subprocess
import sys

import pytest

from tests.conftest import mkdocs_build, small_guide_config

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

A wrapped value, {{ loss
step=1 }}, is fine, and so is one in code: `{{ uchars }}`.

Never closed: {{ loss step=2

A name on a run it does not serve: {{ count row=a col=a after=0 run=1 }}.

Bad math: $\\frac{1}{$ here.

The syntax itself, shown: `{{! loss step=1 }}` and {{! num_docs }}.
"""

BAD_FRONT = """\
---
title: "Unclosed
defines:
  - thing: something
---

Body.
"""


@pytest.fixture
def small_guide(tmp_path, data_env):
    """A guide of one step with one page of mistakes, built with the real hooks."""
    config = small_guide_config(tmp_path, {"mistakes.md": BAD_PAGE, "front.md": BAD_FRONT},
                                "{0: {num_steps: 20, num_samples: 2}}")
    env = {**data_env, "MICROGPT_RUN_CACHE": str(tmp_path / "cache"), "NO_MKDOCS_2_WARNING": "1"}
    return config, tmp_path / "site", env


def test_strict_build_fails_naming_page_and_line(small_guide):
    built = mkdocs_build(*small_guide)
    assert built.returncode == 1
    warnings = [line.split("-  ", 1)[1] for line in built.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [
        "docs/step-0/front.md:2: front matter cannot be read: the quote opened here is never closed: close it on"
        " the same line. MkDocs ignores the whole block when it cannot read it, so the page loses its title and"
        " defines",
        "docs/step-0/front.md:1: a page in Step 0: Counting needs `title:` in its front matter",
        "docs/step-0/mistakes.md:9: unknown name 'lose' (did you mean 'loss'?); `python -m hooks names` lists them all",
        "docs/step-0/mistakes.md:11: loss: step='one' is not a int",
        "docs/step-0/mistakes.md:14: snippet 'microgpt/step0_counting.py:no_such_section':"
        " microgpt/step0_counting.py has no section 'no_such_section'"
        " (its sections: bigram, count_table, forward, sample, training, update)",
        "docs/step-0/mistakes.md:17: player count_table is a player: put it on a line of its own, outside code",
        "docs/step-0/mistakes.md:22: '{{' is never closed: add '}}' after '{{ loss step=2' before the end of the"
        " paragraph (a directive may wrap over lines, not over a blank line or a code fence)",
        "docs/step-0/mistakes.md:24: count serves run 0, and this reads run 1",
        "docs/step-0/mistakes.md:26: cannot read the math '\\frac{1}{': a '{' is never closed: add its '}'"
        " (write \\{ for a brace)",
    ]
    assert "Aborted with 9 warnings in strict mode!" in built.stdout + built.stderr


def test_mistakes_are_reported_again_by_a_warm_build(small_guide):
    """Errors are never memoised with the outputs: the second build, every good
    output reused, still names every mistake."""
    first = mkdocs_build(*small_guide)
    again = mkdocs_build(*small_guide)
    warnings = [[line for line in built.stderr.splitlines() if line.startswith("WARNING")] for built in (first, again)]
    assert len(warnings[0]) == 9 and warnings[1] == warnings[0]
    assert re.search(r"guide: 1 run\(s\), \d+ generated file\(s\), 0 output\(s\) computed, [1-9]\d* reused",
                     again.stderr)


def test_without_strict_the_page_shows_the_errors(small_guide):
    config, site, env = small_guide
    built = mkdocs_build(config, site, env, strict=False)
    assert built.returncode == 0, built.stderr
    html = (site / "step-0" / "mistakes" / "index.html").read_text()
    assert "The 32,033 names are fine." in html
    assert "A wrapped value, 3.2958, is fine, and so is one in code: <code>abcdefghijklmnopqrstuvwxyz</code>." in html
    assert "<code>&#123;&#123; loss step=1 &#125;&#125;</code> and &#123;&#123; num&#95;docs &#125;&#125;." in html
    assert html.count('class="mgv-error"') == 6  # lose, one, the inline player, never closed, run 1, the math
    front = (site / "step-0" / "front" / "index.html").read_text()
    assert front.count('class="mgv-error"') == 1 and "front matter, line 2" in front


def test_the_hooks_use_this_projects_code_whatever_else_is_importable(small_guide, tmp_path):
    """Another `hooks` and `microgpt` first on the path (an unrelated package, an old
    checkout): the build still imports this project's own."""
    config, site, env = small_guide
    impostors = tmp_path / "impostors"
    for package in ("hooks", "microgpt"):
        (impostors / package).mkdir(parents=True)
        (impostors / package / "__init__.py").write_text(f"raise ImportError('the wrong {package}')\n")
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site)]
    built = subprocess.run(command, cwd=tmp_path, env={**env, "PYTHONPATH": str(impostors)},  # not from ROOT
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert "the wrong" not in built.stderr
    assert "The 32,033 names are fine." in (site / "step-0" / "mistakes" / "index.html").read_text()
