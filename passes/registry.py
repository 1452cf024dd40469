"""How an fxn pass is declared, configured from text and found by name.

A pass is a dataclass deriving from :class:`FxnPass`: ``argument`` is its
pipeline name (``fxn-<verb>-<noun>``), the first docstring line its one-line
description, the rest of the docstring its long description, and its fields
are its options (``max_elements: int = 1024`` is ``{max-elements=1024}`` in a
pipeline). ``run_on(op)`` transforms one anchor op in place.
"""

from __future__ import annotations

import dataclasses
import importlib
import shlex
from typing import ClassVar, get_type_hints


class PassOptionError(ValueError):
    """A pass option that does not exist or does not parse."""


@dataclasses.dataclass
class FxnPass:
    """Base class of fxn's Python passes."""

    argument: ClassVar[str] = ""
    #: Counters reported by --mlir-pass-statistics: name -> (value, description).
    statistics: dict = dataclasses.field(default_factory=dict, init=False, repr=False)

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]

    @classmethod
    def options(cls) -> list[dataclasses.Field]:
        return [f for f in dataclasses.fields(cls) if f.init]

    @classmethod
    def from_options(cls, text: str | None) -> "FxnPass":
        """Instantiate from an option string ``key=value key2=value2`` (mlir-opt syntax)."""
        fields = {f.name.replace("_", "-"): f for f in cls.options()}
        hints = get_type_hints(cls)
        values = {}
        for item in shlex.split(text or ""):
            key, sep, raw = item.partition("=")
            if key not in fields:
                known = ", ".join(fields) or "none"
                raise PassOptionError(f"pass '{cls.argument}' has no option '{key}' (options: {known})")
            if not sep:
                raise PassOptionError(f"option '{key}' of pass '{cls.argument}' needs a value: {key}=<value>")
            values[fields[key].name] = _convert(raw, hints[fields[key].name], key, cls.argument)
        return cls(**values)

    def count(self, statistic: str, description: str, amount: int = 1) -> None:
        value, _ = self.statistics.get(statistic, (0, description))
        self.statistics[statistic] = (value + amount, description)

    def run_on(self, op) -> None:
        """Transform ``op`` (the pass's anchor op) in place; raise PassFailure to fail."""
        raise NotImplementedError


@dataclasses.dataclass
class FxnPipeline(FxnPass):
    """A named pipeline: where a pipeline names it, its :meth:`elements` (with its options applied) run instead."""

    def elements(self) -> str:
        """The pipeline elements it stands for, comma-separated, as ``fxn-opt`` takes them."""
        raise NotImplementedError

    def run_on(self, op) -> None:
        raise NotImplementedError(f"'{self.argument}' is a pipeline: the pipeline builder expands it")


class PassFailure(Exception):
    """A pass could not complete; reported as an error at ``location`` (an ir.Location)."""

    def __init__(self, message: str, location=None):
        super().__init__(message)
        self.location = location


def _convert(raw: str, hint, key: str, pass_name: str):
    try:
        if hint is bool:
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1")
        return hint(raw)
    except ValueError:
        kind = getattr(hint, "__name__", str(hint))
        raise PassOptionError(f"option '{key}' of pass '{pass_name}' expects {kind}; got '{raw}'") from None


def load_pass(path: str) -> type[FxnPass]:
    """Import ``"module:Class"`` on demand."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
