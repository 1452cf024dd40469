"""Import an ATen FX graph as fxn ops at the current insertion point.

:func:`import_graph` maps the graph's placeholders to given fxn values,
converts every node the outputs depend on through the ATen table (dead
nodes are skipped), and returns the output structure with fxn values in
place of nodes (Python constants stay as they are). Each op carries the
position the capture recorded for its node; an op fxn cannot express raises
:class:`~fxn.frontend.errors.UnsupportedOperation` naming that position and
the Python operation.
"""

from __future__ import annotations

import operator
from typing import Callable

from fxn.lazy import numpy as np

from fxn.dialects.types import VerifyError
from fxn.mlir import ir

from . import emit
from .aten import Converter, DynamicSize, load_table
from .dtypes import from_torch
from .errors import Unsupported, UnsupportedOperation
from .source import Position, describe

#: Locates a node: its user-source position, or None.
Locate = Callable[[object], "Position | None"]


class _MultiOutput:
    """A node with several results, converted result by result at its ``getitem`` users."""

    def __init__(self, converter: Converter, node):
        self.converter = converter
        self.node = node


def import_graph(graph_module, inputs: list, locate: Locate, fallback: Position):
    """Build the fxn ops of ``graph_module`` on ``inputs`` (one per placeholder); return its outputs."""
    return _Importer(graph_module, locate, fallback).run(inputs)


class _Importer:
    def __init__(self, graph_module, locate: Locate, fallback: Position):
        self.module = graph_module
        self.locate = locate
        self.fallback = fallback
        self.table = load_table()
        self.env: dict = {}

    def run(self, inputs: list):
        graph = self.module.graph
        placeholders = [n for n in graph.nodes if n.op == "placeholder"]
        if len(placeholders) != len(inputs):
            raise ValueError(f"the graph takes {len(placeholders)} inputs; {len(inputs)} given")
        self.env.update(zip(placeholders, inputs))
        output = next(n for n in graph.nodes if n.op == "output")
        live = _live_nodes(output)
        for node in graph.nodes:
            if node in live and node.op in ("call_function", "get_attr"):
                self.env[node] = self.convert(node)
        return self.map_argument(output.args[0])

    def position(self, node) -> Position:
        return self.locate(node) or self.fallback

    def convert(self, node):
        position = self.position(node)
        try:
            with position.location():
                return self.convert_node(node)
        except (Unsupported, VerifyError) as error:
            raise self.unsupported(node, position, str(error)) from None

    def unsupported(self, node, position: Position, reason: str) -> UnsupportedOperation:
        # A node the user's code did not make (its result's packing, say) is reported at the function.
        operation = describe(position, _op_name(node)) if self.locate(node) else "this function"
        return UnsupportedOperation(
            f"fxn cannot compile {operation}: {reason}", position.filename, position.line, position.column + 1
        )

    def convert_node(self, node):
        if node.op == "get_attr":
            return constant_tensor(_attribute(self.module, node.target))
        if _is_symbolic(node):
            return self.dynamic_size(node)
        if node.target is operator.getitem:
            return self.getitem(node)
        name = _op_name(node)
        converter = self.table.get(name)
        if converter is None:
            raise Unsupported(f"{name} has no fxn op")
        if converter.outputs:
            return _MultiOutput(converter, node)
        return converter.convert(*self.map_argument(node.args), **self.map_argument(node.kwargs))

    def dynamic_size(self, node) -> DynamicSize:
        """A size node as a DynamicSize, naming the dim it reads where it is ``aten.sym_size.int``."""
        read = _sym_size_of(node)
        if read is not None and read[0] in self.env and isinstance(read[1], int):
            return DynamicSize(self.env[read[0]], read[1])
        return DynamicSize()

    def getitem(self, node):
        source, index = node.args
        value = self.env[source]
        if isinstance(value, _MultiOutput):
            args, kwargs = self.map_argument(value.node.args), self.map_argument(value.node.kwargs)
            return value.converter.convert(index, *args, **kwargs)
        return value[index]

    def map_argument(self, argument):
        """``argument`` with every node replaced by its fxn value (tuples, lists and dicts mapped)."""
        if hasattr(argument, "op") and hasattr(argument, "target"):
            return self.env[argument]
        if isinstance(argument, (list, tuple)):
            return type(argument)(self.map_argument(a) for a in argument)
        if isinstance(argument, dict):
            return {key: self.map_argument(value) for key, value in argument.items()}
        return argument


def _live_nodes(output) -> set:
    """The nodes ``output`` depends on."""
    live, pending = set(), list(output.all_input_nodes)
    while pending:
        node = pending.pop()
        if node not in live:
            live.add(node)
            pending.extend(node.all_input_nodes)
    return live


def _op_name(node) -> str:
    target = node.target
    if isinstance(target, str):
        return target
    return str(target) if hasattr(target, "_schema") else getattr(target, "__name__", str(target))


def _sym_size_of(node):
    """``(tensor node, axis)`` if ``node`` is ``aten.sym_size.int(tensor, axis)``, else None."""
    if node.op == "call_function" and str(node.target) == "aten.sym_size.int":
        return node.args[0], node.args[1]
    return None


def _is_symbolic(node) -> bool:
    """A node computing a size (``SymInt``) rather than a tensor."""
    value = node.meta.get("val")
    return value is not None and type(value).__name__ in ("SymInt", "SymFloat", "SymBool")


def _attribute(module, target: str):
    value = module
    for part in target.split("."):
        value = getattr(value, part)
    return value


def constant_tensor(tensor) -> ir.Value:
    """A tensor the graph holds (a constant of the function) as ``fxn.constant``."""
    from_torch(tensor.dtype)
    return emit.constant(np.array(tensor.detach().cpu().numpy()))
