"""Targets chosen by name: ``fxn compile/run --target``, ``CompiledFunction.export``, reproducible artifacts.

These use the target of this machine's backend and its options (they need
no emulator); each foreign backend's own tests run its targets.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fxn
from fxn.backends import host_target, resolve_target
from fxn.backends.base import Target, TargetError

FXN = str(Path(sys.executable).parent / "fxn")
PREDICTOR = ("import fxn\nimport torch\n\n@fxn.compile(targets=['host'])\n"
             "def scaled_softmax(x: fxn.Tensor[fxn.f32, 'N', 4], s: float):\n"
             "    return torch.softmax(x * s, dim=1)\n")
requires_clang = pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")


def fxn_command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([FXN, *args], capture_output=True, text=True, cwd=cwd)


def test_target_specs_resolve_with_their_options_in_declared_order():
    backend, target = host_target()
    assert resolve_target("host") == (backend, target)
    assert resolve_target(target.spec)[1] == target
    with pytest.raises(TargetError, match="has no option 'colour'"):
        resolve_target(f"{backend.name}:colour=red")


@requires_clang
def test_compile_writes_one_folder_per_target_and_two_builds_are_identical(tmp_path):
    (tmp_path / "p.py").write_text(PREDICTOR)
    backend, target = host_target()
    specs = [target.spec, *(f"{backend.name}:{key}={value}" for key, value in target.options)]
    arguments = [a for spec in specs for a in ("--target", spec)]
    for output in ("first", "second"):
        result = fxn_command("compile", "p.py", *arguments, "-o", output, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    folders = sorted(p.name for p in (tmp_path / "first").iterdir())
    assert folders and all(name.startswith(backend.name) for name in folders)
    for folder in folders:
        files = sorted(p.name for p in (tmp_path / "first" / folder).iterdir())
        assert {"p.h", "p.json"} <= set(files) and len(files) >= 3
        for name in files:
            assert (tmp_path / "first" / folder / name).read_bytes() == (tmp_path / "second" / folder / name).read_bytes()
        manifest = json.loads((tmp_path / "first" / folder / "p.json").read_text())
        assert manifest["target"]["triple"] == target.triple
        assert set(manifest["imports"]) <= backend.allowed_imports(target) and "malloc" in manifest["imports"]
        assert set(manifest["files"]) == set(files) - {"p.h", "p.json"}


@requires_clang
def test_export_builds_the_targets_given_to_the_decorator(tmp_path):
    namespace: dict = {}
    (tmp_path / "p.py").write_text(PREDICTOR)
    exec(compile(PREDICTOR, str(tmp_path / "p.py"), "exec"), namespace)
    (artifacts,) = namespace["scaled_softmax"].export(tmp_path / "out")
    assert artifacts.header.parent == tmp_path / "out" / host_target()[1].backend
    assert "void fxn_scaled_softmax(" in artifacts.header.read_text()


def test_run_prints_json_results_computed_for_the_target(tmp_path):
    (tmp_path / "p.py").write_text(PREDICTOR)
    result = fxn_command("run", "p.py", "--target", host_target()[1].spec, "--arg", "x=[[0, 1, 2, 3]]",
                         "--arg", "s=2", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = np.exp([0.0, 2.0, 4.0, 6.0]) / np.exp([0.0, 2.0, 4.0, 6.0]).sum()
    np.testing.assert_allclose(json.loads(result.stdout), [expected], rtol=1e-6)


def test_a_target_of_an_index_width_or_vector_width_fxn_cannot_lower_to_is_refused():
    with pytest.raises(TargetError, match="index_bits is 16; fxn lowers to 32 or 64"):
        Target("toy", "msp430-none-elf", "generic", index_bits=16)
    with pytest.raises(TargetError, match="vector_bits is 96, not a power of two >= 8"):
        Target("toy", "x86_64-unknown-linux-gnu", "generic", vector_bits=96)
    with pytest.raises(TargetError, match="no element type bf16"):
        Target("toy", "x86_64-unknown-linux-gnu", "generic", dtypes=("f32", "bf16"))
