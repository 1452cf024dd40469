"""End to end on this machine: @fxn.compile and compiled fxn IR against numpy and the interpreter."""

import resource

import numpy as np
import pytest
import torch

import fxn
from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import new_context
from fxn.runtime import Executable
from fxn.source import parse_module


def compile_text(text: str, name: str = "main") -> Executable:
    module = parse_module(text, "test.mlir", new_context())
    signature = entry_points(module)[name]
    lower_to_llvm(module, "host")
    return Executable(jit(module), name, signature.args, signature.results)


def test_seed_fma_on_scalars():
    @fxn.compile(tag="@acme/fma", description="Fused multiply-add.")
    def fma(x: float, y: float, z: float) -> float:
        return x * y + z

    assert fma(3.0, -1.0, 2.0) == -1.0
    assert isinstance(fma(1.0, 2.0, 3.0), float)


def test_arrays_specialize_on_first_call():
    @fxn.compile
    def scaled_sum(a, b):
        return a * b + 1.0

    x = np.arange(5, dtype=np.float32)
    np.testing.assert_array_equal(scaled_sum(x, x), x * x + np.float32(1.0))
    y = np.arange(6, dtype=np.float64).reshape(2, 3)
    np.testing.assert_array_equal(scaled_sum(y, y), y * y + 1.0)


def test_wrong_argument_type_names_the_parameter():
    @fxn.compile
    def fma(x: float, y: float, z: float) -> float:
        return x * y + z

    with pytest.raises(TypeError, match=r"parameter 'x' expects tensor<f32>; got tensor<3xf64>"):
        fma(np.ones(3), 1.0, 2.0)


DYNAMIC = """
func.func @main(%x: tensor<?x4xf32>, %y: tensor<4xf32>, %z: tensor<f32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = "fxn.fma"(%x, %y, %z) : (tensor<?x4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<?x4xf32>
  return %0, %x : tensor<?x4xf32>, tensor<?x4xf32>
}
"""


def test_dynamic_dims_broadcasting_and_inputs_untouched():
    run = compile_text(DYNAMIC)
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    y, z = np.full(4, 2, np.float32), np.array(1, np.float32)
    before = x.copy()
    fused, echoed = run(x, y, z)
    np.testing.assert_array_equal(fused, fxn.interpret(DYNAMIC, x, y, z)[0])
    # A returned argument is a copy: writing the input later does not change it.
    x[0, 0] = 100.0
    assert echoed[0, 0] == before[0, 0]


def test_results_are_freed():
    run = compile_text(DYNAMIC)
    x = np.ones((256, 4), np.float32)
    y, z = np.ones(4, np.float32), np.array(1, np.float32)
    for _ in range(2000):
        run(x, y, z)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(20000):  # 20000 * 2 results * 4 KiB would be 160 MiB if leaked
        run(x, y, z)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 20_000  # KiB


def test_mul_add_rounds_twice_unless_fast_math():
    """x * y + z means two roundings, as in Python and numpy; fast_math=True allows one FMA."""

    def mul_add(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
        return x * y + z

    rng = np.random.default_rng(7)
    x, y, z = (rng.standard_normal(4096).astype(np.float32) for _ in range(3))
    precise, fast = fxn.compile(mul_add), fxn.compile(fast_math=True)(mul_add)
    np.testing.assert_array_equal(precise(x, y, z), x * y + z)
    fused = (x.astype(np.float64) * y + z).astype(np.float32)  # exact product, one rounding (f64 suffices here)
    assert np.mean(fast(x, y, z) == fused) > 0.99
    assert not np.array_equal(x * y + z, fused)  # the inputs do tell the two apart


def test_dynamic_dims_the_compiled_code_assumes_equal_are_checked_before_the_call():
    @fxn.compile
    def add(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "M"]):
        return x + y

    x, y = np.arange(4, dtype=np.float32), np.ones(4, np.float32)
    np.testing.assert_array_equal(add(x, y), x + 1)
    pattern = (r"add\(\): dims x\.shape\[0\] and y\.shape\[0\] must be equal \(fxn\.add at .*test_compile_host\.py:\d+:\d+ "
               r"assumes it; dynamic dims broadcast only where the type says 1\); got 4 and {}")
    for size in (3, 1):  # out of bounds, and a broadcast the compiled code would not do
        with pytest.raises(ValueError, match=pattern.format(size)):
            add(x, np.ones(size, np.float32))
        with pytest.raises(ValueError, match=pattern.format(size)):
            add(x, np.ones(size, np.float32), out=np.empty(4, np.float32))
    with pytest.raises(ValueError, match=pattern.format(3)):
        add(torch.from_numpy(x), torch.ones(3))  # the Python path checks too


def test_an_op_the_backend_cannot_lower_as_typed_is_a_located_error():
    from fxn.frontend import UnsupportedOperation

    @fxn.compile
    def convolve(x: fxn.Tensor[fxn.f32, 1, 3, "H", "W"]):
        return torch.nn.functional.conv2d(x, torch.ones(4, 3, 3, 3))

    with pytest.raises(UnsupportedOperation, match=r"test_compile_host\.py:\d+: fxn cannot compile this for target "
                                                   r"'\w+': .*fxn\.conv2d needs static spatial dims"):
        convolve(np.ones((1, 3, 8, 8), np.float32))
