"""fxn ops that PyTorch has no function for, callable from torch code as ``fxn.frontend.fma(x, y, z)``.

Each is a torch custom op (namespace ``fxn``), so every capture records it
as one graph node that the ATen table maps to its fxn op. Called eagerly,
outside a compiled function, they compute the same values with torch.
"""

from __future__ import annotations

import torch


@torch.library.custom_op("fxn::fma", mutates_args=())
def fma(x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """``x * y + z`` rounded once (``fxn.fma``); eagerly computed in f64, exact for f16 inputs."""
    dtype = torch.promote_types(torch.promote_types(x.dtype, y.dtype), z.dtype)
    return torch.addcmul(z.double(), x.double(), y.double()).to(dtype)


@fma.register_fake
def _(x, y, z):
    dtype = torch.promote_types(torch.promote_types(x.dtype, y.dtype), z.dtype)
    return torch.empty(torch.broadcast_shapes(x.shape, y.shape, z.shape), dtype=dtype)


@torch.library.custom_op("fxn::crop", mutates_args=())
def crop(x: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """The window ``x[..., top:top+height, left:left+width]`` (``fxn.crop``); it must lie inside ``x``."""
    return x[..., top : top + height, left : left + width].clone()


@crop.register_fake
def _(x, top, left, height, width):
    return x.new_empty((*x.shape[:-2], height, width))
