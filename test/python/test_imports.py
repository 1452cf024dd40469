"""What importing fxn, decorating a function and calling it import: only what the code needs.

``import fxn`` and decorating import neither torch, MLIR nor numpy; a
function of numbers doing arithmetic, with branches or not, compiles without
torch, and without numpy or the bindings' ``linalg`` package (its named-op
DSL) when straight; a call of code from the on-disk cache imports neither
torch, MLIR, numpy, typing, inspect nor dataclasses.
"""

import subprocess
import sys

FMA = (
    "import sys, fxn\n"
    "assert not {'torch', 'torch_mlir', 'numpy'} & set(sys.modules), 'import fxn'\n"
    "@fxn.compile\n"
    "def fma(x: float, y: float, z: float) -> float:\n"
    "    return x * y + z\n"
    "assert not {'torch', 'torch_mlir', 'numpy'} & set(sys.modules), 'decorating'\n"
    "assert fma(2.0, 3.0, 1.0) == 7.0\n"
)


def run(code: str, **environment) -> None:
    import os

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **environment})
    assert result.returncode == 0, result.stderr


def test_import_and_decoration_import_neither_torch_mlir_nor_numpy():
    run(FMA)


def test_a_function_of_numbers_compiles_without_torch():
    run(FMA + "assert 'torch' not in sys.modules, 'compiling fma'\n"
              "assert fma.concrete_functions[0].lowered.traced.capture == 'numbers'\n")


def test_a_function_of_numbers_with_branches_compiles_without_torch(tmp_path):
    source = tmp_path / "relu.py"  # the AST path reads the function's source
    source.write_text(
        "import sys, fxn\n"
        "@fxn.compile\n"
        "def relu(x: float) -> float:\n"
        "    if x > 0.0:\n"
        "        return x\n"
        "    return 0.0 if x == x else x\n"
        "assert (relu(2.5), relu(-1.0)) == (2.5, 0.0)\n"
        "assert relu.concrete_functions[0].lowered.traced.capture == 'ast'\n"
        "assert 'torch' not in sys.modules, 'compiling relu'\n")
    run(f"import runpy; runpy.run_path({str(source)!r})")


def test_a_function_of_numbers_compiles_without_numpy_or_the_linalg_package():
    run(FMA + "assert not {'numpy', 'torch_mlir.dialects.linalg'} & set(sys.modules), 'compiling fma'\n")


def test_a_function_of_numbers_compiles_without_the_bindings_llvm_or_transform_modules():
    run(FMA + "assert not {'torch_mlir.dialects.llvm', 'torch_mlir.dialects.transform'} & set(sys.modules)\n")


def test_compiling_loads_backends_only_until_the_host_one():
    run("import sys\n"
        "from fxn.backends import _registered, host_target\n"
        "backend, _ = host_target()\n"
        "later = [e.name for e in _registered() if e.name > backend.name]\n"
        "assert later, 'no backend sorts after the host one: nothing to check'\n"
        "assert not [e for e in _registered() if e.name in later and e.backend is not None], 'loaded'\n"
        "assert 'fxn.backends.wasm_simd' not in sys.modules\n")


def test_a_call_of_cached_code_imports_neither_torch_mlir_nor_numpy(tmp_path):
    warm = FMA + ("assert not {'torch', 'torch_mlir', 'numpy', 'typing', 'inspect', 'dataclasses'} & set(sys.modules), "
                  "sorted(sys.modules)\n")
    run(FMA, FXN_CACHE="1", FXN_CACHE_DIR=str(tmp_path))
    run(warm, FXN_CACHE="1", FXN_CACHE_DIR=str(tmp_path))
