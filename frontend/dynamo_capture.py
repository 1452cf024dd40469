"""Capture code that ``make_fx`` cannot trace (NumPy calls, data-dependent Python) with TorchDynamo.

TorchDynamo (PEP 523) reads the function's bytecode: NumPy calls on arrays
become torch ops with NumPy's semantics (dtypes and promotion included, an
f32 array stays f32), and Python that is not traceable is reported with its
line instead of being run. ``torch.compile(..., fullgraph=True)`` hands the
graph to fxn's backend, which runs AOTAutograd with :func:`.aten.decompositions`
so the graph reaching the ATen table is the same core-op graph as from
``make_fx``. Arguments enter as torch tensors and are viewed as arrays
unless annotated ``torch.Tensor``; a named (dynamic) dim is marked dynamic.

The function's result is flattened inside the traced code, with every array
copied, so each returned array is a fresh output of the graph (AOTAutograd
would otherwise rebuild outputs that alias an input outside the graph); the
copies are free in fxn, whose values are immutable.
"""

from __future__ import annotations

import re
import types

import numpy as np
import torch
from torch._dynamo.backends.common import aot_autograd
from torch._subclasses.fake_tensor import unset_fake_temporarily

from fxn.dialects import TensorType
from fxn.dialects.types import numpy_dtypes

from . import sandbox
from .attribution import namespace_of, references
from .aten import DynamicSize, decompositions
from .capture import Argument, ArgumentSize, Captured, GraphOutput, call_arguments
from .dtypes import to_torch
from .errors import SPECIALIZED_SIZE, DataDependentControlFlow, UnsupportedOperation, in_users_words
from .fx_capture import DYNAMIC_EXAMPLE_SIZE
from .source import Position, definition_position, describe_line, stack_trace_position

_ARGUMENT_SOURCE = re.compile(r"L\['tensors'\]\[(\d+)\]")
_ARGUMENT_SIZE_SOURCE = re.compile(r"L\['tensors'\]\[(\d+)\]\.size\(\)\[(\d+)\]")


def capture(fn, arg_types: list[TensorType], torch_args: list[bool], default_float: str,
            statics: dict | None = None) -> Captured:
    """Capture ``fn`` with TorchDynamo; UnsupportedOperation naming the line if Dynamo cannot.

    ``default_float`` is torch's default dtype while tracing: "f64" for NumPy
    code, so that NumPy's float64 default holds where ``torch._numpy`` leaves
    it to torch (``int32_array / 2`` is f64).
    """
    numpy_dtypes()  # filled now: TorchDynamo could not trace its filling, only the reading, in the code it traces
    backend = _Backend()
    compiled = torch.compile(_entry(fn, torch_args, dict(statics or {})), backend=backend, fullgraph=True)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(to_torch(default_float))
    try:
        # A dim is dynamic only as declared: never because an earlier trace of the same code saw another size.
        with torch._dynamo.config.patch(automatic_dynamic_shapes=False):
            leaves, structure = compiled(*_examples(arg_types))
    except Exception as error:
        sandbox.reraise_refusal()
        raise _unsupported(error, fn) from None
    finally:
        torch.set_default_dtype(previous)
    user_files = frozenset({fn.__code__.co_filename})
    _refuse_random_ops(backend, user_files, fn)
    outputs = backend.output_indices(leaves)
    return Captured(
        backend.graph_module(),
        backend.inputs,
        _rebuild(structure, iter(outputs), backend.number_outputs()),
        lambda node: stack_trace_position(node.meta.get("stack_trace"), user_files),
        "dynamo",
        default_float,
    )


def _entry(fn, torch_args: list[bool], statics: dict):
    """The function Dynamo traces: tensors in, ``fn`` on arrays (and ``statics``), a flat tuple and a structure out."""

    def call_with_arrays(*tensors):
        arguments = [t if keep else t.numpy() for t, keep in zip(tensors, torch_args)]
        return _flatten(fn(*call_arguments(fn, arguments, statics)))

    # A fresh code object gives Dynamo a fresh cache: no stale guards, no recompilation limit.
    return types.FunctionType(
        call_with_arrays.__code__.replace(), call_with_arrays.__globals__, closure=call_with_arrays.__closure__
    )


def _flatten(value):
    """(copies of the arrays and tensors in ``value``, its structure with "array" where each was)."""
    if isinstance(value, dict):
        leaves, parts = _flatten(list(value.values()))
        return leaves, ("dict", (tuple(value), parts))
    if isinstance(value, (tuple, list)):
        leaves, parts = [], []
        for item in value:
            item_leaves, part = _flatten(item)
            leaves.extend(item_leaves)
            parts.append(part)
        return leaves, (type(value).__name__, tuple(parts))
    if isinstance(value, np.ndarray):
        return [np.copy(value)], "array"
    if isinstance(value, torch.Tensor):
        return [value.clone()], "array"
    return [], ("constant", value)


