"""torch eager, single-threaded: ``interpolate`` then normalize; section (f)'s kernels."""

import torch
import torch.nn.functional as F

from bench import workloads
from bench.timing import PositionChecked, PythonCalls

torch.set_num_threads(1)


def normalized(image, mean, std):
    """The predictor on an HxWx3 uint8 tensor (fxn compiles this same function)."""
    pixels = image.permute(2, 0, 1).unsqueeze(0).float()
    resized = F.interpolate(pixels, size=workloads.OUTPUT_SIZE, mode="bilinear", align_corners=False)[0]
    return (resized - mean) / std


@torch.inference_mode()
def preprocess(image, mean, std):
    return normalized(torch.from_numpy(image), mean, std)


def preprocessing() -> dict:
    mean = torch.tensor(workloads.MEAN).reshape(3, 1, 1)
    std = torch.tensor(workloads.STD).reshape(3, 1, 1)
    return {case: PythonCalls(preprocess, workloads.image(shape), mean, std) for case, shape in workloads.image_cases()}


def heavy_ops() -> dict:
    """Section (f)'s torch kernels as they are, on tensors sharing the inputs' memory."""
    from bench.torch_kernels import KERNELS

    results = {}
    for case, kernel, _ in workloads.HEAVY_CASES:
        inputs = [torch.from_numpy(a) for a in workloads.heavy_inputs(case)]
        results[case] = PositionChecked(PythonCalls(torch.inference_mode()(KERNELS[kernel]), *inputs))
    return results


SECTIONS = {"d": preprocessing, "f": heavy_ops}
