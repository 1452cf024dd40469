"""fxn.lazy: a module imported on its first attribute read, which then answers as the module does."""

import sys
import types

import pytest

from fxn.lazy import LazyModule


def test_a_lazy_module_imports_on_first_read_and_then_answers_as_the_module():
    loads = []
    real = types.ModuleType("real")
    real.value = 3
    lazy = LazyModule("real", lambda: loads.append(1) or real)
    assert loads == []
    assert lazy.value == 3 and lazy.value == 3
    assert loads == [1]
    with pytest.raises(AttributeError):
        lazy.missing


def test_a_lazy_module_defers_to_the_module_getattr():
    real = types.ModuleType("real")
    real.__getattr__ = lambda name: f"made {name}"
    assert LazyModule("real", lambda: real).anything == "made anything"


def test_lazy_numpy_is_numpy_once_read():
    from fxn.lazy import numpy as np

    assert np.ndarray is sys.modules["numpy"].ndarray
    assert np.float32(1.5) == 1.5
