"""The backend interface (fxn's plugin SDK): a :class:`Target` is data, a :class:`Backend` is behaviour.

A vendor subclasses :class:`Backend` in its own package and exposes an
instance through the ``fxn.backends`` entry-point group (see
``docs/backends.md``). What a backend knows, it declares; what every
backend needs (the clang driver, the LLVM-text fix, C headers, manifests),
the core gives (:mod:`fxn.toolchain`, :mod:`fxn.artifacts`). The core never
names a backend:

- it asks the backend for a :class:`Target` from the options a user wrote
  (``--target neon:cpu=cortex-a76`` is ``backend("neon").target(cpu="cortex-a76")``);
- it lowers with the target's vector width, index width and FMA choice,
  the backend's :attr:`Backend.lowerings` replacing generic ones and its
  :meth:`Backend.pipeline_hooks` adding passes around the generic stages;
- it has :meth:`Backend.build` write the artifacts and checks their
  imports against :meth:`Backend.allowed_imports`;
- it runs compiled code in process (the JIT) when the target is this
  machine, and otherwise through the backend's :meth:`Backend.runner`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

#: Every element type of the fxn dialect.
ALL_DTYPES = ("f16", "f32", "f64", "i8", "ui8", "i32", "i64", "i1")
#: What compiled code may import on any target: the allocator and the memory intrinsics LLVM emits
#: (LLVM turns a malloc followed by a zeroing memset into calloc).
ALLOCATION_IMPORTS = frozenset({"malloc", "calloc", "free", "memcpy", "memset", "memmove", "aligned_alloc"})
#: What the parallel loops of a target with ``threads`` import from LLVM's OpenMP runtime (``libomp.so.5``):
#: the entry points of OpenMP's translation to LLVM IR for ``omp.parallel`` and a statically scheduled
#: ``omp.wsloop``.
OPENMP_IMPORTS = frozenset({"__kmpc_fork_call", "__kmpc_global_thread_num", "__kmpc_push_num_threads",
                            "__kmpc_for_static_init_8u", "__kmpc_for_static_init_4u", "__kmpc_for_static_fini",
                            "__kmpc_barrier"})


class TargetError(ValueError):
    """A target name or option that no backend takes; the message says which and what is possible."""


@dataclass(frozen=True)
class Target:
    """A machine to generate code for, as data.

    ``options`` are the options it was chosen with, in the order of the
    backend's :attr:`Backend.options` (they make :attr:`spec`).
    """

    backend: str  # the backend's entry-point name, e.g. "neon"
    triple: str  # LLVM target triple, e.g. "aarch64-unknown-linux-gnu"
    cpu: str  # LLVM CPU name, e.g. "cortex-a76"
    features: tuple[str, ...] = ()  # LLVM feature names without "+", e.g. ("neon",)
    vector_bits: int = 128  # width of the widest SIMD register the code may use
    index_bits: int = 64  # width of index values and pointers (memref descriptors use it)
    has_fma: bool = True  # whether a fused multiply-add instruction exists (else contraction is off)
    dtypes: tuple[str, ...] = ALL_DTYPES  # element types its code supports
    artifacts: tuple[str, ...] = ("shared_library",)  # what Backend.build writes, by kind
    options: tuple[tuple[str, str], ...] = ()
    #: Whether its code may run parallel loops on threads, through LLVM's OpenMP runtime (``libomp``): the
    #: JIT loads it, the artifacts import :data:`OPENMP_IMPORTS` from it. Without, compiled code is serial.
    threads: bool = False

    def __post_init__(self):
        if self.index_bits not in (32, 64):
            raise TargetError(f"target '{self.backend}': index_bits is {self.index_bits}; fxn lowers to 32 or 64")
        if self.vector_bits < 8 or self.vector_bits & (self.vector_bits - 1):
            raise TargetError(f"target '{self.backend}': vector_bits is {self.vector_bits}, not a power of two >= 8")
        unknown = [dtype for dtype in self.dtypes if dtype not in ALL_DTYPES]
        if unknown:
            raise TargetError(f"target '{self.backend}': no element type {', '.join(unknown)} (fxn's: "
                              f"{', '.join(ALL_DTYPES)})")

    def lanes(self, element_bits: int) -> int:
        """Elements of ``element_bits`` bits per SIMD register."""
        return max(1, self.vector_bits // element_bits)

    @property
    def arch(self) -> str:
        """The triple's architecture (``x86_64``, ``aarch64``, ``wasm32``, ``riscv64``)."""
        return self.triple.split("-")[0]

    @property
    def spec(self) -> str:
        """How a user names this target: ``neon`` or ``neon:cpu=cortex-a76``."""
        options = ",".join(f"{key}={value}" for key, value in self.options)
        return f"{self.backend}:{options}" if options else self.backend

    def describe(self) -> dict:
        """The target as JSON data (manifests, ``--list-backends``)."""
        return {
            "name": self.backend, "spec": self.spec, "triple": self.triple, "cpu": self.cpu,
            "features": list(self.features), "vector_bits": self.vector_bits, "index_bits": self.index_bits,
            "has_fma": self.has_fma, "dtypes": list(self.dtypes), "artifacts": list(self.artifacts),
            "threads": self.threads,
        }


