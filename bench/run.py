"""Run every peer of every section, each in a process of its own, and print one table of ratios per section.

The peers of a section run at once, and each case is timed on all of them
in turn, batch by batch, so that the load of the machine weighs on every
peer alike; a time is the median of the batches.

A ratio is fxn's time divided by the peer's: below 1 fxn is faster. Values
that disagree between peers (a wrong result would make any time meaningless)
are flagged under the table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bench import cold_start, function_pointers, workloads
from bench.timing import ALL_CORES, ONE_THREAD, SLOW_CALL_SECONDS, SLOW_REPEATS, THREADS_VARIABLE

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Section:
    """One table: the peers measured, how rows are formed from their results, and the targets."""

    letter: str
    title: str
    peers: tuple[str, ...]
    render: Callable[["Results"], tuple[list[str], list[list[str]], list[str]]]
    #: The peer whose results the others' are checked against, and the relative difference allowed
    #: (the peers compute in f32 or f64, with or without FMA contraction).
    reference: str
    tolerance: float
    #: Measures the section itself instead of timing the peers' calls: ``measure(repeats)`` gives
    #: (peer -> case -> record, notes).
    measure: Callable | None = None


@dataclass
class Results:
    """Per peer, the measurements of one section (case -> record), and the notes the peers gave."""

    by_peer: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def seconds(self, peer: str, case: str) -> float | None:
        return self.by_peer.get(peer, {}).get(case, {}).get("seconds")

    def cell(self, peer: str, case: str) -> str:
        record = self.by_peer.get(peer, {}).get(case)
        if record is None:
            return "-"
        return record["skip"] if "skip" in record else format_seconds(record["seconds"])


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None:
        return "n/a"
    return f"{numerator / denominator:.2f}x"


def verdict(value: float | None, limit: float, what: str) -> str:
    if value is None:
        return f"{what}: not measured"
    return f"{what}: {value:.2f}x (target <= {limit}x) {'met' if value <= limit else 'MISSED'}"


def speedup_verdict(results: "Results", case: str) -> str:
    """Whether fxn on every core runs ``case`` at least :data:`SPEEDUP_TARGET` times as fast as on one thread."""
    what = f"{case}, fxn on all cores vs one thread"
    gain = speedup(results, "fxn", case)
    if gain is None:
        return f"{what}: not measured"
    return f"{what}: {gain:.2f}x (target >= {SPEEDUP_TARGET}x) {'met' if gain >= SPEEDUP_TARGET else 'MISSED'}"


# ----------------------------------------------------------------------------
# Sections.


def render_loops(results: Results):
    peers = ("fxn", "c", "numba", "cpython")
    header = ["case", "fxn", "C clang -O3", "numba fastmath", "CPython", "fxn/C", "fxn/numba", "fxn/CPython"]
    rows, targets = [], []
    for case, kernel, _ in workloads.loop_cases():
        fxn = results.seconds("fxn", case)
        rows.append([case, *(results.cell(p, case) for p in peers),
                     *(ratio(fxn, results.seconds(p, case)) for p in peers[1:])])
        if kernel == "chain":
            c = results.seconds("c", case)
            targets.append(verdict(fxn / c if fxn and c else None, 1.1, f"{case} vs C"))
    targets.append("'as written' has a loop-invariant body: C, numba and fxn (LLVM) hoist it, so it measures the call")
    return header, rows, targets


def gigabytes_per_second(seconds: float | None, n: int, bytes_per_element: int) -> str:
    return "n/a" if not seconds else f"{n * bytes_per_element / seconds / 1e9:.1f}"


def render_arrays(results: Results):
    peers = (("fxn", ""), ("fxn", "fxn out= "), ("numpy", "numpy "), ("numpy", "numpy out= "), ("numba", ""), ("c", ""))
    header = ["n", "fxn", "fxn out=", "numpy", "numpy out=", "numba", "C clang -O3", "fxn GB/s", "fxn out= GB/s",
              "best peer GB/s", "np.copyto GB/s", "fxn/best", "fxn out=/best", "fxn/numba"]
    rows, targets = [], []
    per_element = workloads.ARRAY_BYTES_PER_ELEMENT
    for case, n in workloads.array_cases():
        times = {prefix or peer: results.seconds(peer, prefix + case) for peer, prefix in peers}
        fxn, fxn_out, numba = times["fxn"], times["fxn out= "], times["numba"]
        peer_times = [t for key, t in times.items() if not key.startswith("fxn") and t]
        best = min(peer_times) if peer_times else None
        copy = results.seconds("numpy", f"copyto {case}")
        rows.append([case, *(results.cell(peer, prefix + case) for peer, prefix in peers),
                     gigabytes_per_second(fxn, n, per_element), gigabytes_per_second(fxn_out, n, per_element),
                     gigabytes_per_second(best, n, per_element),
                     gigabytes_per_second(copy, n, workloads.COPY_BYTES_PER_ELEMENT),
                     ratio(fxn, best), ratio(fxn_out, best), ratio(fxn, numba)])
        if n == max(workloads.ARRAY_SIZES):
            targets.append(verdict(fxn_out / best if fxn_out and best else None, 1.1,
                                   f"{case}, fxn out= vs the best single-threaded peer"))
        if n == min(workloads.ARRAY_SIZES):
            targets.append(verdict(fxn / numba if fxn and numba else None, 1.5, f"{case}, fxn vs numba"))
    targets.append("C is timed inside C (no call overhead); C, numpy out= and fxn out= write a preallocated output, "
                   "fxn, numpy and numba allocate theirs")
    targets.append("fxn out= is called through fxn's Python path (keyword arguments leave its CPython entry): "
                   "a fixed cost of microseconds per call")
    return header, rows, targets


def render_overhead(results: Results):
    peers = ("fxn", "numba", "c")
    header = ["function", "fxn", "numba", "ctypes", "fxn/numba", "fxn/ctypes"]
    rows, targets = [], []
    for case in ("2 scalars", "4 arrays"):
        fxn, numba = results.seconds("fxn", case), results.seconds("numba", case)
        rows.append([case, *(results.cell(p, case) for p in peers),
                     ratio(fxn, numba), ratio(fxn, results.seconds("c", case))])
        targets.append(verdict(fxn / numba if fxn and numba else None, 2.0, f"{case} vs numba"))
    targets.append(f"'4 arrays' is a*b + c*d on {workloads.OVERHEAD_ARRAY_SIZE}-element f32 arrays; "
                   "ctypes passes array.ctypes.data and writes a preallocated output")
    return header, rows, targets


def speedup(results: Results, peer: str, case: str) -> float | None:
    """How many times faster ``peer`` runs ``case`` on every core than on one thread."""
    one, every = results.seconds(peer, case), results.seconds(peer + ALL_CORES, case)
    return one / every if one and every else None


def times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


#: With every core (2 on the machine the issue measured on), fxn at least this many times its one-thread speed.
SPEEDUP_TARGET = 1.7


def cores_note() -> str:
    return (f"'all cores': every peer on the {len(os.sched_getaffinity(0))} cores of this machine "
            f"(fxn's default threads, torch's intra-op threads, numpy's BLAS threads); speedup = one thread / all")


def render_preprocess(results: Results):
    peers = ("fxn", "torch", "numba", "fxn" + ALL_CORES, "torch" + ALL_CORES)
    header = ["image", "fxn", "torch eager (1 thread)", "numba", "fxn all cores", "torch all cores", "fxn/torch",
              "fxn/numba", "fxn/torch all cores", "fxn speedup"]
    rows, targets = [], []
    for case, shape in workloads.image_cases():
        fxn, torch = results.seconds("fxn", case), results.seconds("torch", case)
        rows.append([case, *(results.cell(p, case) for p in peers), ratio(fxn, torch),
                     ratio(fxn, results.seconds("numba", case)),
                     ratio(results.seconds(peers[3], case), results.seconds(peers[4], case)),
                     times(speedup(results, "fxn", case))])
        targets.append(verdict(fxn / torch if fxn and torch else None, 1.0, f"{case} vs torch"))
        if shape == max(workloads.IMAGE_SHAPES):
            targets.append(speedup_verdict(results, case))
    targets.append(cores_note())
    return header, rows, targets


def render_python_loops(results: Results):
    peers = ("fxn", "numba", "c", "cpython")
    header = ["case", "fxn", "numba", "C clang -O3", "CPython", "fxn/numba", "fxn/C", "fxn/CPython", "numba/C"]
    rows, targets = [], []
    for case, kernel, args in workloads.python_loop_cases():
        fxn, numba = results.seconds("fxn", case), results.seconds("numba", case)
        rows.append([case, *(results.cell(p, case) for p in peers), ratio(fxn, numba),
                     *(ratio(fxn, results.seconds(p, case)) for p in peers[2:]),
                     ratio(numba, results.seconds("c", case))])
        if kernel != "mandelbrot" or args[:2] == workloads.MANDELBROT_LARGE:  # the small grid is CPython's
            targets.append(verdict(fxn / numba if fxn and numba else None, 1.2, f"{case}, fxn within 1.2x of numba"))
    targets.append(f"Mandelbrot: at most {workloads.MANDELBROT_MAX_ITER} iterations a pixel, int32 counts; "
                   "the stencil reads float64 (uniform in [0, 1)); every kernel allocates its result, C's with malloc")
    targets.append("no FMA contraction anywhere (plain numba.njit, plain fxn.compile, C with FP_CONTRACT OFF), "
                   "so that the escape counts agree exactly; results are checked element by element")
    return header, rows, targets


def gigaflops(seconds: float | None, flops: int | None) -> str:
    return "-" if not seconds or not flops else f"{flops / seconds / 1e9:.0f}"


#: The peers of section (f) that also run on every core (numba's kernels are serial loops).
HEAVY_ALL_CORES = ("fxn", "numpy", "torch", "inductor")


def render_heavy_ops(results: Results):
    peers = ("fxn", "numpy", "numba", "torch", "inductor")
    header = ["case", "fxn", "numpy", "numba", "torch eager", "torch.compile", "fxn/best", "fxn/torch",
              "fxn/inductor", "fxn GFLOP/s", "best GFLOP/s", "fxn all cores", "best all cores", "fxn/best all cores",
              "fxn speedup"]
    rows, targets = [], []
    for case, kernel, shapes in workloads.HEAVY_CASES:
        fxn = results.seconds("fxn", case)
        peer_times = [t for t in (results.seconds(p, case) for p in peers[1:]) if t]
        best = min(peer_times) if peer_times else None
        flops = workloads.HEAVY_FLOPS[kernel](*shapes) if kernel in workloads.HEAVY_FLOPS else None
        torch = results.seconds("torch", case)
        every = [t for t in (results.seconds(p + ALL_CORES, case) for p in HEAVY_ALL_CORES[1:]) if t]
        fxn_every, best_every = results.seconds("fxn" + ALL_CORES, case), min(every) if every else None
        rows.append([case, *(results.cell(p, case) for p in peers), ratio(fxn, best), ratio(fxn, torch),
                     ratio(fxn, results.seconds("inductor", case)), gigaflops(fxn, flops), gigaflops(best, flops),
                     results.cell("fxn" + ALL_CORES, case), format_seconds(best_every) if best_every else "-",
                     ratio(fxn_every, best_every), times(speedup(results, "fxn", case))])
        if case.startswith("matmul 1024"):
            targets.append(speedup_verdict(results, case))
        if kernel in ("sum", "mean_rows", "softmax", "layer_norm"):
            targets.append(verdict(fxn / best if fxn and best else None, 1.2, f"{case} vs the best peer"))
        elif case.startswith("matmul 1024"):
            numpy = results.seconds("numpy", case)
            targets.append(verdict(fxn / numpy if fxn and numpy else None, 1.5, f"{case} vs numpy's BLAS"))
        elif kernel in ("conv_stride2", "conv", "depthwise"):
            targets.append(verdict(fxn / torch if fxn and torch else None, 1.5, f"{case} vs torch (oneDNN)"))
    peak = results.seconds("c", workloads.PEAK_CASE)
    targets.append(f"peak of this CPU, one core: {gigaflops(peak, workloads.PEAK_FLOPS_PER_CALL)} GFLOP/s "
                   "(bench/c/peak.c: independent vector FMA chains)")
    targets.append("the single-thread columns run every peer on one thread; numba compiles its loops with fastmath; "
                   "inputs are f32")
    targets.append(cores_note())
    return header, rows, targets


def render_networks(results: Results):
    one = ("fxn", "torch", "inductor")
    peers = one + tuple(p + ALL_CORES for p in one)
    header = ["network", "fxn", "torch eager", "torch.compile", "fxn all cores", "torch eager all cores",
              "torch.compile all cores", "fxn/torch", "fxn/inductor", "fxn/torch all cores", "fxn/inductor all cores",
              "fxn speedup"]
    rows, targets = [], []
    for case, kernel in workloads.NETWORK_CASES:
        fxn, torch, inductor, *every = (results.seconds(p, case) for p in peers)
        rows.append([case, *(results.cell(p, case) for p in peers), ratio(fxn, torch), ratio(fxn, inductor),
                     ratio(every[0], every[1]), ratio(every[0], every[2]), times(speedup(results, "fxn", case))])
        if kernel != "classify":
            targets.append(verdict(fxn / torch if fxn and torch else None, 1.0, f"{case} vs torch eager"))
            targets.append(verdict(fxn / inductor if fxn and inductor else None, 1.3, f"{case} vs torch.compile"))
            targets.append(speedup_verdict(results, case))
    targets.append("examples/cnn.py: random weights, eval mode, f32")
    targets.append(cores_note())
    return header, rows, targets


def render_cold_start(results: Results):
    """One row per measurement; fxn and numba side by side, fxn's targets checked."""
    header = ["", "fxn", "numba", "fxn / numba"]
    rows = [[case, results.cell("fxn", case), results.cell("numba", case),
             ratio(results.seconds("fxn", case), results.seconds("numba", case))] for case in cold_start.TARGETS]
    targets = []
    for case, limit in cold_start.TARGETS.items():
        seconds = results.seconds("fxn", case)
        if seconds is not None:
            targets.append(f"{case}: {format_seconds(seconds)} (target <= {format_seconds(limit)}) "
                           f"{'met' if seconds <= limit else 'MISSED'}")
    return header, rows, targets


