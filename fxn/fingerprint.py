"""What a compiled function's code depends on, as a digest: the source part of an on-disk cache key.

:func:`fingerprint` digests a function's code object (its bytecode,
constants, names, file and line numbers, nested functions) and the values
of every name the code reads from its closure and globals, recursively:

- numbers, strings, bytes, None, enum members, and tuples, lists, dicts and
  sets of these, by value; numpy arrays and torch tensors by dtype, shape
  and bytes;
- Python functions (and ``@fxn.compile`` functions, by the function they
  compile) by their own fingerprint; a function of flattened arguments
  (``*args``, containers) also by how it rebuilds them (its layout);
- modules, classes and functions of installed packages and of the
  standard library by their qualified name and the package's version
  (their code is not the user's to change between runs); the user's own
  modules and classes by the digest of their source file.

Anything else (an object whose state the code may read: a model's weights
held by an arbitrary object) makes the function unfingerprintable:
:func:`fingerprint` returns None and the function is not cached. The
digest is stable across processes (no ``id``, no hash of a ``str``).
"""

from __future__ import annotations

import enum
import functools
import os
import sys
import types

try:  # hashlib's sha256 without importing hashlib, whose OpenSSL costs a cached call a tenth of its time
    from _sha2 import sha256  # CPython >= 3.12
except ImportError:
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:
        from hashlib import sha256

#: Types hashed by their ``repr`` (exact for these, including floats).
_VALUES = (type(None), bool, int, float, complex, str, bytes)


class Unfingerprintable(Exception):
    """The code reads a value whose state :func:`fingerprint` cannot digest."""


def fingerprint(fn) -> str | None:
    """The hex digest of ``fn``'s code and what it reads (see the module docstring), or None if it reads a value
    that cannot be digested."""
    digest = sha256()
    try:
        _Digest(digest).function(fn)
    except (Unfingerprintable, RecursionError):
        return None
    return digest.hexdigest()


def values_digest(values: dict) -> str | None:
    """The hex digest of ``values`` (names to values: a function's static arguments), or None if one of them
    cannot be digested."""
    digest = sha256()
    try:
        _Digest(digest).value(dict(sorted(values.items())))
    except (Unfingerprintable, RecursionError):
        return None
    return digest.hexdigest()


