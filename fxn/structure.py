"""Nested Python arguments as flat leaves and a hashable structure, and back (a small pytree).

A compiled function takes arrays; its Python caller may pass them in
lists, tuples, dicts, dataclasses and named tuples, nested. :func:`flatten`
splits such a value into its array leaves, in order, and a
:class:`Structure` that says how to rebuild it: the containers' types,
lengths, dict keys and field names, and the Python values (scalars,
strings, None) that are not arrays, which the structure holds as
constants. Two values with equal structures trace the same code, so a
structure is part of a trace key (see :mod:`fxn.compiled`).

Dict keys are sorted, so ``{"a": x, "b": y}`` and ``{"b": y, "a": x}``
have one structure; :func:`unflatten` rebuilds dicts in sorted key order.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Structure:
    """How to rebuild a value from its leaves.

    ``kind`` is "leaf" (an array: one leaf), "constant" (``value`` itself,
    no leaf), "list", "tuple", "dict" (``names``: its sorted keys),
    "namedtuple" or "dataclass" (``kind_type``: the class, ``names``: its
    fields); ``children`` are the elements' structures, in order.
    """

    kind: str
    children: tuple = ()
    names: tuple = ()
    kind_type: type | None = None
    value: object = None

    @property
    def leaves(self) -> int:
        """How many leaves the value has."""
        if self.kind == "leaf":
            return 1
        return sum(child.leaves for child in self.children)

    def paths(self, prefix: str) -> list[str]:
        """The name of each leaf, from ``prefix`` (``x[0]``, ``cfg['w']``, ``p.bias``), in order."""
        if self.kind == "leaf":
            return [prefix]
        if self.kind == "constant":
            return []
        if self.kind == "dict":
            steps = [f"[{name!r}]" for name in self.names]
        elif self.kind == "dataclass":
            steps = [f".{name}" for name in self.names]
        else:
            steps = [f"[{i}]" for i in range(len(self.children))]
        return [path for step, child in zip(steps, self.children) for path in child.paths(prefix + step)]


LEAF = Structure("leaf")


def is_container(value) -> bool:
    """Whether ``value`` is a list, tuple, dict, named tuple or dataclass instance."""
    return isinstance(value, (list, tuple, dict)) or (dataclasses.is_dataclass(value) and not isinstance(value, type))


def holds_arrays(value) -> bool:
    """Whether a container holds an array (numpy or torch) anywhere inside."""
    if isinstance(value, dict):
        return any(holds_arrays(v) for v in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(holds_arrays(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, (list, tuple)):
        return any(holds_arrays(v) for v in value)
    return _is_array(value)


def _is_array(value) -> bool:
    return isinstance(value, (np.ndarray, np.generic)) or type(value).__module__.startswith("torch")


def flatten(value) -> tuple[list, Structure]:
    """The array leaves of ``value``, in order, and its structure (``constant`` for anything else)."""
    leaves: list = []
    return leaves, _flatten(value, leaves)


def _flatten(value, leaves: list) -> Structure:
    if _is_array(value):
        leaves.append(value)
        return LEAF
    if isinstance(value, dict):
        names = tuple(sorted(value, key=repr))
        return Structure("dict", tuple(_flatten(value[name], leaves) for name in names), names)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))
        children = tuple(_flatten(getattr(value, name), leaves) for name in names)
        return Structure("dataclass", children, names, type(value))
    if isinstance(value, tuple) and hasattr(type(value), "_fields"):
        return Structure("namedtuple", tuple(_flatten(v, leaves) for v in value), type(value)._fields, type(value))
    if type(value) in (list, tuple):
        return Structure(type(value).__name__, tuple(_flatten(v, leaves) for v in value))
    return constant(value)


def constant(value) -> Structure:
    """The structure of a Python value held as a constant (no leaf)."""
    return Structure("constant", value=_Constant(value))


def unflatten(structure: Structure, leaves) -> object:
    """The value of ``structure`` with its leaves taken from ``leaves`` (an iterable, consumed in order)."""
    return _unflatten(structure, iter(leaves))


def _unflatten(structure: Structure, leaves):
    kind = structure.kind
    if kind == "leaf":
        return next(leaves)
    if kind == "constant":
        return structure.value.value
    children = [_unflatten(child, leaves) for child in structure.children]
    if kind == "dict":
        return dict(zip(structure.names, children))
    if kind == "dataclass":
        return structure.kind_type(**dict(zip(structure.names, children)))
    if kind == "namedtuple":
        return structure.kind_type(*children)
    return children if kind == "list" else tuple(children)


@dataclass(frozen=True)
class _Constant:
    """A Python value held by a structure, compared by type and value (a float by its repr: NaN equals
    itself, -0.0 is not 0.0); an unhashable one by identity."""

    value: object

    def _key(self):
        value = self.value
        if isinstance(value, float):
            return (float, repr(value))
        try:
            hash(value)
        except TypeError:
            return ("object", id(value))
        return (type(value), value)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Constant) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())
