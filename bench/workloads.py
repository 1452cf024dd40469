"""What every peer computes: the sizes, the inputs and the Python source of each kernel."""

from __future__ import annotations

import numpy as np

from bench.timing import PositionChecked, PythonCalls, skipped

# (a) The looped scalar fma. The chain converges to z / (1 - x) = 500, so it never overflows.
LOOP_ITERATIONS = (10**7, 10**8)
LOOP_X, LOOP_Y, LOOP_Z = 0.999, 1.5, 0.5

# (b) Array x*y + z: x, y and z are read and the result written, 4 bytes each.
ARRAY_SIZES = (10**3, 10**5, 10**7)
ARRAY_BYTES_PER_ELEMENT = 16
COPY_BYTES_PER_ELEMENT = 8  # np.copyto reads and writes 4 bytes per element

# (c) Per-call overhead of tiny functions.
OVERHEAD_ARRAY_SIZE = 16

# (d) Preprocessing: bilinear resize (half-pixel centres, torch's align_corners=False)
# of an HxWx3 uint8 image to 224x224, then (pixel - mean) / std per channel, as f32 CHW.
IMAGE_SHAPES = ((480, 640, 3), (1080, 1920, 3))
OUTPUT_SIZE = (224, 224)
MEAN = (123.675, 116.28, 103.53)  # ImageNet's, in pixel units
STD = (58.395, 57.12, 57.375)

# (e) Python loops as a new user writes them: scalar code over arrays, indexed one element at a time.
# Mandelbrot: escape counts over [-2, 0.5] x [-1.25, 1.25], the grid's corners on the rectangle's.
MANDELBROT_LARGE, MANDELBROT_SMALL = (512, 512), (128, 128)  # (width, height); CPython runs the small grid only
MANDELBROT_MAX_ITER = 255
STENCIL_SIZE = 10**6


def fma_as_written(x: float, y: float, z: float, n_iter: int) -> float:
    result = 0.0
    for _ in range(n_iter):
        result = x * y + z
    return result


def fma_chain(x: float, z: float, n_iter: int) -> float:
    r = z
    for _ in range(n_iter):
        r = r * x + z
    return r


def add_scalars(x: float, y: float) -> float:
    """The per-call overhead kernel with two scalars (annotations are fxn's; numba ignores them)."""
    return x + y


def mul_add_arrays(a, b, c, d):
    """The per-call overhead kernel with four arrays."""
    return a * b + c * d


def overhead_calls(add_scalars, mul_add_arrays) -> dict:
    """Section (c)'s cases: a peer's versions of :func:`add_scalars` and :func:`mul_add_arrays` with their arguments."""
    arrays = float_arrays(OVERHEAD_ARRAY_SIZE, count=4)
    return {"2 scalars": PythonCalls(add_scalars, 1.0, 2.0), "4 arrays": PythonCalls(mul_add_arrays, *arrays)}


def mandelbrot(width: int, height: int, max_iter: int):
    """Per pixel, the iterations of z = z*z + c from z = 0 before |z|^2 > 4, at most ``max_iter`` (int32 counts)."""
    counts = np.zeros((height, width), dtype=np.int32)
    for row in range(height):
        ci = -1.25 + 2.5 * row / (height - 1)
        for col in range(width):
            cr = -2.0 + 2.5 * col / (width - 1)
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter and zr * zr + zi * zi <= 4.0:
                new_zr = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = new_zr
                n += 1
            counts[row, col] = n
    return counts


def stencil(x):
    """A 3-point moving average; the two end points are copied."""
    n = x.shape[0]
    out = np.empty(n)
    out[0] = x[0]
    out[n - 1] = x[n - 1]
    for i in range(1, n - 1):
        out[i] = (x[i - 1] + x[i] + x[i + 1]) / 3
    return out


def power_of_ten(n: int) -> str:
    return f"1e{len(str(n)) - 1}"


def loop_cases():
    """(case name, kernel name, iteration count) of section (a)."""
    for kernel in ("as_written", "chain"):
        for n_iter in LOOP_ITERATIONS:
            yield f"{kernel.replace('_', ' ')}, n={power_of_ten(n_iter)}", kernel, n_iter


def array_cases():
    """(case name, element count) of section (b)."""
    for n in ARRAY_SIZES:
        yield f"n={power_of_ten(n)}", n


def image_cases():
    """(case name, image shape) of section (d)."""
    for shape in IMAGE_SHAPES:
        yield f"{shape[0]}x{shape[1]}x{shape[2]} -> 3x{OUTPUT_SIZE[0]}x{OUTPUT_SIZE[1]}", shape


def python_loop_cases():
    """(case name, kernel name, arguments) of section (e); every peer calls its kernel on these same arguments."""
    for width, height in (MANDELBROT_LARGE, MANDELBROT_SMALL):
        yield f"mandelbrot {width}x{height}", "mandelbrot", (width, height, MANDELBROT_MAX_ITER)
    yield f"stencil, n={power_of_ten(STENCIL_SIZE)}", "stencil", (stencil_input(),)


