"""The accelerate backend (arm64 macOS, cblas_sgemm): everything about it that can be checked on Linux.

Nothing of this target runs here, so the checks come in tiers:

- the target and its tables (no tool needed);
- the lowering: f32 ``fxn.matmul``/``fxn.linear``/``fxn.conv2d`` become
  ``cblas_sgemm`` calls, other element types keep the generic lowering;
- the artifacts (clang-22, llvm-link/objcopy/ar/nm 22): a Mach-O arm64
  object and a deterministic archive, whose imports are exactly the
  Accelerate functions the predictor uses plus the allocator, and whose
  only global definitions are the entry points; the object links into a
  dylib with ``ld64.lld-22`` against ``.tbd`` files written from the
  backend's table (and fails to without Accelerate's);
- the calls' arguments: the same lowering built for ``accelerate:os=linux``
  (aarch64 Linux) runs under qemu-aarch64 through :mod:`fxn.static_runner`,
  linked with the backend's ``cblas_standin.c``, a ``cblas_sgemm`` written from the BLAS
  documentation (row- and column-major, transposes, leading dims checked as
  the reference CBLAS checks them), against the reference interpreter and,
  for matmul, numpy. The stand-in itself is first checked on this machine
  against numpy.

**Not verified here**: Accelerate's own numerics (its blocking and
summation order; the tolerance is checked against the stand-in, not
against Accelerate), linking against the real framework (the ``.tbd``
files are written from the backend's own table, not taken from an SDK),
and running on a Mac.
"""

from __future__ import annotations

import ctypes
import glob
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import fxn
from fxn.artifacts import build
from fxn.backends import resolve_target
from fxn.backends.accelerate import DARWIN_MEMORY_IMPORTS, STANDIN_SOURCE, standin_runner
from fxn.backends.accelerate import backend as accelerate
from fxn.backends.accelerate.library import FUNCTIONS
from fxn.backends.base import ALLOCATION_IMPORTS, Program, TargetError
from fxn.compiler import entry_points, lower_to_llvm
from fxn.dialects import new_context
from fxn.dialects.nn import Conv2dActivationOp, Conv2dOp, LinearActivationOp, LinearOp, MatmulOp
from fxn.mlir import llvm
from fxn.source import parse_module
from fxn.testing import nn_cases
from fxn.testing.case import Case, module_text, normal_array
from fxn.testing.compare import assert_close
from fxn.toolchain import undefined_symbols

_, MACOS = resolve_target("accelerate")
_, LINUX = resolve_target("accelerate:os=linux")


def missing(*tools: str) -> str | None:
    """The first of ``tools`` (commands, or glob patterns of files) that is not here, or None."""
    for tool in tools:
        if not (glob.glob(tool) if "/" in tool else shutil.which(tool)):
            return tool
    return None


def requires(*tools: str):
    lacking = missing(*tools)
    return pytest.mark.skipif(lacking is not None, reason=f"{lacking} is not installed")


BUILD_TOOLS = ("clang-22", "llvm-link-22", "llvm-objcopy-22", "llvm-ar-22", "llvm-nm-22")
RUN_TOOLS = ("clang-22", "ld.lld-22", "qemu-aarch64", "/usr/aarch64-linux-gnu/lib/libc.a",
             "/usr/lib/gcc-cross/aarch64-linux-gnu/*/libgcc.a")

# ----------------------------------------------------------------------------- the stand-in

@pytest.fixture(scope="module")
def standin_source() -> Path:
    """The backend's C stand-in for cblas_sgemm (its os=linux runner links it)."""
    return STANDIN_SOURCE


