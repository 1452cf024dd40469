"""How fxn declares ops on top of MLIR's Python-defined dialects.

The upstream API (``dialects.ext``) is still changing, so this module is all
fxn uses of it. An op is one class::

    class AddOp(FxnOp, name="add"):
        '''Elementwise ``lhs + rhs`` with broadcasting ...'''
        lhs: Operand
        rhs: Operand

        @classmethod
        def infer_type(cls, args, attrs):
            return elementwise_result(args.lhs, args.rhs)

Operands are annotations (:data:`Operand`, :data:`OptionalOperand`,
:data:`VariadicOperand`, :class:`OperandList`, at most one of the last three
per op); attributes are
class attributes holding an :class:`AttrSpec` (:class:`EnumAttr`,
:class:`IntAttr`, ...); both are inherited from unnamed base classes. Every
op is ``Pure`` and has exactly one result whose type
:meth:`FxnOp.infer_type` computes from the operand types and attributes.
The same inference verifies parsed IR (a located ``'fxn.add' op ...`` error,
through :meth:`FxnOp.check_result`) and gives the result type when passes or
the frontend build an op.

Ops print in MLIR's generic form, attributes by name::

    %0 = "fxn.resize"(%x) {align_corners = false, antialias = false,
        mode = "bilinear", size = array<i64: 224, 224>} : (...) -> ...
"""

from __future__ import annotations

import contextlib
import math
from types import SimpleNamespace
from typing import Any, Optional, Sequence

from fxn.lazy import numpy as np

from fxn.mlir import ext, ir

from .types import TensorType, VerifyError


class FxnDialect(ext.Dialect, name="fxn"):
    """The fxn dialect: tensor-level ops with PyTorch semantics."""

    @classmethod
    def _emit_module(cls):
        """The IRDL module ``ext.Dialect.load`` registers the dialect from, parsed from its text.

        Upstream builds it op by op with the irdl dialect's Python builders:
        ~20 ms for fxn's ops, paid by every process's first compile. fxn's
        ops constrain nothing in IRDL (every operand, attribute and result is
        ``Any``: an op verifies by its type inference), so the text is short
        to write and parses in a few milliseconds. Any other field takes
        upstream's way. (A test checks that both give the same module.)
        """
        if not all(_unconstrained(field) for op in cls.operations for field in op._fields):
            return super()._emit_module()
        operations = "\n".join(_irdl_operation(op) for op in cls.operations)
        with ir.Location.unknown() if not ir.Location.current else contextlib.nullcontext():
            return ir.Module.parse(f"irdl.dialect @{cls.name} {{\n{operations}\n}}")


def _unconstrained(field) -> bool:
    """Whether an op field is an operand, attribute or result that IRDL constrains to ``Any``."""
    return isinstance(field, (ext.OperandDef, ext.AttributeDef, ext.ResultDef)) and field.constraint is Any


def _irdl_operation(op) -> str:
    """``irdl.operation @<name>`` of an op whose fields are :func:`_unconstrained`, as ``ext`` emits it: one
    ``irdl.any`` per field, then its operands, attributes and results."""
    operands, attributes, results, _ = ext.partition_fields(op._fields)
    lines, count = [], 0

    def constraints(fields) -> list[str]:
        nonlocal count
        names = [f"%{index}" for index in range(count, count + len(fields))]
        lines.extend(f"  {name} = irdl.any" for name in names)
        count += len(fields)
        return names

    def variadicity(field) -> str:
        return {ext.Variadicity.single: ""}.get(field.variadicity, f"{field.variadicity.name} ")

    for keyword, fields in (("operands", operands), ("results", results)):
        if keyword == "results" and attributes:
            spelled = ", ".join(f'"{a.name}" = {c}' for a, c in zip(attributes, constraints(attributes)))
            lines.append(f"  irdl.attributes {{{spelled}}}")
        if fields:
            spelled = ", ".join(f"{f.name}: {variadicity(f)}{c}" for f, c in zip(fields, constraints(fields)))
            lines.append(f"  irdl.{keyword}({spelled})")
    return f"irdl.operation @{op._op_name} {{\n" + "\n".join(lines) + "\n}"


Operand = ext.Operand[Any]
OptionalOperand = Optional[ext.Operand[Any]]
VariadicOperand = Sequence[ext.Operand[Any]]


