// The vector dialect to LLVM with 32-bit indices, for every target of 32-bit index and pointer width
// (wasm32, for one): fxn.compiler.pipeline_text runs it at the start of the "llvm" stage of such a target.
//
// Upstream convert-vector-to-llvm takes no index width: it builds 64-bit
// memref descriptors and indices, which do not meet the 32-bit ones of
// finalize-memref-to-llvm{index-bitwidth=32}. This sequence does its work
// first, with a 32-bit type converter, so that the upstream pass, which
// runs later in the "llvm" stage, finds no vector op left:
//   1. transfers with permutation maps become minor-identity ones (a 4x1
//      transposed read of a row is a contiguous load), unit dims go;
//   2. transfers of rank 2 and more are unrolled into rank-1 transfers
//      (full_unroll: convert-vector-to-scf's default goes through a stack
//      buffer and vector.type_cast, whose conversion builds 64-bit fields
//      whatever the index width);
//   3. what convert-vector-to-llvm lowers before converting (1-D transfers
//      to loads and masked loads, masks to comparisons, contractions,
//      broadcasts, shape casts ...);
//   4. the conversion.
//
// The sequence is private: transform-preload-library adds the library to
// its MLIRContext on every run, and a second copy of a private sequence is
// renamed where a public one would be a duplicate symbol.
module attributes {transform.with_named_sequence} {
  transform.named_sequence private @fxn_vector_to_llvm_index32(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.drop_unit_dims_with_shape_cast
    } : !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
    } : !transform.any_op
    transform.apply_patterns to %funcs {
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.materialize_masks
      transform.apply_patterns.vector.lower_masks
      transform.apply_patterns.vector.lower_contraction
      transform.apply_patterns.vector.lower_broadcast
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.vector.lower_transpose
      transform.apply_patterns.vector.lower_step index_bitwidth = 32
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.lower_gather
      transform.apply_patterns.vector.lower_interleave
      transform.apply_patterns.vector.lower_bitcast
      transform.apply_patterns.vector.rank_reducing_subview_patterns
    } : !transform.any_op
    transform.apply_conversion_patterns to %funcs {
      transform.apply_conversion_patterns.vector.vector_to_llvm
    } with type_converter {
      transform.apply_conversion_patterns.memref.memref_to_llvm_type_converter {index_bitwidth = 32}
    } {legal_dialects = ["llvm"], partial_conversion} : !transform.any_op
    transform.yield
  }
}
