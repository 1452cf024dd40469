"""The tensor ops (fxn.dialects.tensor): reference kernels against torch, run-time checks, verifiers."""

import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from fxn.dialects import new_context
from fxn.dialects.tensor import (
    BroadcastToOp,
    ConcatOp,
    ConstantOp,
    PadOp,
    ReshapeOp,
    SliceOp,
    TransposeOp,
)
from fxn.dialects.types import ALL_DTYPES, INT_DTYPES, NUMPY_DTYPES, TensorType
from fxn.interpreter import InterpreterError, interpret
from fxn.mlir import func, ir
from fxn.source import ParseError, parse_module
from op_harness import run_op


def concat_operands(inputs):
    """ConcatOp's operand groups: first, second, the rest as a list."""
    return [inputs[0], inputs[1], list(inputs[2:])]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def random_array(rng, shape, dtype: str) -> np.ndarray:
    """Random values covering the whole range of integer types (bit patterns must survive)."""
    np_dtype = NUMPY_DTYPES[dtype]
    if dtype == "i1":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype in INT_DTYPES:
        bounds = np.iinfo(np_dtype)
        return rng.integers(bounds.min, bounds.max, size=shape, dtype=np_dtype, endpoint=True)
    return rng.standard_normal(shape).astype(np_dtype)


def assert_same(actual, expected):
    """Data movement is exact: same dtype, shape and elements."""
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_array_equal(actual, expected)


def module_text(op: str) -> str:
    """A function taking the operands of ``op`` (a generic-form op on ``%a0, %a1 ...``) and returning its result."""
    operand_types, result_type = re.search(r":\s*\((.*)\)\s*->\s*(\S+)$", op).groups()
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(filter(None, operand_types.split(", "))))
    return f"func.func @main({params}) -> {result_type} {{\n  %r = {op}\n  return %r : {result_type}\n}}\n"


def verifier_errors(text: str) -> list[str]:
    with pytest.raises(ParseError) as info:
        parse_module(text, "t.mlir", new_context())
    return [d.message for d in info.value.diagnostics]


# ----------------------------------------------------------------------------
# constant


def run_constant(array: np.ndarray) -> np.ndarray:
    with new_context(), ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            func.FuncOp.from_py_func()(lambda: ConstantOp.from_numpy(array))
        assert module.operation.verify()
        return interpret(module)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 5)])
def test_constant_from_numpy_holds_the_array(rng, dtype, shape):
    array = random_array(rng, shape, dtype)
    assert_same(run_constant(array), array)


@pytest.mark.parametrize(
    "literal, expected",
    [
        ("dense<[[1, -2], [3, 4]]> : tensor<2x2xi8>", np.array([[1, -2], [3, 4]], np.int8)),
        ("dense<[true, false]> : tensor<2xi1>", np.array([True, False])),
        ("dense<true> : tensor<3xi1>", np.ones(3, np.bool_)),
        ("dense<1.5> : tensor<f16>", np.array(1.5, np.float16)),
        ("dense<-7> : tensor<2x0xi64>", np.zeros((2, 0), np.int64)),
    ],
)
def test_constant_from_dense(literal, expected):
    tensor_type = literal.rsplit(" : ", 1)[1]
    assert_same(interpret(module_text(f'"fxn.constant"() {{value = {literal}}} : () -> {tensor_type}')), expected)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_constant_from_dense_resource(rng, dtype):
    array = random_array(rng, (2, 3), dtype)
    little_endian = array.astype(array.dtype.newbyteorder("<"))
    blob = "0x" + array.itemsize.to_bytes(4, "little").hex() + little_endian.tobytes().hex()
    tensor_type = TensorType(dtype, array.shape)
    text = module_text(f'"fxn.constant"() {{value = dense_resource<weights> : {tensor_type}}} : () -> {tensor_type}')
    text += f'{{-#\n  dialect_resources: {{ builtin: {{ weights: "{blob}" }} }}\n#-}}\n'
    module = parse_module(text, "t.mlir", new_context())
    assert_same(interpret(module), array)


