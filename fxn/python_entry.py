"""The CPython entry of a JIT-compiled function: the interpreter calls compiled code directly.

:func:`add_python_entry` adds to a concrete function's LLVM-dialect module a
``METH_FASTCALL | METH_KEYWORDS`` C function
``fxn_<name>__python(self, args, nargs, kwnames)`` that,
in the common case, does all a call needs without running Python code:

- it unboxes each argument: an exact ``float`` for an f32/f64 0-d parameter,
  an exact ``int`` in range for an integer one, ``True``/``False`` for an i1
  one, an exact ``str`` for a ``str`` one (its UTF-8 bytes, which CPython
  keeps with the object, in place: compiled code never writes its inputs),
  and for any other parameter a numpy array of exactly its dtype and
  rank, C-contiguous and aligned, whose dims fit the static dims, agree
  wherever annotations share a dim name and meet what the compiled code
  assumes of them (:mod:`fxn.passes.lowering.dim_assumptions`);
- it calls the value entry (scalars in and out) or the memref entry with
  descriptors and the status on the stack (see :mod:`fxn.runtime`); a
  status that reports a failure (an allocation, an index out of bounds)
  sends the call to the Python path, which runs it again and raises the
  ``MemoryError`` or ``IndexError``;
- it boxes the result: a Python scalar where the signature asks for one,
  a ``str`` decoded from the bytes of a string result (whose buffer it then
  frees), else a numpy array that owns the buffer the compiled code
  ``malloc``'ed (its base is a capsule that frees it).

Any other call (keyword arguments, torch tensors, lists, strided views,
numpy scalars, a wrong type) goes to ``self``, the Python path (binding the
arguments, then :class:`fxn.runtime.Executable`), which converts them or
raises the ``TypeError``: this entry only makes common calls fast, it
decides nothing. It holds the GIL while the compiled code runs (as numba
does by default).

The entry calls the C API (CPython's, numpy's, libc's ``free``) and
compares objects through the module's runtime table, which the process that
runs the code fills (:mod:`fxn.entry_binding`: the code holds no address of
the process that compiled it, so the on-disk cache reuses it), and reads
``PyFloatObject`` and numpy's ``PyArrayObject_fields`` at offsets checked
against live objects (:func:`~fxn.entry_binding.layout_matches`); it is
therefore built for Python processes only, never for artifacts, and not at
all where the check fails.
"""

from __future__ import annotations

import ctypes
import functools

from fxn.lazy import numpy as np

from fxn import entry_binding
from fxn.compile_lock import holding_compile_lock
from fxn.dialects import TensorType
from fxn.dialects.types import bit_width
from fxn.entry_binding import (ARRAY_DATA, ARRAY_DESCR, ARRAY_DIMS, ARRAY_FLAGS, ARRAY_NDIM, FLOAT_VALUE, OBJECT_TYPE,
                               RUNTIME_SLOTS, fill_runtime_table, layout_matches, slot)
from fxn import llvm_ops as llvm
from fxn.mlir import ir
from fxn.entries import SCALAR_CTYPES
from fxn.symbols import address_symbol, destructor_symbol, entry_symbol, memref_symbol, runtime_symbol, value_symbol
from fxn.passes.lowering.checked_allocation import STATUS_BYTES

#: numpy flags: an argument must be C-contiguous and aligned; results are also writeable.
C_CONTIGUOUS_AND_ALIGNED = 0x0001 | 0x0100
RESULT_FLAGS = C_CONTIGUOUS_AND_ALIGNED | 0x0400
#: What llvm.getelementptr's constant indices hold where an index is dynamic.
_DYNAMIC_INDEX = -(2**31)


def can_enter(arg_types: list[TensorType], result_types: list[TensorType], scalar_result: bool,
              string_args: list[bool] | None = None, string_result: bool = False) -> bool:
    """Whether a signature gets a CPython entry: one result, and scalars (0-d arguments, a scalar result) of C dtypes.

    ``string_args[i]`` says argument ``i`` is a ``str``; ``string_result``
    that the result is."""
    scalars = [t for t in arg_types if t.rank == 0] + (result_types[:1] if scalar_result else [])
    return (len(result_types) == 1 and all(t.dtype in SCALAR_CTYPES for t in scalars)
            and layout_matches(uses_arrays(arg_types, scalar_result, string_args, string_result)))


