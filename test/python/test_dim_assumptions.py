"""The assumptions compiled code makes about dynamic argument dims (passes/lowering/dim_assumptions.py)."""

import itertools

import numpy as np

import fxn
from frontend_harness import line_of, traced
from fxn.testing.compare import assert_close
from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import new_context
from fxn.interpreter import InterpreterError, interpret
from fxn.passes.lowering.dim_assumptions import ArgDim, DimGroup, DimMinimum, dim_assumptions
from fxn.runtime import Executable
from fxn.source import parse_module

X0, X1, Y0, Y1, Z0, Z1 = ArgDim(0, 0), ArgDim(0, 1), ArgDim(1, 0), ArgDim(1, 1), ArgDim(2, 0), ArgDim(2, 1)


def analysed(arguments: str, body: str, names=("x", "y", "z", "w")):
    """The assumptions of ``func.func @f(<arguments>)`` with ``body`` (ending before the return)."""
    count = arguments.count("%")
    text = f"func.func @f({arguments}) {{\n{body}\n  return\n}}\n"
    module = parse_module(text, "test.mlir", new_context())
    return dim_assumptions(module.body.operations[0], names[:count])


def binary(result: str, lhs: str, rhs: str, lhs_type: str, rhs_type: str, result_type: str, op="add") -> str:
    """One line: ``result = fxn.<op>(lhs, rhs)``."""
    return f'  {result} = "fxn.{op}"({lhs}, {rhs}) : ({lhs_type}, {rhs_type}) -> {result_type}'


VECTORS = "%x: tensor<?xf32>, %y: tensor<?xf32>"


