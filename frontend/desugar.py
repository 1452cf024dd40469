"""AST rewrites that leave the AST path (:mod:`.loops`) fewer kinds of control flow to emit.

They keep Python's meaning, evaluation order and short-circuiting; the
nodes they create carry the location of the code they replace. In the
order :func:`normalize` applies them:

- :func:`lower_jumps`: ``return`` inside a loop, ``break`` and ``continue``
  become flags (``fxn_returned``, ``fxn_break_<n>``, ``fxn_continue_<n>``)
  that guard the statements after them (``if flag: pass else: rest``) and
  end the loop through its test; a loop's ``else`` runs where the break
  flag is false. A ``for t in range(...)`` loop that breaks, whose step is
  not a positive literal, or whose variable is read after it becomes a
  ``while`` loop over a hidden index (``fxn_index_<n>``), with Python's
  meaning of the variable after the loop (its last value; unchanged if
  the loop ran zero times). A run-time step of 0 runs no iteration
  (Python raises ``ValueError``).
- :func:`single_return`: a function whose ``return`` statements end
  branches of ``if`` statements becomes one whose only ``return`` is its
  last statement, returning ``fxn_result``: the statements after an ``if``
  one of whose branches returns move into the paths that do not return
  (copied where several paths go on). (Returns inside loops are flags by
  then.)
- :func:`hoist_conditionals`: ``a if c else b``, ``a and b``, ``a or b``,
  ``not a`` and chained comparisons ``a < b < c`` in a statement's own
  expressions (not inside a lambda, comprehension or nested function)
  become ``if`` statements that assign a temporary ``fxn_cond_<n>``, placed
  before the statement. An operand is evaluated only on the path where
  Python evaluates it (``b`` of ``a and b`` only where ``a`` is true), and a
  chained comparison evaluates each middle operand once. The statements a
  ``while`` test needs are kept on the loop, in ``fxn_test_statements``: they
  run before each evaluation of the test.

Then every ``if`` has a plain name or expression without conditionals as
its test, which the emitter evaluates once and branches on: at trace time
if it is a Python value, with ``scf.if`` if it is known only at run time.
"""

from __future__ import annotations

import ast
import copy
import itertools

from . import array_attributes, python_builtins, subscripts
from .liveness import NESTED_SCOPES, literal_int, read_before_assigned

#: The name the single return of :func:`single_return` returns.
RESULT = "fxn_result"
#: Whether a ``return`` inside a loop has run (see :func:`lower_jumps`).
RETURNED = "fxn_returned"


def normalize(body: list[ast.stmt]) -> list[ast.stmt]:
    """A function body with subscripts, builtins and ``.dtype`` made calls (:mod:`.subscripts`,
    :mod:`.python_builtins`, :mod:`.array_attributes`), jumps lowered, one return, and conditional expressions
    made statements."""
    calls = array_attributes.rewrite(python_builtins.rewrite(subscripts.rewrite(body)))
    return hoist_conditionals(single_return(lower_jumps(calls)))


def hoist_conditionals(statements: list[ast.stmt]) -> list[ast.stmt]:
    """``statements`` with their conditional expressions made ``if`` statements (see the module docstring)."""
    return _Hoister().block(statements)


def described(name: str) -> str:
    """How an error names variable ``name``: quoted, or "the conditional expression" for a temporary of one."""
    return "the conditional expression" if name.startswith(_CONDITIONAL) else f"'{name}'"


_CONDITIONAL = "fxn_cond_"


