"""The CNN examples end to end: MobileNetV2- and ResNet-18-shaped networks compiled from plain torch modules,
ahead of time too, and networks of other shapes through ``fxn.compile(model)``, all against torch.

The networks' results are compared as the issue asks: the largest
difference from torch (eval mode, f32) within 1e-4 of the largest score.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import fxn
from fxn.runtime import Status, descriptor_type

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FXN = str(Path(sys.executable).parent / "fxn")


@pytest.fixture(scope="module")
def cnn():
    sys.path.insert(0, str(EXAMPLES))  # as fxn compile does: the example imports its neighbour
    spec = importlib.util.spec_from_file_location("example_cnn", EXAMPLES / "cnn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _relative_error(result, expected) -> float:
    return float(np.abs(np.asarray(result) - expected).max() / np.abs(expected).max())


def _torch(model, *inputs):
    with torch.inference_mode():
        return model(*(torch.from_numpy(i) for i in inputs)).numpy()


def test_mobilenet_v2_and_resnet_18_match_torch(cnn):
    image = np.random.default_rng(0).standard_normal(cnn.INPUT_SHAPE, dtype=np.float32)
    for predictor, model in ((cnn.mobilenet_v2, cnn.MOBILENET_V2), (cnn.resnet_18, cnn.RESNET_18)):
        scores = predictor(image)
        assert scores.shape == (1, 1000) and scores.dtype == np.float32
        assert _relative_error(scores, _torch(model, image)) < 1e-4


def test_the_preprocessing_predictor_in_front(cnn):
    frame = np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    with torch.inference_mode():
        expected = cnn.MOBILENET_V2(cnn.preprocess.fn(torch.from_numpy(frame)).unsqueeze(0)).numpy()
    assert _relative_error(cnn.classify(frame), expected) < 1e-4


class _Mixed(nn.Module):
    """Shapes the examples do not have: odd sizes, 5x5 and 1x3 kernels, strides (2, 1), groups of 4 channels,
    dilation, a residual sum, max and average pooling, batch 2."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 12, 5, stride=2, padding=2), nn.BatchNorm2d(12), nn.ReLU())
        self.grouped = nn.Conv2d(12, 24, 3, padding=1, groups=4)
        self.wide = nn.Conv2d(24, 24, (1, 3), stride=(2, 1), padding=(0, 1))
        self.dilated = nn.Conv2d(24, 24, 3, padding=2, dilation=2, bias=False)
        self.head = nn.Linear(24, 7)

    def forward(self, x):
        x = nn.functional.max_pool2d(self.stem(x), 3, 2, 1)
        x = torch.relu(self.grouped(x))
        x = self.wide(x)
        x = x + torch.sigmoid(self.dilated(x))
        return self.head(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1))


def test_a_module_of_other_shapes_compiles_as_a_whole(cnn):
    model = cnn.randomized(_Mixed(), seed=5)
    compiled = fxn.compile(model)
    x = np.random.default_rng(2).standard_normal((2, 3, 37, 29), dtype=np.float32)
    assert _relative_error(compiled(x), _torch(model, x)) < 1e-4


def test_sequential_compiles_although_its_forward_loops_over_itself_and_names_a_builtin():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 4, 1)).eval()
    x = np.random.default_rng(3).standard_normal((1, 3, 10, 10), dtype=np.float32)
    np.testing.assert_allclose(fxn.compile(model)(x), _torch(model, x), rtol=1e-5, atol=1e-5)


def test_fxn_compile_builds_a_network_ahead_of_time(tmp_path):
    source = tmp_path / "net.py"
    source.write_text("import fxn\nfrom cnn import MOBILENET_V2\n\n\n"
                      "@fxn.compile\ndef mobilenet(image: fxn.Tensor[fxn.f32, 1, 3, 224, 224]):\n"
                      "    return MOBILENET_V2(image)\n")
    environment = {**os.environ, "PYTHONPATH": str(EXAMPLES)}
    result = subprocess.run([FXN, "compile", str(source), "-o", str(tmp_path / "build")], capture_output=True,
                            text=True, env=environment)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "build" / "net.json").read_text())
    (predictor,) = manifest["predictors"]
    library = ctypes.CDLL(str(tmp_path / "build" / manifest["library"]))
    image = np.random.default_rng(4).standard_normal((1, 3, 224, 224), dtype=np.float32)
    argument = descriptor_type(4)(image.ctypes.data, image.ctypes.data, 0, image.shape,
                                  tuple(s // 4 for s in image.strides))
    result_descriptor, status = descriptor_type(2)(), Status()
    getattr(library, predictor["symbols"]["memref"])(ctypes.byref(result_descriptor), ctypes.byref(argument),
                                                     ctypes.byref(status))
    assert status.site == 0
    scores = np.ctypeslib.as_array(ctypes.cast(result_descriptor.aligned, ctypes.POINTER(ctypes.c_float)),
                                   (1, 1000)).copy()
    ctypes.CDLL(ctypes.util.find_library("c")).free(ctypes.c_void_p(result_descriptor.allocated))
    sys.path.insert(0, str(EXAMPLES))
    from cnn import MOBILENET_V2

    assert _relative_error(scores, _torch(MOBILENET_V2, image)) < 1e-4
