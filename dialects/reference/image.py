"""Reference kernels of the image ops (see ``fxn.dialects.image``).

Resizing is separable: each spatial axis gets an ``(out, in)`` weight matrix
built in f64 from torch's formulas, and ``rows @ image @ cols.T`` applies
both. Nearest resizing gathers instead, so it copies values of any dtype.
"""

from __future__ import annotations

from fxn.lazy import numpy as np

from fxn.dialects.image import check_crop_window, check_resize_input

from . import compute_dtype, kernel

#: Keys' cubic convolution parameter: torch's plain bicubic, and its antialias filter.
BICUBIC_A = -0.75
ANTIALIAS_BICUBIC_A = -0.5


def _scale(in_size: int, out_size: int, align_corners: bool) -> float:
    """Input samples per output sample (torch's ``area_pixel_compute_scale`` for an explicit size)."""
    if align_corners:
        return (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    return in_size / out_size


def _source_coordinates(in_size: int, out_size: int, align_corners: bool) -> np.ndarray:
    """Where each output sample lies on the input axis (pixel centres at integers)."""
    scale = _scale(in_size, out_size, align_corners)
    dst = np.arange(out_size, dtype=np.float64)
    return dst * scale if align_corners else (dst + 0.5) * scale - 0.5


def _weight_matrix(in_size: int, taps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The ``(out, in)`` matrix summing ``weights[i, k]`` into column ``taps[i, k]`` of row ``i``."""
    matrix = np.zeros((taps.shape[0], in_size))
    rows = np.broadcast_to(np.arange(taps.shape[0])[:, None], taps.shape)
    # Clamped taps repeat a column, so the weights must add up, not overwrite.
    np.add.at(matrix, (rows, taps), weights)
    return matrix


def _keys_cubic(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel, zero beyond |x| = 2."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - np.abs(x))


def bilinear_weights(in_size: int, out_size: int, align_corners: bool) -> np.ndarray:
    """Torch's plain linear interpolation: two taps, the source clamped into the image."""
    src = np.maximum(_source_coordinates(in_size, out_size, align_corners), 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    t = np.clip(src - low, 0.0, 1.0)
    taps = np.stack([low, np.minimum(low + 1, in_size - 1)], axis=1)
    return _weight_matrix(in_size, taps, np.stack([1 - t, t], axis=1))


def bicubic_weights(in_size: int, out_size: int, align_corners: bool) -> np.ndarray:
    """Torch's plain cubic interpolation: four taps, those outside the image read its border."""
    src = _source_coordinates(in_size, out_size, align_corners)
    low = np.floor(src)
    offsets = np.arange(-1, 3)
    taps = np.clip(low.astype(np.int64)[:, None] + offsets, 0, in_size - 1)
    return _weight_matrix(in_size, taps, _keys_cubic((src - low)[:, None] - offsets, BICUBIC_A))


def antialias_weights(in_size: int, out_size: int, align_corners: bool, mode: str) -> np.ndarray:
    """Torch's ``_compute_weights_aa``: the filter widened by the downscale factor, renormalised."""
    scale = _scale(in_size, out_size, align_corners)
    stretch = max(scale, 1.0)
    if mode == "bilinear":
        radius, filter_fn = 1.0, _triangle
    else:
        radius, filter_fn = 2.0, lambda x: _keys_cubic(x, ANTIALIAS_BICUBIC_A)
    centre = scale * (np.arange(out_size) + 0.5)
    first = np.maximum(np.trunc(centre - radius * stretch + 0.5), 0)
    end = np.minimum(np.trunc(centre + radius * stretch + 0.5), in_size)
    j = np.arange(in_size)
    inside = (j >= first[:, None]) & (j < end[:, None])
    weights = np.where(inside, filter_fn((j + 0.5 - centre[:, None]) / stretch), 0.0)
    total = weights.sum(axis=1, keepdims=True)
    # Torch leaves a row whose weights sum to 0 as it is.
    return weights / np.where(total == 0, 1.0, total)


def nearest_indices(in_size: int, out_size: int) -> np.ndarray:
    """Torch's legacy nearest source index per output sample, in f32 arithmetic as torch's f16/f32 kernels."""
    scale = np.float32(in_size) / np.float32(out_size)
    src = np.floor(np.arange(out_size, dtype=np.float32) * scale).astype(np.int64)
    return np.minimum(src, in_size - 1)


def _axis_weights(mode, in_size, out_size, align_corners, antialias) -> np.ndarray:
    if antialias:
        return antialias_weights(in_size, out_size, align_corners, mode)
    if mode == "bilinear":
        return bilinear_weights(in_size, out_size, align_corners)
    return bicubic_weights(in_size, out_size, align_corners)


@kernel("fxn.resize")
def resize(image, *, result_type, mode, size, align_corners, antialias):
    check_resize_input(image.shape, error=ValueError)
    (in_h, in_w), (out_h, out_w) = image.shape[-2:], size
    if mode == "nearest":
        return image[..., nearest_indices(in_h, out_h)[:, None], nearest_indices(in_w, out_w)]
    # f16 is computed in f32 and rounded once, as the op's docstring states.
    compute = compute_dtype(image.dtype)
    rows = _axis_weights(mode, in_h, out_h, align_corners, antialias).astype(compute)
    cols = _axis_weights(mode, in_w, out_w, align_corners, antialias).astype(compute)
    return (rows @ image.astype(compute) @ cols.T).astype(result_type.numpy_dtype)


@kernel("fxn.crop")
def crop(image, *, result_type, top, left, height, width):
    check_crop_window(image.shape, top, left, height, width, error=ValueError)
    # A copy, so that a function's result never aliases its argument.
    return image[..., top : top + height, left : left + width].copy()
