"""Conformance cases of the elementwise ops.

Every op on every dtype it takes, on a (5, 17) by (17,) broadcast with a
dynamic dim (variant ``"main"``); then the shapes of :data:`UNARY_SHAPES`,
:data:`BINARY_SHAPES` or :data:`TERNARY_SHAPES` (broadcasting both ways,
0-d, size-0 and size-1 dims, dynamic dims), one each, the dtypes taking
turns. Exact ops are compared bit for bit, with ties (equal operands, ±0
against ±0, NaN against NaN) and special values among the inputs; the
transcendentals within their stated ulps over their interesting ranges;
casts between every pair of element types, with the values whose f64 -> f16
conversion would round twice through f32. Division and remainders bit for bit
with integer divisors 0 and -1 against MIN and MAX, float ones infinite and
zero, and floats over their whole exponent range (variant ``"wide"``);
rounding with halves; shifts with counts out of range.
"""

from __future__ import annotations

import functools

import numpy as np

from fxn.dialects import elementwise as ew
from fxn.dialects.types import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NUMERIC_DTYPES, NUMPY_DTYPES, UNSIGNED_DTYPES

from .case import EXACT, ULPS, Case, among, special_array

#: Shapes by name: (input shapes, per input the axes declared dynamic).
UNARY_SHAPES = {
    "matrix": (((2, 7),), ()),
    "scalar": (((),), ()),
    "empty": (((0,),), ()),
    "size_1": (((1,),), ()),
    "dynamic": (((4, 3),), ((0,),)),
}
BINARY_SHAPES = {
    "broadcast_both": (((2, 1, 7), (3, 1)), ()),
    "scalar_lhs": (((), (2, 7)), ()),
    "empty": (((0, 3), (1, 3)), ()),
    "scalars": (((), ()), ()),
    "dynamic_rows": (((3, 5), (5,)), ((0,), ())),
    "all_dynamic": (((2, 3), (2, 3)), ((0, 1), (0, 1))),
    "dynamic_size_1": (((1, 4), (3, 1)), ((1,), ())),
}
TERNARY_SHAPES = {
    "broadcast": (((2, 1), (3,), ()), ()),
    "same": (((7,), (7,), (7,)), ()),
    "scalars": (((), (), ()), ()),
    "empty": (((0, 1), (1, 4), (4,)), ()),
    "dynamic_rows": (((3, 4), (4,), ()), ((0,), (), ())),
}
#: The shape every dtype runs on: the broadcasting is shared, the scalar bodies differ.
MAIN_SHAPES = {1: (((5, 17),), ((0,),)), 2: (((5, 17), (17,)), ((0,), ())), 3: (((5, 17), (17,), ()), ((0,), (), ()))}
SHAPES = {1: UNARY_SHAPES, 2: BINARY_SHAPES, 3: TERNARY_SHAPES}


def _name(op) -> str:
    return op.OPERATION_NAME.removeprefix("fxn.")


def _case(rng, op, dtypes, shape, compare, variant, **attrs) -> Case:
    shapes, dynamic = shape
    return Case(op, [special_array(rng, d, s) for d, s in zip(dtypes, shapes)], attrs, dynamic,
                compare=compare, variant=variant)


def with_ties(case: Case) -> Case:
    """``case`` (a (5, 17) and a (17,) operand) with equal operands, and for floats ±0 against ±0 and NaN against NaN."""
    lhs, rhs = case.inputs
    rhs[:6] = lhs[0, :6]
    if lhs.dtype.kind == "f":
        lhs[1, 6:11] = [0.0, -0.0, 0.0, -0.0, np.nan]
        rhs[6:11] = [-0.0, 0.0, 0.0, -0.0, np.nan]
    return case


def no_attrs(dtype: str) -> list[tuple[str, dict]]:
    return [("", {})]


def main_cases(rng, op, dtypes, arity: int, operand_dtypes=None, compare=EXACT, ties=False,
               attr_sets=no_attrs) -> dict[str, Case]:
    """``op`` on every dtype and attribute set, on the main shape of its arity.

    ``operand_dtypes(dtype)`` gives the operands' dtypes (default: all
    ``dtype``); ``attr_sets(dtype)`` the ``(label, attrs)`` pairs to run
    with, the label naming the case and its variant.
    """
    operand_dtypes = operand_dtypes or (lambda dtype: [dtype] * arity)
    cases = {}
    for dtype in dtypes:
        for label, attrs in attr_sets(dtype):
            case = _case(rng, op, operand_dtypes(dtype), MAIN_SHAPES[arity], compare, ("main", label), **attrs)
            cases["_".join(filter(None, [_name(op), label, dtype]))] = with_ties(case) if ties else case
    return cases


