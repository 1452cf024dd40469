"""Python's ``str`` in captured functions: a :class:`String` for each run-time string, its operations as fxn ops.

A ``str`` parameter is a :class:`String` while :mod:`.number_capture`
calls the function (alongside a ``Number`` for each number): an operator
of a String builds its op of :mod:`fxn.dialects.string` at once, located at
the user's expression, as a Number's does. Python gives some syntax no
method a proxy can answer with a proxy (an f-string's pieces must be
``str``, ``len()`` an ``int``, ``in`` a ``bool``), so :func:`rewritten`
compiles the function again from its source with those made calls of the
functions here (:data:`HELPERS`), which build ops for run-time values and
do what Python does for the others:

- ``f"Hello {name}!"`` is ``fxn.str_concat`` of its pieces: constant text
  (``fxn.str_constant``), strings as they are or through ``fxn.format``
  with a spec (``f"{name:>10}"``), numbers through ``fxn.format``
  (``f"{n:08x}"``, ``f"{flag}"``: see :mod:`fxn.dialects.format_spec`); a
  format spec is a Python value when the function is traced
  (``f"{n:{width}}"`` with a constant ``width``); ``!s`` formats a number's
  ``str``;
- ``a + b`` of strings (or of a string and a constant) is ``fxn.str_concat``;
- ``len(s)`` is ``fxn.str_len`` (code points), an int;
- ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` of strings are ``fxn.str_compare``;
- ``needle in s`` and ``not in`` are ``fxn.str_contains``;
- ``s[i]`` and ``s[a:b]`` (run-time or constant bounds, no step) are
  ``fxn.str_at`` and ``fxn.str_slice``, in code points;
- ``s.startswith(p)`` and ``s.endswith(p)`` are ``fxn.str_starts_with`` and
  ``fxn.str_ends_with``;
- ``str(x)`` and ``format(x, spec)`` of a string or number, as the f-string's;
- ``int(s)`` is ``fxn.str_to_int`` into fxn's ``int`` (text that is no
  integer, or one beyond its range, is a ``ValueError`` when the compiled
  code runs); ``float(s)`` is ``fxn.str_to_float`` into fxn's ``float``;
- ``s.upper()``/``s.lower()`` are ``fxn.str_case``; ``s.strip(chars)``,
  ``lstrip``, ``rstrip`` are ``fxn.str_strip`` (no ``chars``: every
  Unicode whitespace); ``s.replace(old, new, count)`` is
  ``fxn.str_replace``;
- ``s.split(sep, maxsplit)`` is a :class:`SplitParts`, which ``len()``
  (``fxn.str_split_count``), an item (``fxn.str_split_part``) and
  ``joiner.join()`` (``fxn.str_replace``) take apart; ``joiner.join(parts)``
  of a list or tuple is ``fxn.str_concat`` with the joiner between (every
  call of a method ``join`` is rewritten, and is the receiver's own unless
  run-time strings are involved).

What a String cannot do (another method, a branch on it, indexing,
``!r``) raises a :class:`~.errors.UnsupportedOperation` naming the user's
file, line and expression. The rewrite covers the function's own code
(its comprehensions and nested functions included); an f-string of a run-time
value in a helper it calls is refused at its line.
"""

from __future__ import annotations

import ast
import builtins
import copy
import sys

from fxn.dialects.elementwise import SubOp
from fxn.dialects.string import (PARSED_FLOAT_DTYPES, PARSED_INT_DTYPES, FormatOp, StrAtOp, StrCaseOp, StrCompareOp,
                                 StrConcatOp, StrConstantOp, StrContainsOp, StrEndsWithOp, StrLenOp, StrReplaceOp,
                                 StrSliceOp, StrSplitCountOp, StrSplitPartOp, StrStartsWithOp, StrStripOp,
                                 StrToFloatOp, StrToIntOp)
from fxn.dialects.types import VerifyError

from . import emit
from .errors import UnsupportedOperation
from .liveness import assigned
from .source import Position, _internal_folders, code_position, describe, function_node


class StringError(Exception):
    """A captured function does something with a run-time str that fxn cannot compile; the message says what."""


