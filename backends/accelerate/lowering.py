"""Accelerate's own lowerings: ``fxn.matmul``, ``fxn.linear`` and ``fxn.conv2d`` of f32 as ``cblas_sgemm`` calls.

Each replaces the generic lowering of its op for f32 (other element types,
and a ``conv2d`` whose spatial dims are dynamic, take the generic lowering
and its errors). Every call is row-major (``CblasRowMajor``), ``alpha = 1``
and ``beta = 0`` (BLAS then never reads the output, so a fresh ``malloc``
buffer serves), on dense row-major buffers (offset 0, no gaps), so each
leading dimension is the row length of its matrix, at least 1 (BLAS
refuses ``ld < max(1, columns)`` even for empty matrices; with ``M = 0``,
``N = 0`` it returns at once, with ``K = 0`` it writes zeros):

- ``fxn.matmul`` (``torch.matmul``): a 1-D ``lhs`` is a ``1 x K`` matrix,
  a 1-D ``rhs`` a ``K x 1`` one. When ``rhs`` has no batch dims, ``lhs``'s
  batch dims fold into its rows: one call, ``M`` = every row of ``lhs``.
  Otherwise one call per index of the result's batch dims (a loop nest),
  each operand's matrix found at its row-major batch offset; a batch dim
  of static size 1 facing a larger one broadcasts (offset 0), as in the
  generic lowering.
- ``fxn.linear`` (``input @ weight^T + bias``): one call, ``M`` = every row
  of ``input``, ``transB = CblasTrans`` on the ``(out, in)`` weight; the
  bias is then added to the sum in place (after the sum, as the reference
  interpreter adds it).
- ``fxn.conv2d``: im2col + one call per (image, group). The columns are one
  ``linalg.generic`` (``cols[n, c, i, j, oh, ow] = padded[n, c, oh * sh +
  i * dh, ow * sw + j * dw]``, an affine read of the zero-padded input),
  which is laid out as ``(N, groups, Cg * kH * kW, OH * OW)``; group ``g``
  of image ``n`` is then ``out[n, g * Og:(g + 1) * Og] = weight[g] @
  cols[n, g]`` with ``M = Og`` (output channels per group), ``N = OH * OW``,
  ``K = Cg * kH * kW``. A 1x1 kernel with stride 1 and no padding needs no
  columns: the input is its own. ``vImageConvolve_PlanarF`` is not used
  (see :mod:`.library`). The bias is added in place afterwards.
- ``fxn.linear_activation`` and ``fxn.conv2d_activation``: the calls of
  their op, then the activation as the generic lowering applies it.

Operands are passed as their buffers, so each must bufferize to a dense
row-major buffer (identity layout): :func:`dense` keeps those that
provably do (function arguments, new tensors, constants, what a linalg op
writes into such a tensor, their reshapes) and copies any other (a slice,
a loop's result) into a new tensor first. Should a later rewrite still hand
bufferization a strided buffer, bufferization copies it into a dense one
itself (with ``memref.copy``, which then calls MLIR's ``memrefCopy``: the
artifact's import check refuses that), so a wrong layout is never passed.

Sizes go to BLAS as 32-bit ``int`` (the classic CBLAS interface): every
``M``, ``N``, ``K`` and leading dimension must stay below ``2**31``, which
nothing checks at run time.
"""

from __future__ import annotations

from typing import Callable, Sequence

from fxn.dialects import TensorType
from fxn.mlir import arith, ir, linalg, scf, tensor
from fxn.passes.lowering import load_lowerings
from fxn.passes.lowering.nn import apply_activation, pad
from fxn.passes.lowering.reduction import dims, size_of
from fxn.passes.lowering.structured import empty_of_sizes, generate, index, index_value, sizes, tensor_type

from . import library
from .library import CBLAS_NO_TRANS, CBLAS_ROW_MAJOR, CBLAS_SGEMM, CBLAS_TRANS

Size = int | ir.Value  # a static size, or an index value known at run time


def _generic(op, target) -> ir.Value:
    """The generic lowering of ``op`` (element types and shapes that Accelerate's lowerings leave to it)."""
    return load_lowerings()[op.operation.name](op, target)


# ----------------------------------------------------------------------------- dense operands