def shape_cases(rng, op, dtypes, arity: int, operand_dtypes=None, compare=EXACT, attr_sets=no_attrs
                ) -> dict[str, Case]:
    """``op`` once on each shape of its arity, the dtypes (and attribute sets) taking turns."""
    operand_dtypes = operand_dtypes or (lambda dtype: [dtype] * arity)
    cases = {}
    for i, (shape_name, shape) in enumerate(SHAPES[arity].items()):
        dtype = dtypes[i % len(dtypes)]
        choices = attr_sets(dtype)
        label, attrs = choices[i % len(choices)]
        cases[f"{_name(op)}_{shape_name}_{dtype}"] = _case(rng, op, operand_dtypes(dtype), shape, compare,
                                                           (shape_name, label), **attrs)
    return cases


def elementwise_cases(rng, supported=ALL_DTYPES, *, op, dtypes, arity: int, operand_dtypes=None, compare=EXACT,
                      ties=False, attr_sets=no_attrs) -> dict[str, Case]:
    """:func:`main_cases` and :func:`shape_cases` of ``op`` on the ``dtypes`` among ``supported``."""
    dtypes = among(dtypes, supported)
    if not dtypes:
        return {}
    return {**main_cases(rng, op, dtypes, arity, operand_dtypes, compare, ties, attr_sets),
            **shape_cases(rng, op, dtypes, arity, operand_dtypes, compare, attr_sets)}


# ----------------------------------------------------------------------------- exact ops

#: Binary and unary ops defined exactly, with the dtypes each takes (sqrt and rsqrt round each step as IEEE says).
BINARY_OPS = {ew.AddOp: NUMERIC_DTYPES, ew.SubOp: NUMERIC_DTYPES, ew.MulOp: NUMERIC_DTYPES,
              ew.MaxOp: NUMERIC_DTYPES, ew.MinOp: NUMERIC_DTYPES, ew.DivOp: FLOAT_DTYPES}
UNARY_OPS = {ew.NegOp: NUMERIC_DTYPES, ew.AbsOp: NUMERIC_DTYPES, ew.ReluOp: NUMERIC_DTYPES,
             ew.SqrtOp: FLOAT_DTYPES, ew.RsqrtOp: FLOAT_DTYPES}
CLAMP_BOUNDS = {
    "float": [dict(min=-1.5, max=2.5), dict(min=0.0), dict(max=-0.0), dict(min=0.1, max=0.1), dict(min=-1e10, max=1e10)],
    "int": [dict(min=-7.0, max=20.0), dict(min=0.0), dict(max=-1.0)],
    "unsigned": [dict(min=7.0, max=200.0), dict(min=128.0), dict(max=127.0)],
}
#: f16 ``x * y + z`` whose exact value, rounded to f32 first, would then round the wrong way to f16.
F16_FMA_DOUBLE_ROUNDING = [
    (1.4609375, 0.1390380859375, 35.875),
    (5.45703125, 2.86328125, 318.5),
    (-0.278076171875, 0.365234375, 18.53125),
    (-0.407958984375, 0.1962890625, 5.42578125),
    (26.203125, 0.60107421875, 943.5),
    (-0.06634521484375, 45.21875, 3582.0),
]


def clamp_bounds(dtype: str) -> list[tuple[str, dict]]:
    """The bounds for ``dtype``'s kind (float, signed, unsigned): both, one, equal, beyond the values."""
    kind = "float" if dtype in FLOAT_DTYPES else "unsigned" if dtype in UNSIGNED_DTYPES else "int"
    return [(f"bounds{i}", attrs) for i, attrs in enumerate(CLAMP_BOUNDS[kind])]


def clamp_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    return elementwise_cases(rng, supported, op=ew.ClampOp, dtypes=NUMERIC_DTYPES, arity=1, attr_sets=clamp_bounds)


def fma_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    """Every float dtype and shape, and f16 operands whose exact result must be rounded once."""
    cases = elementwise_cases(rng, supported, op=ew.FmaOp, dtypes=FLOAT_DTYPES, arity=3)
    if "f16" in supported:
        x, y, z = (np.array(column, np.float16) for column in zip(*F16_FMA_DOUBLE_ROUNDING))
        cases["fma_f16_double_rounding"] = Case(ew.FmaOp, [x, y, z], compare=EXACT, variant=("double_rounding",))
    return cases


