"""Run-time index checks in lowered code: an out-of-bounds index stops the call with an ``IndexError``.

A lowering that indexes with a run-time value (``fxn.dynamic_slice``,
``fxn.dynamic_update_slice``) calls :func:`fail_unless` before it reads or
writes. Failure is a call of the external function
``@fxn.index_out_of_bounds(index, size, axis)`` (three ``i64``) inside an
``scf.if``; at the end of the pipeline ``fxn-check-allocations`` (see
:mod:`.checked_allocation`) turns each such call into a failure exit that
stores its site and the three values into the caller's status, so compiled
code imports no such function. The runtime raises ``IndexError: index 12 is
out of bounds for axis 0 with size 10`` at the op's location.

``fxn-lower-to-linalg{bounds-check=false}`` (``@fxn.compile(boundscheck=False)``)
emits no checks: an out-of-bounds index then reads or writes outside the
tensor, as in C.
"""

from __future__ import annotations

import contextlib
import contextvars

from fxn.mlir import arith, func, ir, scf

#: The external function whose calls mark index failures (removed by ``fxn-check-allocations``).
INDEX_ERROR_FUNCTION = "fxn.index_out_of_bounds"

_CHECKS = contextvars.ContextVar("fxn_bounds_checks", default=True)


@contextlib.contextmanager
def bounds_checks(enabled: bool):
    """Within the block, :func:`fail_unless` emits checks only if ``enabled``."""
    token = _CHECKS.set(enabled)
    try:
        yield
    finally:
        _CHECKS.reset(token)


def fail_unless(ok: ir.Value, index: ir.Value, size: ir.Value, axis: int, module) -> None:
    """If ``ok`` (i1) is false at run time, stop with an index error reporting ``index``, ``size`` (i64) and ``axis``."""
    if not _CHECKS.get():
        return
    i64 = ir.IntegerType.get_signless(64)
    _declare(module, i64)
    failed = arith.xori(ok, arith.constant(ir.IntegerType.get_signless(1), 1))
    branch = scf.IfOp(failed)
    with ir.InsertionPoint(branch.then_block):
        func.CallOp([], INDEX_ERROR_FUNCTION, [index, size, arith.constant(i64, axis)])
        scf.YieldOp([])


def _declare(module, i64) -> None:
    """Add ``func.func private @fxn.index_out_of_bounds(i64, i64, i64)`` to ``module`` once."""
    body = module.regions[0].blocks[0]
    for op in body.operations:
        if op.operation.name == "func.func" and op.operation.attributes["sym_name"].value == INDEX_ERROR_FUNCTION:
            return
    with ir.InsertionPoint.at_block_begin(body), ir.Location.unknown():
        declaration = func.FuncOp(INDEX_ERROR_FUNCTION, ([i64, i64, i64], []))
        declaration.attributes["sym_visibility"] = ir.StringAttr.get("private")