def _rebuild(structure, outputs, numbers: dict):
    if structure == "array":
        return GraphOutput(next(outputs))
    kind, content = structure
    if kind == "constant":
        return GraphOutput(numbers[id(content)]) if id(content) in numbers else content
    if kind == "dict":
        keys, values = content
        return dict(zip(keys, _rebuild(values, outputs, numbers)))
    parts = [_rebuild(part, outputs, numbers) for part in content]
    return tuple(parts) if kind == "tuple" else parts


def _examples(arg_types: list[TensorType]) -> list:
    examples = []
    for tensor_type in arg_types:
        shape = [DYNAMIC_EXAMPLE_SIZE if d is None else d for d in tensor_type.shape]
        example = torch.zeros(shape, dtype=to_torch(tensor_type.dtype))
        for axis, size in enumerate(tensor_type.shape):
            if size is None:
                torch._dynamo.mark_dynamic(example, axis)
        examples.append(example)
    return examples


class _Backend:
    """fxn's torch.compile backend: records Dynamo's inputs and AOTAutograd's ATen graph."""

    def __init__(self):
        self.inputs: list = []
        self.forward = None
        self.results: list = []
        self.aot = aot_autograd(fw_compiler=self.compile_forward, decompositions=decompositions())

    def __call__(self, graph_module, example_inputs):
        sandbox.check_interpreted(torch._dynamo.utils.get_traced_code() or ())
        self.inputs = []  # Dynamo may compile again (an in-place update of an argument restarts it): the last wins
        placeholders = [n for n in graph_module.graph.nodes if n.op == "placeholder"]
        for node, example in zip(placeholders, example_inputs):
            source = node.meta["grapharg"].source.name
            match = _ARGUMENT_SOURCE.fullmatch(source)
            size = _ARGUMENT_SIZE_SOURCE.fullmatch(source)
            if match:
                self.inputs.append(Argument(int(match[1])))
            elif isinstance(example, torch.Tensor):
                self.inputs.append(example)  # a global or closure array: a constant of the function
            elif size:
                self.inputs.append(ArgumentSize(int(size[1]), int(size[2])))
            else:
                self.inputs.append(DynamicSize())
        return self.aot(graph_module, example_inputs)

    def compile_forward(self, graph_module, example_inputs):
        self.forward = graph_module
        output = next(n for n in graph_module.graph.nodes if n.op == "output")
        with unset_fake_temporarily():
            # One distinct buffer per output: returned arrays are matched to outputs by address.
            self.results = [_buffer_like(node.meta["val"]) if isinstance(node.meta["val"], torch.Tensor)
                            else _NumberOutput() for node in output.args[0]]
        return lambda *args: list(self.results)

    def graph_module(self):
        if self.forward is None:  # nothing was computed: no graph
            graph = torch.fx.Graph()
            graph.output(())
            return torch.fx.GraphModule(torch.nn.Module(), graph)
        if len(self.inputs) != sum(n.op == "placeholder" for n in self.forward.graph.nodes):
            raise UnsupportedOperation("fxn cannot compile this function: AOTAutograd changed its inputs")
        return self.forward

    def output_indices(self, leaves) -> list[int]:
        addresses = {_address(r): i for i, r in enumerate(self.results) if isinstance(r, torch.Tensor)}
        return [addresses[_address(leaf)] for leaf in leaves]

    def number_outputs(self) -> dict:
        """Per stand-in of an output that is a number known only at run time (a dynamic dim's size that the
        function returns, which TorchDynamo makes an output of its graph), the output's index."""
        return {id(r): i for i, r in enumerate(self.results) if isinstance(r, _NumberOutput)}


class _NumberOutput:
    """What the graph gives while tracing for an output that is a number known only at run time."""


def _buffer_like(value) -> torch.Tensor:
    """A stand-in result of ``value``'s shape and dtype, at an address of its own.

    Only its address is read (outputs are matched by it), so it holds one
    element broadcast to the shape: tracing never allocates a result's
    size (an outer product of two 2**21-vectors needs 16 TiB).
    """
    # A size computed at run time (a slice of run-time bounds) has no hint: any size does.
    shape = [(1 if d.node.hint is None else int(d.node.hint)) if isinstance(d, torch.SymInt) else d
             for d in value.shape]
    return torch.empty([1] * len(shape), dtype=value.dtype).expand(shape)


