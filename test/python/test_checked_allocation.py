"""Checked allocation: a buffer the compiled code cannot get is a MemoryError naming the op and the user's line.

JIT calls (the CPython entry, the Python path, ``out=``) raise it; artifacts
report it through the status of their memref entries. Sizes whose byte count
overflows are failures too, never a short buffer written past its end.

An index out of bounds is reported through the same status (a site of kind
"index"): an IndexError in numpy's words naming the user's line, from every
runner (the JIT, the static runner under qemu, wasmtime, the JS loader).
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

import fxn
from fxn.compiler import entry_points, jit, lower_to_llvm
from fxn.dialects import new_context
from fxn.passes.lowering.checked_allocation import (STATUS_BYTES, STATUS_FIELDS, FailureSite, allocation_sites,
                                                    failure_error, failure_message)
from fxn.runtime import Executable, Status, check_status
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
    predictor = __import__("json").loads((tmp_path / "outer.json").read_text())["predictors"][0]
    sites = predictor["allocation_sites"]
    assert any(re.search(r"outer.py:7:\d+", site) for site in sites), sites
    assert [site["kind"] for site in predictor["sites"]] == ["allocation"] * len(sites)
    library = ctypes.CDLL(str(tmp_path / "libouter.so"))
    Memref1d, Memref2d = descriptor_type(1), descriptor_type(2)

    def call(size: int):
        vector = np.ones(size, np.float32)
        argument = Memref1d(vector.ctypes.data, vector.ctypes.data, 0, (size,), (1,))
        result, status = Memref2d(), Status(-1, -1, -1, -1)  # the entry clears site, a failure sets the rest
        library.fxn_outer(ctypes.byref(result), ctypes.byref(argument), ctypes.byref(argument), ctypes.byref(status))
        return result, status

    result, status = call(3)
    assert status.site == 0 and tuple(result.sizes) == (3, 3)
    ctypes.CDLL(None).free(ctypes.c_void_p(result.allocated))
    result, status = call(2**21)
    assert 1 <= status.site <= len(sites) and status.value >= 2**44 and (status.bound, status.axis) == (0, 0)
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


# ----------------------------------------------------------------------------- the status and its messages

ALLOCATION_SITE = FailureSite("p.py", 4, 12, ("fxn.mul",))
INDEX_SITE = FailureSite("p.py", 5, 7, ("fxn.gather",), kind="index")


def test_an_index_site_is_an_index_error_in_numpys_words_then_where():
    sites = [ALLOCATION_SITE, INDEX_SITE, FailureSite(None, kind="index")]
    assert failure_message("f", sites, 2, 5, 3, 0) == "f(): index 5 is out of bounds for axis 0 with size 3 at p.py:5:7"
    assert failure_message("f", sites, 2, -4, 3, 1) == ("f(): index -4 is out of bounds for axis 1 with size 3 "
                                                        "at p.py:5:7")
    assert failure_message("f", sites, 3, 9, 2, 0) == ("f(): index 9 is out of bounds for axis 0 with size 2 "
                                                       "(location unknown)")
    error = failure_error("f", sites, 2, 5, 3, 0)
    assert type(error) is IndexError and str(error) == failure_message("f", sites, 2, 5, 3, 0)


def test_an_allocation_site_or_one_not_described_is_a_memory_error_as_before():
    sites = [ALLOCATION_SITE, INDEX_SITE]
    assert failure_message("f", sites, 1, 12345) == ("f(): could not allocate 12.1 KiB (12345 bytes) "
                                                     "for fxn.mul at p.py:4:12")
    assert failure_message("f", sites, 1, 1 << 62) == ("f(): could not allocate a buffer whose size overflows 64-bit "
                                                       "arithmetic for fxn.mul at p.py:4:12")
    assert failure_message("f", [], 3, 7) == "f(): could not allocate 7 B (7 bytes) for allocation site 3"
    assert type(failure_error("f", sites, 1, 12345)) is MemoryError
    assert type(failure_error("f", sites, 3, 5, 3, 0)) is MemoryError  # no site 3: taken as an allocation


def test_check_status_raises_what_the_status_reports():
    check_status(Status(0, 5, 3, 0), "f", [INDEX_SITE])
    with pytest.raises(IndexError, match=r"^f\(\): index -9 is out of bounds for axis 2 with size 8 at p\.py:5:7$"):
        check_status(Status(1, -9, 8, 2), "f", [INDEX_SITE])
    with pytest.raises(MemoryError, match=r"^f\(\): could not allocate 64 B \(64 bytes\) for fxn\.mul at p\.py:4:12$"):
        check_status(Status(1, 64, 0, 0), "f", [ALLOCATION_SITE])


def test_sites_are_read_back_with_their_kind():
    module = parse_module("""
