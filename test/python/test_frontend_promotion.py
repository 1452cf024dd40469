"""Type promotion of mixed operands: fxn's rule is torch.result_type (weak Python scalars, as NEP 50)."""

import itertools

import pytest
import torch

from fxn.dialects import TensorType
from fxn.frontend.dtypes import to_torch
from fxn.frontend.promotion import float_result_type, result_type, using_default_float

DTYPES = ("i1", "i8", "i32", "i64", "f16", "f32", "f64")


def operands():
    """Every kind of operand: ranked and 0-d tensors of each type, and Python scalars."""
    for dtype in DTYPES:
        yield TensorType(dtype, (3,)), torch.zeros(3, dtype=to_torch(dtype))
        yield TensorType(dtype, ()), torch.zeros((), dtype=to_torch(dtype))
    for scalar in (True, 2, 2.5):
        yield scalar, scalar


def fxn_name(torch_dtype) -> str:
    return next(dtype for dtype in DTYPES if to_torch(dtype) == torch_dtype)


def test_result_type_is_torch_result_type_for_every_pair():
    for (a, torch_a), (b, torch_b) in itertools.product(list(operands()), repeat=2):
        if not isinstance(a, TensorType) and not isinstance(b, TensorType):
            continue  # torch needs a tensor
        assert result_type(a, b) == fxn_name(torch.result_type(torch_a, torch_b)), (a, b)


@pytest.mark.parametrize(
    "operands, expected",
    [
        ((TensorType("f32", (3,)), 2.0), "f32"),  # a weak float adopts f32
        ((TensorType("f16", (3,)), 2.0), "f16"),
        ((TensorType("i32", (3,)), 1), "i32"),  # a weak int adopts i32
        ((TensorType("i8", (3,)), 2.5), "f32"),  # int tensor and float scalar: the default float
        ((TensorType("f16", (3,)), TensorType("f64", ())), "f16"),  # a 0-d tensor of the same category is weaker
        ((TensorType("i32", (3,)), TensorType("f64", ())), "f64"),  # ... but a higher category wins
    ],
)
def test_weak_operands(operands, expected):
    assert result_type(*operands) == expected


def test_float_result_type_and_the_default_float():
    assert float_result_type(TensorType("i32", (2,)), 2) == "f32"
    assert float_result_type(TensorType("f16", (2,)), 2) == "f16"
    with using_default_float("f64"):  # NumPy code
        assert float_result_type(TensorType("i32", (2,)), 2) == "f64"
        assert result_type(TensorType("f32", (2,)), 2.5) == "f32"
    assert float_result_type(TensorType("i32", (2,))) == "f32"
