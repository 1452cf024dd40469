"""fxn-fuse-conv-bias-act: a conv2d or linear takes the bias added to it and the activation applied to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from fxn.dialects import OPS

from .patterns import apply_counting, attribute_value, defining_op, tensor_type
from .registry import FxnPass

_MATCH_FAILED = True  # a pattern function returns a truthy value when it does not apply
#: The ops that take a bias and an activation, and the op each becomes with its activation.
PRODUCERS = {"fxn.conv2d": "fxn.conv2d_activation", "fxn.linear": "fxn.linear_activation"}
#: The activations fused (the ``activation`` attribute of the fused op is the op's name without ``fxn.``).
ACTIVATION_OPS = ("fxn.relu", "fxn.clamp", "fxn.sigmoid")
#: A bias added after the sum rounds as the separate add does in these types only (f16 rounds the sum first).
_EXACT_BIAS_DTYPES = ("f32", "f64")
#: Attributes of a conv2d the fused op keeps.
_CONV_ATTRIBUTES = ("stride", "padding", "dilation", "groups")


def _single_use_producer(value):
    """The conv2d or linear defining ``value`` if ``value`` has no other use, else None."""
    if len(list(value.uses)) != 1:
        return None
    return next((op for name in PRODUCERS if (op := defining_op(value, name)) is not None), None)


def _producer_attributes(producer) -> dict:
    """The attributes of a conv2d the fused op keeps (a linear has none)."""
    if producer.operation.name != "fxn.conv2d":
        return {}
    return {key: attribute_value(producer, key) for key in _CONV_ATTRIBUTES}


def _channel_vector(addend, producer) -> int | None:
    """How many elements ``addend`` holds if it adds one value per output channel of ``producer`` (conv2d: shape
    ``(O, 1, 1)`` or ``(1, O, 1, 1)``; linear: ``(out,)`` or ``(1, ..., out)``), else None."""
    shape, result = tensor_type(addend).shape, tensor_type(producer.results[0])
    if producer.operation.name == "fxn.conv2d":
        channels = result.shape[1]
        wanted = [(channels, 1, 1), (1, channels, 1, 1)]
    else:
        channels = result.shape[-1]
        wanted = [(1,) * ones + (channels,) for ones in range(result.rank)]
    return channels if channels is not None and tuple(shape) in wanted else None


def _fold_bias(add, rewriter):
    """``add(conv2d(x, w), c)`` (either order; ``c`` one value per output channel) -> ``conv2d(x, w, reshape(c))``.

    Only for a conv2d or linear without a bias and with no other use, in
    f32 or f64, where the fused bias is added after the sum with one
    rounding, as the add did: the result is the same.
    """
    if tensor_type(add.results[0]).dtype not in _EXACT_BIAS_DTYPES:
        return _MATCH_FAILED
    for value, addend in ((add.operands[0], add.operands[1]), (add.operands[1], add.operands[0])):
        producer = _single_use_producer(value)
        if producer is None or len(producer.operands) == 3 or value.type != add.results[0].type:
            continue
        channels = _channel_vector(addend, producer)
        if channels is None:
            continue
        with rewriter.ip:
            bias = OPS["fxn.reshape"].build(addend, shape=(channels,), loc=add.location)
            fused = OPS[producer.operation.name].build(producer.operands[0], producer.operands[1], bias,
                                                       loc=producer.location, **_producer_attributes(producer))
        rewriter.replace_op(add, [fused])
        rewriter.erase_op(producer)
        return None
    return _MATCH_FAILED


def _fuse_activation(activation, rewriter):
    """``relu|clamp|sigmoid(conv2d(...))`` -> ``conv2d_activation(...)`` (linear alike), if the conv2d or linear
    has no other use."""
    value = activation.operands[0]
    producer = _single_use_producer(value)
    if producer is None:
        return _MATCH_FAILED
    attrs = _producer_attributes(producer)
    attrs["activation"] = activation.operation.name.removeprefix("fxn.")
    if attrs["activation"] == "clamp":
        attrs.update(min=attribute_value(activation, "min"), max=attribute_value(activation, "max"))
    bias = producer.operands[2] if len(producer.operands) == 3 else None
    with rewriter.ip:
        fused = OPS[PRODUCERS[producer.operation.name]].build(producer.operands[0], producer.operands[1], bias,
                                           loc=activation.location, **attrs)
    rewriter.replace_op(activation, [fused])
    rewriter.erase_op(producer)
    return None


@dataclass
class FxnFuseConvBiasAct(FxnPass):
    """Fold a bias added to a conv2d or linear into it, and fuse the relu, clamp or sigmoid applied to it.

    Two rewrites, in this order, each only where the conv2d or linear has no
    other use:

    - ``fold-bias``: ``add(conv2d(x, w), c)`` with ``c`` one value per output
      channel (``(O, 1, 1)`` or ``(1, O, 1, 1)``; for a linear ``(out,)`` or
      ``(1, out)``) becomes ``conv2d(x, w, reshape(c, (O,)))``, for a conv2d or
      linear without a bias, in f32 or f64 (where the bias is added after the
      sum with one rounding, as the add rounds: the result is the same);
    - ``fuse-activations``: ``relu``, ``clamp`` or ``sigmoid`` of a conv2d or
      linear becomes ``fxn.conv2d_activation`` / ``fxn.linear_activation``,
      which compute exactly the two ops (the generic lowering applies the
      activation in the elementwise pass that adds the bias).

    Runs after ``fxn-fold-batch-norm`` in ``fxn-optimize`` (a folded batch
    norm leaves a conv2d with a bias, followed by its activation).
    Before/after::

        %c = "fxn.conv2d"(%x, %w) {...} : (...) -> tensor<1x8x16x16xf32>
        %s = "fxn.add"(%c, %b) : (tensor<1x8x16x16xf32>, tensor<8x1x1xf32>) -> tensor<1x8x16x16xf32>
        %r = "fxn.clamp"(%s) {max = 6.0 : f64, min = 0.0 : f64} : (tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
        ==>
        %v = "fxn.reshape"(%b) {shape = array<i64: 8>} : (tensor<8x1x1xf32>) -> tensor<8xf32>
        %r = "fxn.conv2d_activation"(%x, %w, %v) {activation = "clamp", max = 6.0 : f64, min = 0.0 : f64, ...}
    """

    argument = "fxn-fuse-conv-bias-act"
    fold_bias: bool = field(default=True, metadata={"help": "fold a per-channel add into the bias"})
    fuse_activations: bool = field(default=True, metadata={"help": "fuse relu, clamp and sigmoid into the op"})

    def run_on(self, op) -> None:
        if self.fold_bias:
            folded = apply_counting(op, OPS["fxn.add"], _fold_bias)
            self.count("biases", "added per-channel vectors folded into a conv2d or linear bias", folded)
        if self.fuse_activations:
            fused = sum(apply_counting(op, OPS[name], _fuse_activation) for name in ACTIVATION_OPS)
            self.count("activations", "activations fused into a conv2d or linear", fused)