def predicates(dtype: str) -> list[tuple[str, dict]]:
    return [(p, dict(predicate=p)) for p in ("eq", "ne", "lt", "le", "gt", "ge")]


def compare_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    return elementwise_cases(rng, supported, op=ew.CompareOp, dtypes=ALL_DTYPES, arity=2, ties=True,
                             attr_sets=predicates)


def select_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    return elementwise_cases(rng, supported, op=ew.SelectOp, dtypes=ALL_DTYPES, arity=3,
                             operand_dtypes=lambda dtype: ["i1", dtype, dtype])


# ----------------------------------------------------------------------------- division, rounding, bits

#: Division with rounding and remainders: every numeric dtype, exact.
DIVISION_OPS = (ew.FloorDivOp, ew.RemainderOp, ew.FmodOp)
#: Rounding to integral values (floats) and sign (numeric), exact.
ROUNDING_OPS = {ew.FloorOp: FLOAT_DTYPES, ew.CeilOp: FLOAT_DTYPES, ew.RoundOp: FLOAT_DTYPES, ew.TruncOp: FLOAT_DTYPES,
                ew.SignOp: NUMERIC_DTYPES}
#: Bitwise logic (integers and i1) and shifts (integers), exact.
BITWISE_OPS = {ew.BitwiseAndOp: 2, ew.BitwiseOrOp: 2, ew.BitwiseXorOp: 2, ew.BitwiseNotOp: 1}
SHIFT_OPS = (ew.ShiftLeftOp, ew.ShiftRightOp)
#: Floats a rounding op must get right: halves (to even), just off halves, signed zeros, huge and tiny values.
ROUNDING_FLOATS = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, -0.50000006, -0.0, 0.0, -0.3, 2.0**23 + 1, -(2.0**52) - 1,
                   1e-40, -1e-40, np.inf, -np.inf, np.nan, 1e300, 1023.5]


def _set_leading(array: np.ndarray, values) -> None:
    """Overwrite the first elements of ``array`` (row-major) with ``values`` (as many as fit)."""
    flat = array.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        flat[: len(values)] = np.asarray(values[: flat.size]).astype(array.dtype)


def wide_floats(rng, dtype: str, size: int) -> np.ndarray:
    """Floats of either sign spread over the whole exponent range of ``dtype``, subnormals included."""
    info = np.finfo(NUMPY_DTYPES[dtype])
    exponents = rng.uniform(np.log2(float(info.smallest_subnormal)), np.log2(float(info.max)), size)
    with np.errstate(over="ignore", under="ignore"):
        return (rng.choice([-1.0, 1.0], size) * rng.uniform(1, 2, size) * np.exp2(exponents)).astype(NUMPY_DTYPES[dtype])


def division_cases(rng, supported=ALL_DTYPES, *, op) -> dict[str, Case]:
    """Every numeric dtype and shape; integer divisors 0, -1 and 1 against MIN and MAX; floats over the whole range."""
    cases = elementwise_cases(rng, supported, op=op, dtypes=NUMERIC_DTYPES, arity=2, ties=True)
    for case in cases.values():
        lhs, rhs = case.inputs
        if "main" not in case.variant:
            continue
        if lhs.dtype.kind in "iu":
            limits = np.iinfo(lhs.dtype)
            _set_leading(rhs, [0, 0, 0, 1, 1, 1, max(limits.min, -1), max(limits.min, -1), max(limits.min, -1), 7, 7])
            _set_leading(lhs, [limits.min, 0, limits.max, limits.min, -5, limits.max, limits.min, 5, limits.max, -7, 13])
        else:
            _set_leading(rhs, [np.inf, -np.inf, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0])
            _set_leading(lhs, [-1.0, -1.0, 1.0, 1.0, 2.0, 2.0, -1e-30, 1e-30])
    for dtype in among(FLOAT_DTYPES, supported):
        lhs, rhs = wide_floats(rng, dtype, 400), wide_floats(rng, dtype, 400)
        with np.errstate(over="ignore"):
            rhs[:40] = lhs[:40] * rng.uniform(0.9, 1.1, 40).astype(lhs.dtype)  # quotients near 1
        cases[f"{_name(op)}_wide_{dtype}"] = Case(op, [lhs, rhs], dynamic=((0,), (0,)), compare=EXACT,
                                                  variant=("wide",))
    return cases


