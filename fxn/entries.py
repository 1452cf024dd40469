"""The entry points of a compiled function, added to its module as IR before lowering, and their names.

Compiled code has the two kinds of entry point that every generated C header
documents (see :mod:`fxn.artifacts`):

- the *memref entry* ``fxn_<name>(results *, memref *arg0, ..., status *)``
  (MLIR's C interface under the function's own name, :func:`memref_symbol`),
  for every function: each argument is a memref descriptor pointing at the
  caller's data (no copy); each result is a buffer the compiled code
  ``malloc``'ed, which the caller frees; the status reports a failed
  allocation (:mod:`fxn.passes.lowering.checked_allocation`);
- the *value entry* ``fxn_<name>__value(x, y, ...)`` (see
  :func:`add_value_entry`), for functions of 0-d arguments and one 0-d
  result whose code allocates nothing: plain C scalars in and out.

Calls with ``out=`` (JIT only, not in artifacts) use a third, the
*destination entry* ``fxn_<name>__out(memref *arg0, ..., memref *out0, ...,
[memref *dims], status *)`` (see :func:`add_destination_entry`), compiled on
demand into a module of its own: the results are written into the caller's
buffers, nothing is allocated for them. :mod:`fxn.runtime` calls these
entries.

Names: lowering renames every function ``@f`` to ``@fxn_f``
(:func:`namespace_functions`), and the C interface ``_mlir_ciface_fxn_f``
that MLIR adds takes the name ``fxn_f`` (:func:`export_c_interfaces`). Every
symbol compiled code defines thus starts with ``fxn_``: no predictor name
(``malloc``, ``free``, ``main``) can collide with what the code calls.
"""

from __future__ import annotations

import ctypes
import functools

from fxn.dialects import TensorType
from fxn.mlir import arith, bufferization, func, ir, memref, scf, tensor
from fxn.symbols import memref_symbol

#: C types of the element types a value entry passes (f16 has none: memref entry only).
SCALAR_CTYPES = {
    "f32": ctypes.c_float,
    "f64": ctypes.c_double,
    "i8": ctypes.c_int8,
    "ui8": ctypes.c_uint8,
    "i32": ctypes.c_int32,
    "i64": ctypes.c_int64,
    "i1": ctypes.c_bool,
}

def function_named(module, name: str):
    """The function (``func.func`` or ``llvm.func``) ``@name`` of ``module``."""
    return next(op for op in module.body.operations
                if "sym_name" in op.attributes and op.attributes["sym_name"].value == name)


def body_symbol(symbol: str) -> str:
    """What :func:`export_c_interfaces` renames the function behind the C interface ``symbol`` to."""
    return f"{symbol}__body"


def namespace_functions(module) -> None:
    """Rename every ``func.func @<f>`` of ``module`` to ``@fxn_<f>`` (:func:`memref_symbol`), and its uses.

    Done as lowering begins: from then on no function can take the name of a
    function the generated code calls (``malloc``, ``free``, ``memcpy``).
    A name with a ``.`` (``@fxn.index_out_of_bounds``) is one of fxn's own
    hooks, which no Python function can be named, and is kept.
    """
    with module.context:
        for op in list(module.body.operations):
            if isinstance(op, func.FuncOp) and "." not in op.sym_name.value:
                name = op.sym_name.value
                ir.SymbolTable.replace_all_symbol_uses(name, memref_symbol(name), module.operation)
                op.attributes["sym_name"] = ir.StringAttr.get(memref_symbol(name))


def defined_symbols(llvm_module) -> list[str]:
    """The functions an LLVM-dialect module defines (every one starts with ``fxn_``)."""
    return [op.attributes["sym_name"].value for op in llvm_module.body.operations
            if op.name == "llvm.func" and len(op.regions[0].blocks)]


def export_c_interfaces(module) -> None:
    """Give each C interface of an LLVM-dialect module its function's name: ``_mlir_ciface_<f>`` becomes ``<f>``.

    ``llvm.emit_c_interface`` makes ``_mlir_ciface_<f>`` (descriptors passed
    by pointer) beside ``<f>`` (descriptors expanded into scalars). Callers
    use the C interface, so it takes the plain name and ``<f>`` becomes
    :func:`body_symbol`.
    """
    prefix = "_mlir_ciface_"
    with module.context:
        for op in list(module.body.operations):
            symbol = op.attributes["sym_name"].value if "sym_name" in op.attributes else ""
            if op.name == "llvm.func" and symbol.startswith(prefix):
                name = symbol[len(prefix):]
                ir.SymbolTable.replace_all_symbol_uses(name, body_symbol(name), module.operation)
                function_named(module, name).attributes["sym_name"] = ir.StringAttr.get(body_symbol(name))
                op.attributes["sym_name"] = ir.StringAttr.get(name)


