"""The lowering of ``fxn.call_indirect``: an LLVM call through the address, on the scalars of its 0-d tensors.

The address becomes a pointer (``llvm.inttoptr``) and the call an indirect
``llvm.call`` of the signature's C type; ``llvm`` ops on builtin scalar
types live beside the tensor code until everything becomes LLVM, and
bufferization leaves them alone (they take no tensors)::

    %r = "fxn.call_indirect"(%f, %x) {signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
    ==>
    %a = tensor.extract %f[] : tensor<i64>
    %p = llvm.inttoptr %a : i64 to !llvm.ptr
    %v = tensor.extract %x[] : tensor<f32>
    %c = llvm.call %p(%v) : !llvm.ptr, (f32) -> f32
    %r = tensor.from_elements %c : tensor<f32>
"""

from __future__ import annotations

from fxn import llvm_ops
from fxn.mlir import arith, ir, tensor

from . import lowering
from .structured import element_type


@lowering("fxn.call_indirect")
def lower_call_indirect(op, target):
    result, _ = op.attrs().signature
    callee, *args = op.operands
    pointer = llvm_ops.cast("inttoptr", llvm_ops.ptr_type(), tensor.extract(callee, []))
    scalars = [tensor.extract(a, []) for a in args]
    # A value entry returns an i1 as a byte that is 0 or 1 (LLVM leaves a returned i1's upper bits undefined).
    returned = ir.IntegerType.get_signless(8) if result == "i1" else element_type(result)
    value = llvm_ops.call(returned, [pointer, *scalars])
    if result == "i1":
        value = arith.trunci(ir.IntegerType.get_signless(1), value)
    return tensor.from_elements(ir.RankedTensorType.get([], element_type(result)), [value])