def rounding_cases(rng, supported=ALL_DTYPES, *, op) -> dict[str, Case]:
    """Every dtype the op takes and every shape, with halves, near-halves and special values among the floats."""
    cases = elementwise_cases(rng, supported, op=op, dtypes=ROUNDING_OPS[op], arity=1)
    for case in cases.values():
        if case.inputs[0].dtype.kind == "f" and "main" in case.variant:
            _set_leading(case.inputs[0], ROUNDING_FLOATS)
    return cases


def bitwise_cases(rng, supported=ALL_DTYPES, *, op) -> dict[str, Case]:
    return elementwise_cases(rng, supported, op=op, dtypes=INT_DTYPES + ("i1",), arity=BITWISE_OPS[op])


def shift_cases(rng, supported=ALL_DTYPES, *, op) -> dict[str, Case]:
    """Every integer dtype and shape; counts from -3 to the bit width + 3 (out of range ones have numpy's results)."""
    cases = elementwise_cases(rng, supported, op=op, dtypes=INT_DTYPES, arity=2)
    for case in cases.values():
        lhs, rhs = case.inputs
        bits = 8 * rhs.dtype.itemsize
        low = 0 if rhs.dtype.kind == "u" else -3
        rhs[...] = rng.integers(low, bits + 4, rhs.shape).astype(rhs.dtype)
    return cases


# ----------------------------------------------------------------------------- transcendentals

#: The transcendentals' names in :data:`~fxn.passes.lowering.math_expansion.MAX_ERROR_ULPS`, by op.
MATH_OPS = {ew.ExpOp: "exp", ew.LogOp: "log", ew.TanhOp: "tanh", ew.SigmoidOp: "sigmoid", ew.ErfOp: "erf",
            ew.SinOp: "sin", ew.CosOp: "cos", ew.TanOp: "tan", ew.AsinOp: "asin", ew.AcosOp: "acos", ew.AtanOp: "atan",
            ew.SinhOp: "sinh", ew.CoshOp: "cosh"}
#: Transcendentals of two operands, with the function making their inputs.
BINARY_MATH_OPS = (ew.PowOp, ew.Atan2Op)
#: Where sin, cos and tan are accurate (:data:`~fxn.passes.lowering.math_expansion.TRIG_REDUCTION_LIMIT`, rounded down).
TRIG_RANGE = 1.6e6


