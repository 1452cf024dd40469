"""A captured function: an ATen graph plus how its inputs and outputs relate to the Python function.

Both captures (:mod:`.fx_capture`, :mod:`.dynamo_capture`) produce a
:class:`Captured`; :func:`emit_captured` builds its fxn ops on given
argument values. :func:`capture` picks the path: NumPy code (it uses NumPy
or annotates a parameter ``np.ndarray``) goes to TorchDynamo, so NumPy's own
promotion rules hold, which ``make_fx`` on torch tensors would not apply;
other code goes to ``make_fx``, and to TorchDynamo only if ``make_fx`` cannot
trace it (a data-dependent branch, for example: Dynamo then names the line).
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import logging
import types
from typing import Callable

from fxn.dialects import TensorType
from fxn.values import FrozenValue

from .graph_import import import_graph
from .promotion import using_default_float
from .source import Position
from .types import scalar_dtype


class GraphOutput(FrozenValue):
    """A returned value: output ``index`` of the graph. (This module's records are not dataclasses: every
    compile imports it, see :mod:`fxn.values`.)"""

    _fields = ("index",)

    def __init__(self, index: int):
        self._freeze(index=index)


class Argument(FrozenValue):
    """A graph input that is argument ``index`` of the function."""

    _fields = ("index",)

    def __init__(self, index: int):
        self._freeze(index=index)


class ArgumentSize(FrozenValue):
    """A graph input that is the size of dim ``axis`` of argument ``index`` (a dynamic dim)."""

    _fields = ("index", "axis")

    def __init__(self, index: int, axis: int):
        self._freeze(index=index, axis=axis)


class Captured:
    """An ATen graph of a function and the glue to the function's arguments and result.

    ``inputs``: per placeholder, an :class:`Argument`, an :class:`ArgumentSize`,
    a ``DynamicSize`` or a constant tensor; ``result``: the function's result,
    :class:`GraphOutput` markers where graph outputs go; ``locate``: the
    user-source position of a graph node, or None; ``path``: "fx" or
    "dynamo"; ``default_float``: the default float type the graph was traced
    with (NumPy code: f64).
    """

    def __init__(self, graph_module, inputs: list, result, locate: Callable, path: str, default_float: str = "f32"):
        self.graph_module, self.inputs, self.result, self.locate = graph_module, inputs, result, locate
        self.path, self.default_float = path, default_float


def uses_numpy(fn) -> bool:
    """Whether ``fn``'s code (nested functions included) reads the NumPy module or a NumPy function."""
    return _uses(fn, _is_numpy)


def _uses(fn, is_library) -> bool:
    """Whether ``fn``'s code (nested functions included) reads a name whose value ``is_library``."""
    names: set[str] = set()
    _collect_names(fn.__code__, names)
    scope = dict(fn.__globals__)
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        try:
            scope[name] = cell.cell_contents
        except ValueError:  # an empty cell
            pass
    return any(is_library(scope.get(name)) for name in names)


def _collect_names(code, names: set) -> None:
    names.update(code.co_names)
    names.update(code.co_freevars)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            _collect_names(constant, names)


def _is_numpy(value) -> bool:
    """NumPy itself, one of its functions or types, or a NumPy array or scalar."""
    if isinstance(value, types.ModuleType):
        module = value.__name__
    elif callable(value):  # functions, ufuncs and types
        module = getattr(value, "__module__", None)
    else:
        module = type(value).__module__
    return isinstance(module, str) and (module == "numpy" or module.startswith("numpy."))


def capture(fn, arg_types: list[TensorType], torch_args: list[bool], user_codes: frozenset, numpy: bool,
            statics: dict | None = None) -> Captured:
    """Capture ``fn`` called with arguments of ``arg_types`` (and the Python values ``statics`` by keyword).

    With ``numpy`` (see :func:`numpy_semantics`) TorchDynamo captures it
    with NumPy's rules; arguments are then arrays, or torch tensors where
    ``torch_args``. Otherwise ``make_fx`` does, with TorchDynamo (on tensors)
    where it cannot trace.
    """
    from .python_math import tensor_aware_math

    with _quiet_torch_logs(), tensor_aware_math():
        return _capture(fn, arg_types, torch_args, user_codes, numpy, dict(statics or {}))


def _capture(fn, arg_types, torch_args, user_codes, numpy, statics) -> Captured:
    from . import dynamo_capture, fx_capture

    if numpy:
        return dynamo_capture.capture(fn, arg_types, torch_args, default_float="f64", statics=statics)
    # torch's default float: f32, or f64 where Python's float is (fxn.compile(dtype=fxn.f64)).
    default_float = "f64" if scalar_dtype(float) == "f64" else "f32"
    try:
        return fx_capture.capture(fn, arg_types, user_codes, statics, default_float)
    except fx_capture.CannotTrace:
        return dynamo_capture.capture(fn, arg_types, [True] * len(arg_types), default_float=default_float,
                                      statics=statics)


