"""The AST rewrite of subscripts into calls of :mod:`.indexing`, so that a run-time index can be traced.

On the AST path every subscript of the function's own code (not inside a
lambda, comprehension or nested function) becomes a call, except loads
whose key is constant (``x[0]``, ``x[1:3]``, ``os.environ["K"]``), which
torch, NumPy or Python do as written::

    x[i, 1:n]          ->  fxn_getitem(x, (i, fxn_slice(1, n, None)))
    out[i] = v         ->  out = fxn_setitem(out, i, v)
    a[i][j] = v        ->  a = fxn_setitem(a, i, fxn_setitem(fxn_getitem(a, i), j, v))
    out[k(i)] += v     ->  fxn_key_0 = k(i); out = fxn_setitem(out, fxn_key_0, fxn_getitem(out, fxn_key_0) + v)
    a[i], a[j] = a[j], a[i]
                       ->  fxn_store_0 = (a[j], a[i]); a = fxn_setitem(a, i, fxn_store_0[0]); ...

A store thus rebinds the name it stores into, which the liveness analysis
sees as an assignment: an array stored into in a loop is carried by the
loop. The calls decide at trace time whether torch or NumPy index as usual
or a window op is needed (see :mod:`.indexing`). Stores into an attribute
or another expression (``self.x[i] = v``) and ``del x[i]`` are left as
written. Python evaluates a store's value before its key; the rewrite
evaluates the key of an augmented store once, into ``fxn_key_<n>``.
"""

from __future__ import annotations

import ast
import copy
import itertools

from .liveness import NESTED_SCOPES, OwnCodeTransformer, literal_int, own_nodes
from .source import function_node

#: The names the rewritten code calls, and what they are bound to (closure values of each segment).
GETITEM, SETITEM, SLICE, NEW_ARRAY = "fxn_getitem", "fxn_setitem", "fxn_slice", "fxn_new_array"
HELPER_NAMES = (GETITEM, SETITEM, SLICE, NEW_ARRAY)


def helpers() -> dict:
    """The values of the names the rewritten code calls."""
    from . import indexing

    return {GETITEM: indexing.getitem, SETITEM: indexing.setitem, SLICE: indexing.Slice, NEW_ARRAY: indexing.new_array}


def needs_rewrite(fn) -> bool:
    """Whether ``fn`` stores into a subscript of a name, indexes with a key that is not all literals, or calls an
    array factory (``np.zeros(n)``) with a shape that is not literal.

    Such a function takes the AST path, where :func:`rewrite` applies.
    """
    function = function_node(fn)
    if function is None:
        return False
    for node in own_nodes(function.body):
        if isinstance(node, ast.Subscript):
            if isinstance(node.ctx, ast.Store) and _root_name(node) is not None:
                return True
            if isinstance(node.ctx, ast.Load) and not _literal_key(node.slice):
                return True
        if isinstance(node, ast.Call) and _factory_name(node) and not all(_literal(a) for a in node.args[:1]):
            return True
    return False


#: The array factories (NumPy's and torch's) whose calls are rewritten, and the value they fill with (None: given).
FACTORIES = {"zeros": 0, "ones": 1, "empty": None, "full": None}


def _factory_name(call: ast.Call) -> str | None:
    """``zeros`` of ``np.zeros(...)`` or ``zeros(...)`` if it names one of :data:`FACTORIES`."""
    function = call.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    return name if name in FACTORIES else None


