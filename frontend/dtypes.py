"""fxn element types and their torch dtypes."""

from __future__ import annotations

from .errors import Unsupported

#: torch dtype name -> fxn element type.
_FROM_TORCH = {
    "torch.float16": "f16",
    "torch.float32": "f32",
    "torch.float64": "f64",
    "torch.int8": "i8",
    "torch.uint8": "ui8",
    "torch.int32": "i32",
    "torch.int64": "i64",
    "torch.bool": "i1",
}


def from_torch(dtype) -> str:
    """The fxn element type of a torch dtype; Unsupported for dtypes fxn lacks (int16, bfloat16 ...)."""
    try:
        return _FROM_TORCH[str(dtype)]
    except KeyError:
        raise Unsupported(f"fxn has no element type for {dtype}") from None


def to_torch(dtype: str):
    """The torch dtype of an fxn element type."""
    import torch

    name = next(key for key, value in _FROM_TORCH.items() if value == dtype)
    return getattr(torch, name.removeprefix("torch."))