def render_function_pointers(results: Results):
    """Per callee: one call direct (inlined) and through a function pointer, their ratio against the target; and
    a whole call of the higher-order function from Python."""
    header = ["", "direct", "through a pointer", "pointer / direct"]
    rows, targets = [], []
    for callee in function_pointers.CALLEES:
        direct = results.seconds("fxn", f"{callee}: direct")
        through = results.seconds("fxn", f"{callee}: through a pointer")
        rows.append([callee, results.cell("fxn", f"{callee}: direct"),
                     results.cell("fxn", f"{callee}: through a pointer"), ratio(through, direct)])
        value = None if through is None or direct is None else through / direct
        targets.append(verdict(value, function_pointers.TARGET, f"{callee}, a call through a pointer vs a direct call"))
    rows.append([function_pointers.PYTHON_CALL, "", results.cell("fxn", function_pointers.PYTHON_CALL), ""])
    return header, rows, targets


SECTIONS = {
    "a": Section("a", "(a) looped scalar fma, time per call", ("fxn", "c", "numba", "cpython"), render_loops, "c", 1e-3),
    "b": Section("b", "(b) array x*y + z on f32, time per call", ("fxn", "numpy", "numba", "c"), render_arrays, "c", 1e-4),
    "c": Section("c", "(c) per-call overhead of a tiny function", ("fxn", "numba", "c"), render_overhead, "c", 1e-5),
    "d": Section("d", "(d) preprocessing: bilinear resize to 224x224 + normalize, f32 CHW",
                 ("fxn", "torch", "numba", "fxn" + ALL_CORES, "torch" + ALL_CORES), render_preprocess, "torch", 1e-4),
    "e": Section("e", "(e) python loops: Mandelbrot escape counts and a 3-point stencil, as a new user writes them",
                 ("fxn", "numba", "c", "cpython"), render_python_loops, "c", 1e-12),
    "f": Section("f", "(f) heavy ops: reductions, softmax, layer_norm, matmul and conv2d on f32, one thread and all cores",
                 ("fxn", "numpy", "numba", "torch", "inductor", "c", *(p + ALL_CORES for p in HEAVY_ALL_CORES)),
                 render_heavy_ops, "torch", 1e-3),
    "g": Section("g", "(g) networks: the CNNs of examples/cnn.py, one image, one thread and all cores",
                 ("fxn", "torch", "inductor", *(p + ALL_CORES for p in ("fxn", "torch", "inductor"))),
                 render_networks, "torch", 1e-3),
    "h": Section("h", "(h) cold start: fresh processes, time to import and to the first result of the scalar fma",
                 tuple(cold_start.PROGRAMS), render_cold_start, "fxn", 0.0, cold_start.measure),
    "i": Section("i", "(i) function values: a call through a function pointer beside a direct call, per call",
                 ("fxn",), render_function_pointers, "fxn", 0.0, function_pointers.measure),
}


