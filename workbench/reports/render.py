"""Executed notebook -> one self-contained HTML page: no code, no prompts, nothing fetched.

nbconvert's lab template inlines its CSS but loads require.js, MathJax and a mermaid module
from CDNs; every script that names an outside address is dropped (report outputs need none:
charts are static SVG) and the page is checked for any remaining outside reference.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from workbench.reports.meta import MIME

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.I | re.S)
_OUTSIDE = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.I)
_EXTERNAL_LINK = re.compile(r"<link[^>]*\shref=[\"']https?://[^>]*>", re.I)
_MATHJAX_CONFIG = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                             re.S)
EXTERNAL_REFERENCE = re.compile(r"(?:src|href)\s*=\s*[\"']\s*(?:https?:)?//|url\(\s*[\"']?"
                                r"(?:https?:)?//|@import\s+[\"']?(?:https?:)?//"
                                r"|\bfrom\s+[\"'](?:https?:)?//|import\(\s*[\"'](?:https?:)?//",
                                re.I)


class ExternalReference(Exception):
    """The rendered page would fetch something from outside; refuse rather than ship it."""


def external_references(html: str) -> list[str]:
    """Anything a browser would fetch from elsewhere: src/href/url()/@import, module imports,
    and any address inside a script."""
    found = [m.group(0) for m in EXTERNAL_REFERENCE.finditer(html)]
    found += [m.group(0) for script in _SCRIPT.findall(html) for m in _OUTSIDE.finditer(script)]
    return found


def _drop_outside_scripts(html: str) -> str:
    return _SCRIPT.sub(lambda m: "" if _OUTSIDE.search(m.group(0)) else m.group(0), html)


def to_html(notebook: Path, html: Path, title: str) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    book = nbformat.read(notebook, as_version=4)
    for cell in book.cells:  # the runner's metadata is not for readers
        cell["outputs"] = [o for o in cell.get("outputs", [])
                           if MIME not in o.get("data", {})]
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # "alt text missing" on SVG charts
    body, _ = exporter.from_notebook_node(book, resources={"metadata": {"name": title}})
    body = _EXTERNAL_LINK.sub("", _drop_outside_scripts(_MATHJAX_CONFIG.sub("", body)))
    outside = external_references(body)
    if outside:
        raise ExternalReference(f"the report would load {outside[0]!r} from outside")
    html.write_text(body, encoding="utf-8")
    return html
