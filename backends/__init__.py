"""Hardware backends, found through the ``fxn.backends`` entry-point group.

A backend package declares, in its own ``pyproject.toml``::

    [project.entry-points."fxn.backends"]
    neon = "my_package.neon:backend"

and fxn discovers it at run time; the core never names a backend. Loading a
broken plugin is reported, not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "fxn.backends"


@dataclass
class BackendEntry:
    """A backend as its entry point declares it: the object once loaded, or the error."""

    name: str
    target: str  # "module:attribute"
    backend: object | None = None
    error: str | None = None


def discover_backends() -> list[BackendEntry]:
    """Every backend registered in the entry-point group, loaded, sorted by name."""
    entries = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        entry = BackendEntry(point.name, point.value)
        try:
            entry.backend = point.load()
        except Exception as error:  # a vendor's bug must not take fxn down
            entry.error = f"{type(error).__name__}: {error}"
        entries.append(entry)
    return entries


class BackendNotFound(LookupError):
    """No installed backend has the requested name, or none can run on this machine."""


def find_backend(name: str):
    """The loaded backend object registered as ``name``."""
    entries = {entry.name: entry for entry in discover_backends()}
    if name not in entries:
        raise BackendNotFound(f"no backend '{name}' (installed: {', '.join(entries) or 'none'})")
    entry = entries[name]
    if entry.backend is None:
        raise BackendNotFound(f"backend '{name}' failed to load: {entry.error}")
    return entry.backend


def host_backend():
    """``(backend, target)`` of the first installed backend that can run code on this machine."""
    for entry in discover_backends():
        target = entry.backend.host_target() if entry.backend is not None else None
        if target is not None:
            return entry.backend, target
    raise BackendNotFound("no installed backend can run code on this machine (see fxn-opt --list-backends)")


def list_backends() -> str:
    """The text of ``fxn-opt --list-backends``."""
    entries = discover_backends()
    if not entries:
        return f"Available backends: none (no '{ENTRY_POINT_GROUP}' entry points installed)\n"
    lines = ["Available backends:"]
    for entry in entries:
        description = (
            f"failed to load: {entry.error}"
            if entry.error
            else (getattr(entry.backend, "description", "") or (entry.backend.__doc__ or "").strip().split("\n")[0])
        )
        lines.append(f"  {entry.name:<20} {description} [{entry.target}]")
    return "\n".join(lines) + "\n"
