"""Hardware backends, found through the ``fxn.backends`` entry-point group, and targets chosen by name.

A backend package declares, in its own ``pyproject.toml``::

    [project.entry-points."fxn.backends"]
    neon = "my_package.neon:backend"

and fxn discovers it at run time; the core never names a backend. A
target is named as ``NAME`` or ``NAME:key=value,key=value``
(:func:`resolve_target`). A plugin that fails to load, reuses a name taken
by another, lacks a hook or raises in one is reported as a
:class:`BackendError` naming the plugin, never as a traceback from the core.
"""

from __future__ import annotations

import _thread
import functools
import importlib
import os
import platform
import re
import sys
from dataclasses import dataclass, field

from .base import Backend, Target, TargetError

ENTRY_POINT_GROUP = "fxn.backends"


@dataclass
class BackendEntry:
    """A backend as its entry point declares it: the object once loaded, or the error."""

    name: str
    target: str  # "module:attribute"
    backend: object | None = None
    error: str | None = None
    #: The entry point, until :func:`_load` has loaded it (or found why it cannot be).
    point: object | None = field(default=None, repr=False, compare=False)


class BackendNotFound(LookupError):
    """No installed backend has the requested name, or none can run on this machine."""


class BackendError(RuntimeError):
    """A backend plugin failed: it did not load, reuses a name, lacks a hook or raised in one."""


class _EntryPoint:
    """An entry point as ``importlib.metadata.EntryPoint`` gives it: ``name``, ``value`` and ``load()``."""

    def __init__(self, name: str, value: str):
        self.name, self.value = name, value

    def load(self):
        module, _, attributes = self.value.partition("[")[0].strip().partition(":")
        return functools.reduce(getattr, filter(None, attributes.strip().split(".")),
                                importlib.import_module(module.strip()))


def _entry_points(group: str) -> list:
    """The entry points of ``group``, as ``importlib.metadata.entry_points(group=group)`` finds them.

    They are read from the ``.dist-info`` and ``.egg-info`` folders of the
    folders on ``sys.path`` (the first distribution of a name wins), without
    importing importlib.metadata, which costs a scalar function's compile a
    tenth of its time. Where distributions may come from elsewhere (a zip
    file on the path, an egg, a finder of distributions of its own),
    importlib.metadata itself answers.
    """
    finders = [finder for finder in sys.meta_path if hasattr(finder, "find_distributions")]
    if any(getattr(finder, "__name__", "") != "PathFinder" for finder in finders):
        return _metadata_entry_points(group)
    points, seen = [], set()
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except NotADirectoryError:
            return _metadata_entry_points(group)
        except OSError:
            continue
        for name in names:
            low = name.lower()
            if low.endswith(".egg"):
                return _metadata_entry_points(group)
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            distribution = re.sub(r"[-_.]+", "_", low.rpartition(".")[0].partition("-")[0])
            if distribution in seen:
                continue
            seen.add(distribution)
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8") as file:
                    points += _points_of_group(file.read(), group)
            except OSError:
                continue
    return points


def _points_of_group(text: str, group: str) -> list[_EntryPoint]:
    """The entry points of section ``[group]`` of an ``entry_points.txt``."""
    points, section = [], None
    for line in (line.strip() for line in text.splitlines()):
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group:
            name, _, value = line.partition("=")
            points.append(_EntryPoint(name.strip(), value.strip()))
    return points


def _metadata_entry_points(group: str) -> list:
    from importlib.metadata import entry_points

    return list(entry_points(group=group))


@functools.cache
def _registered() -> tuple[BackendEntry, ...]:
    """Every backend registered in the entry-point group, sorted by name, none loaded yet (looked up once per
    process): a name registered twice, or ``host``, is an error already."""
    entries: dict[str, BackendEntry] = {}
    for point in sorted(_entry_points(ENTRY_POINT_GROUP), key=lambda p: (p.name, p.value)):
        if point.name in entries:
            first = entries[point.name]
            first.point, first.error = None, (f"the name '{point.name}' is registered twice, by {first.target} "
                                              f"and {point.value}; uninstall one")
            continue
        entries[point.name] = BackendEntry(point.name, point.value, point=point)
        if point.name == "host":
            entries[point.name].point = None
            entries[point.name].error = "the name 'host' is reserved for this machine's target; rename the entry point"
    return tuple(entries.values())


#: Held while a backend loads: a racing thread waits for it rather than see it half loaded.
_LOADING = _thread.RLock()


def _load(entry: BackendEntry) -> BackendEntry:
    """``entry`` with its backend loaded (once), or the error why it cannot be."""
    with _LOADING:
        point, entry.point = entry.point, None
        if point is not None:
            _load_point(entry, point)
    return entry


def _load_point(entry: BackendEntry, point) -> None:
    """Load ``point`` into ``entry``: its backend, or the error (it raised, is no Backend, has another name)."""
    try:
        entry.backend = point.load()
    except Exception as error:  # a vendor's bug must not take fxn down
        entry.error = f"{type(error).__name__}: {error}"
    else:
        if not isinstance(entry.backend, Backend):
            entry.backend, entry.error = None, (f"{point.value} is a {type(entry.backend).__name__}, "
                                                "not an fxn.backends.base.Backend")
        elif entry.backend.name != point.name:
            entry.backend, entry.error = None, (f"{point.value} is named '{entry.backend.name}' but registered "
                                                f"as '{point.name}': give Backend(name=...) its entry point's name")


