"""Small helpers shared by fxn's rewrite patterns: looking through constants and types, applying one pattern."""

from __future__ import annotations

from fxn.lazy import numpy as np

from fxn.dialects import TensorType
from fxn.dialects.elements import element_count, elements_to_numpy, splat_scalar
from fxn.mlir import ir, rewrite


def defining_op(value: ir.Value, name: str):
    """The op named ``name`` that defines ``value``, or None (also for block arguments)."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        return None
    return owner if owner.operation.name == name else None


def constant_value(value: ir.Value) -> np.ndarray | None:
    """The elements of a ``dense<...>`` fxn.constant defining ``value``, else None.

    A splat gives its one value as a 0-d array: it may stand for more
    elements than fit in memory. Other ``dense<...>`` values hold every
    element in the IR already, so copying them costs no more than the IR.
    """
    constant = defining_op(value, "fxn.constant")
    if constant is None:
        return None
    attr = constant.attributes["value"]
    if not isinstance(attr, ir.DenseElementsAttr):
        return None
    scalar = splat_scalar(attr)
    return elements_to_numpy(attr) if scalar is None else scalar


def is_splat_of(value: ir.Value, scalar, *, negative_zero: bool | None = None) -> bool:
    """True if ``value`` is a constant whose every element equals ``scalar``.

    ``negative_zero`` additionally demands the sign bit of a float zero.
    """
    array = constant_value(value)
    if array is None or element_count(tensor_type(value).shape) == 0 or not np.all(array == scalar):
        return False
    if negative_zero is not None and array.dtype.kind == "f":
        return bool(np.all(np.signbit(array) == negative_zero))
    return True


def tensor_type(value: ir.Value) -> TensorType:
    return TensorType.from_mlir(value.type)


def attribute_value(op, name: str):
    """An attribute of ``op`` as the Python value its ``build`` takes (a tuple for an array)."""
    attr = op.attributes[name]
    return tuple(attr) if hasattr(attr, "__len__") else attr.value


def apply_counting(root, op_class, pattern) -> int:
    """Apply ``pattern`` to the ``op_class`` ops under ``root`` greedily, folding too; how many it rewrote.

    ``pattern(op, rewriter)`` returns a falsy value when it rewrote ``op``, as
    the bindings' patterns do.
    """
    rewrites = 0

    def counted(op, rewriter):
        nonlocal rewrites
        failed = pattern(op, rewriter)
        rewrites += not failed
        return failed

    patterns = rewrite.RewritePatternSet()
    patterns.add(op_class, counted)
    rewrite.apply_patterns_and_fold_greedily(root, patterns.freeze())
    return rewrites


def outermost_op(op):
    """The op that holds ``op`` with no parent above it (the module being transformed)."""
    while op.parent is not None:
        op = op.parent
    return op
