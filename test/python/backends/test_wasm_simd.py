"""The wasm_simd backend: wasm32 code with SIMD128, run by wasmtime, against the reference interpreter.

Skipped where clang-22/wasm-ld-22 or the wasmtime package are missing.
The ES-module loader has its own tests (``test_wasm_loader.py``).
"""

from __future__ import annotations

import inspect
import itertools
import json
import re
import shutil

import numpy as np
import pytest

wasmtime = pytest.importorskip("wasmtime", reason="the wasmtime package runs wasm_simd code (pip install wasmtime)")
if not (shutil.which("clang-22") and shutil.which("wasm-ld-22")):
    pytest.skip("clang-22 and wasm-ld-22 build wasm_simd code (scripts/setup installs them)", allow_module_level=True)

import fxn  # noqa: E402
from fxn.artifacts import build  # noqa: E402
from fxn.backends import resolve_target  # noqa: E402
from fxn.backends.base import Program, TargetError  # noqa: E402
from fxn.backends.wasm_simd.runner import WasmtimeRunner  # noqa: E402
from fxn.backends.wasm_simd.toolchain import avoid_half_vector_bugs  # noqa: E402
from fxn.compiler import llvm_ir  # noqa: E402
from fxn.frontend import fma  # noqa: E402
from fxn.testing.compare import assert_identical  # noqa: E402
from foreign_cases import CASES, assert_matches_interpreter, lower_cases  # noqa: E402

BACKEND, TARGET = resolve_target("wasm_simd")
_, RELAXED = resolve_target("wasm_simd:relaxed=true")
RUNNER = WasmtimeRunner()
RNG = np.random.default_rng(23)


def run(predictor, inputs, target=TARGET, runner=RUNNER):
    """``predictor`` lowered for ``target`` and run by ``runner`` on ``inputs``; its results."""
    lowered = predictor.lower(predictor.declared_types(), target)
    program = Program(llvm_ir(lowered.module), {lowered.entry: (lowered.arg_types, lowered.result_types)},
                      lowered.allocation_sites)
    return runner.run(program, lowered.entry, target, [np.asarray(a) for a in inputs])


def reference(predictor, inputs):
    stages: dict = {}
    predictor.lower(predictor.declared_types(), TARGET, stages, stop_after="optimized")
    results = fxn.interpret(stages["optimized"], *inputs, entry=predictor.__name__)
    return [np.asarray(r) for r in (results if isinstance(results, tuple) else (results,))]


# ----------------------------------------------------------------------------- the target


def test_target_declares_wasm32_with_simd128():
    assert (TARGET.triple, TARGET.cpu, TARGET.features) == ("wasm32-unknown-unknown", "generic", ("simd128",))
    assert (TARGET.vector_bits, TARGET.index_bits, TARGET.has_fma, TARGET.artifacts) == (128, 32, False, ("wasm",))
    assert RELAXED.features == ("simd128", "relaxed-simd") and RELAXED.has_fma
    assert RELAXED.spec == "wasm_simd:relaxed=true"
    assert BACKEND.allowed_imports(TARGET) == frozenset()


@pytest.mark.parametrize("spec, message", [
    ("wasm_simd:relaxed=yes", "option relaxed=yes is not one of true, false"),
    ("wasm_simd:cpu=bleeding-edge", "has no option 'cpu' (options: relaxed)"),
])
def test_options_it_does_not_take_are_errors(spec, message):
    with pytest.raises(TargetError, match=re.escape(message)):
        resolve_target(spec)


# ----------------------------------------------------------------------------- differential


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_matches_the_interpreter(case):
    [lowered] = lower_cases(TARGET, [case])
    results = RUNNER.run(lowered.program, lowered.entry, TARGET, [np.asarray(a) for a in case.inputs])
    assert_matches_interpreter(lowered, results)


@fxn.compile
def to_half(x: fxn.Tensor[fxn.f32, "N"]):
    return x.half()


@fxn.compile
def from_half(x: fxn.Tensor[fxn.f16, "N"]):
    return x.float()