# ----------------------------------------------------------------------------- value entries


def has_value_entry(arg_types: list[TensorType], result_types: list[TensorType]) -> bool:
    """Whether a function of these types gets a value entry: 0-d arguments and one 0-d result, C scalar dtypes."""
    types = [*arg_types, *result_types]
    return len(result_types) == 1 and all(t.rank == 0 and t.dtype in SCALAR_CTYPES for t in types)


def add_value_entry(module, name: str) -> bool:
    """Add ``func.func @fxn_<name>`` taking and returning the scalars of ``@name``'s 0-d tensors.

    The wrapper wraps its scalars in tensors (``tensor.from_elements``), runs
    a copy of ``@name``'s body and extracts the result (``tensor.extract``):
    ordinary IR lowered with the rest, whose few 0-d buffers LLVM optimizes
    away. (A call of ``@name`` instead would keep buffers crossing a function
    boundary, which the deallocation pipeline tracks at run time.) An ``i1``
    travels as a byte that is 0 or 1, a C ``bool``: a parameter is taken as
    ``i8`` and truncated, the result returned zero-extended to ``i8`` (LLVM
    leaves the upper bits of an ``i1`` undefined; ``fxn.call_indirect``
    passes and returns it so too). Returns False (and adds nothing) unless
    :func:`has_value_entry` holds.
    """
    with module.context, ir.Location.unknown():
        callee = function_named(module, name)
        function_type = ir.FunctionType(callee.function_type.value)
        arg_types = [TensorType.from_mlir(t) for t in function_type.inputs]
        result_types = [TensorType.from_mlir(t) for t in function_type.results]
        if not has_value_entry(arg_types, result_types):
            return False
        byte = ir.IntegerType.get_signless(8)
        scalars = [byte if t.dtype == "i1" else t.to_mlir().element_type for t in arg_types]
        is_bool = result_types[0].dtype == "i1"
        returned = byte if is_bool else ir.RankedTensorType(function_type.results[0]).element_type
        with ir.InsertionPoint(module.body):
            wrapper = func.FuncOp(f"{name}__value", (scalars, [returned]))  # value_symbol once lowered
            block = wrapper.add_entry_block()
        with ir.InsertionPoint(block):
            tensors = [tensor.FromElementsOp(t.to_mlir(), [_from_byte(a) if t.dtype == "i1" else a]).result
                       for t, a in zip(arg_types, block.arguments)]
            (result,) = _clone_body(callee, tensors)
            value = tensor.ExtractOp(result, []).result
            if is_bool:
                value = arith.ExtUIOp(returned, value).result
            func.ReturnOp([value])
    return True


def _from_byte(value):
    """A C ``bool`` (a byte that is 0 or 1) as an ``i1``."""
    return arith.TruncIOp(ir.IntegerType.get_signless(1), value).result


def _clone_body(function, arguments: list) -> list:
    """Clone ``function``'s body at the insertion point with its arguments replaced; the returned values."""
    entry = function.regions[0].blocks[0]
    mapping = dict(zip(entry.arguments, arguments))

    def remap(op):
        for index, operand in enumerate(op.operands):
            if operand in mapping:
                op.operands[index] = mapping[operand]
        return ir.WalkResult.ADVANCE

    for op in entry.operations:
        if isinstance(op, func.ReturnOp):
            return [mapping.get(v, v) for v in op.operands]
        clone = op.operation.clone()
        clone.walk(remap)  # nested regions may use values defined before op
        mapping.update(zip(op.results, clone.results))
    raise ValueError(f"function @{function.sym_name.value} does not end in func.return")


# ----------------------------------------------------------------------------- destination entries


def dynamic_result_dims(result_types: list[TensorType]) -> list[tuple[int, int]]:
    """The results' dynamic dims as (result index, axis), in the order a destination entry reports them."""
    return [(index, axis) for index, t in enumerate(result_types) for axis, size in enumerate(t.shape) if size is None]


