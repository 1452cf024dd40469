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
to the capture, which unrolls it, if it runs at most :data:`MAX_UNROLLED` times.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import inspect

from fxn.dialects import TensorType
from fxn.dialects.elementwise import CompareOp
from fxn.dialects.tensor import BroadcastToOp, DimOp
from fxn.dialects.string import StrConstantOp, StrLenOp
from fxn.dialects.types import INT_DTYPES, STRING, VerifyError, broadcast_shapes
from fxn.mlir import arith, ir, scf, tensor
from fxn.structure import flatten, is_container, unflatten

from . import array_attributes, desugar, emit, number_capture, python_builtins, string_capture, subscripts
from .capture import capture, emit_captured, numpy_semantics, torch_parameters
from .errors import UnsupportedOperation
from .function_types import FunctionPointerType
from .liveness import (
    OwnCodeTransformer,
    assigned,
    live_after,
    literal_int,
    local_names,
    own_statements,
    range_call,
    read_before_assigned,
    reads,
)
from .promotion import promote_types
from .source import Position, function_node
from .string_capture import String
from .types import SCALAR_DTYPES, scalar_dtype

#: How often a loop body is traced again to let carried values widen to their loop type.
MAX_WIDENINGS = 3
#: The most iterations of a loop over constant bounds that the capture unrolls (longer ones become scf.for).
MAX_UNROLLED = 64


def has_runtime_loops(fn) -> bool:
    """Whether ``fn`` has a ``for ... in range(...)`` whose bounds read a local name (a parameter or variable) or
    that runs too often to unroll, or a ``for`` over a local name (an array may have a dynamic first dim).

    For a function of flattened arguments, its user's code counts; a parameter that is a container is not
    a run-time value (a ``for`` over it unrolls).
    """
    user = getattr(fn, "__fxn_calls__", fn)
    function = function_node(user)
    if function is None:
        return False
    local = local_names(function)
    if inspect.ismethod(user) and function.args.args:  # a bound ``self`` is an object, not a run-time value
        local.discard(function.args.args[0].arg)
    local.difference_update(name for name, structure in getattr(fn, "__fxn_layout__", ()) if not structure.is_leaf)
    return any((call := range_call(s)) is not None and (reads(call.args) & local or _long_literal_range(call))
               or _iterated_name(s) in local for s in own_statements(function))


def _long_literal_range(call: ast.Call) -> bool:
    """``range`` of int literals running more than :data:`MAX_UNROLLED` times (not unrolled by the capture)."""
    try:
        bounds = [ast.literal_eval(a) for a in call.args]
        return all(type(b) is int for b in bounds) and len(range(*bounds)) > MAX_UNROLLED
    except (ValueError, TypeError):
        return False


def emit_function(fn, builder, statics: dict | None = None, strings: list[bool] | None = None) -> "_Emitter":
    """Emit the body of ``fn`` at the current insertion point; the emitter, its ``result`` the function's result
    (fxn values).

    The body is first rewritten by :mod:`.desugar`: jumps become flags,
    returns one return, conditional expressions ``if`` statements.
    ``statics`` are the values of static parameters (Python constants);
    ``strings[i]`` says the ``i``-th run-time parameter is a ``str``. A
    function of flattened arguments (``__fxn_calls__``) emits its user's
    body, the containers rebuilt from the leaves.
    """
    user = getattr(fn, "__fxn_calls__", fn)
    function = function_node(user)
    emitter = _Emitter(user, builder)
    statics = dict(statics or {})
    parameters = _parameter_names(fn, function if user is fn else None)  # (a generated function has no def)
    names = [name for name in parameters if name not in statics]
    emitter.string_names.update(name for name, string in zip(names, strings or ()) if string)
    emitter.add_function_parameters(builder.arg_types)
    env = dict(zip(names, builder.block.arguments))
    env.update(statics)
    if user is not fn:
        args, kwargs = fn.__fxn_rebuild__(*(env[name] for name in parameters))
        bound = inspect.signature(user).bind(*args, **kwargs)
        bound.apply_defaults()
        env = dict(bound.arguments)
    body = [s for s in copy.deepcopy(function.body) if not _is_docstring(s)]
    body = desugar.normalize(body)
    emitter.result = emitter.emit_block(body, env, set(), top_level=True)
    return emitter


