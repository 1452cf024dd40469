"""The CPython entry of a JIT-compiled function: the interpreter calls compiled code directly.

:func:`add_python_entry` adds to a concrete function's LLVM-dialect module a
``METH_FASTCALL | METH_KEYWORDS`` C function
``fxn_<name>__python(self, args, nargs, kwnames)`` that,
in the common case, does all a call needs without running Python code:

- it unboxes each argument: an exact ``float`` for an f32/f64 0-d parameter,
  an exact ``int`` in range for an integer one, ``True``/``False`` for an i1
  one, and for any other parameter a numpy array of exactly its dtype and
  rank, C-contiguous and aligned, whose dims fit the static dims, agree
  wherever annotations share a dim name and meet what the compiled code
  assumes of them (:mod:`fxn.passes.lowering.dim_assumptions`);
- it calls the value entry (scalars in and out) or the memref entry with
  descriptors and the status on the stack (see :mod:`fxn.runtime`); a
  status that reports a failure (an allocation, an index out of bounds)
  sends the call to the Python path, which runs it again and raises the
  ``MemoryError`` or ``IndexError``;
- it boxes the result: a Python scalar where the signature asks for one,
  else a numpy array that owns the buffer the compiled code ``malloc``'ed
  (its base is a capsule that frees it).

Any other call (keyword arguments, torch tensors, lists, strided views,
numpy scalars, a wrong type) goes to ``self``, the Python path (binding the
arguments, then :class:`fxn.runtime.Executable`), which converts them or
raises the ``TypeError``: this entry only makes common calls fast, it
decides nothing. It holds the GIL while the compiled code runs (as numba
does by default).

The entry calls this process's C API (CPython's, numpy's, libc's ``free``)
through addresses taken here, and reads ``PyFloatObject`` and numpy's
``PyArrayObject_fields`` at offsets checked against live objects
(:func:`layout_matches`); it is therefore built for the JIT only, never for
artifacts, and not at all where the check fails.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np

from fxn.compile_lock import holding_compile_lock
from fxn.dialects import TensorType
from fxn.dialects.types import bit_width
from fxn.mlir import ir, llvm
from fxn.entries import SCALAR_CTYPES, memref_symbol, value_symbol
from fxn.passes.lowering.checked_allocation import STATUS_BYTES

#: Byte offsets in CPython and numpy objects (64-bit, release build), checked by layout_matches().
OBJECT_TYPE = 8  # PyObject.ob_type
FLOAT_VALUE = 16  # PyFloatObject.ob_fval
ARRAY_DATA, ARRAY_NDIM, ARRAY_DIMS, ARRAY_DESCR, ARRAY_FLAGS = 16, 24, 32, 56, 64  # PyArrayObject_fields
#: numpy flags: an argument must be C-contiguous and aligned; results are also writeable.
C_CONTIGUOUS_AND_ALIGNED = 0x0001 | 0x0100
RESULT_FLAGS = C_CONTIGUOUS_AND_ALIGNED | 0x0400
#: Slots of numpy's C API table (numpy_api.py: indices never change).
NUMPY_NEW_FROM_DESCR, NUMPY_SET_BASE_OBJECT = 94, 282
METH_FASTCALL_KEYWORDS = 0x0080 | 0x0002
#: What llvm.getelementptr's constant indices hold where an index is dynamic.
_DYNAMIC_INDEX = -(2**31)


def entry_symbol(name: str) -> str:
    """The CPython entry of function ``name``."""
    return f"{memref_symbol(name)}__python"


def _address_symbol(symbol: str) -> str:
    return f"{symbol}__address"


@functools.cache
def layout_matches() -> bool:
    """Whether this process's float and ndarray objects have the layout the entry reads."""
    def at(obj, offset, ctype):
        return ctype.from_address(id(obj) + offset).value

    number = 1.25
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    dims = ctypes.cast(at(array, ARRAY_DIMS, ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64))
    return (
        at(number, OBJECT_TYPE, ctypes.c_void_p) == id(float)
        and at(number, FLOAT_VALUE, ctypes.c_double) == number
        and at(array, OBJECT_TYPE, ctypes.c_void_p) == id(np.ndarray)
        and at(array, ARRAY_DATA, ctypes.c_void_p) == array.ctypes.data
        and at(array, ARRAY_NDIM, ctypes.c_int) == 2
        and (dims[0], dims[1]) == (2, 3)
        and at(array, ARRAY_DESCR, ctypes.c_void_p) == id(array.dtype)
        and at(array, ARRAY_FLAGS, ctypes.c_int) == array.flags.num
    )


