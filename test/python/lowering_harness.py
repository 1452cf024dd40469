"""Compiled-versus-interpreted checks of lowered ops: many cases built as functions of one module per op,
compiled for the host once, each run on its inputs and compared with the reference interpreter on the same IR.

The cases, their module and the comparison are the conformance suite's
(:mod:`fxn.testing`); this harness runs them for the host and hands the
results to tests that check more.
"""

from __future__ import annotations

import numpy as np
import pytest

from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import new_context
from fxn.interpreter import interpret
from fxn.pipeline import build_pipeline
from fxn.runtime import Executable
from fxn.source import parse_module
from fxn.testing.case import Case, module_text
from fxn.testing.compare import assert_close


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
        assert_close(actual, expected, name)
        for array, copy in zip(arrays, before):
            np.testing.assert_array_equal(array, copy)  # the caller's inputs are never written
        return actual


def compiled_fixture(cases: dict[str, Case]):
    """A module-scoped fixture compiling ``cases`` (once per op)."""
    return pytest.fixture(scope="module")(lambda: CompiledCases(cases))


def parsed(text: str, pipeline: str | None = None):
    """The fxn module ``text``, in a context of its own, after ``pipeline`` if one is given."""
    context = new_context()
    module = parse_module(text, "f.mlir", context)
    if pipeline is not None:
        pm, _ = build_pipeline(pipeline, context)
        with context:
            pm.run(module.operation)
    return module


def host_function(module, entry: str = "f") -> Executable:
    """``entry`` of ``module`` lowered in place for this machine and compiled by the JIT."""
    signature = entry_points(module)[entry]
    lower_to_llvm(module, "host")
    return Executable(jit(module), entry, signature.args, signature.results)
