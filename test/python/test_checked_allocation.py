"""Checked allocation: a buffer the compiled code cannot get is a MemoryError naming the op and the user's line.

JIT calls (the CPython entry, the Python path, ``out=``) raise it; artifacts
report it through the status of their memref entries. Sizes whose byte count
overflows are failures too, never a short buffer written past its end.
"""

from __future__ import annotations

import ctypes
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import fxn
from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import new_context
from fxn.runtime import Executable
from fxn.source import parse_module

HERE = Path(__file__).name


@fxn.compile
def column_sums(x):
    return x.sum(0)


@fxn.compile
def outer(a: fxn.Tensor[fxn.f32, "N"], b: fxn.Tensor[fxn.f32, "M"]):
    return torch.outer(a, b)


def line_of(function, text: str) -> int:
    """The line of ``function``'s source file that contains ``text``."""
    lines = Path(function.fn.__code__.co_filename).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_a_result_too_large_for_memory_is_a_memory_error_at_the_users_line():
    np.testing.assert_array_equal(column_sums(np.ones((3, 4), np.float32)), np.full(4, 3, np.float32))
    empty_rows = np.zeros((0, 2**40), np.float32)  # no element, yet the sum has 2**40
    with pytest.raises(MemoryError, match=rf"column_sums\(\): could not allocate 4\.0 TiB \(\d+ bytes\) for "
                                          rf"fxn\.reduce at .*{HERE}:{line_of(column_sums, 'x.sum(0)')}:"):
        column_sums(empty_rows)
    np.testing.assert_array_equal(column_sums(np.ones((2, 2), np.float32)), np.full(2, 2, np.float32))


def test_an_outer_product_too_large_fails_cleanly_and_the_function_keeps_working():
    big = np.ones(2**21, np.float32)
    line = line_of(outer, "torch.outer(a, b)")
    with pytest.raises(MemoryError, match=rf"outer\(\): could not allocate 16\.0 TiB .* at .*{HERE}:{line}:"):
        outer(big, big)
    with pytest.raises(MemoryError, match="16.0 TiB"):
        outer(big, big, out=np.empty((2**21, 2**21), np.float32)[:1])  # out= of the wrong shape is checked later
    small = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(outer(small, small), np.outer(small, small))


OVERFLOWING_EMPTY = """
func.func @main(%rows: tensor<i64>, %columns: tensor<i64>) -> tensor<?x?xf32> {
  %r = tensor.extract %rows[] : tensor<i64>
  %c = tensor.extract %columns[] : tensor<i64>
  %n = arith.index_cast %r : i64 to index
  %m = arith.index_cast %c : i64 to index
  %empty = tensor.empty(%n, %m) : tensor<?x?xf32>
  %one = arith.constant 1.0 : f32
  %filled = linalg.fill ins(%one : f32) outs(%empty : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %filled : tensor<?x?xf32>
}
"""


def test_a_byte_size_that_overflows_64_bits_fails_instead_of_allocating_a_short_buffer():
    module = parse_module(OVERFLOWING_EMPTY, "overflow.mlir", new_context())
    signature = entry_points(module)["main"]
    lower_to_llvm(module, "host")
    fill = Executable(jit(module), "main", signature.args, signature.results)
    (filled,) = fill(np.int64(2), np.int64(3))
    np.testing.assert_array_equal(filled, np.ones((2, 3), np.float32))
    # 2**31 * 2**31 * 4 bytes wraps to 0 in 64 bits: without the check, malloc(0) and a fill of 2**62 floats.
    for rows, columns in [(2**31, 2**31), (2**40, 2**40), (2**62, 3)]:
        with pytest.raises(MemoryError, match="a buffer whose size overflows 64-bit arithmetic"):
            fill(np.int64(rows), np.int64(columns))


PREDICTOR = '''
import torch
import fxn

@fxn.compile
def outer(a: fxn.Tensor[fxn.f32, "N"], b: fxn.Tensor[fxn.f32, "M"]):
    return torch.outer(a, b)
'''


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")
def test_artifacts_report_a_failed_allocation_through_the_status(tmp_path):
    from click.testing import CliRunner

    from fxn.cli import cli
    from fxn.runtime import Status, descriptor_type

    source = tmp_path / "outer.py"
    source.write_text(PREDICTOR)
    result = CliRunner().invoke(cli, ["compile", str(source), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    sites = __import__("json").loads((tmp_path / "outer.json").read_text())["predictors"][0]["allocation_sites"]
    assert any(re.search(r"outer.py:7:\d+", site) for site in sites), sites
    library = ctypes.CDLL(str(tmp_path / "libouter.so"))
    Memref1d, Memref2d = descriptor_type(1), descriptor_type(2)

    def call(size: int):
        vector = np.ones(size, np.float32)
        argument = Memref1d(vector.ctypes.data, vector.ctypes.data, 0, (size,), (1,))
        result, status = Memref2d(), Status()
        library.fxn_outer(ctypes.byref(result), ctypes.byref(argument), ctypes.byref(argument), ctypes.byref(status))
        return result, status

    result, status = call(3)
    assert status.site == 0 and tuple(result.sizes) == (3, 3)
    ctypes.CDLL(None).free(ctypes.c_void_p(result.allocated))
    result, status = call(2**21)
    assert 1 <= status.site <= len(sites) and status.bytes >= 2**44
    assert "outer.py:7" in sites[status.site - 1] and not result.allocated


def test_numpy_code_whose_result_cannot_fit_is_traced_without_allocating_it():
    """Tracing numpy code stands in for results with one broadcast element: the MemoryError comes from the call."""
    @fxn.compile
    def outer_numpy(x, y):
        return np.outer(x, y)

    small = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(outer_numpy(small, small), np.outer(small, small))
    big = np.ones(2**21, np.float32)
    with pytest.raises(MemoryError, match=r"outer_numpy\(\): could not allocate 16\.0 TiB"):
        outer_numpy(big, big)