def _python_function(name: str, result, *args):
    """A ctypes function of the C API, holding the GIL (not ctypes.pythonapi's shared, mutable one)."""
    return ctypes.PYFUNCTYPE(result, *args)((name, ctypes.pythonapi))


@holding_compile_lock  # outside the cache: two first calls must not both build it
@functools.cache
def _c_api() -> dict[str, int]:
    """Addresses of the C functions the entry calls."""
    names = ["PyFloat_FromDouble", "PyLong_FromLongLong", "PyLong_AsLongLongAndOverflow", "PyBool_FromLong",
             "PyObject_Vectorcall", "PyCapsule_New", "PyCapsule_GetPointer", "Py_IncRef", "Py_DecRef"]
    addresses = {name: ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value for name in names}
    addresses["free"] = ctypes.cast(ctypes.CDLL(ctypes.util.find_library("c")).free, ctypes.c_void_p).value
    get_pointer = _python_function("PyCapsule_GetPointer", ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)
    from numpy._core import _multiarray_umath

    table = ctypes.cast(get_pointer(_multiarray_umath._ARRAY_API, None), ctypes.POINTER(ctypes.c_void_p))
    addresses["PyArray_NewFromDescr"] = table[NUMPY_NEW_FROM_DESCR]
    addresses["PyArray_SetBaseObject"] = table[NUMPY_SET_BASE_OBJECT]
    return addresses


def can_enter(arg_types: list[TensorType], result_types: list[TensorType], scalar_result: bool) -> bool:
    """Whether a signature gets a CPython entry: one result, and scalars (0-d arguments, a scalar result) of C dtypes."""
    scalars = [t for t in arg_types if t.rank == 0] + (result_types[:1] if scalar_result else [])
    return len(result_types) == 1 and all(t.dtype in SCALAR_CTYPES for t in scalars) and layout_matches()


