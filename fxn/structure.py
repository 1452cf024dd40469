"""Nested Python arguments as flat leaves and a hashable structure, and back (a small pytree).

A compiled function takes arrays; its Python caller may pass them in
lists, tuples, dicts, dataclasses and named tuples, nested. :func:`flatten`
splits such a value into its array leaves (and function values, which
compiled code takes as native addresses), in order, and a
:class:`Structure` that says how to rebuild it: the containers' types,
lengths, dict keys and field names, and the Python values (scalars,
strings, None) that are not arrays, which the structure holds as
constants. Two values with equal structures trace the same code, so a
structure is part of a trace key (see :mod:`fxn.compiled`).

Arguments' dict keys are sorted, so ``{"a": x, "b": y}`` and ``{"b": y,
"a": x}`` have one structure (:func:`unflatten` rebuilds dicts in sorted
key order); results keep their keys' order (``sort_keys=False``). The
same flattening, with another leaf predicate, takes a function's results
apart (:mod:`fxn.frontend.trace`). A declared signature's structure
(:mod:`fxn.frontend.containers`) takes an argument apart with
:func:`leaves_of`, which checks the argument against it.
"""

from __future__ import annotations

import sys
import types

from fxn.values import FrozenValue


class Structure(FrozenValue):
    """How to rebuild a value from its leaves.

    ``kind`` is "leaf" (an array: one leaf), "string" (a ``str``: one leaf,
    its UTF-8 bytes as a uint8 array), "constant" (``value`` itself, no
    leaf), "list", "tuple", "dict" (``names``: its sorted keys),
    "namedtuple" or "dataclass" (``kind_type``: the class, ``names``: its
    fields); ``children`` are the elements' structures, in order. (An
    immutable value compared by its fields, not a dataclass: see
    :mod:`fxn.values`.)
    """

    _fields = ("kind", "children", "names", "kind_type", "value")

    def __init__(self, kind: str, children: tuple = (), names: tuple = (), kind_type: type | None = None,
                 value: object = None):
        self._freeze(kind=kind, children=children, names=names, kind_type=kind_type, value=value)

    @property
    def is_leaf(self) -> bool:
        """Whether the value is one leaf (an array, a number or a str)."""
        return self.kind in ("leaf", "string")

    @property
    def leaves(self) -> int:
        """How many leaves the value has."""
        if self.is_leaf:
            return 1
        return sum(child.leaves for child in self.children)

    def steps(self) -> list[str]:
        """How Python reaches each child from the value: ``[0]`` (a list or tuple), ``['w']`` (a dict),
        ``.bias`` (a named tuple's or dataclass's field)."""
        if self.kind == "dict":
            return [f"[{name!r}]" for name in self.names]
        if self.kind in ("namedtuple", "dataclass"):
            return [f".{name}" for name in self.names]
        return [f"[{i}]" for i in range(len(self.children))]

    def paths(self, prefix: str) -> list[str]:
        """The name of each leaf, from ``prefix`` (``x[0]``, ``cfg['w']``, ``p.bias``), in order."""
        if self.is_leaf:
            return [prefix]
        return [path for step, child in zip(self.steps(), self.children) for path in child.paths(prefix + step)]


def leaf_kinds(structure: Structure) -> list[str]:
    """Each leaf's kind, in order: "leaf" (an array or number) or "string" (a str)."""
    if structure.is_leaf:
        return [structure.kind]
    return [kind for child in structure.children for kind in leaf_kinds(child)]


LEAF = Structure("leaf")
#: A str: one leaf, its UTF-8 bytes (a compiled function's string result).
STRING = Structure("string")


def dataclass_fields(value) -> tuple[str, ...] | None:
    """The field names of a dataclass or of an instance of one (as ``dataclasses.fields`` gives them), else None.

    (``dataclasses`` made any dataclass there is, so it is imported where one
    exists: asking does not import it.)
    """
    cls = value if isinstance(value, type) else type(value)
    if not hasattr(cls, "__dataclass_fields__"):  # what dataclasses.is_dataclass asks
        return None
    return tuple(field.name for field in sys.modules["dataclasses"].fields(cls))


def _dataclass_instance_fields(value) -> tuple[str, ...] | None:
    return None if isinstance(value, type) else dataclass_fields(value)


def is_container(value) -> bool:
    """Whether ``value`` is a list, tuple, dict, named tuple or dataclass instance."""
    return isinstance(value, (list, tuple, dict)) or _dataclass_instance_fields(value) is not None


def holds_arrays(value) -> bool:
    """Whether a container holds an array (numpy or torch) or a function value anywhere inside."""
    if isinstance(value, dict):
        return any(holds_arrays(v) for v in value.values())
    if (names := _dataclass_instance_fields(value)) is not None:
        return any(holds_arrays(getattr(value, name)) for name in names)
    if isinstance(value, (list, tuple)):
        return any(holds_arrays(v) for v in value)
    return _is_argument_leaf(value)


