"""Textual pass pipelines that mix fxn's Python passes with upstream MLIR passes.

MLIR's own pipeline parser cannot name Python passes, so fxn parses the
mlir-opt syntax itself::

    builtin.module(canonicalize,func.func(fxn-canonicalize),fxn-constant-fold{max-elements=1024},cse)

Upstream passes go to the ``PassManager`` as text (consecutive ones under the
same anchors as one nested pipeline). A Python pass is added to the top-level
pass manager and runs on every op that the anchors nested around it select
(direct children, as MLIR nesting does), so nesting means the same for both.
"""

from __future__ import annotations

import re

import sys
from dataclasses import dataclass, field

from fxn.mlir import PassManager, ir
from fxn.native_stderr import capture_native_stderr
from fxn.passes import FxnPass, FxnPipeline, PassFailure, PassOptionError, get_pass


class PipelineError(ValueError):
    """A pipeline that does not parse or names an unknown pass; ``column`` is 1-based."""

    def __init__(self, message: str, text: str, column: int):
        super().__init__(message)
        self.text = text
        self.column = column

    def format(self) -> str:
        """mlir-opt's rendering: location, message, the pipeline and a caret."""
        caret = " " * (self.column - 1) + "^"
        return f"<pass-pipeline>:1:{self.column}: error: {self}\n{self.text}\n{caret}"


@dataclass
class PassElement:
    name: str
    options: str | None
    column: int


@dataclass
class Anchor:
    """``op_name(...)``: the elements run on ops named ``op_name``."""

    op_name: str
    elements: list = field(default_factory=list)
    column: int = 1


def parse_pipeline(text: str) -> Anchor:
    """Parse ``anchor(element, ...)``; PipelineError names the column of the fault."""
    parser = _Parser(text)
    elements = parser.elements()
    if parser.pos != len(text):
        parser.fail("expected ',' or end of pipeline")
    if len(elements) != 1 or not isinstance(elements[0], Anchor):
        raise PipelineError(
            "a pipeline must be anchored on an operation, e.g. 'builtin.module(...)'", text, 1
        )
    return elements[0]


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, message: str, pos: int | None = None):
        raise PipelineError(message, self.text, (self.pos if pos is None else pos) + 1)

    def skip_spaces(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def elements(self) -> list:
        result = [self.element()]
        self.skip_spaces()
        while self.pos < len(self.text) and self.text[self.pos] == ",":
            self.pos += 1
            result.append(self.element())
            self.skip_spaces()
        return result

    def element(self):
        self.skip_spaces()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "-_."):
            self.pos += 1
        name = self.text[start : self.pos]
        if not name:
            self.fail("expected a pass or operation name")
        options = self.options() if self._peek("{") else None
        if self._peek("("):
            if options is not None:
                self.fail("an operation anchor takes no options", start)
            self.pos += 1
            elements = [] if self._peek(")") else self.elements()
            if not self._peek(")"):
                self.fail("expected ')' to close the pipeline of '" + name + "'")
            self.pos += 1
            return Anchor(name, elements, start + 1)
        return PassElement(name, options, start + 1)

    def options(self) -> str:
        open_pos, depth = self.pos, 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            depth += {"{": 1, "}": -1}.get(char, 0)
            self.pos += 1
            if depth == 0:
                return self.text[open_pos + 1 : self.pos - 1]
        self.fail("unbalanced '{' in pass options", open_pos)

    def _peek(self, char: str) -> bool:
        self.skip_spaces()
        return self.pos < len(self.text) and self.text[self.pos] == char


# ----------------------------------------------------------------------------
# Building a PassManager.


@dataclass
class IRPrinting:
    """What to print around passes: sets of pass arguments (``--mlir-print-ir-before=...``)."""

    before: frozenset = frozenset()
    after: frozenset = frozenset()


def _nest(path: list[str], text: str) -> str:
    for op_name in reversed(path):
        text = f"{op_name}({text})"
    return text


def _anchored_ops(root, path: list[str]):
    """The ops that anchors ``path`` select below ``root`` (direct children at each level)."""
    ops = [root]
    for op_name in path:
        ops = [
            child
            for op in ops
            for region in op.regions
            for block in region.blocks
            for child in block.operations
            if op_name == "any" or child.operation.name == op_name
        ]
    return ops


def _python_pass(fxn_pass: FxnPass, path: list[str]):
    def run(op, pass_handle):
        try:
            for anchor_op in _anchored_ops(op, path):
                fxn_pass.run_on(anchor_op.operation)
        except PassFailure as failure:
            (failure.location or op.location).emit_error(f"{fxn_pass.argument}: {failure}")
            pass_handle.signal_pass_failure()

    return run


def _ir_printer(label: str, argument: str):
    def run(op, pass_handle):
        sys.stderr.write(f"// -----// IR Dump {label} {argument} //----- //\n{op}\n")
        sys.stderr.flush()

    return run