def _address(array) -> int:
    if isinstance(array, torch.Tensor):
        return array.data_ptr()
    return np.asarray(array).__array_interface__["data"][0]


NUMPY_RANDOM = ("NumPy's random numbers (np.random.rand, np.random.default_rng(0) ...) are not supported in code "
                "using NumPy, which fxn traces with TorchDynamo, even with allow_trace_effects: draw them before "
                "calling the predictor and pass them as an argument")


def _refuse_random_ops(backend, user_files, fn) -> None:
    """Refuse a random op in the graph: TorchDynamo makes ``np.random.rand`` one (drawn at run time); fxn has none.
    (``fxn.empty`` carries the tag only so that tracing never folds it into a constant.)"""
    if backend.forward is None:
        return
    for node in backend.forward.graph.nodes:
        tags = getattr(node.target, "tags", ()) if node.op == "call_function" else ()
        if torch.Tag.nondeterministic_seeded in tags and node.target is not torch.ops.fxn.empty.default:
            position = stack_trace_position(node.meta.get("stack_trace"), user_files) or definition_position(fn)
            raise UnsupportedOperation(f"fxn cannot compile {describe_line(position)}: {NUMPY_RANDOM}",
                                       position.filename, position.line, position.column + 1)


def _numpy_random(value):
    """Whether ``value`` is of ``np.random`` (a function, a generator or its method), as :func:`.attribution.references` wants."""
    owner = getattr(value, "__self__", None)
    modules = (getattr(value, "__module__", None), type(value).__module__, type(owner).__module__)
    return True if any(isinstance(m, str) and m.startswith("numpy.random") for m in modules) else None


def _unsupported(error: Exception, fn) -> UnsupportedOperation:
    """Dynamo's error as a one-line message at the user's line."""
    position = _user_position(error, fn)
    refusal = sandbox.refusal_at(position)  # an effect Dynamo cannot trace: fxn's reason, not Dynamo's
    if refusal is not None:
        return refusal
    namespace = None if position is None else namespace_of(position.filename, fn)
    if namespace is not None and references(position.filename, range(position.line, position.line + 1), namespace,
                                            _numpy_random):
        return UnsupportedOperation(f"fxn cannot compile {describe_line(position)}: {NUMPY_RANDOM}",
                                    position.filename, position.line, position.column + 1)
    reason = in_users_words(_reason(error))
    if position is None:
        position = definition_position(fn)
        return UnsupportedOperation(
            f"fxn cannot compile {fn.__qualname__}: {reason}", position.filename, position.line, position.column + 1
        )
    kind = DataDependentControlFlow if reason.startswith("Data-dependent branching") else UnsupportedOperation
    return kind(
        f"fxn cannot compile {describe_line(position)}: {reason}", position.filename, position.line, position.column + 1
    )


def _user_position(error: Exception, fn) -> Position | None:
    filename = fn.__code__.co_filename
    frames = list(getattr(error, "real_stack", None) or [])
    traceback = error.__traceback__
    while traceback is not None:
        frames.append(_FrameLike(traceback.tb_frame.f_code.co_filename, traceback.tb_lineno))
        traceback = traceback.tb_next
    frame = next((f for f in frames if f.filename == filename), None)
    if frame is None:
        return None
    return Position(filename, frame.lineno, getattr(frame, "colno", None) or 0)


class _FrameLike:
    def __init__(self, filename: str, lineno: int):
        self.filename = filename
        self.lineno = lineno


def _reason(error: Exception) -> str:
    """Dynamo's summary of an unsupported construct, or the root cause of another error (first line)."""
    exc = torch._dynamo.exc
    if "Constraints violated" in str(error):  # a dim marked dynamic had to take the traced size
        return SPECIALIZED_SIZE
    if isinstance(error, exc.TorchRuntimeError) or not isinstance(error, exc.Unsupported):
        while (error.__cause__ or error.__context__) is not None:
            error = error.__cause__ or error.__context__
        return _first_line(error)
    raised = re.search(r"raised exception (\w+)\((['\"])(.*?)\2\)", str(error))
    if raised:  # the traced code raised it (fxn's indexing refusals among them): its words, not Dynamo's
        return f"{raised[1]}: {raised[3]}"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    explanations = [line.removeprefix("Explanation:").strip() for line in lines if line.startswith("Explanation:")]
    explanation = explanations[0] if explanations else ""
    # Dynamo's explanation names the construct; its first sentence is enough.
    explanation = re.split(r"(?<!e\.g)\.\s", explanation)[0].rstrip(".")
    return f"{lines[0]}: {explanation}" if explanation else lines[0]


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
