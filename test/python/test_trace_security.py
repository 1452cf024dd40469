"""While fxn traces a predictor, the predictor's effects on the world are refused, naming its file and line.

Files, other programs, the network, ctypes, imports outside the allow-list
and eval/exec/compile are always refused; reading the clock, the global
random state, the environment and OS randomness are refused unless the predictor opts in
with ``allow_trace_effects=True``, which lists them. Each effect is tried on
the three capture paths: make_fx (torch code), TorchDynamo (NumPy code) and
the AST path (a loop over a run-time range, its body captured by make_fx).
"""

import importlib.util
import json
import os
import pathlib
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
import torch

import fxn
from fxn.frontend import UnsupportedOperation, sandbox
from frontend_harness import line_of, traced

# TorchDynamo warns about each builtin it cannot trace before it refuses it.
pytestmark = pytest.mark.filterwarnings("ignore:Dynamo does not know how to trace:UserWarning")

X = np.ones(3, np.float32)

# Each path's predictor, with the effect as the statement at EFFECT.
HEADER = """\
import ctypes, datetime, importlib, os, random, secrets, socket, subprocess, time, uuid
import numpy as np
import torch
import fxn
from trace_security_helpers import draw
SYSTEM = ctypes.CDLL(None).system  # a C function resolved when the module is imported, called while tracing
"""
PATHS = {
    "fx": HEADER + """
def predictor(x: fxn.Tensor[fxn.f32, 3]):
    EFFECT
    return x + 1
""",
    "dynamo": HEADER + """
def predictor(x: fxn.Tensor[fxn.f32, 3]):
    EFFECT
    return np.exp(x) + 1
""",
    "loop": HEADER + """
def predictor(x: fxn.Tensor[fxn.f32, 3], n: int):
    r = x
    for i in range(n):
        EFFECT
        r = r + 1
    return r
""",
}
HELPERS = """\
import numpy as np


def draw():
    return np.random.rand(3)
"""
HELPER_DRAW_LINE = 5

# (name, statement, category named in the message, paths). {data}, {target}, {port} are filled in.
EFFECTS = [
    ("open_read", "open({data!r}).read()", "file system access", "fx dynamo loop"),
    ("open_write", "open({target!r}, 'w').write('x')", "file system access", "fx dynamo loop"),
    ("os_system", "os.system('touch ' + {target!r})", "running other programs", "fx dynamo loop"),
    ("subprocess_run", "subprocess.run(['touch', {target!r}])", "running other programs", "fx dynamo loop"),
    ("socket_connect", "socket.create_connection(('127.0.0.1', {port}), timeout=1)", "network access",
     "fx dynamo loop"),
    ("ctypes_cdll", "ctypes.CDLL('libc.so.6')", "ctypes", "fx dynamo loop"),
    # Calling a C function through ctypes raises no audit event on POSIX: refused by name, before the code runs.
    ("ctypes_function", "SYSTEM(('touch ' + {target!r}).encode())", "ctypes", "fx dynamo loop"),
    ("ctypes_memset", "ctypes.memset(ctypes.c_void_p(0), 0, 0)", "ctypes", "fx dynamo loop"),
    # torch.save writes through C++, which raises no audit event before the file is written.
    ("torch_save", "torch.save(x, {target!r})", "file system access", "fx dynamo loop"),
    ("torch_save_dict", "torch.save({{'a': 1}}, {target!r})", "file system access", "fx dynamo loop"),
    ("import_socket", "import socket", "importing modules", "fx dynamo loop"),
    ("import_module", "importlib.import_module('os')", "importing modules", "fx dynamo loop"),
    ("eval", "eval('1 + 2')", "eval, exec and compile", "fx dynamo loop"),
    ("exec", "exec('y = 1')", "eval, exec and compile", "fx dynamo loop"),
    ("time", "time.time()", "reading the clock", "fx dynamo loop"),
    ("datetime", "datetime.datetime.now()", "reading the clock", "fx dynamo loop"),
    ("random", "random.random()", "drawing from the global random state", "fx dynamo loop"),
    # NumPy code is TorchDynamo's, where np.random.rand is an op of the graph (see below): a helper draws.
    ("np_random", "draw()", "drawing from the global random state", "fx loop"),
    ("environ", "os.environ['HOME']", "reading the environment", "fx dynamo loop"),
    ("getenv", "os.getenv('HOME')", "reading the environment", "fx dynamo loop"),
    ("uuid", "uuid.uuid4()", "reading OS randomness", "fx dynamo loop"),
    ("secrets", "secrets.token_hex(4)", "reading OS randomness", "fx dynamo loop"),
]
CASES = [pytest.param(name, statement, category, path, id=f"{name}-{path}")
         for name, statement, category, paths in EFFECTS for path in paths.split()]


