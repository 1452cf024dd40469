"""The clang toolchain every clang-based backend shares: LLVM IR in, assembly, objects and libraries out.

A backend gives the code-generation flags of its target (``--target=<triple>``,
``-march``/``-mcpu``, ``-O3``); this module runs Debian's clang-22 and lld-22
with them. The MLIR bindings carry a newer LLVM than clang-22, so LLVM IR
text goes through :func:`parsable_ir` first. A shared library exports only
the symbols asked for (a linker version script hides the rest, so a library
never interposes a libc function such as ``fma`` on its users) and must link
with nothing undefined but libc (``-z defs``). :func:`undefined_symbols`
lists what an artifact imports, for the allow-list check of
:func:`fxn.artifacts.build`.
"""

from __future__ import annotations

import functools
import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from fractions import Fraction

#: The compiler driver; Debian's clang-22 package (scripts/setup installs it with lld-22).
CLANG = "clang-22"
#: The symbol lister of the same LLVM.
NM = "llvm-nm-22"


class ToolchainError(RuntimeError):
    """The compiler or linker is missing or failed; the message says which and why."""


def _clang() -> str:
    return _tool(CLANG)


def run_tool(name: str, arguments: list[str]) -> None:
    """Run an LLVM tool (``llvm-ar-22``, ``llvm-objcopy-22``, ``llvm-link-22`` ...); ToolchainError if it is missing or fails."""
    result = subprocess.run([_tool(name), *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise ToolchainError(f"{name} failed: {result.stderr.strip()[:2000]}")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolchainError(f"{name} is not installed (scripts/setup installs clang-22, lld-22 and llvm-22)")
    return path


@functools.cache
def version() -> str:
    """The first line of ``clang-22 --version``, which artifacts record (asked once a process)."""
    return _run([_clang(), "--version"], "report its version").splitlines()[0]


def _run(command: list[str], what: str, stdin: str | None = None) -> str:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        detail = "; ".join(line for line in result.stderr.splitlines() if "error" in line)[:2000]
        raise ToolchainError(f"{CLANG} failed to {what}: {detail or result.stderr.strip()[:2000]}")
    return result.stdout


# ----------------------------------------------------------------------------- float literals


@dataclass(frozen=True)
class _FloatFormat:
    """How an LLVM floating-point type encodes values, and how clang-22 spells its exact bits."""

    exponent_bits: int
    fraction_bits: int  # significand bits below the integer bit
    spell: Callable[[int], str]  # the legacy hex literal clang-22 reads, from the type's bits
    explicit_integer_bit: bool = False  # x86_fp80 stores the integer bit, the IEEE formats imply it

    @property
    def significand_bits(self) -> int:
        return self.fraction_bits + self.explicit_integer_bit

    @property
    def width(self) -> int:
        return 1 + self.exponent_bits + self.significand_bits

    def special(self, name: str, payload: int) -> int:
        """The bits of the positive infinity or NaN that ``+<name>(<payload>)`` names (``+snan``: APFloat's default)."""
        quiet = 1 << (self.fraction_bits - 1)
        fraction = {"inf": 0, "qnan": quiet, "nan": quiet | payload, "snan": payload or quiet >> 1}[name]
        integer = self.explicit_integer_bit << self.fraction_bits
        return ((1 << self.exponent_bits) - 1) << self.significand_bits | integer | fraction

    def rounded(self, value: Fraction) -> int:
        """The bits of ``value`` (not negative) rounded to nearest, ties to even; infinity beyond the largest finite."""
        from fractions import Fraction

        if value == 0:
            return 0
        bias = (1 << (self.exponent_bits - 1)) - 1
        exponent = value.numerator.bit_length() - value.denominator.bit_length()
        exponent -= Fraction(2) ** exponent > value  # now 2**exponent <= value < 2**(exponent + 1)
        exponent = max(exponent, 1 - bias)  # subnormals: the smallest normal exponent, no integer bit
        scaled = value * Fraction(2) ** (self.fraction_bits - exponent)
        significand, remainder = divmod(scaled.numerator, scaled.denominator)
        if 2 * remainder > scaled.denominator or (2 * remainder == scaled.denominator and significand & 1):
            significand += 1
        if significand >> (self.fraction_bits + 1):  # rounded up into the next binade
            significand, exponent = significand >> 1, exponent + 1
        biased = exponent + bias if significand >> self.fraction_bits else 0
        if biased >= (1 << self.exponent_bits) - 1:
            return self.special("inf", 0)
        if not self.explicit_integer_bit:
            significand &= (1 << self.fraction_bits) - 1
        return biased << self.significand_bits | significand


#: LLVM's floating-point types that MLIR translates to (f16, bf16, f32, f64, f80, f128), with clang-22's
#: exact-bits spelling of each: ``0xH``/``0xR``/``0xK`` and the bits, a float as the double of equal value,
#: fp128 as ``0xL`` with its low 64 bits first.
_FLOAT_FORMATS = {
    "half": _FloatFormat(5, 10, lambda bits: f"0xH{bits:04X}"),
    "bfloat": _FloatFormat(8, 7, lambda bits: f"0xR{bits:04X}"),
    "float": _FloatFormat(8, 23, lambda bits: f"0x{_float_as_double_bits(bits):016X}"),
    "double": _FloatFormat(11, 52, lambda bits: f"0x{bits:016X}"),
    "x86_fp80": _FloatFormat(15, 63, lambda bits: f"0xK{bits:020X}", explicit_integer_bit=True),
    "fp128": _FloatFormat(15, 112, lambda bits: f"0xL{bits & (1 << 64) - 1:016X}{bits >> 64:016X}"),
}
#: Every floating-point type keyword of LLVM IR (ppc_fp128 has no MLIR type, so no literal of it is rewritten).
_FLOAT_TYPES = {*_FLOAT_FORMATS, "ppc_fp128"}

#: The LLVM IR tokens that matter here: copied as they are (strings and quoted names, comments, names with a
#: sigil, legacy hex literals), line ends, the literal forms only newer LLVM prints (``+inf``, ``-qnan``,
#: ``+nan(0x1)``, ``-snan(0x2)``), numbers (decimal literals among them) and words (type keywords and
#: ``f0x`` literals among them).
_TOKEN = re.compile(
    r'(?P<kept>"[^"]*"|;[^\n]*|[%@!#$^][-\w$.]*|0x[KLMHR]?[0-9A-Fa-f]+)'
    r"|(?P<line>\n)"
    r"|(?P<special>[+-](?:inf|qnan|snan|nan)(?:\((?:0x[0-9A-Fa-f]+|\d+)\))?)"
    r"|(?P<number>[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[A-Za-z_.$][-\w$.]*)"
)
_SPECIAL = re.compile(r"([+-])(inf|qnan|snan|nan)(?:\((0x[0-9A-Fa-f]+|\d+)\))?")
_BITS = re.compile(r"f0x([0-9A-Fa-f]+)")


def parsable_ir(llvm_ir: str) -> str:
    """``llvm_ir`` with every float literal in the legacy hex form clang-22 reads; values unchanged, bit for bit.

    The MLIR bindings carry a newer LLVM (23+) than clang-22, whose printer
    writes infinities and NaNs by name (``+inf``, ``-qnan``, ``+nan(0x1)``,
    ``+snan(0x1)``), other values as decimals (exact in their type, not
    always in double, which is how clang-22 reads a decimal) or as their bits
    (``f0x3FB8AA3B``), for every floating-point type, wherever a value goes:
    after its type (``float f0x...``, ``<float ..., float ...>``, ``splat
    (half ...)``, ``[2 x double] [...]``) or after an instruction's type
    (``fmul float %x, f0x...``, ``fcmp olt half %x, +inf``, ``phi double [
    1.5, %bb ]``). A literal's type is therefore the last floating-point type
    keyword before it on its line. Strings, comments and names are left as
    they are; a literal with no type before it is a :class:`ToolchainError`.
    """
    pieces, copied, kind, line = [], 0, None, 1
    for token in _TOKEN.finditer(llvm_ir):
        group, text = token.lastgroup, token.group()
        if group == "line":
            kind, line = None, line + 1
        elif group == "word" and text in _FLOAT_TYPES:
            kind = text
        elif group == "special" or (group == "number" and not text.lstrip("+-").isdigit()) or (
                group == "word" and _BITS.fullmatch(text)):
            pieces += [llvm_ir[copied:token.start()], _legacy_literal(text, kind, line)]
            copied = token.end()
    return "".join(pieces) + llvm_ir[copied:]


def _legacy_literal(text: str, kind: str | None, line: int) -> str:
    """The literal ``text`` of type ``kind`` as clang-22 spells it."""
    if kind not in _FLOAT_FORMATS:
        raise ToolchainError(f"line {line} of the LLVM IR: cannot rewrite the float literal '{text}' of "
                             f"{kind or 'no type'} for {CLANG}")
    form = _FLOAT_FORMATS[kind]
    sign = (text[0] == "-") << (form.width - 1)
    if bits := _BITS.fullmatch(text):
        if len(bits[1]) != form.width // 4:
            raise ToolchainError(f"line {line} of the LLVM IR: '{text}' does not have the {form.width} bits of {kind}")
        return form.spell(int(bits[1], 16))
    if special := _SPECIAL.fullmatch(text):
        payload = special[3] or "0"
        return form.spell(sign | form.special(special[2], int(payload, 16 if payload.startswith("0x") else 10)))
    from fractions import Fraction  # (with decimal: 5 ms of every process that loads a backend, used here only)

    return form.spell(sign | form.rounded(Fraction(text.lstrip("+-"))))


def _float_as_double_bits(bits: int) -> int:
    """The bits of the double equal to the float with ``bits`` (NaN payloads kept, never quieted)."""
    sign, exponent, mantissa = bits >> 31, (bits >> 23) & 0xFF, bits & 0x7FFFFF
    if exponent == 0xFF:  # infinity or NaN: the mantissa moves to the top
        return sign << 63 | 0x7FF << 52 | mantissa << 29
    return struct.unpack("<Q", struct.pack("<d", struct.unpack("<f", struct.pack("<I", bits))[0]))[0]


def assemble(llvm_ir: str, flags: list[str]) -> str:
    """The assembly ``clang -S`` makes of an LLVM IR module with the code-generation ``flags`` of a target."""
    return _run([_clang(), *flags, "-S", "-x", "ir", "-", "-o", "-"], "generate assembly", parsable_ir(llvm_ir))


def _ir_files(llvm_ir_modules: list[str], scratch: Path) -> list[str]:
    inputs = []
    for index, module in enumerate(llvm_ir_modules):
        path = scratch / f"module{index}.ll"
        path.write_text(parsable_ir(module))
        inputs.append(str(path))
    return inputs


def shared_library(llvm_ir_modules: list[str], output: Path, exported: list[str], flags: list[str],
                   libraries: list[str] = ()) -> Path:
    """Compile and link LLVM IR modules into the shared library ``output`` exporting only ``exported``, linked
    against ``libraries`` (linker names: ``omp`` is ``-lomp``)."""
    with tempfile.TemporaryDirectory(prefix="fxn-build-") as scratch:
        inputs = _ir_files(llvm_ir_modules, Path(scratch))
        version_script = Path(scratch) / "exports.map"
        version_script.write_text("{\n  global:\n" + "".join(f"    {s};\n" for s in exported) + "  local: *;\n};\n")
        # -nostartfiles: no C runtime start-up code (crtbegin), whose weak imports (__cxa_finalize,
        # _ITM_*, __gmon_start__) a library of predictors, which has no constructors, does not need.
        _run([_clang(), *flags, "-fPIC", "-shared", "-nostartfiles", "-fuse-ld=lld", *inputs, "-o", str(output),
              f"-Wl,--version-script={version_script}", "-Wl,-z,defs", *(f"-l{name}" for name in libraries)],
             f"build {output.name}")
    return output


def link_shared_object(code: Path, output: Path, libraries: list[str] = ()) -> Path:
    """Link the position-independent object file ``code`` (of this machine) into the shared library ``output``,
    against ``libraries`` (linker names: ``omp`` is ``-lomp``)."""
    _run([_clang(), "-shared", "-nostartfiles", "-fuse-ld=lld", str(code), "-o", str(output),
          *(f"-l{name}" for name in libraries)], f"link {output.name}")
    return output


def object_file(llvm_ir_modules: list[str], output: Path, flags: list[str]) -> Path:
    """Compile LLVM IR modules into one relocatable object ``output`` (``ld -r`` of one object per module)."""
    with tempfile.TemporaryDirectory(prefix="fxn-build-") as scratch:
        inputs = _ir_files(llvm_ir_modules, Path(scratch))
        objects = []
        for source in inputs:
            objects.append(source[:-3] + ".o")
            _run([_clang(), *flags, "-c", "-x", "ir", source, "-o", objects[-1]], f"compile {output.name}")
        if len(objects) == 1:
            output.write_bytes(Path(objects[0]).read_bytes())
        else:
            _run([_tool("ld.lld-22"), "-r", *objects, "-o", str(output)], f"link {output.name}")
    return output


def undefined_symbols(path: Path) -> set[str]:
    """The symbols an object, library or executable imports, as it names them (Mach-O: ``_malloc``).

    For an archive, those its members leave undefined and none defines.
    """
    def symbols(*options: str) -> set[str]:
        listing = _run([_tool(NM), *options, "--format=just-symbols", str(path)], f"list the symbols of {path.name}")
        # Archives head each member's list with "member.o:".
        return {line.strip() for line in listing.splitlines() if line.strip() and not line.strip().endswith(":")}

    return symbols("--undefined-only") - symbols("--defined-only")
