"""Reading MLIR text into a module, as mlir-opt does.

Locations keep the file name and the line numbers of the whole file, also
for the chunks of ``--split-input-file``. A file whose top level is not a
single ``builtin.module`` is the body of an implicit module, as mlir-opt
builds it (``--no-implicit-module`` takes its one top-level op as it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fxn.diagnostics import Diagnostic, from_mlir_error
from fxn.mlir import MLIRError, ir


@dataclass
class Chunk:
    """A piece of a source file: its text, padded with blank lines to keep line numbers."""

    text: str
    first_line: int  # 1-based line of the chunk's first line in the file
    #: Where mlir-opt locates the chunk's implicit module: the file's start (0:0), or just after the marker.
    start: tuple[int, int] = (0, 0)


def split_input(text: str, marker: str | None) -> list[Chunk]:
    """The chunks of ``text`` separated by lines that start with ``marker`` (one chunk if ``marker`` is None).

    As mlir-opt's ``--split-input-file``: the rest of a marker line is dropped,
    and each chunk keeps its lines' numbers (earlier lines become empty).
    """
    if marker is None:
        return [Chunk(text, 1)]
    chunks, start, located = [], 0, (0, 0)
    for match in re.finditer("^" + re.escape(marker), text, re.MULTILINE):
        line_end = text.find("\n", match.start())
        chunks.append((start, match.start(), located))
        start = len(text) if line_end < 0 else line_end + 1
        located = (text.count("\n", 0, match.start()) + 1, len(marker) + 1)
    chunks.append((start, len(text), located))
    result = []
    for begin, end, located in chunks:
        first_line = text.count("\n", 0, begin) + 1
        result.append(Chunk("\n" * (first_line - 1) + text[begin:end], first_line, located))
    return result


class ParseError(Exception):
    """Text that does not parse or verify; ``diagnostics`` say where and why."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.format("<input>") for d in diagnostics))
        self.diagnostics = diagnostics


def parse_module(text: str | bytes, filename: str, context: ir.Context, implicit_module: bool = True,
                 start: tuple[int, int] = (0, 0)):
    """Parse and verify ``text`` (reported as ``filename``) as mlir-opt does; raises :class:`ParseError` on bad input.

    With ``implicit_module`` (mlir-opt's default) the whole file is parsed
    once, as the bindings' parser does: a single top-level
    ``builtin.module`` is the module; anything else (several ops, attribute
    and type aliases between them, a ``{-# dialect_resources ... #-}``
    section) goes into a new module located at ``filename:0:0`` (or at
    ``start``: mlir-opt locates the implicit module of a later
    ``--split-input-file`` chunk just after its marker). Without it
    (``--no-implicit-module``) the file must hold exactly one top-level op,
    of any kind, which is returned. ``text`` may be MLIR bytecode (bytes).
    """
    with context:
        try:
            if not implicit_module:
                return ir.Operation.parse(text, source_name=filename).opview
            module = ir.Module.parse(text).operation
        except MLIRError as error:
            raise ParseError(_renamed(from_mlir_error(error), filename)) from None
        implicit = isinstance(module.location, ir.FileLineColLoc) and module.location.start_line == 0
        _rename_locations(module, filename)
        if implicit and start != (0, 0):
            module.location = ir.Location.file(filename, *start)
        return module.opview


#: The name the bindings' module parser gives its buffer (it takes none).
_UNNAMED_BUFFER = "-"


def _renamed(diagnostics: list[Diagnostic], filename: str) -> list[Diagnostic]:
    """``diagnostics`` of the unnamed buffer reported at ``filename``."""
    for diagnostic in diagnostics:
        if diagnostic.filename == _UNNAMED_BUFFER:
            diagnostic.filename = filename
        _renamed(diagnostic.notes, filename)
    return diagnostics


def _rename_locations(root, filename: str) -> None:
    """Give every location of the unnamed buffer under ``root`` (ops and block arguments) the file's name."""

    def renamed(location):
        if isinstance(location, ir.FileLineColLoc) and location.filename == _UNNAMED_BUFFER:
            return ir.Location.file(filename, location.start_line, location.start_col)
        return None

    def visit(op):
        location = renamed(op.location)
        if location is not None:
            op.location = location
        for region in op.regions:
            for block in region.blocks:
                for argument in block.arguments:
                    location = renamed(argument.location)
                    if location is not None:
                        argument.set_location(location)
        return ir.WalkResult.ADVANCE

    root.walk(visit)