def uses_arrays(arg_types: list[TensorType], scalar_result: bool, string_args: list[bool] | None = None,
                string_result: bool = False) -> bool:
    """Whether the entry of a signature takes or makes numpy arrays (its runtime table then holds numpy's slots):
    an argument of rank 1 or more that is no ``str``, or a result that is neither a scalar nor a ``str``."""
    strings = string_args or [False] * len(arg_types)
    return (not (scalar_result or string_result)
            or any(t.rank and not string for t, string in zip(arg_types, strings)))


class _Emitter:
    """Builds one LLVM-dialect function block by block; a failed check branches to the fallback block."""

    def __init__(self, function, fallback, table: str):
        self.function = function
        self.fallback = fallback
        self.table = table
        self.block = function.regions[0].blocks[0]
        self.i8, self.i32, self.i64 = (ir.IntegerType.get_signless(n) for n in (8, 32, 64))
        self.ptr = ir.Type.parse("!llvm.ptr")

    def ip(self):
        return ir.InsertionPoint(self.block)

    def const(self, value: int, type=None):
        with self.ip():
            type = type or self.i64
            return llvm.constant(ir.IntegerAttr.get(type, value))

    def at(self, pointer, offset: int):
        with self.ip():
            return llvm.getelementptr(pointer, self.i8, [offset])

    def load(self, type, pointer, offset: int = 0):
        with self.ip():
            return llvm.load(type, self.at(pointer, offset) if offset else pointer)

    def store(self, value, pointer, offset: int = 0):
        with self.ip():
            llvm.store(value, self.at(pointer, offset) if offset else pointer)

    def runtime(self, name: str):
        """The pointer in slot ``name`` of the module's runtime table (see :mod:`fxn.entry_binding`)."""
        with self.ip():
            table = llvm.addressof(self.table)
        return self.load(self.ptr, table, 8 * slot(name))

    def as_int(self, pointer):
        with self.ip():
            return llvm.cast("ptrtoint", self.i64, pointer)

    def compare(self, predicate: str, lhs, rhs):
        with self.ip():
            return llvm.icmp(predicate, lhs, rhs)

    def op(self, build, *args):
        """Any other op: ``build(*args)`` at the end of the current block."""
        with self.ip():
            return build(*args)

    def call_c(self, name: str, args: list, result=None):
        """Call a C function of this process through its address in the runtime table (an indirect call)."""
        callee = self.runtime(name)
        with self.ip():
            return llvm.call(result, [callee, *args])

    def call(self, symbol: str, args: list, result=None):
        """Call a function of this module."""
        with self.ip():
            return llvm.call(result, args, symbol)

    def alloca(self, size: int):
        one = self.const(1)
        with self.ip():
            return llvm.alloca(one, ir.Type.parse(f"!llvm.array<{size} x i8>"), alignment=16)

    def require(self, condition) -> None:
        """Continue in a new block if ``condition`` holds, else take the fallback."""
        self.branch_unless(condition, self.fallback)

    def branch_unless(self, condition, otherwise) -> None:
        """Continue in a new block if ``condition`` holds, else go to block ``otherwise``."""
        passed = self.function.regions[0].blocks.append()
        with self.ip():
            llvm.cond_branch(condition, passed, otherwise)
        self.block = passed

    def ret(self, value) -> None:
        with self.ip():
            llvm.return_(value)


def _element_type(dtype: str):
    """The LLVM scalar type of ``dtype``: integers signless (``ui8`` is ``i8``)."""
    if dtype.startswith("f"):
        return TensorType(dtype, ()).to_mlir().element_type
    return ir.IntegerType.get_signless(bit_width(dtype))


