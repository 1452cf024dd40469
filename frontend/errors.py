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


#: Why a value known only at run time cannot be used where tracing needs a Python number.
RUN_TIME_NUMBER = ("it uses a value known only at run time (an int or float argument, a loop variable or a value "
                   "computed from arrays) where fxn needs a Python number when it compiles: as an index, a slice "
                   "bound, a size, a count or an argument of a math function on numbers; declare the parameter "
                   "fxn.Static[...] to make it a constant, or compute with arrays (np.sqrt(x), x[0:1])")

#: torch's words for what fxn refuses, as patterns, and fxn's words for them.
_TORCH_WORDS = [
    (r"Could not (extract specialized integer from|guard on) data-dependent expression .*", RUN_TIME_NUMBER),
    (r"Observed exception: Dynamo found no exception handler.*",
     "the code raises an exception when fxn runs it to trace it (on the values of this call's types)"),
    (r"Failed to trace builtin operator: Dynamo does not know how to trace builtin operator `(\w+)`.*",
     r"Python's builtin '\1' on arrays (use NumPy's or torch's function of arrays instead)"),
    (r"Tensor\.tolist\(\) with non-integer tensor: .*",
     ".tolist() of an array of floats (a list of numbers known only at run time): return the array"),
    (r"Dynamo currently does not support tracing (`[^`]+`)", r"fxn does not trace \1"),
    (r"\b(Torch)?Dynamo\b", "fxn's tracer"),
    (r"\bu\d+\b|\bzuf\d+\b", "a run-time value"),
    (r"\(s\d+\)", "(a dynamic size)"),
]


def in_users_words(reason: str) -> str:
    """``reason`` (torch's message) with torch's internal names (``u0``, ``s26``, guards) put in the user's words."""
    import re

    for pattern, words in _TORCH_WORDS:
        reason = re.sub(pattern, words, reason)
    return reason
