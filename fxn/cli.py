"""The ``fxn`` command: user-facing tasks on predictors.

- ``fxn compile predictor.py [-o build/] [--target NAME ...]`` builds the
  module-level ``@fxn.compile`` predictors of a file for this machine or for
  each named target: the backend's artifact, a C header and a JSON manifest
  (:mod:`fxn.artifacts`);
- ``fxn inspect predictor.py --stage traced|fxn|optimized|lowered|llvm|asm``
  prints the stages of the compilation;
- ``fxn run predictor.py --arg x=3 --arg y='[1, 2]' [--target NAME] [--json]``
  compiles a predictor for a target and calls it once (in this process, or
  through the target's runner); a parameter declared as a container takes
  JSON lists and objects (``--arg 'cfg={"scale": 2, "bias": [1, 2]}'``);
- ``fxn interpret FILE.mlir --arg ...`` parses an fxn-dialect file,
  optionally runs a pass pipeline on it, and runs it in the reference
  interpreter.

Errors print as one located line ``fxn: error: ...`` and exit 1, never as a
traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from pathlib import Path

import click

import fxn

#: A message that starts with its own location (``file.py:12:`` or ``file.py:12:5:``).
_LOCATED = re.compile(r"[^\s:]+:\d+:")


def _fail(message: str):
    click.echo(f"fxn: error: {message}", err=True)
    sys.exit(1)


def _parse_arg(text: str):
    """A scalar or a (nested) JSON list."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        _fail(f"--arg '{text}' is neither a number nor a JSON list")


def _format_result(index: int, result) -> str:
    import numpy as np

    if not isinstance(result, np.ndarray):
        return f"result #{index}: {result!r}"
    return (f"result #{index}: {np.array2string(result, precision=6)}"
            f"  ({result.dtype}, shape {tuple(result.shape)})")


@click.group()
@click.version_option(fxn.__version__, prog_name="fxn")
def cli():
    """fxn: compile typed Python functions to native SIMD code through MLIR."""


def main():
    """Entry point: a bug in fxn prints one line, the traceback only with FXN_DEBUG=1."""
    try:
        cli()
    except Exception as error:
        if os.environ.get("FXN_DEBUG"):
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (set FXN_DEBUG=1 for a traceback)")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--arg", "args", multiple=True, help="An input: a number or a JSON list (repeat in order).")
@click.option("--entry", default=None, help="The function to run (default: the first public one).")
@click.option("--pass-pipeline", default=None, help="A pipeline to run first, as for fxn-opt.")
@click.option("--print-ir", is_flag=True, help="Print the IR before and after the pipeline.")
def interpret(path, args, entry, pass_pipeline, print_ir):
    """Run an fxn-dialect function in the reference interpreter."""
    import numpy as np

    from fxn.diagnostics import DiagnosticCollector
    from fxn.dialects import new_context
    from fxn.interpreter import InterpreterError
    from fxn.interpreter import interpret as run
    from fxn.mlir import MLIRError
    from fxn.pipeline import PipelineError, build_pipeline
    from fxn.source import ParseError, parse_module

    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read()
    except OSError as error:
        _fail(f"could not open '{path}': {error.strerror}")
    context = new_context()
    sources = {path: text}  # diagnostics in it print its line and a caret, as mlir-opt's
    with DiagnosticCollector(context) as collector:
        try:
            module = parse_module(text, path, context)
            if print_ir:
                click.echo(f"// ----- {path} as parsed -----\n{module}")
            if pass_pipeline:
                pm, _ = build_pipeline(pass_pipeline, context)
                with context:
                    pm.run(module.operation)
                if print_ir:
                    click.echo(f"// ----- after {pass_pipeline} -----\n{module}")
            results = run(module, *[_parse_arg(a) for a in args], entry=entry)
        except ParseError as error:
            _fail("\n".join(d.format(path, sources) for d in error.diagnostics))
        except PipelineError as error:
            _fail(error.format())
        except MLIRError as error:
            collector.add_error(error)
            _fail("\n".join(d.format(path, sources) for d in collector.diagnostics))
        except InterpreterError as error:
            _fail(_located(str(error), sources))
        except TypeError as error:
            _fail(str(error))
    for index, result in enumerate(results if isinstance(results, tuple) else (results,)):
        click.echo(_format_result(index, np.asarray(result)))


