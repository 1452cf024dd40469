"""The generic lowering of reduce, softmax and argmax, compiled for the host against the reference interpreter.

Also the harness the nn and image lowering tests share: many cases built as
functions of one module, compiled once, each run on its inputs and compared
with the interpreter on the same IR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import TensorType, new_context
from fxn.dialects.reduction import ArgmaxOp, ReduceOp, SoftmaxOp
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES, NUMPY_DTYPES, dtype_of_numpy
from fxn.interpreter import interpret
from fxn.mlir import func, ir
from fxn.runtime import Executable
from fxn.source import parse_module

# ----------------------------------------------------------------------------
# Harness.

#: Allowed difference per result dtype, relative to 1 + the largest expected magnitude:
#: f16 results may differ by one rounding of the f32 accumulator, f32/f64 by summation order.
TOLERANCES = {"f16": 2e-3, "f32": 2e-5, "f64": 1e-12}


@dataclass
class Case:
    """One op applied to ``inputs`` (None for an absent optional operand), as a function of its own."""

    op: type
    inputs: list
    attrs: dict = field(default_factory=dict)
    #: Per present input, the axes declared dynamic (``?``) in the function's signature.
    dynamic: tuple = ()

    @property
    def arrays(self) -> list[np.ndarray]:
        return [a for a in self.inputs if a is not None]


def _declared_type(array: np.ndarray, dynamic_axes) -> ir.Type:
    shape = [None if axis in dynamic_axes else size for axis, size in enumerate(array.shape)]
    return TensorType(dtype_of_numpy(array.dtype), shape).to_mlir()


def module_text(cases: dict[str, Case]) -> str:
    """One module with a function per case: its arguments in, the op's result out."""
    with new_context(), ir.Location.unknown():
        module = ir.Module.create()
        for name, case in cases.items():
            dynamic = list(case.dynamic) + [()] * (len(case.arrays) - len(case.dynamic))
            arg_types = [_declared_type(a, d) for a, d in zip(case.arrays, dynamic)]
            with ir.InsertionPoint(module.body):
                function = func.FuncOp(name, (arg_types, []))
                block = function.add_entry_block()
                with ir.InsertionPoint(block):
                    args = iter(block.arguments)
                    operands = [None if a is None else next(args) for a in case.inputs]
                    result = case.op.build(*operands, **case.attrs)
                    func.ReturnOp([result])
                function.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(arg_types, [result.type]))
        return str(module)


class CompiledCases:
    """The cases compiled for the host, one module per op (compiled on first use), and their IR for the interpreter."""

    def __init__(self, cases: dict[str, Case]):
        self.cases = cases
        self._modules: dict[type, tuple] = {}

    def _compiled(self, op: type) -> tuple:
        if op not in self._modules:
            try:
                self._modules[op] = self._compile({n: c for n, c in self.cases.items() if c.op is op})
            except Exception as error:  # every case of the op fails with it, without compiling again
                self._modules[op] = error
        if isinstance(self._modules[op], Exception):
            raise self._modules[op]
        return self._modules[op]

    @staticmethod
    def _compile(cases: dict[str, Case]) -> tuple:
        text = module_text(cases)
        lowered = parse_module(text, "cases.mlir", new_context())
        signatures = entry_points(lowered)
        lower_to_llvm(lowered, "avx")
        engine = jit(lowered)
        functions = {n: Executable(engine, n, s.args, s.results) for n, s in signatures.items()}
        return functions, parse_module(text, "cases.mlir", new_context())

    def function(self, name: str) -> Executable:
        return self._compiled(self.cases[name].op)[0][name]

    def check(self, name: str) -> np.ndarray:
        """Run case ``name`` compiled and interpreted; assert equal within the result dtype's tolerance."""
        functions, reference = self._compiled(self.cases[name].op)
        arrays = self.cases[name].arrays
        before = [a.copy() for a in arrays]
        (actual,) = functions[name](*arrays)
        expected = interpret(reference, *arrays, entry=name)
        assert_matches(actual, expected)
        for array, copy in zip(arrays, before):
            np.testing.assert_array_equal(array, copy)  # the caller's inputs are never written
        return actual


