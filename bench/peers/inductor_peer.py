"""torch.compile (inductor, its default mode), single-threaded or on every core: section (f)'s torch kernels, section (g)'s networks.

Each kernel is compiled for its case's shapes before timing (the first call compiles).
"""

import torch

from bench import workloads
from bench.timing import PositionChecked, PythonCalls, single_threaded

if single_threaded():
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


def networks() -> dict:
    from bench.peers.torch_peer import network_models

    models = network_models(workloads.cnn_example())
    results = {}
    for case, kernel in workloads.NETWORK_CASES:
        compiled = torch.inference_mode()(torch.compile(models[kernel], dynamic=False))
        frame = torch.from_numpy(workloads.network_input(kernel))
        compiled(frame)
        results[case] = PositionChecked(PythonCalls(compiled, frame))
    return results


SECTIONS = {"f": heavy_ops, "g": networks}
