"""fxn: compile typed Python functions to native SIMD code through MLIR.

``@fxn.compile`` compiles a typed Python function for this machine;
``fxn.Tensor[fxn.f32, 3, "H"]`` annotates tensor parameters, ``fxn.FunctionType(fxn.f32(fxn.f32))``
parameters taking functions;
:func:`interpret` runs fxn-dialect IR with the reference interpreter.
"""

__version__ = "0.1.0"

#: Public names and the module each lives in, imported on first use so that
#: `import fxn` (and fxn-opt --version) stays free of MLIR and torch.
_LAZY = {
    "compile": "fxn.compiled",
    **{name: "fxn.frontend.types" for name in ("Tensor", "TensorSpec", "Static", "bool_", "f16", "f32", "f64", "i8",
                                               "u8", "i32", "i64")},
    "FunctionType": "fxn.frontend.function_types",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fxn' has no attribute {name!r}")


def interpret(module_or_text, *inputs, entry=None):
    """Run an fxn-dialect function with numpy; see :func:`fxn.interpreter.interpret`."""
    from fxn.interpreter import interpret as run

    return run(module_or_text, *inputs, entry=entry)


__all__ = ["compile", "interpret", "Tensor", "TensorSpec", "Static", "FunctionType", "f16", "f32", "f64", "i8", "u8", "i32", "i64", "bool_",
           "__version__"]
