"""Run upstream MLIR lit tests with fxn-opt in place of mlir-opt; count what passes and say why the rest fails.

``scripts/upstream-lit DIR`` reads every ``*.mlir`` file under DIR (a checkout
of llvm-project's ``mlir/test``, or part of it), takes each ``RUN:`` line
(continuation lines joined), substitutes ``%s``, ``%S``, ``%p``, ``%t`` and
``%T``, replaces ``mlir-opt`` with fxn-opt and runs the line with bash.
FileCheck is LLVM's (``FileCheck-22``) where it is installed, else the
Python port. A line that needs another tool (``mlir-translate``,
``mlir-runner``, ``%python`` ...) or a substitution of upstream's lit
configuration is skipped.

Each failing line gets one reason class:

- ``test dialect or pass``: the line uses MLIR's test dialect or a ``-test-``
  pass, which exist only in MLIR's own test build;
- ``version skew``: the line needs an option or pass the bundled MLIR does
  not have, or fails the same way with ``torch-mlir-opt``, an mlir-opt of
  the bundled MLIR's version (whose failures for lack of a dialect or pass
  it does not register prove nothing), or with ``scripts/bare_mlir_opt.py``,
  an mlir-opt of the bare bindings (for the lines it can serve);
- ``unsupported option``: fxn-opt refuses an option the bundled MLIR has
  (it says why);
- ``fxn-opt's own``: everything else: the bundled MLIR passes, fxn-opt does
  not.

The bundled MLIR's version is printed first, as the commit to check the
tests out at.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FXN_OPT = ROOT / ".venv" / "bin" / "fxn-opt"
#: Tools a RUN line may use besides mlir-opt; a line using any other is skipped.
KNOWN_TOOLS = {"mlir-opt", "FileCheck", "not", "count", "cat", "echo", "true", "false"}
#: The substitutions fxn runs; any other ``%name`` is upstream's lit configuration's.
SUBSTITUTIONS = ("%s", "%S", "%p", "%t", "%T")
#: How long one RUN line may take.
TIMEOUT_SECONDS = 60


@dataclass
class RunLine:
    path: Path
    line: int  # of its first ``RUN:``
    command: str


@dataclass
class Outcome:
    run: RunLine
    status: str  # "pass", "fail" or "skip"
    reason: str = ""


def run_lines(path: Path) -> list[RunLine]:
    """The RUN lines of a test file, continuation lines (ending in ``\\``) joined."""
    lines, pending, first = [], "", 0
    for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
        match = re.search(r"\bRUN:(.*)$", text)
        if match is None:
            continue
        part = match[1].strip()
        if not pending:
            first = number
        if part.endswith("\\"):
            pending += part[:-1] + " "
            continue
        lines.append(RunLine(path, first, (pending + part).strip()))
        pending = ""
    return lines


def bundled_mlir() -> str:
    """The version of the MLIR fxn-opt runs: LLVM's version of ``torch-mlir-opt`` and the torch-mlir release."""
    from importlib.metadata import version

    opt = torch_mlir_opt()
    text = subprocess.run([opt, "--version"], capture_output=True, text=True).stdout if opt else ""
    llvm = re.search(r"LLVM version (\S+)", text)
    return f"LLVM {llvm[1] if llvm else 'unknown'} (torch-mlir {version('torch-mlir')})"


def torch_mlir_opt() -> str | None:
    """The bundled MLIR's own opt tool (an mlir-opt of the same version), shipped in the torch-mlir wheel."""
    import importlib.util

    spec = importlib.util.find_spec("torch_mlir")
    if spec is None or not spec.submodule_search_locations:
        return None
    candidate = Path(list(spec.submodule_search_locations)[0]) / "_mlir_libs" / "torch-mlir-opt"
    return str(candidate) if candidate.exists() else None


def filecheck() -> str:
    return shutil.which("FileCheck-22") or shutil.which("FileCheck") or str(ROOT / ".venv" / "bin" / "filecheck")


def skip_reason(command: str) -> str | None:
    """Why ``command`` cannot run here, or None."""
    unknown = sorted({m for m in re.findall(r"%[A-Za-z_{][\w{}.-]*", command) if not m.startswith(SUBSTITUTIONS)})
    unknown = [u for u in unknown if not re.fullmatch(r"%[sSptT](\.\w+)*", u)]
    if unknown:
        return f"needs upstream's lit substitution {unknown[0]}"
    for segment in re.split(r"\|\||&&|\||;", command):
        words = segment.split()
        while words and words[0] in ("not", "--crash"):
            words = words[1:]
        if words and words[0] not in KNOWN_TOOLS and not words[0].startswith(("<", ">", "2>")):
            return f"needs {words[0]}"
    return None


def substitute(command: str, run: RunLine, opt: str, temporary: Path) -> str:
    test_dir = str(run.path.parent)
    command = re.sub(r"%s\b", str(run.path), command)
    command = re.sub(r"%[Sp]\b", test_dir, command)
    command = re.sub(r"%t\b", str(temporary / "t"), command)
    command = re.sub(r"%T\b", str(temporary), command)
    command = re.sub(r"(?<![\w/-])mlir-opt\b", opt, command)
    return re.sub(r"(?<![\w/-])FileCheck\b", filecheck(), command)


