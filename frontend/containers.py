"""Parameters declared as containers of arrays and numbers: a signature known before any call.

An annotation declares a container when it is ``tuple[A, B, ...]`` (a fixed
length), a ``typing.NamedTuple`` class or a dataclass whose fields are all
annotated, each element or field an ``fxn.Tensor[...]``, ``float``, ``int``,
``bool``, ``fxn.FunctionType(...)`` or such a container again. An ``input_signature`` entry declares one
when it is a tuple, list, dict (string keys), named tuple or dataclass
instance holding ``fxn.TensorSpec`` leaves, nested. ``list[T]``, ``dict[K,
V]`` and ``tuple[T, ...]`` declare no length or keys: a parameter annotated
so specializes on each call, as an unannotated one does, and ahead-of-time
compilation says why it cannot take it (:func:`why_undeclared`).

Each leaf is a parameter of its own of the function that
:mod:`fxn.compiled` generates, annotated as declared; containers flatten as
arguments do (:func:`fxn.structure.flatten`: dict keys sorted by their repr).
"""

from __future__ import annotations

import sys
import types

from fxn.structure import LEAF, Structure, dataclass_fields, flatten
from fxn.values import FrozenValue

from .types import StaticSpec, TensorSpec, is_function_type


class ContainerSpec(FrozenValue):
    """A declared container: its structure and each leaf's annotation (an fxn.TensorSpec, float, int or bool),
    in the order of the leaves. An immutable value, compared by its fields (not a dataclass: this module is
    imported by every decoration, see :mod:`fxn.values`)."""

    _fields = ("structure", "leaves")

    def __init__(self, structure: Structure, leaves: tuple):
        self._freeze(structure=structure, leaves=leaves)


class Undeclarable(TypeError):
    """A container annotation that declares no fixed structure: where (``p.bias``) and why."""

    def __init__(self, path: str, why: str):
        super().__init__(f"{path} {why}")
        self.path, self.why = path, why


def _is_container_annotation(hint) -> bool:
    """Whether an annotation names a tuple, list, dict, named tuple or dataclass (declaring one or not)."""
    if (_origin(hint) or hint) in (tuple, list, dict):
        return True
    return isinstance(hint, type) and (dataclass_fields(hint) is not None or _is_named_tuple(hint))


def _origin(hint):
    """``typing.get_origin(hint)``; without importing typing where it is not imported (then the only generic
    annotations are the builtin ``tuple[...]`` and ``X | Y``: a cached call need not load typing)."""
    typing = sys.modules.get("typing")
    if typing is not None:
        return typing.get_origin(hint)
    if isinstance(hint, types.GenericAlias):
        return hint.__origin__
    return types.UnionType if isinstance(hint, types.UnionType) else None


def annotated_container(hint, name: str) -> ContainerSpec | None:
    """The container an annotation of parameter ``name`` declares; None if it names no container; Undeclarable
    naming the path where it declares no fixed structure."""
    if not _is_container_annotation(hint):
        return None
    leaves: list = []
    return ContainerSpec(_annotated(hint, name, leaves), tuple(leaves))


def why_undeclared(hint, name: str) -> str:
    """What follows "parameter 'x' of f" in the error of a parameter without a declared type."""
    if hint is None:
        return " has no type annotation"
    try:
        annotated_container(hint, name)
    except Undeclarable as error:
        return f" {error.why}" if error.path == name else f": {error}"
    return f" is annotated {_annotation_text(hint)}, which specializes on each call"


def _annotation_text(hint) -> str:
    """An annotation as a reader knows it: ``torch.Tensor``, ``tuple``, ``list[fxn.TensorSpec([3], fxn.f32)]``."""
    if isinstance(hint, type):
        return hint.__qualname__ if hint.__module__ == "builtins" else f"{hint.__module__}.{hint.__qualname__}"
    return repr(hint)


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _annotated(hint, path: str, leaves: list) -> Structure:
    """The structure an annotation declares at ``path``, its leaves' annotations appended to ``leaves``."""
    if isinstance(hint, TensorSpec) or is_function_type(hint) or hint in (float, int, bool):
        leaves.append(hint)
        return LEAF
    import typing

    origin, arguments = typing.get_origin(hint) or hint, typing.get_args(hint)
    if origin is tuple and arguments and arguments[-1] is not Ellipsis:
        return Structure("tuple", tuple(_annotated(a, f"{path}[{i}]", leaves) for i, a in enumerate(arguments)))
    if origin in (tuple, list, dict):
        lacking, example = ("keys", "{'key': fxn.TensorSpec(...)}") if origin is dict else ("length", "[...]")
        raise Undeclarable(path, f"is annotated {_annotation_text(hint)}, which declares no {lacking} "
                           f"(input_signature can: {example})")
    if isinstance(hint, type) and (dataclass_fields(hint) is not None or _is_named_tuple(hint)):
        return _annotated_fields(hint, path, leaves)
    if isinstance(hint, StaticSpec):
        raise Undeclarable(path, f"is annotated {hint!r}, which only a parameter can be")
    raise Undeclarable(path, f"is annotated {_annotation_text(hint)}, which specializes on each call")


def _annotated_fields(cls: type, path: str, leaves: list) -> Structure:
    """The structure of a named tuple or dataclass class from its fields' annotations."""
    named_tuple = _is_named_tuple(cls)
    names = cls._fields if named_tuple else dataclass_fields(cls)
    try:
        import typing

        hints = typing.get_type_hints(cls)
    except Exception as error:  # a string annotation naming nothing in the class's module
        raise Undeclarable(path, f"is a {cls.__qualname__}, whose annotations do not evaluate: {error}") from None
    children = []
    for name in names:
        if name not in hints:
            raise Undeclarable(f"{path}.{name}", "has no type annotation")
        children.append(_annotated(hints[name], f"{path}.{name}", leaves))
    return Structure("namedtuple" if named_tuple else "dataclass", tuple(children), tuple(names), cls)


def signature_container(entry, name: str, function: str) -> ContainerSpec:
    """The container an ``input_signature`` entry for parameter ``name`` of ``function`` declares; TypeError
    naming the path of anything in it that is no fxn.TensorSpec or container of them."""
    leaves, structure = flatten(entry, lambda value: isinstance(value, TensorSpec) or is_function_type(value))
    _check_signature(structure, name, function)
    return ContainerSpec(structure, tuple(leaves))


def _check_signature(structure: Structure, path: str, function: str) -> None:
    if structure.kind == "constant":
        raise TypeError(f"{function}: input_signature takes fxn.TensorSpec(shape, dtype) entries; got "
                        f"{type(structure.value.value).__name__} at {path} (or tuples, lists, dicts with string "
                        "keys, named tuples and dataclasses of them)")
    keys = [key for key in structure.names if not isinstance(key, str)] if structure.kind == "dict" else []
    if keys:
        raise TypeError(f"{function}: input_signature's dict at {path} has the key {keys[0]!r}; its keys are strings")
    for step, child in zip(structure.steps(), structure.children):
        _check_signature(child, path + step, function)
