"""Reading MLIR text into a module, as mlir-opt does.

Locations keep the file name and the line numbers of the whole file, also
for the chunks of ``--split-input-file``. A file whose top level is not a
single ``builtin.module`` is wrapped in one, as mlir-opt does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fxn.diagnostics import Diagnostic, from_mlir_error, shift_first_line
from fxn.mlir import MLIRError, ir

SPLIT_MARKER = re.compile(r"^// -----", re.MULTILINE)
_WRAPPER = "module {"
_METADATA_SECTION = re.compile(r"^\{-#", re.MULTILINE)


@dataclass
class Chunk:
    """A piece of a source file: its text, padded with blank lines to keep line numbers."""

    text: str
    first_line: int  # 1-based line of the chunk's first line in the file


def split_input(text: str, split: bool) -> list[Chunk]:
    """The chunks of ``text`` separated by ``// -----`` lines (one chunk unless ``split``)."""
    if not split:
        return [Chunk(text, 1)]
    chunks, start = [], 0
    for match in SPLIT_MARKER.finditer(text):
        line_end = text.find("\n", match.start())
        chunks.append((start, match.start()))
        start = len(text) if line_end < 0 else line_end + 1
    chunks.append((start, len(text)))
    result = []
    for begin, end in chunks:
        first_line = text.count("\n", 0, begin) + 1
        result.append(Chunk("\n" * (first_line - 1) + text[begin:end], first_line))
    return result


class ParseError(Exception):
    """Text that does not parse or verify; ``diagnostics`` say where and why."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.format("<input>") for d in diagnostics))
        self.diagnostics = diagnostics


def parse_module(text: str, filename: str, context: ir.Context):
    """Parse and verify ``text`` (reported as ``filename``) into a ``builtin.module`` op.

    Multiple top-level ops, or a single one that is not a module, are wrapped in
    a module as mlir-opt does. Raises :class:`ParseError` on bad input.
    """
    with context:
        try:
            op = ir.Operation.parse(text, source_name=filename)
        except MLIRError as error:
            if not _is_top_level_count_error(error):
                raise ParseError(from_mlir_error(error)) from None
            return _parse_wrapped(text, filename)
        if op.name == "builtin.module":
            return op.opview
        with ir.Location.unknown():
            module = ir.Module.create()
        module.body.append(op)
        return module.operation.opview


def _parse_wrapped(text: str, filename: str):
    # The wrapper goes on the first line so that line numbers stay right;
    # columns of the first line shift and are corrected in diagnostics.
    # A file-level metadata section (`{-# dialect_resources ... #-}`) stays outside the module.
    metadata = _METADATA_SECTION.search(text)
    split = metadata.start() if metadata else len(text)
    try:
        wrapped = _WRAPPER + text[:split] + "\n}" + text[split:]
        return ir.Operation.parse(wrapped, source_name=filename).opview
    except MLIRError as error:
        diagnostics = from_mlir_error(error)
        shift_first_line(diagnostics, len(_WRAPPER))
        raise ParseError(diagnostics) from None


def _is_top_level_count_error(error: MLIRError) -> bool:
    return any(
        "source must contain a single top-level operation" in d.message for d in error.error_diagnostics
    )
