"""The backend conformance suite: every fxn op on random inputs, run through a target, compared with the reference.

For each op of :data:`fxn.dialects.OPS`, its cases (:mod:`fxn.testing.cases`,
those whose element types the target's :attr:`~fxn.backends.base.Target.dtypes`
all include) are built into one module, one function per case, lowered for
the target (:func:`fxn.compiler.lower_to_llvm`: the backend's lowerings and
pipeline hooks apply) and run: in this process (:func:`fxn.compiler.jit`) when
the target is this machine, else through the backend's
:meth:`~fxn.backends.base.Backend.runner` as one
:class:`~fxn.backends.base.Program`. Each result is compared with the
reference interpreter's as the case says (:mod:`fxn.testing.compare`), and
the case's inputs must come back unchanged. See ``docs/backends.md``.

Command line (exit status 0 when every case of every op passes; 1 when a
case fails or an op has no case for the target; 2 when the suite cannot
run)::

    python -m fxn.testing.conformance --target neon [--ops fxn.add,fxn.matmul] [--seed 3] [--quick]

From pytest, a vendor parametrizes a test over :func:`conformance_cases`
and checks each with :func:`check_case`::

    import pytest
    from fxn.testing import check_case, conformance_cases

    @pytest.mark.parametrize("case", conformance_cases("acme", quick=True), ids=str)
    def test_conformance(case):
        check_case(case)
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from fxn.backends import call_hook, how_it_runs, is_this_machine
from fxn.backends.base import Program
from fxn.compiler import as_target, entry_points, jit, llvm_ir, lower_to_llvm
from fxn.dialects import new_context
from fxn.dialects.types import ALL_DTYPES
from fxn.interpreter import interpret
from fxn.runtime import Executable
from fxn.source import parse_module
from fxn.targets import CannotRun

from .case import module_text
from .cases import all_ops, op_cases, quick_cases
from .compare import assert_identical, check_result, needs_wide_reference, widened


class SuiteError(ValueError):
    """The suite was asked for an op that does not exist; the message lists the ops."""


@dataclass(frozen=True)
class ConformanceCase:
    """One case of the suite for one target, as a pytest parameter; ``name`` is empty for an op without cases."""

    target: str  # the target's spec ("neon", "neon:cpu=cortex-a76")
    op: str
    name: str
    seed: int = 0
    quick: bool = False

    def __str__(self) -> str:
        return f"{self.op}/{self.name or '(no cases)'}"


class OpProgram:
    """One op's cases built into one module, lowered for a target, and run case by case against the reference."""

    def __init__(self, op: str, cases: dict, backend, target):
        self.op, self.cases = op, cases
        text = module_text(cases)
        wide = {f"{name}__wide": widened(case) for name, case in cases.items() if needs_wide_reference(case)}
        self.reference = parse_module(module_text({**cases, **wide}) if wide else text, "reference.mlir",
                                      new_context())
        module = parse_module(text, f"{op}.mlir", new_context())
        signatures = entry_points(module)
        lower_to_llvm(module, target)
        self._run = (_in_process(module, signatures) if is_this_machine(target)
                     else _through_runner(module, signatures, backend, target))

    def check(self, name: str) -> None:
        """Run case ``name`` compiled and interpreted; AssertionError unless the results match and inputs are unchanged."""
        case = self.cases[name]
        arrays = case.arrays
        before = [array.copy() for array in arrays]
        actual = np.asarray(self._run(name, arrays))
        for i, (array, copy) in enumerate(zip(arrays, before)):
            assert_identical(array, copy, f"{case}: input #{i} was written")
        if needs_wide_reference(case):
            expected = interpret(self.reference, *(a.astype(np.float64) for a in arrays), entry=f"{name}__wide")
        else:
            expected = interpret(self.reference, *arrays, entry=name)
        check_result(case, actual, expected, str(case))


def _in_process(module, signatures):
    """``run(name, arrays) -> result`` calling the JIT-compiled module in this process."""
    engine = jit(module)
    functions = {name: Executable(engine, name, s.args, s.results) for name, s in signatures.items()}
    return lambda name, arrays: functions[name].call(arrays)[0]


def _through_runner(module, signatures, backend, target):
    """``run(name, arrays) -> result`` through ``backend``'s runner for ``target``; CannotRun if it has none."""
    runner = call_hook(backend, "runner", target)
    if runner is None:
        raise CannotRun(f"code for target '{target.spec}' ({target.triple}) cannot run on this machine: "
                        f"backend '{backend.name}' has no runner for it")
    program = Program(llvm_ir(module), {name: (s.args, s.results) for name, s in signatures.items()})

    def run(name, arrays):
        return runner.run(program, name, target, [np.ascontiguousarray(a) for a in arrays])[0]

    return run