# ----------------------------------------------------------------------------
# Running the peers.


class PeerFailed(RuntimeError):
    """A peer's process died or answered nonsense; its message is the last line it wrote to stderr."""


class PeerProcess:
    """A peer's process, serving timing requests for the cases of one section (see bench/peer.py)."""

    def __init__(self, peer: str, section: str):
        environment = {key: value for key, value in os.environ.items() if key not in ONE_THREAD}
        if peer.endswith(ALL_CORES):
            environment[THREADS_VARIABLE] = "all"
        else:
            environment.update(ONE_THREAD, **{THREADS_VARIABLE: "1"})
        self.name = peer
        self.failure: str | None = None
        self.stderr = tempfile.TemporaryFile("w+")  # a pipe could fill up and block the peer
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.peer", peer, section], cwd=ROOT, env=environment,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
        )
        hello = self._read()
        self.cases, self.notes = hello["cases"], hello["notes"]

    def runs(self, case: str) -> bool:
        return self.failure is None and case in self.cases and self.cases[case] is None

    def request(self, **request) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.stderr.seek(0)
            self.failure = (self.stderr.read().strip().splitlines() or ["no output"])[-1]
            raise PeerFailed(f"{self.name} failed: {self.failure}")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.stderr.close()


def measure_case(peers: list[PeerProcess], case: str, repeats: int) -> dict[str, dict]:
    """Per peer, the median seconds per call of ``case`` and its result, the peers' batches interleaved."""
    counts, samples = {}, {}
    for peer in peers:
        calibration = peer.request(calibrate=case)
        counts[peer.name] = calibration["count"]
        samples[peer.name] = [calibration["sample"]] if calibration["sample"] is not None else []
    for _ in range(repeats):
        for peer in peers:
            taken = samples[peer.name]
            slow = taken and min(taken) >= SLOW_CALL_SECONDS
            if len(taken) < (SLOW_REPEATS if slow else repeats):
                taken.append(peer.request(batch=case, count=counts[peer.name])["seconds"])
    return {
        peer.name: {"seconds": statistics.median(samples[peer.name]), "value": peer.request(result=case)["value"]}
        for peer in peers
    }


