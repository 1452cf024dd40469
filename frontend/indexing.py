"""Python's ``x[key]`` and ``x[key] = v`` on arrays when the key holds run-time values, while a function is traced.

The AST path (:mod:`.subscripts`) rewrites every subscript of a predictor
into calls of :func:`getitem` and :func:`setitem`, which run inside a
capture (``make_fx`` on tensors, TorchDynamo on NumPy arrays). A key of
Python numbers, slices of them with positive steps, ``None``, ``...`` and
index arrays is left to torch or NumPy (``x[0]``, ``x[:, 1:3]``, ``x[mask]``).
A key with a run-time integer (a loop variable, an int argument, a 0-d
integer array) or a negative step becomes one window intrinsic of
:mod:`.intrinsics` (``fxn.dynamic_slice`` / ``fxn.dynamic_update_slice``),
with Python's meaning:

- an integer index ``i`` picks one element and drops the dim; ``-n <= i < n``
  counts from the end below 0; any other ``i`` stops the compiled call with
  ``IndexError: index i is out of bounds for axis d with size n``;
- a slice ``a:b:s`` is clamped to the dim as Python clamps it (never an
  error), its step a Python int (positive or negative, not 0); a bound known
  only at run time makes the result dim dynamic;
- missing trailing dims and ``...`` are full slices.

Stores have value semantics: ``x[key] = v`` with a run-time key computes a
new array (``v`` cast to ``x``'s dtype and broadcast to the window, as
NumPy's assignment does) that the rewritten code binds to the name ``x``;
the caller's arrays are never written. Other names bound to the same array
(``y = x``) or views of it (``row = x[0]``) do not see such a store.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from fxn.dialects.types import dtype_of_numpy

from . import intrinsics
from .dtypes import to_torch
from .subscripts import FACTORIES

#: numpy's words for a key component that is not an index.
_NOT_AN_INDEX = ("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean "
                 "arrays are valid indices")


class Slice(NamedTuple):
    """``start:stop:step`` of a rewritten key (:mod:`.subscripts`): a builtin ``slice`` of run-time bounds would make
    TorchDynamo turn them into Python ints, which it cannot."""

    start: object
    stop: object
    step: object

    def as_slice(self) -> slice:
        return slice(self.start, self.stop, self.step)


def _native(key):
    """``key`` as torch, NumPy and Python take it (each :class:`Slice` a ``slice``)."""
    if isinstance(key, tuple) and not isinstance(key, Slice):
        return tuple(_native(k) for k in key)
    return key.as_slice() if isinstance(key, Slice) else key


def getitem(obj, key):
    """``obj[key]``: by torch or NumPy, or as ``fxn.dynamic_slice`` for a run-time key (see the module docstring)."""
    _refuse_run_time_lists(key)
    if not _is_array(obj) or _is_static(key):
        return obj[_native(key)]
    x, numpy = _as_tensor(obj)
    window = _Window(x, key)
    result = intrinsics.dynamic_slice(x, window.indices, window.sizes, window.strides, window.drop)
    return result.numpy() if numpy else result


def setitem(obj, key, value):
    """``obj[key] = value``, returning the array the name ``obj`` then holds (see the module docstring).

    A key of integers, slices and ``...`` builds ``fxn.dynamic_update_slice``,
    a new array (written in place where the old one is not used again); a
    key with ``None`` or index arrays stores in place, as torch or NumPy does
    (and the capture keeps the caller's arrays unchanged).
    """
    _refuse_run_time_lists(key)
    if not _is_array(obj) or (_is_static(key) and not _is_window(key)):
        obj[_native(key)] = value  # None or index arrays, no run-time index
        return obj
    x, numpy = _as_tensor(obj)
    window = _Window(x, key)
    update = _as_update(value, x.dtype)
    result = intrinsics.dynamic_update_slice(x, update, window.indices, window.sizes, window.strides, window.drop)
    return result.numpy() if numpy else result


def _refuse_run_time_lists(key) -> None:
    """IndexError for an index list holding a run-time value (``x[[i, 0]]``): a gather, which fxn does not have."""
    for component in _components(key):
        if isinstance(component, list) and any(_is_run_time(v) for v in component):
            raise IndexError("an index list holding a value known only at run time (x[[i, j]]) is not supported: "
                             "index with each value (x[i], x[j])")


def _is_array(value) -> bool:
    return isinstance(value, (torch.Tensor, np.ndarray))


def _components(key) -> tuple:
    return key if isinstance(key, tuple) and not isinstance(key, Slice) else (key,)


def _is_window(key) -> bool:
    """Whether ``key`` picks a window: integers (Python or run-time), slices and ``...``."""
    return all(isinstance(c, (int, Slice)) or c is Ellipsis or _is_run_time(c) for c in _components(key))


def _is_static(key) -> bool:
    """Whether torch and NumPy index with ``key`` as it is: no run-time integer, no negative step."""
    for component in _components(key):
        if isinstance(component, Slice):
            if any(_is_run_time(b) for b in (component.start, component.stop, component.step)):
                return False
            if component.step is not None and component.step < 0:
                return False
        elif _is_run_time(component):
            return False
    return True


def _is_run_time(value) -> bool:
    """An index known only at run time: a 0-d array (larger arrays index as arrays), or a symbolic int (the size of
    a dynamic dim)."""
    return _is_symbolic_int(value) or _is_array(value) and value.ndim == 0


def _is_known_int(value) -> bool:
    """A Python int (not a bool): TorchDynamo shows a symbolic int as an instance of ``int``, but not of that class."""
    return value.__class__ is int


def _is_symbolic_int(value) -> bool:
    """The size of a dynamic dim while tracing: a ``torch.SymInt``, which TorchDynamo shows as an int."""
    return isinstance(value, (int, torch.SymInt)) and not isinstance(value, bool) and not _is_known_int(value)


def _as_tensor(value) -> tuple[torch.Tensor, bool]:
    """``value`` as a tensor, and whether it was a NumPy array."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value), True
    return value, False


def _as_index(value) -> torch.Tensor:
    """An integer index as a 0-d int64 tensor; IndexError (NumPy's words) for anything else."""
    if isinstance(value, bool):
        raise IndexError(_NOT_AN_INDEX)
    if isinstance(value, (int, torch.SymInt)):
        return torch.scalar_tensor(value, dtype=torch.int64)
    if _is_array(value):
        tensor, _ = _as_tensor(value)
        if tensor.ndim == 0 and not tensor.dtype.is_floating_point and tensor.dtype != torch.bool:
            return tensor.to(torch.int64)
    raise IndexError(_NOT_AN_INDEX)


def _as_update(value, dtype) -> torch.Tensor:
    """The stored value as a tensor of the array's dtype (NumPy's assignment casts)."""
    if _is_array(value):
        tensor, _ = _as_tensor(value)
        return tensor.to(dtype)
    if isinstance(value, (bool, int, float)):
        return torch.scalar_tensor(value, dtype=dtype)
    return torch.as_tensor(value, dtype=dtype)  # a list or tuple of numbers


class _Window:
    """The window intrinsics' arguments for ``x[key]``: starts and run-time sizes, sizes, strides, dropped dims."""

    def __init__(self, x: torch.Tensor, key):
        self.x = x
        starts, self.sizes, self.strides, self.drop, run_time_sizes = [], [], [], [], []
        for axis, component in enumerate(self._expanded(_components(key))):
            if isinstance(component, Slice):
                start, size = self._slice(axis, component)
                stride = 1 if component.step is None else component.step
            else:
                start, size, stride = _as_index(component), 1, 1
                self.drop.append(axis)
            starts.append(start)
            self.strides.append(stride)
            if isinstance(size, torch.Tensor):
                run_time_sizes.append(size)
                self.sizes.append(-1)
            else:
                self.sizes.append(size)  # an int, or a dynamic dim's size (the ATen entry reads it with fxn.dim)
        self.indices = starts + run_time_sizes

    def _expanded(self, components: tuple) -> list:
        """``components`` with ``...`` and missing trailing dims as full slices; IndexError for too many."""
        if any(c is None for c in components):
            raise IndexError("numpy.newaxis (None) in a key with an index known only at run time is not supported; "
                             "index first, then add the axis with reshape")
        ellipses = [i for i, c in enumerate(components) if c is Ellipsis]
        if len(ellipses) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        rank = self.x.ndim
        if len(components) - len(ellipses) > rank:
            raise IndexError(f"too many indices for array: array is {rank}-dimensional, but "
                             f"{len(components) - len(ellipses)} were indexed")
        for component in components:
            if isinstance(component, list) or _is_array(component) and component.ndim > 0:
                raise IndexError("an index array together with an index known only at run time is not supported")
        if ellipses:
            at = ellipses[0]
            fill = [Slice(None, None, None)] * (rank - len(components) + 1)
            components = components[:at] + tuple(fill) + components[at + 1:]
        return list(components) + [Slice(None, None, None)] * (rank - len(components))

    def _slice(self, axis: int, part: Slice):
        """The first position and the element count of ``part`` along ``axis``, clamped as Python clamps."""
        if part.step is not None and (not isinstance(part.step, int) or isinstance(part.step, bool)):
            raise IndexError("a slice step must be a Python int (a step known only at run time is not supported)")
        step = 1 if part.step is None else part.step
        if step == 0:
            raise ValueError("slice step cannot be zero")
        extent = self.x.shape[axis]
        if part.start is None and part.stop is None and abs(step) == 1:
            start = 0 if step > 0 else self._extent(axis) - 1
            return self._tensor(start), extent  # the whole dim, forwards or backwards
        if not any(_is_run_time(b) for b in (part.start, part.stop)) and _is_known_int(extent):
            start, stop, step = part.as_slice().indices(extent)
            return torch.scalar_tensor(start, dtype=torch.int64), len(range(start, stop, step))
        n = self._extent(axis)
        low, high = (0, n) if step > 0 else (-1, n - 1)
        start = high if (step < 0 and part.start is None) else low if part.start is None else self._bound(
            part.start, n, low, high)
        stop = (low if step < 0 else high) if part.stop is None else self._bound(part.stop, n, low, high)
        distance = stop - start if step > 0 else start - stop
        size = torch.clamp_min(torch.div(distance + (abs(step) - 1), abs(step), rounding_mode="floor"), 0)
        return self._tensor(start), size

    def _extent(self, axis: int):
        """The size of ``axis``: a Python int, or a 0-d tensor read at run time."""
        extent = self.x.shape[axis]
        return extent if _is_known_int(extent) else intrinsics.dim(self.x, axis)

    @staticmethod
    def _tensor(value) -> torch.Tensor:
        return value if isinstance(value, torch.Tensor) else torch.scalar_tensor(value, dtype=torch.int64)

    def _bound(self, bound, n, low, high):
        """A slice bound counted from the end below 0, clamped into ``[low, high]`` (a tensor)."""
        if isinstance(bound, bool) or not (isinstance(bound, int) or _is_run_time(bound)):
            raise TypeError("slice indices must be integers or None or have an __index__ method")
        b = _as_index(bound)
        n = self._tensor(n)
        b = torch.where(b < 0, b + n, b)
        return torch.minimum(torch.maximum(b, self._tensor(low)), self._tensor(high))


# ----------------------------------------------------------------------------
# New arrays of a run-time shape: ``np.zeros(n)``, ``torch.ones(n, m)``, ``np.full((n, 3), v)``.

#: Factory name -> the fill value (None: the ``fill_value`` argument; ``empty`` has none).
def new_array(name: str, function, *args, **kwargs):
    """``function(*args, **kwargs)``, one of NumPy's or torch's :data:`FACTORIES` called as ``<module>.<name>``.

    A shape with a run-time size (a 0-d integer array: an int argument, a
    loop variable) becomes ``fxn.full`` (``fxn.empty`` for ``empty``); any
    other call is made as written.
    """
    numpy = function is getattr(np, name, None)
    if not numpy and function is not getattr(torch, name, None):
        return function(*args, **kwargs)
    shape = args[0] if args else kwargs.get("shape", kwargs.get("size"))
    if not numpy and name != "full" and len(args) > 1:
        shape = args  # torch.zeros(n, m)
    sizes = list(shape) if isinstance(shape, (tuple, list)) else [shape]
    if not any(_is_run_time(size) for size in sizes):
        return function(*args, **kwargs)
    dtype_position = 2 if name == "full" else 1
    dtype = kwargs.get("dtype", args[dtype_position] if numpy and len(args) > dtype_position else None)
    run_time = [_as_index(size) for size in sizes if not _is_known_int(size)]
    shape = [size if _is_known_int(size) else -1 for size in sizes]
    if name == "empty":
        default = torch.float64 if numpy else torch.get_default_dtype()
        result = intrinsics.empty(run_time, shape, default if dtype is None else _torch_dtype(dtype))
        return result.numpy() if numpy else result
    fill = FACTORIES[name]
    if fill is None:
        fill = args[1] if len(args) > 1 else kwargs["fill_value"]
    elif dtype is None:
        fill = float(fill)  # zeros, ones: floats by default
    value = _fill_value(fill, dtype, numpy)
    result = intrinsics.full(value, run_time, shape)
    return result.numpy() if numpy else result


def _fill_value(fill, dtype, numpy: bool) -> torch.Tensor:
    """The 0-d fill of the new array: of ``dtype``, else of the type the library gives ``fill``
    (a float: float64 in NumPy, the default float in torch; an int: int64; a bool: bool)."""
    if _is_array(fill):
        tensor, _ = _as_tensor(fill)
        return tensor if dtype is None else tensor.to(_torch_dtype(dtype))
    if dtype is not None:
        return torch.scalar_tensor(fill, dtype=_torch_dtype(dtype))
    if isinstance(fill, bool):
        return torch.scalar_tensor(fill, dtype=torch.bool)
    if isinstance(fill, int):
        return torch.scalar_tensor(fill, dtype=torch.int64)
    return torch.scalar_tensor(fill, dtype=torch.float64 if numpy else torch.get_default_dtype())


def _torch_dtype(dtype) -> torch.dtype:
    """A torch dtype, or a NumPy one (``np.int32``, ``"f8"``) as torch's."""
    return dtype if isinstance(dtype, torch.dtype) else to_torch(dtype_of_numpy(np.dtype(dtype)))
