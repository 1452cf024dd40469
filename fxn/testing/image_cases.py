"""Conformance cases of resize and crop, compared within the result dtype's tolerance (integers exactly).

Every resize mode (nearest; bilinear and bicubic with and without
align_corners and antialias) on every shape of :data:`RESIZE_SHAPES` (up,
down, far down, mixed, CHW, identity, from and to 1 x 1, dynamic leading
dims, a large shrink of both axes), the float dtypes taking turns; nearest on every integer dtype and
torch's f32 index rounding; crop of every dtype, corners, whole inputs and
dynamic inputs.
"""

from __future__ import annotations

from fxn.dialects.image import CropOp, ResizeOp
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES

from .case import Case, among, normal_array

#: (input shape, output size, dynamic input axes); rank 3 inputs are CHW.
RESIZE_SHAPES = {
    "up": ((1, 2, 4, 5), (8, 11), ()),
    "down": ((2, 3, 17, 13), (5, 4), ()),
    "down_far": ((1, 1, 31, 29), (3, 7), ()),
    "up_h_down_w": ((1, 2, 6, 16), (11, 5), ()),
    "odd_chw": ((3, 7, 9), (5, 13), ()),
    "same": ((1, 1, 5, 6), (5, 6), ()),
    "input_1x1": ((1, 2, 1, 1), (3, 4), ()),
    "output_1x1": ((2, 1, 7, 6), (1, 1), ()),
    "to_1_and_from_1": ((2, 9, 1), (1, 5), ()),
    "dynamic_leading": ((2, 3, 6, 5), (4, 7), (0, 1)),
    # A large shrink of both axes: the generic lowering gathers both bands' taps at once (bilinear).
    "shrink_both_far": ((2, 3, 64, 80), (7, 9), (0, 1)),
}
#: (mode, align_corners, antialias): every combination the op accepts.
RESIZE_MODES = [("nearest", False, False)] + [
    (mode, align_corners, antialias)
    for mode in ("bilinear", "bicubic")
    for align_corners in (False, True)
    for antialias in (False, True)
]
#: (input shape, top, left, height, width, dynamic input axes)
CROP_CONFIGS = {
    "hw": ((5, 7), 1, 2, 3, 4, ()),
    "chw_corner": ((3, 6, 4), 5, 3, 1, 1, ()),
    "nchw_whole": ((2, 3, 4, 5), 0, 0, 4, 5, ()),
    "dynamic_leading": ((2, 3, 6, 5), 2, 1, 3, 2, (0, 1)),
    # At offset 0 a window of a dynamic input once folded into a view of the input itself.
    "dynamic_corner": ((5, 5), 0, 0, 2, 2, (0, 1)),
}


def mode_name(mode: str, align_corners: bool, antialias: bool) -> str:
    return mode + ("_align_corners" if align_corners else "") + ("_antialias" if antialias else "")


def _resize(rng, x, dtype: str, size, mode=("nearest", False, False), dynamic=(), variant=()) -> Case:
    attrs = dict(mode=mode[0], size=size, align_corners=mode[1], antialias=mode[2])
    return Case(ResizeOp, [normal_array(rng, x, dtype)], attrs, (dynamic,), variant=(mode_name(*mode), *variant))


def resize_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    """Every mode on every shape, the float dtypes taking turns; nearest on every integer dtype."""
    floats = among(FLOAT_DTYPES, supported)
    pairs = [(mode, item) for mode in RESIZE_MODES for item in RESIZE_SHAPES.items()] if floats else []
    cases = {
        f"resize_{mode_name(*mode)}_{shape}_{floats[i % len(floats)]}": _resize(
            rng, x, floats[i % len(floats)], size, mode, dynamic, (shape,))
        for i, (mode, (shape, (x, size, dynamic))) in enumerate(pairs)
    }
    cases.update({f"resize_nearest_{dtype}": _resize(rng, (2, 5, 7), dtype, (9, 4))
                  for dtype in among(INT_DTYPES, supported)})
    # torch's f32 nearest index arithmetic: input 2 -> 82 samples reads input 0 at sample 41.
    specials = [("resize_nearest_rounding", (1, 2, 3), "f32", (82, 82), ("nearest", False, False), "rounding")]
    specials += [(f"resize_{mode}_identity", (2, 5, 6), "f16", (5, 6), (mode, False, False), "identity")
                 for mode in ("bilinear", "bicubic")]
    # The benchmark's shape: a camera frame to 224 x 224.
    specials.append(("resize_bilinear_frame", (3, 96, 128), "f32", (224, 224), ("bilinear", False, False), "frame"))
    for name, x, dtype, size, mode, variant in specials:
        if dtype in supported:
            cases[name] = _resize(rng, x, dtype, size, mode, variant=(variant,))
    return cases


def crop_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    return {
        f"crop_{config}_{dtype}": Case(CropOp, [normal_array(rng, x, dtype)],
                                       dict(top=top, left=left, height=height, width=width), (dynamic,),
                                       variant=(config,))
        for dtype in among(ALL_DTYPES, supported)
        for config, (x, top, left, height, width, dynamic) in CROP_CONFIGS.items()
    }


def builders() -> dict[str, object]:
    """Per image op name, the function ``(rng, supported dtypes) -> {name: Case}`` making its cases."""
    return {"fxn.resize": resize_cases, "fxn.crop": crop_cases}