#: Ops whose result's buffer is their first operand's, reshaped: dense if that one is.
_RESHAPES = ("tensor.expand_shape", "tensor.collapse_shape", "tensor.cast")
#: Ops whose result bufferizes to a new dense buffer (or a global constant's).
_FRESH = ("tensor.empty", "arith.constant", "bufferization.to_tensor")


def is_dense(value: ir.Value) -> bool:
    """Whether ``value`` provably bufferizes to a dense row-major buffer (identity layout, offset 0)."""
    owner = value.owner
    if isinstance(owner, ir.Block):  # function arguments have the identity layout at the boundary
        return owner.owner.operation.name == "func.func"
    op = owner.operation
    name = op.name
    if name in _FRESH:
        return True
    if name in _RESHAPES:
        return is_dense(op.operands[0])
    if name.startswith("linalg."):  # destination style: result i is written into init i (its last operands)
        inits = list(op.operands)[len(op.operands) - len(op.results):]
        return is_dense(inits[value.maybe_downcast().result_number])
    return False


def dense(value: ir.Value) -> ir.Value:
    """``value``, or a copy of it in a new tensor where its buffer might not be dense (see :func:`is_dense`)."""
    if is_dense(value):
        return value
    init = empty_of_sizes(sizes(value), tensor_type(value).dtype)
    return generate(init, lambda indices: tensor.extract(value, indices))


# ----------------------------------------------------------------------------- sizes


def _product(factors: Sequence[Size]) -> Size:
    """The product of static and run-time sizes, folded where static."""
    static, result = 1, None
    for factor in factors:
        if isinstance(factor, int):
            static *= factor
        else:
            result = factor if result is None else arith.muli(result, factor)
    if result is None:
        return static
    return result if static == 1 else arith.muli(result, index(static))


def _sum(terms: Sequence[Size]) -> Size:
    static, result = 0, None
    for term in terms:
        if isinstance(term, int):
            static += term
        else:
            result = term if result is None else arith.addi(result, term)
    if result is None:
        return static
    return result if static == 0 else arith.addi(result, index(static))


def _at_least_one(size: Size) -> Size:
    return max(size, 1) if isinstance(size, int) else arith.maxui(size, index(1))


def _loop_nest(counts: Sequence[Size], body: Callable[[list[ir.Value]], None]) -> None:
    """``body(indices)`` for every index of ``counts`` (nested ``scf.for``, outermost first; none: once)."""
    if not counts:
        body([])
        return
    loop = scf.ForOp(index(0), index_value(counts[0]), index(1))
    with ir.InsertionPoint(loop.body):
        _loop_nest(counts[1:], lambda inner: body([loop.induction_variable, *inner]))
        scf.YieldOp([])


# ----------------------------------------------------------------------------- the call


def sgemm(at, a, b, c, m: Size, n: Size, k: Size, transpose_b: bool = False) -> None:
    """``C (m x n) = A (m x k) @ op(B)``, row-major pointers; ``op(B)`` is ``B (k x n)``, or ``B^T`` of ``B (n x k)``.

    ``at`` is the op being lowered (the callee is declared in its module).
    """
    ldb = k if transpose_b else n
    library.call(
        CBLAS_SGEMM, at,
        library.i32(CBLAS_ROW_MAJOR), library.i32(CBLAS_NO_TRANS),
        library.i32(CBLAS_TRANS if transpose_b else CBLAS_NO_TRANS),
        library.i32(m), library.i32(n), library.i32(k), library.f32(1.0),
        a, library.i32(_at_least_one(k)), b, library.i32(_at_least_one(ldb)),
        library.f32(0.0), c, library.i32(_at_least_one(n)),
    )


def _allocated(result: TensorType, shape: Sequence[Size]) -> ir.Value:
    """A new buffer of ``result``'s type, its dynamic dims of sizes ``shape``."""
    dynamic = [index_value(s) for s, d in zip(shape, result.shape) if d is None]
    return library.output_buffer(result.to_mlir(), dynamic)


def _plus_bias(accumulator: ir.Value, bias: ir.Value | None, axis: int) -> ir.Value:
    """``accumulator + bias`` (``bias`` along ``axis``), written into the accumulator (the bias after the sum)."""
    if bias is None:
        return accumulator
    rank = tensor_type(accumulator).rank

    @linalg.generic([bias], [accumulator], [dims(rank, [axis]), ir.AffineMap.get_identity(rank)],
                    [linalg.IteratorType.parallel] * rank)
    def biased(b, total):
        return arith.addf(total, b)

    return biased


