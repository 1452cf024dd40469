"""Run upstream MLIR lit tests with fxn-opt in place of mlir-opt; count what passes and say why the rest fails.

``scripts/upstream-lit DIR`` reads every ``*.mlir`` file under DIR (a checkout
of llvm-project's ``mlir/test``, or part of it), takes each ``RUN:`` line
(continuation lines joined), substitutes ``%s``, ``%S``, ``%p``, ``%t`` and
``%T``, replaces ``mlir-opt`` with fxn-opt and runs the line with bash.
FileCheck is LLVM's (``FileCheck-22``) where it is installed, with LLVM's
``not``, ``count`` and ``split-file`` beside it (Debian's llvm-22-tools),
else the Python port of FileCheck. A line that needs another tool
(``mlir-translate``, ``mlir-runner``, ``%python`` ...), one of LLVM's that
is missing, or a substitution of upstream's lit configuration is skipped.

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
#: Tools a RUN line may use, always; LLVM's own are added where installed (:func:`llvm_tools`).
BASIC_TOOLS = {"mlir-opt", "FileCheck", "cat", "echo", "true", "false"}
#: LLVM's test tools (Debian's llvm-22-tools) RUN lines use; a line needing a missing one is skipped.
LLVM_TOOLS = ("not", "count", "split-file")
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


@functools.cache
def llvm_tools() -> Path | None:
    """The directory of LLVM's FileCheck, where its ``not``, ``count`` and ``split-file`` are too."""
    found = shutil.which("FileCheck-22") or shutil.which("FileCheck")
    return Path(os.path.realpath(found)).parent if found else None


def known_tools() -> set[str]:
    directory = llvm_tools()
    return BASIC_TOOLS | {tool for tool in LLVM_TOOLS if directory is not None and (directory / tool).exists()}


def skip_reason(command: str) -> str | None:
    """Why ``command`` cannot run here, or None."""
    unknown = sorted({m for m in re.findall(r"%[A-Za-z_{][\w{}.-]*", command) if not m.startswith(SUBSTITUTIONS)})
    unknown = [u for u in unknown if not re.fullmatch(r"%[sSptT](\.\w+)*", u)]
    if unknown:
        return f"needs upstream's lit substitution {unknown[0]}"
    for segment in re.split(r"\|\||&&|\||;", command):
        words = segment.split()
        if words and words[0] == "not" and "not" not in known_tools():
            return "needs not"
        while words and words[0] in ("not", "--crash"):
            words = words[1:]
        if words and words[0] not in known_tools() and not words[0].startswith(("<", ">", "2>")):
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
    environment = dict(environment or {})
    if llvm_tools() is not None:  # `not`, `count`, `split-file` by their names, as lit finds them
        environment["PATH"] = f"{llvm_tools()}{os.pathsep}{os.environ.get('PATH', '')}"
    try:
        return subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS, errors="replace", env={**os.environ, **(environment or {})})
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"timed out after {TIMEOUT_SECONDS} s")


def classify(run: RunLine, result: subprocess.CompletedProcess, reference: str | None, temporary: Path) -> str:
    """The reason class of a failed line (see the module docstring), with the first error fxn-opt said."""
    alone = _what_fxn_opt_said(run, temporary)
    said = alone or next((line for line in result.stderr.splitlines() if "error" in line), result.stderr.strip()[:200])
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
    if re.search(r"(?<![\w-])--?mlir-pass-statistics\b", run.command):
        return f"version skew (the bundled MLIR is a release build: its passes count no statistics): {said}"
    if reference is not None:
        again = execute(substitute(run.command, run, reference, temporary))
        if again.returncode != 0 and not re.search(_REFERENCE_LIMITS, again.stderr):
            return f"version skew (the bundled MLIR's torch-mlir-opt fails too): {said}"
    verifies = re.search(r"(?<![\w-])--?verify-diagnostics\b", run.command) is not None
    if alone is not None and alone.startswith(f"{run.path}:") and not verifies and _bare_parse_fails(run, temporary):
        return f"version skew (the bundled MLIR's parser rejects the file too): {said}"
    if _fails_with_bare_bindings(run, temporary):
        return f"version skew (the bundled MLIR through the bare bindings fails too): {said}"
    return f"fxn-opt's own: {said}"


def _first_opt_command(command: str) -> str | None:
    """The line's first mlir-opt command alone, without ``not`` and without redirected output."""
    for segment in re.split(r"\|\||&&|\||;", command):
        try:
            words = shlex.split(segment)
        except ValueError:
            return None
        while words and words[0] in ("not", "--crash"):
            words = words[1:]
        if words and words[0] == "mlir-opt":
            kept, skip_next = [], False
            for word in words:
                if skip_next:
                    skip_next = False
                elif word in (">", "2>"):
                    skip_next = True
                elif not word.startswith((">", "2>", "1>")):
                    kept.append(word)
            return " ".join(shlex.quote(word) for word in kept)
    return None


def _what_fxn_opt_said(run: RunLine, temporary: Path) -> str | None:
    """The first error fxn-opt writes when it runs the line's first mlir-opt command on its own (a line's
    stderr is often FileCheck's, when it checks fxn-opt's)."""
    command = _first_opt_command(run.command)
    if command is None:
        return None
    alone = execute(substitute(command, run, str(FXN_OPT), temporary))
    return next((line for line in alone.stderr.splitlines() if "error" in line), None) if alone.returncode else None


def _bare_parse_fails(run: RunLine, temporary: Path) -> bool:
    """Whether the bare bindings' parser rejects the test file too (with the line's dialect and split options)."""
    flags = [f for f in ("--split-input-file", "--allow-unregistered-dialect")
             if re.search(rf"(?<![\w-])-{f}\b", run.command)]
    again = execute(" ".join([_bare_command(), *flags, shlex.quote(str(run.path)), "-o", "/dev/null"]))
    return again.returncode == 1


def _bare_command() -> str:
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'scripts' / 'bare_mlir_opt.py'))}"


def _fails_with_bare_bindings(run: RunLine, temporary: Path) -> bool:
    """Whether the line fails as well with scripts/bare_mlir_opt.py (the bindings alone) as its mlir-opt.

    Lines that check what the tool writes to stderr are not run: the bare
    tool does not print diagnostics as mlir-opt does, so its failure there
    would prove nothing.
    """
    if re.search(r"2>", run.command):
        return False
    report = temporary / "bare-mlir-opt-report"
    report.unlink(missing_ok=True)
    again = execute(substitute(run.command, run, _bare_command(), temporary), {"BARE_MLIR_OPT_REPORT": str(report)})
    return not report.exists() and again.returncode != 0


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
        with tempfile.TemporaryDirectory() as directory:  # %t is one per test file, as lit's
            temporary = Path(directory)
            skipped_before = False
            for run in run_lines(path):
                reason = skip_reason(run.command)
                if reason is None and skipped_before and re.search(r"%t\b", run.command):
                    reason = "needs the output of a line skipped before"
                if reason is not None:
                    skipped_before |= re.search(r"%t\b", run.command) is not None  # it would have written there
                    outcomes.append(Outcome(run, "skip", reason))
                    continue
                result = execute(substitute(run.command, run, str(FXN_OPT), temporary))
                if result.returncode == 0:
                    outcomes.append(Outcome(run, "pass"))
                else:
                    outcomes.append(Outcome(run, "fail", classify(run, result, reference, temporary)))
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