def _parameter_names(fn, function: ast.FunctionDef | None) -> list[str]:
    """The names of ``fn``'s positional parameters (from its ``def`` where given, as a generated function has
    none)."""
    if function is None:
        return list(fn.__code__.co_varnames[:fn.__code__.co_argcount])
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
        #: Values standing for a result not returned yet (see :meth:`materialize`).
        self.placeholders: list[ir.Value] = []
        #: The names whose run-time values are strings (``tensor<?xui8>`` of UTF-8 bytes), not arrays.
        self.string_names: set[str] = set()
        #: The function values (0-d i64 addresses) by fxn value: their types, and the parameter each one is.
        self.function_types: dict[ir.Value, TensorType] = {}
        self.parameter_of: dict[ir.Value, int] = {}
        #: Per parameter index of function type, the signature its code calls it with.
        self.signatures: dict = {}
        #: The function's result, once emitted.
        self.result = None
        #: Why the last segment was not captured with Numbers.
        self.why_not_numbers = ""

    def add_function_parameters(self, arg_types: list[TensorType]) -> None:
        """Know the parameters of function type (:class:`.function_types.FunctionPointerType`) as function values."""
        for index, (argument, arg_type) in enumerate(zip(self.builder.block.arguments, arg_types)):
            if isinstance(arg_type, FunctionPointerType):
                self.function_types[argument], self.parameter_of[argument] = arg_type, index
                if arg_type.signature is not None:
                    self.signatures[index] = arg_type.signature

    def function_signatures(self) -> dict:
        """Each function value's signature (None where its code never calls it and its type does not say)."""
        return {value: self.type_of(value).signature for value in self.function_types}

    def type_of(self, value: ir.Value) -> TensorType:
        """The type of an fxn value: a function value's function type (its signature known so far), else its own."""
        known = self.function_types.get(value)
        if known is None:
            return emit.type_of(value)
        index = self.parameter_of.get(value)
        signature = known.signature or self.signatures.get(index)
        return known if signature is known.signature else type(known).of(signature)

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
            local = env.keys() | assigned(pending)
            if isinstance(statement, ast.If) and reads(statement.test) & local:
                self.emit_segment(pending, env, live_after(statements, index - 1, live_at_end))
                pending = []
                self.emit_if(statement, env, live_after(statements, index, live_at_end))
                continue
            if isinstance(statement, ast.While):
                self.emit_segment(pending, env, live_after(statements, index - 1, live_at_end))
                pending = []
                self.emit_while(statement, env, live_after(statements, index, live_at_end))
                continue
            if isinstance(statement, ast.For) and _has_control_flow(statement.body) and _sequence_loop(statement):
                self.emit_segment(pending, env, live_after(statements, index - 1, live_at_end))
                pending = []
                items = self.python_items(statement.iter, env)
                if items is not None:
                    self.emit_unrolled(statement, items, env, live_after(statements, index, live_at_end))
                    continue
            iterated = _iterated_name(statement)
            if iterated is not None and iterated in local:
                self.emit_segment(pending, env, live_after(statements, index - 1, live_at_end))
                pending = []
                loop = self.array_loop(statement, env)
                if loop is None:
                    pending.append(statement)  # a Python sequence, or an array short enough to unroll
                else:
                    self.emit_loop(*loop, env, live_after(statements, index, live_at_end))
                    self.emit_block(statement.orelse, env, live_after(statements, index, live_at_end))
                continue
            call = range_call(statement)
            if call is None or not (reads(call.args) & local or _has_control_flow(statement.body)):
                pending.append(statement)
                continue
            self.emit_segment(pending, env, live_after(statements, index - 1, live_at_end))
            pending = []
            bounds = self.range_bounds(call, env)
            static = all(isinstance(b, int) for b in bounds)
            if static and len(range(*bounds)) <= MAX_UNROLLED and not _has_control_flow(statement.body):
                pending.append(statement)  # known when traced and short: the capture unrolls it
            else:
                self.emit_loop(statement, bounds, env, live_after(statements, index, live_at_end))
        self.emit_segment(pending, env, live_at_end)
        return None

    def array_loop(self, loop: ast.For, env: dict) -> tuple[ast.For, list] | None:
        """``for t in x`` / ``for i, t in enumerate(x)`` over a run-time array ``x`` whose first dim is dynamic, longer
        than :data:`MAX_UNROLLED` or whose body branches: the equivalent range loop and its bounds; else None."""
        array = env[_iterated_name(loop)]
        if not emit.is_value(array):
            return None
        array_type = emit.type_of(array)
        if array_type.rank == 0:
            raise self.unsupported(loop.iter, f"'for' over a {array_type} (iteration over a 0-d array)")
        length = array_type.shape[0]
        if length is not None and length <= MAX_UNROLLED and not _has_control_flow(loop.body):
            return None
        if loop.orelse and _assigns_break_flag(loop.body):
            raise self.unsupported(loop, "a 'for ... else' with a 'break' over an array known only at run time "
                                         "(loop over range(len(x)) instead)")
        if length is None:
            with self.position(loop.iter).location():
                length = DimOp.build(array, axis=0)
        index = f"fxn_item_{loop.lineno}_{loop.col_offset}"
        item = _call(loop.iter, subscripts.GETITEM, [_name(loop.iter, _iterated_name(loop)), _name(loop.iter, index)])
        if isinstance(loop.iter, ast.Call):  # enumerate(x)
            target = loop.target.elts
            prefix = [_assign_to(target[0], _name(loop.iter, index)), _assign_to(target[1], item)]
        else:
            prefix = [_assign_to(loop.target, item)]
        target = ast.copy_location(ast.Name(index, ast.Store()), loop.target)
        return ast.copy_location(ast.For(target, loop.iter, prefix + loop.body, []), loop), [0, length, 1]

    def python_items(self, iterated: ast.expr, env: dict) -> list | None:
        """The items of a ``for`` over ``xs``, a tuple or list display, ``enumerate(...)`` or ``zip(...)`` of these,
        where each sequence is a tuple or list when traced (of functions, arrays, numbers); else None."""
        if isinstance(iterated, ast.Name):
            value = env.get(iterated.id)
            return list(value) if isinstance(value, (tuple, list)) else None
        if isinstance(iterated, (ast.Tuple, ast.List)):
            value = self.evaluate(iterated, env)
            return list(value) if isinstance(value, (tuple, list)) else None
        parts = [self.python_items(argument, env) for argument in iterated.args]
        if any(part is None for part in parts):
            return None
        return list(enumerate(parts[0])) if iterated.func.id == "enumerate" else list(zip(*parts))

    def emit_unrolled(self, loop: ast.For, items: list, env: dict, live: set[str]) -> None:
        """A ``for`` over a Python sequence whose body has control flow: the body emitted once per item (its
        branches on run-time values ``scf.if`` ops), then the ``else``."""
        # (A loop with a break is a while loop by now: .desugar made it one.)
        needed = live | reads(loop.body)  # what the next item's body reads
        for item in items:
            self.bind(loop.target, item, env)
            self.emit_block(copy.deepcopy(loop.body), env, needed)
        self.emit_block(loop.orelse, env, live)

    def bind(self, target: ast.expr, value, env: dict) -> None:
        """Assign a Python value (an item of a sequence) to a loop target: a name, or a tuple of targets."""
        if isinstance(target, ast.Name):
            env[target.id] = value
            return
        if not isinstance(target, (ast.Tuple, ast.List)) or not isinstance(value, (tuple, list)) or \
                len(value) != len(target.elts):
            raise self.unsupported(target, f"a loop target '{ast.unparse(target)}' for an item of "
                                           f"{type(value).__name__}")
        for part, item in zip(target.elts, value):
            self.bind(part, item, env)

    def check_statement(self, statement: ast.stmt) -> None:
        for node in own_statements(ast.Module(body=[statement], type_ignores=[])):
            if isinstance(node, ast.Return):
                raise self.unsupported(node, "a 'return' inside a loop")
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                raise self.unsupported(node, f"'{type(node).__name__.lower()}' declarations")

    # -- segments -----------------------------------------------------------

    def emit_segment(self, statements: list[ast.stmt], env: dict, needed: set[str], returned=None, apart=False,
                     call=False):
        """Capture ``statements`` (and the ``returned`` expression) as one function; update ``env``.

        Code calling function values beside arrays is emitted with its calls apart (:meth:`emit_calls_apart`),
        unless it is such a part (``apart``; ``call``: one call of a function value, captured with Numbers
        also in NumPy or torch code, as it only converts its arguments to the function's types)."""
        if not statements and returned is None:
            return None
        outputs = sorted(assigned(statements) & needed)
        read = (reads(statements) | (reads(returned) if returned is not None else set())) & env.keys()
        inputs = sorted(n for n in read | (set(outputs) & env.keys()) if emit.is_value(env[n]))
        constants = {n: env[n] for n in read if not emit.is_value(env[n])}
        scope, inputs, constants = _unpacked(env, inputs, constants)  # scope: the inputs' values
        types = [self.type_of(scope[n]) for n in inputs]
        numbers = self.capture_numbers(statements, scope, inputs, outputs, constants, returned, types, call)
        if numbers is not None:
            if returned is not None:
                return numbers
            for name, value in zip(outputs, numbers):
                if isinstance(value, String):
                    self.string_names.add(name)
                    value = value.value
                elif emit.is_value(value):
                    self.string_names.discard(name)
                env[name] = value
            return None
        if any(n in self.string_names for n in inputs):
            raise self.unsupported(statements[0] if statements else returned,
                                   "this code on run-time strings (they compute only with numbers and strings)")
        if any(scope[n] in self.function_types for n in inputs):
            if not apart:
                return self.emit_calls_apart(statements, env, needed, returned)
            arrays = [str(t) for t in types if t.rank]
            why = f"it is given a {arrays[0]}" if call and arrays else self.why_not_numbers
            raise self.unsupported(statements[0] if statements else returned,
                                   f"this call of a function argument: it takes numbers, and here {why} (to apply "
                                   "it to each element of an array, loop over the array)")
        segment = _segment_function(self.fn, statements, inputs, outputs, constants, returned)
        torch_args = [n in self.torch_names for n in inputs]
        captured = capture(segment, types, torch_args, frozenset({segment.__code__}), self.numpy)
        fallback = self.position(statements[0] if statements else returned)
        self.builder.add_graph(captured.graph_module, fallback)
        result = emit_captured(captured, [scope[n] for n in inputs], fallback)
        if returned is not None:
            return result
        env.update(zip(outputs, result))
        return None

    def emit_calls_apart(self, statements: list[ast.stmt], env: dict, needed: set[str], returned):
        """Emit code that calls function values beside arrays statement by statement, each call of a function value
        and each of its arguments a statement (and segment) of its own, so that the calls take numbers and the
        rest is captured as array code (``out[i] = f(x[i])``: ``a = x[i]``, ``b = f(a)``, ``out[i] = b``). Loops
        over Python sequences and short literal ranges unroll first. Returns the ``returned`` value, if given."""
        hoister = _CallHoister()
        result = None
        if returned is not None:
            result = hoister.temporary()
            target = ast.copy_location(ast.Name(result, ast.Store()), returned)
            statements = [*statements, _assign_to(target, returned)]
        for index, statement in enumerate(statements):
            later = reads(statements[index + 1:]) | needed | ({result} if result else set())
            items = self.unrolled_items(statement, env) if isinstance(statement, ast.For) else None
            if items is not None:
                self.emit_unrolled(statement, items, env, later)
                continue
            hoister.functions = {name for name, value in env.items() if emit.is_value(value)
                                 and value in self.function_types}  # (as the statements before left them)
            parts = hoister.apart(statement)
            for position, part in enumerate(parts):
                self.emit_segment([part], env, later | reads(parts[position + 1:]), apart=True,
                                  call=hoister.is_call(part))
        if result is None:
            return None
        return self.emit_segment([], env, set(), returned=_name(statements[-1], result), apart=True)

    def unrolled_items(self, loop: ast.For, env: dict) -> list | None:
        """The items a ``for`` inside a segment runs over, if it unrolls: a Python sequence or a literal range."""
        if _sequence_loop(loop):
            return self.python_items(loop.iter, env)
        call = range_call(loop)
        bounds = [literal_int(a) for a in call.args] if call is not None else [None]
        return list(range(*bounds)) if None not in bounds and 1 <= len(bounds) <= 3 else None

    def capture_numbers(self, statements, env: dict, inputs: list[str], outputs: list[str], constants: dict,
                        returned, types: list[TensorType], call: bool = False):
        """The segment's result (``returned``'s value, or the ``outputs``' values) captured with Numbers and
        Strings (:mod:`.number_capture`: no torch), String where a result is a string; None where that capture
        does not apply: inputs other than numbers and strings, or code that is more than arithmetic."""
        strings = [n in self.string_names for n in inputs]
        self.why_not_numbers = "it uses NumPy or torch, or takes arrays"
        if (self.numpy or self.torch_names) and not call or any(t.rank and not s for t, s in zip(types, strings)):
            return None
        *statements, returned = string_capture.rewritten_nodes(self.fn, [*statements, returned])
        segment = _segment_function(self.fn, statements, inputs, outputs, constants, returned,
                                    string_capture.HELPERS)
        if not number_capture.applies(segment, types, strings):
            return None
        record = number_capture.Record()
        with self.passing_functions([env[n] for n in inputs]):
            captured = number_capture.capture(segment, [env[n] for n in inputs], inputs, {}, types, record, strings)
        if captured is None:
            self.why_not_numbers = record.why
            return None
        for index, signature in record.signatures.items():  # what a first call of a function value decided
            self.signatures.setdefault(self.parameter_of.get(env[inputs[index]]), signature)
        values, text = captured
        position = self.position(statements[0] if statements else returned)
        self.builder.graphs.append(f"# {position.filename}:{position.line}\n{text}")
        return values

    def passing_functions(self, inputs: list):
        """The functions the traced call passed (:func:`fxn.function_values.example_functions`), by index among
        a segment's ``inputs``, while the segment is captured (a first call infers a signature from one)."""
        if not any(value in self.function_types for value in inputs):
            return contextlib.nullcontext()
        from fxn.function_values import example_functions, passing

        examples = example_functions() or {}
        return passing({position: examples[self.parameter_of[value]] for position, value in enumerate(inputs)
                        if self.parameter_of.get(value) in examples})

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

    def evaluate(self, expression: ast.expr, env: dict, statements: list[ast.stmt] = ()):
        """The value of ``expression`` after ``statements`` (a Python value, or an fxn value known at run time)."""
        holder = "__fxn_value"
        assignment = ast.Assign(targets=[ast.Name(holder, ast.Store())], value=expression)
        ast.fix_missing_locations(ast.copy_location(assignment, expression))
        scratch = dict(env)
        self.emit_block([*statements, assignment], scratch, {holder})
        if holder in self.string_names:
            self.string_names.discard(holder)
            return String(scratch[holder])
        return scratch[holder]

    def condition(self, value: ir.Value, node: ast.AST) -> ir.Value:
        """A 0-d run-time value as the i1 an ``scf`` op branches on (Python's truth: non-zero)."""
        value_type = emit.type_of(value)
        if value_type.rank != 0:
            raise self.unsupported(node, f"a condition that is a {value_type} (the truth value of an array with "
                                         "more than one element is ambiguous: use .any() or .all())")
        with self.position(node).location():
            if value_type.dtype != "i1":
                value = CompareOp.build(value, emit.scalar(0, value_type.dtype), predicate="ne")
            return tensor.extract(value, [])

    # -- branches -------------------------------------------------------------

    def emit_if(self, statement: ast.If, env: dict, live: set[str]) -> None:
        """An ``if`` decided at trace time (a Python condition) or an ``scf.if`` merging what both branches assign."""
        test = self.evaluate(statement.test, env)
        if isinstance(test, String):  # Python's truth of a str: not empty
            with self.position(statement.test).location():
                test = CompareOp.build(StrLenOp.build(test.value), emit.scalar(0, "i64"), predicate="ne")
        if not emit.is_value(test):
            try:
                taken = bool(test)
            except Exception as error:  # noqa: BLE001 - the object's own refusal, reported at the test
                raise self.unsupported(statement.test, f"'if {ast.unparse(statement.test)}': {error}") from None
            self.emit_block(statement.body if taken else statement.orelse, env, live)
            return
        flag = self.condition(test, statement.test)
        merged = sorted((assigned(statement.body) | assigned(statement.orelse)) & live)
        with self.position(statement).location():
            probe = scf.IfOp(flag, [], has_else=True)
        branches = []
        for block, body in ((probe.then_block, statement.body), (probe.else_block, statement.orelse)):
            branch_env = dict(env)
            with ir.InsertionPoint(block):
                self.emit_block(body, branch_env, set(merged))
            branches.append(branch_env)
        names, types = [], []
        for name in merged:
            values = [branch.get(name, _UNDEFINED) for branch in branches]
            if any(value is _UNDEFINED for value in values):
                raise self.unsupported(statement, f"the 'if': '{name}' is assigned on one of its branches only "
                                                  "and used after it (on the other it has no value)")
            if _same_python_value(*values):
                env[name] = values[0]
                continue
            names.append(name)
            if name in self.string_names or any(isinstance(value, str) for value in values):
                types.append(self.string_type(name, values, statement))
            elif any(emit.is_value(value) and value in self.function_types for value in values):
                types.append(self.function_type(name, values, statement))
            else:
                types.append(self.joined_type(name, values, statement))
        yields = []
        for block, branch in zip((probe.then_block, probe.else_block), branches):
            with ir.InsertionPoint(block), self.position(statement).location():
                yields.append([self.convert(branch[name], wanted, name, statement)
                               for name, wanted in zip(names, types)])
        with self.position(statement).location():
            final = scf.IfOp(flag, [t.to_mlir() for t in types], has_else=True)
            for source, target, values in zip((probe.then_block, probe.else_block),
                                              (final.then_block, final.else_block), yields):
                with ir.InsertionPoint(target):
                    terminator = scf.YieldOp(values)
                for operation in list(source.operations):
                    operation.move_before(terminator)
        probe.operation.erase()
        env.update(zip(names, final.results))
        self.function_types.update((value, t) for value, t in zip(final.results, types)
                                   if isinstance(t, FunctionPointerType))

    def joined_type(self, name: str, values: list, node: ast.AST) -> TensorType:
        """The type a name gets where two paths join: element types promoted, shapes equal or broadcast."""
        kinds = []
        for value in values:
            if emit.is_value(value):
                kinds.append(emit.type_of(value))
            elif type(value) in SCALAR_DTYPES:
                kinds.append(TensorType(scalar_dtype(type(value)), ()))
            else:
                raise self.unsupported(node, f"{desugar.described(name)}: a {type(value).__name__} that differs "
                                             "between paths known only at run time (fxn merges arrays and numbers "
                                             "only)")
        dtype = promote_types(kinds[0].dtype, kinds[1].dtype)
        try:
            shape = broadcast_shapes(kinds[0].shape, kinds[1].shape)
        except VerifyError:
            shape = None
        if shape is None or any(k.shape != tuple(shape) and not TensorType(dtype, shape).is_static for k in kinds):
            raise self.unsupported(node, f"{desugar.described(name)} is {kinds[0]} on one path and {kinds[1]} on "
                                         "the other")
        return TensorType(dtype, tuple(shape))

    def string_type(self, name: str, values: list, node: ast.AST) -> TensorType:
        """The type of a name that is a string where two paths join (each value a string or a Python str)."""
        for value in values:
            if not (isinstance(value, str) or (emit.is_value(value) and emit.type_of(value) == STRING)):
                shown = emit.type_of(value) if emit.is_value(value) else type(value).__name__
                raise self.unsupported(node, f"the 'if': {desugar.described(name)} is a str on one of its branches "
                                             f"and a {shown} on the other")
        self.string_names.add(name)
        return STRING

    def function_type(self, name: str, values: list, node: ast.AST) -> TensorType:
        """The type of a name that is a function value where two paths join: functions of one known signature."""
        kinds = [self.type_of(value) if emit.is_value(value) and value in self.function_types else None
                 for value in values]
        if None in kinds:
            other = next(v for v, k in zip(values, kinds) if k is None)
            shown = emit.type_of(other) if emit.is_value(other) else type(other).__name__
            raise self.unsupported(node, f"the 'if': {desugar.described(name)} is a function on one of its branches "
                                         f"and a {shown} on the other")
        if any(k.signature is None for k in kinds):
            raise self.unsupported(node, f"the 'if': {desugar.described(name)} is a function whose type is not known "
                                         "where the branches join: annotate its parameter fxn.FunctionType(...)")
        if kinds[0] != kinds[1]:
            raise self.unsupported(node, f"the 'if': {desugar.described(name)} is a {kinds[0]} on one of its "
                                         f"branches and a {kinds[1]} on the other")
        return kinds[0]

    def convert(self, value, wanted: TensorType, name: str, node: ast.AST) -> ir.Value:
        """``value`` (an fxn value, a Python number or, for a string, a Python str) as a value of type ``wanted``."""
        if isinstance(value, str):
            return StrConstantOp.build(value=value)
        if wanted == STRING:
            return value
        if not emit.is_value(value):
            return _broadcast(emit.scalar(value, wanted.dtype), wanted)
        return _broadcast(emit.cast(value, wanted.dtype), wanted)

    # -- loops --------------------------------------------------------------

    def emit_while(self, loop: ast.While, env: dict, live: set[str]) -> None:
        """``while test: body`` as ``scf.while``: the test in its "before" region, the body in its "after" one."""
        # (Its break, continue and else are gone: .desugar made them flags and statements after it.)
        test_statements = list(getattr(loop, "fxn_test_statements", []))
        in_test = reads(test_statements) | reads(loop.test)
        carried = sorted(assigned(loop.body) & (read_before_assigned(loop.body) | in_test | live))
        self.check_carried(loop, carried, env)
        loop.body = _rebinding(loop.body, _python_numbers(carried, env))
        with self.position(loop).location():
            inits = [self.materialize(env[name], loop) for name in carried]
        self.emit_widening(loop, carried, inits, env,
                           lambda inits: self.try_while(loop, carried, test_statements, inits, env))

    def try_while(self, loop: ast.While, carried: list[str], test_statements: list, inits: list, env: dict):
        """Emit the loop once; return it and, if the body changed a carried type, the types to widen to."""
        types = [value.type for value in inits]
        location = self.position(loop).location()
        with location:
            while_op = scf.WhileOp(types, inits)
        before = while_op.before.blocks.append(*types, arg_locs=[location] * len(types))
        self.carry_functions(loop, carried, inits, before.arguments)
        with ir.InsertionPoint(before):
            test_env = dict(env)
            test_env.update(zip(carried, before.arguments))
            test = self.evaluate(loop.test, test_env, test_statements)
            with location:
                if emit.is_value(test):
                    flag = self.condition(test, loop.test)
                else:
                    flag = arith.constant(ir.IntegerType.get_signless(1), int(bool(test)))
                scf.ConditionOp(flag, list(before.arguments))
        after = while_op.after.blocks.append(*types, arg_locs=[location] * len(types))
        self.carry_functions(loop, carried, inits, after.arguments, while_op.results)
        with ir.InsertionPoint(after):
            body_env = dict(env)
            body_env.update(zip(carried, after.arguments))
            self.emit_block(loop.body, body_env, set(carried))
            widened = self.yield_carried(loop, carried, body_env, inits)
        if widened is not None:
            while_op.operation.erase()
            return None, widened
        return while_op, None

    def emit_loop(self, loop: ast.For, bounds: list, env: dict, live: set[str]) -> None:
        self.check_loop(loop)
        body = loop.body
        carried = sorted(assigned(body) & (read_before_assigned(body) | live) - {loop.target.id})
        self.check_carried(loop, carried, env)
        loop.body = _rebinding(loop.body, _python_numbers(carried, env))
        if not isinstance(bounds[2], int) or bounds[2] < 1:
            raise self.unsupported(loop.iter, "range() with a step that is not a positive constant")
        with self.position(loop).location():
            lower, upper, step = (self.index_bound(b, loop) for b in bounds)
            inits = [self.materialize(env[name], loop) for name in carried]
        self.emit_widening(loop, carried, inits, env,
                           lambda inits: self.try_loop(loop, carried, (lower, upper, step), inits, env))

    def emit_widening(self, loop: ast.stmt, carried: list[str], inits: list, env: dict, attempt) -> None:
        """Emit a loop by ``attempt(inits) -> (op, widened)``, widening the inits until the body keeps their types."""
        for _ in range(MAX_WIDENINGS):
            op, widened = attempt(inits)
            if widened is None:
                env.update(zip(carried, op.results))
                return
            with self.position(loop).location():
                inits = [self.widen(value, wanted, name, loop) for value, wanted, name in zip(inits, widened, carried)]
        raise self.unsupported(loop, "the loop: its carried values keep changing type")

    def check_carried(self, loop: ast.stmt, carried: list[str], env: dict) -> None:
        """Every carried name needs a value before the loop, but the result a return inside it sets."""
        for name in carried:
            if name == desugar.RESULT and name not in env:
                env[name] = _PLACEHOLDER  # its type is the returned value's, found by the first trace of the body
            elif name not in env:
                raise self.unsupported(
                    loop, f"the loop: '{name}' is assigned in it and used after it or in the next "
                    "iteration, but has no value before it (the loop may run zero times)"
                )

    def check_loop(self, loop: ast.For) -> None:
        # Its break, continue and else, and a variable read after it, made .desugar turn it into a while loop.
        if not isinstance(loop.target, ast.Name):
            raise self.unsupported(loop.target, f"a loop target '{ast.unparse(loop.target)}' (use one name)")

    def try_loop(self, loop: ast.For, carried: list[str], bounds, inits: list, env: dict):
        """Emit the loop once; return it and, if the body changed a carried type, the types to widen to."""
        with self.position(loop).location():
            for_op = scf.ForOp(*bounds, inits)
        self.carry_functions(loop, carried, inits, for_op.inner_iter_args, for_op.results)
        body_env = dict(env)
        body_env.update(zip(carried, for_op.inner_iter_args))
        with ir.InsertionPoint(for_op.body):
            if loop.target.id in reads(loop.body):
                with self.position(loop.target).location():
                    body_env[loop.target.id] = self.loop_index(for_op.induction_variable, bounds)
            self.emit_block(loop.body, body_env, set(carried))
            widened = self.yield_carried(loop, carried, body_env, inits)
        if widened is not None:
            for_op.operation.erase()
            return None, widened
        return for_op, None

    def carry_functions(self, loop: ast.stmt, carried: list[str], inits: list, *values) -> None:
        """Know the loop's values (``values``: lists of region arguments or results, one per carried name) that
        carry a function value as function values of its type (which must be known)."""
        for index, (name, init) in enumerate(zip(carried, inits)):
            if init not in self.function_types:
                continue
            function_type = self.type_of(init)
            if function_type.signature is None:
                raise self.unsupported(loop, f"the loop: it carries the function '{name}' whose type is not known "
                                             "before it: annotate its parameter fxn.FunctionType(...)")
            self.function_types.update((value[index], function_type) for value in values)

    def yield_carried(self, loop: ast.stmt, carried: list[str], body_env: dict, inits: list) -> list | None:
        """Yield the carried names' values at the end of a loop body; the types to widen to if they changed."""
        for name, init in zip(carried, inits):
            value = body_env[name]
            if init in self.function_types and not (emit.is_value(value) and value in self.function_types
                                                    and self.type_of(value) == self.type_of(init)):
                shown = self.type_of(value) if emit.is_value(value) else type(value).__name__
                raise self.unsupported(loop, f"the loop: '{name}' is a {self.type_of(init)} before it and a {shown} "
                                             "in it")
        with self.position(loop).location():
            yielded = [self.materialize(body_env[name], loop, emit.type_of(v)) for name, v in zip(carried, inits)]
            types = [emit.type_of(v) for v in yielded]
            if types != [emit.type_of(v) for v in inits]:
                return types
            scf.YieldOp(yielded)
        return None

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
        """A carried value as a tensor: Python numbers take ``like``'s type, else the annotation default.

        The placeholder of a result not yet returned is an i1 ``false`` until
        the body shows its type (:meth:`widen` then makes it zeros).
        """
        if value is _PLACEHOLDER:
            placeholder = emit.scalar(False, "i1") if like is None else self.zeros(like, loop)
            self.placeholders.append(placeholder)
            return placeholder
        if emit.is_value(value):
            return value
        if type(value) not in SCALAR_DTYPES:
            raise self.unsupported(loop, f"the loop: it carries a {type(value).__name__} value")
        if like is None:
            return emit.scalar(value, scalar_dtype(type(value)))
        return _broadcast(emit.scalar(value, like.dtype), like)

    def zeros(self, wanted: TensorType, node: ast.AST) -> ir.Value:
        if not wanted.is_static:
            raise self.unsupported(node, f"a 'return' inside a loop of a {wanted}: fxn returns values of a fixed "
                                         "shape from inside loops")
        return _broadcast(emit.scalar(0, wanted.dtype), wanted)

    def widen(self, value: ir.Value, wanted: TensorType, name: str, loop: ast.For) -> ir.Value:
        """``value`` converted to the type the loop body gives ``name``, if that only widens it."""
        if any(value == placeholder for placeholder in self.placeholders):
            return self.zeros(wanted, loop)
        have = emit.type_of(value)
        dtype = promote_types(have.dtype, wanted.dtype)
        try:
            shape = broadcast_shapes(have.shape, wanted.shape)
        except VerifyError:
            shape = None
        if dtype != wanted.dtype or shape != wanted.shape or not wanted.is_static and shape != have.shape:
            raise self.unsupported(loop, f"the loop: '{name}' is {have} before it and {wanted} in it")
        return _broadcast(emit.cast(value, dtype), wanted)


