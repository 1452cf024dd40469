"""Converters of the ATen neural-network ops: matrix products, convolution, pooling, batch norm, layer norm.

``F.linear`` reaches ATen as ``addmm(bias, x, permute(w, [1, 0]))``; that
pattern becomes ``fxn.linear`` again. 1-D convolutions run as 2-D ones
over a height of 1. oneDNN's fused convolution and linear with an
activation (``mkldnn._convolution_pointwise``, ``_linear_pointwise``, which
torch.compile emits on CPU) become ``fxn.conv2d_activation`` and
``fxn.linear_activation``.
"""

from __future__ import annotations

from fxn.lazy import numpy as np

from fxn.dialects.elementwise import AddOp, MulOp, RsqrtOp, SubOp
from fxn.dialects.nn import (AdaptiveAvgPool2dOp, AvgPool2dOp, BatchNormOp, Conv2dActivationOp, Conv2dOp,
                             LayerNormOp, LinearActivationOp, LinearOp, MatmulOp, MaxPool2dOp)
from fxn.dialects.reduction import ReduceOp
from fxn.dialects.tensor import TransposeOp
from fxn.dialects.types import FLOAT_DTYPES
from fxn.mlir import ir

from .. import emit
from ..errors import Unsupported
from . import aten
from .elementwise import binary, common_dtype, scaled
from .tensor import reshape, static_ints


@aten("mm.default", "bmm.default", "matmul.default", "dot.default", "mv.default")
def matmul(self, other):
    return MatmulOp.build(*emit.operands([self, other], common_dtype(self, other)))


def transposed_matrix(value):
    """The matrix ``w`` if ``value`` is ``fxn.transpose(w)`` of a 2-D ``w``, else None."""
    owner = value.owner
    if not isinstance(owner, ir.OpView) or owner.operation.name != TransposeOp.OPERATION_NAME:
        return None
    if tuple(TransposeOp.decode_attrs(owner.operation.attributes).permutation) != (1, 0):
        return None
    return owner.operation.operands[0]


@aten("addmm.default")
def addmm(self, mat1, mat2, beta=1, alpha=1):
    dtype = common_dtype(self, mat1, mat2)
    weight = transposed_matrix(mat2)
    bias_type = emit.type_of(self)
    if weight is not None and alpha == 1 and beta == 1 and dtype in FLOAT_DTYPES and bias_type.rank == 1:
        out_features = emit.type_of(weight).shape[0]
        if bias_type.shape[0] == out_features:
            return LinearOp.build(*emit.operands([mat1, weight, self], dtype))
    product = scaled(matmul(mat1, mat2), alpha, dtype)
    return binary(AddOp, scaled(self, beta, dtype), product, dtype)


@aten("linear.default")
def linear(input, weight, bias=None):
    values = [v for v in (input, weight, bias) if v is not None]
    converted = emit.operands(values, common_dtype(*values))
    return LinearOp.build(*converted, *([None] if bias is None else []))


def pair(values, default=None) -> list[int]:
    """A 2-D op's ``(h, w)`` argument from one int, a 1-list or a 2-list (empty: ``default``)."""
    values = static_ints(values, "a window size")
    if not values and default is not None:
        return list(default)
    return values * 2 if len(values) == 1 else values


@aten("convolution.default")
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    if transposed:
        raise Unsupported("transposed convolution has no fxn op")
    values = [v for v in (input, weight, bias) if v is not None]
    input, weight, *rest = emit.operands(values, common_dtype(*values))
    bias = rest[0] if rest else None
    rank = emit.type_of(input).rank
    if rank == 4:
        return Conv2dOp.build(input, weight, bias, stride=pair(stride), padding=pair(padding),
                              dilation=pair(dilation), groups=groups)
    if rank == 3:
        return convolution_1d(input, weight, bias, stride, padding, dilation, groups)
    raise Unsupported(f"{rank - 2}-d convolution has no fxn op (2-d and 1-d are supported)")


def convolution_1d(input, weight, bias, stride, padding, dilation, groups):
    """``conv1d`` as ``conv2d`` over a height of 1: (N, C, L) -> (N, C, 1, L)."""
    n, c, length = emit.type_of(input).shape
    o, cg, k = emit.type_of(weight).shape
    image = reshape(input, [n, c, 1, length])
    kernel = reshape(weight, [o, cg, 1, k])
    result = Conv2dOp.build(image, kernel, bias, stride=[1, *static_ints(stride, "a stride")],
                            padding=[0, *static_ints(padding, "padding")],
                            dilation=[1, *static_ints(dilation, "a dilation")], groups=groups)
    n, o, _, width = emit.type_of(result).shape
    return reshape(result, [n, o, width])


#: PyTorch's fused pointwise activations (oneDNN's, as torch.compile emits them on CPU) -> the fxn activation.
POINTWISE_ACTIVATIONS = {"relu": "relu", "hardtanh": "clamp", "sigmoid": "sigmoid"}


def pointwise_activation(attr: str, scalars) -> dict:
    """The activation attributes of ``fxn.conv2d_activation``/``fxn.linear_activation`` for a fused mkldnn op's
    ``attr`` and ``scalars`` (``hardtanh``'s are its min and max)."""
    if attr not in POINTWISE_ACTIVATIONS:
        raise Unsupported(f"the fused activation {attr!r} has no fxn op (fxn fuses "
                          f"{', '.join(POINTWISE_ACTIVATIONS)})")
    if attr != "hardtanh":
        return {"activation": POINTWISE_ACTIVATIONS[attr]}
    bounds = [float(s) for s in scalars]
    if len(bounds) != 2:
        raise Unsupported(f"a fused hardtanh takes its min and max; got {len(bounds)} scalars")
    return {"activation": "clamp", "min": bounds[0], "max": bounds[1]}


