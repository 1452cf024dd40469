"""The x86 backend's clang-22 toolchain reads the LLVM IR the MLIR bindings print, every float literal included."""

import ctypes
import shutil

import pytest

from fxn.backends import find_backend
from fxn.backends.avx.toolchain import parsable_ir, shared_library
from fxn.dialects import new_context
from fxn.mlir import ir, llvm

#: (type, bits of a value of that type): infinities, quiet NaNs, a NaN payload, a signaling NaN, and finite
#: values that the printer writes as exact bits (log2(e) in f32, a subnormal) or in decimal.
SPECIALS = [
    ("f32", 0x7F800000), ("f32", 0xFF800000), ("f32", 0x7FC00000), ("f32", 0xFFC00000), ("f32", 0x7FC00001),
    ("f32", 0x7F800001), ("f64", 0x7FF0000000000000), ("f64", 0xFFF8000000000000), ("f64", 0x7FF8000000000005),
    ("f16", 0x7C00), ("f16", 0xFC00), ("f16", 0x7E00),
    ("f32", 0x3FB8AA3B), ("f32", 0x00000001), ("f32", 0xBF800000), ("f64", 0x3FF0000000000001), ("f16", 0x3555),
]
WIDTH = {"f16": 16, "f32": 32, "f64": 64}


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


def test_special_floats_are_spelled_as_hex_literals():
    text = ("store float -inf, ptr %0\nstore <2 x double> <double +qnan, double 1.0>\nstore half +nan(0x1)\n"
            "fmul <8 x float> %x, splat (float f0x3FB8AA3B)\n")
    assert parsable_ir(text) == (
        "store float 0xFFF0000000000000, ptr %0\n"
        "store <2 x double> <double 0x7FF8000000000000, double 1.0>\n"
        "store half 0xH7E01\n"
        "fmul <8 x float> %x, splat (float 0x3FF7154760000000)\n"
    )


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the library")
def test_special_floats_survive_the_ahead_of_time_build(tmp_path):
    target = find_backend("avx").host_target()
    names = [f"special{i}" for i in range(len(SPECIALS))]
    library = ctypes.CDLL(str(shared_library([special_constants_module()], tmp_path / "libspecial.so", names, target)))
    for name, (kind, bits) in zip(names, SPECIALS):
        slot = ctypes.create_string_buffer(8)
        getattr(library, name)(slot)
        stored = int.from_bytes(slot.raw[: WIDTH[kind] // 8], "little")
        assert stored == bits, (kind, hex(bits), hex(stored))
