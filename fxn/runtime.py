"""Calling compiled code: the entry points compiled functions offer, and the Python path that calls them.

Compiled code has the two kinds of entry point that every generated C header
documents (see :mod:`fxn.artifacts`):

- the *memref entry* ``_mlir_ciface_<name>(results *, memref *arg0, ...)``
  (MLIR's C interface), for every function: each argument is a memref
  descriptor pointing at the caller's data (no copy); each result is a buffer
  the compiled code ``malloc``'ed, which becomes a numpy array without a copy
  and is freed when that array dies;
- the *value entry* ``fxn_<name>(x, y, ...)`` (see :func:`add_value_entry`),
  for functions of 0-d arguments and one 0-d result: plain C scalars in and
  out, no allocation visible to the caller.

:class:`Executable` is the Python path to the memref entry, through the
JIT's packed wrapper (one ``void **`` holding the addresses of the result
and argument descriptors). It takes every argument the runtime accepts; the
CPython entry of :mod:`fxn.python_entry` takes the common ones faster and
hands it the rest. A :class:`_Frame` is the memory one call reads, built
once and reused, so a call only checks each argument and writes its data
pointer (and the sizes of dynamic dims); frames are pooled, so calls from
several threads at once each get their own.

Arguments: a numpy array, anything :func:`as_array` views as one (torch CPU
tensors without a copy), or, for a 0-d parameter, a Python or numpy scalar,
converted to the element type (float parameters take any real number, int
parameters integers in range, bool parameters bools). An array must have the
parameter's dtype, rank and static dims, else ``TypeError`` names the
parameter, the expected and the given type. A non-contiguous or misaligned
array is passed as a contiguous copy; compiled code never writes its
arguments, so the caller's arrays are never modified.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import numbers

import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.types import VerifyError, dtype_of_numpy
from fxn.mlir import arith, func, ir, tensor

_LIBC = ctypes.CDLL(ctypes.util.find_library("c"))
_LIBC.free.argtypes = [ctypes.c_void_p]
_LIBC.free.restype = None

#: C types of the element types a value entry passes (f16 has none: memref entry only).
SCALAR_CTYPES = {
    "f32": ctypes.c_float,
    "f64": ctypes.c_double,
    "i8": ctypes.c_int8,
    "ui8": ctypes.c_uint8,
    "i32": ctypes.c_int32,
    "i64": ctypes.c_int64,
    "i1": ctypes.c_bool,
}
#: numpy flags an argument's buffer must have to be passed without a copy.
_CONTIGUOUS_AND_ALIGNED = 0x0001 | 0x0100  # NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED


def memref_symbol(name: str) -> str:
    """The memref entry of function ``name`` (MLIR's ``llvm.emit_c_interface`` wrapper)."""
    return f"_mlir_ciface_{name}"


def value_symbol(name: str) -> str:
    """The value entry of function ``name``, if :func:`add_value_entry` gave it one."""
    return f"fxn_{name}"


# ----------------------------------------------------------------------------- value entries


def has_value_entry(arg_types: list[TensorType], result_types: list[TensorType]) -> bool:
    """Whether a function of these types gets a value entry: 0-d arguments and one 0-d result, C scalar dtypes."""
    types = [*arg_types, *result_types]
    return len(result_types) == 1 and all(t.rank == 0 and t.dtype in SCALAR_CTYPES for t in types)


def add_value_entry(module, name: str) -> bool:
    """Add ``func.func @fxn_<name>`` taking and returning the scalars of ``@name``'s 0-d tensors.

    The wrapper wraps its scalars in tensors (``tensor.from_elements``), runs
    a copy of ``@name``'s body and extracts the result (``tensor.extract``):
    ordinary IR lowered with the rest, whose few 0-d buffers LLVM optimizes
    away. (A call of ``@name`` instead would keep buffers crossing a function
    boundary, which the deallocation pipeline tracks at run time.) An ``i1``
    result is returned zero-extended to ``i8``: LLVM leaves the upper bits of
    a returned ``i1`` undefined, a C ``bool`` must be 0 or 1. Returns False
    (and adds nothing) unless :func:`has_value_entry` holds.
    """
    with module.context, ir.Location.unknown():
        callee = next(op for op in module.body.operations if isinstance(op, func.FuncOp) and op.sym_name.value == name)
        function_type = ir.FunctionType(callee.function_type.value)
        arg_types = [TensorType.from_mlir(t) for t in function_type.inputs]
        result_types = [TensorType.from_mlir(t) for t in function_type.results]
        if not has_value_entry(arg_types, result_types):
            return False
        scalars = [ir.RankedTensorType(t).element_type for t in function_type.inputs]
        is_bool = result_types[0].dtype == "i1"
        returned = ir.IntegerType.get_signless(8) if is_bool else ir.RankedTensorType(function_type.results[0]).element_type
        with ir.InsertionPoint(module.body):
            wrapper = func.FuncOp(value_symbol(name), (scalars, [returned]))
            block = wrapper.add_entry_block()
        with ir.InsertionPoint(block):
            tensors = [tensor.FromElementsOp(t, [a]).result for t, a in zip(function_type.inputs, block.arguments)]
            (result,) = _clone_body(callee, tensors)
            value = tensor.ExtractOp(result, []).result
            if is_bool:
                value = arith.ExtUIOp(returned, value).result
            func.ReturnOp([value])
    return True


def _clone_body(function, arguments: list) -> list:
    """Clone ``function``'s body at the insertion point with its arguments replaced; the returned values."""
    entry = function.regions[0].blocks[0]
    mapping = dict(zip(entry.arguments, arguments))

    def remap(op):
        for index, operand in enumerate(op.operands):
            if operand in mapping:
                op.operands[index] = mapping[operand]
        return ir.WalkResult.ADVANCE

    for op in entry.operations:
        if isinstance(op, func.ReturnOp):
            return [mapping.get(v, v) for v in op.operands]
        clone = op.operation.clone()
        clone.walk(remap)  # nested regions may use values defined before op
        mapping.update(zip(op.results, clone.results))
    raise ValueError(f"function @{function.sym_name.value} does not end in func.return")


# ----------------------------------------------------------------------------- arguments


def as_array(value) -> np.ndarray:
    """A numpy view of an argument: arrays as they are, torch CPU tensors without a copy, the rest through numpy."""
    if type(value) is np.ndarray:
        return value
    if type(value).__module__.startswith("torch"):
        return value.detach().numpy()
    return np.asarray(value)


def describe(value) -> str:
    """How a type error names what it was given: ``tensor<3xf64>``, ``float 1.5``, ``str``."""
    if isinstance(value, (bool, int, float, np.generic)) and not isinstance(value, np.ndarray):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, np.ndarray) or type(value).__module__.startswith("torch"):
        array = as_array(value)
        try:
            return str(TensorType(dtype_of_numpy(array.dtype), array.shape))
        except VerifyError:
            return f"{array.dtype} array of shape {array.shape}"
    return type(value).__name__


