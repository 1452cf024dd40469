"""fxn-opt as a program: exit codes, no tracebacks, no torch import."""

import subprocess
import sys
from pathlib import Path

import pytest

from fxn.opt import UsageError, main, parse_args

FXN_OPT = str(Path(sys.executable).parent / "fxn-opt")


def test_flags_in_mlir_opt_forms():
    options = parse_args(["-split-input-file", "--mlir-timing", "-o", "out.mlir", "in.mlir", "--cse", "--fxn-constant-fold=max-elements=3"])
    assert options.split_input_file and options.timing
    assert (options.output, options.input) == ("out.mlir", "in.mlir")
    assert options.pass_flags == [("cse", None), ("fxn-constant-fold", "max-elements=3")]
    with pytest.raises(UsageError, match="needs a value"):
        parse_args(["-o"])


def test_version_and_processing_do_not_import_torch(tmp_path):
    source = tmp_path / "f.mlir"
    source.write_text("func.func @f() { return }")
    check = (
        "import sys; from fxn.opt import main; main(['--version']);"
        "assert 'torch_mlir' not in sys.modules, 'version imported MLIR';"
        f"main([{str(source)!r}, '--cse']);"
        "assert 'torch' not in sys.modules, 'fxn-opt imported torch'"
    )
    subprocess.run([sys.executable, "-c", check], check=True, capture_output=True)


@pytest.mark.parametrize(
    "text",
    ["func.func @f( {", "\x7fELF\x02\x01\x01 garbage", '"fxn.nope"() : () -> ()', "}}}}"],
)
def test_bad_input_is_one_located_error(text):
    result = subprocess.run([FXN_OPT, "-"], input=text.encode(), capture_output=True)
    assert result.returncode == 1
    assert result.stderr.decode().startswith("<stdin>:1:")
    assert "Traceback" not in result.stderr.decode()


def test_main_returns_exit_code(tmp_path, capsys):
    good = tmp_path / "good.mlir"
    good.write_text("func.func @f() { return }")
    assert main([str(good)]) == 0
    assert "func.func @f()" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.mlir")]) == 1
    assert "could not open input file" in capsys.readouterr().err
