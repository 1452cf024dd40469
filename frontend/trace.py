"""``trace``: a Python function and its argument types in, a verified fxn-dialect module out.

The function becomes ``func.func @<name>`` taking one tensor per parameter.
A function of numbers doing arithmetic only is captured without torch
(:mod:`.number_capture`). Otherwise its body comes from one capture (see
:mod:`.capture`) or, if the function
has ``for i in range(n)`` loops over a run-time ``n`` or its capture meets
Python control flow on a run-time value (``if x.sum() > 0``), from the AST
path (:mod:`.loops`), which emits the control flow as ``scf`` ops and
captures the straight-line code between them the same way. Python constants the function returns become 0-d constants of the
annotation defaults (float f32, int i32, bool i1).

Tracing runs in the sandbox of :mod:`.sandbox`: the function's file,
program, network, ctypes, import and compile effects are refused, and so
are its readings of the clock, global random state, environment and OS
randomness unless ``allow_trace_effects`` (then they are listed in
:attr:`TracedFunction.trace_effects`).
"""

from __future__ import annotations

import ast

from fxn.dialects import TensorType
from fxn.mlir import func, ir
from fxn.dialects.string import StrConstantOp
from fxn.structure import LEAF, STRING, Structure, flatten, is_container

from . import array_attributes, emit, number_capture, python_builtins, sandbox, subscripts
from .capture import capture, emit_captured, numpy_semantics, torch_parameters
from .errors import DataDependentControlFlow, UnsupportedOperation
from .function_types import FunctionPointerType
from .liveness import own_statements
from .source import Position, definition_position, function_node
from .string_capture import String
from .types import SCALAR_DTYPES, Parameter, scalar_dtype


class TracedFunction:
    """A predictor as fxn IR: ``module`` holds ``func.func @entry``.

    ``returns_tuple``: whether the results come back in a container (a
    tuple, list, dict ...), not as one array, number or str; ``capture``: how
    the body was captured, "numbers" (arithmetic on numbers, no torch),
    "fx", "dynamo" or "ast" (loops, their bodies by fx or dynamo); ``graph``:
    the captured ATen graph(s), as FX prints them (one per segment on the AST
    path); ``trace_effects``: what tracing read of the world, allowed by
    ``allow_trace_effects`` ("time.time() at p.py:7 (value baked in)");
    ``result_structure``: how the results rebuild the returned value (a list,
    a dict, nested: :mod:`fxn.structure`), one leaf per result (a str result:
    a "string" leaf, its UTF-8 bytes); ``function_signatures``: per parameter
    index of function type, the signature of the function it takes (inferred
    where undeclared). (Not a dataclass: see :mod:`fxn.values`.)
    """

    def __init__(self, module, entry: str, arg_types: list[TensorType], result_types: list[TensorType],
                 returns_tuple: bool, capture: str = "fx", graph: str = "", trace_effects: list[str] | None = None,
                 result_structure: Structure = LEAF, function_signatures: dict | None = None):
        self.module, self.entry, self.arg_types, self.result_types = module, entry, arg_types, result_types
        self.returns_tuple, self.capture, self.graph = returns_tuple, capture, graph
        self.trace_effects = [] if trace_effects is None else trace_effects
        self.result_structure = result_structure
        self.function_signatures = {} if function_signatures is None else function_signatures


def trace(fn, parameters: list[Parameter], arg_types: list[TensorType], context: ir.Context,
          allow_trace_effects: bool = False, statics: dict | None = None) -> TracedFunction:
    """Trace ``fn`` for arguments of ``arg_types`` into a new module in ``context`` (in the sandbox, see above).

    ``parameters`` are those the compiled function takes; ``statics`` maps
    the names of ``fn``'s static parameters to the Python values they are
    traced with (constants of the code, passed by keyword).
    """
    statics = dict(statics or {})
    from . import loops

    with sandbox.tracing(fn, allow_trace_effects) as session, context:
        user = getattr(fn, "__fxn_calls__", fn)  # a function of flattened arguments runs the user's code
        rewritten = any(m.needs_rewrite(user) for m in (subscripts, python_builtins, array_attributes))
        straight = not (loops.has_runtime_loops(fn) or rewritten)
        strings = [p.string for p in parameters]
        if any(strings):  # the capture with Numbers and Strings takes it, or nothing does
            _check_string_function(fn, arg_types, strings)
            straight = True
        record = number_capture.Record()
        record.why = "it takes arrays or uses NumPy or torch" if straight else "it has loops or indexing"
        branches = False  # whether the capture with Numbers met a branch on one: the AST path takes the function
        if straight and number_capture.applies(fn, arg_types, strings):
            builder = FunctionBuilder(fn, arg_types)
            with ir.InsertionPoint(builder.block):
                try:
                    captured = number_capture.capture(fn, list(builder.block.arguments), [p.name for p in parameters],
                                                      statics, arg_types, record, strings)
                except DataDependentControlFlow:
                    if function_node(user) is None:
                        raise
                    captured, branches, record.why = None, True, "it branches on a run-time value"
                if captured is not None:
                    builder.graphs.append(f"# {builder.position.filename}:{builder.position.line}\n{captured[1]}")
                    traced = builder.finish(captured[0], "numbers")
                    traced.trace_effects = session.effects
                    traced.function_signatures = dict(record.signatures)
                    functions = {f.value: record.signatures.get(i) for i, f in record.function_arguments.items()}
                    _returned_functions(fn, traced, captured[0], functions)
                    return traced
        functions = any(isinstance(t, FunctionPointerType) for t in arg_types)
        if functions and function_node(user) is None:
            position = definition_position(fn)
            raise UnsupportedOperation("fxn compiles a function taking functions from its source, which is not "
                                       f"found; and {record.why}", position.filename, position.line)
        straight = straight and not functions  # torch cannot call them: the AST path calls them apart
        builder = FunctionBuilder(fn, arg_types)
        with ir.InsertionPoint(builder.block):
            captured = None
            if straight and not branches:
                torch_args = [p.name in torch_parameters(fn) for p in parameters]
                # Ops are located at the user's lines: in fn, or in the function of flattened arguments calls.
                user_codes = frozenset({fn.__code__, getattr(fn, "__fxn_calls__", fn).__code__})
                try:
                    captured = capture(fn, arg_types, torch_args, user_codes, numpy_semantics(fn), statics)
                except DataDependentControlFlow:
                    if function_node(user) is None:
                        raise
            if captured is None:
                emitter = loops.emit_function(fn, builder, statics, strings)
                result, path = emitter.result, "ast"
            else:
                builder.add_graph(captured.graph_module, builder.position)
                result, path = emit_captured(captured, list(builder.block.arguments), builder.position), captured.path
            traced = builder.finish(result, path)
            if captured is None and functions:
                traced.function_signatures = dict(emitter.signatures)
                _returned_functions(fn, traced, result, emitter.function_signatures())
    traced.trace_effects = session.effects
    return traced