module attributes {fxn.allocation_sites = [
    {column = 12 : i64, file = "p.py", line = 4 : i64},
    {column = 7 : i64, file = "p.py", kind = "index", line = 5 : i64},
    {kind = "index"},
    {column = 1 : i64, file = "q.py", kind = "allocation", line = 2 : i64}]} {
}""", "sites.mlir", new_context())
    assert allocation_sites(module) == [FailureSite("p.py", 4, 12), FailureSite("p.py", 5, 7, kind="index"),
                                        FailureSite(None, kind="index"), FailureSite("q.py", 2, 1)]
    assert [str(site) for site in allocation_sites(module)] == [
        "an allocation at p.py:4:12", "index check of an indexing op at p.py:5:7",
        "index check of an indexing op (location unknown)", "an allocation at q.py:2:1"]
    assert INDEX_SITE.describe() == {"kind": "index", "ops": ["fxn.gather"], "file": "p.py", "line": 5, "column": 7}


def _c_fields(typedef: str) -> list[str]:
    """The fields of a C ``typedef struct { int64_t a; ... } fxn_status;``, each checked to be an int64_t."""
    body = re.search(r"typedef struct \{ (.*?) \} fxn_status;", typedef)[1]
    declarations = [d.strip() for d in body.split(";") if d.strip()]
    assert all(d.startswith("int64_t ") for d in declarations), declarations
    return [d.split()[1] for d in declarations]


def test_the_status_has_one_layout_everywhere():
    """{site, value, bound, axis}, four int64: ctypes, the header, the static runner's driver, wasm, the loader."""
    from fxn import python_entry
    from fxn.artifacts import _STATUS_TYPEDEF
    from fxn.backends.wasm_simd import runner as wasm_runner
    from fxn.backends.wasm_simd.loader import TEMPLATE
    from fxn.dialects import TensorType
    from fxn.static_runner import driver_source

    assert STATUS_FIELDS == ("site", "value", "bound", "axis") and STATUS_BYTES == 32
    assert [name for name, _ in Status._fields_] == list(STATUS_FIELDS)
    assert all(kind is ctypes.c_int64 for _, kind in Status._fields_) and ctypes.sizeof(Status) == STATUS_BYTES
    assert _c_fields(_STATUS_TYPEDEF) == list(STATUS_FIELDS)
    driver = driver_source({"fxn_f": ("f", [TensorType("f32", (None,))], [TensorType("f32", (None,))], [])}, 64)
    assert _c_fields(driver) == list(STATUS_FIELDS)
    assert "fxn_status status = {0, 0, 0, 0};" in driver
    assert wasm_runner.STATUS_BYTES == STATUS_BYTES and python_entry.STATUS_BYTES == STATUS_BYTES
    assert f"const STATUS_BYTES = {STATUS_BYTES};" in TEMPLATE.read_text()


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 compiles the typedefs")
@pytest.mark.parametrize("triple", ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "wasm32-unknown-unknown"])
def test_the_c_status_is_32_bytes_with_the_fields_in_order_on_every_target(tmp_path, triple):
    from fxn.artifacts import _STATUS_TYPEDEF

    offsets = " && ".join(f"offsetof(fxn_status, {name}) == {8 * i}" for i, name in enumerate(STATUS_FIELDS))
    source = tmp_path / "status.c"
    source.write_text(f"#include <stddef.h>\n#include <stdint.h>\n{_STATUS_TYPEDEF}\n"
                      f"_Static_assert(sizeof(fxn_status) == {STATUS_BYTES} && {offsets}, \"layout\");\n")
    result = subprocess.run(["clang-22", f"--target={triple}", "-ffreestanding", "-fsyntax-only", str(source)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ----------------------------------------------------------------------------- an index out of bounds, end to end

#: What the lowering of an op that indexes with a run-time index emits: where the index (numpy's rules: negative
#: from the end) is out of bounds, a call of the index check at the user's location. ``lower_to_llvm`` prefixes
#: ``fxn_`` to every function of the module it is given (fxn.entries.namespace_functions) but the check, whose
#: dotted name no Python function has.
INDEXING = """
func.func private @fxn.index_out_of_bounds(i64, i64, i64)

func.func @element(%x: tensor<?xf32>, %index: tensor<i64>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0 : i64
  %i = tensor.extract %index[] : tensor<i64>
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %size = arith.index_cast %n : index to i64
  %lowest = arith.subi %zero, %size : i64
  %below = arith.cmpi slt, %i, %lowest : i64
  %above = arith.cmpi sge, %i, %size : i64
  %out = arith.ori %below, %above : i1
  scf.if %out {
    func.call @fxn.index_out_of_bounds(%i, %size, %zero) : (i64, i64, i64) -> () loc("user.py":7:11)
  }
  %from_end = arith.addi %i, %size : i64
  %negative = arith.cmpi slt, %i, %zero : i64
  %j = arith.select %negative, %from_end, %i : i64
  %k = arith.index_cast %j : i64 to index
  %v = tensor.extract %x[%k] : tensor<?xf32>
  %r = tensor.from_elements %v : tensor<f32>
  return %r : tensor<f32>
}
"""
X = np.arange(4, dtype=np.float32)


def index_message(index: int) -> str:
    return f"element(): index {index} is out of bounds for axis 0 with size 4 at user.py:7:11"


def index_error(index: int) -> str:
    """A ``pytest.raises`` pattern of exactly :func:`index_message`."""
    return f"^{re.escape(index_message(index))}$"


def lower_text(text: str, entry: str, target: str):
    """``text`` lowered to the LLVM dialect for ``target``: the module, ``entry``'s signature and the sites."""
    module = parse_module(text, "input.mlir", new_context())
    signature = entry_points(module)[entry]
    lower_to_llvm(module, target)
    return module, signature, allocation_sites(module)


def lower_indexing(target: str):
    return lower_text(INDEXING, "element", target)


def test_an_index_out_of_bounds_is_an_index_error_at_the_users_line():
    module, signature, sites = lower_indexing("host")
    assert "index_out_of_bounds" not in str(module)  # no call, no declaration: nothing to import
    assert [site for site in sites if site.kind == "index"] == [FailureSite("user.py", 7, 11, kind="index")]
    element = Executable(jit(module), "element", signature.args, signature.results, allocation_sites=sites)
    assert element(X, np.int64(2))[0] == 2 and element(X, np.int64(-4))[0] == 0
    for index in (4, -5, 2**40, -2**63):
        with pytest.raises(IndexError, match=index_error(index)):
            element(X, np.int64(index))
    assert element(X, np.int64(3))[0] == 3  # and it keeps working


@pytest.mark.parametrize("spec", ["neon", "wasm_simd"])
def test_every_runner_raises_the_same_index_error(spec):
    """The static runner (aarch64 under qemu) and wasmtime (wasm32: the status is int64 there too)."""
    from fxn.backends import call_hook
    from fxn.backends.base import Program
    from fxn.compiler import as_target, llvm_ir

    backend, target = as_target(spec)
    runner = call_hook(backend, "runner", target)
    if runner is None or shutil.which("clang-22") is None or (spec == "wasm_simd" and not shutil.which("wasm-ld-22")):
        pytest.skip(f"cannot run {spec} code here")
    module, signature, sites = lower_indexing(spec)
    program = Program(llvm_ir(module), {"element": (signature.args, signature.results)}, sites)
    (value,) = runner.run(program, "element", target, [X, np.array(-1, np.int64)])
    assert value == 3
    with pytest.raises(IndexError, match=index_error(-7)):
        runner.run(program, "element", target, [X, np.array(-7, np.int64)])


LOADER_SCRIPT = """
import { load } from "./lib.mjs";
const m = await load();
const out = { inBounds: m.element(new Float32Array([0, 1, 2, 3]), -1) };
for (const index of [4, -5]) {
  try { m.element(new Float32Array([0, 1, 2, 3]), index); out[index] = "no error"; } catch (e) {
    out[index] = { range: e instanceof RangeError, message: e.message, index: String(e.index), size: String(e.size),
                   axis: e.axis, site: e.site };
  }
}
console.log(JSON.stringify(out));
"""


def run_in_node(directory, module, name: str, parameters: list, sites, script: str):
    """What ``script`` prints (JSON) when node runs it beside ``module`` linked for wasm_simd as ``lib.wasm``,
    its loader ``lib.mjs`` and a manifest with the one predictor ``name`` (as much as the loader reads of what
    fxn.artifacts writes)."""
    from fxn.backends.wasm_simd.loader import write_loader
    from fxn.backends.wasm_simd.toolchain import link_module
    from fxn.compiler import as_target, llvm_ir

    _, target = as_target("wasm_simd")
    link_module([llvm_ir(module)], directory / "lib.wasm", [f"fxn_{name}"], target)
    write_loader(directory, "lib")
    predictor = {
        "name": name, "symbols": {"memref": f"fxn_{name}"},
        "signature": {"parameters": parameters, "results": [{"dtype": "f32", "shape": [], "python_scalar": True}]},
        "allocation_sites": [str(site) for site in sites], "sites": [site.describe() for site in sites],
    }
    (directory / "lib.json").write_text(json.dumps({"predictors": [predictor]}))
    (directory / "run.mjs").write_text(script)
    result = subprocess.run(["node", "run.mjs"], cwd=directory, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not (shutil.which("node") and shutil.which("clang-22") and shutil.which("wasm-ld-22")),
                    reason="node runs the loader; clang-22 and wasm-ld-22 build the .wasm")
def test_the_wasm_loader_throws_a_range_error_in_the_same_words(tmp_path):
    from fxn.compiler import as_target

    _, target = as_target("wasm_simd")
    module, _, sites = lower_indexing(target)
    parameters = [{"name": "x", "dtype": "f32", "shape": [None], "python_scalar": False},
                  {"name": "index", "dtype": "i64", "shape": [], "python_scalar": True}]
    out = run_in_node(tmp_path, module, "element", parameters, sites, LOADER_SCRIPT)
    assert out["inBounds"] == 3
    site = 1 + [site.kind for site in sites].index("index")
    for index in (4, -5):
        assert out[str(index)] == {"range": True, "message": index_message(index),
                                   "index": str(index), "size": "4", "axis": 0, "site": site}


#: What the lowering of a store emits where its value's size is known only at run time: where that size is
#: neither 1 nor the window's, a call of the broadcast check at the user's location.
STORING = """
func.func private @fxn.broadcast_mismatch(i64, i64, i64)

func.func @first(%x: tensor<4xf32>, %v: tensor<?xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i64
  %window = arith.constant 4 : i64
  %zero = arith.constant 0 : i64
  %n = tensor.dim %v, %c0 : tensor<?xf32>
  %size = arith.index_cast %n : index to i64
  %is_one = arith.cmpi eq, %size, %one : i64
  %same = arith.cmpi eq, %size, %window : i64
  %fits = arith.ori %is_one, %same : i1
  %true = arith.constant true
  %mismatch = arith.xori %fits, %true : i1
  scf.if %mismatch {
    func.call @fxn.broadcast_mismatch(%size, %window, %zero) : (i64, i64, i64) -> () loc("user.py":9:5)
  }
  %v0 = tensor.extract %v[%c0] : tensor<?xf32>
  %r = tensor.from_elements %v0 : tensor<f32>
  return %r : tensor<f32>
}
"""
BROADCAST_MESSAGE = "first(): could not broadcast a stored value of size 3 into a window of size 4 along axis 0 at user.py:9:5"


def lower_storing(target: str):
    return lower_text(STORING, "first", target)


def test_a_store_that_does_not_broadcast_is_a_value_error_at_the_users_line():
    module, signature, sites = lower_storing("host")
    assert "broadcast_mismatch" not in str(module)
    assert [site for site in sites if site.kind == "broadcast"] == [FailureSite("user.py", 9, 5, kind="broadcast")]
    first = Executable(jit(module), "first", signature.args, signature.results, allocation_sites=sites)
    assert first(X, X)[0] == 0 and first(X, X[3:])[0] == 3
    with pytest.raises(ValueError, match=f"^{re.escape(BROADCAST_MESSAGE)}$"):
        first(X, X[1:])


@pytest.mark.parametrize("spec", ["neon", "wasm_simd"])
def test_every_runner_raises_the_same_broadcast_error(spec):
    from fxn.backends import call_hook
    from fxn.backends.base import Program
    from fxn.compiler import as_target, llvm_ir

    backend, target = as_target(spec)
    runner = call_hook(backend, "runner", target)
    module, signature, sites = lower_storing(spec)
    program = Program(llvm_ir(module), {"first": (signature.args, signature.results)}, sites)
    (value,) = runner.run(program, "first", target, [X, X[2:3]])
    assert value == 2
    with pytest.raises(ValueError, match=f"^{re.escape(BROADCAST_MESSAGE)}$"):
        runner.run(program, "first", target, [X, X[1:]])


@pytest.mark.skipif(not (shutil.which("node") and shutil.which("clang-22") and shutil.which("wasm-ld-22")),
                    reason="node runs the loader; clang-22 and wasm-ld-22 build the .wasm")
def test_the_wasm_loader_throws_a_range_error_for_a_broadcast_mismatch(tmp_path):
    from fxn.compiler import as_target

    _, target = as_target("wasm_simd")
    module, _, sites = lower_storing(target)
    parameters = [{"name": "x", "dtype": "f32", "shape": [4], "python_scalar": False},
                  {"name": "v", "dtype": "f32", "shape": [None], "python_scalar": False}]
    out = run_in_node(tmp_path, module, "first", parameters, sites, """
import { load } from "./lib.mjs";
const m = await load();
const x = new Float32Array([0, 1, 2, 3]);
try { m.first(x, new Float32Array([1, 2, 3])); console.log(JSON.stringify("no error")); } catch (e) {
  console.log(JSON.stringify({ range: e instanceof RangeError, message: e.message, size: String(e.size),
                               window: String(e.window), axis: e.axis }));
}
""")
    assert out == {"range": True, "message": BROADCAST_MESSAGE, "size": "3", "window": "4", "axis": 0}


PARALLEL_ALLOCATION = """
func.func @chunks(%n: index, %out: memref<4xindex>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %a = memref.alloc(%n) : memref<?xf32>
    %p = memref.extract_aligned_pointer_as_index %a : memref<?xf32> -> index
    memref.store %p, %out[%i] : memref<4xindex>
    scf.reduce
  }
  return
}
"""


def test_allocation_failing_in_a_parallel_loop_is_reported_once_and_ends_the_call():
    """A NULL from malloc in an iteration of an OpenMP loop (4 iterations on 2 threads, each failing) sets the
    status once, with the site and the size asked for; the call returns after the loop; a later call clears it."""
    from fxn.pipeline import build_pipeline

    context = new_context()
    module = parse_module(PARALLEL_ALLOCATION, "chunks.mlir", context)
    pipeline = ("builtin.module(convert-scf-to-openmp{num-threads=2},fxn-inline-alloca-scopes,convert-scf-to-cf,"
                "finalize-memref-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,"
                "convert-openmp-to-llvm,reconcile-unrealized-casts,fxn-check-allocations)")
    with context:
        build_pipeline(pipeline, context)[0].run(module.operation)
    (site,) = allocation_sites(module)
    assert (site.kind, site.line) == ("allocation", 7)
    engine = jit(module)
    packed = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(engine.raw_lookup("_mlir_ciface_chunks"))
    pointers = np.zeros(4, np.int64)

    class Descriptor(ctypes.Structure):
        _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p), ("offset", ctypes.c_int64),
                    ("size", ctypes.c_int64), ("stride", ctypes.c_int64)]

    descriptor = Descriptor(pointers.ctypes.data, pointers.ctypes.data, 0, 4, 1)
    status = Status()
    descriptor_pointer = ctypes.c_void_p(ctypes.addressof(descriptor))
    status_pointer = ctypes.c_void_p(ctypes.addressof(status))

    def call(n: int) -> None:
        size = ctypes.c_int64(n)
        arguments = (ctypes.c_void_p * 3)(ctypes.addressof(size), ctypes.addressof(descriptor_pointer),
                                         ctypes.addressof(status_pointer))
        packed(ctypes.addressof(arguments))

    call(1 << 44)  # 64 TiB of f32 per iteration: no allocator gives it
    assert (status.site, status.value, status.bound, status.axis) == (1, 4 << 44, 0, 0)
    with pytest.raises(MemoryError, match=r"chunks\(\): could not allocate 64.0 TiB .* at .*chunks.mlir:7"):
        check_status(status, "chunks", [site])
    call(16)
    assert status.site == 0 and all(pointers)
    ctypes.CDLL(None).free.argtypes = [ctypes.c_void_p]
    for pointer in pointers:
        ctypes.CDLL(None).free(ctypes.c_void_p(int(pointer)))
