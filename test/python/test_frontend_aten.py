"""The ATen -> fxn table: torch code traced by make_fx, run by the reference interpreter, against torch eager.

Every case is traced once (cached), verified, interpreted and compared with
torch on the same inputs: dtype, shape and values. Together the cases reach
every fxn op but the string ops (no ATen op makes a Python str).
"""

import functools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import fxn
from fxn.dialects import OPS, new_context
from fxn.frontend import crop as fxn_crop
from fxn.frontend import fma as fxn_fma
from fxn.frontend import intrinsics
from fxn.frontend.trace import trace
from fxn.frontend.errors import UnsupportedOperation
from fxn.frontend.types import argument_type, parameters
from fxn.mlir import ir
from frontend_harness import traced

RNG = np.random.default_rng(7)
IMAGE = RNG.standard_normal((2, 3, 8, 8)).astype(np.float32)
M = RNG.standard_normal((4, 5)).astype(np.float32)
INTS = RNG.integers(-5, 6, (4, 5)).astype(np.int32)
W = RNG.standard_normal((3, 5)).astype(np.float32)
B = RNG.standard_normal(3).astype(np.float32)
HALF = RNG.standard_normal((4, 5)).astype(np.float16)
DOUBLE = RNG.standard_normal((4, 5))

#: name -> (function, inputs)
CASES = {
    # arithmetic and promotion
    "add_scalar": (lambda v: v + 1, [M]),
    "sub_alpha": (lambda v: torch.sub(v, v * 2, alpha=3), [M]),
    "rsub": (lambda v: 1 - v, [M]),
    "mul_tensor": (lambda v, w: v[:3] * w, [M, W]),
    "div": (lambda v: v / 3, [M]),
    "int_div_is_float": (lambda i: i / 2, [INTS]),
    "int_add_int": (lambda i: i + 3, [INTS]),
    "int_mul_float": (lambda i: i * 1.5, [INTS]),
    "bool_add": (lambda v: (v > 0) + 1, [M]),
    "half_stays_half": (lambda h: h * 2.5 + 1, [HALF]),
    "half_plus_float": (lambda h, v: h + v, [HALF, M]),
    "double_and_float": (lambda d, v: d * v, [DOUBLE, M]),
    "maximum": (lambda v: torch.maximum(v, torch.zeros(5)), [M]),
    "minimum": (lambda v: torch.minimum(v, v * 0.5), [M]),
    "pow_scalar": (lambda v: v.abs() ** 0.5, [M]),
    "square": (lambda v: v**2, [M]),
    "int_square": (lambda i: i**2, [INTS]),
    "scalar_pow": (lambda v: 2**v, [M]),
    "exp2": (lambda v: torch.exp2(v), [M]),
    "reciprocal": (lambda v: v.reciprocal(), [M]),
    "inplace": (lambda v: v.clone().add_(1).mul_(2), [M]),
    "fma": (lambda v: fxn_fma(v, v, torch.ones(5)), [M]),
    # division with rounding, remainders (divisors without 0: torch raises for integers)
    "floor_division": (lambda v, i: (v // 0.7, i // 3, torch.floor_divide(i, -i.abs() - 1), torch.div(i, 2, rounding_mode="floor")), [M, INTS]),
    "trunc_division": (lambda v, i: (torch.div(v, 0.7, rounding_mode="trunc"), torch.div(i, -2, rounding_mode="trunc")), [M, INTS]),
    "remainder": (lambda v, i: (v % 0.7, i % 3, torch.remainder(-7, i.abs() + 1), torch.remainder(v, -v.abs() - 1)), [M, INTS]),
    "fmod": (lambda v, i: (torch.fmod(v, 0.7), torch.fmod(i, -3)), [M, INTS]),
    # rounding and sign
    "rounding": (lambda v: (v.floor(), v.ceil(), (v * 4).round(), v.trunc(), v.frac(), v.sign(), torch.round(v, decimals=2)), [M]),
    "rounding_int": (lambda i: (i.floor(), i.ceil(), i.round(), i.trunc(), i.sign()), [INTS]),
    "round_half": (lambda h: (torch.round(h * 4), torch.round(h, decimals=1)), [HALF]),
    # bitwise logic and shifts
    "bitwise": (lambda i: (i & 3, i | 8, i ^ (i * 7), ~i, (i > 0) ^ (i < 2)), [INTS]),
    "shifts": (lambda i: (i << 2, i >> 1, 1 << i.abs(), torch.bitwise_right_shift(i, i.abs())), [INTS]),
    # math functions
    "neg_abs": (lambda v: -v.abs(), [M]),
    "relu": (lambda v: v.relu(), [M]),
    "exp": (lambda v: torch.exp(v), [M]),
    "exp_of_int": (lambda i: torch.exp(i), [INTS]),
    "log": (lambda v: torch.log(v.abs()), [M]),
    "sqrt": (lambda v: v.abs().sqrt(), [M]),
    "rsqrt": (lambda v: v.abs().rsqrt(), [M]),
    "tanh": (lambda v: v.tanh(), [M]),
    "sigmoid": (lambda v: v.sigmoid(), [M]),
    "erf": (lambda v: torch.erf(v), [M]),
    "trigonometric": (lambda v: (v.sin(), v.cos(), torch.tan(v), torch.asin(v / 4), torch.acos(v / 4), v.atan(),
                                 torch.atan2(v, v * -0.5 + 0.1), torch.sinh(v), torch.cosh(v)), [M]),
    "trigonometric_of_int": (lambda i: (torch.sin(i), torch.atan2(i, i * 2 + 1)), [INTS]),
    "gelu": (lambda v: F.gelu(v), [M]),
    "gelu_tanh": (lambda v: F.gelu(v, approximate="tanh"), [M]),
    "log1p_expm1": (lambda v: (torch.log1p(v.abs()), torch.expm1(v)), [M]),
    "silu": (lambda v: F.silu(v), [M]),
    "leaky_relu": (lambda v: F.leaky_relu(v, 0.1), [M]),
    "hardswish": (lambda v: F.hardswish(v), [M]),
    # clamps, comparisons, selection, casts
    "clamp": (lambda v: v.clamp(-0.5, 0.5), [M]),
    "clamp_min": (lambda v: v.clamp(min=0), [M]),
    "clamp_max": (lambda v: v.clamp(max=0.1), [M]),
    "relu6": (lambda v: F.relu6(v * 4), [M]),
    "clamp_tensor": (lambda v: torch.clamp(v, min=v * 0.5), [M]),
    "clamp_int_float_bounds": (lambda i: i.clamp(0.5, 2.5), [INTS]),
    "compare": (lambda v: (v > 0, v <= 0.5, v == v, v != 0), [M]),
    "compare_mixed": (lambda i: i < 2.5, [INTS]),
    "logical": (lambda v: (~(v > 0), (v > 0) & (v < 1), torch.logical_or(v > 1, v < -1), torch.logical_not(v)), [M]),
    "where": (lambda v: torch.where(v > 0, v, 0.0), [M]),
    "where_scalars": (lambda v: torch.where(v > 0, 1.0, 0.0), [M]),
    "to_half": (lambda v: v.to(torch.float16), [M]),
    "int_to_float": (lambda i: i.float(), [INTS]),
    # reductions
    "sum": (lambda v: (v.sum(), v.sum(1), v.sum(0, keepdim=True)), [M]),
    "sum_int_is_i64": (lambda i: i.sum(), [INTS]),
    "sum_bool": (lambda v: (v > 0).sum(1), [M]),
    "sum_dtype": (lambda i: i.sum(dtype=torch.float32), [INTS]),
    "mean": (lambda v: (v.mean(), v.mean(-1, keepdim=True)), [M]),
    "max_min": (lambda v: (v.max(), v.amax((0, 1)), v.amin(1, keepdim=True), v.min(0).values), [M]),
    "max_dim": (lambda v: v.max(1), [M]),
    "any_all": (lambda v: ((v > -10).all(), (v > 0).any(dim=1), torch.all(v > 0, dim=0), v.any()), [M]),
    "argmin": (lambda v, i: (torch.argmin(v, 1), v.min(0).indices, torch.argmin(i), i.min(1).indices), [M, INTS]),
    "argmax": (lambda v: (v.argmax(1), v.argmax()), [M]),
    "prod": (lambda v: (v.prod(1), v.prod()), [M]),
    "cumulative": (lambda v, i: (v.cumsum(1), torch.cumprod(v, 0), i.cumsum(-1), torch.cumprod(i, 1), (v > 0).cumsum(0),
                                 torch.cumsum(i, 0, dtype=torch.float32)), [M, INTS]),
    "softmax": (lambda v: F.softmax(v, 0), [M]),
    "log_softmax": (lambda v: F.log_softmax(v, -1), [M]),
    "var_std": (lambda v: (v.var(1), v.std()), [M]),
    "var_mean": (lambda v: torch.var_mean(v, 1, correction=0), [M]),
    "vector_norm": (lambda v: torch.linalg.vector_norm(v, dim=1), [M]),
    "layer_norm": (lambda v, w, b: F.layer_norm(v, (5,), w[0], b[0].repeat(2)[:5]), [M, W, W]),
    "layer_norm_without_affine": (lambda x: F.layer_norm(x, x.shape[-2:], eps=0.1), [IMAGE]),
    "layer_norm_statistics": (lambda v: torch.native_layer_norm(v, (5,), None, None, 1e-5), [M]),
    "group_norm": (lambda x: F.group_norm(x, 1), [IMAGE]),
    # matrix products
    "mm": (lambda v: v @ torch.ones(5, 2), [M]),
    "matrix_vector": (lambda v: v @ torch.ones(5), [M]),
    "bmm": (lambda v: v[None] @ v.t()[None], [M]),
    "batched_matmul": (lambda x: x @ x.transpose(-1, -2), [IMAGE]),
    "linear": (lambda v, w, b: F.linear(v, w, b), [M, W, B]),
    "linear_without_bias": (lambda v, w: F.linear(v, w), [M, W]),
    "linear_3d": (lambda x: F.linear(x, torch.ones(3, 8), torch.ones(3)), [IMAGE]),
    "addmm_scaled": (lambda v, w, b: torch.addmm(b, v, w.t(), beta=0.5, alpha=2), [M, W, B]),
    # nn
    "conv2d": (lambda x: F.conv2d(x, torch.ones(4, 3, 3, 3) * 0.1, torch.arange(4.0), padding=1, stride=2), [IMAGE]),
    "conv2d_groups": (lambda x: F.conv2d(x, torch.ones(6, 1, 3, 3), groups=3, dilation=2), [IMAGE]),
    "conv1d": (lambda v: F.conv1d(v[None], torch.ones(2, 4, 3), padding=1), [M]),
    # oneDNN's fused convolution and linear, as torch.compile emits them (padding before stride)
    "conv2d_pointwise": (lambda x: (
        torch.ops.mkldnn._convolution_pointwise(x, torch.ones(4, 3, 3, 3) * 0.1, torch.arange(4.0) - 2, [1, 1],
                                                [2, 1], [1, 1], 1, "relu", [], ""),
        torch.ops.mkldnn._convolution_pointwise(x, torch.ones(6, 1, 3, 3) * 0.2, None, [0, 0], [1, 1], [2, 2], 3,
                                                "hardtanh", [-0.5, 0.5], ""),
        torch.ops.mkldnn._convolution_pointwise(x, torch.ones(2, 3, 1, 1), None, [0, 0], [1, 1], [1, 1], 1,
                                                "sigmoid", [], "")), [IMAGE]),
    "linear_pointwise": (lambda v: (
        torch.ops.mkldnn._linear_pointwise(v, torch.ones(3, 5) * 0.3, torch.arange(3.0) - 1, "relu", [], ""),
        torch.ops.mkldnn._linear_pointwise(v, torch.ones(2, 5), None, "hardtanh", [0.0, 6.0], "")), [M]),
    "max_pool": (lambda x: (F.max_pool2d(x, 2), F.max_pool2d(x, 3, 2, 1, ceil_mode=True)), [IMAGE]),
    "avg_pool": (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [IMAGE]),
    "adaptive_avg_pool": (lambda x: (F.adaptive_avg_pool2d(x, (3, 2)), F.adaptive_avg_pool2d(x, 1)), [IMAGE]),
    "batch_norm": (
        lambda x: F.batch_norm(x, torch.arange(3.0), torch.ones(3) * 2, torch.ones(3) * 3, torch.zeros(3)),
        [IMAGE],
    ),
    "batch_norm_without_affine": (lambda x: F.batch_norm(x, torch.zeros(3), torch.ones(3)), [IMAGE]),
    # resampling
    "resize_bilinear": (lambda x: F.interpolate(x, size=(5, 7), mode="bilinear"), [IMAGE]),
    "resize_nearest": (lambda x: F.interpolate(x, size=(4, 4), mode="nearest"), [IMAGE]),
    "resize_bicubic": (lambda x: F.interpolate(x, size=(4, 4), mode="bicubic", align_corners=True), [IMAGE]),
    "resize_antialias": (lambda x: F.interpolate(x, size=(4, 4), mode="bilinear", antialias=True), [IMAGE]),
    "resize_bicubic_antialias": (lambda x: F.interpolate(x, size=(3, 5), mode="bicubic", antialias=True), [IMAGE]),
    "resize_exact_scale": (lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"), [IMAGE]),
    "crop": (lambda x: fxn_crop(x, 1, 2, 3, 4), [IMAGE]),
    # the run-time window intrinsics (frontend/indexing.py builds them from x[i], out[i] = v, np.zeros(n))
    "dim": (lambda v: intrinsics.dim(v, -1), [M]),
    "dynamic_slice": (lambda v: intrinsics.dynamic_slice(v, [torch.tensor(1), torch.tensor(0)], [1, 5], [1, 1], [0]),
                      [M]),
    "dynamic_update_slice": (lambda v: intrinsics.dynamic_update_slice(
        v, v[0], [torch.tensor(2), torch.tensor(0)], [1, 5], [1, 1], [0]), [M]),
    "full": (lambda v: intrinsics.full(v[0, 0], [torch.tensor(3)], [-1, 2]), [M]),
    "empty": (lambda v: intrinsics.empty([torch.tensor(3)], [-1, 2], torch.float32), [M]),  # eagerly zeros
    # shapes and copies
    "reshape": (lambda v: v.reshape(5, 4).t(), [M]),
    "flatten": (lambda x: x.flatten(1), [IMAGE]),
    "squeeze": (lambda v: v.unsqueeze(0).squeeze(0), [M]),
    "permute": (lambda x: x.permute(0, 2, 3, 1), [IMAGE]),
    "expand": (lambda v: v[None].expand(3, 4, 5), [M]),
    "repeat": (lambda v: v.repeat(2, 1), [M]),
    "slices": (lambda x: (x[..., 1:5, 2:6], x[:, -2:], x[::2]), [IMAGE]),
    "select": (lambda v: (v[1], v[:, -1]), [M]),
    "narrow": (lambda v: v.narrow(1, 1, 2), [M]),
    "split": (lambda v: (*v.split(2, 1), v.chunk(2, 0)[1], v.unbind(0)[2]), [M]),
    "cat": (lambda v: torch.cat([v, v[:2], v[:3]], 0), [M]),
    "cat_promotes": (lambda v, i: torch.cat([v, i]), [M, INTS]),
    "stack": (lambda v: torch.stack([v, v]), [M]),
    "pad_constant": (lambda x: F.pad(x, (1, 2, 0, 1), value=0.5), [IMAGE]),
    "pad_reflect": (lambda x: F.pad(x, (1, 1, 2, 2), mode="reflect"), [IMAGE]),
    "pad_replicate": (lambda x: F.pad(x, (1, 1, 2, 2), mode="replicate"), [IMAGE]),
    "setitem": (lambda v: _assign_rows(v.clone()), [M]),
    # factories
    "factories": (lambda v: (torch.zeros_like(v) + torch.ones(5), torch.full((4, 5), 2.0) + v), [M]),
    "arange": (lambda v: (torch.arange(5) + v, torch.arange(0, 1, 0.2) + v), [M]),
    "tensor_constant": (lambda v: torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]) * v, [M]),
    "large_constant": (lambda v: v.sum() + torch.linspace(0, 1, 5000).square().sum(), [M]),  # a resource blob
}


def _assign_rows(t):
    t[1:3] = 5.0
    t[0] = t[3]
    return t


@functools.lru_cache(maxsize=None)
def traced_case(name: str):
    fn, inputs = CASES[name]
    fn.__name__ = name
    return traced(fn, *inputs)


def flat(value) -> list:
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in flat(item)]
    return [value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_op_matches_torch(name):
    fn, inputs = CASES[name]
    result = traced_case(name)
    assert result.capture == "fx"
    assert result.module.operation.verify()
    expected = flat(fn(*[torch.from_numpy(a.copy()) for a in inputs]))
    got = flat(fxn.interpret(result.module, *inputs))
    assert len(got) == len(expected)
    for e, g in zip(expected, got):
        assert (g.dtype, g.shape) == (e.dtype, e.shape)
        tolerance = 2e-3 if e.dtype == np.float16 else 2e-5
        np.testing.assert_allclose(g.astype(np.float64), e.astype(np.float64), rtol=tolerance, atol=tolerance)


def op_names(name: str) -> set[str]:
    return module_op_names(traced_case(name).module)


def module_op_names(module) -> set[str]:
    names = set()

    def collect(op):
        names.add(op.name)
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    return names


def apply_function(f: fxn.FunctionType(fxn.f32(fxn.f32)), x: float):
    return f(x)


def test_every_fxn_op_is_reachable():
    """Every op but the string ops, which Python's str operations reach (test_strings.py checks that)."""
    from fxn.dialects import string

    # fxn.call_indirect has no ATen op: the capture of functions of numbers emits it for a call of a function value.
    emitted = set().union(*(op_names(name) for name in CASES), module_op_names(traced(apply_function, None, 1.0).module))
    strings = {name for name, op in OPS.items() if op.__module__ == string.__name__}
    assert set(OPS) - strings - emitted == set()


@pytest.mark.parametrize(
    "name, op, attribute",
    [
        ("linear", "fxn.linear", None),
        ("resize_bilinear", "fxn.resize", 'mode = "bilinear"'),
        ("resize_antialias", "fxn.resize", "antialias = true"),
        ("resize_nearest", "fxn.resize", 'mode = "nearest"'),
        ("pad_reflect", "fxn.pad", 'mode = "reflect"'),
        ("conv1d", "fxn.conv2d", None),
        ("conv2d_pointwise", "fxn.conv2d_activation", 'activation = "clamp"'),
        ("linear_pointwise", "fxn.linear_activation", 'activation = "relu"'),
        ("fma", "fxn.fma", None),
        ("layer_norm", "fxn.layer_norm", "normalized_rank = 1"),
        ("layer_norm_without_affine", "fxn.layer_norm", "normalized_rank = 2"),
        ("crop", "fxn.crop", None),
    ],
)
def test_ops_keep_their_fxn_op(name, op, attribute):
    text = str(traced_case(name).module)
    assert f'"{op}"' in text
    if attribute:
        assert attribute in text


def test_promotions_are_explicit_casts():
    text = str(traced_case("int_div_is_float").module)
    assert '"fxn.cast"(%arg0) : (tensor<4x5xi32>) -> tensor<4x5xf32>' in text
    # A weak Python scalar adopts the tensor's type: no f64 anywhere.
    assert "f64" not in str(traced_case("half_stays_half").module)


def test_scale_factor_that_resamples_differently_is_refused():
    def resize_by_one_and_a_half(x):
        return F.interpolate(x, scale_factor=1.5, mode="bilinear")

    signature = parameters(resize_by_one_and_a_half)
    with pytest.raises(UnsupportedOperation, match=r"call to 'F.interpolate': resizing by scale_factor=1.5"):
        trace(resize_by_one_and_a_half, signature, [argument_type(signature[0], IMAGE[:, :, :5, :5])], new_context())


def test_log1p_and_expm1_stay_accurate_near_zero_and_at_the_ends():
    @fxn.compile
    def both(x: fxn.Tensor[fxn.f32, "N"]):
        return torch.log1p(x), torch.expm1(x)

    x = np.array([1e-30, -1e-20, 1e-8, -3e-7, 1e-4, 0.5, -1.0, -100.0, 80.0, np.inf, -np.inf, np.nan], np.float32)
    log1p, expm1 = both(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        for got, want in ((log1p, np.log1p(x)), (expm1, np.expm1(x))):
            # log(1 + x) or exp(x) - 1 would give 0 for the tiny inputs: relative error 1.
            np.testing.assert_allclose(got, want, rtol=3e-7, equal_nan=True)


def test_layer_norm_over_run_time_dims_matches_torch_with_and_without_weights():
    """With weights, one fxn.layer_norm; without, over dims known only at run time (no ones to pass), its formula."""
    @fxn.compile
    def norms(x: fxn.Tensor[fxn.f32, "N", "M"], w: fxn.Tensor[fxn.f32, "M"]):
        return F.layer_norm(x, x.shape[-1:], w, w), F.layer_norm(x, x.shape[-1:])

    for rows, columns in ((3, 7), (1, 1), (5, 2)):
        x = np.random.default_rng(rows).standard_normal((rows, columns)).astype(np.float32) * 3 + 2
        w = np.random.default_rng(columns).standard_normal(columns).astype(np.float32)
        weighted, plain = norms(x, w)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        np.testing.assert_allclose(weighted, F.layer_norm(tx, (columns,), tw, tw).numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(plain, F.layer_norm(tx, (columns,)).numpy(), rtol=1e-5, atol=1e-5)
    (concrete,) = norms.concrete_functions
    assert str(concrete.lowered.optimized).count('"fxn.layer_norm"') == 1
