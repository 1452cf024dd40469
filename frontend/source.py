"""Where in the user's source an op comes from, and how to name the Python operation there.

A :class:`Position` is a span of a source file (lines 1-based, columns
0-based as in ``ast``); it becomes the ``loc("predictor.py":12:5)`` of every
op built for it (MLIR columns are 1-based). Captures record positions
exactly (``make_fx``: the instruction's ``co_positions``) or from the
formatted stack trace TorchDynamo stores on each node (line, and the column
of the ``^^^`` marks). :func:`describe` turns a position into words for
error messages ("call to 'np.linalg.svd'") by finding the expression in the
file's AST.
"""

from __future__ import annotations

import ast
import functools
import linecache
import os
import re
from pathlib import Path

from fxn.mlir import ir
from fxn.values import FrozenValue


class Position(FrozenValue):
    """A span of user source: start line and column, and the end where known. (Not a dataclass: every compile
    imports this module, and making a dataclass costs ~0.7 ms; see :mod:`fxn.values`.)"""

    _fields = ("filename", "line", "column", "end_line", "end_column")

    def __init__(self, filename: str, line: int, column: int = 0, end_line: int | None = None,
                 end_column: int | None = None):
        self._freeze(filename=filename, line=line, column=column, end_line=end_line, end_column=end_column)

    def location(self) -> ir.Location:
        return ir.Location.file(self.filename, self.line, self.column + 1)


def code_position(code, instruction_offset: int) -> Position | None:
    """The position of the instruction at byte ``instruction_offset`` of ``code`` (None if unknown)."""
    positions = list(code.co_positions())
    index = instruction_offset // 2
    if not 0 <= index < len(positions) or positions[index][0] is None:
        return None
    line, end_line, column, end_column = positions[index]
    return Position(code.co_filename, line, column or 0, end_line, end_column)


def definition_position(fn) -> Position:
    """The ``def`` line of a function (its first line if the source is unknown)."""
    code = fn.__code__
    function = function_node(fn)
    if function is not None:
        return Position(code.co_filename, function.lineno, function.col_offset)
    return Position(code.co_filename, code.co_firstlineno)


# ----------------------------------------------------------------------------
# Stack traces as TorchDynamo records them on graph nodes.

_FRAME = re.compile(
    r'File "(?P<file>[^"]+)", line (?P<line>\d+), in [^\n]*\n(?P<code>[^\n]*)\n(?P<marks>\s*[~^]+\s*\n)?'
)


def stack_trace_position(stack_trace: str | None, user_files: frozenset[str]) -> Position | None:
    """The outermost frame of ``stack_trace`` in one of ``user_files``, else the innermost not in fxn or torch."""
    if not stack_trace:
        return None
    frames = list(_FRAME.finditer(stack_trace if stack_trace.endswith("\n") else stack_trace + "\n"))
    frames = [f for f in frames if f["file"] in user_files or not f["file"].startswith(_internal_folders())]
    if not frames:
        return None
    frame = next((f for f in frames if f["file"] in user_files), frames[-1])
    line = int(frame["line"])
    marks = frame["marks"]
    if not marks:
        return Position(frame["file"], line, _indent(frame["file"], line))
    # The code line is printed stripped and indented by 4; the marks align with it.
    start = len(marks) - len(marks.lstrip()) - 4 + _indent(frame["file"], line)
    width = len(marks.strip())
    return Position(frame["file"], line, start, line, start + width)


@functools.cache
def _internal_folders() -> tuple[str, ...]:
    """The folders of fxn's own code and of torch: frames there are never the user's line."""
    import importlib.util

    import fxn

    folders = {str(Path(fxn.__file__).resolve().parent), str(Path(__file__).resolve().parent)}
    spec = importlib.util.find_spec("torch")
    if spec is not None and spec.origin:
        folders.add(str(Path(spec.origin).resolve().parent))
    return tuple(folder + os.sep for folder in folders)


def _indent(filename: str, line: int) -> int:
    text = linecache.getline(filename, line)
    return len(text) - len(text.lstrip())


# ----------------------------------------------------------------------------
# The AST of the user's file.


@functools.lru_cache(maxsize=32)
def _parse(filename: str, text: str) -> ast.Module | None:
    try:
        return ast.parse(text, filename)
    except SyntaxError:
        return None


def file_ast(filename: str) -> ast.Module | None:
    """The parsed source of ``filename`` (None if unavailable)."""
    text = "".join(linecache.getlines(filename))
    return _parse(filename, text) if text else None


def function_node(fn) -> ast.FunctionDef | None:
    """The ``def`` of ``fn`` in its file's AST, with the file's line numbers (None if not found)."""
    code = fn.__code__
    tree = file_ast(code.co_filename)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            if code.co_firstlineno in (first, node.lineno):
                return node
    return None


_OPERATORS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
    ast.BitXor: "^", ast.BitAnd: "&", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Not: "not",
}


def describe(position: Position | None, hint: str = "") -> str:
    """The Python operation at ``position`` in words: "call to 'np.exp'", "operator '@'" ...

    ``hint`` (an op name such as ``aten._linalg_svd``) picks among several
    calls in the span. Falls back to the source line, then to ``hint``.
    """
    if position is None:
        return f"'{hint}'"
    candidates = _expressions_at(position)
    if not candidates:
        text = linecache.getline(position.filename, position.line).strip()
        return f"'{text}'" if text else f"'{hint}'"
    return _name(_best_match(candidates, position, hint))


def _expressions_at(position: Position) -> list[ast.expr]:
    tree = file_ast(position.filename)
    if tree is None:
        return []
    end = position.end_column if position.end_line == position.line else None
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and node.lineno == position.line and node.col_offset >= position.column:
            if end is None or (node.end_lineno == position.line and node.end_col_offset <= end):
                found.append(node)
    return found


def _best_match(candidates: list[ast.expr], position: Position, hint: str) -> ast.expr:
    words = set(re.split(r"[._]+", hint.lower())) - {"", "aten", "default", "tensor", "scalar"}
    calls = [n for n in candidates if isinstance(n, ast.Call)]
    for call in calls:
        if ast.unparse(call.func).split(".")[-1].lower() in words:
            return call
    exact = [n for n in candidates if n.col_offset == position.column and n.end_col_offset == position.end_column]
    # The widest expression starting at the column: the one the instruction evaluates.
    starting = exact or [n for n in candidates if n.col_offset == position.column] or candidates
    return max(starting, key=lambda n: (n.end_col_offset or 0) - n.col_offset)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return f"call to '{ast.unparse(node.func)}'"
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return f"operator '{_OPERATORS.get(type(node.op), '?')}' in '{ast.unparse(node)}'"
    if isinstance(node, ast.Subscript):
        return f"indexing '{ast.unparse(node)}'"
    return f"'{ast.unparse(node)}'"


def describe_line(position: Position) -> str:
    """The source line at ``position``, quoted: the statement a whole-line error is about."""
    text = linecache.getline(position.filename, position.line).strip()
    return f"'{text}'" if text else f"line {position.line}"
