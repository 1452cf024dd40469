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
    assert text.index("fxn-lower-to-linalg{target=toy bounds-check=true}") < text.index("linalg-fold-unit-extent-dims,") \
        < text.index(",canonicalize,fxn-lower-vector-contractions,fxn-expand-strided-copies,"), text


OWN_TARGET = TOY_TARGET.replace("'toy'", "'own'")


def test_a_plugin_extends_or_replaces_the_optimization_of_the_fxn_ir(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                "    def pipeline_hooks(self, target):\n"
                                "        return {'before:optimized': 'fxn-fuse-fma', 'after:optimized': 'canonicalize'}\n\n"
                                "class Own(Toy):\n"
                                "    def target(self, **options):\n"
                                f"        return {OWN_TARGET}\n\n"
                                "    def pipeline_hooks(self, target):\n"
                                "        return {'optimized': 'cse'}\n\n"
                                "backend = Toy('toy', 'toy')\nown = Own('own', 'own')\n")
    (site / "toy_backend-1.0.dist-info" / "entry_points.txt").write_text(
        "[fxn.backends]\ntoy = toy_plugin:backend\nown = toy_plugin:own\n")
    (tmp_path / "p.py").write_text(UNIT_ROWS)
    program = subprocess.run([sys.executable, "-c", "from fxn.compiler import optimization_pipeline as o; "
                              "print(o('toy')); print(o('own', fast_math=True)); print(o('host', fast_math=True))"],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(site)})
    assert program.stdout.splitlines() == [
        "builtin.module(fxn-fuse-fma,fxn-optimize{contract=false},canonicalize)",
        "builtin.module(cse)",
        "builtin.module(fxn-optimize{contract=true})",
    ], program.stderr
    # The hooks run where a predictor compiles: (x + x) * x has no add of a product, so it keeps its ops.
    result = fxn_cli(site, "inspect", "p.py", "--target", "toy", "--stage", "optimized", cwd=tmp_path)
    assert result.returncode == 0 and '"fxn.mul"' in result.stdout, result.stderr


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


# ----------------------------------------------------------------------------- a vendor's mistakes, each named

#: A toy backend of this machine's x86 whose fxn.add lowering is ``LOWERING`` and whose hooks are ``HOOKS``.
TOY_WITH = """
from fxn.mlir import arith, tensor
from fxn import toolchain


class Toy(Backend):
    def target(self, **options):
        return {target}
{hooks}

def lower(op, target):
{lowering}


backend = Toy('toy', 'toy', lowerings={{{key!r}: lower}})
"""
DOUBLE = "import fxn\n\n@fxn.compile\ndef double(x: fxn.Tensor[fxn.f32, 'N']):\n    return x + x\n"


def toy_site(tmp_path: Path, lowering: str = "    return load_lowerings()['fxn.add'](op, target)",
             hooks: str = "", key: str = "fxn.add", target: str = TOY_TARGET, name: str = "toy") -> Path:
    site = tmp_path / "site"
    site.mkdir()
    body = "from fxn.passes.lowering import load_lowerings\n" + TOY_WITH.format(
        target=target, hooks=hooks, lowering=lowering, key=key)
    install_plugin(site, name, body)
    (tmp_path / "p.py").write_text(DOUBLE)
    return site


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0 and "Traceback" not in result.stderr and "internal error" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


#: A lowering of fxn.add returning an i32 tensor, and one building an f32 add of an i32 constant.
WRONG_TYPE = "    return tensor.EmptyOp([4], arith.IntegerType.get_signless(32)).result"
INVALID_IR = "    return arith.addf(op.operands[0], arith.constant(arith.IntegerType.get_signless(32), 1))"


def test_a_lowering_of_the_wrong_type_or_invalid_ir_is_named_at_the_op(tmp_path):
    for folder, lowering, message in [
        ("type", WRONG_TYPE, "backend 'toy' (toy_plugin)'s lowering of fxn.add returned a tensor<4xi32>, not the "
                             "op's tensor<?xf32>"),
        ("ir", INVALID_IR, "the IR is invalid after backend 'toy' (toy_plugin)'s lowerings of fxn.add: 'arith.addf' "
                           "op operand #1 must be floating-point-like, but got 'i32'"),
    ]:
        (tmp_path / folder).mkdir()
        site = toy_site(tmp_path / folder, lowering)
        result = fxn_cli(site, "inspect", "p.py", "--target", "toy", "--stage", "lowered", cwd=tmp_path / folder)
        assert_one_line_error(result, "p.py:5", message)