# ----------------------------------------------------------------------------
# broadcast_to


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize(
    "shape, target",
    [((), ()), ((), (2, 3)), ((1,), (0,)), ((3, 1), (2, 3, 5)), ((2, 0), (3, 2, 0)), ((5,), (5,))],
)
def test_broadcast_to_matches_torch(rng, dtype, shape, target):
    x = random_array(rng, shape, dtype)
    assert_same(run_op(BroadcastToOp, [x], shape=target), torch.broadcast_to(torch.from_numpy(x), target).numpy())


def test_broadcast_to_checks_a_dynamic_dim_at_run_time():
    text = module_text('"fxn.broadcast_to"(%a0) {shape = array<i64: 2, 3>} : (tensor<?xf32>) -> tensor<2x3xf32>')
    ones = np.ones(3, np.float32)
    assert_same(interpret(text, ones), np.ones((2, 3), np.float32))
    assert_same(interpret(text, ones[:1]), np.ones((2, 3), np.float32))
    with pytest.raises(InterpreterError, match=r"input shape \[2\] cannot broadcast to \[2, 3\]"):
        interpret(text, ones[:2])


# ----------------------------------------------------------------------------
# reshape


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize(
    "shape, target",
    [
        ((2, 3, 4), (4, -1)),
        ((6,), (1, 2, 1, 3)),
        ((), (1,)),
        ((1, 1), ()),
        ((0, 3), (-1, 3)),
        ((0, 3), (3, 0, 2)),
        ((3, 5), (5, 3)),
        ((7,), (-1,)),
    ],
)
def test_reshape_matches_torch(rng, dtype, shape, target):
    x = random_array(rng, shape, dtype)
    assert_same(run_op(ReshapeOp, [x], shape=target), torch.from_numpy(x).reshape(target).numpy())


def test_reshape_of_a_dynamic_input_infers_a_dynamic_dim():
    text = module_text('"fxn.reshape"(%a0) {shape = array<i64: -1, 2>} : (tensor<?x4xi32>) -> tensor<?x2xi32>')
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    assert_same(interpret(text, x), x.reshape(6, 2))


def test_reshape_checks_a_dynamic_element_count_at_run_time():
    text = module_text('"fxn.reshape"(%a0) {shape = array<i64: 2, 4>} : (tensor<?x4xf32>) -> tensor<2x4xf32>')
    assert interpret(text, np.zeros((2, 4), np.float32)).shape == (2, 4)
    with pytest.raises(InterpreterError, match="cannot reshape array of size 12"):
        interpret(text, np.zeros((3, 4), np.float32))


# ----------------------------------------------------------------------------
# transpose


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize(
    "shape, permutation",
    [((), ()), ((5,), (0,)), ((5,), (-1,)), ((2, 3), (1, 0)), ((2, 0, 3), (2, -3, 1)), ((2, 3, 4, 1), (3, 1, 0, 2))],
)
def test_transpose_matches_torch(rng, dtype, shape, permutation):
    x = random_array(rng, shape, dtype)
    expected = torch.permute(torch.from_numpy(x), permutation).numpy()
    assert_same(run_op(TransposeOp, [x], permutation=permutation), expected)


# ----------------------------------------------------------------------------
# slice


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize(
    "shape, starts, limits, strides",
    [
        ((7,), [1], [6], [2]),
        ((7,), [0], [7], [3]),
        ((4, 5), [1, 0], [1, 5], [1, 4]),
        ((), [], [], []),
        ((3, 0, 5), [0, 0, 1], [3, 0, 5], [2, 1, 3]),
        ((2, 9, 3), [1, 2, 0], [2, 9, 3], [5, 7, 1]),
    ],
)
def test_slice_matches_torch(rng, dtype, shape, starts, limits, strides):
    x = random_array(rng, shape, dtype)
    expected = torch.from_numpy(x)[tuple(slice(*bounds) for bounds in zip(starts, limits, strides))].numpy()
    assert_same(run_op(SliceOp, [x], starts=starts, limits=limits, strides=strides), expected)


