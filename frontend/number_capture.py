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
here again.

Function values are captured here too. A parameter of function type
(:mod:`.function_types`) is a :class:`FunctionValue`: calling it emits
``fxn.call_indirect`` (its arguments converted to the signature's types;
a parameter that declares no signature takes the one of its first call:
the arguments' types, and the result type of the function the traced call
passed); a tuple or list of them is a Python tuple or list while tracing,
so ``for f in fs:`` and ``zip(fs, gs)`` unroll. Returning one returns its
address. A call of another compiled function is inlined: its Python body
runs on the arguments, converted to its declared types (nothing compiles
while a trace runs).

Anything else the code does with a Number (``float(x)``,
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

import contextvars
import inspect
import sys

from fxn.structure import is_container, map_leaves

from . import emit, string_capture
from .aten import load_table
from .capture import _is_torch, _uses, call_arguments, numpy_semantics, torch_parameters
from .errors import DataDependentControlFlow, FrontendError
from .promotion import using_default_float
from .source import code_position
from .string_capture import String, StringError


class NotArithmetic(Exception):
    """The captured code did something with a Number other than arithmetic."""


class Branch(NotArithmetic):
    """The captured code branched on a Number (``if``, ``while``, ``and``, a ternary): the AST path takes it."""

    def __init__(self, frame):
        super().__init__("a branch on a run-time number")
        #: Where: the expression of ``frame`` (the code that took the truth value) being evaluated.
        self.position = code_position(frame.f_code, frame.f_lasti)


class FunctionCallError(TypeError):
    """A function value called with arguments its signature does not take (reported, never captured by torch)."""


#: Whether a number capture runs in this thread (a compiled function called inside one is inlined, see
#: :func:`inline`; a call in another thread runs compiled code).
_capturing = contextvars.ContextVar("capturing", default=False)


def applies(fn, arg_types, strings=None) -> bool:
    """Whether to try capturing ``fn`` with Numbers (and Strings where ``strings`` says a parameter is a ``str``):
    every other argument 0-d, and code that names neither NumPy nor torch."""
    strings = strings or [False] * len(arg_types)
    fn = getattr(fn, "__fxn_calls__", fn)
    return (all(t.rank == 0 or string for t, string in zip(arg_types, strings)) and not torch_parameters(fn)
            and not numpy_semantics(fn) and not _uses(fn, _is_torch))


def capture(fn, arguments: list, names: list[str], statics: dict, arg_types: list, record: "Record",
            strings=None):
    """``fn``'s result with fxn values in place of Numbers (Strings stay, marking string results), its ops built on
    ``arguments`` (fxn values, one per run-time parameter, named ``names``, of ``arg_types``: a function type's is a
    :class:`FunctionValue`; a String where ``strings`` says so), and the arithmetic applied as text (one line
    each, with its position; ``record`` receives it, and why the capture failed).
    None if the code is more than arithmetic on numbers (see the module
    docstring): torch's capture then takes it. A function of strings, or one
    that formats a run-time number, has no such fallback: what it cannot
    compile is an UnsupportedOperation at the user's line. String ops are
    not listed in the text.
    """
    from .function_types import FunctionPointerType

    strings = strings or [False] * len(arguments)
    values = [String(value) if string
              else FunctionValue(value, t.signature, name, index, record) if isinstance(t, FunctionPointerType)
              else Number(value, name, record)
              for index, (value, name, t, string) in enumerate(zip(arguments, names, arg_types, strings))]
    active, capturing = _ACTIVE_RECORD.set(record), _capturing.set(True)
    from .types import scalar_dtype

    # Python's float, and what integers divide into: f32, or f64 where fxn.compile(dtype=...) makes float f64.
    default_float = "f64" if scalar_dtype(float) == "f64" else "f32"
    try:
        with using_default_float(default_float):
            result = string_capture.rewritten(fn)(*call_arguments(fn, values, statics))
        leaves = map_leaves(_value_of, result, lambda r: not is_container(r))
    except (FrontendError, FunctionCallError):  # located already
        raise
    except Branch as branch:  # the AST path emits the branches as scf ops, each straight part captured here
        where = branch.position
        raise DataDependentControlFlow("fxn cannot compile a branch on a run-time value here (the function's "
                                       "source is unknown)", where and where.filename, where and where.line) from None
    except Exception as error:  # noqa: BLE001 - anything the Numbers cannot do, torch's capture does or reports
        if any(strings) or isinstance(error, StringError):
            raise string_capture.located_error(error, fn) from None
        record.why = str(error)
        return None
    finally:
        _ACTIVE_RECORD.reset(active)
        _capturing.reset(capturing)
    returned = map_leaves(_shown, result, lambda r: not is_container(r))
    return leaves, "\n".join([*record.lines, f"return {returned}"])


def made(value, op: str) -> Number:
    """A Number for ``value``, the result of ``op`` (a string op's count, index or test), in the active capture's
    record."""
    record = _ACTIVE_RECORD.get()
    name = record.name(op.removeprefix("fxn.").removeprefix("str_"))
    record.lines.append(f"{name} = {op}(...)")
    return Number(value, name, record)


class Record:
    """The ops a capture applied, as text, and the names their results took (``mul``, ``mul_1`` ...)."""

    def __init__(self):
        self.lines: list[str] = []
        self.counts: dict[str, int] = {}
        #: Per parameter index of function type, the signature its code calls it with.
        self.signatures: dict = {}
        #: Why the capture failed, if it did.
        self.why = ""
        #: The function arguments (FunctionValue) by parameter index.
        self.function_arguments: dict = {}

    def name(self, op: str) -> str:
        count = self.counts[op] = self.counts.get(op, -1) + 1
        return op if count == 0 else f"{op}_{count}"


def _shown(result) -> str:
    """How the text shows a result: a Number's or function value's name, ``<str>`` for a run-time string, else its
    repr."""
    if isinstance(result, (Number, FunctionValue)):
        return result.name
    return "<str>" if isinstance(result, String) else repr(result)


def _value_of(result):
    if isinstance(result, (Number, FunctionValue)):
        return result.value
    if isinstance(result, String) or emit.is_value(result) or type(result) in (bool, int, float, str):
        return result
    raise NotArithmetic(f"the function returns a {type(result).__name__}")


#: The record of the capture running in this thread (Numbers that string ops make join it).
_ACTIVE_RECORD: contextvars.ContextVar[Record] = contextvars.ContextVar("fxn_number_record")


class Number:
    """A number the captured function computes with: a 0-d fxn value, its name in the record."""

    __slots__ = ("value", "name", "record")

    def __init__(self, value, name: str, record: Record):
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
        raise Branch(sys._getframe(1))

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


class FunctionValue:
    """A function argument of the captured function: its address (a 0-d i64 fxn value) and its signature
    (None until its first call decides it)."""

    __slots__ = ("value", "signature", "name", "index", "record")

    def __init__(self, value, signature, name: str, index: int, record: Record):
        self.value, self.signature, self.name, self.index, self.record = value, signature, name, index, record
        record.function_arguments[index] = self
        if signature is not None:
            record.signatures[index] = signature

    def __call__(self, *args, **kwargs):
        """``fxn.call_indirect`` of this function on ``args`` (Numbers or Python numbers), located at the call."""
        from fxn.dialects.function import CallIndirectOp

        caller = sys._getframe(1)
        position = code_position(caller.f_code, caller.f_lasti)
        if position is None:
            raise NotArithmetic("a function value called where the source is unknown")
        where = f"{position.filename}:{position.line}: "
        if kwargs:
            raise FunctionCallError(f"{where}function argument '{self.name}' is called with keywords; it takes its "
                                    "arguments by position")
        signature = self.signature or self._first_signature(args)
        if len(args) != len(signature.params):
            raise FunctionCallError(f"{where}function argument '{self.name}' of type {signature} takes "
                                    f"{len(signature.params)} argument(s); got {len(args)}")
        with position.location():
            operands = [_converted_operand(a, dtype, f"{where}argument #{i} of '{self.name}'")
                        for i, (a, dtype) in enumerate(zip(args, signature.params))]
            value = CallIndirectOp.build(self.value, operands, signature=(signature.result, signature.params))
        result = self.record.name("call_indirect")
        shown = ", ".join(a.name if isinstance(a, Number) else repr(a) for a in args)
        self.record.lines.append(f"{result} = fxn.call_indirect[{signature}]({self.name}, {shown})  "
                                 f"# {position.filename}:{position.line}:{position.column + 1}")
        return Number(value, result, self.record)

    def _first_signature(self, args):
        """The signature of the first call: the arguments' element types, and the result type of the function the
        traced call passed, traced for them on the side (in a scratch function of this context)."""
        from fxn.function_values import compiled, example_functions

        from .function_types import Signature

        example = example_functions().get(self.index)
        if example is None:
            raise FunctionCallError(f"function argument '{self.name}' declares no signature and no function was "
                                    "passed to infer one from: annotate it fxn.FunctionType(...)")
        params = tuple(_element_type(a, f"argument #{i} of '{self.name}'") for i, a in enumerate(args))
        result = _result_type(compiled(example), params)
        if result is None:
            raise FunctionCallError(f"function argument '{self.name}' is passed {example.__name__}, which returns "
                                    f"no one number for arguments of {', '.join(params) or 'no'} type(s)")
        self.signature = Signature(result, params)
        self.record.signatures[self.index] = self.signature
        return self.signature

    def __bool__(self):
        raise NotArithmetic("a branch on a function value")


def _result_type(function, params: tuple[str, ...]) -> str | None:
    """The element type compiled function ``function`` returns for 0-d arguments of ``params``, from its body
    inlined into a scratch function (nothing compiles while a trace runs); None if it returns no one number."""
    from fxn.mlir import func, ir

    from fxn.dialects import TensorType

    with ir.Location.unknown():
        scratch = ir.Module.create()
        with ir.InsertionPoint(scratch.body):
            function_op = func.FuncOp("scratch", ([TensorType(p, ()).to_mlir() for p in params], []))
        block = function_op.add_entry_block()
    with ir.InsertionPoint(block):
        record = Record()
        result = inline(function, tuple(Number(a, f"x{i}", record) for i, a in enumerate(block.arguments)), {})
    if isinstance(result, Number) and emit.type_of(result.value).rank == 0:
        return emit.type_of(result.value).dtype
    return None


def _element_type(value, what: str) -> str:
    if isinstance(value, Number):
        return emit.type_of(value.value).dtype
    if type(value) in (bool, int, float):
        from .types import scalar_dtype

        return scalar_dtype(type(value))
    raise FunctionCallError(f"{what} is a {type(value).__name__}; a function value takes numbers")


def _converted_operand(value, dtype: str, what: str):
    """``value`` (a Number or Python number) as a 0-d fxn value of ``dtype``: converted when its own type converts
    safely (``f32`` to ``f64``), FunctionCallError otherwise."""
    from .function_types import is_subtype

    if isinstance(value, Number):
        own = emit.type_of(value.value).dtype
        if own != dtype and not is_subtype(own, dtype):
            raise FunctionCallError(f"{what} is {own}, which does not convert safely to {dtype}")
        return emit.cast(value.value, dtype)
    _element_type(value, what)
    return emit.scalar(value, dtype)


def converted(value, dtype: str):
    """A Number (or Python number) converted to element type ``dtype`` (an adapter's result, see
    :mod:`fxn.function_values`)."""
    if not isinstance(value, Number):
        raise NotArithmetic(f"an adapted function returns a {type(value).__name__}")
    caller = sys._getframe(1)
    with code_position(caller.f_code, caller.f_lasti).location():
        return Number(emit.cast(value.value, dtype), value.name, value.record)


def capturing() -> bool:
    """Whether a number capture is running in this thread."""
    return _capturing.get()


def inline(compiled, args: tuple, kwargs: dict):
    """A call of compiled function ``compiled`` in a capture: its Python body run on the arguments (inlined; no
    code compiles while a trace runs), each number converted to its parameter's declared element type (a
    Python number passed to a declared parameter becomes a constant of that type)."""
    if compiled.variadic or compiled._containers:
        raise NotArithmetic("an inlined call of a function with containers or *args")
    from .source import definition_position

    values = {**compiled.static_values(), **compiled._bound(args, kwargs)}
    with definition_position(compiled.fn).location():  # the conversions are the callee's, at its def
        for parameter in compiled.parameters:
            value, declared = values[parameter.name], parameter.declared
            if declared is None or declared.rank != 0:
                continue
            if isinstance(value, Number):
                values[parameter.name] = Number(emit.cast(value.value, declared.dtype), value.name, value.record)
            elif type(value) in (bool, int, float):
                values[parameter.name] = Number(emit.scalar(value, declared.dtype), repr(value), Record())
    return compiled.fn(*(values[name] for name in inspect.signature(compiled.fn).parameters))