class _Emitter:
    """Builds one LLVM-dialect function block by block; a failed check branches to the fallback block."""

    def __init__(self, function, fallback):
        self.function = function
        self.fallback = fallback
        self.block = function.body.blocks[0]
        self.i8, self.i32, self.i64 = (ir.IntegerType.get_signless(n) for n in (8, 32, 64))
        self.ptr = ir.Type.parse("!llvm.ptr")

    def ip(self):
        return ir.InsertionPoint(self.block)

    def const(self, value: int, type=None):
        with self.ip():
            type = type or self.i64
            return llvm.mlir_constant(ir.IntegerAttr.get(type, value))

    def at(self, pointer, offset: int):
        with self.ip():
            return llvm.getelementptr(self.ptr, pointer, [], [offset], self.i8, llvm.GEPNoWrapFlags.none)

    def load(self, type, pointer, offset: int = 0):
        with self.ip():
            return llvm.load(type, self.at(pointer, offset) if offset else pointer)

    def store(self, value, pointer, offset: int = 0):
        with self.ip():
            llvm.store(value, self.at(pointer, offset) if offset else pointer)

    def pointer(self, address: int):
        with self.ip():
            return llvm.inttoptr(self.ptr, self.const(address))

    def as_int(self, pointer):
        with self.ip():
            return llvm.ptrtoint(self.i64, pointer)

    def compare(self, predicate: str, lhs, rhs):
        with self.ip():
            return llvm.icmp(getattr(llvm.ICmpPredicate, predicate), lhs, rhs)

    def op(self, build, *args):
        """Any other op: ``build(*args)`` at the end of the current block."""
        with self.ip():
            return build(*args)

    def call_c(self, name: str, args: list, result=None):
        """Call a C function of this process through its address (an indirect call)."""
        callee = self.pointer(_c_api()[name])
        with self.ip():
            return llvm.call(result, [callee, *args], [], [])

    def call(self, symbol: str, args: list, result=None):
        """Call a function of this module."""
        with self.ip():
            return llvm.call(result, args, [], [], callee=symbol)

    def alloca(self, size: int):
        one = self.const(1)
        with self.ip():
            return llvm.alloca(self.ptr, one, ir.Type.parse(f"!llvm.array<{size} x i8>"), alignment=16)

    def require(self, condition) -> None:
        """Continue in a new block if ``condition`` holds, else take the fallback."""
        self.branch_unless(condition, self.fallback)

    def branch_unless(self, condition, otherwise) -> None:
        """Continue in a new block if ``condition`` holds, else go to block ``otherwise``."""
        passed = self.function.body.blocks.append()
        with self.ip():
            llvm.cond_br(condition, [], [], passed, otherwise)
        self.block = passed

    def ret(self, value) -> None:
        with self.ip():
            llvm.return_(arg=value)


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
        return self.emit.as_int(self.emit.load(self.emit.ptr, obj, OBJECT_TYPE))

    def scalar(self, index: int, expected: TensorType):
        """The C value of argument ``index`` for a 0-d parameter; falls back unless it is an exact Python scalar."""
        emit, obj = self.emit, self.argument(index)
        element = _element_type(expected.dtype)
        if expected.dtype == "i1":
            is_true = emit.compare("eq", emit.as_int(obj), emit.const(id(True)))
            is_false = emit.compare("eq", emit.as_int(obj), emit.const(id(False)))
            emit.require(emit.op(llvm.or_, is_true, is_false))
            return is_true
        if expected.is_float:
            emit.require(emit.compare("eq", self.type_of(obj), emit.const(id(float))))
            value = emit.load(ir.F64Type.get(), obj, FLOAT_VALUE)
            return value if expected.dtype == "f64" else emit.op(llvm.fptrunc, element, value)
        emit.require(emit.compare("eq", self.type_of(obj), emit.const(id(int))))
        overflow = emit.alloca(4)
        value = emit.call_c("PyLong_AsLongLongAndOverflow", [obj, overflow], emit.i64)
        emit.require(emit.compare("eq", emit.load(emit.i32, overflow), emit.const(0, emit.i32)))
        info = np.iinfo(expected.numpy_dtype)
        emit.require(emit.compare("sge", value, emit.const(int(info.min))))
        emit.require(emit.compare("sle", value, emit.const(int(info.max))))
        return value if expected.dtype == "i64" else emit.op(llvm.trunc, element, value, llvm.IntegerOverflowFlags.none)

    def array_descriptor(self, index: int, expected: TensorType, names: tuple):
        """A memref descriptor of argument ``index``; falls back unless it is a fitting numpy array."""
        emit, obj, rank = self.emit, self.argument(index), expected.rank
        emit.require(emit.compare("eq", self.type_of(obj), emit.const(id(np.ndarray))))
        descr = emit.as_int(emit.load(emit.ptr, obj, ARRAY_DESCR))
        emit.require(emit.compare("eq", descr, emit.const(id(expected.numpy_dtype))))
        emit.require(emit.compare("eq", emit.load(emit.i32, obj, ARRAY_NDIM), emit.const(rank, emit.i32)))
        flags = emit.op(llvm.and_, emit.load(emit.i32, obj, ARRAY_FLAGS), emit.const(C_CONTIGUOUS_AND_ALIGNED, emit.i32))
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
            stride = emit.op(llvm.mul, stride, sizes[axis], llvm.IntegerOverflowFlags.none)
        return descriptor

    # --------------------------------------------------------------------- results

    def box(self, value, dtype: str):
        """A new Python scalar of a C value."""
        emit = self.emit
        if dtype in ("f32", "f64"):
            double = value if dtype == "f64" else emit.op(llvm.fpext, ir.F64Type.get(), value)
            return emit.call_c("PyFloat_FromDouble", [double], emit.ptr)
        wide = emit.op(llvm.zext if dtype in ("i1", "ui8") else llvm.sext, emit.i64, value)
        return emit.call_c("PyBool_FromLong" if dtype == "i1" else "PyLong_FromLongLong", [wide], emit.ptr)

    def array(self, result: TensorType, descriptor):
        """A numpy array over the result buffer described at ``descriptor``, owning it (or NULL and the buffer freed)."""
        emit = self.emit
        allocated = emit.load(emit.ptr, descriptor)
        data = self.element_address(result, descriptor)
        dtype = result.numpy_dtype
        emit.call_c("Py_IncRef", [emit.pointer(id(dtype))])  # PyArray_NewFromDescr steals a reference
        array = emit.call_c("PyArray_NewFromDescr", [
            emit.pointer(id(np.ndarray)), emit.pointer(id(dtype)), emit.const(result.rank, emit.i32),
            emit.at(descriptor, 24), emit.op(llvm.mlir_zero, emit.ptr), data, emit.const(RESULT_FLAGS, emit.i32),
            emit.op(llvm.mlir_zero, emit.ptr)], emit.ptr)
        free_buffer = self.failure_block(lambda: emit.call_c("free", [allocated]))
        emit.branch_unless(emit.compare("ne", emit.as_int(array), emit.const(0)), free_buffer)
        capsule = emit.call_c("PyCapsule_New", [allocated, emit.op(llvm.mlir_zero, emit.ptr),
                                                emit.pointer(capsule_destructor())], emit.ptr)
        release_array = self.failure_block(lambda: (emit.call_c("Py_DecRef", [array]), emit.call_c("free", [allocated])))
        emit.branch_unless(emit.compare("ne", emit.as_int(capsule), emit.const(0)), release_array)
        status = emit.call_c("PyArray_SetBaseObject", [array, capsule], emit.i32)  # steals the capsule
        release_only = self.failure_block(lambda: emit.call_c("Py_DecRef", [array]))
        emit.branch_unless(emit.compare("eq", status, emit.const(0, emit.i32)), release_only)
        return array

    def element_address(self, result: TensorType, descriptor):
        emit = self.emit
        offset = emit.op(llvm.mul, emit.load(emit.i64, descriptor, 16), emit.const(result.numpy_dtype.itemsize),
                         llvm.IntegerOverflowFlags.none)
        aligned = emit.load(emit.ptr, descriptor, 8)
        with emit.ip():
            return llvm.getelementptr(emit.ptr, aligned, [offset], [_DYNAMIC_INDEX], emit.i8, llvm.GEPNoWrapFlags.none)

    def failure_block(self, cleanup):
        """A block that runs ``cleanup`` and returns NULL (the exception is already set)."""
        emit = self.emit
        current, failure = emit.block, emit.function.body.blocks.append()
        emit.block = failure
        cleanup()
        emit.ret(emit.op(llvm.mlir_zero, emit.ptr))
        emit.block = current
        return failure