def test_slice_checks_a_dynamic_dim_at_run_time():
    text = module_text(
        '"fxn.slice"(%a0) {limits = array<i64: 5>, starts = array<i64: 1>, strides = array<i64: 2>} '
        ": (tensor<?xi8>) -> tensor<2xi8>"
    )
    x = np.arange(6, dtype=np.int8)
    assert_same(interpret(text, x), np.array([1, 3], np.int8))
    with pytest.raises(InterpreterError, match="dimension 0: limit 5 exceeds size 4"):
        interpret(text, x[:4])


# ----------------------------------------------------------------------------
# pad


def torch_pad(x: np.ndarray, low, high, mode: str, value: float) -> np.ndarray:
    """``F.pad`` applied per dim, so that any dim of any rank and dtype can be padded."""
    t = torch.from_numpy(x)
    if mode == "constant":
        widths = [w for lo, hi in zip(reversed(low), reversed(high)) for w in (lo, hi)]
        return F.pad(t, widths, value=value).numpy()
    # torch pads only trailing dims in these modes and refuses bool tensors:
    # pad the element indices one dim at a time, then gather.
    index = torch.arange(x.size).reshape(x.shape)
    for axis, (lo, hi) in enumerate(zip(low, high)):
        if lo or hi:
            moved = index.movedim(axis, -1)
            padded = F.pad(moved.reshape(-1, 1, moved.shape[-1]), (lo, hi), mode=mode)
            index = padded.reshape(*moved.shape[:-1], lo + moved.shape[-1] + hi).movedim(-1, axis)
    return t.flatten()[index].numpy()


PAD_VALUES = {"f16": -2.5, "f32": 1e30, "f64": -0.125, "i8": -128.0, "ui8": 255.0, "i32": 7.0, "i64": 2.0**40, "i1": 1.0}


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate"])
@pytest.mark.parametrize(
    "shape, low, high",
    [
        ((5,), [1], [2]),
        ((2, 3), [0, 2], [1, 0]),
        ((3, 4, 5), [1, 0, 2], [2, 3, 0]),
        ((), [], []),
        ((0, 3), [0, 1], [0, 2]),
    ],
)
def test_pad_matches_torch(rng, dtype, mode, shape, low, high):
    x = random_array(rng, shape, dtype)
    value = PAD_VALUES[dtype]
    actual = run_op(PadOp, [x], low=low, high=high, mode=mode, value=value)
    assert_same(actual, torch_pad(x, low, high, mode, value))


def test_pad_constant_rounds_the_value_to_the_element_type():
    x = np.zeros(1, np.float16)
    assert_same(run_op(PadOp, [x], low=[1], high=[0], value=1e6), np.array([np.inf, 0], np.float16))


@pytest.mark.parametrize(
    "mode, size, message",
    [
        ("reflect", 2, "reflect padding of dimension 0 needs amounts below its size 2; got low 2, high 0"),
        ("replicate", 0, "replicate padding of dimension 0 needs a non-empty dimension"),
    ],
)
def test_pad_checks_a_dynamic_dim_at_run_time(mode, size, message):
    text = module_text(
        f'"fxn.pad"(%a0) {{high = array<i64: 0>, low = array<i64: 2>, mode = "{mode}", value = 0.0 : f64}} '
        ": (tensor<?xf32>) -> tensor<?xf32>"
    )
    x = np.arange(3, dtype=np.float32)
    assert_same(interpret(text, x), torch_pad(x, [2], [0], mode, 0.0))
    with pytest.raises(InterpreterError, match=re.escape(message)):
        interpret(text, x[:size])


