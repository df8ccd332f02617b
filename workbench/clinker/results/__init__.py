"""What a solve produces: the typed plan, its KPIs and the diagnostics run on it."""