@pytest.fixture(scope="module")
def predictor_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("predictors")
    (directory / "trace_security_helpers.py").write_text(HELPERS)
    (directory / "data.txt").write_text("secret\n")
    sys.path.insert(0, str(directory))
    yield directory
    sys.path.remove(str(directory))


@pytest.fixture
def server():
    """A listening socket on 127.0.0.1 that nobody may connect to."""
    with socket.create_server(("127.0.0.1", 0)) as listening:
        listening.settimeout(0)
        yield listening


def load_predictor(directory, name: str, source: str):
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as an imported predictor file is
    spec.loader.exec_module(module)
    return module.predictor, str(path)


def arguments(path: str) -> list:
    return [X, 3] if path == "loop" else [X]


@pytest.mark.parametrize("name, statement, category, path", CASES)
def test_effect_is_refused_at_the_predictors_line(predictor_dir, server, name, statement, category, path):
    target = predictor_dir / f"created_by_{name}_{path}"
    effect = statement.format(data=str(predictor_dir / "data.txt"), target=str(target), port=server.getsockname()[1])
    predictor, filename = load_predictor(predictor_dir, f"p_{name}_{path}", PATHS[path].replace("EFFECT", effect))
    line = effect_line(path)
    if name == "np_random":
        filename, line = str(predictor_dir / "trace_security_helpers.py"), HELPER_DRAW_LINE
    where = f"^{re.escape(filename)}:{line}: "
    with pytest.raises(UnsupportedOperation, match=f"{where}fxn refuses {category} while tracing: "):
        traced(predictor, *arguments(path))
    assert not target.exists()  # nothing the predictor tried to write was written
    with pytest.raises(BlockingIOError):
        server.accept()  # nobody connected


@pytest.mark.parametrize("path, capture", [("fx", "fx"), ("dynamo", "dynamo"), ("loop", "ast")])
def test_each_template_takes_its_capture_path(predictor_dir, path, capture):
    predictor, _ = load_predictor(predictor_dir, f"p_pass_{path}", PATHS[path].replace("EFFECT", "pass"))
    assert traced(predictor, *arguments(path)).capture == capture


def effect_line(path: str) -> int:
    return next(i for i, line in enumerate(PATHS[path].splitlines(), 1) if "EFFECT" in line)


def test_message_names_what_was_attempted(predictor_dir):
    source = PATHS["fx"].replace("EFFECT", "open('/etc/passwd')")
    predictor, filename = load_predictor(predictor_dir, "p_passwd", source)
    with pytest.raises(UnsupportedOperation) as error:
        traced(predictor, X)
    line = effect_line("fx")
    assert str(error.value) == (
        f"{filename}:{line}: fxn refuses file system access while tracing: open('/etc/passwd', 'r'); compiled "
        "predictors read only what is passed to them: read the data before calling the predictor and pass it as an "
        "argument")
    assert (error.value.filename, error.value.line, error.value.column) == (filename, line, 5)


def test_numpy_random_in_numpy_code_is_an_op_fxn_has_not(predictor_dir):
    """TorchDynamo makes ``np.random.rand`` an op of the graph (drawn at run time, not baked in): fxn has none."""
    predictor, filename = load_predictor(predictor_dir, "p_np_random_dynamo",
                                         PATHS["dynamo"].replace("EFFECT", "x = x + np.random.rand(3)"))
    where = f"^{re.escape(filename)}:{effect_line('dynamo')}: "
    with pytest.raises(UnsupportedOperation, match=where + "fxn cannot compile .*NumPy's random numbers .* are not "
                                                           "supported in code using NumPy"):
        traced(predictor, X)


@pytest.mark.parametrize("allow", [False, True])
@pytest.mark.parametrize("statement", ["s = np.random.default_rng(0).standard_normal()",
                                       "s = np.random.default_rng(0).standard_normal(3)"])