# ----------------------------------------------------------------------------
# concat


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize(
    "shapes, dim",
    [
        ([(2, 3), (2, 3)], 0),
        ([(2, 3), (2, 3), (2, 3)], -1),
        ([(0, 3), (0, 3)], 1),
        ([(1, 2, 3), (1, 2, 3)], -2),
    ],
)
def test_concat_matches_torch(rng, dtype, shapes, dim):
    inputs = [random_array(rng, shape, dtype) for shape in shapes]
    expected = torch.cat([torch.from_numpy(x) for x in inputs], dim=dim).numpy()
    assert_same(run_op(ConcatOp, concat_operands(inputs), dim=dim), expected)


@pytest.mark.parametrize("shapes, dim", [([(2, 3), (1, 3)], 0), ([(1,), (0,), (4,)], -1), ([(1, 2), (1, 5), (1, 3), (1, 3)], 1)])
def test_concat_of_different_sizes_matches_torch(rng, shapes, dim):
    inputs = [random_array(rng, shape, "f32") for shape in shapes]
    expected = torch.cat([torch.from_numpy(x) for x in inputs], dim=dim).numpy()
    assert_same(run_op(ConcatOp, concat_operands(inputs), dim=dim), expected)


def test_concat_checks_dynamic_dims_at_run_time():
    text = module_text(
        '"fxn.concat"(%a0, %a1) {dim = 1 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>'
    )
    a, b = np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)
    assert_same(interpret(text, a, b), np.concatenate([a, b], axis=1))
    with pytest.raises(InterpreterError, match="'fxn.concat' failed at run time"):
        interpret(text, a, b[:1])


@pytest.mark.parametrize(
    "inputs, dim, expected",
    [
        ([(2, None), (3, 4)], 0, (5, 4)),
        ([(2, None), (None, 4)], 0, (None, 4)),
        ([(2, None), (2, 1)], -1, (2, None)),
    ],
)
def test_concat_infers_dynamic_dims(inputs, dim, expected):
    first, second = (TensorType("f16", shape) for shape in inputs)
    args = SimpleNamespace(first=first, second=second, rest=[])
    assert ConcatOp.infer_type(args, SimpleNamespace(dim=dim)) == TensorType("f16", expected)


# ----------------------------------------------------------------------------
# Verifiers: one ill-typed op per rule, with the message it must give.

