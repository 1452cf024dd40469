"""Function types: ``fxn.FunctionType(fxn.f32(fxn.f32))``, and how one function type converts to another.

An element type called with element types is a :class:`Signature`
(``fxn.i1(fxn.f32, fxn.f32)``: a function of two f32 returning a bool;
``fxn.f64(fxn.f64, fxn.i32)``: parameters of different element types, at
most :data:`MAX_PARAMETERS` of them); :class:`FunctionType` of a signature is an annotation (also inside
``tuple[...]``, named tuples, dataclasses and ``input_signature``) of a
parameter taking a function of that signature. Compiled code receives
such an argument as a native function address (a 0-d ``i64``:
:class:`FunctionPointerType`) and calls it with ``fxn.call_indirect``.

Subtyping follows Numba's rule for first-class functions: a function of
signature ``R(A1, ..., An)`` may be passed where ``R'(A1', ..., An')`` is
expected when each expected argument type converts safely to the
function's own (``Ai' <: Ai``: arguments are contravariant) and the
function's result converts safely to the expected one (``R <: R'``:
results are covariant). ``a <: b`` is numpy's ``can_cast(a, b, "safe")``
(``f32 <: f64``, ``i32 <: i64``, ``i32 <: f64``, ``i1 <:`` every type).
"""

from __future__ import annotations

from fxn.values import FrozenValue

from fxn.dialects.types import TensorType

#: Element types a function type takes and returns (those of C scalars; see fxn.dialects.function).
SIGNATURE_DTYPES = ("f32", "f64", "i8", "ui8", "i32", "i64", "i1")
#: The most parameters a function type has (fxn.call_indirect's arguments; fxn.dialects.function's MAX_PARAMETERS).
MAX_PARAMETERS = 8


class Signature(FrozenValue):
    """A function's type: its result's and its parameters' element types (``fxn.f32(fxn.f32)``). (This
    module's values are immutable values compared by their fields, not dataclasses: see :mod:`fxn.values`.)"""

    _fields = ("result", "params")

    def __init__(self, result: str, params: tuple[str, ...]):
        for dtype in (result, *params):
            if dtype not in SIGNATURE_DTYPES:
                raise TypeError(f"a function type takes and returns scalars of {', '.join(SIGNATURE_DTYPES)}; "
                                f"got {dtype}")
        self._freeze(result=result, params=tuple(params))
        if len(self.params) > MAX_PARAMETERS:
            raise TypeError(f"a function type takes at most {MAX_PARAMETERS} parameters; got {self}")

    def __str__(self) -> str:
        return f"{self.result}({', '.join(self.params)})"

    def __repr__(self) -> str:
        from .types import DType

        return f"{DType(self.result)!r}({', '.join(repr(DType(p)) for p in self.params)})"


class FunctionType(FrozenValue):
    """Annotation of a parameter taking a function of ``signature``: ``fxn.FunctionType(fxn.f32(fxn.f32))``."""

    _fields = ("signature",)

    def __init__(self, signature: Signature):
        if not isinstance(signature, Signature):
            raise TypeError("fxn.FunctionType takes a signature: an element type called with the parameters' "
                            f"element types, as fxn.f32(fxn.f32); got {signature!r}")
        self._freeze(signature=signature)

    @property
    def tensor_type(self) -> "FunctionPointerType":
        return FunctionPointerType.of(self.signature)

    def __repr__(self) -> str:
        return f"fxn.FunctionType({self.signature!r})"


class FunctionPointerType(TensorType):
    """The type of a function argument: a native address (a 0-d ``i64`` in the IR) of a function of
    ``signature``; None where the function's first call in the traced code decides it."""

    _fields = ("dtype", "shape", "signature")

    def __init__(self, dtype: str, shape: tuple, signature: Signature | None = None):
        super().__init__(dtype, shape)
        self._freeze(signature=signature)

    @staticmethod
    def of(signature: Signature | None) -> "FunctionPointerType":
        return FunctionPointerType("i64", (), signature)

    def __str__(self) -> str:
        return f"function<{self.signature or '?'}>"


def is_subtype(given: str, expected: str) -> bool:
    """Whether element type ``given`` converts safely to ``expected`` (numpy's "safe" casting)."""
    import numpy as np

    from fxn.dialects.types import numpy_dtypes

    return bool(np.can_cast(numpy_dtypes()[given], numpy_dtypes()[expected], "safe"))


def why_not_convertible(given: Signature, expected: Signature) -> str | None:
    """Why a function of ``given`` cannot be passed as one of ``expected``; None if it can (see the module
    docstring)."""
    if len(given.params) != len(expected.params):
        return f"it takes {len(given.params)} argument(s), not {len(expected.params)}"
    for index, (mine, wanted) in enumerate(zip(given.params, expected.params)):
        if not is_subtype(wanted, mine):
            return f"its argument #{index} is {mine}, to which {wanted} does not convert safely"
    if not is_subtype(given.result, expected.result):
        return f"it returns {given.result}, which does not convert safely to {expected.result}"
    return None
