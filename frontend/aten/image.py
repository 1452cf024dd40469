"""Converters of the ATen resampling ops (``F.interpolate``) and of the ``fxn.crop`` intrinsic.

``fxn.resize`` maps output sample ``i`` with the scale ``in / out``; torch
uses ``1 / scale_factor`` instead when a scale factor is given (and not
recomputed). Where the two differ the call is refused rather than
resampled differently.
"""

from __future__ import annotations

from fxn.dialects.image import CropOp, ResizeOp

from .. import emit
from ..errors import Unsupported
from . import aten
from .tensor import static_ints


def output_size(value, size, scale_factors) -> list[int]:
    """The (h, w) output size from ``size`` or, if None, from the scale factors (floor(in * scale))."""
    if size is not None:
        return static_ints(size, "the output size")
    spatial = static_ints(emit.type_of(value).shape[-2:], "resizing by a scale factor: the input size")
    return [int(n * s) for n, s in zip(spatial, scale_factors)]


def check_scales(value, size, scales, align_corners: bool) -> None:
    """Refuse scale factors whose source mapping differs from fxn's ``in / out``."""
    if align_corners or all(s is None for s in scales):
        return
    spatial = emit.type_of(value).shape[-2:]
    for n, m, scale in zip(spatial, size, scales):
        if scale is None or scale <= 0:
            continue
        if n is None or 1.0 / scale != n / m:
            raise Unsupported(
                f"resizing by scale_factor={scale} maps pixels with 1/{scale}, not {n}/{m} as fxn.resize; "
                "pass size=... or recompute_scale_factor=True"
            )


def resize(input, mode: str, size, scales, align_corners=False, antialias=False):
    """``fxn.resize`` to ``size`` (or the size the scale factors give), refusing scales it would map differently."""
    size = output_size(input, size, scales)
    check_scales(input, size, scales, align_corners)
    return ResizeOp.build(input, mode=mode, size=size, align_corners=bool(align_corners), antialias=antialias)


def interpolation(mode: str, antialias: bool):
    """The converters of the ``.default`` (scales per axis) and ``.vec`` (scale list) overloads of one mode."""

    def default(input, output_size, align_corners, scales_h=None, scales_w=None):
        return resize(input, mode, output_size, (scales_h, scales_w), align_corners, antialias)

    def vec(input, output_size, align_corners, scale_factors):
        return resize(input, mode, output_size, scale_factors or (None, None), align_corners, antialias)

    return default, vec


for _name, _mode, _antialias in (
    ("upsample_bilinear2d", "bilinear", False),
    ("upsample_bicubic2d", "bicubic", False),
    ("_upsample_bilinear2d_aa", "bilinear", True),
    ("_upsample_bicubic2d_aa", "bicubic", True),
):
    _default, _vec = interpolation(_mode, _antialias)
    aten(f"{_name}.default")(_default)
    aten(f"{_name}.vec")(_vec)


# Nearest has no align_corners argument.
@aten("upsample_nearest2d.default")
def upsample_nearest2d(input, output_size, scales_h=None, scales_w=None):
    return resize(input, "nearest", output_size, (scales_h, scales_w))


@aten("upsample_nearest2d.vec")
def upsample_nearest2d_vec(input, output_size, scale_factors):
    return resize(input, "nearest", output_size, scale_factors or (None, None))


@aten("fxn.crop.default")
def crop(x, top, left, height, width):
    return CropOp.build(x, top=top, left=left, height=height, width=width)
