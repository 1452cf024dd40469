"""Threads: how many a compiled function runs on, and the OpenMP runtime that runs them.

Parallel loops come from tiling, not from code written per op:
``fxn-parallelize`` splits the outermost parallel loop of each large linalg
op into static chunks as an ``scf.forall`` (``fxn-pack-matmul`` does the same
with the column panels of a matrix product); after bufferization, upstream
``scf-forall-to-parallel`` and ``convert-scf-to-openmp`` make each forall an
``omp.parallel`` region holding an ``omp.wsloop`` (static schedule: each
thread takes a contiguous run of chunks), and OpenMP's translation to LLVM
IR calls LLVM's OpenMP runtime, ``libomp.so.5`` (``__kmpc_fork_call``...).
The JIT resolves the runtime's entry points in that library, loaded for
fxn alone; an artifact links it (``DT_NEEDED``) and its manifest says so. Only targets declaring ``threads`` (x86-64) parallelize;
the code of the others (wasm, the cross targets) stays serial.

Each chunk runs the same code as the serial loop would on its elements,
and no reduction is split across chunks: results are bit for bit the same
whatever the thread count.

How many threads a function uses is fixed when it is compiled
(:func:`thread_plan`): ``fxn.compile(threads=N)`` asks for ``N`` (a
``num_threads`` clause, ``N`` chunks or a few more so that they divide the
loop evenly); ``threads=None``, the default, takes ``FXN_NUM_THREADS`` if it
is set, else every core the process may run on (the runtime's default,
which also honours ``OMP_NUM_THREADS``), split into as many chunks as this
machine has cores; ``threads=1`` compiles serial code, without OpenMP. On
a machine without the runtime the default is serial code, and asking for
threads is an :class:`OpenMPMissing` error that says how to install it.
"""

from __future__ import annotations

import ctypes
import functools
import os

from fxn.values import FrozenValue

#: The OpenMP runtime compiled code calls (LLVM's; Debian: ``libomp5-*``, linked through ``libomp-*-dev``).
OPENMP_LIBRARY = "libomp.so.5"
#: The linker's name for it (``-lomp``).
OPENMP_LINK_NAME = "omp"
#: Milliseconds the runtime's idle threads spin waiting for work before they sleep.
BLOCKTIME_MS = 1
#: The environment variable that sets the default thread count (read when a function is compiled).
THREADS_VARIABLE = "FXN_NUM_THREADS"


class ThreadPlan(FrozenValue):
    """How compiled code runs on threads (an immutable value, compared by its fields).

    ``chunks``: the static pieces each parallel loop is split into (1:
    serial code, no OpenMP); ``num_threads``: the threads each parallel
    region asks for (0: the OpenMP runtime's default, all cores).

    (Not a dataclass: this module is imported by every call of cached code,
    see :mod:`fxn.values`.)
    """

    _fields = ("chunks", "num_threads")

    def __init__(self, chunks: int = 1, num_threads: int = 0):
        self._freeze(chunks=chunks, num_threads=num_threads)

    @property
    def parallel(self) -> bool:
        return self.chunks > 1


SERIAL = ThreadPlan()


def check_threads(threads, what: str = "threads") -> int | None:
    """``threads`` as given to ``fxn.compile``: None or an int >= 1; TypeError or ValueError otherwise."""
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"{what} must be an int >= 1 or None, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"{what} must be >= 1, not {threads}")
    return threads


def default_threads() -> int | None:
    """The thread count ``FXN_NUM_THREADS`` sets, or None if it is unset or empty; ValueError if it is not a count."""
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if not text:
        return None
    try:
        return check_threads(int(text), THREADS_VARIABLE)
    except ValueError:
        raise ValueError(f"{THREADS_VARIABLE} must be a whole number >= 1, not {text!r}") from None


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def thread_plan(threads: int | None, target) -> ThreadPlan:
    """How code compiled for ``target`` with ``fxn.compile(threads=threads)`` runs (see the module docstring)."""
    threads = check_threads(threads)
    if not target.threads:
        return SERIAL
    if threads is None:
        threads = default_threads()
    if threads is None:
        chunks = cores()
        # Without the runtime, the default is serial code; an explicit count asks for it (OpenMPMissing).
        return ThreadPlan(chunks, 0) if chunks > 1 and openmp_available() else SERIAL
    if threads > 1:
        openmp_runtime()
        return ThreadPlan(threads, threads)
    return SERIAL


class OpenMPMissing(RuntimeError):
    """Compiled code runs on threads and this machine has no OpenMP runtime to run them."""


@functools.cache
def openmp_runtime() -> ctypes.CDLL:
    """The OpenMP runtime, loaded for fxn alone (``RTLD_LOCAL``); OpenMPMissing if it does not load.

    Its idle threads spin :data:`BLOCKTIME_MS` before they sleep (``KMP_BLOCKTIME``,
    unless the environment sets it): long enough to take the next parallel loop of a
    call at once, short enough not to take the cores from the rest of the
    process after it (libomp's default is 200 ms).
    """
    os.environ.setdefault("KMP_BLOCKTIME", str(BLOCKTIME_MS))
    try:
        return ctypes.CDLL(OPENMP_LIBRARY)
    except OSError as error:
        raise OpenMPMissing(
            f"compiled code runs on threads through LLVM's OpenMP runtime, and {OPENMP_LIBRARY} does not load "
            f"({error}); install it (Debian: apt-get install libomp-dev) or compile with threads=1") from None


def openmp_available() -> bool:
    """Whether the OpenMP runtime loads here."""
    try:
        openmp_runtime()
    except OpenMPMissing:
        return False
    return True


@functools.cache
def openmp_entry_points() -> dict[str, int]:
    """The address of each function of :data:`~fxn.backends.base.OPENMP_IMPORTS` in the OpenMP runtime."""
    from fxn.backends.base import OPENMP_IMPORTS

    runtime = openmp_runtime()
    return {name: ctypes.cast(getattr(runtime, name), ctypes.c_void_p).value for name in sorted(OPENMP_IMPORTS)}


def uses_openmp(llvm_ir: str) -> bool:
    """Whether LLVM IR text calls the OpenMP runtime."""
    return "@__kmpc_" in llvm_ir
