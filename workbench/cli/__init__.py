"""The ``workbench`` command line: the root app (``app``), output and session helpers shared by
every domain's commands, and the store's own commands. ``main`` mounts the domains."""