def capsule_destructor() -> int:
    """The address of ``fxn_free_capsule(capsule)``: frees the pointer a result's capsule holds."""
    return _function_address(_destructor_engine(), "fxn_free_capsule")


@holding_compile_lock  # one engine: a second one, built by a racing first call, would be freed under live arrays
@functools.cache
def _destructor_engine():
    """The engine of ``fxn_free_capsule``: a module of its own, compiled once and never freed.

    Arrays may outlive the function that made them, and even this module:
    at interpreter teardown the module dicts (this cache among them) are
    cleared in an order fxn does not choose, and a result array still held
    by ``__main__`` would call unmapped code. So the engine is given one
    reference that nothing releases: its code stays mapped until the
    process ends.
    """
    from fxn.compiler import jit

    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        ptr = ir.Type.parse("!llvm.ptr")
        with ir.InsertionPoint(module.body):
            function = llvm.LLVMFuncOp("fxn_free_capsule", ir.TypeAttr.get(ir.Type.parse("!llvm.func<void (ptr)>")))
        (capsule,) = function.body.blocks.append(ptr).arguments
        emit = _Emitter(function, None)
        emit.call_c("free", [emit.call_c("PyCapsule_GetPointer", [capsule, emit.op(llvm.mlir_zero, ptr)], ptr)])
        with emit.ip():
            llvm.return_()
        _add_address_getter(module, "fxn_free_capsule")
        engine = jit(module)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(engine))
    return engine


def _add_address_getter(module, symbol: str) -> None:
    """Add ``<symbol>__address() -> ptr``: the JIT only looks up packed wrappers, this gives a raw address."""
    ptr = ir.Type.parse("!llvm.ptr")
    with ir.InsertionPoint(module.body):
        getter = llvm.LLVMFuncOp(_address_symbol(symbol), ir.TypeAttr.get(ir.Type.parse("!llvm.func<ptr ()>")))
    block = getter.body.blocks.append()
    with ir.InsertionPoint(block):
        llvm.return_(arg=llvm.mlir_addressof(ptr, symbol))


def _function_address(engine, symbol: str) -> int:
    """The raw address of ``symbol`` in a JIT engine, through its address getter's packed wrapper."""
    result = ctypes.c_void_p()
    packed = (ctypes.c_void_p * 1)(ctypes.addressof(result))
    ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.raw_lookup(_address_symbol(symbol)))(ctypes.addressof(packed))
    return result.value