def assert_matches(actual: np.ndarray, expected: np.ndarray) -> None:
    """Same dtype and shape; floats within the dtype's tolerance of 1 + max |expected|, NaN where NaN; others equal."""
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected)
        return
    tolerance = TOLERANCES[dtype_of_numpy(expected.dtype)]
    wide = expected.astype(np.float64)
    finite = wide[np.isfinite(wide)]
    scale = 1 + (np.abs(finite).max() if finite.size else 0)
    np.testing.assert_allclose(actual.astype(np.float64), wide, rtol=0, atol=tolerance * scale, equal_nan=True)


def random_array(shape, dtype: str, seed: int, low: int = -100, high: int = 100) -> np.ndarray:
    """Standard normal floats, or integers in ``[low, high)`` (the default makes i8 sums and products wrap)."""
    rng = np.random.default_rng(seed)
    if dtype in FLOAT_DTYPES:
        return rng.standard_normal(shape).astype(NUMPY_DTYPES[dtype])
    return rng.integers(low, high, shape).astype(NUMPY_DTYPES[dtype])


def compiled_fixture(cases: dict[str, Case]):
    """A module-scoped fixture compiling ``cases`` (once per op)."""
    return pytest.fixture(scope="module")(lambda: CompiledCases(cases))


# ----------------------------------------------------------------------------
# reduce

#: (input shape, axes, keepdims, dynamic axes): odd sizes, size-1 dims, negative and repeated-order axes, 0-d.
REDUCE_SHAPES = [
    ((3, 4, 5), (1,), False, ()),
    ((3, 4, 5), (0, -1), True, ()),
    ((2, 3, 4), (2, 0, 1), False, ()),
    ((5, 1, 3), (1,), True, ()),
    ((), (0,), False, ()),
    ((4, 6, 3), (-2,), True, (0, 1)),  # the reduced extent and a kept dim known at run time only
]

REDUCE_KINDS = [(kind, dtype) for kind in ("sum", "prod", "max", "min") for dtype in FLOAT_DTYPES + INT_DTYPES] + [
    ("mean", dtype) for dtype in FLOAT_DTYPES
]


def _reduce_input(kind: str, shape, dtype: str, seed: int) -> np.ndarray:
    x = random_array(shape, dtype, seed)
    if kind == "prod" and dtype in FLOAT_DTYPES:
        x = (x / 4 + 1).astype(x.dtype)  # products of many factors stay in f16's range
    return x


REDUCE_CASES = {
    f"reduce_{kind}_{dtype}_{i}": Case(
        ReduceOp, [_reduce_input(kind, shape, dtype, i)], dict(kind=kind, axes=axes, keepdims=keepdims), (dynamic,)
    )
    for kind, dtype in REDUCE_KINDS
    for i, (shape, axes, keepdims, dynamic) in enumerate(REDUCE_SHAPES)
}


def _with_nans(shape, dtype: str) -> np.ndarray:
    x = random_array(shape, dtype, 7)
    x[0, 1] = np.nan
    x[2, :] = np.nan
    return x


#: Special values: NaN propagates through max and min; empty extents give 0, 1 and NaN.
REDUCE_CASES.update(
    {
        f"reduce_{kind}_nan_{dtype}": Case(ReduceOp, [_with_nans((3, 5), dtype)], dict(kind=kind, axes=(1,)))
        for kind in ("max", "min", "sum")
        for dtype in ("f16", "f32")
    }
)
REDUCE_CASES.update(
    {
        f"reduce_{kind}_empty_{dtype}": Case(ReduceOp, [np.zeros((3, 0), NUMPY_DTYPES[dtype])], dict(kind=kind, axes=(1,)))
        for kind in ("sum", "prod", "mean")
        for dtype in ("f32", "i32")
        if not (kind == "mean" and dtype == "i32")
    }
)
REDUCE_CASES["reduce_sum_f16_large"] = Case(
    ReduceOp, [np.full((4, 3000), 1.0, np.float16)], dict(kind="sum", axes=(1,))
)  # f16 accumulation would stop at 2048


reduce_compiled = compiled_fixture(REDUCE_CASES)


@pytest.mark.parametrize("name", REDUCE_CASES)
def test_reduce(reduce_compiled, name):
    reduce_compiled.check(name)


def test_f16_sum_accumulates_in_f32(reduce_compiled):
    np.testing.assert_array_equal(reduce_compiled.check("reduce_sum_f16_large"), np.full(4, 3000, np.float16))


