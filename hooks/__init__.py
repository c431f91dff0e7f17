"""The guide's build: MkDocs hooks that run microgpt and put its results on the pages.

hooks/guide.py is the entry MkDocs loads (mkdocs.yml: `hooks:`). Everything
else is plain Python that knows MkDocs only where it must:

- runs.py       the run cache: a run of a step, keyed by code, data and settings
- pagedata.py   every name a page can use: values, tables and players
- directives.py finding `{{ name key=value }}` in Markdown and expanding it
- structure.py  step numbers, breadcrumbs, the "So far" box
- mathml.py     LaTeX to MathML at build time
- build.py      one build: ties the above to MkDocs' events

`python -m hooks names` lists the names; see README.md, "Writing pages".
"""
