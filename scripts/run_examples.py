"""The README's main job: compile the predictors of examples/ for this machine, run them, and
print each result next to numpy's or torch's with the speedup (median time per call).
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_seconds(fn, *args, repeats: int = 7) -> float:
    """Median over ``repeats`` of the mean time of a batch of calls sized to take ~20 ms."""
    fn(*args)
    batch = 1
    while True:
        start = time.perf_counter()
        for _ in range(batch):
            fn(*args)
        if time.perf_counter() - start > 0.02 or batch > 1 << 20:
            break
        batch *= 2
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            fn(*args)
        samples.append((time.perf_counter() - start) / batch)
    return statistics.median(samples)


def report(name: str, fxn_fn, reference_fn, args, reference_name: str) -> None:
    start = time.perf_counter()
    result = fxn_fn(*args)
    first_call = time.perf_counter() - start
    expected = reference_fn(*args)
    error = float(np.max(np.abs(np.asarray(result, np.float64) - np.asarray(expected, np.float64))))
    speedup = median_seconds(reference_fn, *args) / median_seconds(fxn_fn, *args)
    shown = np.array2string(np.asarray(result).ravel()[:4], precision=5)
    print(f"{name:<34} fxn {shown:<44} max |fxn - {reference_name}| = {error:.1e}   "
          f"{speedup:6.2f}x {reference_name}   (first call, incl. compile: {first_call:.2f} s)")


def main() -> int:
    fma, fma_loop, preprocess = load("fma"), load("fma_loop"), load("preprocess")
    rng = np.random.default_rng(0)
    x, y, z = (rng.random(1_000_000, np.float32) for _ in range(3))
    image = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    torch.set_num_threads(1)
    print(f"Compiled for this machine; references run single-threaded.\n")
    report("fma(3, -1, 2)", fma.fma, fma.fma.fn, (3.0, -1.0, 2.0), "Python")
    report("fma on 1e6 f32 arrays", fma.fma_arrays, lambda a, b, c: a * b + c, (x, y, z), "numpy")
    report("fma_loop(3, -1, 2, n_iter=1e6)", fma_loop.fma_loop, fma_loop.fma_loop.fn, (3.0, -1.0, 2.0, 1_000_000), "Python")
    report("fma_chain(0.5, 1, 1, n_iter=1e6)", fma_loop.fma_chain, fma_loop.fma_chain.fn, (0.5, 1.0, 1.0, 1_000_000), "Python")
    report("preprocess 480x640x3 -> 3x224x224", preprocess.preprocess,
           lambda im: preprocess.preprocess.fn(torch.from_numpy(im)).numpy(), (image,), "torch")
    every_target([
        ("fma(3, -1, 2)", fma.fma, (3.0, -1.0, 2.0)),
        ("fma_arrays on 8 f32", fma.fma_arrays, tuple(a[:8] for a in (x, y, z))),
        ("fma_chain(0.5, 1, 1, n_iter=100)", fma_loop.fma_chain, (0.5, 1.0, 1.0, 100)),
        ("preprocess 480x640x3", preprocess.preprocess, (image,)),
    ])
    return 0


def every_target(cases) -> None:
    """Build the examples for every installed backend's target; run each case where its code can run here."""
    import tempfile

    from fxn.artifacts import build, target_folder
    from fxn.compiled import CompiledFunction
    from fxn.backends import BackendError, discover_backends, how_it_runs, resolve_target
    from fxn.targets import run_on_target

    print("\n== every installed target: the examples built ahead of time, run where the code can run here ==")
    output = Path(tempfile.mkdtemp(prefix="fxn-demo-"))
    for entry in discover_backends():
        try:
            backend, target = resolve_target(entry.name)
        except (LookupError, ValueError, RuntimeError) as error:
            print(f"{entry.name:<12} not available: {error}")
            continue
        folder = output / target_folder(target)
        built = []
        for stem in ("fma", "fma_loop", "preprocess"):
            module = load(stem)
            predictors = [(name, value) for name, value in vars(module).items() if isinstance(value, CompiledFunction)]
            try:
                artifacts = build(predictors, stem, folder, source=f"{stem}.py", target=target)
                built.append(artifacts.library.name)
            except (NotImplementedError, ValueError, RuntimeError) as error:
                built.append(f"{stem}: {error}")
        runs = how_it_runs(backend, target)
        print(f"{entry.name:<12} {target.triple:<28} built {', '.join(built)} in {folder}; runs here: {runs}")
        if runs == "no":
            continue
        for name, function, args in cases:
            host = np.asarray(function(*args), np.float64)
            try:
                (result,) = run_on_target(function, target.spec, list(args))
            except (BackendError, RuntimeError, MemoryError) as error:
                print(f"    {name:<34} failed: {error}")
                continue
            difference = float(np.max(np.abs(np.asarray(result, np.float64) - host)))
            shown = np.array2string(np.asarray(result).ravel()[:3], precision=5)
            print(f"    {name:<34} {shown:<30} max |{entry.name} - this machine| = {difference:.1e}")


if __name__ == "__main__":
    sys.exit(main())