def run_section(section: Section, repeats: int) -> tuple[Section, Results]:
    """Start every peer of the section, then time each case on all of them side by side.

    A peer that fails is reported under the table and left out of the cases
    that follow; the others carry on.
    """
    results, peers = Results(), []
    if section.measure is not None:
        results.by_peer, results.notes = section.measure(repeats)
        return section, results
    for name in section.peers:
        try:
            peers.append(PeerProcess(name, section.letter))
        except PeerFailed as error:
            results.notes.append(f"({section.letter}) {error}")
    for peer in peers:
        results.notes += peer.notes
        results.by_peer[peer.name] = {case: record for case, record in peer.cases.items() if record}
    cases = list(dict.fromkeys(case for peer in peers for case, record in peer.cases.items() if record is None))
    for case in cases:
        started = time.perf_counter()
        while True:
            try:
                for name, record in measure_case([p for p in peers if p.runs(case)], case, repeats).items():
                    results.by_peer[name][case] = record
                break
            except PeerFailed as error:  # measure the case again without the failed peer
                results.notes.append(f"({section.letter}) {error}")
        print(f"  ({section.letter}) {case:<28} {time.perf_counter() - started:6.1f} s", file=sys.stderr, flush=True)
    for peer in peers:
        peer.close()
    return section, results


