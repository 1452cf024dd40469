"""The elementwise ops compiled for this machine against the reference interpreter.

Each test builds one module holding many ops (one result each) so that one
JIT compilation covers them, runs it compiled (``lower_to_llvm`` +
``jit``) and interpreted on the same IR text and the same random inputs,
and compares: bit for bit (signed zeros included, any NaN for NaN) for
every op the reference defines exactly, within the stated ulps of
:data:`~fxn.passes.lowering.math_expansion.MAX_ERROR_ULPS` (plus the
reference's own rounding) for the transcendentals. Shapes cover
broadcasting both ways, 0-d, size-0 and size-1 dims, odd sizes and dynamic
dims. The cases are the conformance suite's
(:mod:`fxn.testing.elementwise_cases`), grouped by dtype into one function.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import fxn
from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import new_context
from fxn.dialects import elementwise as ew
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES
from fxn.mlir import func, ir
from fxn.runtime import Executable
from fxn.source import parse_module
from fxn.testing.case import Case, build_case
from fxn.testing.compare import assert_identical, check_result, widened
from fxn.testing.elementwise_cases import (
    BINARY_MATH_OPS,
    BINARY_OPS,
    BITWISE_OPS,
    DIVISION_OPS,
    F16_FMA_DOUBLE_ROUNDING,
    MATH_OPS,
    ROUNDING_OPS,
    SHIFT_OPS,
    UNARY_OPS,
    builders,
)

# ----------------------------------------------------------------------------
# Harness: many ops in one function, compiled and interpreted.


def build_text(cases: list[Case]) -> str:
    """MLIR text of ``@main`` taking every case's inputs and returning every case's result, in order."""
    with new_context() as context, ir.Location.unknown(context):
        module = ir.Module.create()
        arg_types = [t.to_mlir() for case in cases for t in case.declared_types]
        with ir.InsertionPoint(module.body):
            function = func.FuncOp("main", (arg_types, []))
            arguments = iter(function.add_entry_block().arguments)
            with ir.InsertionPoint(function.entry_block):
                results = [build_case(case, arguments) for case in cases]
                func.ReturnOp(results)
            function.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, [r.type for r in results])
            )
        return str(module)


def compile_text(text: str) -> Executable:
    module = parse_module(text, "cases.mlir", new_context())
    signature = entry_points(module)["main"]
    lower_to_llvm(module, "host")
    return Executable(jit(module), "main", signature.args, signature.results)


def run_both(cases: list[Case]) -> list[tuple[Case, np.ndarray, np.ndarray]]:
    """``(case, compiled result, reference result)`` for every case."""
    text = build_text(cases)
    inputs = [a for case in cases for a in case.arrays]
    compiled = compile_text(text)(*inputs)
    reference = fxn.interpret(text, *inputs)
    reference = reference if isinstance(reference, tuple) else (reference,)
    return list(zip(cases, compiled, reference))


def op_cases(ops, rng) -> list[Case]:
    """The conformance cases of ``ops`` (:mod:`fxn.testing.elementwise_cases`) made with ``rng``."""
    return [case for op in ops for case in builders()[op.OPERATION_NAME](rng).values()]


# ----------------------------------------------------------------------------
# Exact ops: every dtype each accepts, every shape.

EXACT_OPS = [*BINARY_OPS, *UNARY_OPS, ew.ClampOp, ew.FmaOp, ew.CompareOp, ew.SelectOp, *DIVISION_OPS, *ROUNDING_OPS,
             *BITWISE_OPS, *SHIFT_OPS]


def exact_cases(dtype: str, rng) -> list[Case]:
    """Every exactly defined op that accepts ``dtype`` on the main shape (sqrt and rsqrt too: IEEE rounds each step)."""
    return [case for case in op_cases(EXACT_OPS, rng) if case.dtype == dtype and "main" in case.variant]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_exact_ops_match_the_reference_bit_for_bit(dtype):
    for case, actual, expected in run_both(exact_cases(dtype, np.random.default_rng(ALL_DTYPES.index(dtype)))):
        assert_identical(actual, expected, case)


def test_broadcasting_and_dynamic_dims():
    """Every exact op on the other shapes: broadcasting both ways, 0-d, size-0 and size-1 dims, dynamic dims."""
    cases = [case for case in op_cases(EXACT_OPS, np.random.default_rng(10)) if "main" not in case.variant]
    for case, actual, expected in run_both(cases):
        assert_identical(actual, expected, case)


# ----------------------------------------------------------------------------
# Transcendentals: within the stated ulps.


def math_cases(dtype: str, rng) -> list[Case]:
    """Each transcendental over its interesting range in ``dtype``."""
    return [case for case in op_cases([*MATH_OPS, *BINARY_MATH_OPS], rng) if case.dtype == dtype and "main" in case.variant]


def function_name(case: Case) -> str:
    return case.op.OPERATION_NAME.removeprefix("fxn.")


@pytest.mark.parametrize("dtype", ["f32", "f64"])
def test_transcendentals_within_the_stated_ulps(dtype):
    """f32 against the f64 reference rounded to f32 (nearly the correctly rounded value); f64 against the reference."""
    cases = math_cases(dtype, np.random.default_rng(20))
    compiled = compile_text(build_text(cases))(*(a for case in cases for a in case.arrays))
    wide_cases = [widened(case) for case in cases]
    reference = fxn.interpret(build_text(wide_cases), *(a for case in wide_cases for a in case.arrays))
    for case, actual, expected in zip(cases, compiled, reference):
        check_result(case, actual, expected, f"{function_name(case)} {dtype}")


def test_f16_transcendentals_round_the_f32_result_once():
    """Computed in f32 and rounded once, as the reference: at most 1 ulp from it (the f32 results differ slightly)."""
    for case, actual, expected in run_both(math_cases("f16", np.random.default_rng(21))):
        check_result(case, actual, expected, function_name(case))


# ----------------------------------------------------------------------------
# Casts and fma: the cases where a plausible lowering would round twice.


def cast_cases(rng) -> list[Case]:
    """Every pair of element types (fxn.testing's cast cases on the main shape)."""
    return [case for case in op_cases([ew.CastOp], rng) if "main" in case.variant]


def test_casts_between_every_pair_of_element_types():
    cases = cast_cases(np.random.default_rng(30))
    assert len(cases) == len(ALL_DTYPES) ** 2
    for case, actual, expected in run_both(cases):
        assert_identical(actual, expected, case)


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
LIBM_INTRINSICS = re.compile(r"llvm\.intr\.(exp|exp2|exp10|log|log2|log10|pow|powi|sin|cos|tan|sinh|cosh|tanh)\b|llvm\.frem")


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
    # fmod (frem would call fmod), floor/ceil/trunc/roundeven (instructions, never floorf & co.).
    cases += [case for case in op_cases([*DIVISION_OPS, *ROUNDING_OPS], rng) if case.dtype in FLOAT_DTYPES]
    cases += exact_cases("f16", rng) + [case for case in cast_cases(rng) if case.dtype == "f64"]
    module = parse_module(build_text(cases), "cases.mlir", new_context())
    lower_to_llvm(module, "host")
    assert_calls_no_libm(module)


# ----------------------------------------------------------------------------
# fmod, remainder and floor division: exact over the whole exponent range.


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_float_division_is_exact_over_the_whole_range(dtype):
    """Operands from the smallest subnormal to the largest finite value: the long division's every step count."""
    from fxn.testing.elementwise_cases import wide_floats

    rng = np.random.default_rng(50)
    lhs, rhs = wide_floats(rng, dtype, 3000), wide_floats(rng, dtype, 3000)
    lhs[:50] = np.finfo(lhs.dtype).max  # the largest quotient bits ...
    rhs[:50] = np.finfo(lhs.dtype).smallest_subnormal * rng.integers(1, 9, 50)  # ... by the smallest divisors
    cases = [Case(op, [lhs, rhs], dynamic=((0,), (0,))) for op in DIVISION_OPS]
    for case, actual, expected in run_both(cases):
        assert_identical(actual, expected, case)
