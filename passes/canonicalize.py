"""fxn-canonicalize: rewrite patterns that remove fxn ops which provably do nothing."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from fxn.dialects import OPS
from fxn.mlir import rewrite

from .patterns import defining_op, is_splat_of, tensor_type
from .registry import FxnPass

_MATCH_FAILED = True  # a pattern function returns a truthy value when it does not apply


def _same_type(value, result) -> bool:
    return value.type == result.type


def _replace_with(rewriter, op, value):
    rewriter.replace_op(op, [value])


def _identity_operand(op, identity, negative_zero=None, commutative=True):
    """The operand that ``op`` returns unchanged when the other one is the splat ``identity``."""
    lhs, rhs = op.operands[0], op.operands[1]
    result = op.results[0]
    if is_splat_of(rhs, identity, negative_zero=negative_zero) and _same_type(lhs, result):
        return lhs
    if commutative and is_splat_of(lhs, identity, negative_zero=negative_zero) and _same_type(rhs, result):
        return rhs
    return None


def fold_mul_by_one(op, rewriter):
    kept = _identity_operand(op, 1)
    if kept is None:
        return _MATCH_FAILED
    _replace_with(rewriter, op, kept)


def _float_zero_sign(op, needed: bool, no_signed_zeros: bool):
    """The sign a float zero must have to be an identity (None: any zero, as for integers)."""
    if no_signed_zeros or not tensor_type(op.results[0]).is_float:
        return None
    return needed


def fold_add_zero(op, rewriter, no_signed_zeros=False):
    # -0.0 + +0.0 is +0.0, so only -0.0 is an additive identity of floats.
    kept = _identity_operand(op, 0, negative_zero=_float_zero_sign(op, True, no_signed_zeros))
    if kept is None:
        return _MATCH_FAILED
    _replace_with(rewriter, op, kept)


def fold_sub_zero(op, rewriter, no_signed_zeros=False):
    kept = _identity_operand(
        op, 0, negative_zero=_float_zero_sign(op, False, no_signed_zeros), commutative=False
    )
    if kept is None:
        return _MATCH_FAILED
    _replace_with(rewriter, op, kept)


def fold_div_by_one(op, rewriter):
    kept = _identity_operand(op, 1, commutative=False)
    if kept is None:
        return _MATCH_FAILED
    _replace_with(rewriter, op, kept)


def fold_transpose(op, rewriter):
    permutation = list(op.attrs().permutation)
    source = op.operands[0]
    inner = defining_op(source, "fxn.transpose")
    if inner is not None:
        # out dim i = inner-result dim permutation[i] = source dim inner_perm[permutation[i]]
        inner_permutation = inner.attrs().permutation
        permutation = [inner_permutation[p] for p in permutation]
        source = inner.operands[0]
    if permutation == list(range(len(permutation))):
        _replace_with(rewriter, op, source)
    elif inner is not None:
        with rewriter.ip:
            composed = OPS["fxn.transpose"].build(source, permutation=permutation, loc=op.location)
        _replace_with(rewriter, op, composed)
    else:
        return _MATCH_FAILED


def fold_reshape(op, rewriter):
    source, result = op.operands[0], op.results[0]
    if _same_type(source, result) and tensor_type(result).is_static:
        return _replace_with(rewriter, op, source)
    inner = defining_op(source, "fxn.reshape")
    if inner is None:
        return _MATCH_FAILED
    with rewriter.ip:
        direct = OPS["fxn.reshape"].build(
            inner.operands[0], shape=op.attrs().shape, result_type=tensor_type(result), loc=op.location
        )
    _replace_with(rewriter, op, direct)


def fold_to_same_type(op, rewriter):
    """broadcast_to / cast whose result type is its operand's type."""
    source, result = op.operands[0], op.results[0]
    if not (_same_type(source, result) and tensor_type(result).is_static):
        return _MATCH_FAILED
    _replace_with(rewriter, op, source)


def fold_cast_to_same_type(op, rewriter):
    if not _same_type(op.operands[0], op.results[0]):
        return _MATCH_FAILED
    _replace_with(rewriter, op, op.operands[0])


def fold_whole_slice(op, rewriter):
    source = op.operands[0]
    shape = tensor_type(source).shape
    attrs = op.attrs()
    whole = (
        all(s == 0 for s in attrs.starts)
        and all(s == 1 for s in attrs.strides)
        and all(d is not None and limit == d for limit, d in zip(attrs.limits, shape))
    )
    if not whole:
        return _MATCH_FAILED
    _replace_with(rewriter, op, source)


PATTERNS = {
    "fxn.mul": fold_mul_by_one,
    "fxn.add": fold_add_zero,
    "fxn.sub": fold_sub_zero,
    "fxn.div": fold_div_by_one,
    "fxn.transpose": fold_transpose,
    "fxn.reshape": fold_reshape,
    "fxn.broadcast_to": fold_to_same_type,
    "fxn.cast": fold_cast_to_same_type,
    "fxn.slice": fold_whole_slice,
}


def frozen_patterns(no_signed_zeros: bool = False):
    patterns = rewrite.RewritePatternSet()
    for op_name, pattern in PATTERNS.items():
        if pattern in (fold_add_zero, fold_sub_zero):
            pattern = functools.partial(pattern, no_signed_zeros=no_signed_zeros)
        patterns.add(OPS[op_name], pattern)
    return patterns.freeze()


@dataclass
class FxnCanonicalize(FxnPass):
    """Remove fxn ops that provably do nothing (x*1, x+0, double transpose, no-op reshape/cast/slice ...).

    Rewrites: ``x*1``, ``1*x``, ``x+0``, ``0+x``, ``x-0``, ``x/1``; transpose
    of transpose (composed, or removed if the identity); identity transpose;
    reshape of reshape; reshape, broadcast_to or cast to the operand's own
    type; slice of the whole tensor. Dead pure ops are erased by the greedy
    driver. An identity whose constant would broadcast ``x`` to a larger
    shape is kept.

    Each rewrite keeps the exact semantics, IEEE signed zeros included: for
    floats ``x + (-0.0)`` and ``x - (+0.0)`` fold, while ``x + (+0.0)`` does
    not (it turns ``-0.0`` into ``+0.0``) unless ``no-signed-zeros`` is set,
    the fast-math assumption that the sign of a zero does not matter.
    Before/after::

        %one = "fxn.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
        %y = "fxn.mul"(%x, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
        %t = "fxn.transpose"(%y) {permutation = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
        ==>  uses of %t use %x
    """

    argument = "fxn-canonicalize"
    no_signed_zeros: bool = field(
        default=False, metadata={"help": "treat +0.0 and -0.0 alike: also fold x + 0.0 and x - (-0.0)"}
    )

    def run_on(self, op) -> None:
        rewrite.apply_patterns_and_fold_greedily(op, frozen_patterns(self.no_signed_zeros))
