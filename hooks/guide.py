"""The guide's MkDocs hooks (mkdocs.yml: `hooks: [hooks/guide.py]`).

MkDocs imports this file once per process, so under `mkdocs serve` it would
keep running the code it first saw. Instead, each build starts by dropping
hooks.* and microgpt.* from the module cache and importing them again: an
edit to the hooks or to the teaching code takes effect on the next rebuild,
and all of a build's state lives in one GuideBuild made for that build.
"""

import importlib
import sys

build = None  # the GuideBuild of the build in progress


def fresh(module_name):
    for name in list(sys.modules):
        if name.split(".")[0] in ("hooks", "microgpt"):
            del sys.modules[name]
    return importlib.import_module(module_name)


def on_config(config):
    global build
    build = fresh("hooks.build").GuideBuild(config)
    return config


def on_files(files, config):
    return build.on_files(files)


def on_nav(nav, config, files):
    return build.on_nav(nav)


def on_page_markdown(markdown, page, config, files):
    return build.on_page_markdown(markdown, page)


def on_page_content(html, page, config, files):
    return build.on_page_content(html, page)


def on_post_build(config):
    build.on_post_build()