class _EntryBuilder:
    """The body of ``fxn_<name>__python``: checks, the call, the result."""

    def __init__(self, emit: _Emitter, args):
        self.emit = emit
        self.args = args
        self.named: dict[str, object] = {}  # dim name -> its size, from the first argument naming it
        self.sizes: dict[tuple[int, int], object] = {}  # (argument, axis) -> its size, of array arguments

    # --------------------------------------------------------------------- arguments

    def argument(self, index: int):
        emit = self.emit
        return emit.load(emit.ptr, self.args, 8 * index)

    def type_of(self, obj):
        return self.emit.load(self.emit.ptr, obj, OBJECT_TYPE)

    def scalar(self, index: int, expected: TensorType):
        """The C value of argument ``index`` for a 0-d parameter; falls back unless it is an exact Python scalar."""
        emit, obj = self.emit, self.argument(index)
        element = _element_type(expected.dtype)
        if expected.dtype == "i1":
            is_true = emit.compare("eq", obj, emit.runtime("True"))
            is_false = emit.compare("eq", obj, emit.runtime("False"))
            emit.require(emit.op(llvm.logical, "or", is_true, is_false))
            return is_true
        if expected.is_float:
            emit.require(emit.compare("eq", self.type_of(obj), emit.runtime("float")))
            value = emit.load(ir.F64Type.get(), obj, FLOAT_VALUE)
            return value if expected.dtype == "f64" else emit.op(llvm.cast, "fptrunc", element, value)
        emit.require(emit.compare("eq", self.type_of(obj), emit.runtime("int")))
        overflow = emit.alloca(4)
        value = emit.call_c("PyLong_AsLongLongAndOverflow", [obj, overflow], emit.i64)
        emit.require(emit.compare("eq", emit.load(emit.i32, overflow), emit.const(0, emit.i32)))
        info = np.iinfo(expected.numpy_dtype)
        emit.require(emit.compare("sge", value, emit.const(int(info.min))))
        emit.require(emit.compare("sle", value, emit.const(int(info.max))))
        return value if expected.dtype == "i64" else emit.op(llvm.cast, "trunc", element, value)

    def array_descriptor(self, index: int, expected: TensorType, names: tuple):
        """A memref descriptor of argument ``index``; falls back unless it is a fitting numpy array."""
        emit, obj, rank = self.emit, self.argument(index), expected.rank
        emit.require(emit.compare("eq", self.type_of(obj), emit.runtime("ndarray")))
        descr = emit.load(emit.ptr, obj, ARRAY_DESCR)
        emit.require(emit.compare("eq", descr, emit.runtime(f"dtype:{expected.dtype}")))
        emit.require(emit.compare("eq", emit.load(emit.i32, obj, ARRAY_NDIM), emit.const(rank, emit.i32)))
        flags = emit.op(llvm.logical, "and", emit.load(emit.i32, obj, ARRAY_FLAGS),
                        emit.const(C_CONTIGUOUS_AND_ALIGNED, emit.i32))
        emit.require(emit.compare("eq", flags, emit.const(C_CONTIGUOUS_AND_ALIGNED, emit.i32)))
        dims_pointer = emit.load(emit.ptr, obj, ARRAY_DIMS)
        sizes = []
        for axis, (static, name) in enumerate(zip(expected.shape, names)):
            size = emit.load(emit.i64, dims_pointer, 8 * axis)
            if static is not None:
                emit.require(emit.compare("eq", size, emit.const(static)))
            if isinstance(name, str):
                if name in self.named:
                    emit.require(emit.compare("eq", size, self.named[name]))
                self.named.setdefault(name, size)
            sizes.append(size)
            self.sizes[index, axis] = size
        return self.descriptor(emit.load(emit.ptr, obj, ARRAY_DATA), sizes)

    def string_descriptor(self, index: int):
        """A memref descriptor of argument ``index``'s UTF-8 bytes; falls back unless it is an exact ``str`` that
        has them (a lone surrogate has none: the Python path raises the ValueError)."""
        emit, obj = self.emit, self.argument(index)
        emit.require(emit.compare("eq", self.type_of(obj), emit.runtime("str")))
        size = emit.alloca(8)
        data = emit.call_c("PyUnicode_AsUTF8AndSize", [obj, size], emit.ptr)
        encoded = emit.compare("ne", emit.as_int(data), emit.const(0))
        emit.branch_unless(encoded, self.cleared_fallback())
        return self.descriptor(data, [emit.load(emit.i64, size)])

    def cleared_fallback(self):
        """A block that clears the exception a failed conversion set, then takes the fallback."""
        emit = self.emit
        current, cleared = emit.block, emit.function.regions[0].blocks.append()
        emit.block = cleared
        emit.call_c("PyErr_Clear", [])
        with emit.ip():
            llvm.branch([], emit.fallback)
        emit.block = current
        return cleared

    def require_assumptions(self, assumptions) -> None:
        """Fall back unless the array arguments' dims meet ``assumptions`` (equal groups, fixed and minimum sizes)."""
        emit, sizes = self.emit, self.sizes
        for group in assumptions.groups:
            first = sizes[group.dims[0].arg, group.dims[0].axis]
            for dim in group.dims[1:]:
                emit.require(emit.compare("eq", first, sizes[dim.arg, dim.axis]))
            if group.size is not None:
                emit.require(emit.compare("eq", first, emit.const(group.size)))
        for minimum in assumptions.minimums:
            emit.require(emit.compare("sge", sizes[minimum.dim.arg, minimum.dim.axis], emit.const(minimum.size)))

    def descriptor(self, data, sizes: list):
        """A memref descriptor on the stack: ``data`` with row-major ``sizes``."""
        emit, rank = self.emit, len(sizes)
        descriptor = emit.alloca(24 + 16 * rank)
        emit.store(data, descriptor)
        emit.store(data, descriptor, 8)
        emit.store(emit.const(0), descriptor, 16)
        stride = emit.const(1)
        for axis in range(rank - 1, -1, -1):
            emit.store(sizes[axis], descriptor, 24 + 8 * axis)
            emit.store(stride, descriptor, 24 + 8 * (rank + axis))
            stride = emit.op(llvm.mul, stride, sizes[axis])
        return descriptor

    # --------------------------------------------------------------------- results

    def box(self, value, dtype: str):
        """A new Python scalar of a C value."""
        emit = self.emit
        if dtype in ("f32", "f64"):
            double = value if dtype == "f64" else emit.op(llvm.cast, "fpext", ir.F64Type.get(), value)
            return emit.call_c("PyFloat_FromDouble", [double], emit.ptr)
        # (an i64 is already wide: LLVM refuses an extension to the same width)
        extension = "zext" if dtype in ("i1", "ui8") else "sext"
        wide = value if dtype == "i64" else emit.op(llvm.cast, extension, emit.i64, value)
        return emit.call_c("PyBool_FromLong" if dtype == "i1" else "PyLong_FromLongLong", [wide], emit.ptr)

    def string(self, result: TensorType, descriptor):
        """A ``str`` decoded from the UTF-8 bytes described at ``descriptor`` (or NULL), their buffer freed."""
        emit = self.emit
        size = emit.load(emit.i64, descriptor, 24)
        text = emit.call_c("PyUnicode_DecodeUTF8", [self.element_address(result, descriptor), size,
                                                     emit.op(llvm.zero, emit.ptr)], emit.ptr)
        emit.call_c("free", [emit.load(emit.ptr, descriptor)])
        return text

    def array(self, result: TensorType, descriptor):
        """A numpy array over the result buffer described at ``descriptor``, owning it (or NULL and the buffer freed)."""
        emit = self.emit
        allocated = emit.load(emit.ptr, descriptor)
        data = self.element_address(result, descriptor)
        dtype = emit.runtime(f"dtype:{result.dtype}")
        emit.call_c("Py_IncRef", [dtype])  # PyArray_NewFromDescr steals a reference
        array = emit.call_c("PyArray_NewFromDescr", [
            emit.runtime("ndarray"), dtype, emit.const(result.rank, emit.i32),
            emit.at(descriptor, 24), emit.op(llvm.zero, emit.ptr), data, emit.const(RESULT_FLAGS, emit.i32),
            emit.op(llvm.zero, emit.ptr)], emit.ptr)
        free_buffer = self.failure_block(lambda: emit.call_c("free", [allocated]))
        emit.branch_unless(emit.compare("ne", emit.as_int(array), emit.const(0)), free_buffer)
        capsule = emit.call_c("PyCapsule_New", [allocated, emit.op(llvm.zero, emit.ptr),
                                                emit.runtime("capsule_destructor")], emit.ptr)
        release_array = self.failure_block(lambda: (emit.call_c("Py_DecRef", [array]), emit.call_c("free", [allocated])))
        emit.branch_unless(emit.compare("ne", emit.as_int(capsule), emit.const(0)), release_array)
        status = emit.call_c("PyArray_SetBaseObject", [array, capsule], emit.i32)  # steals the capsule
        release_only = self.failure_block(lambda: emit.call_c("Py_DecRef", [array]))
        emit.branch_unless(emit.compare("eq", status, emit.const(0, emit.i32)), release_only)
        return array

    def element_address(self, result: TensorType, descriptor):
        emit = self.emit
        offset = emit.op(llvm.mul, emit.load(emit.i64, descriptor, 16), emit.const(result.numpy_dtype.itemsize))
        aligned = emit.load(emit.ptr, descriptor, 8)
        with emit.ip():
            return llvm.getelementptr(aligned, emit.i8, [_DYNAMIC_INDEX], [offset])

    def failure_block(self, cleanup):
        """A block that runs ``cleanup`` and returns NULL (the exception is already set)."""
        emit = self.emit
        current, failure = emit.block, emit.function.regions[0].blocks.append()
        emit.block = failure
        cleanup()
        emit.ret(emit.op(llvm.zero, emit.ptr))
        emit.block = current
        return failure


