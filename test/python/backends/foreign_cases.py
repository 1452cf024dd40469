"""Predictors and inputs that every foreign target's tests run through its runner, against the reference interpreter.

Each :class:`Case` is one predictor (declared signature) with its inputs. A
target's tests lower every case once for the target, link them all into
one static executable (:meth:`fxn.static_runner.StaticRunner.executable`)
and compare each call's results with :func:`fxn.interpret` on the case's
optimized fxn IR, the definition of every op.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

import fxn
from fxn.backends.base import Program
from fxn.compiler import llvm_ir

RNG = np.random.default_rng(9)


def floats(shape, dtype=np.float32, low=-2.0, high=2.0):
    return RNG.uniform(low, high, shape).astype(dtype)


def integers(shape, dtype):
    info = np.iinfo(dtype)
    return RNG.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


@fxn.compile
def axpb(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
    return x * y + z


@fxn.compile
def fused(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
    from fxn.frontend import fma

    return fma(x, y, z)


@fxn.compile(fast_math=True)
def contracted(x: fxn.Tensor[fxn.f32, "N"], y: fxn.Tensor[fxn.f32, "N"], z: fxn.Tensor[fxn.f32, "N"]):
    return x * y + z  # fast_math: may round once (one FMA); not among CASES, whose results round as written


@fxn.compile
def scalar_fma(x: float, y: float, z: float) -> float:
    return x * y + z


@fxn.compile
def half(x: fxn.Tensor[fxn.f16, "N"], y: fxn.Tensor[fxn.f16, "N"]):
    return x * y + torch.exp(x) / 4


@fxn.compile
def int8_ops(x: fxn.Tensor[fxn.i8, 5, 7], y: fxn.Tensor[fxn.i8, 5, 7]):
    return x + y, torch.maximum(x, y) - x * y


@fxn.compile
def uint8_ops(x: fxn.Tensor[fxn.u8, "H", "W"], y: fxn.Tensor[fxn.u8, "H", "W"]):
    return torch.maximum(x, y) + 3, x > y


@fxn.compile
def logic(a: fxn.Tensor[fxn.bool_, "N"], b: fxn.Tensor[fxn.bool_, "N"]):
    return torch.logical_and(a, torch.logical_not(b)), torch.logical_or(a, b)


@fxn.compile
def wide(x: fxn.Tensor[fxn.f64, "N"], n: fxn.Tensor[fxn.i64, "N"], k: fxn.Tensor[fxn.i32, "N"]):
    return x * 2.5 - 1, n * 3 - 1, k * 7 + 1


@fxn.compile
def reductions(x: fxn.Tensor[fxn.f32, "R", 9]):
    return x.sum(1), torch.amax(x, 0), x.mean()


@fxn.compile
def matmul(a: fxn.Tensor[fxn.f32, "M", 16], b: fxn.Tensor[fxn.f32, 16, 12]):
    return a @ b


@fxn.compile
def softmax(x: fxn.Tensor[fxn.f32, 4, 10]):
    return torch.softmax(x, -1)


@fxn.compile
def conv(x: fxn.Tensor[fxn.f32, 1, 3, 9, 8], w: fxn.Tensor[fxn.f32, 4, 3, 3, 3], b: fxn.Tensor[fxn.f32, 4]):
    return F.conv2d(x, w, b, padding=1)


@fxn.compile
def resize(x: fxn.Tensor[fxn.f32, 1, 3, 5, 6]):
    return F.interpolate(x, size=(9, 4), mode="bilinear", align_corners=False)


@fxn.compile
def column_sums(x: fxn.Tensor[fxn.f32, "R", "C"]):
    return x.sum(0)


@dataclass
class Case:
    name: str  # the test's id
    predictor: object  # a CompiledFunction with a declared signature
    inputs: list


CASES = [
    Case("f32_dynamic", axpb, [floats(13), floats(13), floats(13)]),
    Case("f32_empty", axpb, [floats(0), floats(0), floats(0)]),
    Case("fma_op", fused, [floats(11), floats(11), floats(11)]),
    Case("scalar_0d", scalar_fma, [np.float32(3), np.float32(-1), np.float32(2)]),
    Case("f16", half, [floats(10, np.float16), floats(10, np.float16)]),
    Case("i8_two_results", int8_ops, [integers((5, 7), np.int8), integers((5, 7), np.int8)]),
    Case("ui8_and_i1_results", uint8_ops, [integers((3, 17), np.uint8), integers((3, 17), np.uint8)]),
    Case("i1", logic, [RNG.random(19) < 0.5, RNG.random(19) < 0.5]),
    Case("f64_i64_i32", wide, [floats(6, np.float64), integers(6, np.int32).astype(np.int64),
                               integers(6, np.int16).astype(np.int32)]),
    Case("reductions", reductions, [floats((6, 9))]),
    Case("matmul", matmul, [floats((5, 16)), floats((16, 12))]),
    Case("softmax", softmax, [floats((4, 10), low=-8, high=8)]),
    Case("conv2d", conv, [floats((1, 3, 9, 8)), floats((4, 3, 3, 3)), floats(4)]),
    Case("resize_bilinear", resize, [floats((1, 3, 5, 6))]),
    Case("reduce_dynamic", column_sums, [floats((7, 3))]),
]


@dataclass
class LoweredCase:
    case: Case
    program: Program
    entry: str
    reference_ir: str  # the optimized fxn IR the reference interpreter runs


def lower_program(predictor, target) -> tuple[Program, str, str]:
    """``predictor`` lowered for ``target`` (its declared signature): the Program, its entry, its optimized fxn IR."""
    stages: dict = {}
    lowered = predictor.lower(predictor.declared_types(), target, stages)
    program = Program(llvm_ir(lowered.module),
                      {lowered.entry: (lowered.arg_types, lowered.result_types)})
    return program, lowered.entry, stages["optimized"]


def lower_cases(target, cases=CASES) -> list[LoweredCase]:
    """Each distinct predictor of ``cases`` lowered once for ``target``, as one Program each."""
    programs = {}
    for case in cases:
        if case.predictor not in programs:
            programs[case.predictor] = lower_program(case.predictor, target)
    return [LoweredCase(case, *programs[case.predictor]) for case in cases]


def distinct_programs(lowered_cases: list[LoweredCase]) -> list[Program]:
    programs = []
    for lowered in lowered_cases:
        if all(lowered.program is not p for p in programs):
            programs.append(lowered.program)
    return programs


#: Tolerances against the interpreter: f16 and transcendentals (fxn's own expansions) are not bit-exact.
TOLERANCE = {"float16": dict(rtol=2e-3, atol=2e-3), "float32": dict(rtol=2e-5, atol=2e-6),
             "float64": dict(rtol=1e-12, atol=1e-12)}


def assert_matches_interpreter(lowered: LoweredCase, results: list) -> None:
    expected = fxn.interpret(lowered.reference_ir, *lowered.case.inputs, entry=lowered.entry)
    expected = list(expected) if isinstance(expected, tuple) else [expected]
    assert len(results) == len(expected)
    for actual, wanted in zip(results, expected):
        wanted = np.asarray(wanted)
        assert actual.dtype == wanted.dtype and actual.shape == wanted.shape, (actual, wanted)
        tolerance = TOLERANCE.get(actual.dtype.name)
        if tolerance is None:
            np.testing.assert_array_equal(actual, wanted)
        else:
            np.testing.assert_allclose(actual, wanted, **tolerance)