class _Hoister:
    def __init__(self):
        self.counter = itertools.count()

    def temporary(self) -> str:
        return f"{_CONDITIONAL}{next(self.counter)}"

    def block(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for statement in statements:
            out += self.statement(statement)
        return out

    def statement(self, statement: ast.stmt) -> list[ast.stmt]:
        """The statements that replace ``statement``: what its expressions need first, then itself."""
        pre: list[ast.stmt] = []
        if isinstance(statement, ast.If):
            pre, statement.test = self.expression(statement.test)
            statement.body, statement.orelse = self.block(statement.body), self.block(statement.orelse)
        elif isinstance(statement, ast.While):
            pre_test, statement.test = self.expression(statement.test)
            statement.fxn_test_statements = self.block(getattr(statement, "fxn_test_statements", [])) + pre_test
            statement.body, statement.orelse = self.block(statement.body), self.block(statement.orelse)
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            pre, statement.iter = self.expression(statement.iter)
            statement.body, statement.orelse = self.block(statement.body), self.block(statement.orelse)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            statement.body = self.block(statement.body)
        elif isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return)):
            if statement.value is not None:
                pre, statement.value = self.expression(statement.value)
        return pre + [statement]

    def expression(self, node: ast.expr) -> tuple[list[ast.stmt], ast.expr]:
        """Statements computing what ``node``'s conditionals need, and ``node`` reading their temporaries."""
        if isinstance(node, ast.IfExp):
            return self.if_expression(node)
        if isinstance(node, ast.BoolOp):
            return self.boolean(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            pre, operand = self.expression(node.operand)
            name = self.temporary()
            return pre + [_if(node, operand, [_assign(node, name, ast.Constant(False))],
                              [_assign(node, name, ast.Constant(True))])], _load(node, name)
        if isinstance(node, ast.Compare) and len(node.ops) > 1:
            return self.chain(node)
        if isinstance(node, NESTED_SCOPES):
            return [], node
        pre: list[ast.stmt] = []
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.expr):
                before, replaced = self.expression(value)
                pre += before
                setattr(node, field, replaced)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, ast.expr):
                        before, value[index] = self.expression(item)
                        pre += before
        return pre, node

    def if_expression(self, node: ast.IfExp) -> tuple[list[ast.stmt], ast.expr]:
        pre, test = self.expression(node.test)
        name = self.temporary()
        then_pre, then_value = self.expression(node.body)
        else_pre, else_value = self.expression(node.orelse)
        branch = _if(node, test, then_pre + [_assign(node, name, then_value)],
                     else_pre + [_assign(node, name, else_value)])
        return pre + [branch], _load(node, name)

    def boolean(self, node: ast.BoolOp) -> tuple[list[ast.stmt], ast.expr]:
        """``a and b``: ``t = a; if t: t = b``; ``a or b``: ``t = a; if t: pass else: t = b``."""
        pre, first = self.expression(node.values[0])
        name = self.temporary()
        pre.append(_assign(node, name, first))
        rest = (node.values[1] if len(node.values) == 2
                else ast.copy_location(ast.BoolOp(node.op, node.values[1:]), node))
        rest_pre, rest_value = self.expression(rest)
        go_on = rest_pre + [_assign(node, name, rest_value)]
        stop = [ast.copy_location(ast.Pass(), node)]
        and_ = isinstance(node.op, ast.And)
        pre.append(_if(node, _load(node, name), go_on if and_ else stop, [] if and_ else go_on))
        return pre, _load(node, name)

    def chain(self, node: ast.Compare) -> tuple[list[ast.stmt], ast.expr]:
        """``a < b < c``: ``l = a; r = b; t = l < r; if t: (r2 = c; t = r < r2)``, each operand evaluated once."""
        pre, left = self.expression(node.left)
        result = self.temporary()
        left_name = self.temporary()
        pre.append(_assign(node, left_name, left))
        statements, tail = pre, None
        for index, (op, comparator) in enumerate(zip(node.ops, node.comparators)):
            steps, right = self.expression(comparator)
            right_name = self.temporary()
            steps.append(_assign(node, right_name, right))
            compare = ast.copy_location(ast.Compare(_load(node, left_name), [op], [_load(node, right_name)]), node)
            steps.append(_assign(node, result, compare))
            following = _if(node, _load(node, result), [], []) if index < len(node.ops) - 1 else None
            if following is not None:
                steps.append(following)
            if tail is None:
                statements += steps
            else:
                tail.body = steps
            tail = following
            left_name = right_name
        return statements, _load(node, result)