def discover_backends() -> tuple[BackendEntry, ...]:
    """Every backend registered in the entry-point group, loaded, sorted by name (looked up once per process)."""
    return tuple(map(_load, _registered()))


def find_backend(name: str) -> Backend:
    """The loaded backend registered as ``name``."""
    entries = {entry.name: entry for entry in _registered()}
    if name not in entries:
        raise BackendNotFound(f"no backend '{name}' (installed: {', '.join(entries) or 'none'})")
    entry = _load(entries[name])
    if entry.backend is None:
        raise BackendError(f"backend '{name}' ({entry.target}) failed to load: {entry.error}")
    return entry.backend


def call_hook(backend: Backend, hook: str, *args, **kwargs):
    """``backend.<hook>(*args, **kwargs)``; BackendError naming the plugin if it lacks the hook or raises.

    ``NotImplementedError`` (a hook the backend does not provide) and
    :class:`TargetError` (a bad option) keep their type, with the plugin named.
    """
    method = getattr(backend, hook, None)
    where = f"backend '{backend.name}' ({type(backend).__module__})"
    if method is None:
        raise BackendError(f"{where} has no '{hook}' hook")
    try:
        return method(*args, **kwargs)
    except (NotImplementedError, TargetError, MemoryError) as error:
        if backend.name in str(error):
            raise
        raise type(error)(f"{where}: {error}") from None
    except Exception as error:
        raise BackendError(f"{where} failed in {hook}(): {type(error).__name__}: {error}") from error


def parse_target_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``"neon:cpu=cortex-a76,os=android"`` -> ``("neon", {"cpu": "cortex-a76", "os": "android"})``."""
    name, _, rest = spec.strip().partition(":")
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise TargetError(f"target '{spec}': option '{item}' is not key=value")
        if key.strip() in options:
            raise TargetError(f"target '{spec}': option '{key.strip()}' is given twice")
        options[key.strip()] = value.strip()
    if not name:
        raise TargetError(f"target '{spec}' has no name")
    return name, options


def resolve_target(spec: str) -> tuple[Backend, Target]:
    """The backend and target a user names (``neon``, ``neon:cpu=cortex-a76``); ``host`` is this machine's."""
    name, options = parse_target_spec(spec)
    if name == "host" and not options:
        return host_target()
    backend = find_backend(name)
    target = call_hook(backend, "target", **options)
    if not isinstance(target, Target):
        raise BackendError(f"backend '{name}' ({type(backend).__module__}) gave a {type(target).__name__} "
                           "for a target, not an fxn.backends.base.Target")
    if target.backend != name:
        raise BackendError(f"backend '{name}' ({type(backend).__module__}) gave a target of backend "
                           f"'{target.backend}': a Target's backend must be the name it is registered under")
    return backend, target


@functools.cache
def host_target() -> tuple[Backend, Target]:
    """``(backend, target)`` of the first installed backend (by name) whose targets include this machine.

    Backends are loaded in order until one is found: a compile loads no
    other (a backend's import can cost a scalar function's compile a tenth of
    its time)."""
    for entry in map(_load, _registered()):
        if entry.backend is None:
            continue
        try:
            target = call_hook(entry.backend, "host_target")
        except (BackendError, NotImplementedError):
            continue
        if target is not None:
            return entry.backend, target
    raise BackendNotFound("no installed backend generates code for this machine (see fxn-opt --list-backends)")


#: ``platform.machine()`` spellings of the architectures in target triples.
_MACHINES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64",
             "riscv64": "riscv64"}


def is_this_machine(target: Target) -> bool:
    """Whether code for ``target`` runs in this process: same architecture, Linux (the JIT compiles for the host)."""
    machine = _MACHINES.get(platform.machine().lower())
    return machine == target.arch and platform.system() == "Linux" and "linux" in target.triple


def how_it_runs(backend: Backend, target: Target) -> str:
    """``"in process"``, ``"runner"`` or ``"no"``: how code for ``target`` runs on this machine.

    BackendError if the backend's ``runner`` hook raises.
    """
    if is_this_machine(target):
        return "in process"
    try:
        runner = call_hook(backend, "runner", target)
    except NotImplementedError:
        return "no"
    return "runner" if runner is not None else "no"


def list_backends() -> str:
    """The text of ``fxn-opt --list-backends``: each backend's default target, its capabilities, whether it runs here."""
    entries = discover_backends()
    if not entries:
        return f"Available backends: none (no '{ENTRY_POINT_GROUP}' entry points installed)\n"
    lines = ["Available backends:"]
    for entry in entries:
        if entry.error:
            lines.append(f"  {entry.name:<14} failed to load: {entry.error} [{entry.target}]")
            continue
        backend = entry.backend
        lines.append(f"  {entry.name:<14} {backend.description} [{entry.target}]")
        try:
            _, target = resolve_target(entry.name)
        except (BackendError, TargetError, NotImplementedError) as error:
            lines.append(f"      target: {error}")
            continue
        try:
            runs = how_it_runs(backend, target)
        except BackendError as error:
            runs = f"unknown ({error})"
        lines.append(f"      triple {target.triple}, cpu {target.cpu}, {target.vector_bits}-bit vectors, "
                     f"{target.index_bits}-bit index, fma {'yes' if target.has_fma else 'no'}; "
                     f"builds {', '.join(target.artifacts)}; runs here: {runs}")
        if backend.options:
            lines.append("      options: " + "; ".join(f"{k} ({v})" for k, v in backend.options.items()))
    return "\n".join(lines) + "\n"
