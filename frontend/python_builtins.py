"""Python's builtins ``int``, ``float``, ``bool``, ``round``, ``min`` and ``max`` on values known only at run time.

On the AST path, a call of one of :data:`BUILTINS` that the function does not
shadow with a name of its own becomes a call of ``fxn_<name>``, bound to the
function here of the same meaning (:func:`rewrite`). Python values go to
the builtin unchanged; a run-time scalar (a 0-d array while tracing: an int
or float argument, a loop variable, ``x[i]``) gives a 0-d array:

- ``int(v)`` rounds toward zero to fxn's ``int`` (i32, or the type
  ``fxn.compile(dtype=...)`` gives it: a float beyond its range or NaN gives
  an unspecified value); an integer array keeps its type; a bool gives 0 or 1;
- ``float(v)`` is the default float: float64 in NumPy code, torch's default
  (float32) in torch code;
- ``bool(v)`` is ``v != 0`` (NaN is true, as in Python);
- ``round(v)`` rounds half to even to an i32; ``round(v, n)`` keeps the type;
- ``min(a, b, ...)`` and ``max(a, b, ...)`` make Python's choice among their
  arguments (``b if b < a else a``, left to right: the first of equal ones,
  and a NaN argument is kept only where it comes first), in the type the
  arguments promote to; ``min(x)`` of one array of rank 1 or more is
  ``x.min(0)`` (NaN propagates, as in NumPy). ``key=`` or ``default=``
  calls are the builtin's.

An array of more than one element is a ``TypeError``, as Python's
conversions of arrays give.
"""

from __future__ import annotations

import ast
import builtins
import functools
from typing import TYPE_CHECKING

from fxn.lazy import numpy as np

from .dtypes import to_torch
from .liveness import OwnCodeTransformer, assigned, own_nodes
from .source import function_node
from .types import scalar_dtype

if TYPE_CHECKING:
    import torch

#: The builtins rewritten, and the prefix of the names their calls are rewritten to.
BUILTINS = ("int", "float", "bool", "round", "min", "max")
PREFIX = "fxn_"
#: The names the rewritten code calls.
HELPER_NAMES = tuple(PREFIX + name for name in BUILTINS)
#: The builtins themselves (:mod:`.python_math` puts :func:`python_round` in ``builtins`` while fxn traces).
_ROUND = builtins.round


def helpers() -> dict:
    """The values of the names the rewritten code calls (``int`` of the element type fxn's ``int`` has)."""
    functions = {PREFIX + name: globals()[f"python_{name}"] for name in BUILTINS}
    functions[PREFIX + "int"] = functools.partial(python_int, int_dtype=to_torch(scalar_dtype(int)))
    return functions


def needs_rewrite(fn) -> bool:
    """Whether ``fn`` calls one of :data:`BUILTINS` (not shadowed) on something other than constants: such a
    function takes the AST path, where :func:`rewrite` applies."""
    function = function_node(fn)
    if function is None:
        return False
    shadowed = assigned(function.body)
    return any(_rewritten(node, shadowed) for node in own_nodes(function.body))


def rewrite(statements: list[ast.stmt]) -> list[ast.stmt]:
    """``statements`` with their calls of :data:`BUILTINS` made calls of the functions here."""
    shadowed = assigned(statements)

    class Rewriter(OwnCodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.expr:
            node = self.generic_visit(node)
            if _rewritten(node, shadowed):
                node.func = ast.copy_location(ast.Name(PREFIX + node.func.id, ast.Load()), node.func)
            return node

    return Rewriter().block(statements)


def _rewritten(node, shadowed: set[str]) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILTINS
            and node.func.id not in shadowed and not all(isinstance(a, ast.Constant) for a in node.args))


# ----------------------------------------------------------------------------- the functions


def _is_array(value) -> bool:
    import torch

    return isinstance(value, (torch.Tensor, np.ndarray))


