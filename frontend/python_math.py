"""Python's ``math`` module on values known only at run time, while a function is traced.

``math.sqrt(x)`` of a run-time scalar (a 0-d tensor while tracing) would
make torch turn it into a Python float, which it cannot. While fxn traces,
:func:`tensor_aware_math` puts in the ``math`` module functions that compute
on tensors with torch (and on arrays of NumPy code with NumPy) and on Python
numbers with the original function, so the traced code holds fxn ops.
Python numbers give exactly what ``math`` gives, so other threads calling
``math`` meanwhile see no difference.

Semantics on tensors, where they differ from ``math``'s: a domain error
(``math.sqrt(-1.0)``, ``math.log(0.0)``) is NaN or -inf instead of a
``ValueError``; ``floor``, ``ceil`` and ``trunc`` return an int as ``math``
does, as an i32 (fxn's ``int``; values beyond its range wrap);
``isnan``/``isinf``/``isfinite`` return a bool. Only ``math.<name>(...)``
calls go through it: a function imported by ``from math import sqrt``
before tracing is the original. The builtin ``round`` likewise, as
:func:`.python_builtins.python_round` (also in helper functions the AST
path does not rewrite): half to even, an int (i32) without ``ndigits``.
"""

from __future__ import annotations

import builtins
import contextlib
import math
import threading

import numpy as np
import torch

from .python_builtins import python_round

#: math function -> its torch counterpart (a function of tensors).
_TORCH = {
    "sqrt": torch.sqrt, "exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "expm1": torch.expm1,
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "asin": torch.asin, "acos": torch.acos,
    "atan": torch.atan, "sinh": torch.sinh, "cosh": torch.cosh, "tanh": torch.tanh, "fabs": torch.abs,
    "erf": torch.erf,
    "atan2": torch.atan2, "copysign": torch.copysign, "fmod": torch.fmod, "hypot": torch.hypot, "pow": torch.pow,
    # As comparisons, which fxn has (x != x only for NaN; x - x is 0 only for finite x).
    "isnan": lambda x: x != x, "isinf": lambda x: torch.abs(x) == math.inf, "isfinite": lambda x: x - x == 0,
    "floor": lambda x: torch.floor(x).to(torch.int32), "ceil": lambda x: torch.ceil(x).to(torch.int32),
    "trunc": lambda x: torch.trunc(x).to(torch.int32),
}
#: The same for NumPy code (Dynamo traces NumPy calls on its arrays).
_NUMPY = {
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "fabs": np.abs, "atan2": np.arctan2, "copysign": np.copysign,
    "fmod": np.fmod, "hypot": np.hypot, "pow": np.power, "isnan": lambda x: x != x,
    "isinf": lambda x: np.abs(x) == math.inf, "isfinite": lambda x: x - x == 0,
    "floor": lambda x: np.floor(x).astype(np.int32),
    "ceil": lambda x: np.ceil(x).astype(np.int32), "trunc": lambda x: np.trunc(x).astype(np.int32),
}
_ORIGINAL = {name: getattr(math, name) for name in _TORCH}
_ROUND = builtins.round
_lock = threading.Lock()
_depth = 0


def _tensor_aware(name: str):
    original, on_tensors, on_arrays = _ORIGINAL[name], _TORCH[name], _NUMPY.get(name)

    def function(*args):
        if any(isinstance(a, torch.Tensor) for a in args):
            return on_tensors(*(a if isinstance(a, torch.Tensor) else torch.tensor(a) for a in args))
        if on_arrays is not None and any(isinstance(a, np.ndarray) or type(a).__module__.startswith("torch._numpy")
                                         for a in args):
            return on_arrays(*args)
        return original(*args)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = original.__doc__
    return function


_SHIMS = {name: _tensor_aware(name) for name in _TORCH}


@contextlib.contextmanager
def tensor_aware_math():
    """While it is open (nested openings allowed), ``math.<name>`` computes on tensors too."""
    global _depth
    with _lock:
        if _depth == 0:
            for name, shim in _SHIMS.items():
                setattr(math, name, shim)
            builtins.round = python_round
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for name, original in _ORIGINAL.items():
                    setattr(math, name, original)
                builtins.round = _ROUND
