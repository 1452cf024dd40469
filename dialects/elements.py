"""Tensor contents of ``dense<...>`` and ``dense_resource<...>`` attributes as numpy arrays.

A splat's one value is read and written without expanding it
(:func:`splat_scalar`, :func:`splat_elements`): a splat may stand for more
elements than fit in memory, so callers compare :func:`element_count` with
their bound before asking for a whole array.

The bindings cannot read a resource blob back, so blobs are taken from the
module's printed ``dialect_resources`` section: a blob is ``"0x"`` followed by
a 4-byte little-endian alignment and the raw little-endian data.
"""

from __future__ import annotations

import math
import re

from fxn.lazy import numpy as np

from fxn.mlir import ir

from .types import TensorType

_RESOURCE_SECTION = re.compile(r"\{-#\s*dialect_resources:\s*\{\s*builtin:\s*\{(.*?)\}\s*\}\s*#-\}", re.DOTALL)
_BLOB = re.compile(r'([A-Za-z_][\w.$-]*|"[^"]*")\s*:\s*"0x([0-9A-Fa-f]*)"')


def resource_blobs(module) -> dict[str, bytes]:
    """The builtin dialect's resource blobs of ``module``, by key, without the alignment prefix."""
    text = module.operation.get_asm(large_elements_limit=None)
    blobs = {}
    for section in _RESOURCE_SECTION.findall(text):
        for key, digits in _BLOB.findall(section):
            blobs[key.strip('"')] = bytes.fromhex(digits)[4:]
    return blobs


class ModuleElements:
    """The contents of the constants of one module, whose resource blobs are read (a print of the whole module)
    once, when the first ``dense_resource`` is asked for."""

    def __init__(self, module):
        self._module = module
        self._blobs: dict[str, bytes] | None = None

    def __call__(self, attr: ir.Attribute) -> np.ndarray:
        """The contents of ``attr``, a ``dense<...>`` or a ``dense_resource<...>`` of the module (see
        :func:`elements_to_numpy`)."""
        if isinstance(attr, ir.DenseElementsAttr):
            return elements_to_numpy(attr)
        if self._blobs is None:
            self._blobs = resource_blobs(self._module)
        return elements_to_numpy(attr, self._blobs)


def element_count(shape) -> int:
    """The number of elements of a static ``shape``, exactly (``np.prod`` wraps: 2**32 x 2**32 gives 0)."""
    return math.prod(shape)


def splat_scalar(attr: ir.Attribute) -> np.ndarray | None:
    """The one value of a splat ``dense<...>`` as a 0-d array of its element type, bit for bit; None if no splat."""
    if not (isinstance(attr, ir.DenseElementsAttr) and attr.is_splat):
        return None
    dtype = TensorType.from_mlir(attr.type, "constant").numpy_dtype
    splat = attr.get_splat_value()
    if dtype == np.bool_:
        return np.array(splat.value, dtype=dtype)
    # A one-element copy of the splat reads back through the buffer protocol (NaN payloads intact).
    one_type = ir.RankedTensorType.get([1], attr.type.element_type, loc=ir.Location.unknown())
    one = ir.DenseElementsAttr.get_splat(one_type, splat)
    return np.array(one).astype(dtype, copy=False).reshape(())


def splat_elements(scalar: np.ndarray, tensor_type: TensorType) -> ir.DenseElementsAttr:
    """A splat ``dense<scalar> : tensor_type``, of any number of elements (none is materialized)."""
    mlir_type = tensor_type.to_mlir()
    if tensor_type.dtype == "i1":
        return ir.DenseElementsAttr.get_splat(mlir_type, ir.BoolAttr.get(bool(scalar)))
    # MLIR reads a one-element buffer given a larger type as a splat.
    one = np.asarray(scalar, dtype=tensor_type.numpy_dtype).reshape(1)
    return ir.DenseElementsAttr.get(one, type=mlir_type)


def elements_to_numpy(attr: ir.Attribute, blobs: dict[str, bytes] | None = None) -> np.ndarray:
    """The contents of a dense or dense_resource elements attribute, shaped and typed as its tensor type.

    This allocates every element, a splat's too: check :func:`element_count` first.
    """
    tensor_type = TensorType.from_mlir(attr.type, "constant")
    dtype = tensor_type.numpy_dtype
    if isinstance(attr, ir.DenseElementsAttr):
        if attr.is_splat:
            return np.full(tensor_type.shape, splat_scalar(attr), dtype=dtype)
        if tensor_type.dtype == "i1":
            return np.array([attr[i] for i in range(len(attr))], dtype=dtype).reshape(tensor_type.shape)
        return np.array(attr).astype(dtype, copy=False).reshape(tensor_type.shape)
    key = re.match(r'dense_resource<("[^"]*"|[^>]*)>', str(attr))[1].strip('"')
    if blobs is None or key not in blobs:
        raise ValueError(f"dense_resource<{key}> has no blob in the module's dialect_resources section")
    return np.frombuffer(blobs[key], dtype=dtype.newbyteorder("<")).astype(dtype).reshape(tensor_type.shape)


def numpy_to_elements(array: np.ndarray) -> ir.DenseElementsAttr:
    """A ``dense<...>`` attribute holding ``array`` (with its fxn element type)."""
    from .types import dtype_of_numpy

    tensor_type = TensorType(dtype_of_numpy(array.dtype), array.shape).to_mlir()
    if array.dtype == np.bool_:
        # The bindings read a bool buffer as packed bits; spell it out instead.
        literal = str(array.astype(int).tolist()).replace("1", "true").replace("0", "false")
        return ir.Attribute.parse(f"dense<{literal}> : {tensor_type}")
    return ir.DenseElementsAttr.get(np.ascontiguousarray(array), type=tensor_type)


def numpy_to_resource(array: np.ndarray, key: str) -> ir.Attribute:
    """A ``dense_resource<key>`` attribute holding a copy of ``array`` (MLIR may rename ``key`` on collision).

    For large weights: the bytes live in the module's ``dialect_resources``
    section instead of a ``dense<...>`` literal.
    """
    from .types import dtype_of_numpy

    array = np.ascontiguousarray(array)
    tensor_type = TensorType(dtype_of_numpy(array.dtype), array.shape).to_mlir()
    # The blob keeps the buffer alive; a bool array is stored one byte per element.
    buffer = array.astype(array.dtype.newbyteorder("<"), copy=True)
    return ir.DenseResourceElementsAttr.get_from_buffer(
        buffer.view(np.uint8) if array.dtype == np.bool_ else buffer, key, tensor_type
    )