def test_a_lowering_for_an_op_fxn_does_not_have_is_an_error(tmp_path):
    site = toy_site(tmp_path, key="fxn.relu6")
    result = fxn_cli(site, "run", "p.py", "--target", "toy", "--arg", "x=[1, 2]", cwd=tmp_path)
    assert_one_line_error(result, "backend 'toy' (toy_plugin) has lowerings for fxn.relu6, which fxn has no op named")


BUILDS = {
    "a str": "        return str(directory / 'libx.so')",
    "a path it did not write": "        return [directory / 'libnothing.so']",
    "nothing": "        return []",
}


def test_what_build_returns_is_checked(tmp_path):
    messages = {"a str": "build() returned a str, not a list of the files it wrote",
                "a path it did not write": "libnothing.so, which is not a file it wrote",
                "nothing": "build() wrote no file"}
    for index, (what, body) in enumerate(BUILDS.items()):
        folder = tmp_path / str(index)
        folder.mkdir()
        hooks = f"\n    def build(self, modules, directory, stem, exported, target):\n{body}\n"
        site = toy_site(folder, hooks=hooks)
        result = fxn_cli(site, "compile", "p.py", "--target", "toy", "-o", "out", cwd=folder)
        assert_one_line_error(result, "backend 'toy' (toy_plugin): ", messages[what])


def test_a_target_that_is_not_a_target_keeps_the_listing_and_a_raising_runner_is_reported(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "toy", "class Toy(Backend):\n    def target(self, **options):\n        return {'triple': 'x'}\n\n"
                                "backend = Toy('toy', 'toy')\n")
    install_plugin(site, "slow", "class Slow(Backend):\n    def target(self, **options):\n"
                                 "        return Target('slow', 'mips-unknown-linux-gnu', 'generic')\n\n"
                                 "    def runner(self, target):\n        raise OSError('no emulator licence')\n\n"
                                 "backend = Slow('slow', 'slow')\n")
    result = subprocess.run([FXN_OPT, "--list-backends"], env={**os.environ, "PYTHONPATH": str(site)},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "target: backend 'toy' (toy_plugin) gave a dict for a target, not an fxn.backends.base.Target" \
        in result.stdout
    assert "runs here: unknown (backend 'slow' (slow_plugin) failed in runner(): OSError: no emulator licence)" \
        in result.stdout
    assert any(line.split()[:1] == ["avx"] for line in result.stdout.splitlines())  # the others are still listed
    conformance = subprocess.run([sys.executable, "-m", "fxn.testing.conformance", "--target", "slow"],
                                 env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True)
    assert conformance.returncode == 2
    assert "failed in runner(): OSError: no emulator licence" in conformance.stderr


def test_names_fxn_reserves_or_that_disagree_are_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "host", f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                 "backend = Toy('host', 'toy')\n")
    install_plugin(site, "acme", f"class Toy(Backend):\n    def target(self, **options):\n        return {TOY_TARGET}\n\n"
                                 "backend = Toy('toy', 'toy')\n")
    result = subprocess.run([FXN_OPT, "--list-backends"], env={**os.environ, "PYTHONPATH": str(site)},
                            capture_output=True, text=True)
    assert "failed to load: the name 'host' is reserved for this machine's target" in result.stdout
    assert ("failed to load: acme_plugin:backend is named 'toy' but registered as 'acme': give Backend(name=...) "
            "its entry point's name") in result.stdout


def test_an_option_given_twice_is_refused(tmp_path):
    from fxn.backends import parse_target_spec
    from fxn.backends.base import TargetError
    import pytest

    with pytest.raises(TargetError, match="option 'cpu' is given twice"):
        parse_target_spec("neon:cpu=cortex-a76,cpu=neoverse-n1")


def test_entry_points_are_found_as_importlib_metadata_finds_them(tmp_path, monkeypatch):
    from importlib.metadata import entry_points

    from fxn.backends import _entry_points

    install_fake_plugins(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for group in ("fxn.backends", "console_scripts"):
        expected = sorted((p.name, p.value) for p in entry_points(group=group))
        assert sorted((p.name, p.value) for p in _entry_points(group)) == expected
    assert "acme" in {p.name for p in _entry_points("fxn.backends")}
