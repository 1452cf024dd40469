"""The LLVM-dialect ops fxn builds itself, made with the core bindings' ``ir.Operation.create``.

fxn builds a few dozen kinds of ``llvm`` op (the CPython entry of
:mod:`fxn.python_entry`, the status checks of
:mod:`fxn.passes.lowering.checked_allocation`). The bindings' generated
``llvm`` module, whose builders would make them, holds ~700 op classes and
costs ~60 ms to import: more than a tenth of a scalar function's cold
compile. These builders make the same ops, attribute for attribute (a test
compares their generic form with the generated builders'), at the current
insertion point and location.

The ops fxn reads back are plain ``OpView``s: :mod:`fxn.mlir` gives the
bindings no classes for the ``llvm`` dialect (importing the generated module
registers them; code here reads attributes and regions, which both have).
Functions with a value return the value; the others the op.
"""

from __future__ import annotations

from fxn.mlir import ir

#: ``llvm.icmp`` predicates (the ``ICmpPredicate`` enum's values).
ICMP_PREDICATES = {"eq": 0, "ne": 1, "slt": 2, "sle": 3, "sgt": 4, "sge": 5, "ult": 6, "ule": 7, "ugt": 8, "uge": 9}
#: LLVM's atomic orderings (the ``AtomicOrdering`` enum's values) that fxn uses.
ORDERINGS = {"not_atomic": 0, "monotonic": 2, "acq_rel": 6}


def _op(name: str, results=(), operands=(), attributes=None, successors=None, regions: int = 0):
    return ir.Operation.create(name, results=list(results), operands=list(operands), attributes=attributes or {},
                               successors=successors, regions=regions).opview


def _integer(value: int, bits: int) -> ir.Attribute:
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(bits), value)


def _dense_i32(values) -> ir.Attribute:
    return ir.DenseI32ArrayAttr.get(list(values))


def _no_fastmath() -> ir.Attribute:
    return ir.Attribute.parse("#llvm.fastmath<none>")


def ptr_type() -> ir.Type:
    return ir.Type.parse("!llvm.ptr")


# ----------------------------------------------------------------------------- symbols


def function(symbol: str, function_type: str):
    """``llvm.func @symbol`` of type ``!llvm.func<function_type>`` (external linkage, C calling convention), with
    an empty body region (a declaration until a block is appended)."""
    return _op("llvm.func", attributes={
        "CConv": ir.Attribute.parse("#llvm.cconv<ccc>"),
        "function_type": ir.TypeAttr.get(ir.Type.parse(f"!llvm.func<{function_type}>")),
        "linkage": ir.Attribute.parse("#llvm.linkage<external>"),
        "sym_name": ir.StringAttr.get(symbol),
        "visibility_": _integer(0, 64),
    }, regions=1)


def internal_global(global_type: ir.Type, symbol: str, value: ir.Attribute, alignment: int):
    """``llvm.mlir.global internal @symbol`` of ``global_type``, initialized to ``value``."""
    return _op("llvm.mlir.global", attributes={
        "addr_space": _integer(0, 32),
        "alignment": _integer(alignment, 64),
        "global_type": ir.TypeAttr.get(global_type),
        "linkage": ir.Attribute.parse("#llvm.linkage<internal>"),
        "sym_name": ir.StringAttr.get(symbol),
        "tls_mode": _integer(0, 64),
        "value": value,
        "visibility_": _integer(0, 64),
    }, regions=1)


def addressof(symbol: str):
    return _op("llvm.mlir.addressof", [ptr_type()], attributes={"global_name": ir.FlatSymbolRefAttr.get(symbol)}).result


# ----------------------------------------------------------------------------- values


def constant(attribute: ir.Attribute):
    """``llvm.mlir.constant`` of a typed attribute (an ``IntegerAttr``)."""
    return _op("llvm.mlir.constant", [attribute.type], attributes={"value": attribute}).result


def zero(type_: ir.Type):
    return _op("llvm.mlir.zero", [type_]).result


def poison(type_: ir.Type):
    return _op("llvm.mlir.poison", [type_]).result


def icmp(predicate: str, lhs, rhs):
    """``lhs <predicate> rhs`` (a key of :data:`ICMP_PREDICATES`) as an ``i1``."""
    return _op("llvm.icmp", [ir.IntegerType.get_signless(1)], [lhs, rhs],
               {"predicate": _integer(ICMP_PREDICATES[predicate], 64)}).result


