"""The elementwise ops compiled for this machine against the reference interpreter.

Each test builds one module holding many ops (one result each) so that one
JIT compilation covers them, runs it compiled (``lower_to_llvm`` +
``jit``) and interpreted on the same IR text and the same random inputs,
and compares: bit for bit (signed zeros included, any NaN for NaN) for
every op the reference defines exactly, within the stated ulps of
:data:`~fxn.passes.lowering.math_expansion.MAX_ERROR_ULPS` (plus the
reference's own rounding) for the transcendentals. Shapes cover
broadcasting both ways, 0-d, size-0 and size-1 dims, odd sizes and dynamic
dims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pytest

import fxn
from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import TensorType, new_context
from fxn.dialects import elementwise as ew
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NUMERIC_DTYPES, NUMPY_DTYPES, UNSIGNED_DTYPES
from fxn.mlir import func, ir
from fxn.passes.lowering.math_expansion import F32, F64, MAX_ERROR_ULPS
from fxn.runtime import Executable
from fxn.source import parse_module

# ----------------------------------------------------------------------------
# Harness: many ops in one function, compiled and interpreted.


@dataclass
class Case:
    """``op`` applied to ``inputs``; ``types`` gives each input's declared shape (None = dynamic), default its own."""

    op: type
    inputs: list[np.ndarray]
    attrs: dict = field(default_factory=dict)
    types: list[tuple] | None = None
    result_dtype: str | None = None  # fxn.cast only

    def __str__(self):
        shapes = ", ".join(str(tuple("?" if d is None else d for d in t)) for t in self.declared_shapes)
        dtypes = ",".join(str(a.dtype) for a in self.inputs)
        return f"{self.op.OPERATION_NAME}({shapes}) {dtypes} {self.attrs} -> {self.result_dtype or ''}"

    @property
    def declared_shapes(self) -> list[tuple]:
        return self.types or [a.shape for a in self.inputs]


def build_text(cases: list[Case]) -> str:
    """MLIR text of ``@main`` taking every case's inputs and returning every case's result, in order."""
    with new_context() as context, ir.Location.unknown(context):
        module = ir.Module.create()
        arg_types = [
            TensorType(_dtype(a), shape).to_mlir() for case in cases for a, shape in zip(case.inputs, case.declared_shapes)
        ]
        with ir.InsertionPoint(module.body):
            function = func.FuncOp("main", (arg_types, []))
            arguments = iter(function.add_entry_block().arguments)
            with ir.InsertionPoint(function.entry_block):
                results = [_build_case(case, arguments) for case in cases]
                func.ReturnOp(results)
            function.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, [r.type for r in results])
            )
        return str(module)


def _dtype(array: np.ndarray) -> str:
    return next(name for name, dtype in NUMPY_DTYPES.items() if dtype == array.dtype)


def _build_case(case: Case, arguments) -> ir.Value:
    values = iter([next(arguments) for _ in case.inputs])
    # A variadic operand group (fxn.concat's) takes the inputs left after the single operands.
    operands = [list(values) if kind == "variadic" else next(values) for _, kind in case.op.OPERANDS]
    result_type = None
    if case.result_dtype:
        result_type = TensorType(case.result_dtype, case.declared_shapes[0])
    # An attribute that needs the context (a dense_resource) is given as a function making it.
    attrs = {name: value() if callable(value) else value for name, value in case.attrs.items()}
    return case.op.build(*operands, result_type=result_type, **attrs)


def compile_text(text: str) -> Executable:
    module = parse_module(text, "cases.mlir", new_context())
    signature = entry_points(module)["main"]
    lower_to_llvm(module, "host")
    return Executable(jit(module), "main", signature.args, signature.results)


def run_both(cases: list[Case]) -> list[tuple[Case, np.ndarray, np.ndarray]]:
    """``(case, compiled result, reference result)`` for every case."""
    text = build_text(cases)
    inputs = [a for case in cases for a in case.inputs]
    compiled = compile_text(text)(*inputs)
    reference = fxn.interpret(text, *inputs)
    reference = reference if isinstance(reference, tuple) else (reference,)
    return list(zip(cases, compiled, reference))