def _is_argument_leaf(value) -> bool:
    """Whether ``value`` is a leaf of an argument: an array, or a function passed as a value (a compiled function,
    a Python function or lambda: a run-time function address, see :mod:`fxn.function_values`)."""
    # An array exists only once its library is imported.
    numpy, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    return (numpy is not None and isinstance(value, (numpy.ndarray, numpy.generic))) or \
        (torch is not None and isinstance(value, torch.Tensor)) or \
        isinstance(value, types.FunctionType) or getattr(type(value), "fxn_function_value", False)


def flatten(value, is_leaf=None, sort_keys: bool = True, leaf_structure=None) -> tuple[list, Structure]:
    """The leaves of ``value`` (arrays and function values, or what ``is_leaf`` accepts), in order, and its
    structure (``constant`` for anything else); dict keys sorted, or in their order without ``sort_keys``.
    ``leaf_structure(leaf)`` gives each leaf's structure (default :data:`LEAF`; :data:`STRING` for a string
    result)."""
    leaves: list = []
    return leaves, _flatten(value, leaves, is_leaf or _is_argument_leaf, sort_keys, leaf_structure or (lambda _: LEAF))


def _flatten(value, leaves: list, is_leaf, sort_keys: bool, leaf_structure) -> Structure:
    def parts(values):
        return tuple(_flatten(v, leaves, is_leaf, sort_keys, leaf_structure) for v in values)

    if is_leaf(value):
        leaves.append(value)
        return leaf_structure(value)
    if isinstance(value, dict):
        names = tuple(sorted(value, key=repr)) if sort_keys else tuple(value)
        return Structure("dict", parts(value[name] for name in names), names)
    if (names := _dataclass_instance_fields(value)) is not None:
        return Structure("dataclass", parts(getattr(value, name) for name in names), names, type(value))
    if isinstance(value, tuple) and hasattr(type(value), "_fields"):
        return Structure("namedtuple", parts(value), type(value)._fields, type(value))
    if isinstance(value, (list, tuple)):  # another tuple subclass (torch's return types) as a tuple
        return Structure("list" if isinstance(value, list) else "tuple", parts(value))
    return constant(value)


def map_leaves(function, value, is_leaf):
    """``value`` with each leaf (what ``is_leaf`` accepts) replaced by ``function(leaf)``, containers rebuilt
    with their own key order."""
    leaves, structure = flatten(value, is_leaf, sort_keys=False)
    return unflatten(structure, [function(leaf) for leaf in leaves])


def constant(value) -> Structure:
    """The structure of a Python value held as a constant (no leaf)."""
    return Structure("constant", value=_Constant(value))


def unflatten(structure: Structure, leaves) -> object:
    """The value of ``structure`` with its leaves taken from ``leaves`` (an iterable, consumed in order)."""
    return _unflatten(structure, iter(leaves))


def leaves_of(structure: Structure, value, path: str) -> list:
    """The leaves of ``value`` (named ``path``) taken apart as ``structure`` declares (a declared signature):
    a tuple or list of its length for a tuple or list, a dict of exactly its keys, an instance of its class
    for a named tuple or dataclass; anything at a leaf. TypeError naming the path where ``value`` differs."""
    kind = structure.kind
    if kind == "leaf":
        return [value]
    if kind in ("tuple", "list"):
        fits = isinstance(value, (tuple, list)) and len(value) == len(structure.children)
        wanted = f"a {kind} of {len(structure.children)}"
    elif kind == "dict":
        fits = isinstance(value, dict) and set(value) == set(structure.names)
        wanted = f"a dict of the keys {', '.join(map(repr, structure.names))}"
    else:
        fits = isinstance(value, structure.kind_type)
        wanted = f"a {structure.kind_type.__name__}"
    if not fits:
        given = f"a {type(value).__name__}" + (f" of {len(value)}" if isinstance(value, (tuple, list, dict)) else "")
        raise TypeError(f"parameter '{path}' expects {wanted}; got {given}")
    if kind == "dict":
        children = [value[name] for name in structure.names]
    elif kind in ("namedtuple", "dataclass"):
        children = [getattr(value, name) for name in structure.names]
    else:
        children = value
    leaves = []
    for index, (child, part) in enumerate(zip(structure.children, children)):
        if child.kind == "leaf":  # (no path to make: a leaf takes anything)
            leaves.append(part)
        else:
            leaves += leaves_of(child, part, path + structure.steps()[index])
    return leaves


def _unflatten(structure: Structure, leaves):
    kind = structure.kind
    if kind == "leaf":
        return next(leaves)
    if kind == "string":
        return bytes(memoryview(next(leaves))).decode("utf-8")
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


class _Constant:
    """A Python value held by a structure, compared by type and value (a float by its repr: NaN equals
    itself, -0.0 is not 0.0); an unhashable one by identity."""

    def __init__(self, value: object):
        self.value = value

    def __repr__(self) -> str:
        return f"_Constant(value={self.value!r})"

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
