"""``--verify-diagnostics``: match emitted diagnostics against annotations in the source.

An annotation is a comment ``// expected-<severity>[-re] [@<where>] {{<text>}}``
with severity ``error``, ``warning``, ``note`` or ``remark`` and ``where`` one
of ``+N`` / ``-N`` (lines below / above), ``above``, ``below`` or ``unknown``
(no location); without ``@`` it is the annotation's own line. ``text`` must
occur in the message; with ``-re``, ``{{...}}`` groups of the text are
regular expressions. Every diagnostic must be expected and every expectation
met, as with mlir-opt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fxn.diagnostics import Diagnostic

_ANNOTATION = re.compile(
    r"expected-(error|warning|note|remark)(-re)?\s*(?:@(\+\d+|-\d+|above|below|unknown))?\s*\{\{(.*)\}\}\s*$"
)


@dataclass
class Expectation:
    severity: str
    pattern: re.Pattern
    text: str
    line: int  # 0 for @unknown
    annotation_line: int
    annotation_column: int
    met: bool = False

    def matches(self, diagnostic: Diagnostic) -> bool:
        return (
            not self.met
            and diagnostic.severity == self.severity
            and diagnostic.line == self.line
            and self.pattern.search(diagnostic.message) is not None
        )


def _pattern(text: str, is_regex: bool) -> re.Pattern:
    if not is_regex:
        return re.compile(re.escape(text))
    # Literal text with {{regex}} groups, as in FileCheck.
    parts = re.split(r"\{\{(.*?)\}\}", text)
    return re.compile("".join(p if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def _code_line(lines: list[str], index: int, step: int) -> int:
    """The next line from ``index`` in direction ``step`` that is not only an annotation comment."""
    index += step
    while 0 <= index < len(lines) and _ANNOTATION.search(lines[index]) and lines[index].lstrip().startswith("//"):
        index += step
    return index + 1


def parse_expectations(text: str) -> list[Expectation]:
    """The annotations of ``text``; line numbers are those of the whole file."""
    lines = text.split("\n")
    expectations = []
    for index, line in enumerate(lines):
        match = _ANNOTATION.search(line)
        if not match:
            continue
        severity, is_regex, where, body = match.groups()
        if where is None:
            target = index + 1
        elif where == "unknown":
            target = 0
        elif where == "above":
            target = _code_line(lines, index, -1)
        elif where == "below":
            target = _code_line(lines, index, +1)
        else:
            target = index + 1 + int(where)
        expectations.append(
            Expectation(severity, _pattern(body, bool(is_regex)), body, target, index + 1, match.start() + 1)
        )
    return expectations


def verify(diagnostics: list[Diagnostic], expectations: list[Expectation], filename: str) -> list[Diagnostic]:
    """The mismatches between what was emitted and what was expected, as errors to print."""
    problems = []
    # As mlir-opt under --verify-diagnostics, which prints no op on a diagnostic.
    flat = [d for top in diagnostics for d in [top, *top.notes] if not d.is_operation_note]
    for diagnostic in flat:
        for expectation in expectations:
            if expectation.matches(diagnostic):
                expectation.met = True
                break
        else:
            problems.append(
                Diagnostic(
                    "error",
                    f"unexpected {diagnostic.severity}: {diagnostic.message}",
                    diagnostic.filename or filename if diagnostic.line else None,
                    diagnostic.line,
                    diagnostic.column,
                )
            )
    for expectation in expectations:
        if not expectation.met:
            problems.append(
                Diagnostic(
                    "error",
                    f'expected {expectation.severity} "{expectation.text}" was not produced',
                    filename,
                    expectation.annotation_line,
                    expectation.annotation_column,
                )
            )
    return problems