@pytest.fixture(scope="module")
def host_standin(standin_source, tmp_path_factory) -> ctypes.CDLL:
    """The stand-in built for this machine, to check it against numpy."""
    library = tmp_path_factory.mktemp("standin") / "libcblas_standin.so"
    subprocess.run(["clang-22", "-O2", "-Wall", "-Werror", "-fPIC", "-shared", str(standin_source), "-o",
                    str(library)], check=True)
    sgemm = ctypes.CDLL(str(library)).cblas_sgemm
    i, f, p = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
    sgemm.argtypes = [i, i, i, i, i, i, f, p, i, p, i, f, p, i]
    sgemm.restype = None
    return sgemm


def _stored(matrix: np.ndarray, row_major: bool, ld: int) -> np.ndarray:
    """``matrix`` in a buffer with leading dim ``ld`` (the gap filled with NaN, which must never be read)."""
    rows, cols = matrix.shape if row_major else matrix.T.shape
    buffer = np.full((max(rows, 1), ld), np.nan, np.float32)
    buffer[:rows, :cols] = matrix if row_major else matrix.T
    return buffer


@requires("clang-22")
@pytest.mark.parametrize("row_major", [True, False], ids=["row_major", "column_major"])
@pytest.mark.parametrize("trans_a,trans_b", [(111, 111), (112, 111), (111, 112), (112, 112)])
def test_the_standin_computes_what_blas_documents(host_standin, row_major, trans_a, trans_b):
    rng = np.random.default_rng(4)
    m, n, k, alpha, beta = 3, 5, 4, 1.5, 0.5
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    c = rng.standard_normal((m, n)).astype(np.float32)
    stored_a = a.T if trans_a == 112 else a  # op(stored) is the matrix
    stored_b = b.T if trans_b == 112 else b
    lda, ldb, ldc = (s + 2 for s in ((stored_a.shape[1], stored_b.shape[1], n) if row_major
                                     else (stored_a.shape[0], stored_b.shape[0], m)))
    buffers = [_stored(stored_a, row_major, lda), _stored(stored_b, row_major, ldb), _stored(c, row_major, ldc)]
    order = 101 if row_major else 102
    host_standin(order, trans_a, trans_b, m, n, k, alpha, buffers[0].ctypes.data, lda, buffers[1].ctypes.data,
                 ldb, beta, buffers[2].ctypes.data, ldc)
    result = buffers[2][:m, :n] if row_major else buffers[2][:n, :m].T
    np.testing.assert_allclose(result, alpha * (a.astype(np.float64) @ b) + beta * c, rtol=1e-5, atol=1e-5)
    # beta = 0: C is written, never read (NaN in it does not propagate); K = 0 then gives zeros.
    for depth in (k, 0):
        out = np.full(ldc * max(m, n), np.nan, np.float32)
        host_standin(order, trans_a, trans_b, m, n, depth, 1.0, buffers[0].ctypes.data, lda, buffers[1].ctypes.data,
                     ldb, 0.0, out.ctypes.data, ldc)
        written = out.reshape(-1, ldc)[:m, :n] if row_major else out.reshape(-1, ldc)[:n, :m].T
        assert np.isfinite(written).all() and (depth or not written.any())


@requires("clang-22")
def test_the_standin_refuses_a_leading_dim_below_the_row_length(standin_source, tmp_path):
    main = tmp_path / "main.c"
    main.write_text("void cblas_sgemm(int, int, int, int, int, int, float, const float *, int, const float *, int,"
                    " float, float *, int);\nint main(void) { float a[6] = {0}, b[6] = {0}, c[4];\n"
                    "  cblas_sgemm(101, 111, 111, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2); return 0; }\n")
    subprocess.run(["clang-22", str(main), str(standin_source), "-o", str(tmp_path / "main")], check=True)
    done = subprocess.run([str(tmp_path / "main")], capture_output=True, text=True)
    assert done.returncode == 3 and "parameter 9 is illegal: lda too small (2)" in done.stderr


# ----------------------------------------------------------------------------- the target and its tables


