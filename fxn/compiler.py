"""From fxn-dialect IR to LLVM-dialect code for a target, and to code running in this process.

:func:`lower_to_llvm` runs the generic lowering pipeline for a
:class:`~fxn.backends.base.Target` (the fxn ops through the target's lowering
table, then upstream bufferization and conversion to the LLVM dialect, with
the linalg ops vectorized to the target's vector width and indices of its
width, and the backend's pipeline hooks around each stage); :func:`jit`
hands the result to MLIR's execution engine, which compiles it for the host
CPU (for a target that is this machine). The pipeline is a textual fxn-opt
pipeline, so every step can be reproduced with ``fxn-opt -p``.

A destination entry (:func:`fxn.entries.add_destination_entry`) is added
to a module after its "lowered" stage, and the module is then lowered with
:data:`DESTINATION_STAGES`: the "destination" stage runs before
"vectorized", so that the ops computing the results write straight into
the caller's buffers.
"""

from __future__ import annotations

import ctypes
import functools
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fxn.backends import BackendError, call_hook, find_backend, resolve_target
from fxn.backends.base import Backend, Target
from fxn.dialects import TensorType
from fxn.entries import export_c_interfaces, namespace_functions
from fxn.mlir import execution_engine, func, ir, llvm
from fxn.pipeline import build_pipeline

#: Stages of the generic lowering. ``{target}`` names the target (its backend's lowerings apply),
#: ``{vector_bits}`` and ``{index_bits}`` are its vector register and index widths, ``{chunks}`` and
#: ``{num_threads}`` its :class:`~fxn.threads.ThreadPlan` (chunks of 1: no parallel loop, the OpenMP passes
#: find nothing to do).
LOWERING_STAGES = {
    "lowered": (
        "func.func(fxn-lower-to-linalg{{target={target} bounds-check={bounds_check}}}),canonicalize,cse,"
        "func.func(linalg-fuse-elementwise-ops),func.func(fxn-fuse-into-extract),canonicalize"
    ),
    "vectorized": (
        "fxn-unshare-fills,fxn-parallelize{{chunks={chunks} vector-bits={vector_bits}}},"
        "fxn-tile-conv{{vector-bits={vector_bits}}},fxn-pack-matmul{{vector-bits={vector_bits} chunks={chunks}}},"
        "func.func(linalg-generalize-named-ops),"
        "fxn-vectorize{{vector-bits={vector_bits} contract={contract}}},"
        "canonicalize,cse,loop-invariant-code-motion"
    ),
    "bufferized": (
        "one-shot-bufferize{{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map "
        "allow-return-allocs-from-loops unknown-type-conversion=identity-layout-map}},"
        "func.func(buffer-loop-hoisting),buffer-deallocation-pipeline,convert-bufferization-to-memref,canonicalize,"
        "func.func(optimize-allocation-liveness),"
        "fxn-check-alloc-sizes{{index-bitwidth={index_bits}}},scf-forall-to-parallel"
    ),
    "llvm": (
        "fxn-lower-vector-contractions,fxn-expand-strided-copies,func.func(convert-linalg-to-loops),convert-vector-to-scf,"
        "expand-strided-metadata,lower-affine,"
        "convert-scf-to-openmp{{num-threads={num_threads}}},fxn-inline-alloca-scopes,convert-scf-to-cf,convert-vector-to-llvm,finalize-memref-to-llvm{{index-bitwidth={index_bits}}},"
        "convert-math-to-llvm,convert-arith-to-llvm{{index-bitwidth={index_bits}}},"
        "convert-index-to-llvm{{index-bitwidth={index_bits}}},convert-ub-to-llvm,"
        "convert-func-to-llvm{{index-bitwidth={index_bits}}},convert-cf-to-llvm{{index-bitwidth={index_bits}}},"
        "convert-openmp-to-llvm,reconcile-unrealized-casts,fxn-check-allocations"
    ),
}
def _pipeline_hooks(backend: Backend, target: Target) -> dict[str, str]:
    """``backend``'s pipeline hooks for ``target``, checked: BackendError naming the plugin for a bad one."""
    hooks = call_hook(backend, "pipeline_hooks", target)
    where = f"backend '{backend.name}' ({type(backend).__module__})"
    if not isinstance(hooks, dict):
        raise BackendError(f"{where}: pipeline_hooks() gave a {type(hooks).__name__}, not a dict")
    stages = ("optimized", *LOWERING_STAGES, "destination")
    places = {f"{when}:{stage}" for when in ("before", "after") for stage in stages} | {"optimized"}
    for place, text in hooks.items():
        if place not in places:
            raise BackendError(f"{where}: pipeline hook '{place}' is not one of {', '.join(sorted(places))}")
        problem = _pipeline_problem(text) if isinstance(text, str) else f"a {type(text).__name__}, not a str"
        if problem:
            raise BackendError(f"{where}: pipeline hook '{place}' is not a pass pipeline: {problem}")
    return hooks