def _mismatch(name: str, expected: TensorType, value, why: str = "") -> TypeError:
    return TypeError(f"parameter '{name}' expects {expected}; got {describe(value)}{why}")


def scalar_value(name: str, expected: TensorType, value):
    """A Python/numpy scalar or 0-d array for a 0-d parameter, as a Python value of its element type."""
    if isinstance(value, np.ndarray) or type(value).__module__.startswith("torch"):
        array = as_array(value)
        if array.shape != () or array.dtype != expected.numpy_dtype:
            raise _mismatch(name, expected, value)
        return array.item()
    kind = expected.dtype
    if kind == "i1":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
    elif not expected.is_float:
        if isinstance(value, (int, np.integer, np.bool_)):
            info = np.iinfo(expected.numpy_dtype)
            if not info.min <= int(value) <= info.max:
                raise _mismatch(name, expected, value, f" (out of the range of {kind})")
            return int(value)
    elif isinstance(value, numbers.Real):
        return float(value)
    raise _mismatch(name, expected, value)


def _array_setter(name: str, expected: TensorType, descriptor):
    """A function that checks one argument for ``expected`` and points ``descriptor`` at its data.

    It returns the array the descriptor points into, which the caller keeps
    alive for the call (a contiguous copy or a 0-d array made from a scalar).
    """
    dtype, rank, shape = expected.numpy_dtype, expected.rank, expected.shape
    static_dims = [(axis, size) for axis, size in enumerate(shape) if size is not None]
    dynamic = not expected.is_static
    # Views of the descriptor's arrays, made once: each access of a ctypes array field makes a new one.
    sizes, strides = (descriptor.sizes, descriptor.strides) if rank else (None, None)
    if not dynamic:  # sizes and (row-major) strides never change
        write_shape(sizes, strides, shape)

    def set_argument(value):
        array = value if type(value) is np.ndarray else (
            np.asarray(scalar_value(name, expected, value), dtype) if rank == 0 else as_array(value)
        )
        if not (array.dtype is dtype or array.dtype == dtype) or array.ndim != rank:
            raise _mismatch(name, expected, value)
        for axis, size in static_dims:
            if array.shape[axis] != size:
                raise _mismatch(name, expected, value)
        if array.flags.num & _CONTIGUOUS_AND_ALIGNED != _CONTIGUOUS_AND_ALIGNED:
            array = np.ascontiguousarray(array)  # a copy: compiled code reads row-major buffers
        descriptor.allocated = descriptor.aligned = array.ctypes.data
        if dynamic:
            write_shape(sizes, strides, array.shape)
        return array

    return set_argument


