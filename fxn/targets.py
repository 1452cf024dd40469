"""Running a predictor on a named target: in this process when the target is this machine, else its runner.

This is what ``fxn run --target`` and the conformance suite
(:mod:`fxn.testing.conformance`) use. In-process JIT serves any target that
is this machine (:func:`fxn.backends.is_this_machine`), whichever backend
declares it; a foreign target runs through its backend's
:meth:`~fxn.backends.base.Backend.runner` (a static binary under qemu,
wasmtime, ...), which gets the predictor lowered for that target as a
:class:`~fxn.backends.base.Program`.
"""

from __future__ import annotations

import numpy as np

from fxn.backends import BackendError, call_hook, is_this_machine
from fxn.backends.base import Program, Target


class CannotRun(RuntimeError):
    """Code for this target cannot run on this machine; the message says why."""


def program_for(compiled, types, target: Target):
    """``compiled`` (a CompiledFunction) lowered for one signature and ``target`` as a runner's Program."""
    from fxn.compiler import llvm_ir

    lowered = compiled.lower(types, target)
    return lowered, Program(llvm_ir(lowered.module), {lowered.entry: (lowered.arg_types, lowered.result_types)},
                            lowered.allocation_sites)


def run_on_target(compiled, target_spec: str, arguments: list) -> list:
    """The results of ``compiled(*arguments)`` computed by code for ``target_spec``, as numpy arrays, scalars or
    strs (a ``str`` argument and result pass as UTF-8 bytes).

    Arguments must fit the function's declared signature, containers included
    (or, without one, their own types).
    """
    from fxn.compiler import as_target
    from fxn.frontend.types import argument_type

    backend, target = as_target(target_spec)
    compiled, arguments = compiled.flattened(arguments)  # a declared container: one argument per leaf
    types = (compiled.declared_types() if compiled.fully_annotated
             else [argument_type(p, a) for p, a in zip(compiled.parameters, arguments)])
    if is_this_machine(target):
        lowered, outputs = _run_in_process(compiled, types, target, arguments)
        return _decoded(lowered, outputs)
    arguments = [_utf8(a) if p.string else a for p, a in zip(compiled.parameters, arguments)]
    runner = call_hook(backend, "runner", target)
    if runner is None:
        raise CannotRun(f"code for target '{target.spec}' ({target.triple}) cannot run on this machine: "
                        f"backend '{backend.name}' has no runner for it")
    lowered, program = program_for(compiled, types, target)
    inputs = [np.require(np.asarray(a, dtype=t.numpy_dtype), requirements="C") for a, t in zip(arguments, lowered.arg_types)]
    try:
        outputs = runner.run(program, lowered.entry, target, inputs)
    except (MemoryError, IndexError, CannotRun):  # a failure the compiled code reported, or why it cannot run
        raise
    except Exception as error:
        raise BackendError(f"backend '{backend.name}' ({type(backend).__module__}) failed to run "
                           f"{lowered.entry}: {type(error).__name__}: {error}") from error
    scalars = compiled.scalar_results(lowered.result_types, lowered.arg_types)
    return _decoded(lowered, [output.item() if scalar else output for output, scalar in zip(outputs, scalars)])


def _utf8(text) -> np.ndarray:
    """A ``str`` argument as the runner takes it: its UTF-8 bytes (TypeError for anything else)."""
    if not isinstance(text, str):
        raise TypeError(f"a str parameter takes a str; got {type(text).__name__}")
    return np.frombuffer(text.encode("utf-8"), np.uint8)


def _decoded(lowered, outputs: list) -> list:
    """The results with each str result (its UTF-8 bytes) decoded."""
    from fxn.structure import leaf_kinds

    kinds = leaf_kinds(lowered.traced.result_structure)
    return [bytes(memoryview(np.ascontiguousarray(output))).decode("utf-8") if kind == "string" else output
            for output, kind in zip(outputs, kinds)]


def _run_in_process(compiled, types, target: Target, arguments: list) -> tuple:
    """``compiled`` lowered for ``target`` (this machine: its backend's lowerings apply), JIT-compiled and called;
    the lowering and the results."""
    from fxn.compiler import jit
    from fxn.runtime import Executable

    lowered = compiled.lower(types, target)
    executable = Executable(jit(lowered.module), lowered.entry, lowered.arg_types, lowered.result_types,
                            arg_names=[p.shown for p in compiled.parameters],
                            string_args=[p.string for p in compiled.parameters],
                            scalar_results=compiled.scalar_results(lowered.result_types, lowered.arg_types),
                            named_dims=compiled.named_dims(), dim_assumptions=lowered.dim_assumptions,
                            allocation_sites=lowered.allocation_sites)
    return lowered, executable.call(arguments)
