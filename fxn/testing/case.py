"""One conformance case: an fxn op applied to numpy inputs, built as a function of its own; and its inputs.

A :class:`Case` says what to build (the op, its inputs, attributes, which
dims the function declares dynamic) and how its result is compared with the
reference interpreter (:data:`EXACT`, :data:`CLOSE`, :data:`ULPS` or :data:`SHAPE`, see
:mod:`fxn.testing.compare`). :func:`module_text` builds many cases into one
module, one function per case, so that one compilation serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fxn.dialects import TensorType, new_context
from fxn.dialects.types import FLOAT_DTYPES, INT_DTYPES, NUMPY_DTYPES, dtype_of_numpy
from fxn.mlir import func, ir

#: Bit for bit: the same bits, signed zeros included, any NaN for NaN.
EXACT = "exact"
#: Within the result dtype's tolerance relative to 1 + the largest expected magnitude (sums in another order).
CLOSE = "close"
#: Within the stated ulps of :data:`fxn.passes.lowering.math_expansion.MAX_ERROR_ULPS` (transcendentals).
ULPS = "ulps"
#: The same shape and element type; the elements are unspecified (``fxn.empty``).
SHAPE = "shape"


@dataclass(frozen=True)
class Resource:
    """A ``dense_resource<key>`` constant holding ``array`` (made when the case is built: it needs a context)."""

    array: np.ndarray
    key: str


@dataclass
class Case:
    """``op`` applied to ``inputs`` (None for an absent optional operand) with ``attrs``, as a function of its own.

    ``dynamic`` gives, per present input, the axes its function declares
    ``?``; ``result_dtype`` is fxn.cast's target type. ``variant`` names what
    the case varies besides its dtype (a shape, a mode, a predicate): a
    quick run keeps one case per dtype and per variant of each op.
    """

    op: type
    inputs: list
    attrs: dict = field(default_factory=dict)
    dynamic: tuple = ()
    result_dtype: str | None = None
    compare: str = CLOSE
    variant: tuple = ()
    #: Which present input the case is about (its dtype names the case): the last, or the data of an op whose
    #: last operands are indices (``fxn.dynamic_slice``).
    subject: int = -1
    #: Whether its inputs hold addresses of this process (``fxn.call_indirect``'s callee): only code running in
    #: this process can run it.
    in_process: bool = False

    def __post_init__(self):
        # numpy gives 0-d results as scalars: inputs are arrays, whatever made them.
        self.inputs = [None if a is None else np.asarray(a) for a in self.inputs]

    @property
    def arrays(self) -> list[np.ndarray]:
        """The present inputs, in order: the function's arguments."""
        return [a for a in self.inputs if a is not None]

    @property
    def dtype(self) -> str:
        """The element type the case is about: a new tensor's (its ``dtype`` attribute), its subject input's (the
        last by default: a select's values, a cast's source), or the constant's."""
        if "dtype" in self.attrs:
            return self.attrs["dtype"]
        if self.arrays:
            return dtype_of_numpy(self.arrays[self.subject].dtype)
        value = self.attrs["value"]
        if isinstance(value, str):  # a string constant: its UTF-8 bytes
            return "ui8"
        return dtype_of_numpy((value.array if isinstance(value, Resource) else value).dtype)

    @property
    def declared_types(self) -> list[TensorType]:
        """The function's argument types: each input's dtype and shape, ``None`` where declared dynamic."""
        dynamic = list(self.dynamic) + [()] * (len(self.arrays) - len(self.dynamic))
        return [declared_type(array, axes) for array, axes in zip(self.arrays, dynamic)]

    def __str__(self) -> str:
        types = ", ".join(str(t) for t in self.declared_types)
        attrs = {k: v for k, v in self.attrs.items() if not isinstance(v, (np.ndarray, Resource))}
        cast = f" -> {self.result_dtype}" if self.result_dtype else ""
        return f"{self.op.OPERATION_NAME}({types}){' ' + str(attrs) if attrs else ''}{cast}"


def among(dtypes, supported) -> list[str]:
    """The ``dtypes`` in ``supported`` (a target's element types), in order."""
    return [dtype for dtype in dtypes if dtype in supported]


def declared_type(array: np.ndarray, dynamic_axes) -> TensorType:
    """``array``'s type with ``dynamic_axes`` declared ``?``."""
    shape = [None if axis in dynamic_axes else size for axis, size in enumerate(array.shape)]
    return TensorType(dtype_of_numpy(array.dtype), shape)


def build_case(case: Case, arguments) -> ir.Value:
    """Build ``case``'s op at the insertion point on values taken from the iterator ``arguments``; its result."""
    operands = []
    for _, kind in case.op.OPERANDS:
        if kind == "variadic":  # fxn.concat's group takes the inputs left after the single operands
            operands.append([next(arguments) for _ in range(len(case.inputs) - len(operands))])
        else:
            given = case.inputs[len(operands)] if len(operands) < len(case.inputs) else None
            operands.append(None if given is None else next(arguments))
    result_type = TensorType(case.result_dtype, case.declared_types[0].shape) if case.result_dtype else None
    attrs = {name: _attribute(value) for name, value in case.attrs.items()}
    return case.op.build(*operands, result_type=result_type, **attrs)


def _attribute(value):
    if isinstance(value, Resource):
        from fxn.dialects.elements import numpy_to_resource

        return numpy_to_resource(value.array, value.key)
    return value


def module_text(cases: dict[str, Case], context: ir.Context | None = None) -> str:
    """One module with a public function ``@<name>`` per case: its arguments in, the op's result out.

    It is built in ``context`` (one with the fxn dialect), else in a new one.
    VerifyError if a case's op does not take its inputs and attributes.
    """
    with context or new_context(), ir.Location.unknown():
        module = ir.Module.create()
        for name, case in cases.items():
            arg_types = [t.to_mlir() for t in case.declared_types]
            with ir.InsertionPoint(module.body):
                function = func.FuncOp(name, (arg_types, []))
                block = function.add_entry_block()
                with ir.InsertionPoint(block):
                    result = build_case(case, iter(block.arguments))
                    func.ReturnOp([result])
                function.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(arg_types, [result.type]))
        return str(module)


# ----------------------------------------------------------------------------- inputs

#: Floats every float kernel must get right: NaN, infinities, signed zeros, subnormals, huge and tiny values.
SPECIAL_FLOATS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 5e-324, -1e-40, 1e300, -65504.0, 1e-5]


def special_array(rng: np.random.Generator, dtype: str, shape, special: float = 0.15) -> np.ndarray:
    """Floats around [-9, 9] with a share of :data:`SPECIAL_FLOATS`; integers over their whole range; fair booleans."""
    numpy_dtype = NUMPY_DTYPES[dtype]
    if dtype == "i1":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype in INT_DTYPES:
        limits = np.iinfo(numpy_dtype)
        return np.asarray(rng.integers(limits.min, limits.max, size=shape, endpoint=True), numpy_dtype)
    values = rng.standard_normal(shape) * 3
    picks = rng.random(shape) < special
    values = np.where(picks, rng.choice(SPECIAL_FLOATS, size=shape), values)
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(values, numpy_dtype)


def normal_array(rng: np.random.Generator, shape, dtype: str, low: int = -100, high: int = 100) -> np.ndarray:
    """Standard normal floats, integers in ``[low, high)`` (the default makes i8 sums and products wrap), fair booleans."""
    if dtype == "i1":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype in FLOAT_DTYPES:
        return rng.standard_normal(shape).astype(NUMPY_DTYPES[dtype])
    return rng.integers(low, high, shape).astype(NUMPY_DTYPES[dtype])
