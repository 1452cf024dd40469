"""The errors the frontend raises: a ``TypeError`` naming the user's file, line and Python operation.

Capture and import never let an exception from torch or MLIR escape: what
fxn cannot compile becomes ``file:line: fxn cannot compile <operation>: <why>``.
"""

from __future__ import annotations


class FrontendError(TypeError):
    """fxn cannot compile a function; the message starts with ``file:line:``."""

    def __init__(self, message: str, filename: str | None = None, line: int | None = None, column: int | None = None):
        prefix = f"{filename}:{line}: " if filename and line else f"{filename}: " if filename else ""
        super().__init__(prefix + message)
        self.filename = filename
        self.line = line
        self.column = column


class UnsupportedOperation(FrontendError):
    """The function uses a Python, torch or NumPy operation that fxn has no translation for."""


class DataDependentControlFlow(UnsupportedOperation):
    """Python control flow on a value known only at run time, which a capture cannot trace (the AST path can)."""


class Unsupported(Exception):
    """Raised by a converter for arguments fxn cannot express; the importer adds where and what."""


#: Why a function that uses a dynamic dim's size as a Python number is not compiled.
SPECIALIZED_SIZE = ("it uses the size of a dynamic dim as a Python number (int(), float(), len(), range() or a "
                    "comparison), which compiled code would fix at the size seen while tracing; give that dim a "
                    "fixed size, or compute with tensor ops")
