"""fxn's view of tensor types: element types, shapes and broadcasting.

Every fxn value is a builtin ranked tensor (``tensor<2x?xf32>``); a scalar is
a 0-d tensor (``tensor<f32>``). Type inference works on :class:`TensorType`, a
plain Python value, so shape rules are written once and shared by the
verifiers, the builders and the reference interpreter. Importing this
module imports neither MLIR nor numpy (a call of cached code needs neither):
``NUMPY_DTYPES`` imports numpy when it is first read, the MLIR conversions
the bindings when they first run.
"""

from __future__ import annotations

from fxn.values import FrozenValue

TYPE_CHECKING = False  # (typing.TYPE_CHECKING without importing typing, which a cached call need not load)
if TYPE_CHECKING:
    import numpy as np

    from fxn.mlir import ir

#: Element types fxn accepts, by their MLIR spelling, with their numpy type's name.
NUMPY_TYPE_NAMES = {"f16": "float16", "f32": "float32", "f64": "float64", "i8": "int8", "ui8": "uint8",
                    "i32": "int32", "i64": "int64", "i1": "bool"}
FLOAT_DTYPES = ("f16", "f32", "f64")
INT_DTYPES = ("i8", "ui8", "i32", "i64")
#: Integer types whose values are unsigned (their ops compare, extend and convert as unsigned).
UNSIGNED_DTYPES = ("ui8",)
NUMERIC_DTYPES = FLOAT_DTYPES + INT_DTYPES
ALL_DTYPES = NUMERIC_DTYPES + ("i1",)

#: A dimension whose size is only known at run time.
DYNAMIC = None


def __getattr__(name: str):
    if name == "NUMPY_DTYPES":
        return numpy_dtypes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_NUMPY_DTYPES: dict = {}


def numpy_dtypes() -> dict[str, np.dtype]:
    """``NUMPY_DTYPES``: each element type's numpy dtype (imports numpy on first use)."""
    if not _NUMPY_DTYPES:  # (no functools.cache: TorchDynamo traces through this and warns about caches)
        import numpy as np

        _NUMPY_DTYPES.update({name: np.dtype(numpy_type) for name, numpy_type in NUMPY_TYPE_NAMES.items()})
    return _NUMPY_DTYPES


class VerifyError(Exception):
    """An op is ill-formed; the message names the fault (the op name is added by the caller)."""


def dtype_of_numpy(dtype: np.dtype) -> str:
    """The fxn element type of a numpy dtype, or VerifyError."""
    for name, np_dtype in numpy_dtypes().items():
        if np_dtype == dtype:
            return name
    raise VerifyError(f"numpy dtype {dtype} has no fxn element type")


def bit_width(dtype: str) -> int:
    """The number of bits of an element type: ``bit_width("ui8") == 8``."""
    return int(dtype.lstrip("uif"))


def _element_type_name(element_type: ir.Type) -> str | None:
    text = str(element_type)
    return text if text in NUMPY_TYPE_NAMES else None


def _mlir_element_type(dtype: str) -> ir.Type:
    from fxn.mlir import ir

    if dtype in FLOAT_DTYPES:
        return {"f16": ir.F16Type, "f32": ir.F32Type, "f64": ir.F64Type}[dtype].get()
    if dtype in UNSIGNED_DTYPES:
        return ir.IntegerType.get_unsigned(bit_width(dtype))
    return ir.IntegerType.get_signless(bit_width(dtype))


class TensorType(FrozenValue):
    """A ranked tensor type: element type name and shape (``None`` for a dynamic dim). (An immutable value
    compared by its fields, not a dataclass: see :mod:`fxn.values`.)"""

    _fields = ("dtype", "shape")

    def __init__(self, dtype: str, shape: tuple[int | None, ...]):
        if dtype not in NUMPY_TYPE_NAMES:
            raise VerifyError(f"unsupported element type {dtype}")
        self._freeze(dtype=dtype, shape=tuple(shape))

    @staticmethod
    def from_mlir(mlir_type: ir.Type, what: str = "value") -> "TensorType":
        """Convert an MLIR type; VerifyError (naming ``what``) unless it is a supported ranked tensor."""
        from fxn.mlir import ir

        if not isinstance(mlir_type, ir.RankedTensorType):
            raise VerifyError(f"{what} must be a ranked tensor, got {mlir_type}")
        dtype = _element_type_name(mlir_type.element_type)
        if dtype is None:
            raise VerifyError(
                f"{what} has unsupported element type {mlir_type.element_type} "
                f"(supported: {', '.join(ALL_DTYPES)})"
            )
        if mlir_type.encoding is not None:
            raise VerifyError(f"{what} must not have a tensor encoding, got {mlir_type}")
        dynamic = ir.ShapedType.get_dynamic_size()
        shape = tuple(None if d == dynamic else d for d in mlir_type.shape)
        return TensorType(dtype, shape)

    def to_mlir(self) -> ir.RankedTensorType:
        from fxn.mlir import ir

        dynamic = ir.ShapedType.get_dynamic_size()
        shape = [dynamic if d is None else d for d in self.shape]
        return ir.RankedTensorType.get(shape, _mlir_element_type(self.dtype), loc=ir.Location.unknown())

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def numpy_dtype(self) -> np.dtype:
        return numpy_dtypes()[self.dtype]

    @property
    def is_float(self) -> bool:
        return self.dtype in FLOAT_DTYPES

    @property
    def is_unsigned(self) -> bool:
        return self.dtype in UNSIGNED_DTYPES

    @property
    def is_static(self) -> bool:
        return all(d is not None for d in self.shape)

    def with_shape(self, shape) -> "TensorType":
        return TensorType(self.dtype, tuple(shape))

    def with_dtype(self, dtype: str) -> "TensorType":
        return TensorType(dtype, self.shape)

    def __str__(self) -> str:
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.dtype}>"


def format_shape(shape) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def broadcast_shapes(*shapes) -> tuple[int | None, ...]:
    """PyTorch/numpy broadcasting of shapes, right-aligned.

    A dynamic dim against ``n > 1`` gives ``n`` (the dynamic size must then be
    1 or ``n`` at run time); against 1 or another dynamic dim it stays dynamic.
    """
    rank = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-rank, 0):
        dims = [s[axis] for s in shapes if len(s) >= -axis]
        static = {d for d in dims if d is not None and d != 1}
        if len(static) > 1:
            raise VerifyError(
                "operand shapes "
                + " and ".join(format_shape(s) for s in shapes)
                + " are not broadcastable"
            )
        if static:
            result.append(static.pop())
        elif any(d is None for d in dims):
            result.append(None)
        else:
            result.append(1)
    return tuple(result)


def normalize_axis(axis: int, rank: int, what: str = "dimension") -> int:
    """Map a possibly negative axis into ``[0, rank)``, or VerifyError."""
    # A 0-d tensor takes 0 and -1, as in PyTorch.
    extent = max(rank, 1)
    if not -extent <= axis < extent:
        raise VerifyError(f"{what} {axis} is out of range for rank {rank}")
    return axis % extent if rank else 0


#: The type of a string: its UTF-8 bytes, no terminator (the string ops of ``dialects/string.py``).
STRING = TensorType("ui8", (None,))
