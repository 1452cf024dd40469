"""Whose code caused an effect fxn sees while tracing, and where: the predictor's line, or nobody's.

An effect (an audit event, a watched call) happens in some Python frame;
:func:`responsible_position` walks the stack outward from it, frame by frame:

- a *user* frame (the predictor's file, or a file outside the Python
  installation: the predictor's helpers) is responsible: the effect is the
  predictor's, at that frame's current expression;
- a frame of the *machinery* (fxn's own packages; torch's tracing engine,
  which is its private modules and ``torch.fx``: fake tensors, symbolic
  shapes, Dynamo, torch's logging; the import system; ``warnings`` and
  ``logging``) means the tracer or Python does its own work (reading source
  for locations, lazy imports, diagnostics): nobody's. fxn's torch-function
  mode (:mod:`.sandbox`) also sits between the predictor's frame and what
  torch does for each of its ops;
- a *library* frame (the standard library, site-packages: numpy, torch's
  public API ...) passes the effect on to its caller: ``np.load``,
  ``torch.load`` or ``os.getenv`` called by the predictor are the predictor's.

Imports and compiled code (``import``, ``exec``, ``compile``) count only
where the predictor's own code asks for them: the walk passes only through
:data:`_FORWARDERS` (``ast.parse``, ``importlib.import_module``), so a
library importing its submodules, or torch generating code, is nobody's.

TorchDynamo does not run the predictor's code, it interprets it; the Dynamo
handlers that carry out an instruction for real (``IMPORT_NAME`` imports,
``eval`` parses) continue the walk on Dynamo's stack of interpreted frames.

:func:`effect_references` finds effects named in source, for code that
Dynamo interpreted: ``os.environ`` in ``os.environ["HOME"]``.
"""

from __future__ import annotations

import ast
import builtins
import collections
import functools
import importlib
import importlib.util
import linecache
import logging
import os
import site
import sys
import sysconfig
import types
import warnings

from .effects import Watch, effect_of
from .source import Position, code_position, file_ast

USER, LIBRARY, MACHINERY = "user", "library", "machinery"

#: Dynamo handlers that carry out an interpreted instruction, to the local holding the interpreting translator.
_DYNAMO_HANDLERS = {"IMPORT_NAME": "self", "call_eval": "tx"}
_DYNAMO_MODULES = ("torch._dynamo.symbolic_convert", "torch._dynamo.variables.builtin")


@functools.cache
def _library_prefixes() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    dirs.update(site.getsitepackages())
    dirs.add(site.getusersitepackages())
    return _prefixes(dirs)


@functools.cache
def _machinery_prefixes() -> tuple[str, ...]:
    dirs = {os.path.dirname(logging.__file__)}
    for package in ("fxn", "fxn.frontend", "fxn.dialects", "fxn.passes", "fxn.backends"):
        spec = importlib.util.find_spec(package)
        dirs.update(spec.submodule_search_locations or [] if spec else [])
    return _prefixes(dirs)


@functools.cache
def _torch_prefixes() -> tuple[str, ...]:
    spec = importlib.util.find_spec("torch")
    return _prefixes(spec.submodule_search_locations or []) if spec else ()


def _is_torch_engine(filename: str) -> bool:
    """Whether ``filename`` is of torch's tracing engine: a private module (a ``_`` in its path) or ``torch.fx``."""
    for prefix in _torch_prefixes():
        if filename.startswith(prefix):
            parts = filename[len(prefix):].split(os.sep)
            return parts[0] == "fx" or any(part.startswith("_") for part in parts)
    return False


def _prefixes(dirs) -> tuple[str, ...]:
    both = {os.path.join(d, "") for d in dirs} | {os.path.join(os.path.realpath(d), "") for d in dirs}
    return tuple(sorted(both))


_MACHINERY_FILES = frozenset({"<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>",
                              warnings.__file__})
#: Functions that only pass a request for code on: ``ast.parse`` compiles, ``importlib.import_module`` imports.
_FORWARDERS = frozenset({ast.__file__, importlib.__file__})


class FrameKinds:
    """Classifies code by its file as USER, LIBRARY or MACHINERY; ``predictor_files`` are USER wherever they are."""

    def __init__(self, predictor_files):
        self.predictor_files = frozenset(predictor_files)
        self._kinds: dict[str, str] = {}

    def of(self, filename: str) -> str:
        kind = self._kinds.get(filename)
        if kind is None:
            kind = self._kinds[filename] = self._classify(filename)
        return kind

    def _classify(self, filename: str) -> str:
        if filename in self.predictor_files:
            return USER
        if filename in _MACHINERY_FILES or filename.startswith(_machinery_prefixes()) or _is_torch_engine(filename):
            return MACHINERY
        # "<...>": frozen stdlib modules, torch.fx's generated code, code exec'd from strings.
        if filename.startswith("<") or filename.startswith(_library_prefixes()):
            return LIBRARY
        return USER


def responsible_position(frame, kinds: FrameKinds, code_request: bool = False) -> Position | None:
    """Where the predictor caused an effect raised in ``frame``; None if it is not the predictor's.

    ``code_request``: the effect is an import or compiled code, which only
    the innermost frame (through :data:`_FORWARDERS`) can be responsible for.
    """
    while frame is not None:
        code = frame.f_code
        if code.co_name in _DYNAMO_HANDLERS and frame.f_globals.get("__name__") in _DYNAMO_MODULES:
            translator = frame.f_locals.get(_DYNAMO_HANDLERS[code.co_name])
            return _responsible_interpreted(translator, kinds, code_request)
        kind = kinds.of(code.co_filename)
        if kind is USER:
            return code_position(code, frame.f_lasti) or Position(code.co_filename, frame.f_lineno or 0)
        if kind is MACHINERY or code_request and code.co_filename not in _FORWARDERS:
            return None
        frame = frame.f_back
    return None


