"""A compiled CPython entry bound to this process: the runtime table its code reads, and the builtin function.

The code of a CPython entry (:mod:`fxn.python_entry`) calls the C API
(CPython's, numpy's, libc's ``free``) and compares objects with Python's
``float``, ``int``, ``str``, ``True``, ``False``, ``numpy.ndarray`` and numpy's
dtypes. It reads all these addresses from a table, ``fxn_<name>__runtime``,
one pointer per name of :data:`RUNTIME_SLOTS`, which :func:`fill_runtime_table`
writes before the entry's first call. The machine code itself holds no
address of the process that compiled it, so another process (the on-disk
cache, :mod:`fxn.cache`) binds the same code by filling its table.

The entry reads ``PyFloatObject`` and numpy's ``PyArrayObject_fields`` at
fixed offsets, checked against live objects by :func:`layout_matches`.
Nothing here imports MLIR, and numpy only for entries that take or return
arrays.
"""

from __future__ import annotations

import ctypes
import functools
import os

from fxn.symbols import entry_symbol, runtime_symbol

#: Byte offsets in CPython and numpy objects (64-bit, release build), checked by layout_matches().
OBJECT_TYPE = 8  # PyObject.ob_type
FLOAT_VALUE = 16  # PyFloatObject.ob_fval
ARRAY_DATA, ARRAY_NDIM, ARRAY_DIMS, ARRAY_DESCR, ARRAY_FLAGS = 16, 24, 32, 56, 64  # PyArrayObject_fields
#: Slots of numpy's C API table (numpy_api.py: indices never change).
NUMPY_NEW_FROM_DESCR, NUMPY_SET_BASE_OBJECT = 94, 282
METH_FASTCALL_KEYWORDS = 0x0080 | 0x0002

#: C functions of this process the entry calls, by name.
C_FUNCTIONS = ("PyFloat_FromDouble", "PyLong_FromLongLong", "PyLong_AsLongLongAndOverflow", "PyBool_FromLong",
               "PyUnicode_AsUTF8AndSize", "PyUnicode_DecodeUTF8", "PyErr_Clear", "PyObject_Vectorcall",
               "PyCapsule_New", "PyCapsule_GetPointer", "Py_IncRef", "Py_DecRef", "free")
#: The numpy functions and objects the entry of a signature with arrays uses (numpy's dtypes by fxn's name).
NUMPY_SLOTS = ("PyArray_NewFromDescr", "PyArray_SetBaseObject", "ndarray",
               *(f"dtype:{name}" for name in ("f16", "f32", "f64", "i8", "ui8", "i32", "i64", "i1")))
#: The entries of the runtime table, in order: each a pointer.
RUNTIME_SLOTS = (*C_FUNCTIONS, "capsule_destructor", "float", "int", "str", "True", "False", *NUMPY_SLOTS)


#: glibc's ``mallopt`` parameters (``malloc.h``).
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4
#: Freed memory glibc's malloc keeps for reuse once :func:`keep_large_buffers` ran.
RETAINED_BYTES = 256 << 20


@functools.cache
def keep_large_buffers() -> bool:
    """Let malloc reuse large freed buffers instead of returning them to the system (glibc; once per process).

    By default glibc serves each allocation above 128 KiB-32 MiB with a
    fresh ``mmap`` and unmaps it when freed, so a compiled function whose
    results or intermediates are large faults every page of them in again
    on each call (a 40 MB result costs more than computing it). fxn's
    runtime turns that off for the process, the first time it prepares
    compiled code (binds an entry, or makes a Python path): allocations come
    from the heap, and up to :data:`RETAINED_BYTES` of freed memory stays
    there for the next call. ``FXN_KEEP_BUFFERS=0`` leaves malloc as it is.
    Returns whether it was done.
    """
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # glibc only
    if mallopt is None or os.environ.get("FXN_KEEP_BUFFERS", "1") == "0":
        return False
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, RETAINED_BYTES))


def slot(name: str) -> int:
    """The index of ``name`` in the runtime table."""
    return RUNTIME_SLOTS.index(name)


def _python_function(name: str, result, *args):
    """A ctypes function of the C API, holding the GIL (not ctypes.pythonapi's shared, mutable one)."""
    return ctypes.PYFUNCTYPE(result, *args)((name, ctypes.pythonapi))


@functools.cache
def _process_addresses() -> dict[str, int]:
    """The addresses of the C functions and Python objects of :data:`RUNTIME_SLOTS` not from numpy."""
    addresses = {name: ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value
                 for name in C_FUNCTIONS if name != "free"}
    addresses["free"] = ctypes.cast(ctypes.CDLL(None).free, ctypes.c_void_p).value  # the C library's, as loaded
    addresses.update({"float": id(float), "int": id(int), "str": id(str), "True": id(True), "False": id(False)})
    return addresses


