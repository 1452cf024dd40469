"""What a predictor may not do while fxn traces it: the effects fxn refuses, by category, and how each is recognized.

Compiled predictors contain only code from fxn's operator library, never
touch the file system and read only the resources given to them (their
arguments; module-level arrays become constants). Tracing runs the
predictor's Python code once: what that code did to the world would happen
at build time, and what it read would be baked into the compiled code. A
:class:`Category` says which effects are *escapes* (files, other programs,
the network, ctypes, imports, dynamic code), always refused, and which are
*readings* (the clock, the global random state, the environment, OS
randomness), refused unless the predictor opts in with
``@fxn.compile(allow_trace_effects=True)``.

An effect is recognized as an audit event (:func:`event_category`), as a
call of a watched function (:func:`watched_builtins`, :func:`watched_code`;
no audit event exists for readings), or as an object named in source
(:func:`effect_of`, for code TorchDynamo interprets instead of running).
:mod:`.sandbox` enforces; :mod:`.attribution` decides whose effect it is.
"""

from __future__ import annotations

import builtins
import functools
import os
import random
import sys
import time
import types
from fxn.values import FrozenValue

#: Modules a predictor may import inside its body (with their submodules); others belong at module level.
ALLOWED_IMPORTS = frozenset({"numpy", "torch", "math", "cmath", "fxn", "functools", "itertools", "operator", "typing"})


class Category(FrozenValue):
    """A kind of effect: its name in messages, what to do instead, whether ``allow_trace_effects`` allows it.
    (This module's values are not dataclasses: every compile imports it, see :mod:`fxn.values`.)"""

    _fields = ("name", "advice", "allowable")

    def __init__(self, name: str, advice: str, allowable: bool = False):
        self._freeze(name=name, advice=advice, allowable=allowable)


_ONLY_FXN_CODE = "compiled predictors contain only code from fxn's operator library"
_BAKED_IN = ("its value would be baked into the compiled code: pass it as an argument, or opt in with "
             "@fxn.compile(allow_trace_effects=True)")

FILES = Category("file system access", "compiled predictors read only what is passed to them: read the data "
                                       "before calling the predictor and pass it as an argument")
PROGRAMS = Category("running other programs", _ONLY_FXN_CODE)
NETWORK = Category("network access", "compiled predictors read only what is passed to them: pass the data as an "
                                     "argument")
NATIVE_CODE = Category("ctypes", _ONLY_FXN_CODE)
IMPORTS = Category("importing modules", "import it at module level; a predictor's body may import only "
                                        + ", ".join(sorted(ALLOWED_IMPORTS)))
DYNAMIC_CODE = Category("eval, exec and compile", _ONLY_FXN_CODE)
PROCESS_STATE = Category("changing the process environment", "compiled predictors have no effect but their results")
INPUT = Category("reading standard input", "pass the data as an argument")
CLOCK = Category("reading the clock", _BAKED_IN, allowable=True)
RANDOM = Category("drawing from the global random state", _BAKED_IN + ", or use a seeded generator "
                                                                      "(np.random.default_rng(0))", allowable=True)
ENVIRONMENT = Category("reading the environment", _BAKED_IN, allowable=True)
ENTROPY = Category("reading OS randomness", _BAKED_IN, allowable=True)


class Watch(FrozenValue):
    """A watched function or object: the category of using it and its name ("time.time")."""

    _fields = ("category", "name")

    def __init__(self, category: Category, name: str):
        self._freeze(category=category, name=name)


# ----------------------------------------------------------------------------
# Audit events (PEP 578; the table "Audit events" of the Python docs).

_PROGRAM_EVENTS = ("os.exec", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os.posix_spawn", "os.spawn",
                   "os.startfile", "os.startfile/2", "os.system", "subprocess.Popen", "pty.spawn", "webbrowser.open")
_FILE_EVENTS = ("open", "os.add_dll_directory", "os.chdir", "os.chflags", "os.chmod", "os.chown", "os.fwalk",
                "os.getxattr", "os.lchflags", "os.link", "os.listdir", "os.listxattr", "os.lockf", "os.mkdir",
                "os.remove", "os.removexattr", "os.rename", "os.rmdir", "os.scandir", "os.setxattr", "os.symlink",
                "os.truncate", "os.utime", "os.walk", "glob.glob", "glob.glob/2", "pathlib.Path.glob",
                "pathlib.Path.rglob", "tempfile.mkstemp", "tempfile.mkdtemp")