def test_half_conversions_are_exact():
    """wasm has no f16: the conversions are runtime.c's (__truncsfhf2, __extendhfsf2), vectorized or not."""
    halves = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    [widened] = run(from_half, [halves])
    assert_identical(widened, halves.astype(np.float32))
    ties = (np.arange(-2048, 2048, dtype=np.float32) + 0.5) * np.float32(2.0 ** -10)  # halfway between halves
    edges = np.array([65504, 65519.99, 65520, 1e9, 2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0001, 2.0 ** -14,
                      2.0 ** -14 * (1 - 2.0 ** -11), 1e-30, np.inf, np.nan], np.float32)
    values = np.concatenate([ties, edges, -edges, RNG.standard_normal(997).astype(np.float32) * 1000,
                             (RNG.random(500) * 2.0 ** -14).astype(np.float32)])
    [narrowed] = run(to_half, [values])
    with np.errstate(over="ignore"):
        assert_identical(narrowed, values.astype(np.float16))


def test_half_vector_instructions_llc_fails_on_are_rewritten():
    text = ("  %5 = fcmp uno <8 x half> %3, zeroinitializer\n"
            "  %7 = fpext <4 x half> %6 to <4 x double>, !tbaa !2\n")
    assert avoid_half_vector_bugs(text).splitlines() == [
        "  %fxn.wide1 = fpext <8 x half> %3 to <8 x float>",
        "  %fxn.wide2 = fpext <8 x half> zeroinitializer to <8 x float>",
        "  %5 = fcmp uno <8 x float> %fxn.wide1, %fxn.wide2",
        "  %fxn.wide3 = fpext <4 x half> %6 to <4 x float>",
        "  %7 = fpext <4 x float> %fxn.wide3 to <4 x double>, !tbaa !2",
    ]


# ----------------------------------------------------------------------------- FMA


@fxn.compile
def fused32(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
    return fma(x, y, z)


@fxn.compile
def fused64(x: fxn.Tensor[fxn.f64, "N"], y: fxn.Tensor[fxn.f64, "N"], z: fxn.Tensor[fxn.f64, "N"]):
    return fma(x, y, z)


@fxn.compile(fast_math=True)
def contracted(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
    return x * y + z


def fma_operands(dtype, count: int, exponents: tuple[int, int]) -> list[np.ndarray]:
    """Random operands, a third with ``z = -x * y`` (the fused result is the product's rounding error), and specials."""
    x, y, z = ((RNG.standard_normal(count) * 2.0 ** RNG.integers(*exponents, count)).astype(dtype) for _ in range(3))
    z[::3] = -(x[::3] * y[::3])
    specials = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.5, np.finfo(dtype).tiny], dtype)
    triples = np.array(list(itertools.product(specials, repeat=3)), dtype)
    return [np.concatenate([a, triples[:, i]]) for i, a in enumerate((x, y, z))]


@pytest.mark.parametrize("predictor, dtype, exponents", [
    (fused32, np.float32, (-40, 40)),
    (fused32, np.float32, (-75, -60)),  # subnormal f32 results
    (fused64, np.float64, (-200, 200)),
], ids=["f32", "f32_subnormal", "f64"])
def test_fma_rounds_once_without_an_fma_instruction(predictor, dtype, exponents):
    with np.errstate(all="ignore"):
        inputs = fma_operands(dtype, 3000, exponents)
    [fused] = run(predictor, inputs)
    assert_identical(fused, reference(predictor, inputs)[0])
    if exponents[0] > -50:  # the products' rounding errors, which mul + add would lose (0 below f32's range)
        assert np.count_nonzero(fused[:3000:3]) > 900


def test_without_relaxed_simd_nothing_fuses():
    assembly = BACKEND.assemble(llvm_ir(contracted.lower(contracted.declared_types(), TARGET).module), TARGET)
    assert "f32x4.mul" in assembly and "f32x4.add" in assembly and "madd" not in assembly


def test_relaxed_simd_fuses_with_relaxed_madd_within_one_rounding():
    for predictor, instruction in ((fused32, "f32x4.relaxed_madd"), (fused64, "f64x2.relaxed_madd"),
                                   (contracted, "f32x4.relaxed_madd")):
        module = predictor.lower(predictor.declared_types(), RELAXED).module
        assert instruction in BACKEND.assemble(llvm_ir(module), RELAXED), predictor.__name__
    inputs = [RNG.standard_normal(1001).astype(np.float32) for _ in range(3)]
    [result] = run(fused32, inputs, RELAXED)
    exact = reference(fused32, inputs)[0]
    np.testing.assert_array_max_ulp(result, exact, maxulp=1)  # fused, or rounded twice: the engine's choice


# ----------------------------------------------------------------------------- allocation


@fxn.compile
def outer(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "M"]):
    return x.unsqueeze(1) * y.unsqueeze(0)


