"""The seed predictor, fused multiply-add, on scalars and on arrays.

    fxn run examples/fma.py --predictor fma --arg x=3 --arg y=-1 --arg z=2
    fxn compile examples/fma.py -o build/
    fxn inspect examples/fma.py --predictor fma_fused --target neon --stage asm   # NEON fmla v.4s
    python examples/fma.py        # both against numpy, with the time per call
"""

import fxn


@fxn.compile(tag="@fxn/fma", description="Fused multiply-add of three scalars: x * y + z.")
def fma(x: float, y: float, z: float) -> float:
    return x * y + z


@fxn.compile(tag="@fxn/fma-arrays", description="Elementwise x * y + z of three f32 arrays of one length.")
def fma_arrays(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
    return x * y + z


# x * y + z rounds twice, as Python and numpy define it; fast_math lets the product and the sum fuse
# into one FMA instruction (one rounding), which every target with FMA then uses (NEON fmla, x86 vfmadd).
@fxn.compile(tag="@fxn/fma-fused", description="Elementwise x * y + z, fused into one rounding.", fast_math=True)
def fma_fused(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
    return x * y + z


if __name__ == "__main__":
    import timeit

    import numpy as np

    def per_call(fn, *args) -> float:
        runs, total = timeit.Timer(lambda: fn(*args)).autorange()
        return total / runs

    print(f"fma(3, -1, 2) = {fma(3.0, -1.0, 2.0)}  (Python: {3.0 * -1.0 + 2.0})")
    x, y, z = (np.random.default_rng(seed).random(1_000_000, np.float32) for seed in range(3))
    result, expected = fma_arrays(x, y, z), x * y + z
    print(f"fma_arrays on 1e6 floats: max |fxn - numpy| = {np.abs(result - expected).max():.2e}")
    speedup = per_call(lambda a, b, c: a * b + c, x, y, z) / per_call(fma_arrays, x, y, z)
    print(f"fma_arrays is {speedup:.2f}x numpy's x * y + z")