_EVENTS = {
    **dict.fromkeys(_PROGRAM_EVENTS, PROGRAMS),
    **dict.fromkeys(_FILE_EVENTS, FILES),
    "os.putenv": PROCESS_STATE, "os.unsetenv": PROCESS_STATE,
    "builtins.input": INPUT,
    "import": IMPORTS,
    "exec": DYNAMIC_CODE, "compile": DYNAMIC_CODE,
}
#: Categories of whole event families, by the event name's first component ("socket.connect": "socket").
_EVENT_FAMILIES = {
    **dict.fromkeys(("shutil", "fcntl", "sqlite3", "dbm"), FILES),
    **dict.fromkeys(("socket", "ssl", "http", "urllib", "ftplib", "smtplib", "imaplib", "poplib", "nntplib",
                     "telnetlib"), NETWORK),
    "ctypes": NATIVE_CODE,
}


def event_category(event: str) -> Category | None:
    """The category of an audit event, None for events that are no effect (``sys._getframe``, ``marshal.loads``...)."""
    return _EVENTS.get(event) or _EVENT_FAMILIES.get(event.partition(".")[0])


def describe_event(event: str, args: tuple) -> str:
    """An audit event in words, with its arguments: "open('/etc/passwd', 'r')", "import socket"."""
    if event == "open":
        path, mode = args[0], args[1]
        return f"open({_short(path)}, {mode!r})" if mode else f"open({_short(path)})"
    if event == "import":
        return f"import {args[0]}"
    if event == "compile":
        source = args[0].decode(errors="replace") if isinstance(args[0], bytes) else args[0]
        return f"compile({_short(source if isinstance(source, str) else type(source).__name__)})"
    if event.startswith("socket.") and args and type(args[0]).__name__ == "socket":
        args = args[1:]  # the socket itself says nothing
    return f"{event}({', '.join(_short(a) for a in args)})"


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def import_allowed(module: str) -> bool:
    """Whether a predictor's body may import ``module`` (an absolute name)."""
    return module.partition(".")[0] in ALLOWED_IMPORTS


# ----------------------------------------------------------------------------
# Watched functions: no audit event exists for readings.

_CLOCK_FUNCTIONS = ("time", "time_ns", "perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns",
                    "process_time", "process_time_ns", "thread_time", "thread_time_ns", "clock_gettime",
                    "clock_gettime_ns", "localtime", "gmtime", "ctime", "asctime", "strftime")


@functools.cache
def watched_builtins() -> dict:
    """C functions whose calls are effects, to the :class:`Watch` of each (the profiler sees them as ``c_call``).

    The global ``random`` functions are methods of one hidden ``Random``; its
    C methods are watched bound to it (a seeded ``random.Random(0)`` of the
    predictor's own is no global state). NumPy's global generator is
    Cython, out of the profiler's sight: :mod:`.sandbox` compares its state.
    """
    import _random
    import datetime

    table = {getattr(time, name): Watch(CLOCK, f"time.{name}") for name in _CLOCK_FUNCTIONS if hasattr(time, name)}
    for cls in (datetime.date, datetime.datetime):
        for name in ("today", "now", "utcnow"):
            if hasattr(cls, name):
                table[getattr(cls, name)] = Watch(CLOCK, f"datetime.{cls.__name__}.{name}")
    for name in ("random", "getrandbits", "seed", "getstate", "setstate"):
        table[getattr(_random.Random, name).__get__(random._inst)] = Watch(RANDOM, f"random.{name}")
    for name in ("urandom", "getrandom"):
        if hasattr(os, name):
            table[getattr(os, name)] = Watch(ENTROPY, f"os.{name}")
    table[builtins.__import__] = Watch(IMPORTS, "__import__")
    torch = sys.modules.get("torch")
    if torch is not None:  # C++ maps the file: no audit event
        table[torch.from_file] = Watch(FILES, "torch.from_file")
        table[torch.UntypedStorage.from_file] = Watch(FILES, "torch.UntypedStorage.from_file")
    return table


@functools.cache
def watched_code() -> dict:
    """Python functions whose calls are effects: ``id`` of their code object to the :class:`Watch` (``call`` events).

    Reading ``os.environ`` goes through its mapping methods (``os.getenv``
    and ``environ.get`` included). The code objects are kept alive by the
    functions, which live in their modules.
    """
    import importlib
    import uuid

    environ = [os._Environ.__getitem__, os._Environ.__iter__, os._Environ.__len__, os._Environ.copy]
    table = {id(f.__code__): Watch(ENVIRONMENT, "os.environ") for f in environ}
    table[id(importlib.import_module.__code__)] = Watch(IMPORTS, "importlib.import_module")
    table[id(uuid.uuid1.__code__)] = Watch(ENTROPY, "uuid.uuid1")
    torch = sys.modules.get("torch")
    if torch is not None:  # torch's C++ writer opens the file: no audit event before it is written
        import torch.jit
        table[id(torch.serialization.save.__code__)] = Watch(FILES, "torch.save")
        table[id(torch.jit.save.__code__)] = Watch(FILES, "torch.jit.save")
    return table


