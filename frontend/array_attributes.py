"""``x.dtype`` of a NumPy array in traced code, which TorchDynamo does not read (``ndarray.dtype``).

On the AST path each load of ``<expr>.dtype`` in the function's own code
becomes ``fxn_dtype(<expr>)`` (:func:`rewrite`): for a NumPy array it is the
array's ``np.dtype``, found through the tensor TorchDynamo holds for it, and
for anything else the attribute as written. So ``np.zeros(n, dtype=x.dtype)``,
``y.astype(x.dtype)`` and ``x.dtype == np.float32`` work in NumPy code.
"""

from __future__ import annotations

import ast

from fxn.lazy import numpy as np

from fxn.dialects.types import numpy_dtypes

from .dtypes import to_torch
from .liveness import OwnCodeTransformer, own_nodes
from .source import function_node

#: The name the rewritten code calls.
DTYPE = "fxn_dtype"
HELPER_NAMES = (DTYPE,)

#: torch's dtype of a tensor -> the NumPy dtype of the array it stands for: filled by :func:`helpers` (it imports
#: torch), before TorchDynamo traces the code that reads it (which it could not do while it is being filled).
_NUMPY_OF_TORCH: dict = {}


def helpers() -> dict:
    """The values of the names the rewritten code calls."""
    if not _NUMPY_OF_TORCH:
        _NUMPY_OF_TORCH.update({to_torch(name): np.dtype(numpy_type) for name, numpy_type in numpy_dtypes().items()})
    return {DTYPE: dtype_of}


def needs_rewrite(fn) -> bool:
    """Whether ``fn``'s own code reads a ``.dtype`` attribute: such a function takes the AST path."""
    function = function_node(fn)
    return function is not None and any(_is_dtype_load(node) for node in own_nodes(function.body))


def rewrite(statements: list[ast.stmt]) -> list[ast.stmt]:
    """``statements`` with each ``<expr>.dtype`` load made ``fxn_dtype(<expr>)``."""

    class Rewriter(OwnCodeTransformer):
        def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
            node = self.generic_visit(node)
            if not _is_dtype_load(node):
                return node
            call = ast.Call(ast.copy_location(ast.Name(DTYPE, ast.Load()), node), [node.value], [])
            return ast.fix_missing_locations(ast.copy_location(call, node))

    return Rewriter().block(statements)


def _is_dtype_load(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "dtype" and isinstance(node.ctx, ast.Load)


def dtype_of(value):
    """``value.dtype``; for a NumPy array read through its tensor (see the module docstring)."""
    if isinstance(value, np.ndarray):
        import torch

        return _NUMPY_OF_TORCH[torch.from_numpy(value).dtype]
    return value.dtype
