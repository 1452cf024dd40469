"""Functions of Python numbers, captured without torch.

A predictor whose arguments are all numbers (0-d: ``def fma(x: float, y:
float, z: float)``) and whose code does nothing but arithmetic on them needs
none of torch's machinery, whose import alone takes seconds. The function is
called once with a :class:`Number` for each argument: each operator of a
Number builds its fxn op at once, through the same ATen table
(:mod:`.aten`) the torch captures use, so types promote as they do there
(PyTorch's rule: Python scalars are weak, ``/`` of integers is the default
float). Each op carries the position of the user's expression that applied
the operator.

The operators are Python's arithmetic (``+ - * / // % **``, unary ``-``,
``+``, ``abs``, ``divmod``), comparisons, and bitwise ``& | ^ ~ << >>``.
A branch on a Number (``if``, ``while``, ``and``/``or``, a ternary) is a
``DataDependentControlFlow``: the AST path (:mod:`.loops`) then emits the
branches as ``scf`` ops and captures each straight-line part between them
here again. Anything else the code does with a Number (``float(x)``,
``math.sin(x)``, an attribute, an index) raises :class:`NotArithmetic`,
and so does any other failure: :func:`capture` then returns None and the
caller captures the function with torch, which supports it or reports it
at its line.

Strings join in (:mod:`.string_capture`): a ``str`` parameter is a
``String``, f-strings format Numbers (``fxn.format``), and ``len``, ``in``
and ``str()`` are rewritten into calls that build string ops. A function
with a ``str`` parameter, or one that formats a run-time number, has no
torch fallback: what it cannot compile is reported at its line.
"""

from __future__ import annotations

import sys
from contextvars import ContextVar

from fxn.structure import is_container, map_leaves

from . import emit, string_capture
from .aten import load_table
from .capture import _is_torch, _uses, call_arguments, numpy_semantics, torch_parameters
from .errors import DataDependentControlFlow, FrontendError
from .source import code_position
from .string_capture import String, StringError


class NotArithmetic(Exception):
    """The captured code did something with a Number other than arithmetic."""


class Branch(NotArithmetic):
    """The captured code branched on a Number (``if``, ``while``, ``and``, a ternary): the AST path takes it."""

    def __init__(self, position):
        super().__init__("a branch on a run-time number")
        self.position = position


def applies(fn, arg_types, strings=None) -> bool:
    """Whether to try capturing ``fn`` with Numbers (and Strings where ``strings`` says a parameter is a ``str``):
    every other argument 0-d, and code that names neither NumPy nor torch."""
    strings = strings or [False] * len(arg_types)
    fn = getattr(fn, "__fxn_calls__", fn)
    return (all(t.rank == 0 or string for t, string in zip(arg_types, strings)) and not torch_parameters(fn)
            and not numpy_semantics(fn) and not _uses(fn, _is_torch))


def capture(fn, arguments: list, names: list[str], statics: dict, strings=None):
    """``fn``'s result with fxn values in place of Numbers (Strings stay, marking string results), its ops built on
    ``arguments`` (fxn values, one per run-time parameter, named ``names``; a String where ``strings`` says so), and
    the arithmetic applied as text (one line each, with its position);
    None if the code is more than arithmetic on numbers (see the module
    docstring): torch's capture then takes it. A function of strings, or one
    that formats a run-time number, has no such fallback: what it cannot
    compile is an UnsupportedOperation at the user's line. The text names
    the arithmetic's results; string ops are not listed.
    """
    strings = strings or [False] * len(arguments)
    record = _Record()
    active = _ACTIVE_RECORD.set(record)
    values = [String(value) if string else Number(value, name, record)
              for value, name, string in zip(arguments, names, strings)]
    try:
        result = string_capture.rewritten(fn)(*call_arguments(fn, values, statics))
        leaves = map_leaves(_value_of, result, lambda r: not is_container(r))
    except FrontendError:  # located already
        raise
    except Branch as branch:  # the AST path emits the branches as scf ops, each straight part captured here
        where = branch.position
        raise DataDependentControlFlow("fxn cannot compile a branch on a run-time value here (the function's "
                                       "source is unknown)", where and where.filename, where and where.line) from None
    except Exception as error:  # noqa: BLE001 - anything the Numbers cannot do, torch's capture does or reports
        if any(strings) or isinstance(error, StringError):
            raise string_capture.located_error(error, fn) from None
        return None
    finally:
        _ACTIVE_RECORD.reset(active)
    returned = map_leaves(_shown, result, lambda r: not is_container(r))
    return leaves, "\n".join([*record.lines, f"return {returned}"])


def made(value, op: str) -> Number:
    """A Number for ``value``, the result of ``op`` (a string op's count, index or test), in the active capture's
    record."""
    record = _ACTIVE_RECORD.get()
    name = record.name(op.removeprefix("fxn.").removeprefix("str_"))
    record.lines.append(f"{name} = {op}(...)")
    return Number(value, name, record)


class _Record:
    """The ops a capture applied, as text, and the names their results took (``mul``, ``mul_1`` ...)."""

    def __init__(self):
        self.lines: list[str] = []
        self.counts: dict[str, int] = {}

    def name(self, op: str) -> str:
        count = self.counts[op] = self.counts.get(op, -1) + 1
        return op if count == 0 else f"{op}_{count}"


def _shown(result) -> str:
    """How the text shows a result: a Number's name, ``<str>`` for a run-time string, else its repr."""
    if isinstance(result, Number):
        return result.name
    return "<str>" if isinstance(result, String) else repr(result)