def test_target_is_arm64_macos_and_os_linux_is_the_same_code_for_aarch64_linux():
    assert (MACOS.triple, MACOS.cpu, MACOS.features) == ("arm64-apple-macos13", "apple-m1", ("neon",))
    assert (MACOS.vector_bits, MACOS.index_bits, MACOS.has_fma) == (128, 64, True)
    assert MACOS.artifacts == ("object", "static_library") and MACOS.spec == "accelerate"
    assert LINUX.triple == "aarch64-unknown-linux-gnu" and LINUX.spec == "accelerate:os=linux"
    assert (LINUX.cpu, LINUX.vector_bits, LINUX.artifacts) == (MACOS.cpu, MACOS.vector_bits, MACOS.artifacts)
    with pytest.raises(TargetError, match="os=ios is not one of macos, linux"):
        resolve_target("accelerate:os=ios")
    assert accelerate.runner(MACOS) is None and accelerate.host_target() is None
    assert accelerate.conformance_targets() == [LINUX]


@requires(*RUN_TOOLS)
def test_os_linux_runs_under_qemu_with_the_standin_and_through_fxn_run(tmp_path):
    assert standin_runner(MACOS) is None and standin_runner(LINUX).link_flags[-1] == str(STANDIN_SOURCE)
    assert accelerate.runner(LINUX) is not None
    predictor = tmp_path / "p.py"
    predictor.write_text("import fxn\n\n\n@fxn.compile\n"
                         "def mm(a: fxn.Tensor[fxn.f32, 2, 3], b: fxn.Tensor[fxn.f32, 3, 2]):\n    return a @ b\n")
    result = subprocess.run([sys.executable, "-m", "fxn.cli", "run", str(predictor), "--target", "accelerate:os=linux",
                             "--json", "--arg", "a=[[1,2,3],[4,5,6]]", "--arg", "b=[[1,0],[0,1],[1,1]]"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[4.0, 5.0], [10.0, 11.0]]


def test_imports_allowed_are_the_allocator_and_exactly_the_declared_accelerate_functions():
    assert set(accelerate.lowerings) == {"fxn.matmul", "fxn.linear", "fxn.conv2d", "fxn.linear_activation",
                                         "fxn.conv2d_activation"}
    allowed = accelerate.allowed_imports(LINUX)
    assert allowed == ALLOCATION_IMPORTS | {"cblas_sgemm"} == ALLOCATION_IMPORTS | set(FUNCTIONS)
    assert accelerate.allowed_imports(MACOS) == allowed | {"bzero", "memset_pattern16"}
    sgemm = FUNCTIONS["cblas_sgemm"]
    assert sgemm.declaration.startswith("void cblas_sgemm(const enum CBLAS_ORDER Order, ")
    assert len(sgemm.parameters) == sgemm.declaration.count(",") + 1 == 14


# ----------------------------------------------------------------------------- the lowering


def _lowered_ir(cases: dict[str, Case], target) -> str:
    module = parse_module(module_text(cases), "cases.mlir", new_context())
    lower_to_llvm(module, target)
    return llvm.translate_module_to_llvmir(module.operation)


def test_f32_contractions_call_sgemm_and_other_element_types_keep_the_generic_lowering():
    rng = np.random.default_rng(1)
    calls = {}
    for dtype in ("f32", "f16", "i32"):
        cases = {f"mm_{dtype}": Case(MatmulOp, [normal_array(rng, (3, 4), dtype), normal_array(rng, (4, 5), dtype)])}
        if dtype != "i32":
            cases[f"lin_{dtype}"] = Case(LinearOp, [normal_array(rng, (3, 4), dtype), normal_array(rng, (2, 4), dtype),
                                                    None])
            cases[f"conv_{dtype}"] = Case(Conv2dOp, [normal_array(rng, (1, 2, 5, 5), dtype),
                                                     normal_array(rng, (3, 2, 3, 3), dtype), None])
            # With their activation (fxn-fuse-conv-bias-act makes these of a conv or linear and a relu).
            cases[f"lin_relu_{dtype}"] = Case(LinearActivationOp, [normal_array(rng, (3, 4), dtype),
                                                                   normal_array(rng, (2, 4), dtype), None],
                                              dict(activation="relu"))
            cases[f"conv_clamp_{dtype}"] = Case(Conv2dActivationOp, [normal_array(rng, (1, 2, 5, 5), dtype),
                                                                     normal_array(rng, (3, 2, 3, 3), dtype), None],
                                                dict(activation="clamp", min=0.0, max=6.0))
        calls[dtype] = _lowered_ir(cases, MACOS).count("call void @cblas_sgemm(i32 101, ")
    assert calls == {"f32": 5, "f16": 0, "i32": 0}


# ----------------------------------------------------------------------------- artifacts


@fxn.compile
def uses_matmul(a: fxn.Tensor[fxn.f32, "M", 16], b: fxn.Tensor[fxn.f32, 16, 12]):
    return a @ b


@fxn.compile
def uses_linear(x: fxn.Tensor[fxn.f32, 3, 8], w: fxn.Tensor[fxn.f32, 5, 8], b: fxn.Tensor[fxn.f32, 5]):
    return F.linear(x, w, b)


@fxn.compile
def uses_conv2d(x: fxn.Tensor[fxn.f32, 1, 4, 9, 8], w: fxn.Tensor[fxn.f32, 6, 2, 3, 3]):
    return F.conv2d(x, w, stride=2, padding=1, groups=2)


@fxn.compile
def uses_none(x: fxn.Tensor[fxn.f32, 64, 64], a: fxn.Tensor[fxn.i32, 32, 32]):
    # A fill of 1.5 and a zero fill (the i32 product's accumulator): Darwin's memset_pattern16 and bzero.
    return torch.softmax(F.pad(x, (3, 3, 3, 3), value=1.5), -1), a @ a


PREDICTORS = {"uses_matmul": uses_matmul, "uses_linear": uses_linear, "uses_conv2d": uses_conv2d,
              "uses_none": uses_none}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """One artifact per predictor and one of all of them, for macOS (fxn.artifacts.build checks the allow-list)."""
    root = tmp_path_factory.mktemp("accelerate")
    return {name: build([(name, fn)], name, root / name, "test_accelerate.py", target=MACOS)
            for name, fn in PREDICTORS.items()}


def _global_definitions(path: Path) -> set[str]:
    listing = subprocess.run(["llvm-nm-22", "-g", "--defined-only", "--format=just-symbols", str(path)],
                             capture_output=True, text=True, check=True).stdout
    return {line.strip() for line in listing.splitlines() if line.strip() and not line.endswith(":")}


@requires(*BUILD_TOOLS)
@pytest.mark.parametrize("name", PREDICTORS)
def test_objects_import_exactly_the_accelerate_functions_they_use_and_export_only_entries(artifacts, name):
    built = artifacts[name]
    obj, archive = built.files
    assert [obj.name, archive.name] == [f"{name}.o", f"lib{name}.a"]
    header = obj.read_bytes()[:8]
    assert header[:4] == b"\xcf\xfa\xed\xfe" and int.from_bytes(header[4:8], "little") == 0x0100000C  # arm64
    assert archive.read_bytes().startswith(b"!<arch>\n")
    for path in (obj, archive):
        imports = {symbol.removeprefix("_") for symbol in undefined_symbols(path)}
        assert imports & set(FUNCTIONS) == (set() if name == "uses_none" else {"cblas_sgemm"}), imports
        assert "malloc" in imports and imports <= accelerate.allowed_imports(MACOS), imports
        if name == "uses_none":  # why the macOS target allows these two (see DARWIN_MEMORY_IMPORTS)
            assert DARWIN_MEMORY_IMPORTS <= imports
        assert _global_definitions(path) == {f"_fxn_{name}"}


@requires(*BUILD_TOOLS)
def test_modules_make_one_object_the_same_every_build_and_assembly_calls_sgemm(tmp_path):
    lowered = uses_linear.lower(uses_linear.declared_types(), MACOS)
    module = llvm.translate_module_to_llvmir(lowered.module.operation)
    modules, exported = [module, module.replace("fxn_uses_linear", "fxn_other")], ["fxn_uses_linear", "fxn_other"]
    builds = []
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        builds.append(accelerate.build(modules, tmp_path / folder, "p", exported, MACOS))
    for one, other in zip(*builds):
        assert one.read_bytes() == other.read_bytes()
    assert _global_definitions(builds[0][0]) == {"_fxn_uses_linear", "_fxn_other"}
    assert "bl\t_cblas_sgemm" in accelerate.assemble(module, MACOS)


def _tbd(install_name: str, symbols) -> str:
    """A text stub (``.tbd`` v4) of an arm64 macOS library exporting ``symbols`` (C names)."""
    exported = ", ".join(f"_{symbol}" for symbol in sorted(symbols))
    return (f"--- !tapi-tbd\ntbd-version: 4\ntargets: [ arm64-macos ]\ninstall-name: '{install_name}'\n"
            f"exports:\n  - targets: [ arm64-macos ]\n    symbols: [ {exported} ]\n...\n")


@requires(*BUILD_TOOLS, "ld64.lld-22")
def test_objects_link_into_a_dylib_against_the_declared_functions_only(artifacts, tmp_path):
    accelerate_tbd = tmp_path / "Accelerate.tbd"
    accelerate_tbd.write_text(_tbd("/System/Library/Frameworks/Accelerate.framework/Versions/A/Accelerate", FUNCTIONS))
    system_tbd = tmp_path / "libSystem.tbd"
    system_tbd.write_text(_tbd("/usr/lib/libSystem.B.dylib", ALLOCATION_IMPORTS | DARWIN_MEMORY_IMPORTS))
    link = ["ld64.lld-22", "-arch", "arm64", "-platform_version", "macos", "13.0", "13.0", "-dylib"]
    objects = [str(artifacts[name].files[0]) for name in PREDICTORS]
    done = subprocess.run([*link, *objects, str(accelerate_tbd), str(system_tbd), "-o", str(tmp_path / "p.dylib")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _global_definitions(tmp_path / "p.dylib") == {f"_fxn_{name}" for name in PREDICTORS}
    without = subprocess.run([*link, *objects, str(system_tbd), "-o", str(tmp_path / "q.dylib")],
                             capture_output=True, text=True)
    assert without.returncode != 0 and "undefined symbol: _cblas_sgemm" in without.stderr


# ----------------------------------------------------------------------------- the calls' arguments, under qemu

#: Shapes the conformance cases leave out: rows folded with dynamic dims, a batched rhs with a 2-D lhs, empty
#: operands, a 1x1 kernel that needs columns (stride 2), no input channels (the bias alone).
def _extra_cases(rng) -> dict[str, Case]:
    f32 = lambda *shape: normal_array(rng, shape, "f32")  # noqa: E731
    return {
        "fold_dynamic": Case(MatmulOp, [f32(2, 3, 4), f32(4, 6)], dynamic=((0, 1), (1,))),
        "matrix_by_batch": Case(MatmulOp, [f32(3, 4), f32(2, 4, 5)], dynamic=((), (0,))),
        "broadcast_dynamic": Case(MatmulOp, [f32(2, 1, 3, 4), f32(5, 4, 2)], dynamic=((3,), (0, 1))),
        "empty_rows": Case(MatmulOp, [f32(0, 4), f32(4, 5)], dynamic=((0,), ())),
        "empty_columns": Case(MatmulOp, [f32(3, 4), f32(4, 0)]),
        "linear_empty_in": Case(LinearOp, [f32(3, 0), f32(2, 0), f32(2)]),
        "conv_1x1_strided": Case(Conv2dOp, [f32(1, 3, 5, 4), f32(2, 3, 1, 1), f32(2)], dict(stride=(2, 2))),
        "conv_no_channels": Case(Conv2dOp, [f32(1, 0, 4, 4), f32(2, 0, 3, 3), f32(2)]),
    }


def _cases() -> dict[str, Case]:
    rng = np.random.default_rng(9)
    conformance = {**nn_cases.matmul_cases(rng), **nn_cases.linear_cases(rng), **nn_cases.conv2d_cases(rng)}
    return {**{n: c for n, c in conformance.items() if n.endswith("_f32")}, **_extra_cases(rng)}


CASES = _cases()
#: A matmul of a strided slice (every other column): its operand must be copied into a dense buffer first.
SLICED = """
func.func @sliced(%a: tensor<3x9xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %s = tensor.extract_slice %a[0, 1] [3, 4] [1, 2] : tensor<3x9xf32> to tensor<3x4xf32>
  %r = "fxn.matmul"(%s, %b) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}
"""


def _program(text: str) -> Program:
    module = parse_module(text, "cases.mlir", new_context())
    signatures = entry_points(module)
    lower_to_llvm(module, LINUX)
    llvm_ir = llvm.translate_module_to_llvmir(module.operation)
    return Program(llvm_ir, {name: (s.args, s.results) for name, s in signatures.items()})


@pytest.fixture(scope="module")
def linux_executable():
    """Every case lowered for accelerate:os=linux, linked with the stand-in into one aarch64 static executable."""
    runner = standin_runner(LINUX)
    programs = [_program(module_text(CASES)), _program(SLICED)]
    assert all("call void @cblas_sgemm(" in p.llvm_ir for p in programs)
    assert all("memrefCopy" not in p.llvm_ir for p in programs)
    return runner.executable(programs, LINUX)


@requires(*RUN_TOOLS)
@pytest.mark.parametrize("name", CASES)
def test_sgemm_calls_compute_the_op_under_qemu(linux_executable, name):
    case = CASES[name]
    (actual,) = linux_executable.run(name, case.arrays)
    assert_close(actual, np.asarray(fxn.interpret(module_text({name: case}), *case.arrays, entry=name)), name)
    if case.op is MatmulOp:
        lhs, rhs = (a.astype(np.float64) for a in case.arrays)
        assert_close(actual, np.matmul(lhs, rhs).astype(np.float32), f"{name} against numpy")


@requires(*RUN_TOOLS)
def test_a_strided_operand_is_copied_into_a_dense_buffer(linux_executable):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3, 9)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
    (actual,) = linux_executable.run("sliced", [a, b])
    assert_close(actual, (a[:, 1::2].astype(np.float64) @ b).astype(np.float32), "sliced")


#: Dynamic-dim cases run again on other sizes than their arrays': each name -> the new arrays' shapes.
RESIZED = {
    "matmul_dynamic_f32": [(7, 2), (2, 3)],
    "matmul_dynamic_batch_f32": [(3, 6, 4), (3, 4, 1)],
    "fold_dynamic": [(1, 5, 4), (4, 2)],
    "broadcast_dynamic": [(2, 1, 3, 1), (3, 1, 2)],
    "linear_batch_f32": [(4, 1, 5), (4, 5), (4,)],
    "conv2d_dynamic_batch_f32": [(1, 2, 6, 5), (4, 2, 2, 2), (4,)],
}


@requires(*RUN_TOOLS)
@pytest.mark.parametrize("name", RESIZED)
def test_dynamic_sizes_reach_the_calls_at_run_time(linux_executable, name):
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(shape).astype(np.float32) for shape in RESIZED[name]]
    (actual,) = linux_executable.run(name, arrays)
    assert_close(actual, np.asarray(fxn.interpret(module_text({name: CASES[name]}), *arrays, entry=name)), name)
