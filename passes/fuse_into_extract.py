"""fxn-fuse-into-extract: compute a cheap elementwise producer where a ``tensor.extract`` reads it.

Upstream elementwise fusion (``linalg-fuse-elementwise-ops``) merges a
producer into a consumer that reads it through an indexing map. Lowerings
that pick their input elements by computed position (resize's taps, pad,
crop) read through ``tensor.extract`` instead, so a producer such as the
cast of a uint8 image to f32 stays a whole tensor in memory. This pass
replaces each such ``tensor.extract`` of a producer's result by the
producer's scalar computation at that position: its inputs are extracted
at the positions its indexing maps give, and its body is cloned. Once every
use is rewritten the producer is dead (``canonicalize`` erases it).

A producer qualifies if it is a ``linalg.generic`` with parallel iterators
only, one result with the identity map, no use of its output's value, input
maps whose results are dims or constants, a body of cheap arith ops (casts,
``+ - * /``, comparisons, selects) and every use a ``tensor.extract``, and if
recomputing is cheaper than storing: the reads, counted over the iterations
of the all-parallel generics that contain them, must be at most half the
producer's elements (reads by position may be gathers; a resize that shrinks
a 1080p image to 224x224 reads a fifth of it, one that shrinks 480p reads
nearly all of it, and is faster from the stored tensor).
Before/after::

    %f = linalg.generic {maps [(d0, d1) -> (d1, d0), id]} ins(%u8) outs(%e) { uitofp }
    ... tensor.extract %f[%i, %j]
    ==>
    ... %b = tensor.extract %u8[%j, %i]; %v = arith.uitofp %b
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fxn.mlir import arith, ir, tensor

from .registry import FxnPass

#: Body ops cheap enough to recompute at every read.
CHEAP_OPS = frozenset(
    f"arith.{name}"
    for name in (
        "uitofp sitofp fptosi fptoui extf truncf extsi extui trunci bitcast index_cast "
        "addf subf mulf divf negf maximumf minimumf addi subi muli andi ori xori "
        "cmpf cmpi select constant"
    ).split()
)


@dataclass
class FxnFuseIntoExtract(FxnPass):
    """Compute cheap elementwise producers where tensor.extract reads them, instead of storing them whole.

    See the module docstring for the conditions. The anchor is usually a
    ``func.func`` after linalg elementwise fusion.
    """

    argument = "fxn-fuse-into-extract"

    def run_on(self, op) -> None:
        with op.context:
            for producer in _producers(op):
                extracts = list(producer.results[0].uses)
                for use in extracts:
                    _inline_at(producer, use.owner)
                self.count("fused", "elementwise producers computed at their tensor.extract reads")


def _producers(root) -> list:
    found = []

    def visit(op):
        if op.name == "linalg.generic" and _qualifies(op):
            found.append(op)
        return ir.WalkResult.ADVANCE

    root.walk(visit)
    return found


def _qualifies(generic) -> bool:
    if len(generic.results) != 1 or not list(generic.results[0].uses):
        return False
    if any(str(t) != "#linalg.iterator_type<parallel>" for t in generic.attributes["iterator_types"]):
        return False
    maps = [ir.AffineMapAttr(m).value for m in generic.attributes["indexing_maps"]]
    rank = maps[-1].n_dims
    if maps[-1] != ir.AffineMap.get_identity(rank) or not all(_simple(m) for m in maps[:-1]):
        return False
    body = generic.regions[0].blocks[0]
    if list(body.arguments[-1].uses):  # reads its output: not elementwise
        return False
    if any(op.operation.name not in CHEAP_OPS and op.operation.name != "linalg.yield" for op in body.operations):
        return False
    if not all(use.owner.name == "tensor.extract" and use.operand_number == 0 for use in generic.results[0].uses):
        return False
    reads = [_executions(use.owner) for use in generic.results[0].uses]
    elements = _elements(generic.results[0].type)
    return None not in reads and elements is not None and 2 * sum(reads) <= elements


def _elements(shaped_type) -> int | None:
    shape = ir.ShapedType(shaped_type)
    return math.prod(shape.shape) if shape.has_static_shape else None


def _executions(op) -> int | None:
    """How often ``op`` runs per run of its function: the iterations of its all-parallel linalg.generic, or 1.

    None where that is not known (a dynamic shape, a reduction, another region).
    """
    parent = op.parent
    if parent.name == "func.func":
        return 1
    if parent.name != "linalg.generic" or parent.parent.name != "func.func":
        return None
    if any(str(t) != "#linalg.iterator_type<parallel>" for t in parent.attributes["iterator_types"]):
        return None
    return _elements(parent.results[0].type)


def _simple(affine_map: ir.AffineMap) -> bool:
    """Whether every result is a dim or a constant (so an index is a value or a constant)."""
    return all(isinstance(e, (ir.AffineDimExpr, ir.AffineConstantExpr)) for e in affine_map.results)


def _inline_at(generic, extract) -> None:
    """Replace ``extract`` (a read of ``generic``'s result) by ``generic``'s body computed at its indices."""
    indices = list(extract.operands[1:])
    maps = [ir.AffineMapAttr(m).value for m in generic.attributes["indexing_maps"]]
    body = generic.regions[0].blocks[0]
    inputs = list(generic.operands)[: len(maps) - 1]
    with ir.InsertionPoint(extract), extract.location:
        mapping = {}
        for argument, value, affine_map in zip(body.arguments, inputs, maps):
            mapping[argument] = tensor.extract(value, [_index(e, indices) for e in affine_map.results])
        for op in body.operations:
            if op.operation.name == "linalg.yield":
                extract.results[0].replace_all_uses_with(mapping.get(op.operands[0], op.operands[0]))
                break
            clone = op.operation.clone()
            for position, operand in enumerate(clone.operands):
                if operand in mapping:
                    clone.operands[position] = mapping[operand]
            mapping.update(zip(op.results, clone.results))
    extract.erase()


def _index(expr: ir.AffineExpr, indices: list) -> ir.Value:
    if isinstance(expr, ir.AffineDimExpr):
        return indices[expr.position]
    return arith.constant(ir.IndexType.get(), expr.value)