@functools.cache
def _pipeline_problem(text: str) -> str | None:
    """Why ``text`` (pipeline elements on a module) does not build, or None."""
    from fxn.dialects import new_context
    from fxn.pipeline import PipelineError

    try:
        build_pipeline(f"builtin.module({text})", new_context())
    except PipelineError as error:
        return str(error)
    return None


#: The stage after "lowered" in a module with a destination entry: inline the function into the entry,
#: reduce the entry's dims function to arithmetic on the argument dims (it computes the results only
#: where their dims cannot be derived from the arguments'), then let the ops that compute the results
#: write into the destinations (upstream empty-tensor elimination, driven by
#: ``bufferization.materialize_in_destination``) instead of into fresh tensors.
DESTINATION_STAGE = (
    "inline,symbol-dce,func.func(resolve-ranked-shaped-type-result-dims),canonicalize,cse,eliminate-empty-tensors"
)
#: The stages that lower a module with a destination entry, added after its "lowered" stage, in order.
DESTINATION_STAGES = ("destination", "vectorized", "bufferized", "llvm")


def as_target(target: Target | str) -> tuple[Backend, Target]:
    """The backend and target of a :class:`Target` or of a target spec (``"neon"``, ``"host"``)."""
    if isinstance(target, str):
        return resolve_target(target)
    return find_backend(target.backend), target


def optimization_pipeline(target: Target | str, fast_math: bool = False) -> str:
    """The pipeline that optimizes the fxn IR for ``target``: ``fxn-optimize``, with its backend's hooks.

    ``fast_math`` lets ``fxn-optimize`` fuse multiply-adds (``contract=true``)
    where the target has FMA: elsewhere ``fxn.fma`` is emulated, slower than
    the two ops it replaces. The backend's ``before:optimized`` and
    ``after:optimized`` hooks run around it; its ``optimized`` hook, if any,
    runs instead of it.
    """
    backend, target = as_target(target)
    hooks = _pipeline_hooks(backend, target)
    contract = fast_math and target.has_fma
    main = hooks.get("optimized", f"fxn-optimize{{contract={str(contract).lower()}}}")
    parts = [hooks.get("before:optimized"), main, hooks.get("after:optimized")]
    return "builtin.module(" + ",".join(part for part in parts if part) + ")"


def pipeline_text(target: Target | str, stages=tuple(LOWERING_STAGES), fast_math: bool = False,
                  bounds_check: bool = True, threads: int | None = None) -> str:
    """The textual pipeline of the given lowering stages for ``target``, in order, with its backend's hooks.

    ``fast_math`` lets a float multiply and a dependent add fuse into one FMA
    (one rounding instead of the two the fxn ops define), as C's
    ``FP_CONTRACT ON`` or numba's ``fastmath`` do; off by default, and off
    on a target without FMA. ``bounds_check=False`` drops the checks of
    run-time indices (see :mod:`fxn.passes.lowering.bounds`). ``threads``
    is ``fxn.compile``'s (see :func:`fxn.threads.thread_plan`).
    """
    from fxn.threads import thread_plan

    backend, target = as_target(target)
    plan = thread_plan(threads, target)
    values = {
        "chunks": plan.chunks,
        "num_threads": plan.num_threads,
        "target": target.spec,
        "vector_bits": target.vector_bits,
        "index_bits": target.index_bits,
        "contract": str(fast_math and target.has_fma).lower(),
        "bounds_check": str(bounds_check).lower(),
    }
    hooks = _pipeline_hooks(backend, target)
    texts = {**LOWERING_STAGES, "destination": DESTINATION_STAGE}
    elements = []
    for stage in stages:
        narrow = _vector_to_llvm_index32() if stage == "llvm" and target.index_bits == 32 else None
        elements += [hooks.get(f"before:{stage}"), narrow, texts[stage].format(**values), hooks.get(f"after:{stage}")]
    return f"builtin.module({','.join(e for e in elements if e)})"


@functools.cache
def _vector_to_llvm_index32() -> str:
    """The pipeline elements that run the transform script ``vector_to_llvm_index32.mlir`` before the "llvm" stage
    of a target of 32-bit indices.

    Upstream convert-vector-to-llvm takes no index width (its memref
    descriptors and indices are 64-bit, against the 32-bit ones of the
    other to-LLVM passes): the script does its work first, with a 32-bit
    type converter, so that the upstream pass finds no vector op left.
    """
    from fxn.passes.lowering import VECTOR_TO_LLVM_INDEX32

    library = str(VECTOR_TO_LLVM_INDEX32)
    if not re.fullmatch(r"[\w./-]+", library):  # a pass option cannot hold it: use a copy where it can
        copy = Path(tempfile.mkdtemp(prefix="fxn-")) / VECTOR_TO_LLVM_INDEX32.name
        shutil.copyfile(VECTOR_TO_LLVM_INDEX32, copy)
        library = str(copy)
    return (f"transform-preload-library{{transform-library-paths={library}}},"
            "transform-interpreter{entry-point=fxn_vector_to_llvm_index32}")


@dataclass
class Signature:
    """Argument and result types of a public function."""

    args: list[TensorType]
    results: list[TensorType]