# ----------------------------------------------------------------------------- fxn.matmul


def _batch_sizes(result: TensorType, batch_rank: int, operands: Sequence[ir.Value]) -> list[Size]:
    """The result's batch sizes: static ones from its type, dynamic ones from an operand with that dim dynamic."""
    found = []
    for axis in range(batch_rank):
        size = result.shape[axis]
        for operand in operands if size is None else ():
            own = tensor_type(operand).rank - 2
            source = axis - (batch_rank - own)
            if own > 0 and source >= 0 and tensor_type(operand).shape[source] is None:
                size = size_of(operand, source)
                break
        found.append(size)
    return found


def _batch_offset(operand: ir.Value, batch: Sequence[Size], indices: Sequence[ir.Value]) -> Size:
    """Element offset of ``operand``'s matrix at the result's batch ``indices`` (row-major; broadcast dims 0)."""
    shape = tensor_type(operand).shape
    own = len(shape) - 2
    if own <= 0:
        return 0
    stride, terms = _product([size_of(operand, own), size_of(operand, own + 1)]), []
    for axis in reversed(range(own)):
        result_axis = axis + len(batch) - own
        if not (shape[axis] == 1 and batch[result_axis] != 1):
            terms.append(_product([indices[result_axis], stride]))
        stride = _product([stride, size_of(operand, axis)])
    return _sum(terms)


def lower_matmul(op, target) -> ir.Value:
    result = tensor_type(op.results[0])
    if result.dtype != "f32":
        return _generic(op, target)
    lhs, rhs = dense(op.lhs), dense(op.rhs)
    lhs_type, rhs_type = tensor_type(lhs), tensor_type(rhs)
    m = size_of(lhs, lhs_type.rank - 2) if lhs_type.rank > 1 else 1
    k = size_of(lhs, lhs_type.rank - 1)
    n = size_of(rhs, rhs_type.rank - 1) if rhs_type.rank > 1 else 1
    batch_rank = result.rank - (lhs_type.rank > 1) - (rhs_type.rank > 1)
    batch = _batch_sizes(result, batch_rank, [lhs, rhs])
    shape = batch + ([m] if lhs_type.rank > 1 else []) + ([n] if rhs_type.rank > 1 else [])
    out = _allocated(result, shape)  # laid out as (batch..., m, n) whatever unit dims the result drops
    a, b = library.input_buffer(lhs), library.input_buffer(rhs)
    if rhs_type.rank <= 2:  # lhs's batch dims fold into its rows (a dense buffer): one call
        rows = _product([size_of(lhs, axis) for axis in range(lhs_type.rank - 1)])
        sgemm(op, library.pointer(a), library.pointer(b), library.pointer(out), rows, n, k)
    else:
        matrix = _product([m, n])

        def one_matrix(indices):
            out_offset = _product([_sum([_product([indices[axis], _product(batch[axis + 1:])])
                                         for axis in range(batch_rank)]), matrix])
            sgemm(op, library.pointer(a, index_value(_batch_offset(lhs, batch, indices))),
                  library.pointer(b, index_value(_batch_offset(rhs, batch, indices))),
                  library.pointer(out, index_value(out_offset)), m, n, k)

        _loop_nest(batch, one_matrix)
    return library.as_tensor(out, result.to_mlir())


# ----------------------------------------------------------------------------- fxn.linear


def lower_linear(op, target) -> ir.Value:
    result = tensor_type(op.results[0])
    if result.dtype != "f32":
        return _generic(op, target)
    x, weight = dense(op.input), dense(op.weight)
    rank = tensor_type(x).rank
    rows = _product([size_of(x, axis) for axis in range(rank - 1)])
    in_features, out_features = size_of(x, rank - 1), size_of(weight, 0)
    out = _allocated(result, [size_of(x, axis) for axis in range(rank - 1)] + [out_features])
    a, b = library.input_buffer(x), library.input_buffer(weight)
    sgemm(op, library.pointer(a), library.pointer(b), library.pointer(out), rows, out_features, in_features,
          transpose_b=True)
    return _plus_bias(library.as_tensor(out, result.to_mlir()), op.bias, result.rank - 1)


