"""The Apple Accelerate backend: arm64 macOS code calling Accelerate's BLAS for the heavy ops.

Target ``accelerate`` is ``arm64-apple-macos13`` on ``apple-m1`` (NEON,
128-bit vectors, FMA, 64-bit index). ``fxn.matmul``, ``fxn.linear`` and
``fxn.conv2d`` of f32 become ``cblas_sgemm`` calls (:mod:`.lowering`, which
says how); every other op keeps the generic lowering, which clang-22 turns
into NEON code. The Accelerate functions the code may call are one table,
:data:`.library.FUNCTIONS` (name and C declaration from Apple's headers),
and artifacts may import exactly those, the allocator and the memory
functions LLVM calls for fills (on macOS also ``bzero`` and
``memset_pattern16``: :data:`DARWIN_MEMORY_IMPORTS`).

Options: ``os`` = ``macos`` (the default) or ``linux``. ``os=linux``
(``aarch64-unknown-linux-gnu``) is for tests only: the same lowering, built
for aarch64 Linux, so that the calls' arguments can be checked under
qemu-aarch64 against a C implementation of ``cblas_sgemm`` (any CBLAS has
the same ABI); its artifacts are built the same way (an object and a static
library), and the code needs a CBLAS to link. Its runner (a
:class:`fxn.static_runner.StaticRunner`, as ``neon``'s) links
``cblas_standin.c``, a ``cblas_sgemm`` written from the BLAS documentation
(reference CBLAS's argument checks, SGEMM's arithmetic), not Accelerate:
what it runs checks the arguments fxn passes, never Accelerate itself. The
conformance suite runs this variant (:meth:`AccelerateBackend.conformance_targets`).

Artifacts (:meth:`AccelerateBackend.build`, clang-22 and LLVM 22's tools),
for a user to link with ``-framework Accelerate``:

- ``<stem>.o``: one relocatable Mach-O arm64 object of every module
  (``llvm-link`` merges the modules' LLVM IR, clang compiles it once:
  :func:`fxn.toolchain.object_file` merges objects with ELF's ``ld.lld
  -r``, and ``ld64.lld-22`` says ``-r`` is "not yet implemented"), in which only the
  exported entry points stay global: ``llvm-objcopy --keep-global-symbol``
  makes every other defined symbol local, so a user's program sees only
  the ``fxn_*`` entries and two libraries of predictors never clash (a
  Mach-O private extern, hidden visibility, would still be linked across
  objects of one program);
- ``lib<stem>.a``: that object archived by ``llvm-ar`` in deterministic
  mode (``D``: no dates, owners or modes).

What is checked on this Linux machine (test/python/backends/test_accelerate.py)
and what is not. Checked: the objects import the declared Accelerate
functions they use, the allocator and Darwin's fill functions, nothing
else (fxn's allow-list check), and link into a dylib with ``ld64.lld``
against ``.tbd`` stubs written from those lists; the calls' arguments
(order, transposes, sizes, leading dims, alpha, beta, offsets) compute the
ops, the ``os=linux`` build running under qemu-aarch64 with a C
``cblas_sgemm`` written from the BLAS documentation, against the
reference interpreter (and numpy for matmul). **Not verified here**:
Accelerate's own numerics (its blocking and summation order are its own,
so results may differ from the reference's by rounding; the tests hold
the stand-in, not Accelerate, to fxn's f32 tolerance), linking against
the real framework (the stubs are written from the table, not taken from
an SDK), and running on a Mac: nothing of the ``macos`` target runs on this
machine (its :meth:`~fxn.backends.base.Backend.runner` is None).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from fxn import toolchain
from fxn.backends.base import ALLOCATION_IMPORTS, Backend, Target, take_options
from fxn.backends.neon import EMULATOR, RUN_REQUIREMENTS

if TYPE_CHECKING:  # the runner imports numpy, the library and lowerings MLIR: loaded when first used
    from fxn.static_runner import StaticRunner

#: What LLVM lowers memory fills to on Darwin, besides ``memset``: ``bzero`` (a zero fill, from
#: ``llvm.memset`` of 0) and ``memset_pattern16`` (a loop storing a repeated 16-byte pattern, such as a
#: ``linalg.fill`` of 1.5, recognized as an idiom). Both are libSystem's (``<strings.h>``, ``<string.h>``).
DARWIN_MEMORY_IMPORTS = frozenset({"bzero", "memset_pattern16"})
#: The triple of each ``os`` option value.
TRIPLES = {"macos": "arm64-apple-macos13", "linux": "aarch64-unknown-linux-gnu"}
CPU = "apple-m1"
#: The C stand-in for the Accelerate functions that the ``os=linux`` runner links (tests only).
STANDIN_SOURCE = Path(__file__).with_name("cblas_standin.c")


class AccelerateBackend(Backend):
    def target(self, **options: str) -> Target:
        chosen = take_options(self, options, {"os": tuple(TRIPLES)})
        triple = TRIPLES[options.get("os", "macos")]
        return Target("accelerate", triple, CPU, ("neon",), vector_bits=128, index_bits=64, has_fma=True,
                      artifacts=("object", "static_library"), options=chosen)

    def assemble(self, llvm_ir: str, target: Target) -> str:
        return toolchain.assemble(llvm_ir, codegen_flags(target))

    def build(self, llvm_ir_modules: list[str], directory: Path, stem: str, exported: list[str],
              target: Target) -> list[Path]:
        obj = object_file(llvm_ir_modules, directory / f"{stem}.o", codegen_flags(target))
        symbol_prefix = "_" if "apple" in target.triple else ""  # Mach-O prefixes C names with "_"
        toolchain.run_tool("llvm-objcopy-22", [*(f"--keep-global-symbol={symbol_prefix}{s}" for s in exported), str(obj)])
        library = directory / f"lib{stem}.a"
        library.unlink(missing_ok=True)  # llvm-ar adds to an existing archive
        toolchain.run_tool("llvm-ar-22", ["rcsD", str(library), str(obj)])
        return [obj, library]

    def allowed_imports(self, target: Target) -> frozenset[str]:
        darwin = DARWIN_MEMORY_IMPORTS if "apple" in target.triple else frozenset()
        from .library import FUNCTIONS

        return ALLOCATION_IMPORTS | darwin | FUNCTIONS.keys()

    def runner(self, target: Target) -> StaticRunner | None:
        runner = standin_runner(target)
        return runner if runner is not None and runner.unavailable() is None else None

    def conformance_targets(self) -> list[Target]:
        """``os=linux`` only: the macOS code cannot run here; the Linux build runs the same calls on the stand-in."""
        return [self.target(os="linux")]

    def toolchain_version(self) -> str | None:
        return toolchain.version()


def standin_runner(target: Target) -> StaticRunner | None:
    """The ``os=linux`` runner under qemu-aarch64, linked with :data:`STANDIN_SOURCE` (None for macOS)."""
    if "linux" not in target.triple:
        return None
    from fxn.static_runner import StaticRunner

    return StaticRunner(codegen_flags(target), ["-fuse-ld=lld", "-static", str(STANDIN_SOURCE)], [EMULATOR],
                        RUN_REQUIREMENTS)


def codegen_flags(target: Target) -> list[str]:
    """clang flags that generate optimized code for ``target``."""
    return [f"--target={target.triple}", f"-mcpu={target.cpu}", "-O3"]


def object_file(llvm_ir_modules: list[str], output: Path, flags: list[str]) -> Path:
    """One relocatable object ``output`` of every module: ``llvm-link`` merges them, clang compiles the result.

    (:func:`fxn.toolchain.object_file` merges objects with ELF's ``ld.lld -r``; ``ld64.lld-22`` does not
    implement ``-r``. Merging the IR works for every object format.)
    """
    with tempfile.TemporaryDirectory(prefix="fxn-accelerate-") as scratch:
        sources = []
        for number, module in enumerate(llvm_ir_modules):
            sources.append(Path(scratch) / f"module{number}.ll")
            sources[-1].write_text(toolchain.parsable_ir(module))
        merged = Path(scratch) / "merged.bc"
        toolchain.run_tool("llvm-link-22", [*map(str, sources), "-o", str(merged)])
        toolchain.run_tool(toolchain.CLANG, [*flags, "-c", str(merged), "-o", str(output)])
    return output


class _Lowerings(Mapping):
    """The lowerings of :mod:`.lowering` (which imports MLIR), imported when first read: discovering the
    backends (to find this machine's) loads this package, which then costs nothing."""

    def _table(self) -> dict:
        from .lowering import LOWERINGS

        return LOWERINGS

    def __getitem__(self, name: str):
        return self._table()[name]

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


backend = AccelerateBackend(
    "accelerate", "arm64 macOS, matmul/linear/conv2d through Accelerate's cblas_sgemm (Mach-O object, built only)",
    lowerings=_Lowerings(), options={"os": "macos (default) or linux (tests only: the same code for aarch64 Linux)"},
)