class String:
    """A string the captured function computes with: a ``tensor<?xui8>`` fxn value (its UTF-8 bytes)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __add__(self, other):
        return concat([self, _text_operand(other, "+")])

    def __radd__(self, other):
        return concat([_text_operand(other, "+"), self])

    def _compare(self, other, predicate: str):
        if not isinstance(other, (String, str)):
            if predicate in ("eq", "ne"):
                return predicate == "ne"  # Python: a str never equals a number
            raise StringError(f"'{_OPERATORS[predicate]}' between a str and a {_type_name(other)}")
        with user_location():
            return _number(StrCompareOp.build(self.value, string_value(other), predicate=predicate))

    def __eq__(self, other):
        return self._compare(other, "eq")

    def __ne__(self, other):
        return self._compare(other, "ne")

    def __lt__(self, other):
        return self._compare(other, "lt")

    def __le__(self, other):
        return self._compare(other, "le")

    def __gt__(self, other):
        return self._compare(other, "gt")

    def __ge__(self, other):
        return self._compare(other, "ge")

    __hash__ = None

    def __bool__(self):
        from .number_capture import Branch

        raise Branch(sys._getframe(1))  # the AST path branches on its length

    def __len__(self):
        raise StringError("len() of a run-time str where fxn did not rewrite it (in a helper function)")

    def __contains__(self, item):
        raise StringError("'in' a run-time str where fxn did not rewrite it (in a helper function)")

    def __format__(self, spec):
        raise StringError("an f-string or format() of a run-time str where fxn did not rewrite it (in a helper "
                          "function): use it in the compiled function itself")

    def __str__(self):
        raise StringError("str() of a run-time str where fxn did not rewrite it (in a helper function)")

    __repr__ = __str__

    def __iter__(self):
        raise StringError("iterating over a run-time str is not supported yet")

    def __getitem__(self, key):
        with user_location():
            if isinstance(key, slice):
                if key.step not in (None, 1):
                    raise StringError("a slice of a run-time str with a step is not supported yet")
                start = _index_value(key.start, 0)
                stop = _index_value(key.stop, _I64_MAX)
                return String(StrSliceOp.build(self.value, start, stop))
            return String(StrAtOp.build(self.value, _index_value(key, None)))

    def startswith(self, prefix, *range_):
        return self._affix(StrStartsWithOp, "startswith", prefix, range_)

    def endswith(self, suffix, *range_):
        return self._affix(StrEndsWithOp, "endswith", suffix, range_)

    def _affix(self, op, method: str, text, range_):
        if range_ or not isinstance(text, (String, str)):
            raise StringError(f"str.{method}() of a run-time str takes one str (no tuple, start or end) yet")
        with user_location():
            return _number(op.build(self.value, string_value(text)))

    def upper(self):
        return self._case("upper")

    def lower(self):
        return self._case("lower")

    def _case(self, mode: str):
        with user_location():
            return String(StrCaseOp.build(self.value, mode=mode))

    def strip(self, chars=None):
        return self._strip("both", chars)

    def lstrip(self, chars=None):
        return self._strip("left", chars)

    def rstrip(self, chars=None):
        return self._strip("right", chars)

    def _strip(self, side: str, chars):
        if chars is not None and not isinstance(chars, (String, str)):
            raise StringError(f"strip arg must be None or str, not {_type_name(chars)}")
        with user_location():
            return String(StrStripOp.build(self.value, string_value(WHITESPACE if chars is None else chars),
                                           side=side))

    def replace(self, old, new, count=-1):
        if not isinstance(old, (String, str)) or not isinstance(new, (String, str)):
            raise StringError(f"str.replace() takes two str, not {_type_name(old)} and {_type_name(new)}")
        with user_location():
            return String(StrReplaceOp.build(self.value, string_value(old), string_value(new),
                                             _index_value(count, None)))

    def split(self, sep=None, maxsplit=-1):
        if sep is None:
            raise StringError("str.split() of a run-time str without a separator (at runs of whitespace) is not "
                              "supported yet: give one")
        if not isinstance(sep, (String, str)):
            raise StringError(f"must be str or None, not {_type_name(sep)}")
        with user_location():
            return SplitParts(self.value, string_value(sep), _index_value(maxsplit, None))

    def join(self, parts):
        return join(self, parts)

    def __mul__(self, other):
        raise StringError("repeating a run-time str ('*') is not supported yet")

    __rmul__ = __mul__

    def __mod__(self, other):
        raise StringError("%-formatting a run-time str is not supported (use an f-string)")

    def __getattr__(self, name):
        if hasattr(str, name):
            raise StringError(f"str.{name}() of a run-time str is not supported yet")
        raise AttributeError(f"'str' object has no attribute '{name}'")


_I64_MAX = (1 << 63) - 1
#: What ``str.strip()`` strips without an argument: every code point ``str.isspace`` is true of (spelled out:
#: finding them among all 1.1 million code points took ~0.2 s of every cold start; a test keeps it equal).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class SplitParts:
    """``s.split(sep, maxsplit)`` of a run-time str: a list of strs whose length is known only at run time, so it
    is taken apart where it is used: ``len()`` of it (``fxn.str_split_count``), an item of it
    (``fxn.str_split_part``), ``joiner.join()`` of it (``fxn.str_replace`` of the separators, as many as there are
    parts less one). Anything else (iterating, returning it) is refused."""

    __slots__ = ("string", "sep", "maxsplit")

    def __init__(self, string, sep, maxsplit):
        self.string, self.sep, self.maxsplit = string, sep, maxsplit

    def count(self):
        """The number of parts as a 0-d i64."""
        return StrSplitCountOp.build(self.string, self.sep, self.maxsplit)

    def __getitem__(self, key):
        if isinstance(key, slice):
            raise StringError("a slice of a run-time str.split() is not supported yet (an item, len() or join())")
        with user_location():
            return String(StrSplitPartOp.build(self.string, self.sep, self.maxsplit, _index_value(key, None)))

    def __iter__(self):
        raise StringError("iterating over a run-time str.split() is not supported yet: its number of parts is "
                          "known only at run time (take an item, len() or join() of it)")

    def __len__(self):
        raise StringError("len() of a run-time str.split() where fxn did not rewrite it (in a helper function)")

    def __getattr__(self, name):
        raise StringError(f"a run-time str.split() takes an item, len() or join() (not .{name})")


def _index_value(key, default):
    """An index or slice bound (None: ``default``; a Python int, clamped to i64; a run-time int) as a 0-d i64."""
    from . import emit
    from .number_capture import Number

    if key is None and default is not None:
        key = default
    if isinstance(key, Number):
        if emit.type_of(key.value).dtype not in ("i8", "ui8", "i32", "i64"):
            raise StringError(f"a str index must be an int, not a run-time {emit.type_of(key.value).dtype}")
        return emit.cast(key.value, "i64")
    if isinstance(key, bool) or not isinstance(key, int):
        raise StringError(f"string indices must be integers, not '{type(key).__name__}'")
    return emit.scalar(max(-_I64_MAX - 1, min(key, _I64_MAX)), "i64")


_OPERATORS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _type_name(value) -> str:
    from .number_capture import Number

    if isinstance(value, Number):
        return "run-time number"
    return type(value).__name__


def _text_operand(value, operator: str):
    if isinstance(value, (String, str)):
        return value
    raise StringError(f"'{operator}' of a str and a {_type_name(value)} (Python refuses it too: convert with str() "
                      "or use an f-string)")


def _number(value):
    """The Number a string op's 0-d result is to the captured code."""
    from .number_capture import made

    return made(value, value.owner.name)