#: Case-name prefixes of peers' variants of a shared case (section b), with the variant's name (None: the peer's).
VARIANTS = {"numpy out= ": "numpy out=", "fxn out= ": "fxn out=", "numpy ": None}


def _case_values(results: Results) -> dict[str, dict[str, float]]:
    """case -> peer (or variant) -> result checksum; numpy's and fxn's variants share their case with the other peers."""
    values: dict[str, dict[str, float]] = {}
    for peer, records in results.by_peer.items():
        for case, record in records.items():
            if "value" in record:
                prefix = next((prefix for prefix in VARIANTS if case.startswith(prefix)), "")
                variant = VARIANTS.get(prefix) or peer
                values.setdefault(case.removeprefix(prefix), {})[variant] = record["value"]
    return values


def disagreements(results: Results, reference: str, tolerance: float) -> list[str]:
    """Cases where a peer's result differs from the reference peer's by more than ``tolerance`` (relative)."""
    found = []
    for case, by_peer in _case_values(results).items():
        if reference not in by_peer:
            continue
        expected = by_peer[reference]
        for peer, value in by_peer.items():
            if not math.isclose(value, expected, rel_tol=tolerance, abs_tol=tolerance):
                found.append(f"RESULT DIFFERS: {case}: {peer} gives {value:.7g}, {reference} {expected:.7g}")
    return found


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def print_section(section: Section, results: Results) -> None:
    header, rows, targets = section.render(results)
    print(f"\n{section.title}\n")
    print(format_table(header, rows))
    for line in targets + results.notes + disagreements(results, section.reference, section.tolerance):
        print(f"  * {line}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="".join(SECTIONS),
                        help=f"which sections to run, e.g. 'ab' (default: {''.join(SECTIONS)})")
    parser.add_argument("--repeats", type=int, default=7, help="timed batches per case; the median is shown")
    args = parser.parse_args(argv)
    print(f"fxn benchmarks: medians of {args.repeats} batches per case; ratios are fxn time / peer time", flush=True)
    for letter in args.sections:
        print_section(*run_section(SECTIONS[letter], args.repeats))
    return 0