class OperandList:
    """A group of at most ``limit`` operands whose types may differ: ``args: OperandList[8]``.

    IRDL checks every value of a variadic operand against one constraint
    variable, and a variable binds the first type it meets: the values of a
    :data:`VariadicOperand` share one type. An operand list is declared to
    IRDL as ``limit`` optional operands instead (``args_0`` ... ``args_7``),
    each a variable of its own, so IRDL needs the op's ``operandSegmentSizes``
    attribute: 1 per single operand, then 1 per operand of the list present,
    0 for the rest (the present ones come first: one spelling per call,
    which the verifier checks). To fxn (``op.args``, ``build``, kernels) the
    list is one group, a Python list, like a variadic operand.
    """

    def __init__(self, limit: int):
        self.limit = limit

    def __class_getitem__(cls, limit: int) -> "OperandList":
        return cls(limit)

    def __repr__(self) -> str:
        return f"OperandList[{self.limit}]"


# ----------------------------------------------------------------------------
# Attribute specs: how a Python value maps to an MLIR attribute and back.


class AttrSpec:
    """An attribute of an op: ``to_mlir`` builds it, ``decode`` reads and checks it."""

    default: Any = None
    has_default: bool = False

    def __init__(self, default: Any = ...):
        if default is not ...:
            self.default = default
            self.has_default = True

    def to_mlir(self, value) -> ir.Attribute:
        raise NotImplementedError

    def decode(self, name: str, attr: ir.Attribute):
        raise NotImplementedError


class EnumAttr(AttrSpec):
    """A string naming one of a fixed set of choices: ``mode = "bilinear"``."""

    def __init__(self, *choices: str, default: Any = ...):
        super().__init__(default)
        self.choices = choices

    def to_mlir(self, value):
        return ir.StringAttr.get(value)

    def decode(self, name, attr):
        if not isinstance(attr, ir.StringAttr) or attr.value not in self.choices:
            raise VerifyError(
                f"attribute '{name}' must be one of "
                + ", ".join(f'"{c}"' for c in self.choices)
                + f"; got {attr}"
            )
        return attr.value


class TextAttr(AttrSpec):
    """Any UTF-8 text: ``value = "Hello "`` (MLIR prints bytes outside printable ASCII as ``\\XX`` escapes)."""

    def to_mlir(self, value):
        return ir.StringAttr.get(value)

    def decode(self, name, attr):
        if not isinstance(attr, ir.StringAttr):
            raise VerifyError(f"attribute '{name}' must be a string; got {attr}")
        try:
            return bytes(attr.value_bytes).decode("utf-8")
        except UnicodeDecodeError as error:
            raise VerifyError(f"attribute '{name}' is not UTF-8 text ({error.reason} at byte {error.start})") from None


class IntAttr(AttrSpec):
    """A 64-bit integer: ``dim = 1 : i64``."""

    def __init__(self, minimum: int | None = None, default: Any = ...):
        super().__init__(default)
        self.minimum = minimum

    def to_mlir(self, value):
        return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))

    def decode(self, name, attr):
        if not isinstance(attr, ir.IntegerAttr) or str(attr.type) != "i64":
            raise VerifyError(f"attribute '{name}' must be an i64 integer; got {attr}")
        if self.minimum is not None and attr.value < self.minimum:
            raise VerifyError(f"attribute '{name}' must be at least {self.minimum}; got {attr.value}")
        return attr.value


class IntArrayAttr(AttrSpec):
    """A list of 64-bit integers: ``size = array<i64: 224, 224>``."""

    def __init__(self, length: int | None = None, minimum: int | None = None, default: Any = ...):
        super().__init__(default)
        self.length = length
        self.minimum = minimum

    def to_mlir(self, value):
        return ir.DenseI64ArrayAttr.get([int(v) for v in value])

    def decode(self, name, attr):
        if not isinstance(attr, ir.DenseI64ArrayAttr):
            raise VerifyError(f"attribute '{name}' must be an array<i64: ...>; got {attr}")
        values = tuple(attr)
        if self.length is not None and len(values) != self.length:
            raise VerifyError(f"attribute '{name}' must have {self.length} elements; got {len(values)}")
        if self.minimum is not None and any(v < self.minimum for v in values):
            raise VerifyError(f"attribute '{name}' elements must be at least {self.minimum}; got {list(values)}")
        return values


