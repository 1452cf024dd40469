"""fxn.static_runner: the driver's protocol and failures, on hand-written LLVM IR run as an aarch64 static binary.

The functions below are written in LLVM IR, not compiled by fxn, so that
each exercises one thing the driver must get right: a result that views
its argument with an offset and strides, several results of mixed ranks,
a 0-d f16 passed bit for bit, a status reporting a failed allocation or
an index out of bounds, a crash. They run under qemu-aarch64 through the neon backend's runner.
"""

from __future__ import annotations

import numpy as np
import pytest

from fxn.backends import resolve_target
from fxn.backends.base import Program, Target
from fxn.backends.neon import static_runner
from fxn.dialects import TensorType
from fxn.passes.lowering.checked_allocation import FailureSite
from fxn.static_runner import StaticRunner, driver_source

_, NEON = resolve_target("neon")
RUNNER = static_runner(NEON)
requires_runner = pytest.mark.skipif(RUNNER.unavailable() is not None,
                                     reason=f"cannot run aarch64 code here: {RUNNER.unavailable()}")

LLVM_IR = """
%memref0 = type { ptr, ptr, i64 }
%memref1 = type { ptr, ptr, i64, [1 x i64], [1 x i64] }
%memref2 = type { ptr, ptr, i64, [2 x i64], [2 x i64] }

declare ptr @malloc(i64)
declare void @abort()

; The odd-indexed elements of x, as a view: offset 1, stride 2.
define void @fxn_odd_elements(ptr %result, ptr %x, ptr %status) {
  %d = load %memref1, ptr %x
  %n = extractvalue %memref1 %d, 3, 0
  %half = sdiv i64 %n, 2
  %r0 = insertvalue %memref1 %d, i64 1, 2
  %r1 = insertvalue %memref1 %r0, i64 %half, 3, 0
  %r2 = insertvalue %memref1 %r1, i64 2, 4, 0
  store %memref1 %r2, ptr %result
  ret void
}

; [rows, cols, address of x's data mod 64] and x itself: a struct of a rank-1 and a rank-2 descriptor.
define void @fxn_describe(ptr %results, ptr %x, ptr %status) {
  %d = load %memref2, ptr %x
  %rows = extractvalue %memref2 %d, 3, 0
  %cols = extractvalue %memref2 %d, 3, 1
  %aligned = extractvalue %memref2 %d, 1
  %address = ptrtoint ptr %aligned to i64
  %misalignment = urem i64 %address, 64
  %buffer = call ptr @malloc(i64 24)
  store i64 %rows, ptr %buffer
  %p1 = getelementptr i64, ptr %buffer, i64 1
  store i64 %cols, ptr %p1
  %p2 = getelementptr i64, ptr %buffer, i64 2
  store i64 %misalignment, ptr %p2
  %m0 = insertvalue %memref1 undef, ptr %buffer, 0
  %m1 = insertvalue %memref1 %m0, ptr %buffer, 1
  %m2 = insertvalue %memref1 %m1, i64 0, 2
  %m3 = insertvalue %memref1 %m2, i64 3, 3, 0
  %m4 = insertvalue %memref1 %m3, i64 1, 4, 0
  %r0 = insertvalue { %memref1, %memref2 } undef, %memref1 %m4, 0
  %r1 = insertvalue { %memref1, %memref2 } %r0, %memref2 %d, 1
  store { %memref1, %memref2 } %r1, ptr %results
  ret void
}

; A 0-d f16 returned as it came.
define void @fxn_same_half(ptr %result, ptr %x, ptr %status) {
  %d = load %memref0, ptr %x
  store %memref0 %d, ptr %result
  ret void
}

; What compiled code does when malloc fails: site 2, 12345 bytes.
define void @fxn_no_memory(ptr %result, ptr %x, ptr %status) {
  store i64 2, ptr %status
  %bytes = getelementptr i64, ptr %status, i64 1
  store i64 12345, ptr %bytes
  ret void
}

; What compiled code does when an index is out of bounds: site 1, index -7, size 3, axis 1.
define void @fxn_bad_index(ptr %result, ptr %x, ptr %status) {
  store i64 1, ptr %status
  %value = getelementptr i64, ptr %status, i64 1
  store i64 -7, ptr %value
  %bound = getelementptr i64, ptr %status, i64 2
  store i64 3, ptr %bound
  %axis = getelementptr i64, ptr %status, i64 3
  store i64 1, ptr %axis
  ret void
}

define void @fxn_crash(ptr %result, ptr %x, ptr %status) {
  call void @abort()
  unreachable
}
"""

F32_VECTOR, F16_SCALAR = TensorType("f32", (None,)), TensorType("f16", ())
PROGRAM = Program(LLVM_IR, {
    "odd_elements": ([F32_VECTOR], [F32_VECTOR]),
    "describe": ([TensorType("i8", (None, None))], [TensorType("i64", (3,)), TensorType("i8", (None, None))]),
    "same_half": ([F16_SCALAR], [F16_SCALAR]),
    "no_memory": ([F32_VECTOR], [F32_VECTOR]),
    "bad_index": ([F32_VECTOR], [F32_VECTOR]),
    "crash": ([F32_VECTOR], [F32_VECTOR]),
}, [FailureSite("p.py", 4, 12, kind="index")])  # site 1; site 2 is not described