class _Digest:
    def __init__(self, digest):
        self.digest = digest
        self.seen: set[int] = set()

    def add(self, *parts) -> None:
        for part in parts:
            self.digest.update(repr(part).encode() + b"\0")

    def function(self, fn) -> None:
        if _is_compiled(fn):
            fn = fn.fn
        if isinstance(fn, types.MethodType):  # a bound method: its object, then its function
            self.value(fn.__self__)
            fn = fn.__func__
        if not isinstance(fn, types.FunctionType):
            raise Unfingerprintable(f"a {type(fn).__qualname__}")
        if id(fn) in self.seen:
            self.add("seen", fn.__qualname__)
            return
        self.seen.add(id(fn))
        code = fn.__code__
        self.code(code)
        layout = getattr(fn, "__fxn_layout__", None)  # a function of flattened arguments: how it rebuilds them
        if layout is not None:
            for name, structure in layout:
                self.add("layout", name)
                self.structure(structure)
        self.add("defaults", fn.__module__)
        for value in (fn.__defaults__ or ()) + tuple((fn.__kwdefaults__ or {}).values()):
            self.value(value)
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            self.add("free", name)
            try:
                self.value(cell.cell_contents)
            except ValueError:  # an empty cell
                self.add("empty")
        scope, builtins = fn.__globals__, fn.__globals__.get("__builtins__", {})
        builtins = builtins if isinstance(builtins, dict) else vars(builtins)
        for name in sorted(_global_names(code)):
            if name in scope:
                self.add("global", name)
                self.value(scope[name])
            elif name in builtins:
                self.add("builtin", name)

    def code(self, code: types.CodeType) -> None:
        self.add(code.co_filename, code.co_qualname, code.co_firstlineno, code.co_argcount, code.co_kwonlyargcount,
                 code.co_flags, code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars)
        self.digest.update(code.co_code)
        self.digest.update(code.co_linetable)
        for constant in code.co_consts:
            if isinstance(constant, types.CodeType):
                self.code(constant)
            else:
                self.value(constant)

    def value(self, value) -> None:
        kind = type(value)
        if kind in _VALUES:
            self.add(kind.__name__, value)
        elif isinstance(value, enum.Enum):
            self.add("enum", kind.__module__, kind.__qualname__, value.name)
            self.library_or_source(kind)
        elif kind in (tuple, list):
            self.add(kind.__name__, len(value))
            for item in value:
                self.value(item)
        elif kind in (set, frozenset):
            parts = []
            for item in value:
                part = _Digest(sha256())
                part.value(item)
                parts.append(part.digest.hexdigest())
            self.add(kind.__name__, sorted(parts))
        elif kind is dict:
            self.add("dict", len(value))
            for key, item in value.items():
                self.value(key)
                self.value(item)
        elif _is_array(value):
            self.array(value)
        elif isinstance(value, types.ModuleType):
            self.library_or_source(value)
        elif isinstance(value, (types.FunctionType, types.MethodType)) or _is_compiled(value):
            if _is_library(getattr(value, "__module__", None)):
                self.library_or_source(value)
            else:
                self.function(value)
        elif isinstance(value, (type, types.BuiltinFunctionType, types.BuiltinMethodType)) or callable(value) and \
                _is_library(getattr(value, "__module__", None)) and hasattr(value, "__qualname__"):
            self.library_or_source(value)
        elif _is_library(kind.__module__) and kind.__module__.split(".")[0] in ("torch", "numpy") \
                and not hasattr(value, "__dict__"):
            self.add("library value", kind.__module__, kind.__qualname__, repr(value))  # dtypes, devices
        else:
            raise Unfingerprintable(f"a {kind.__qualname__}")

    def structure(self, structure) -> None:
        """A :class:`fxn.structure.Structure`: its kind, names and class, its constant's value, its children."""
        self.add("structure", structure.kind, structure.names)
        if structure.kind_type is not None:
            self.library_or_source(structure.kind_type)
        if structure.kind == "constant":
            self.value(structure.value.value)
        for child in structure.children:
            self.structure(child)

    def array(self, value) -> None:
        import numpy as np

        if not isinstance(value, np.ndarray):
            value = value.detach().cpu().numpy()
        value = np.ascontiguousarray(value)
        self.add("array", str(value.dtype), value.shape)
        self.digest.update(value.tobytes())

    def library_or_source(self, value) -> None:
        """A module, class or function: by name and version if a package's or the standard library's, else by the
        digest of the user's file that defines it."""
        module_name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        self.add("named", module_name, getattr(value, "__qualname__", None))
        if not isinstance(module_name, str):
            raise Unfingerprintable(f"{value!r} has no module")
        if _is_library(module_name):
            self.add(_package_version(module_name.split(".")[0]))
            return
        module = sys.modules.get(module_name)
        filename = getattr(module, "__file__", None)
        if filename is None:
            raise Unfingerprintable(f"module {module_name} has no file")
        self.add("source", _file_digest(filename))


def _is_compiled(value) -> bool:
    return type(value).__name__ == "CompiledFunction" and type(value).__module__ == "fxn.compiled"


def _is_array(value) -> bool:
    module = type(value).__module__
    return (module == "numpy" and type(value).__name__ == "ndarray") or \
        (module.startswith("torch") and type(value).__name__ in ("Tensor", "Parameter"))


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


@functools.cache
def _library_folders() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    folders = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    return tuple(os.path.realpath(folder) + os.sep for folder in folders)


@functools.cache
def _is_library(module_name) -> bool:
    """Whether a module is the standard library's, a builtin one, or an installed package's (not the user's)."""
    if not isinstance(module_name, str):
        return False
    top = module_name.split(".")[0]
    if top in sys.builtin_module_names or top in sys.stdlib_module_names or top == "fxn":
        return True
    module = sys.modules.get(module_name) or sys.modules.get(top)
    filename = getattr(module, "__file__", None)
    return filename is not None and os.path.realpath(filename).startswith(_library_folders())


@functools.cache
def _package_version(top: str) -> str:
    if top in sys.stdlib_module_names or top in sys.builtin_module_names:
        return sys.version
    import importlib.metadata

    try:
        return importlib.metadata.version(top)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _file_digest(filename: str) -> str:
    with open(filename, "rb") as file:
        return sha256(file.read()).hexdigest()