#: A name a path leaves without a value.
_UNDEFINED = object()
#: The value of the result before a ``return`` inside a loop sets it.
_PLACEHOLDER = object()


def _same_python_value(first, second) -> bool:
    """Whether two Python values (not fxn values) are the same, so that a join need not merge them."""
    if first is second:
        return True
    plain = (bool, int, float, str, type(None))
    return type(first) is type(second) and isinstance(first, plain) and first == second


def _python_numbers(names: list[str], env: dict) -> set[str]:
    """The ``names`` whose value in ``env`` is a Python number (a loop carries it as a 0-d array)."""
    return {name for name in names if name in env and type(env[name]) in SCALAR_DTYPES}


def _rebinding(statements: list[ast.stmt], names: set[str]) -> list[ast.stmt]:
    """``statements`` with ``name op= value`` of ``names`` made ``name = name op value``.

    A Python number rebinds on ``+=``: ``s = 0.0; s += x[i]`` takes the type
    of ``s + x[i]``, where the 0-d array the loop carries for ``s`` would be
    updated in place and keep its own.
    """
    if not names:
        return statements

    class Rebinder(OwnCodeTransformer):
        def visit_AugAssign(self, node: ast.AugAssign):
            if not (isinstance(node.target, ast.Name) and node.target.id in names):
                return node
            value = ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value)
            return ast.fix_missing_locations(ast.copy_location(
                ast.Assign([node.target], ast.copy_location(value, node)), node))

    return Rebinder().block(statements)


