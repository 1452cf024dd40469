"""Run-time checks in lowered code: an out-of-bounds index stops the call with an ``IndexError``, a store whose
run-time size does not broadcast to its window with a ``ValueError``.

A lowering that indexes with a run-time value (``fxn.dynamic_slice``,
``fxn.dynamic_update_slice``) calls :func:`fail_unless` before it reads or
writes. Failure is a call of an external function of three ``i64`` inside
an ``scf.if``: ``@fxn.index_out_of_bounds(index, size, axis)``, or
``@fxn.broadcast_mismatch(update size, window size, axis)``. At the end of
the pipeline ``fxn-check-allocations`` (see :mod:`.checked_allocation`)
turns each such call into a failure exit that stores its site and the
three values into the caller's status, so compiled code imports no such
function. The runtime raises ``IndexError: index 12 is out of bounds for
axis 0 with size 10`` (or the ``ValueError``) at the op's location.

``fxn-lower-to-linalg{bounds-check=false}`` (``@fxn.compile(boundscheck=False)``)
emits no checks: an out-of-bounds index then reads or writes outside the
tensor, as in C, and a store of a mismatched run-time size reads its value
clamped.
"""

from __future__ import annotations

import contextlib
import contextvars

from fxn.mlir import arith, func, ir, scf

from .checked_allocation import BROADCAST_CHECK, INDEX_CHECK, LITERAL_CHECK

#: The external functions whose calls mark failed checks (removed by ``fxn-check-allocations``): an index out of
#: bounds, and a stored value that does not broadcast to its window.
INDEX_ERROR_FUNCTION, BROADCAST_ERROR_FUNCTION = INDEX_CHECK, BROADCAST_CHECK
#: The external function whose call marks a text that is no integer (``fxn.str_to_int``).
LITERAL_ERROR_FUNCTION = LITERAL_CHECK

_CHECKS = contextvars.ContextVar("fxn_bounds_checks", default=True)


@contextlib.contextmanager
def bounds_checks(enabled: bool):
    """Within the block, :func:`fail_unless` emits checks only if ``enabled``."""
    token = _CHECKS.set(enabled)
    try:
        yield
    finally:
        _CHECKS.reset(token)


def fail_unless(ok: ir.Value, value: ir.Value, bound: ir.Value, axis: int | ir.Value, module,
                hook: str = INDEX_ERROR_FUNCTION) -> None:
    """If ``ok`` (i1) is false at run time, stop with the error of ``hook`` reporting ``value``, ``bound`` (i64) and
    ``axis`` (an int or an i64): an index and the size of its axis, or an update's size and its window's. A
    literal check (``fxn.str_to_int``'s) is made even without bounds checks: no text is out of bounds."""
    if not _CHECKS.get() and hook != LITERAL_ERROR_FUNCTION:
        return
    i64 = ir.IntegerType.get_signless(64)
    _declare(module, i64, hook)
    failed = arith.xori(ok, arith.constant(ir.IntegerType.get_signless(1), 1))
    branch = scf.IfOp(failed)
    with ir.InsertionPoint(branch.then_block):
        func.CallOp([], hook, [value, bound, arith.constant(i64, axis) if isinstance(axis, int) else axis])
        scf.YieldOp([])


def _declare(module, i64, hook: str) -> None:
    """Add ``func.func private @<hook>(i64, i64, i64)`` to ``module`` once."""
    body = module.regions[0].blocks[0]
    for op in body.operations:
        if op.operation.name == "func.func" and op.operation.attributes["sym_name"].value == hook:
            return
    with ir.InsertionPoint.at_block_begin(body), ir.Location.unknown():
        declaration = func.FuncOp(hook, ([i64, i64, i64], []))
        declaration.attributes["sym_visibility"] = ir.StringAttr.get("private")
