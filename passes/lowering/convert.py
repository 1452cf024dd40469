"""fxn-lower-to-linalg: replace every fxn op by its lowering for the target."""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.backends import resolve_target
from fxn.dialects.types import NUMPY_TYPE_NAMES
from fxn.mlir import ir

from ..patterns import outermost_op
from ..registry import FxnPass, PassFailure
from . import load_lowerings
from .bounds import bounds_checks
from .constants import module_constants
from .signless import make_signless, restore_unsigned, signless


def lowering_table(backend=None) -> dict:
    """The generic lowerings, with ``backend``'s replacements applied (its :attr:`~fxn.backends.base.Backend.lowerings`)."""
    table = dict(load_lowerings())
    if backend is not None:
        table.update(backend.lowerings)
    return table


@dataclass
class FxnLowerToLinalg(FxnPass):
    """Lower fxn ops to linalg, tensor, arith and math ops on tensors.

    Each op is replaced by the function the lowering table gives for it: the
    generic one, or the own one of the backend of ``target`` (a target spec:
    ``neon``, ``neon:cpu=cortex-a76``, ``host``; none: the generic lowering
    for a target of 128-bit vectors). An op without a lowering is a
    located error. Unsigned integer types become signless at the end (see
    :mod:`.signless`). Before/after::

        %r = "fxn.add"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
        ==>
        %e = tensor.empty() : tensor<4xf32>
        %r = linalg.generic {...} ins(%a, %b : ...) outs(%e : ...) { arith.addf ... }
    """

    argument = "fxn-lower-to-linalg"
    target: str = field(default="", metadata={"help": "lower for this target (its backend's own lowerings apply)"})
    bounds_check: bool = field(default=True, metadata={
        "help": "check run-time indices (an out-of-bounds one is an IndexError, see passes/lowering/bounds.py)"})

    def run_on(self, op) -> None:
        try:
            backend, target = resolve_target(self.target) if self.target else (None, None)
        except (LookupError, ValueError, RuntimeError) as error:  # no such target, a bad option, a broken plugin
            raise PassFailure(str(error), op.location) from None
        table = lowering_table(backend)
        own = backend.lowerings if backend is not None else {}
        unknown = sorted(set(own) - set(load_lowerings()))
        if unknown:
            raise PassFailure(f"backend '{backend.name}' ({type(backend).__module__}) has lowerings for "
                              f"{', '.join(unknown)}, which fxn has no op named", op.location)
        fxn_ops = []

        def collect(child):
            if child.name.startswith("fxn."):
                fxn_ops.append(child)
            return ir.WalkResult.ADVANCE

        op.walk(collect)
        vendor_lowered = []
        with bounds_checks(self.bounds_check), module_constants(outermost_op(op)):
            self._lower(fxn_ops, table, own, backend, target, vendor_lowered)
        make_signless(op)
        if vendor_lowered:
            _verify_vendor_lowered(op, backend, vendor_lowered)

    @staticmethod
    def _lower(fxn_ops, table, own, backend, target, vendor_lowered) -> None:
        for fxn_op in fxn_ops:
            if target is not None:
                _check_element_types(fxn_op, target)
            lower = table.get(fxn_op.name)
            if lower is None:
                raise PassFailure(f"no lowering for '{fxn_op.name}'", fxn_op.location)
            with ir.InsertionPoint(fxn_op), fxn_op.location:
                if fxn_op.name in own:
                    replacement = _vendor_lowering(backend, lower, fxn_op)(fxn_op.opview, target)
                    vendor_lowered.append(fxn_op.name)
                else:
                    replacement = lower(fxn_op.opview, target)
                replacement = restore_unsigned(replacement, fxn_op.results[0].type)
            fxn_op.results[0].replace_all_uses_with(replacement)
            fxn_op.erase()


def _check_element_types(fxn_op, target) -> None:
    """PassFailure at ``fxn_op`` if one of its operands or results has an element type ``target`` does not support."""
    for value in [*fxn_op.operands, *fxn_op.results]:
        if isinstance(value.type, ir.RankedTensorType):
            dtype = str(value.type.element_type)
            if dtype in NUMPY_TYPE_NAMES and dtype not in target.dtypes:
                raise PassFailure(f"{fxn_op.name}: target '{target.spec}' does not support element type {dtype} "
                                  f"(its element types: {', '.join(target.dtypes)})", fxn_op.location)


def _vendor_lowering(backend, lower, fxn_op):
    """A backend's own lowering of ``fxn_op``, whose failure is a PassFailure naming the plugin."""
    def run(op, target):
        where = f"backend '{backend.name}' ({type(backend).__module__})"
        try:
            replacement = lower(op, target)
        except Exception as error:  # a vendor's bug is reported at the op, not as a traceback from the core
            raise PassFailure(f"{where} failed to lower {fxn_op.name}: {type(error).__name__}: {error}",
                              fxn_op.location) from error
        if not isinstance(replacement, ir.Value):
            raise PassFailure(f"{where}'s lowering of {fxn_op.name} returned a {type(replacement).__name__}, "
                              "not an ir.Value", fxn_op.location)
        expected = fxn_op.results[0].type
        if replacement.type != expected and replacement.type != signless(expected):
            raise PassFailure(f"{where}'s lowering of {fxn_op.name} returned a {replacement.type}, not the op's "
                              f"{expected}", fxn_op.location)
        return replacement

    return run


def _verify_vendor_lowered(root, backend, lowered: list[str]) -> None:
    """PassFailure naming the plugin if the IR is invalid after its lowerings of ``lowered`` ops ran.

    (The IR can be verified only once every fxn op is lowered and ``ui8``
    retyped: arith refuses ``ui8`` operands before that.)
    """
    try:
        root.verify()
    except ir.MLIRError as error:
        diagnostics = list(error.error_diagnostics)
        messages = "; ".join(str(d.message) for d in diagnostics) or str(error)
        where = f"backend '{backend.name}' ({type(backend).__module__})"
        raise PassFailure(f"the IR is invalid after {where}'s lowerings of {', '.join(sorted(set(lowered)))}: "
                          f"{messages}", diagnostics[0].location if diagnostics else root.location) from None