class PipelineBuilder:
    """Turns a parsed pipeline into a ``PassManager``, validating each pass where it is named."""

    def __init__(self, text: str, printing: IRPrinting | None = None):
        self.text = text
        self.printing = printing or IRPrinting()
        self.fxn_passes: list[FxnPass] = []
        self._pending: list[tuple[list[str], str, PassElement]] = []

    def build(self, anchor: Anchor) -> PassManager:
        self.anchor = anchor.op_name
        pm = PassManager(anchor.op_name)
        self._add_elements(pm, anchor.elements, [])
        self._flush(pm)
        return pm

    def _add_elements(self, pm, elements, path):
        for element in elements:
            if isinstance(element, Anchor):
                self._add_elements(pm, element.elements, path + [element.op_name])
            else:
                self._add_pass(pm, element, path)

    def _add_pass(self, pm, element: PassElement, path):
        printed = element.name in self.printing.before or element.name in self.printing.after
        fxn_class = get_pass(element.name)
        if element.name in self.printing.before:
            self._flush(pm)
            pm.add(_ir_printer("Before", element.name), name="PrintIRBefore", argument="print-ir-before")
        if fxn_class is not None and issubclass(fxn_class, FxnPipeline):
            expansion = parse_pipeline(f"any({self._instantiate(fxn_class, element).elements()})")
            self._add_elements(pm, expansion.elements, path)
        elif fxn_class is not None:
            self._flush(pm)
            fxn_pass = self._instantiate(fxn_class, element)
            self.fxn_passes.append(fxn_pass)
            pm.add(_python_pass(fxn_pass, path), name=fxn_class.__name__, argument=element.name,
                   description=fxn_class.summary())
        else:
            text = element.name + ("" if element.options is None else "{" + element.options + "}")
            self._check_upstream(text, element)
            self._pending.append((path, text, element))
            if printed:
                self._flush(pm)
        if element.name in self.printing.after:
            pm.add(_ir_printer("After", element.name), name="PrintIRAfter", argument="print-ir-after")

    def _instantiate(self, fxn_class, element: PassElement) -> FxnPass:
        try:
            return fxn_class.from_options(element.options)
        except PassOptionError as error:
            raise PipelineError(str(error), self.text, element.column) from None

    def _check_upstream(self, text: str, element: PassElement):
        try:
            with capture_native_stderr() as native:
                PassManager("any").add(text)
        except ValueError as error:
            message = _upstream_message(native.text + "\n" + str(error), element.name)
            raise PipelineError(message, self.text, element.column) from None

    def _flush(self, pm):
        """Add the pending upstream passes, one nested pipeline per run of equal anchors."""
        groups: list[tuple[list[str], list[tuple[str, PassElement]]]] = []
        for path, text, element in self._pending:
            if groups and groups[-1][0] == path:
                groups[-1][1].append((text, element))
            else:
                groups.append((path, [(text, element)]))
        self._pending.clear()
        for path, passes in groups:
            try:
                pm.add(_nest(path, ",".join(text for text, _ in passes)))
            except ValueError as error:  # a pass restricted to other ops than those its place runs on
                message = str(error).strip().splitlines()[0]
                raise PipelineError(message, self.text, self._misplaced(path, passes).column) from None


    def _misplaced(self, path: list[str], passes: list) -> PassElement:
        """The first of ``passes`` that cannot be added at ``path`` (the first one if each can alone)."""
        for text, element in passes:
            try:
                PassManager(self.anchor).add(_nest(path, text))
            except ValueError:
                return element
        return passes[0][1]


def _upstream_message(raw: str, name: str) -> str:
    """The useful line of what MLIR and LLVM's option parser said about a bad pass."""
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    for line in lines:
        if "error:" in line:
            return line.split("error:", 1)[1].strip()
    for line in lines:
        if line.startswith("<Pass-Options-Parser>:") or line.startswith(": for the"):
            return f"invalid options for pass '{name}': " + line.split(":", 1)[1].strip()
    return f"invalid options for pass '{name}'"


def anchor_of(pass_text: str, context: ir.Context) -> str | None:
    """The op a pass is restricted to (``func.func`` for ``affine-parallelize``), None if it runs on any op.

    The bindings do not tell it; MLIR says it when the pass is added where it
    cannot run, as a pass restricted to another op than ``builtin.module``.
    """
    with context:
        try:
            with capture_native_stderr():
                PassManager("builtin.module").add(pass_text)
        except ValueError as error:
            restricted = re.search(r"restricted to '([\w.]+)'", str(error))
            return restricted[1] if restricted else None
    return None


def build_pipeline(text: str, context: ir.Context, printing: IRPrinting | None = None):
    """Parse and build ``text``; returns ``(pass_manager, fxn_passes)``. PipelineError on bad input."""
    with context:
        builder = PipelineBuilder(text, printing)
        return builder.build(parse_pipeline(text)), builder.fxn_passes