def test_nan_propagates_through_max(reduce_compiled):
    result = reduce_compiled.check("reduce_max_nan_f32")
    assert np.isnan(result[0]) and np.isnan(result[2]) and not np.isnan(result[1])


# ----------------------------------------------------------------------------
# softmax


def _softmax_specials(dtype: str) -> np.ndarray:
    """Rows: large values (stability), an all -inf row, a +inf, a NaN, a -inf among numbers."""
    x = np.array(
        [
            [1000.0, 999.0, 998.0, -1000.0],
            [-np.inf, -np.inf, -np.inf, -np.inf],
            [1.0, np.inf, 0.0, 2.0],
            [1.0, np.nan, 0.0, 2.0],
            [-np.inf, 0.5, 0.25, 0.0],
        ]
    )
    return x.astype(NUMPY_DTYPES[dtype])


#: (input shape, dim, dynamic axes)
SOFTMAX_SHAPES = [((3, 4, 5), -1, ()), ((3, 4, 5), 0, ()), ((2, 7, 3), 1, (0, 1)), ((6,), 0, ()), ((), 0, ()), ((2, 0, 3), 2, ())]

SOFTMAX_CASES = {
    f"softmax_{dtype}_{i}": Case(SoftmaxOp, [random_array(shape, dtype, i) * 3], dict(dim=dim), (dynamic,))
    for dtype in FLOAT_DTYPES
    for i, (shape, dim, dynamic) in enumerate(SOFTMAX_SHAPES)
}
SOFTMAX_CASES.update(
    {f"softmax_specials_{dtype}": Case(SoftmaxOp, [_softmax_specials(dtype)], dict(dim=1)) for dtype in FLOAT_DTYPES}
)

softmax_compiled = compiled_fixture(SOFTMAX_CASES)


@pytest.mark.parametrize("name", SOFTMAX_CASES)
def test_softmax(softmax_compiled, name):
    softmax_compiled.check(name)


def test_softmax_is_stable_and_nan_where_torch_is(softmax_compiled):
    result = softmax_compiled.check("softmax_specials_f32")
    assert np.all(np.isfinite(result[0])) and abs(result[0].sum() - 1) < 1e-6
    assert np.all(np.isnan(result[1:4])) and result[4, 0] == 0


# ----------------------------------------------------------------------------
# argmax

#: (input shape, dim, keepdims, dynamic axes)
ARGMAX_SHAPES = [((3, 4, 5), 1, False, ()), ((3, 4, 5), -1, True, ()), ((7,), 0, False, (0,)), ((4, 1), 1, True, ()), ((), 0, True, ())]


def _argmax_input(shape, dtype: str, seed: int) -> np.ndarray:
    # A small integer range makes ties, which must give the first index.
    return random_array(shape, dtype, seed) if dtype in FLOAT_DTYPES else random_array(shape, dtype, seed, 0, 3)


ARGMAX_CASES = {
    f"argmax_{dtype}_{i}": Case(ArgmaxOp, [_argmax_input(shape, dtype, i)], dict(dim=dim, keepdims=keepdims), (dynamic,))
    for dtype in FLOAT_DTYPES + INT_DTYPES
    for i, (shape, dim, keepdims, dynamic) in enumerate(ARGMAX_SHAPES)
}
ARGMAX_CASES["argmax_specials"] = Case(
    ArgmaxOp,
    [np.array([[1.0, np.nan, 5.0, np.nan], [-np.inf, -np.inf, -np.inf, -np.inf], [2.0, 7.0, 7.0, -1.0], [np.inf, 1.0, np.inf, np.nan]], np.float32)],
    dict(dim=1),
)
ARGMAX_CASES["argmax_extremes_i8"] = Case(ArgmaxOp, [np.array([[-128, -128, -128], [127, -128, 127]], np.int8)], dict(dim=1))

argmax_compiled = compiled_fixture(ARGMAX_CASES)


@pytest.mark.parametrize("name", ARGMAX_CASES)
def test_argmax(argmax_compiled, name):
    argmax_compiled.check(name)


def test_argmax_takes_the_first_nan_and_the_first_tie(argmax_compiled):
    np.testing.assert_array_equal(argmax_compiled.check("argmax_specials"), [1, 0, 1, 3])
    np.testing.assert_array_equal(argmax_compiled.check("argmax_extremes_i8"), [0, 0])
