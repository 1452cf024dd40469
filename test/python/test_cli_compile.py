"""`fxn compile`, `fxn inspect` and `fxn run` on predictor files: artifacts that load and link, every stage, located errors."""

import ctypes
import ctypes.util
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from click.testing import CliRunner

import fxn
from fxn.backends import host_target
from fxn.runtime import Status, descriptor_type

FXN = str(Path(sys.executable).parent / "fxn")
ROOT = Path(__file__).resolve().parents[2]
FMA = str(ROOT / "examples" / "fma.py")

requires_clang = pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")


def fxn_command(*args, cwd=None):
    """The installed ``fxn`` command, as a user runs it."""
    return subprocess.run([FXN, *args], capture_output=True, text=True, cwd=cwd)


def fxn_in_process(*args):
    """``fxn`` run in this process (faster: torch and MLIR are loaded once)."""
    from fxn.cli import cli

    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """examples/fma.py compiled once for the tests of this module."""
    output = tmp_path_factory.mktemp("build")
    result = fxn_command("compile", FMA, "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wrote", str(output / "libfma.so"), "wrote", str(output / "fma.h"),
                                     "wrote", str(output / "fma.json")]
    return output


# ----------------------------------------------------------------------------- fxn compile


@requires_clang
def test_manifest_records_predictors_target_and_symbols(built):
    manifest = json.loads((built / "fma.json").read_text())
    assert manifest["fxn_version"] == fxn.__version__
    assert (manifest["library"], manifest["header"], manifest["source"]) == ("libfma.so", "fma.h", "fma.py")
    target = manifest["target"]
    host = host_target()[1]
    assert (target["backend"], target["triple"], target["index_bits"]) == (host.backend, host.triple, 64)
    assert target["cpu"] == host.cpu and target["features"] == list(host.features)
    scalar, arrays, fused = manifest["predictors"]
    assert fused["symbols"] == {"memref": "fxn_fma_fused"}
    assert (scalar["name"], scalar["tag"]) == ("fma", "@fxn/fma")
    assert scalar["description"] == "Fused multiply-add of three scalars: x * y + z."
    assert scalar["symbols"] == {"memref": "fxn_fma", "value": "fxn_fma__value"}
    assert scalar["signature"]["parameters"][0] == {
        "name": "x", "path": "x", "type": "tensor<f32>", "dtype": "f32", "shape": [], "python_scalar": True,
        "string": False}
    assert scalar["signature"]["results"] == [
        {"path": "result", "type": "tensor<f32>", "dtype": "f32", "shape": [], "python_scalar": True, "string": False}]
    assert scalar["signature"]["structure"] == {
        "parameters": [{"name": name, "kind": "leaf", "index": i} for i, name in enumerate("xyz")],
        "result": {"kind": "leaf", "index": 0}}
    assert arrays["symbols"] == {"memref": "fxn_fma_arrays"}
    assert arrays["allocation_sites"] and all("fma.py:" in site for site in arrays["allocation_sites"])
    assert [p["shape"] for p in arrays["signature"]["parameters"]] == [["N"]] * 3
    assert arrays["signature"]["results"][0]["shape"] == [None]


@requires_clang
def test_library_loads_with_ctypes_and_exports_only_entry_points(built):
    library = ctypes.CDLL(str(built / "libfma.so"))
    value_entry = library.fxn_fma__value
    value_entry.argtypes, value_entry.restype = [ctypes.c_float] * 3, ctypes.c_float
    assert value_entry(3.0, -1.0, 2.0) == -1.0
    assert not hasattr(library, "fma")  # the internal function would shadow libm's fma: hidden

    Memref1d = descriptor_type(1)
    x, y, z = (np.arange(5, dtype=np.float32) * k for k in (1, 2, 3))
    arguments = [Memref1d(a.ctypes.data, a.ctypes.data, 0, (5,), (1,)) for a in (x, y, z)]
    result, status = Memref1d(), Status()
    library.fxn_fma_arrays(*[ctypes.byref(d) for d in (result, *arguments, status)])
    assert status.site == 0
    values = np.ctypeslib.as_array(ctypes.cast(result.aligned, ctypes.POINTER(ctypes.c_float)), (5,)).copy()
    ctypes.CDLL(ctypes.util.find_library("c")).free(ctypes.c_void_p(result.allocated))
    np.testing.assert_array_equal(values, x * y + z)
    assert tuple(result.sizes) == (5,) and tuple(result.strides) == (1,)


