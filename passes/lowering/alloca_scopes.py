"""fxn-inline-alloca-scopes: the ``memref.alloca_scope`` regions that allocate nothing, inlined.

Upstream ``convert-scf-to-openmp`` wraps the body of each parallel loop in
a ``memref.alloca_scope`` (so that stack buffers of an iteration are freed
when it ends). Once ``convert-scf-to-cf`` has turned the loops inside a
scope into blocks, the scope's region holds several blocks, which
``memref.alloca_scope`` does not allow. A scope without a
``memref.alloca`` frees nothing: its ops move in front of it, its results
become the values it returned, and it is erased. Scopes that do allocate
are kept. Before/after::

    memref.alloca_scope {
      scf.for ... { ... }
    }
    ==>
    scf.for ... { ... }
"""

from __future__ import annotations

from dataclasses import dataclass

from fxn.mlir import ir

from ..registry import FxnPass
from ..transform_scripts import ops_named


def _allocates(scope) -> bool:
    found = []

    def visit(op):
        if op.name == "memref.alloca":
            found.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    scope.walk(visit)
    return bool(found)


@dataclass
class FxnInlineAllocaScopes(FxnPass):
    """Inline each memref.alloca_scope whose region allocates nothing on the stack."""

    argument = "fxn-inline-alloca-scopes"

    def run_on(self, op) -> None:
        inlined = 0
        for scope in ops_named(op, "memref.alloca_scope"):  # innermost first
            if _allocates(scope):
                continue
            *body, terminator = scope.regions[0].blocks[0].operations
            for inner in body:
                inner.move_before(scope)
            for old, new in zip(scope.results, list(terminator.operands)):
                old.replace_all_uses_with(new)
            scope.erase()
            inlined += 1
        self.count("inlined", "alloca scopes inlined", inlined)