def single_return(body: list[ast.stmt]) -> list[ast.stmt]:
    """A function body whose returns end ``if`` branches, as one ending in its only ``return fxn_result``.

    Unchanged if it has no ``return`` but a last one (or none at all).
    """
    if not any(_returns_somewhere(s) for s in body[:-1]) and not _nested_return(body[-1:]):
        return body
    rewritten, _ = _assign_results(body)
    anchor = body[-1]
    return rewritten + [ast.copy_location(ast.Return(_load(anchor, RESULT)), anchor)]


def _assign_results(statements: list[ast.stmt]) -> tuple[list[ast.stmt], bool]:
    """``statements`` with each ``return v`` made ``fxn_result = v`` and what follows a return on its path only.

    Also says whether every path through them returns.
    """
    out: list[ast.stmt] = []
    for index, statement in enumerate(statements):
        if isinstance(statement, ast.Return):
            value = statement.value if statement.value is not None else ast.Constant(None)
            out.append(_assign(statement, RESULT, value))
            return out, True
        if isinstance(statement, ast.If) and (_returns_somewhere(statement)):
            rest = statements[index + 1:]
            body, body_returns = _assign_results(statement.body + copy.deepcopy(rest))
            orelse, else_returns = _assign_results(statement.orelse + copy.deepcopy(rest))
            out.append(ast.copy_location(ast.If(statement.test, body or [_pass(statement)], orelse), statement))
            return out, body_returns and else_returns
        out.append(statement)
    return out, False


def _returns_somewhere(statement: ast.stmt) -> bool:
    """Whether an ``if`` statement (or a return) returns on some path, loops aside."""
    if isinstance(statement, ast.Return):
        return True
    if isinstance(statement, ast.If):
        return any(_returns_somewhere(s) for s in statement.body + statement.orelse)
    return False


def _nested_return(statements: list[ast.stmt]) -> bool:
    return any(isinstance(s, ast.If) and _returns_somewhere(s) for s in statements)


def _if(node: ast.AST, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt]) -> ast.If:
    return ast.copy_location(ast.If(test, body or [_pass(node)], orelse), node)


def _pass(node: ast.AST) -> ast.Pass:
    return ast.copy_location(ast.Pass(), node)


def _assign(node: ast.AST, name: str, value: ast.expr) -> ast.Assign:
    statement = ast.Assign([ast.copy_location(ast.Name(name, ast.Store()), node)], value)
    return ast.fix_missing_locations(ast.copy_location(statement, node))


def _load(node: ast.AST, name: str) -> ast.Name:
    return ast.copy_location(ast.Name(name, ast.Load()), node)


# ----------------------------------------------------------------------------- jumps


def lower_jumps(body: list[ast.stmt]) -> list[ast.stmt]:
    """A function body whose loops hold no ``break``, ``continue`` or ``return`` (see the module docstring)."""
    jumps = _Jumps()
    body = jumps.block(body, in_loop=False, read_after=set())
    if jumps.returns_in_loops:
        first = body[0] if body else None
        body = [_assign(first, RETURNED, ast.Constant(False))] + _guard(body, RETURNED, _sets_returned)
    return body


