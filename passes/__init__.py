"""fxn's pass registry: one table from pass argument to its class, imported on demand.

Upstream MLIR passes (``canonicalize``, ``cse``, ...) need no entry here: a
name that is not in this table is looked up in MLIR's own registry.
"""

from .registry import FxnPass, FxnPipeline, PassFailure, PassOptionError, load_pass

#: Pass argument -> "module:Class".
PASSES = {
    "fxn-canonicalize": "fxn.passes.canonicalize:FxnCanonicalize",
    "fxn-check-alloc-sizes": "fxn.passes.lowering.checked_allocation:FxnCheckAllocSizes",
    "fxn-check-allocations": "fxn.passes.lowering.checked_allocation:FxnCheckAllocations",
    "fxn-constant-fold": "fxn.passes.constant_fold:FxnConstantFold",
    "fxn-expand-strided-copies": "fxn.passes.lowering.strided_copies:FxnExpandStridedCopies",
    "fxn-fold-batch-norm": "fxn.passes.fold_batch_norm:FxnFoldBatchNorm",
    "fxn-fuse-conv-bias-act": "fxn.passes.fuse_conv_bias_act:FxnFuseConvBiasAct",
    "fxn-fuse-fma": "fxn.passes.fuse_fma:FxnFuseFma",
    "fxn-fuse-into-extract": "fxn.passes.fuse_into_extract:FxnFuseIntoExtract",
    "fxn-inline-alloca-scopes": "fxn.passes.lowering.alloca_scopes:FxnInlineAllocaScopes",
    "fxn-lower-to-linalg": "fxn.passes.lowering.convert:FxnLowerToLinalg",
    "fxn-lower-vector-contractions": "fxn.passes.pack_matmul:FxnLowerVectorContractions",
    "fxn-optimize": "fxn.passes.optimize:FxnOptimize",
    "fxn-pack-matmul": "fxn.passes.pack_matmul:FxnPackMatmul",
    "fxn-parallelize": "fxn.passes.parallelize:FxnParallelize",
    "fxn-specialize-resize": "fxn.passes.specialize_resize:FxnSpecializeResize",
    "fxn-tile-conv": "fxn.passes.tile_conv:FxnTileConv",
    "fxn-unshare-fills": "fxn.passes.unshare_fills:FxnUnshareFills",
    "fxn-vectorize": "fxn.passes.vectorize:FxnVectorize",
}


def get_pass(argument: str) -> type[FxnPass] | None:
    """The fxn pass class named ``argument``, or None."""
    path = PASSES.get(argument)
    return load_pass(path) if path else None


def all_passes() -> list[type[FxnPass]]:
    return [load_pass(PASSES[name]) for name in sorted(PASSES)]


__all__ = ["FxnPass", "FxnPipeline", "PassFailure", "PassOptionError", "PASSES", "get_pass", "all_passes"]