def capsule_destructor() -> int:
    """The address of a ``free_capsule(capsule)`` that frees the pointer a result's capsule holds, for JIT code."""
    return function_address(_destructor_engine(), "fxn_free_capsule")


@holding_compile_lock  # one engine: a second one, built by a racing first call, would be freed under live arrays
@functools.cache
def _destructor_engine():
    """The engine of ``fxn_free_capsule``: a module of its own, compiled once and never freed.

    Arrays may outlive the function that made them, and even this module:
    at interpreter teardown the module dicts (this cache among them) are
    cleared in an order fxn does not choose, and a result array still held
    by ``__main__`` would call unmapped code. So the engine is given one
    reference that nothing releases: its code stays mapped until the
    process ends. (A library loaded from the on-disk cache is never
    unloaded, and carries its own.)
    """
    from fxn.compiler import jit

    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        _add_runtime_table(module, "fxn_free_capsule__runtime")
        _add_capsule_destructor(module, "fxn_free_capsule", "fxn_free_capsule__runtime")
        engine = jit(module)
    fill_runtime_table(function_address(engine, "fxn_free_capsule__runtime"), 0, arrays=False)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(engine))
    return engine


def _add_capsule_destructor(module, symbol: str, table: str) -> None:
    """Add ``<symbol>(capsule)``, freeing the pointer the capsule holds, and its address getter."""
    ptr = ir.Type.parse("!llvm.ptr")
    with ir.InsertionPoint(module.body):
        function = llvm.function(symbol, "void (ptr)")
    (capsule,) = function.regions[0].blocks.append(ptr).arguments
    emit = _Emitter(function, None, table)
    emit.call_c("free", [emit.call_c("PyCapsule_GetPointer", [capsule, emit.op(llvm.zero, ptr)], ptr)])
    with emit.ip():
        llvm.return_()
    add_address_getter(module, symbol)