def entry_points(module) -> dict[str, Signature]:
    """The public functions of an fxn module with their signatures."""
    signatures = {}
    for op in module.body.operations:
        if isinstance(op, func.FuncOp) and op.regions[0].blocks and not _is_private(op):
            function_type = ir.FunctionType(op.function_type.value)
            signatures[op.sym_name.value] = Signature(
                [TensorType.from_mlir(t) for t in function_type.inputs],
                [TensorType.from_mlir(t) for t in function_type.results],
            )
    return signatures


def _is_private(op) -> bool:
    return "sym_visibility" in op.attributes and op.attributes["sym_visibility"].value == "private"


def prepare_entry_points(module) -> None:
    """Name functions as exported, give public ones of arrays a C interface, make their tensor arguments read-only.

    Every function ``@f`` becomes ``@fxn_f`` (:func:`fxn.entries.namespace_functions`).

    A function of scalars only (a value entry) needs no C interface: it is
    called as it is.

    ``bufferization.writable = false`` keeps one-shot bufferization from
    reusing a caller's array for a result: the caller's inputs are never
    written. (Memref arguments, a destination entry's outputs, are buffers
    already and keep no attribute.)
    """
    namespace_functions(module)
    with module.context:
        read_only = ir.DictAttr.get({"bufferization.writable": ir.BoolAttr.get(False)})
        for op in module.body.operations:
            if not isinstance(op, func.FuncOp) or _is_private(op):
                continue
            function_type = ir.FunctionType(op.function_type.value)
            if any(isinstance(t, ir.ShapedType) for t in [*function_type.inputs, *function_type.results]):
                op.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
            op.arg_attrs = ir.ArrayAttr.get([
                read_only if isinstance(argument.type, ir.RankedTensorType) else ir.DictAttr.get({})
                for argument in op.arguments
            ])


def lower_to_linalg(module, target: Target | str) -> None:
    """Run the "lowered" stage on an fxn module in place: the fxn ops become linalg, tensor and arith."""
    pass_manager, _ = build_pipeline(pipeline_text(target, ("lowered",)), module.context)
    with module.context:
        pass_manager.run(module.operation)


def lower_to_llvm(module, target: Target | str, fast_math: bool = False, stages=tuple(LOWERING_STAGES),
                  bounds_check: bool = True, threads: int | None = None) -> None:
    """Lower a module to the LLVM dialect in place through ``stages`` (``fast_math``, ``bounds_check``,
    ``threads``: see :func:`pipeline_text`).

    The default stages take an fxn module; :data:`DESTINATION_STAGES` a module
    with a destination entry (see the module docstring). The C interfaces
    then take their functions' names (:func:`fxn.entries.export_c_interfaces`).
    """
    prepare_entry_points(module)
    pass_manager, _ = build_pipeline(pipeline_text(target, stages, fast_math, bounds_check, threads),
                                     module.context)
    with module.context:
        pass_manager.run(module.operation)
    export_c_interfaces(module)


class TranslationError(RuntimeError):
    """An LLVM-dialect module holds ops LLVM IR cannot express; the message names them and where they are."""


def llvm_ir(llvm_module) -> str:
    """The LLVM IR text of an LLVM-dialect module; TranslationError if an op is left that LLVM IR cannot express.

    The module holds ``llvm`` ops, and ``omp`` ops where it has parallel
    loops (OpenMP's translation outlines their bodies and calls the
    runtime). (The bindings' translation crashes the process on any other.)
    """
    leftovers: list[str] = []

    def visit(op):
        if not (op.name.startswith(("llvm.", "omp.")) or op.name == "builtin.module"):
            leftovers.append(f"{op.name} at {op.location}")
        return ir.WalkResult.ADVANCE

    llvm_module.operation.walk(visit)
    if leftovers:
        raise TranslationError(f"the lowered module still holds {len(leftovers)} op(s) LLVM IR cannot express, "
                               f"first {leftovers[0]}")
    return str(llvm.translate_module_to_llvmir(llvm_module.operation))


def jit(llvm_module, opt_level: int = 3, position_independent: bool = False):
    """An execution engine for an LLVM-dialect module, compiled for the host CPU.

    A module with parallel loops (``omp`` ops) gets the OpenMP runtime's
    entry points (:func:`fxn.threads.openmp_entry_points`), resolved in a
    library loaded for fxn alone: its symbols do not become the process's
    (torch's own OpenMP runtime keeps its ``GOMP_*`` functions).
    ``position_independent`` code can be linked into a shared library
    (``engine.dump_to_object_file``: the on-disk cache, :mod:`fxn.cached_code`).
    """
    from fxn.threads import openmp_entry_points

    text = llvm_module.operation.get_asm(enable_debug_info=True)
    with llvm_module.context:
        # The engine takes an ir.Module; reparsing the printed op is the bindings' only way to get one.
        module = ir.Module.parse(text)
    engine = execution_engine().ExecutionEngine(module, opt_level=opt_level, enable_pic=position_independent)
    if "omp.parallel" in text:
        for name, address in openmp_entry_points().items():
            engine.raw_register_runtime(name, ctypes.c_void_p(address))
    return engine
