"""Charts that render with no network: Altair specs drawn to static SVG by vl-convert.

Altair's default HTML output loads vega from a CDN, which fails on a plant's closed network,
in an HTML export and in JupyterLab alike. Every notebook, report and dashboard calls
:func:`offline` first.
"""

from __future__ import annotations


def offline() -> None:
    import altair as alt

    alt.renderers.enable("svg")
    alt.data_transformers.disable_max_rows()  # national networks exceed 5,000 rows; fine as SVG