def test_numpy_generators_in_numpy_code_are_unsupported_at_their_line(predictor_dir, statement, allow):
    """TorchDynamo has no seeded NumPy generator: fxn says so at the line, not in Dynamo's words."""
    name = f"p_np_generator_{len(statement)}_{allow}"  # one file each: source is cached by file name
    predictor, filename = load_predictor(predictor_dir, name, PATHS["dynamo"].replace("EFFECT", statement))
    where = f"^{re.escape(filename)}:{effect_line('dynamo')}: "
    with pytest.raises(UnsupportedOperation, match=where + "fxn cannot compile .*NumPy's random numbers"):
        fxn.compile(allow_trace_effects=allow)(predictor)(X)


@pytest.mark.parametrize("statement, category", [
    ("s = float(np.random.rand())", "drawing from the global random state"),
    ("t = time.time()", "reading the clock"),
])
def test_allowed_readings_dynamo_cannot_trace_are_unsupported_at_their_line(predictor_dir, statement, category):
    """With the opt-in, a reading in NumPy code (TorchDynamo) is no refusal but cannot be traced: fxn says so."""
    source = PATHS["dynamo"].replace("EFFECT", statement)
    predictor, filename = load_predictor(predictor_dir, f"p_allowed_dynamo_{category[-5:]}", source)
    where = f"^{re.escape(filename)}:{effect_line('dynamo')}: "
    with pytest.raises(UnsupportedOperation, match=where + f"fxn cannot compile '.*': {category} is allowed with "
                                                           "allow_trace_effects only where fxn runs the code"):
        fxn.compile(allow_trace_effects=True)(predictor)(X)


# ----------------------------------------------------------------------------
# Whose effect: the predictor's, through libraries; not fxn's or torch's own work.

DATA = "/nonexistent/fxn-test-data.pt"  # refused before it is opened


def helper_opening(path):
    return open(path).read()


def opens_in_a_helper(x: torch.Tensor):
    return x + len(helper_opening(DATA))


def opens_through_pathlib(x: torch.Tensor):
    return x + len(pathlib.Path(DATA).read_text())


def loads_with_torch(x: torch.Tensor):
    return x + torch.load(DATA)


def swallows_the_refusal(x: torch.Tensor):
    try:
        open(DATA)
    except Exception:
        pass
    return x + 1


@pytest.mark.parametrize("fn, located_in, text, refused", [
    (opens_in_a_helper, helper_opening, "open(path)", f"file system access while tracing: open({DATA!r}, 'r');"),
    (opens_through_pathlib, opens_through_pathlib, "read_text",
     f"file system access while tracing: open({DATA!r}, 'r') (in 'pathlib.Path(DATA).read_text()');"),
    # torch.load reads the environment (its TORCH_* settings) before it opens the file.
    (loads_with_torch, loads_with_torch, "torch.load", "reading the environment while tracing: torch.load(DATA);"),
    (swallows_the_refusal, swallows_the_refusal, "open(DATA)",
     f"file system access while tracing: open({DATA!r}, 'r');"),
])
def test_the_effect_is_the_predictors_whoever_carries_it_out(fn, located_in, text, refused):
    where = f"{fn.__code__.co_filename}:{line_of(located_in, text)}: "
    with pytest.raises(UnsupportedOperation, match="^" + re.escape(f"{where}fxn refuses {refused}")):
        traced(fn, np.ones((2, 2), np.float32))


def imports_graphlib():
    import graphlib  # a module nothing loads: importing it raises an audit event
    return len(graphlib.__name__)


def torch_importing_helper(x: torch.Tensor):
    return x + imports_graphlib()


def numpy_importing_helper(x: fxn.Tensor[fxn.f32, 3]):
    return np.exp(x) + imports_graphlib()


@pytest.mark.parametrize("fn", [torch_importing_helper, numpy_importing_helper], ids=["fx", "dynamo"])
def test_a_helper_importing_a_module_is_refused_at_its_import(fn):
    """TorchDynamo carries out an interpreted ``import`` for real: the import is still the helper's."""
    if "graphlib" in sys.modules:
        pytest.skip("graphlib is loaded already: importing it raises no audit event")
    where = re.escape(f"{fn.__code__.co_filename}:{line_of(imports_graphlib, 'import graphlib')}: ")
    refused = "fxn refuses importing modules while tracing: import graphlib"
    with pytest.raises(UnsupportedOperation, match=f"^{where}{refused}"):
        traced(fn, X)
    assert "graphlib" not in sys.modules


