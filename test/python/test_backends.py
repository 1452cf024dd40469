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


# ----------------------------------------------------------------------------- plugin failures


def install_plugin(site: Path, name: str, body: str, distribution: str | None = None) -> None:
    """A plugin module ``<name>_plugin`` defining ``backend`` after ``body``, registered as ``name``."""
    module = f"{distribution or name}_plugin"
    (site / f"{module}.py").write_text("from fxn.backends.base import Backend, Target\n\n" + body)
    info = site / f"{distribution or name}_backend-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution or name}-backend\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[fxn.backends]\n{name} = {module}:backend\n")


TOY_TARGET = "Target('toy', 'x86_64-unknown-linux-gnu', 'haswell', ('avx2', 'fma'), 256)"
PREDICTOR = "import fxn\n\n@fxn.compile\ndef double(x: fxn.Tensor[fxn.f32, 4]):\n    return x + x\n"


def fxn_cli(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    fxn = str(Path(sys.executable).parent / "fxn")
    return subprocess.run([fxn, *args], env=env, capture_output=True, text=True, cwd=cwd)


def test_a_plugin_that_raises_in_a_hook_is_named_in_one_error_line(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", "class Toy(Backend):\n    def target(self, **options):\n"
                                "        raise RuntimeError('no licence server')\n\nbackend = Toy('toy', 'toy')\n")
    (tmp_path / "p.py").write_text(PREDICTOR)
    result = fxn_cli(site, "compile", "p.py", "--target", "toy", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "backend 'toy' (toy_plugin) failed in target(): RuntimeError: no licence server" in result.stderr


def test_a_plugin_without_a_build_hook_says_so(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                "backend = Toy('toy', 'toy')\n")
    (tmp_path / "p.py").write_text(PREDICTOR)
    result = fxn_cli(site, "compile", "p.py", "--target", "toy", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "backend 'toy' cannot build artifacts" in result.stderr
    result = fxn_cli(site, "compile", "p.py", "--target", "toy:cpu=x", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_a_plugin_lowering_that_raises_is_reported_at_the_op(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", "def broken(op, target):\n    raise KeyError('vector unit')\n\n"
                                f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                "backend = Toy('toy', 'toy', lowerings={'fxn.add': broken})\n")
    (tmp_path / "p.py").write_text(PREDICTOR)
    result = fxn_cli(site, "inspect", "p.py", "--target", "toy", "--stage", "lowered", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "p.py:5" in result.stderr
    assert "backend 'toy' (toy_plugin) failed to lower fxn.add: KeyError: 'vector unit'" in result.stderr


def test_a_plugin_lowering_table_is_used_for_its_target(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", "from fxn.mlir import arith\nfrom fxn.passes.lowering import load_lowerings\n\n"
                                "def add_as_sub(op, target):\n"
                                "    return load_lowerings()['fxn.sub'](op, target)\n\n"
                                f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                "backend = Toy('toy', 'toy', lowerings={'fxn.add': add_as_sub})\n")
    (tmp_path / "p.py").write_text(PREDICTOR)
    result = fxn_cli(site, "inspect", "p.py", "--target", "toy", "--stage", "lowered", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "arith.subf" in result.stdout and "arith.addf" not in result.stdout
    result = fxn_cli(site, "run", "p.py", "--target", "toy", "--arg", "x=[1, 2, 3, 4]", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[0.0, 0.0, 0.0, 0.0]"  # x - x: the toy target's lowering ran, in process


def test_an_element_type_the_target_does_not_declare_is_refused_at_the_op(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    f32_only = "Target('toy', 'x86_64-unknown-linux-gnu', 'haswell', ('avx2', 'fma'), 256, dtypes=('f32',))"
    install_plugin(site, "toy", f"class Toy(Backend):\n    def target(self, **options):\n        return {f32_only}\n\n"
                                "backend = Toy('toy', 'toy')\n")
    (tmp_path / "p.py").write_text(PREDICTOR + "\n\n@fxn.compile\ndef halve(x: fxn.Tensor[fxn.f16, 4]):\n"
                                                "    return x * 0.5\n")
    result = fxn_cli(site, "run", "p.py", "--target", "toy", "--predictor", "double", "--arg", "x=[1, 2, 3, 4]",
                     "--json", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "[2.0, 4.0, 6.0, 8.0]", result.stderr
    for command in (["run", "--arg", "x=[1, 2, 3, 4]"], ["inspect", "--stage", "lowered"]):
        result = fxn_cli(site, command[0], "p.py", "--target", "toy", "--predictor", "halve", *command[1:],
                         cwd=tmp_path)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "p.py:10" in result.stderr, result.stderr
        assert "target 'toy' does not support element type f16 (its element types: f32)" in result.stderr


UNIT_ROWS = "import fxn\n\n@fxn.compile\ndef f(x: fxn.Tensor[fxn.f32, 1, 4]):\n    return (x + x) * x\n"


def test_a_plugins_pipeline_hooks_run_around_their_stage(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                "    def pipeline_hooks(self, target):\n"
                                "        return {'after:lowered': 'linalg-fold-unit-extent-dims',\n"
                                "                'before:llvm': 'canonicalize'}\n\n"
                                "backend = Toy('toy', 'toy')\n")
    (tmp_path / "p.py").write_text(UNIT_ROWS)
    result = fxn_cli(site, "inspect", "p.py", "--target", "toy", "--stage", "lowered", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tensor.collapse_shape" in result.stdout  # the unit dim is folded away by the hook
    plain = fxn_cli(site, "inspect", "p.py", "--stage", "lowered", cwd=tmp_path)
    assert plain.returncode == 0 and "tensor.collapse_shape" not in plain.stdout
    result = fxn_cli(site, "run", "p.py", "--target", "toy", "--arg", "x=[[1, 2, 3, 4]]", "--json", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "[[2.0, 8.0, 18.0, 32.0]]", result.stderr
    program = subprocess.run([sys.executable, "-c", "from fxn.compiler import pipeline_text; "
                              "print(pipeline_text('toy', ('lowered', 'llvm')))"],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(site)})
    text = program.stdout.strip()
    assert text.index("fxn-lower-to-linalg{target=toy}") < text.index("linalg-fold-unit-extent-dims,") \
        < text.index(",canonicalize,func.func(convert-linalg-to-loops)"), text


def test_a_hook_naming_no_pass_is_an_error_naming_the_plugin(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                "    def pipeline_hooks(self, target):\n"
                                "        return {'after:lowered': 'no-such-pass'}\n\n"
                                "backend = Toy('toy', 'toy')\n")
    (tmp_path / "p.py").write_text(UNIT_ROWS)
    result = fxn_cli(site, "inspect", "p.py", "--target", "toy", "--stage", "lowered", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("backend 'toy' (toy_plugin): pipeline hook 'after:lowered' is not a pass pipeline: 'no-such-pass' does "
            "not refer to a registered pass") in result.stderr, result.stderr


def test_two_plugins_registering_one_name_are_an_error_naming_both(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    body = f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\nbackend = Toy('toy', 'toy')\n"
    install_plugin(site, "toy", body, distribution="first")
    install_plugin(site, "toy", body, distribution="second")
    result = subprocess.run([FXN_OPT, "--list-backends"], env={**os.environ, "PYTHONPATH": str(site)},
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "the name 'toy' is registered twice, by first_plugin:backend and second_plugin:backend" in result.stdout
    (tmp_path / "p.py").write_text(PREDICTOR)
    run = fxn_cli(site, "compile", "p.py", "--target", "toy", "-o", "out", cwd=tmp_path)
    assert run.returncode == 1 and "registered twice" in run.stderr and "Traceback" not in run.stderr


def test_unknown_targets_and_options_are_clear_errors(tmp_path):
    (tmp_path / "p.py").write_text(PREDICTOR)
    site = tmp_path / "site"
    site.mkdir()
    for spec, message in [("nosuch", "no backend 'nosuch' (installed: "),
                          ("avx:cpu=pentium", "option cpu=pentium is not one of"),
                          ("avx:speed=9", "target 'avx' has no option 'speed' (options: cpu)"),
                          ("avx:cpu", "option 'cpu' is not key=value")]:
        result = fxn_cli(site, "compile", "p.py", "--target", spec, "-o", "out", cwd=tmp_path)
        assert result.returncode == 1 and message in result.stderr, (spec, result.stderr)
        assert "Traceback" not in result.stderr
