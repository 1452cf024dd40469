"""Capture with ``torch.fx`` symbolic tracing and import the graph as fxn-dialect IR.

``trace(fn, parameters, arg_types)`` traces ``fn`` with one proxy per
parameter and builds ``func.func @<fn name>`` whose body has one fxn op per
graph node, chosen by :data:`FX_OPS`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from fxn.dialects import TensorType
from fxn.dialects.elementwise import AddOp, DivOp, MulOp, NegOp, SubOp
from fxn.dialects.tensor import ConstantOp
from fxn.mlir import func, ir

from .types import Parameter


class UnsupportedOperation(TypeError):
    """The function does something fxn cannot compile; the message names it."""


@dataclass
class TracedFunction:
    """A predictor as fxn IR: ``module`` holds ``func.func @entry``."""

    module: object
    entry: str
    arg_types: list[TensorType]
    result_types: list[TensorType]
    returns_tuple: bool


#: FX call targets and the fxn op each becomes.
FX_OPS = {
    operator.add: AddOp,
    operator.sub: SubOp,
    operator.mul: MulOp,
    operator.truediv: DivOp,
    operator.neg: NegOp,
}


def _constant_like(value, like: ir.Value) -> ir.Value:
    import numpy as np

    dtype = TensorType.from_mlir(like.type).numpy_dtype
    return ConstantOp.from_numpy(np.asarray(value, dtype=dtype))


def _operand(arg, env, other_values) -> ir.Value:
    if hasattr(arg, "op") and arg in env:
        return env[arg]
    if isinstance(arg, (int, float, bool)):
        like = next(v for v in other_values if v is not None)
        return _constant_like(arg, like)
    raise UnsupportedOperation(f"unsupported operand {arg!r}")


def trace(fn, parameters: list[Parameter], arg_types: list[TensorType], context: ir.Context) -> TracedFunction:
    import torch.fx

    graph = torch.fx.symbolic_trace(fn).graph
    with context, ir.Location.unknown():
        module = ir.Module.create()
        mlir_args = [t.to_mlir() for t in arg_types]
        with ir.InsertionPoint(module.body):
            function = func.FuncOp(fn.__name__, (mlir_args, []))
            block = function.add_entry_block()
        env, placeholders = {}, iter(block.arguments)
        results = None
        with ir.InsertionPoint(block):
            for node in graph.nodes:
                if node.op == "placeholder":
                    env[node] = next(placeholders)
                elif node.op == "call_function":
                    op_class = FX_OPS.get(node.target)
                    if op_class is None:
                        raise UnsupportedOperation(f"unsupported operation {node.target}")
                    values = [env.get(a) for a in node.args if a in env]
                    operands = [_operand(a, env, values) for a in node.args]
                    env[node] = op_class.build(*operands)
                elif node.op == "output":
                    output = node.args[0]
                    returns_tuple = isinstance(output, (tuple, list))
                    results = [env[o] for o in (output if returns_tuple else [output])]
                    func.ReturnOp(results)
                else:
                    raise UnsupportedOperation(f"unsupported graph node {node.op} {node.target}")
        result_types = [TensorType.from_mlir(r.type) for r in results]
        function.attributes["function_type"] = ir.TypeAttr.get(
            ir.FunctionType.get(mlir_args, [t.to_mlir() for t in result_types])
        )
    return TracedFunction(module, fn.__name__, arg_types, result_types, returns_tuple)