def _iterated_name(statement: ast.stmt) -> str | None:
    """``x`` of ``for t in x`` or ``for i, t in enumerate(x)`` (two names), else None."""
    if not isinstance(statement, ast.For):
        return None
    iterated = statement.iter
    if (isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Name) and iterated.func.id == "enumerate"
            and len(iterated.args) == 1 and not iterated.keywords and isinstance(statement.target, ast.Tuple)
            and len(statement.target.elts) == 2):
        iterated = iterated.args[0]
    return iterated.id if isinstance(iterated, ast.Name) else None


class _CallHoister(OwnCodeTransformer):
    """Takes the calls of function values (the names in ``functions``) out of a statement: each argument that is
    not a name or constant, then the call, assigned to a temporary of its own before it (innermost first)."""

    def __init__(self):
        self.functions: set[str] = set()
        self.count, self.before = 0, []

    def temporary(self) -> str:
        self.count += 1
        return f"fxn_part_{self.count}"

    def apart(self, statement: ast.stmt) -> list[ast.stmt]:
        """``statement`` as the statements computing its calls, then itself using their results."""
        self.before = []
        rewritten = self.visit(statement)
        return [*self.before, rewritten]

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id in self.functions):
            return node
        node.args = [argument if isinstance(argument, (ast.Name, ast.Constant)) else self.hoisted(argument)
                     for argument in node.args]
        return self.hoisted(node)

    def is_call(self, statement: ast.stmt) -> bool:
        """Whether ``statement`` is one call of a function value assigned to a name (a part :meth:`apart` made)."""
        return (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)
                and isinstance(statement.value.func, ast.Name) and statement.value.func.id in self.functions)

    def hoisted(self, expression: ast.expr) -> ast.Name:
        name = self.temporary()
        self.before.append(_assign_to(ast.copy_location(ast.Name(name, ast.Store()), expression), expression))
        return _name(expression, name)