def _add_runtime_table(module, symbol: str) -> None:
    """Add the zeroed runtime table ``symbol`` (one pointer per slot) and its address getter."""
    count = len(RUNTIME_SLOTS)
    i64 = ir.IntegerType.get_signless(64)
    zeros = ir.DenseElementsAttr.get_splat(ir.RankedTensorType.get([count], i64), ir.IntegerAttr.get(i64, 0))
    with ir.InsertionPoint(module.body):
        llvm.internal_global(ir.Type.parse(f"!llvm.array<{count} x i64>"), symbol, zeros, alignment=8)
    add_address_getter(module, symbol)


def add_address_getter(module, symbol: str) -> None:
    """Add ``<symbol>__address() -> ptr``: the JIT only looks up packed wrappers, this gives a raw address."""
    with ir.InsertionPoint(module.body):
        getter = llvm.function(address_symbol(symbol), "ptr ()")
    block = getter.regions[0].blocks.append()
    with ir.InsertionPoint(block):
        llvm.return_(llvm.addressof(symbol))


def function_address(engine, symbol: str) -> int:
    """The raw address of ``symbol`` in a JIT engine, through its address getter's packed wrapper."""
    result = ctypes.c_void_p()
    packed = (ctypes.c_void_p * 1)(ctypes.addressof(result))
    ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.raw_lookup(address_symbol(symbol)))(ctypes.addressof(packed))
    return result.value