def test_two_dynamic_dims_added_must_be_equal():
    found = analysed(VECTORS, binary("%r", "%x", "%y", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>"))
    assert found.groups == (DimGroup((X0, Y0), None),)
    assert found.minimums == () and found.unchecked == ()
    assert found.check([(4,), (4,)]) is None
    assert found.check([(0,), (0,)]) is None
    assert found.check([(4,), (3,)]) is not None
    assert found.check([(4,), (1,)]) is not None  # the reference would broadcast; the compiled code reads y[1:4]


def test_violation_message_names_dims_op_location_and_sizes():
    found = analysed(VECTORS, binary("%r", "%x", "%y", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>"))
    assert found.check([(4,), (3,)]) == (
        "dims x.shape[0] and y.shape[0] must be equal (fxn.add at test.mlir:2:8 assumes it; "
        "dynamic dims broadcast only where the type says 1); got 4 and 3"
    )


def test_default_names_are_argument_positions():
    text = "func.func @f(%a: tensor<?xf32>, %b: tensor<?xf32>) {\n" + binary(
        "%r", "%a", "%b", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>") + "\n  return\n}\n"
    module = parse_module(text, "test.mlir", new_context())
    found = dim_assumptions(module.body.operations[0])
    assert found.check([(2,), (5,)]).startswith("dims arg0.shape[0] and arg1.shape[0] must be equal")


def test_dynamic_dim_meeting_a_static_size_is_fixed_to_it():
    found = analysed(
        "%x: tensor<?x3xf32>, %y: tensor<4x3xf32>",
        binary("%r", "%x", "%y", "tensor<?x3xf32>", "tensor<4x3xf32>", "tensor<4x3xf32>"),
    )
    assert found.groups == (DimGroup((X0,), 4),)
    assert found.check([(4, 3), (4, 3)]) is None
    assert found.check([(1, 3), (4, 3)]) == (
        "dim x.shape[0] must be 4 (fxn.add at test.mlir:2:8 assumes it; "
        "dynamic dims broadcast only where the type says 1); got 1"
    )


def test_static_size_fixes_the_whole_group():
    body = "\n".join([
        binary("%r", "%x", "%y", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>"),
        binary("%s", "%r", "%z", "tensor<?xf32>", "tensor<4xf32>", "tensor<4xf32>"),
    ])
    found = analysed(VECTORS + ", %z: tensor<4xf32>", body)
    assert found.groups == (DimGroup((X0, Y0), 4),)
    assert found.check([(4,), (4,), (4,)]) is None
    # Equal, but not 4: the second add is the one violated.
    assert found.check([(3,), (3,), (4,)]).startswith("dim x.shape[0] must be 4 (fxn.add at test.mlir:3:8")


def test_dynamic_dim_against_static_one_broadcasts_without_assumption():
    found = analysed(
        "%x: tensor<?xf32>, %y: tensor<1xf32>",
        binary("%r", "%x", "%y", "tensor<?xf32>", "tensor<1xf32>", "tensor<?xf32>"),
    )
    assert found.assumptions == () and found.groups == ()
    assert found.check([(7,), (1,)]) is None


def test_identical_symbols_need_no_assumption():
    found = analysed("%x: tensor<?xf32>", binary("%r", "%x", "%x", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>"))
    assert found.assumptions == () and found.groups == ()


def test_dims_flow_through_unary_transpose_and_reduce():
    body = "\n".join([
        '  %e = "fxn.exp"(%x) : (tensor<?x?xf32>) -> tensor<?x?xf32>',
        '  %t = "fxn.transpose"(%e) {permutation = array<i64: 1, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>',
        '  %s = "fxn.reduce"(%t) {axes = array<i64: 0>, keepdims = false, kind = "sum"}'
        " : (tensor<?x?xf32>) -> tensor<?xf32>",
        binary("%r", "%s", "%y", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>"),
    ])
    found = analysed("%x: tensor<?x?xf32>, %y: tensor<?xf32>", body)
    # The reduced axis 0 of the transpose is x's axis 1; x's axis 0 meets y.
    assert found.groups == (DimGroup((X0, Y0), None),)
    assert found.check([(3, 9), (3,)]) is None
    assert found.check([(3, 9), (9,)]).startswith("dims x.shape[0] and y.shape[0] must be equal (fxn.add at test.mlir:5:8")


def test_matmul_contraction_and_result_dims():
    body = "\n".join([
        binary("%m", "%x", "%y", "tensor<?x?xf32>", "tensor<?x?xf32>", "tensor<?x?xf32>", op="matmul"),
        binary("%r", "%m", "%z", "tensor<?x?xf32>", "tensor<?x?xf32>", "tensor<?x?xf32>"),
    ])
    found = analysed("%x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %z: tensor<?x?xf32>", body)
    assert set(found.groups) == {DimGroup((X1, Y0), None), DimGroup((X0, Z0), None), DimGroup((Y1, Z1), None)}
    assert found.check([(2, 3), (3, 5), (2, 5)]) is None
    assert found.check([(2, 3), (4, 5), (2, 5)]) == (
        "dims x.shape[1] and y.shape[0] must be equal (fxn.matmul at test.mlir:2:8 assumes it; "
        "the contracting dims of a matrix product); got 3 and 4"
    )


def test_concat_equates_the_other_dims_and_derives_the_joined_one():
    body = "\n".join([
        '  %c = "fxn.concat"(%x, %y) {dim = 0 : i64} : (tensor<?x3xf32>, tensor<?x?xf32>) -> tensor<?x3xf32>',
        binary("%r", "%c", "%z", "tensor<?x3xf32>", "tensor<?x3xf32>", "tensor<?x3xf32>"),
    ])
    found = analysed("%x: tensor<?x3xf32>, %y: tensor<?x?xf32>, %z: tensor<?x3xf32>", body)
    assert found.groups == (DimGroup((Y1,), 3),)
    assert found.check([(2, 3), (5, 3), (7, 3)]) is None
    assert found.check([(2, 3), (5, 4), (7, 3)]).startswith("dim y.shape[1] must be 3 (fxn.concat at test.mlir:2:8")
    # The concatenated size x.shape[0] + y.shape[0] meets z's: not expressible in argument dims.
    (unchecked,) = found.unchecked
    assert (unchecked.op, unchecked.location) == ("fxn.add", "test.mlir:3:8")
    assert unchecked.reason.startswith("dim 0 of the result of fxn.concat at test.mlir:2:8 (a derived size) must equal z.shape[0]")


def test_reshape_to_an_inferred_size_is_derived_and_unchecked():
    body = "\n".join([
        '  %f = "fxn.reshape"(%x) {shape = array<i64: -1>} : (tensor<?x?xf32>) -> tensor<?xf32>',
        binary("%r", "%f", "%y", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>"),
    ])
    found = analysed("%x: tensor<?x?xf32>, %y: tensor<?xf32>", body)
    assert found.assumptions == () and found.groups == ()
    assert [(u.op, u.location) for u in found.unchecked] == [("fxn.add", "test.mlir:3:8")]
    assert found.check([(2, 3), (5,)]) is None  # nothing to check: it is only reported


def test_reshape_regrouping_static_dims_keeps_the_dynamic_one():
    body = "\n".join([
        '  %f = "fxn.reshape"(%x) {shape = array<i64: -1, 6>} : (tensor<?x2x3xf32>) -> tensor<?x6xf32>',
        binary("%r", "%f", "%y", "tensor<?x6xf32>", "tensor<?x6xf32>", "tensor<?x6xf32>"),
    ])
    found = analysed("%x: tensor<?x2x3xf32>, %y: tensor<?x6xf32>", body)
    assert found.groups == (DimGroup((X0, Y0), None),) and found.unchecked == ()


def test_a_derived_size_fixed_by_one_op_is_checked_through_it_later():
    body = "\n".join([
        '  %c = "fxn.concat"(%x, %x) {dim = 0 : i64} : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>',
        binary("%r", "%c", "%four", "tensor<?xf32>", "tensor<4xf32>", "tensor<4xf32>"),
        binary("%s", "%c", "%y", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>"),
    ])
    found = analysed("%x: tensor<?xf32>, %y: tensor<?xf32>, %four: tensor<4xf32>", body)
    assert len(found.unchecked) == 1  # 2 * x.shape[0] == 4
    assert found.groups == (DimGroup((Y0,), 4),)
    assert found.check([(2,), (3,), (4,)]).startswith("dim y.shape[0] must be 4 (fxn.add at test.mlir:4:8")


def test_select_and_fma_broadcast_three_operands():
    select = analysed(
        "%c: tensor<?xi1>, %a: tensor<?xf32>, %b: tensor<1xf32>",
        '  %r = "fxn.select"(%c, %a, %b) : (tensor<?xi1>, tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>',
    )
    assert select.groups == (DimGroup((X0, Y0), None),)
    fma = analysed(
        "%x: tensor<?xf32>, %y: tensor<5xf32>, %z: tensor<?xf32>",
        '  %r = "fxn.fma"(%x, %y, %z) : (tensor<?xf32>, tensor<5xf32>, tensor<?xf32>) -> tensor<5xf32>',
    )
    assert fma.groups == (DimGroup((X0, Z0), 5),)
    assert fma.check([(5,), (5,), (5,)]) is None
    assert fma.check([(5,), (5,), (1,)]) == (
        "dim z.shape[0] must be 5 (fxn.fma at test.mlir:2:8 assumes it; "
        "dynamic dims broadcast only where the type says 1); got 1"
    )


def test_slice_and_crop_need_minimum_sizes():
    body = "\n".join([
        '  %s = "fxn.slice"(%x) {limits = array<i64: 5, 2>, starts = array<i64: 1, 0>, strides = array<i64: 2, 1>}'
        " : (tensor<?x?xf32>) -> tensor<2x2xf32>",
        '  %c = "fxn.crop"(%x) {height = 2 : i64, left = 1 : i64, top = 4 : i64, width = 3 : i64}'
        " : (tensor<?x?xf32>) -> tensor<2x3xf32>",
    ])
    found = analysed("%x: tensor<?x?xf32>", body)
    assert found.minimums == (DimMinimum(X0, 6), DimMinimum(X1, 4))
    assert found.check([(6, 4)]) is None
    assert found.check([(5, 9)]) == (
        "dim x.shape[0] must be at least 6 (fxn.crop at test.mlir:3:8 assumes it; "
        "the crop window lies inside the input); got 5"
    )


def test_loop_carried_dims_that_stay_are_tracked_and_growing_ones_derived():
    loop = """  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.extract %n[] : tensor<i32>
  %ub = arith.index_cast %e : i32 to index
  %r = scf.for %i = %c0 to %ub step %c1 iter_args(%acc = %x) -> (tensor<?xf32>) {
    %m = "fxn.mul"(%acc, %x) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
    %s = "fxn.STEP"(%m, %y) STEP_ATTRS: (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
    scf.yield %s : tensor<?xf32>
  }
""" + binary("%t", "%r", "%z", "tensor<?xf32>", "tensor<?xf32>", "tensor<?xf32>")
    arguments = "%x: tensor<?xf32>, %y: tensor<?xf32>, %z: tensor<?xf32>, %n: tensor<i32>"
    steady = analysed(arguments, loop.replace("STEP_ATTRS", "").replace("STEP", "add"))
    assert steady.groups == (DimGroup((X0, Y0, Z0), None),) and steady.unchecked == ()
    growing = analysed(arguments, loop.replace("STEP_ATTRS", "{dim = 0 : i64} ").replace("STEP", "concat"))
    assert growing.groups == ()
    assert [u.op for u in growing.unchecked] == ["fxn.mul", "fxn.add"]


def test_ops_it_does_not_analyse_are_unchecked():
    text = """func.func private @g(tensor<?xf32>) -> tensor<?xf32>
func.func @f(%x: tensor<?xf32>, %y: tensor<?xf32>) {
  %c = func.call @g(%x) : (tensor<?xf32>) -> tensor<?xf32>
  %r = "fxn.add"(%c, %y) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return
}
"""
    module = parse_module(text, "test.mlir", new_context())
    found = dim_assumptions(module.body.operations[1], ["x", "y"])
    assert found.groups == ()
    assert [(u.op, u.location) for u in found.unchecked] == [("func.call", "test.mlir:3:8"), ("fxn.add", "test.mlir:4:8")]


def test_traced_function_adding_n_and_m_assumes_they_are_equal():
    def predictor(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "M"]):
        return x + y

    function = traced(predictor, np.ones(4, np.float32), np.ones(4, np.float32))
    entry = next(op for op in function.module.body.operations if op.name.value == function.entry)
    found = dim_assumptions(entry, ["x", "y"])
    assert found.groups == (DimGroup((X0, Y0), None),)
    assert found.check([(4,), (4,)]) is None
    message = found.check([(4,), (3,)])
    assert message.startswith("dims x.shape[0] and y.shape[0] must be equal (fxn.add at ")
    assert f"test_dim_assumptions.py:{line_of(predictor, 'return x + y')}:" in message
    assert message.endswith("got 4 and 3")


def test_every_fxn_op_has_a_rule():
    from fxn.dialects import OPS
    from fxn.passes.lowering.dim_assumptions import RULES

    assert set(OPS) <= set(RULES)


def test_nn_ops_equate_features_channels_and_biases():
    linear = analysed(
        "%x: tensor<?x?xf32>, %w: tensor<4x3xf32>, %b: tensor<?xf32>",
        '  %r = "fxn.linear"(%x, %w, %b) : (tensor<?x?xf32>, tensor<4x3xf32>, tensor<?xf32>) -> tensor<?x4xf32>',
    )
    assert linear.groups == (DimGroup((X1,), 3), DimGroup((Z0,), 4))
    norm = analysed(
        "%x: tensor<2x?x5xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>, %w: tensor<3xf32>, %b: tensor<?xf32>",
        '  %r = "fxn.batch_norm"(%x, %m, %v, %w, %b) {eps = 1.0e-05 : f64} : (tensor<2x?x5xf32>, tensor<?xf32>,'
        " tensor<?xf32>, tensor<3xf32>, tensor<?xf32>) -> tensor<2x?x5xf32>",
        names=("x", "m", "v", "w", "b"),
    )
    assert norm.groups == (DimGroup((X1, Y0, Z0, ArgDim(4, 0)), 3),)
    conv = analysed(
        "%x: tensor<?x?x8x8xf32>, %w: tensor<6x2x3x3xf32>",
        '  %r = "fxn.conv2d"(%x, %w) {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0>,'
        " stride = array<i64: 1, 1>} : (tensor<?x?x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<?x6x6x6xf32>",
    )
    assert conv.groups == (DimGroup((X1,), 4),)


# ----------------------------------------------------------------------------
# Sufficiency: wherever the reference accepts the shapes and the check passes, compiled code matches it.

#: name -> (arguments, body computing %r, result type)
CHECKED_FUNCTIONS = {
    "add_broadcast": ("%x: tensor<?x?xf32>, %y: tensor<?xf32>",
                      binary("%r", "%x", "%y", "tensor<?x?xf32>", "tensor<?xf32>", "tensor<?x?xf32>"), "tensor<?x?xf32>"),
    "add_static": ("%x: tensor<?x3xf32>, %y: tensor<4x1xf32>",
                   binary("%r", "%x", "%y", "tensor<?x3xf32>", "tensor<4x1xf32>", "tensor<4x3xf32>"), "tensor<4x3xf32>"),
    "select": ("%c: tensor<?xi1>, %a: tensor<?xf32>, %b: tensor<1xf32>",
               '  %r = "fxn.select"(%c, %a, %b) : (tensor<?xi1>, tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>',
               "tensor<?xf32>"),
    "transposed": ("%x: tensor<?x?xf32>, %y: tensor<?x?xf32>",
                   '  %t = "fxn.transpose"(%x) {permutation = array<i64: 1, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>\n'
                   + binary("%r", "%t", "%y", "tensor<?x?xf32>", "tensor<?x?xf32>", "tensor<?x?xf32>"), "tensor<?x?xf32>"),
    "matmul": ("%x: tensor<?x?xf32>, %y: tensor<?x?xf32>",
               binary("%r", "%x", "%y", "tensor<?x?xf32>", "tensor<?x?xf32>", "tensor<?x?xf32>", op="matmul"),
               "tensor<?x?xf32>"),
    "batch_matmul": ("%x: tensor<?x2x3xf32>, %y: tensor<?x3x2xf32>",
                     binary("%r", "%x", "%y", "tensor<?x2x3xf32>", "tensor<?x3x2xf32>", "tensor<?x2x2xf32>", op="matmul"),
                     "tensor<?x2x2xf32>"),
    "concat": ("%x: tensor<?x2xf32>, %y: tensor<?x?xf32>",
               '  %r = "fxn.concat"(%x, %y) {dim = 0 : i64} : (tensor<?x2xf32>, tensor<?x?xf32>) -> tensor<?x2xf32>',
               "tensor<?x2xf32>"),
    "slice": ("%x: tensor<?xf32>",
              '  %r = "fxn.slice"(%x) {limits = array<i64: 3>, starts = array<i64: 1>, strides = array<i64: 1>}'
              " : (tensor<?xf32>) -> tensor<2xf32>", "tensor<2xf32>"),
    "pad_reflect": ("%x: tensor<?xf32>",
                    '  %r = "fxn.pad"(%x) {high = array<i64: 1>, low = array<i64: 2>, mode = "reflect", value = 0.0 : f64}'
                    " : (tensor<?xf32>) -> tensor<?xf32>", "tensor<?xf32>"),
    "broadcast_to": ("%x: tensor<?x1xf32>",
                     '  %r = "fxn.broadcast_to"(%x) {shape = array<i64: 3, 2>} : (tensor<?x1xf32>) -> tensor<3x2xf32>',
                     "tensor<3x2xf32>"),
    "linear": ("%x: tensor<?x?xf32>, %w: tensor<2x3xf32>, %b: tensor<?xf32>",
               '  %r = "fxn.linear"(%x, %w, %b) : (tensor<?x?xf32>, tensor<2x3xf32>, tensor<?xf32>) -> tensor<?x2xf32>',
               "tensor<?x2xf32>"),
    "reshape": ("%x: tensor<?x2xf32>",
                '  %r = "fxn.reshape"(%x) {shape = array<i64: 6>} : (tensor<?x2xf32>) -> tensor<6xf32>', "tensor<6xf32>"),
}
SIZES = (0, 1, 2, 3, 4)


def _checked_module_text() -> str:
    return "\n".join(
        f"func.func @{name}({arguments}) -> {result} {{\n{body}\n  return %r : {result}\n}}"
        for name, (arguments, body, result) in CHECKED_FUNCTIONS.items()
    )


def _argument_sets(arg_types, seed: int):
    """Arguments for every choice of SIZES for the dynamic dims: random values, i1 as random booleans."""
    dynamic = [(i, axis) for i, t in enumerate(arg_types) for axis, d in enumerate(t.shape) if d is None]
    rng = np.random.default_rng(seed)
    for sizes in itertools.product(SIZES, repeat=len(dynamic)):
        chosen = dict(zip(dynamic, sizes))
        shapes = [tuple(chosen.get((i, a), d) for a, d in enumerate(t.shape)) for i, t in enumerate(arg_types)]
        yield [rng.standard_normal(s).astype(t.numpy_dtype) if t.is_float else rng.random(s) < 0.5
               for s, t in zip(shapes, arg_types)]


def test_compiled_code_matches_the_reference_wherever_the_check_passes():
    text = _checked_module_text()
    lowered = parse_module(text, "checked.mlir", new_context())
    signatures = entry_points(lowered)
    lower_to_llvm(lowered, "host")
    engine = jit(lowered)
    reference = parse_module(text, "checked.mlir", new_context())
    functions = {op.name.value: op for op in reference.body.operations}
    compared = refused = 0
    for seed, (name, signature) in enumerate(signatures.items()):
        assumptions = dim_assumptions(functions[name])
        compiled = Executable(engine, name, signature.args, signature.results)
        for arguments in _argument_sets(signature.args, seed):
            try:
                expected = interpret(reference, *arguments, entry=name)
            except InterpreterError:
                continue  # the reference refuses these shapes
            if assumptions.check([a.shape for a in arguments]) is not None:
                refused += 1
                continue
            (actual,) = compiled(*arguments)
            assert_close(actual, expected)
            compared += 1
    assert compared > 150 and refused > 100, (compared, refused)


def test_extrema_need_a_non_empty_reduced_dim_and_sums_do_not():
    matrix = "%x: tensor<?x?xf32>"
    found = analysed(matrix, "\n".join([
        '  %m = "fxn.reduce"(%x) {axes = array<i64: 0>, keepdims = false, kind = "max"} : (tensor<?x?xf32>) -> tensor<?xf32>',
        '  %s = "fxn.reduce"(%x) {axes = array<i64: 1>, keepdims = false, kind = "sum"} : (tensor<?x?xf32>) -> tensor<?xf32>',
        '  %i = "fxn.argmax"(%x) {dim = 1 : i64, keepdims = false} : (tensor<?x?xf32>) -> tensor<?xi64>',
    ]))
    assert found.minimums == (DimMinimum(X0, 1), DimMinimum(X1, 1))
    assert found.check([(0, 3)]).startswith("dim x.shape[0] must be at least 1 (fxn.reduce at test.mlir:2:8")
    assert found.check([(2, 3)]) is None