def _located(message: str, sources: dict) -> str:
    """``file:line:col: message`` of one of ``sources`` printed as mlir-opt prints an error there; else as it is."""
    import re

    from fxn.diagnostics import Diagnostic

    match = re.match(r"(.+?):(\d+):(\d+): (.*)", message, re.DOTALL)
    if match is None or match[1] not in sources:
        return message
    return Diagnostic("error", match[4], match[1], int(match[2]), int(match[3])).format(sources=sources)


# ----------------------------------------------------------------------------- predictor files


def _load_predictors(path: str) -> list:
    """The module-level ``@fxn.compile`` objects of a Python file, as ``(variable, CompiledFunction)``."""
    import importlib.util
    import traceback

    from fxn.compiled import CompiledFunction

    if not os.path.isfile(path):
        _fail(f"could not open '{path}': no such file")
    # Python names the file by its absolute path in code objects; so do fxn's messages.
    path = str(Path(path).resolve())
    name = "_fxn_predictor_" + "".join(c if c.isalnum() else "_" for c in Path(path).stem)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(Path(path).parent))  # the predictor may import its neighbours
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        _fail(f"{path}:{error.lineno}:{error.offset}: {error.msg}")
    except Exception as error:  # the user's code failed while being imported: say where
        lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
        _fail(f"{path}:{lines[-1] if lines else 1}: {type(error).__name__}: {error}")
    predictors = [(var, obj) for var, obj in vars(module).items() if isinstance(obj, CompiledFunction)]
    if not predictors:
        _fail(f"{path}: no module-level @fxn.compile predictors")
    return predictors


def _select(predictors: list, names: tuple[str, ...], path: str) -> list:
    if not names:
        return predictors
    known = dict(predictors)
    for name in names:
        if name not in known:
            _fail(f"{path}: no predictor '{name}' (predictors: {', '.join(known)})")
    return [(name, known[name]) for name in names]


@contextlib.contextmanager
def _reported(where: str):
    """Turn what compiling a predictor can raise into one located ``fxn: error:`` line.

    ``where`` (``file:line`` of the predictor) locates messages that carry no
    location of their own; MLIR diagnostics keep theirs.
    """
    from fxn.diagnostics import from_mlir_error
    from fxn.mlir import MLIRError

    try:
        yield
    except MLIRError as error:
        diagnostic = from_mlir_error(error)[0]
        located = f"{diagnostic.filename}:{diagnostic.line}:{diagnostic.column}" if diagnostic.filename else where
        _fail(f"{located}: {diagnostic.message}")
    except (TypeError, ValueError, LookupError, RuntimeError, OSError) as error:
        message = str(error)
        _fail(message if _LOCATED.match(message) else f"{where}: {message}")


predictor_option = click.option(
    "--predictor", "names", multiple=True, help="A module-level predictor to use (repeatable; default: all)."
)


target_option = click.option(
    "--target", "targets", multiple=True,
    help="A target: NAME or NAME:key=value,... (see fxn-opt --list-backends; default: this machine).")


@cli.command(name="compile")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default="build", type=click.Path(file_okay=False), show_default=True,
              help="The directory to write the artifacts, header and manifest to.")
@target_option
def compile_command(path, output, targets):
    """Build a predictor file: the target's artifact, <stem>.h, <stem>.json.

    Without --target, for this machine, into OUTPUT; with --target
    (repeatable), one folder per target in OUTPUT, named after it.
    """
    from fxn.artifacts import build, target_folder
    from fxn.compiler import as_target

    predictors = _load_predictors(path)
    for spec in targets or ("host",):
        with _reported(path):
            _, target = as_target(spec)
            directory = Path(output) / target_folder(target) if targets else Path(output)
            artifacts = build(predictors, Path(path).stem, directory, source=Path(path).name,
                              source_path=Path(path), target=target)
        for written in artifacts.written():
            click.echo(f"wrote {written}")



