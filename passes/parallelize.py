"""fxn-parallelize: the outermost parallel loop of each large linalg op as an ``scf.forall`` of static chunks.

The forall is what runs on threads (see :mod:`fxn.threads`): after
bufferization, upstream ``scf-forall-to-parallel`` and
``convert-scf-to-openmp`` make it an OpenMP parallel loop. The later
passes of the "vectorized" stage (``fxn-tile-conv``, ``fxn-vectorize``)
then transform the op inside each chunk as they would the whole op.

An op is split when it is a structured linalg op on tensors at the top
level of a function (not in a loop or branch of the user's code), its loop
extents are static and it has at least ``min-work`` iterations. The loop
split is a parallel loop (never a reduction: no sum is split, so results
do not depend on the thread count) that divides evenly into between
``chunks`` and ``4 * chunks`` pieces: static pieces keep every shape
static, which the register tiles of the later passes need. Of those
loops, the outermost that keeps ``chunks`` threads busiest (3 channels
split in 3 keep 2 threads busy 3/4 of the time; their 224 rows split in 2,
all of it). The
output channels of a convolution split in multiples of 16 (a register
tile of ``fxn-tile-conv``); its output columns (its vectors) split only
when nothing else keeps the threads as busy (each chunk reads all the
weights), in whole f32 vector registers. A single-use ``linalg.fill`` an
op accumulates into is computed by the op's chunks, in the same forall.
Float matrix products are left to ``fxn-pack-matmul``, which makes its own
column panels a forall, and so are the fills they accumulate into (packed,
they fold into fills of the packed tiles, which its chunks compute).

A top-level ``scf.for`` marked ``fxn.independent_iterations`` (a
row-at-a-time lowering: softmax, layer_norm) with a static trip count of
at least ``chunks`` and a static carried tensor of at least ``min-work``
elements becomes the ``scf.forall`` of the same iterations, each
inserting its window with ``tensor.parallel_insert_slice``.

Before/after (``chunks=2``)::

    %r = linalg.generic {... iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1080x1920xf32>) ...
    ==>
    %r = scf.forall (%i) in (2) shared_outs(%o = %init) -> (tensor<1080x1920xf32>) {
      %slice = tensor.extract_slice %x[%i * 540, 0] [540, 1920] [1, 1] ...
      %part = linalg.generic ... ins(%slice : tensor<540x1920xf32>) ...
      scf.forall.in_parallel { tensor.parallel_insert_slice %part into %o[%i * 540, 0] [540, 1920] [1, 1] ... }
    }
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.mlir import ir, linalg_native, scf, tensor

from .lowering.reduction import INDEPENDENT_ITERATIONS
from .pack_matmul import PRODUCTS, packed_product
from .registry import FxnPass
from .transform_scripts import apply_transform_script, count_tagged, tag_groups

#: Marks the ops a group of the transform script splits (removed afterwards).
PARALLEL_ATTRIBUTE = "fxn.parallelize"
#: Ops of the linalg dialect that are not loops to split.
NOT_LOOPS = ("linalg.yield", "linalg.index", "linalg.pack", "linalg.unpack")
#: A convolution's loops ``(n, f, oh, ow, ...)``: output channels split in multiples of 16, columns in
#: whole vector registers.
CONVOLUTION = "linalg.conv_2d_nchw_fchw"
FILTER_TILE = 16
#: The transform dialect's handle type the script uses throughout.
ANY_OP = "!transform.any_op"


@dataclass(frozen=True)
class Split:
    """How an op is split into a forall."""

    sizes: tuple[int, ...]  # the forall's tile sizes (0: a loop not split)
    fill_operand: int | None  # the destination operand whose single-use linalg.fill each chunk computes itself


@dataclass
class FxnParallelize(FxnPass):
    """Split the outermost parallel loop of each large linalg op on tensors into static chunks (an scf.forall)."""

    argument = "fxn-parallelize"
    chunks: int = field(default=1, metadata={"help": "chunks per split loop, at least (below 2: nothing is split)"})
    min_work: int = field(default=1 << 16, metadata={"help": "iterations below which an op stays whole"})
    vector_bits: int = field(default=128, metadata={
        "help": "width of the target's vector registers (which float matrix products fxn-pack-matmul takes)"})

    def run_on(self, op) -> None:
        if self.chunks < 2:
            return
        with op.context:
            rows = [loop for loop in _independent_loops(op) if self._runs_in_parallel(loop)]
            for loop in rows:
                _as_forall(loop)
            self.count("rows", "loops of independent iterations run in parallel", len(rows))
            loops = _top_level_loops(op)
            splits = [self._split_of(loop) for loop in loops]
            fused = [loop.operands[split.fill_operand].owner.operation for loop, split in zip(loops, splits)
                     if split is not None and split.fill_operand is not None]
            for i, loop in enumerate(loops):  # a fill fused into its consumer's chunks is not split on its own
                if any(loop.operation == fill for fill in fused):
                    splits[i] = None
            chosen = iter(splits)  # tag_groups asks once per loop, in order
            groups = tag_groups(loops, PARALLEL_ATTRIBUTE, lambda _: next(chosen))
            if not groups:
                return
            tagged = count_tagged(op, PARALLEL_ATTRIBUTE)
            apply_transform_script(op, transform_script(groups))
            whole = sum(PARALLEL_ATTRIBUTE in loop.attributes for loop in _top_level_loops(op))
            count_tagged(op, PARALLEL_ATTRIBUTE, remove=True)  # the chunks keep the tag of the op they come from
        self.count("split", "linalg ops split into parallel chunks", tagged - whole)

    def _runs_in_parallel(self, loop) -> bool:
        """Whether an independent-iterations loop has the iterations and the work to share among the threads."""
        trips = _trip_count(loop)
        carried = loop.results[0].type if len(loop.results) == 1 else None
        if trips is None or trips < self.chunks or not isinstance(carried, ir.RankedTensorType):
            return False
        return carried.has_static_shape and _product(carried.shape) >= self.min_work

    def _split_of(self, op) -> Split | None:
        sizes = self.tile_sizes(op)
        if sizes is None:
            return None
        return Split(sizes, None if op.name == "linalg.fill" else _single_use_fill(op))

    def tile_sizes(self, op) -> tuple[int, ...] | None:
        """The forall's tile sizes for ``op`` (0: a loop not split), or None to leave it whole."""
        if _is_packed_product(op, self.vector_bits):
            return None
        if op.name == "linalg.fill" and any(_is_packed_product(use.owner, self.vector_bits)
                                            for use in op.results[0].uses):
            return None  # fxn-pack-matmul's pack of it folds into a fill of the packed tiles
        extents = loop_extents(op)
        if extents is None or _product(extents) < self.min_work:
            return None
        parallel = parallel_loops(op)
        loops = [loop for loop, extent in enumerate(extents) if loop in parallel and extent >= 2]
        if op.name == CONVOLUTION and 3 in loops:
            # Its columns only when nothing else keeps the threads as busy (each chunk re-reads the weights):
            # 144 filters make 3 chunks of 48 (2 threads busy 3/4 of the time), 3136 columns 2 of 1568.
            others = [loop for loop in loops if loop != 3]
            split, columns = self._split(op, extents, others), self._split(op, extents, [3])
            loops = others if split is not None and (columns is None or split[2] >= columns[2]) else [3]
        split = self._split(op, extents, loops)
        if split is None:
            return None
        loop, pieces, _ = split
        sizes = [0] * len(extents)
        sizes[loop] = extents[loop] // pieces
        return tuple(sizes)

    def _split(self, op, extents: list[int], loops: list[int]) -> tuple[int, int, float] | None:
        """Of ``loops``, the one to split, into how many pieces, and the share of the threads' time it keeps
        them working (see the module docstring); None if none divides."""
        best = None  # (share of the threads' time spent working, loop, pieces)
        for loop in loops:
            extent = extents[loop]
            multiple = 1
            if op.name == CONVOLUTION and loop == 1 and extent % FILTER_TILE == 0:
                multiple = FILTER_TILE
            elif op.name == CONVOLUTION and loop == 3:
                multiple = max(1, self.vector_bits // 32)
            for pieces in range(self.chunks, 4 * self.chunks + 1):
                if extent % pieces or (extent // pieces) % multiple:
                    continue
                # Static scheduling gives each thread ceil(pieces / chunks) pieces at most: 3 rows on 2 threads
                # keep them busy 3/4 of the time, 224 rows all of it. The outermost loop that balances best,
                # in the fewest pieces that do (56 rows on 3 threads: 8 pieces, 8/9 of the time).
                balance = pieces / (-(-pieces // self.chunks) * self.chunks)
                if best is None or balance > best[0]:
                    best = (balance, loop, pieces)
        return None if best is None else (best[1], best[2], best[0])


def _is_packed_product(op, vector_bits: int) -> bool:
    return op.name in PRODUCTS and packed_product(op, vector_bits) is not None


def _single_use_fill(op) -> int | None:
    """The index of the operand of ``op`` that is its destination and the one use of a ``linalg.fill``, if any."""
    operands = list(op.operands)
    for index in range(len(operands) - len(op.results), len(operands)):
        value = operands[index]
        owner = value.owner
        if isinstance(owner, ir.OpView) and owner.name == "linalg.fill" and len(list(value.uses)) == 1:
            return index
    return None


def _function_level(root, wanted) -> list:
    """The ops directly in a function's body for which ``wanted(op)`` holds."""
    found = []

    def visit(op):
        if op.parent is not None and op.parent.name == "func.func" and wanted(op):
            found.append(op.opview)
        return ir.WalkResult.ADVANCE

    root.walk(visit)
    return found


def _top_level_loops(root) -> list:
    """The structured linalg ops on tensors directly in a function's body."""
    return _function_level(root, lambda op: op.name.startswith("linalg.") and op.name not in NOT_LOOPS
                           and len(op.results))


def _independent_loops(root) -> list:
    """The ``scf.for`` loops of :data:`INDEPENDENT_ITERATIONS` directly in a function's body."""
    return _function_level(root, lambda op: op.name == "scf.for" and INDEPENDENT_ITERATIONS in op.attributes)


def _constant_index(value: ir.Value) -> int | None:
    owner = value.owner
    if isinstance(owner, ir.OpView) and owner.name == "arith.constant":
        return ir.IntegerAttr(owner.attributes["value"]).value
    return None


def _trip_count(loop) -> int | None:
    """The static trip count of an ``scf.for`` from 0 by 1, else None."""
    lower, upper, step = (_constant_index(v) for v in (loop.lowerBound, loop.upperBound, loop.step))
    return upper if lower == 0 and step == 1 and upper is not None else None


def _as_forall(loop) -> None:
    """An independent-iterations ``scf.for`` of one carried tensor, whose iterations end by inserting their
    window into it, as the ``scf.forall`` of the same iterations, each inserting its window in parallel."""
    body = loop.body
    operations = list(body.operations)
    done = loop.inner_iter_args[0]
    insert = operations[-1].operands[0].owner
    assert insert.name == "tensor.insert_slice" and insert.operands[1] == done and operations[-2] == insert, (
        "an independent-iterations loop ends by inserting its window into the carried tensor")
    with ir.InsertionPoint(loop), loop.location:
        forall = scf.ForallOp([0], [_trip_count(loop)], [1], [loop.initArgs[0]])
        in_parallel = forall.terminator()
    loop.induction_variable.replace_all_uses_with(forall.induction_variables[0])
    done.replace_all_uses_with(forall.inner_iter_args[0])
    for operation in operations[:-2]:
        operation.move_before(in_parallel)
    window = insert.opview
    with ir.InsertionPoint(in_parallel.block), loop.location:
        tensor.parallel_insert_slice(window.source, forall.inner_iter_args[0], window.offsets, window.sizes,
                                     window.strides, window.static_offsets, window.static_sizes,
                                     window.static_strides)
    loop.results[0].replace_all_uses_with(forall.results[0])
    loop.operation.erase()


def _indexing_maps(op) -> list:
    return [ir.AffineMapAttr(attribute).value for attribute in linalg_native.get_indexing_maps(op)]


def loop_extents(op) -> list[int] | None:
    """The extent of each loop of a structured op, from its operands' static dims; None if one is not static."""
    maps = _indexing_maps(op)
    extents: dict[int, int] = {}
    for operand, indexing in zip(op.operands, maps):
        if not isinstance(operand.type, ir.RankedTensorType):
            if isinstance(operand.type, ir.ShapedType):
                return None
            continue  # a scalar (linalg.fill's value) indexes no loop
        for size, expression in zip(operand.type.shape, indexing.results):
            if isinstance(expression, ir.AffineDimExpr) and size != ir.ShapedType.get_dynamic_size():
                extents.setdefault(ir.AffineDimExpr(expression).position, size)
    loops = maps[0].n_dims
    return [extents[loop] for loop in range(loops)] if len(extents) == loops else None


def parallel_loops(op) -> set[int]:
    """The loops of a structured op its outputs are indexed by (the others are reductions)."""
    outputs = _indexing_maps(op)[len(op.operands) - len(op.results):]
    return {ir.AffineDimExpr(e).position for m in outputs for e in m.results if isinstance(e, ir.AffineDimExpr)}


def _product(values) -> int:
    total = 1
    for value in values:
        total *= value
    return total


def _split_script(index: int, split: Split) -> str:
    """Split each op tagged ``index`` into a forall, its destination's fill (if fused) computed in its chunks."""
    sizes = ", ".join(map(str, split.sizes))
    lines = [f"""
    %ops{index} = transform.structured.match attributes {{{PARALLEL_ATTRIBUTE} = {index}}} in %root : ({ANY_OP}) -> {ANY_OP}
    transform.foreach %ops{index} : {ANY_OP} {{
    ^bb0(%op: {ANY_OP}):"""]
    if split.fill_operand is not None:
        lines.append(f"""
      %fill = transform.get_producer_of_operand %op[{split.fill_operand}] : ({ANY_OP}) -> {ANY_OP}""")
    lines.append(f"""
      %chunk, %forall = transform.structured.tile_using_forall %op tile_sizes [{sizes}] : ({ANY_OP}) -> ({ANY_OP}, {ANY_OP})""")
    if split.fill_operand is not None:
        lines.append(f"""
      %filled, %chunks = transform.structured.fuse_into_containing_op %fill into %forall : ({ANY_OP}, {ANY_OP}) -> ({ANY_OP}, {ANY_OP})""")
    lines.append("""
    }""")
    return "".join(lines)


def transform_script(groups: list[Split]) -> str:
    """The transform module that splits each group of tagged ops as its :class:`Split` says."""
    body = "".join(_split_script(index, split) for index, split in enumerate(groups))
    return f"""
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: {ANY_OP} {{transform.readonly}}) {{{body}
    transform.yield
  }}
}}
"""
