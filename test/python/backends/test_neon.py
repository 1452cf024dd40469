"""The neon backend: its aarch64 code under qemu-aarch64 against the reference interpreter, its assembly, its artifacts.

Differential cases (:mod:`foreign_cases`) are lowered for the target once,
linked into one static executable and each run under qemu-aarch64. Checks
that need to run code skip with a reason where qemu-aarch64 or the aarch64
cross C library is missing; the compile-only ones need clang-22 alone.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import foreign_cases
from fxn.artifacts import build, check_imports
from fxn.backends import resolve_target
from fxn.backends.base import ALLOCATION_IMPORTS, TargetError
from fxn.backends.neon import static_runner
from fxn.targets import run_on_target

ROOT = Path(__file__).resolve().parents[3]
FMA = ROOT / "examples" / "fma.py"
BACKEND, NEON = resolve_target("neon")
WHY_NOT = static_runner(NEON).unavailable()
requires_qemu = pytest.mark.skipif(WHY_NOT is not None, reason=f"cannot run aarch64 code here: {WHY_NOT}")
requires_clang = pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 compiles for aarch64")


def fxn_in_process(*args):
    """The ``fxn`` command run in this process (torch and MLIR loaded once)."""
    from fxn.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def neon_cases():
    """Every case lowered for neon, and one executable running them all."""
    lowered = foreign_cases.lower_cases(NEON)
    if WHY_NOT is not None:
        return lowered, None
    return lowered, BACKEND.runner(NEON).executable(foreign_cases.distinct_programs(lowered), NEON)


@requires_qemu
@pytest.mark.parametrize("index", range(len(foreign_cases.CASES)),
                         ids=[case.name for case in foreign_cases.CASES])
def test_neon_code_under_qemu_matches_the_reference_interpreter(neon_cases, index):
    lowered, executable = neon_cases
    case = lowered[index]
    foreign_cases.assert_matches_interpreter(case, executable.run(case.entry, case.case.inputs))


@requires_qemu
def test_a_failed_allocation_under_qemu_is_a_memory_error(neon_cases):
    _, executable = neon_cases
    empty_rows = np.zeros((0, 2**40), np.float32)  # no element, yet the column sums have 2**40
    with pytest.raises(MemoryError, match=r"column_sums\(\): could not allocate 4\.0 TiB \(\d+ bytes\)"):
        executable.run("column_sums", [empty_rows])
    sums_line = inspect.getsourcelines(foreign_cases.column_sums.__wrapped__)[1] + 2
    with pytest.raises(MemoryError, match=rf"could not allocate 4\.0 TiB \(\d+ bytes\) for fxn\.reduce at "
                                          rf".*foreign_cases\.py:{sums_line}:"):
        run_on_target(foreign_cases.column_sums, "neon", [empty_rows])


@requires_qemu
def test_fxn_run_on_neon_prints_json_results():
    output = fxn_in_process("run", FMA, "--predictor", "fma_arrays", "--target", "neon", "--json",
                            "--arg", "x=[1, 2, 3, 4, 5]", "--arg", "y=[2, 2, 2, 2, 2]", "--arg", "z=[0.5, 0, 0, 0, -1]")
    assert json.loads(output) == [2.5, 4.0, 6.0, 8.0, 9.0]
    output = fxn_in_process("run", FMA, "--predictor", "fma", "--target", "neon", "--json",
                            "--arg", "x=3", "--arg", "y=-1", "--arg", "z=2")
    assert json.loads(output) == -1.0


# ----------------------------------------------------------------------------- assembly


def vector_instructions(assembly: str) -> set[str]:
    """The NEON instructions on 4 x f32 of an assembly text: ``fmul``, ``fmla`` ... (``fmul v0.4s, v1.4s, v2.4s``)."""
    return set(re.findall(r"^\s+(\w+)\s+v\d+\.4s", assembly, re.MULTILINE))


@requires_clang
def test_fxn_inspect_shows_neon_vector_code_for_the_fma_example():
    assembly = fxn_in_process("inspect", FMA, "--target", "neon", "--predictor", "fma_arrays", "--stage", "asm")
    # x * y + z as written rounds twice (fxn's and numpy's meaning): fmul then fadd, on 4 floats at once.
    assert {"fmul", "fadd"} <= vector_instructions(assembly)
    assert "fmla" not in vector_instructions(assembly)


@requires_clang
@pytest.mark.parametrize("predictor", [foreign_cases.fused, foreign_cases.contracted], ids=["fxn_fma", "fast_math"])
def test_an_fma_op_or_fast_math_becomes_fmla_on_4_floats(predictor):
    program, _, _ = foreign_cases.lower_program(predictor, NEON)
    assembly = BACKEND.assemble(program.llvm_ir, NEON)
    assert "fmla" in vector_instructions(assembly)
    assert re.search(r"^\s+fmla\s+v\d+\.4s, v\d+\.4s, v\d+\.4s$", assembly, re.MULTILINE)


# ----------------------------------------------------------------------------- artifacts

C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include "fma.h"

int main(void) {
    float xs[5] = {1, 2, 3, 4, 5}, ys[5] = {2, 2, 2, 2, 2}, zs[5] = {0.5f, 0, 0, 0, -1};
    fxn_memref_1d_f32 a = {xs, xs, 0, {5}, {1}}, b = {ys, ys, 0, {5}, {1}}, c = {zs, zs, 0, {5}, {1}}, r;
    fxn_status status;
    fxn_fma_arrays(&r, &a, &b, &c, &status);
    if (status.site) return 1;
    for (int64_t i = 0; i < r.sizes[0]; i++) printf("%g ", r.aligned[r.offset + i * r.strides[0]]);
    printf("%g\n", fxn_fma__value(3.0f, -1.0f, 2.0f));
    free(r.allocated);
    return 0;
}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """examples/fma.py built for neon twice, into two directories."""
    from fxn.cli import _load_predictors

    predictors = _load_predictors(str(FMA))
    return [build(predictors, "fma", tmp_path_factory.mktemp(f"neon{i}"), "fma.py", FMA, NEON) for i in (0, 1)]


@requires_clang
def test_neon_artifacts_are_a_shared_and_a_static_library_identical_build_after_build(built):
    first, second = built
    assert [path.name for path in first.written()] == ["libfma.so", "libfma.a", "fma.h", "fma.json"]
    for one, other in zip(first.written(), second.written()):
        assert one.read_bytes() == other.read_bytes(), one.name
    assert first.files[0].read_bytes()[:20] == bytes.fromhex("7f454c46020101000000000000000000 0300b700")
    manifest = json.loads(first.manifest.read_text())
    assert manifest["target"]["triple"] == "aarch64-unknown-linux-gnu" and manifest["target"]["vector_bits"] == 128
    assert set(manifest["imports"]) <= ALLOCATION_IMPORTS
    assert check_imports(first.files, BACKEND.allowed_imports(NEON)) == manifest["imports"]


@requires_clang
def test_the_libraries_export_the_entry_points_only(built):
    library, archive = built[0].files
    manifest = json.loads(built[0].manifest.read_text())
    entries = {symbol for predictor in manifest["predictors"] for symbol in predictor["symbols"].values()}
    assert {"fxn_fma", "fxn_fma__value", "fxn_fma_arrays"} <= entries
    for path, options in ((library, ["-D", "--defined-only"]), (archive, ["--defined-only"])):
        listing = subprocess.run(["llvm-nm-22", *options, "--extern-only", "--format=just-symbols", str(path)],
                                 capture_output=True, text=True, check=True).stdout.split()
        assert set(listing) - {"fma.o:"} == entries, path.name


@requires_qemu
@pytest.mark.parametrize("linking", ["static", "dynamic"])
def test_a_c_program_links_each_library_and_runs_under_qemu(built, tmp_path, linking):
    directory = built[0].files[0].parent
    (tmp_path / "main.c").write_text(C_PROGRAM)
    flags = ["-static", str(directory / "libfma.a")] if linking == "static" else [
        "-L", str(directory), "-lfma", f"-Wl,-rpath,{directory}"]
    subprocess.run(["clang-22", "--target=aarch64-linux-gnu", "-std=c11", "-Wall", "-Werror", "-fuse-ld=lld",
                    "-I", str(directory), str(tmp_path / "main.c"), *flags, "-o", str(tmp_path / "main")],
                   check=True, capture_output=True)
    run = subprocess.run(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", str(tmp_path / "main")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "2.5 4 6 8 9 -1\n"


@requires_clang
def test_android_builds_a_static_library_only_and_does_not_run_here(tmp_path):
    backend, android = resolve_target("neon:os=android,api=29,cpu=cortex-a76")
    assert (android.triple, android.cpu, android.artifacts) == ("aarch64-linux-android29", "cortex-a76",
                                                                ("static_library",))
    assert android.spec == "neon:cpu=cortex-a76,os=android,api=29"
    assert backend.runner(android) is None and backend.host_target() is None
    program, _, _ = foreign_cases.lower_program(foreign_cases.axpb, android)
    (archive,) = backend.build([program.llvm_ir], tmp_path, "axpb", ["fxn_axpb"], android)
    assert archive.name == "libaxpb.a"
    assert check_imports([archive], backend.allowed_imports(android))


def test_neon_options_are_checked_by_name_and_value():
    assert resolve_target("neon")[1].describe() == {
        "name": "neon", "spec": "neon", "triple": "aarch64-unknown-linux-gnu", "cpu": "neoverse-n1",
        "features": ["neon"], "vector_bits": 128, "index_bits": 64, "has_fma": True,
        "dtypes": ["f16", "f32", "f64", "i8", "ui8", "i32", "i64", "i1"],
        "artifacts": ["shared_library", "static_library"], "threads": False,
    }
    with pytest.raises(TargetError, match="option cpu=pentium4 is not one of neoverse-n1, "):
        resolve_target("neon:cpu=pentium4")
    with pytest.raises(TargetError, match="option os=ios is not one of linux, android"):
        resolve_target("neon:os=ios")
    with pytest.raises(TargetError, match="option api is for os=android only"):
        resolve_target("neon:api=29")
    with pytest.raises(TargetError, match="option api=KitKat is no Android API level"):
        resolve_target("neon:os=android,api=KitKat")


def test_an_aarch64_linux_machine_is_a_neon_host(monkeypatch):
    import platform

    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    assert BACKEND.host_target() == NEON
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    assert BACKEND.host_target() is None


def test_the_fused_fma_example_is_neon_fmla():
    """``fxn inspect examples/fma.py --predictor fma_fused --target neon --stage asm``: one fmla per 4 lanes."""
    from fxn.cli import cli

    example = Path(__file__).resolve().parents[3] / "examples" / "fma.py"
    result = CliRunner().invoke(cli, ["inspect", str(example), "--predictor", "fma_fused", "--target", "neon",
                                      "--stage", "asm"])
    assert result.exit_code == 0, result.output
    assert re.search(r"\bfmla\s+v\d+\.4s, v\d+\.4s, v\d+\.4s", result.output)
