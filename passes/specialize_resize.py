"""fxn-specialize-resize: a resize that is a copy, a strided gather or a 2x2 average becomes that op."""

from __future__ import annotations

from dataclasses import dataclass

from fxn.dialects import OPS

from .patterns import apply_counting, tensor_type
from .registry import FxnPass

_MATCH_FAILED = True  # a pattern function returns a truthy value when it does not apply


def _factors(op) -> tuple[int, int] | None:
    """The whole-number shrink factor of each spatial axis (input over output size), None if either is not one."""
    shape = tensor_type(op.operands[0]).shape
    size = tuple(op.attributes["size"])
    spatial = shape[-2:]
    if any(not isinstance(n, int) or n < 0 for n in spatial) or 0 in size or 0 in spatial:
        return None
    if any(n % m for n, m in zip(spatial, size)):
        return None
    return tuple(n // m for n, m in zip(spatial, size))


def _specialize(op, rewriter, counts: dict) -> bool | None:
    factors = _factors(op)
    if factors is None:
        return _MATCH_FAILED
    source = op.operands[0]
    mode = op.attributes["mode"].value
    align_corners = op.attributes["align_corners"].value
    antialias = op.attributes["antialias"].value
    location = op.location
    if factors == (1, 1):  # every mode samples each input at its own position, with weight one
        rewriter.replace_op(op, [source])
        counts["identity"] += 1
        return None
    if mode == "nearest":
        # Output i reads floor(i * s) with s = n / m = the factor, exact in f32 (and i * factor too).
        rank = tensor_type(source).rank
        shape = tensor_type(source).shape
        with rewriter.ip:
            gathered = OPS["fxn.slice"].build(source, starts=(0,) * rank, limits=tuple(shape),
                                              strides=(1,) * (rank - 2) + factors, loc=location)
        rewriter.replace_op(op, [gathered])
        counts["strided"] += 1
        return None
    if (mode == "bilinear" and not align_corners and not antialias and max(factors) == 2
            and tensor_type(source).dtype in ("f32", "f64")):
        # Output i samples at 2i + 0.5: inputs 2i and 2i + 1 weighted 1/2 each, per halved axis.
        with rewriter.ip:
            averaged = OPS["fxn.avg_pool2d"].build(source, kernel_size=factors, stride=factors, loc=location)
        rewriter.replace_op(op, [averaged])
        counts["average"] += 1
        return None
    return _MATCH_FAILED


@dataclass
class FxnSpecializeResize(FxnPass):
    """Replace a resize by the cheaper op it equals: a copy, a strided slice or a 2x2 average pool.

    - Any mode, to the input's own size: the input itself (each output
      samples its own input with weight one, also with ``align_corners`` or
      ``antialias``), exactly.
    - ``nearest`` shrinking each axis by a whole factor ``k``: output ``i``
      reads input ``i * k`` (``s = n / m = k`` is exact in f32, as is the
      product), so a slice with strides ``k``, exactly.
    - ``bilinear`` without ``align_corners`` or ``antialias``, f32 or f64,
      halving one or both axes (the other kept): output ``i`` samples at
      ``2i + 0.5``, the mean of inputs ``2i`` and ``2i + 1``, so an
      ``avg_pool2d`` with kernel and stride 2 on the halved axes. The pool
      sums the 2x2 window then divides where the resize weighs rows then
      columns, so results may differ by a few units in the last place of the
      inputs (more ulps of a result whose window's values cancel).

    Spatial sizes must be static. Other resizes (upscaling, other factors,
    f16 bilinear, bicubic) stay; their lowering picks between two passes,
    one per axis, and one gathering both axes' taps, whichever is cheaper
    (:mod:`fxn.passes.lowering.image`). Before/after::

        %r = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "nearest", size = array<i64: 2, 3>} : (tensor<1x3x8x9xf32>) -> tensor<1x3x2x3xf32>
        ==>
        %r = "fxn.slice"(%x) {limits = array<i64: 1, 3, 8, 9>, starts = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 4, 3>} : (tensor<1x3x8x9xf32>) -> tensor<1x3x2x3xf32>
    """

    argument = "fxn-specialize-resize"

    def run_on(self, op) -> None:
        counts = {"identity": 0, "strided": 0, "average": 0}
        apply_counting(op, OPS["fxn.resize"], lambda resize, rewriter: _specialize(resize, rewriter, counts))
        descriptions = {"identity": "resizes to the input's size removed",
                        "strided": "nearest resizes by whole factors turned into strided slices",
                        "average": "bilinear halvings turned into 2x2 average pools"}
        for name, count in counts.items():
            if count:
                self.count(name, descriptions[name], count)
