"""fxn-fold-batch-norm: an inference batch_norm after a conv2d or linear becomes part of its weights and bias."""

from __future__ import annotations

from dataclasses import dataclass

from fxn.lazy import numpy as np

from fxn.dialects import OPS

from .patterns import apply_counting, attribute_value, defining_op, tensor_type
from .registry import FxnPass

_MATCH_FAILED = True  # a pattern function returns a truthy value when it does not apply
#: Element types folded: f16 batch_norm computes in f32 and rounds once, which scaled f16 weights would not.
_FOLDED_DTYPES = ("f32", "f64")


def _fold(batch_norm, rewriter):
    """``batch_norm(conv2d(x, w, b))`` -> ``conv2d(x, w * s, (b - mean) * s + beta)``, ``s = gamma / sqrt(var + eps)``.

    The same for ``linear`` whose result is ``(N, out)``: batch_norm's
    channels (dim 1) are then the linear's output features.
    """
    source = batch_norm.operands[0]
    producer = defining_op(source, "fxn.conv2d") or defining_op(source, "fxn.linear")
    if producer is None or len(list(source.uses)) != 1:
        return _MATCH_FAILED
    if tensor_type(source).dtype not in _FOLDED_DTYPES:
        return _MATCH_FAILED
    is_conv = producer.operation.name == "fxn.conv2d"
    if not is_conv and tensor_type(source).rank != 2:
        return _MATCH_FAILED
    x, weight = producer.operands[0], producer.operands[1]
    bias = producer.operands[2] if len(producer.operands) == 3 else None
    mean, var, gamma, beta = batch_norm.operands[1:5]
    dtype = tensor_type(source).dtype
    eps = float(batch_norm.attributes["eps"].value)
    location = batch_norm.location
    with rewriter.ip:
        def op(name, *operands, **attrs):
            return OPS[f"fxn.{name}"].build(*operands, loc=location, **attrs)

        epsilon = OPS["fxn.constant"].from_numpy(np.array(eps, dtype=np.dtype(dtype.replace("f", "float"))),
                                                 loc=location)
        scale = op("div", gamma, op("sqrt", op("add", var, epsilon)))
        weight_rank = tensor_type(weight).rank
        scale_column = op("reshape", scale, shape=(-1,) + (1,) * (weight_rank - 1))
        folded_weight = op("mul", weight, scale_column)
        shifted = op("sub", bias, mean) if bias is not None else op("neg", mean)
        folded_bias = op("add", op("mul", shifted, scale), beta)
        if is_conv:
            attrs = {name: attribute_value(producer, name) for name in ("stride", "padding", "dilation", "groups")}
            fused = op("conv2d", x, folded_weight, folded_bias, **attrs)
        else:
            fused = op("linear", x, folded_weight, folded_bias)
    rewriter.replace_op(batch_norm, [fused])
    rewriter.erase_op(producer)
    return None


@dataclass
class FxnFoldBatchNorm(FxnPass):
    """Fold an inference batch_norm that follows a conv2d or linear into its weights and bias.

    ``batch_norm(conv2d(x, w, b), mean, var, gamma, beta)`` becomes
    ``conv2d(x, w * s[:, None, None, None], (b - mean) * s + beta)`` with
    ``s = gamma / sqrt(var + eps)`` (a missing bias counts as zero), and
    likewise for a ``linear`` whose result is ``(N, out)``, batch_norm's
    channels being its output features. The scaled weights and bias are fxn
    ops on the originals: with constant weights (a model's parameters),
    ``fxn-constant-fold`` computes them at compile time (raise its
    ``max-elements`` for large weights), so the batch_norm costs nothing at
    run time. The conv2d or linear must have no other use. f32 and f64 only:
    f16's batch_norm rounds once from f32, which scaled f16 weights would not.

    Rounding moves: ``x * (w * s)`` rounds where ``(x * w) * s`` did, so
    results agree with the unfolded ops within a few ulps of the result.
    Before/after::

        %c = "fxn.conv2d"(%x, %w, %b) {...} : (...) -> tensor<1x8x16x16xf32>
        %y = "fxn.batch_norm"(%c, %mean, %var, %gamma, %beta) {eps = 1.0e-05 : f64} : (...) -> tensor<1x8x16x16xf32>
        ==>
        %s = gamma / sqrt(var + eps); %w2 = %w * reshape(%s, [-1, 1, 1, 1]); %b2 = (%b - %mean) * %s + %beta
        %y = "fxn.conv2d"(%x, %w2, %b2) {...} : (...) -> tensor<1x8x16x16xf32>
    """

    argument = "fxn-fold-batch-norm"

    def run_on(self, op) -> None:
        folded = apply_counting(op, OPS["fxn.batch_norm"], _fold)
        if folded:
            self.count("folded", "batch_norm ops folded into the conv2d or linear before them", folded)