def call_arguments(fn, runtime, statics: dict) -> list:
    """The positional arguments of a call of ``fn``: ``runtime`` values in order, ``statics`` in their places."""
    if not statics:
        return list(runtime)
    values = iter(runtime)
    return [statics[name] if name in statics else next(values) for name in inspect.signature(fn).parameters]


@contextlib.contextmanager
def _quiet_torch_logs():
    """Silence the tracebacks torch logs for errors it then raises: fxn reports them in one line."""
    loggers = [logging.getLogger(name) for name in ("torch._subclasses.fake_tensor", "torch._guards")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


#: Array methods NumPy's arrays have and torch's tensors do not.
NUMPY_ONLY_METHODS = frozenset({"copy", "astype", "fill"})


def numpy_semantics(fn) -> bool:
    """Whether ``fn`` is NumPy code: it uses NumPy, annotates a parameter ``np.ndarray``, or calls a method only
    NumPy's arrays have (``x.copy()``, ``x.astype(...)``, :data:`NUMPY_ONLY_METHODS`) and does not use torch.

    NumPy code is captured with NumPy's dtype rules (``int32 / 2`` is f64);
    other code with torch's (``int32 / 2`` is the default float, f32).
    """
    fn = getattr(fn, "__fxn_calls__", fn)  # a function of flattened arguments: the user's function it calls
    if uses_numpy(fn) or any(_is_numpy(hint) for hint in _annotations(fn).values()):
        return True
    return _calls_numpy_only_methods(fn) and not _uses(fn, _is_torch) and not torch_parameters(fn)


def _calls_numpy_only_methods(fn) -> bool:
    from .source import function_node

    function = function_node(fn)
    return function is not None and any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in NUMPY_ONLY_METHODS
        for node in ast.walk(function))


def _is_torch(value) -> bool:
    """torch itself, or one of its functions or types."""
    module = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
    return isinstance(module, str) and (module == "torch" or module.startswith("torch."))


def torch_parameters(fn) -> set[str]:
    """The parameters annotated ``torch.Tensor``: TorchDynamo gets them as tensors, not as arrays."""
    return {name for name, hint in _annotations(fn).items() if getattr(hint, "__module__", "") == "torch"}


def _annotations(fn) -> dict:
    try:
        return inspect.get_annotations(fn, eval_str=True)
    except Exception:  # an annotation that does not evaluate: no type information
        return {}


def emit_captured(captured: Captured, arguments: list, fallback: Position):
    """Build the fxn ops of ``captured`` on ``arguments``; return the function's result with fxn values."""
    from .aten import DynamicSize
    from .graph_import import constant_tensor

    inputs = []
    for source in captured.inputs:
        if isinstance(source, Argument):
            inputs.append(arguments[source.index])
        elif isinstance(source, ArgumentSize):
            inputs.append(DynamicSize(arguments[source.index], source.axis))
        elif hasattr(source, "dtype"):
            with fallback.location():
                inputs.append(constant_tensor(source))
        else:
            inputs.append(source)
    with using_default_float(captured.default_float):
        outputs = import_graph(captured.graph_module, inputs, captured.locate, fallback)
        with fallback.location():
            outputs = [_number_output(output) for output in outputs]
    return _replace_outputs(captured.result, outputs)


def _number_output(output):
    """A graph's output as an fxn value: the size of a dynamic dim it returns (``x.shape[0]``) as ``fxn.dim``."""
    from .aten import DynamicSize
    from .emit import operand

    return operand(output, "i64") if isinstance(output, DynamicSize) else output


def _replace_outputs(result, outputs: list):
    from fxn.structure import is_container, map_leaves

    if isinstance(result, GraphOutput):
        return outputs[result.index]
    if is_container(result):
        return map_leaves(lambda r: _replace_outputs(r, outputs), result,
                          lambda r: isinstance(r, GraphOutput) or not is_container(r))
    return result


def run_time_number(number):
    """A number a capture gives as a symbol (a dynamic dim's size, ``x.sum().item()``) as a 0-d tensor: int64, the
    default float or bool."""
    import torch

    dtype = torch.int64 if isinstance(number, torch.SymInt) else torch.bool if isinstance(number, torch.SymBool) \
        else torch.get_default_dtype()
    # (An op of the graph: TorchDynamo would build torch.scalar_tensor(number) after the graph, from its output.)
    return torch.zeros((), dtype=dtype) + number
