"""Manager dashboards: standalone Voila behind a workbench login.

``workbench dashboard`` serves the pages in ``notebooks/dashboards/`` that the installed domains
name (``Domain.dashboards``). The server knows who is logged in; a page learns it only through
the parameters the server injects before the kernel starts (:mod:`workbench.dashboards.launch`),
and reads data through :mod:`workbench.dashboards.page`, which filters by the same user again.
"""