def logical(name: str, lhs, rhs):
    """``llvm.and`` or ``llvm.or`` (``name``) of two integers."""
    return _op(f"llvm.{name}", [lhs.type], [lhs, rhs]).result


def mul(lhs, rhs):
    return _op("llvm.mul", [lhs.type], [lhs, rhs]).result


def cast(name: str, type_: ir.Type, value):
    """``llvm.<name>`` of ``value`` to ``type_``: ``zext``, ``sext``, ``trunc``, ``fpext``, ``fptrunc``, ``ptrtoint``
    or ``inttoptr`` (``fpext`` and ``fptrunc`` without fast-math flags, as their builders make them)."""
    attributes = {"fpext": {"fastmathFlags": _no_fastmath()}, "fptrunc": {"fastmathFlags": _no_fastmath()}}.get(name)
    return _op(f"llvm.{name}", [type_], [value], attributes).result


def extractvalue(type_: ir.Type, aggregate, position: list[int]):
    return _op("llvm.extractvalue", [type_], [aggregate], {"position": ir.DenseI64ArrayAttr.get(position)}).result


# ----------------------------------------------------------------------------- memory


def getelementptr(base, element_type: ir.Type, constant_indices: list[int], dynamic_indices=()):
    """``llvm.getelementptr`` of ``base`` over ``element_type``: each of ``constant_indices`` is an index, or
    ``-2**31`` where the next of ``dynamic_indices`` is."""
    return _op("llvm.getelementptr", [ptr_type()], [base, *dynamic_indices], {
        "elem_type": ir.TypeAttr.get(element_type),
        "rawConstantIndices": _dense_i32(constant_indices),
    }).result


def load(type_: ir.Type, pointer):
    return _op("llvm.load", [type_], [pointer], {"ordering": _integer(0, 64)}).result


def store(value, pointer):
    return _op("llvm.store", [], [value, pointer], {"ordering": _integer(0, 64)})


def alloca(count, element_type: ir.Type, alignment: int):
    """``count`` elements of ``element_type`` on the stack."""
    return _op("llvm.alloca", [ptr_type()], [count], {"alignment": _integer(alignment, 64),
                                                     "elem_type": ir.TypeAttr.get(element_type)}).result


def cmpxchg(pointer, expected, desired, success: str, failure: str):
    """``llvm.cmpxchg`` of i64s: ``{old value, whether it was exchanged}``; orderings are keys of :data:`ORDERINGS`."""
    pair = ir.Type.parse(f"!llvm.struct<({expected.type}, i1)>")
    return _op("llvm.cmpxchg", [pair], [pointer, expected, desired], {
        "failure_ordering": _integer(ORDERINGS[failure], 64),
        "success_ordering": _integer(ORDERINGS[success], 64),
    }).result


# ----------------------------------------------------------------------------- calls and control flow


def call(result_type, arguments: list, callee: str | None = None, arg_attrs: ir.Attribute | None = None):
    """``llvm.call`` of ``@callee``, or (without one) of the pointer ``arguments[0]`` with the rest: its result,
    or the op where ``result_type`` is None. ``arg_attrs``: an array of one dictionary per argument passed
    (``{llvm.zeroext}``)."""
    attributes = {
        "CConv": ir.Attribute.parse("#llvm.cconv<ccc>"),
        "TailCallKind": ir.Attribute.parse("#llvm.tailcallkind<none>"),
        "fastmathFlags": _no_fastmath(),
        "op_bundle_sizes": _dense_i32([]),
        "operandSegmentSizes": _dense_i32([len(arguments), 0]),
    }
    if callee is not None:
        attributes["callee"] = ir.FlatSymbolRefAttr.get(callee)
    if arg_attrs is not None:
        attributes["arg_attrs"] = arg_attrs
    if result_type is None:
        return _op("llvm.call", [], arguments, attributes)
    return _op("llvm.call", [result_type], arguments, attributes).result


def branch(operands: list, destination):
    return _op("llvm.br", [], operands, successors=[destination])


def cond_branch(condition, true_destination, false_destination, true_operands=()):
    return _op("llvm.cond_br", [], [condition, *true_operands],
               {"operandSegmentSizes": _dense_i32([1, len(true_operands), 0])},
               successors=[true_destination, false_destination])


def return_(value=None):
    return _op("llvm.return", [], [] if value is None else [value])