def _trig_inputs(rng, n: int) -> list[np.ndarray]:
    """Bulk, up to :data:`TRIG_RANGE`, tiny values, and floats near multiples of pi/2 (the hardest to reduce)."""
    multiples = rng.integers(-(10**6), 10**6, n // 4) * (np.pi / 2)
    return [rng.uniform(-10, 10, n), rng.uniform(-TRIG_RANGE, TRIG_RANGE, n // 4),
            np.exp(rng.uniform(-60, 0, n // 4)) * rng.choice([-1, 1], n // 4),
            multiples * (1 + rng.standard_normal(n // 4) * 1e-12), np.array([np.pi, np.pi / 2, 3 * np.pi / 2, 2 * np.pi])]


def math_inputs(name: str, dtype: str, rng, n: int = 1500) -> np.ndarray:
    """Inputs spanning ``name``'s interesting range in ``dtype``: bulk, near 0, near the limits, specials."""
    info = np.finfo(NUMPY_DTYPES[dtype])
    overflow = float(np.log(info.max))
    underflow = float(np.log(info.smallest_subnormal))
    tiny = np.exp(rng.uniform(-60, -1, n // 4)) * rng.choice([-1, 1], n // 4)
    near_one = 1 - np.exp(rng.uniform(-40, -1, n // 4))
    parts = {
        "exp": lambda: [rng.uniform(underflow - 1, overflow + 1, n), rng.uniform(-1, 1, n // 4), rng.standard_normal(n // 4) * 1e-4],
        "log": lambda: [
            np.exp(rng.uniform(underflow, overflow, n)),
            1 + rng.standard_normal(n // 4) * 1e-3,
            rng.uniform(0.5, 2, n // 4),
            -np.exp(rng.uniform(-5, 5, 20)),
        ],
        "tanh": lambda: [rng.standard_normal(n) * 4, rng.standard_normal(n // 4) * 1e-3, rng.uniform(-25, 25, n // 4)],
        "sigmoid": lambda: [rng.standard_normal(n) * 10, rng.uniform(underflow - 1, 30, n // 4)],
        "erf": lambda: [rng.standard_normal(n) * 2, rng.uniform(0.9, 1.1, n // 4), rng.uniform(3, 7, n // 4), rng.standard_normal(20) * 1e-6],
        "sin": lambda: _trig_inputs(rng, n),
        "asin": lambda: [rng.uniform(-1, 1, n), near_one, -near_one, tiny, rng.uniform(-3, 3, 20)],
        "atan": lambda: [rng.uniform(-4, 4, n), np.exp(rng.uniform(-60, overflow, n // 2)) * rng.choice([-1, 1], n // 2)],
        "sinh": lambda: [rng.uniform(-25, 25, n), rng.uniform(-overflow - 1, overflow + 1, n // 4), tiny],
    }[{"cos": "sin", "tan": "sin", "acos": "asin", "cosh": "sinh"}.get(name, name)]()
    specials = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, float(info.smallest_subnormal), float(info.tiny)]
    if name not in ("sin", "cos", "tan"):  # beyond their accurate range
        specials.append(1e300)
    with np.errstate(over="ignore"):
        return np.concatenate(parts + [np.array(specials)]).astype(NUMPY_DTYPES[dtype])


def atan2_inputs(dtype: str, rng, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Points of every quadrant and magnitude ratio, and every pair of C99's special values (signed zeros, infinities, NaN)."""
    y = rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))
    x = rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))
    specials = np.array([0.0, -0.0, 1.0, -1.0, 2.5, -3.0, np.inf, -np.inf, np.nan])
    grid_y, grid_x = (a.ravel() for a in np.meshgrid(specials, specials))
    with np.errstate(over="ignore"):
        return (np.concatenate([y, grid_y]).astype(NUMPY_DTYPES[dtype]),
                np.concatenate([x, grid_x]).astype(NUMPY_DTYPES[dtype]))


def pow_inputs(dtype: str, rng, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Bases and exponents: random, results near over/underflow, negative bases to integers, and C99's special pairs."""
    info = np.finfo(NUMPY_DTYPES[dtype])
    reach = float(np.log(info.max)) * 0.95
    base = np.exp(rng.uniform(-3, 3, n))
    exponent = rng.uniform(-reach, reach, n) / np.log(base)
    negative = -np.exp(rng.uniform(-2, 2, n // 4))
    integers = rng.integers(-20, 20, n // 4).astype(np.float64)
    specials = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 2.5, np.inf, -np.inf, np.nan])
    grid_x, grid_y = (a.ravel() for a in np.meshgrid(specials, specials))
    normal_x, normal_y = rng.standard_normal(n) * 3, rng.standard_normal(n) * 3
    x = np.concatenate([base, negative, grid_x, normal_x])
    y = np.concatenate([exponent, integers, grid_y, normal_y])
    with np.errstate(over="ignore"):
        return x.astype(NUMPY_DTYPES[dtype]), y.astype(NUMPY_DTYPES[dtype])


def math_cases(rng, supported=ALL_DTYPES, *, op) -> dict[str, Case]:
    """A transcendental over its range in every float dtype (one dynamic dim), then on the other shapes."""
    name, dtypes = _name(op), among(FLOAT_DTYPES, supported)
    if not dtypes:
        return {}
    cases = {}
    for dtype in dtypes:
        if op in BINARY_MATH_OPS:
            make = pow_inputs if op is ew.PowOp else atan2_inputs
            cases[f"{name}_{dtype}"] = Case(op, list(make(dtype, rng)), dynamic=((0,), (0,)), compare=ULPS,
                                            variant=("main",))
        else:
            cases[f"{name}_{dtype}"] = Case(op, [math_inputs(MATH_OPS[op], dtype, rng)], dynamic=((0,),),
                                            compare=ULPS, variant=("main",))
    shapes = shape_cases(rng, op, dtypes, 2 if op in BINARY_MATH_OPS else 1, compare=ULPS)
    if op in (ew.SinOp, ew.CosOp, ew.TanOp):  # special_array's 1e300 is beyond their accurate range
        for case in shapes.values():
            for array in case.inputs:
                array[np.abs(array.astype(np.float64)) > TRIG_RANGE] = 2.0
    return {**cases, **shapes}


def power_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    """fxn.pow: the transcendental's cases on floats; on integers, exponents from -3 to 70 (wrapping), bases 0 and ±1."""
    cases = math_cases(rng, supported, op=ew.PowOp)
    for dtype in among(INT_DTYPES, supported):
        numpy_dtype = NUMPY_DTYPES[dtype]
        low = 0 if dtype in UNSIGNED_DTYPES else -3
        base = rng.integers(low, 9, 200)
        base[:6] = [0, 1, 0, 1, 2, 3] if dtype in UNSIGNED_DTYPES else [0, 1, -1, -1, 0, 1]
        exponent = rng.integers(max(low, -3), 71, 200)
        exponent[:6] = [0, 0, 3, 4, 0, 5] if dtype in UNSIGNED_DTYPES else [0, 0, 3, -4, -1, -2]
        cases[f"pow_{dtype}"] = Case(ew.PowOp, [base.astype(numpy_dtype), exponent.astype(numpy_dtype)],
                                     dynamic=((0,), (0,)), compare=EXACT, variant=("main",))
    return cases


# ----------------------------------------------------------------------------- casts


def cast_inputs(rng, source: str, target: str) -> np.ndarray:
    """Values of ``source`` whose cast to ``target`` is defined (NaN and out-of-range floats -> int are not)."""
    if source == "i1" or source in INT_DTYPES or target in ("i1",) + FLOAT_DTYPES:
        values = special_array(rng, source, (3, 40))
        if source == "f64" and target == "f16":
            # Just above and below f16 midpoints: through f32 they would round to the midpoint, then to even.
            midpoints = 1.0 + (2 * rng.integers(0, 1024, 40) + 1) * 2.0**-11
            values[1] = midpoints * (1 + rng.choice([-1, 1], 40) * 2.0**-40) * 2.0 ** rng.integers(-14, 15, 40)
        return values
    limits = np.iinfo(NUMPY_DTYPES[target])
    span = min(float(limits.max), float(np.finfo(NUMPY_DTYPES[source]).max))
    values = rng.uniform(-span, span, (3, 40)) * np.exp2(-rng.integers(0, 60, (3, 40)))
    values[0, :6] = [0.0, -0.0, 0.5, -0.5, 0.99, -1.99]
    return values.astype(NUMPY_DTYPES[source])


def cast_cases(rng, supported=ALL_DTYPES) -> dict[str, Case]:
    """Every pair of element types on a (3, 40) input with a dynamic dim, then the other shapes, pairs taking turns."""
    dtypes = among(ALL_DTYPES, supported)
    cases = {
        f"cast_{source}_to_{target}": Case(ew.CastOp, [cast_inputs(rng, source, target)], dynamic=((0,),),
                                           result_dtype=target, compare=EXACT, variant=("main", f"to_{target}"))
        for source in dtypes
        for target in dtypes
    }
    for i, (shape_name, ((shape,), dynamic)) in enumerate(UNARY_SHAPES.items() if dtypes else ()):
        source, target = dtypes[i % len(dtypes)], dtypes[(3 * i + 1) % len(dtypes)]
        values = cast_inputs(rng, source, target).ravel()[: int(np.prod(shape))].reshape(shape)
        cases[f"cast_{shape_name}_{source}_to_{target}"] = Case(
            ew.CastOp, [values], dynamic=dynamic, result_dtype=target, compare=EXACT, variant=(shape_name, f"to_{target}"))
    return cases


def builders() -> dict[str, object]:
    """Per elementwise op name, the function ``(rng, supported dtypes) -> {name: Case}`` making its cases."""
    table = {}
    for op, dtypes in BINARY_OPS.items():
        table[op.OPERATION_NAME] = functools.partial(elementwise_cases, op=op, dtypes=dtypes, arity=2, ties=True)
    for op, dtypes in UNARY_OPS.items():
        table[op.OPERATION_NAME] = functools.partial(elementwise_cases, op=op, dtypes=dtypes, arity=1)
    for op in [*MATH_OPS, *BINARY_MATH_OPS]:
        table[op.OPERATION_NAME] = functools.partial(math_cases, op=op)
    table["fxn.pow"] = power_cases
    for op in DIVISION_OPS:
        table[op.OPERATION_NAME] = functools.partial(division_cases, op=op)
    for op in ROUNDING_OPS:
        table[op.OPERATION_NAME] = functools.partial(rounding_cases, op=op)
    for op in BITWISE_OPS:
        table[op.OPERATION_NAME] = functools.partial(bitwise_cases, op=op)
    for op in SHIFT_OPS:
        table[op.OPERATION_NAME] = functools.partial(shift_cases, op=op)
    table.update({"fxn.clamp": clamp_cases, "fxn.fma": fma_cases, "fxn.compare": compare_cases,
                  "fxn.select": select_cases, "fxn.cast": cast_cases})
    return table
