"""Calling compiled code: numpy arrays in, numpy arrays out, through MLIR memref descriptors.

A compiled function takes and returns ranked memrefs. Every argument is
passed as a strided memref descriptor pointing at the caller's array (no
copy); every result is a fresh buffer the compiled code allocated with
``malloc`` (the deallocation pipeline clones results that would alias an
argument or a constant), which becomes a numpy array without a copy and is
freed with ``free`` when that array is garbage collected.

Everything that can be prepared once per function is prepared in
:class:`Executable`'s constructor; a call only fills descriptors.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np

from fxn.dialects import TensorType

_LIBC = ctypes.CDLL(ctypes.util.find_library("c"))
_LIBC.free.argtypes = [ctypes.c_void_p]
_LIBC.free.restype = None


@functools.cache
def descriptor_type(rank: int) -> type[ctypes.Structure]:
    """The C layout of a ranked memref descriptor of ``rank``."""
    fields = [
        ("allocated", ctypes.c_void_p),
        ("aligned", ctypes.c_void_p),
        ("offset", ctypes.c_int64),
    ]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRefDescriptor{rank}", (ctypes.Structure,), {"_fields_": fields})


def _results_type(results: list[TensorType]) -> type[ctypes.Structure]:
    fields = [(f"r{i}", descriptor_type(t.rank)) for i, t in enumerate(results)]
    return type("Results", (ctypes.Structure,), {"_fields_": fields})


class _Owner:
    """Keeps a malloc'ed buffer alive for the arrays viewing it; frees it when they are gone."""

    def __init__(self, address: int):
        self.address = address

    def __del__(self):
        _LIBC.free(self.address)


class _Buffer:
    """Exposes a result buffer to numpy; the arrays' ``base``, so it keeps the owner alive."""

    def __init__(self, address: int, shape, strides, dtype: np.dtype, owner: _Owner):
        self.owner = owner
        self.__array_interface__ = {
            "data": (address, False),
            "shape": shape,
            "strides": strides,
            "typestr": dtype.str,
            "version": 3,
        }


def _array_from_descriptor(descriptor, result: TensorType, owner: _Owner) -> np.ndarray:
    dtype = result.numpy_dtype
    shape = tuple(descriptor.sizes) if result.rank else ()
    strides = tuple(s * dtype.itemsize for s in descriptor.strides) if result.rank else ()
    address = descriptor.aligned + descriptor.offset * dtype.itemsize
    return np.asarray(_Buffer(address, shape, strides, dtype, owner))


class Executable:
    """One compiled function: call it with arrays matching ``arg_types``; returns ``result_types`` arrays."""

    def __init__(self, engine, name: str, arg_types: list[TensorType], result_types: list[TensorType]):
        self.engine = engine  # keeps the JIT-compiled code alive
        self.name = name
        self.arg_types = arg_types
        self.result_types = result_types
        self._packed = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.raw_lookup(f"_mlir_ciface_{name}"))
        self._arg_descriptors = [descriptor_type(t.rank) for t in arg_types]
        self._single_result = len(result_types) == 1
        self._results = descriptor_type(result_types[0].rank) if self._single_result else _results_type(result_types)
        self._packed_args = ctypes.c_void_p * (len(arg_types) + 1)

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        """Run on C-ordered or strided arrays of exactly the declared dtypes and ranks."""
        results = self._results()
        descriptors = [self._descriptor(a, d) for a, d in zip(arrays, self._arg_descriptors)]
        pointers = [ctypes.pointer(results)] + [ctypes.pointer(d) for d in descriptors]
        packed = self._packed_args(*[ctypes.addressof(p) for p in pointers])
        self._packed(packed)
        outputs = [results] if self._single_result else [getattr(results, f"r{i}") for i in range(len(self.result_types))]
        owners: dict[int, _Owner] = {}
        arrays_out = []
        for descriptor, result in zip(outputs, self.result_types):
            owner = owners.setdefault(descriptor.allocated, _Owner(descriptor.allocated))
            arrays_out.append(_array_from_descriptor(descriptor, result, owner))
        return arrays_out

    @staticmethod
    def _descriptor(array: np.ndarray, descriptor_class):
        descriptor = descriptor_class()
        address = array.ctypes.data
        descriptor.allocated = address
        descriptor.aligned = address
        descriptor.offset = 0
        if array.ndim:
            descriptor.sizes[:] = array.shape
            descriptor.strides[:] = [s // array.itemsize for s in array.strides]
        return descriptor