class _Jumps:
    def __init__(self):
        self.counter = itertools.count()
        self.returns_in_loops = False

    def block(self, statements: list[ast.stmt], in_loop: bool, read_after: set[str]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for index, statement in enumerate(statements):
            later = read_after | read_before_assigned(statements[index + 1:])
            out += self.statement(statement, in_loop, later)
        return out

    def statement(self, statement: ast.stmt, in_loop: bool, read_after: set[str]) -> list[ast.stmt]:
        if isinstance(statement, ast.Return) and in_loop:
            self.returns_in_loops = True
            value = statement.value if statement.value is not None else ast.Constant(None)
            return [_assign(statement, RESULT, value), _assign(statement, RETURNED, ast.Constant(True)),
                    ast.copy_location(ast.Break(), statement)]
        if isinstance(statement, ast.If):
            statement.body = self.block(statement.body, in_loop, read_after)
            statement.orelse = self.block(statement.orelse, in_loop, read_after)
            return [statement]
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            statement.body = self.block(statement.body, in_loop, read_after)
            return [statement]
        if isinstance(statement, (ast.For, ast.While)):
            return self.loop(statement, in_loop, read_after)
        return [statement]

    def loop(self, loop, in_loop: bool, read_after: set[str]) -> list[ast.stmt]:
        # After the body: the rest of this iteration's body is gone by then; the next iteration starts it again.
        loop.body = self.block(loop.body, in_loop=True, read_after=read_before_assigned(loop.body) | read_after)
        number = next(self.counter)
        breaks, continues = _jumps_of(loop.body, ast.Break), _jumps_of(loop.body, ast.Continue)
        before: list[ast.stmt] = []
        after: list[ast.stmt] = []
        if isinstance(loop, ast.For):
            call = _range_call(loop)
            if call is None or not (breaks or loop.orelse or not _positive_literal_step(call)
                                    or loop.target.id in read_after):
                if breaks or continues:
                    loop = self.flagged(loop, number, breaks, continues, before)
                return before + [loop] + after
            loop, before = self.range_as_while(loop, call, number)
        loop = self.flagged(loop, number, breaks, continues, before)
        if loop.orelse:  # it runs when the loop ends without a break
            orelse, loop.orelse = loop.orelse, []
            after += [_if(loop, _load(loop, f"fxn_break_{number}"), [], orelse)] if breaks else orelse
        if in_loop and _sets_returned(loop):
            after.append(_if(loop, _load(loop, RETURNED), [ast.copy_location(ast.Break(), loop)], []))
        return before + [loop] + after

    def flagged(self, loop, number: int, breaks: bool, continues: bool, before: list[ast.stmt]):
        """``loop`` with its ``break`` and ``continue`` made flags guarding the rest of its body (and its test)."""
        if continues:
            flag = f"fxn_continue_{number}"
            loop.body = [_assign(loop, flag, ast.Constant(False))] + _guard(
                _replace_jumps(loop.body, ast.Continue, flag), flag, lambda s: _assigns_flag(s, flag))
        if breaks:
            flag = f"fxn_break_{number}"
            before.append(_assign(loop, flag, ast.Constant(False)))
            loop.body = _guard(_replace_jumps(loop.body, ast.Break, flag), flag, lambda s: _assigns_flag(s, flag))
            if isinstance(loop, ast.While):
                go = f"fxn_go_{number}"
                test_statements = getattr(loop, "fxn_test_statements", [])
                loop.fxn_test_statements = [_if(loop, _load(loop, flag), [_assign(loop, go, ast.Constant(False))],
                                                 test_statements + [_assign(loop, go, loop.test)])]
                loop.test = _load(loop, go)
        return loop

    def range_as_while(self, loop: ast.For, call: ast.Call, number: int) -> tuple[ast.While, list[ast.stmt]]:
        """``for t in range(a, b, c): body`` as ``while`` over a hidden index, and the statements before it."""
        arguments = list(call.args)
        start = arguments[0] if len(arguments) > 1 else ast.Constant(0)
        stop = arguments[1] if len(arguments) > 1 else arguments[0]
        step = arguments[2] if len(arguments) > 2 else ast.Constant(1)
        index, bound, stride = (f"fxn_{what}_{number}" for what in ("index", "stop", "step"))
        before = [_assign(loop, index, start), _assign(loop, bound, stop), _assign(loop, stride, step)]
        ascending = ast.copy_location(ast.Compare(_load(loop, index), [ast.Lt()], [_load(loop, bound)]), loop)
        descending = ast.copy_location(ast.Compare(_load(loop, index), [ast.Gt()], [_load(loop, bound)]), loop)
        literal = literal_int(step)
        if literal is not None:
            test = ascending if literal > 0 else descending
        else:
            positive = ast.copy_location(ast.Compare(_load(loop, stride), [ast.Gt()], [ast.Constant(0)]), loop)
            negative = ast.copy_location(ast.Compare(_load(loop, stride), [ast.Lt()], [ast.Constant(0)]), loop)
            test = ast.copy_location(ast.IfExp(positive, ascending, ast.copy_location(
                ast.BoolOp(ast.And(), [negative, descending]), loop)), loop)
        step_forward = ast.copy_location(ast.BinOp(_load(loop, index), ast.Add(), _load(loop, stride)), loop)
        body = [ast.fix_missing_locations(ast.copy_location(
                    ast.Assign([loop.target], _load(loop, index)), loop.target)),
                _assign(loop, index, step_forward)] + loop.body
        while_loop = ast.copy_location(ast.While(ast.fix_missing_locations(test), body, loop.orelse), loop)
        return while_loop, before


def _range_call(loop: ast.For) -> ast.Call | None:
    call = loop.iter
    if (isinstance(loop.target, ast.Name) and isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == "range" and not call.keywords and 1 <= len(call.args) <= 3
            and not any(isinstance(a, ast.Starred) for a in call.args)):
        return call
    return None


def _positive_literal_step(call: ast.Call) -> bool:
    return len(call.args) < 3 or (literal_int(call.args[2]) or 0) > 0


def _own_nodes(statements: list[ast.stmt]):
    """The statements and their nested statements, loops' bodies and nested definitions excluded."""
    pending = list(statements)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If):
            pending += node.body + node.orelse
        elif isinstance(node, (ast.With, ast.AsyncWith, ast.Try)):
            pending += node.body