@dataclass
class OpResult:
    """How one op did: its case count, the failed cases with their messages, the seconds it took."""

    op: str
    cases: int
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return self.cases - len(self.failures)

    @property
    def ok(self) -> bool:
        return self.cases > 0 and not self.failures


class Suite:
    """The conformance suite of one target: each op's cases (for a seed, all or ``quick``), compiled an op at a time.

    ``target`` is a spec (``"neon:cpu=cortex-a76"``) or a Target; ``ops``
    names the ops to run (default: every op of :data:`fxn.dialects.OPS`),
    with or without the ``fxn.`` prefix.
    """

    def __init__(self, target, seed: int = 0, quick: bool = False, ops=None):
        self.backend, self.target = as_target(target)
        self.seed, self.quick = seed, quick
        self.how = how_it_runs(self.backend, self.target)
        known = all_ops()
        names = [op if op.startswith("fxn.") else f"fxn.{op}" for op in ops] if ops else known
        unknown = [op for op in names if op not in known]
        if unknown:
            raise SuiteError(f"no op {', '.join(unknown)} (ops: {', '.join(known)})")
        self.cases = {op: self._select(op_cases(op, seed, self.target.dtypes)) for op in names}
        self._programs: dict = {}

    def _select(self, cases: dict) -> dict:
        """The cases whose element types (arguments and result) the target supports, without those only this
        process can run unless the target's code runs here; :func:`quick_cases` if quick."""
        if self.how != "in process":
            cases = {name: case for name, case in cases.items() if not case.in_process}
        kept = supported_cases(cases, self.target.dtypes)
        return quick_cases(kept) if self.quick else kept

    def runs_nothing_of(self, op: str) -> bool:
        """Whether ``op`` has cases, but each only for code running in this process, which the target's is not."""
        return not self.cases[op] and self.how != "in process" and all(
            case.in_process for case in op_cases(op, self.seed, self.target.dtypes).values())

    def program(self, op: str) -> OpProgram:
        """``op``'s cases compiled for the target (once; a failure to compile is raised for every case)."""
        if op not in self._programs:
            try:
                self._programs[op] = OpProgram(op, self.cases[op], self.backend, self.target)
            except Exception as error:  # noqa: BLE001 - every case of the op fails with it, without compiling again
                self._programs[op] = error
        program = self._programs[op]
        if isinstance(program, Exception):
            raise program
        return program

    def check(self, op: str, name: str) -> None:
        """Check one case; AssertionError (or the error that kept it from compiling or running) if it fails."""
        if not name:
            raise AssertionError(f"{op} has no conformance case for target '{self.target.spec}' "
                                 f"(element types {', '.join(self.target.dtypes)})")
        self.program(op).check(name)

    def run_op(self, op: str) -> OpResult:
        """Every case of ``op``; the failures with their messages."""
        start = time.perf_counter()
        result = OpResult(op, len(self.cases[op]))
        for name in self.cases[op]:
            try:
                self.check(op, name)
            except Exception as error:  # noqa: BLE001 - a vendor's failure of any kind is a failed case
                result.failures[name] = _message(error)
        result.seconds = time.perf_counter() - start
        return result


def supported_cases(cases: dict, dtypes) -> dict:
    """The ``cases`` whose functions take and return only element types among ``dtypes``."""
    if set(ALL_DTYPES) <= set(dtypes) or not cases:
        return dict(cases)
    signatures = entry_points(parse_module(module_text(cases), "cases.mlir", new_context()))
    return {name: case for name, case in cases.items()
            if all(t.dtype in dtypes for t in [*signatures[name].args, *signatures[name].results])}


def _message(error: Exception) -> str:
    text = str(error) if isinstance(error, AssertionError) else f"{type(error).__name__}: {error}"
    return text.strip() or type(error).__name__


# ----------------------------------------------------------------------------- pytest


@functools.cache
def suite(target: str, seed: int = 0, quick: bool = False) -> Suite:
    """The suite of every op for a target spec, made once per process (its ops compile on first use)."""
    return Suite(target, seed, quick)


def _spec(target) -> str:
    return target if isinstance(target, str) else target.spec