def execute(command: str, environment: dict | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS, errors="replace", env={**os.environ, **(environment or {})})
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"timed out after {TIMEOUT_SECONDS} s")


def classify(run: RunLine, result: subprocess.CompletedProcess, reference: str | None) -> str:
    """The reason class of a failed line (see the module docstring), with the first line fxn-opt said."""
    said = next((line for line in result.stderr.splitlines() if "error" in line), result.stderr.strip()[:200])
    uses_test_ops = re.search(r"[\"\s(]test\.\w+", run.path.read_text(errors="replace")) is not None
    if (re.search(r"(?<![\w-])--?test-", run.command) or re.search(r"'test\.\w+'|Dialect `test'", said)
            or uses_test_ops and "unregistered dialect" in said):
        return f"test dialect or pass: {said}"
    unknown = re.search(r"unknown option '--?([\w-]+)'", said)
    if unknown and unknown[1] not in bundled_options():
        return f"version skew (the bundled MLIR has no option or pass --{unknown[1]}): {said}"
    if "does not refer to a registered pass" in said:
        return f"version skew (the pass is not in the bundled MLIR): {said}"
    if "no such option" in said:
        return f"version skew (the bundled MLIR's pass has no such option): {said}"
    if "is not supported by fxn-opt" in said or unknown:
        return f"unsupported option: {said}"
    if reference is not None:
        with tempfile.TemporaryDirectory() as temporary:
            again = execute(substitute(run.command, run, reference, Path(temporary)))
        if again.returncode != 0 and not re.search(_REFERENCE_LIMITS, again.stderr):
            return f"version skew (the bundled MLIR's torch-mlir-opt fails too): {said}"
    if _fails_with_bare_bindings(run):
        return f"version skew (the bundled MLIR through the bare bindings fails too): {said}"
    return f"fxn-opt's own: {said}"


def _fails_with_bare_bindings(run: RunLine) -> bool:
    """Whether the line fails as well with scripts/bare_mlir_opt.py (the bindings alone) as its mlir-opt.

    Lines that check what the tool writes to stderr are not run: the bare
    tool does not print diagnostics as mlir-opt does, so its failure there
    would prove nothing.
    """
    if re.search(r"2>", run.command):
        return False
    bare = f"{shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'scripts' / 'bare_mlir_opt.py'))}"
    with tempfile.TemporaryDirectory() as temporary:
        report = Path(temporary) / "report"
        again = execute(substitute(run.command, run, bare, Path(temporary)), {"BARE_MLIR_OPT_REPORT": str(report)})
        served = not report.exists()
    return served and again.returncode != 0


#: What torch-mlir-opt says where it lacks a dialect or pass that fxn-opt has: its failure then says nothing.
_REFERENCE_LIMITS = (r"does not refer to a registered pass|unregistered dialect|Dialect `\w+' not found|"
                     r"Unknown command line argument|unregistered operation")


@functools.cache
def bundled_options() -> set[str]:
    """The options and passes of the bundled MLIR's torch-mlir-opt (empty if it is missing)."""
    opt = torch_mlir_opt()
    if opt is None:
        return set()
    text = subprocess.run([opt, "--help-hidden"], capture_output=True, text=True).stdout
    return set(re.findall(r"^\s+--?([\w-]+)", text, re.MULTILINE))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="upstream MLIR test files (searched recursively)")
    parser.add_argument("--verbose", action="store_true", help="print every line's outcome, not only failures")
    options = parser.parse_args(argv)
    if not options.directory.is_dir():
        print(f"upstream-lit: error: '{options.directory}' is not a directory", file=sys.stderr)
        return 1
    print(f"bundled MLIR: {bundled_mlir()}; check the upstream tests out at that version")
    reference = torch_mlir_opt()
    outcomes = []
    for path in sorted(options.directory.rglob("*.mlir")):
        if "Inputs" in path.parts:
            continue
        for run in run_lines(path):
            reason = skip_reason(run.command)
            if reason is not None:
                outcomes.append(Outcome(run, "skip", reason))
                continue
            with tempfile.TemporaryDirectory() as temporary:
                result = execute(substitute(run.command, run, str(FXN_OPT), Path(temporary)))
            if result.returncode == 0:
                outcomes.append(Outcome(run, "pass"))
            else:
                outcomes.append(Outcome(run, "fail", classify(run, result, reference)))
    for outcome in outcomes:
        if outcome.status == "fail" or options.verbose:
            where = f"{os.path.relpath(outcome.run.path, options.directory)}:{outcome.run.line}"
            print(f"{outcome.status.upper():5} {where}: {outcome.reason}".rstrip(": "))
    counts = collections.Counter(o.status for o in outcomes)
    classes = collections.Counter(o.reason.split(":")[0].split(" (")[0] for o in outcomes if o.status == "fail")
    ran = counts["pass"] + counts["fail"]
    print(f"\n{counts['pass']} of {ran} RUN lines pass ({counts['skip']} skipped: they need other tools or upstream's "
          "lit configuration)")
    for name, count in classes.most_common():
        print(f"  {count} failed: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
