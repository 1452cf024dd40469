"""Conformance cases of ``fxn.call_indirect``: calls of native callbacks of this process.

Each case passes the address of a ctypes callback as the callee, so its
code can only run in the process that made the callback: the cases are
:attr:`~fxn.testing.case.Case.in_process` (a target run through a runner
in another process skips them). The reference kernel calls the same
address, so the case checks the call itself: the arguments reach the
callee, and its result comes back, exactly, for every element type.
"""

from __future__ import annotations

import ctypes

import numpy as np

from fxn.dialects.function import SIGNATURE_DTYPES, CallIndirectOp

from .case import EXACT, Case, among, special_array

#: C types of the callbacks' parameters and results (an i1 result as a byte, as a value entry returns it).
_CTYPES = {"f32": ctypes.c_float, "f64": ctypes.c_double, "i8": ctypes.c_int8, "ui8": ctypes.c_uint8,
           "i32": ctypes.c_int32, "i64": ctypes.c_int64, "i1": ctypes.c_bool}
#: The callbacks made so far, kept alive (their addresses are in the cases).
_CALLBACKS: dict = {}


def builders() -> dict:
    return {CallIndirectOp.OPERATION_NAME: call_indirect_cases}


def _address(name: str, result: str, params: tuple, function) -> np.ndarray:
    """The address of a callback ``function`` of C type ``result(params)``, as a 0-d i64."""
    key = (name, result, params)
    if key not in _CALLBACKS:
        returned = ctypes.c_uint8 if result == "i1" else _CTYPES[result]
        _CALLBACKS[key] = ctypes.CFUNCTYPE(returned, *(_CTYPES[p] for p in params))(function)
    return np.asarray(ctypes.cast(_CALLBACKS[key], ctypes.c_void_p).value, np.int64)


def _returned(value):
    """A callback's result: a bool as the byte 0 or 1 (an i1 result's C type here)."""
    return int(value) if isinstance(value, bool) else value


def call_indirect_cases(rng: np.random.Generator, supported) -> dict[str, Case]:
    """Per element type: a function of two arguments returning its second (each argument reaches its place, the
    value comes back unchanged), a predicate of one (``x != 0``, an ``i1`` result), and a function of one argument
    of every element type returning the one of this type (mixed C types, integer and float registers, reach their
    places)."""
    dtypes = among(SIGNATURE_DTYPES, supported)
    mixed = [special_array(rng, dtype, ()) for dtype in dtypes]
    cases = {}
    for position, dtype in enumerate(dtypes):
        pick = _address(f"pick{position}", dtype, tuple(dtypes), lambda *a, p=position: _returned(a[p]))
        cases[f"call_indirect_pick_{dtype}"] = Case(
            CallIndirectOp, [pick, *mixed], {"signature": (dtype, tuple(dtypes))}, compare=EXACT,
            variant=("pick",), in_process=True)
    for dtype in dtypes:
        x, y = special_array(rng, dtype, ()), special_array(rng, dtype, ())
        second = _address("second", dtype, (dtype, dtype), lambda a, b: b)
        cases[f"call_indirect_second_{dtype}"] = Case(
            CallIndirectOp, [second, x, y], {"signature": (dtype, (dtype, dtype))}, compare=EXACT,
            variant=("second",), in_process=True)
        nonzero = _address("nonzero", "i1", (dtype,), lambda a: int(a != 0))
        cases[f"call_indirect_nonzero_{dtype}"] = Case(
            CallIndirectOp, [nonzero, x], {"signature": ("i1", (dtype,))}, compare=EXACT,
            variant=("nonzero",), in_process=True)
    return cases