def _value_of(result):
    if isinstance(result, Number):
        return result.value
    if isinstance(result, String) or emit.is_value(result) or type(result) in (bool, int, float, str):
        return result
    raise NotArithmetic(f"the function returns a {type(result).__name__}")


#: The record of the capture running in this thread (Numbers that string ops make join it).
_ACTIVE_RECORD: ContextVar[_Record] = ContextVar("fxn_number_record")


class Number:
    """A number the captured function computes with: a 0-d fxn value, its name in the record."""

    __slots__ = ("value", "name", "record")

    def __init__(self, value, name: str, record: _Record):
        self.value = value
        self.name = name
        self.record = record

    def _apply(self, name: str, *operands):
        """The ATen op ``name`` on ``operands`` (Numbers or Python numbers), located at the calling expression."""
        values, shown = [], []
        for operand in operands:
            if isinstance(operand, Number):
                values.append(operand.value)
                shown.append(operand.name)
            elif type(operand) in (bool, int, float):
                values.append(operand)
                shown.append(repr(operand))
            elif isinstance(operand, (String, str)):
                raise StringError("arithmetic on a str and a run-time number (Python refuses it too: convert with "
                                  "str() or use an f-string)")
            else:
                raise NotArithmetic(f"an operand is a {type(operand).__name__}")
        # Frames: this one, the operator's method, the expression that applied the operator.
        caller = sys._getframe(2)
        position = code_position(caller.f_code, caller.f_lasti)
        if position is None:
            raise NotArithmetic("an operator applied where the source is unknown")
        with position.location():
            value = load_table()[f"aten.{name}"].convert(*values)
        result = self.record.name(name.split(".")[0])
        self.record.lines.append(f"{result} = aten.{name}({', '.join(shown)})  "
                                 f"# {position.filename}:{position.line}:{position.column + 1}")
        return Number(value, result, self.record)

    def __add__(self, other):
        return self._apply("add.Tensor", self, other)

    def __radd__(self, other):
        return self._apply("add.Tensor", other, self)

    def __sub__(self, other):
        return self._apply("sub.Tensor", self, other)

    def __rsub__(self, other):
        return self._apply("sub.Tensor", other, self)

    def __mul__(self, other):
        return self._apply("mul.Tensor", self, other)

    def __rmul__(self, other):
        return self._apply("mul.Tensor", other, self)

    def __truediv__(self, other):
        return self._apply("div.Tensor", self, other)

    def __rtruediv__(self, other):
        return self._apply("div.Tensor", other, self)

    def __floordiv__(self, other):
        return self._apply("floor_divide.default", self, other)

    def __rfloordiv__(self, other):
        return self._apply("floor_divide.default", other, self)

    def __mod__(self, other):
        return self._apply("remainder.Tensor", self, other)

    def __rmod__(self, other):
        return self._apply("remainder.Tensor", other, self)

    def __divmod__(self, other):
        return self._apply("floor_divide.default", self, other), self._apply("remainder.Tensor", self, other)

    def __rdivmod__(self, other):
        return self._apply("floor_divide.default", other, self), self._apply("remainder.Tensor", other, self)

    def __pow__(self, other):
        return self._apply("pow.Tensor_Tensor", self, other)

    def __rpow__(self, other):
        return self._apply("pow.Tensor_Tensor", other, self)

    def __neg__(self):
        return self._apply("neg.default", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._apply("abs.default", self)

    def __invert__(self):
        return self._apply("bitwise_not.default", self)

    def __and__(self, other):
        return self._apply("bitwise_and.Tensor", self, other)

    def __rand__(self, other):
        return self._apply("bitwise_and.Tensor", other, self)

    def __or__(self, other):
        return self._apply("bitwise_or.Tensor", self, other)

    def __ror__(self, other):
        return self._apply("bitwise_or.Tensor", other, self)

    def __xor__(self, other):
        return self._apply("bitwise_xor.Tensor", self, other)

    def __rxor__(self, other):
        return self._apply("bitwise_xor.Tensor", other, self)

    def __lshift__(self, other):
        return self._apply("bitwise_left_shift.Tensor", self, other)

    def __rlshift__(self, other):
        return self._apply("bitwise_left_shift.Tensor", other, self)

    def __rshift__(self, other):
        return self._apply("bitwise_right_shift.Tensor", self, other)

    def __rrshift__(self, other):
        return self._apply("bitwise_right_shift.Tensor", other, self)

    def __lt__(self, other):
        return self._apply("lt.Tensor", self, other)

    def __le__(self, other):
        return self._apply("le.Tensor", self, other)

    def __gt__(self, other):
        return self._apply("gt.Tensor", self, other)

    def __ge__(self, other):
        return self._apply("ge.Tensor", self, other)

    def __eq__(self, other):
        return self._apply("eq.Tensor", self, other)

    def __ne__(self, other):
        return self._apply("ne.Tensor", self, other)

    __hash__ = None

    def __bool__(self):
        caller = sys._getframe(1)
        raise Branch(code_position(caller.f_code, caller.f_lasti))

    def __index__(self):
        raise NotArithmetic("a run-time number used as an index")

    def __float__(self):
        raise NotArithmetic("float() of a run-time number")

    def __int__(self):
        raise NotArithmetic("int() of a run-time number")

    def __round__(self, ndigits=None):
        raise NotArithmetic("round() of a run-time number")

    def __format__(self, spec):
        raise StringError("an f-string or format() of a run-time number where fxn did not rewrite it (in a helper "
                          "function): use it in the compiled function itself")

    def __str__(self):
        raise NotArithmetic("str() of a run-time number where fxn did not rewrite it (in a helper function)")

    __repr__ = __str__