def _sequence_loop(loop: ast.For) -> bool:
    """Whether a ``for`` iterates over a name, a tuple or list display, or ``enumerate``/``zip`` of these (a Python
    sequence, if its names hold one when traced)."""

    def sequence(node: ast.expr) -> bool:
        if isinstance(node, (ast.Name, ast.Tuple, ast.List)):
            return True
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords and node.args):
            return False
        if node.func.id == "enumerate" and len(node.args) == 1 or node.func.id == "zip":
            return all(sequence(argument) for argument in node.args)
        return False

    return sequence(loop.iter)


def _assigns_break_flag(statements: list[ast.stmt]) -> bool:
    """Whether ``statements`` set a ``break`` flag of :mod:`.desugar` (the loop had a ``break``)."""
    return any(name.startswith("fxn_break_") for name in assigned(statements))


def _name(at: ast.AST, name: str) -> ast.Name:
    return ast.copy_location(ast.Name(name, ast.Load()), at)


def _call(at: ast.AST, function: str, arguments: list[ast.expr]) -> ast.Call:
    return ast.fix_missing_locations(ast.copy_location(ast.Call(_name(at, function), arguments, []), at))


def _assign_to(target: ast.expr, value: ast.expr) -> ast.Assign:
    return ast.fix_missing_locations(ast.copy_location(ast.Assign([target], value), target))


