"""Generic lowering of the tensor fxn ops (constants and shape manipulation).

Shapes change through ``tensor.collapse_shape``/``expand_shape`` (views,
free) and a ``linalg.generic`` reading through the permutation (transpose);
broadcasting is a ``linalg.generic`` too. Ops
that pick elements by position (slice, concat, pad) are one generic each
that computes every result element from its indices
(:func:`~.structured.generate`): the result is always a fresh buffer, so
bufferization never has to copy a strided view (a ``memref.copy`` that would
call MLIR's runtime library), and each element is written once.

What the reference checks at run time on dynamic dims (a broadcast source
of size 1 or the target size, a reshape's element count, a slice limit
within the dim, pad amounts below a reflected dim's size, equal sizes of
concatenated inputs) the compiled code assumes; a dynamic dim of size 1
that ``broadcast_to`` should repeat is read as if it had the target size
(see :mod:`.elementwise`). :mod:`.dim_assumptions` states these assumptions
in terms of a function's argument dims, so that a caller can check them
before each call (derived sizes, such as a concatenation's, are listed as
unchecked).
"""

from __future__ import annotations

import math

import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.elements import elements_to_numpy, numpy_to_elements, resource_blobs, splat_elements, splat_scalar
from fxn.dialects.types import normalize_axis
from fxn.mlir import arith, ir, linalg, tensor

from . import lowering
from .structured import (
    add_sizes,
    element_type,
    elementwise,
    empty_of_sizes,
    generate,
    if_else,
    index,
    index_value,
    signless_int,
    sizes,
    tensor_type,
)


def _int_array(op, name: str) -> list[int]:
    return list(ir.DenseI64ArrayAttr(op.attributes[name]))


@lowering("fxn.constant")
def lower_constant(op, target):
    """An ``arith.constant`` (bufferization makes it a global), ``dense<>`` or ``dense_resource<>`` as given.

    LLVM's translation cannot emit an i1 resource blob, so an i1
    ``dense_resource`` is read from the module and spelled out as ``dense<>``.
    A ``ui8`` constant becomes the ``i8`` constant of the same bytes (lowered
    code is signless).
    """
    value = op.attributes["value"]
    dtype = tensor_type(op.results[0]).dtype
    if dtype in ("i1", "ui8") and not isinstance(value, ir.DenseElementsAttr):
        value = numpy_to_elements(elements_to_numpy(value, resource_blobs(_enclosing_module(op))))
    if dtype == "ui8":
        splat = splat_scalar(value)  # a splat of any size stays one value
        value = (splat_elements(splat.view(np.int8), tensor_type(op.results[0]).with_dtype("i8")) if splat is not None
                 else numpy_to_elements(elements_to_numpy(value).view(np.int8)))
    return arith.constant(value.type, value)


def _enclosing_module(op):
    parent = op.operation.parent
    while parent.name != "builtin.module":
        parent = parent.parent
    return parent


@lowering("fxn.broadcast_to")
def lower_broadcast_to(op, target):
    return elementwise([op.operands[0]], tensor_type(op.results[0]), lambda x: x)


@lowering("fxn.transpose")
def lower_transpose(op, target):
    source = op.operands[0]
    rank = tensor_type(source).rank
    permutation = [p % rank for p in _int_array(op, "permutation")]
    if permutation == list(range(rank)):
        return source  # also every 0-d transpose, which linalg.transpose cannot express
    source_sizes = sizes(source)
    init = empty_of_sizes([source_sizes[p] for p in permutation], tensor_type(source).dtype)
    # A generic reading through the permutation (not linalg.transpose): elementwise fusion can then
    # merge it into its consumer, e.g. the cast of an HWC uint8 image to an f32 CHW one.
    inverse = [permutation.index(axis) for axis in range(rank)]
    maps = [ir.AffineMap.get_permutation(inverse), ir.AffineMap.get_identity(rank)]

    @linalg.generic([source], [init], maps, [linalg.IteratorType.parallel] * rank)
    def transposed(element, _):
        return element

    return transposed


# ----------------------------------------------------------------------------
# reshape: collapse to 1-d, expand to the result shape.


def _flatten(source: ir.Value) -> ir.Value:
    """``source`` as a 1-d tensor of its elements in row-major order."""
    source_type = tensor_type(source)
    if source_type.rank == 1:
        return source
    if source_type.rank == 0:
        return tensor.expand_shape(source_type.with_shape([1]).to_mlir(), source, [], [], [1])
    count = math.prod(source_type.shape) if source_type.is_static else None
    flat = source_type.with_shape([count]).to_mlir()
    return tensor.collapse_shape(flat, source, [list(range(source_type.rank))])


def _unflatten(flat: ir.Value, result: TensorType) -> ir.Value:
    """The 1-d ``flat`` laid out as ``result`` (at most one dynamic dim, whose size follows from the count)."""
    count = math.prod(result.shape) if result.is_static else None
    if tensor_type(flat).shape != (count,):
        # A dynamic input reshaped to a static shape: its count is checked by the reference only.
        flat = tensor.cast(result.with_shape([count]).to_mlir(), flat)
    if result.rank == 1:
        return flat
    if result.rank == 0:
        return tensor.collapse_shape(result.to_mlir(), flat, [])
    output_shape = []
    if not result.is_static:
        known = math.prod(d for d in result.shape if d is not None)
        output_shape = [arith.divui(tensor.dim(flat, index(0)), index(known))]
    static = [ir.ShapedType.get_dynamic_size() if d is None else d for d in result.shape]
    return tensor.expand_shape(result.to_mlir(), flat, [list(range(result.rank))], output_shape, static)