def string_value(text):
    """A String's fxn value, or a Python str as a ``fxn.str_constant`` (at the current location)."""
    if isinstance(text, String):
        return text.value
    return StrConstantOp.build(value=text)


def concat(pieces: list):
    """The pieces (Strings and Python strs) joined: a Python str if all are, else ``fxn.str_concat``."""
    pieces = [p for p in pieces if not (isinstance(p, str) and p == "")] or [""]
    if all(isinstance(p, str) for p in pieces):
        return "".join(pieces)
    if len(pieces) == 1:
        return pieces[0]
    with user_location():
        # Neighbouring constants are one constant.
        merged: list = []
        for piece in pieces:
            if merged and isinstance(piece, str) and isinstance(merged[-1], str):
                merged[-1] += piece
            else:
                merged.append(piece)
        return String(StrConcatOp.build([string_value(p) for p in merged]))


# ----------------------------------------------------------------------------- what rewritten code calls


def format_value(value, conversion: int = -1, spec=""):
    """An f-string's ``{value!conversion:spec}`` (``conversion`` as ``ast.FormattedValue`` has it: -1 for none,
    ``ord('s')``, ``ord('r')``, ``ord('a')``) and ``format(value, spec)``."""
    from .number_capture import Number

    if isinstance(spec, (String, Number)):
        raise StringError("a format spec must be known when fxn compiles (a constant), not a run-time value")
    if not isinstance(value, (String, Number)):
        converted = {-1: value, 115: str, 114: repr, 97: ascii}
        return builtins.format(value if conversion == -1 else converted[conversion](value), spec)
    if conversion in (114, 97):
        raise StringError(f"!{chr(conversion)} of a run-time value is not supported yet")
    if isinstance(value, String) and not spec:
        return value
    if conversion == 115 and spec and isinstance(value, Number):
        value = format_value(value, -1, "")  # str(number), then the string's spec
    with user_location():
        try:
            return String(FormatOp.build(value.value, spec=spec))
        except VerifyError as error:
            raise StringError(str(error)) from None


