"""fxn-riscv-rvv: an fxn backend for 64-bit RISC-V Linux with the vector extension (RVV 1.0), out of fxn's tree.

It uses fxn's public plugin API only (:mod:`fxn.backends.base`,
:mod:`fxn.toolchain`, :mod:`fxn.static_runner`) and is found through its
``fxn.backends`` entry point (see ``pyproject.toml``)::

    fxn compile predictor.py --target riscv_rvv -o build/
    fxn run predictor.py --target riscv_rvv:vlen=256 --arg x='[1, 2]'

Option ``vlen`` (128, the default, 256, 512 or 1024): the smallest vector
register length, in bits, of the machines the code will run on. RVV is
scalable (VLEN is a property of the chip), but fxn vectorizes with
fixed-length vectors of ``Target.vector_bits``; LLVM lowers those to RVV
instructions with an exact vector length (``vsetivli``), using one register
per vector when it may assume VLEN >= ``vlen`` (``-march=rv64gcv_zvl<vlen>b``).
Code so built is correct on any VLEN >= ``vlen`` and silently wrong on a
smaller one, so the default is 128, the minimum RVV 1.0 guarantees (``V``
implies ``zvl128b``): it runs on every RVV 1.0 chip, larger registers
half used. (``-mrvv-vector-bits`` is not needed: it fixes the size of C's
scalable vector types, which fxn's code does not use.)

The code also needs ``Zfhmin`` (scalar f16 <-> f32 conversions, which
RVA23 requires and the RVV chips on sale have): fxn computes ``f16`` in
``f32``, and without Zfhmin LLVM calls ``__extendhfsf2``/``__truncsfhf2``,
which Debian's riscv64 libgcc 12 lacks.

Artifacts: the shared library ``lib<stem>.so``, cross-linked by clang-22
and lld-22 against Debian's riscv64 C library (``-z defs``).

Running: on this machine (x86-64) the code runs as a static executable
under ``qemu-riscv64 -cpu rv64,v=true,vlen=<max(256, vlen)>``
(:class:`fxn.static_runner.StaticRunner`; qemu's default CPU has no vector
unit and dies with SIGILL). On a riscv64 Linux machine with V, fxn's JIT
runs it in process.
"""

from __future__ import annotations

import platform
import re

from fxn import toolchain
from fxn.backends.base import Backend, Target, take_options
from fxn.static_runner import StaticRunner

NAME = "riscv_rvv"  # the entry point's name, which every Target of this backend carries
TRIPLE = "riscv64-unknown-linux-gnu"
VLENS = ("128", "256", "512", "1024")
#: What running code here needs besides clang-22: the emulator, the linker, and the riscv64 C library and libgcc
#: that a static executable links (where Debian's cross packages put them; clang finds them for the triple).
RUN_REQUIREMENTS = {"qemu-riscv64": "Debian's qemu-user", "ld.lld-22": "Debian's lld-22",
                    "/usr/riscv64-linux-gnu/lib/libc.a": "Debian's libc6-dev-riscv64-cross",
                    "/usr/lib/gcc-cross/riscv64-linux-gnu/*/libgcc.a": "Debian's libgcc-12-dev-riscv64-cross"}


class RiscvRvvBackend(Backend):
    def target(self, **options: str) -> Target:
        chosen = take_options(self, options, {"vlen": VLENS})
        vlen = int(options.get("vlen", VLENS[0]))
        return Target(NAME, TRIPLE, "generic-rv64", ("v", "zfhmin", f"zvl{vlen}b"), vector_bits=vlen, index_bits=64,
                      has_fma=True, artifacts=("shared_library",), options=chosen)

    def host_target(self) -> Target | None:
        if platform.machine() != "riscv64" or platform.system() != "Linux":
            return None
        try:
            with open("/proc/cpuinfo") as cpuinfo:
                isa = re.search(r"^isa\s*:\s*rv64([a-z]*)", cpuinfo.read(), re.MULTILINE)
        except OSError:
            return None
        return self.target() if isa and "v" in isa[1] else None

    def assemble(self, llvm_ir: str, target: Target) -> str:
        return toolchain.assemble(llvm_ir, codegen_flags(target))

    def build(self, llvm_ir_modules, directory, stem, exported, target):
        library = directory / f"lib{stem}.so"
        return [toolchain.shared_library(llvm_ir_modules, library, exported, codegen_flags(target))]

    def runner(self, target: Target) -> StaticRunner | None:
        runner = static_runner(target)
        return runner if runner.unavailable() is None else None

    def toolchain_version(self) -> str | None:
        return toolchain.version()


def codegen_flags(target: Target) -> list[str]:
    """clang flags for ``target``: RV64GC with V and Zfhmin, assuming VLEN >= the target's vector bits."""
    return [f"--target={target.triple}", f"-march=rv64gcv_zfhmin_zvl{target.vector_bits}b", "-O3"]


def static_runner(target: Target) -> StaticRunner:
    """The runner under qemu-riscv64, vector registers of max(256, vlen) bits; unavailable() says what is missing."""
    # "Zfhmin" as qemu 7.2 spells it (later versions still take it, deprecated).
    cpu = f"rv64,v=true,vlen={max(256, target.vector_bits)},vext_spec=v1.0,Zfhmin=true"
    # No --sysroot: clang finds Debian's riscv64 cross C library and libgcc for the triple.
    return StaticRunner(codegen_flags(target), ["-fuse-ld=lld", "-static"], ["qemu-riscv64", "-cpu", cpu],
                        RUN_REQUIREMENTS)


backend = RiscvRvvBackend(NAME, "64-bit RISC-V Linux with RVV 1.0 vectors (vendor example)",
                          options={"vlen": "the smallest VLEN the code may assume, in bits: " + ", ".join(VLENS)})
