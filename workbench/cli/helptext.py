"""Help text in the words of the command line, not of Python's type system.

Typer labels every parameter with its annotation (``--json <bool>``, ``--node <list[str]>``)
and shows a required argument as ``{name}``. Operators expect the usual conventions instead:
``--gap G``, ``--node NODE``, a bare flag, and ``DATA`` / ``[DATA]`` in the usage line. This
walks the built command tree once and sets those labels; parameters that name their own
metavar keep it.
"""

from __future__ import annotations

from typing import Any

# Typer builds its commands on its own copy of click, so parameters are told apart by their
# click ``param_type_name`` rather than by class.


def conventional_help(command: Any) -> Any:
    for param in command.params:
        _label(param)
    _plain_help_flag(command)
    for sub in getattr(command, "commands", {}).values():
        conventional_help(sub)
    return command


def _plain_help_flag(command: Any) -> None:
    """click makes --help afresh for each context: label it as it is made."""
    make = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option


def _label(param: Any) -> None:
    longs = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    name = (longs[0].lstrip("-") if longs else param.name or "value").upper().replace("-", "_")
    if param.param_type_name == "option":
        if param.is_flag or param.count:
            param.metavar = ""  # a flag takes no value: show none
        elif param.metavar is None:
            param.metavar = name
        return
    if param.param_type_name == "argument":
        label = param.metavar or name
        shown = label if param.required else f"[{label}]"
        if param.nargs != 1:
            shown += "..."
        # per-instance overrides of Typer's display hooks; absent hooks are left alone
        param._usage_display_name = lambda: shown  # type: ignore[attr-defined]
        param.display_type_rich = lambda ctx: None  # type: ignore[attr-defined]
        param.metavar = label
