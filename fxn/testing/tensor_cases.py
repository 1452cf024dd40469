"""Conformance cases of the tensor ops, every one on every element type, compared bit for bit.

Constants (``dense``, a splat, 0-d and ``dense_resource``), broadcasts,
reshapes, transposes, slices, the three pad modes and concatenations, with
0-d tensors, empty dims, dynamic dims and negative dims and permutations.
"""

from __future__ import annotations

import numpy as np

from fxn.dialects import tensor as t
from fxn.dialects.types import ALL_DTYPES

from .case import EXACT, Case, Resource, among, special_array


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
    }