# ----------------------------------------------------------------------------
# Objects named in source.

_BUILTINS = {builtins.open: FILES, builtins.eval: DYNAMIC_CODE, builtins.exec: DYNAMIC_CODE,
             builtins.compile: DYNAMIC_CODE, builtins.__import__: IMPORTS, builtins.input: INPUT,
             builtins.breakpoint: INPUT}
_MODULES = {
    **dict.fromkeys(("subprocess", "_posixsubprocess", "pty", "multiprocessing", "signal"), PROGRAMS),
    **dict.fromkeys(("socket", "_socket", "ssl", "urllib", "http", "ftplib", "smtplib"), NETWORK),
    **dict.fromkeys(("ctypes", "_ctypes"), NATIVE_CODE),
    **dict.fromkeys(("shutil", "tempfile", "glob", "pathlib"), FILES),
    **dict.fromkeys(("uuid", "secrets"), ENTROPY),
    "time": CLOCK,
    "importlib": IMPORTS,
}
_OS_PROGRAMS = frozenset({"system", "popen", "fork", "forkpty", "kill", "killpg", "abort", "startfile"})
_OS_PURE = frozenset({"fspath", "fsencode", "fsdecode", "cpu_count", "get_terminal_size", "strerror"})
_OS_PATH_FILES = frozenset({"exists", "lexists", "isfile", "isdir", "islink", "ismount", "getsize", "getmtime",
                            "getatime", "getctime", "samefile", "realpath", "abspath"})
_NUMPY_FILES = frozenset({"load", "save", "savez", "savez_compressed", "loadtxt", "savetxt", "genfromtxt", "fromfile",
                          "fromregex", "memmap", "tofile"})


def effect_of(value) -> Watch | None:
    """The effect of using ``value`` (a function, class or object a predictor names), None if it has none.

    Covers the watched functions above and, by module, the functions and
    classes of the standard library, NumPy and torch that touch files,
    programs, the network or native code.
    """
    watch = _watched(value)
    if watch is not None:
        return watch
    if _is_any(value, _BUILTINS):
        return Watch(_BUILTINS[value], value.__name__)
    if value is os.environ or value is getattr(os, "environb", None):
        return Watch(ENVIRONMENT, "os.environ")
    name = getattr(value, "__name__", "")
    owner = getattr(value, "__self__", None)
    numpy = sys.modules.get("numpy")
    if owner is random._inst:
        return Watch(RANDOM, f"random.{name}")
    if numpy is not None and owner is numpy.random.mtrand._rand:
        return Watch(RANDOM, f"np.random.{name}")
    module = getattr(value, "__module__", None)
    if not isinstance(module, str) or not callable(value):
        return None
    category = _category_by_module(module, name)
    return None if category is None else Watch(category, f"{module}.{name}")


def _watched(value) -> Watch | None:
    try:
        watch = watched_builtins().get(value)
    except TypeError:  # unhashable
        return None
    if watch is None:
        code = getattr(value, "__code__", None)
        watch = watched_code().get(id(code)) if isinstance(code, types.CodeType) else None
    return watch


def _is_any(value, table: dict) -> bool:
    return any(value is key for key in table)


def _category_by_module(module: str, name: str) -> Category | None:
    if module in ("io", "_io"):
        return FILES if name in ("open", "open_code", "FileIO") else None
    if module in ("os", "posix", "nt"):
        return _os_category(name)
    if module in ("posixpath", "genericpath", "ntpath"):
        return FILES if name in _OS_PATH_FILES else ENVIRONMENT if name in ("expanduser", "expandvars") else None
    if module.startswith("numpy"):
        return FILES if name in _NUMPY_FILES else None
    if module in ("torch.serialization", "torch.jit._serialization"):
        return FILES
    return _MODULES.get(module.partition(".")[0])


def _os_category(name: str) -> Category | None:
    if name in _OS_PROGRAMS or name.startswith(("exec", "spawn", "posix_spawn")):
        return PROGRAMS
    if name in ("putenv", "unsetenv"):
        return PROCESS_STATE
    if name in ("getenv", "getenvb"):
        return ENVIRONMENT
    if name in ("urandom", "getrandom"):
        return ENTROPY
    return None if name in _OS_PURE else FILES
