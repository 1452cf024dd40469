"""Diagnostics as plain values, collected from MLIR and printed as mlir-opt does.

MLIR reports problems two ways through the bindings: errors of a failed
parse or pass run arrive in an ``MLIRError``; everything else goes to a
context's diagnostic handler. :class:`DiagnosticCollector` gathers both into
:class:`Diagnostic` values that print as ``file:line:col: error: message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fxn.mlir import MLIRError, ir

_FILE_LOCATION = re.compile(r'"((?:[^"\\]|\\.)*)":(\d+):(\d+)')
_SEVERITIES = {
    "ERROR": "error",
    "WARNING": "warning",
    "NOTE": "note",
    "REMARK": "remark",
}
#: The note MLIR attaches to a diagnostic emitted on an op, printing the op (mlir-opt's
#: --mlir-print-op-on-diagnostic, on by default there; left out under --verify-diagnostics).
OPERATION_NOTE = "see current operation"
#: The severities at or above each --mlir-diagnostic-verbosity-level.
VERBOSITY = {"errors": ("error",), "warnings": ("error", "warning"), "remarks": ("error", "warning", "remark")}


@dataclass
class Diagnostic:
    """One message; ``line`` and ``column`` are 1-based, 0 when there is no file location."""

    severity: str
    message: str
    filename: str | None = None
    line: int = 0
    column: int = 0
    notes: list["Diagnostic"] = field(default_factory=list)

    def format(self, default_filename: str = "fxn-opt", sources: dict | None = None, *,
               operation_notes: bool = False, notes: bool = True) -> str:
        """``file:line:col: severity: message``, then each note the same way.

        Where ``sources`` (file name -> its text) holds the diagnostic's file,
        the line it points at follows, and a caret under its column, as
        mlir-opt prints them; a note at the location of the diagnostic or
        note before it shows no line. MLIR's notes printing the op a
        diagnostic was emitted on (``see current operation: ...``) are left
        out unless ``operation_notes``; every note is left out unless ``notes``.
        """
        return self._format(default_filename, sources or {}, operation_notes, notes, show_source=True)

    def _format(self, default_filename, sources, operation_notes, notes, show_source) -> str:
        where = f"{self.filename}:{self.line}:{self.column}" if self.filename else default_filename
        lines = [f"{where}: {self.severity}: {self.message}"]
        if show_source:
            lines += self._source_lines(sources)
        previous = self._where
        for note in self.notes if notes else []:
            if operation_notes or not note.is_operation_note:
                lines.append(note._format(default_filename, sources, operation_notes, notes, note._where != previous))
                previous = note._where
        return "\n".join(lines)

    @property
    def _where(self) -> tuple:
        return self.filename, self.line, self.column

    @property
    def is_operation_note(self) -> bool:
        return self.severity == "note" and self.message.startswith(OPERATION_NOTE)

    def _source_lines(self, sources: dict) -> list[str]:
        """The source line and the caret line of this diagnostic's location, if ``sources`` has its file."""
        text = sources.get(self.filename) if self.filename else None
        if text is None or self.line < 1:
            return []
        lines = text.split("\n")
        if self.line > len(lines):
            return []
        line = lines[self.line - 1].rstrip("\r")
        # Tabs stay tabs under the text, so that the caret lines up however they are shown.
        caret = "".join("\t" if c == "\t" else " " for c in line[: max(self.column - 1, 0)]) + "^"
        return [line, caret]


def _from_mlir(diagnostic, severity: str | None = None) -> Diagnostic:
    severity = severity or _SEVERITIES[str(diagnostic.severity).rsplit(".", 1)[-1]]
    match = _FILE_LOCATION.search(str(diagnostic.location))
    filename, line, column = (match[1], int(match[2]), int(match[3])) if match else (None, 0, 0)
    if line == 0:  # MLIR's `"-":0:0` stands for "no location".
        filename = None
    notes = [_from_mlir(note, "note") for note in diagnostic.notes]
    return Diagnostic(severity, diagnostic.message, filename, line, column, notes)


def from_mlir_error(error: MLIRError) -> list[Diagnostic]:
    """The diagnostics an ``MLIRError`` carries (its message alone if it carries none)."""
    diagnostics = [_from_mlir(d, "error") for d in error.error_diagnostics]
    return diagnostics or [Diagnostic("error", error.message)]


class DiagnosticCollector:
    """Catches every diagnostic emitted in ``context`` while active (nothing reaches stderr)."""

    def __init__(self, context: ir.Context):
        self.context = context
        self.diagnostics: list[Diagnostic] = []
        self._handler = None

    def __enter__(self) -> "DiagnosticCollector":
        self._handler = self.context.attach_diagnostic_handler(self._handle)
        return self

    def __exit__(self, *exc_info):
        self._handler.detach()

    def _handle(self, diagnostic) -> bool:
        self.diagnostics.append(_from_mlir(diagnostic))
        return True

    def add_error(self, error: MLIRError) -> None:
        self.diagnostics.extend(from_mlir_error(error))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)