def add_destination_entry(module, name: str) -> None:
    """Add ``func.func @<name>__out``, which writes ``@name``'s results into buffers the caller gives.

    The entry takes ``@name``'s arguments, then one memref per result, the
    *destinations* (identity layout; ``restrict``: the caller guarantees that
    they alias nothing else the call reads or writes), then, if the results
    have dynamic dims, a ``memref<Kxi64>`` into which it writes their sizes
    for these arguments (in the order of :func:`dynamic_result_dims`). It
    computes and writes the results only if every destination has these
    sizes, so a buffer of the wrong size is never written. The sizes come
    from ``@<name>__dims``, which the entry calls first and never inlines;
    the "destination" lowering stage (:mod:`fxn.compiler`) reduces it to
    arithmetic on the argument dims wherever MLIR can reify the result shapes
    (elsewhere it computes the results to measure them, and still runs before
    anything is written). Each result reaches its destination through
    ``bufferization.materialize_in_destination``, so that after empty-tensor
    elimination the op computing it writes there directly (a result that
    no op writes into a fresh tensor, an argument returned as is, is copied).

    ``module`` is lowered to linalg already (:func:`fxn.compiler.lower_to_linalg`),
    so the entry is built from upstream types (signless integers), and is
    lowered further with :data:`fxn.compiler.DESTINATION_STAGES`. ``@name``
    becomes private: it is inlined into the entry.
    """
    with module.context, ir.Location.unknown():
        callee = function_named(module, name)
        callee.attributes["sym_visibility"] = ir.StringAttr.get("private")
        dynamic = dynamic_result_dims([TensorType.from_mlir(t) for t in callee.type.results])
        with ir.InsertionPoint(module.body):
            dims_function = _add_dims_function(callee, dynamic) if dynamic else None
            _add_out_function(callee, dims_function, dynamic)


def _add_dims_function(callee, dynamic: list[tuple[int, int]]):
    """``func.func private @<name>__dims``: the sizes of ``callee``'s result dims ``dynamic`` for its arguments."""
    index = ir.IndexType.get()
    function_type = ir.FunctionType.get(callee.type.inputs, [index] * len(dynamic))
    function = func.FuncOp(f"{callee.sym_name.value}__dims", function_type, visibility="private")
    with ir.InsertionPoint(function.add_entry_block()):
        results = func.CallOp(callee, list(function.arguments)).results
        func.ReturnOp([tensor.dim(results[i], _index(axis)) for i, axis in dynamic])
    return function


def _add_out_function(callee, dims_function, dynamic: list[tuple[int, int]]) -> None:
    """``@<name>__out`` (:func:`add_destination_entry`); ``dims_function`` is None when ``dynamic`` is empty."""
    inputs = list(callee.type.inputs)
    destinations = [ir.MemRefType.get(t.shape, t.element_type) for t in callee.type.results]
    sizes = [ir.MemRefType.get([len(dynamic)], ir.IntegerType.get_signless(64))] if dynamic else []
    function_type = ir.FunctionType.get([*inputs, *destinations, *sizes], [])
    entry = func.FuncOp(f"{callee.sym_name.value}__out", function_type)  # destination_symbol once lowered
    with ir.InsertionPoint(entry.add_entry_block()):
        arguments = entry.arguments[:len(inputs)]
        outs = entry.arguments[len(inputs):len(inputs) + len(destinations)]
        if dynamic:
            fit = _store_sizes_and_check(dims_function, arguments, outs, entry.arguments[-1], dynamic)
            with ir.InsertionPoint(scf.IfOp(fit).then_block):
                _write_results(callee, arguments, outs)
                scf.YieldOp([])
        else:
            _write_results(callee, arguments, outs)
        func.ReturnOp([])


def _store_sizes_and_check(dims_function, arguments, outs, sizes, dynamic: list[tuple[int, int]]):
    """Store the sizes ``dims_function`` (never inlined) gives into ``sizes``; an ``i1``: whether ``outs`` have them."""
    call = func.CallOp(dims_function, list(arguments))
    call.attributes["no_inline"] = ir.UnitAttr.get()
    fits = []
    for k, ((result, axis), size) in enumerate(zip(dynamic, call.results)):
        memref.store(arith.index_cast(ir.IntegerType.get_signless(64), size), sizes, [_index(k)])
        fits.append(arith.cmpi(arith.CmpIPredicate.eq, size, memref.dim(outs[result], _index(axis))))
    return functools.reduce(arith.andi, fits)


def _write_results(callee, arguments, outs) -> None:
    """Call ``callee`` and materialize each result in its destination, ``restrict writable``."""
    for result, out in zip(func.CallOp(callee, list(arguments)).results, outs):
        bufferization.materialize_in_destination(None, result, out, restrict=True, writable=True)


def _index(value: int):
    """An ``index`` constant."""
    return arith.constant(ir.IndexType.get(), value)
