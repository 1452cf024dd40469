"""Compiled-versus-interpreted checks of lowered ops: many cases built as functions of one module per op,
compiled for the host once, each run on its inputs and compared with the reference interpreter on the same IR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import TensorType, new_context
from fxn.dialects.types import FLOAT_DTYPES, NUMPY_DTYPES, dtype_of_numpy
from fxn.interpreter import interpret
from fxn.mlir import func, ir
from fxn.runtime import Executable
from fxn.source import parse_module

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
        lower_to_llvm(lowered, "host")
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
