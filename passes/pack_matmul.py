"""fxn-pack-matmul: float matrix products in cache tiles, packed panels and register tiles.

A ``linalg.matmul`` or ``linalg.batch_matmul`` of f32 or f64 becomes, by
upstream transform ops generated per module:

1. **Packing** (``transform.structured.pack``, then ``pack_transpose`` for
   B): A in panels of ``MR`` rows (``[M/MR, K, MR]``), B in panels of ``NR``
   columns (``[N/NR, K, NR]``), C in ``MR x NR`` tiles. The packs pad the
   edges with zeros, so every register tile is full whatever M, N and K
   (static or dynamic), and the inner loop reads contiguous, aligned
   panels whatever the alignment of the inputs.
2. **Cache tiles**: panels of B 512 columns wide and 256 deep (they stay in
   L2), against 128 rows of A; loops n, k, m.
3. **Register tiles**: one ``MR x NR`` tile of C per k step, a
   ``vector.contract`` whose accumulator is hoisted out of the k loop, so
   it stays in ``MR * NR / lanes`` vector registers (16 on AVX-512 for
   f32: ``MR = 8`` rows of ``NR = 2`` vectors).
4. The packs and the unpack of C are tiled and vectorized (masked at the
   edges).

With ``chunks`` of 2 or more (threads, see :mod:`fxn.threads`), a product
of static shapes with at least ``min-work`` multiply-adds and at least two
panels of B splits its columns of panels (and its batch) into between
``chunks`` and ``4 * chunks`` pieces of at most 512 columns: the cache
loop over them is an ``scf.forall``, each chunk filling its own tiles of C
(the zero fill of C, folded into its pack, is fused into the chunks) and
running the k and m cache loops over its own panels of B. The packs of A
and B and the unpack of C are foralls of ``chunks`` pieces too (A and C by
panels of rows, B by panels of columns): serial, they took a fifth of the
time on 2 threads (matmul 1024: 8.1-8.7 ms -> 6.9-7.3 ms).

The contraction is lowered to outer products and FMAs after bufferization,
by :class:`FxnLowerVectorContractions`: canonicalization before that point
would rebuild the accumulator element by element.

Sums along K are in order for each element of C (one FMA chain per
element), so the results are the same as an unpacked loop's with
contraction: each product is added with one rounding (``fma``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.mlir import ir

from .registry import FxnPass
from .transform_scripts import apply_transform_script, count_tagged, float_lanes, ops_named, tag_groups

#: Marks the products a group of the transform script packs (removed afterwards).
PACK_ATTRIBUTE = "fxn.pack_matmul"

#: Rows of a register tile of C; its columns are ``NR_VECTORS`` vector registers.
MR = 8
NR_VECTORS = 2
#: Cache tiles: columns of B (a multiple of NR), depth along K, rows of A (a multiple of MR).
CACHE_COLUMNS, CACHE_DEPTH, CACHE_ROWS = 512, 256, 128
#: Elements along K packed at a time per vector tile of a pack.
PACK_DEPTH = 16

PRODUCTS = ("linalg.matmul", "linalg.batch_matmul")


@dataclass(frozen=True)
class PackedProduct:
    """How one group of products is packed: the op, and its register tile in elements."""

    name: str  # "linalg.matmul" or "linalg.batch_matmul"
    rows: int  # MR
    columns: int  # NR
    #: Panels of B per parallel chunk (its cache loop over them an scf.forall), or 0: serial loops.
    chunk_panels: int = 0
    #: With parallel chunks, the panels of A per chunk of its pack, and of B (the packs' foralls).
    a_chunk_panels: int = 0
    b_chunk_panels: int = 0

    @property
    def batched(self) -> bool:
        return self.name == "linalg.batch_matmul"


@dataclass
class FxnPackMatmul(FxnPass):
    """Pack and tile f32/f64 matmuls for the cache and the target's registers (vector.contract on packed panels).

    Each ``linalg.matmul`` and ``linalg.batch_matmul`` whose operands are
    all f32 or all f64 is packed into panels (A by ``8`` rows, B by two
    vector registers of columns, zero-padded at the edges), tiled for the
    cache and for the registers, and vectorized: one ``8 x NR`` tile of C
    accumulates in registers along K. Other products are left alone.
    Before/after (``vector-bits=512``, f32)::

        %c = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%fill : tensor<?x?xf32>)
        ==>
        linalg.pack ... vectorized into [M/8, K, 8] and [N/32, K, 32] panels
        scf.for %n0 ... scf.for %k0 ... scf.for %m0 ... scf.for %k iter_args(%acc = ...) -> (vector<8x32xf32>) {
          vector.contract {...} %a_col, %b_row, %acc : vector<8xf32>, vector<32xf32> into vector<8x32xf32>
        }
        linalg.unpack ... vectorized back into C
    """

    argument = "fxn-pack-matmul"
    vector_bits: int = field(default=128, metadata={"help": "width of the target's vector registers in bits"})
    chunks: int = field(default=1, metadata={
        "help": "parallel chunks of the column panels of B, at least (below 2: serial loops)"})
    min_work: int = field(default=1 << 21, metadata={"help": "multiply-adds below which a product stays serial"})

    def run_on(self, op) -> None:
        with op.context:
            groups = tag_products(op, self.vector_bits, self.chunks, self.min_work)
            if not groups:
                return
            packed = count_tagged(op, PACK_ATTRIBUTE)
            apply_transform_script(op, transform_script(groups))
            count_tagged(op, PACK_ATTRIBUTE, remove=True)
        self.count("packed", "matrix products packed and tiled for registers", packed)


def packed_product(op, vector_bits: int, chunks: int = 1, min_work: int = 0) -> PackedProduct | None:
    """How a matmul or batch_matmul of f32/f64 is packed (in ``chunks`` for threads, if it is worth it), or None
    to leave it."""
    lanes = float_lanes(op.operands, vector_bits)
    if lanes is None:
        return None
    nr = NR_VECTORS * lanes
    chunk_panels = _chunk_panels(op, nr, chunks, min_work)
    if not chunk_panels:
        return PackedProduct(op.name, MR, nr)
    m, n = op.operands[0].type.shape[-2], op.operands[1].type.shape[-1]
    return PackedProduct(op.name, MR, nr, chunk_panels, _ceil_div(_ceil_div(m, MR), chunks),
                         _ceil_div(_ceil_div(n, nr), chunks))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _chunk_panels(op, nr: int, chunks: int, min_work: int) -> int:
    """Panels of B per parallel chunk of a product (see the module docstring), or 0 to keep its loops serial."""
    shapes = [list(value.type.shape) for value in op.operands]
    if chunks < 2 or any(size == ir.ShapedType.get_dynamic_size() for shape in shapes for size in shape):
        return 0
    *batch, k, n = shapes[1]
    work = shapes[0][-2] * k * n * (batch[0] if batch else 1)
    panels = _ceil_div(n, nr)
    if work < min_work or panels < 2:
        return 0
    widest = CACHE_COLUMNS // nr
    for pieces in range(chunks, 4 * chunks + 1):
        if panels % pieces == 0 and panels // pieces <= widest:
            return panels // pieces
    return min(widest, _ceil_div(panels, chunks))


def tag_products(root, vector_bits: int, chunks: int = 1, min_work: int = 0) -> list[PackedProduct]:
    """Mark each product to pack with the index of its group in the returned list."""
    return tag_groups(ops_named(root, *PRODUCTS), PACK_ATTRIBUTE,
                      lambda op: packed_product(op, vector_bits, chunks, min_work))


# ----------------------------------------------------------------------------
# The transform script.


def _sizes(*values) -> str:
    return ", ".join(str(v) for v in values)


def _handles(count: int) -> str:
    return ", ".join(["!transform.any_op"] * count)


def _group(index: int, product: PackedProduct) -> str:
    """Pack, tile and vectorize the products tagged ``index``, one at a time."""
    mr, nr = product.rows, product.columns
    batch = [0] if product.batched else []  # the batch dim is never packed
    unit = [1] if product.batched else []  # and tiled by 1
    pack_sizes = _sizes(*batch, mr, nr, 0)
    b_perm = _sizes(0, 2, 1) if product.batched else _sizes(1, 0)
    # Packed loops: (batch,) m0, n0, k, m1, n1. Cache loops n0, k, m0; register loops n0, m0, k.
    offset = len(batch)
    cache = _sizes(*unit, CACHE_ROWS // mr, CACHE_COLUMNS // nr, CACHE_DEPTH, 0, 0)
    cache_order = _sizes(*range(offset), offset + 1, offset + 2, offset, offset + 3, offset + 4)
    register = _sizes(*batch, 1, 1, 1, 0, 0)
    register_order = _sizes(*range(offset), offset + 1, offset, offset + 2, offset + 3, offset + 4)
    cache_loops, register_loops = 3 + len(batch), 3
    cache_tiling = f"""%cache_tile, %cache_loops:{cache_loops} = transform.structured.tile_using_for %product tile_sizes [{cache}] interchange = [{cache_order}]
        : (!transform.op<"linalg.generic">) -> (!transform.any_op, {_handles(cache_loops)})"""
    if product.chunk_panels:
        # The batch and the columns of panels in parallel chunks; in each, loops k and m over its panels.
        chunk = _sizes(*unit, 0, product.chunk_panels, 0, 0, 0)
        inner = _sizes(*batch, CACHE_ROWS // mr, 0, CACHE_DEPTH, 0, 0)
        inner_order = _sizes(*range(offset), offset + 2, offset, offset + 1, offset + 3, offset + 4)
        cache_tiling = f"""%chunk, %forall = transform.structured.tile_using_forall %product tile_sizes [{chunk}]
        : (!transform.op<"linalg.generic">) -> (!transform.any_op, !transform.any_op)
      %cache_tile, %cache_loops:2 = transform.structured.tile_using_for %chunk tile_sizes [{inner}] interchange = [{inner_order}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)"""
    a_tile = _sizes(*unit, 1, PACK_DEPTH)
    outer_loops = 2 + len(batch)
    a_panels, b_panels, c_tiles, unpack = "%a_panels", "%b_panels", "%c_tiles", "%unpack"
    if product.chunk_panels:
        # The packs and the unpack in chunks of panels too, and C's tiles (zeros) filled by the chunks that
        # accumulate in them.
        a_panels, b_panels, c_tiles, unpack = "%a_chunk", "%b_chunk", "%c_chunk", "%unpack_chunk"
        cache_tiling += f"""
      %c_chunk, %c_forall = transform.structured.fuse_into_containing_op %c_tiles into %forall
        : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
      %a_chunk, %a_forall = transform.structured.tile_using_forall %a_panels tile_sizes [{_sizes(*unit, product.a_chunk_panels, 0)}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
      %b_chunk, %b_forall = transform.structured.tile_using_forall %b_panels tile_sizes [{_sizes(*unit, product.b_chunk_panels, 0)}]
        : (!transform.op<"linalg.pack">) -> (!transform.any_op, !transform.any_op)
      %unpack_chunk, %unpack_forall = transform.structured.tile_using_forall %unpack tile_sizes [{_sizes(*unit, product.a_chunk_panels * mr, 0)}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)"""
    return f"""
    %products{index} = transform.structured.match ops{{["{product.name}"]}} attributes {{{PACK_ATTRIBUTE} = {index}}} in %root : (!transform.any_op) -> !transform.any_op
    transform.foreach %products{index} : !transform.any_op {{
    ^bb0(%op: !transform.any_op):
      %func = transform.get_parent_op %op {{isolated_from_above}} : (!transform.any_op) -> !transform.any_op
      %packed = transform.structured.pack %op packed_sizes = [{pack_sizes}] : (!transform.any_op) -> !transform.op<"linalg.generic">
      %b_pack = transform.get_producer_of_operand %packed[1] : (!transform.op<"linalg.generic">) -> !transform.op<"linalg.pack">
      %product, %b_panels, %none = transform.structured.pack_transpose %b_pack with_compute_op(%packed) outer_perm = [{b_perm}]
        : (!transform.op<"linalg.pack">, !transform.op<"linalg.generic">) -> (!transform.op<"linalg.generic">, !transform.op<"linalg.pack">, !transform.any_op)
      transform.apply_patterns to %func {{
        transform.apply_patterns.canonicalization
      }} : !transform.any_op
      %a_panels = transform.get_producer_of_operand %product[0] : (!transform.op<"linalg.generic">) -> !transform.any_op
      %c_tiles = transform.get_producer_of_operand %product[2] : (!transform.op<"linalg.generic">) -> !transform.any_op
      %unpack = transform.get_consumers_of_result %product[0] : (!transform.op<"linalg.generic">) -> !transform.any_op
      {cache_tiling}
      %register_tile, %register_loops:{register_loops} = transform.structured.tile_using_for %cache_tile tile_sizes [{register}] interchange = [{register_order}]
        : (!transform.any_op) -> (!transform.any_op, {_handles(register_loops)})
      %a_tile, %a_loops:{outer_loops} = transform.structured.tile_using_for {a_panels} tile_sizes [{a_tile}] : (!transform.any_op) -> (!transform.any_op, {_handles(outer_loops)})
      %b_tile, %b_loops:{outer_loops} = transform.structured.tile_using_for {b_panels} tile_sizes [{a_tile}] : ({"!transform.any_op" if product.chunk_panels else '!transform.op<"linalg.pack">'}) -> (!transform.any_op, {_handles(outer_loops)})
      %c_tile, %c_loops:{outer_loops} = transform.structured.tile_using_for {unpack} tile_sizes [{_sizes(*unit, mr, nr)}] : (!transform.any_op) -> (!transform.any_op, {_handles(outer_loops)})
      transform.apply_patterns to %func {{
        transform.apply_patterns.canonicalization
      }} : !transform.any_op
      transform.structured.vectorize %register_tile : !transform.any_op
      transform.structured.vectorize %a_tile vector_sizes [{_sizes(*unit, 1, PACK_DEPTH, mr)}] : !transform.any_op
      transform.structured.vectorize %b_tile vector_sizes [{_sizes(*unit, 1, PACK_DEPTH, nr)}] : !transform.any_op
      transform.structured.vectorize %c_tile vector_sizes [{_sizes(*unit, 1, 1, mr, nr)}] : !transform.any_op
      transform.foreach {c_tiles} : !transform.any_op {{
      ^bb0(%c_pack: !transform.any_op):
        %tile, %loops:{outer_loops} = transform.structured.tile_using_for %c_pack tile_sizes [{_sizes(*unit, 1, 1)}] : (!transform.any_op) -> (!transform.any_op, {_handles(outer_loops)})
        transform.structured.vectorize %tile vector_sizes [{_sizes(*unit, 1, 1, mr, nr)}] : !transform.any_op
      }}
    }}"""


def transform_script(groups: list[PackedProduct]) -> str:
    """The transform module that packs every group of tagged products, then forms the contractions and hoists
    their accumulators out of the k loops."""
    body = "".join(_group(i, product) for i, product in enumerate(groups))
    return f"""
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{{body}
    %funcs = transform.structured.match ops{{["func.func"]}} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %funcs {{
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
    }} : !transform.any_op
    transform.apply_patterns to %funcs {{
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    %loops = transform.structured.match interface{{LoopLikeInterface}} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_licm to %loops : !transform.any_op
    transform.loop.hoist_loop_invariant_subsets %loops : !transform.any_op
    transform.apply_patterns to %funcs {{
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    transform.yield
  }}
}}
"""


# ----------------------------------------------------------------------------
# After bufferization.

LOWER_CONTRACTIONS_SCRIPT = """
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.vector.lower_broadcast
      transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_1d"
    } : !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
    } : !transform.any_op
    transform.yield
  }
}
"""


@dataclass
class FxnLowerVectorContractions(FxnPass):
    """Lower vector contractions to outer products and FMAs, and n-D transfers to unrolled 1-D ones (on buffers).

    Runs after bufferization, once nothing canonicalizes the code again: a
    contraction of an ``MR x NR`` accumulator becomes ``MR`` broadcasts and
    FMAs per k step (``vector.outerproduct``, then ``vector.fma``); a
    transfer of rank above 1 becomes one 1-D transfer per row, fully
    unrolled (``convert-vector-to-scf`` would otherwise put a stack buffer
    in every loop iteration).
    """

    argument = "fxn-lower-vector-contractions"

    def run_on(self, op) -> None:
        with op.context:
            apply_transform_script(op, LOWER_CONTRACTIONS_SCRIPT)
