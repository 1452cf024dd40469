"""Ahead of time as in the JIT: every op's differential cases, built into a shared library, compute what the reference does.

Per module of ops (elementwise, tensor, reduction, nn, image), the
conformance cases of its ops (:mod:`fxn.testing`) are lowered as ``fxn compile`` lowers a predictor, linked by the
backend's toolchain (clang-22, whose IR parser is older than the bindings'
LLVM printer) into one library, loaded with ctypes, called through their
memref entries, and checked against the reference interpreter as the
conformance suite checks them: bit for bit where it does, within the stated
ulps for the transcendentals, within the dtype's tolerance elsewhere.
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

from fxn.backends import host_target
from fxn.compiler import Signature, entry_points, lower_to_llvm
from fxn.dialects import OPS, new_context
from fxn.symbols import memref_symbol
from fxn.interpreter import interpret
from fxn.mlir import llvm
from fxn.runtime import Status, descriptor_type, write_shape
from fxn.source import parse_module
from fxn.testing.case import module_text
from fxn.testing.cases import all_ops, op_cases
from fxn.testing.compare import check_result, needs_wide_reference, widened

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
    ..., fxn_status *)``, the status :class:`fxn.runtime.Status` (the failure
    site, 0 if none, and its details). The status is always passed: an entry
    without one ignores a trailing argument (x86-64 SysV: the caller owns
    the argument registers and the stack it pushed).
    """
    arrays = [np.asarray(a, order="C") for a in inputs]
    arguments = [_descriptor(a) for a in arrays]
    fields = [(f"r{i}", descriptor_type(t.rank)) for i, t in enumerate(signature.results)]
    results = type("Results", (ctypes.Structure,), {"_fields_": fields})()
    status = Status()
    entry = getattr(library, memref_symbol(name))
    entry.restype = None
    entry(ctypes.byref(results), *(ctypes.byref(d) for d in arguments), ctypes.byref(status))
    if status.site:
        raise MemoryError(f"{name}: failure site {status.site} ({status.value}, {status.bound}, {status.axis})")
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


def op_module(op: str) -> Module:
    """The conformance cases of ``op`` (:mod:`fxn.testing`): a function per case, checked as the suite checks it."""
    cases = op_cases(op)
    text = module_text(cases)
    wide = {f"{name}__wide": widened(case) for name, case in cases.items() if needs_wide_reference(case)}
    reference = parse_module(module_text({**cases, **wide}) if wide else text, "reference.mlir", new_context())
    functions = [Function(name, case.arrays, functools.partial(_matches_reference, reference, name, case))
                 for name, case in cases.items()]
    return Module(text, functions)


def _matches_reference(reference, name: str, case, results: list) -> None:
    (actual,) = results
    if needs_wide_reference(case):
        expected = interpret(reference, *(a.astype(np.float64) for a in case.arrays), entry=f"{name}__wide")
    else:
        expected = interpret(reference, *case.arrays, entry=name)
    check_result(case, actual, expected, str(case))


#: Per module of fxn ops (elementwise, tensor, reduction, nn, image, string, function), its ops; each group becomes one library.
GROUPS = {group: [op for op in all_ops() if OPS[op].__module__.rsplit(".", 1)[-1] == group]
          for group in ("elementwise", "tensor", "reduction", "nn", "image", "string", "function")}


@requires_clang
@pytest.mark.parametrize("group", GROUPS)
def test_built_library_computes_what_the_reference_does(group, tmp_path):
    modules = [op_module(op) for op in GROUPS[group]]
    library, signatures = build_library(modules, tmp_path / f"lib{group}.so")
    for function in (f for module in modules for f in module.functions):
        before = [a.copy() for a in function.inputs]
        function.check(call_memref_entry(library, function.name, signatures[function.name], function.inputs))
        for array, copy in zip(function.inputs, before):
            np.testing.assert_array_equal(array, copy)  # the caller's inputs are never written
