"""A function's parameters and annotations as :mod:`inspect` gives them, read without it from a plain function.

``inspect`` imports ``ast``, ``dis`` and ``tokenize``: ~13 ms, a quarter of
what decorating a function and calling its code from the on-disk cache
cost a new process. A plain Python function (a ``types.FunctionType`` that
names no other signature: no ``__wrapped__``, no ``__signature__``) has
its parameters in its code object and its annotations in
``__annotations__``, which is all ``inspect.signature`` and
``inspect.get_annotations`` read of it; anything else (a
``functools.partial``, a callable object, a wrapper) is asked of inspect.
Binding a call's keywords (``inspect.Signature.bind``) stays inspect's.
"""

from __future__ import annotations

import types

#: ``inspect.Parameter`` kinds (the values of ``inspect._ParameterKind``, an IntEnum equal to them).
POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = range(5)
#: ``inspect.CO_VARARGS`` and ``inspect.CO_VARKEYWORDS``: a code object's ``*args`` and ``**kwargs``.
_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08


def _plain(fn) -> bool:
    return type(fn) is types.FunctionType and not hasattr(fn, "__wrapped__") and not hasattr(fn, "__signature__")


def parameter_kinds(fn) -> dict[str, int]:
    """Each parameter of ``fn`` and its kind (one of this module's, equal to ``inspect.Parameter.kind``), in
    ``inspect.signature(fn)``'s order."""
    if not _plain(fn):
        import inspect

        return {name: int(parameter.kind) for name, parameter in inspect.signature(fn).parameters.items()}
    code = fn.__code__
    names, positional, keyword_only = code.co_varnames, code.co_argcount, code.co_kwonlyargcount
    kinds = {name: POSITIONAL_ONLY if index < code.co_posonlyargcount else POSITIONAL_OR_KEYWORD
             for index, name in enumerate(names[:positional])}
    rest = positional + keyword_only  # co_varnames: positional, keyword-only, then *args, then **kwargs
    if code.co_flags & _CO_VARARGS:
        kinds[names[rest]] = VAR_POSITIONAL
        rest += 1
    kinds.update((name, KEYWORD_ONLY) for name in names[positional:positional + keyword_only])
    if code.co_flags & _CO_VARKEYWORDS:
        kinds[names[rest]] = VAR_KEYWORD
    return kinds


def annotations(fn) -> dict:
    """``inspect.get_annotations(fn, eval_str=True)``: ``fn``'s annotations, those written as strings evaluated in
    its module's globals."""
    if not _plain(fn):
        import inspect

        return inspect.get_annotations(fn, eval_str=True)
    written = fn.__annotations__
    return {name: eval(value, fn.__globals__, None) if isinstance(value, str) else value
            for name, value in written.items()}


def is_variadic(fn) -> bool:
    """Whether ``fn`` has a ``*args`` or ``**kwargs`` parameter."""
    return any(kind in (VAR_POSITIONAL, VAR_KEYWORD) for kind in parameter_kinds(fn).values())
