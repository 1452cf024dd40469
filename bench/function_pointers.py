"""Section (i), function values: a call through a function pointer beside a direct call, per call.

For two callees, ``x + 1.0`` and an 8-term polynomial (Horner's rule, 16
dependent operations), both f32, two compiled functions apply the callee
``n`` times in a chain, in a loop over a run-time ``n`` (``scf.for``): one
calls the two functions of its argument ``fs = (callee, callee)`` in turn,
``n / 2`` times each (``fxn.call_indirect`` of the callee's native value
entry), the other calls the callee directly (its body inlined, as a call
of a compiled function from compiled code is). Each is compiled once and
called through its concrete function's native entry with the addresses
already converted, for ``n`` = 2 and ``n`` = :data:`CALLS`; the cost of one
call is the difference of the two medians over ``CALLS - 2``, so the
Python call around both cancels out. The target (issue 11): a call through
a pointer costs at most 2x a direct one. A pointer call cannot be inlined:
against a callee of one addition, the call itself dominates.

The table also shows what a whole call of the higher-order function from
Python costs (``bar(fs, x)``: binding, flattening the tuple, converting
each function to its address, in the Python dispatch).

Run in a process of its own: ``python -m bench.function_pointers REPEATS``
prints the records as JSON.
"""

import json
import os
import statistics
import subprocess
import sys
import time

#: How many calls the long chains make.
CALLS = 4096
#: Calls per timed batch.
BATCH = 2000
TARGET = 2.0
#: The callees, each a case pair: "<callee>: direct" and "<callee>: through a pointer".
CALLEES = ("x + 1.0", "8-term polynomial")
PYTHON_CALL = "bar(fs, x) from Python, 2 functions"
CASES = tuple(f"{callee}: {how}" for callee in CALLEES for how in ("direct", "through a pointer")) + (PYTHON_CALL,)


def _callees() -> dict:
    """The compiled callees by name (built here, so that importing this module compiles nothing)."""
    import fxn

    @fxn.compile
    def add_one(x: float) -> float:
        return x + 1.0

    @fxn.compile
    def polynomial(x: float) -> float:
        return (((((((0.5 * x + 0.25) * x - 0.125) * x + 0.0625) * x - 0.03125) * x + 0.015625) * x
                 - 0.0078125) * x + 0.00390625)

    return dict(zip(CALLEES, (add_one, polynomial)))


def direct_chain(callee):
    """A compiled function applying ``callee`` ``n`` times, ``n`` known at run time (the callee inlined)."""
    import fxn

    def chain(x: float, n: int) -> float:
        r = x
        for _ in range(n):
            r = callee(r)
        return r
    chain.__name__ = f"direct_{callee.__name__}"
    return fxn.compile(chain)


def indirect_chain():
    """A compiled function applying the two functions of ``fs`` in turn, ``n / 2`` times each."""
    import fxn

    function = fxn.FunctionType(fxn.f32(fxn.f32))

    def chain(fs: tuple[function, function], x: float, n: int) -> float:
        r = x
        for _ in range(n // 2):
            for f in fs:
                r = f(r)
        return r
    return fxn.compile(chain)


def _seconds_per_call(call, repeats: int) -> float:
    """The median over ``repeats`` batches of the time of one ``call()``."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(BATCH):
            call()
        samples.append((time.perf_counter() - started) / BATCH)
    return statistics.median(samples)


def _native(compiled, *args):
    """A call of ``compiled``'s native entry for ``args``, functions already converted to addresses."""
    fixed, flat = compiled.flattened(args)
    concrete = fixed.get_concrete_function(*flat)
    entry, converted = concrete.entry, concrete.function_addresses(flat)
    assert concrete.native and entry(*converted) == compiled(*args)
    return lambda: entry(*converted)


def _per_call(compiled, args, repeats: int) -> float:
    """The cost of one more call in the chain ``compiled`` called with ``args`` and a count."""
    short, long = _native(compiled, *args, 2), _native(compiled, *args, CALLS)
    return (_seconds_per_call(long, repeats) - _seconds_per_call(short, repeats)) / (CALLS - 2)


def measure_here(repeats: int) -> dict:
    x, times = 0.5, {}
    callees, bar = _callees(), indirect_chain()
    for name, callee in callees.items():
        times[f"{name}: direct"] = _per_call(direct_chain(callee), (x,), repeats)
        times[f"{name}: through a pointer"] = _per_call(bar, ((callee, callee), x), repeats)
    pair = (callees[CALLEES[0]],) * 2
    bar(pair, x, 2)
    times[PYTHON_CALL] = _seconds_per_call(lambda: bar(pair, x, 2), repeats)
    return {case: {"seconds": seconds} for case, seconds in times.items()}


def measure(repeats: int) -> tuple[dict[str, dict[str, dict]], list[str]]:
    """fxn -> case -> {"seconds": ...}, measured in a fresh process; and notes."""
    environment = {**os.environ, "FXN_CACHE": "0"}  # (what is measured is the compiled code, not the cache)
    result = subprocess.run([sys.executable, "-m", "bench.function_pointers", str(repeats)], capture_output=True,
                            text=True, env=environment)
    if result.returncode != 0:
        return {}, [f"(i) {(result.stderr.strip().splitlines() or ['no output'])[-1]}"]
    print("  (i) fxn                          done", file=sys.stderr, flush=True)
    return {"fxn": json.loads(result.stdout)}, []


if __name__ == "__main__":
    print(json.dumps(measure_here(int(sys.argv[1]) if len(sys.argv) > 1 else 7)))