def join_pieces(*pieces):
    """An f-string: its pieces (constant text and formatted values) joined."""
    return concat(list(pieces))


def length(value):
    """``len(value)``: ``fxn.str_len`` of a String, ``fxn.str_split_count`` of its split, else Python's."""
    if isinstance(value, String):
        with user_location():
            return _number(StrLenOp.build(value.value))
    if isinstance(value, SplitParts):
        with user_location():
            return _number(value.count())
    return builtins.len(value)


def join(joiner, parts):
    """``joiner.join(parts)`` where the joiner or a part is run-time: a split's separators replaced by the joiner,
    or the parts (a list or tuple of Strings and strs when fxn compiles) concatenated with the joiner between."""
    if not isinstance(joiner, (String, str)):
        raise StringError(f"join() of a {_type_name(joiner)}")
    if isinstance(parts, SplitParts):
        with user_location():
            separators = SubOp.build(parts.count(), emit.scalar(1, "i64"))
            return String(StrReplaceOp.build(parts.string, parts.sep, string_value(joiner), separators))
    if isinstance(parts, String):
        raise StringError("join() of the code points of a run-time str is not supported yet")
    parts = list(parts)
    for i, part in enumerate(parts):
        if not isinstance(part, (String, str)):
            raise StringError(f"sequence item {i}: expected str instance, {_type_name(part)} found")
    pieces = []
    for i, part in enumerate(parts):
        pieces += [joiner, part] if i else [part]
    return concat(pieces)


def join_call(receiver, *args, **kwargs):
    """``receiver.join(*args)``: :func:`join` where a str joins run-time strings, else the receiver's own."""
    if not isinstance(receiver, (String, str)) or len(args) != 1 or kwargs or isinstance(args[0], str):
        return receiver.join(*args, **kwargs)
    parts = args[0]
    if not isinstance(parts, (SplitParts, String)):
        parts = list(parts)  # a generator is read once, here
        if isinstance(receiver, str) and not any(isinstance(p, String) for p in parts):
            return receiver.join(parts)
    return join(receiver, parts)


def contains(item, container):
    """``item in container``: ``fxn.str_contains`` where either is a String, else Python's."""
    if isinstance(container, String) or (isinstance(item, String) and isinstance(container, str)):
        if not isinstance(item, (String, str)):
            raise StringError(f"'in <str>' requires a str as left operand, not {_type_name(item)}")
        with user_location():
            return _number(StrContainsOp.build(string_value(container), string_value(item)))
    return item in container


def not_contains(item, container):
    """``item not in container``."""
    from fxn.dialects.elementwise import BitwiseNotOp

    from .number_capture import Number

    found = contains(item, container)
    if isinstance(found, Number):
        with user_location():
            return _number(BitwiseNotOp.build(found.value))
    return not found


def to_str(*args, **kwargs):
    """``str(value)``: a String as it is, a number through ``fxn.format``; anything else is Python's ``str``."""
    from .number_capture import Number

    if len(args) == 1 and not kwargs and isinstance(args[0], (String, Number)):
        return format_value(args[0], -1, "")
    return builtins.str(*args, **kwargs)


