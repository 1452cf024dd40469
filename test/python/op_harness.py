"""Run one fxn op on numpy inputs through builder, verifier and reference interpreter."""

import numpy as np

from fxn.dialects import TensorType, new_context
from fxn.dialects.types import dtype_of_numpy
from fxn.interpreter import interpret
from fxn.mlir import func, ir

#: Absolute and relative tolerance per element type when comparing with torch.
#: f16 kernels compute in f32 and round once; torch may round intermediates.
TOLERANCES = {
    "f16": dict(atol=1e-3, rtol=1e-3),
    "f32": dict(atol=1e-5, rtol=1e-5),
    "f64": dict(atol=1e-12, rtol=1e-12),
    "i8": dict(atol=0, rtol=0),
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