@aten("mkldnn._convolution_pointwise.default")
def convolution_pointwise(input, weight, bias, padding, stride, dilation, groups, attr, scalars, algorithm):
    values = [v for v in (input, weight, bias) if v is not None]
    input, weight, *rest = emit.operands(values, common_dtype(*values))
    if emit.type_of(input).rank != 4:
        raise Unsupported("a fused convolution is fxn's on (N, C, H, W) input only")
    return Conv2dActivationOp.build(input, weight, rest[0] if rest else None, stride=pair(stride),
                                    padding=pair(padding), dilation=pair(dilation), groups=groups,
                                    **pointwise_activation(attr, scalars))


@aten("mkldnn._linear_pointwise.default")
def linear_pointwise(input, weight, bias, attr, scalars, algorithm):
    values = [v for v in (input, weight, bias) if v is not None]
    converted = emit.operands(values, common_dtype(*values))
    return LinearActivationOp.build(*converted, *([None] if bias is None else []),
                                    **pointwise_activation(attr, scalars))


@aten("max_pool2d_with_indices.default", outputs=True)
def max_pool2d_with_indices(which, self, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    if which == 1:
        raise Unsupported("the indices of max pooling (return_indices=True) have no fxn op")
    return max_pool2d(self, kernel_size, stride, padding, dilation, ceil_mode)


@aten("max_pool2d.default")
def max_pool2d(self, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    kernel = pair(kernel_size)
    return MaxPool2dOp.build(self, kernel_size=kernel, stride=pair(stride, kernel), padding=pair(padding),
                             dilation=pair(dilation), ceil_mode=ceil_mode)


@aten("avg_pool2d.default")
def avg_pool2d(self, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    if divisor_override is not None:
        raise Unsupported("average pooling with divisor_override has no fxn op")
    kernel = pair(kernel_size)
    return AvgPool2dOp.build(self, kernel_size=kernel, stride=pair(stride, kernel), padding=pair(padding),
                             ceil_mode=ceil_mode, count_include_pad=count_include_pad)


@aten("_adaptive_avg_pool2d.default", "adaptive_avg_pool2d.default")
def adaptive_avg_pool2d(self, output_size):
    return AdaptiveAvgPool2dOp.build(self, output_size=pair(output_size))


def batch_norm(input, weight, bias, running_mean, running_var, eps):
    if running_mean is None or running_var is None:
        raise Unsupported("batch norm without running statistics (training mode) has no fxn op")
    source = emit.type_of(input)
    if (weight is None or bias is None) and source.shape[1] is None:
        raise Unsupported("batch norm without weight or bias needs a static channel count")
    if weight is None:
        weight = emit.constant(np.ones(source.shape[1], source.numpy_dtype))
    if bias is None:
        bias = emit.constant(np.zeros(source.shape[1], source.numpy_dtype))
    dtype = source.dtype
    vectors = emit.operands([running_mean, running_var, weight, bias], dtype)
    return BatchNormOp.build(input, *vectors, eps=eps)


@aten("native_batch_norm.default", "_native_batch_norm_legit.default", outputs=True)
def native_batch_norm(which, input, weight, bias, running_mean, running_var, training, momentum, eps):
    if training:
        raise Unsupported("batch norm in training mode (batch statistics) has no fxn op; call model.eval()")
    return _no_training(which, input, weight, bias, running_mean, running_var, momentum, eps)


@aten("_native_batch_norm_legit_no_training.default", outputs=True)
def _no_training(which, input, weight, bias, running_mean, running_var, momentum, eps):
    if which != 0:
        raise Unsupported("the saved statistics of batch norm have no fxn op")
    return batch_norm(input, weight, bias, running_mean, running_var, eps)


@aten("native_layer_norm.default", outputs=True)
def native_layer_norm(which, input, normalized_shape, weight, bias, eps):
    """Output 0 (the normalized input) is ``fxn.layer_norm``, with ones and zeros for a missing weight and bias;
    the saved mean and ``rsqrt(var + eps)`` (outputs 1 and 2), and a normalization without weight or bias over
    dims known only at run time, are the fxn ops of their formulas."""
    source = emit.type_of(input)
    rank = len(normalized_shape)
    normalized = source.shape[source.rank - rank:] if rank <= source.rank else ()
    if which == 0 and (weight is not None and bias is not None or None not in normalized):
        ones = np.ones(normalized, source.numpy_dtype) if None not in normalized else None
        weight = emit.constant(ones) if weight is None else weight
        bias = emit.constant(np.zeros_like(ones)) if bias is None else bias
        return LayerNormOp.build(input, *emit.operands([weight, bias], source.dtype), normalized_rank=rank, eps=eps)
    axes = list(range(source.rank - rank, source.rank))
    mean = ReduceOp.build(input, kind="mean", axes=axes, keepdims=True)
    deviation = SubOp.build(input, mean)
    variance = ReduceOp.build(MulOp.build(deviation, deviation), kind="mean", axes=axes, keepdims=True)
    rstd = RsqrtOp.build(AddOp.build(variance, emit.scalar(eps, source.dtype)))
    if which != 0:
        return mean if which == 1 else rstd
    result = MulOp.build(deviation, rstd)
    if weight is not None:
        result = MulOp.build(result, emit.operand(weight, source.dtype))
    return result if bias is None else AddOp.build(result, emit.operand(bias, source.dtype))