def write_shape(sizes, strides, shape) -> None:
    """Write ``shape`` and its row-major strides (in elements) into a memref descriptor's sizes and strides."""
    stride = 1
    for axis in range(len(shape) - 1, -1, -1):
        sizes[axis] = shape[axis]
        strides[axis] = stride
        stride *= shape[axis]


# ----------------------------------------------------------------------------- results


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
    """The struct a memref entry of several results writes: one descriptor each."""
    fields = [(f"r{i}", descriptor_type(t.rank)) for i, t in enumerate(results)]
    return type("Results", (ctypes.Structure,), {"_fields_": fields})


class _Allocation(ctypes.c_char * (1 << 40)):
    """A buffer the compiled code ``malloc``'ed, as numpy sees it: the base of the arrays viewing it.

    Made with ``from_address(allocated)``; freed when the last array viewing
    it is gone. The nominal length only bounds what numpy may view: each
    array views exactly its result's elements.
    """

    def __del__(self):
        _LIBC.free(ctypes.addressof(self))


def _result_reader(result: TensorType, as_scalar: bool):
    """A function ``(descriptor, owners) -> value`` turning one result descriptor into an array or scalar.

    ``owners`` maps each allocation to its :class:`_Allocation`, so that
    results sharing one buffer free it once, when the last of them is gone.
    Results are row-major (the lowering gives function results the identity
    layout), so only a dynamic shape is read from the descriptor.
    """
    dtype = result.numpy_dtype
    itemsize = dtype.itemsize
    static_shape = result.shape if result.is_static else None
    scalar_type = SCALAR_CTYPES.get(result.dtype) if as_scalar else None

    def read(descriptor, owners):
        allocated = descriptor.allocated or 0
        owner = owners.get(allocated)
        if owner is None:
            owner = owners[allocated] = _Allocation.from_address(allocated)
        offset = (descriptor.aligned or 0) - allocated + descriptor.offset * itemsize
        if scalar_type is not None:
            return scalar_type.from_address(allocated + offset).value
        shape = static_shape if static_shape is not None else tuple(descriptor.sizes)
        array = np.ndarray(shape, dtype, owner, offset)
        return array.item() if as_scalar else array

    return read


# ----------------------------------------------------------------------------- calls


