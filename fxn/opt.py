"""fxn-opt: run pass pipelines on .mlir files, following mlir-opt's conventions.

The command line is parsed here; the work is done by :mod:`fxn.opt_driver`,
which tests and the Python API share. ``--version`` and ``--help`` answer
without importing MLIR, so they return at once.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

USAGE = """\
OVERVIEW: fxn modular optimizer driver (mlir-opt conventions)

USAGE: fxn-opt [options] [<input file>]     (stdin when no file or '-')

OPTIONS:
  -o <file>                          Output file (default: stdout)
  --pass-pipeline=<pipeline>         A textual pipeline, e.g. 'builtin.module(func.func(fxn-canonicalize),cse)'
  -p <pipeline>                      Same as --pass-pipeline
  --<pass-name>[=<options>]          Run one pass (in command-line order), e.g. --fxn-constant-fold=max-elements=64
  --split-input-file[=<marker>]      Split the input at lines starting with the marker (default '// -----')
                                     and process each chunk alone
  --output-split-marker=<marker>     The line between the outputs of the chunks (default '// -----')
  --verify-diagnostics               Check the diagnostics against 'expected-error {{...}}' annotations
  --allow-unregistered-dialect       Accept ops of unknown dialects
  --no-implicit-module               Take the file's one top-level op as it is (no implicit builtin.module)
  --mlir-print-ir-after-all          Print the IR after every pass (stderr)
  --mlir-print-ir-before-all         Print the IR before every pass (stderr)
  --mlir-print-ir-after=<passes>     Print the IR after the named passes (comma-separated)
  --mlir-print-ir-before=<passes>    Print the IR before the named passes (comma-separated)
  --mlir-pass-statistics             Report pass statistics (stderr)
  --mlir-timing                      Report the time each pass takes (stderr)
  --mlir-print-ir-after-change       Print the IR after every pass that changed it (stderr)
  --mlir-print-ir-after-failure      Print the IR after a pass that failed (stderr)
  --mlir-print-ir-module-scope       Print the whole module when printing around passes
  --mlir-print-ir-tree-dir=<dir>     Write the IR printed around passes to a file tree under <dir>, not stderr
  --mlir-print-debuginfo             Print source locations
  --mlir-pretty-debuginfo            Print source locations as mlir-opt's pretty form
  --mlir-print-local-scope           Print types and attributes inline, without aliases
  --mlir-print-op-generic            Print every op in the generic form
  --mlir-print-assume-verified       Print without verifying first (else invalid IR prints in generic form)
  --mlir-use-nameloc-as-prefix       Name SSA values after their NameLoc locations
  --mlir-print-skip-regions          Print ops without their regions
  --mlir-print-value-users           Follow each op and block header with a comment naming the users of its values
  --mlir-print-unique-ssa-ids        Number values and block arguments uniquely across all regions
  --mlir-elide-elementsattrs-if-larger=<n>    Print elements attributes of more than n elements as __elided__
  --mlir-elide-resource-strings-if-larger=<n> Print resources larger than n bytes as __elided__
  --dump-pass-pipeline               Print the pipeline to run (stderr)
  --log-actions-to=<file>            Log each pass execution as MLIR's action log ('-' for stdout)
  --verify-roundtrip                 Check that the output parses back, in generic and custom form
  --emit-bytecode                    Write MLIR bytecode instead of text
  --emit-bytecode-version=<n>        The bytecode version to write
  --mlir-disable-threading           Run passes on one thread
  --mlir-print-op-on-diagnostic=false  Do not attach the op a diagnostic is about as a note
  --mlir-disable-diagnostic-notes    Print diagnostics without their notes
  --mlir-diagnostic-verbosity-level=<errors|warnings|remarks>  The least severe diagnostics printed (default remarks)
  --mlir-timing-display=tree, --mlir-output-format=text, --mlir-pass-statistics-display=pipeline
                                     Accepted: the only displays and format the bindings' timer and statistics have
  --show-dialects                    List the dialects fxn-opt knows, then exit
  --verify-each=false                Do not verify the IR after each pass
  --list-passes                      List fxn passes and upstream MLIR passes, then exit
  --list-backends                    List the backends the fxn.backends entry points provide, then exit
  --version                          Print the version, then exit
  -h, --help                         Print this help, then exit