@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--stage", "stages", multiple=True, help="A stage to print (repeatable; default: all): "
              "traced, fxn, optimized, lowered, llvm, asm.")
@click.option("--mlir-print-debuginfo", "debug_info", is_flag=True,
              help="Print each op's location (the user's file:line:col) in the MLIR stages.")
@predictor_option
@click.option("--target", "target", default="host", show_default=True,
              help="The target to compile for: NAME or NAME:key=value,...")
def inspect(path, stages, debug_info, names, target):
    """Print the stages of compiling a predictor file for a target (default: this machine)."""
    from fxn.compiled import STAGES

    for stage in stages:
        if stage not in STAGES:
            _fail(f"--stage '{stage}' is not one of {', '.join(STAGES)}")
    wanted = [s for s in STAGES if s in stages] or list(STAGES)
    predictors = _select(_load_predictors(path), names, path)
    headed = len(wanted) * len(predictors) > 1
    for variable, compiled in predictors:
        with _reported(compiled.location()):
            texts = _stage_texts(compiled, wanted, debug_info, target)
        for stage in wanted:
            if headed:
                click.echo(f"// ----- {variable}: {stage} -----")
            click.echo(texts[stage].rstrip("\n"))


def _stage_texts(compiled, wanted: list[str], debug_info: bool = False, target_spec: str = "host") -> dict[str, str]:
    """The IR of each wanted stage for a target, lowering only as far as they need."""
    from fxn.backends import call_hook
    from fxn.compiler import as_target
    from fxn.compiler import llvm_ir

    backend, target = as_target(target_spec)
    texts: dict[str, str] = {}
    last = wanted[-1] if wanted[-1] not in ("llvm", "asm") else None
    lowered = compiled.lower(compiled.declared_types(), target, texts, stop_after=last, debug_info=debug_info)
    if {"llvm", "asm"} & set(wanted):
        texts["llvm"] = llvm_ir(lowered.module)
    if "asm" in wanted:
        try:
            texts["asm"] = call_hook(backend, "assemble", texts["llvm"], target)
        except NotImplementedError as error:
            raise LookupError(str(error)) from None
    return texts


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--arg", "args", multiple=True,
              help="NAME=VALUE: a number or a JSON list, or any text for a str parameter (repeat per parameter).")
@click.option("--predictor", "name", default=None, help="The predictor to run (default: the file's only one).")
@click.option("--target", "target", default="host", show_default=True,
              help="Run code for this target: in this process, or through its backend's runner (qemu, wasmtime).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (one list or number per line).")
def run(path, args, name, target, as_json):
    """Compile a predictor for a target (default: this machine) and call it once."""
    predictors = _load_predictors(path)
    if name is None and len(predictors) > 1:
        _fail(f"{path} has several predictors ({', '.join(v for v, _ in predictors)}); choose one with --predictor")
    ((variable, compiled),) = _select(predictors, (name,) if name else (), path)
    values = _named_arguments(compiled, args, variable)
    from fxn.targets import run_on_target

    with _reported(compiled.location()):
        results = run_on_target(compiled, target, values)
    for index, result in enumerate(results):
        click.echo(_json_result(result) if as_json else _format_result(index, result))


def _json_result(result) -> str:
    """A result as one line of JSON: a number, or nested lists (NaN and infinities as JSON's extensions)."""
    import numpy as np

    return json.dumps(np.asarray(result).tolist())


def _array_argument(name: str, values: list, declared):
    """A JSON list as an array of the parameter's declared dtype: floats rounded, integers exact, else an error."""
    import numpy as np

    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nesting
        _fail(f"--arg {name}: {error}")
    if declared is None:
        return array
    if array.dtype.kind not in "biuf":
        _fail(f"--arg {name}: expected numbers for {declared}; got {values!r}")
    with np.errstate(all="ignore"):
        converted = array.astype(declared.numpy_dtype)
        if declared.is_float:  # rounded to nearest, but not to infinity
            lost = np.isinf(converted) & np.isfinite(array)
        else:
            lost = converted.astype(array.dtype) != array
    if np.any(lost):
        _fail(f"--arg {name}: {json.dumps(values)} does not fit {declared}")
    return converted


