"""Neural-network ops: matmul, linear, conv2d, pooling, inference batch norm and layer norm.

Each follows its PyTorch function; the docstrings name every deviation.
Operands share one element type (the frontend inserts ``fxn.cast`` where
PyTorch would promote). Shape rules are checked where dims are static; the
reference kernels apply the same rules to the run-time shapes.
"""

import math

from .base import BoolAttr, EnumAttr, FloatAttr, FxnOp, IntArrayAttr, IntAttr, Operand, OptionalOperand
from .types import FLOAT_DTYPES, NUMERIC_DTYPES, TensorType, VerifyError, broadcast_shapes, format_shape


# ----------------------------------------------------------------------------
# Shape rules shared by several ops.


def shared_dtype(*operands: TensorType | None, dtypes, kind: str) -> str:
    """The one element type of the (present) operands, which must be in ``dtypes``."""
    present = [o for o in operands if o is not None]
    if len({o.dtype for o in present}) > 1:
        raise VerifyError("operand element types differ: " + ", ".join(o.dtype for o in present))
    if present[0].dtype not in dtypes:
        raise VerifyError(f"requires {kind} operands; got {present[0].dtype}")
    return present[0].dtype


def require_rank(operand: TensorType, name: str, ranks: tuple[int, ...], layout: str) -> None:
    """VerifyError unless operand ``name`` has one of ``ranks`` (``layout`` names its dims)."""
    if operand.rank not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise VerifyError(f"{name} must have rank {expected} {layout}; got rank {operand.rank}")


def require_same_size(a, b, fault: str) -> None:
    """VerifyError ``fault.format(a=a, b=b)`` if both sizes are static and differ (else checked at run time)."""
    if a is not None and b is not None and a != b:
        raise VerifyError(fault.format(a=a, b=b))


def require_vector(operand: TensorType, name: str, size, what: str) -> None:
    """``operand`` must be 1-D with ``size`` elements (the ``what`` of another operand)."""
    if operand.rank != 1:
        raise VerifyError(f"{name} must have rank 1; got rank {operand.rank}")
    require_same_size(operand.shape[0], size, f"{name} size {{a}} and {what} {{b}} differ")


def conv_output_size(size, kernel, stride: int, padding: int, dilation: int, what: str):
    """Output extent of a convolution along one spatial dim (None if dynamic)."""
    if size is None or kernel is None:
        return None
    extent = dilation * (kernel - 1) + 1
    if extent > size + 2 * padding:
        raise VerifyError(f"dilated kernel {what} {extent} exceeds padded input {what} {size + 2 * padding}")
    return (size + 2 * padding - extent) // stride + 1


def check_groups(channels, out_channels, group_channels, groups: int) -> None:
    """Input and output channels split into ``groups``; the weight holds one group's input channels."""
    for size, what in ((channels, "input"), (out_channels, "output")):
        if size is not None and size % groups:
            raise VerifyError(f"{what} channels {size} are not divisible by groups {groups}")
    if channels is not None:
        require_same_size(
            channels // groups, group_channels,
            f"input channels per group {{a}} ({channels} / groups {groups}) and weight input channels {{b}} differ",
        )


