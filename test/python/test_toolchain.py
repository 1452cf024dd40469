"""The x86 backend's clang-22 toolchain reads the LLVM IR the MLIR bindings print, every float literal included."""

import ctypes
import shutil
import subprocess

import pytest

from fxn.toolchain import ToolchainError, parsable_ir, shared_library, version
from fxn.dialects import new_context
from fxn.mlir import ir, llvm

#: (type, bits of a value of that type), for every type MLIR translates to a floating-point LLVM type: infinities,
#: quiet NaNs (with and without a payload, of either sign), signaling NaNs, and finite values that the printer
#: writes as exact bits (log2(e) and 1/3 in f32, 1 + ulp in f64, f80 and f128) or in decimal, exact in the type but
#: not always a double (1.5, -0, subnormals, f32 0.1, f16 1/3, bf16 1.00781).
SPECIALS = [
    ("f32", 0x7F800000), ("f32", 0xFF800000), ("f32", 0x7FC00000), ("f32", 0xFFC00000), ("f32", 0x7FC00001),
    ("f32", 0x7F800001), ("f64", 0x7FF0000000000000), ("f64", 0xFFF8000000000000), ("f64", 0x7FF8000000000005),
    ("f16", 0x7C00), ("f16", 0xFC00), ("f16", 0x7E00), ("f16", 0x7C01), ("f16", 0xFE01),
    ("f32", 0x3FB8AA3B), ("f32", 0x00000001), ("f32", 0xBF800000), ("f32", 0x3EAAAAAB), ("f32", 0x3DCCCCCD),
    ("f32", 0x80000000),
    ("f64", 0x3FF0000000000001), ("f64", 0x0000000000000001), ("f16", 0x3555), ("f16", 0x0001),
    ("bf16", 0x7F80), ("bf16", 0xFFC0), ("bf16", 0x7F81), ("bf16", 0x3F81), ("bf16", 0x0001), ("bf16", 0x3FC0),
    ("f80", 0x7FFF8000000000000000), ("f80", 0xFFFFC000000000000000), ("f80", 0x7FFFC000000000000001),
    ("f80", 0x3FFFC000000000000000), ("f80", 0x3FFF8000000000000001), ("f80", 0x00000000000000000001),
    ("f128", 0x7FFF0000000000000000000000000000), ("f128", 0xFFFF8000000000000000000000000000),
    ("f128", 0x7FFF0000000000000000000000000001), ("f128", 0x3FFF8000000000000000000000000000),
    ("f128", 0x3FFF0000000000000000000000000001),
]
#: Bytes an LLVM store of each type writes.
SIZE = {"f16": 2, "bf16": 2, "f32": 4, "f64": 8, "f80": 10, "f128": 16}


def special_constants_module() -> str:
    """LLVM IR of one function per special value, storing it through its pointer argument."""
    functions = []
    for index, (kind, bits) in enumerate(SPECIALS):
        functions.append(
            f"llvm.func @special{index}(%p: !llvm.ptr) {{\n"
            f"  %v = llvm.mlir.constant(0x{bits:X} : {kind}) : {kind}\n"
            f"  llvm.store %v, %p : {kind}, !llvm.ptr\n  llvm.return\n}}"
        )
    with new_context():
        module = ir.Module.parse("\n".join(functions))
        return llvm.translate_module_to_llvmir(module.operation)