def stencil_input() -> np.ndarray:
    return np.random.default_rng(2).random(STENCIL_SIZE)


def float_arrays(n: int, count: int = 3, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n, dtype=np.float32) for _ in range(count)]


def image(shape) -> np.ndarray:
    return np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)




# (f) Heavy ops: reductions along the contiguous axis, row-wise softmax and layer_norm, matmul, conv2d.
# (case name, kernel name, input shapes); every input is f32, standard normal. The kernels are torch code
# (bench/torch_kernels.py) that fxn compiles; numpy and numba have their own.
HEAVY_CASES = (
    ("sum 1e6", "sum", ((10**6,),)),
    ("mean(-1) 1000x1000", "mean_rows", ((1000, 1000),)),
    ("softmax 256x1000", "softmax", ((256, 1000),)),
    ("layer_norm 256x768", "layer_norm", ((256, 768), (768,), (768,))),
    ("matmul 64", "matmul", ((64, 64), (64, 64))),
    ("matmul 256", "matmul", ((256, 256), (256, 256))),
    ("matmul 1024", "matmul", ((1024, 1024), (1024, 1024))),
    ("matmul 1024, inputs 4 B off 64 B alignment", "matmul", ((1024, 1024), (1024, 1024))),
    ("conv2d 3->32 3x3 s2, 224x224", "conv_stride2", ((1, 3, 224, 224), (32, 3, 3, 3))),
    ("conv2d 64->64 3x3, 56x56", "conv", ((1, 64, 56, 56), (64, 64, 3, 3))),
    ("depthwise 32ch 3x3, 112x112", "depthwise", ((1, 32, 112, 112), (32, 1, 3, 3))),
)
#: The floating-point operations of each matmul and conv2d case (a multiply-add counts 2).
HEAVY_FLOPS = {
    "matmul": lambda a, b: 2 * a[0] * a[1] * b[1],
    "conv_stride2": lambda x, w: 2 * w[0] * w[1] * w[2] * w[3] * (x[2] // 2) * (x[3] // 2),
    "conv": lambda x, w: 2 * w[0] * w[1] * w[2] * w[3] * x[2] * x[3],
    "depthwise": lambda x, w: 2 * w[0] * w[2] * w[3] * x[2] * x[3],
}


#: The C peer's case in section (f): the machine's peak rate, from independent vector FMA chains
#: (bench/c/peak.c: 12 chains of 16 lanes, 100000 steps a call, a multiply-add counting 2).
PEAK_CASE = "peak"
PEAK_FLOPS_PER_CALL = 2 * 16 * 12 * 100_000


def heavy_inputs(case: str) -> list[np.ndarray]:
    """The inputs of a heavy-ops case; the misaligned case's start 4 bytes past a 64-byte boundary, as numpy
    arrays often do."""
    _, _, shapes = next(c for c in HEAVY_CASES if c[0] == case)
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]
    return [_misaligned_copy(a) for a in arrays] if "alignment" in case else arrays


def heavy_calls(kernels: dict, skips: dict) -> dict:
    """Section (f)'s batches of a peer with kernels of its own: ``kernels[kernel]`` on each case's inputs, or, for
    a kernel it does not have, ``skips[kernel]`` as the reason."""
    return {case: PositionChecked(PythonCalls(kernels[kernel], *heavy_inputs(case))) if kernel in kernels
            else skipped(skips[kernel]) for case, kernel, _ in HEAVY_CASES}


def _misaligned_copy(array: np.ndarray) -> np.ndarray:
    buffer = np.empty(array.size + 32, np.float32)
    skip = (-buffer.ctypes.data % 64) // 4 + 1  # elements up to a 64-byte boundary, plus one
    copy = buffer[skip: skip + array.size].reshape(array.shape)
    copy[...] = array
    assert copy.ctypes.data % 64 == 4
    return copy


# (g) Networks: the CNNs of examples/cnn.py on one 224x224 image, and the camera-frame predictor in front.
NETWORK_CASES = (
    ("MobileNetV2 1x3x224x224", "mobilenet_v2"),
    ("ResNet-18 1x3x224x224", "resnet_18"),
    ("480x640 frame -> preprocess -> MobileNetV2", "classify"),
)


def network_input(kernel: str) -> np.ndarray:
    if kernel == "classify":
        return image((480, 640, 3))
    return np.random.default_rng(4).standard_normal((1, 3, 224, 224), dtype=np.float32)


def cnn_example():
    """examples/cnn.py, loaded as ``fxn compile`` loads it (its folder on sys.path for its neighbour)."""
    import importlib.util
    import sys
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    sys.path.insert(0, str(examples))
    spec = importlib.util.spec_from_file_location("cnn", examples / "cnn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
