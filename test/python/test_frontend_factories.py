"""New arrays in a predictor: ``*_like`` of dynamic shapes and ``torch.empty_like``, compared with numpy/torch."""

import numpy as np
import pytest
import torch

import fxn


@fxn.compile
def ramp_from_zeros(x: fxn.Tensor[fxn.f32, "N", 3]):
    return np.zeros_like(x) + x * 2 + np.full_like(x, 0.5) + np.ones_like(x, dtype=np.int32)


@pytest.mark.parametrize("rows", [0, 1, 5])
def test_like_factories_of_a_dynamic_shape(rows):
    x = np.arange(rows * 3, dtype=np.float32).reshape(rows, 3)
    np.testing.assert_array_equal(ramp_from_zeros(x), ramp_from_zeros.__wrapped__(x))


def test_a_like_factory_keeps_nan_out_of_its_values():
    x = np.array([[np.nan, np.inf, -1.0]], np.float32)
    np.testing.assert_array_equal(ramp_from_zeros(x), ramp_from_zeros.__wrapped__(x))


@fxn.compile
def filled_like(x: torch.Tensor):
    return torch.empty_like(x).fill_(2.0) + torch.zeros_like(x, dtype=torch.float64)


def test_empty_like_in_torch_code():
    x = torch.ones(2, 3)
    result = filled_like(x)
    assert result.dtype == np.float64 and (result == 2.0).all() and result.shape == (2, 3)
