"""Image ops: resizing and cropping the last two (spatial) dims of a tensor.

The checks that need the input's sizes are functions taking the error type to
raise, so the verifier (static dims, :class:`VerifyError`) and the reference
kernels (dynamic dims, ``ValueError`` at run time) report one message.
"""

from .base import BoolAttr, EnumAttr, FxnOp, IntArrayAttr, IntAttr, Operand
from .types import FLOAT_DTYPES, NUMERIC_DTYPES, VerifyError, format_shape


def check_resize_input(shape, error=VerifyError) -> None:
    """Raise ``error`` if a known spatial dim of a resize input is 0 (torch refuses empty images)."""
    if 0 in shape[-2:]:
        raise error(f"input spatial dims must be at least 1; got {format_shape(shape[-2:])}")


def check_crop_window(shape, top: int, left: int, height: int, width: int, error=VerifyError) -> None:
    """Raise ``error`` unless the crop window lies inside the last two dims of ``shape`` (dynamic dims pass)."""
    for what, start, length, size in (("rows", top, height, shape[-2]), ("columns", left, width, shape[-1])):
        if size is not None and start + length > size:
            raise error(f"crop window {what} [{start}, {start + length}) exceed the input's {size} {what}")


class ResizeOp(FxnOp, name="resize"):
    """Resize the last two dims (H, W) of a CHW or NCHW tensor to ``size``.

    ``torch.nn.functional.interpolate(x, size=size, mode=mode,
    align_corners=align_corners, antialias=antialias)``. Each spatial axis,
    ``n`` input and ``m`` output samples, is resampled on its own: the result
    is ``Wh @ x @ Ww^T`` with an ``(m, n)`` weight matrix per axis. Output
    sample ``i`` reads these inputs:

    - ``nearest`` (torch's legacy 'nearest'): input ``min(floor(i * s), n - 1)``
      with ``s = n / m``, both the quotient and the product rounded to f32 as
      torch computes them for f16 and f32, so where ``i * n / m`` is a whole
      number the product may fall just below it (``n = 2, m = 82, i = 41``
      reads input 0). fxn does so for every dtype; torch's f64 kernel does
      too unless the output's H + W exceeds 128, where it multiplies in f64.
      Any numeric dtype (not i1); values are copied. ``align_corners`` and
      ``antialias`` must be false.
    - ``bilinear`` and ``bicubic`` (f16, f32, f64) sample at ``src = (i + 0.5)
      * s - 0.5`` with ``s = n / m``, or with ``align_corners`` at
      ``src = i * s`` with ``s = (n - 1) / (m - 1)`` (0 when ``m = 1``).
      ``bilinear``: ``src`` clamped below at 0, inputs ``floor(src)`` and
      ``floor(src) + 1`` (both at most ``n - 1``) weighted ``1 - t`` and ``t``,
      ``t = src - floor(src)``. ``bicubic``: inputs ``floor(src) - 1`` to
      ``floor(src) + 2`` clamped into ``[0, n - 1]``, weighted by Keys' cubic
      with ``a = -0.75``; the output is not clamped to the input's range.
    - ``antialias`` (bilinear, bicubic; torch's ``_upsample_*_aa``, Pillow's
      filter): with ``s`` as above, stretch ``k = max(s, 1)``, radius ``r``
      (1 bilinear, 2 bicubic) and centre ``c = s * (i + 0.5)`` (half-pixel
      even with ``align_corners``, as in torch), the inputs
      ``j`` in ``[max(trunc(c - r*k + 0.5), 0), min(trunc(c + r*k + 0.5), n))``
      weighted ``f((j + 0.5 - c) / k)``, normalised to sum 1 (left all zero if
      they sum to 0); ``f`` is the triangle ``max(0, 1 - |x|)`` (bilinear) or
      Keys' cubic with ``a = -0.5`` (bicubic). As in torch this filter also
      applies when upsampling, where it equals the plain mode only for
      bilinear without ``align_corners``.

    Float math is done in f32 for f16 (rounded once at the end), else in the
    input's dtype. Leading dims are kept; the output's spatial dims are ``size``.

    ``%r = "fxn.resize"(%x) {align_corners = false, antialias = false, mode = "bilinear", size = array<i64: 4, 6>} : (tensor<1x3x2x3xf32>) -> tensor<1x3x4x6xf32>``
    """

    input: Operand
    mode = EnumAttr("nearest", "bilinear", "bicubic")
    size = IntArrayAttr(length=2, minimum=1)
    align_corners = BoolAttr(default=False)
    antialias = BoolAttr(default=False)

    @classmethod
    def infer_type(cls, args, attrs):
        image = args.input
        if image.rank not in (3, 4):
            raise VerifyError(f"requires a rank 3 (CHW) or rank 4 (NCHW) input; got rank {image.rank}")
        check_resize_input(image.shape)
        if attrs.mode == "nearest":
            if image.dtype not in NUMERIC_DTYPES:
                raise VerifyError(f'mode "nearest" requires a numeric input; got {image.dtype}')
            if attrs.align_corners:
                raise VerifyError('align_corners = true is only allowed with mode "bilinear" or "bicubic"')
            if attrs.antialias:
                raise VerifyError('antialias = true is only allowed with mode "bilinear" or "bicubic"')
        elif image.dtype not in FLOAT_DTYPES:
            raise VerifyError(
                f'mode "{attrs.mode}" requires a float input ({", ".join(FLOAT_DTYPES)}); got {image.dtype}'
            )
        return image.with_shape(image.shape[:-2] + tuple(attrs.size))


class CropOp(FxnOp, name="crop"):
    """The window ``input[..., top:top+height, left:left+width]`` of the last two dims.

    ``torchvision.transforms.functional.crop`` without its zero padding: the
    window must lie inside the input (checked by the verifier for static dims,
    at run time for dynamic ones) and is at least 1 x 1. Rank >= 2, any dtype;
    leading dims are kept.

    ``%r = "fxn.crop"(%x) {height = 2 : i64, left = 1 : i64, top = 0 : i64, width = 3 : i64} : (tensor<3x4x5xi8>) -> tensor<3x2x3xi8>``
    """

    input: Operand
    top = IntAttr(minimum=0)
    left = IntAttr(minimum=0)
    height = IntAttr(minimum=1)
    width = IntAttr(minimum=1)

    @classmethod
    def infer_type(cls, args, attrs):
        image = args.input
        if image.rank < 2:
            raise VerifyError(f"requires an input of rank at least 2; got rank {image.rank}")
        check_crop_window(image.shape, attrs.top, attrs.left, attrs.height, attrs.width)
        return image.with_shape(image.shape[:-2] + (attrs.height, attrs.width))