def add_python_entry(module, name: str, arg_types: list[TensorType], result_types: list[TensorType],
                     dim_names: list[tuple], scalar_result: bool, value_entry: bool, dim_assumptions=None) -> None:
    """Add ``fxn_<name>__python`` (and its address getter) to an LLVM-dialect module; see the module docstring.

    ``dim_names[i]`` gives argument ``i``'s dims as annotated (names where
    shared sizes are checked); ``scalar_result`` asks for a Python scalar;
    ``value_entry`` says the module has ``fxn_<name>__value``; ``dim_assumptions``
    (a ``DimAssumptions``) is checked on the array arguments' dims.
    """
    (result,) = result_types
    with module.context, ir.Location.unknown():
        ptr = ir.Type.parse("!llvm.ptr")
        with ir.InsertionPoint(module.body):
            function = llvm.LLVMFuncOp(entry_symbol(name),
                                       ir.TypeAttr.get(ir.Type.parse("!llvm.func<ptr (ptr, ptr, i64, ptr)>")))
        i64 = ir.IntegerType.get_signless(64)
        self_value, args, nargs, keywords = function.body.blocks.append(ptr, ptr, i64, ptr).arguments
        fallback = function.body.blocks.append()
        emit = _Emitter(function, fallback)
        _emit_fallback(emit, self_value, args, nargs, keywords)
        build = _EntryBuilder(emit, args)
        emit.require(emit.compare("eq", emit.as_int(keywords), emit.const(0)))
        emit.require(emit.compare("eq", nargs, emit.const(len(arg_types))))
        if value_entry and scalar_result:
            values = [build.scalar(i, t) for i, t in enumerate(arg_types)]
            returned = emit.i8 if result.dtype == "i1" else _element_type(result.dtype)
            emit.ret(build.box(emit.call(value_symbol(name), values, returned), result.dtype))
        else:
            descriptors = [
                build.array_descriptor(i, t, names or (None,) * t.rank) if t.rank else
                build.descriptor(_stored(emit, build.scalar(i, t), t), [])
                for i, (t, names) in enumerate(zip(arg_types, dim_names))
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
            else:
                emit.ret(build.array(result, result_descriptor))
        _add_address_getter(module, entry_symbol(name))


def _stored(emit: _Emitter, value, expected: TensorType):
    """A stack slot holding ``value`` (an i1 as a byte, as memrefs of i1 store it)."""
    slot = emit.alloca(8)
    emit.store(emit.op(llvm.zext, emit.i8, value) if expected.dtype == "i1" else value, slot)
    return slot


def _emit_fallback(emit: _Emitter, self_value, args, nargs, keywords) -> None:
    """The fallback block: ``return self(*args, **keywords)``, the Python path."""
    current, emit.block = emit.block, emit.fallback
    emit.ret(emit.call_c("PyObject_Vectorcall", [self_value, args, nargs, keywords], emit.ptr))
    emit.block = current


class _MethodDef(ctypes.Structure):
    """CPython's ``PyMethodDef``."""

    _fields_ = [("name", ctypes.c_char_p), ("method", ctypes.c_void_p), ("flags", ctypes.c_int), ("doc", ctypes.c_char_p)]


class _Fallback:
    """The ``self`` of an entry's builtin function: the Python path, and the method definition the builtin reads."""

    __slots__ = ("python_path", "method")

    def __init__(self, python_path, method: _MethodDef):
        self.python_path = python_path
        self.method = method

    def __call__(self, *args, **kwargs):
        return self.python_path(*args, **kwargs)


def builtin_function(engine, name: str, python_path):
    """``fxn_<name>__python`` of a JIT engine as a builtin function falling back to ``python_path(*args, **kwargs)``.

    ``python_path`` must return what the entry returns; the builtin keeps it
    alive, and it must keep the engine alive.
    """
    method = _MethodDef(name.encode(), _function_address(engine, entry_symbol(name)), METH_FASTCALL_KEYWORDS, None)
    new = _python_function("PyCFunction_NewEx", ctypes.py_object, ctypes.c_void_p, ctypes.py_object, ctypes.py_object)
    return new(ctypes.addressof(method), _Fallback(python_path, method), None)
