"""fxn-optimize: fxn's default optimization pipeline on the fxn dialect, in the order its passes need."""

from __future__ import annotations

from dataclasses import dataclass, field

from .registry import FxnPipeline


#: The largest tensor fxn-optimize computes at compile time (ResNet-18's largest weight has 2.4M elements).
FOLDED_ELEMENTS = 1 << 24


@dataclass
class FxnOptimize(FxnPipeline):
    """fxn's default optimization pipeline: canonicalize, fold batch norms, fuse conv epilogues, specialize resizes,
    fold, fuse.

    Runs, in this order:

    1. ``func.func(fxn-canonicalize)``: ops that do nothing go first, so the
       patterns after it see the ops that compute;
    2. ``fxn-fold-batch-norm``: batch norms become ops on the conv2d/linear
       weights and bias, then
    3. ``fxn-fuse-conv-bias-act`` gives a conv2d or linear the per-channel
       vector added to it as its bias and the relu, clamp or sigmoid after it
       as its activation (after the batch-norm fold, whose pattern wants the
       plain conv2d, and before constant folding, which computes the
       reshaped bias), which
    4. ``fxn-specialize-resize`` leaves alone (it rewrites resizes only), and
    5. ``fxn-constant-fold{max-elements=16777216}`` computes at compile time
       when the weights are constants (a model's parameters: a folded
       convolution's weights would otherwise be scaled on every call; the
       bound, 16M elements a tensor, keeps runaway folds out);
    6. ``fxn-fuse-fma{contract=...}`` last: an ``fxn.fma`` hides its multiply
       and add from the patterns before it, and constant folding may have
       left a multiply by a constant next to an add. It rounds once, so it
       fuses only with ``contract=true`` (``fxn.compile(fast_math=True)``);
    7. ``cse``.

    ``fxn inspect --stage optimized`` shows its result. A backend adds passes
    before and after it with its ``before:optimized`` and ``after:optimized``
    pipeline hooks, or runs its own instead with ``optimized``.
    """

    argument = "fxn-optimize"
    contract: bool = field(default=False, metadata={"help": "fuse multiply-adds into fxn.fma (rounded once)"})

    def elements(self) -> str:
        return ("func.func(fxn-canonicalize),fxn-fold-batch-norm,fxn-fuse-conv-bias-act,fxn-specialize-resize,"
                f"fxn-constant-fold{{max-elements={FOLDED_ELEMENTS}}},"
                f"fxn-fuse-fma{{contract={str(self.contract).lower()}}},cse")
