"""fxn: compile typed Python functions to native SIMD code through MLIR.

The public API so far: :func:`interpret` runs fxn-dialect IR with the
reference interpreter. The compiler entry points (``@fxn.compile``) arrive
with the tracing frontend.
"""

__version__ = "0.1.0"


def interpret(module_or_text, *inputs, entry=None):
    """Run an fxn-dialect function with numpy; see :func:`fxn.interpreter.interpret`."""
    from fxn.interpreter import interpret as run

    return run(module_or_text, *inputs, entry=entry)


__all__ = ["interpret", "__version__"]
