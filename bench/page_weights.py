"""What each page of the guide weighs, as a reader's browser fetches it.

    python -m bench.page_weights [--site DIR] [--only step-2/]

Builds the site (warm cache: seconds) into a scratch folder unless --site names a
built one, then prints for every page: its HTML, the frame files its players fetch
(data-frames), and the guide's own scripts and stylesheets it links (assets/guide/),
each raw and gzipped (what a server sends), and the total. Material's own assets
and fonts, the same on every page and cached after the first, are left out.

Every page must stay within BUDGET_KB gzipped (tests/test_page_weights.py holds
the built site to it); the heaviest pages are named at the end.
"""

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
BUDGET_KB = 100  # per page, gzipped: its HTML, the frames its players fetch, the guide's scripts and styles it loads


def sizes(path):
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 9))


def kb(n):
    return f"{n / 1024:.1f}"


def weigh(site, page_dir):
    html_path = site / page_dir / "index.html"
    html = html_path.read_text(encoding="utf-8")
    base = "/" + page_dir
    frames = set(re.findall(r'data-frames="([^"]+)"', html))
    assets = {ref for ref in re.findall(r'(?:src|href)="([^"]*assets/guide/[^"?]+)', html)}
    parts = {"html": sizes(html_path), "frames": (0, 0), "guide assets": (0, 0)}
    for kind, refs in (("frames", frames), ("guide assets", assets)):
        raw = zipped = 0
        for ref in refs:
            target = site / urljoin(base, ref).lstrip("/")
            r, z = sizes(target)
            raw, zipped = raw + r, zipped + z
        parts[kind] = (raw, zipped)
    return parts, len(frames), len(assets)


def total_gz(parts):
    return sum(zipped for _, zipped in parts.values())


def site_pages(site, only=""):
    """Every built page's path ("" for the home page)."""
    pages = sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html")
                   if not p.parent.name.startswith(("search", "assets", "generated")))
    return ["" if p == "./" else p for p in pages if p.startswith(only) or (p == "./" and not only)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--only", default="", help="pages whose path starts with this, e.g. step-2/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        site = args.site
        if site is None:
            site = Path(scratch) / "site"
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
            done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
                                  cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"the build failed:\n{done.stderr}")
        pages = site_pages(site, args.only)
        print(f"{'page':<34} {'html kB':>12} {'frames kB':>12} {'guide js+css kB':>16} {'total kB':>12}")
        print(f"{'':<34} {'raw / gz':>12} {'raw / gz':>12} {'raw / gz':>16} {'raw / gz':>12}")
        totals = {}
        for page in pages:
            parts, _, _ = weigh(site, page)
            total = tuple(sum(p[i] for p in parts.values()) for i in (0, 1))
            totals[page] = total[1]
            cells = [f"{kb(r)} / {kb(z)}" for r, z in (parts["html"], parts["frames"], parts["guide assets"], total)]
            over = "  OVER BUDGET" if total[1] > BUDGET_KB * 1024 else ""
            print(f"{page or '(home)':<34} {cells[0]:>12} {cells[1]:>12} {cells[2]:>16} {cells[3]:>12}{over}")
        heaviest = sorted(totals, key=totals.get, reverse=True)[:5]
        print(f"\nbudget: {BUDGET_KB} kB gzipped per page; heaviest: "
              + ", ".join(f"{page or '(home)'} {kb(totals[page])}" for page in heaviest))


if __name__ == "__main__":
    main()