C_DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "fma.h"

int main(void) {
    printf("fxn_fma__value: %g\n", fxn_fma__value(3.0f, -1.0f, 2.0f));

    float x = 3.0f, y = -1.0f, z = 2.0f;
    fxn_memref_0d_f32 mx = {&x, &x, 0}, my = {&y, &y, 0}, mz = {&z, &z, 0}, scalar;
    fxn_status status;
    fxn_fma(&scalar, &mx, &my, &mz, &status);
    if (status.site) return 1;
    printf("fxn_fma: %g\n", scalar.aligned[scalar.offset]);
    free(scalar.allocated);

    float xs[4] = {1, 2, 3, 4}, ys[4] = {2, 2, 2, 2}, zs[4] = {0.5f, 0.5f, 0.5f, 0.5f};
    fxn_memref_1d_f32 a = {xs, xs, 0, {4}, {1}}, b = {ys, ys, 0, {4}, {1}}, c = {zs, zs, 0, {4}, {1}}, r;
    fxn_fma_arrays(&r, &a, &b, &c, &status);
    if (status.site) return 1;
    printf("fxn_fma_arrays:");
    for (int64_t i = 0; i < r.sizes[0]; i++) printf(" %g", r.aligned[r.offset + i * r.strides[0]]);
    printf("\n");
    free(r.allocated);
    return 0;
}
"""


@requires_clang
def test_c_driver_compiles_against_the_header_and_links_the_library(built, tmp_path):
    driver = tmp_path / "driver.c"
    driver.write_text(C_DRIVER)
    build = subprocess.run(
        ["clang-22", "-std=c11", "-Wall", "-Werror", "-I", str(built), str(driver), "-L", str(built), "-lfma",
         f"-Wl,-rpath,{built}", "-o", str(tmp_path / "driver")],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(tmp_path / "driver")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "fxn_fma__value: -1",
        "fxn_fma: -1",
        "fxn_fma_arrays: 2.5 4.5 6.5 8.5",
    ]


@requires_clang
def test_header_documents_the_abi_and_declares_each_entry(built):
    header = (built / "fma.h").read_text()
    assert "free(fxn_result.allocated)" in header and "Value entry" in header
    assert "float fxn_fma__value(float x, float y, float z);" in header
    assert ("void fxn_fma_arrays(fxn_memref_1d_f32 *fxn_result, const fxn_memref_1d_f32 *x, "
            "const fxn_memref_1d_f32 *y, const fxn_memref_1d_f32 *z, fxn_status *fxn_status);") in header
    assert "@fxn/fma-arrays" in header and "fma_arrays(x: tensor<?xf32> [N], y: tensor<?xf32> [N]" in header


# ----------------------------------------------------------------------------- fxn inspect and fxn run

STAGE_MARKERS = {
    "traced": ["# captured by numbers", "mul = aten.mul.Tensor(x, y)  # ", "add = aten.add.Tensor(mul, z)", "return add"],
    "fxn": ['"fxn.mul"', '"fxn.add"'],
    "optimized": ["func.func @fma("],
    "lowered": ["linalg.generic", "func.func @fma__value("],
    "llvm": ["define float @fxn_fma__value(float", "define void @fxn_fma(ptr"],
    "asm": ["fxn_fma:", "\tv"],  # VEX-encoded (AVX) instructions: code for the host CPU
}


def test_inspect_prints_every_stage():
    result = fxn_in_process("inspect", FMA, "--predictor", "fma")
    assert result.exit_code == 0, result.output
    sections = result.stdout.split("// ----- fma: ")
    assert [s.split(" -----")[0] for s in sections[1:]] == ["traced", "fxn", "optimized", "lowered", "llvm", "asm"]
    texts = {s.split(" -----\n")[0]: s.split(" -----\n", 1)[1] for s in sections[1:]}
    for stage, markers in STAGE_MARKERS.items():
        for marker in markers:
            assert marker in texts[stage], f"{marker!r} missing from stage {stage}"
    assert "linalg" not in texts["optimized"] and "fxn." not in texts["lowered"]


def test_inspect_one_stage_prints_it_alone():
    result = fxn_in_process("inspect", FMA, "--predictor", "fma_arrays", "--stage", "llvm")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("; ModuleID") and "define void @fxn_fma_arrays(" in result.stdout


def test_run_calls_the_predictor_on_this_machine():
    scalar = fxn_command("run", FMA, "--predictor", "fma", "--arg", "x=3", "--arg", "y=-1", "--arg", "z=2")
    assert scalar.returncode == 0, scalar.stderr
    assert scalar.stdout == "result #0: -1.0\n"
    arrays = fxn_in_process("run", FMA, "--predictor", "fma_arrays",
                            "--arg", "x=[1, 2, 3]", "--arg", "y=[2, 2, 2]", "--arg", "z=[0.5, 0.5, 0.5]")
    assert arrays.exit_code == 0, arrays.output
    assert arrays.stdout == "result #0: [2.5 4.5 6.5]  (float32, shape (3,))\n"


# ----------------------------------------------------------------------------- examples/


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fma_example_matches_python_and_numpy():
    example = load_example("fma")
    assert example.fma(3.0, -1.0, 2.0) == -1.0
    x, y, z = (np.random.default_rng(seed).random(1000, np.float32) for seed in range(3))
    np.testing.assert_allclose(example.fma_arrays(x, y, z), x * y + z, rtol=1e-6)


def test_loop_example_runs_the_loop_a_runtime_number_of_times():
    example = load_example("fma_loop")
    assert example.fma_loop(3.0, -1.0, 2.0, 1000) == -1.0
    assert example.fma_loop(3.0, -1.0, 2.0, 0) == 0.0
    expected = np.float32(1.0)
    for _ in range(25):  # the chain in f32, as fxn computes it
        expected = np.float32(expected * np.float32(0.5) + np.float32(1.0))
    assert example.fma_chain(0.5, 1.0, 1.0, 25) == pytest.approx(float(expected), rel=1e-6)
    assert example.fma_chain(0.5, 1.0, 1.0, 0) == 1.0


def test_preprocess_example_matches_torch():
    example = load_example("preprocess")
    image = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    result = example.preprocess(image)
    assert result.shape == (3, 224, 224) and result.dtype == np.float32
    # torch in f64: its f32 computes source coordinates in f32, off by up to ~2e-4 here.
    chw = torch.from_numpy(image).permute(2, 0, 1).double() / 255.0
    resized = F.interpolate(chw.unsqueeze(0), size=example.SIZE, mode="bilinear", align_corners=False)[0]
    expected = ((resized - example.MEAN.double()) / example.STD.double()).numpy()
    np.testing.assert_allclose(result, expected, rtol=0, atol=2e-6)


# ----------------------------------------------------------------------------- errors

def definition_lines() -> dict[str, int]:
    """Where the examples define each predictor (the line of its decorator, as Python counts it)."""
    lines = {}
    for example in ("fma", "preprocess"):
        text = (ROOT / "examples" / f"{example}.py").read_text().splitlines()
        lines.update({text[i + 1][4:].split("(")[0]: i + 1 for i, line in enumerate(text)
                      if line.startswith("@fxn.compile") and text[i + 1].startswith("def ")})
    return lines


BAD_PREDICTORS = {
    "unannotated.py": "import fxn\n\n@fxn.compile\ndef scale(x: float, factor):\n    return x * factor\n",
    "broken.py": "import fxn\n\nSCALE = 1 / 0\n",
    "syntax.py": "import fxn\n\ndef f(x:\n",
    "empty.py": "import fxn\n\ndef f(x: float) -> float:\n    return x\n",
    "specializing.py": "import fxn, torch\n\n@fxn.compile\ndef double(image: torch.Tensor):\n    return image * 2\n",
    "pixels.py": "import fxn\n\n@fxn.compile\ndef brighter(x: fxn.Tensor[fxn.u8, 'N']):\n    return x + 1\n",
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, text in BAD_PREDICTORS.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    "args, message",
    [
        (["compile", "unannotated.py"], "fxn: error: {bad}/unannotated.py:3: parameter 'factor' of scale has no "
                                        "type annotation; ahead-of-time compilation needs a declared type "
                                        "(float, int, bool or fxn.Tensor[dtype, dims...])"),
        (["inspect", "specializing.py"],
         "fxn: error: {bad}/specializing.py:3: parameter 'image' of double is annotated "
         "torch.Tensor, which specializes on each call; ahead-of-time compilation needs a declared type"),
        (["run", "broken.py"], "fxn: error: {bad}/broken.py:3: ZeroDivisionError: division by zero"),
        (["inspect", "syntax.py"], "fxn: error: {bad}/syntax.py:3:"),
        (["run", "pixels.py", "--arg", "x=[1, 300]"], "fxn: error: --arg x: [1, 300] does not fit tensor<?xui8>"),
        (["run", "pixels.py", "--arg", "x=[1.5, 2]"], "fxn: error: --arg x: [1.5, 2] does not fit tensor<?xui8>"),
        (["compile", "empty.py"], "fxn: error: {bad}/empty.py: no module-level @fxn.compile predictors"),
        (["compile", "missing.py"], "fxn: error: could not open 'missing.py': no such file"),
        (["inspect", FMA, "--stage", "bytecode"],
         "fxn: error: --stage 'bytecode' is not one of traced, fxn, optimized, lowered, llvm, asm"),
        (["inspect", FMA, "--predictor", "nope"], f"fxn: error: {FMA}: no predictor 'nope' (predictors: fma, fma_arrays, fma_fused)"),
        (["run", FMA, "--predictor", "fma", "--arg", "x=1", "--arg", "y=2"],
         f"fxn: error: {FMA}:{{fma}}: fma needs --arg for parameter 'z'"),
        (["run", FMA, "--predictor", "fma", "--arg", "x=1", "--arg", "y=2", "--arg", "w=3"],
         f"fxn: error: {FMA}:{{fma}}: fma has no parameter 'w' (parameters: x, y, z)"),
        (["run", FMA, "--predictor", "fma_arrays", "--arg", "x=[1, 2]", "--arg", "y=[1, 2]", "--arg", "z=[1]"],
         f"fxn: error: {FMA}:{{fma_arrays}}: parameter 'z' expects tensor<?xf32> with dim 0 'N' = 2 (from parameter 'x'); "
         "got tensor<1xf32>"),
        (["run", FMA], f"fxn: error: {FMA} has several predictors (fma, fma_arrays, fma_fused); choose one with --predictor"),
    ],
)
def test_errors_are_one_located_line_without_traceback(bad, args, message):
    result = fxn_command(*args, cwd=bad)
    assert result.returncode == 1
    assert result.stderr.startswith(message.format(bad=bad, **definition_lines())), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


@requires_clang
def test_header_and_manifest_state_what_the_code_assumes_of_dynamic_dims(tmp_path):
    source = tmp_path / "pairs.py"
    source.write_text(
        "import fxn\n\n@fxn.compile\n"
        "def add(x: fxn.Tensor[fxn.f32, 'N'], y: fxn.Tensor[fxn.f32, 'M']):\n"
        "    return x + y\n"
    )
    result = fxn_in_process("compile", str(source), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    requirement = f"x.shape[0] == y.shape[0] (fxn.add at {source}:5:12)"
    assert f" * requires {requirement}\n" in (tmp_path / "pairs.h").read_text()
    (predictor,) = json.loads((tmp_path / "pairs.json").read_text())["predictors"]
    assert predictor["requires"] == [requirement]


def test_inspect_prints_user_locations_on_request():
    result = fxn_in_process("inspect", FMA, "--predictor", "fma", "--stage", "fxn", "--mlir-print-debuginfo")
    assert result.exit_code == 0, result.output
    line = definition_lines()["fma"] + 2  # the body under the decorator and def: return x * y + z
    assert f'loc("{FMA}":{line}:12)' in result.output
    assert "loc(" not in fxn_in_process("inspect", FMA, "--predictor", "fma", "--stage", "fxn").output
