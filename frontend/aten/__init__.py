"""The one table from ATen ops to fxn ops, shared by every capture path.

Each capture (``make_fx`` for torch code, TorchDynamo + AOTAutograd for
NumPy code, the loop bodies of the AST path) normalizes the user's function
to ATen core ops with :data:`DECOMPOSITIONS`; :mod:`..graph_import` then
calls one converter per graph node, found here by the op's name
(``"aten.add.Tensor"``).

A converter takes the node's ATen arguments, fxn values (``ir.Value``) for
tensors and Python values for everything else, as positional and keyword
arguments named as in the ATen schema. It builds fxn ops at the current
insertion point and location and returns the result. A converter of an op
with several results (``aten.max.dim``) is registered with ``outputs=True``
and takes the index of the result wanted first; only results the graph uses
are built. Converters raise :class:`~fxn.frontend.errors.Unsupported` for
arguments fxn cannot express; the importer adds the user's source line.
The modules mirror the dialect's: elementwise, reduction, nn, image, tensor.
"""

from __future__ import annotations

from fxn.values import FrozenValue
from typing import Callable


class Converter(FrozenValue):
    """How one ATen op becomes fxn ops: ``convert``; ``outputs`` if the op has several results and ``convert``
    takes the wanted index first. (Not a dataclass: every compile imports this module, and making a dataclass
    costs ~0.7 ms; see :mod:`fxn.values`.)"""

    _fields = ("convert", "outputs")

    def __init__(self, convert: Callable, outputs: bool = False):
        self._freeze(convert=convert, outputs=outputs)


#: Op namespaces other than ``aten`` that converters name in full (``"prims.convert_element_type.default"``).
OTHER_NAMESPACES = ("prims.", "fxn.", "mkldnn.")

#: ATen op name (``str(OpOverload)``, e.g. ``"aten.add.Tensor"``) -> converter.
ATEN_OPS: dict[str, Converter] = {}


def aten(*names: str, outputs: bool = False):
    """Register the decorated function as the converter of ``aten.<name>`` for each name."""

    def register(fn):
        for name in names:
            key = name if name.startswith(OTHER_NAMESPACES) else f"aten.{name}"
            if key in ATEN_OPS:
                raise ValueError(f"duplicate converter for {key}")
            ATEN_OPS[key] = Converter(fn, outputs)
        return fn

    return register


def load_table() -> dict[str, Converter]:
    """Import every converter module and return the table."""
    from . import elementwise, image, nn, reduction, tensor  # noqa: F401

    return ATEN_OPS


#: Core decompositions fxn does NOT apply: these ops have an fxn op of their
#: own, which keeps their meaning (and the fast kernel) instead of index math.
KEPT_OPS = (
    "upsample_nearest2d.default",
    "upsample_nearest2d.vec",
    "reflection_pad1d.default",
    "reflection_pad2d.default",
    "replication_pad1d.default",
    "replication_pad2d.default",
)


#: Core ATen ops that PyTorch keeps whole but fxn takes decomposed (into ops the table converts).
DECOMPOSED_OPS = ("native_group_norm", "linalg_vector_norm")


def decompositions() -> dict:
    """The decomposition table every capture uses: PyTorch's core ATen set minus :data:`KEPT_OPS`, plus :data:`DECOMPOSED_OPS`."""
    import torch
    from torch._decomp import core_aten_decompositions, get_decompositions

    table = dict(core_aten_decompositions())
    table.update(get_decompositions([getattr(torch.ops.aten, name) for name in DECOMPOSED_OPS]))
    return {op: fn for op, fn in table.items() if str(op).removeprefix("aten.") not in KEPT_OPS}


class DynamicSize:
    """A size known only at run time (a ``SymInt`` of the graph), passed where ATen takes an int.

    Converters that need the number raise :class:`~fxn.frontend.errors.Unsupported`;
    shape lists may hold one, which becomes ``-1``. Where the graph says
    which dim it is, ``value`` (an fxn value) and ``axis`` name it.
    """

    def __init__(self, value=None, axis: int | None = None):
        self.value = value
        self.axis = axis

    def is_dim(self, value, axis: int) -> bool:
        """Whether this is known to be the size of ``value``'s dim ``axis`` (also through ops whose result has
        their input's dims: a store ``fxn.dynamic_update_slice``)."""
        if self.value is None or self.axis != axis:
            return False
        while value is not None:
            if self.value == value:
                return True
            value = _input_of_same_dims(value)
        return False

    def __repr__(self) -> str:
        return "<dynamic size>"


#: fxn ops whose result has the dims of their first operand, whatever they are.
SAME_DIMS_OPS = ("fxn.dynamic_update_slice",)


def _input_of_same_dims(value):
    """The first operand of the op computing ``value`` if that op keeps its dims, else None."""
    from fxn.mlir import ir

    if not isinstance(value, ir.OpResult):
        return None
    owner = value.owner
    return owner.operands[0] if owner.name in SAME_DIMS_OPS else None
