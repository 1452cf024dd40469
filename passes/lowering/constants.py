"""The compile-time contents of the constants a lowering reads.

A lowering that rearranges an operand (a convolution's weights split into
phases) does it with numpy at compile time when the operand is a constant,
a model's parameters, instead of emitting a ``linalg.generic`` that would
rearrange it again on every call. :class:`~passes.lowering.convert.FxnLowerToLinalg`
runs the lowerings inside :func:`module_constants`, which reads the
module's resource blobs at most once for the whole run.
"""

from __future__ import annotations

import contextlib
import contextvars

from fxn.lazy import numpy as np

from fxn.dialects.elements import ModuleElements
from fxn.mlir import ir

_ELEMENTS: contextvars.ContextVar[ModuleElements | None] = contextvars.ContextVar("fxn_module_elements",
                                                                                  default=None)


@contextlib.contextmanager
def module_constants(module):
    """Within the block, :func:`constant_elements` reads the constants of ``module``."""
    token = _ELEMENTS.set(ModuleElements(module))
    try:
        yield
    finally:
        _ELEMENTS.reset(token)


def constant_elements(value: ir.Value) -> np.ndarray | None:
    """The elements of ``value`` if an ``arith.constant`` of a tensor defines it, else None (also outside
    :func:`module_constants`)."""
    elements = _ELEMENTS.get()
    owner = value.owner
    if elements is None or not isinstance(owner, ir.OpView) or owner.name != "arith.constant":
        return None
    attr = owner.attributes["value"]
    if not isinstance(attr.type, ir.RankedTensorType):
        return None
    return elements(attr)
