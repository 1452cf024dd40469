"""fxn-tile-conv and the phase rewrites of strided convolutions (columns, and rows where they then join), compiled,
against torch.

Each output element adds its products in order with fused multiply-adds,
so it agrees with any correct convolution within ``n * u * sum(|x| |w|)``
(``n`` products, ``u`` the unit roundoff); the bound is computed with
torch in float64 on absolute values. Shapes cover whole and partial
vector tiles along the width, every stride and padding the networks use,
1x1 and 7x7 kernels, filters and channels that the register tile does not
divide, batches, f64, dilation and groups (left to the generic path).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import fxn

CASES = [
    # input shape, weight shape, conv2d keywords
    ((1, 64, 56, 56), (64, 64, 3, 3), dict(padding=1)),
    ((1, 3, 32, 32), (32, 3, 3, 3), dict(stride=2, padding=1)),
    ((2, 5, 13, 11), (7, 5, 3, 2), dict(padding=(1, 0))),
    ((1, 3, 30, 30), (8, 3, 3, 3), dict(padding=1)),
    ((1, 16, 20, 20), (24, 16, 1, 1), {}),
    ((1, 16, 20, 21), (24, 16, 1, 1), dict(stride=2)),
    # Rows of stride 2 split into phases too: joined rows (7 columns) and a 1x1 over the subsampled pixels.
    ((1, 32, 14, 14), (48, 32, 3, 3), dict(stride=2, padding=1)),
    ((2, 6, 13, 15), (5, 6, 3, 3), dict(stride=2, padding=1)),
    ((1, 8, 9, 11), (16, 8, 1, 1), dict(stride=(3, 2))),
    ((1, 3, 38, 38), (16, 3, 7, 7), dict(stride=2, padding=3)),
    # Output rows of 28 columns (not whole vectors) join too; a stride of 3 over a 5x5 kernel: phases of
    # 2, 2 and 1 taps per axis, one convolution each.
    ((1, 16, 56, 56), (16, 16, 3, 3), dict(stride=2, padding=1)),
    ((1, 8, 20, 20), (8, 8, 5, 5), dict(stride=3, padding=2)),
    # A phase of one tap along an axis whose stride is 2 (a 2x1 kernel at stride (3, 2)).
    ((1, 5, 9, 38), (1, 5, 2, 1), dict(stride=(3, 2))),
    ((1, 8, 15, 17), (12, 8, 3, 3), dict(stride=(1, 3), padding=2)),
    ((1, 6, 12, 12), (6, 6, 3, 3), dict(padding=2, dilation=2)),
    ((1, 8, 12, 12), (8, 2, 3, 3), dict(padding=1, groups=4)),
    ((1, 1, 9, 9), (4, 1, 2, 2), {}),
    ((3, 4, 5, 6), (2, 4, 3, 3), dict(padding=1, stride=2)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, keywords", CASES)
def test_convolutions_match_torch_within_the_bound(x_shape, w_shape, keywords, dtype):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x, w = rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(w_shape).astype(dtype)
    result = fxn.compile(lambda x, w: F.conv2d(x, w, **keywords))(x, w)
    x64, w64 = torch.from_numpy(x).double(), torch.from_numpy(w).double()
    expected = F.conv2d(x64, w64, **keywords).numpy()
    products = w_shape[1] * w_shape[2] * w_shape[3]
    bound = (products + 1) * np.finfo(dtype).eps / 2 * F.conv2d(x64.abs(), w64.abs(), **keywords).numpy()
    assert result.shape == expected.shape and result.dtype == dtype
    assert np.all(np.abs(result - expected) <= bound + np.finfo(dtype).tiny)


STRIDED = [case for case in CASES if case[2].get("stride", 1) != 1]


@pytest.mark.parametrize("x_shape, w_shape, keywords", STRIDED)
def test_constant_weights_split_into_phases_at_compile_time_match_torch(x_shape, w_shape, keywords):
    # A model's weights are constants: their phases are computed when compiling, not read through slices.
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x, w = rng.standard_normal(x_shape, dtype=np.float32), rng.standard_normal(w_shape, dtype=np.float32)
    weight = torch.from_numpy(w)
    result = fxn.compile(lambda x: F.conv2d(x, weight, **keywords))(x)
    x64, w64 = torch.from_numpy(x).double(), weight.double()
    expected = F.conv2d(x64, w64, **keywords).numpy()
    bound = (w[0].size + 1) * np.finfo(np.float32).eps / 2 * F.conv2d(x64.abs(), w64.abs(), **keywords).numpy()
    assert np.all(np.abs(result - expected) <= bound + np.finfo(np.float32).tiny)


def test_conv_with_bias_and_relu_matches_torch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 32, 28, 28), dtype=np.float32)
    w = rng.standard_normal((48, 32, 3, 3), dtype=np.float32)
    b = rng.standard_normal(48, dtype=np.float32)
    result = fxn.compile(lambda x, w, b: F.relu(F.conv2d(x, w, b, stride=2, padding=1)))(x, w, b)
    expected = F.relu(F.conv2d(*(torch.from_numpy(a) for a in (x, w, b)), stride=2, padding=1)).numpy()
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4)
