"""The backend conformance suite (fxn.testing): complete for every op, and run on every target that runs here.

Targets come from the installed backends (``fxn.backends`` entry points),
never by name: each backend's conformance targets (its default target
unless the backend names others) run in this process when they are this
machine, through their backend's runner when it has one (one case per
dtype and variant of each op: emulators are slow), and are skipped with the
reason otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fxn.backends import BackendError, call_hook, discover_backends, how_it_runs
from fxn.backends.base import TargetError
from fxn.dialects import VerifyError, new_context
from fxn.dialects.types import ALL_DTYPES, NUMPY_DTYPES
from fxn.testing import check_case, conformance_cases
from fxn.testing.case import Case, Resource, module_text
from fxn.testing.cases import all_ops, builders, op_cases, quick_cases
from fxn.testing.conformance import Suite, SuiteError, main
from fxn.testing.elementwise_cases import BINARY_SHAPES

# ----------------------------------------------------------------------------- every op has cases


def test_every_op_has_conformance_cases():
    ops = all_ops()
    assert [op for op in ops if not op_cases(op)] == [], "add the op's cases to fxn/testing/*_cases.py"
    assert [op for op in builders() if op not in ops] == []


def retyped(case: Case, dtype: str) -> Case:
    """``case`` with every input (and constant) of its dtype converted to ``dtype``."""
    def convert(value):
        if isinstance(value, Resource):
            return Resource(convert(value.array), value.key)
        if isinstance(value, np.ndarray) and value.dtype == NUMPY_DTYPES[case.dtype]:
            with np.errstate(invalid="ignore", over="ignore"):
                return value.astype(NUMPY_DTYPES[dtype])
        return value

    attrs = {key: convert(value) for key, value in case.attrs.items()}
    if "dtype" in attrs:  # a case whose dtype is its attribute's (fxn.full's, fxn.str_to_int's)
        attrs["dtype"] = dtype
    return Case(case.op, [convert(a) for a in case.inputs], attrs, case.dynamic, case.result_dtype)


def test_every_dtype_an_op_takes_has_a_case():
    """A dtype none of an op's cases has must be one the op refuses in each of its cases' configurations."""
    context = new_context()
    for op in all_ops():
        cases = quick_cases(op_cases(op))
        for dtype in sorted(set(ALL_DTYPES) - {case.dtype for case in cases.values()}):
            for name, case in cases.items():
                if not _typed(case):  # nothing to retype: a string constant (its text is its bytes)
                    continue
                try:
                    module_text({name: retyped(case, dtype)}, context)
                except (VerifyError, TypeError, ValueError):
                    continue
                pytest.fail(f"{op} takes {dtype} ({name} retyped builds) but none of its cases has it")


def _typed(case: Case) -> bool:
    """Whether ``case`` has an input or a constant of its dtype, which :func:`retyped` converts."""
    return bool(case.arrays) or any(isinstance(v, (np.ndarray, Resource)) for v in case.attrs.values())


def test_quick_keeps_every_dtype_and_variant_of_each_op():
    for op in all_ops():
        cases, quick = op_cases(op), quick_cases(op_cases(op))
        assert {c.dtype for c in quick.values()} == {c.dtype for c in cases.values()}, op
        assert {v for c in quick.values() for v in c.variant} == {v for c in cases.values() for v in c.variant}, op


# ----------------------------------------------------------------------------- every target that runs here


def target_params() -> list:
    """One pytest param per conformance case of each installed backend's conformance targets; a skip where one cannot run."""
    params = []
    for entry in discover_backends():
        if entry.backend is None:
            params.append(pytest.param(None, id=entry.name, marks=pytest.mark.skip(
                reason=f"backend '{entry.name}' failed to load: {entry.error}")))
            continue
        try:
            targets = call_hook(entry.backend, "conformance_targets")
        except (BackendError, TargetError, NotImplementedError) as error:
            params.append(pytest.param(None, id=entry.name, marks=pytest.mark.skip(reason=str(error))))
            continue
        for target in targets:
            try:
                how = how_it_runs(entry.backend, target)
            except BackendError as error:  # a runner hook that raises fails the run, with the plugin's error
                params.append(pytest.param(error, id=f"{target.spec}:runner"))
                continue
            if how == "no":
                params.append(pytest.param(None, id=target.spec, marks=pytest.mark.skip(
                    reason=f"code for target '{target.spec}' ({target.triple}) cannot run here: no runner")))
                continue
            params += [pytest.param(case, id=f"{target.spec}:{case}")
                       for case in conformance_cases(target, quick=how == "runner")]
    return params