def to_int(*args, **kwargs):
    """``int(value)``: ``fxn.str_to_int`` of a String (base 10) as fxn's ``int``; anything else is Python's ``int``."""
    if not args or not isinstance(args[0], String):
        return builtins.int(*args, **kwargs)
    base = kwargs.pop("base", args[1] if len(args) > 1 else 10)
    if base != 10 or len(args) > 2 or kwargs:
        raise StringError(f"int() of a run-time str with base {base!r} is not supported yet (base 10 is)")
    from .types import scalar_dtype

    dtype = scalar_dtype(int)
    if dtype not in PARSED_INT_DTYPES:
        raise StringError(f"int() of a run-time str parses into {', '.join(PARSED_INT_DTYPES)}; int is {dtype} here")
    with user_location():
        return _number(StrToIntOp.build(args[0].value, dtype=dtype))


def to_float(*args, **kwargs):
    """``float(value)``: ``fxn.str_to_float`` of a String as fxn's ``float``; anything else is Python's ``float``."""
    if not args or not isinstance(args[0], String):
        return builtins.float(*args, **kwargs)
    if len(args) > 1 or kwargs:
        raise StringError("float() takes at most 1 argument")
    from .types import scalar_dtype

    dtype = scalar_dtype(float)
    if dtype not in PARSED_FLOAT_DTYPES:
        raise StringError(f"float() of a run-time str parses into {', '.join(PARSED_FLOAT_DTYPES)}; float is {dtype} "
                          "here")
    with user_location():
        return _number(StrToFloatOp.build(args[0].value, dtype=dtype))


def format_builtin(value, spec=""):
    """``format(value, spec)``."""
    return format_value(value, -1, spec)


#: The names rewritten code calls, and what they are.
HELPERS = {"fxn_str_join": join_pieces, "fxn_str_format": format_value, "fxn_str_len": length,
           "fxn_str_in": contains, "fxn_str_not_in": not_contains, "fxn_str": to_str,
           "fxn_str_format_builtin": format_builtin, "fxn_str_int": to_int, "fxn_str_float": to_float,
           "fxn_str_join_call": join_call}
#: Builtins whose calls become calls of a helper.
_BUILTIN_CALLS = {"len": "fxn_str_len", "str": "fxn_str", "format": "fxn_str_format_builtin", "int": "fxn_str_int",
                  "float": "fxn_str_float"}


# ----------------------------------------------------------------------------- where


def user_position() -> Position | None:
    """The position of the innermost expression being evaluated in the user's code (outside fxn and torch)."""
    frame = sys._getframe(1)
    internal = _internal_folders()
    while frame is not None and frame.f_code.co_filename.startswith(internal):
        frame = frame.f_back
    return None if frame is None else code_position(frame.f_code, frame.f_lasti)


class user_location:
    """``with user_location():`` builds ops located at the user's expression being evaluated."""

    def __enter__(self):
        position = user_position()
        self._location = position.location() if position is not None else None
        if self._location is not None:
            self._location.__enter__()
        return self

    def __exit__(self, *exc):
        if self._location is not None:
            self._location.__exit__(*exc)
        return False


def located_error(error: BaseException, fn) -> UnsupportedOperation:
    """``error`` (raised while the capture ran ``fn``) as an UnsupportedOperation at the user's innermost line."""
    from .number_capture import NotArithmetic

    position = _innermost_user_position(error.__traceback__, fn.__code__.co_filename)
    reason = str(error).replace("'String'", "'str'").replace("'Number'", "'number'")
    if isinstance(error, (StringError, NotArithmetic)):
        why = reason
    else:
        why = f"{type(error).__name__}: {reason}"
    if position is None:
        code = fn.__code__
        return UnsupportedOperation(f"fxn cannot compile {fn.__qualname__}: {why}", code.co_filename,
                                    code.co_firstlineno)
    return UnsupportedOperation(f"fxn cannot compile {describe(position)}: {why}", position.filename, position.line,
                                position.column)


def _innermost_user_position(traceback, filename: str) -> Position | None:
    """The innermost position of ``traceback`` in ``filename`` (the function's file), else the innermost outside
    fxn and torch."""
    internal = _internal_folders()
    in_file = outside = None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if not code.co_filename.startswith(internal):
            position = code_position(code, traceback.tb_lasti)
            outside = position or outside
            if code.co_filename == filename:
                in_file = position or in_file
        traceback = traceback.tb_next
    return in_file or outside


# ----------------------------------------------------------------------------- the rewrite


