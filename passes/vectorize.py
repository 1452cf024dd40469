"""fxn-vectorize: put the linalg computations of a module into the target's registers.

Arrays go to vector registers through upstream machinery: each vectorizable
``linalg.generic`` is tiled with ``transform.structured.tile_using_for`` so
that one tile fills one vector register along its innermost contiguous
dimension (every other dimension tiled by 1), the tiled loop is split by
``transform.loop.peel`` into a main loop of full tiles and a remainder
(dynamic sizes), and both are vectorized by ``transform.structured.vectorize``
(the remainder with masks; canonicalization folds the main loop's masks
away). The transform script is generated per module and run by the
transform interpreter.

Scalars (0-d tensors, what Python floats become) go to scalar registers: a
0-d ``linalg.generic`` becomes its body's scalar ops, and a 0-d tensor
carried by ``scf.for`` becomes a carried scalar, so a loop over scalars
allocates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.mlir import arith, ir, scf, tensor

from .registry import FxnPass
from .transform_scripts import apply_transform_script, count_tagged, ops_named, tag_groups

#: Marks the generics a group of the transform script tiles, then their tiles (removed afterwards).
TILE_ATTRIBUTE = "fxn.vector_tile"

#: arith ops whose fusion into an FMA ``contract`` allows.
CONTRACTABLE = ("arith.mulf", "arith.addf", "arith.subf", "arith.negf")


@dataclass
class FxnVectorize(FxnPass):
    """Vectorize linalg.generic ops to the target's vector width; keep scalars in registers.

    For each ``linalg.generic`` on tensors whose innermost loop along the
    output is parallel and contiguous in every operand that it indexes, the
    tile is ``vector-bits / element bits`` elements along that loop (fewer if
    the dimension is statically smaller) and 1 along the others. Other ops
    stay scalar and become loops later. A 0-d generic becomes its body's
    scalar ops, and a 0-d tensor carried by ``scf.for`` a carried scalar.
    With ``contract`` (C's
    ``FP_CONTRACT ON``, clang's default) a float multiply and a dependent
    add or subtract may become one fused multiply-add (one rounding instead
    of two). Before/after (``vector-bits=256``)::

        %r = linalg.generic {iterator_types = ["parallel"]} ins(%x, %y : tensor<?xf32>, tensor<?xf32>) ...
        ==>
        scf.for %i = %c0 to %main step %c8 ... { vector.transfer_read ... : vector<8xf32>; math.fma ... }
        scf.for %i = %main to %n step %c8 ... { vector.create_mask ...; masked transfers ... }
    """

    argument = "fxn-vectorize"
    vector_bits: int = field(default=128, metadata={"help": "width of the target's vector registers in bits"})
    contract: bool = field(
        default=False, metadata={"help": "allow a float multiply and a dependent add to fuse into an FMA"}
    )

    def run_on(self, op) -> None:
        with op.context:
            if self.contract:
                allow_contraction(op)
            scalarize_generics(op)
            scalarize_loop_carried(op)
            tiles = tag_vector_tiles(op, self.vector_bits)
            tiled = _strip_tags(op, remove=False)
            apply_transform_script(op, transform_script(tiles))
            reassociate_vector_reductions(op)
            left_scalar = _strip_tags(op)
        self.count("tiled", "linalg.generic ops tiled for vector registers", tiled)
        self.count("scalar-tiles", "tiles the vectorizer refused (left as scalar loops)", left_scalar)


# ----------------------------------------------------------------------------
# Contraction.


def allow_contraction(root) -> None:
    """Add the ``contract`` fast-math flag to every float multiply, add, subtract and negate."""

    def visit(op):
        if op.name in CONTRACTABLE:
            flags = str(op.attributes["fastmath"]) if "fastmath" in op.attributes else "#arith.fastmath<none>"
            names = {f for f in flags.removeprefix("#arith.fastmath<").removesuffix(">").split(",") if f != "none"}
            names.add("contract")
            op.attributes["fastmath"] = ir.Attribute.parse(f"#arith.fastmath<{','.join(sorted(names))}>")
        return ir.WalkResult.ADVANCE

    root.walk(visit)


def reassociate_vector_reductions(root) -> None:
    """Let each float ``vector.reduction`` combine its lanes in any order (a tree of shuffles, not a chain).

    The fxn reductions leave their summation order unspecified (see
    :class:`fxn.dialects.reduction.ReduceOp`); LLVM otherwise adds the
    lanes of a vector one by one, in order.
    """

    def visit(op):
        if op.name == "vector.reduction" and isinstance(op.results[0].type, ir.FloatType):
            op.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<reassoc>")
        return ir.WalkResult.ADVANCE

    root.walk(visit)


# ----------------------------------------------------------------------------
# Scalars.


def _is_scalar_tensor(type_: ir.Type) -> bool:
    return isinstance(type_, ir.RankedTensorType) and type_.rank == 0


def scalarize_generics(root) -> None:
    """Replace each 0-d ``linalg.generic`` on tensors by its body applied to the extracted scalars."""
    for generic in ops_named(root, "linalg.generic"):
        if len(generic.iterator_types) or not all(_is_scalar_tensor(r.type) for r in generic.results):
            continue
        block = generic.regions[0].blocks[0]
        with ir.InsertionPoint(generic), generic.location:
            operands = list(generic.inputs) + list(generic.outputs)
            for argument, operand, affine_map in zip(block.arguments, operands, generic.indexing_maps):
                if list(argument.uses):
                    argument.replace_all_uses_with(_element_at(operand, affine_map.value))
            body = list(block.operations)
            for body_op in body[:-1]:
                body_op.move_before(generic)
            results = [tensor.from_elements(r.type, [v]) for r, v in zip(generic.results, body[-1].operands)]
        for old, new in zip(generic.results, results):
            old.replace_all_uses_with(new)
        generic.operation.erase()


def _element_at(operand: ir.Value, affine_map: ir.AffineMap) -> ir.Value:
    """The element a loop-free generic reads from ``operand`` (its map's results are constants)."""
    if not isinstance(operand.type, ir.RankedTensorType):
        return operand
    indices = [arith.constant(ir.IndexType.get(), expr.value) for expr in affine_map.results]
    return tensor.extract(operand, indices)


def scalarize_loop_carried(root) -> None:
    """Make every 0-d tensor carried by an ``scf.for`` or ``scf.while``, or given by an ``scf.if``, a scalar
    (tensors rebuilt at the edges)."""
    for branch in ops_named(root, "scf.if"):
        if any(_is_scalar_tensor(r.type) for r in branch.results):
            _scalarize_if(branch)
    for loop in ops_named(root, "scf.for"):
        if any(_is_scalar_tensor(v.type) for v in loop.initArgs):
            _scalarize_loop(loop)
    for loop in ops_named(root, "scf.while"):
        if any(_scalar_position(loop, i) for i in range(len(loop.inits))):
            _scalarize_while(loop)


def _scalarize_if(branch) -> None:
    """An ``scf.if`` whose 0-d tensor results are scalars, each side's yield extracting them."""
    scalar = [_is_scalar_tensor(r.type) for r in branch.results]
    types = [ir.RankedTensorType(r.type).element_type if s else r.type for r, s in zip(branch.results, scalar)]
    with ir.InsertionPoint(branch), branch.location:
        new_branch = scf.IfOp(branch.condition, types, has_else=True)
    for old_region, new_region in zip(branch.regions, new_branch.regions):
        new_block = new_region.blocks[0]
        for op in list(old_region.blocks[0].operations):
            new_block.append(op)
        terminator = list(new_block.operations)[-1]
        with ir.InsertionPoint(terminator), branch.location:
            for i, s in enumerate(scalar):
                if s:
                    terminator.operands[i] = tensor.extract(terminator.operands[i], [])
    with ir.InsertionPoint(branch), branch.location:
        results = [tensor.from_elements(old.type, [new]) if s else new
                   for old, new, s in zip(branch.results, new_branch.results, scalar)]
    for old, new in zip(branch.results, results):
        old.replace_all_uses_with(new)
    branch.operation.erase()


def _scalar_position(loop, i: int) -> bool:
    """Whether position ``i`` of an ``scf.while`` carries one 0-d tensor type through both regions."""
    init_type = loop.inits[i].type
    return (_is_scalar_tensor(init_type) and i < len(loop.results) and loop.results[i].type == init_type)


def _scalarize_while(loop) -> None:
    """The ``scf.while`` form of :func:`_scalarize_loop`: positions carrying one 0-d tensor type carry a scalar."""
    scalar = [_scalar_position(loop, i) for i in range(len(loop.inits))]
    scalar += [False] * (len(loop.results) - len(scalar))

    def element(type_, s):
        return ir.RankedTensorType(type_).element_type if s else type_

    with ir.InsertionPoint(loop), loop.location:
        inits = [tensor.extract(v, []) if s else v for v, s in zip(loop.inits, scalar)]
        new_loop = scf.WhileOp([element(r.type, s) for r, s in zip(loop.results, scalar)], inits)
    for old_region, new_region, types in ((loop.before, new_loop.before, [v.type for v in inits]),
                                          (loop.after, new_loop.after, [element(r.type, s) for r, s in
                                                                        zip(loop.results, scalar)])):
        old_block = old_region.blocks[0]
        new_block = new_region.blocks.append(*types, arg_locs=[loop.location] * len(types))
        with ir.InsertionPoint(new_block), loop.location:
            views = [tensor.from_elements(old.type, [new]) if s else new
                     for old, new, s in zip(old_block.arguments, new_block.arguments, scalar)]
        for old, view in zip(old_block.arguments, views):
            old.replace_all_uses_with(view)
        for op in list(old_block.operations):
            new_block.append(op)
        terminator = list(new_block.operations)[-1]
        first = 1 if terminator.name == "scf.condition" else 0  # scf.condition's first operand is the condition
        with ir.InsertionPoint(terminator), loop.location:
            for i, s in enumerate(scalar):
                if s:
                    terminator.operands[first + i] = tensor.extract(terminator.operands[first + i], [])
    with ir.InsertionPoint(loop), loop.location:
        results = [tensor.from_elements(old.type, [new]) if s else new
                   for old, new, s in zip(loop.results, new_loop.results, scalar)]
    for old, new in zip(loop.results, results):
        old.replace_all_uses_with(new)
    loop.operation.erase()


def _scalarize_loop(loop) -> None:
    carried = [_is_scalar_tensor(v.type) for v in loop.initArgs]
    with ir.InsertionPoint(loop), loop.location:
        inits = [tensor.extract(v, []) if s else v for v, s in zip(loop.initArgs, carried)]
        new_loop = scf.ForOp(loop.lowerBound, loop.upperBound, loop.step, inits)
    old_block, new_block = loop.regions[0].blocks[0], new_loop.body
    with ir.InsertionPoint(new_block), loop.location:
        views = [
            tensor.from_elements(old.type, [new]) if s else new
            for old, new, s in zip(old_block.arguments[1:], new_block.arguments[1:], carried)
        ]
    old_block.arguments[0].replace_all_uses_with(new_block.arguments[0])
    for old, view in zip(old_block.arguments[1:], views):
        old.replace_all_uses_with(view)
    for op in list(old_block.operations):
        new_block.append(op)
    terminator = list(new_block.operations)[-1]
    with ir.InsertionPoint(terminator), loop.location:
        for i, s in enumerate(carried):
            if s:
                terminator.operands[i] = tensor.extract(terminator.operands[i], [])
    with ir.InsertionPoint(loop), loop.location:
        results = [tensor.from_elements(old.type, [new]) if s else new
                   for old, new, s in zip(loop.results, new_loop.results, carried)]
    for old, new in zip(loop.results, results):
        old.replace_all_uses_with(new)
    loop.operation.erase()


# ----------------------------------------------------------------------------
# Vector tiles.


def _is_bool(element: ir.Type) -> bool:
    return isinstance(element, ir.IntegerType) and element.width == 1


def _element_bits(type_: ir.ShapedType) -> int:
    element = type_.element_type
    return 64 if isinstance(element, ir.IndexType) else element.width


def _dims_of(expr: ir.AffineExpr) -> set[int]:
    """The loop dimensions an affine expression depends on."""
    if isinstance(expr, ir.AffineDimExpr):
        return {expr.position}
    if hasattr(expr, "lhs"):  # a binary expression
        return _dims_of(expr.lhs) | _dims_of(expr.rhs)
    return set()


def _contiguous_in(affine_map: ir.AffineMap, dim: int) -> bool:
    """Whether an operand read through ``affine_map`` is contiguous along loop ``dim``, or does not depend on it."""
    results = list(affine_map.results)
    for i, expr in enumerate(results):
        if dim in _dims_of(expr) and not (i == len(results) - 1 and isinstance(expr, ir.AffineDimExpr)):
            return False
    return True


@dataclass(frozen=True)
class VectorTile:
    """How one generic is vectorized: its tile sizes, and whether a remainder loop is split off."""

    sizes: tuple[int, ...]  # the vector size along the vector loop, 1 along the others
    vector_dim: int
    peel: bool  # the vector dimension is dynamic or not a multiple of the vector size


def vector_tile(generic, vector_bits: int) -> VectorTile | None:
    """The tile that makes one tile of ``generic`` one vector register, or None to leave it scalar.

    The vector loop is the one the first output's innermost dimension
    follows; it must be parallel, and every operand must either not depend
    on it (a broadcast) or have it as its innermost, contiguous dimension.
    """
    iterators = [str(t) for t in generic.iterator_types]
    if not iterators or not all(isinstance(r.type, ir.RankedTensorType) for r in generic.results):
        return None
    maps = [m.value for m in generic.indexing_maps]
    output_results = list(maps[len(generic.inputs)].results)
    if not output_results or not isinstance(output_results[-1], ir.AffineDimExpr):
        return None
    vector_dim = output_results[-1].position
    if "parallel" not in iterators[vector_dim] or not all(_contiguous_in(m, vector_dim) for m in maps):
        return None
    operands = list(generic.inputs) + list(generic.outputs)
    shaped = [v.type for v in operands if isinstance(v.type, ir.ShapedType)]
    if any(_is_bool(t.element_type) for t in shaped):
        return None  # LLVM packs a vector of i1 into bits in memory, while a memref of i1 holds one byte each
    lanes = max(1, vector_bits // max(_element_bits(t) for t in shaped))
    size = generic.results[0].type.shape[-1]
    dynamic = size == ir.ShapedType.get_dynamic_size()
    if not dynamic and size < lanes:
        lanes = 1 << max(0, size - 1).bit_length()  # the smallest power-of-two register holding the dimension
    if lanes == 1:
        return None
    sizes = tuple(lanes if d == vector_dim else 1 for d in range(len(iterators)))
    return VectorTile(sizes, vector_dim, peel=dynamic or size % lanes != 0)


#: Combining ops a reduction may be split into partial results with (upstream's partial-reduction
#: interface knows their neutral elements); a float sum or product then adds in another order.
COMBINERS = ("arith.addf", "arith.mulf", "arith.addi", "arith.muli", "arith.maximumf", "arith.minimumf",
             "arith.maxnumf", "arith.minnumf", "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui",
             "arith.andi", "arith.ori", "arith.xori")

#: Independent vector accumulators of a reduction along a contiguous dimension: enough to hide the
#: latency of a vector add (about 4 cycles, 2 a cycle) behind the loads.
ACCUMULATORS = 4


@dataclass(frozen=True)
class ReductionTile:
    """How a reduction along the innermost contiguous loop is vectorized.

    Every other loop is tiled by 1; the innermost loop is split into
    ``partial`` independent lanes (``ACCUMULATORS`` vector registers) that
    accumulate side by side and are combined at the end.
    """

    rank: int
    partial: int
    peel: bool  # the reduced dimension is dynamic or not a multiple of ``partial``

    @property
    def outer_sizes(self) -> tuple[int, ...]:
        return (1,) * (self.rank - 1) + (0,)

    @property
    def partial_sizes(self) -> tuple[int, ...]:
        return (0,) * (self.rank - 1) + (self.partial,)


def _combiner(generic) -> str | None:
    """The op that folds each element into the accumulator, if the body is ``yield combiner(value, acc)``."""
    block = generic.regions[0].blocks[0]
    accumulator = block.arguments[len(block.arguments) - 1]
    terminator = list(block.operations)[-1]
    if len(terminator.operands) != 1:
        return None
    combined = terminator.operands[0].owner
    if not isinstance(combined, ir.Operation) and hasattr(combined, "operation"):
        combined = combined.operation
    if getattr(combined, "name", None) not in COMBINERS or accumulator not in list(combined.operands):
        return None
    uses = [use.owner for use in accumulator.uses]
    return combined.name if len(uses) == 1 else None


def reduction_tile(generic, vector_bits: int) -> ReductionTile | None:
    """The tile that reduces ``generic``'s innermost loop in vector accumulators, or None.

    The innermost loop must be a reduction of one output by one combining
    op, and every input must be contiguous along it (or not depend on it).
    """
    iterators = [str(t) for t in generic.iterator_types]
    if not iterators or "reduction" not in iterators[-1] or len(generic.outputs) != 1:
        return None
    if not all(isinstance(r.type, ir.RankedTensorType) for r in generic.results):
        return None
    dim = len(iterators) - 1
    maps = [m.value for m in generic.indexing_maps]
    if not all(_contiguous_in(m, dim) for m in maps) or _combiner(generic) is None:
        return None
    shaped = [v.type for v in [*generic.inputs, *generic.outputs] if isinstance(v.type, ir.ShapedType)]
    if any(_is_bool(t.element_type) for t in shaped):
        return None
    lanes = max(1, vector_bits // max(_element_bits(t) for t in shaped))
    size = _loop_size(generic, dim)
    if lanes == 1 or (size is not None and size < 2 * lanes):
        return None  # too short to gain from vectors
    accumulators = ACCUMULATORS if size is None else min(ACCUMULATORS, 1 << (size // lanes).bit_length() - 1)
    partial = lanes * accumulators
    return ReductionTile(len(iterators), partial, peel=size is None or size % partial != 0)


def _loop_size(generic, dim: int) -> int | None:
    """The static trip count of loop ``dim`` (read off an input indexed by it), or None if dynamic."""
    for operand, affine_map in zip(generic.inputs, generic.indexing_maps):
        results = list(affine_map.value.results)
        if not isinstance(operand.type, ir.ShapedType):
            continue
        for axis, expr in enumerate(results):
            if isinstance(expr, ir.AffineDimExpr) and expr.position == dim:
                size = operand.type.shape[axis]
                return None if size == ir.ShapedType.get_dynamic_size() else size
    return None


def tag_vector_tiles(root, vector_bits: int) -> list[VectorTile | ReductionTile]:
    """Mark each vectorizable generic with the index of its tile in the returned list."""
    return tag_groups(ops_named(root, "linalg.generic"), TILE_ATTRIBUTE,
                      lambda generic: vector_tile(generic, vector_bits) or reduction_tile(generic, vector_bits))


def _strip_tags(root, remove: bool = True) -> int:
    """Count the ops tagged for vectorization (a vectorized tile is gone), removing the tags."""
    if remove:
        count_tagged(root, ACCUMULATOR_LOOP_ATTRIBUTE, remove=True)
    return count_tagged(root, TILE_ATTRIBUTE, remove)


# ----------------------------------------------------------------------------
# The transform script.


def _vectorize_in(handle: str, sizes: str, handle_type: str = "!transform.any_op") -> str:
    """Vectorize the generic in loop ``handle`` (masked where its shape is dynamic); if it cannot be, leave it."""
    return f"""
      transform.sequence %{handle} : {handle_type} failures(suppress) {{
      ^bb0(%in: {handle_type}):
        %tile = transform.structured.match ops{{["linalg.generic"]}} in %in : ({handle_type}) -> !transform.any_op
        transform.structured.vectorize %tile vector_sizes [{sizes}] {{vectorize_nd_extract}} : !transform.any_op
      }}"""


def _tile_group(index: int, tile: VectorTile) -> str:
    """Tile, peel and vectorize the generics tagged with ``index``."""
    sizes = ", ".join(map(str, tile.sizes))
    loop_types = ", ".join(['!transform.op<"scf.for">'] * len(tile.sizes))
    loops = ", ".join(f"%loop{d}" for d in range(len(tile.sizes)))
    if tile.peel:
        vectorize = (
            f"""
      %main, %rest = transform.loop.peel %loop{tile.vector_dim} : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)"""
            + _vectorize_in("main", sizes)
            + _vectorize_in("rest", sizes)
        )
    else:
        vectorize = _vectorize_in(f"loop{tile.vector_dim}", sizes, '!transform.op<"scf.for">')
    return f"""
    %ops{index} = transform.structured.match ops{{["linalg.generic"]}} attributes {{{TILE_ATTRIBUTE} = {index}}} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops{index} : !transform.any_op {{
    ^bb0(%op: !transform.any_op):
      %tiled, {loops} = transform.structured.tile_using_for %op tile_sizes [{sizes}] : (!transform.any_op) -> (!transform.any_op, {loop_types})
      transform.annotate %tiled "{TILE_ATTRIBUTE}" : !transform.any_op{vectorize}
    }}"""


#: Marks the loops of partial reductions, whose vector accumulators are hoisted into loop-carried values.
ACCUMULATOR_LOOP_ATTRIBUTE = "fxn.vector_accumulators"


def _reduction_group(index: int, tile: ReductionTile) -> str:
    """Tile the generics tagged with ``index`` by 1 along the outer loops, split their innermost reduction
    into vector accumulators, and vectorize the pieces (the loop's remainder masked)."""
    outer = ", ".join(map(str, tile.outer_sizes))
    partial = ", ".join(map(str, tile.partial_sizes))
    vector = ", ".join(["1"] * (tile.rank - 1) + [str(tile.partial)])
    outer_loops = tile.rank - 1
    loop = '!transform.op<"scf.for">'
    if outer_loops:
        loop_types = ", ".join([loop] * outer_loops)
        names = ", ".join(f"%outer{d}" for d in range(outer_loops))
        tile_outer = (f"""
      %row, {names} = transform.structured.tile_using_for %op tile_sizes [{outer}] : (!transform.any_op) -> (!transform.any_op, {loop_types})""")
    else:
        tile_outer = """
      %row = transform.cast %op : !transform.any_op to !transform.any_op"""
    if tile.peel:
        vectorize = (f"""
      %main, %rest = transform.loop.peel %loop : ({loop}) -> (!transform.any_op, !transform.any_op)"""
                     + _vectorize_in("main", vector) + _vectorize_in("rest", vector))
    else:
        vectorize = _vectorize_in("loop", vector, loop)
    return f"""
    %ops{index} = transform.structured.match ops{{["linalg.generic"]}} attributes {{{TILE_ATTRIBUTE} = {index}}} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %ops{index} : !transform.any_op {{
    ^bb0(%op: !transform.any_op):{tile_outer}
      %fill, %partial, %combine, %loop = transform.structured.tile_reduction_using_for %row by tile_sizes = [{partial}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, {loop})
      transform.annotate %loop "{ACCUMULATOR_LOOP_ATTRIBUTE}" : {loop}
      transform.annotate %partial "{TILE_ATTRIBUTE}" : !transform.any_op{vectorize}
      transform.structured.vectorize %combine : !transform.any_op
      transform.structured.vectorize %fill : !transform.any_op
    }}"""


def transform_script(tiles: list[VectorTile | ReductionTile]) -> str:
    """The transform module that vectorizes every group of tagged generics, then cleans up."""
    groups = "".join(_reduction_group(i, tile) if isinstance(tile, ReductionTile) else _tile_group(i, tile)
                     for i, tile in enumerate(tiles))
    return f"""
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{{groups}
    %funcs = transform.structured.match ops{{["func.func"]}} in %root : (!transform.any_op) -> !transform.any_op
    %lowered = transform.apply_registered_pass "lower-vector-mask" to %funcs : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %lowered {{
      transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    transform.apply_cse to %lowered : !transform.any_op
    transform.foreach %lowered : !transform.any_op {{
    ^bb0(%func: !transform.any_op):
      %accumulating = transform.structured.match ops{{["scf.for"]}} attributes {{{ACCUMULATOR_LOOP_ATTRIBUTE}}} in %func : (!transform.any_op) -> !transform.any_op
      transform.foreach %accumulating : !transform.any_op {{
      ^bb0(%loop: !transform.any_op):
        transform.loop.hoist_loop_invariant_subsets %loop : !transform.any_op
      }}
    }}
    transform.apply_patterns to %lowered {{
      transform.apply_patterns.vector.reorder_multi_reduction_dims lowering_strategy = "innerreduction"
      transform.apply_patterns.vector.multi_reduction_flattening lowering_strategy = "innerreduction"
      transform.apply_patterns.vector.multi_reduction_unrolling lowering_strategy = "innerreduction"
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    transform.yield
  }}
}}
"""