def warns_and_resizes(x: torch.Tensor):
    warnings.warn("a predictor may warn", stacklevel=1)
    import math
    return torch.nn.functional.interpolate(x[None, None], scale_factor=2.0, mode="bilinear") * math.pi


def test_fxn_and_torch_doing_their_own_work_is_not_refused():
    """Lazy imports, source read for locations, a warning (a diagnostic), an allowed import: nothing refused."""
    with pytest.warns(UserWarning, match="a predictor may warn"):
        assert traced(warns_and_resizes, np.ones((2, 2), np.float32)).capture == "fx"


# ----------------------------------------------------------------------------
# allow_trace_effects=True: readings are allowed, baked in and listed.


def draw_in_helper():
    return np.random.rand()


def reads_the_world(x: fxn.Tensor[fxn.f32, 3]):
    now = time.time()
    noise = random.random()
    drawn = draw_in_helper()
    scale = float(os.environ["FXN_TEST_SCALE"])
    return x * scale + (now - now) + noise * 0 + drawn * 0


def numpy_reads_the_environment(x: fxn.Tensor[fxn.f32, 3]):
    return np.exp(x) * float(os.getenv("FXN_TEST_SCALE"))


def test_allowed_readings_are_baked_in_and_listed(monkeypatch):
    monkeypatch.setenv("FXN_TEST_SCALE", "3")
    compiled = fxn.compile(allow_trace_effects=True)(reads_the_world)
    np.testing.assert_allclose(compiled(X), X * 3)
    monkeypatch.setenv("FXN_TEST_SCALE", "5")
    np.testing.assert_allclose(compiled(X), X * 3)  # the value seen while tracing
    here = reads_the_world.__code__.co_filename
    assert compiled.concrete_functions[0].lowered.traced.trace_effects == [
        f"time.time() at {here}:{line_of(reads_the_world, 'time.time()')} (value baked in)",
        f"random.random() at {here}:{line_of(reads_the_world, 'random.random()')} (value baked in)",
        f"os.environ[\"FXN_TEST_SCALE\"] at {here}:{line_of(reads_the_world, 'environ')} (value baked in)",
        f"np.random.rand() at {here}:{line_of(draw_in_helper, 'np.random.rand()')} (value baked in)",
    ]


def test_allowed_environment_reading_under_dynamo(monkeypatch):
    monkeypatch.setenv("FXN_TEST_SCALE", "2")
    compiled = fxn.compile(allow_trace_effects=True)(numpy_reads_the_environment)
    np.testing.assert_allclose(compiled(X), np.exp(X) * 2, rtol=1e-6)
    here = numpy_reads_the_environment.__code__.co_filename
    line = line_of(numpy_reads_the_environment, "getenv")
    assert compiled.concrete_functions[0].lowered.traced.trace_effects == [
        f"os.getenv(\"FXN_TEST_SCALE\") at {here}:{line} (value baked in)"]


def test_without_the_opt_in_readings_are_refused_at_the_call(monkeypatch):
    monkeypatch.setenv("FXN_TEST_SCALE", "3")
    where = re.escape(f"{reads_the_world.__code__.co_filename}:{line_of(reads_the_world, 'time.time()')}: ")
    with pytest.raises(UnsupportedOperation, match=f"^{where}fxn refuses reading the clock while tracing: time.time"):
        fxn.compile(reads_the_world)(X)


def test_escapes_are_refused_even_with_the_opt_in():
    with pytest.raises(UnsupportedOperation, match="fxn refuses file system access"):
        fxn.compile(allow_trace_effects=True)(swallows_the_refusal)(np.ones((2, 2), np.float32))


def test_ordinary_predictors_list_no_effects():
    def scaled(x: fxn.Tensor[fxn.f32, 3]):
        return x * 2

    compiled = fxn.compile(scaled)
    np.testing.assert_allclose(compiled(X), X * 2)
    assert compiled.concrete_functions[0].lowered.traced.trace_effects == []


# ----------------------------------------------------------------------------
# Threads: a tracing thread is sandboxed alone, the others are not.

