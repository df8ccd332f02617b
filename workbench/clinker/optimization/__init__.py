"""The planning MILP: model data, model families, solver adapters, warm start and progress."""
