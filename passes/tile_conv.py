"""fxn-tile-conv: direct NCHW convolutions with vectors along the output width and filters in registers.

A ``linalg.conv_2d_nchw_fchw`` of f32 or f64 with static shapes, stride 1
along the width and no dilation becomes, by upstream transform ops
generated per group of convolutions of one shape:

1. The output width is split into pieces each a whole number of vector
   tiles (``transform.structured.split``): 56 = 48 + 8 at 16 lanes.
2. Each piece is tiled by ``[1, FT, 1, WT]`` along (batch, filters, output
   row, output column), then by ``[CT, 1, 1]`` along (channels, kernel row,
   kernel column): a tile computes ``FT`` filters on ``WT`` output columns
   of one row, for ``CT`` channels of one kernel tap.
3. With the loops interchanged and unit dims folded away, a tile is a small
   matrix product: the ``FT x CT`` filter taps times ``CT`` input rows of
   ``WT`` columns; it is vectorized into a ``vector.contract`` whose
   ``FT x WT`` accumulator is hoisted out of the channel and tap loops,
   so it stays in registers (16 vector registers on AVX-512 for f32).

``fxn-lower-vector-contractions`` then makes each contraction ``FT``
broadcasts and FMAs per channel and tap. Each output element adds its
products in order (channel by channel, tap by tap) with fused
multiply-adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.mlir import ir

from .registry import FxnPass
from .transform_scripts import apply_transform_script, count_tagged, float_lanes, ops_named, tag_groups

#: Marks the convolutions a group of the transform script tiles (removed afterwards).
CONV_ATTRIBUTE = "fxn.tile_conv"

#: Filters of a register tile (its rows), at most; channels reduced per step, at most.
FILTER_TILE, CHANNEL_TILE = 16, 4

#: The transform dialect's handle type the script uses throughout.
ANY_OP = "!transform.any_op"


@dataclass(frozen=True)
class ConvTile:
    """How a group of convolutions of one shape is tiled."""

    filters: int  # FT, divides the filter count
    channels: int  # CT, divides the channel count; 0 for one channel (no loop)
    pieces: tuple[tuple[int, int], ...]  # (columns, vector tile) per piece of the output width, left to right
    kernel_rows: bool  # the kernel has more than one row (else that loop is not tiled)
    kernel_columns: bool


@dataclass
class FxnTileConv(FxnPass):
    """Tile f32/f64 NCHW convolutions (stride 1 along the width) into register tiles of filters x output columns.

    Each ``linalg.conv_2d_nchw_fchw`` of static shapes, stride 1 along the
    width and dilation 1 is tiled so that ``16`` filters (fewer if they do
    not divide) times one vector register of output columns accumulate in
    registers across channels and kernel taps; other convolutions are left
    alone. Before/after (``vector-bits=512``, f32, 64 filters, 56 columns)::

        %r = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>) ...
        ==>
        scf.for %f ... scf.for %oh ... scf.for %ow (48 = 3 x 16 columns, then 8) ...
          scf.for %c iter_args(%acc = ...) -> (vector<16x16xf32>) ... {
            vector.contract ... : vector<16x4xf32>, vector<4x16xf32> into vector<16x16xf32>
    """

    argument = "fxn-tile-conv"
    vector_bits: int = field(default=128, metadata={"help": "width of the target's vector registers in bits"})

    def run_on(self, op) -> None:
        with op.context:
            groups = tag_convolutions(op, self.vector_bits)
            if not groups:
                return
            tiled = count_tagged(op, CONV_ATTRIBUTE)
            apply_transform_script(op, transform_script(groups))
            count_tagged(op, CONV_ATTRIBUTE, remove=True)
        self.count("tiled", "convolutions tiled into register tiles", tiled)


def _int_list(attribute) -> list[int]:
    return [int(v) for v in ir.DenseIntElementsAttr(attribute)]


def _largest_divisor(size: int, at_most: int) -> int:
    return next(d for d in range(min(size, at_most), 0, -1) if size % d == 0)


def width_pieces(columns: int, lanes: int) -> tuple[tuple[int, int], ...]:
    """The output width as pieces of whole vector tiles: as many full registers as fit, then halves, ..."""
    pieces, tile, rest = [], lanes, columns
    while rest:
        whole = rest // tile * tile
        if whole:
            pieces.append((whole, tile))
            rest -= whole
        tile //= 2
    return tuple(pieces)


def conv_tile(op, vector_bits: int) -> ConvTile | None:
    """How to tile a convolution, or None to leave it."""
    types = [v.type for v in op.operands]
    lanes = float_lanes(op.operands, vector_bits)
    if lanes is None or not all(t.has_static_shape for t in types):
        return None
    strides, dilations = _int_list(op.attributes["strides"]), _int_list(op.attributes["dilations"])
    if strides[1] != 1 or dilations != [1, 1]:
        return None
    _, channels, _, _ = types[0].shape
    filters, _, kernel_rows, kernel_columns = types[1].shape
    columns = types[2].shape[3]
    if columns == 0 or filters == 0 or channels == 0:
        return None
    if channels == 1 and kernel_rows == kernel_columns == 1:
        return None  # nothing to reduce: an elementwise scaling
    # A reduction loop of one iteration would fold away under canonicalization, under the script's handles:
    # the channel tile leaves at least two steps, and a loop of size 1 is not tiled at all.
    channel_tile = _largest_divisor(channels, min(CHANNEL_TILE, channels - 1)) if channels > 1 else 0
    return ConvTile(_largest_divisor(filters, FILTER_TILE), channel_tile, width_pieces(columns, lanes),
                    kernel_rows > 1, kernel_columns > 1)


def tag_convolutions(root, vector_bits: int) -> list[ConvTile]:
    """Mark each convolution to tile with the index of its group in the returned list."""
    return tag_groups(ops_named(root, "linalg.conv_2d_nchw_fchw"), CONV_ATTRIBUTE,
                      lambda op: conv_tile(op, vector_bits))


# ----------------------------------------------------------------------------
# The transform script.


def _group(index: int, tile: ConvTile) -> str:
    """Split, tile, reshape into small products and vectorize the convolutions tagged ``index``."""
    lines = [f"""
    %convs{index} = transform.structured.match ops{{["linalg.conv_2d_nchw_fchw"]}} attributes {{{CONV_ATTRIBUTE} = {index}}} in %root : ({ANY_OP}) -> {ANY_OP}
    transform.foreach %convs{index} : {ANY_OP} {{
    ^bb0(%conv: {ANY_OP}):
      %func = transform.get_parent_op %conv {{isolated_from_above}} : ({ANY_OP}) -> {ANY_OP}"""]
    add = lines.append
    handles, rest = [], "%conv"
    for i, (columns, vector) in enumerate(tile.pieces):
        if i < len(tile.pieces) - 1:  # split off the first ``columns`` of what is left
            add(f"""
      %split{i} = transform.structured.split {rest} after {columns} {{dimension = 3}} : {ANY_OP}
      %piece{i}, %rest{i} = transform.split_handle %split{i} : ({ANY_OP}) -> ({ANY_OP}, {ANY_OP})""")
            handles.append((f"%piece{i}", vector))
            rest = f"%rest{i}"
        else:
            handles.append((rest, vector))
    kernel = [int(tile.kernel_rows), int(tile.kernel_columns)]
    reduction_loops = int(tile.channels > 0) + sum(kernel)
    reductions, rows = [], []
    for i, (handle, vector) in enumerate(handles):
        add(f"""
      %rows{i}, %loops{i}:4 = transform.structured.tile_using_for {handle} tile_sizes [1, {tile.filters}, 1, {vector}, 0, 0, 0] : ({ANY_OP}) -> ({ANY_OP}, {ANY_OP}, {ANY_OP}, {ANY_OP}, {ANY_OP})
      %taps{i}, %reduction{i}:{reduction_loops} = transform.structured.tile_using_for %rows{i} tile_sizes [0, 0, 0, 0, {tile.channels}, {kernel[0]}, {kernel[1]}] : ({ANY_OP}) -> ({ANY_OP}, {", ".join([ANY_OP] * reduction_loops)})
      %generic{i} = transform.structured.generalize %taps{i} : ({ANY_OP}) -> {ANY_OP}
      %interchanged{i} = transform.structured.interchange %generic{i} iterator_interchange = [0, 3, 2, 1, 4, 5, 6] : ({ANY_OP}) -> {ANY_OP}
      transform.apply_patterns to %loops{i}#3 {{
        transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices
        transform.apply_patterns.canonicalization
      }} : {ANY_OP}
      %product{i} = transform.structured.match ops{{["linalg.generic"]}} in %loops{i}#3 : ({ANY_OP}) -> {ANY_OP}
      transform.structured.vectorize %product{i} : {ANY_OP}""")
        reductions += [f"%reduction{i}#{j}" for j in range(reduction_loops - 1, -1, -1)]
        rows.append(f"%loops{i}#3")
    add(f"""
      transform.apply_patterns to %func {{
        transform.apply_patterns.vector.reduction_to_contract
        transform.apply_patterns.vector.transfer_permutation_patterns
        transform.apply_patterns.canonicalization
      }} : {ANY_OP}
      %accumulating = transform.merge_handles {", ".join(reductions)} : {ANY_OP}
      transform.foreach %accumulating : {ANY_OP} {{
      ^bb0(%loop: {ANY_OP}):
        transform.loop.hoist_loop_invariant_subsets %loop : {ANY_OP}
      }}
      transform.apply_patterns to %func {{
        transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
        transform.apply_patterns.canonicalization
      }} : {ANY_OP}
    }}""")
    return "".join(lines)


def transform_script(groups: list[ConvTile]) -> str:
    """The transform module that tiles every group of tagged convolutions."""
    body = "".join(_group(i, tile) for i, tile in enumerate(groups))
    return f"""
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: {ANY_OP} {{transform.readonly}}) {{{body}
    transform.yield
  }}
}}
"""