def _jumps_of(statements: list[ast.stmt], kind) -> bool:
    return any(isinstance(node, kind) for node in _own_nodes(statements))


def _replace_jumps(statements: list[ast.stmt], kind, flag: str) -> list[ast.stmt]:
    """``statements`` with each jump of ``kind`` of this loop made ``flag = True``."""
    out = []
    for statement in statements:
        if isinstance(statement, kind):
            out.append(_assign(statement, flag, ast.Constant(True)))
        elif isinstance(statement, ast.If):
            statement.body = _replace_jumps(statement.body, kind, flag)
            statement.orelse = _replace_jumps(statement.orelse, kind, flag)
            out.append(statement)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            statement.body = _replace_jumps(statement.body, kind, flag)
            out.append(statement)
        else:
            out.append(statement)
    return out


def _assigns_flag(statement: ast.stmt, flag: str) -> bool:
    """Whether ``statement`` may set ``flag`` (outside nested loops, which have flags of their own)."""
    return any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == flag for t in node.targets)
               for node in _own_nodes([statement]))


def _sets_returned(statement: ast.stmt) -> bool:
    """Whether ``statement`` may set ``fxn_returned`` (loops included)."""
    return any(isinstance(node, ast.Name) and node.id == RETURNED and isinstance(node.ctx, ast.Store)
               for node in ast.walk(statement))


def _guard(statements: list[ast.stmt], flag: str, may_set) -> list[ast.stmt]:
    """``statements`` where what follows a statement that may set ``flag`` runs only while it is false."""
    out: list[ast.stmt] = []
    for index, statement in enumerate(statements):
        if isinstance(statement, ast.If) and may_set(statement):
            statement.body = _guard(statement.body, flag, may_set)
            statement.orelse = _guard(statement.orelse, flag, may_set)
        elif isinstance(statement, (ast.With, ast.AsyncWith)) and may_set(statement):
            statement.body = _guard(statement.body, flag, may_set)
        out.append(statement)
        rest = statements[index + 1:]
        if rest and may_set(statement):
            out.append(_if(statement, _load(statement, flag), [], _guard(rest, flag, may_set)))
            break
    return out
