"""Fused multiply-add in a loop whose trip count is an argument: ``for _ in range(n_iter)`` becomes ``scf.for``.

``fma_loop`` recomputes the same loop-invariant ``x * y + z`` each time (what
the seed benchmark measures as written); ``fma_chain`` feeds each result
into the next, a dependent chain no compiler can hoist.

    fxn run examples/fma_loop.py --predictor fma_chain --arg x=0.5 --arg y=1 --arg z=1 --arg n_iter=10
"""

import fxn


@fxn.compile(tag="@fxn/fma-loop", description="x * y + z computed n_iter times; 0 when n_iter < 1.")
def fma_loop(x: float, y: float, z: float, n_iter: int) -> float:
    result = 0.0
    for _ in range(n_iter):
        result = x * y + z
    return result


@fxn.compile(tag="@fxn/fma-chain", description="r = r * x + z, n_iter times, from r = y.")
def fma_chain(x: float, y: float, z: float, n_iter: int) -> float:
    result = y
    for _ in range(n_iter):
        result = result * x + z
    return result


if __name__ == "__main__":
    print(f"fma_loop(3, -1, 2, 1000) = {fma_loop(3.0, -1.0, 2.0, 1000)}  (Python: -1.0)")
    print(f"fma_chain(0.5, 1, 1, 10) = {fma_chain(0.5, 1.0, 1.0, 10)}  (Python: {fma_chain.fn(0.5, 1.0, 1.0, 10)})")
