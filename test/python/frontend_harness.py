"""Tracing a Python function in tests, and finding lines of its source."""

import inspect

from fxn.dialects import new_context
from fxn.frontend.trace import trace
from fxn.frontend.types import argument_type, parameters


def traced(fn, *args):
    """``fn`` traced for the types of ``args``, as @fxn.compile would trace it."""
    signature = parameters(fn)
    types = [argument_type(p, a) for p, a in zip(signature, args)]
    return trace(fn, signature, types, new_context())


def line_of(fn, text: str) -> int:
    """The file line of the first line of ``fn`` containing ``text``."""
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)