#: (line the bindings' LLVM prints, the line clang-22 reads): every literal form, after its type or after an
#: instruction's, in vectors, splats, arrays and phis; strings, comments, names and legacy literals stay.
SPELLINGS = [
    ("store float -inf, ptr %0", "store float 0xFFF0000000000000, ptr %0"),
    ("store <2 x double> <double +qnan, double 1.000000e+00>, ptr %0",
     "store <2 x double> <double 0x7FF8000000000000, double 0x3FF0000000000000>, ptr %0"),
    ("store half +nan(0x1), ptr %0", "store half 0xH7E01, ptr %0"),
    ("store bfloat -snan(0x3), ptr %0", "store bfloat 0xRFF83, ptr %0"),
    ("%2 = fmul <8 x float> %1, splat (float f0x3FB8AA3B)", "%2 = fmul <8 x float> %1, splat (float 0x3FF7154760000000)"),
    ("%3 = fmul float %1, f0x3FB8AA3B", "%3 = fmul float %1, 0x3FF7154760000000"),
    ("%4 = fcmp olt half %1, +inf", "%4 = fcmp olt half %1, 0xH7C00"),
    ("%5 = fadd float %1, 1.401300e-45", "%5 = fadd float %1, 0x36A0000000000000"),
    ("%6 = phi double [ -1.500000e+00, %2 ], [ %x, %3 ]", "%6 = phi double [ 0xBFF8000000000000, %2 ], [ %x, %3 ]"),
    ("@g = constant [2 x x86_fp80] [x86_fp80 1.500000e+00, x86_fp80 +inf]",
     "@g = constant [2 x x86_fp80] [x86_fp80 0xK3FFFC000000000000000, x86_fp80 0xK7FFF8000000000000000]"),
    ("store fp128 f0x3FFF0000000000000000000000000001, ptr %0", "store fp128 0xL00000000000000013FFF000000000000, ptr %0"),
    ("store float -0.000000e+00, ptr %0", "store float 0x8000000000000000, ptr %0"),
    ("store double 0x3FF0000000000000, ptr %0 ; float 2.5 and +inf", "store double 0x3FF0000000000000, ptr %0 ; float 2.5 and +inf"),
    ('@"float 1.5" = global float 0x3FF8000000000000', '@"float 1.5" = global float 0x3FF8000000000000'),
    ("%x.1.5 = add i32 1, 2", "%x.1.5 = add i32 1, 2"),
    ('!0 = !{!"half -inf", double 2.500000e+00}', '!0 = !{!"half -inf", double 0x4004000000000000}'),
]


@pytest.mark.parametrize("printed, read", SPELLINGS)
def test_every_float_literal_is_spelled_as_clang_22_reads_it(printed, read):
    assert parsable_ir(f"{printed}\n") == f"{read}\n"


@pytest.mark.parametrize("text, message", [
    ("store i32 1.5, ptr %0", "line 1 of the LLVM IR: cannot rewrite the float literal '1.5' of no type for clang-22"),
    ("store float 1.0, ptr %0\n%2 = add i32 %1, +inf",
     "line 2 of the LLVM IR: cannot rewrite the float literal '+inf' of no type for clang-22"),
    ("store ppc_fp128 +inf, ptr %0", "line 1 of the LLVM IR: cannot rewrite the float literal '+inf' of ppc_fp128 for clang-22"),
    ("store double f0x3F800000, ptr %0", "line 1 of the LLVM IR: 'f0x3F800000' does not have the 64 bits of double"),
])
def test_a_literal_of_unknown_type_is_an_error(text, message):
    with pytest.raises(ToolchainError) as error:
        parsable_ir(text)
    assert str(error.value) == message


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the library")
def test_special_floats_survive_the_ahead_of_time_build(tmp_path):
    names = [f"special{i}" for i in range(len(SPECIALS))]
    flags = ["-O3"]  # clang's default target: this machine
    library = ctypes.CDLL(str(shared_library([special_constants_module()], tmp_path / "libspecial.so", names, flags)))
    for name, (kind, bits) in zip(names, SPECIALS):
        slot = ctypes.create_string_buffer(16)
        getattr(library, name)(slot)
        stored = int.from_bytes(slot.raw[: SIZE[kind]], "little")
        assert stored == bits, (kind, hex(bits), hex(stored))


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 reports its version")
def test_version_is_the_first_line_clang_22_reports():
    reported = subprocess.run(["clang-22", "--version"], capture_output=True, text=True, check=True).stdout
    assert version() == reported.splitlines()[0] and "clang version 22." in version()