"""

_BOOL_FLAGS = {
    "verify-diagnostics": "verify_diagnostics",
    "allow-unregistered-dialect": "allow_unregistered_dialect",
    "no-implicit-module": "no_implicit_module",
    "mlir-print-ir-after-all": "print_ir_after_all",
    "mlir-print-ir-before-all": "print_ir_before_all",
    "mlir-pass-statistics": "pass_statistics",
    "mlir-timing": "timing",
    "mlir-print-ir-after-change": "print_ir_after_change",
    "mlir-print-ir-after-failure": "print_ir_after_failure",
    "mlir-print-ir-module-scope": "print_ir_module_scope",
    "mlir-print-debuginfo": "print_debuginfo",
    "mlir-pretty-debuginfo": "pretty_debuginfo",
    "mlir-print-local-scope": "print_local_scope",
    "mlir-print-op-generic": "print_op_generic",
    "mlir-print-assume-verified": "print_assume_verified",
    "mlir-use-nameloc-as-prefix": "use_nameloc_as_prefix",
    "mlir-print-skip-regions": "print_skip_regions",
    "mlir-print-value-users": "print_value_users",
    "mlir-print-unique-ssa-ids": "print_unique_ssa_ids",
    "dump-pass-pipeline": "dump_pass_pipeline",
    "verify-roundtrip": "verify_roundtrip",
    "emit-bytecode": "emit_bytecode",
    "mlir-disable-threading": "disable_threading",
    "verify-each": "verify_each",
    "mlir-print-op-on-diagnostic": "print_op_on_diagnostic",
    "mlir-disable-diagnostic-notes": "disable_diagnostic_notes",
    "show-dialects": "show_dialects",
    "list-passes": "list_passes",
    "list-backends": "list_backends",
    "version": "version",
    "help": "help",
    "h": "help",
}
_VALUE_FLAGS = {
    "o": "output",
    "pass-pipeline": "pass_pipeline",
    "p": "pass_pipeline",
    "mlir-print-ir-after": "print_ir_after",
    "mlir-print-ir-before": "print_ir_before",
    "mlir-elide-elementsattrs-if-larger": "elide_elements_if_larger",
    "mlir-elide-resource-strings-if-larger": "elide_resources_if_larger",
    "emit-bytecode-version": "emit_bytecode_version",
    "output-split-marker": "output_split_marker",
    "log-actions-to": "log_actions_to",
    "mlir-print-ir-tree-dir": "print_ir_tree_dir",
}
#: Flags with a fixed set of values: ``(attribute, values fxn-opt serves, {other value of mlir-opt: why not})``.
_CHOICE_FLAGS = {
    "mlir-diagnostic-verbosity-level": ("diagnostic_verbosity", ("errors", "warnings", "remarks"), {}),
    "mlir-timing-display": ("timing_display", ("tree",),
                            {"list": "the bindings' pass timer prints only its tree display"}),
    "mlir-output-format": ("output_format", ("text",), {"json": "the bindings' pass timer writes only text"}),
    "mlir-pass-statistics-display": ("statistics_display", ("pipeline",),
                                     {"list": "the bindings' pass statistics print only their pipeline display"}),
}
#: mlir-opt's marker between chunks of the input (``--split-input-file``) and of the output.
DEFAULT_SPLIT_MARKER = "// -----"
#: Flags whose value is a non-negative int.
_INT_FLAGS = {"elide_elements_if_larger", "elide_resources_if_larger", "emit_bytecode_version"}
_LLVM = "an LLVM IR or code-generation option linked into mlir-opt's binary; it does not act on MLIR"
_BINDINGS = "not reachable from the MLIR Python bindings fxn-opt is built on"
#: mlir-opt options fxn-opt does not serve, and why (the error says so instead of "unknown option"). With the
#: flags above, these are every general option of the bundled MLIR's mlir-opt (``torch-mlir-opt --help-hidden``);
#: docs/fxn-opt-options.md lists both.
UNSUPPORTED = {
    **dict.fromkeys(["always-rename-promoted-locals", "disable-i2p-p2i-opt", "elide-all-zero-branch-weights",
                     "enable-fs-discriminator", "import-constants-with-refs", "pick-merged-source-locations",
                     "preserve-ll-uselistorder", "print-addrspace-name", "print-inst-addrs", "print-inst-debug-locs",
                     "print-prof-data", "profcheck-disable-metadata-fixes", "propagate-attrs",
                     "non-global-value-max-name-size", "rng-seed", "remarks-section", "pass-remarks",
                     "pass-remarks-analysis", "pass-remarks-missed"], _LLVM),
    **dict.fromkeys(["debug-counter", "debug-counter-break-on-last", "print-debug-counter",
                     "print-debug-counter-queries", "mlir-debug-counter", "mlir-print-debug-counter"],
                    f"debug counters are {_BINDINGS}"),
    **dict.fromkeys(["opt-bisect", "opt-bisect-limit", "opt-bisect-verbose", "opt-disable"],
                    f"pass bisection is {_BINDINGS}"),
    **dict.fromkeys(["log-mlir-actions-filter", "profile-actions-to", "mlir-enable-debugger-hook"],
                    f"MLIR's actions are {_BINDINGS} (--log-actions-to logs the pass executions fxn-opt sees)"),
    **dict.fromkeys(["mlir-generate-reproducer", "mlir-pass-pipeline-crash-reproducer",
                     "mlir-pass-pipeline-local-reproducer", "run-reproducer"], f"reproducers are {_BINDINGS}"),
    **dict.fromkeys(["crash-diagnostics-dir", "disable-symbolication"],
                    "crash handling of the C++ tool: fxn-opt reports every failure as a diagnostic"),
    **dict.fromkeys(["info-output-file", "stats", "stats-json", "sort-timers"],
                    "LLVM's statistics and timers (of assert builds): use --mlir-pass-statistics or --mlir-timing"),
    "irdl-file": f"IRDL dialect loading is {_BINDINGS}",
    "load-pass-plugin": "fxn-opt loads passes from Python entry points (docs/backends.md), not from C++ plugins",
    "load-dialect-plugin": "fxn-opt loads dialects from Python, not from C++ plugins",
    "mlir-print-elementsattrs-with-hex-if-larger": "the bindings' printer has no option for hex elements",
    "mlir-very-unsafe-disable-verifier-on-parsing": "the bindings' parser always verifies",
    "emit-bytecode-producer": "the bindings' bytecode writer takes only a version",
    "elide-resource-data-from-bytecode": "the bindings' bytecode writer takes only a version",
    "mlir-print-stacktrace-on-diagnostic": "stack traces of the C++ tool are not reachable from Python",
}


class UsageError(Exception):
    """A command line fxn-opt cannot run."""


@dataclass
class OptOptions:
    """fxn-opt's command line, parsed."""

    input: str = "-"
    output: str = "-"
    pass_pipeline: str | None = None
    #: ``(pass-name, options or None)`` for each ``--<pass-name>`` flag, in order.
    pass_flags: list = field(default_factory=list)
    #: The marker the input is split at (``--split-input-file[=<marker>]``), None to take the input whole.
    split_input_file: str | None = None
    output_split_marker: str = DEFAULT_SPLIT_MARKER
    print_ir_tree_dir: str | None = None
    print_op_on_diagnostic: bool = True
    disable_diagnostic_notes: bool = False
    diagnostic_verbosity: str = "remarks"
    timing_display: str = "tree"
    output_format: str = "text"
    statistics_display: str = "pipeline"
    show_dialects: bool = False
    #: Where ``--log-actions-to`` writes the action log ("-" for stdout), None for no log.
    log_actions_to: str | None = None
    verify_diagnostics: bool = False
    allow_unregistered_dialect: bool = False
    no_implicit_module: bool = False
    print_ir_after_all: bool = False
    print_ir_before_all: bool = False
    print_ir_after: str = ""
    print_ir_before: str = ""
    print_ir_after_change: bool = False
    print_ir_after_failure: bool = False
    print_ir_module_scope: bool = False
    pretty_debuginfo: bool = False
    print_local_scope: bool = False
    print_assume_verified: bool = False
    use_nameloc_as_prefix: bool = False
    print_skip_regions: bool = False
    print_value_users: bool = False
    print_unique_ssa_ids: bool = False
    elide_elements_if_larger: int | None = None
    elide_resources_if_larger: int | None = None
    dump_pass_pipeline: bool = False
    verify_roundtrip: bool = False
    emit_bytecode: bool = False
    emit_bytecode_version: int | None = None
    pass_statistics: bool = False
    timing: bool = False
    print_debuginfo: bool = False
    print_op_generic: bool = False
    disable_threading: bool = False
    verify_each: bool = True
    list_passes: bool = False
    list_backends: bool = False
    version: bool = False
    help: bool = False


