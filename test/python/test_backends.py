"""Backends are discovered through the `fxn.backends` entry-point group, nothing else."""

import os
import subprocess
import sys
from pathlib import Path

FXN_OPT = str(Path(sys.executable).parent / "fxn-opt")


def install_fake_plugins(site: Path) -> None:
    """Two plugin distributions on a path of their own: one working, one that fails to import."""
    (site / "acme_backend.py").write_text(
        "from fxn.backends.base import Backend, Target\n\n"
        "class AcmeBackend(Backend):\n"
        "    def target(self, **options):\n"
        "        return Target('acme', 'acme-unknown-none', 'acme1', vector_bits=1024)\n\n"
        "backend = AcmeBackend('acme', 'ACME vector unit')\n"
    )
    (site / "broken_backend.py").write_text("raise ImportError('no toolchain')\n")
    for name, target in (("acme", "acme_backend:backend"), ("broken", "broken_backend:backend")):
        info = site / f"{name}_plugin-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[fxn.backends]\n{name} = {target}\n")


def test_list_backends_shows_plugins_and_survives_broken_ones(tmp_path):
    install_fake_plugins(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([FXN_OPT, "--list-backends"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Available backends:"
    assert any(line.split()[:4] == ["acme", "ACME", "vector", "unit"] for line in lines)
    assert any("broken" in line and "failed to load: ImportError: no toolchain" in line for line in lines)


def test_no_plugins_is_not_an_error():
    result = subprocess.run([FXN_OPT, "--list-backends"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("Available backends")


def test_a_backend_without_ahead_of_time_hooks_says_which_it_lacks():
    import pytest

    from fxn.backends.base import Backend, Target

    vendor = Backend("npu", "a vendor's accelerator")
    target = Target("npu", "npu-unknown-none", "generic")
    with pytest.raises(NotImplementedError, match="backend 'npu' cannot print assembly"):
        vendor.assemble("", target)
    with pytest.raises(NotImplementedError, match="backend 'npu' cannot build artifacts"):
        vendor.build([""], Path("."), "x", ["f"], target)
    with pytest.raises(NotImplementedError, match="backend 'npu' declares no target"):
        vendor.target()
