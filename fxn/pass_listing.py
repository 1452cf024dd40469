"""The text of ``fxn-opt --list-passes``: fxn passes with their options, then upstream passes."""

from __future__ import annotations

import re

from fxn.mlir import PassManager, ir
from fxn.native_stderr import capture_native_stderr
from fxn.passes import all_passes
from fxn.upstream_passes import UPSTREAM_PASSES


def _upstream_options(name: str) -> str | None:
    """The pass's options with defaults as MLIR prints them, or None if the pass is not registered."""
    with ir.Context():
        try:
            pm = PassManager.parse(f"builtin.module({name})")
        except ValueError:
            return None
    match = re.search(re.escape(name) + r"\{(.*)\}", str(pm))
    return " ".join(match[1].split()) if match else ""


def _fxn_section() -> list[str]:
    lines = ["fxn passes:"]
    for pass_class in all_passes():
        lines.append(f"  --{pass_class.argument:<36} -   {pass_class.summary()}")
        for option in pass_class.options():
            flag = option.name.replace("_", "-")
            kind = getattr(option.type, "__name__", str(option.type))
            help_text = option.metadata.get("help", "")
            default = str(option.default).lower() if isinstance(option.default, bool) else option.default
            lines.append(f"    --{flag}=<{kind}>{'':<4} - {help_text} (default: {default})")
    return lines


def _upstream_section() -> list[str]:
    lines = ["Upstream MLIR passes (registered in the installed bindings):"]
    with capture_native_stderr():
        registered = {name: _upstream_options(name) for name in sorted(UPSTREAM_PASSES)}
    for name, options in registered.items():
        if options is None:
            continue
        lines.append(f"  --{name:<36} -   {UPSTREAM_PASSES[name]}")
        if options:
            lines.append(f"    options: {options}")
    return lines


def list_passes() -> str:
    return "\n".join(_fxn_section() + [""] + _upstream_section()) + "\n"