def parse_args(argv: list[str]) -> OptOptions:
    """mlir-opt style arguments: ``-flag`` or ``--flag``, values as ``--flag=v`` or ``--flag v``."""
    options = OptOptions()
    inputs = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "-" or not arg.startswith("-"):
            inputs.append(arg)
            continue
        name, has_value, value = arg.lstrip("-").partition("=")
        if name == "split-input-file":  # mlir-opt's optional value: the marker, the default when empty
            options.split_input_file = value or DEFAULT_SPLIT_MARKER
        elif name in _BOOL_FLAGS:
            if has_value:
                setattr(options, _BOOL_FLAGS[name], value.lower() in ("1", "true"))
            else:
                setattr(options, _BOOL_FLAGS[name], True)
        elif name in _CHOICE_FLAGS:
            attribute, served, refused = _CHOICE_FLAGS[name]
            if not has_value:
                if not args:
                    raise UsageError(f"option '{arg}' needs a value")
                value = args.pop(0)
            if value in refused:
                raise UsageError(f"option '--{name}={value}' is not supported by fxn-opt: {refused[value]}")
            if value not in served:
                raise UsageError(f"option '--{name}' takes one of {', '.join(served + tuple(refused))}; got '{value}'")
            setattr(options, attribute, value)
        elif name in _VALUE_FLAGS:
            if not has_value:
                if not args:
                    raise UsageError(f"option '{arg}' needs a value")
                value = args.pop(0)
            if _VALUE_FLAGS[name] in _INT_FLAGS:
                if not value.isdigit():
                    raise UsageError(f"option '--{name}' takes a non-negative integer; got '{value}'")
                value = int(value)
            setattr(options, _VALUE_FLAGS[name], value)
        elif name in UNSUPPORTED:
            raise UsageError(f"option '--{name}' is not supported by fxn-opt: {UNSUPPORTED[name]}")
        elif name:
            # Anything else must name a pass; checked when the pipeline is built.
            options.pass_flags.append((name, value if has_value else None))
        else:
            raise UsageError(f"unknown argument '{arg}'")
    if len(inputs) > 1:
        raise UsageError("too many input files: " + " ".join(inputs))
    if inputs:
        options.input = inputs[0]
    if options.pass_pipeline is not None and options.pass_flags:
        raise UsageError("--pass-pipeline cannot be combined with individual pass flags")
    printing_flags = [f"--{name}" for name, attribute in _BOOL_FLAGS.items()
                      if name.startswith("mlir-print-ir-") and name != "mlir-print-ir-module-scope"
                      and getattr(options, attribute)]
    printing_flags += [f"--mlir-print-ir-{when}" for when in ("before", "after") if getattr(options, f"print_ir_{when}")]
    if options.print_ir_tree_dir is not None and (options.print_ir_before or options.print_ir_after):
        raise UsageError("--mlir-print-ir-tree-dir applies to --mlir-print-ir-before-all, -after-all, -after-change "
                         "and -after-failure in fxn-opt, not to --mlir-print-ir-before/after=<passes>")
    if options.log_actions_to is not None and printing_flags:
        raise UsageError(f"--log-actions-to cannot be combined with {printing_flags[0]} in fxn-opt: both use the "
                         "pass manager's one IR printer")
    if (options.print_value_users or options.print_unique_ssa_ids) and (options.use_nameloc_as_prefix
                                                                        or options.pretty_debuginfo):
        raise UsageError("--mlir-print-value-users and --mlir-print-unique-ssa-ids cannot be combined with "
                         "--mlir-use-nameloc-as-prefix or --mlir-pretty-debuginfo in fxn-opt: they are served from "
                         "printed locations, which must name no values and print in full")
    return options


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def installed(package):
        try:
            return version(package)
        except PackageNotFoundError:
            return "not installed"

    return f"fxn-opt {installed('fxn')} (MLIR bindings: torch-mlir {installed('torch-mlir')})"


def main(argv: list[str] | None = None) -> int:
    """Run fxn-opt; returns the exit code (0 success, 1 on any error)."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        options = parse_args(argv)
    except UsageError as error:
        print(f"fxn-opt: error: {error}", file=sys.stderr)
        return 1
    if options.help:
        sys.stdout.write(USAGE)
        return 0
    if options.version:
        print(_version())
        return 0
    try:
        from fxn.opt_driver import run

        return run(options)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug in fxn: one line, the traceback only on request
        if os.environ.get("FXN_DEBUG"):
            raise
        print(f"fxn-opt: internal error: {type(error).__name__}: {error} (set FXN_DEBUG=1 for a traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
