"""The Accelerate functions compiled code may call: one table, and the IR that declares and calls them.

:data:`FUNCTIONS` is the only list of Accelerate symbols this backend
knows: each entry's C declaration is copied from Apple's SDK headers
(``Accelerate.framework/Frameworks/vecLib.framework/Headers/cblas.h``,
the classic CBLAS interface, not the ``$NEWLAPACK`` one that macOS 13.3+
headers select under ``ACCELERATE_NEW_LAPACK``), and the backend's
:meth:`~fxn.backends.base.Backend.allowed_imports` is the allocator plus
exactly these names. A call is built at tensor level, before
bufferization:

- the callee is declared once per module as an ``llvm.func`` (not a
  ``func.func``: :func:`fxn.entries.namespace_functions` renames every
  ``func.func`` of a module to ``fxn_<name>``, which would rename a
  declaration added before a destination entry is lowered);
- array arguments are the aligned pointers of buffers with the identity
  layout (``bufferization.to_buffer ... read_only`` of an input,
  ``memref.alloc`` of an output, which ``bufferization.to_tensor ...
  restrict writable`` then hands back as a tensor), taken with
  ``memref.extract_aligned_pointer_as_index`` and ``llvm.inttoptr``,
  advanced by an element offset where a call works on part of a buffer.

Several of Accelerate's functions were considered and are *not* used,
each for a stated reason: ``vDSP_vma`` (``A*B+C``, strided vectors) gains
nothing over the generic NEON code of an elementwise ``fxn`` op, which
fuses with its neighbours; ``vImageScale_*`` resamples with a Lanczos
kernel, which is not ``fxn.resize``'s bilinear or nearest semantics, so
``fxn.resize`` stays the generic NEON code; ``vImageConvolve_PlanarF`` is a
single-channel 2-D filter without stride, dilation or groups (and with its
own edge modes), so ``fxn.conv2d`` is im2col + ``cblas_sgemm`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from fxn.mlir import arith, bufferization, ir, llvm, memref

#: ``enum CBLAS_ORDER`` and ``enum CBLAS_TRANSPOSE`` of cblas.h (C enums: passed as ``int``).
CBLAS_ROW_MAJOR = 101
CBLAS_NO_TRANS = 111
CBLAS_TRANS = 112


@dataclass(frozen=True)
class CFunction:
    """A C function of Accelerate: its name, its declaration in Apple's header, its LLVM parameter types."""

    name: str
    declaration: str  # as the header declares it (parameter names without their leading underscores)
    header: str  # the header, relative to Accelerate.framework
    parameters: tuple[str, ...]  # LLVM types of the parameters: "i32", "f32", "ptr"; the result is void

    def llvm_type(self) -> ir.Type:
        types = {"i32": lambda: ir.IntegerType.get_signless(32), "f32": ir.F32Type.get,
                 "ptr": llvm.PointerType.get}
        return llvm.FunctionType.get(llvm_void(), [types[p]() for p in self.parameters])


CBLAS_SGEMM = CFunction(
    "cblas_sgemm",
    "void cblas_sgemm(const enum CBLAS_ORDER Order, const enum CBLAS_TRANSPOSE TransA, "
    "const enum CBLAS_TRANSPOSE TransB, const int M, const int N, const int K, const float alpha, "
    "const float *A, const int lda, const float *B, const int ldb, const float beta, float *C, const int ldc)",
    "Frameworks/vecLib.framework/Headers/cblas.h",
    ("i32", "i32", "i32", "i32", "i32", "i32", "f32", "ptr", "i32", "ptr", "i32", "f32", "ptr", "i32"),
)

#: Every Accelerate function compiled code may call, by name: what artifacts may import besides the allocator.
FUNCTIONS = {f.name: f for f in (CBLAS_SGEMM,)}


def llvm_void() -> ir.Type:
    return ir.Type.parse("!llvm.void")


def _module_of(op) -> ir.Operation:
    module = op.operation
    while module.name != "builtin.module":
        module = module.parent
    return module


def declare(function: CFunction, at) -> None:
    """Declare ``function`` (an ``llvm.func`` without body) in the module holding the op ``at``, once."""
    module = _module_of(at)
    if function.name in ir.SymbolTable(module):
        return
    with ir.InsertionPoint.at_block_begin(module.regions[0].blocks[0]), ir.Location.unknown():
        llvm.LLVMFuncOp(function.name, ir.TypeAttr.get(function.llvm_type()))


def call(function: CFunction, at, *arguments: ir.Value) -> None:
    """``function(arguments...)`` at the insertion point (declared in ``at``'s module if it is not yet)."""
    if len(arguments) != len(function.parameters):
        raise TypeError(f"{function.name} takes {len(function.parameters)} arguments; got {len(arguments)}")
    declare(function, at)
    llvm.call(None, list(arguments), [], [], callee=function.name)


# ----------------------------------------------------------------------------- arguments


def i32(value: int | ir.Value) -> ir.Value:
    """An ``int`` argument: a constant, or an index value truncated to 32 bits (the caller keeps it in range)."""
    i32_type = ir.IntegerType.get_signless(32)
    if isinstance(value, int):
        return arith.constant(i32_type, value)
    return arith.index_cast(i32_type, value)


def f32(value: float) -> ir.Value:
    return arith.constant(ir.F32Type.get(), ir.FloatAttr.get(ir.F32Type.get(), value))


def identity_memref(tensor_value: ir.Value) -> ir.MemRefType:
    """The memref type of the same shape and element type as ``tensor_value``'s, identity layout."""
    tensor_type = ir.RankedTensorType(tensor_value.type)
    return ir.MemRefType.get(tensor_type.shape, tensor_type.element_type)


def input_buffer(tensor_value: ir.Value) -> ir.Value:
    """The buffer of a tensor the call only reads (``bufferization.to_buffer ... read_only``, identity layout).

    The identity layout makes bufferization give a dense row-major buffer
    with offset 0; the lowering copies operands whose buffer might not be
    one first (see :func:`fxn.backends.accelerate.lowering.dense`).
    """
    return bufferization.to_buffer(identity_memref(tensor_value), tensor_value, read_only=True)


def output_buffer(result: ir.RankedTensorType, dynamic_sizes: list[ir.Value]) -> ir.Value:
    """A fresh buffer (``memref.alloc``, checked by fxn's checked allocation) for a call to write."""
    return memref.alloc(ir.MemRefType.get(result.shape, result.element_type), dynamic_sizes, [])


def as_tensor(buffer: ir.Value, result: ir.RankedTensorType) -> ir.Value:
    """The tensor of a buffer a call wrote (``restrict``: nothing else aliases it; ``writable``: ours)."""
    return bufferization.to_tensor(result, buffer, restrict=True, writable=True)


def pointer(buffer: ir.Value, element_offset: ir.Value | None = None, element_bytes: int = 4) -> ir.Value:
    """``!llvm.ptr`` to element ``element_offset`` (row-major, from 0) of an identity-layout buffer."""
    address = memref.extract_aligned_pointer_as_index(buffer)
    if element_offset is not None:
        index_type = ir.IndexType.get()
        address = arith.addi(address, arith.muli(element_offset, arith.constant(index_type, element_bytes)))
    return llvm.inttoptr(llvm.PointerType.get(), arith.index_cast(ir.IntegerType.get_signless(64), address))