def _packed(addresses: list[int]):
    """The ``void *[]`` a packed wrapper reads, holding ``addresses``."""
    return (ctypes.c_void_p * len(addresses))(*addresses)


class _Frame:
    """Everything one call of a memref entry reads and writes; built once, reused call after call."""

    def __init__(self, executable: "Executable"):
        self.results = executable.results_type()
        self.descriptors = [descriptor_type(t.rank)() for t in executable.arg_types]
        self.setters = [
            _array_setter(name, t, d) for name, t, d in zip(executable.arg_names, executable.arg_types, self.descriptors)
        ]
        # The packed wrapper loads each argument of _mlir_ciface_<name> (a descriptor pointer) through args[i].
        self.pointers = _packed([ctypes.addressof(self.results)] + [ctypes.addressof(d) for d in self.descriptors])
        self.packed = _packed([ctypes.addressof(self.pointers) + i * 8 for i in range(len(self.pointers))])
        self.address = ctypes.addressof(self.packed)
        self.outputs = [self.results] if executable.single_result else [
            getattr(self.results, f"r{i}") for i in range(len(executable.result_types))
        ]


class Executable:
    """One compiled function, prepared to be called: arguments as described above, results back.

    ``engine`` is an execution engine holding the compiled ``name`` (it is kept
    alive with this object). ``scalar_results[i]`` asks for result ``i`` (0-d)
    as a Python scalar instead of a 0-d array. ``named_dims`` maps a dim name
    to the ``(argument index, axis)`` pairs that must have one size in every call.
    """

    def __init__(self, engine, name: str, arg_types: list[TensorType], result_types: list[TensorType],
                 arg_names: list[str] | None = None, scalar_results: list[bool] | None = None,
                 named_dims: dict[str, list[tuple[int, int]]] | None = None):
        self.engine = engine
        self.name = name
        self.arg_types = list(arg_types)
        self.result_types = list(result_types)
        self.arg_names = arg_names or [f"#{i}" for i in range(len(arg_types))]
        self.scalar_results = scalar_results or [False] * len(result_types)
        self.single_result = len(result_types) == 1
        self.results_type = descriptor_type(result_types[0].rank) if self.single_result else _results_type(result_types)
        symbol = memref_symbol(name)
        address = engine.raw_lookup(symbol)  # the packed wrapper _mlir_<symbol>
        if not address:
            raise LookupError(f"the compiled module has no function {symbol}")
        self._function = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)
        self._readers = [_result_reader(t, s) for t, s in zip(self.result_types, self.scalar_results)]
        self._named_dims = list((named_dims or {}).items())
        self._frames: list = []

    def __call__(self, *values) -> list:
        """Run once; returns the results in order (numpy arrays, or Python scalars where asked)."""
        return self.call(values)

    def call(self, values) -> list:
        """:meth:`__call__` with the arguments as one sequence."""
        if len(values) != len(self.arg_types):
            raise TypeError(f"{self.name}() takes {len(self.arg_types)} arguments; got {len(values)}")
        frames = self._frames
        frame = frames.pop() if frames else _Frame(self)
        try:
            keep_alive = [set_argument(value) for set_argument, value in zip(frame.setters, values)]
            if self._named_dims:
                self._check_named_dims(keep_alive)
            self._function(frame.address)
            del keep_alive
            owners: dict[int, _Allocation] = {}
            return [read(descriptor, owners) for read, descriptor in zip(self._readers, frame.outputs)]
        finally:
            frames.append(frame)

    def _check_named_dims(self, arrays) -> None:
        for name, ((first, first_axis), *others) in self._named_dims:
            size = arrays[first].shape[first_axis]
            for index, axis in others:
                if arrays[index].shape[axis] != size:
                    raise TypeError(
                        f"parameter '{self.arg_names[index]}' expects {self.arg_types[index]} with dim {axis} "
                        f"'{name}' = {size} (from parameter '{self.arg_names[first]}'); "
                        f"got {describe(arrays[index])}"
                    )
