"""Calling compiled code: the Python path to the entry points of :mod:`fxn.entries`.

:class:`Executable` is the Python path to the memref entry
(``fxn_<name>``), through the JIT's packed wrapper (one ``void **``
holding the addresses of the result and argument descriptors). It takes
every argument the runtime accepts; the CPython entry of
:mod:`fxn.python_entry` takes the common ones faster and hands it the rest.
A :class:`_Frame` is the memory one call reads, built once and reused, so a
call only checks each argument and writes its data pointer (and the sizes
of dynamic dims); frames are pooled, so calls from several threads at once
each get their own. Each result is a buffer the compiled code ``malloc``'ed,
which becomes a numpy array without a copy and is freed when that array dies.
:class:`DestinationExecutable` is the Python path to the destination entry
(``out=``).

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
import functools
import numbers

import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.types import VerifyError, dtype_of_numpy
from fxn.entries import SCALAR_CTYPES, dynamic_result_dims
from fxn.entry_binding import RETAINED_BYTES, keep_large_buffers  # noqa: F401 - part of the runtime's API
from fxn.symbols import destination_symbol, memref_symbol

_LIBC = ctypes.CDLL(None)  # the process's C library (as compiled code's malloc resolves), no ldconfig lookup
_LIBC.free.argtypes = [ctypes.c_void_p]
_LIBC.free.restype = None

#: numpy flags an argument's buffer must have to be passed without a copy.
_CONTIGUOUS_AND_ALIGNED = 0x0001 | 0x0100  # NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED
#: numpy flags a destination (``out=``) must have: compiled code writes it in place.
_DESTINATION_FLAGS = _CONTIGUOUS_AND_ALIGNED | 0x0400  # | NPY_ARRAY_WRITEABLE


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


@functools.cache
def _data_address():
    """A function ``array -> array.ctypes.data`` five times as fast: it reads the array's data field in place.

    It reads where :mod:`fxn.python_entry` reads (the layout its
    ``layout_matches`` checks on live objects), and falls back to
    ``ndarray.ctypes`` where that check fails.
    """
    from fxn.entry_binding import ARRAY_DATA, layout_matches

    if not layout_matches():
        return lambda array: array.ctypes.data
    pointer_at = ctypes.c_void_p.from_address
    return lambda array: pointer_at(id(array) + ARRAY_DATA).value


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
    data_address = _data_address()

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
        descriptor.allocated = descriptor.aligned = data_address(array)
        if dynamic:
            write_shape(sizes, strides, array.shape)
        return array

    return set_argument


def _string_setter(name: str, expected: TensorType, descriptor):
    """A function that checks one argument for a ``str`` parameter and points ``descriptor`` at its UTF-8 bytes.

    Anything but a ``str`` is a ``TypeError``; a str with a lone surrogate
    (which has no UTF-8 encoding) a ``ValueError``; both name the parameter.
    """
    set_bytes = _array_setter(name, expected, descriptor)

    def set_argument(value):
        if not isinstance(value, str):
            raise TypeError(f"parameter '{name}' expects a str; got {describe(value)}")
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(f"parameter '{name}' expects a str with a UTF-8 encoding; got one with a lone "
                             f"surrogate at index {error.start}") from None
        return set_bytes(np.frombuffer(data, np.uint8))

    return set_argument


def write_shape(sizes, strides, shape) -> None:
    """Write ``shape`` and its row-major strides (in elements) into a memref descriptor's sizes and strides."""
    stride = 1
    for axis in range(len(shape) - 1, -1, -1):
        sizes[axis] = shape[axis]
        strides[axis] = stride
        stride *= shape[axis]


def _destination_setter(name: str, expected: TensorType, descriptor):
    """A function that checks one destination (an ``out=`` array) for ``expected`` and points ``descriptor`` at it.

    Compiled code writes a destination in place, so it is never converted or
    copied: it must be a numpy array (or a torch CPU tensor, viewed without a
    copy) of exactly ``expected``'s dtype, rank and static dims, else
    ``TypeError``; C-contiguous, aligned and writeable, else ``ValueError``.
    Both messages name ``name``, the expected and the given type. The
    function returns the numpy array written.
    """
    dtype, rank, shape = expected.numpy_dtype, expected.rank, expected.shape
    static_dims = [(axis, size) for axis, size in enumerate(shape) if size is not None]
    dynamic = not expected.is_static
    sizes, strides = (descriptor.sizes, descriptor.strides) if rank else (None, None)
    if not dynamic:
        write_shape(sizes, strides, shape)
    data_address = _data_address()

    def set_destination(value):
        array = value if isinstance(value, np.ndarray) else (
            as_array(value) if type(value).__module__.startswith("torch") else None
        )
        if array is None or array.dtype != dtype or array.ndim != rank or any(
            array.shape[axis] != size for axis, size in static_dims
        ):
            raise TypeError(f"{name} expects {expected}; got {describe(value)}")
        if array.flags.num & _DESTINATION_FLAGS != _DESTINATION_FLAGS:
            raise ValueError(f"{name} expects a C-contiguous, aligned, writeable {expected}; "
                             f"got a {_buffer_faults(array)} {describe(value)}")
        descriptor.allocated = descriptor.aligned = data_address(array)
        if dynamic:
            write_shape(sizes, strides, array.shape)
        return array

    return set_destination


