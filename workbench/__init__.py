"""Plant operations workbench."""
