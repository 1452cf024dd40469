"""Reference kernels of the nn ops (see ``fxn.dialects.nn``).

Every kernel is a :func:`shape_checked_kernel`: dims that were dynamic in the
IR are checked by the op's own inference rules at run time.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from fxn.dialects.nn import (
    AdaptiveAvgPool2dOp,
    AvgPool2dOp,
    BatchNormOp,
    Conv2dActivationOp,
    Conv2dOp,
    LayerNormOp,
    LinearActivationOp,
    LinearOp,
    MatmulOp,
    MaxPool2dOp,
)

from . import compute_dtype, shape_checked_kernel


def _windows(x, padding, out_size, kernel_size, stride, dilation, fill):
    """The 2-D windows over the last two dims of ``x``, shaped ``(..., OH, OW, kH, kW)``.

    ``x`` is padded with ``fill``: ``padding`` before, and after as far as the
    last window reads (a ceil-mode window may reach past the padding).
    """
    pads, extents, reads = [], [], []
    for size, p, count, k, s, d in zip(x.shape[-2:], padding, out_size, kernel_size, stride, dilation):
        extent = d * (k - 1) + 1
        read = (count - 1) * s + extent
        pads.append((p, max(read - p - size, 0)))
        extents.append(extent)
        reads.append(read)
    padded = np.pad(x, [(0, 0)] * (x.ndim - 2) + pads, constant_values=fill)[..., : reads[0], : reads[1]]
    view = sliding_window_view(padded, extents, axis=(-2, -1))
    return view[..., :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


@shape_checked_kernel(MatmulOp)
def matmul(lhs, rhs, *, result_type):
    accumulator = compute_dtype(lhs.dtype)
    return np.matmul(lhs.astype(accumulator), rhs.astype(accumulator)).astype(result_type.numpy_dtype)


@shape_checked_kernel(LinearOp)
def linear(input, weight, bias, *, result_type):
    accumulator = compute_dtype(input.dtype)
    result = np.matmul(input.astype(accumulator), weight.T.astype(accumulator))
    if bias is not None:
        result = result + bias.astype(accumulator)
    return result.astype(result_type.numpy_dtype)


@shape_checked_kernel(Conv2dOp)
def conv2d(input, weight, bias, *, stride, padding, dilation, groups, result_type):
    accumulator = compute_dtype(input.dtype)
    batch, channels = input.shape[:2]
    out_channels = weight.shape[0]
    patches = _windows(input.astype(accumulator), padding, result_type.shape[2:], weight.shape[2:], stride, dilation, 0)
    # Split channels into groups: patches (N, G, C/G, OH, OW, kH, kW), weight (G, O/G, C/G, kH, kW).
    patches = patches.reshape(batch, groups, channels // groups, *patches.shape[2:])
    grouped_weight = weight.astype(accumulator).reshape(groups, out_channels // groups, *weight.shape[1:])
    result = np.einsum("ngchwij,gocij->ngohw", patches, grouped_weight, optimize=True)
    result = result.reshape(result_type.shape)
    if bias is not None:
        result = result + bias.astype(accumulator)[:, None, None]
    return result.astype(result_type.numpy_dtype)


@shape_checked_kernel(MaxPool2dOp)
def max_pool2d(input, *, kernel_size, stride, padding, dilation, ceil_mode, result_type):
    lowest = -np.inf if input.dtype.kind == "f" else np.iinfo(input.dtype).min
    windows = _windows(input, padding, result_type.shape[-2:], kernel_size, stride, dilation, lowest)
    return windows.max(axis=(-2, -1))


@shape_checked_kernel(AvgPool2dOp)
def avg_pool2d(input, *, kernel_size, stride, padding, ceil_mode, count_include_pad, result_type):
    out_size = result_type.shape[-2:]
    x = input.astype(compute_dtype(input.dtype))
    sums = _windows(x, padding, out_size, kernel_size, stride, (1, 1), 0).sum(axis=(-2, -1))
    # The divisor is a window sum of ones over what counts: the input, or the
    # input and its padding (never the part of a ceil-mode window beyond it).
    if count_include_pad:
        counted, counted_padding = np.ones([s + 2 * p for s, p in zip(x.shape[-2:], padding)]), (0, 0)
    else:
        counted, counted_padding = np.ones(x.shape[-2:]), padding
    divisor = _windows(counted, counted_padding, out_size, kernel_size, stride, (1, 1), 0).sum(axis=(-2, -1))
    return (sums / divisor.astype(x.dtype)).astype(result_type.numpy_dtype)


def _bin_matrix(size: int, count: int) -> np.ndarray:
    """``(count, size)`` 0/1 matrix: row ``i`` marks the input elements of adaptive bin ``i``."""
    bins = np.arange(count)
    start = bins * size // count
    end = -(-(bins + 1) * size // count)  # ceil division
    positions = np.arange(size)
    return (positions >= start[:, None]) & (positions < end[:, None])


@shape_checked_kernel(AdaptiveAvgPool2dOp)
def adaptive_avg_pool2d(input, *, output_size, result_type):
    x = input.astype(compute_dtype(input.dtype))
    rows, columns = (_bin_matrix(size, count).astype(x.dtype) for size, count in zip(x.shape[-2:], output_size))
    sums = np.einsum("ph,...hw,qw->...pq", rows, x, columns)
    counts = np.outer(rows.sum(axis=1), columns.sum(axis=1))
    return (sums / counts).astype(result_type.numpy_dtype)


@shape_checked_kernel(BatchNormOp)
def batch_norm(input, running_mean, running_var, weight, bias, *, eps, result_type):
    accumulator = compute_dtype(input.dtype)
    # Shape the (C) vectors to broadcast along dim 1.
    channel_shape = (-1,) + (1,) * (input.ndim - 2)
    mean, var, scale, shift = (v.astype(accumulator).reshape(channel_shape) for v in (running_mean, running_var, weight, bias))
    result = (input.astype(accumulator) - mean) / np.sqrt(var + eps) * scale + shift
    return result.astype(result_type.numpy_dtype)


@shape_checked_kernel(LayerNormOp)
def layer_norm(input, weight, bias, *, normalized_rank, eps, result_type):
    if input.size == 0:
        return np.empty(input.shape, result_type.numpy_dtype)
    accumulator = compute_dtype(input.dtype)
    axes = tuple(range(input.ndim - normalized_rank, input.ndim))
    x = input.astype(accumulator)
    mean = x.mean(axis=axes, keepdims=True)
    deviation = x - mean
    variance = (deviation * deviation).mean(axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = deviation / np.sqrt(variance + eps) * weight.astype(accumulator) + bias.astype(accumulator)
    return result.astype(result_type.numpy_dtype)


# ----------------------------------------------------------------------------
# A conv2d or linear with its activation: the two ops' kernels, one after the other.


def _activated(value, activation, min, max, result_type):
    """``value`` (in the result's element type) through the fxn op named ``activation``'s kernel."""
    from . import elementwise

    if activation == "clamp":
        return elementwise.clamp(value, min=min, max=max, result_type=result_type)
    return {"relu": elementwise.relu, "sigmoid": elementwise.sigmoid}[activation](value, result_type=result_type)


@shape_checked_kernel(Conv2dActivationOp)
def conv2d_activation(input, weight, bias, *, stride, padding, dilation, groups, activation, min, max, result_type):
    convolved = conv2d(input, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups,
                       result_type=result_type)
    return _activated(convolved, activation, min, max, result_type)


@shape_checked_kernel(LinearActivationOp)
def linear_activation(input, weight, bias, *, activation, min, max, result_type):
    return _activated(linear(input, weight, bias, result_type=result_type), activation, min, max, result_type)