def pooled_size(size, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool, what: str):
    """Output extent of a pooling window along one spatial dim (None if dynamic), PyTorch's rule.

    With ``ceil_mode`` a last, partial window is added, unless it would start
    in the right padding.
    """
    # PyTorch also bounds padding by half the dilated kernel; this bound is the tighter one.
    if padding > kernel // 2:
        raise VerifyError(f"padding {padding} exceeds half the kernel {what} {kernel}")
    if size is None:
        return None
    if size == 0:
        raise VerifyError(f"input {what} must not be 0")
    extent = dilation * (kernel - 1) + 1
    count = (size + 2 * padding - extent + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1
    if count < 1:
        raise VerifyError(f"input {what} {size} with padding {padding} is too small for the dilated kernel {what} {extent}")
    return count


def pool_input(operand: TensorType, dtypes, kind: str) -> None:
    """Pooling takes (C, H, W) or (N, C, H, W) with an element type in ``dtypes``."""
    shared_dtype(operand, dtypes=dtypes, kind=kind)
    require_rank(operand, "input", (3, 4), "((N,) C, H, W)")


def pooled_shape(operand: TensorType, kernel_size, stride, padding, dilation, ceil_mode) -> tuple:
    spatial = (
        pooled_size(size, k, s, p, d, ceil_mode, what)
        for size, k, s, p, d, what in zip(operand.shape[-2:], kernel_size, stride, padding, dilation, ("height", "width"))
    )
    return operand.shape[:-2] + tuple(spatial)


# ----------------------------------------------------------------------------
# The ops.


class MatmulOp(FxnOp, name="matmul"):
    """``torch.matmul(lhs, rhs)``: matrix product with broadcast batch dims.

    Both operands are at least 1-D. A 1-D ``lhs`` is a row vector and a 1-D
    ``rhs`` a column vector, their unit dim dropped from the result (1-D by
    1-D is the dot product, a 0-d result). Dims before the last two are
    batch dims and broadcast. Numeric element types, the same for both;
    integers wrap on overflow; f16 accumulates in f32 and rounds once.
    Float products may be added with fused multiply-adds and in any order,
    as BLAS does: each element is within ``K * u * sum(|a| |b|)`` of the
    exact product (``u`` the unit roundoff, ``K`` the contracted size).

    ``%r = "fxn.matmul"(%a, %b) : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>``
    """

    lhs: Operand
    rhs: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        lhs, rhs = args.lhs, args.rhs
        dtype = shared_dtype(lhs, rhs, dtypes=NUMERIC_DTYPES, kind="numeric")
        if lhs.rank == 0 or rhs.rank == 0:
            raise VerifyError(f"operands must have rank at least 1; got ranks {lhs.rank} and {rhs.rank}")
        lhs_matrix = lhs.shape if lhs.rank > 1 else (1,) + lhs.shape
        rhs_matrix = rhs.shape if rhs.rank > 1 else rhs.shape + (1,)
        require_same_size(lhs_matrix[-1], rhs_matrix[-2], "contracting dimensions {a} and {b} differ")
        try:
            batch = broadcast_shapes(lhs_matrix[:-2], rhs_matrix[:-2])
        except VerifyError:
            raise VerifyError(
                f"batch dimensions {format_shape(lhs_matrix[:-2])} and {format_shape(rhs_matrix[:-2])} "
                "are not broadcastable"
            ) from None
        rows = lhs.shape[-2:-1] if lhs.rank > 1 else ()
        columns = rhs.shape[-1:] if rhs.rank > 1 else ()
        return TensorType(dtype, batch + rows + columns)


class LinearBase(FxnOp):
    """Operands and type of ``linear`` (see :class:`LinearOp`)."""

    input: Operand
    weight: Operand
    bias: OptionalOperand

    @classmethod
    def infer_type(cls, args, attrs):
        dtype = shared_dtype(args.input, args.weight, args.bias, dtypes=FLOAT_DTYPES, kind="float")
        if args.input.rank == 0:
            raise VerifyError("input must have rank at least 1 (*, in); got rank 0")
        require_rank(args.weight, "weight", (2,), "(out, in)")
        out_features, in_features = args.weight.shape
        require_same_size(args.input.shape[-1], in_features, "input features {a} and weight input features {b} differ")
        if args.bias is not None:
            require_vector(args.bias, "bias", out_features, "weight output features")
        return TensorType(dtype, args.input.shape[:-1] + (out_features,))


class LinearOp(LinearBase, name="linear"):
    """``torch.nn.functional.linear``: ``input @ weight^T + bias``.

    ``input`` is ``(*, in)`` (at least 1-D), ``weight`` ``(out, in)``, the
    optional ``bias`` ``(out)``; the result is ``(*, out)``. Float element
    types, the same for all; f16 accumulates in f32 and rounds once.

    ``%r = "fxn.linear"(%x, %w, %b) : (tensor<8x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<8x4xf32>``
    """


class ConvolutionBase(FxnOp):
    """Operands, attributes and type of ``conv2d`` (see :class:`Conv2dOp`)."""

    input: Operand
    weight: Operand
    bias: OptionalOperand
    stride = IntArrayAttr(length=2, minimum=1, default=(1, 1))
    padding = IntArrayAttr(length=2, minimum=0, default=(0, 0))
    dilation = IntArrayAttr(length=2, minimum=1, default=(1, 1))
    groups = IntAttr(minimum=1, default=1)

    @classmethod
    def infer_type(cls, args, attrs):
        dtype = shared_dtype(args.input, args.weight, args.bias, dtypes=FLOAT_DTYPES, kind="float")
        require_rank(args.input, "input", (4,), "(N, C, H, W)")
        require_rank(args.weight, "weight", (4,), "(O, C / groups, kH, kW)")
        batch, channels, *spatial = args.input.shape
        out_channels, group_channels, *kernel = args.weight.shape
        check_groups(channels, out_channels, group_channels, attrs.groups)
        if 0 in kernel:
            raise VerifyError(f"kernel size must be positive; got {format_shape(kernel)}")
        if args.bias is not None:
            require_vector(args.bias, "bias", out_channels, "output channels")
        output = (
            conv_output_size(size, k, s, p, d, what)
            for size, k, s, p, d, what in zip(spatial, kernel, attrs.stride, attrs.padding, attrs.dilation, ("height", "width"))
        )
        return TensorType(dtype, (batch, out_channels, *output))


class Conv2dOp(ConvolutionBase, name="conv2d"):
    """``torch.nn.functional.conv2d`` on NCHW with symmetric integer padding.

    ``input`` is ``(N, C, H, W)``, ``weight`` ``(O, C / groups, kH, kW)``, the
    optional ``bias`` ``(O)``; ``stride``, ``padding`` and ``dilation`` are
    ``(h, w)``. Output extent per spatial dim:
    ``(size + 2 * padding - dilation * (k - 1) - 1) // stride + 1``; the
    dilated kernel must fit the padded input. Input channel group ``g`` meets
    output channels ``[g * O / groups, (g + 1) * O / groups)``. Float element
    types, the same for all; f16 accumulates in f32 and rounds once. The
    products may be added with fused multiply-adds and in any order, as
    oneDNN does: each element is within ``n * u * sum(|x| |w|)`` of the exact
    value (``n = C / groups * kH * kW`` products, ``u`` the unit roundoff).
    Deviations from PyTorch: unbatched ``(C, H, W)`` input is refused (the
    frontend adds the batch dim), ``O = 0`` gives an empty result rather
    than an error, and ``C = 0`` gives the bias (an empty sum).

    ``%r = "fxn.conv2d"(%x, %w, %b) {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>``
    """


# ----------------------------------------------------------------------------
# A conv2d or linear with its activation (fxn-fuse-conv-bias-act makes them).

#: The activations a conv2d or linear carries, each the fxn op of that name applied to its result.
ACTIVATIONS = ("relu", "clamp", "sigmoid")


def activation_attributes() -> tuple:
    """The activation attributes of a conv2d or linear: which activation (``relu``, ``clamp``, ``sigmoid``), and
    ``clamp``'s bounds ``min`` and ``max`` (those of :class:`~fxn.dialects.elementwise.ClampOp`)."""
    return EnumAttr(*ACTIVATIONS), FloatAttr(default=-math.inf), FloatAttr(default=math.inf)


def check_activation(attrs) -> None:
    """VerifyError unless ``min <= max``, both infinite (unbounded) for an activation other than ``clamp``."""
    if not attrs.min <= attrs.max:
        raise VerifyError(f"requires min <= max; got min = {attrs.min}, max = {attrs.max}")
    if attrs.activation != "clamp" and (attrs.min, attrs.max) != (-math.inf, math.inf):
        raise VerifyError(f"min and max bound only a clamp; activation {attrs.activation} has min = "
                          f"{attrs.min}, max = {attrs.max}")


class Conv2dActivationOp(ConvolutionBase, name="conv2d_activation"):
    """``activation(conv2d(input, weight, bias))``: :class:`Conv2dOp`, its result in the element type, then
    ``fxn.relu``, ``fxn.clamp`` (bounds ``min``, ``max``) or ``fxn.sigmoid`` of it, exactly as the two ops.

    One op, so that a backend or a later pass can apply the activation to each
    tile of the convolution while it is in registers or cache; the generic
    lowering applies it in the elementwise pass that adds the bias
    (``fxn-fuse-conv-bias-act`` makes it; PyTorch's
    ``mkldnn._convolution_pointwise`` with ``relu``, ``hardtanh`` or
    ``sigmoid`` is traced to it).

    ``%r = "fxn.conv2d_activation"(%x, %w, %b) {activation = "clamp", dilation = array<i64: 1, 1>, groups = 1 : i64, max = 6.000000e+00 : f64, min = 0.000000e+00 : f64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>``
    """

    activation, min, max = activation_attributes()

    @classmethod
    def infer_type(cls, args, attrs):
        check_activation(attrs)
        return super().infer_type(args, attrs)


class LinearActivationOp(LinearBase, name="linear_activation"):
    """``activation(linear(input, weight, bias))``: :class:`LinearOp`, its result in the element type, then
    ``fxn.relu``, ``fxn.clamp`` (bounds ``min``, ``max``) or ``fxn.sigmoid`` of it, exactly as the two ops
    (see :class:`Conv2dActivationOp`; PyTorch's ``mkldnn._linear_pointwise``).

    ``%r = "fxn.linear_activation"(%x, %w, %b) {activation = "relu", max = 0x7FF0000000000000 : f64, min = 0xFFF0000000000000 : f64} : (tensor<8x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<8x4xf32>``
    """

    activation, min, max = activation_attributes()

    @classmethod
    def infer_type(cls, args, attrs):
        check_activation(attrs)
        return super().infer_type(args, attrs)


class MaxPool2dOp(FxnOp, name="max_pool2d"):
    """``torch.nn.functional.max_pool2d`` on ``(C, H, W)`` or ``(N, C, H, W)``.

    The maximum over each window of ``kernel_size`` taps spaced ``dilation``
    apart, windows ``stride`` apart, the input padded by ``padding`` on both
    sides with values that never win. Output extent per spatial dim:
    ``(size + 2 * padding - dilation * (k - 1) - 1) // stride + 1``, or with
    ``ceil_mode`` rounded up — then a last window that would start in the
    right padding is dropped. ``padding`` is at most half the kernel size,
    height and width are non-zero. Numeric element types; NaN propagates. A
    window holding only padding gives the type's lowest value (-inf for
    floats), as in PyTorch. Deviation: zero channels give an empty result
    (PyTorch refuses them).

    ``%r = "fxn.max_pool2d"(%x) {ceil_mode = false, dilation = array<i64: 1, 1>, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>``
    """

    input: Operand
    kernel_size = IntArrayAttr(length=2, minimum=1)
    stride = IntArrayAttr(length=2, minimum=1)
    padding = IntArrayAttr(length=2, minimum=0, default=(0, 0))
    dilation = IntArrayAttr(length=2, minimum=1, default=(1, 1))
    ceil_mode = BoolAttr(default=False)

    @classmethod
    def infer_type(cls, args, attrs):
        pool_input(args.input, NUMERIC_DTYPES, "numeric")
        return args.input.with_shape(
            pooled_shape(args.input, attrs.kernel_size, attrs.stride, attrs.padding, attrs.dilation, attrs.ceil_mode)
        )


class AvgPool2dOp(FxnOp, name="avg_pool2d"):
    """``torch.nn.functional.avg_pool2d`` on ``(C, H, W)`` or ``(N, C, H, W)``, without ``divisor_override``.

    The mean over each ``kernel_size`` window, windows ``stride`` apart, the
    input zero-padded by ``padding`` on both sides; output extents as for
    ``max_pool2d`` (no dilation). The divisor counts the window's input
    elements, plus its padding elements if ``count_include_pad`` — but never
    the part of a ``ceil_mode`` window beyond the padding. ``padding`` is at
    most half the kernel size, height and width are non-zero. Float element
    types; f16 accumulates in f32 and rounds once. Deviation: zero channels
    give an empty result (PyTorch refuses them).

    ``%r = "fxn.avg_pool2d"(%x) {ceil_mode = false, count_include_pad = true, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>``
    """

    input: Operand
    kernel_size = IntArrayAttr(length=2, minimum=1)
    stride = IntArrayAttr(length=2, minimum=1)
    padding = IntArrayAttr(length=2, minimum=0, default=(0, 0))
    ceil_mode = BoolAttr(default=False)
    count_include_pad = BoolAttr(default=True)

    @classmethod
    def infer_type(cls, args, attrs):
        pool_input(args.input, FLOAT_DTYPES, "float")
        return args.input.with_shape(
            pooled_shape(args.input, attrs.kernel_size, attrs.stride, attrs.padding, (1, 1), attrs.ceil_mode)
        )


class AdaptiveAvgPool2dOp(FxnOp, name="adaptive_avg_pool2d"):
    """``torch.nn.functional.adaptive_avg_pool2d`` on ``(C, H, W)`` or ``(N, C, H, W)``.

    Output position ``i`` of ``n`` along an input extent ``size`` averages
    input elements ``[floor(i * size / n), ceil((i + 1) * size / n))``; bins
    may overlap. Input height and width are non-zero; an ``output_size`` of 0
    gives an empty result. Float element types; f16 accumulates in f32 and
    rounds once.

    ``%r = "fxn.adaptive_avg_pool2d"(%x) {output_size = array<i64: 1, 1>} : (tensor<1x3x7x7xf32>) -> tensor<1x3x1x1xf32>``
    """

    input: Operand
    output_size = IntArrayAttr(length=2, minimum=0)

    @classmethod
    def infer_type(cls, args, attrs):
        pool_input(args.input, FLOAT_DTYPES, "float")
        for size, what in zip(args.input.shape[-2:], ("height", "width")):
            if size == 0:
                raise VerifyError(f"input {what} must not be 0")
        return args.input.with_shape(args.input.shape[:-2] + tuple(attrs.output_size))


class BatchNormOp(FxnOp, name="batch_norm"):
    """Inference-mode ``torch.nn.functional.batch_norm`` (running statistics, no update).

    ``y = (x - running_mean) / sqrt(running_var + eps) * weight + bias`` with
    the ``(C)`` vectors broadcast along dim 1 of ``input`` ``(N, C, ...)``
    (rank at least 2). Float element types, the same for all; f16 computes
    in f32 and rounds once.

    ``%r = "fxn.batch_norm"(%x, %mean, %var, %w, %b) {eps = 1.000000e-05 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>``
    """

    input: Operand
    running_mean: Operand
    running_var: Operand
    weight: Operand
    bias: Operand
    eps = FloatAttr(default=1e-5)

    @classmethod
    def infer_type(cls, args, attrs):
        vectors = {name: getattr(args, name) for name in ("running_mean", "running_var", "weight", "bias")}
        shared_dtype(args.input, *vectors.values(), dtypes=FLOAT_DTYPES, kind="float")
        if args.input.rank < 2:
            raise VerifyError(f"input must have rank at least 2 (N, C, ...); got rank {args.input.rank}")
        for name, vector in vectors.items():
            require_vector(vector, name, args.input.shape[1], "input channels")
        return args.input


class LayerNormOp(FxnOp, name="layer_norm"):
    """``torch.nn.functional.layer_norm`` over the last ``normalized_rank`` dims of ``input``.

    Each slice ``x`` over those dims becomes ``(x - mean) * rsqrt(var + eps)
    * weight + bias``, with ``mean`` and the biased ``var`` (the mean of the
    squared deviations) of that slice; ``weight`` and ``bias`` have the
    normalized dims' shape (the frontend passes ones and zeros where PyTorch's
    are None). Float element types, the same for all; f16 computes in f32 and
    rounds once. The sums' order is unspecified, as :class:`ReduceOp`'s
    (each within ``n * eps`` relative of the exact sum of its ``n`` terms).

    ``%r = "fxn.layer_norm"(%x, %w, %b) {eps = 1.000000e-05 : f64, normalized_rank = 1 : i64} : (tensor<4x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<4x768xf32>``
    """

    input: Operand
    weight: Operand
    bias: Operand
    normalized_rank = IntAttr(minimum=1, default=1)
    eps = FloatAttr(default=1e-5)

    @classmethod
    def infer_type(cls, args, attrs):
        shared_dtype(args.input, args.weight, args.bias, dtypes=FLOAT_DTYPES, kind="float")
        rank = attrs.normalized_rank
        if rank > args.input.rank:
            raise VerifyError(f"normalized_rank {rank} exceeds the input's rank {args.input.rank}")
        normalized = args.input.shape[args.input.rank - rank:]
        for name in ("weight", "bias"):
            vector = getattr(args, name)
            if vector.rank != rank:
                raise VerifyError(f"{name} must have rank {rank} (the normalized dims); got rank {vector.rank}")
            for size, expected in zip(vector.shape, normalized):
                require_same_size(size, expected, f"{name} shape {format_shape(vector.shape)} and the normalized "
                                  f"dims {format_shape(normalized)} differ")
        return args.input
