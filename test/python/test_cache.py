"""The on-disk cache: later processes load compiled code instead of compiling; bad entries are rebuilt, never loaded."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import fxn
from fxn import cache, cached_code


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("FXN_CACHE", "1")
    monkeypatch.setenv("FXN_CACHE_DIR", str(folder))
    return folder


def entries(folder: Path) -> list[Path]:
    """The entries in ``folder`` once this process has written those it is writing."""
    cached_code.wait()
    return sorted(folder.glob("*.fxn")) if folder.is_dir() else []


# ----------------------------------------------------------------------------- in one process


def test_a_second_compiled_function_of_the_same_code_loads_it_without_tracing(cache_dir):
    def scale(x: float, y: float) -> float:
        return x * y + 1.0

    first = fxn.compile(scale)
    assert first(2.0, 3.0) == 7.0 and first.tracing_count == 1
    assert len(entries(cache_dir)) == 1
    second = fxn.compile(scale)
    assert second(2.0, 3.0) == 7.0
    assert second.tracing_count == 0 and len(second.concrete_functions) == 1
    assert second.concrete_functions[0].native  # the CPython entry of the cached library


def test_arrays_out_and_the_python_path_of_cached_code(cache_dir):
    def affine(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"]):
        return x * 2.0 + y

    x, y = np.arange(5, dtype=np.float32), np.ones(5, dtype=np.float32)
    fxn.compile(affine)(x, y)
    cached = fxn.compile(affine)
    np.testing.assert_array_equal(cached(x, y), x * 2 + y)
    np.testing.assert_array_equal(cached(x=x, y=y), x * 2 + y)  # keywords: the Python path
    np.testing.assert_array_equal(cached(x.astype(np.float64)[::1].astype(np.float32), y), x * 2 + y)
    out = np.empty(5, np.float32)
    assert cached(x, y, out=out) is out  # out=: the destination entry, lowered from a new trace
    np.testing.assert_array_equal(out, x * 2 + y)
    with pytest.raises(TypeError, match="parameter 'y' expects tensor<\\?xf32> with dim 0 'N' = 5"):
        cached(x, np.ones(4, np.float32))
    assert cached.tracing_count == 0  # the destination entry lowers again, which is no new concrete function


def test_the_key_covers_the_globals_the_code_reads(cache_dir):
    namespace = {"fxn": fxn}
    source = "def f(x: float) -> float:\n    return x * FACTOR\n"
    exec(compile(source, str(cache_dir.parent / "f.py"), "exec"), namespace)
    namespace["FACTOR"] = 2.0
    assert fxn.compile(namespace["f"])(3.0) == 6.0
    namespace["FACTOR"] = 5.0
    changed = fxn.compile(namespace["f"])
    assert changed(3.0) == 15.0 and changed.tracing_count == 1
    assert len(entries(cache_dir)) == 2


def test_values_fxn_cannot_digest_are_not_cached(cache_dir):
    class Holder:
        factor = 2.0

    holder = Holder()

    def f(x: float) -> float:
        return x * holder.factor

    assert fxn.compile(f)(3.0) == 6.0
    assert entries(cache_dir) == []


def test_cache_off_writes_nothing(cache_dir, monkeypatch):
    monkeypatch.setenv("FXN_CACHE", "0")

    def f(x: float) -> float:
        return x + 1.0

    assert fxn.compile(f)(1.0) == 2.0
    assert not cache_dir.exists()


def test_least_recently_used_entries_are_evicted_past_the_limit(cache_dir, monkeypatch):
    def one(x: float) -> float:
        return x + 1.0

    def two(x: float) -> float:
        return x + 2.0

    def three(x: float) -> float:
        return x + 3.0

    fxn.compile(one)(0.0)
    (size,) = [path.stat().st_size for path in entries(cache_dir)]
    monkeypatch.setenv("FXN_CACHE_MAX_BYTES", str(int(size * 2.5)))
    fxn.compile(two)(0.0)
    for path in entries(cache_dir):
        os.utime(path, (1, 1))
    used = fxn.compile(one)
    assert used(0.0) == 1.0 and used.tracing_count == 0  # loaded: "one" is now the most recently used
    fxn.compile(three)(0.0)  # a third entry passes the limit: the least recently used, "two", goes
    assert len(entries(cache_dir)) == 2
    kept = fxn.compile(one)
    assert kept(1.0) == 2.0 and kept.tracing_count == 0
    evicted = fxn.compile(two)
    assert evicted(0.0) == 2.0 and evicted.tracing_count == 1


def test_cache_info_and_clear_from_the_command_line(cache_dir):
    def f(x: float) -> float:
        return x - 1.0

    fxn.compile(f)(1.0)
    cached_code.wait()
    environment = {**os.environ}
    info = subprocess.run([sys.executable, "-m", "fxn.cli", "cache", "info"], capture_output=True, text=True,
                          env=environment)
    assert info.returncode == 0, info.stderr
    assert f"directory: {cache_dir}" in info.stdout and "entries: 1" in info.stdout
    cleared = subprocess.run([sys.executable, "-m", "fxn.cli", "cache", "clear"], capture_output=True, text=True,
                             env=environment)
    assert cleared.returncode == 0 and "removed 1 entries" in cleared.stdout
    assert entries(cache_dir) == []


# ----------------------------------------------------------------------------- across processes

PREDICTOR = textwrap.dedent("""
    import sys
    import fxn

    @fxn.compile
    def predict(x: float, y: float, z: float) -> float:
        print("tracing", file=sys.stderr)
        return x * y + z

    print(predict(3.0, -1.0, 2.5), predict.tracing_count)