def conformance_cases(target, ops=None, seed: int = 0, quick: bool = False) -> list[ConformanceCase]:
    """Every case of the suite for ``target`` (a spec or a Target), to parametrize a test with; see :func:`check_case`.

    ``ops`` limits them to some ops; an op without a case for the target
    gives one :class:`ConformanceCase` without a name, which fails.
    ``quick`` keeps one case per dtype and per variant of each op (for
    targets run under an emulator).
    """
    chosen = suite(_spec(target), seed, quick)
    names = [op if op.startswith("fxn.") else f"fxn.{op}" for op in ops] if ops else list(chosen.cases)
    unknown = [op for op in names if op not in chosen.cases]
    if unknown:
        raise SuiteError(f"no op {', '.join(unknown)} (ops: {', '.join(chosen.cases)})")
    return [ConformanceCase(_spec(target), op, name, seed, quick)
            for op in names for name in (chosen.cases[op] or ([] if chosen.runs_nothing_of(op) else [""]))]


def check_case(case: ConformanceCase) -> None:
    """Run one case on its target and compare it with the reference interpreter.

    AssertionError says what differs; the target's compile or run error is
    raised as it is (``fxn.targets.CannotRun`` if its code cannot run here).
    """
    suite(case.target, case.seed, case.quick).check(case.op, case.name)


# ----------------------------------------------------------------------------- command line

ROW = "{:<26} {:>6} {:>7} {:>7} {:>8}  {}"


def _row(result: OpResult) -> str:
    note = "no cases for this target's element types" if not result.cases else "FAIL" if result.failures else ""
    seconds = f"{result.seconds:.1f}" if result.cases else "-"
    return ROW.format(result.op, result.cases, result.passed, len(result.failures), seconds, note).rstrip()


def _header(chosen: Suite) -> str:
    target = chosen.target
    where = "in process" if chosen.how == "in process" else f"through the runner of backend '{chosen.backend.name}'"
    return (f"fxn conformance: target {target.spec} ({target.triple}, cpu {target.cpu}, {target.vector_bits}-bit "
            f"vectors), {where}, seed {chosen.seed}, {'quick' if chosen.quick else 'all cases'}")


def _summary(results: list[OpResult]) -> str:
    failed = [r.op for r in results if r.failures]
    empty = [r.op for r in results if not r.cases]
    total = sum(r.cases for r in results)
    if not failed and not empty:
        return f"PASSED: {len(results)} ops, {total} cases"
    parts = [f"{len(failed)} op(s) failed ({', '.join(failed)})"] if failed else []
    parts += [f"{len(empty)} op(s) without cases ({', '.join(empty)})"] if empty else []
    return "FAILED: " + "; ".join(parts)


def report(chosen: Suite, out=None) -> int:
    """Run every op of ``chosen``, printing a row per op as it finishes, then the failures; the exit status."""
    out = out or sys.stdout
    print(_header(chosen), file=out)
    print(ROW.format("op", "cases", "passed", "failed", "seconds", "").rstrip(), file=out)
    results = []
    for op in chosen.cases:
        results.append(chosen.run_op(op))
        print(_row(results[-1]), file=out, flush=True)
    total = OpResult(f"total ({len(results)} ops)", sum(r.cases for r in results),
                     {f"{r.op}/{n}": m for r in results for n, m in r.failures.items()},
                     sum(r.seconds for r in results))
    print(_row(total).removesuffix("FAIL").rstrip(), file=out)
    for result in results:
        for name, message in result.failures.items():
            lines = message.splitlines()
            print(f"\nFAIL {result.op} {name}", file=out)
            print("\n".join("    " + line for line in lines[:8] + (["    ..."] if len(lines) > 8 else [])), file=out)
    print("\n" + _summary(results), file=out)
    return 0 if all(r.ok for r in results) else 1


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m fxn.testing.conformance",
        description="Run every fxn op on random inputs through a target and compare with the reference interpreter.")
    parser.add_argument("--target", required=True, help="a target spec: NAME or NAME:key=value,... ('host': this machine)")
    parser.add_argument("--ops", default="", help="comma-separated ops to run (fxn.add,fxn.matmul; default: all)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of the random inputs (default 0)")
    parser.add_argument("--quick", action="store_true", help="one case per dtype and per variant of each op")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    ops = [op.strip() for op in arguments.ops.split(",") if op.strip()]
    try:
        chosen = Suite(arguments.target, arguments.seed, arguments.quick, ops or None)
    except (LookupError, ValueError, RuntimeError) as error:  # no such target or op, a broken plugin
        print(f"error: {error}", file=sys.stderr)
        return 2
    if chosen.how == "no":
        print(f"error: code for target '{chosen.target.spec}' ({chosen.target.triple}) cannot run on this machine: "
              f"backend '{chosen.backend.name}' has no runner for it", file=sys.stderr)
        return 2
    return report(chosen)


if __name__ == "__main__":
    sys.exit(main())
