"""Reduction ops: ``reduce`` (sum, mean, max, min, prod over axes), ``softmax`` and ``argmax``.

Axes and dims may be negative (counted from the end, as in PyTorch). A 0-d
operand has one dimension to name, ``0`` or ``-1``, holding its one element.
"""

from .base import BoolAttr, EnumAttr, FxnOp, IntArrayAttr, IntAttr, Operand
from .types import FLOAT_DTYPES, NUMERIC_DTYPES, TensorType, VerifyError, normalize_axis


def require_dtype(operand: TensorType, dtypes, kind: str) -> None:
    """VerifyError unless the operand's element type is in ``dtypes`` (a ``kind`` such as "float")."""
    if operand.dtype not in dtypes:
        raise VerifyError(f"requires a {kind} operand; got {operand.dtype}")


def reduced_axes(axes, rank: int) -> tuple[int, ...]:
    """``axes`` normalized into ``[0, rank)``; VerifyError if empty, out of range or repeated."""
    if not axes:
        raise VerifyError("attribute 'axes' must not be empty")
    spelled = {}
    for axis in axes:
        dim = normalize_axis(axis, rank, "axis")
        if dim in spelled:
            raise VerifyError(f"axes {spelled[dim]} and {axis} both name dimension {dim}")
        spelled[dim] = axis
    return tuple(spelled)


def reduced_shape(shape, axes, keepdims: bool) -> tuple:
    """``shape`` with the (normalized) ``axes`` kept as 1 or dropped."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


class ReduceOp(FxnOp, name="reduce"):
    """Reduce ``input`` over ``axes`` with ``kind``: sum, mean, max, min or prod.

    ``axes`` is non-empty and names each dimension at most once; reduced
    dimensions are dropped, or kept with size 1 if ``keepdims``. Numeric
    element types (f16 f32 f64 i8 ui8 i32 i64); ``mean`` needs a float.

    The result has the input's element type. This deviates from PyTorch,
    which returns i64 for integer sum and prod: here integer accumulation
    wraps modulo 2^bits (the low bits of PyTorch's i64 result). f16
    accumulates in f32 and rounds once. Over an empty extent, sum is 0, prod
    is 1 and mean is NaN; max and min are undefined (a run-time error, as in
    PyTorch). max and min propagate NaN.

    Float sum, mean and prod combine the elements in an unspecified order,
    as NumPy's pairwise and PyTorch's vectorized reductions do (compiled
    code keeps several vectors of partial results along the innermost axis
    and combines them in a tree at the end). Whatever the order, a sum of
    ``n`` elements is within ``(n - 1) * u * sum(|x|)`` of the exact sum
    (``u`` the unit roundoff: 2**-24 for f32, 2**-53 for f64); with ``p``
    partial sums the bound is ``(n / p + log2(p)) * u * sum(|x|)``, and
    the typical error grows with the square root of that.

    ``%r = "fxn.reduce"(%x) {axes = array<i64: 1>, keepdims = false, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2xf32>``
    """

    input: Operand
    kind = EnumAttr("sum", "mean", "max", "min", "prod")
    axes = IntArrayAttr()
    keepdims = BoolAttr(default=False)

    @classmethod
    def infer_type(cls, args, attrs):
        require_dtype(args.input, NUMERIC_DTYPES, "numeric")
        if attrs.kind == "mean" and not args.input.is_float:
            raise VerifyError(f'kind "mean" requires a float operand; got {args.input.dtype}')
        axes = reduced_axes(attrs.axes, args.input.rank)
        return args.input.with_shape(reduced_shape(args.input.shape, axes, attrs.keepdims))


class SoftmaxOp(FxnOp, name="softmax"):
    """``torch.softmax(input, dim)``: ``exp(x - max) * (1 / sum(exp(x - max)))`` along ``dim``.

    Float element types; the result has the input's type. As in PyTorch's
    CPU kernel, each slice multiplies by the reciprocal of its sum (two
    roundings, within one ulp of dividing); the sum's order is unspecified,
    as :class:`ReduceOp`'s. Subtracting the
    maximum keeps it finite for large inputs; a slice that is all ``-inf``
    (or holds ``+inf`` or NaN) gives NaN, as in PyTorch. f16 computes in f32
    and rounds once.

    ``%r = "fxn.softmax"(%x) {dim = -1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>``
    """

    input: Operand
    dim = IntAttr()

    @classmethod
    def infer_type(cls, args, attrs):
        require_dtype(args.input, FLOAT_DTYPES, "float")
        normalize_axis(attrs.dim, args.input.rank)
        return args.input


class ArgmaxOp(FxnOp, name="argmax"):
    """``torch.argmax(input, dim, keepdim)``: the i64 index of the maximum along ``dim``.

    Numeric element types. Ties give the first index; NaN counts as greater
    than every number, so the first NaN wins (as in PyTorch). An empty
    ``dim`` is a run-time error.

    ``%r = "fxn.argmax"(%x) {dim = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi64>``
    """

    input: Operand
    dim = IntAttr()
    keepdims = BoolAttr(default=False)

    @classmethod
    def infer_type(cls, args, attrs):
        require_dtype(args.input, NUMERIC_DTYPES, "numeric")
        dim = normalize_axis(attrs.dim, args.input.rank)
        return TensorType("i64", reduced_shape(args.input.shape, (dim,), attrs.keepdims))


class CumulativeOp(FxnOp, name="cumulative"):
    """Running sum or product of ``input`` along ``axis``, as ``torch.cumsum``/``torch.cumprod`` and ``numpy.cumsum``/``numpy.cumprod``.

    ``result[..., i, ...]`` is the sum (``kind = "sum"``) or product
    (``"prod"``) of ``input[..., 0..i, ...]`` along ``axis``, taken in order
    from index 0. Numeric element types; the result has the input's type
    and shape. Integers wrap; torch code's ``cumsum``/``cumprod`` of
    integers and bool give i64 (the frontend widens the input first, as
    torch does); numpy code traced by TorchDynamo keeps i32 as i32 (its
    ``torch._numpy`` rule; numpy itself would give i64). f16 accumulates in f32 and each running value is
    rounded once (torch's CPU kernel). NaN and inf propagate to every later
    element. ``axis`` may be negative; a 0-d input has the one axis 0 (or
    -1) and is its own result; an empty axis gives an empty result.

    ``%r = "fxn.cumulative"(%x) {axis = 1 : i64, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2x3xf32>``
    """

    input: Operand
    kind = EnumAttr("sum", "prod")
    axis = IntAttr()

    @classmethod
    def infer_type(cls, args, attrs):
        require_dtype(args.input, NUMERIC_DTYPES, "numeric")
        normalize_axis(attrs.axis, args.input.rank, "axis")
        return args.input
