"""torch eager, single-threaded or on every core (see bench/timing.py): ``interpolate`` then normalize; section (f)'s kernels."""

import torch
import torch.nn.functional as F

from bench import workloads
from bench.timing import PositionChecked, PythonCalls, single_threaded

if single_threaded():
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


def network_models(cnn) -> dict:
    """Section (g)'s torch functions: the example networks, and the frame predictor's torch code."""
    return {"mobilenet_v2": cnn.MOBILENET_V2, "resnet_18": cnn.RESNET_18,
            "classify": lambda frame: cnn.MOBILENET_V2(cnn.preprocess.fn(frame).unsqueeze(0))}


def networks() -> dict:
    cnn = workloads.cnn_example()
    models = network_models(cnn)
    return {case: PositionChecked(PythonCalls(torch.inference_mode()(models[kernel]),
                                              torch.from_numpy(workloads.network_input(kernel))))
            for case, kernel in workloads.NETWORK_CASES}


SECTIONS = {"d": preprocessing, "f": heavy_ops, "g": networks}