def _tensor(value) -> tuple[torch.Tensor, bool]:
    """An array as a tensor (TorchDynamo traces NumPy's through torch), and whether it was NumPy's."""
    import torch

    return (torch.from_numpy(value), True) if isinstance(value, np.ndarray) else (value, False)


def _scalar(value: torch.Tensor, name: str) -> torch.Tensor:
    """``value`` as a 0-d tensor; TypeError, as Python's, for more than one element."""
    if value.ndim == 0:
        return value
    if all(size == 1 for size in value.shape):
        return value.reshape(())
    raise TypeError(f"{name}() of an array of shape {tuple(value.shape)}: only an array of one element converts "
                    "to a Python scalar")


def _converted(name: str, value, convert):
    """``convert`` applied to the 0-d tensor of the array ``value``, given back as NumPy's if it was."""
    tensor, numpy = _tensor(value)
    result = convert(_scalar(tensor, name))
    return result.numpy() if numpy else result


def python_int(value=0, *args, int_dtype: torch.dtype | None = None, **kwargs):
    """``int(value)``: toward zero, to an ``int_dtype`` array for a run-time float or bool (fxn's ``int``: i32, or
    as ``fxn.compile(dtype=...)`` sets it)."""
    if args or kwargs or not _is_array(value):
        return builtins.int(value, *args, **kwargs)
    import torch

    int_dtype = int_dtype or torch.int32

    def to_int(x: torch.Tensor) -> torch.Tensor:
        if x.dtype.is_floating_point:
            return torch.trunc(x).to(int_dtype)
        return x.to(int_dtype) if x.dtype == torch.bool else x

    return _converted("int", value, to_int)


def python_float(value=0.0):
    """``float(value)``: the default float of the code (see the module docstring)."""
    if not _is_array(value):
        return builtins.float(value)
    import torch

    return _converted("float", value, lambda x: x.to(torch.get_default_dtype()))


def python_bool(value=False):
    """``bool(value)``: ``value != 0``."""
    if not _is_array(value):
        return builtins.bool(value)
    return _converted("bool", value, lambda x: x != 0)


def python_round(number, ndigits=None):
    """``round(number)``: half to even, an i32 for a run-time value; with ``ndigits``, of the number's type."""
    if not _is_array(number):
        return _ROUND(number) if ndigits is None else _ROUND(number, ndigits)
    import torch

    if ndigits is None:
        return _converted("round", number, lambda x: torch.round(x).to(torch.int32))
    return _converted("round", number, lambda x: torch.round(x, decimals=ndigits))


def python_min(*args, **kwargs):
    """``min(...)``: Python's choice among the arguments (see the module docstring)."""
    return _choose(builtins.min, args, kwargs, lambda candidate, best: candidate < best)


def python_max(*args, **kwargs):
    """``max(...)``: Python's choice among the arguments (see the module docstring)."""
    return _choose(builtins.max, args, kwargs, lambda candidate, best: candidate > best)


def _choose(builtin, args, kwargs, better):
    import torch

    if kwargs or not args:
        return builtin(*args, **kwargs)
    if len(args) == 1:
        (values,) = args
        if _is_array(values) and values.ndim >= 1:
            tensor, numpy = _tensor(values)
            result = (torch.amin if builtin is builtins.min else torch.amax)(tensor, 0)
            return result.numpy() if numpy else result
        return builtin(values)
    if not any(_is_array(a) for a in args):
        return builtin(*args)
    numpy = any(isinstance(a, np.ndarray) for a in args)
    best = args[0]
    for candidate in args[1:]:
        if not _is_array(best) and not _is_array(candidate):
            best = builtin(best, candidate)
            continue
        best_tensor, candidate_tensor = (_tensor(v)[0] if _is_array(v) else v for v in (best, candidate))
        best = torch.where(better(candidate_tensor, best_tensor), candidate_tensor, best_tensor)
    return best.numpy() if numpy and isinstance(best, torch.Tensor) else best