@pytest.fixture(scope="module")
def executable():
    return RUNNER.executable([PROGRAM], NEON)


@requires_runner
@pytest.mark.parametrize("size", [0, 1, 9, 10])
def test_a_result_is_read_through_its_offset_and_strides(executable, size):
    x = np.arange(size, dtype=np.float32)
    (odd,) = executable.run("odd_elements", [x])
    np.testing.assert_array_equal(odd, x[1::2])


@requires_runner
@pytest.mark.parametrize("shape", [(3, 5), (0, 4), (1, 0)])
def test_several_results_of_mixed_ranks_and_arguments_aligned_to_64_bytes(executable, shape):
    x = np.arange(np.prod(shape), dtype=np.int8).reshape(shape)
    facts, same = executable.run("describe", [x])
    np.testing.assert_array_equal(facts, [shape[0], shape[1], 0])
    assert same.dtype == np.int8 and same.shape == shape
    np.testing.assert_array_equal(same, x)


@requires_runner
def test_f16_travels_bit_for_bit(executable):
    for bits in (0x3C00, 0x7E01, 0xFC00, 0x0001):  # 1.0, a NaN with a payload, -inf, the smallest subnormal
        x = np.array(bits, np.uint16).view(np.float16)
        (result,) = executable.run("same_half", [x])
        assert result.shape == () and result.dtype == np.float16
        assert result.view(np.uint16) == bits
    (result,) = executable.run("same_half", [np.ascontiguousarray(x)])  # a 0-d array made 1-d is taken as 0-d
    assert result.shape == () and result.view(np.uint16) == bits


@requires_runner
def test_a_failed_allocation_is_a_memory_error_with_site_and_size(executable):
    with pytest.raises(MemoryError, match=r"^no_memory\(\): could not allocate 12\.1 KiB \(12345 bytes\) "
                                          r"for allocation site 2$"):
        executable.run("no_memory", [np.ones(3, np.float32)])


@requires_runner
def test_an_index_out_of_bounds_is_an_index_error_with_index_axis_size_and_line(executable):
    with pytest.raises(IndexError, match=r"^bad_index\(\): index -7 is out of bounds for axis 1 with size 3 "
                                         r"at p\.py:4:12$"):
        executable.run("bad_index", [np.ones(3, np.float32)])


@requires_runner
def test_a_crash_is_a_runtime_error_naming_the_signal(executable):
    with pytest.raises(RuntimeError, match=r"^crash\(\) under qemu-aarch64 died of SIGABRT"):
        executable.run("crash", [np.ones(3, np.float32)])


@requires_runner
def test_arguments_are_checked_before_anything_runs(executable):
    with pytest.raises(TypeError, match=r"odd_elements\(\) takes 1 arguments; got 2"):
        executable.run("odd_elements", [np.ones(2, np.float32)] * 2)
    with pytest.raises(TypeError, match=r"describe\(\): argument #0 expects tensor<\?x\?xi8>; got an array of "
                                        r"shape \(4,\)"):
        executable.run("describe", [np.ones(4, np.int8)])
    with pytest.raises(LookupError, match="no function 'missing' in this program"):
        executable.run("missing", [])


@requires_runner
def test_an_executable_is_built_once_per_program_and_flags(executable):
    assert RUNNER.executable([PROGRAM], NEON).path == executable.path
    other_cpu = StaticRunner([*RUNNER.cc_flags, "-mcpu=cortex-a53"], RUNNER.link_flags, RUNNER.emulator)
    assert other_cpu.executable([PROGRAM], NEON).path != executable.path


def test_a_missing_emulator_or_library_is_named_with_where_to_get_it():
    runner = StaticRunner(["--target=aarch64-linux-gnu"], ["-static"], ["qemu-nowhere"],
                          {"/nonexistent/lib/*/libc.a": "a cross C library package"})
    assert runner.unavailable() == "qemu-nowhere is missing (the emulator)"
    runner = StaticRunner(["--target=aarch64-linux-gnu"], ["-static"], ["true"],
                          {"/nonexistent/lib/*/libc.a": "a cross C library package"})
    assert runner.unavailable() == "/nonexistent/lib/*/libc.a is missing (a cross C library package)"


def test_big_endian_targets_are_refused_not_misread():
    target = Target("be", "aarch64_be-unknown-linux-gnu", "generic")
    with pytest.raises(NotImplementedError, match="little-endian; aarch64_be-unknown-linux-gnu is not"):
        RUNNER.executable([PROGRAM], target)


def test_the_driver_declares_each_entry_with_the_targets_index_width():
    source = driver_source({"fxn_f": ("f", [F32_VECTOR, F16_SCALAR], [F32_VECTOR, F16_SCALAR], [])}, 32)
    assert "typedef int32_t fxn_index;" in source
    assert "void fxn_f(void *, void *, void *, fxn_status *);" in source
    assert "struct { driver_memref1 r0; driver_memref0 r1; } results;" in source
    assert 'if (!strcmp(argv[1], "fxn_f")) driver_call0();' in source