@lowering("fxn.reshape")
def lower_reshape(op, target):
    source, result = op.operands[0], tensor_type(op.results[0])
    if tensor_type(source) == result:
        return source
    return _unflatten(_flatten(source), result)


# ----------------------------------------------------------------------------
# slice, concat, pad.


@lowering("fxn.slice")
def lower_slice(op, target):
    source, result = op.operands[0], tensor_type(op.results[0])
    starts, strides = _int_array(op, "starts"), _int_array(op, "strides")

    def element_at(indices):
        positions = [
            arith.addi(arith.muli(i, index(stride)), index(start)) if (start, stride) != (0, 1) else i
            for i, start, stride in zip(indices, starts, strides)
        ]
        return tensor.extract(source, positions)

    return generate(empty_of_sizes(result.shape, result.dtype), element_at)


@lowering("fxn.concat")
def lower_concat(op, target):
    """Each result element reads the input whose range along ``dim`` holds it (only that one: inputs may be empty)."""
    inputs = list(op.operands)
    result = tensor_type(op.results[0])
    dim = normalize_axis(op.attributes["dim"].value, result.rank)
    ends = []  # where each input's range along dim ends
    for piece in inputs:
        ends.append(add_sizes(ends[-1] if ends else 0, sizes(piece)[dim]))
    result_sizes = sizes(inputs[0])
    result_sizes[dim] = ends[-1]
    init = empty_of_sizes(_static_where_known(result_sizes, result), result.dtype)
    element = element_type(result.dtype)

    def element_at(indices):
        def read(k: int) -> ir.Value:
            shifted = list(indices)
            if k:
                shifted[dim] = arith.subi(indices[dim], index_value(ends[k - 1]))
            if k == len(inputs) - 1:
                return tensor.extract(inputs[k], shifted)
            inside = arith.cmpi(arith.CmpIPredicate.ult, indices[dim], index_value(ends[k]))
            return if_else(inside, element, lambda: tensor.extract(inputs[k], shifted), lambda: read(k + 1))

        return read(0)

    return generate(init, element_at)


def _static_where_known(dim_sizes, result: TensorType) -> list:
    """``dim_sizes`` with the result type's static sizes (an input's dim may be dynamic where the result's is not)."""
    return [size if static is None else static for size, static in zip(dim_sizes, result.shape)]


def padding_value(value: float, dtype: str) -> ir.Value:
    """The pad attribute as a constant of ``dtype`` (floats rounded to nearest, as numpy's ``full`` does)."""
    numpy_dtype = TensorType(dtype, ()).numpy_dtype
    converted = np.asarray(value, numpy_dtype).item()
    if numpy_dtype.kind == "f":
        return arith.constant(element_type(dtype), float(converted))
    return arith.constant(element_type(dtype), signless_int(int(converted), dtype))


@lowering("fxn.pad")
def lower_pad(op, target):
    """Each result element reads the source element its mode maps it to, or is the padding value."""
    source, result = op.operands[0], tensor_type(op.results[0])
    low, high = _int_array(op, "low"), _int_array(op, "high")
    if result.rank == 0:
        return source
    source_sizes = sizes(source)
    dim_sizes = [add_sizes(add_sizes(size, before), after) for size, before, after in zip(source_sizes, low, high)]
    init = empty_of_sizes(_static_where_known(dim_sizes, result), result.dtype)
    source_sizes = [index_value(size) for size in source_sizes]
    mode = op.attributes["mode"].value
    if mode == "constant":
        fill = padding_value(op.attributes["value"].value, result.dtype)
        return generate(init, lambda positions: _constant_padded(source, positions, low, high, source_sizes, fill))

    def element_at(positions):
        indices = [
            position if before == after == 0 else _source_index(position, before, size, mode)
            for position, before, after, size in zip(positions, low, high, source_sizes)
        ]
        return tensor.extract(source, indices)

    return generate(init, element_at)


def _constant_padded(source: ir.Value, positions, low, high, source_sizes, fill: ir.Value) -> ir.Value:
    """The source element at ``positions - low`` where that is inside the source, else ``fill``."""
    indices = [arith.subi(p, index(before)) if before else p for p, before in zip(positions, low)]
    inside = None
    for i, size, before, after in zip(indices, source_sizes, low, high):
        if before or after:
            # Unsigned: a negative index (a position in the low padding) is huge.
            in_dim = arith.cmpi(arith.CmpIPredicate.ult, i, size)
            inside = in_dim if inside is None else arith.andi(inside, in_dim)
    if inside is None:
        return tensor.extract(source, indices)
    return if_else(inside, fill.type, lambda: tensor.extract(source, indices), lambda: fill)


def _source_index(position: ir.Value, before: int, size: ir.Value, mode: str) -> ir.Value:
    """The source index a reflect- or replicate-padded position copies (the reference's ``_pad_sources``)."""
    offset = arith.subi(position, index(before))
    last = arith.subi(size, index(1))
    if mode == "replicate":
        return arith.minsi(arith.maxsi(offset, index(0)), last)
    mirrored = arith.maxsi(offset, arith.subi(index(0), offset))  # |offset|
    inside = arith.cmpi(arith.CmpIPredicate.slt, mirrored, size)
    return arith.select(inside, mirrored, arith.subi(arith.muli(last, index(2)), mirrored))
