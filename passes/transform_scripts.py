"""What the passes that generate transform scripts share: tagging ops by group, counting tags, running a script.

fxn-vectorize, fxn-pack-matmul and fxn-tile-conv each decide in Python how
an op is to be transformed (a group: a frozen dataclass of tile sizes),
mark the op with the index of its group in an integer attribute, generate
one transform sequence per group matching that attribute, and run the
script with the transform interpreter. Ops the script could not transform
keep their tag, so counting the tags left tells what it did not do.
"""

from __future__ import annotations

from typing import Callable, Hashable, Iterable

from fxn.mlir import ir, transform_interpreter


def ops_named(root, *names: str) -> list:
    """Ops named one of ``names`` below ``root``, innermost first (post-order)."""
    found = []

    def visit(op):
        if op.name in names:
            found.append(op.opview)
        return ir.WalkResult.ADVANCE

    root.walk(visit, ir.WalkOrder.POST_ORDER)
    return found


def tag_groups(ops: Iterable, attribute: str, group_of: Callable[[object], Hashable | None]) -> list:
    """Mark each of ``ops`` whose ``group_of(op)`` is not None with the index of that group in the returned
    list (each group once, in order of first appearance)."""
    groups: list = []
    for op in ops:
        group = group_of(op)
        if group is None:
            continue
        if group not in groups:
            groups.append(group)
        op.attributes[attribute] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), groups.index(group))
    return groups


def count_tagged(root, attribute: str, remove: bool = False) -> int:
    """The ops below ``root`` that carry ``attribute``; with ``remove``, the attribute is removed from them."""
    tagged = 0

    def visit(op):
        nonlocal tagged
        if attribute in op.attributes:
            tagged += 1
            if remove:
                del op.attributes[attribute]
        return ir.WalkResult.ADVANCE

    root.walk(visit)
    return tagged


def float_lanes(values, vector_bits: int) -> int | None:
    """Elements per vector register of the one float type (f32 or f64) of ranked tensors ``values``; None if
    they are not all ranked tensors of one such type, or a register holds fewer than two."""
    types = [v.type for v in values]
    if not all(isinstance(t, ir.RankedTensorType) for t in types):
        return None
    elements = {str(t.element_type) for t in types}
    if len(elements) != 1 or elements - {"f32", "f64"}:
        return None
    lanes = vector_bits // int(elements.pop()[1:])
    return lanes if lanes >= 2 else None


def apply_transform_script(root, script: str) -> None:
    """Run ``script``'s ``@__transform_main`` on ``root`` with the transform interpreter."""
    transform_module = ir.Module.parse(script, root.context)
    entry = next(op for op in transform_module.body.operations
                 if ir.StringAttr(op.attributes["sym_name"]).value == "__transform_main")
    transform_interpreter().apply_named_sequence(root.operation, entry.operation, transform_module.operation)
