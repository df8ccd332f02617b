"""The time model: interval arithmetic, windows and per machine-window elements."""
