"""Time from a dashboard request to the first KPI on screen, cold and warm, and what it is made of.

Run: ``.venv/bin/python benchmarks/bench_dashboard.py`` (needs Debian's chromium). It builds
the demo store, starts `workbench dashboard` on loopback and drives headless Chromium:

- cold: the first page load after the server starts (first kernel, cold imports);
- warm: further loads of the same page (each still starts its own kernel: Voila gives every
  page view a kernel, and preheating cannot be combined with the per-user launch hook);

then measures the parts on their own: a bare kernel start, the page's imports in a fresh
interpreter, and the overview's store queries. Results go to stdout as JSON.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.dashboard_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    build_demo,
    start_dashboard,
)

WARM_LOADS = 5


def load_seconds(page, url: str) -> tuple[float, float]:
    """(request to first KPI tile visible, request to every cell run and Voila's scripts
    done: its progress notice removed)."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".wb-tile", timeout=120_000)
    first = time.perf_counter() - started
    page.wait_for_selector("#loading", state="detached", timeout=120_000)
    return first, time.perf_counter() - started


def browser_timings(base: str, user: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/")
        page.fill("#username", user)
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_selector("#pages")
        url = f"{base}/voila/render/overview.ipynb"
        cold, cold_all = load_seconds(page, url)
        warm = [load_seconds(page, url) for _ in range(WARM_LOADS)]
        browser.close()
    return {"cold_s": round(cold, 2), "warm_median_s": round(statistics.median(
                w[0] for w in warm), 2),
            "warm_max_s": round(max(w[0] for w in warm), 2),
            "cold_whole_page_s": round(cold_all, 2),
            "warm_whole_page_median_s": round(statistics.median(w[1] for w in warm), 2)}


def kernel_start_seconds() -> float:
    from jupyter_client.manager import start_new_kernel

    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="workbench")
    elapsed = time.perf_counter() - started
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    return elapsed


def page_import_seconds(skip_iri_check: bool = False) -> float:
    """The overview's imports in a fresh interpreter, Altair included; with or without
    the page's skipping of jsonschema's IRI checker (what ``open_page`` does)."""
    skip = ("from workbench.dashboards.page import _skip_iri_format_check; "
            "_skip_iri_format_check(); ") if skip_iri_check else ""
    code = ("import time; t = time.perf_counter(); import ipywidgets, IPython.display; "
            f"import workbench.clinker.dashboard, workbench.dashboards.page; {skip}"
            "import altair; print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return float(done.stdout.strip())


def overview_query_seconds(store_url: str, user: str) -> float:
    from workbench.clinker import dashboard as clinker
    from workbench.dashboards.page import open_page

    page = open_page(user, "Planning overview", store_url)
    started = time.perf_counter()
    clinker.overview(page)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store_url = build_demo(folder)
        results: dict[str, object] = {}
        for user in ("manager", "planner"):
            # a new server per user, so each "cold" figure is a real first load
            server = start_dashboard(folder, store_url)
            dashboard = next(server)
            try:
                results[user] = browser_timings(dashboard.url, user)
            finally:
                server.close()
        results["kernel_start_s"] = round(statistics.median(
            kernel_start_seconds() for _ in range(3)), 2)
        results["page_imports_s"] = round(statistics.median(
            page_import_seconds(skip_iri_check=True) for _ in range(3)), 2)
        results["page_imports_with_iri_checker_s"] = round(statistics.median(
            page_import_seconds() for _ in range(3)), 2)
        results["overview_queries_s"] = {u: round(overview_query_seconds(store_url, u), 3)
                                         for u in ("manager", "planner")}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
