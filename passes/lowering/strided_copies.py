"""fxn-expand-strided-copies: copies between non-contiguous buffers as loops, not calls into MLIR's runtime.

Bufferization copies a tensor it cannot update in place (a slice of a
buffer other ops still read, say) with ``memref.copy``.
``finalize-memref-to-llvm`` lowers a copy between contiguous buffers to
``llvm.memcpy``, but any other to a call of ``memrefCopy`` in MLIR's C
runner library, which compiled code must not need (the JIT has no such
symbol, and artifacts import nothing of MLIR's).
"""

from __future__ import annotations

from dataclasses import dataclass

from fxn.mlir import ir, linalg

from ..registry import FxnPass
from ..transform_scripts import ops_named


def contiguous(type_: ir.Type) -> bool:
    """Whether a memref's elements are laid out row-major without gaps (as ``llvm.memcpy`` copies them)."""
    memref = ir.MemRefType(type_)
    if isinstance(memref.layout, ir.AffineMapAttr) and memref.layout.value == ir.AffineMap.get_identity(memref.rank):
        return True
    strides, _ = memref.get_strides_and_offset()
    expected = 1
    for size, stride in reversed(list(zip(memref.shape, strides))):
        if size == 1:
            continue
        if ir.ShapedType.is_dynamic_size(size) or stride != expected:
            return False
        expected *= size
    return True


@dataclass
class FxnExpandStridedCopies(FxnPass):
    """Make each memref.copy that involves a non-contiguous buffer a linalg.copy (loops after convert-linalg-to-loops).

    Copies between contiguous buffers stay (``llvm.memcpy``).
    Before/after::

        memref.copy %view, %buffer : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
        ==>
        linalg.copy ins(%view : memref<4x8xf32, strided<[16, 1]>>) outs(%buffer : memref<4x8xf32>)
    """

    argument = "fxn-expand-strided-copies"

    def run_on(self, op) -> None:
        with op.context:
            expanded = 0
            for copy in ops_named(op, "memref.copy"):
                source, target = copy.operands
                if contiguous(source.type) and contiguous(target.type):
                    continue
                with ir.InsertionPoint(copy), copy.location:
                    linalg.copy(source, outs=[target])
                copy.erase()
                expanded += 1
        self.count("expanded", "copies between non-contiguous buffers made loops", expanded)
