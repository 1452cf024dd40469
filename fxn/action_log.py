"""``--log-actions-to``: mlir-opt's log of MLIR actions, for the actions the bindings let fxn-opt see.

mlir-opt logs every MLIR action (a pass running on an op, a pattern applied,
a greedy-rewrite iteration ...) as a pair of lines::

    [thread mlir-opt] begins (no breakpoint) Action `pass-execution` running `CSEPass` on Operation `builtin.module` (module {...})`
    [thread mlir-opt] completed `pass-execution`

The bindings expose no action handler. They do expose the pass manager's IR
printing instrumentation, which reports each pass execution on each op
(every pass but the adaptors that nest pipelines), in order when the
context runs on one thread. fxn-opt therefore logs the ``pass-execution``
actions, with mlir-opt's words, from the headers of a captured
print-before-all/print-after-all dump; the finer actions (patterns,
rewrite iterations) are not reachable and not logged.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^// -----// IR Dump (Before|After) ([^\s:]+)(?::.*?)?( Failed)? //----- //$")
#: The thread name mlir-opt's log shows for the main thread (the tool's name).
THREAD = "fxn-opt"


def pass_execution_actions(dump: str) -> str:
    """The action log lines for the pass executions in ``dump`` (print-before-all and print-after-all output)."""
    lines = dump.splitlines()
    log = []
    for index, line in enumerate(lines):
        header = _HEADER.match(line)
        if header is None:
            continue
        if header[1] == "Before":
            op = _op_summary(lines, index + 1)
            log.append(f"[thread {THREAD}] begins (no breakpoint) Action `pass-execution` running `{header[2]}` "
                       f"on Operation `{_op_name(op)}` ({op})`")
        else:
            log.append(f"[thread {THREAD}] completed `pass-execution`")
    return "".join(line + "\n" for line in log)


def _op_name(summary: str) -> str:
    """The full name of the op ``summary`` shows (``module {...}`` is ``builtin.module``)."""
    text = summary.split(" = ", 1)[1] if summary.startswith("%") and " = " in summary else summary
    if text.startswith('"'):
        return text[1:text.find('"', 1)]
    name = re.split(r"[\s(<{]", text, maxsplit=1)[0]
    return name if "." in name or not name else f"builtin.{name}"


def _op_summary(lines: list[str], start: int) -> str:
    """The dumped op as mlir-opt's log shows it: its first line, regions elided as ``{...}``."""
    for line in lines[start:]:
        if not line.strip() or re.match(r"^[#!]\S* = ", line):  # attribute and type aliases come first
            continue
        line = line.strip()
        return line[:-1] + "{...}" if line.endswith("{") else line
    return ""