def _buffer_faults(array: np.ndarray) -> str:
    """What keeps ``array`` from being a destination: ``non-contiguous, read-only``."""
    flags = array.flags
    faults = [fault for fault, ok in (("non-contiguous", flags.c_contiguous), ("misaligned", flags.aligned),
                                      ("read-only", flags.writeable)) if not ok]
    return ", ".join(faults)


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

    # Bound at definition: arrays that outlive the interpreter's teardown of this module still free.
    def __del__(self, free=_LIBC.free, addressof=ctypes.addressof):
        free(addressof(self))


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


class _PackedArguments:
    """What a packed wrapper reads: ``args[i]`` points to a slot holding argument ``i`` of the C function."""

    def __init__(self, values: list[int]):
        self.slots = _packed(values)
        pointer = ctypes.sizeof(ctypes.c_void_p)
        self.args = _packed([ctypes.addressof(self.slots) + i * pointer for i in range(len(values))])
        self.address = ctypes.addressof(self.args)


class Status(ctypes.Structure):
    """What an entry reports besides its results: ``site`` 0, or the failure site and its details.

    ``{site, value, bound, axis}``, four int64: for a failed allocation
    ``value`` is the byte size it asked for; for an index out of bounds
    ``value`` is the index, ``bound`` the size of ``axis``. See
    :mod:`fxn.passes.lowering.checked_allocation` (``STATUS_FIELDS``).
    """

    _fields_ = [(name, ctypes.c_int64) for name in ("site", "value", "bound", "axis")]


def check_status(status: Status, function: str, sites: list) -> None:
    """Raise what the call that set ``status`` reports, if it failed: naming the op or the user's line.

    A ``MemoryError`` for a failed allocation, an ``IndexError`` for an
    index out of bounds (``failure_error`` of
    :mod:`fxn.passes.lowering.checked_allocation`).
    """
    if status.site:
        from fxn.passes.lowering.checked_allocation import failure_error

        raise failure_error(function, sites, status.site, status.value, status.bound, status.axis)


def _packed_function(engine, symbol: str):
    """The packed wrapper ``_mlir_<symbol>`` of a JIT engine, callable with the address of its ``void **``."""
    address = engine.raw_lookup(symbol)
    if not address:
        raise LookupError(f"the compiled module has no function {symbol}")
    return ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)


def _argument_descriptors(arg_names: list[str], arg_types: list[TensorType],
                          string_args: list[bool] | None = None) -> tuple[list, list]:
    """One descriptor per argument, and the setters that check arguments and point the descriptors at them."""
    descriptors = [descriptor_type(t.rank)() for t in arg_types]
    strings = string_args or [False] * len(arg_types)
    return descriptors, [(_string_setter if string else _array_setter)(name, t, d)
                         for name, t, d, string in zip(arg_names, arg_types, descriptors, strings)]


class _Frame:
    """Everything one call of a memref entry reads and writes; built once, reused call after call."""

    def __init__(self, executable: "Executable"):
        self.results = executable.results_type()
        self.descriptors, self.setters = _argument_descriptors(executable.arg_names, executable.arg_types,
                                                               executable.string_args)
        self.status = Status()
        # fxn_<name>(results *, memref *arg0, ..., status *)
        self.packed = _PackedArguments([ctypes.addressof(d) for d in [self.results, *self.descriptors, self.status]])
        self.address = self.packed.address
        self.outputs = [self.results] if executable.single_result else [
            getattr(self.results, f"r{i}") for i in range(len(executable.result_types))
        ]


def _set_arguments(executable, setters, values) -> list[np.ndarray]:
    """Check the arguments of a call of ``executable`` and point its frame's descriptors at them (``setters``).

    Returns the arrays the descriptors point into, to keep alive for the
    call; TypeError or ValueError (see :class:`Executable`) for arguments
    that do not fit, before any compiled code runs.
    """
    if len(values) != len(executable.arg_types):
        raise TypeError(f"{executable.name}() takes {len(executable.arg_types)} arguments; got {len(values)}")
    arrays = [set_argument(value) for set_argument, value in zip(setters, values)]
    if executable.named_dims:
        check_named_dims(executable.named_dims, executable.arg_names, executable.arg_types, arrays)
    if executable.dim_assumptions is not None:
        check_dim_assumptions(executable.dim_assumptions, executable.name, arrays)
    return arrays


