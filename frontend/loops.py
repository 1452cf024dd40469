"""The AST path: ``for i in range(n)`` over a run-time ``n`` becomes ``scf.for``, not an unrolled trace.

A function with such a loop is emitted statement by statement from its
source. Straight-line code between loops is a *segment*: a Python function
synthesized from those statements (same file and line numbers), taking the
local names it reads and returning those assigned and still needed, and
captured like any function (:func:`.capture.capture`). Each loop becomes::

    %n_i32 = tensor.extract %n[] : tensor<i32>
    %ub = arith.index_cast %n_i32 : i32 to index
    %r = scf.for %i = %c0 to %ub step %c1 iter_args(%acc = %init) -> (tensor<f32>) {
      ...                         // the body, captured segment by segment
      scf.yield %next : tensor<f32>
    }

Loop-carried values are the names the body assigns that are read before
being assigned in the body (across iterations) or after the loop; they must
have a value before the loop (it runs zero times for ``n <= 0``). A carried
Python number takes the loop's type: ``r = 0.0`` before ``r = r * x`` with
an f32 ``x`` carries an f32 (the body is traced again with the widened type).
The loop variable, if read, is a 0-d i32 tensor. ``range`` bounds that are
Python ints when traced (``range(3)``, ``range(x.shape[0])``) leave the loop
to the capture, which unrolls it.
"""

from __future__ import annotations

import ast

from fxn.dialects import TensorType
from fxn.dialects.tensor import BroadcastToOp
from fxn.dialects.types import INT_DTYPES, VerifyError, broadcast_shapes
from fxn.mlir import arith, ir, scf, tensor

from . import emit
from .capture import capture, emit_captured, numpy_semantics, torch_parameters
from .errors import UnsupportedOperation
from .liveness import assigned, live_after, local_names, own_statements, range_call, read_before_assigned, reads
from .promotion import promote_types
from .source import Position, function_node
from .types import SCALAR_DTYPES

#: How often a loop body is traced again to let carried values widen to their loop type.
MAX_WIDENINGS = 3


def has_runtime_loops(fn) -> bool:
    """Whether ``fn`` has a ``for ... in range(...)`` whose bounds read a local name (a parameter or variable)."""
    function = function_node(fn)
    if function is None:
        return False
    local = local_names(function)
    return any((call := range_call(s)) is not None and reads(call.args) & local for s in own_statements(function))


def emit_function(fn, builder):
    """Emit the body of ``fn`` at the current insertion point; return its result (fxn values)."""
    function = function_node(fn)
    emitter = _Emitter(fn, builder)
    env = dict(zip(_parameter_names(function), builder.block.arguments))
    body = [s for s in function.body if not _is_docstring(s)]
    return emitter.emit_block(body, env, set(), top_level=True)


def _parameter_names(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args]


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