def _has_control_flow(statements: list[ast.stmt]) -> bool:
    """Whether ``statements`` hold an ``if``, ``while``, ``for``, ``break`` or ``continue`` of their own."""
    kinds = (ast.If, ast.While, ast.For, ast.Break, ast.Continue)
    return any(isinstance(node, kinds) for node in own_statements(ast.Module(body=statements, type_ignores=[])))


def _full_range(arguments: list) -> list:
    """``range`` arguments as (start, stop, step)."""
    return [0, arguments[0], 1] if len(arguments) == 1 else arguments + [1] * (3 - len(arguments))


def _unpacked(env: dict, inputs: list[str], constants: dict) -> tuple[dict, list[str], dict]:
    """A segment's scope (``env`` and the leaves), ``inputs`` and ``constants``, each constant that is a container
    holding fxn values (a tuple of function values, a list of arrays ...) passed as its leaves, named
    ``fxn_<name>_<i>``, and rebuilt in the segment from them (a constant :class:`_Packed`)."""
    packed = {}
    for name, value in constants.items():
        if is_container(value):
            leaves, structure = flatten(value, emit.is_value, sort_keys=False)
            if leaves:
                packed[name] = [f"fxn_{name}_{i}" for i in range(len(leaves))], leaves, structure
    if not packed:
        return env, inputs, constants
    env, constants = dict(env), dict(constants)
    for name, (leaf_names, leaves, structure) in packed.items():
        env.update(zip(leaf_names, leaves))
        constants[name] = _Packed(leaf_names, structure)
    return env, inputs + [leaf for leaf_names, _, _ in packed.values() for leaf in leaf_names], constants


