"""The x86-64 backend: SSE4.2, AVX2+FMA and AVX-512 hosts.

Capabilities come from the host CPU's feature flags (``/proc/cpuinfo``):
AVX-512F gives 512-bit vectors, AVX2+FMA 256-bit, SSE4.2 128-bit. Code runs
in-process through MLIR's JIT, which compiles for the host CPU; ahead of
time, :mod:`.toolchain` builds assembly and shared libraries with clang-22.
"""

from __future__ import annotations

import platform

from fxn.backends.base import Backend, Target

from . import toolchain

#: (required /proc/cpuinfo flags, LLVM features, LLVM CPU, vector bits), best first.
LEVELS = (
    ({"avx512f", "avx512bw", "avx512vl", "avx512dq", "fma"},
     ("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"), "skylake-avx512", 512),
    ({"avx2", "fma"}, ("avx2", "fma"), "haswell", 256),
    ({"sse4_2"}, ("sse4.2",), "nehalem", 128),
)


def cpu_flags(cpuinfo_text: str) -> set[str]:
    """The feature flags of the first processor in a ``/proc/cpuinfo`` text."""
    for line in cpuinfo_text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def target_for_flags(flags: set[str]) -> Target | None:
    """The best x86 level these CPU flags support, or None below SSE4.2."""
    for required, features, cpu, bits in LEVELS:
        if required <= flags:
            return Target("avx", "x86_64-unknown-linux-gnu", cpu, features, bits)
    return None


class X86Backend(Backend):
    def host_target(self) -> Target | None:
        if platform.machine() not in ("x86_64", "AMD64"):
            return None
        try:
            with open("/proc/cpuinfo") as file:
                return target_for_flags(cpu_flags(file.read()))
        except OSError:
            return None

    def assemble(self, llvm_ir: str, target: Target) -> str:
        return toolchain.assemble(llvm_ir, target)

    def build_shared_library(self, llvm_ir_modules: list[str], output, exported: list[str], target: Target) -> None:
        toolchain.shared_library(llvm_ir_modules, output, exported, target)

    def toolchain_version(self) -> str | None:
        return toolchain.version()


backend = X86Backend("avx", "x86-64 with SSE4.2 / AVX2+FMA / AVX-512")
