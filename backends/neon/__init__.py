"""The ARM NEON backend: aarch64 with 128-bit Advanced SIMD (NEON), for Linux and Android.

Options: ``cpu`` (an LLVM AArch64 CPU, default ``neoverse-n1``: clang's
``-mcpu``, which picks instructions and scheduling; every one has NEON, so
fxn vectorizes for 128 bits whatever the CPU, though LLVM may use the
CPU's other extensions, SVE on ``neoverse-v1`` say, in loops it vectorizes
itself: the code then needs that CPU), ``os`` (``linux``, the default, or
``android``) and ``api`` (the Android API level, default 24, with
``os=android`` only).

Artifacts, by :mod:`fxn.toolchain` with clang-22 and lld-22:

- Linux (``aarch64-unknown-linux-gnu``): the shared library
  ``lib<stem>.so``, cross-linked against Debian's aarch64 C library
  (``libc6-dev-arm64-cross``) with ``-z defs``, and the static library
  ``lib<stem>.a`` (one position-independent object, every symbol but the
  entry points made local, archived by ``llvm-ar-22``) for programs and
  libraries that link it in.
- Android (``aarch64-linux-android<api>``): the static library only. There
  is no Android sysroot (bionic, NDK) on this machine to link a shared
  library against, so none is built; the archive needs nothing but what
  any Android libc gives (``malloc``, ``free``, ``memcpy``, ...). Nothing
  for Android runs here.

Running: on an aarch64 Linux machine the JIT serves this backend's Linux
target (:meth:`NeonBackend.host_target`); elsewhere the Linux target runs
as a static executable under ``qemu-aarch64`` (:class:`fxn.static_runner.StaticRunner`),
when Debian's ``qemu-user`` and the aarch64 cross C library and libgcc are
installed (scripts/setup does).

FMA: NEON has ``fmla`` (vector) and ``fmadd`` (scalar), so the target
declares ``has_fma``: ``fxn.fma`` (``fxn.frontend.fma``) and contraction
under ``fast_math=True`` become ``fmla v.4s``. ``x * y + z`` as written
stays ``fmul`` + ``fadd`` (two roundings, as fxn's ops define it).
"""

from __future__ import annotations

import platform
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fxn import toolchain
from fxn.backends.base import Backend, Target, TargetError, take_options

if TYPE_CHECKING:  # the runner imports numpy: loaded when a target runs, not when backends are discovered
    from fxn.static_runner import StaticRunner

#: CPUs the ``cpu`` option takes (clang-22 accepts each as -mcpu for aarch64; more are easy to add).
CPUS = ("neoverse-n1", "neoverse-n2", "neoverse-v1", "neoverse-v2", "cortex-a53", "cortex-a55", "cortex-a72",
        "cortex-a76", "cortex-a78", "cortex-x1", "apple-m1", "generic")
DEFAULT_CPU = "neoverse-n1"
DEFAULT_ANDROID_API = "24"
EMULATOR = "qemu-aarch64"
#: What running code here needs besides clang-22: the emulator, the linker, and the aarch64 C library and libgcc
#: that a static executable links (where Debian's cross packages put them).
RUN_REQUIREMENTS = {EMULATOR: "Debian's qemu-user", "ld.lld-22": "Debian's lld-22",
                    "/usr/aarch64-linux-gnu/lib/libc.a": "Debian's libc6-dev-arm64-cross",
                    "/usr/lib/gcc-cross/aarch64-linux-gnu/*/libgcc.a": "Debian's libgcc-12-dev-arm64-cross"}


class NeonBackend(Backend):
    def target(self, **options: str) -> Target:
        chosen = take_options(self, options, {"cpu": CPUS, "os": ("linux", "android")})
        os_name, cpu = options.get("os", "linux"), options.get("cpu", DEFAULT_CPU)
        if os_name == "android":
            api = options.get("api", DEFAULT_ANDROID_API)
            if not api.isdigit() or not 21 <= int(api) <= 99:
                raise TargetError(f"target 'neon': option api={api} is no Android API level (21 or later)")
            triple, artifacts = f"aarch64-linux-android{api}", ("static_library",)
        else:
            if "api" in options:
                raise TargetError("target 'neon': option api is for os=android only")
            triple, artifacts = "aarch64-unknown-linux-gnu", ("shared_library", "static_library")
        return Target("neon", triple, cpu, ("neon",), vector_bits=128, index_bits=64, has_fma=True,
                      artifacts=artifacts, options=chosen)

    def host_target(self) -> Target | None:
        is_aarch64 = platform.machine().lower() in ("aarch64", "arm64")
        return self.target() if is_aarch64 and platform.system() == "Linux" else None

    def assemble(self, llvm_ir: str, target: Target) -> str:
        return toolchain.assemble(llvm_ir, codegen_flags(target))

    def build(self, llvm_ir_modules: list[str], directory: Path, stem: str, exported: list[str],
              target: Target) -> list[Path]:
        flags = codegen_flags(target)
        files = []
        if "shared_library" in target.artifacts:
            files.append(toolchain.shared_library(llvm_ir_modules, directory / f"lib{stem}.so", exported, flags))
        files.append(static_library(llvm_ir_modules, directory / f"lib{stem}.a", exported, flags))
        return files

    def runner(self, target: Target) -> StaticRunner | None:
        runner = static_runner(target)
        return runner if runner is not None and runner.unavailable() is None else None

    def toolchain_version(self) -> str | None:
        return toolchain.version()


def codegen_flags(target: Target) -> list[str]:
    """clang flags that generate optimized code for ``target``."""
    return [f"--target={target.triple}", f"-mcpu={target.cpu}", "-O3"]


def static_runner(target: Target) -> StaticRunner | None:
    """The runner of ``target``'s code under qemu-aarch64 (None for Android); ``unavailable()`` says what is missing."""
    if "android" in target.triple:
        return None
    from fxn.static_runner import StaticRunner

    # clang finds Debian's cross C library and libgcc for the triple by itself (no --sysroot).
    return StaticRunner(codegen_flags(target), ["-fuse-ld=lld", "-static"], [EMULATOR], RUN_REQUIREMENTS)


def static_library(llvm_ir_modules: list[str], output: Path, exported: list[str], flags: list[str]) -> Path:
    """The archive ``output`` of one object compiled from the modules; only ``exported`` stay global symbols.

    The object is position-independent (``-fPIC``), so that it links into
    shared libraries (an Android app's JNI library) as well as executables.
    An archive cannot hide symbols as a shared library's version script
    does; making every other defined symbol local keeps the functions
    behind the entry points out of the user's link.
    """
    with tempfile.TemporaryDirectory(prefix="fxn-neon-") as scratch:
        code = Path(scratch) / f"{output.stem.removeprefix('lib')}.o"
        toolchain.object_file(llvm_ir_modules, code, [*flags, "-fPIC"])
        keep = [f"--keep-global-symbol={symbol}" for symbol in exported]
        toolchain.run_tool("llvm-objcopy-22", [*keep, str(code)])
        output.unlink(missing_ok=True)  # llvm-ar adds to an existing archive
        toolchain.run_tool("llvm-ar-22", ["rcsD", str(output), str(code)])
    return output


backend = NeonBackend("neon", "aarch64 with 128-bit NEON (Linux; Android as a static library)",
                      options={"cpu": "an LLVM AArch64 CPU: " + ", ".join(CPUS),
                               "os": "linux (default) or android",
                               "api": f"the Android API level (os=android; default {DEFAULT_ANDROID_API})"})