def checked_assumptions(assumptions):
    """``assumptions`` if a call has anything to check (equal, fixed or minimum dims), else None."""
    return assumptions if assumptions is not None and (assumptions.groups or assumptions.minimums) else None


def check_dim_assumptions(assumptions, function_name: str, arrays: list[np.ndarray]) -> None:
    """ValueError unless the arguments' shapes meet what the compiled code assumes of them."""
    message = assumptions.check([array.shape for array in arrays])
    if message is not None:
        raise ValueError(f"{function_name}(): {message}")


def check_named_dims(named_dims: dict[str, list[tuple[int, int]]], arg_names: list[str],
                     arg_types: list[TensorType], arrays: list[np.ndarray]) -> None:
    """TypeError unless each dim name has one size in ``arrays`` (the arguments): see :class:`Executable`."""
    for name, ((first, first_axis), *others) in named_dims.items():
        size = arrays[first].shape[first_axis]
        for index, axis in others:
            if arrays[index].shape[axis] != size:
                raise TypeError(
                    f"parameter '{arg_names[index]}' expects {arg_types[index]} with dim {axis} "
                    f"'{name}' = {size} (from parameter '{arg_names[first]}'); got {describe(arrays[index])}"
                )


class Executable:
    """One compiled function, prepared to be called: arguments as described above, results back.

    ``engine`` is an execution engine holding the compiled ``name`` (it is kept
    alive with this object). ``scalar_results[i]`` asks for result ``i`` (0-d)
    as a Python scalar instead of a 0-d array; ``string_args[i]`` makes
    argument ``i`` a ``str`` (passed as its UTF-8 bytes; a string result
    comes back as its bytes, which :mod:`fxn.structure` decodes). ``named_dims`` maps a dim name
    to the ``(argument index, axis)`` pairs that must have one size in every
    call (else ``TypeError``). ``dim_assumptions`` (a
    :class:`fxn.passes.lowering.dim_assumptions.DimAssumptions`) states what
    the compiled code assumes of the arguments' dynamic dims; a call that
    breaks an assumption is a ``ValueError`` naming the dims, the op and its
    location, and runs no compiled code. A call whose code fails to allocate
    a buffer raises ``MemoryError`` naming the op and its location from
    ``allocation_sites`` (every failure site, see
    :mod:`fxn.passes.lowering.checked_allocation`); one whose code meets an
    index out of bounds raises ``IndexError`` naming the index, axis, size
    and location.
    """

    def __init__(self, engine, name: str, arg_types: list[TensorType], result_types: list[TensorType],
                 arg_names: list[str] | None = None, scalar_results: list[bool] | None = None,
                 named_dims: dict[str, list[tuple[int, int]]] | None = None, dim_assumptions=None,
                 allocation_sites: list | None = None, string_args: list[bool] | None = None):
        keep_large_buffers()
        self.engine = engine
        self.name = name
        self.arg_types = list(arg_types)
        self.result_types = list(result_types)
        self.arg_names = arg_names or [f"#{i}" for i in range(len(arg_types))]
        self.scalar_results = scalar_results or [False] * len(result_types)
        self.string_args = string_args or [False] * len(arg_types)
        self.named_dims = named_dims or {}
        self.dim_assumptions = checked_assumptions(dim_assumptions)
        self.allocation_sites = allocation_sites or []
        self.single_result = len(result_types) == 1
        self.results_type = descriptor_type(result_types[0].rank) if self.single_result else _results_type(result_types)
        self._function = _packed_function(engine, memref_symbol(name))
        self._readers = [_result_reader(t, s) for t, s in zip(self.result_types, self.scalar_results)]
        self._frames: list = []

    def __call__(self, *values) -> list:
        """Run once; returns the results in order (numpy arrays, or Python scalars where asked)."""
        return self.call(values)

    def call(self, values) -> list:
        """:meth:`__call__` with the arguments as one sequence."""
        frames = self._frames
        frame = frames.pop() if frames else _Frame(self)
        try:
            keep_alive = _set_arguments(self, frame.setters, values)
            self._function(frame.address)
            del keep_alive
            check_status(frame.status, self.name, self.allocation_sites)
            owners: dict[int, _Allocation] = {}
            return [read(descriptor, owners) for read, descriptor in zip(self._readers, frame.outputs)]
        finally:
            frames.append(frame)


