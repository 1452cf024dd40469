"""Symbol hygiene: every symbol fxn emits starts with ``fxn_``, so no predictor name collides with libc or the runtime.

A predictor named ``malloc`` used to replace the allocator its own code
calls (a crash in LLVM translation, or a bare "Failure while creating the
ExecutionEngine").
"""

from __future__ import annotations

import ctypes
import json
import shutil

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fxn
from fxn.cli import cli
from fxn.runtime import Status, descriptor_type

#: Names of functions that compiled code, libc or a C program's start-up call.
CLASHING_NAMES = ["malloc", "free", "memset", "memcpy", "main", "printf", "exit", "abort"]
#: Bodies that allocate (matmul) and that compute through several ops (softmax), over fixed shapes.
BODIES = {
    "matmul": "return x @ x.T",
    "softmax": "return torch.softmax(x, dim=1)",
}
X = np.random.default_rng(0).random((3, 4), np.float32)


def predictor_source(name: str, body: str) -> str:
    return (f"import torch\nimport fxn\n\n@fxn.compile\ndef {name}(x: fxn.Tensor[fxn.f32, 3, 4]):\n"
            f"    {body}\n")


def expected(body: str) -> np.ndarray:
    return (X @ X.T) if body == BODIES["matmul"] else torch.softmax(torch.from_numpy(X), dim=1).numpy()


def load_predictor(source: str, name: str, tmp_path):
    path = tmp_path / f"{name}_predictor.py"
    path.write_text(source)
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("body", list(BODIES.values()), ids=list(BODIES))
@pytest.mark.parametrize("name", CLASHING_NAMES)
def test_predictors_named_like_libc_functions_compile_and_run(name, body, tmp_path):
    function = load_predictor(predictor_source(name, body), name, tmp_path)
    np.testing.assert_allclose(function(X), expected(body), rtol=1e-5)
    symbols = {op.sym_name.value for op in function.concrete_functions[0].lowered.module.body.operations
               if op.name == "llvm.func" and len(op.body.blocks)}
    assert all(symbol.startswith(f"fxn_{name}") for symbol in symbols), symbols


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")
def test_a_library_of_predictors_named_like_libc_functions_exports_only_fxn_symbols(tmp_path):
    source = "import torch\nimport fxn\n" + "".join(
        predictor_source(name, BODIES["softmax" if index % 2 else "matmul"]).split("import fxn\n", 1)[1]
        for index, name in enumerate(CLASHING_NAMES))
    (tmp_path / "clash.py").write_text(source)
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "clash.py"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "clash.json").read_text())
    library = ctypes.CDLL(str(tmp_path / "libclash.so"))
    Memref2d = descriptor_type(2)
    argument = Memref2d(X.ctypes.data, X.ctypes.data, 0, X.shape, (4, 1))
    for index, (name, predictor) in enumerate(zip(CLASHING_NAMES, manifest["predictors"])):
        assert predictor["symbols"] == {"memref": f"fxn_{name}"}
        result, status = Memref2d(), Status()
        getattr(library, f"fxn_{name}")(ctypes.byref(result), ctypes.byref(argument), ctypes.byref(status))
        assert status.site == 0
        values = np.ctypeslib.as_array(ctypes.cast(result.aligned, ctypes.POINTER(ctypes.c_float)),
                                       tuple(result.sizes)).copy()
        np.testing.assert_allclose(values, expected(BODIES["softmax" if index % 2 else "matmul"]), rtol=1e-5)
    exported = _exported_symbols(tmp_path / "libclash.so")
    assert exported == {f"fxn_{name}" for name in CLASHING_NAMES}, exported


def _exported_symbols(library) -> set[str]:
    import subprocess

    listing = subprocess.run(["llvm-nm-22", "-D", "--defined-only", str(library)], capture_output=True, text=True)
    if listing.returncode != 0:
        pytest.skip("llvm-nm-22 is not installed")
    return {line.split()[-1] for line in listing.stdout.splitlines() if line.split()[1] in "TtWw"}


def test_predictors_whose_symbols_would_collide_in_one_library_are_a_clear_error(tmp_path):
    source = ("import fxn\n\n@fxn.compile\ndef f(x: float) -> float:\n    return x + 1.0\n\n"
              "@fxn.compile\ndef f__value(x: float) -> float:\n    return x + 2.0\n")
    (tmp_path / "pair.py").write_text(source)
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "pair.py"), "-o", str(tmp_path)])
    assert result.exit_code != 0
    assert "predictors 'f' and 'f__value' both define the symbol 'fxn_f__value'" in result.output
    assert "Traceback" not in result.output


def test_a_name_that_is_no_c_identifier_runs_in_the_jit_and_is_refused_ahead_of_time(tmp_path):
    twice = fxn.compile(lambda x: x * 2.0)
    np.testing.assert_array_equal(twice(np.ones(3, np.float32)), np.full(3, 2, np.float32))
    source = "import fxn\n\n@fxn.compile\ndef fünf(x: float) -> float:\n    return x + 5.0\n"
    (tmp_path / "unicode.py").write_text(source)
    namespace: dict = {}
    exec(compile(source, str(tmp_path / "unicode.py"), "exec"), namespace)
    assert namespace["fünf"](1.0) == 6.0
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "unicode.py"), "-o", str(tmp_path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "predictor 'fünf' is named 'fünf', which is no C identifier" in result.output


def test_one_predictor_under_two_names_is_built_once(tmp_path):
    source = "import fxn\n\n@fxn.compile\ndef f(x: float) -> float:\n    return x + 1.0\n\ng = f\n"
    (tmp_path / "alias.py").write_text(source)
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "alias.py"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (predictor,) = json.loads((tmp_path / "alias.json").read_text())["predictors"]
    assert predictor["name"] == "f" and predictor["symbols"]["memref"] == "fxn_f"
