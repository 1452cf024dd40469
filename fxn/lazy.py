"""Modules imported on their first use, so that what a compile does not need is never loaded.

``from fxn.lazy import numpy as np`` binds a stand-in for numpy: the first
attribute read (``np.ndarray``) imports numpy, and the stand-in then
answers as numpy does. A predictor of Python scalars compiles and runs
without numpy, whose import costs more than the scalar compile itself.
:mod:`fxn.mlir` gives the bindings' dialect modules the same way.
"""

from __future__ import annotations

import importlib
import types


class LazyModule(types.ModuleType):
    """A module imported on its first attribute read (``load()`` gives it), which it then answers as.

    The loaded module's attributes are copied in, so later reads cost what a
    module's do; a name it lacks is asked of it (a module's own
    ``__getattr__`` still answers).
    """

    def __init__(self, name: str, load=None):
        super().__init__(name)
        self.__dict__["_lazy_load"] = load or (lambda: importlib.import_module(name))

    def __getattr__(self, attribute: str):
        module = self.__dict__.get("_lazy_module")
        if module is None:
            module = self.__dict__["_lazy_module"] = self.__dict__["_lazy_load"]()
            self.__dict__.update((key, value) for key, value in module.__dict__.items() if key not in self.__dict__
                                 or key.startswith("__"))
        return getattr(module, attribute)


numpy = LazyModule("numpy")