""")


def run_predictor(script: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env={**os.environ})
    assert result.returncode == 0, result.stderr
    return result


def test_a_second_process_loads_the_code_and_a_damaged_entry_is_rebuilt(cache_dir, tmp_path):
    script = tmp_path / "predictor.py"
    script.write_text(PREDICTOR)
    first = run_predictor(script)
    assert first.stdout.split() == ["-0.5", "1"] and "tracing" in first.stderr
    second = run_predictor(script)
    assert second.stdout.split() == ["-0.5", "0"] and "tracing" not in second.stderr
    (entry,) = entries(cache_dir)
    good = entry.read_bytes()
    for damaged in (good[:-100], good[:len(good) // 2] + bytes([good[len(good) // 2] ^ 0xFF]) + good[len(good) // 2 + 1:],
                    b"", good[:20]):
        entry.write_bytes(damaged)
        rebuilt = run_predictor(script)
        assert rebuilt.stdout.split() == ["-0.5", "1"] and "tracing" in rebuilt.stderr
        assert "damaged" in rebuilt.stderr
        assert entry.read_bytes() != damaged
        assert cache.load(entry.stem) is not None  # a whole entry again


def test_processes_compiling_one_function_at_once_share_one_entry(cache_dir, tmp_path):
    script = tmp_path / "predictor.py"
    script.write_text(PREDICTOR)
    processes = [subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env={**os.environ}) for _ in range(3)]
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert stdout.split()[0] == "-0.5"
    (entry,) = entries(cache_dir)
    assert cache.load(entry.stem) is not None
    assert not list(cache_dir.glob(".*.tmp"))
    assert run_predictor(script).stdout.split() == ["-0.5", "0"]


def test_cached_code_runs_its_parallel_loops_on_threads(cache_dir):
    def rows(x: fxn.Tensor[fxn.f32, 512, 512]):
        return (x * 2.0 + 1.0).sum(axis=1)

    x = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)
    expected = fxn.compile(rows, threads=2)(x)
    serial = fxn.compile(rows, threads=1)
    assert serial.tracing_count == 0 and serial(x) is not None and serial.tracing_count == 1  # another key
    cached = fxn.compile(rows, threads=2)
    np.testing.assert_array_equal(cached(x), expected)
    assert cached.tracing_count == 0


def test_containers_key_on_their_structure_and_constants(cache_dir):
    def weighted(pair, scale):
        return pair[0] * pair[1] + scale[0]

    x = np.arange(3, dtype=np.float32)
    assert fxn.compile(weighted)((x, x), [1.0])[0] == 1.0
    again = fxn.compile(weighted)
    assert again((x, x), [1.0])[0] == 1.0 and again.tracing_count == 0
    other = fxn.compile(weighted)
    np.testing.assert_array_equal(other((x, x), [5.0]), x * x + 5.0)  # another constant: another entry
    assert other.tracing_count == 1


HIGHER_ORDER = textwrap.dedent("""
    import sys
    import fxn

    MIXED = fxn.FunctionType(fxn.f64(fxn.f64, fxn.i32))
    F32 = fxn.FunctionType(fxn.f32(fxn.f32))

    @fxn.compile(dtype=fxn.f64)
    def apply_twice(f: MIXED, x: float, n: int):
        print("tracing apply_twice", file=sys.stderr)
        return f(f(x, n), n)

    @fxn.compile
    def chain(fs, x):
        print("tracing chain", file=sys.stderr)
        for f in fs:
            x = f(x)
        return x

    @fxn.compile
    def second(fs: tuple[F32, F32]):
        print("tracing second", file=sys.stderr)
        return fs[1]

    @fxn.compile(dtype=fxn.f64)
    def shifted(x: float, n: int) -> float:
        return x * n - 0.25

    @fxn.compile(dtype=fxn.f64)
    def scaled(x: float, n: int) -> float:
        return x * n * 2.0

    @fxn.compile
    def plus_one(x: float) -> float:
        return x + 1.0

    @fxn.compile
    def halved(x: float) -> float:
        return x / 2.0

    @fxn.compile
    def tripled(x: float) -> float:
        return x * 3.0

    if sys.argv[1] == "first":
        results = [apply_twice(shifted, 1.5, 3), chain((plus_one, halved), 3.0), second((plus_one, halved)) is halved]
    else:
        triple = lambda v: v * 3.0
        results = [apply_twice(lambda x, n: x * n + 0.5, 1.5, 3), apply_twice(scaled, 1.5, 3),
                   chain((halved, tripled), 3.0), chain((tripled, tripled), 3.0), second((halved, triple)) is triple]
    print(*results, apply_twice.tracing_count, chain.tracing_count, second.tracing_count)
