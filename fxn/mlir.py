"""The one place fxn imports the MLIR Python bindings from.

fxn uses the upstream bindings as shipped by torch-mlir (namespace
``torch_mlir``). To build against the official ``mlir`` bindings package
instead, change ``_BINDINGS`` below; nothing else in fxn names the package.

Only ``ir`` and ``passmanager`` are imported with this module; each dialect
module (``fxn.mlir.linalg``, ...) is imported on first use, so that a
predictor of scalars does not pay for the generated op classes of dialects
it never builds (``linalg``'s named-op DSL alone costs more than a scalar
function's whole compile).
"""

import importlib
import sys
import types

from fxn.lazy import LazyModule

_BINDINGS = "torch_mlir"


def _load(submodule: str):
    return importlib.import_module(f"{_BINDINGS}.{submodule}")


def _import_ir():
    """``torch_mlir.ir``, without importing numpy.

    The bindings' ``ir`` imports numpy only to register four attribute
    builders that use it when called; numpy costs more to import than a
    scalar function's whole compile. It is given a stand-in that imports
    numpy on its first attribute access (a builder's call), present in
    ``sys.modules`` only while ``ir`` is imported.
    """
    if "numpy" in sys.modules:
        return _load("ir")

    def load_numpy():
        if sys.modules.get("numpy") is stand_in:
            del sys.modules["numpy"]
        return importlib.import_module("numpy")

    stand_in = sys.modules["numpy"] = LazyModule("numpy", load_numpy)
    try:
        return _load("ir")
    finally:
        if sys.modules.get("numpy") is stand_in:
            del sys.modules["numpy"]


def _find_op_classes() -> None:
    """Let the bindings find the classes of linalg ops without importing their ``linalg`` package, and none for
    ``llvm`` ops without importing their ``llvm`` module.

    To give a linalg op its class (iterating a block that holds one), the
    bindings import ``<prefix>.linalg`` for each of their dialect search
    prefixes until one imports; theirs is a package whose named-op DSL
    imports numpy. The generated op classes (the same the package exports:
    it registers no other) are registered under a prefix of fxn's, searched
    first: ``fxn.mlir.op_classes.linalg``. For every other dialect that
    module does not exist, and the bindings' own prefix follows. Code that
    uses the package's builders (``linalg.fill``) imports it through
    :data:`linalg` as before.

    The same prefix holds empty ``llvm`` and ``transform`` modules: ops of
    these dialects are then plain ``OpView``s (:mod:`fxn.llvm_ops` builds
    and reads llvm ops; transform scripts are parsed and run by the native
    interpreter), and the bindings' modules of the two, ~700 and ~200
    generated classes, are imported only where code reads :data:`llvm`
    (``translate_module_to_llvmir``) or imports them, which registers their
    classes from then on.
    """
    prefix = f"{__name__}.op_classes"
    _load("dialects._linalg_enum_gen")  # the attribute builders of linalg's enums, which the op builders use
    sys.modules[f"{prefix}.linalg"] = _load("dialects._linalg_ops_gen")
    # llvm and transform ops get no classes (plain OpViews) unless the bindings' module of their dialect is
    # imported: fxn builds llvm ops through fxn.llvm_ops and only parses transform scripts, and the two modules
    # cost more than a tenth of a cold start.
    for dialect in ("llvm", "transform"):
        sys.modules[f"{prefix}.{dialect}"] = types.ModuleType(f"{prefix}.{dialect}", "No op classes: see fxn.mlir.")
    bindings = _load("_mlir_libs._mlir").globals
    if prefix not in bindings.dialect_search_modules:
        bindings.dialect_search_modules = [prefix, *bindings.dialect_search_modules]


ir = _import_ir()
passmanager = _load("passmanager")
_find_op_classes()


def _lazy(submodule: str) -> LazyModule:
    """The bindings' ``submodule``, imported on its first attribute read."""
    return LazyModule(f"{_BINDINGS}.{submodule}", lambda: _load(submodule))


rewrite = _lazy("rewrite")
ext = _lazy("dialects.ext")
func = _lazy("dialects.func")
arith = _lazy("dialects.arith")
math = _lazy("dialects.math")
linalg = _lazy("dialects.linalg")
#: linalg's generated op classes alone (the package above adds its named-op DSL, which imports numpy) ...
linalg_ops = _lazy("dialects._linalg_ops_gen")
#: ... and its native helpers (``get_indexing_maps``).
linalg_native = _lazy("_mlir_libs._mlirDialectsLinalg")
tensor = _lazy("dialects.tensor")
scf = _lazy("dialects.scf")
llvm = _lazy("dialects.llvm")
#: llvm's native types (``FunctionType``), without the generated op classes.
llvm_native = _lazy("_mlir_libs._mlirDialectsLLVM")
memref = _lazy("dialects.memref")
bufferization = _lazy("dialects.bufferization")


def transform_interpreter():
    """The transform-dialect interpreter's native module (``apply_named_sequence`` of ``ir.Operation``s), imported
    on first use; its Python package would import the transform dialect's generated op classes."""
    return _load("_mlir_libs._mlirTransformInterpreter")


def execution_engine():
    """The JIT module, imported on first use (it loads the LLVM backends)."""
    return _load("execution_engine")

PassManager = passmanager.PassManager
MLIRError = ir.MLIRError

__all__ = [
    "ir", "passmanager", "rewrite", "ext", "func", "arith", "math", "linalg", "linalg_ops", "linalg_native", "tensor",
    "scf", "llvm", "llvm_native", "memref", "bufferization", "execution_engine", "transform_interpreter",
    "PassManager", "MLIRError",
]