@dataclass
class Program:
    """Functions compiled for a target into one LLVM IR module, as a runner takes them.

    ``functions`` maps each function's name (its memref entry is
    ``fxn.entries.memref_symbol(name)``, taking a ``fxn_status *`` last) to
    its ``(arg_types, result_types)``, lists of ``TensorType``. A runner
    may build the module once and run its functions many times (it is
    free to cache by ``llvm_ir``). ``allocation_sites`` describes the
    module's failure sites (allocations and index checks, each a
    ``FailureSite`` with its ``kind``) in the order of their numbers (site
    ``n`` is ``allocation_sites[n - 1]``; see
    :mod:`fxn.passes.lowering.checked_allocation`). The status is four
    ``int64_t`` ``{site, value, bound, axis}``; a runner raises
    ``failure_error(function, allocation_sites, site, value, bound, axis)``
    when ``site`` is not 0: a ``MemoryError`` naming the op and line of a
    failed allocation, an ``IndexError`` naming the index, axis, size and
    line of an index out of bounds.
    """

    llvm_ir: str
    functions: dict[str, tuple[list, list]]
    allocation_sites: list = field(default_factory=list)


class Runner(Protocol):
    """Runs compiled code of one target on numpy inputs (a static binary under qemu, wasmtime, ...)."""

    def run(self, program: Program, function: str, target: Target, inputs: list) -> list:
        """The results of ``function`` of ``program`` on ``inputs`` (numpy arrays of its argument types), as numpy arrays.

        A failed allocation in the compiled code is a ``MemoryError``, an
        index out of bounds an ``IndexError`` (see :class:`Program`); any
        other failure to run is a ``RuntimeError`` saying what failed.
        """
        ...


@dataclass
class Backend:
    """Base class of a hardware backend; every hook but :meth:`target` has a default.

    ``lowerings`` maps an fxn op name to ``fn(op, target) -> ir.Value``,
    which builds the op's replacement at the op (insertion point and
    location are set) and replaces the generic lowering of that op for this
    backend's targets (see :mod:`fxn.passes.lowering`). ``options`` maps
    each option :meth:`target` takes to a one-line help.
    """

    name: str
    description: str
    lowerings: dict[str, Callable] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)

    def target(self, **options: str) -> Target:
        """The target for these options (strings as the user wrote them); TargetError for one it does not take."""
        raise NotImplementedError(f"backend '{self.name}' declares no target")

    def host_target(self) -> Target | None:
        """The target for this machine with its best options, or None if this machine is not one of its targets."""
        return None

    def pipeline_hooks(self, target: Target) -> dict[str, str]:
        """Passes around the generic stages: ``"before:<stage>"`` / ``"after:<stage>"`` -> pipeline text.

        Stages are "optimized" (``fxn-optimize`` on the fxn IR; the key
        ``"optimized"`` alone replaces it) and those of
        :data:`fxn.compiler.LOWERING_STAGES` ("lowered", "vectorized",
        "bufferized", "llvm"); the text is a comma-separated list of pipeline
        elements as ``fxn-opt`` takes them.
        """
        return {}

    def assemble(self, llvm_ir: str, target: Target) -> str:
        """The assembly text of an LLVM IR module for ``target``."""
        raise NotImplementedError(f"backend '{self.name}' cannot print assembly")

    def build(self, llvm_ir_modules: list[str], directory: Path, stem: str, exported: list[str],
              target: Target) -> list[Path]:
        """Write the artifacts of LLVM IR modules into ``directory``; the files written, main artifact first.

        Only ``exported`` symbols may be visible to users of the artifact.
        """
        raise NotImplementedError(f"backend '{self.name}' cannot build artifacts")

    def allowed_imports(self, target: Target) -> frozenset[str]:
        """The symbols an artifact for ``target`` may import: the allocator and memory intrinsics by default, and
        the OpenMP runtime's entry points where the target has ``threads``."""
        return ALLOCATION_IMPORTS | (OPENMP_IMPORTS if target.threads else frozenset())

    def runner(self, target: Target) -> Runner | None:
        """How to run ``target``'s code on this machine when it is not this machine (None: it cannot run here)."""
        return None

    def conformance_targets(self) -> list[Target]:
        """The targets fxn's own conformance tests check for this backend: its default target unless overridden.

        A backend whose default target cannot run here may name a variant
        that can instead (``accelerate`` names ``os=linux``, whose runner
        links a C stand-in of the Accelerate functions).
        """
        return [self.target()]

    def toolchain_version(self) -> str | None:
        """The version of the compiler that builds this backend's artifacts (recorded in manifests), if known."""
        return None

    def __str__(self) -> str:
        return self.description


def take_options(backend: Backend, options: dict[str, str], allowed: dict[str, tuple[str, ...]] | None = None
                 ) -> tuple[tuple[str, str], ...]:
    """``options`` checked against ``backend.options`` (and, where given, each one's ``allowed`` values).

    Returns them in the backend's declared order, as :attr:`Target.options`
    keeps them; TargetError names the first that does not fit.
    """
    for key, value in options.items():
        if key not in backend.options:
            known = ", ".join(backend.options) or "none"
            raise TargetError(f"target '{backend.name}' has no option '{key}' (options: {known})")
        choices = (allowed or {}).get(key)
        if choices is not None and value not in choices:
            raise TargetError(f"target '{backend.name}': option {key}={value} is not one of {', '.join(choices)}")
    return tuple((key, options[key]) for key in backend.options if key in options)
