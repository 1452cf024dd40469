"""The lowering of ``fxn.call_indirect``: an LLVM call through the address, on the scalars of its 0-d tensors.

The address becomes a pointer (``llvm.inttoptr``) and the call an indirect
``llvm.call`` of the signature's C type, each argument of its own type;
``llvm`` ops on builtin scalar types live beside the tensor code until
everything becomes LLVM, and bufferization leaves them alone (they take no
tensors). An ``i1`` travels as a byte that is 0 or 1 both ways, as C's
``bool`` and a value entry's result do (LLVM leaves the upper bits of an
``i1`` in a register undefined)::

    %r = "fxn.call_indirect"(%f, %x, %b) {operandSegmentSizes = ..., signature = (f32, i1) -> f32}
        : (tensor<i64>, tensor<f32>, tensor<i1>) -> tensor<f32>
    ==>
    %a = tensor.extract %f[] : tensor<i64>
    %p = llvm.inttoptr %a : i64 to !llvm.ptr
    %v = tensor.extract %x[] : tensor<f32>
    %e = tensor.extract %b[] : tensor<i1>
    %w = arith.extui %e : i1 to i8
    %c = llvm.call %p(%v, %w) : !llvm.ptr, (f32, i8 {llvm.zeroext}) -> f32
    %r = tensor.from_elements %c : tensor<f32>
"""

from __future__ import annotations

from fxn import llvm_ops
from fxn.mlir import arith, ir, tensor

from . import lowering
from .structured import element_type


@lowering("fxn.call_indirect")
def lower_call_indirect(op, target):
    result, params = op.attrs().signature
    callee, *args = op.operands
    byte = ir.IntegerType.get_signless(8)
    pointer = llvm_ops.cast("inttoptr", llvm_ops.ptr_type(), tensor.extract(callee, []))
    scalars = [arith.extui(byte, tensor.extract(a, [])) if dtype == "i1" else tensor.extract(a, [])
               for a, dtype in zip(args, params)]
    # A byte argument is zero-extended to its register, as C callers extend a bool (clang's callees rely on it).
    extension = [ir.DictAttr.get({"llvm.zeroext": ir.UnitAttr.get()} if dtype == "i1" else {}) for dtype in params]
    value = llvm_ops.call(byte if result == "i1" else element_type(result), [pointer, *scalars],
                          arg_attrs=ir.ArrayAttr.get(extension))
    if result == "i1":
        value = arith.trunci(ir.IntegerType.get_signless(1), value)
    return tensor.from_elements(ir.RankedTensorType.get([], element_type(result)), [value])