def _check_string_function(fn, arg_types: list[TensorType], strings: list[bool]) -> None:
    """UnsupportedOperation at ``fn``'s definition unless its capture with Numbers and Strings can take it."""
    from . import loops

    if loops.has_runtime_loops(fn):
        why = "it has a loop over a run-time range"
    elif any(t.rank and not string for t, string in zip(arg_types, strings)):
        why = "it takes arrays"
    elif not number_capture.applies(fn, arg_types, strings):
        why = "it uses NumPy or torch"
    else:
        return
    position = definition_position(fn)
    raise UnsupportedOperation(
        f"fxn cannot compile {fn.__qualname__}: a function of str parameters compiles as Python code on numbers "
        "and strings (f-strings, +, comparisons, in, len(), str(), int(), float(), indexing, slices, str methods, "
        f"branches), and {why}", position.filename, position.line)


def _returned_functions(fn, traced: TracedFunction, result, functions: dict) -> None:
    """Give each result that is a function value (an address; ``functions``: fxn value -> its signature, None where
    unknown) its function type; UnsupportedOperation where its signature is unknown (the function never called)."""
    leaves, _ = flatten(result, lambda v: not is_container(v), sort_keys=False)
    for position, leaf in enumerate(leaves):
        if not (emit.is_value(leaf) and leaf in functions):
            continue
        signature = functions[leaf]
        if signature is None:
            where = definition_position(fn)
            raise UnsupportedOperation("a returned function argument must have a known type: annotate its parameter "
                                       "fxn.FunctionType(...) or call it", where.filename, where.line)
        traced.result_types[position] = FunctionPointerType.of(signature)


class FunctionBuilder:
    """The ``func.func`` being built: its entry block, and its return once the result is known."""

    def __init__(self, fn, arg_types: list[TensorType]):
        self.fn = fn
        self.arg_types = arg_types
        self.position = definition_position(fn)
        self.module = ir.Module.create(loc=self.position.location())
        inputs = [t.to_mlir() for t in arg_types]
        with ir.InsertionPoint(self.module.body), self.position.location():
            self.function = func.FuncOp(fn.__name__, (inputs, []))
        self.block = self.function.add_entry_block(arg_locs=[self.position.location()] * len(inputs))
        #: The captured graphs as text, each headed by the line its code starts at, in emission order.
        self.graphs: list[str] = []

    def add_graph(self, graph_module, position: Position) -> None:
        self.graphs.append(f"# {position.filename}:{position.line}\n{graph_module.graph}")

    def finish(self, result, path: str) -> TracedFunction:
        position = self.return_position()
        leaves, structure = flatten(result, lambda v: not is_container(v), sort_keys=False,
                                    leaf_structure=lambda v: STRING if isinstance(v, (String, str)) else LEAF)
        with position.location():
            values = [self.result_value(r, position) for r in leaves]
            func.ReturnOp(values)
        result_types = [TensorType.from_mlir(v.type) for v in values]
        self.function.attributes["function_type"] = ir.TypeAttr.get(
            ir.FunctionType.get([t.to_mlir() for t in self.arg_types], [t.to_mlir() for t in result_types])
        )
        self.module.operation.verify()  # a fault here is fxn's, not the user's: let MLIR's error through
        graphs = "\n".join(self.graphs)
        return TracedFunction(self.module, self.fn.__name__, self.arg_types, result_types,
                              not structure.is_leaf, path, graphs, result_structure=structure)

    def result_value(self, value, position: Position) -> ir.Value:
        if emit.is_value(value):
            return value
        if isinstance(value, String):
            return value.value
        if isinstance(value, str):
            return StrConstantOp.build(value=value)
        if type(value) in SCALAR_DTYPES:
            return emit.scalar(value, scalar_dtype(type(value)))
        raise UnsupportedOperation(
            f"fxn cannot compile a function returning {type(value).__name__} values "
            "(return arrays, numbers, strings or containers of them)",
            position.filename,
            position.line,
        )

    def return_position(self) -> Position:
        """The last ``return`` statement of the function (its ``def`` if there is none)."""
        node = function_node(self.fn)
        returns = [] if node is None else [n for n in own_statements(node) if isinstance(n, ast.Return)]
        if not returns:
            return self.position
        last = max(returns, key=lambda n: (n.lineno, n.col_offset))
        return Position(self.position.filename, last.lineno, last.col_offset)