class _Packed:
    """A container of fxn values a segment rebuilds from its leaves, the segment's inputs ``leaf_names``."""

    def __init__(self, leaf_names: list[str], structure):
        self.leaf_names, self.structure = leaf_names, structure

    def rebuild(self, *leaves):
        return unflatten(self.structure, leaves)


def _tensor_bounds(bounds):
    return [b for b in bounds if not isinstance(b, int) and isinstance(b.type, ir.RankedTensorType)]


def _broadcast(value: ir.Value, like: TensorType) -> ir.Value:
    if emit.type_of(value).shape == like.shape:
        return value
    return BroadcastToOp.build(value, shape=list(like.shape))


def _segment_function(fn, statements: list[ast.stmt], inputs: list[str], outputs: list[str], constants: dict, returned,
                      helpers: dict | None = None):
    """A function of ``inputs`` running ``statements`` and returning ``returned`` or the ``outputs`` tuple.

    It is compiled from the original statements, so its code keeps the
    user's file and line numbers. Its globals are ``fn``'s; ``fn``'s closure
    values, ``helpers`` and the Python values of ``constants`` are its
    closure (TorchDynamo guards globals through their module, so they must
    stay the module's).
    """
    closure = {**_closure_values(fn), **(helpers or {})}
    named = {node.id for root in [*statements, returned] if root is not None for node in ast.walk(root)
             if isinstance(node, ast.Name)}
    for rewrite in (subscripts, python_builtins, array_attributes):  # the functions the rewritten code calls
        if named.intersection(rewrite.HELPER_NAMES):  # (their helpers import torch)
            closure.update(rewrite.helpers())
    anchor = statements[0] if statements else returned
    # A Python value is bound by an assignment in the segment, so the statements may rebind it.
    bindings = []
    for name, value in constants.items():
        closure[f"fxn_value_{name}"] = value
        bound = ast.Name(f"fxn_value_{name}", ast.Load())
        if isinstance(value, _Packed):  # fxn_value_xs.rebuild(fxn_xs_0, fxn_xs_1)
            closure[f"fxn_value_{name}"] = value.rebuild
            bound = ast.Call(bound, [ast.Name(leaf, ast.Load()) for leaf in value.leaf_names], [])
        bindings.append(ast.Assign([ast.Name(name, ast.Store())], bound))
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