OUTER_PRODUCT_LINE = inspect.getsourcelines(outer.__wrapped__)[1] + 2  # the line of its product


def test_a_failed_allocation_is_a_memory_error():
    """memory.grow refused by the engine's limit: fxn's malloc returns NULL, the entry reports its status."""
    small = WasmtimeRunner(memory_limit=8 << 20)
    [fits] = run(outer, [np.ones(100, np.float32), np.ones(100, np.float32)], runner=small)
    assert fits.shape == (100, 100)
    with pytest.raises(MemoryError, match=r"outer\(\): could not allocate 15\.3 MiB \(16000064 bytes\) "
                                          rf"for fxn\.reshape/fxn\.mul at .*test_wasm_simd\.py:{OUTER_PRODUCT_LINE}:12"):
        run(outer, [np.ones(2000, np.float32), np.ones(2000, np.float32)], runner=small)


def test_a_size_past_32_bit_arithmetic_fails_to_allocate():
    """40000 * 40000 * 4 bytes overflow 32-bit indices: fxn-check-alloc-sizes asks for 2**30 bytes, malloc refuses."""
    big = np.ones(40000, np.float32)
    with pytest.raises(MemoryError, match=r"could not allocate 1\.0 GiB \(1073741888 bytes\)"):
        run(outer, [big, big])


def test_the_allocator_aligns_reuses_and_refuses():
    lowered = outer.lower(outer.declared_types(), TARGET)
    program = Program(llvm_ir(lowered.module), {lowered.entry: (lowered.arg_types, lowered.result_types)})
    store, instance = WasmtimeRunner(memory_limit=4 << 20).instantiate(program, TARGET)
    exports = instance.exports(store)
    malloc, free = exports["fxn_malloc"], exports["fxn_free"]
    blocks = [malloc(store, size) for size in (1, 48, 49, 1000, 65536, 300000)]
    assert all(b and b % 16 == 0 for b in blocks)
    ends = sorted((b, b + size) for b, size in zip(blocks, (1, 48, 49, 1000, 65536, 300000)))
    assert all(end <= start for (_, end), (start, _) in zip(ends, ends[1:]))  # no overlap
    free(store, blocks[3])
    assert malloc(store, 900) == blocks[3]  # the same size class comes back
    assert malloc(store, 1 << 30) == 0  # past what 32-bit size checks allow
    assert malloc(store, 8 << 20) == 0  # memory.grow refused
    assert malloc(store, 64) != 0  # and the allocator still works


# ----------------------------------------------------------------------------- artifacts


@fxn.compile
def blend(a: fxn.Tensor[fxn.f32, "N"], b: fxn.Tensor[fxn.f32, "N"], t: float):
    return a + (b - a) * t, (a * b).sum()


def built(directory):
    return build([("blend", blend), ("outer", outer)], "lib", directory, "test_wasm_simd.py", target=TARGET)


def test_the_module_imports_nothing_and_exports_its_entries(tmp_path):
    artifacts = built(tmp_path)
    assert [p.name for p in artifacts.files] == ["lib.wasm", "lib.mjs"]
    module = wasmtime.Module(wasmtime.Engine(), artifacts.library.read_bytes())
    assert module.imports == []
    assert sorted(e.name for e in module.exports) == ["fxn_blend", "fxn_free", "fxn_malloc", "fxn_outer", "memory"]
    manifest = json.loads(artifacts.manifest.read_text())
    assert manifest["imports"] == [] and manifest["target"]["index_bits"] == 32


def test_two_builds_are_byte_identical(tmp_path):
    first, second = built(tmp_path / "a"), built(tmp_path / "b")
    for one, other in zip(first.written(), second.written()):
        assert one.read_bytes() == other.read_bytes(), one.name


def test_inspect_shows_simd128_assembly(tmp_path):
    from click.testing import CliRunner

    from fxn.cli import cli

    source = tmp_path / "saxpy.py"
    source.write_text("import fxn\n\n@fxn.compile\ndef saxpy(a: float, x: fxn.Tensor[fxn.f32, 'N'], "
                      "y: fxn.Tensor[fxn.f32, 'N']):\n    return a * x + y\n")
    result = CliRunner().invoke(cli, ["inspect", str(source), "--target", "wasm_simd", "--stage", "asm"])
    assert result.exit_code == 0, result.output
    assert "f32x4.mul" in result.output and "f32x4.add" in result.output and "v128.load" in result.output
