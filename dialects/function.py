"""Ops on functions as values: a call through a function pointer.

A function value is a native function address held in a 0-d ``i64``
tensor: the *value entry* of a compiled function (``fxn_<f>__value``, see
:mod:`fxn.entries`), which takes and returns plain C scalars. The op's
``signature`` attribute is the callee's type as a builtin function type of
element types (``(f32, f32) -> i1``): the call is only defined for an
address of a function of exactly that C type.

Parameters may have different element types: the arguments are an
:class:`~fxn.dialects.base.OperandList` of at most :data:`MAX_PARAMETERS`
operands (IRDL would make the values of one variadic operand share one
type), so the op carries ``operandSegmentSizes``.
"""

from fxn.mlir import ir

from .base import AttrSpec, FxnOp, Operand, OperandList
from .types import TensorType, VerifyError, _element_type_name

#: Element types a function value takes and returns (C scalars: f16 has no C type here).
SIGNATURE_DTYPES = ("f32", "f64", "i8", "ui8", "i32", "i64", "i1")
#: The most parameters a function value takes (the op's IRDL declaration has that many optional arguments).
MAX_PARAMETERS = 8


class SignatureAttr(AttrSpec):
    """A function type of scalar element types with one result: ``signature = (f32, f32) -> f32``.

    Builders take a ``(result dtype, [parameter dtypes])`` pair.
    """

    def to_mlir(self, value):
        from .types import _mlir_element_type

        result, params = value
        return ir.TypeAttr.get(ir.FunctionType.get([_mlir_element_type(p) for p in params],
                                                   [_mlir_element_type(result)]))

    def decode(self, name, attr):
        if not isinstance(attr, ir.TypeAttr) or not isinstance(attr.value, ir.FunctionType):
            raise VerifyError(f"attribute '{name}' must be a function type; got {attr}")
        function_type = ir.FunctionType(attr.value)
        if len(function_type.results) != 1:
            raise VerifyError(f"attribute '{name}' must have exactly one result; got {function_type}")
        dtypes = [_element_type_name(t) for t in [*function_type.inputs, *function_type.results]]
        if any(d not in SIGNATURE_DTYPES for d in dtypes):
            raise VerifyError(f"attribute '{name}' takes and returns scalars of {', '.join(SIGNATURE_DTYPES)}; "
                              f"got {function_type}")
        if len(function_type.inputs) > MAX_PARAMETERS:
            raise VerifyError(f"attribute '{name}' takes at most {MAX_PARAMETERS} parameters; got {function_type}")
        return dtypes[-1], tuple(dtypes[:-1])


class CallIndirectOp(FxnOp, name="call_indirect"):
    """A call of the function whose address ``callee`` holds, with the scalars of ``args``.

    ``callee`` is a 0-d ``i64``: the address of a native function of C type
    ``signature`` (an ``i1`` parameter or result passed as a byte that is 0
    or 1, as a value entry returns it). Each of ``args`` is a 0-d tensor of
    its parameter's element type, in order; the result is the function's
    return value as a 0-d tensor. The callee must be pure (compiled fxn
    functions are): the op is, so equal calls may be merged and unused ones
    removed. An address that is not a function of that type is undefined
    behaviour, as in C.

    ``%r = "fxn.call_indirect"(%f, %x, %n) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0>,
    signature = (f64, i32) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>) -> tensor<f64>``

    The arguments are up to :data:`MAX_PARAMETERS` optional operands to IRDL,
    each checked on its own (one variadic operand would bind one type for
    all its values), hence ``operandSegmentSizes``: 1 for the callee, 1 per
    argument, then 0s; the signature decides each argument's type.
    """

    callee: Operand
    args: OperandList[MAX_PARAMETERS]
    signature = SignatureAttr()

    @classmethod
    def infer_type(cls, args, attrs):
        result, params = attrs.signature
        if args.callee != TensorType("i64", ()):
            raise VerifyError(f"operand 'callee' must be a function address, tensor<i64>; got {args.callee}")
        if len(args.args) != len(params):
            raise VerifyError(f"signature takes {len(params)} argument(s); got {len(args.args)}")
        for index, (given, wanted) in enumerate(zip(args.args, params)):
            if given != TensorType(wanted, ()):
                raise VerifyError(f"argument #{index} must be tensor<{wanted}> as the signature says; got {given}")
        return TensorType(result, ())
