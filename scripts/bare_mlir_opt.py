"""A bare mlir-opt over the MLIR Python bindings alone, as evidence for scripts/upstream-lit.

When an upstream RUN line fails with fxn-opt, upstream-lit runs it again
with this script as mlir-opt: parse, run the passes, print, through the
bindings and nothing of fxn. If it fails the same way, the bundled MLIR
itself gives that result (the test was written for another MLIR version);
if it passes, the failure is fxn-opt's.

It serves the common options only: the input and ``-o``,
``--split-input-file``, ``--allow-unregistered-dialect``,
``--pass-pipeline``/``-p`` or pass flags, ``--mlir-print-debuginfo``,
``--mlir-print-local-scope``, ``--mlir-print-op-generic`` and
``--verify-diagnostics`` (plain ``expected-<severity>`` annotations, matched
by substring on their line); diagnostics go to stderr as ``line: severity:
message``, so lines that check stderr are no evidence. Any other option exits with code 2 and, where the environment names a
file in ``BARE_MLIR_OPT_REPORT``, writes "cannot serve" there (a RUN line
hides exit codes in pipes): no evidence.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

CANNOT_SERVE = 2
_FLAGS = {"allow-unregistered-dialect", "mlir-print-debuginfo", "mlir-print-local-scope", "mlir-print-op-generic",
          "verify-diagnostics"}
_EXPECTATION = re.compile(r"expected-(error|warning|note|remark)\s*(?:@(\+\d+|-\d+|above|below))?\s*\{\{(.*?)\}\}")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from fxn.mlir import MLIRError, ir, passmanager  # the bindings only: fxn.mlir names their package

    flags, passes, pipeline, inputs, output, marker = set(), [], None, [], "-", None
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, has_value, value = arg.lstrip("-").partition("=")
        if arg == "-" or not arg.startswith("-"):
            inputs.append(arg)
        elif name == "o":
            output = value if has_value else args.pop(0)
        elif name in ("pass-pipeline", "p"):
            pipeline = value if has_value else args.pop(0)
        elif name == "split-input-file":
            marker = value or "// -----"
        elif name in _FLAGS and not has_value:
            flags.add(name)
        else:
            passes.append(name + (f"{{{value}}}" if has_value else ""))
    try:
        if pipeline is None and passes:
            pipeline = f"builtin.module({','.join(_nested(p, ir, passmanager) for p in passes)})"
        if pipeline is not None:
            passmanager.PassManager.parse(pipeline, context=ir.Context())
    except Exception:  # an option this bare tool does not know, or a pass the bindings lack
        if os.environ.get("BARE_MLIR_OPT_REPORT"):
            Path(os.environ["BARE_MLIR_OPT_REPORT"]).write_text("cannot serve")
        return CANNOT_SERVE
    text = sys.stdin.read() if not inputs or inputs[0] == "-" else open(inputs[0], errors="replace").read()
    chunks = [text] if marker is None else _split(text, marker)
    outputs, failed = [], False
    for chunk in chunks:
        context = ir.Context()
        context.allow_unregistered_dialects = "allow-unregistered-dialect" in flags
        diagnostics = []
        context.attach_diagnostic_handler(lambda d: diagnostics.append(_plain(d)) or True)
        try:
            with context:
                module = ir.Module.parse(chunk)
                if pipeline is not None:
                    passmanager.PassManager.parse(pipeline).run(module.operation)
            outputs.append(module.operation.get_asm(enable_debug_info="mlir-print-debuginfo" in flags,
                                                    use_local_scope="mlir-print-local-scope" in flags,
                                                    print_generic_op_form="mlir-print-op-generic" in flags))
        except MLIRError as error:
            diagnostics += [_plain(d) for d in error.error_diagnostics]
        if "verify-diagnostics" in flags:
            failed |= not _verified(chunk, diagnostics)
        else:
            failed |= any(severity == "error" for severity, _, _ in diagnostics)
            for severity, line, message in diagnostics:
                print(f"{line}: {severity}: {message}", file=sys.stderr)
    joined = "// -----\n".join(o if o.endswith("\n") else o + "\n" for o in outputs)
    if output == "-":
        sys.stdout.write(joined)
    else:
        with open(output, "w") as file:
            file.write(joined)
    return 1 if failed else 0


def _nested(pass_text: str, ir, passmanager) -> str:
    """A pass flag as mlir-opt nests it: in the op it is restricted to (``func.func(...)``), if any."""
    try:
        passmanager.PassManager.parse(f"builtin.module({pass_text})", context=ir.Context())
    except ValueError as error:
        restricted = re.search(r"restricted to '([\w.]+)'", str(error))
        if restricted is None:
            raise
        return f"{restricted[1]}({pass_text})"
    return pass_text


def _split(text: str, marker: str) -> list[str]:
    """The chunks, each padded with empty lines to keep the file's line numbers."""
    chunks, start = [], 0
    for match in re.finditer("^" + re.escape(marker), text, re.MULTILINE):
        chunks.append("\n" * text.count("\n", 0, start) + text[start:match.start()])
        end = text.find("\n", match.start())
        start = len(text) if end < 0 else end + 1
    return chunks + ["\n" * text.count("\n", 0, start) + text[start:]]


def _plain(diagnostic) -> tuple[str, int, str]:
    """``(severity, line, message)``: line 0 when the location has none."""
    match = re.search(r":(\d+):\d+", str(diagnostic.location))
    severity = str(diagnostic.severity).rsplit(".", 1)[-1].lower()
    return severity, int(match[1]) if match else 0, diagnostic.message


def _verified(chunk: str, diagnostics: list) -> bool:
    """Every annotation met by a diagnostic on its line, and no error, warning or remark unexpected."""
    expected = []
    lines = chunk.split("\n")
    for number, line in enumerate(lines, 1):
        for severity, where, text in _EXPECTATION.findall(line):
            target = number
            if where.startswith(("+", "-")):
                target = number + int(where)
            elif where in ("above", "below"):
                step = -1 if where == "above" else 1
                target = number + step
                while 0 < target <= len(lines) and "expected-" in lines[target - 1]:
                    target += step
            expected.append([severity, target, text, False])
    for severity, line, message in diagnostics:
        match = next((e for e in expected if e[0] == severity and e[1] == line and e[2] in message and not e[3]),
                     None)
        if match is not None:
            match[3] = True
        elif severity != "note":
            return False
    return all(e[3] for e in expected)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
