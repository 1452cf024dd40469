"""The ``fxn`` command: user-facing tasks on predictors.

``fxn interpret FILE.mlir --arg ...`` parses an fxn-dialect file, optionally
runs a pass pipeline on it, and runs it in the reference interpreter.
Errors print as one located line and exit 1, never as a traceback.
"""

from __future__ import annotations

import json
import os
import sys

import click

import fxn


def _fail(message: str):
    click.echo(f"fxn: error: {message}", err=True)
    sys.exit(1)


def _parse_arg(text: str):
    """A scalar or a (nested) JSON list."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        _fail(f"--arg '{text}' is neither a number nor a JSON list")


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
            _fail(str(error).replace("<input>", path))
        except PipelineError as error:
            _fail(error.format())
        except MLIRError as error:
            collector.add_error(error)
            _fail("\n".join(d.format(path) for d in collector.diagnostics))
        except (InterpreterError, TypeError) as error:
            _fail(str(error))
    for index, result in enumerate(results if isinstance(results, tuple) else (results,)):
        click.echo(f"result #{index}: {np.array2string(np.asarray(result), precision=6)}"
                   f"  ({result.dtype}, shape {tuple(result.shape)})")


if __name__ == "__main__":
    main()