def _literal(node: ast.expr) -> bool:
    """An int literal or a tuple or list of them."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(literal_int(e) is not None for e in node.elts)
    return literal_int(node) is not None


def rewrite(statements: list[ast.stmt]) -> list[ast.stmt]:
    """``statements`` with their subscripts made calls (see the module docstring)."""
    return _Rewriter().block(statements)


def _literal_key(key: ast.expr) -> bool:
    """Whether ``key`` is made of int literals, ``None``, ``...`` and slices of them with positive steps."""
    if isinstance(key, ast.Tuple):
        return all(_literal_key(k) for k in key.elts)
    if isinstance(key, ast.Slice):
        step_ok = key.step is None or (literal_int(key.step) or 0) > 0
        return all(b is None or literal_int(b) is not None for b in (key.lower, key.upper)) and step_ok
    return isinstance(key, ast.Constant) and (key.value is None or key.value is Ellipsis) or literal_int(key) is not None


def _constant_key(key: ast.expr) -> bool:
    """A :func:`_literal_key`, or a constant of another kind (``d["k"]``): a load torch or Python does as written."""
    return _literal_key(key) or isinstance(key, ast.Constant)


def _root_name(target: ast.expr) -> str | None:
    """The name at the bottom of a chain of subscripts (``a`` of ``a[i][j]``), else None."""
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


class _Rewriter(OwnCodeTransformer):  # nested scopes keep their subscripts
    def __init__(self):
        self.counter = itertools.count()

    def temporary(self, kind: str) -> str:
        return f"fxn_{kind}_{next(self.counter)}"

    def block(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for statement in statements:
            out += self.statement(statement)
        return out

    def statement(self, statement: ast.stmt) -> list[ast.stmt]:
        if isinstance(statement, NESTED_SCOPES):
            return [statement]
        if isinstance(statement, ast.Assign) and any(self.stored(t) for t in statement.targets):
            return self.assign(statement)
        if isinstance(statement, ast.AugAssign) and self.stored(statement.target):
            return self.augmented(statement)
        if isinstance(statement, ast.AnnAssign) and self.stored(statement.target) and statement.value is not None:
            assign = ast.copy_location(ast.Assign([statement.target], statement.value), statement)
            return self.assign(assign)
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(statement, field, None), list):
                setattr(statement, field, self.block(getattr(statement, field)))
        for field, value in ast.iter_fields(statement):
            if isinstance(value, ast.expr) and field != "annotation":
                setattr(statement, field, self.expression(value))
        return [statement]

    @staticmethod
    def stored(target: ast.expr) -> bool:
        """Whether ``target`` (an assignment target) stores into a subscript of a name, maybe inside a tuple."""
        if isinstance(target, (ast.Tuple, ast.List)):
            return any(_Rewriter.stored(t) for t in target.elts)
        return isinstance(target, ast.Subscript) and _root_name(target) is not None

    # -- expressions -----------------------------------------------------------

    def expression(self, node: ast.expr) -> ast.expr:
        return self.visit(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        """``np.zeros(n)`` (any ``<module>.<factory>`` or bare factory name) -> ``fxn_new_array("zeros", np.zeros, n)``."""
        node = self.generic_visit(node)
        name = _factory_name(node)
        if name is None:
            return node
        call = ast.Call(ast.Name(NEW_ARRAY, ast.Load()), [ast.Constant(name), node.func, *node.args], node.keywords)
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if not isinstance(node.ctx, ast.Load) or _constant_key(node.slice):
            return self.generic_visit(node)  # x[0], x[1:3], os.environ["K"]: as written
        value = self.visit(node.value)
        return _call(node, GETITEM, [value, self.key(node.slice)])

    def key(self, key: ast.expr) -> ast.expr:
        """``key`` as a value: slices become ``fxn_slice(lower, upper, step)``."""
        if isinstance(key, ast.Slice):
            parts = [self.visit(p) if p is not None else ast.Constant(None) for p in (key.lower, key.upper, key.step)]
            return _call(key, SLICE, parts)
        if isinstance(key, ast.Tuple):
            return ast.copy_location(ast.Tuple([self.key(k) for k in key.elts], ast.Load()), key)
        return self.visit(key)

    # -- stores -----------------------------------------------------------------

    def assign(self, statement: ast.Assign) -> list[ast.stmt]:
        """``t1 = t2 = value``: the value once (into a temporary if several targets), then each target."""
        value = self.expression(statement.value)
        if len(statement.targets) == 1 and not isinstance(statement.targets[0], (ast.Tuple, ast.List)):
            return self.store(statement.targets[0], value, statement)
        name = self.temporary("store")
        out = [_assign(statement, name, value)]
        for target in statement.targets:
            out += self.store(target, _load(statement, name), statement)
        return out

    def store(self, target: ast.expr, value: ast.expr, at: ast.stmt) -> list[ast.stmt]:
        """Statements storing ``value`` (an expression evaluated once) into ``target``."""
        if isinstance(target, (ast.Tuple, ast.List)):
            if not self.stored(target):
                return [ast.copy_location(ast.Assign([target], value), at)]
            if any(isinstance(t, ast.Starred) for t in target.elts):
                return [ast.copy_location(ast.Assign([target], value), at)]
            name = self.temporary("store")
            out = [_assign(at, name, value)]
            for position, element in enumerate(target.elts):
                element_value = _call(at, GETITEM, [_load(at, name), ast.Constant(position)])
                out += self.store(element, element_value, at)
            return out
        if isinstance(target, ast.Subscript) and _root_name(target) is not None:
            return [_assign(at, _root_name(target), self.updated(target, value))]
        return [ast.copy_location(ast.Assign([target], value), at)]

    def updated(self, target: ast.Subscript, value: ast.expr) -> ast.expr:
        """The new value of the root name of ``target`` once ``value`` is stored into ``target``."""
        container = target.value
        if isinstance(container, ast.Name):
            return _call(target, SETITEM, [_load(container, container.id), self.key(target.slice), value])
        new = _call(target, SETITEM, [self.visit(_as_load(container)), self.key(target.slice), value])
        return self.updated(container, new)

    def augmented(self, statement: ast.AugAssign) -> list[ast.stmt]:
        """``t op= v``: the keys of ``t`` once into temporaries, then ``t = t op v``."""
        pre: list[ast.stmt] = []
        target = statement.target

        def bind_keys(node: ast.expr) -> ast.expr:
            if not isinstance(node, ast.Subscript):
                return node
            inner = bind_keys(node.value)
            key = node.slice
            if not _literal_key(key) and not isinstance(key, ast.Name):
                name = self.temporary("key")
                pre.append(_assign(statement, name, self.key(key)))
                key = _load(statement, name)
            return ast.copy_location(ast.Subscript(inner, key, node.ctx), node)

        target = bind_keys(target)
        combined = ast.copy_location(ast.BinOp(_as_load(target), statement.op, statement.value), statement)
        assign = ast.copy_location(ast.Assign([target], combined), statement)
        return pre + self.assign(assign)


def _as_load(node: ast.expr) -> ast.expr:
    """A copy of a target expression that reads it (``ctx`` Load throughout)."""
    copied = copy.deepcopy(node)
    for child in ast.walk(copied):
        if hasattr(child, "ctx"):
            child.ctx = ast.Load()
    return copied


def _call(at: ast.AST, name: str, arguments: list[ast.expr]) -> ast.Call:
    call = ast.Call(ast.Name(name, ast.Load()), arguments, [])
    return ast.fix_missing_locations(ast.copy_location(call, at))


def _load(at: ast.AST, name: str) -> ast.Name:
    return ast.copy_location(ast.Name(name, ast.Load()), at)


def _assign(at: ast.AST, name: str, value: ast.expr) -> ast.Assign:
    assign = ast.Assign([ast.Name(name, ast.Store())], value)
    return ast.fix_missing_locations(ast.copy_location(assign, at))
