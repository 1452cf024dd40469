"""Ahead of time as in the JIT: every op's differential cases, built into a shared library, compute what the reference does.

Per file of lowering tests (elementwise, tensor, reduction, nn, image), its
cases are lowered as ``fxn compile`` lowers a predictor, linked by the
backend's toolchain (clang-22, whose IR parser is older than the bindings'
LLVM printer) into one library, loaded with ctypes, called through their
memref entries, and checked against the reference interpreter as the JIT
tests check them: bit for bit where those do, within the stated ulps for
the transcendentals, within the dtype's tolerance for the harness's ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import shutil
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

import fxn
import test_lowering_elementwise as elementwise
from fxn.backends import host_target
from fxn.compiler import Signature, entry_points, lower_to_llvm
from fxn.dialects import elementwise as ew
from fxn.dialects import new_context
from fxn.dialects.types import ALL_DTYPES
from fxn.entries import function_named, memref_symbol
from fxn.interpreter import interpret
from fxn.mlir import ir, llvm
from fxn.passes.lowering.math_expansion import F32, F64, MAX_ERROR_ULPS
from fxn.runtime import descriptor_type, write_shape
from fxn.source import parse_module
from lowering_harness import assert_matches, module_text
from test_lowering_image import IMAGE_CASES
from test_lowering_nn import NN_CASES
from test_lowering_reduction import ARGMAX_CASES, REDUCE_CASES, SOFTMAX_CASES
from test_lowering_tensor import tensor_cases

requires_clang = pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the library")

_LIBC = ctypes.CDLL(ctypes.util.find_library("c"))
_LIBC.free.argtypes = [ctypes.c_void_p]


@dataclass
class Function:
    """A function of a module: its inputs, and a check of its results (which raises AssertionError)."""

    name: str
    inputs: list[np.ndarray]
    check: Callable[[list[np.ndarray]], None]


@dataclass
class Module:
    """fxn IR text of one module of cases and the functions to call in it."""

    text: str
    functions: list[Function]


# ----------------------------------------------------------------------------- building and calling


def lower_for_library(text: str) -> tuple[str, dict[str, Signature]]:
    """The LLVM IR of an fxn module lowered as ``fxn compile`` lowers a predictor, and its public functions' signatures.

    The one place that knows how a function gets its exported memref entry,
    :func:`fxn.entries.memref_symbol` of its name (:func:`lower_to_llvm`
    names it so).
    """
    module = parse_module(text, "cases.mlir", new_context())
    signatures = entry_points(module)
    lower_to_llvm(module, "host")
    return llvm.translate_module_to_llvmir(module.operation), signatures


def call_memref_entry(library: ctypes.CDLL, name: str, signature: Signature, inputs: list) -> list[np.ndarray]:
    """Call function ``name``'s memref entry in ``library`` on ``inputs``; its results, copied out and freed.

    The one place that knows the entry's C signature, as the generated
    header declares it: ``void <symbol>(<results> *, const <memref> *arg0,
    ..., fxn_status *)``, the status two ``int64_t`` (the failed allocation's
    site, 0 if none, and its size). The status is always passed: an entry
    without one ignores a trailing argument (x86-64 SysV: the caller owns
    the argument registers and the stack it pushed).
    """
    arrays = [np.asarray(a, order="C") for a in inputs]
    arguments = [_descriptor(a) for a in arrays]
    fields = [(f"r{i}", descriptor_type(t.rank)) for i, t in enumerate(signature.results)]
    results = type("Results", (ctypes.Structure,), {"_fields_": fields})()
    status = (ctypes.c_int64 * 2)()
    entry = getattr(library, memref_symbol(name))
    entry.restype = None
    entry(ctypes.byref(results), *(ctypes.byref(d) for d in arguments), status)
    if status[0]:
        raise MemoryError(f"{name}: allocation site {status[0]} failed ({status[1]} bytes)")
    descriptors = [getattr(results, field) for field, _ in fields]
    values = [_read_result(d, t) for d, t in zip(descriptors, signature.results)]
    for allocated in {d.allocated for d in descriptors if d.allocated}:
        _LIBC.free(allocated)
    return values


def _descriptor(array: np.ndarray):
    """A memref descriptor of the row-major ``array``."""
    descriptor = descriptor_type(array.ndim)()
    descriptor.allocated = descriptor.aligned = array.ctypes.data
    if array.ndim:
        write_shape(descriptor.sizes, descriptor.strides, array.shape)
    return descriptor


def _read_result(descriptor, result) -> np.ndarray:
    """A copy of the array a result descriptor describes."""
    dtype = result.numpy_dtype
    shape = tuple(descriptor.sizes) if result.rank else ()
    if 0 in shape:
        return np.empty(shape, dtype)
    strides = tuple(descriptor.strides) if result.rank else ()
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, strides))
    address = descriptor.aligned + descriptor.offset * dtype.itemsize
    data = np.frombuffer((ctypes.c_char * (extent * dtype.itemsize)).from_address(address), dtype)
    return np.lib.stride_tricks.as_strided(data, shape, [s * dtype.itemsize for s in strides]).copy()


def build_library(modules: list[Module], output) -> tuple[ctypes.CDLL, dict[str, Signature]]:
    """Every module lowered and linked into one library by the host backend, as ``fxn compile`` does."""
    backend, target = host_target()
    llvm_modules, signatures = [], {}
    for module in modules:
        llvm_ir, module_signatures = lower_for_library(module.text)
        llvm_modules.append(llvm_ir)
        signatures.update(module_signatures)
    (library, *_) = backend.build(llvm_modules, output.parent, output.stem.removeprefix("lib"),
                                  [memref_symbol(n) for n in signatures], target)
    return ctypes.CDLL(str(library)), signatures


# ----------------------------------------------------------------------------- the cases


def harness_modules(cases: dict) -> list[Module]:
    """``lowering_harness`` cases: a module per op, a function per case, checked as ``CompiledCases.check`` checks."""
    by_op: dict[type, dict] = {}
    for name, case in cases.items():
        by_op.setdefault(case.op, {})[name] = case
    modules = []
    for op_cases in by_op.values():
        text = module_text(op_cases)
        reference = functools.partial(interpret, parse_module(text, "cases.mlir", new_context()))
        functions = [
            Function(name, case.arrays, functools.partial(_matches_reference, reference, name, case.arrays))
            for name, case in op_cases.items()
        ]
        modules.append(Module(text, functions))
    return modules


def _matches_reference(reference, name: str, inputs: list, results: list) -> None:
    (actual,) = results
    try:
        assert_matches(actual, reference(*inputs, entry=name))
    except AssertionError as error:
        raise AssertionError(f"{name}: {error}") from None


def main_module(name: str, cases: list, check=elementwise.assert_identical, reference_cases=None) -> Module:
    """``test_lowering_elementwise`` cases: one function of them all, renamed ``name``, each result checked by ``check``.

    ``check(actual, expected, case)`` compares with the reference on
    ``reference_cases`` (default: ``cases``), inputs and all.
    """
    module = parse_module(elementwise.build_text(cases), "cases.mlir", new_context())
    with module.context:
        function_named(module, "main").attributes["sym_name"] = ir.StringAttr.get(name)
    reference_cases = reference_cases or cases

    def check_all(results: list) -> None:
        expected = fxn.interpret(elementwise.build_text(reference_cases), *_inputs(reference_cases))
        for case, actual, wanted in zip(cases, results, expected if isinstance(expected, tuple) else (expected,)):
            check(actual, wanted, case)

    return Module(str(module), [Function(name, _inputs(cases), check_all)])


def _inputs(cases: list) -> list[np.ndarray]:
    return [a for case in cases for a in case.inputs]


def _within_stated_ulps(dtype: str, actual: np.ndarray, expected: np.ndarray, case) -> None:
    """As test_transcendentals_within_the_stated_ulps: against the f64 reference, rounded to ``dtype``."""
    name = elementwise.function_name(case)
    fmt = F32 if dtype == "f32" else F64
    allowed = MAX_ERROR_ULPS[name][fmt] + (0.5 if dtype == "f32" else elementwise.REFERENCE_F64_ULPS[name])
    with np.errstate(over="ignore"):
        errors = elementwise.ulp_errors(actual, expected.astype(actual.dtype))
    assert errors.max(initial=0) <= allowed, f"{name} {dtype}: {errors.max()} ulps"


def _within_one_ulp(actual: np.ndarray, expected: np.ndarray, case) -> None:
    """As test_f16_transcendentals_round_the_f32_result_once."""
    errors = elementwise.ulp_errors(actual, expected)
    assert errors.max(initial=0) <= 1, f"{elementwise.function_name(case)}: {errors.max()} ulps"


def elementwise_modules() -> list[Module]:
    """The cases of every test of test_lowering_elementwise, with its seeds."""
    rng = np.random.default_rng
    modules = [main_module(f"exact_{d}", elementwise.exact_cases(d, rng(ALL_DTYPES.index(d)))) for d in ALL_DTYPES]
    modules.append(main_module("shapes", elementwise.shape_cases(rng(10))))
    for dtype in ("f32", "f64"):
        cases = elementwise.math_cases(dtype, rng(20))
        wide = [elementwise.Case(c.op, [a.astype(np.float64) for a in c.inputs], types=c.types) for c in cases]
        modules.append(main_module(f"math_{dtype}", cases, functools.partial(_within_stated_ulps, dtype), wide))
    modules.append(main_module("math_f16", elementwise.math_cases("f16", rng(21)), _within_one_ulp))
    casts = rng(30)
    modules.append(main_module("casts", [
        elementwise.Case(ew.CastOp, [elementwise.cast_inputs(casts, source, target)], types=[(None, 40)],
                         result_dtype=target)
        for source in ALL_DTYPES for target in ALL_DTYPES
    ]))
    fma = [np.array(column, np.float16) for column in zip(*elementwise.F16_FMA_DOUBLE_ROUNDING)]
    modules.append(main_module("fma_f16", [elementwise.Case(ew.FmaOp, fma)]))
    return modules


#: Per file of lowering tests, the modules of its cases; each becomes one library.
GROUPS = {
    "elementwise": elementwise_modules,
    "tensor": lambda: [main_module(f"tensor_{d}", tensor_cases(d)) for d in ALL_DTYPES],
    "reduction": lambda: harness_modules({**REDUCE_CASES, **SOFTMAX_CASES, **ARGMAX_CASES}),
    "nn": lambda: harness_modules(NN_CASES),
    "image": lambda: harness_modules(IMAGE_CASES),
}


@requires_clang
@pytest.mark.parametrize("group", GROUPS)
def test_built_library_computes_what_the_reference_does(group, tmp_path):
    modules = GROUPS[group]()
    library, signatures = build_library(modules, tmp_path / f"lib{group}.so")
    for function in (f for module in modules for f in module.functions):
        before = [a.copy() for a in function.inputs]
        function.check(call_memref_entry(library, function.name, signatures[function.name], function.inputs))
        for array, copy in zip(function.inputs, before):
            np.testing.assert_array_equal(array, copy)  # the caller's inputs are never written
