"""How the x86 backend builds code ahead of time: LLVM IR to assembly or a shared library with clang-22 and lld-22.

Code is generated for the :class:`~fxn.backends.base.Target`'s triple and CPU
(``-march=<cpu>``, which implies its ISA extensions, e.g. AVX2+FMA for
``haswell``) at ``-O3``. A shared library exports only the symbols asked for
(a linker version script hides the rest, so the library never interposes a
libc function such as ``fma`` on its users) and must link with nothing
undefined but libc (``-z defs``): a missing runtime function is a build
error, not a failure when the library is loaded.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from fxn.backends.base import Target

#: The compiler driver; Debian's clang-22 package (scripts/setup installs it with lld-22).
CLANG = "clang-22"


class ToolchainError(RuntimeError):
    """The compiler or linker is missing or failed; the message says which and why."""


def codegen_flags(target: Target) -> list[str]:
    """clang flags that generate optimized code for ``target``."""
    return [f"--target={target.triple}", f"-march={target.cpu}", "-O3"]


def _clang() -> str:
    path = shutil.which(CLANG)
    if path is None:
        raise ToolchainError(f"{CLANG} is not installed (scripts/setup installs clang-22 and lld-22)")
    return path


def _run(command: list[str], what: str, stdin: str | None = None) -> str:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        detail = "; ".join(line for line in result.stderr.splitlines() if "error" in line)[:2000]
        raise ToolchainError(f"{CLANG} failed to {what}: {detail or result.stderr.strip()[:2000]}")
    return result.stdout


def assemble(llvm_ir: str, target: Target) -> str:
    """The assembly ``clang -S`` makes of an LLVM IR module for ``target``."""
    return _run([_clang(), *codegen_flags(target), "-S", "-x", "ir", "-", "-o", "-"], "generate assembly", llvm_ir)


def shared_library(llvm_ir_modules: list[str], output: Path, exported: list[str], target: Target) -> Path:
    """Compile and link LLVM IR modules into the shared library ``output`` exporting only ``exported``."""
    with tempfile.TemporaryDirectory(prefix="fxn-build-") as scratch:
        inputs = []
        for index, module in enumerate(llvm_ir_modules):
            path = Path(scratch) / f"module{index}.ll"
            path.write_text(module)
            inputs.append(str(path))
        version_script = Path(scratch) / "exports.map"
        version_script.write_text("{\n  global:\n" + "".join(f"    {s};\n" for s in exported) + "  local: *;\n};\n")
        _run(
            [_clang(), *codegen_flags(target), "-fPIC", "-shared", "-fuse-ld=lld", *inputs, "-o", str(output),
             f"-Wl,--version-script={version_script}", "-Wl,-z,defs"],
            f"build {output.name}",
        )
    return output
