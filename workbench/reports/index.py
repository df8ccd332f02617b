"""reports/index.html: every report on disk, newest first, with its date, parameters and
status. Built from each run's report.json, so it lists exactly what is in the folder."""

from __future__ import annotations

import html
import json
from pathlib import Path

RECORD = "report.json"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: .35rem .8rem; border-bottom: 1px solid #ddd; }}
.failed {{ color: #b00020; }} .succeeded {{ color: #1b5e20; }}
</style></head><body>
<h1>Reports</h1>
<table><thead><tr><th>date (UTC)</th><th>notebook</th><th>parameters</th><th>status</th>
<th>report</th></tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""


def records(root: Path) -> list[dict]:
    found = []
    for path in root.glob(f"*/*/{RECORD}"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue  # a run still being written, or a stray file: not a report yet
        record["folder"] = path.parent.relative_to(root).as_posix()
        found.append(record)
    return sorted(found, key=lambda r: r.get("started_at", ""), reverse=True)


def write_index(root: Path) -> Path:
    rows = []
    for r in records(root):
        params = ", ".join(f"{k}={v}" for k, v in r.get("parameters", {}).items()) or "-"
        link = f'<a href="{html.escape(r["folder"])}/{html.escape(r["html"])}">open</a>' \
            if r.get("html") else html.escape(r.get("error", "")[:120])
        rows.append(f'<tr><td>{html.escape(r.get("started_at", "")[:19])}</td>'
                    f'<td>{html.escape(r.get("notebook", ""))}</td>'
                    f"<td>{html.escape(params)}</td>"
                    f'<td class="{html.escape(r.get("status", ""))}">'
                    f'{html.escape(r.get("status", ""))}</td><td>{link}</td></tr>')
    path = root / "index.html"
    path.write_text(_PAGE.format(rows="\n".join(rows)), encoding="utf-8")
    return path