# ----------------------------------------------------------------------------- fxn.conv2d


def _columns(op, x: ir.Value, kernel: Sequence[int], out_hw: Sequence[int]) -> ir.Value:
    """im2col of ``x``: ``(N, C, kH, kW, OH, OW)``, which is ``(N, groups, Cg * kH * kW, OH * OW)`` row-major."""
    attrs = op.attrs()
    (ph, pw), (sh, sw), (dh, dw) = attrs.padding, attrs.stride, attrs.dilation
    if tuple(kernel) == (1, 1) and (sh, sw) == (1, 1) and (ph, pw) == (0, 0):
        return dense(x)  # each column is a pixel of the input itself
    padded = pad(x, [0, 0, ph, pw], [0, 0, ph, pw], 0)
    d = [ir.AffineDimExpr.get(i) for i in range(6)]  # n, c, i, j, oh, ow
    read = ir.AffineMap.get(6, 0, [d[0], d[1], d[4] * sh + d[2] * dh, d[5] * sw + d[3] * dw])
    init = empty_of_sizes([size_of(x, 0), size_of(x, 1), *kernel, *out_hw], "f32")

    @linalg.generic([padded], [init], [read, ir.AffineMap.get_identity(6)], [linalg.IteratorType.parallel] * 6)
    def columns(element, _):
        return element

    return columns


def lower_conv2d(op, target) -> ir.Value:
    result = tensor_type(op.results[0])
    spatial = [*tensor_type(op.input).shape[2:], *tensor_type(op.weight).shape[2:]]
    if result.dtype != "f32" or None in spatial:
        return _generic(op, target)  # its own error for dynamic spatial dims
    groups = op.attrs().groups
    x, weight = op.input, dense(op.weight)
    kernel, out_hw = spatial[2:], list(result.shape[2:])
    columns = _columns(op, x, kernel, out_hw)
    images, out_channels = size_of(x, 0), size_of(weight, 0)
    per_group = out_channels // groups if isinstance(out_channels, int) else arith.divui(out_channels, index(groups))
    pixels, depth = _product(out_hw), _product([size_of(weight, 1), *kernel])
    out = _allocated(result, [images, out_channels, *out_hw])
    w, cols = library.input_buffer(weight), library.input_buffer(columns)

    def one_group(indices):
        image, group = indices
        a_offset = _product([group, per_group, depth])
        b_offset = _product([_sum([_product([image, groups]), group]), depth, pixels])
        c_offset = _product([_sum([_product([image, out_channels]), _product([group, per_group])]), pixels])
        sgemm(op, library.pointer(w, index_value(a_offset)), library.pointer(cols, index_value(b_offset)),
              library.pointer(out, index_value(c_offset)), per_group, pixels, depth)

    _loop_nest([images, groups], one_group)
    return _plus_bias(library.as_tensor(out, result.to_mlir()), op.bias, 1)


# ----------------------------------------------------------------------------- with an activation


def lower_linear_activation(op, target) -> ir.Value:
    """``fxn.linear_activation``: the ``cblas_sgemm`` of :func:`lower_linear`, then the activation (f32)."""
    if tensor_type(op.results[0]).dtype != "f32":
        return _generic(op, target)
    return apply_activation(op, lower_linear(op, target))


def lower_conv2d_activation(op, target) -> ir.Value:
    """``fxn.conv2d_activation``: the im2col and ``cblas_sgemm`` of :func:`lower_conv2d`, then the activation
    (f32, static spatial dims)."""
    spatial = [*tensor_type(op.input).shape[2:], *tensor_type(op.weight).shape[2:]]
    if tensor_type(op.results[0]).dtype != "f32" or None in spatial:
        return _generic(op, target)
    return apply_activation(op, lower_conv2d(op, target))


#: The lowerings this backend replaces (op name -> fn(op, target) -> ir.Value).
LOWERINGS = {"fxn.matmul": lower_matmul, "fxn.linear": lower_linear, "fxn.conv2d": lower_conv2d,
             "fxn.linear_activation": lower_linear_activation, "fxn.conv2d_activation": lower_conv2d_activation}