INSIDE = {name: threading.Event() for name in ("refused", "allowed", "traced")}
RELEASE = threading.Event()


def inside(name: str):
    """Say the predictor runs, and wait until the free thread is done (Event.wait reads no clock in Python)."""
    INSIDE[name].set()
    RELEASE.wait(timeout=30)


def reads_the_clock_refused():
    inside("refused")
    return time.time()


def reads_the_clock_allowed():
    inside("allowed")
    return time.time()


def traced_while_others_run(x: torch.Tensor):
    inside("traced")
    return x + 1


def in_sandbox(fn, allow: bool):
    with sandbox.tracing(fn, allow) as session, sandbox.running_predictor():
        fn()
    return session.effects


def test_each_thread_has_its_own_sandbox():
    """While three threads are inside their predictors, a fourth reads a file and the clock."""
    for event in [*INSIDE.values(), RELEASE]:
        event.clear()
    results = {}

    def run(name, work):
        try:
            results[name] = work()
        except Exception as error:  # noqa: BLE001 (checked below)
            results[name] = error

    def free_thread():
        assert all(event.wait(timeout=30) for event in INSIDE.values())
        try:
            return open(__file__).readline(), time.time()
        finally:
            RELEASE.set()

    threads = [threading.Thread(target=run, args=args) for args in [
        ("refused", lambda: in_sandbox(reads_the_clock_refused, False)),
        ("allowed", lambda: in_sandbox(reads_the_clock_allowed, True)),
        ("traced", lambda: traced(traced_while_others_run, X)),
        ("free", free_thread),
    ]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results["free"][0].startswith('"""While fxn traces')
    assert isinstance(results["refused"], UnsupportedOperation), results["refused"]
    assert "fxn refuses reading the clock while tracing: time.time()" in str(results["refused"])
    line = line_of(reads_the_clock_allowed, "time.time()")
    assert results["allowed"] == [f"time.time() at {__file__}:{line} (value baked in)"]
    assert results["traced"].capture == "fx"


# ----------------------------------------------------------------------------
# The command line.

FXN = str(pathlib.Path(sys.executable).parent / "fxn")


def test_fxn_inspect_reports_the_refusal_in_one_line(tmp_path):
    path = tmp_path / "reads_passwd.py"
    path.write_text("import fxn\n\n\n@fxn.compile\ndef predictor(x: fxn.Tensor[fxn.f32, 3]):\n"
                    "    return x + len(open('/etc/passwd').read())\n")
    result = subprocess.run([FXN, "inspect", str(path), "--stage", "fxn"], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == (f"fxn: error: {path}:6: fxn refuses file system access while tracing: "
                             "open('/etc/passwd', 'r'); compiled predictors read only what is passed to them: read "
                             "the data before calling the predictor and pass it as an argument\n")


def test_fxn_inspect_refuses_torch_save_before_it_writes(tmp_path):
    target = tmp_path / "saved.pt"
    path = tmp_path / "saves.py"
    path.write_text(f"import torch\nimport fxn\n\n\n@fxn.compile\ndef predictor(x: fxn.Tensor[fxn.f32, 3]):\n"
                    f"    torch.save({{'a': 1}}, {str(target)!r})\n    return x + 1\n")
    result = subprocess.run([FXN, "inspect", str(path), "--stage", "fxn"], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"fxn: error: {path}:7: fxn refuses file system access while tracing: torch.save(")
    assert not target.exists()


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")
def test_the_manifest_lists_what_tracing_baked_in(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from fxn.cli import cli

    monkeypatch.setenv("FXN_TEST_SCALE", "4")
    source = tmp_path / "scaled.py"
    source.write_text("import os\nimport fxn\n\n@fxn.compile(allow_trace_effects=True)\n"
                      "def scaled(x: fxn.Tensor[fxn.f32, 3]):\n    return x * float(os.environ['FXN_TEST_SCALE'])\n\n"
                      "@fxn.compile\ndef plain(x: fxn.Tensor[fxn.f32, 3]):\n    return x + 1.0\n")
    result = CliRunner().invoke(cli, ["compile", str(source), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    scaled, plain = json.loads((tmp_path / "scaled.json").read_text())["predictors"]
    assert scaled["trace_effects"] == [f"os.environ['FXN_TEST_SCALE'] at {source}:6 (value baked in)"]
    assert plain["trace_effects"] == []
