"""The `fxn` command: results on success, one located line and exit 1 on bad input."""

import subprocess
import sys
from pathlib import Path

import pytest

FXN = str(Path(sys.executable).parent / "fxn")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "fma.mlir")
PIPELINE = "builtin.module(func.func(fxn-canonicalize),fxn-constant-fold,cse)"


def fxn(*args):
    return subprocess.run([FXN, *args], capture_output=True, text=True)


def test_interpret_example_with_pipeline():
    result = fxn("interpret", EXAMPLE, "--pass-pipeline", PIPELINE, "--print-ir",
                 "--arg", "[1, 2, 3, 4]", "--arg", "[2, 2, 2, 2]", "--arg", "0.25")
    assert result.returncode == 0, result.stderr
    # x * y + z + 2 * 0.25, after the passes removed the no-ops
    assert "result #0: [2.75 4.75 6.75 8.75]  (float32, shape (4,))" in result.stdout
    after = result.stdout.split("after builtin.module")[1]
    assert "fxn.transpose" not in after and "fxn.constant" in after


@pytest.mark.parametrize(
    "args, message",
    [
        (["interpret", "missing.mlir"], "fxn: error: could not open 'missing.mlir'"),
        (["interpret", EXAMPLE, "--arg", "[1, 2]", "--arg", "[1, 2, 3, 4]", "--arg", "1"],
         "fxn: error: argument #0 expects tensor<4xf32>; got float32 array of shape (2,)"),
        (["interpret", EXAMPLE, "--arg", "nope"], "fxn: error: --arg 'nope' is neither a number nor a JSON list"),
        (["interpret", EXAMPLE, "--pass-pipeline", "builtin.module(nope)"],
         "<pass-pipeline>:1:16: error: 'nope' does not refer to a registered pass or pass pipeline"),
    ],
)
def test_errors_are_one_message_without_traceback(args, message):
    result = fxn(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_error_is_located(tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_text('func.func @f(%x: tensor<2xf32>) {\n  %0 = "fxn.exp"(%x) : (tensor<2xi32>) -> tensor<2xi32>\n  return\n}\n')
    result = fxn("interpret", str(bad))
    assert result.returncode == 1
    assert f"{bad}:2:18: error: use of value '%x' expects different type" in result.stderr


def test_a_predictor_of_star_args_is_refused_by_run_and_compile(tmp_path):
    source = tmp_path / "total.py"
    source.write_text("import fxn\n\n\n@fxn.compile\ndef total(*ts):\n    return ts[0] + ts[1]\n")
    ran = fxn("run", str(source), "--predictor", "total", "--arg", "ts=[1, 2]")
    built = fxn("compile", str(source), "-o", str(tmp_path / "build"))
    assert ran.returncode == built.returncode == 1
    assert "total.py:4: total takes *args or **kwargs; --arg NAME=VALUE needs named parameters" in ran.stderr
    assert "total.py:4: total takes *args or **kwargs; ahead-of-time compilation needs named parameters" in built.stderr
    assert "Traceback" not in ran.stderr + built.stderr
