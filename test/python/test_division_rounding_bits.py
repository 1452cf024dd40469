"""``//``, ``%``, fmod, floor/ceil/round/trunc/sign and bitwise ops compiled end to end against torch and numpy eager.

torch code goes through make_fx, numpy code through TorchDynamo; both are
compiled for this machine and compared bit for bit (signed zeros included)
with the eager result on special values: signed zeros, infinities, NaN,
halves, integer MIN and MAX, out-of-range shift counts. Divisors avoid 0
for integers where torch raises; fxn's defined result there (0) is checked
against numpy.
"""

import warnings

import numpy as np
import pytest
import torch

import fxn
from fxn.testing.compare import assert_identical

RNG = np.random.default_rng(3)
FLOATS = np.concatenate([RNG.standard_normal(40) * 20, [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, np.inf, -np.inf, np.nan,
                                                     1e-30, -1e-30, 3e38, 1.4e-45]]).astype(np.float32)
DIVISORS = np.concatenate([RNG.standard_normal(40) * 3, [3.0, -3.0, 0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0,
                                                       1e-30, 7.0, 1e-45, 0.1, -0.1]]).astype(np.float32)
INTS = np.concatenate([RNG.integers(-1000, 1000, 40), [-(2**31), 2**31 - 1, 0, 1, -1, 7, -7, 13]]).astype(np.int32)
# MIN // -1 is left out: torch eager dies of SIGFPE there (fxn wraps to MIN, see the i64 test below).
INT_DIVISORS = np.concatenate([RNG.integers(1, 50, 40) * RNG.choice([-1, 1], 40), [3, -1, -1, 3, -3, 2, -2, 5]]).astype(np.int32)


def torch_division(x, y, i, j):
    return (x // y, x % y, torch.fmod(x, y), torch.div(x, y, rounding_mode="trunc"),
            i // j, i % j, torch.fmod(i, j), torch.div(i, j, rounding_mode="trunc"), i // 4, i % -4, 7 % j)


def numpy_division(x, y, i, j):
    return (x // y, x % y, np.fmod(x, y), np.floor_divide(x, 2.5), np.remainder(x, -2.5),
            i // j, i % j, np.fmod(i, j), i // 4, i % -4)


def eager(fn, *arrays, numpy_code=False):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        results = fn(*arrays) if numpy_code else fn(*(torch.from_numpy(a) for a in arrays))
    return [np.asarray(r.numpy() if isinstance(r, torch.Tensor) else r) for r in results]


def assert_all_identical(compiled, expected, fix_torch_zero_signs=()):
    assert len(compiled) == len(expected)
    for k, (got, want) in enumerate(zip(compiled, expected)):
        if k in fix_torch_zero_signs:
            # torch.remainder keeps lhs's sign on a zero result; fxn (numpy, Python) gives rhs's.
            np.testing.assert_array_equal(got, want)
            continue
        assert_identical(got, want, f"result {k}")


def test_torch_division_and_remainders_match_torch():
    compiled = fxn.compile(torch_division)(FLOATS, DIVISORS, INTS, INT_DIVISORS)
    assert_all_identical(compiled, eager(torch_division, FLOATS, DIVISORS, INTS, INT_DIVISORS), fix_torch_zero_signs={1})


def test_numpy_division_and_remainders_match_numpy():
    compiled = fxn.compile(numpy_division)(FLOATS, DIVISORS, INTS, INT_DIVISORS)
    assert_all_identical(compiled, eager(numpy_division, FLOATS, DIVISORS, INTS, INT_DIVISORS, numpy_code=True))


def test_integer_division_by_zero_is_zero_as_numpy_gives_it():
    @fxn.compile
    def divide(i: fxn.Tensor[fxn.i64, "N"], j: fxn.Tensor[fxn.i64, "N"]):
        return i // j, i % j, np.fmod(i, j)

    i = np.array([7, -7, 0, -(2**63), -(2**63), 5], np.int64)
    j = np.array([0, 0, 0, -1, 1, -1], np.int64)
    with np.errstate(all="ignore"):
        expected = (np.floor_divide(i, j), np.remainder(i, j), np.fmod(i, j))
    for got, want in zip(divide(i, j), expected):
        assert_identical(got, want)


def rounding(x, i):
    return (torch.floor(x), torch.ceil(x), torch.round(x), torch.trunc(x), torch.sign(torch.where(x == x, x, 0.0)), x.frac(),
            torch.round(x, decimals=1), torch.round(x, decimals=-1), torch.floor(i), torch.sign(i))


def test_rounding_and_sign_match_torch():
    compiled = fxn.compile(rounding)(FLOATS, INTS)
    assert_all_identical(compiled, eager(rounding, FLOATS, INTS))


def test_numpy_rounding_and_sign_match_numpy():
    def numpy_rounding(x):
        # Not np.fix: TorchDynamo's numpy (torch._numpy) defines it as torch.round.
        return np.floor(x), np.ceil(x), np.round(x), np.rint(x), np.trunc(x), np.sign(x), np.round(x, 1)

    compiled = fxn.compile(numpy_rounding)(FLOATS)
    assert_all_identical(compiled, eager(numpy_rounding, FLOATS, numpy_code=True))


def bits(i, j, u, b):
    return (i & j, i | j, i ^ j, ~i, i << (j & 31), i >> (j & 31), i & 0xFF, u >> 3, u << 1, ~u, b & (i > 0), ~b,
            torch.bitwise_left_shift(i, 40 + j.abs() % 3), torch.bitwise_right_shift(i, 31 + j.abs() % 3))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64])
def test_bitwise_ops_and_shifts_match_torch(dtype):
    i = INTS.astype(dtype)
    j = INT_DIVISORS.astype(dtype)
    u = RNG.integers(0, 256, len(INTS)).astype(np.uint8)
    b = RNG.random(len(INTS)) < 0.5
    compiled = fxn.compile(bits)(i, j, u, b)
    assert_all_identical(compiled, eager(bits, i, j, u, b))


def test_numpy_bitwise_ops_match_numpy():
    def numpy_bits(i, j):
        return i & j, i | j, np.bitwise_xor(i, j), ~i, np.invert(i), i << 3, i >> 2, np.left_shift(i, j & 7)

    compiled = fxn.compile(numpy_bits)(INTS, INT_DIVISORS)
    assert_all_identical(compiled, eager(numpy_bits, INTS, INT_DIVISORS, numpy_code=True))
