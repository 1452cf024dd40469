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

import re
import shutil
import struct
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


#: Float literals the MLIR bindings' (newer) LLVM prints and clang-22's parser rejects: IEEE specials by name
#: (``float -inf``, ``double +qnan``, ``half +nan(0x1)``), exact bits (``float f0x3FB8AA3B``) and half or float
#: decimals that only round to the value (``float 1.401300e-45``; clang-22 wants them exact).
_NEW_FLOAT_LITERAL = re.compile(
    r"\b(half|float|double) (?:([+-])(inf|qnan|snan|nan)(?:\((0x[0-9a-fA-F]+)\))?|f0x([0-9a-fA-F]+))"
    r"|\b(half|float) ([+-]?\d+\.\d+e[+-]?\d+)"
)
#: Per type: exponent bits, mantissa bits.
_FORMATS = {"half": (5, 10), "float": (8, 23), "double": (11, 52)}


def _hex_literal(match: re.Match) -> str:
    """One literal in the hex form every LLVM parses: ``0x...`` (a double's bits, for float too) or ``0xH...``."""
    kind, sign, name, payload, exact, decimal_kind, decimal = match.groups()
    if decimal is not None:
        kind, exact = decimal_kind, f"{_rounded_bits(float(decimal), decimal_kind):x}"
    exponent_bits, mantissa_bits = _FORMATS[kind]
    if exact is not None:
        bits = int(exact, 16)
    else:
        quiet = 1 << (mantissa_bits - 1)
        mantissa = {"inf": 0, "qnan": quiet, "nan": quiet, "snan": 0}[name] | int(payload or "0", 16)
        bits = (sign == "-") << (exponent_bits + mantissa_bits) | ((1 << exponent_bits) - 1) << mantissa_bits | mantissa
    if kind == "half":
        return f"half 0xH{bits:04X}"
    if kind == "float":
        bits = _float_as_double_bits(bits)
    return f"{kind} 0x{bits:016X}"


def _rounded_bits(value: float, kind: str) -> int:
    """The bits of ``value`` rounded to nearest in ``kind`` (half or float)."""
    code, unsigned = {"half": ("<e", "<H"), "float": ("<f", "<I")}[kind]
    return struct.unpack(unsigned, struct.pack(code, value))[0]


def _float_as_double_bits(bits: int) -> int:
    """The bits of the double equal to the float with ``bits`` (NaN payloads kept, never quieted)."""
    sign, exponent, mantissa = bits >> 31, (bits >> 23) & 0xFF, bits & 0x7FFFFF
    if exponent == 0xFF:  # infinity or NaN: the mantissa moves to the top
        return sign << 63 | 0x7FF << 52 | mantissa << 29
    return struct.unpack("<Q", struct.pack("<d", struct.unpack("<f", struct.pack("<I", bits))[0]))[0]


def parsable_ir(llvm_ir: str) -> str:
    """``llvm_ir`` with its float literals in hex where clang-22's parser would not read them; values unchanged.

    The MLIR bindings carry a newer LLVM than clang-22, whose printer spells
    infinities and NaNs by name, some constants as exact bits (``f0x``) and
    others as decimals that only round to the value.
    """
    return _NEW_FLOAT_LITERAL.sub(_hex_literal, llvm_ir)


def assemble(llvm_ir: str, target: Target) -> str:
    """The assembly ``clang -S`` makes of an LLVM IR module for ``target``."""
    return _run([_clang(), *codegen_flags(target), "-S", "-x", "ir", "-", "-o", "-"], "generate assembly",
                parsable_ir(llvm_ir))


def shared_library(llvm_ir_modules: list[str], output: Path, exported: list[str], target: Target) -> Path:
    """Compile and link LLVM IR modules into the shared library ``output`` exporting only ``exported``."""
    with tempfile.TemporaryDirectory(prefix="fxn-build-") as scratch:
        inputs = []
        for index, module in enumerate(llvm_ir_modules):
            path = Path(scratch) / f"module{index}.ll"
            path.write_text(parsable_ir(module))
            inputs.append(str(path))
        version_script = Path(scratch) / "exports.map"
        version_script.write_text("{\n  global:\n" + "".join(f"    {s};\n" for s in exported) + "  local: *;\n};\n")
        _run(
            [_clang(), *codegen_flags(target), "-fPIC", "-shared", "-fuse-ld=lld", *inputs, "-o", str(output),
             f"-Wl,--version-script={version_script}", "-Wl,-z,defs"],
            f"build {output.name}",
        )
    return output