def add_python_entry(module, name: str, arg_types: list[TensorType], result_types: list[TensorType],
                     dim_names: list[tuple], scalar_result: bool, value_entry: bool, dim_assumptions=None,
                     string_args: list[bool] | None = None, string_result: bool = False) -> None:
    """Add ``fxn_<name>__python`` (and its address getter) to an LLVM-dialect module; see the module docstring.

    ``dim_names[i]`` gives argument ``i``'s dims as annotated (names where
    shared sizes are checked); ``scalar_result`` asks for a Python scalar;
    ``value_entry`` says the module has ``fxn_<name>__value``; ``dim_assumptions``
    (a ``DimAssumptions``) is checked on the array arguments' dims;
    ``string_args[i]`` says argument ``i`` is a ``str``, ``string_result``
    that the result is.
    """
    strings = string_args or [False] * len(arg_types)
    (result,) = result_types
    with module.context, ir.Location.unknown():
        ptr = ir.Type.parse("!llvm.ptr")
        with ir.InsertionPoint(module.body):
            function = llvm.function(entry_symbol(name), "ptr (ptr, ptr, i64, ptr)")
        i64 = ir.IntegerType.get_signless(64)
        self_value, args, nargs, keywords = function.regions[0].blocks.append(ptr, ptr, i64, ptr).arguments
        fallback = function.regions[0].blocks.append()
        _add_runtime_table(module, runtime_symbol(name))
        emit = _Emitter(function, fallback, runtime_symbol(name))
        _emit_fallback(emit, self_value, args, nargs, keywords)
        build = _EntryBuilder(emit, args)
        emit.require(emit.compare("eq", emit.as_int(keywords), emit.const(0)))
        emit.require(emit.compare("eq", nargs, emit.const(len(arg_types))))
        if value_entry and scalar_result:
            # The value entry takes an i1 as a byte that is 0 or 1 (fxn.entries.add_value_entry).
            values = [emit.op(llvm.cast, "zext", emit.i8, build.scalar(i, t)) if t.dtype == "i1" else build.scalar(i, t)
                      for i, t in enumerate(arg_types)]
            returned = emit.i8 if result.dtype == "i1" else _element_type(result.dtype)
            emit.ret(build.box(emit.call(value_symbol(name), values, returned), result.dtype))
        else:
            descriptors = [
                build.string_descriptor(i) if string else
                build.array_descriptor(i, t, names or (None,) * t.rank) if t.rank else
                build.descriptor(_stored(emit, build.scalar(i, t), t), [])
                for i, (t, names, string) in enumerate(zip(arg_types, dim_names, strings))
            ]
            if dim_assumptions is not None:
                build.require_assumptions(dim_assumptions)
            result_descriptor = emit.alloca(24 + 16 * result.rank)
            status = emit.alloca(STATUS_BYTES)
            emit.call(memref_symbol(name), [result_descriptor, *descriptors, status])
            # A failure: the Python path runs the call again and raises the MemoryError or IndexError.
            emit.require(emit.compare("eq", emit.load(emit.i64, status), emit.const(0)))
            if scalar_result:
                value = emit.load(emit.i8 if result.dtype == "i1" else _element_type(result.dtype),
                                  build.element_address(result, result_descriptor))
                emit.call_c("free", [emit.load(emit.ptr, result_descriptor)])
                emit.ret(build.box(value, result.dtype))
            elif string_result:
                emit.ret(build.string(result, result_descriptor))
            else:
                emit.ret(build.array(result, result_descriptor))
        add_address_getter(module, entry_symbol(name))
        _add_capsule_destructor(module, destructor_symbol(name), runtime_symbol(name))


def _stored(emit: _Emitter, value, expected: TensorType):
    """A stack slot holding ``value`` (an i1 as a byte, as memrefs of i1 store it)."""
    slot = emit.alloca(8)
    emit.store(emit.op(llvm.cast, "zext", emit.i8, value) if expected.dtype == "i1" else value, slot)
    return slot


def _emit_fallback(emit: _Emitter, self_value, args, nargs, keywords) -> None:
    """The fallback block: ``return self(*args, **keywords)``, the Python path."""
    current, emit.block = emit.block, emit.fallback
    emit.ret(emit.call_c("PyObject_Vectorcall", [self_value, args, nargs, keywords], emit.ptr))
    emit.block = current


class _JitCode:
    """A JIT engine as :func:`fxn.entry_binding.bind` reads compiled code (and what keeps it alive)."""

    def __init__(self, engine):
        self.engine = engine

    def address_of(self, symbol: str) -> int:
        return function_address(self.engine, symbol)


def builtin_function(engine, name: str, python_path, arrays: bool):
    """``fxn_<name>__python`` of a JIT engine, its runtime table filled (numpy's slots if ``arrays``), as a
    builtin function falling back to ``python_path(*args, **kwargs)``; see :func:`fxn.entry_binding.bind`.

    Result arrays free their buffers through :func:`capsule_destructor`,
    whose code outlives the engine (compiled on first need: an entry of
    scalars only makes no array, and its table's slot stays 0)."""
    return entry_binding.bind(_JitCode(engine), name, python_path, arrays, capsule_destructor() if arrays else 0)
