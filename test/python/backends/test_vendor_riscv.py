"""The out-of-tree vendor backend of examples/vendor_backend (``riscv_rvv``): found, built and run like fxn's own.

It is installed into the venv by scripts/setup (``pip install -e
examples/vendor_backend``); these tests skip where it is not, and where
qemu-riscv64 or the riscv64 cross C library is missing for running code.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest
from click.testing import CliRunner

import foreign_cases
from fxn.artifacts import build, check_imports
from fxn.backends import resolve_target
from fxn.backends.base import ALLOCATION_IMPORTS, TargetError

vendor = pytest.importorskip("fxn_riscv_rvv", reason="the vendor example is not installed (scripts/setup installs it)")

ROOT = Path(__file__).resolve().parents[3]
FMA = ROOT / "examples" / "fma.py"
FXN = str(Path(sys.executable).parent / "fxn")
BACKEND, RVV = resolve_target("riscv_rvv")
WHY_NOT = vendor.static_runner(RVV).unavailable()
requires_qemu = pytest.mark.skipif(WHY_NOT is not None, reason=f"cannot run riscv64 code here: {WHY_NOT}")
requires_clang = pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 compiles for riscv64")


def fxn_in_process(*args):
    from fxn.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_backend_comes_from_its_own_distribution_through_the_entry_point():
    (point,) = [p for p in distribution("fxn-riscv-rvv").entry_points if p.group == "fxn.backends"]
    assert (point.name, point.value) == ("riscv_rvv", "fxn_riscv_rvv:backend")
    assert BACKEND is vendor.backend
    assert Path(vendor.__file__).resolve().is_relative_to(ROOT / "examples" / "vendor_backend")


def imported_modules(path: Path) -> set[str]:
    """The modules a Python file imports (``import m``, ``from m import x``)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_the_vendor_uses_the_public_api_only_and_the_core_never_imports_it():
    fxn_modules = {name for name in imported_modules(Path(vendor.__file__)) if name.startswith("fxn")}
    assert fxn_modules == {"fxn", "fxn.backends.base", "fxn.static_runner"}
    for folder in ("fxn", "backends", "passes", "dialects", "frontend"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not any(name.startswith("fxn_riscv_rvv") for name in imported_modules(path)), path


def test_vlen_chooses_the_vector_width_and_the_assumed_register_length():
    assert (RVV.triple, RVV.vector_bits, RVV.features) == ("riscv64-unknown-linux-gnu", 128,
                                                            ("v", "zfhmin", "zvl128b"))
    _, wide = resolve_target("riscv_rvv:vlen=256")
    assert (wide.vector_bits, wide.spec) == (256, "riscv_rvv:vlen=256")
    assert "-march=rv64gcv_zfhmin_zvl256b" in vendor.codegen_flags(wide)
    assert "vlen=256" in " ".join(vendor.static_runner(wide).emulator)
    with pytest.raises(TargetError, match="option vlen=64 is not one of 128, 256, 512, 1024"):
        resolve_target("riscv_rvv:vlen=64")


@pytest.fixture(scope="module")
def rvv_cases():
    lowered = foreign_cases.lower_cases(RVV)
    if WHY_NOT is not None:
        return lowered, None
    return lowered, BACKEND.runner(RVV).executable(foreign_cases.distinct_programs(lowered), RVV)


@requires_qemu
@pytest.mark.parametrize("index", range(len(foreign_cases.CASES)),
                         ids=[case.name for case in foreign_cases.CASES])
def test_rvv_code_under_qemu_matches_the_reference_interpreter(rvv_cases, index):
    lowered, executable = rvv_cases
    case = lowered[index]
    foreign_cases.assert_matches_interpreter(case, executable.run(case.entry, case.case.inputs))


@requires_qemu
def test_code_for_256_bit_registers_runs_too():
    _, wide = resolve_target("riscv_rvv:vlen=256")
    cases = [case for case in foreign_cases.CASES if case.name in ("f32_dynamic", "f16", "matmul", "softmax")]
    lowered = foreign_cases.lower_cases(wide, cases)
    executable = BACKEND.runner(wide).executable(foreign_cases.distinct_programs(lowered), wide)
    for case in lowered:
        foreign_cases.assert_matches_interpreter(case, executable.run(case.entry, case.case.inputs))


@requires_qemu
def test_a_failed_allocation_under_qemu_is_a_memory_error(rvv_cases):
    _, executable = rvv_cases
    with pytest.raises(MemoryError, match=r"column_sums\(\): could not allocate 4\.0 TiB"):
        executable.run("column_sums", [foreign_cases.floats((0, 2**40))])


@requires_clang
@pytest.mark.parametrize("vlen, lanes", [("128", 4), ("256", 8)])
def test_fxn_inspect_shows_rvv_vector_code(vlen, lanes):
    assembly = fxn_in_process("inspect", FMA, "--target", f"riscv_rvv:vlen={vlen}", "--predictor", "fma_arrays",
                              "--stage", "asm")
    instructions = set(re.findall(r"^\s+(v[\w.]+)\s", assembly, re.MULTILINE))
    assert {"vle32.v", "vfmul.vv", "vfadd.vv", "vse32.v"} <= instructions
    assert re.search(rf"vsetivli\s+\w+, {lanes}, e32, m1", assembly)


@requires_qemu
def test_fxn_compile_writes_one_folder_per_target_and_fxn_run_runs_rvv(tmp_path):
    command = [FXN, "compile", str(FMA), "--target", "neon", "--target", "riscv_rvv", "-o", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    written = [line.removeprefix("wrote ") for line in result.stdout.splitlines()]
    assert written == [str(tmp_path / name) for name in (
        "neon/libfma.so", "neon/libfma.a", "neon/fma.h", "neon/fma.json",
        "riscv_rvv/libfma.so", "riscv_rvv/fma.h", "riscv_rvv/fma.json")]
    library = (tmp_path / "riscv_rvv" / "libfma.so").read_bytes()
    assert library[:4] == b"\x7fELF" and library[18:20] == (243).to_bytes(2, "little")  # EM_RISCV
    manifest = json.loads((tmp_path / "riscv_rvv" / "fma.json").read_text())
    assert manifest["target"]["spec"] == "riscv_rvv" and set(manifest["imports"]) <= ALLOCATION_IMPORTS
    output = fxn_in_process("run", FMA, "--predictor", "fma_arrays", "--target", "riscv_rvv", "--json",
                            "--arg", "x=[1, 2, 3]", "--arg", "y=[4, 5, 6]", "--arg", "z=[0.5, 0.5, 0.5]")
    assert json.loads(output) == [4.5, 10.5, 18.5]


@requires_clang
def test_two_builds_are_byte_identical_and_import_only_the_allocator(tmp_path):
    from fxn.cli import _load_predictors

    predictors = _load_predictors(str(FMA))
    first, second = (build(predictors, "fma", tmp_path / name, "fma.py", FMA, RVV) for name in ("a", "b"))
    for one, other in zip(first.written(), second.written()):
        assert one.read_bytes() == other.read_bytes(), one.name
    assert set(check_imports(first.files, BACKEND.allowed_imports(RVV))) <= ALLOCATION_IMPORTS
