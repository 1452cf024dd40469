"""clang-22 and wasm-ld-22 for wasm32: LLVM IR and fxn's runtime in, a ``.wasm`` that imports nothing out.

``-nostdlib``: no libc, no compiler-rt (Debian's ``wasi-libc`` and
``libclang-rt-22-dev-wasm32`` are not needed); what compiled code calls
besides itself is ``runtime.c``, linked into every module (the allocator,
and the f16 conversions LLVM calls), and the memory intrinsics, which the
generic CPU's bulk-memory feature makes ``memory.copy``/``memory.fill``
instructions. wasm-ld refuses an undefined symbol, so a call of anything
else (a libm function) fails the build instead of becoming an import.
``--no-entry``: a library, no ``_start``; only the entries asked for are
exported, with the runtime's ``fxn_malloc``/``fxn_free`` and the linear
memory (``memory``).

Each module is optimized (``-O3 -emit-llvm``) and then compiled without
the optimizer running again, so that :func:`avoid_half_vector_bugs` can
rewrite, in between, two kinds of half-vector instructions that llc-22
mistranslates for wasm32 (which has no f16 type: halves are i16 bits and
calls of ``__extendhfsf2``/``__truncsfhf2``). The optimizer makes both out
of f32 code on extended halves, so no change to fxn's IR avoids them:

- ``fcmp`` of ``<N x half>`` loops forever in type legalization
  (llvm/llvm-project#189251, fixed for LLVM 23 by #191438): compared as
  ``<N x float>`` instead (extension is exact, the result is the same);
- ``fpext`` of a loaded ``<N x half>`` to ``<N x double>`` becomes invalid
  code (``i64.load16_u`` passed to ``__extendhfsf2``, which takes an i32;
  wasmtime: "type mismatch: expected i32, found i64"): extended through
  ``<N x float>`` instead (both steps exact).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

from fxn import toolchain
from fxn.backends.base import Target

#: The runtime linked into every module, compiled from source at build time.
RUNTIME_SOURCE = Path(__file__).with_name("runtime.c")
#: Bytes of the shadow stack (LLVM's stack for structs and spills), placed first in memory so that an
#: overflow traps (it would go below address 0) instead of running into data.
STACK_BYTES = 1 << 20
#: How long one clang run may take before it is taken for a compiler hang.
CLANG_SECONDS = 300

_VALUE = r"%[-\w.$]+"
#: ``%r = fcmp [flags] <pred> <N x half> <lhs>, <rhs>``: the lhs is a value (InstCombine puts constants on
#: the right), the rhs a value or constant, optionally followed by metadata.
_HALF_VECTOR_COMPARE = re.compile(
    rf"^(?P<indent>\s*)(?P<name>{_VALUE}) = fcmp (?P<flags>(?:[a-z]+ )*)(?P<predicate>[a-z]+) "
    rf"<(?P<lanes>\d+) x half> (?P<lhs>{_VALUE}), (?P<rhs>.+?)(?P<metadata>(?:, ![-\w.]+ ![-\w.]+)*)$",
    re.MULTILINE,
)
#: ``%r = fpext [flags] <N x half> <value> to <N x double>``, optionally followed by metadata.
_HALF_VECTOR_TO_DOUBLE = re.compile(
    rf"^(?P<indent>\s*)(?P<name>{_VALUE}) = fpext (?P<flags>(?:[a-z]+ )*)<(?P<lanes>\d+) x half> "
    rf"(?P<value>{_VALUE}) to <(?P=lanes) x double>(?P<metadata>(?:, ![-\w.]+ ![-\w.]+)*)$",
    re.MULTILINE,
)
#: What must not be left after the rewrite.
_MISTRANSLATED = re.compile(r"fcmp [^\n]*<\d+ x half>|fpext [^\n]*<\d+ x half> [^\n]* to <\d+ x double>")


def codegen_flags(target: Target) -> list[str]:
    """clang flags that generate optimized code for ``target``: ``-msimd128`` and each other feature."""
    return [f"--target={target.triple}", f"-mcpu={target.cpu}", *(f"-m{f}" for f in target.features), "-O3"]


def avoid_half_vector_bugs(llvm_ir: str) -> str:
    """``llvm_ir`` with half-vector compares and extensions to double done through float (see the module docstring)."""
    counter = 0

    def fresh() -> str:
        nonlocal counter
        counter += 1
        return f"%fxn.wide{counter}"

    def compare(match: re.Match) -> str:
        half, wide = f"<{match['lanes']} x half>", f"<{match['lanes']} x float>"
        lhs, rhs, indent = fresh(), fresh(), match["indent"]
        return (f"{indent}{lhs} = fpext {half} {match['lhs']} to {wide}\n"
                f"{indent}{rhs} = fpext {half} {match['rhs']} to {wide}\n"
                f"{indent}{match['name']} = fcmp {match['flags']}{match['predicate']} {wide} {lhs}, {rhs}"
                f"{match['metadata']}")

    def extend(match: re.Match) -> str:
        lanes, single, indent = match["lanes"], fresh(), match["indent"]
        return (f"{indent}{single} = fpext {match['flags']}<{lanes} x half> {match['value']} to <{lanes} x float>\n"
                f"{indent}{match['name']} = fpext {match['flags']}<{lanes} x float> {single} to <{lanes} x double>"
                f"{match['metadata']}")

    rewritten = _HALF_VECTOR_TO_DOUBLE.sub(extend, _HALF_VECTOR_COMPARE.sub(compare, llvm_ir))
    if left := _MISTRANSLATED.search(rewritten):
        raise toolchain.ToolchainError(f"llc-22 would mistranslate '{left.group()}' for wasm32")
    return rewritten


def _clang(arguments: list, what: str, cwd: str) -> None:
    """Run clang-22 with ``arguments``; ToolchainError if it fails or hangs (then its whole process group dies).

    clang's driver runs the compiler (``clang -cc1``) as a child process,
    which killing the driver alone would leave running.
    """
    command = [toolchain.CLANG, *map(str, arguments)]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                                   start_new_session=True)
    except FileNotFoundError:
        raise toolchain.ToolchainError(f"{toolchain.CLANG} is not installed (scripts/setup installs clang-22, "
                                       "lld-22 and llvm-22)") from None
    with process:
        try:
            _, errors = process.communicate(timeout=CLANG_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise toolchain.ToolchainError(f"{toolchain.CLANG} did not {what} within {CLANG_SECONDS} s") from None
    if process.returncode != 0:
        raise toolchain.ToolchainError(f"{toolchain.CLANG} failed to {what}: {errors.strip()[:2000]}")


def _optimized(llvm_ir: str, scratch: Path, stem: str, target: Target) -> Path:
    """``llvm_ir`` optimized for ``target`` (clang's middle end), half-vector instructions llc-22 fails on rewritten."""
    source, optimized = scratch / f"{stem}.ll", scratch / f"{stem}.opt.ll"
    source.write_text(toolchain.parsable_ir(llvm_ir))
    _clang([*codegen_flags(target), "-S", "-emit-llvm", "-x", "ir", source, "-o", optimized], "optimize", scratch)
    optimized.write_text(avoid_half_vector_bugs(optimized.read_text()))
    return optimized


#: Code generation only: the optimizer already ran (:func:`_optimized`) and would undo the rewrite.
_CODEGEN_ONLY = ["-x", "ir", "-Xclang", "-disable-llvm-optzns"]


def assemble(llvm_ir: str, target: Target) -> str:
    """The wasm text (clang's ``.s`` for wasm32) of an LLVM IR module."""
    with tempfile.TemporaryDirectory(prefix="fxn-wasm-") as scratch:
        optimized = _optimized(llvm_ir, Path(scratch), "module", target)
        _clang([*codegen_flags(target), *_CODEGEN_ONLY, "-S", optimized, "-o", "module.s"], "generate assembly",
               scratch)
        return (Path(scratch) / "module.s").read_text()


def link_module(llvm_ir_modules: list[str], output: Path, exported: list[str], target: Target) -> Path:
    """Compile LLVM IR modules and the runtime into the module ``output`` exporting ``exported`` and the runtime's."""
    with tempfile.TemporaryDirectory(prefix="fxn-wasm-") as scratch:
        objects = []
        for index, module in enumerate(llvm_ir_modules):
            optimized = _optimized(module, Path(scratch), f"module{index}", target)
            objects.append(f"module{index}.o")
            _clang([*codegen_flags(target), *_CODEGEN_ONLY, "-c", optimized, "-o", objects[-1]], "compile", scratch)
        _clang([*codegen_flags(target), "-nostdlib", "-ffreestanding", "-Wl,--no-entry", "-Wl,--stack-first",
                f"-Wl,-z,stack-size={STACK_BYTES}", "-Wl,--strip-debug",
                *(f"-Wl,--export={symbol}" for symbol in exported), *objects, RUNTIME_SOURCE,
                "-o", output.resolve()], f"link {output.name}", scratch)
    return output
