"""The x86-64 backend: SSE4.2, AVX2+FMA and AVX-512.

Options: ``cpu`` (an LLVM x86 CPU name; default: this machine's level, or
``haswell`` elsewhere). The vector width follows the CPU's level: AVX-512F
gives 512-bit vectors, AVX2+FMA 256-bit, SSE4.2 128-bit. This machine's
level comes from ``/proc/cpuinfo``. Code for this machine runs in-process
(fxn's JIT); ahead of time, :mod:`fxn.toolchain` builds a shared library
``lib<stem>.so`` with clang-22 (``-march=<cpu>``). Its large loops run on
threads (``Target.threads``, see :mod:`fxn.threads`): a library with
parallel loops links LLVM's OpenMP runtime, ``libomp.so.5``.
"""

from __future__ import annotations

import platform
from pathlib import Path

from fxn import toolchain
from fxn.backends.base import Backend, Target, take_options
from fxn.threads import OPENMP_LINK_NAME, uses_openmp

#: (required /proc/cpuinfo flags, LLVM features, LLVM CPU, vector bits), best first.
LEVELS = (
    ({"avx512f", "avx512bw", "avx512vl", "avx512dq", "fma"},
     ("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"), "skylake-avx512", 512),
    ({"avx2", "fma"}, ("avx2", "fma"), "haswell", 256),
    ({"sse4_2"}, ("sse4.2",), "nehalem", 128),
)
#: CPUs the ``cpu`` option takes, each with its level (more are easy to add: any LLVM x86 CPU of a level).
CPU_LEVELS = {"skylake-avx512": 0, "icelake-server": 0, "sapphirerapids": 0, "znver4": 0, "x86-64-v4": 0,
              "haswell": 1, "skylake": 1, "znver2": 1, "znver3": 1, "x86-64-v3": 1,
              "nehalem": 2, "x86-64-v2": 2}
TRIPLE = "x86_64-unknown-linux-gnu"


def cpu_flags(cpuinfo_text: str) -> set[str]:
    """The feature flags of the first processor in a ``/proc/cpuinfo`` text."""
    for line in cpuinfo_text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def target_for_flags(flags: set[str]) -> Target | None:
    """The best x86 level these CPU flags support, or None below SSE4.2."""
    for required, _, cpu, _ in LEVELS:
        if required <= flags:
            return _target(cpu, ())
    return None


def _target(cpu: str, options: tuple) -> Target:
    _, features, _, bits = LEVELS[CPU_LEVELS[cpu]]
    return Target("avx", TRIPLE, cpu, features, bits, has_fma="fma" in features, options=options, threads=True)


class X86Backend(Backend):
    def target(self, **options: str) -> Target:
        chosen = take_options(self, options, {"cpu": tuple(CPU_LEVELS)})
        if "cpu" in options:
            return _target(options["cpu"], chosen)
        host = self.host_target()
        return host if host is not None else _target("haswell", ())

    def host_target(self) -> Target | None:
        if platform.machine() not in ("x86_64", "AMD64"):
            return None
        try:
            with open("/proc/cpuinfo") as file:
                return target_for_flags(cpu_flags(file.read()))
        except OSError:
            return None

    def assemble(self, llvm_ir: str, target: Target) -> str:
        return toolchain.assemble(llvm_ir, codegen_flags(target))

    def build(self, llvm_ir_modules: list[str], directory: Path, stem: str, exported: list[str],
              target: Target) -> list[Path]:
        library = directory / f"lib{stem}.so"
        threaded = any(uses_openmp(module) for module in llvm_ir_modules)
        libraries = [OPENMP_LINK_NAME] if threaded else []
        return [toolchain.shared_library(llvm_ir_modules, library, exported, codegen_flags(target), libraries)]

    def toolchain_version(self) -> str | None:
        return toolchain.version()


def codegen_flags(target: Target) -> list[str]:
    """clang flags that generate optimized code for ``target``."""
    return [f"--target={target.triple}", f"-march={target.cpu}", "-O3"]


backend = X86Backend("avx", "x86-64 with SSE4.2 / AVX2+FMA / AVX-512",
                     options={"cpu": "an LLVM x86 CPU: " + ", ".join(CPU_LEVELS)})
