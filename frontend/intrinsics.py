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


# ----------------------------------------------------------------------------
# Run-time sizes and windows (``fxn.dim``, ``fxn.dynamic_slice``, ``fxn.dynamic_update_slice``): what
# :mod:`.indexing` builds ``x[i]``, ``x[a:b]`` and ``out[i] = v`` from when an index is a run-time value.
# ``indices`` are 0-d int64 tensors: one start per dim, then a size for each entry of ``sizes`` that is
# not a plain int (-1: a new run-time size; a SymInt: that dynamic dim's size, known to the tracer).


@torch.library.custom_op("fxn::dim", mutates_args=())
def dim(x: torch.Tensor, axis: int) -> torch.Tensor:
    """``x.shape[axis]`` as a 0-d int64 tensor (``fxn.dim``)."""
    return torch.tensor(x.shape[axis], dtype=torch.int64)


@dim.register_fake
def _(x, axis):
    return x.new_empty((), dtype=torch.int64)


def _window_kernel(name: str):
    from fxn.dialects.reference import tensor as reference

    return getattr(reference, name)


def _static_sizes(sizes) -> list[int]:
    return [size if type(size) is int else -1 for size in sizes]


@torch.library.custom_op("fxn::dynamic_slice", mutates_args=())
def dynamic_slice(x: torch.Tensor, indices: list[torch.Tensor], sizes: list[int], strides: list[int],
                  drop: list[int]) -> torch.Tensor:
    """The window of ``x`` at run-time starts and sizes (``fxn.dynamic_slice``; IndexError outside ``x``)."""
    kernel = _window_kernel("dynamic_slice")
    result = kernel(x.numpy(), [i.numpy() for i in indices], result_type=None, sizes=_static_sizes(sizes),
                    strides=strides, drop=drop)
    return torch.from_numpy(result)


@dynamic_slice.register_fake
def _(x, indices, sizes, strides, drop):
    context = torch.library.get_ctx()
    shape = [context.new_dynamic_size() if type(size) is int and size == -1 else size
             for axis, size in enumerate(sizes) if axis not in drop]
    return x.new_empty(shape)


@torch.library.custom_op("fxn::dynamic_update_slice", mutates_args=())
def dynamic_update_slice(x: torch.Tensor, update: torch.Tensor, indices: list[torch.Tensor], sizes: list[int],
                         strides: list[int], drop: list[int]) -> torch.Tensor:
    """``x`` with its window replaced by ``update`` broadcast (``fxn.dynamic_update_slice``); ``x`` is not changed."""
    kernel = _window_kernel("dynamic_update_slice")
    result = kernel(x.numpy(), update.numpy(), [i.numpy() for i in indices], result_type=None,
                    sizes=_static_sizes(sizes), strides=strides, drop=drop)
    return torch.from_numpy(result)


@dynamic_update_slice.register_fake
def _(x, update, indices, sizes, strides, drop):
    return torch.empty_like(x)


@torch.library.custom_op("fxn::full", mutates_args=())
def full(value: torch.Tensor, sizes: list[torch.Tensor], shape: list[int]) -> torch.Tensor:
    """A tensor of ``shape`` (-1 entries: the run-time ``sizes``, below 0 counting as 0) filled with ``value``."""
    run_time = iter(max(int(size), 0) for size in sizes)
    return torch.full([next(run_time) if size == -1 else size for size in shape], value.item(), dtype=value.dtype)


@full.register_fake
def _(value, sizes, shape):
    context = torch.library.get_ctx()
    return value.new_empty([context.new_dynamic_size() if size == -1 else size for size in shape])


# Nondeterministic: tracing never folds it into a constant, as it would an op of constant sizes.
@torch.library.custom_op("fxn::empty", mutates_args=(), tags=(torch.Tag.nondeterministic_seeded,))
def empty(sizes: list[torch.Tensor], shape: list[int], dtype: torch.dtype) -> torch.Tensor:
    """A tensor of ``shape`` (-1 entries: the run-time ``sizes``, below 0 counting as 0) and ``dtype`` whose
    elements are unspecified until written (``fxn.empty``); eagerly, zeros."""
    run_time = iter(max(int(size), 0) for size in sizes)
    return torch.zeros([next(run_time) if size == -1 else size for size in shape], dtype=dtype)


@empty.register_fake
def _(sizes, shape, dtype):
    context = torch.library.get_ctx()
    return torch.empty([context.new_dynamic_size() if size == -1 else size for size in shape], dtype=dtype)