class BoolAttr(AttrSpec):
    """A boolean: ``keepdims = false``."""

    def to_mlir(self, value):
        return ir.BoolAttr.get(bool(value))

    def decode(self, name, attr):
        if not isinstance(attr, ir.BoolAttr):
            raise VerifyError(f"attribute '{name}' must be true or false; got {attr}")
        return attr.value


class FloatAttr(AttrSpec):
    """A 64-bit float: ``eps = 1.0e-05 : f64`` (infinities allowed, NaN refused)."""

    def to_mlir(self, value):
        return ir.FloatAttr.get_f64(float(value))

    def decode(self, name, attr):
        if not isinstance(attr, ir.FloatAttr) or str(attr.type) != "f64":
            raise VerifyError(f"attribute '{name}' must be an f64 float; got {attr}")
        if math.isnan(attr.value):
            raise VerifyError(f"attribute '{name}' must not be NaN")
        return attr.value


class ElementsAttrSpec(AttrSpec):
    """Tensor contents: ``dense<...>`` or, for large weights, ``dense_resource<blob>``.

    Builders also take a numpy array (stored as ``dense<...>``).
    """

    def to_mlir(self, value):
        if isinstance(value, np.ndarray):
            from .elements import numpy_to_elements

            return numpy_to_elements(value)
        return value

    def decode(self, name, attr):
        if isinstance(attr, ir.DenseElementsAttr) or str(attr).startswith("dense_resource<"):
            return attr
        raise VerifyError(f"attribute '{name}' must be dense<...> or dense_resource<...>; got {attr}")


# ----------------------------------------------------------------------------
# The op base class.

_OPERAND_KINDS = {
    str(Operand): "single",
    str(OptionalOperand): "optional",
    str(VariadicOperand): "variadic",
}

#: Every fxn op class by its full name (``"fxn.add"``).
OPS: dict[str, type] = {}


def _operand_kind(hint) -> str:
    """``single``, ``optional`` or ``variadic`` (an :class:`OperandList` is a variadic group to fxn)."""
    return "variadic" if isinstance(hint, OperandList) else _OPERAND_KINDS[str(hint)]


def _irdl_operands(annotations: dict) -> dict:
    """The operand annotations as ``dialects.ext`` declares them to IRDL: an :class:`OperandList` ``args`` as
    optional operands ``args_0``, ``args_1``, ..."""
    declared = {}
    for key, hint in annotations.items():
        if isinstance(hint, OperandList):
            declared.update({f"{key}_{i}": OptionalOperand for i in range(hint.limit)})
        else:
            declared[key] = hint
    return declared