class _Emitter:
    def __init__(self, fn, builder):
        self.fn = fn
        self.filename = fn.__code__.co_filename
        self.builder = builder
        self.torch_names = torch_parameters(fn)
        self.numpy = numpy_semantics(fn)

    def position(self, node: ast.AST) -> Position:
        return Position(self.filename, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)

    def unsupported(self, node: ast.AST, message: str) -> UnsupportedOperation:
        return UnsupportedOperation(f"fxn cannot compile {message}", self.filename, node.lineno, node.col_offset + 1)

    # -- blocks -------------------------------------------------------------

    def emit_block(self, statements: list[ast.stmt], env: dict, live_at_end: set[str], top_level: bool = False):
        """Emit ``statements``, updating ``env``; at top level, return the function's result."""
        pending: list[ast.stmt] = []
        for index, statement in enumerate(statements):
            if isinstance(statement, ast.Return):
                if not top_level or index != len(statements) - 1:
                    raise self.unsupported(statement, "a 'return' before the end of a function with loops")
                return self.emit_segment(pending, env, set(), returned=statement.value)
            self.check_statement(statement)
            call = range_call(statement)
            if call is None or not (reads(call.args) & env.keys() or reads(call.args) & assigned(pending)):
                pending.append(statement)
                continue
            self.emit_segment(pending, env, live_after(statements, index - 1, live_at_end))
            pending = []
            bounds = self.range_bounds(call, env)
            if all(isinstance(b, int) for b in bounds):
                pending.append(statement)  # known when traced: the capture unrolls it
            else:
                self.emit_loop(statement, bounds, env, live_after(statements, index, live_at_end))
        self.emit_segment(pending, env, live_at_end)
        return None

    def check_statement(self, statement: ast.stmt) -> None:
        for node in own_statements(ast.Module(body=[statement], type_ignores=[])):
            if isinstance(node, ast.Return):
                raise self.unsupported(node, "a 'return' inside a statement of a function with loops")
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                raise self.unsupported(node, f"'{type(node).__name__.lower()}' declarations")

    # -- segments -----------------------------------------------------------

    def emit_segment(self, statements: list[ast.stmt], env: dict, needed: set[str], returned=None):
        """Capture ``statements`` (and the ``returned`` expression) as one function; update ``env``."""
        if not statements and returned is None:
            return None
        outputs = sorted(assigned(statements) & needed)
        read = (reads(statements) | (reads(returned) if returned is not None else set())) & env.keys()
        inputs = sorted(n for n in read | (set(outputs) & env.keys()) if emit.is_value(env[n]))
        constants = {n: env[n] for n in read if not emit.is_value(env[n])}
        for name, value in constants.items():
            if _holds_values(value):
                raise self.unsupported(
                    statements[0] if statements else returned,
                    f"'{name}': a {type(value).__name__} of arrays cannot cross a loop boundary (unpack it)",
                )
        segment = _segment_function(self.fn, statements, inputs, outputs, constants, returned)
        types = [emit.type_of(env[n]) for n in inputs]
        torch_args = [n in self.torch_names for n in inputs]
        captured = capture(segment, types, torch_args, frozenset({segment.__code__}), self.numpy)
        fallback = self.position(statements[0] if statements else returned)
        self.builder.add_graph(captured.graph_module, fallback)
        result = emit_captured(captured, [env[n] for n in inputs], fallback)
        if returned is not None:
            return result
        env.update(zip(outputs, result))
        return None

    def range_bounds(self, call: ast.Call, env: dict) -> list:
        """The ``range`` arguments: Python ints, or fxn values known at run time."""
        if not 1 <= len(call.args) <= 3:
            raise self.unsupported(call, "range() with other than 1 to 3 arguments")
        if all(isinstance(a, ast.Name) and a.id in env for a in call.args):
            return _full_range([env[a.id] for a in call.args])
        holder = "__fxn_range_bounds"
        statement = ast.Assign(targets=[ast.Name(holder, ast.Store())], value=ast.Tuple(list(call.args), ast.Load()))
        ast.copy_location(statement, call)
        ast.fix_missing_locations(statement)
        scratch = dict(env)
        self.emit_segment([statement], scratch, {holder})
        return _full_range(list(scratch[holder]))

    # -- loops --------------------------------------------------------------

    def emit_loop(self, loop: ast.For, bounds: list, env: dict, live: set[str]) -> None:
        self.check_loop(loop, live)
        body = loop.body
        carried = sorted(assigned(body) & (read_before_assigned(body) | live) - {loop.target.id})
        for name in carried:
            if name not in env:
                raise self.unsupported(
                    loop, f"the loop: '{name}' is assigned in it and used after it or in the next "
                    "iteration, but has no value before it (the loop may run zero times)"
                )
        if not isinstance(bounds[2], int) or bounds[2] < 1:
            raise self.unsupported(loop.iter, "range() with a step that is not a positive constant")
        with self.position(loop).location():
            lower, upper, step = (self.index_bound(b, loop) for b in bounds)
            inits = [self.materialize(env[name], loop) for name in carried]
        for _ in range(MAX_WIDENINGS):
            for_op, widened = self.try_loop(loop, carried, (lower, upper, step), inits, env)
            if widened is None:
                env.update(zip(carried, for_op.results))
                return
            with self.position(loop).location():
                inits = [self.widen(value, wanted, name, loop) for value, wanted, name in zip(inits, widened, carried)]
        raise self.unsupported(loop, "the loop: its carried values keep changing type")

    def check_loop(self, loop: ast.For, live: set[str]) -> None:
        if not isinstance(loop.target, ast.Name):
            raise self.unsupported(loop.target, f"a loop target '{ast.unparse(loop.target)}' (use one name)")
        if loop.orelse:
            raise self.unsupported(loop, "a 'for ... else' loop")
        for node in own_statements(ast.Module(body=loop.body, type_ignores=[])):
            if isinstance(node, (ast.Break, ast.Continue)):
                raise self.unsupported(node, f"'{type(node).__name__.lower()}' in a loop over a run-time range")
        if loop.target.id in live:
            raise self.unsupported(loop, f"the loop: its variable '{loop.target.id}' is used after it")

    def try_loop(self, loop: ast.For, carried: list[str], bounds, inits: list, env: dict):
        """Emit the loop once; return it and, if the body changed a carried type, the types to widen to."""
        with self.position(loop).location():
            for_op = scf.ForOp(*bounds, inits)
        body_env = dict(env)
        body_env.update(zip(carried, for_op.inner_iter_args))
        with ir.InsertionPoint(for_op.body):
            if loop.target.id in reads(loop.body):
                with self.position(loop.target).location():
                    body_env[loop.target.id] = self.loop_index(for_op.induction_variable, bounds)
            self.emit_block(loop.body, body_env, set(carried))
            with self.position(loop).location():
                yielded = [self.materialize(body_env[name], loop, emit.type_of(v)) for name, v in zip(carried, inits)]
                types = [emit.type_of(v) for v in yielded]
                if types != [emit.type_of(v) for v in inits]:
                    for_op.operation.erase()
                    return None, types
                scf.YieldOp(yielded)
        return for_op, None

    def index_bound(self, bound, loop: ast.For) -> ir.Value:
        index = ir.IndexType.get()
        if isinstance(bound, int):
            return arith.constant(index, bound)
        if not emit.is_value(bound):
            raise self.unsupported(loop.iter, "range() of a dynamic dim's size (fxn has no op reading a dim's "
                                              "size; give that dim a fixed size, or pass the count as an int)")
        bound_type = emit.type_of(bound)
        if bound_type.rank != 0 or bound_type.dtype not in INT_DTYPES:
            raise self.unsupported(loop.iter, f"range() of a {bound_type} (it takes integers)")
        return arith.index_cast(index, tensor.extract(bound, []))

    def loop_index(self, induction: ir.Value, bounds) -> ir.Value:
        """The loop variable as a 0-d integer tensor (i32, or i64 if a bound is i64)."""
        dtype = "i64" if any(emit.type_of(b).dtype == "i64" for b in _tensor_bounds(bounds)) else "i32"
        element = TensorType(dtype, ()).to_mlir().element_type
        return tensor.from_elements(TensorType(dtype, ()).to_mlir(), [arith.index_cast(element, induction)])

    def materialize(self, value, loop: ast.For, like: TensorType | None = None) -> ir.Value:
        """A carried value as a tensor: Python numbers take ``like``'s type, else the annotation default."""
        if emit.is_value(value):
            return value
        if type(value) not in SCALAR_DTYPES:
            raise self.unsupported(loop, f"the loop: it carries a {type(value).__name__} value")
        if like is None:
            return emit.scalar(value, SCALAR_DTYPES[type(value)])
        return _broadcast(emit.scalar(value, like.dtype), like)

    def widen(self, value: ir.Value, wanted: TensorType, name: str, loop: ast.For) -> ir.Value:
        """``value`` converted to the type the loop body gives ``name``, if that only widens it."""
        have = emit.type_of(value)
        dtype = promote_types(have.dtype, wanted.dtype)
        try:
            shape = broadcast_shapes(have.shape, wanted.shape)
        except VerifyError:
            shape = None
        if dtype != wanted.dtype or shape != wanted.shape or not wanted.is_static and shape != have.shape:
            raise self.unsupported(loop, f"the loop: '{name}' is {have} before it and {wanted} in it")
        return _broadcast(emit.cast(value, dtype), wanted)


