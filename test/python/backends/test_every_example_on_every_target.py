"""The security allow-list, on every example predictor built for every installed target.

Each build checks its artifacts' imports against the target's
``allowed_imports`` (:func:`fxn.artifacts.check_imports`); these tests
check that check: every ``examples/*.py`` built with ``fxn compile`` for
every installed backend's default and conformance targets imports only what
its backend allows and nothing that reaches the file system, the network,
processes or the dynamic loader (read again from the artifacts with
``llvm-nm``, not taken from the manifest), and a build whose code imports
a symbol its target does not allow fails with an error naming it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fxn.artifacts import ArtifactError, check_imports, target_folder
from fxn.backends import BackendError, call_hook, discover_backends
from fxn.backends.base import TargetError

ROOT = Path(__file__).resolve().parents[3]
#: Examples built for the host only, elsewhere: examples/cnn.py holds three whole networks (millions of
#: weights each), whose build for every emulated target would take most of CI's budget. Its host build, with
#: the same allow-list check of its imports, is test_examples_cnn.py's.
HOST_ONLY = {"cnn"}
EXAMPLES = sorted(path.stem for path in (ROOT / "examples").glob("*.py") if path.stem not in HOST_ONLY)
FXN = str(Path(sys.executable).parent / "fxn")
NM = "llvm-nm-22"
#: Symbols no compiled predictor may import, whatever its target allows: files, processes, sockets, loaders.
FORBIDDEN = {"open", "fopen", "openat", "creat", "read", "write", "unlink", "stat", "mmap", "syscall", "system",
             "execve", "fork", "popen", "dlopen", "dlsym", "socket", "connect", "getenv"}


def installed_targets() -> list:
    """(backend, target) for every installed backend's default target and conformance targets, each once."""
    pairs = {}
    for entry in discover_backends():
        if entry.backend is None:
            continue
        try:
            targets = [call_hook(entry.backend, "target"), *call_hook(entry.backend, "conformance_targets")]
        except (BackendError, TargetError, NotImplementedError):
            continue
        pairs.update({target.spec: (entry.backend, target) for target in targets})
    return list(pairs.values())


TARGETS = installed_targets()


def test_the_examples_and_the_named_targets_are_all_here():
    assert {"fma", "fma_loop", "preprocess"} <= set(EXAMPLES)
    assert {"avx", "neon", "wasm_simd", "accelerate"} <= {target.backend for _, target in TARGETS}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """Each example compiled for every target in one ``fxn compile``: example -> its output folder."""
    folders = {}
    for example in EXAMPLES:
        folders[example] = tmp_path_factory.mktemp(example)
        command = [FXN, "compile", str(ROOT / "examples" / f"{example}.py"), "-o", str(folders[example])]
        command += [arg for _, target in TARGETS for arg in ("--target", target.spec)]
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    return folders


def imported_symbols(path: Path, mach_o: bool) -> set[str]:
    """What ``llvm-nm`` says the object, archive or module at ``path`` imports (Mach-O's ``_`` prefix removed)."""
    def names(*options: str) -> set[str]:
        out = subprocess.run([NM, *options, str(path)], capture_output=True, text=True, check=True).stdout
        return {line.split()[-1] for line in out.splitlines() if line.strip() and not line.endswith(":")}

    undefined = names("--undefined-only") - names("--defined-only")  # an archive's members may define each other's
    return {symbol.removeprefix("_") for symbol in undefined} if mach_o else undefined


@pytest.mark.skipif(shutil.which(NM) is None, reason=f"{NM} is not installed (Debian's llvm-22)")
@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("backend_target", TARGETS, ids=[target.spec for _, target in TARGETS])
def test_every_example_imports_only_what_its_target_allows(builds, example, backend_target):
    backend, target = backend_target
    mach_o = "apple" in target.triple
    folder = builds[example] / target_folder(target)
    manifest = json.loads((folder / f"{example}.json").read_text())
    code = [folder / name for name in manifest["files"] if name.endswith((".so", ".a", ".o", ".wasm", ".dylib"))]
    assert code, sorted(manifest["files"])
    declared = {symbol.removeprefix("_") if mach_o else symbol for symbol in manifest["imports"]}
    allowed = backend.allowed_imports(target)
    for path in code:
        imports = imported_symbols(path, mach_o)
        assert imports <= allowed, f"{path.name} imports {sorted(imports - allowed)}"
        assert not imports & FORBIDDEN, path.name
        assert imports <= declared, f"{path.name}: the manifest leaves out {sorted(imports - declared)}"
    assert declared <= allowed and not declared & FORBIDDEN


# ----------------------------------------------------------------------------- refusals


def test_an_artifact_importing_fopen_is_refused_by_name(tmp_path):
    source = tmp_path / "reads.c"
    source.write_text("#include <stdio.h>\nvoid *fxn_reads(void) { return fopen(\"/etc/passwd\", \"r\"); }\n")
    obj = tmp_path / "reads.o"
    subprocess.run(["clang-22", "-c", str(source), "-o", str(obj)], check=True)
    assert check_imports([obj], frozenset({"fopen", "malloc"})) == ["fopen"]
    with pytest.raises(ArtifactError, match=r"reads.o imports fopen, which compiled predictors may not use "
                                            r"\(allowed: free, malloc\)"):
        check_imports([obj], frozenset({"malloc", "free"}))


#: The host's backend, built through fxn's shared-library helper, allowing no import at all (not even malloc).
STRICT_BACKEND = """
import dataclasses

from fxn import toolchain
from fxn.backends import host_target
from fxn.backends.base import Backend


class Strict(Backend):
    def target(self, **options):
        return dataclasses.replace(host_target()[1], backend="strict")

    def build(self, modules, directory, stem, exported, target):
        return [toolchain.shared_library(modules, directory / f"lib{stem}.so", exported,
                                         [f"--target={target.triple}", "-O1"])]

    def allowed_imports(self, target):
        return frozenset()


backend = Strict("strict", "host code that may import nothing")
"""


def test_a_build_importing_what_its_target_refuses_fails_naming_the_symbol(tmp_path):
    (tmp_path / "strict_plugin.py").write_text(STRICT_BACKEND)
    info = tmp_path / "strict_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: strict-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[fxn.backends]\nstrict = strict_plugin:backend\n")
    predictor = tmp_path / "p.py"
    predictor.write_text("import fxn\n\n\n@fxn.compile\ndef grow(x: fxn.Tensor[fxn.f32, 'N']):\n"
                         "    return x.sum() + x\n")
    result = subprocess.run([FXN, "compile", str(predictor), "--target", "strict", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "libp.so imports " in result.stderr and "malloc" in result.stderr, result.stderr
    assert "which compiled predictors may not use (allowed: ) (backend 'strict', target 'strict')" in result.stderr
    (tmp_path / "strict_plugin.py").write_text(STRICT_BACKEND.replace('backend="strict"', 'backend="avx"'))
    result = subprocess.run([FXN, "compile", str(predictor), "--target", "strict", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("backend 'strict' (strict_plugin) gave a target of backend 'avx': a Target's backend must be the name "
            "it is registered under") in result.stderr