INVALID = [
    # constant
    ('"fxn.constant"() {value = 1.0 : f32} : () -> tensor<f32>',
     "attribute 'value' must be dense<...> or dense_resource<...>"),
    ('"fxn.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>',
     "result type tensor<3xf32> does not match the inferred type tensor<2xf32>"),
    ('"fxn.constant"() {value = dense<1> : tensor<2xi16>} : () -> tensor<2xi16>',
     "attribute 'value' has unsupported element type i16"),
    # broadcast_to
    ('"fxn.broadcast_to"(%a0) {shape = array<i64: -1, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>',
     "attribute 'shape' elements must be at least 0; got [-1, 3]"),
    ('"fxn.broadcast_to"(%a0) {shape = array<i64: 3>} : (tensor<1x3xf32>) -> tensor<3xf32>',
     "input rank 2 exceeds the rank 1 of target shape [3]"),
    ('"fxn.broadcast_to"(%a0) {shape = array<i64: 2, 4>} : (tensor<3xi1>) -> tensor<2x4xi1>',
     "input shape [3] cannot broadcast to target shape [2, 4]: dimension 0 has size 3, not 1 or 4"),
    # reshape
    ('"fxn.reshape"(%a0) {shape = array<i64: -2, 3>} : (tensor<6xf32>) -> tensor<2x3xf32>',
     "attribute 'shape' elements must be at least -1; got [-2, 3]"),
    ('"fxn.reshape"(%a0) {shape = array<i64: -1, -1>} : (tensor<6xf32>) -> tensor<2x3xf32>',
     "shape [-1, -1] has more than one -1"),
    ('"fxn.reshape"(%a0) {shape = array<i64: 0, -1>} : (tensor<0xf32>) -> tensor<0x0xf32>',
     "shape [0, -1] leaves the size of -1 ambiguous: the other dimensions hold no elements"),
    ('"fxn.reshape"(%a0) {shape = array<i64: 4>} : (tensor<2x3xi8>) -> tensor<4xi8>',
     "cannot reshape tensor<2x3xi8> (6 elements) into shape [4] (4 elements)"),
    ('"fxn.reshape"(%a0) {shape = array<i64: 4, -1>} : (tensor<2x3xi8>) -> tensor<4x1xi8>',
     "cannot reshape tensor<2x3xi8> (6 elements) into shape [4, -1]: 6 is not a multiple of 4"),
    ('"fxn.reshape"(%a0) {shape = array<i64: 4>} : (tensor<?x3xf32>) -> tensor<4xf32>',
     "cannot reshape tensor<?x3xf32> (a multiple of 3 elements) into shape [4] (4 elements)"),
    # transpose
    ('"fxn.transpose"(%a0) {permutation = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>',
     "permutation [0] has 1 entries; the input tensor<2x3xf32> has rank 2"),
    ('"fxn.transpose"(%a0) {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>',
     "permutation [0, 0] is not a permutation of 0..1"),
    ('"fxn.transpose"(%a0) {permutation = array<i64: 1, -2, 2>} : (tensor<2x3x4xf32>) -> tensor<3x3x4xf32>',
     "permutation [1, -2, 2] is not a permutation of 0..2"),
    # slice
    ('"fxn.slice"(%a0) {limits = array<i64: 1, 1>, starts = array<i64: 0>, strides = array<i64: 1, 1>} '
     ": (tensor<2x3xf32>) -> tensor<1x1xf32>",
     "attribute 'starts' has 1 entries; the input tensor<2x3xf32> has rank 2"),
    ('"fxn.slice"(%a0) {limits = array<i64: 1>, starts = array<i64: -1>, strides = array<i64: 1>} '
     ": (tensor<2xf32>) -> tensor<2xf32>",
     "attribute 'starts' elements must be at least 0; got [-1]"),
    ('"fxn.slice"(%a0) {limits = array<i64: 1>, starts = array<i64: 0>, strides = array<i64: 0>} '
     ": (tensor<2xf32>) -> tensor<1xf32>",
     "attribute 'strides' elements must be at least 1; got [0]"),
    ('"fxn.slice"(%a0) {limits = array<i64: 2>, starts = array<i64: 3>, strides = array<i64: 1>} '
     ": (tensor<4xf32>) -> tensor<0xf32>",
     "dimension 0: start 3 exceeds limit 2"),
    ('"fxn.slice"(%a0) {limits = array<i64: 5>, starts = array<i64: 0>, strides = array<i64: 1>} '
     ": (tensor<4xf32>) -> tensor<5xf32>",
     "dimension 0: limit 5 exceeds size 4"),
    # pad
    ('"fxn.pad"(%a0) {high = array<i64: 1>, low = array<i64: 1, 1>, mode = "constant", value = 0.0 : f64} '
     ": (tensor<3xf32>) -> tensor<5xf32>",
     "attribute 'low' has 2 entries; the input tensor<3xf32> has rank 1"),
    ('"fxn.pad"(%a0) {high = array<i64: -1>, low = array<i64: 1>, mode = "constant", value = 0.0 : f64} '
     ": (tensor<3xf32>) -> tensor<3xf32>",
     "attribute 'high' elements must be at least 0; got [-1]"),
    ('"fxn.pad"(%a0) {high = array<i64: 1>, low = array<i64: 1>, mode = "circular", value = 0.0 : f64} '
     ": (tensor<3xf32>) -> tensor<5xf32>",
     "attribute 'mode' must be one of \"constant\", \"reflect\", \"replicate\""),
    ('"fxn.pad"(%a0) {high = array<i64: 0, 3>, low = array<i64: 0, 1>, mode = "reflect", value = 0.0 : f64} '
     ": (tensor<2x3xf32>) -> tensor<2x7xf32>",
     "reflect padding of dimension 1 needs amounts below its size 3; got low 1, high 3"),
    ('"fxn.pad"(%a0) {high = array<i64: 1>, low = array<i64: 0>, mode = "replicate", value = 0.0 : f64} '
     ": (tensor<0xf32>) -> tensor<1xf32>",
     "replicate padding of dimension 0 needs a non-empty dimension"),
    ('"fxn.pad"(%a0) {high = array<i64: 1>, low = array<i64: 1>, mode = "constant", value = 0.5 : f64} '
     ": (tensor<3xi32>) -> tensor<5xi32>",
     "padding value 0.5 is not an integer, as the i32 tensor needs"),
    ('"fxn.pad"(%a0) {high = array<i64: 1>, low = array<i64: 1>, mode = "constant", value = 2.0 : f64} '
     ": (tensor<3xi1>) -> tensor<5xi1>",
     "padding value 2.0 must be 0 or 1 for an i1 tensor"),
    ('"fxn.pad"(%a0) {high = array<i64: 1>, low = array<i64: 1>, mode = "constant", value = 128.0 : f64} '
     ": (tensor<3xi8>) -> tensor<5xi8>",
     "padding value 128.0 is out of range for i8"),
    # concat
    ('"fxn.concat"(%a0) {dim = 0 : i64} : (tensor<2xf32>) -> tensor<2xf32>', "expected at least 2 operands; got 1"),
    ('"fxn.concat"(%a0, %a1, %a2, %a3) {dim = 0 : i64} : (tensor<2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<3xf32>) -> tensor<8xf32>',
     "inputs after the second must share one type"),
    ('"fxn.concat"(%a0, %a1) {dim = 0 : i64} : (tensor<f32>, tensor<f32>) -> tensor<2xf32>',
     "cannot concatenate 0-d tensors"),
    ('"fxn.concat"(%a0, %a0) {dim = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>',
     "dimension 2 is out of range for rank 2"),
    ('"fxn.concat"(%a0, %a1) {dim = 0 : i64} : (tensor<2xf32>, tensor<2xi32>) -> tensor<4xf32>',
     "input element types differ: f32, i32"),
    ('"fxn.concat"(%a0, %a1) {dim = 0 : i64} : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<4xf32>',
     "input ranks differ: 1, 2"),
    ('"fxn.concat"(%a0, %a1) {dim = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>',
     "input sizes differ in dimension 1, which is not the concatenation dimension 0: 3, 4"),
]


@pytest.mark.parametrize("op, message", INVALID)
def test_verifier_names_the_fault(op, message):
    op_name = re.match(r'"(fxn\.\w+)"', op)[1]
    assert f"'{op_name}' op {message}" in "\n".join(verifier_errors(module_text(op)))


@pytest.mark.parametrize("dtype", ["f16", "f32", "f64", "i8", "i32", "i64", "i1"])
def test_constant_from_numpy_as_resource_round_trips(dtype):
    """A resource-backed constant prints its blob, parses back, and interprets to the same array."""
    weights = random_array(np.random.default_rng(3), (3, 5), dtype)
    context = new_context()
    with context, ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            function = func.FuncOp("main", ([], [TensorType(dtype, (3, 5)).to_mlir()]))
            with ir.InsertionPoint(function.add_entry_block()):
                func.ReturnOp([ConstantOp.from_numpy(weights, resource="weights")])
        text = str(module)
    assert "dense_resource<weights>" in text and "dialect_resources" in text
    assert_same(interpret(text), weights)
