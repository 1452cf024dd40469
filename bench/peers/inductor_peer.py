"""torch.compile (inductor, its default mode), single-threaded: section (f)'s torch kernels.

Each kernel is compiled for its case's shapes before timing (the first call compiles).
"""

import torch

from bench import workloads
from bench.timing import PositionChecked, PythonCalls

torch.set_num_threads(1)


def heavy_ops() -> dict:
    from bench.torch_kernels import KERNELS

    results = {}
    for case, kernel, _ in workloads.HEAVY_CASES:
        compiled = torch.inference_mode()(torch.compile(KERNELS[kernel], dynamic=False))
        inputs = [torch.from_numpy(a) for a in workloads.heavy_inputs(case)]
        compiled(*inputs)
        results[case] = PositionChecked(PythonCalls(compiled, *inputs))
    return results


SECTIONS = {"f": heavy_ops}
