"""Capture torch code and Python arithmetic as an ATen graph with ``make_fx``.

``make_fx`` is torch.fx tracing at the dispatcher: the function runs once on
fake tensors (shapes and dtypes, no data; a named dim of ``fxn.Tensor`` is a
symbolic size) and every ATen op it performs becomes a graph node, already
decomposed to the core set of :func:`.aten.decompositions`. Unlike
``torch.fx.symbolic_trace`` it sees concrete shapes, so code that inspects
them (``F.interpolate``, ``x.shape[0]``) traces; in-place updates are made
functional first. Each op records the exact source span (line and column)
of the user's expression that called it. Real tensors the function reads
(module-level weights, normalization constants) become constants of the
graph. Code this cannot trace (NumPy calls on tensors, branches on tensor
values) raises :class:`CannotTrace`.
"""

from __future__ import annotations

import sys

import sympy

import torch
import torch.fx.traceback as fx_traceback
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.fx.experimental.proxy_tensor import make_fx
from torch.fx.experimental.symbolic_shapes import DimDynamic, ShapeEnv, StatelessSymbolicContext
from torch.overrides import TorchFunctionMode

from fxn.dialects import TensorType
from fxn.structure import is_container, map_leaves

from . import sandbox
from .aten import decompositions
from .capture import Argument, Captured, GraphOutput, call_arguments, run_time_number
from .dtypes import to_torch
from .errors import SPECIALIZED_SIZE, UnsupportedOperation
from .source import Position, code_position, definition_position, describe_line

#: The size a dynamic dim has while tracing (not 0 or 1, which torch specializes).
DYNAMIC_EXAMPLE_SIZE = 7


class CannotTrace(Exception):
    """make_fx could not trace the function; the cause is chained."""


def capture(fn, arg_types: list[TensorType], user_codes: frozenset, statics: dict | None = None,
            default_float: str = "f32") -> Captured:
    """Trace ``fn`` on fake tensors of ``arg_types`` (``statics`` in their places); ops are located in ``user_codes``.

    ``default_float`` is torch's default dtype while tracing (f64 under ``fxn.compile(dtype=fxn.f64)``).
    """
    statics = dict(statics or {})
    mode = FakeTensorMode(shape_env=ShapeEnv(), allow_non_fake_inputs=True)  # globals: weights, constants
    inputs = [_fake(mode, t) for t in arg_types]
    structure = {}

    def tensors_out(*args):
        with _Locate(user_codes), sandbox.running_predictor():
            result = fn(*call_arguments(fn, args, statics))
        leaves = []
        structure["result"] = _mark_tensors(result, leaves)
        return tuple(leaves)

    previous = torch.get_default_dtype()
    torch.set_default_dtype(to_torch(default_float))
    try:
        with fx_traceback.preserve_node_meta(), mode:
            functional = torch.func.functionalize(tensors_out, remove="mutations")
            graph_module = make_fx(functional, decompositions(), tracing_mode="fake", _allow_non_fake_inputs=True)(
                *inputs
            )
    except Exception as error:
        sandbox.reraise_refusal()  # an effect refused while the function ran: no other capture may run it again
        raise CannotTrace(f"{type(error).__name__}: {error}") from error
    finally:
        torch.set_default_dtype(previous)
    _refuse_specialized_sizes(mode.shape_env, fn)
    return Captured(
        graph_module,
        [Argument(i) for i in range(len(arg_types))],
        structure["result"],
        _position_of,
        "fx",
        default_float,
    )


def _refuse_specialized_sizes(shape_env, fn) -> None:
    """UnsupportedOperation if the function used a dynamic dim's size as a Python number.

    ``int(x.shape[0])``, ``float(len(x))`` or a branch on a size make torch
    specialize the symbolic size to the one seen while tracing: the graph
    would then hold that number, right for no other size.
    """
    for guard in shape_env.guards:
        if any(isinstance(value, sympy.Integer) for value in _replaced(shape_env, guard.expr)):
            frame = guard.sloc.framework_loc  # a traceback.FrameSummary where torch knows the user's frame
            position = Position(frame.filename, frame.lineno) if hasattr(frame, "lineno") else definition_position(fn)
            raise UnsupportedOperation(
                f"fxn cannot compile {describe_line(position)}: {SPECIALIZED_SIZE}",
                position.filename, position.line,
            )


def _replaced(shape_env, expr) -> list:
    """What the symbols of ``expr`` were specialized to (empty if none was)."""
    return [shape_env.replacements[s] for s in expr.free_symbols if s in shape_env.replacements]


def _fake(mode, tensor_type: TensorType):
    shape = [DYNAMIC_EXAMPLE_SIZE if d is None else d for d in tensor_type.shape]
    dims = [DimDynamic.DYNAMIC if d is None else DimDynamic.STATIC for d in tensor_type.shape]
    example = torch.zeros(shape, dtype=to_torch(tensor_type.dtype))
    return mode.from_tensor(example, symbolic_context=StatelessSymbolicContext(dynamic_sizes=dims))


def _mark_tensors(result, leaves: list):
    """``result`` with each tensor replaced by a :class:`GraphOutput` (appended to ``leaves``)."""
    if isinstance(result, (torch.SymInt, torch.SymFloat, torch.SymBool)):  # a number known at run time
        result = run_time_number(result)
    if isinstance(result, torch.Tensor):
        leaves.append(result)
        return GraphOutput(len(leaves) - 1)
    if is_container(result):
        return map_leaves(lambda r: _mark_tensors(r, leaves), result, lambda r: not is_container(r))
    return result


def _position_of(node):
    return node.meta.get("custom", {}).get("fxn_position")


class _Locate(TorchFunctionMode):
    """Annotates the nodes each torch call makes with the user's expression that made the call."""

    def __init__(self, user_codes: frozenset):
        super().__init__()
        self.user_codes = user_codes

    def __torch_function__(self, func, types, args=(), kwargs=None):
        frame = sys._getframe(1)
        while frame is not None and frame.f_code not in self.user_codes:
            frame = frame.f_back
        position = code_position(frame.f_code, frame.f_lasti) if frame is not None else None
        if position is None:
            return func(*args, **(kwargs or {}))
        with fx_traceback.annotate({"fxn_position": position}):
            return func(*args, **(kwargs or {}))