class FxnOp(FxnDialect.Operation, traits=[ext.Pure]):
    """Base class of every fxn op: one result, pure, verified by type inference."""

    # No annotations here: ext would take them for op fields.
    #: ``(name, kind)`` per operand, kind in ``single | optional | variadic``.
    OPERANDS = ()
    #: Attribute specs by name, in declaration order.
    ATTRS = {}
    #: The most operands the variadic group takes where it is an :class:`OperandList`, else None.
    OPERAND_LIMIT = None

    def __init_subclass__(cls, name: str | None = None, **kwargs):
        # Operands and attributes are inherited, so ops of one shape can share
        # a base class (`class AddOp(BinaryOp, name="add")`).
        own = cls.__dict__.get("__annotations__", {})
        inherited_operands = tuple(o for base in cls.__bases__ for o in getattr(base, "OPERANDS", ()))
        operands = inherited_operands + tuple((key, _operand_kind(hint)) for key, hint in own.items())
        if sum(kind != "single" for _, kind in operands) > 1:
            raise TypeError(f"{cls.__name__}: at most one optional or variadic operand")
        attrs = {k: v for k, v in cls.__dict__.items() if isinstance(v, AttrSpec)}
        for key in attrs:
            delattr(cls, key)
        cls.__annotations__ = {**_irdl_operands(own), **{key: Any for key in attrs}}
        if name is not None:
            cls.__annotations__["result"] = ext.Result[Any]
        inherited_attrs = {k: v for base in cls.__bases__ for k, v in getattr(base, "ATTRS", {}).items()}
        lists = [hint.limit for hint in own.values() if isinstance(hint, OperandList)]
        super().__init_subclass__(name=name, **kwargs)
        cls.OPERANDS = operands
        cls.ATTRS = {**inherited_attrs, **attrs}
        if lists:
            cls.OPERAND_LIMIT = lists[0]
        if name is not None:
            OPS[cls.OPERATION_NAME] = cls
            # The generated accessors read an `operandSegmentSizes` attribute
            # where IRDL declares several groups; fxn's read the groups from
            # the operand count (one group can vary at most).
            for key, _ in operands:
                setattr(cls, key, property(lambda self, key=key: self.operand_groups()[key]))

    # -- type inference ---------------------------------------------------

    @classmethod
    def infer_type(cls, args: SimpleNamespace, attrs: SimpleNamespace) -> TensorType:
        """The result type for operand types ``args`` and decoded ``attrs``; VerifyError if ill-typed."""
        raise NotImplementedError(f"{cls.__name__}.infer_type")

    @classmethod
    def check_result(cls, args: SimpleNamespace, attrs: SimpleNamespace, result_type: ir.Type) -> None:
        """VerifyError unless ``result_type`` is the op's result type; by default the inferred one.

        Ops whose result type is chosen by the IR (``fxn.cast``) override this.
        """
        expected = cls.infer_type(args, attrs)
        result = TensorType.from_mlir(result_type, "result")
        if result != expected:
            raise VerifyError(f"result type {result} does not match the inferred type {expected}")

    @classmethod
    def group_operands(cls, values: Sequence) -> dict[str, Any]:
        """Split a flat operand list into the declared groups (None / list for optional / variadic)."""
        n_single = sum(kind == "single" for _, kind in cls.OPERANDS)
        varying = [kind for _, kind in cls.OPERANDS if kind != "single"]
        n_rest = len(values) - n_single
        if not varying:
            expected, fits = f"{n_single}", n_rest == 0
        elif varying == ["optional"]:
            expected, fits = f"{n_single} or {n_single + 1}", n_rest in (0, 1)
        elif cls.OPERAND_LIMIT is None:
            expected, fits = f"at least {n_single}", n_rest >= 0
        else:
            expected, fits = f"{n_single} to {n_single + cls.OPERAND_LIMIT}", 0 <= n_rest <= cls.OPERAND_LIMIT
        if not fits:
            raise VerifyError(f"expected {expected} operand{'' if expected == '1' else 's'}; got {len(values)}")
        groups, i = {}, 0
        for key, kind in cls.OPERANDS:
            if kind == "single":
                groups[key] = values[i]
                i += 1
            elif kind == "optional":
                groups[key] = values[i] if n_rest == 1 else None
                i += n_rest
            else:
                groups[key] = list(values[i : i + n_rest])
                i += n_rest
        return groups

    def operand_groups(self) -> dict[str, Any]:
        return self.group_operands(list(self.operation.operands))

    @classmethod
    def decode_attrs(cls, attributes) -> SimpleNamespace:
        """Read and check every declared attribute of ``attributes`` (an op's attribute map)."""
        values = {}
        for key, spec in cls.ATTRS.items():
            if key not in attributes:
                raise VerifyError(f"requires attribute '{key}'")
            try:
                attr = attributes[key]
            except TypeError:  # the bindings cannot represent it (e.g. `array<ui8: ...>`)
                raise VerifyError(f"attribute '{key}' has a kind fxn does not accept") from None
            values[key] = spec.decode(key, attr)
        return SimpleNamespace(**values)

    def attrs(self) -> SimpleNamespace:
        """This op's attributes as Python values."""
        return self.decode_attrs(self.operation.attributes)

    @classmethod
    def _operand_types(cls, groups: dict[str, Any]) -> SimpleNamespace:
        def convert(key, value):
            if value is None:
                return None
            if isinstance(value, list):
                return [TensorType.from_mlir(v.type, f"operand '{key}' #{i}") for i, v in enumerate(value)]
            return TensorType.from_mlir(value.type, f"operand '{key}'")

        return SimpleNamespace(**{key: convert(key, value) for key, value in groups.items()})

    # -- verification -----------------------------------------------------

    @staticmethod
    def verify_invariants(op) -> bool:
        cls = OPS[op.operation.name]
        try:
            if len(op.operation.results) != 1:
                raise VerifyError(f"requires exactly one result; got {len(op.operation.results)}")
            args = cls._operand_types(cls.group_operands(list(op.operation.operands)))
            cls.check_segments(op.operation)
            attrs = cls.decode_attrs(op.operation.attributes)
            cls.check_result(args, attrs, op.operation.results[0].type)
        except VerifyError as error:
            op.location.emit_error(f"'{cls.OPERATION_NAME}' op {error}")
            return False
        except Exception as error:  # a bug in a verifier must not escape into the parser
            op.location.emit_error(
                f"'{cls.OPERATION_NAME}' op could not be verified ({type(error).__name__}: {error})"
            )
            return False
        return True

    @classmethod
    def segment_sizes(cls, operand_count: int) -> list[int] | None:
        """``operandSegmentSizes`` of the op with ``operand_count`` operands: None unless it has an
        :class:`OperandList` (see there)."""
        if cls.OPERAND_LIMIT is None:
            return None
        present = operand_count - (len(cls.OPERANDS) - 1)
        sizes = []
        for _, kind in cls.OPERANDS:
            sizes += [1] if kind == "single" else [1] * present + [0] * (cls.OPERAND_LIMIT - present)
        return sizes

    @classmethod
    def check_segments(cls, operation) -> None:
        """VerifyError unless an op with an :class:`OperandList` has the ``operandSegmentSizes`` of
        :meth:`segment_sizes`."""
        expected = cls.segment_sizes(len(operation.operands))
        if expected is None:
            return
        spelled = f"array<i32: {', '.join(map(str, expected))}>"
        if "operandSegmentSizes" not in operation.attributes:
            raise VerifyError(f"requires attribute 'operandSegmentSizes' ({spelled} for {len(operation.operands)} "
                              "operands)")
        given = operation.attributes["operandSegmentSizes"]
        if not isinstance(given, ir.DenseI32ArrayAttr) or list(given) != expected:
            raise VerifyError(f"attribute 'operandSegmentSizes' must be {spelled} for {len(operation.operands)} "
                              f"operands (the present operands of a list first); got {given}")

    # -- building ---------------------------------------------------------

    @classmethod
    def build(cls, *operands, result_type: TensorType | None = None, loc=None, ip=None, **attrs) -> ir.Value:
        """Create the op (at ``ip`` or the current insertion point) and return its result.

        ``operands`` follow the declaration (None for an absent optional
        operand, a list for a variadic one); ``attrs`` are Python values,
        defaults filled in. The result type is inferred unless given.
        """
        if len(operands) != len(cls.OPERANDS):
            raise TypeError(f"{cls.__name__}.build takes {len(cls.OPERANDS)} operands; got {len(operands)}")
        flat = []
        for value, (_, kind) in zip(operands, cls.OPERANDS):
            if kind == "variadic":
                flat.extend(value)
            elif value is not None:
                flat.append(value)
        mlir_attrs = {}
        for key, spec in cls.ATTRS.items():
            if key in attrs:
                value = attrs.pop(key)
            elif spec.has_default:
                value = spec.default
            else:
                raise TypeError(f"{cls.__name__}.build needs attribute '{key}'")
            mlir_attrs[key] = spec.to_mlir(value)
        if attrs:
            raise TypeError(f"{cls.__name__}.build got unknown attributes {sorted(attrs)}")
        cls.group_operands(flat)  # the operand count (an operand list's limit)
        segments = cls.segment_sizes(len(flat))
        if segments is not None:
            mlir_attrs["operandSegmentSizes"] = ir.DenseI32ArrayAttr.get(segments)
        if result_type is None:
            args = cls._operand_types(cls.group_operands(flat))
            result_type = cls.infer_type(args, cls.decode_attrs(mlir_attrs))
        op = ir.Operation.create(
            cls.OPERATION_NAME,
            results=[result_type.to_mlir()],
            operands=flat,
            attributes=mlir_attrs,
            loc=loc,
            ip=ip,
        )
        return op.result


def load_dialect(context: ir.Context) -> None:
    """Make the fxn dialect available in ``context``."""
    # Importing the op modules registers every op class with FxnDialect.
    from . import ops  # noqa: F401

    from fxn.compile_lock import COMPILE_LOCK

    # Dialect.load keeps the module it builds in a class attribute: one load at a time (fxn.compile_lock).
    with context, COMPILE_LOCK:
        if not context.is_dialect_loaded(FxnDialect.DIALECT_NAMESPACE):
            FxnDialect.load()