""")


def test_a_function_taking_functions_is_cached_and_serves_other_functions_of_its_type(cache_dir, tmp_path):
    script = tmp_path / "higher_order.py"
    script.write_text(HIGHER_ORDER)
    first = subprocess.run([sys.executable, str(script), "first"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == [str((1.5 * 3 - 0.25) * 3 - 0.25), "2.0", "True", "1", "1", "1"]
    assert all(f"tracing {name}" in first.stderr for name in ("apply_twice", "chain", "second"))
    second = subprocess.run([sys.executable, str(script), "second"], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "tracing" not in second.stderr  # loaded from the cache, whatever functions are passed
    assert second.stdout.split() == [str((1.5 * 3 + 0.5) * 3 + 0.5), str(1.5 * 3 * 2.0 * 3 * 2.0), "4.5", "27.0",
                                     "True", "0", "0", "0"]


def test_a_function_parameter_whose_signature_the_trace_infers_is_not_cached(cache_dir):
    def twice(f, x: float):
        return f(f(x))

    first = fxn.compile(twice)
    assert first(lambda v: v * 3.0, 1.5) == 13.5
    entries(cache_dir)
    again = fxn.compile(twice)
    assert again(lambda v: v - 1.0, 1.5) == -0.5
    assert again.tracing_count == 1  # the lambda passed decided the signature, which no key can hold
