"""The one place fxn imports the MLIR Python bindings from.

fxn uses the upstream bindings as shipped by torch-mlir (namespace
``torch_mlir``). To build against the official ``mlir`` bindings package
instead, change ``_BINDINGS`` below; nothing else in fxn names the package.
"""

import importlib

_BINDINGS = "torch_mlir"


def _load(submodule: str):
    return importlib.import_module(f"{_BINDINGS}.{submodule}")


ir = _load("ir")
passmanager = _load("passmanager")
rewrite = _load("rewrite")
ext = _load("dialects.ext")
func = _load("dialects.func")
arith = _load("dialects.arith")
math = _load("dialects.math")
linalg = _load("dialects.linalg")
tensor = _load("dialects.tensor")
scf = _load("dialects.scf")
llvm = _load("dialects.llvm")
memref = _load("dialects.memref")
bufferization = _load("dialects.bufferization")


def transform_interpreter():
    """The transform-dialect interpreter module, imported on first use."""
    return _load("dialects.transform.interpreter")


def execution_engine():
    """The JIT module, imported on first use (it loads the LLVM backends)."""
    return _load("execution_engine")

PassManager = passmanager.PassManager
MLIRError = ir.MLIRError

__all__ = [
    "ir", "passmanager", "rewrite", "ext", "func", "arith", "math", "linalg", "tensor", "scf", "llvm", "memref",
    "bufferization", "execution_engine", "transform_interpreter", "PassManager", "MLIRError",
]
