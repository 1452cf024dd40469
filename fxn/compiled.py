"""``@fxn.compile``: a Python function becomes native code, one concrete function per input signature.

A call converts its arguments to arrays, looks up (or traces, lowers and
JIT-compiles, once) the concrete function for their types, runs it, and
returns numpy arrays, or Python scalars where the annotation says ``float``
/ ``int`` / ``bool``. Python side effects in the function body happen when
it is traced, not on every call (as with ``tf.function``).
"""

from __future__ import annotations

import functools

import numpy as np

from fxn.dialects import TensorType, new_context


class ConcreteFunction:
    """The compiled code of one input signature."""

    def __init__(self, traced, executable, result_is_scalar: list[bool]):
        self.traced = traced
        self.executable = executable
        self.result_is_scalar = result_is_scalar

    def __call__(self, arrays):
        outputs = self.executable(*arrays)
        values = [o.item() if scalar else o for o, scalar in zip(outputs, self.result_is_scalar)]
        return tuple(values) if self.traced.returns_tuple else values[0]


class CompiledFunction:
    """What ``@fxn.compile`` returns: callable like the original, compiled per signature."""

    def __init__(self, fn, tag=None, description=None, targets=None):
        from fxn.frontend.types import parameters

        functools.update_wrapper(self, fn)
        self.fn = fn
        self.tag = tag
        self.description = description
        self.targets = targets
        self.parameters = parameters(fn)
        self._concrete: dict[tuple, ConcreteFunction] = {}

    def __call__(self, *args, **kwargs):
        from fxn.frontend.types import argument_type, as_array

        if kwargs or len(args) != len(self.parameters):
            bound = self._bind(args, kwargs)
            args = tuple(bound[p.name] for p in self.parameters)
        types = tuple(argument_type(p, a) for p, a in zip(self.parameters, args))
        concrete = self._concrete.get(types) or self._compile(types)
        arrays = [np.asarray(as_array(a), dtype=t.numpy_dtype) for a, t in zip(args, types)]
        return concrete(arrays)

    def _bind(self, args, kwargs) -> dict:
        import inspect

        try:
            return inspect.signature(self.fn).bind(*args, **kwargs).arguments
        except TypeError as error:
            raise TypeError(f"{self.fn.__qualname__}(): {error}") from None

    def concrete_function(self, types: tuple[TensorType, ...]) -> ConcreteFunction:
        return self._concrete.get(types) or self._compile(types)

    def _compile(self, types: tuple[TensorType, ...]) -> ConcreteFunction:
        from fxn.backends import host_backend
        from fxn.compiler import jit, lower_to_llvm
        from fxn.frontend import trace
        from fxn.runtime import Executable

        backend, _ = host_backend()
        traced = trace(self.fn, self.parameters, list(types), new_context())
        lower_to_llvm(traced.module, backend.name)
        executable = Executable(jit(traced.module), traced.entry, list(types), traced.result_types)
        scalar_results = all(p.is_scalar for p in self.parameters)
        concrete = ConcreteFunction(traced, executable, [scalar_results and t.rank == 0 for t in traced.result_types])
        self._concrete[types] = concrete
        return concrete


def compile(fn=None, *, tag: str | None = None, description: str | None = None, targets=None):
    """Decorator: ``@fxn.compile`` or ``@fxn.compile(tag="@acme/fma", description=...)``."""
    if fn is not None:
        return CompiledFunction(fn)
    return lambda function: CompiledFunction(function, tag=tag, description=description, targets=targets)
