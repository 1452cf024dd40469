"""Run one fxn op on numpy inputs through builder, verifier and reference interpreter."""

import numpy as np
import pytest

from fxn.dialects import TensorType, new_context
from fxn.dialects.types import FLOAT_DTYPES, NUMPY_DTYPES, dtype_of_numpy
from fxn.source import ParseError, parse_module
from fxn.interpreter import interpret
from fxn.mlir import func, ir

#: Absolute and relative tolerance per element type when comparing with torch.
#: f16 kernels compute in f32 and round once; torch may round intermediates.
TOLERANCES = {
    "f16": dict(atol=1e-3, rtol=1e-3),
    "f32": dict(atol=1e-5, rtol=1e-5),
    "f64": dict(atol=1e-12, rtol=1e-12),
    "i8": dict(atol=0, rtol=0),
    "ui8": dict(atol=0, rtol=0),
    "i32": dict(atol=0, rtol=0),
    "i64": dict(atol=0, rtol=0),
    "i1": dict(atol=0, rtol=0),
}


def assert_close(actual, expected, dtype: str | None = None, **overrides):
    """Compare with the per-dtype tolerance (dtype and shape must match exactly)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    dtype = dtype or dtype_of_numpy(actual.dtype)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    tolerance = {**TOLERANCES[dtype], **overrides}
    np.testing.assert_allclose(actual.astype(np.float64), expected.astype(np.float64), equal_nan=True, **tolerance)


def _type_of(array) -> TensorType:
    array = np.asarray(array)
    return TensorType(dtype_of_numpy(array.dtype), array.shape)


_SHARED_CONTEXT = None


def shared_context():
    """One context for all op tests: loading the dialect dominates the cost of a small test."""
    global _SHARED_CONTEXT
    if _SHARED_CONTEXT is None:
        _SHARED_CONTEXT = new_context()
    return _SHARED_CONTEXT


def build_op_module(op_class, operands, result_type=None, **attrs):
    """A module with ``@main`` taking the operands (arrays, None, or lists of arrays) and returning the op's result."""
    context = shared_context()
    flat = [a for group in operands if group is not None for a in (group if isinstance(group, list) else [group])]
    with context, ir.Location.unknown():
        module = ir.Module.create()
        arg_types = [_type_of(a).to_mlir() for a in flat]
        with ir.InsertionPoint(module.body):
            function = func.FuncOp("main", (arg_types, []))
            block = function.add_entry_block()
            with ir.InsertionPoint(block):
                args = iter(block.arguments)
                grouped = [
                    None if g is None else ([next(args) for _ in g] if isinstance(g, list) else next(args))
                    for g in operands
                ]
                result = op_class.build(*grouped, result_type=result_type, **attrs)
                func.ReturnOp([result])
            function.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, [result.type])
            )
        assert module.operation.verify()
    return module, flat


def run_op(op_class, operands, result_type=None, **attrs):
    """Build, verify and interpret ``op_class`` applied to ``operands``; returns the numpy result."""
    module, flat = build_op_module(op_class, operands, result_type=result_type, **attrs)
    return interpret(module, *flat)


def random_array(shape, dtype: str = "f32", seed: int = 0) -> np.ndarray:
    """Normal floats, or integers in [-100, 100) so that i8 sums and products wrap."""
    rng = np.random.default_rng(seed)
    if dtype in FLOAT_DTYPES:
        return np.asarray(rng.standard_normal(shape), NUMPY_DTYPES[dtype])
    return np.asarray(rng.integers(-100, 100, shape), NUMPY_DTYPES[dtype])


def assert_rejected(op: str, message: str) -> None:
    """A function around the generic-form ``op`` (operands ``%a0, %a1, ...``) fails to parse with ``message``."""
    operand_types, result_type = op.rsplit(" : ", 1)[1].split(" -> ")
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(operand_types.strip("()").split(", ")))
    text = f"func.func @f({params}) -> {result_type} {{\n  %r = {op}\n  return %r : {result_type}\n}}\n"
    with pytest.raises(ParseError) as error:
        parse_module(text, "t.mlir", new_context())
    messages = [d.message for d in error.value.diagnostics]
    assert any(message in m for m in messages), messages