def _container_argument(name: str, value, container):
    """A JSON value as the container a parameter declares (a list for a tuple or list, an object for a dict,
    named tuple or dataclass), its lists arrays of the declared dtypes."""
    from fxn.structure import unflatten

    leaves: list = []
    _container_leaves(name, value, container.structure, iter(container.leaves), leaves)
    return unflatten(container.structure, leaves)


def _container_leaves(path: str, value, structure, declared, leaves: list) -> None:
    """The leaves of a JSON value at ``path`` as ``structure`` takes it apart, appended to ``leaves``."""
    from fxn.frontend.types import TensorSpec

    if structure.kind == "leaf":
        spec = next(declared)
        tensor = spec.tensor_type if isinstance(spec, TensorSpec) else None
        leaves.append(_array_argument(path, value, tensor) if isinstance(value, list) else value)
        return
    if structure.kind in ("tuple", "list"):
        if not (isinstance(value, list) and len(value) == len(structure.children)):
            _fail(f"--arg {path}: expected a JSON list of {len(structure.children)}; got {json.dumps(value)}")
        parts = value
    else:
        if not (isinstance(value, dict) and set(value) == set(structure.names)):
            _fail(f"--arg {path}: expected a JSON object of the keys {', '.join(structure.names)}; "
                  f"got {json.dumps(value)}")
        parts = [value[name] for name in structure.names]
    for step, child, part in zip(structure.steps(), structure.children, parts):
        _container_leaves(path + step, part, child, declared, leaves)


@cli.group(name="cache")
def cache_group():
    """The on-disk cache of compiled code (FXN_CACHE_DIR; FXN_CACHE=0 turns it off)."""


@cache_group.command(name="info")
def cache_info():
    """Where the cache is, whether it is on, and what it holds."""
    from fxn import cache

    state = cache.info()
    click.echo(f"directory: {state['directory']}")
    click.echo(f"enabled: {'yes' if state['enabled'] else 'no (FXN_CACHE=0)'}")
    click.echo(f"entries: {state['entries']}")
    click.echo(f"size: {state['bytes']} bytes (at most {state['max_bytes']}, FXN_CACHE_MAX_BYTES)")


@cache_group.command(name="clear")
def cache_clear():
    """Remove every entry."""
    from fxn import cache

    click.echo(f"removed {cache.clear()} entries from {cache.directory()}")


def _named_arguments(compiled, args: tuple[str, ...], variable: str) -> list:
    """The positional arguments of ``--arg NAME=VALUE`` options; lists become arrays of the declared dtype, and
    JSON lists and objects the containers that parameters declare."""
    if getattr(compiled, "variadic", False):
        _fail(f"{compiled.location()}: {variable} takes *args or **kwargs; --arg NAME=VALUE needs named parameters")
    parameters = {p.name: p for p in compiled.parameters}
    given = {}
    for arg in args:
        key, separator, text = arg.partition("=")
        if not separator:
            _fail(f"--arg '{arg}' is not NAME=VALUE")
        if key not in parameters:
            _fail(f"{compiled.location()}: {variable} has no parameter '{key}' (parameters: {', '.join(parameters)})")
        if parameters[key].string:  # a str parameter takes the text as it is
            given[key] = text
            continue
        value = _parse_arg(text)
        container = parameters[key].container
        if container is not None:
            given[key] = _container_argument(key, value, container)
        else:
            given[key] = _array_argument(key, value, parameters[key].declared) if isinstance(value, list) else value
    missing = [name for name in parameters if name not in given]
    if missing:
        _fail(f"{compiled.location()}: {variable} needs --arg for parameter '{missing[0]}'")
    return [given[name] for name in parameters]


if __name__ == "__main__":
    main()
