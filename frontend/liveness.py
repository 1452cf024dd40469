"""Which local names Python statements read and assign: the static analysis behind the AST path.

Names are those of the function's own scope: a lambda's or comprehension's
variables and a nested function's locals are not assignments of the
function, but the names they read from it are reads. The analysis is
conservative where control flow makes it uncertain: a name counts as read
before being assigned unless every path assigns it first.
"""

from __future__ import annotations

import ast

_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: Nodes that open a scope of their own: the AST rewrites leave their insides as written.
NESTED_SCOPES = _SCOPES + _DEFINITIONS


def reads(node) -> set[str]:
    """Names ``node`` (a statement, expression or list of them) loads, nested scopes included."""
    names = set()
    for child in _walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            names.add(child.id)
        elif isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Name):
            names.add(child.target.id)
    return names


def assigned(node) -> set[str]:
    """Names ``node`` (a statement or list of statements) may bind in the function's scope."""
    names = set()
    for child in _walk(node, into_scopes=False):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, _DEFINITIONS):
            names.add(child.name)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in child.names)
        elif isinstance(child, ast.NamedExpr):
            names.add(child.target.id)
    return names


def definitely_assigned(statement: ast.stmt) -> set[str]:
    """Names every execution of ``statement`` binds (both branches of an ``if``; nothing for loops)."""
    if isinstance(statement, ast.If):
        return _all_assigned(statement.body) & _all_assigned(statement.orelse)
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return _all_assigned(statement.body) | assigned(statement.items)
    if isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.Try)):
        return set()
    return assigned(statement)


def _all_assigned(statements: list[ast.stmt]) -> set[str]:
    names = set()
    for statement in statements:
        names |= definitely_assigned(statement)
    return names


def read_before_assigned(statements: list[ast.stmt]) -> set[str]:
    """Names some path through ``statements`` reads before the statements assign them."""
    exposed, bound = set(), set()
    for statement in statements:
        exposed |= _statement_reads(statement) - bound
        bound |= definitely_assigned(statement)
    return exposed


def _statement_reads(statement: ast.stmt) -> set[str]:
    if isinstance(statement, ast.If):
        return reads(statement.test) | read_before_assigned(statement.body) | read_before_assigned(statement.orelse)
    if isinstance(statement, ast.While):
        test = getattr(statement, "fxn_test_statements", [])
        return read_before_assigned([*test, ast.Expr(statement.test)]) | read_before_assigned(statement.body)
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        # The body runs after the target is bound.
        body = read_before_assigned(statement.body) - assigned(statement.target)
        return reads(statement.iter) | body | read_before_assigned(statement.orelse)
    return reads(statement)


def live_after(statements: list[ast.stmt], index: int, live_at_end: set[str]) -> set[str]:
    """Names that may be read after ``statements[index]`` (``live_at_end``: those read after the list)."""
    return read_before_assigned(statements[index + 1 :]) | live_at_end


def own_statements(function: ast.FunctionDef):
    """Every statement of ``function``'s body, those of nested definitions excluded."""
    pending = list(function.body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, _DEFINITIONS):
            pending.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt))


def own_nodes(statements: list[ast.stmt]):
    """Every node of ``statements`` outside nested scopes (:data:`NESTED_SCOPES`)."""
    pending = list(statements)
    while pending:
        node = pending.pop()
        yield node
        pending.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, NESTED_SCOPES))


class OwnCodeTransformer(ast.NodeTransformer):
    """A ``NodeTransformer`` of a function's own code: nested scopes (:data:`NESTED_SCOPES`) stay as they are,
    since they are called, not traced, where they stand."""

    def visit(self, node):
        return node if isinstance(node, NESTED_SCOPES) else super().visit(node)

    def block(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        """``statements``, each transformed."""
        return [self.visit(statement) for statement in statements]


def literal_int(node: ast.expr) -> int | None:
    """The value of an int literal, negative ones (``-3``) included; None for anything else."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and literal_int(node.operand) is not None:
        return -literal_int(node.operand)
    return None


def range_call(statement: ast.stmt) -> ast.Call | None:
    """The ``range(...)`` call of ``for <name> in range(...)``, else None."""
    if isinstance(statement, ast.For) and isinstance(statement.iter, ast.Call):
        call = statement.iter
        if isinstance(call.func, ast.Name) and call.func.id == "range" and not call.keywords:
            return call
    return None


def local_names(function: ast.FunctionDef) -> set[str]:
    """The parameters and assigned names of ``function``."""
    arguments = function.args
    parameters = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
    return parameters | assigned(function.body)


def _walk(node, into_scopes: bool = True):
    """``ast.walk`` over a node or list of nodes; with ``into_scopes=False`` nested scopes stay closed."""
    pending = list(node) if isinstance(node, list) else [node]
    while pending:
        current = pending.pop()
        yield current
        if not into_scopes and isinstance(current, NESTED_SCOPES):
            # Their defaults and decorators are evaluated in this scope; the rest is not.
            if isinstance(current, _DEFINITIONS):
                pending.extend(current.decorator_list)
            continue
        pending.extend(ast.iter_child_nodes(current))
        # A while loop's test statements (see .desugar) run before each test: they are part of the loop.
        pending.extend(getattr(current, "fxn_test_statements", ()))