def rewritten(fn):
    """``fn`` compiled again from its source with the syntax of the module docstring made calls of
    :data:`HELPERS`: in ``fn``'s file at its lines, with its globals, closure and defaults. ``fn`` itself if
    its source is unknown or has nothing to rewrite."""
    function = function_node(fn)
    if function is None:
        return fn
    rewriter = _Rewriter(_shadowed(fn, function))
    if not rewriter.finds(function):
        return fn
    definition = rewriter.visit(copy.deepcopy(function))
    definition.decorator_list = []
    definition.returns = None
    for argument in ast.walk(definition.args):
        if isinstance(argument, ast.arg):
            argument.annotation = None
    free = list(fn.__code__.co_freevars)
    names = free + list(HELPERS)
    factory = ast.FunctionDef(
        "fxn_string_factory",
        ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in names], kwonlyargs=[], kw_defaults=[], defaults=[]),
        [definition, ast.Return(ast.Name(fn.__code__.co_name, ast.Load()))], [], None)
    ast.copy_location(factory, function)
    module = ast.fix_missing_locations(ast.Module([factory], type_ignores=[]))
    namespace: dict = {}
    exec(builtins.compile(module, fn.__code__.co_filename, "exec"), fn.__globals__, namespace)  # noqa: S102
    cells = {name: cell.cell_contents for name, cell in zip(free, fn.__closure__ or ())}
    result = namespace["fxn_string_factory"](*(cells.get(n) for n in free), *HELPERS.values())
    result.__defaults__, result.__kwdefaults__ = fn.__defaults__, fn.__kwdefaults__
    return result


def rewritten_nodes(fn, nodes: list):
    """Copies of ``nodes`` (statements or expressions of ``fn``; None stays None) rewritten as :func:`rewritten`
    rewrites ``fn``: the code then calls :data:`HELPERS`, which it must see."""
    function = function_node(fn)
    rewriter = _Rewriter(_shadowed(fn, function) if function is not None else set())
    return [None if node is None else rewriter.visit(copy.deepcopy(node)) for node in nodes]


def _shadowed(fn, function: ast.FunctionDef) -> set[str]:
    """Builtins the function's own names or its module's globals shadow: their calls stay as written."""
    local = assigned(function.body) | {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    return {name for name in _BUILTIN_CALLS if name in local or name in fn.__globals__}


class _Rewriter(ast.NodeTransformer):
    def __init__(self, shadowed: set[str]):
        self.shadowed = shadowed

    def finds(self, function: ast.FunctionDef) -> bool:
        return any(self._rewrites(node) for statement in function.body for node in ast.walk(statement))

    def _rewrites(self, node) -> bool:
        if isinstance(node, ast.JoinedStr):
            return True
        if isinstance(node, ast.Call):
            return (isinstance(node.func, ast.Name) and node.func.id in _BUILTIN_CALLS and
                    node.func.id not in self.shadowed) or _is_join(node)
        return isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn))

    def visit_JoinedStr(self, node: ast.JoinedStr):
        pieces = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec = self.visit(value.format_spec) if value.format_spec is not None else ast.Constant("")
                pieces.append(ast.copy_location(ast.Call(
                    ast.Name("fxn_str_format", ast.Load()),
                    [self.visit(value.value), ast.Constant(value.conversion), spec], []), value))
            else:
                pieces.append(value)
        return ast.copy_location(ast.Call(ast.Name("fxn_str_join", ast.Load()), pieces, []), node)

    def visit_Call(self, node: ast.Call):
        node = self.generic_visit(node)
        if _is_join(node):
            return ast.copy_location(ast.Call(ast.Name("fxn_str_join_call", ast.Load()), [node.func.value, *node.args],
                                              node.keywords), node)
        if self._rewrites(node):
            node.func = ast.copy_location(ast.Name(_BUILTIN_CALLS[node.func.id], ast.Load()), node.func)
        return node

    def visit_Compare(self, node: ast.Compare):
        node = self.generic_visit(node)
        if not self._rewrites(node):
            return node
        helper = "fxn_str_in" if isinstance(node.ops[0], ast.In) else "fxn_str_not_in"
        return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()), [node.left, node.comparators[0]], []), node)


def _is_join(node: ast.Call) -> bool:
    """Whether ``node`` calls a method ``join`` (a str's, unless the receiver proves to be something else)."""
    return isinstance(node.func, ast.Attribute) and node.func.attr == "join"
