"""fxn-lower-to-linalg: replace every fxn op by its lowering for the target."""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.backends import find_backend
from fxn.mlir import ir

from ..registry import FxnPass, PassFailure
from . import load_lowerings
from .signless import make_signless, restore_unsigned


def lowering_table(backend_name: str = "") -> dict:
    """The generic lowerings, with the named backend's replacements applied."""
    table = dict(load_lowerings())
    if backend_name:
        table.update(find_backend(backend_name).lowerings)
    return table


@dataclass
class FxnLowerToLinalg(FxnPass):
    """Lower fxn ops to linalg, tensor, arith and math ops on tensors.

    Each op is replaced by the function the lowering table gives for it: the
    generic one, or the ``backend``'s own. An op without a lowering is a
    located error. Unsigned integer types become signless at the end (see
    :mod:`.signless`). Before/after::

        %r = "fxn.add"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
        ==>
        %e = tensor.empty() : tensor<4xf32>
        %r = linalg.generic {...} ins(%a, %b : ...) outs(%e : ...) { arith.addf ... }
    """

    argument = "fxn-lower-to-linalg"
    backend: str = field(default="", metadata={"help": "use this backend's lowerings where it has its own"})

    def run_on(self, op) -> None:
        table = lowering_table(self.backend)
        target = find_backend(self.backend).host_target() if self.backend else None
        fxn_ops = []

        def collect(child):
            if child.name.startswith("fxn."):
                fxn_ops.append(child)
            return ir.WalkResult.ADVANCE

        op.walk(collect)
        for fxn_op in fxn_ops:
            lower = table.get(fxn_op.name)
            if lower is None:
                raise PassFailure(f"no lowering for '{fxn_op.name}'", fxn_op.location)
            with ir.InsertionPoint(fxn_op), fxn_op.location:
                replacement = restore_unsigned(lower(fxn_op.opview, target), fxn_op.results[0].type)
            fxn_op.results[0].replace_all_uses_with(replacement)
            fxn_op.erase()
        make_signless(op)
