"""Publishing: the GitHub Pages workflow is valid against GitHub's own schema and does
what the README says; the README's two commands install what each needs."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from hooks.runs import DEFAULT_CACHE_DIR

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def check_workflow(path):
    """check-jsonschema with its bundled copy of GitHub's workflow schema (no network)."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", str(path)], capture_output=True, text=True)


def workflow_steps():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return jobs, [step for job in jobs.values() for step in job["steps"]]


def readme_command(marker):
    readme = (ROOT / "README.md").read_text()
    return re.search(rf"<!-- {marker} -->\n```sh\n(.+?)\n```", readme).group(1)


def test_the_workflow_passes_githubs_schema():
    checked = check_workflow(WORKFLOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok -- validation done" in checked.stdout


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "pages.yml"
    text = WORKFLOW.read_text()
    assert "    runs-on: ubuntu-24.04\n" in text
    broken.write_text(text.replace("    runs-on: ubuntu-24.04\n", "    runs_on: ubuntu-24.04\n", 1))
    assert check_workflow(broken).returncode != 0


def test_the_workflow_trains_with_pypy_builds_strict_and_deploys():
    jobs, steps = workflow_steps()
    runs = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert any("apt-get install" in run and "pypy3" in run for run in runs)
    assert "mkdocs build --strict" in runs
    install = next(run for run in runs if run.startswith("pip install"))
    assert install == "pip install -e ."  # serving's packages, not the test tools
    build = next(step for step in steps if step.get("run") == "mkdocs build --strict")
    assert build["env"]["GUIDE_SITE_URL"] == "${{ steps.pages.outputs.base_url }}/"  # site_url
    assert uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact")
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert jobs["deploy"]["needs"] == "build"
    assert [step["uses"].split("@")[0] for step in jobs["deploy"]["steps"]] == ["actions/deploy-pages"]


def test_the_run_cache_is_kept_keyed_by_what_the_runs_depend_on():
    _, steps = workflow_steps()
    caches = {step["with"]["path"]: step["with"]["key"] for step in steps
              if step.get("uses", "").startswith("actions/cache")}
    assert str(DEFAULT_CACHE_DIR.relative_to(ROOT)) in caches
    key = caches[str(DEFAULT_CACHE_DIR.relative_to(ROOT))]
    # the teaching code, the recording hooks and the run settings in mkdocs.yml
    for depends_on in ["'microgpt/**/*.py'", "'hooks/**/*.py'", "'mkdocs.yml'"]:
        assert depends_on in key


def test_serving_installs_no_test_tools_and_testing_does():
    serve, test = readme_command("serve-command"), readme_command("test-command")
    assert "pip install -q -e . &&" in serve and "[test]" not in serve
    assert serve.endswith("mkdocs serve")
    assert "pip install -q -e '.[test]'" in test and test.endswith("python -m pytest")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    test_tools = {re.split(r"[<>=]", spec)[0] for spec in project["optional-dependencies"]["test"]}
    assert {"pytest", "playwright", "axe-playwright-python", "check-jsonschema"} <= test_tools
    serving = {re.split(r"[<>=]", spec)[0] for spec in project["dependencies"]}
    assert not serving & test_tools
