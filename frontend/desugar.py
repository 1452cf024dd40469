"""AST rewrites that leave the AST path (:mod:`.loops`) fewer kinds of control flow to emit.

Both keep Python's meaning, evaluation order and short-circuiting; the
nodes they create carry the location of the code they replace.

- :func:`hoist_conditionals`: ``a if c else b``, ``a and b``, ``a or b``,
  ``not a`` and chained comparisons ``a < b < c`` in a statement's own
  expressions (not inside a lambda, comprehension or nested function)
  become ``if`` statements that assign a temporary ``fxn_cond_<n>``, placed
  before the statement. An operand is evaluated only on the path where
  Python evaluates it (``b`` of ``a and b`` only where ``a`` is true), and a
  chained comparison evaluates each middle operand once. The statements a
  ``while`` test needs are kept on the loop, in ``fxn_test_statements``: they
  run before each evaluation of the test.
- :func:`single_return`: a function whose ``return`` statements end
  branches of ``if`` statements becomes one whose only ``return`` is its
  last statement, returning ``fxn_result``: the statements after an ``if``
  one of whose branches returns move into the paths that do not return
  (copied where several paths go on). A ``return`` inside a loop is left
  where it is (the emitter refuses it).

Then every ``if`` has a plain name or expression without conditionals as
its test, which the emitter evaluates once and branches on: at trace time
if it is a Python value, with ``scf.if`` if it is known only at run time.
"""

from __future__ import annotations

import ast
import copy
import itertools

#: The name the single return of :func:`single_return` returns.
RESULT = "fxn_result"
_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.FunctionDef,
           ast.AsyncFunctionDef, ast.ClassDef)


def hoist_conditionals(statements: list[ast.stmt]) -> list[ast.stmt]:
    """``statements`` with their conditional expressions made ``if`` statements (see the module docstring)."""
    return _Hoister().block(statements)


class _Hoister:
    def __init__(self):
        self.counter = itertools.count()

    def temporary(self) -> str:
        return f"fxn_cond_{next(self.counter)}"

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
            statement.fxn_test_statements, statement.test = self.expression(statement.test)
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
        if isinstance(node, _SCOPES):
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
        branch = _if(node, test, then_pre + [_assign(node, name, then_value)], else_pre + [_assign(node, name, else_value)])
        return pre + [branch], _load(node, name)

    def boolean(self, node: ast.BoolOp) -> tuple[list[ast.stmt], ast.expr]:
        """``a and b``: ``t = a; if t: t = b``; ``a or b``: ``t = a; if t: pass else: t = b``."""
        pre, first = self.expression(node.values[0])
        name = self.temporary()
        pre.append(_assign(node, name, first))
        rest = node.values[1] if len(node.values) == 2 else ast.copy_location(ast.BoolOp(node.op, node.values[1:]), node)
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