@pytest.mark.parametrize("case", target_params())
def test_conformance(case):
    if isinstance(case, BackendError):
        raise case
    check_case(case)


# ----------------------------------------------------------------------------- the command line


def test_the_command_line_prints_a_row_per_op(capsys):
    assert main(["--target", "host", "--ops", "fxn.add,neg", "--quick"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("fxn conformance: target ") and out[0].endswith(", in process, seed 0, quick")
    assert out[1].split() == ["op", "cases", "passed", "failed", "seconds"]
    adds = len(quick_cases(op_cases("fxn.add")))
    assert out[2].split()[:4] == ["fxn.add", str(adds), str(adds), "0"]
    assert out[3].split()[0] == "fxn.neg"
    assert out[-1] == f"PASSED: 2 ops, {adds + len(quick_cases(op_cases('fxn.neg')))} cases"


def test_unknown_ops_and_targets_are_usage_errors(capsys):
    with pytest.raises(SuiteError, match="no op fxn.nosuch"):
        Suite("host", ops=["fxn.add", "nosuch"])
    assert main(["--target", "nosuch"]) == 2
    assert "error: no backend 'nosuch'" in capsys.readouterr().err


def install_plugin(site: Path, name: str, source: str) -> None:
    """A backend plugin module defining ``backend``, registered in the ``fxn.backends`` group as ``name``."""
    (site / f"{name}_plugin.py").write_text(source)
    info = site / f"{name}_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[fxn.backends]\n{name} = {name}_plugin:backend\n")


def conformance_cli(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fxn.testing.conformance", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(site)})


#: A backend for this machine that supports f32 only and lowers fxn.add as fxn.sub.
WRONG_BACKEND = """
from fxn.backends.base import Backend, Target
from fxn.passes.lowering import load_lowerings


def add_as_sub(op, target):
    return load_lowerings()["fxn.sub"](op, target)


class Wrong(Backend):
    def target(self, **options):
        return Target("wrong", "x86_64-unknown-linux-gnu", "haswell", ("avx2", "fma"), 256, dtypes=("f32",))


backend = Wrong("wrong", "x86-64 whose fxn.add subtracts", lowerings={"fxn.add": add_as_sub})
"""


def test_a_wrong_lowering_and_an_op_without_cases_fail_the_suite(tmp_path):
    install_plugin(tmp_path, "wrong", WRONG_BACKEND)
    result = conformance_cli(tmp_path, "--target", "wrong", "--ops", "fxn.add,fxn.mul,fxn.compare")
    assert result.returncode == 1, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.startswith("fxn.")}
    f32_cases = len(op_cases("fxn.add", supported=("f32",)))  # every shape, in f32
    assert f32_cases == 1 + len(BINARY_SHAPES)
    assert rows["fxn.add"][1] == str(f32_cases) and int(rows["fxn.add"][3]) >= f32_cases - 1  # x - y == x + y if empty
    assert rows["fxn.add"][-1] == "FAIL"
    assert rows["fxn.mul"][1:4] == [str(f32_cases), str(f32_cases), "0"]
    assert " ".join(rows["fxn.compare"][5:]) == "no cases for this target's element types"  # its results are i1
    assert "\nFAIL fxn.add add_f32\n    fxn.add(tensor<?x17xf32>, tensor<17xf32>): " in result.stdout
    assert "elements differ; first at" in result.stdout
    assert result.stdout.rstrip().endswith(
        "FAILED: 1 op(s) failed (fxn.add); 1 op(s) without cases (fxn.compare)")


#: A backend whose target is "foreign" (no Linux in its triple): its runner builds each Program into a shared
#: library with fxn's toolchain and calls the memref entries through ctypes, as a qemu runner would in a binary.
LOOPBACK_BACKEND = """
import ctypes
import math
import tempfile
from pathlib import Path

import numpy as np

from fxn import toolchain
from fxn.backends.base import Backend, Target
from fxn.symbols import memref_symbol
from fxn.passes.lowering.checked_allocation import failure_error
from fxn.runtime import Status, descriptor_type, write_shape

LIBC = ctypes.CDLL(None)


class SharedLibraryRunner:
    def __init__(self):
        self.libraries = {}

    def library(self, program):
        if program.llvm_ir not in self.libraries:
            path = Path(tempfile.mkdtemp()) / "libcases.so"
            symbols = [memref_symbol(name) for name in program.functions]
            toolchain.shared_library([program.llvm_ir], path, symbols, ["--target=x86_64-unknown-linux-gnu", "-O1"])
            self.libraries[program.llvm_ir] = ctypes.CDLL(str(path))
        return self.libraries[program.llvm_ir]

    def run(self, program, function, target, inputs):
        (result_type,) = program.functions[function][1]
        result, status, arguments = descriptor_type(result_type.rank)(), Status(), []
        for array in inputs:
            arguments.append(descriptor_type(array.ndim)())
            arguments[-1].allocated = arguments[-1].aligned = array.ctypes.data
            if array.ndim:
                write_shape(arguments[-1].sizes, arguments[-1].strides, array.shape)
        entry = getattr(self.library(program), memref_symbol(function))
        entry(ctypes.byref(result), *(ctypes.byref(a) for a in arguments), ctypes.byref(status))
        if status.site:
            raise failure_error(function, program.allocation_sites, status.site, status.value, status.bound,
                                status.axis)
        shape = tuple(result.sizes) if result_type.rank else ()
        dtype = result_type.numpy_dtype
        size = math.prod(shape) * dtype.itemsize
        data = ctypes.string_at(result.aligned + result.offset * dtype.itemsize, size) if size else b""
        LIBC.free(ctypes.c_void_p(result.allocated))
        return [np.frombuffer(data, dtype).reshape(shape).copy()]


class Loopback(Backend):
    def target(self, **options):
        return Target("loopback", "x86_64-unknown-loopback", "haswell", ("avx2", "fma"), 256)

    def runner(self, target):
        return SharedLibraryRunner()


backend = Loopback("loopback", "x86-64 code run through a runner")
"""
#: A backend whose code cannot run here: a foreign triple and no runner.
FOREIGN_BACKEND = """
from fxn.backends.base import Backend, Target


class Foreign(Backend):
    def target(self, **options):
        return Target("foreign", "mips-unknown-none", "generic")


backend = Foreign("foreign", "nothing runs it here")
"""


def test_a_foreign_target_runs_through_its_backends_runner(tmp_path):
    install_plugin(tmp_path, "loopback", LOOPBACK_BACKEND)
    result = conformance_cli(tmp_path, "--target", "loopback", "--ops", "fxn.add,fxn.cast,fxn.reduce,fxn.constant",
                             "--quick", "--seed", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "through the runner of backend 'loopback', seed 3, quick" in result.stdout.splitlines()[0]
    assert result.stdout.rstrip().endswith("PASSED: 4 ops, " + str(sum(
        len(quick_cases(op_cases(op, 3))) for op in ("fxn.add", "fxn.cast", "fxn.reduce", "fxn.constant"))) + " cases")


def test_a_target_that_cannot_run_here_is_a_usage_error(tmp_path):
    install_plugin(tmp_path, "foreign", FOREIGN_BACKEND)
    result = conformance_cli(tmp_path, "--target", "foreign", "--ops", "fxn.add")
    assert result.returncode == 2
    assert ("error: code for target 'foreign' (mips-unknown-none) cannot run on this machine: "
            "backend 'foreign' has no runner for it") in result.stderr