def assert_identical(actual: np.ndarray, expected: np.ndarray, what) -> None:
    """Same dtype, shape and values; floats bit for bit up to NaN payloads (the sign of zero counts)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, (
        what, actual.dtype, actual.shape, expected.dtype, expected.shape
    )
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected, err_msg=str(what))
        return
    both_nan = np.isnan(actual) & np.isnan(expected)
    same = (actual == expected) & (np.signbit(actual) == np.signbit(expected))
    bad = ~(same | both_nan)
    assert not bad.any(), f"{what}: {actual[bad][:5]} != {expected[bad][:5]}"


def ulp_errors(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``|actual - expected|`` in ulps of ``expected``'s type at ``expected`` (0 where equal or both NaN)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    wide_actual, wide_expected = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        ulps = np.abs(wide_actual - wide_expected) / np.spacing(np.abs(expected)).astype(np.float64)
    equal = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    return np.where(equal, 0.0, np.nan_to_num(ulps, nan=np.inf))


# ----------------------------------------------------------------------------
# Inputs.

SPECIAL_FLOATS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 5e-324, -1e-40, 1e300, -65504.0, 1e-5]


def random_array(rng, dtype: str, shape, special: float = 0.15) -> np.ndarray:
    """Floats around [-9, 9] with a share of special values; integers over their whole range; fair booleans."""
    numpy_dtype = NUMPY_DTYPES[dtype]
    if dtype == "i1":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype in INT_DTYPES:
        limits = np.iinfo(numpy_dtype)
        return np.asarray(rng.integers(limits.min, limits.max, size=shape, endpoint=True), numpy_dtype)
    values = rng.standard_normal(shape) * 3
    picks = rng.random(shape) < special
    values = np.where(picks, rng.choice(SPECIAL_FLOATS, size=shape), values)
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(values, numpy_dtype)


# Broadcasting both ways, 0-d, size-0 and size-1 dims, odd sizes and dynamic dims (declared shapes after the inputs').
UNARY_SHAPES = [((2, 7), None), ((), None), ((0,), None), ((1,), None), ((4, 3), [(None, 3)])]
BINARY_SHAPES = [
    (((2, 1, 7), (3, 1)), None),
    (((), (2, 7)), None),
    (((0, 3), (1, 3)), None),
    (((), ()), None),
    (((3, 5), (5,)), [(None, 5), (5,)]),
    (((2, 3), (2, 3)), [(None, None), (None, None)]),
    (((1, 4), (3, 1)), [(1, None), (3, 1)]),
]
TERNARY_SHAPES = [
    (((2, 1), (3,), ()), None),
    (((7,), (7,), (7,)), None),
    (((), (), ()), None),
    (((0, 1), (1, 4), (4,)), None),
    (((3, 4), (4,), ()), [(None, 4), (4,), ()]),
]
# One shape per op elsewhere: the broadcasting is shared, the scalar bodies differ.
ONE_BINARY_SHAPE = [(((5, 17), (17,)), [(None, 17), (17,)])]
ONE_UNARY_SHAPE = [((5, 17), [(None, 17)])]


def unary_cases(rng, op, dtype, shapes=ONE_UNARY_SHAPE, **attrs) -> list[Case]:
    return [Case(op, [random_array(rng, dtype, shape)], dict(attrs), types) for shape, types in shapes]


def nary_cases(rng, op, dtypes, shapes=ONE_BINARY_SHAPE, **attrs) -> list[Case]:
    return [
        Case(op, [random_array(rng, d, s) for d, s in zip(dtypes, input_shapes)], dict(attrs), types)
        for input_shapes, types in shapes
    ]


# ----------------------------------------------------------------------------
# Exact ops: every dtype each accepts.

BINARY_OPS = {
    ew.AddOp: NUMERIC_DTYPES,
    ew.SubOp: NUMERIC_DTYPES,
    ew.MulOp: NUMERIC_DTYPES,
    ew.MaxOp: NUMERIC_DTYPES,
    ew.MinOp: NUMERIC_DTYPES,
    ew.DivOp: FLOAT_DTYPES,
}
UNARY_OPS = {
    ew.NegOp: NUMERIC_DTYPES,
    ew.AbsOp: NUMERIC_DTYPES,
    ew.ReluOp: NUMERIC_DTYPES,
    ew.SqrtOp: FLOAT_DTYPES,
    ew.RsqrtOp: FLOAT_DTYPES,
}
CLAMP_BOUNDS = {
    "float": [dict(min=-1.5, max=2.5), dict(min=0.0), dict(max=-0.0), dict(min=0.1, max=0.1), dict(min=-1e10, max=1e10)],
    "int": [dict(min=-7.0, max=20.0), dict(min=0.0), dict(max=-1.0)],
    "unsigned": [dict(min=7.0, max=200.0), dict(min=128.0), dict(max=127.0)],
}


def with_ties(case: Case) -> Case:
    """``case`` (a (5, 17) and a (17,) operand) with equal operands, and for floats ±0 against ±0 and NaN against NaN."""
    lhs, rhs = case.inputs
    rhs[:6] = lhs[0, :6]
    if lhs.dtype.kind == "f":
        lhs[1, 6:11] = [0.0, -0.0, 0.0, -0.0, np.nan]
        rhs[6:11] = [-0.0, 0.0, 0.0, -0.0, np.nan]
    return case


def exact_cases(dtype: str, rng) -> list[Case]:
    """Every exactly defined op that accepts ``dtype`` (sqrt and rsqrt too: both round each step as IEEE says)."""
    cases = []
    for op, dtypes in BINARY_OPS.items():
        if dtype in dtypes:
            cases += [with_ties(case) for case in nary_cases(rng, op, [dtype] * 2)]
    for op, dtypes in UNARY_OPS.items():
        if dtype in dtypes:
            cases += unary_cases(rng, op, dtype)
    if dtype in NUMERIC_DTYPES:
        kind = "float" if dtype in FLOAT_DTYPES else "unsigned" if dtype in UNSIGNED_DTYPES else "int"
        for bounds in CLAMP_BOUNDS[kind]:
            cases += unary_cases(rng, ew.ClampOp, dtype, **bounds)
    if dtype in FLOAT_DTYPES:
        cases += nary_cases(rng, ew.FmaOp, [dtype] * 3, [(((5, 17), (17,), ()), [(None, 17), (17,), ()])])
    for predicate in ("eq", "ne", "lt", "le", "gt", "ge"):
        cases += [with_ties(case) for case in nary_cases(rng, ew.CompareOp, [dtype] * 2, predicate=predicate)]
    cases += nary_cases(rng, ew.SelectOp, ["i1", dtype, dtype], [(((5, 17), (17,), ()), None)])
    return cases


def shape_cases(rng) -> list[Case]:
    """The broadcasting and dynamic-dim shapes through unary, binary and ternary ops."""
    cases = unary_cases(rng, ew.NegOp, "i8", UNARY_SHAPES) + unary_cases(rng, ew.AbsOp, "f32", UNARY_SHAPES)
    cases += nary_cases(rng, ew.AddOp, ["f16"] * 2, BINARY_SHAPES) + nary_cases(rng, ew.SubOp, ["i32"] * 2, BINARY_SHAPES)
    cases += nary_cases(rng, ew.FmaOp, ["f64"] * 3, TERNARY_SHAPES)
    return cases + nary_cases(rng, ew.SelectOp, ["i1", "i64", "i64"], TERNARY_SHAPES)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_exact_ops_match_the_reference_bit_for_bit(dtype):
    for case, actual, expected in run_both(exact_cases(dtype, np.random.default_rng(ALL_DTYPES.index(dtype)))):
        assert_identical(actual, expected, case)


def test_broadcasting_and_dynamic_dims():
    for case, actual, expected in run_both(shape_cases(np.random.default_rng(10))):
        assert_identical(actual, expected, case)


# ----------------------------------------------------------------------------
# Transcendentals: within the stated ulps.

MATH_OPS = {"exp": ew.ExpOp, "log": ew.LogOp, "tanh": ew.TanhOp, "sigmoid": ew.SigmoidOp, "erf": ew.ErfOp}
#: The f64 reference's own error (glibc is within 1 ulp; sigmoid composes exp, an add and a division).
REFERENCE_F64_ULPS = {"exp": 1, "log": 1, "tanh": 1, "sigmoid": 2.5, "erf": 1, "pow": 1}


def math_inputs(name: str, dtype: str, rng, n: int = 1500) -> np.ndarray:
    """Inputs spanning ``name``'s interesting range in ``dtype``: bulk, near 0, near the limits, specials."""
    info = np.finfo(NUMPY_DTYPES[dtype])
    overflow = float(np.log(info.max))
    underflow = float(np.log(info.smallest_subnormal))
    parts = {
        "exp": [rng.uniform(underflow - 1, overflow + 1, n), rng.uniform(-1, 1, n // 4), rng.standard_normal(n // 4) * 1e-4],
        "log": [
            np.exp(rng.uniform(underflow, overflow, n)),
            1 + rng.standard_normal(n // 4) * 1e-3,
            rng.uniform(0.5, 2, n // 4),
            -np.exp(rng.uniform(-5, 5, 20)),
        ],
        "tanh": [rng.standard_normal(n) * 4, rng.standard_normal(n // 4) * 1e-3, rng.uniform(-25, 25, n // 4)],
        "sigmoid": [rng.standard_normal(n) * 10, rng.uniform(underflow - 1, 30, n // 4)],
        "erf": [rng.standard_normal(n) * 2, rng.uniform(0.9, 1.1, n // 4), rng.uniform(3, 7, n // 4), rng.standard_normal(20) * 1e-6],
    }[name]
    specials = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, float(info.smallest_subnormal), float(info.tiny), 1e300]
    with np.errstate(over="ignore"):
        return np.concatenate(parts + [np.array(specials)]).astype(NUMPY_DTYPES[dtype])


def pow_inputs(dtype: str, rng, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Bases and exponents: random, results near over/underflow, negative bases to integers, and C99's special pairs."""
    info = np.finfo(NUMPY_DTYPES[dtype])
    reach = float(np.log(info.max)) * 0.95
    base = np.exp(rng.uniform(-3, 3, n))
    exponent = rng.uniform(-reach, reach, n) / np.log(base)
    negative = -np.exp(rng.uniform(-2, 2, n // 4))
    integers = rng.integers(-20, 20, n // 4).astype(np.float64)
    specials = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 2.5, np.inf, -np.inf, np.nan])
    grid_x, grid_y = (a.ravel() for a in np.meshgrid(specials, specials))
    normal_x, normal_y = rng.standard_normal(n) * 3, rng.standard_normal(n) * 3
    x = np.concatenate([base, negative, grid_x, normal_x])
    y = np.concatenate([exponent, integers, grid_y, normal_y])
    with np.errstate(over="ignore"):
        return x.astype(NUMPY_DTYPES[dtype]), y.astype(NUMPY_DTYPES[dtype])


def math_cases(dtype: str, rng) -> list[Case]:
    cases = [Case(op, [math_inputs(name, dtype, rng)], types=[(None,)]) for name, op in MATH_OPS.items()]
    return cases + [Case(ew.PowOp, list(pow_inputs(dtype, rng)), types=[(None,), (None,)])]


def function_name(case: Case) -> str:
    return case.op.OPERATION_NAME.removeprefix("fxn.")


@pytest.mark.parametrize("dtype", ["f32", "f64"])
def test_transcendentals_within_the_stated_ulps(dtype):
    """f32 against the f64 reference rounded to f32 (nearly the correctly rounded value); f64 against the reference."""
    cases = math_cases(dtype, np.random.default_rng(20))
    fmt = F32 if dtype == "f32" else F64
    compiled = compile_text(build_text(cases))(*(a for case in cases for a in case.inputs))
    wide_cases = [Case(c.op, [a.astype(np.float64) for a in c.inputs], types=c.types) for c in cases]
    wide_text = build_text(wide_cases)
    reference = fxn.interpret(wide_text, *(a for case in wide_cases for a in case.inputs))
    for case, actual, expected in zip(cases, compiled, reference):
        name = function_name(case)
        allowed = MAX_ERROR_ULPS[name][fmt] + (0.5 if dtype == "f32" else REFERENCE_F64_ULPS[name])
        with np.errstate(over="ignore"):
            errors = ulp_errors(actual, expected.astype(actual.dtype))
        worst = int(np.argmax(errors))
        inputs = [a[worst] for a in case.inputs]
        assert errors[worst] <= allowed, f"{name} {dtype}: {errors[worst]} ulps at {inputs}: {actual[worst]} vs {expected[worst]}"


def test_f16_transcendentals_round_the_f32_result_once():
    """Computed in f32 and rounded once, as the reference: at most 1 ulp from it (the f32 results differ slightly)."""
    for case, actual, expected in run_both(math_cases("f16", np.random.default_rng(21))):
        errors = ulp_errors(actual, expected)
        worst = int(np.argmax(errors))
        assert errors[worst] <= 1, f"{function_name(case)}: {errors[worst]} ulps at {[a[worst] for a in case.inputs]}"


# ----------------------------------------------------------------------------
# Casts and fma: the cases where a plausible lowering would round twice.


def cast_inputs(rng, source: str, target: str) -> np.ndarray:
    """Values of ``source`` whose cast to ``target`` is defined (NaN and out-of-range floats -> int are not)."""
    if source == "i1" or source in INT_DTYPES or target in ("i1",) + FLOAT_DTYPES:
        values = random_array(rng, source, (3, 40))
        if source == "f64" and target == "f16":
            # Just above and below f16 midpoints: through f32 they would round to the midpoint, then to even.
            midpoints = 1.0 + (2 * rng.integers(0, 1024, 40) + 1) * 2.0**-11
            values[1] = midpoints * (1 + rng.choice([-1, 1], 40) * 2.0**-40) * 2.0 ** rng.integers(-14, 15, 40)
        return values
    limits = np.iinfo(NUMPY_DTYPES[target])
    span = min(float(limits.max), float(np.finfo(NUMPY_DTYPES[source]).max))
    values = rng.uniform(-span, span, (3, 40)) * np.exp2(-rng.integers(0, 60, (3, 40)))
    values[0, :6] = [0.0, -0.0, 0.5, -0.5, 0.99, -1.99]
    return values.astype(NUMPY_DTYPES[source])


def test_casts_between_every_pair_of_element_types():
    rng = np.random.default_rng(30)
    cases = [
        Case(ew.CastOp, [cast_inputs(rng, source, target)], types=[(None, 40)], result_dtype=target)
        for source in ALL_DTYPES
        for target in ALL_DTYPES
    ]
    for case, actual, expected in run_both(cases):
        assert_identical(actual, expected, case)


#: f16 ``x * y + z`` whose exact value, rounded to f32 first, would then round the wrong way to f16.
F16_FMA_DOUBLE_ROUNDING = [
    (1.4609375, 0.1390380859375, 35.875),
    (5.45703125, 2.86328125, 318.5),
    (-0.278076171875, 0.365234375, 18.53125),
    (-0.407958984375, 0.1962890625, 5.42578125),
    (26.203125, 0.60107421875, 943.5),
    (-0.06634521484375, 45.21875, 3582.0),
]


def test_f16_fma_rounds_once():
    x, y, z = (np.array(column, np.float16) for column in zip(*F16_FMA_DOUBLE_ROUNDING))
    exact = x.astype(np.float64) * y.astype(np.float64) + z.astype(np.float64)  # exact for these operands
    assert (exact.astype(np.float32).astype(np.float16) != exact.astype(np.float16)).all()
    [(case, actual, expected)] = run_both([Case(ew.FmaOp, [x, y, z])])
    assert_identical(actual, expected, case)
    assert_identical(actual, exact.astype(np.float16), case)


# ----------------------------------------------------------------------------
# No libm.

#: Functions the compiled code may call: the allocator and what LLVM turns into memcpy/memset.
ALLOWED_EXTERNAL = {"malloc", "free", "memcpy", "memset", "aligned_alloc"}
#: LLVM intrinsics that become libm calls on CPUs (llvm.fma, sqrt, fabs, roundeven ... are instructions).
LIBM_INTRINSICS = re.compile(r"llvm\.intr\.(exp|exp2|exp10|log|log2|log10|pow|powi|sin|cos|tan|sinh|cosh|tanh)\b")


def external_functions(llvm_module) -> set[str]:
    """Names of the functions an LLVM-dialect module declares without defining."""
    return {
        ir.StringAttr(op.attributes["sym_name"]).value
        for op in llvm_module.body.operations
        if op.operation.name == "llvm.func" and not op.regions[0].blocks
    }


def assert_calls_no_libm(llvm_module) -> None:
    """Only :data:`ALLOWED_EXTERNAL` declared, no intrinsic that becomes a libm call."""
    text = str(llvm_module)
    assert "llvm.func @fxn_main" in text
    assert external_functions(llvm_module) <= ALLOWED_EXTERNAL, external_functions(llvm_module)
    assert not LIBM_INTRINSICS.search(text), LIBM_INTRINSICS.search(text)[0]


def test_lowered_code_calls_no_libm():
    rng = np.random.default_rng(40)
    cases = [case for dtype in FLOAT_DTYPES for case in math_cases(dtype, rng)]
    cases += exact_cases("f16", rng) + [
        Case(ew.CastOp, [random_array(rng, "f64", (3,))], result_dtype=target) for target in ALL_DTYPES
    ]
    module = parse_module(build_text(cases), "cases.mlir", new_context())
    lower_to_llvm(module, "host")
    assert_calls_no_libm(module)
