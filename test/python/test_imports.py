"""What importing fxn and decorating a function cost: neither imports torch, ``import fxn`` not even MLIR."""

import subprocess
import sys


def test_import_and_decoration_import_neither_torch_nor_mlir_until_needed():
    check = (
        "import sys, fxn\n"
        "assert 'torch' not in sys.modules and 'torch_mlir' not in sys.modules, 'import fxn'\n"
        "@fxn.compile\n"
        "def fma(x: float, y: float, z: float) -> float:\n"
        "    return x * y + z\n"
        "assert 'torch' not in sys.modules, 'decorating imported torch'\n"
        "assert fma(2.0, 3.0, 1.0) == 7.0\n"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
