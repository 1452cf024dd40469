"""What a backend is: capabilities as data, op lowerings as a table, a toolchain.

A vendor subclasses :class:`Backend` in its own package and exposes an
instance through the ``fxn.backends`` entry-point group. The core asks a
backend for a :class:`Target` (the machine to generate code for), merges the
backend's :attr:`Backend.lowerings` over the generic ones, and lowers with
the target's vector width; it never names a backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Target:
    """A machine to generate code for."""

    backend: str  # the backend's entry-point name
    triple: str  # LLVM target triple, e.g. "x86_64-unknown-linux-gnu"
    cpu: str  # LLVM CPU name, e.g. "haswell"
    features: tuple[str, ...] = ()  # LLVM feature names without "+", e.g. ("avx2", "fma")
    vector_bits: int = 128  # width of the widest SIMD register the code may use

    def lanes(self, element_bits: int) -> int:
        """Elements of ``element_bits`` bits per SIMD register."""
        return max(1, self.vector_bits // element_bits)


@dataclass
class Backend:
    """Base class of a hardware backend."""

    name: str
    description: str
    #: Per-op lowerings that replace the generic ones: op name -> fn(op, rewriter, target).
    lowerings: dict[str, Callable] = field(default_factory=dict)

    def host_target(self) -> Target | None:
        """The target for this machine, or None if this backend cannot run code here."""
        return None

    # Ahead-of-time hooks (``fxn inspect --stage asm``, ``fxn compile``); a backend that
    # lacks one keeps the default, which raises NotImplementedError naming the backend.

    def assemble(self, llvm_ir: str, target: Target) -> str:
        """The assembly text of an LLVM IR module for ``target``."""
        raise NotImplementedError(f"backend '{self.name}' cannot print assembly")

    def build_shared_library(self, llvm_ir_modules: list[str], output, exported: list[str], target: Target) -> None:
        """Compile LLVM IR modules into the shared library ``output`` (a Path) exporting only ``exported``."""
        raise NotImplementedError(f"backend '{self.name}' cannot build shared libraries")

    def toolchain_version(self) -> str | None:
        """The version of the compiler that builds this backend's artifacts (recorded in manifests), if known."""
        return None

    def __str__(self) -> str:
        return self.description
