"""torch code and Python arithmetic captured by make_fx: compiled end to end, types kept, every op located."""


import numpy as np
import pytest
import torch
import torch.nn.functional as F

import fxn
from fxn.dialects import new_context
from fxn.mlir import ir
from fxn.source import parse_module
from frontend_harness import traced, line_of




def locations(module) -> list[str]:
    found = []

    def collect(op):
        if op.name != "builtin.module":
            found.append(str(op.location))
        return ir.WalkResult.ADVANCE

    module.operation.walk(collect)
    return found


def test_torch_code_compiles_and_matches_torch():
    @fxn.compile
    def predictor(x, w, b):
        hidden = torch.tanh(F.linear(x, w, b))
        return torch.sigmoid(hidden * 2.0 - 1.0), hidden.amax(1, keepdim=True)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5)).astype(np.float32)
    w = rng.standard_normal((3, 5)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    before = x.copy()
    probabilities, peak = predictor(x, w, b)
    expected = predictor.__wrapped__(*map(torch.from_numpy, (x, w, b)))
    np.testing.assert_allclose(probabilities, expected[0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(peak, expected[1].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(x, before)
    assert predictor.concrete_functions[0].lowered.traced.capture == "fx"


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32])
def test_element_types_are_preserved(dtype):
    @fxn.compile
    def scale_and_shift(a, b):
        return a * b + 2

    a = np.arange(6, dtype=dtype).reshape(2, 3)
    result = scale_and_shift(a, a)
    assert result.dtype == dtype
    np.testing.assert_array_equal(result, a * a + dtype(2))


def test_scalar_parameters_compile_to_scalars():
    @fxn.compile
    def mix(x: float, n: int, flag: bool) -> float:
        return torch.where(flag, x * n, -x)

    assert mix(1.5, 4, True) == 6.0
    assert mix(1.5, 4, False) == -1.5


def test_named_dims_stay_dynamic():
    @fxn.compile
    def normalize(x: fxn.Tensor[fxn.f32, "N", 4], scale: fxn.Tensor[fxn.f32, 4]):
        return x * scale - x.mean(0)

    traced_function = normalize.concrete_function(tuple(p.declared for p in normalize.parameters))
    assert str(traced_function.arg_types[0]) == "tensor<?x4xf32>"
    for rows in (1, 3, 10):
        x = np.arange(rows * 4, dtype=np.float32).reshape(rows, 4)
        scale = np.full(4, 0.5, np.float32)
        np.testing.assert_allclose(normalize(x, scale), x * scale - x.mean(0), rtol=1e-6)


def test_traced_ir_verifies_and_every_op_has_the_users_location():
    def predictor(x, y):
        z = x * y
        return torch.exp(z) + 1.0

    result = traced(predictor, np.ones(3, np.float32), np.ones(3, np.float32))
    text = result.module.operation.get_asm(enable_debug_info=True)
    parse_module(text, "roundtrip.mlir", new_context())  # every op's verifier runs
    filename = predictor.__code__.co_filename
    first, last = line_of(predictor, "def predictor"), line_of(predictor, "return torch.exp")
    for location in locations(result.module):
        path, line, column = location.removeprefix("loc(").rstrip(")").rsplit(":", 2)
        assert path.strip('"') == filename
        assert first <= int(line) <= last
    mul = line_of(predictor, "z = x * y")
    assert '"fxn.mul"' in text and f'loc("{filename}":{mul}:13)' in text  # the column of `x * y`, 1-based


def test_traced_stage_shows_the_captured_aten_graph():
    def predictor(x):
        return F.relu(x) * 3

    result = traced(predictor, np.ones(3, np.float32))
    assert "aten.relu.default" in result.graph and "aten.mul.Tensor" in result.graph


def test_python_constants_returned_take_the_annotation_defaults():
    def constants(x):
        return x + 1, 2.5, 3, True

    result = traced(constants, np.ones(2, np.float32))
    assert [str(t) for t in result.result_types] == ["tensor<2xf32>", "tensor<f32>", "tensor<i32>", "tensor<i1>"]
    assert result.returns_tuple
    values = fxn.interpret(result.module, np.ones(2, np.float32))
    assert [v.item() for v in values[1:]] == [2.5, 3, True]


def test_torch_tensors_are_taken_without_copy_and_torch_code_runs_at_trace_time_only():
    calls = []

    @fxn.compile
    def double(x: torch.Tensor):
        calls.append("traced")
        return x * 2

    for _ in range(3):
        np.testing.assert_array_equal(double(torch.arange(4.0)), np.arange(4.0, dtype=np.float32) * 2)
    assert calls == ["traced"]


#: Module-level tensors, as predictors keep weights and normalization constants.
CHANNEL_MEAN = torch.tensor([0.485, 0.456, 0.406]).reshape(3, 1, 1)
CHANNEL_STD = torch.tensor([0.229, 0.224, 0.225]).reshape(3, 1, 1)


def test_module_level_tensors_are_constants_of_the_traced_function():
    @fxn.compile
    def normalized(image: fxn.Tensor[fxn.u8, 10, 12, 3]):
        chw = image.permute(2, 0, 1).float() / 255.0
        resized = F.interpolate(chw.unsqueeze(0), size=(4, 6), mode="bilinear", align_corners=False)[0]
        return (resized - CHANNEL_MEAN) / CHANNEL_STD

    image = np.random.default_rng(3).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    expected = normalized.fn(torch.from_numpy(image)).numpy()
    np.testing.assert_allclose(normalized(image), expected, atol=1e-5)
    assert normalized.concrete_functions[0].lowered.traced.capture == "fx"
