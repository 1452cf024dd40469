"""The Python frontend: turns a typed Python function into fxn-dialect IR.

:func:`trace` is the one entry point the compiler uses; ``types`` derives
parameter types from annotations and arguments.
"""

from .fx_capture import TracedFunction, UnsupportedOperation, trace

__all__ = ["trace", "TracedFunction", "UnsupportedOperation"]
