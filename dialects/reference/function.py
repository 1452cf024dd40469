"""Reference kernel of ``fxn.call_indirect`` (see ``fxn.dialects.function``): the call, through ctypes."""

import ctypes

import numpy as np

from fxn.dialects.types import numpy_dtypes

from . import kernel

#: The C type of each element type a function value passes (an i1 result comes back as a byte).
_CTYPES = {"f32": ctypes.c_float, "f64": ctypes.c_double, "i8": ctypes.c_int8, "ui8": ctypes.c_uint8,
           "i32": ctypes.c_int32, "i64": ctypes.c_int64, "i1": ctypes.c_bool}


@kernel("fxn.call_indirect")
def call_indirect(callee, args, *, result_type, signature):
    result, params = signature
    returned = ctypes.c_uint8 if result == "i1" else _CTYPES[result]
    function = ctypes.CFUNCTYPE(returned, *(_CTYPES[p] for p in params))(int(callee))
    value = function(*(a.item() for a in args))
    return np.asarray(bool(value) if result == "i1" else value, numpy_dtypes()[result])
