"""scripts/upstream-lit: RUN lines of MLIR lit tests run with fxn-opt as mlir-opt, counted and each failure classed.

The test files here are our own, written in upstream's style."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import upstream_lit  # noqa: E402  (scripts/ is not a package)

TEST_FILE = """\
// RUN: mlir-opt %s | FileCheck %s
// RUN: mlir-opt %s --profile-actions-to=%t | FileCheck %s
// RUN: mlir-translate %s --mlir-to-llvmir | FileCheck %s
// RUN: mlir-opt %s -test-print-liveness | FileCheck %s
// RUN: mlir-opt %s --allow-unregistered-dialect %{extra} | FileCheck %s
// RUN: mlir-opt %s \\
// RUN:   --canonicalize | FileCheck %s --check-prefix=CANON
// RUN: mlir-opt %s | FileCheck %s --check-prefix=WRONG
// RUN: mlir-opt %s --control-flow-sink | FileCheck %s --check-prefix=SUNK
// RUN: mlir-opt %s --a-pass-of-another-version 2>&1 | FileCheck %s --check-prefix=SKEW
// RUN: split-file %S/Inputs/two-files.txt %t
// RUN: mlir-opt %t/second.mlir | FileCheck %s --check-prefix=SECOND
// CHECK: func.func @f
// CANON: return
// WRONG: func.func @g
// SUNK: scf.execute_region
// SKEW: error: the pass of another version failed
// SECOND: func.func private @second
// SUNK-NEXT: arith.muli
func.func @f() {
  return
}
func.func private @consume(i32)
func.func @sink(%a: i32) {
  %0 = arith.muli %a, %a : i32
  scf.execute_region {
    func.call @consume(%0) : (i32) -> ()
    scf.yield
  }
  return
}
"""


TWO_FILES = """\
//--- first.mlir
func.func private @first()
//--- second.mlir
func.func private @second()
"""


def test_lines_are_run_skipped_and_classed(tmp_path):
    (tmp_path / "Dialect" / "Inputs").mkdir(parents=True)
    (tmp_path / "Dialect" / "sample.mlir").write_text(TEST_FILE)
    (tmp_path / "Dialect" / "Inputs" / "two-files.txt").write_text(TWO_FILES)
    result = subprocess.run([str(ROOT / "scripts" / "upstream-lit"), str(tmp_path), "--verbose"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bundled MLIR: LLVM ")
    outcomes = {line.split()[1].rstrip(":"): line for line in lines if line[:4] in ("PASS", "FAIL", "SKIP")}
    assert outcomes["Dialect/sample.mlir:1"].startswith("PASS")
    assert "unsupported option: fxn-opt: error: option '--profile-actions-to'" in outcomes["Dialect/sample.mlir:2"]
    assert outcomes["Dialect/sample.mlir:3"].endswith("needs mlir-translate")
    assert "test dialect or pass" in outcomes["Dialect/sample.mlir:4"]
    assert outcomes["Dialect/sample.mlir:5"].endswith("needs upstream's lit substitution %{extra}")
    assert outcomes["Dialect/sample.mlir:6"].startswith("PASS")  # continued over two lines
    # The bundled MLIR's own opt tool fails the line too: not fxn-opt's doing.
    assert "version skew (the bundled MLIR's torch-mlir-opt fails too)" in outcomes["Dialect/sample.mlir:8"]
    # torch-mlir-opt has no --control-flow-sink; the bare bindings (this MLIR's pass) do not sink into an
    # scf.execute_region either, as a test of another MLIR version expects.
    assert "version skew (the bundled MLIR through the bare bindings fails too)" in outcomes["Dialect/sample.mlir:9"]
    # FileCheck reads what fxn-opt says; the class comes from fxn-opt's own words, run alone.
    assert "version skew (the bundled MLIR has no option or pass --a-pass-of-another-version)" in \
        outcomes["Dialect/sample.mlir:10"]
    # %t is one per test file: split-file's outputs reach the next line (where LLVM's split-file is installed).
    if upstream_lit.known_tools() >= {"split-file"}:
        assert outcomes["Dialect/sample.mlir:11"].startswith("PASS")
        assert outcomes["Dialect/sample.mlir:12"].startswith("PASS")
        assert "4 of 9 RUN lines pass (2 skipped" in result.stdout
    else:
        assert outcomes["Dialect/sample.mlir:11"].endswith("needs split-file")
        assert outcomes["Dialect/sample.mlir:12"].endswith("needs the output of a line skipped before")
        assert "2 of 7 RUN lines pass (4 skipped" in result.stdout


def test_lines_that_need_llvms_test_tools_are_skipped_without_them(monkeypatch):
    monkeypatch.setattr(upstream_lit, "llvm_tools", lambda: None)
    assert upstream_lit.skip_reason("not mlir-opt %s 2>&1 | FileCheck %s") == "needs not"
    assert upstream_lit.skip_reason("mlir-opt %s | FileCheck %s") is None