def _full_range(arguments: list) -> list:
    """``range`` arguments as (start, stop, step)."""
    return [0, arguments[0], 1] if len(arguments) == 1 else arguments + [1] * (3 - len(arguments))


def _holds_values(value) -> bool:
    if isinstance(value, (tuple, list)):
        return any(emit.is_value(v) or _holds_values(v) for v in value)
    if isinstance(value, dict):
        return _holds_values(list(value.values()))
    return False


def _tensor_bounds(bounds):
    return [b for b in bounds if not isinstance(b, int) and isinstance(b.type, ir.RankedTensorType)]


def _broadcast(value: ir.Value, like: TensorType) -> ir.Value:
    if emit.type_of(value).shape == like.shape:
        return value
    return BroadcastToOp.build(value, shape=list(like.shape))


def _segment_function(fn, statements: list[ast.stmt], inputs: list[str], outputs: list[str], constants: dict, returned):
    """A function of ``inputs`` running ``statements`` and returning ``returned`` or the ``outputs`` tuple.

    It is compiled from the original statements, so its code keeps the
    user's file and line numbers. Its globals are ``fn``'s; ``fn``'s closure
    values and the Python values of ``constants`` are its closure (TorchDynamo
    guards globals through their module, so they must stay the module's).
    """
    closure = _closure_values(fn)
    anchor = statements[0] if statements else returned
    # A Python value is bound by an assignment in the segment, so the statements may rebind it.
    bindings = []
    for name, value in constants.items():
        closure[f"fxn_value_{name}"] = value
        bindings.append(ast.Assign([ast.Name(name, ast.Store())], ast.Name(f"fxn_value_{name}", ast.Load())))
    result = returned if returned is not None else ast.Tuple([ast.Name(o, ast.Load()) for o in outputs], ast.Load())
    body = bindings + list(statements) + [ast.Return(result)]
    for statement in bindings + body[-1:]:
        ast.copy_location(statement, anchor)
    segment = ast.FunctionDef(fn.__name__, _arguments(inputs), body, [], None)
    factory_body = [segment, ast.Return(ast.Name(fn.__name__, ast.Load()))]
    factory = ast.FunctionDef("fxn_segment_factory", _arguments(sorted(closure)), factory_body, [], None)
    for definition in (segment, factory):
        ast.copy_location(definition, anchor)
    module = ast.fix_missing_locations(ast.Module([factory], type_ignores=[]))
    namespace: dict = {}
    exec(compile(module, fn.__code__.co_filename, "exec"), fn.__globals__, namespace)
    return namespace["fxn_segment_factory"](*(closure[name] for name in sorted(closure)))


def _arguments(names: list[str]) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in names], kwonlyargs=[], kw_defaults=[], defaults=[])


def _closure_values(fn) -> dict:
    values = {}
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # a cell not yet filled
            pass
    return values
