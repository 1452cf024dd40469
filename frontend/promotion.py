"""Type promotion of mixed operands, as ``torch.result_type`` computes it.

fxn ops take operands of one element type; the frontend picks that type here
and makes it explicit with ``fxn.cast``. The rule is PyTorch's, which agrees
with NumPy's NEP 50 on what matters most: a Python scalar is *weak* and adopts
the tensor's type when the category allows (``f32 tensor * 2.0`` stays f32,
``i32 tensor + 1`` stays i32, ``i32 tensor * 2.5`` becomes the default float
f32). Operands are ranked tensors first, then 0-d tensors, then Python
scalars: a lower rank of operand only decides the type if it is of a higher
category (bool < integer < float). NumPy code captured through TorchDynamo
arrives with NumPy's own promotions already explicit in the graph.
"""

from __future__ import annotations

import contextlib
import contextvars

from fxn.dialects import TensorType
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES

from .errors import Unsupported

#: The default float type (``torch.get_default_dtype()``, and fxn's ``float``).
DEFAULT_FLOAT = "f32"
_default_float = contextvars.ContextVar("default_float", default=DEFAULT_FLOAT)
#: The type of a Python int operand standing alone (torch's wrapped numbers).
DEFAULT_INT = "i64"

_BITS = {"i1": 1, "i8": 8, "ui8": 8, "i32": 32, "i64": 64, "f16": 16, "f32": 32, "f64": 64}


def default_float() -> str:
    """The float type integers promote to and Python floats take: f32, or f64 in NumPy code."""
    return _default_float.get()


@contextlib.contextmanager
def using_default_float(dtype: str):
    """Within the block, :func:`default_float` is ``dtype`` (NumPy's float64 while importing NumPy code)."""
    token = _default_float.set(dtype)
    try:
        yield
    finally:
        _default_float.reset(token)


def category(dtype: str) -> int:
    """0 for bool, 1 for integers, 2 for floats."""
    return 2 if dtype in FLOAT_DTYPES else 1 if dtype in INT_DTYPES else 0


def promote_types(a: str | None, b: str | None) -> str | None:
    """``torch.promote_types`` on fxn element types (None stands for no operand)."""
    if a is None or b is None or a == b:
        return b if a is None else a
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    if {a, b} == {"i8", "ui8"}:
        raise Unsupported("PyTorch promotes uint8 with int8 to int16, which fxn does not have; cast one operand first")
    return a if _BITS[a] >= _BITS[b] else b


def _combine(higher: str | None, lower: str | None) -> str | None:
    """A lower-priority group's type wins only if its category is higher (c10's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or category(higher) >= category(lower):
        return higher
    return promote_types(higher, lower)


def scalar_dtype(value) -> str:
    """The type a Python scalar has on its own: bool i1, int i64, float :func:`default_float`."""
    if isinstance(value, bool):
        return "i1"
    if isinstance(value, int):
        return DEFAULT_INT
    if isinstance(value, float):
        return default_float()
    raise TypeError(f"not a Python scalar: {value!r}")


def result_type(*operands: TensorType | bool | int | float) -> str:
    """The element type ``torch.result_type`` gives for tensors (their types) and Python scalars."""
    groups: dict[str, str | None] = {"ranked": None, "zero_dim": None, "scalar": None}
    for operand in operands:
        if isinstance(operand, TensorType):
            group, dtype = ("ranked" if operand.rank else "zero_dim"), operand.dtype
        else:
            group, dtype = "scalar", scalar_dtype(operand)
        groups[group] = promote_types(groups[group], dtype)
    result = _combine(groups["ranked"], _combine(groups["zero_dim"], groups["scalar"]))
    if result is None:
        raise TypeError("result_type needs at least one operand")
    return result


def float_result_type(*operands: TensorType | bool | int | float) -> str:
    """As :func:`result_type`, then integers and bool become the default float (``torch.exp``, ``/``)."""
    dtype = result_type(*operands)
    return dtype if dtype in FLOAT_DTYPES else default_float()