class _DestinationFrame:
    """Everything one call of a destination entry reads and writes; built once, reused call after call."""

    def __init__(self, executable: "DestinationExecutable"):
        self.descriptors, self.setters = _argument_descriptors(executable.arg_names, executable.arg_types)
        self.destinations = [descriptor_type(t.rank)() for t in executable.result_types]
        self.destination_setters = [
            _destination_setter(name, t, d)
            for name, t, d in zip(executable.out_names, executable.result_types, self.destinations)
        ]
        # The sizes of the results' dynamic dims, which the entry writes (see add_destination_entry).
        self.dims = np.zeros(len(executable.dynamic_dims), np.int64)
        self.dims_descriptor = descriptor_type(1)()
        self.dims_descriptor.allocated = self.dims_descriptor.aligned = self.dims.ctypes.data
        write_shape(self.dims_descriptor.sizes, self.dims_descriptor.strides, self.dims.shape)
        dims = [self.dims_descriptor] if len(self.dims) else []
        self.status = Status()
        # fxn_<name>__out(memref *arg0, ..., memref *out0, ..., [memref *dims], status *)
        self.packed = _PackedArguments(
            [ctypes.addressof(d) for d in [*self.descriptors, *self.destinations, *dims, self.status]])
        self.address = self.packed.address


class DestinationExecutable:
    """The destination entry of one compiled function (:func:`add_destination_entry`), prepared to be called.

    Arguments are taken as :class:`Executable` takes them; result ``i`` is
    written into ``outs[i]`` (see :func:`_destination_setter`; ``out_names[i]``
    names it in errors), and nothing else is written. A destination that
    may share memory with an argument (``np.may_share_memory``) gets the
    result through a fresh array and a copy, since the compiled code reads
    its arguments while it writes its destinations; destinations that may
    share memory with each other are a ``ValueError``. Where a result has
    dynamic dims, a destination of other sizes than the arguments give it
    is a ``TypeError``, raised after the call, which wrote nothing.
    """

    def __init__(self, engine, name: str, arg_types: list[TensorType], result_types: list[TensorType],
                 arg_names: list[str] | None = None, named_dims: dict[str, list[tuple[int, int]]] | None = None,
                 out_names: list[str] | None = None, dim_assumptions=None, allocation_sites: list | None = None):
        self.engine = engine
        self.name = name
        self.arg_types = list(arg_types)
        self.result_types = list(result_types)
        self.arg_names = arg_names or [f"#{i}" for i in range(len(arg_types))]
        self.named_dims = named_dims or {}
        self.dim_assumptions = checked_assumptions(dim_assumptions)
        self.allocation_sites = allocation_sites or []
        self.out_names = out_names or [f"out[{i}]" for i in range(len(result_types))]
        self.dynamic_dims = dynamic_result_dims(self.result_types)
        self._function = _packed_function(engine, destination_symbol(name))
        self._frames: list = []

    def call(self, values, outs) -> None:
        """Run once with the arguments ``values``, writing the results into ``outs``."""
        frames = self._frames
        frame = frames.pop() if frames else _DestinationFrame(self)
        try:
            inputs = _set_arguments(self, frame.setters, values)
            arrays = [set_destination(out) for set_destination, out in zip(frame.destination_setters, outs)]
            self._check_distinct(arrays)
            if any(np.may_share_memory(array, value) for array in arrays for value in inputs):
                fresh = [set_destination(np.empty_like(array))
                         for set_destination, array in zip(frame.destination_setters, arrays)]
                self._run(frame, fresh)
                for array, result in zip(arrays, fresh):
                    np.copyto(array, result)
            else:
                self._run(frame, arrays)
        finally:
            frames.append(frame)

    def _run(self, frame: _DestinationFrame, arrays: list[np.ndarray]) -> None:
        self._function(frame.address)
        check_status(frame.status, self.name, self.allocation_sites)
        if not self.dynamic_dims:
            return
        sizes = dict(zip(self.dynamic_dims, frame.dims.tolist()))
        for (index, axis), size in sizes.items():
            if arrays[index].shape[axis] != size:  # the entry compared the same sizes and wrote nothing
                raise TypeError(f"{self.out_names[index]} expects {self._result_type(index, sizes)} "
                                f"for these arguments; got {describe(arrays[index])}")

    def _result_type(self, index: int, sizes: dict[tuple[int, int], int]) -> TensorType:
        """Result ``index``'s type with its dynamic dims of ``sizes`` ((result index, axis) -> size)."""
        result = self.result_types[index]
        return result.with_shape([sizes.get((index, axis), size) for axis, size in enumerate(result.shape)])

    def _check_distinct(self, arrays: list[np.ndarray]) -> None:
        for i, first in enumerate(arrays):
            for j in range(i + 1, len(arrays)):
                if np.may_share_memory(first, arrays[j]):
                    raise ValueError(f"{self.out_names[i]} and {self.out_names[j]} may share memory; "
                                     "each result needs a buffer of its own")
