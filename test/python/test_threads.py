"""Compiling and calling from several threads: one compile lock, once-only compiles, lock-free calls."""

import threading

import numpy as np
import pytest

import fxn
import fxn.compiled
from fxn.compile_lock import COMPILE_LOCK

N = fxn.Tensor[fxn.f32, "N"]
#: Long enough for any compile here; a thread still running then is deadlocked.
TIMEOUT = 120


def run_threads(count: int, work) -> list:
    """Run ``work(index, barrier)`` in ``count`` threads; their results in order, or the first exception raised."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            results[index] = work(index, barrier)
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running (deadlock?)"
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def lowerings(monkeypatch) -> list:
    """The number of signatures lowered (traced and compiled) while the test runs, as a one-element list."""
    count = [0]
    lower = fxn.compiled.lower

    def counting_lower(*args, **kwargs):
        count[0] += 1
        return lower(*args, **kwargs)

    monkeypatch.setattr(fxn.compiled, "lower", counting_lower)
    return count


def arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)


def test_two_threads_compile_different_functions():
    def work(index, barrier):
        x, y = arrays(9, index)
        barrier.wait()
        for step in range(12):
            scale = float(step + 1)
            if index == 0:
                def f(a: N, b: N):
                    return a * b + scale

                expected = x * y + np.float32(scale)
            else:
                def f(a, b):
                    return (a - b) * scale

                expected = (x - y) * np.float32(scale)
            np.testing.assert_allclose(fxn.compile(f)(x, y), expected, rtol=1e-6)

    run_threads(2, work)


@pytest.mark.parametrize("annotated", [True, False], ids=["declared", "specializing"])
def test_racing_first_calls_compile_once(annotated, lowerings):
    if annotated:
        def axpy(a: float, x: N, y: N):
            return a * x + y
    else:
        def axpy(a, x, y):
            return a * x + y
    compiled = fxn.compile(axpy)
    # An unannotated Python float would key a trace on its value: the specializing case passes numpy scalars.
    two, three = (2.0, 3.0) if annotated else (np.float32(2.0), np.float32(3.0))

    def work(index, barrier):
        x, y = arrays(5, index)
        barrier.wait()
        result = compiled(two, x, y)
        np.testing.assert_allclose(result, 2 * x + y, rtol=1e-6)
        return compiled(three, x, y)

    for index, result in enumerate(run_threads(8, work)):
        x, y = arrays(5, index)
        np.testing.assert_allclose(result, 3 * x + y, rtol=1e-6)
    assert lowerings[0] == 1
    (concrete,) = compiled.concrete_functions
    # Every thread retargeted the partial to the one compiled entry.
    assert compiled.func is (concrete.entry if annotated else compiled._dispatching_entries[concrete])


def test_signatures_racing_through_one_function():
    @fxn.compile
    def shifted(x):
        return x + 1

    def work(index, barrier):
        dtype = (np.float32, np.float64, np.int32, np.int64)[index % 4]
        x = np.arange(3 + index, dtype=dtype)
        barrier.wait()
        for _ in range(200):  # the partial's target flips between the threads' signatures
            np.testing.assert_array_equal(shifted(x), x + 1)

    run_threads(8, work)
    assert len(shifted.concrete_functions) == 8


def test_racing_first_out_calls_compile_the_destination_once(monkeypatch):
    @fxn.compile
    def fma(x: N, y: N, z: N):
        return x * y + z

    x, y = arrays(6, 0)
    fma(x, y, y)  # the ordinary entry: compiled before the race
    (concrete,) = fma.concrete_functions
    count = [0]
    lower_destination = fxn.compiled.lower_destination

    def counting(lowered):
        count[0] += 1
        return lower_destination(lowered)

    monkeypatch.setattr(fxn.compiled, "lower_destination", counting)

    def work(index, barrier):
        x, y = arrays(6, index)
        out = np.full(6, -7.0, np.float32)
        barrier.wait()
        assert fma(x, y, y, out=out) is out
        np.testing.assert_array_equal(out, x * y + y)
        return concrete._destination

    destinations = run_threads(8, work)
    assert count[0] == 1
    assert all(d is destinations[0] for d in destinations)


def test_compiled_calls_take_no_lock():
    @fxn.compile
    def fma(x: float, y: float, z: float) -> float:
        return x * y + z

    @fxn.compile
    def scaled(x, y):
        return x * y

    x, y = arrays(4, 0)
    out = np.empty(4, np.float32)
    assert fma(1.0, 2.0, 3.0) == 5.0
    scaled(x, y, out=out)
    scaled(x.astype(np.float64), y.astype(np.float64))  # the partial now targets the f64 entry
    calls = [
        lambda: fma(2.0, 3.0, 1.0) == 7.0,  # the CPython entry
        lambda: fma(x=2.0, y=3.0, z=1.0) == 7.0,  # its Python fallback
        lambda: np.array_equal(scaled(x, y), x * y),  # dispatch to a compiled signature
        lambda: scaled(x, y, out=out) is out,  # the compiled destination entry
    ]

    def work(index, barrier):
        barrier.wait()
        return all(all(call() for call in calls) for _ in range(100))

    with COMPILE_LOCK:  # as a compile in another thread holds it
        assert run_threads(2, work) == [True, True]


def test_calls_run_while_another_thread_compiles():
    @fxn.compile
    def fma(x: float, y: float, z: float) -> float:
        return x * y + z

    assert fma(1.0, 2.0, 3.0) == 5.0
    compiling, compiled = threading.Event(), threading.Event()
    during = [0]

    def work(index, barrier):
        barrier.wait()
        if index == 0:
            def polynomial(a: N, b: N):
                return ((a * b + 1.0) * a - b) * 0.5

            with COMPILE_LOCK:
                compiling.set()
                x, y = arrays(8, 0)
                np.testing.assert_allclose(fxn.compile(polynomial)(x, y), ((x * y + 1) * x - y) * 0.5, rtol=1e-6)
            compiled.set()
            return
        compiling.wait(TIMEOUT)
        while not compiled.is_set():
            assert fma(2.0, 3.0, 1.0) == 7.0
            during[0] += 1

    run_threads(2, work)
    assert during[0] > 0
