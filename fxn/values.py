"""Immutable values compared by their fields, as a frozen dataclass gives them, without making a dataclass.

Making a dataclass runs ``exec`` on generated code, which costs a module
imported by every call of cached code a tenth of that call's time.
"""

from __future__ import annotations

from operator import attrgetter


class FrozenValue:
    """A value of the fields ``_fields`` (set once by :meth:`_freeze`): equal to another of its class with equal
    fields, hashed by them, shown as ``Name(field=value, ...)``; assigning or deleting a field is an
    AttributeError."""

    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The fields read at C speed (a dataclass's __eq__ and __hash__ compare tuples as fast): keys of dicts on
        # the dispatch path are such values.
        cls._values = staticmethod(attrgetter(*cls._fields) if cls._fields else lambda value: ())

    def _freeze(self, **values) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r}")

    __delattr__ = __setattr__

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values(self) == other._values(other)

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({fields})"
