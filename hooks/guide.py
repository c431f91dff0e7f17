"""The guide's MkDocs hooks (mkdocs.yml: `hooks: [hooks/guide.py]`).

MkDocs imports this file once per process, so under `mkdocs serve` it would
keep running the code it first saw. Instead, each build starts by dropping
hooks.* and microgpt.* from the module cache and importing them again, from
this project (whatever else is installed): an edit to the hooks or to the
teaching code takes effect on the next rebuild, and a build's state lives in
one GuideBuild made for that build.

What must outlive a build lives here, in SESSION: the command (build or
serve), the trainer whose workers keep training across rebuilds, the server
to rebuild when a run lands, and the memo of probes.
"""

import atexit
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = {"command": "build", "trainer": None, "server": None, "memo": {}}
build = None  # the GuideBuild of the build in progress


def fresh(module_name):
    """Import hooks.* / microgpt.* anew from this project's own folder."""
    if sys.path[:1] != [str(ROOT)]:
        sys.path.insert(0, str(ROOT))
    for name in list(sys.modules):
        if name.split(".")[0] in ("hooks", "microgpt"):
            del sys.modules[name]
    module = importlib.import_module(module_name)
    for name in ("hooks", "microgpt"):
        where = Path(sys.modules[name].__file__).resolve()
        if ROOT not in where.parents:
            raise ImportError(f"{name} was imported from {where}, not from this project ({ROOT})")
    return module


def stop_training():
    if SESSION["trainer"] is not None:
        SESSION["trainer"].stop_all()


atexit.register(stop_training)


def on_startup(command, dirty):
    SESSION["command"] = command


def on_config(config):
    global build
    build = fresh("hooks.build").GuideBuild(config, SESSION)
    return config


def on_files(files, config):
    return build.on_files(files)


def on_nav(nav, config, files):
    return build.on_nav(nav)


def on_page_markdown(markdown, page, config, files):
    return build.on_page_markdown(markdown, page)


def on_page_content(html, page, config, files):
    return build.on_page_content(html, page)


def on_post_page(output, page, config):
    return build.on_post_page(output, page)


def on_post_build(config):
    build.on_post_build()


def on_serve(server, config, builder):
    SESSION["server"] = server
    build.watch_runs(server)
    return server


def on_shutdown():
    stop_training()