@functools.cache
def _numpy_addresses() -> dict[str, int]:
    """The addresses of :data:`NUMPY_SLOTS` (imports numpy)."""
    import numpy as np
    from numpy._core import _multiarray_umath

    from fxn.dialects.types import NUMPY_DTYPES

    get_pointer = _python_function("PyCapsule_GetPointer", ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)
    table = ctypes.cast(get_pointer(_multiarray_umath._ARRAY_API, None), ctypes.POINTER(ctypes.c_void_p))
    addresses = {"PyArray_NewFromDescr": table[NUMPY_NEW_FROM_DESCR],
                 "PyArray_SetBaseObject": table[NUMPY_SET_BASE_OBJECT], "ndarray": id(np.ndarray)}
    addresses.update({f"dtype:{name}": id(np.dtype(numpy_type)) for name, numpy_type in NUMPY_DTYPES.items()})
    return addresses


def fill_runtime_table(address: int, capsule_destructor: int, arrays: bool) -> None:
    """Write the runtime table at ``address``: this process's addresses, ``capsule_destructor`` (the function
    that frees the buffer of a result array's capsule) and, if ``arrays``, numpy's (else they stay 0)."""
    addresses = {**_process_addresses(), "capsule_destructor": capsule_destructor}
    if arrays:
        addresses.update(_numpy_addresses())
    table = (ctypes.c_void_p * len(RUNTIME_SLOTS)).from_address(address)
    for index, name in enumerate(RUNTIME_SLOTS):
        table[index] = addresses.get(name, 0)


@functools.cache
def layout_matches(arrays: bool = True) -> bool:
    """Whether this process's float (and if ``arrays``, ndarray) objects have the layout the entry reads."""
    def at(obj, offset, ctype):
        return ctype.from_address(id(obj) + offset).value

    number = 1.25
    if not (at(number, OBJECT_TYPE, ctypes.c_void_p) == id(float) and at(number, FLOAT_VALUE, ctypes.c_double) == number):
        return False
    if not arrays:
        return True
    import numpy as np

    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    dims = ctypes.cast(at(array, ARRAY_DIMS, ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64))
    return (
        at(array, OBJECT_TYPE, ctypes.c_void_p) == id(np.ndarray)
        and at(array, ARRAY_DATA, ctypes.c_void_p) == array.ctypes.data
        and at(array, ARRAY_NDIM, ctypes.c_int) == 2
        and (dims[0], dims[1]) == (2, 3)
        and at(array, ARRAY_DESCR, ctypes.c_void_p) == id(array.dtype)
        and at(array, ARRAY_FLAGS, ctypes.c_int) == array.flags.num
    )


class _MethodDef(ctypes.Structure):
    """CPython's ``PyMethodDef``."""

    _fields_ = [("name", ctypes.c_char_p), ("method", ctypes.c_void_p), ("flags", ctypes.c_int), ("doc", ctypes.c_char_p)]


class _Fallback:
    """The ``self`` of an entry's builtin function: the Python path, and the method definition the builtin reads."""

    __slots__ = ("python_path", "method", "owner")

    def __init__(self, python_path, method: _MethodDef, owner):
        self.python_path = python_path
        self.method = method
        self.owner = owner

    def __call__(self, *args, **kwargs):
        return self.python_path(*args, **kwargs)


def builtin_function(address: int, name: str, python_path, owner=None):
    """The CPython entry at ``address`` as a builtin function named ``name``, falling back to
    ``python_path(*args, **kwargs)``.

    ``python_path`` must return what the entry returns; the builtin keeps it
    and ``owner`` (what holds the code: an engine, a library) alive.
    """
    method = _MethodDef(name.encode(), address, METH_FASTCALL_KEYWORDS, None)
    new = _python_function("PyCFunction_NewEx", ctypes.py_object, ctypes.c_void_p, ctypes.py_object, ctypes.py_object)
    return new(ctypes.addressof(method), _Fallback(python_path, method, owner), None)


def bind(code, name: str, python_path, arrays: bool, capsule_destructor: int):
    """Function ``name``'s CPython entry in ``code`` as a builtin function: its runtime table filled (numpy's
    slots if ``arrays``, ``capsule_destructor`` for result arrays), falling back to ``python_path``.

    ``code`` holds the compiled module (a JIT engine's wrapper, a library of
    the on-disk cache): ``code.address_of(symbol)`` is the address the
    module's address getter of ``symbol`` returns.
    """
    keep_large_buffers()
    fill_runtime_table(code.address_of(runtime_symbol(name)), capsule_destructor, arrays)
    return builtin_function(code.address_of(entry_symbol(name)), name, python_path, code)
