"""Timing a peer's calls: batches long enough for the clock, calibrated once, and what the calls returned."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

#: Set by the runner for each peer's process: "1" (one thread) or "all" (every core).
THREADS_VARIABLE = "FXN_BENCH_THREADS"
#: The suffix of a peer's name that runs it on every core ("torch@all").
ALL_CORES = "@all"
#: The environment variables that hold each library to one thread (fxn, OpenMP users, MKL/OpenBLAS, numba).
ONE_THREAD = {"FXN_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def single_threaded() -> bool:
    """Whether this peer's process is to run on one thread (see :data:`THREADS_VARIABLE`)."""
    import os

    return os.environ.get(THREADS_VARIABLE, "1") == "1"


#: A batch runs at least this long, so that timer resolution and loop overhead vanish.
MIN_BATCH_SECONDS = 0.05
#: Calls this slow are repeated fewer times (CPython's 1e8-iteration loops take seconds each).
SLOW_CALL_SECONDS = 1.0
SLOW_REPEATS = 3


def calibrate(run_batch: Callable[[int], float]) -> tuple[int, float | None]:
    """The calls per batch that make a batch long enough, and the first sample if it already counts.

    ``run_batch(count)`` makes ``count`` calls and returns the seconds they
    took. A first call warms up (lazy compilation, caches) and is not
    counted; a single call long enough on its own is a sample.
    """
    run_batch(1)
    count, elapsed = 1, run_batch(1)
    if elapsed >= MIN_BATCH_SECONDS:
        return 1, elapsed
    while elapsed < MIN_BATCH_SECONDS:
        count = max(count * 2, int(count * MIN_BATCH_SECONDS / max(elapsed, 1e-9) * 1.2))
        elapsed = run_batch(count)
    return count, None


class PythonCalls:
    """A batch of ``fn(*args)`` calls made from Python; ``result`` is the last call's."""

    def __init__(self, fn: Callable, *args):
        self.fn = fn
        self.args = args
        self.result = None

    def __call__(self, count: int) -> float:
        fn, args = self.fn, self.args
        start = time.perf_counter()
        for _ in range(count):
            result = fn(*args)
        elapsed = time.perf_counter() - start
        self.result = result
        return elapsed


def checksum(value) -> float:
    """One number that tells whether two peers computed the same scalar or array."""
    return float(np.asarray(value, dtype=np.float64).sum())


class PositionChecked:
    """A batch whose result is checked element by element, not only in sum.

    ``result`` is the batch's array with each element weighed by its flat
    index k, times 1 + (k mod 61) / 64: a transposed, flipped or shifted
    array no longer gives the same :func:`checksum`. The weights are
    multiples of 1/64, so an integer array's weighed sum is exact.
    """

    def __init__(self, batch):
        self.batch = batch

    def __call__(self, count: int) -> float:
        return self.batch(count)

    @property
    def result(self) -> np.ndarray:
        value = np.asarray(self.batch.result, dtype=np.float64)
        return value * (1 + np.arange(value.size) % 61 / 64).reshape(value.shape)


def skipped(reason: str) -> dict:
    """What a peer gives for a case it cannot run, with the reason shown in the table."""
    return {"skip": reason}