def _responsible_interpreted(translator, kinds: FrameKinds, code_request: bool) -> Position | None:
    """:func:`responsible_position` on Dynamo's interpreted frames, innermost first (each translator's parent)."""
    while translator is not None:
        code = getattr(translator, "f_code", None)
        if code is None:
            return None
        kind = kinds.of(code.co_filename)
        if kind is USER:
            positions = getattr(getattr(translator, "current_instruction", None), "positions", None)
            column = getattr(positions, "col_offset", None) or 0
            return Position(code.co_filename, translator.lineno, column)
        if kind is MACHINERY or code_request:
            return None
        translator = getattr(translator, "parent", None)
    return None


def source_text(position: Position, limit: int = 80) -> str:
    """The user's source at ``position`` (its span, else its line), on one line; "" if unavailable."""
    lines = linecache.getlines(position.filename)
    if not 0 < position.line <= len(lines):
        return ""
    end_line = position.end_line or position.line
    chunk = [line.encode() for line in lines[position.line - 1:end_line]]  # columns count UTF-8 bytes
    if position.end_column is not None and position.end_line is not None:
        chunk[-1] = chunk[-1][:position.end_column]
        chunk[0] = chunk[0][position.column:]
    text = " ".join(part.decode(errors="replace").strip() for part in chunk)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# ----------------------------------------------------------------------------
# Effects named in source.


def effect_references(filename: str, lines: range, namespace) -> list[tuple[Position, Watch]]:
    """The expressions on ``lines`` of ``filename`` that use an effect, in source order.

    A dotted name (``os.environ``, ``np.random.rand``, ``open``) is resolved
    in ``namespace`` (a mapping: globals, closure, builtins) through modules
    and classes only, never calling anything. The position is that of the
    call or subscript using it, if any: ``os.environ["HOME"]``, ``time.time()``.
    """
    return references(filename, lines, namespace, effect_of)


def references(filename: str, lines: range, namespace, classify) -> list[tuple[Position, object]]:
    """Like :func:`effect_references`, for the names whose value ``classify`` maps to something other than None."""
    tree = file_ast(filename)
    if tree is None or namespace is None:
        return []
    found = []
    local = _local_names(tree)
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            if not isinstance(child, (ast.Name, ast.Attribute)) or child.lineno not in lines:
                continue
            if isinstance(parent, ast.Attribute):  # a part of a longer dotted name
                continue
            if id(_first_name(child)) in local:  # a parameter or local variable, not the global of that name
                continue
            watch = _resolve(child, namespace, classify)[1]
            if watch is not None:
                found.append((_position(filename, _use_of(parent, child)), watch))
    return sorted(found, key=lambda item: (item[0].line, item[0].column))


def _first_name(node: ast.expr) -> ast.expr:
    """The leftmost part of a dotted name (``os`` of ``os.environ.get``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


@functools.lru_cache(maxsize=64)
def _local_names(tree: ast.AST) -> frozenset[int]:
    """The ids of the ``ast.Name`` nodes that name a local variable of their function (a parameter, an
    assigned name), which Python never looks up in the globals or builtins."""
    found: set[int] = set()

    def visit_function(function) -> None:
        arguments = function.args
        local = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                 *filter(None, [arguments.vararg, arguments.kwarg])]}
        declared: set[str] = set()
        for node in _own_nodes(function):
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                declared.update(node.names)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                local.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                local.add(node.name)
        local -= declared
        found.update(id(node) for node in _own_nodes(function) if isinstance(node, ast.Name) and node.id in local)

    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            visit_function(node)
    return frozenset(found)


def _own_nodes(function):
    """The nodes of ``function``'s body that belong to its own scope (not to the functions and classes it defines;
    its decorators, defaults and annotations belong to the enclosing one)."""
    pending = [function.body] if isinstance(function, ast.Lambda) else list(function.body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))


def _use_of(parent: ast.AST, name: ast.expr) -> ast.AST:
    """The call or subscript of ``name`` (``time.time()``, ``os.environ["HOME"]``), else ``name`` itself."""
    called = isinstance(parent, ast.Call) and parent.func is name
    if called or isinstance(parent, ast.Subscript) and parent.value is name:
        return parent
    return name


def _resolve(node: ast.expr, namespace, classify=effect_of) -> tuple[object, Watch | None]:
    """(the value of a dotted name, the class (effect) of its first part that has one); only through modules/classes."""
    if isinstance(node, ast.Name):
        value = namespace.get(node.id, _MISSING)
    elif isinstance(node, ast.Attribute):
        base, watch = _resolve(node.value, namespace, classify)
        if watch is not None or not isinstance(base, (types.ModuleType, type)):
            return _MISSING, watch
        try:
            value = getattr(base, node.attr, _MISSING)
        except Exception:  # a module's __getattr__ that fails
            value = _MISSING
    else:
        return _MISSING, None
    return value, None if value is _MISSING else classify(value)


_MISSING = object()


def _position(filename: str, node: ast.AST) -> Position:
    return Position(filename, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def namespace_of(filename: str, fn) -> collections.ChainMap | None:
    """The names code in ``filename`` sees: ``fn``'s globals and closure if it is ``fn``'s file, else its module's."""
    if filename == fn.__code__.co_filename:
        closure = {}
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an empty cell
                pass
        return collections.ChainMap(closure, fn.__globals__, builtins.__dict__)
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == filename:
            return collections.ChainMap(vars(module), builtins.__dict__)
    return None
