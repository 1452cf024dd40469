"""Conformance cases of the tensor ops, every one on every element type, compared bit for bit.

Constants (``dense``, a splat, 0-d and ``dense_resource``), broadcasts,
reshapes, transposes, slices, the three pad modes and concatenations, with
0-d tensors, empty dims, dynamic dims and negative dims and permutations.
"""

from __future__ import annotations

import numpy as np

from fxn.dialects import tensor as t
from fxn.dialects.types import ALL_DTYPES

from .case import EXACT, SHAPE, Case, Resource, among, special_array


def _cases(op, dtype: str, configs: list[tuple]) -> dict[str, Case]:
    """``{op_dtype_i: Case}`` of ``(inputs, attrs, dynamic)`` configs, variant ``i``."""
    name = op.OPERATION_NAME.removeprefix("fxn.")
    return {f"{name}_{dtype}_{i}": Case(op, inputs, attrs, dynamic, compare=EXACT, variant=(str(i),))
            for i, (inputs, attrs, dynamic) in enumerate(configs)}


def constant_cases(rng, dtype: str) -> dict[str, Case]:
    dense = special_array(rng, dtype, (3, 4), special=0.3)
    weights = special_array(rng, dtype, (2, 3))
    return _cases(t.ConstantOp, dtype, [
        ([], dict(value=dense), ()),
        ([], dict(value=np.full((2, 5), dense[0, 0])), ()),  # a splat
        ([], dict(value=np.asarray(dense[1, 1])), ()),  # 0-d
        ([], dict(value=Resource(weights, f"weights_{dtype}")), ()),
    ])


def broadcast_cases(rng, dtype: str) -> dict[str, Case]:
    def case(shape, target, dynamic=()):
        return [special_array(rng, dtype, shape)], dict(shape=target), dynamic

    return _cases(t.BroadcastToOp, dtype, [
        case((3, 1), [2, 3, 4]),
        case((), [2, 3]),
        case((4,), [0, 4]),
        case((2, 3), [2, 3]),
        case((2, 3), [5, 2, 3], ((0,),)),  # a dynamic dim of the target's size
    ])


def reshape_cases(rng, dtype: str) -> dict[str, Case]:
    def case(shape, target, dynamic=()):
        return [special_array(rng, dtype, shape)], dict(shape=target), dynamic

    return _cases(t.ReshapeOp, dtype, [
        case((2, 3, 4), [4, -1]),
        case((2, 3, 4), [-1, 2], ((0,),)),
        case((6,), [2, 3], ((0,),)),
        case((), [1, 1]),
        case((1, 1), []),
        case((1, 1), [], ((0,),)),
        case((0, 3), [3, 0]),
        case((5,), [5]),
    ])


def transpose_cases(rng, dtype: str) -> dict[str, Case]:
    def case(shape, permutation, dynamic=()):
        return [special_array(rng, dtype, shape)], dict(permutation=permutation), dynamic

    return _cases(t.TransposeOp, dtype, [
        case((2, 3, 4), [2, 0, 1]),
        case((2, 3, 4), [-1, -3, 1]),
        case((3, 5), [1, 0], ((0,),)),
        case((), []),
        case((0, 2), [1, 0]),
    ])


def slice_cases(rng, dtype: str) -> dict[str, Case]:
    def case(shape, starts, limits, strides, dynamic=()):
        return [special_array(rng, dtype, shape)], dict(starts=starts, limits=limits, strides=strides), dynamic

    return _cases(t.SliceOp, dtype, [
        case((5, 9), [1, 0], [5, 9], [2, 3]),
        case((4, 7), [0, 2], [3, 7], [1, 1], ((0,),)),
        case((), [], [], []),
        case((4, 3), [2, 1], [2, 3], [1, 1]),  # empty
        case((6,), [0], [6], [1]),
    ])


def pad_cases(rng, dtype: str) -> dict[str, Case]:
    value = 0.1 if dtype.startswith("f") else 1.0  # 0.1 is rounded to the element type

    def case(shape, low, high, mode, dynamic=()):
        return [special_array(rng, dtype, shape)], dict(low=low, high=high, mode=mode, value=value), dynamic

    return _cases(t.PadOp, dtype, [
        case((3, 4), [1, 0], [2, 3], "constant"),
        case((0, 3), [1, 1], [1, 0], "constant"),
        case((4, 5), [0, 2], [0, 0], "constant", ((0,),)),
        case((4, 5), [2, 1], [1, 4], "reflect", ((0,),)),
        case((3, 1), [2, 0], [0, 3], "replicate"),
        case((2, 3), [0, 0], [0, 0], "reflect"),
        case((), [], [], "replicate"),
    ])


def concat_cases(rng, dtype: str) -> dict[str, Case]:
    def case(shapes, dim, dynamic=()):
        return [special_array(rng, dtype, s) for s in shapes], dict(dim=dim), dynamic

    return _cases(t.ConcatOp, dtype, [
        case([(2, 3), (1, 3)], 0),
        case([(2, 1), (2, 3), (2, 2), (2, 2)], -1),
        case([(2, 3), (0, 3)], 0, ((0,), (0,))),
        case([(0,), (3,), (0,)], 0),
        case([(2, 2, 3), (2, 4, 3)], 1, ((1,), (0,))),
    ])


def _index(value: int) -> np.ndarray:
    return np.asarray(value, np.int64)


def _window_cases(op, dtype: str, configs: list[tuple]) -> dict[str, Case]:
    """Cases of a window op: ``(arrays, indices, attrs, dynamic)``, about the first array."""
    name = op.OPERATION_NAME.removeprefix("fxn.")
    return {f"{name}_{dtype}_{i}": Case(op, [*arrays, *(_index(v) for v in indices)], attrs, dynamic,
                                        compare=EXACT, variant=(str(i),), subject=0)
            for i, (arrays, indices, attrs, dynamic) in enumerate(configs)}


def dim_cases(rng, dtype: str) -> dict[str, Case]:
    name = "dim"
    return {f"{name}_{dtype}_{i}": Case(t.DimOp, [special_array(rng, dtype, shape)], dict(axis=axis), dynamic,
                                        compare=EXACT, variant=(str(i),))
            for i, (shape, axis, dynamic) in enumerate([((3, 5), 1, ((1,),)), ((4,), -1, ()), ((0, 2), 0, ((0,),))])}


def dynamic_slice_cases(rng, dtype: str) -> dict[str, Case]:
    def case(shape, indices, sizes, strides, drop, dynamic=()):
        attrs = dict(sizes=sizes, strides=strides, drop=drop)
        return [special_array(rng, dtype, shape)], indices, attrs, dynamic

    return _window_cases(t.DynamicSliceOp, dtype, [
        case((5,), [3], [1], [1], [0]),  # x[3]
        case((5,), [-2], [1], [1], [0]),  # x[-2]
        case((3, 4), [1, 0], [1, 4], [1, 1], [0]),  # x[1, :]
        case((3, 4), [0, 2], [3, 1], [1, 1], [1], ((0,),)),  # x[:, 2] of a dynamic dim
        case((9,), [7, 3], [-1], [-2], []),  # x[7:1:-2]: 3 elements from the end
        case((4, 6), [1, 1, 2, 4], [-1, -1], [1, 1], [], ((0, 1),)),  # run-time sizes
        case((6,), [6, 0], [-1], [1], []),  # an empty window at the end
    ])


def dynamic_update_slice_cases(rng, dtype: str) -> dict[str, Case]:
    def case(shape, update_shape, indices, sizes, strides, drop, dynamic=()):
        attrs = dict(sizes=sizes, strides=strides, drop=drop)
        return [special_array(rng, dtype, shape), special_array(rng, dtype, update_shape)], indices, attrs, dynamic

    return _window_cases(t.DynamicUpdateSliceOp, dtype, [
        case((5,), (), [3], [1], [1], [0]),  # x[3] = v
        case((5,), (), [-1], [1], [1], [0]),  # x[-1] = v
        case((3, 4), (4,), [2, 0], [1, 4], [1, 1], [0]),  # x[2] = row
        case((3, 4), (1,), [0, 1], [3, 2], [1, 2], [], ((0,),)),  # x[:, 1::2] = broadcast value
        case((8,), (3,), [6, 3], [-1], [-2], []),  # x[6:0:-2] = y (3 elements, backwards)
        case((4, 5), (2, 3), [1, 2, 2, 3], [-1, -1], [1, 1], [], ((0, 1),)),  # run-time sizes
    ])


def full_cases(rng, dtype: str) -> dict[str, Case]:
    name = "full"
    value = special_array(rng, dtype, ())
    configs = [([], [2, 3]), ([4], [-1]), ([2, 0], [-1, 3, -1]), ([], [])]
    return {f"{name}_{dtype}_{i}": Case(t.FullOp, [value, *(_index(s) for s in sizes)], dict(shape=shape),
                                        compare=EXACT, variant=(str(i),), subject=0)
            for i, (sizes, shape) in enumerate(configs)}


def empty_cases(rng, dtype: str) -> dict[str, Case]:
    name = "empty"
    configs = [([], [2, 3]), ([4], [-1]), ([2, 0], [-1, 3, -1]), ([], [])]
    return {f"{name}_{dtype}_{i}": Case(t.EmptyOp, [_index(s) for s in sizes], dict(dtype=dtype, shape=shape),
                                        compare=SHAPE, variant=(str(i),))
            for i, (sizes, shape) in enumerate(configs)}


def every_dtype(build):
    """A builder ``(rng, supported) -> {name: Case}`` running ``build(rng, dtype)`` for every supported element type."""
    def build_all(rng, supported=ALL_DTYPES) -> dict[str, Case]:
        return {name: case for dtype in among(ALL_DTYPES, supported) for name, case in build(rng, dtype).items()}

    return build_all


def builders() -> dict[str, object]:
    """Per tensor op name, the function ``(rng, supported dtypes) -> {name: Case}`` making its cases."""
    return {
        "fxn.constant": every_dtype(constant_cases),
        "fxn.broadcast_to": every_dtype(broadcast_cases),
        "fxn.reshape": every_dtype(reshape_cases),
        "fxn.transpose": every_dtype(transpose_cases),
        "fxn.slice": every_dtype(slice_cases),
        "fxn.pad": every_dtype(pad_cases),
        "fxn.concat": every_dtype(concat_cases),
        "fxn.dim": every_dtype(dim_cases),
        "fxn.dynamic_slice": every_dtype(dynamic_slice_cases),
        "fxn.dynamic_update_slice": every_dtype(dynamic_update_slice_cases),
        "fxn.full": every_dtype(full_cases),
        "fxn.empty": every_dtype(empty_cases),
    }
