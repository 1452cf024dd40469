"""What fxn-opt does once its command line is parsed: read, parse, run passes, print.

Every failure becomes a diagnostic printed as ``file:line:col: error: ...``
(or ``fxn-opt: error: ...`` without a location) and exit code 1.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass

from fxn.action_log import pass_execution_actions
from fxn.diagnostics import VERBOSITY, Diagnostic, DiagnosticCollector
from fxn.dialects import new_context
from fxn.marked_printing import print_marked
from fxn.mlir import MLIRError
from fxn.native_stderr import capture_native_stderr
from fxn.opt import OptOptions
from fxn.pipeline import IRPrinting, PipelineError, anchor_of, build_pipeline
from fxn.source import Chunk, ParseError, parse_module, split_input
from fxn.verify_diagnostics import parse_expectations, verify


class InputError(Exception):
    """Input that cannot be read; reported without a location."""


@dataclass
class ChunkResult:
    output: str | None  # the printed IR, None if processing failed
    diagnostics: list[Diagnostic]
    actions: str = ""  # the action log (--log-actions-to)


def pipeline_text(options: OptOptions, flags: list) -> str | None:
    """The pipeline to run: --pass-pipeline as given, or the pass flags (:func:`_pass_flag_elements`) in builtin.module.

    As mlir-opt nests pass flags implicitly, a pass restricted to an op (a
    ``func.func`` pass) runs on the module's ops of that kind, with the
    passes next to it of the same kind: ``-affine-parallelize -cse`` is
    ``builtin.module(func.func(affine-parallelize),cse)``.
    """
    if options.pass_pipeline is not None:
        return options.pass_pipeline
    if not options.pass_flags:
        return None
    groups: list[tuple[str | None, list[str]]] = []
    for _, element, anchor in flags:
        if groups and groups[-1][0] == anchor and anchor is not None:
            groups[-1][1].append(element)
        else:
            groups.append((anchor, [element]))
    nested = [f"{anchor}({','.join(elements)})" if anchor else elements[0] for anchor, elements in groups]
    return "builtin.module(" + ",".join(nested) + ")"


def _pass_flag_elements(options: OptOptions) -> list[tuple[str, str, str | None]]:
    """Each pass flag: its name, its pipeline element and the op the pass is restricted to (None: any op)."""
    context = new_context()
    elements = [(name, name if value is None else f"{name}{{{value}}}") for name, value in options.pass_flags]
    return [(name, element, anchor_of(element, context)) for name, element in elements]


#: The first bytes of an MLIR bytecode file.
BYTECODE_MAGIC = b"ML\xefR"


def read_input(path: str) -> tuple[str | bytes, str]:
    """``(text, name)`` of the input file, or stdin for ``-``; ``text`` is bytes for MLIR bytecode."""
    if path == "-":
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as error:
            raise InputError(f"could not open input file '{path}': {error.strerror}") from None
        name = path
    if data.startswith(BYTECODE_MAGIC):
        return data, name  # MLIR bytecode, which the parser reads as it is
    if b"\0" in data:
        raise InputError(f"'{name}' is not MLIR text (it contains NUL bytes)")
    # Undecodable bytes become U+FFFD, which the parser rejects at their location.
    return data.decode("utf-8", errors="replace"), name


def _printing(options: OptOptions) -> IRPrinting:
    def names(text):
        return frozenset(n.strip() for n in text.split(",") if n.strip())

    return IRPrinting(before=names(options.print_ir_before), after=names(options.print_ir_after))


def process_chunk(chunk: Chunk, filename: str, pipeline: str | None, options: OptOptions) -> ChunkResult:
    """Parse, transform and print one chunk in a fresh context."""
    context = new_context()
    context.allow_unregistered_dialects = options.allow_unregistered_dialect
    if options.disable_threading or options.log_actions_to is not None:
        context.enable_multithreading(False)  # the action log needs the passes' order
    with DiagnosticCollector(context) as collector:
        try:
            module = parse_module(chunk.text, filename, context, implicit_module=not options.no_implicit_module,
                                  start=chunk.start)
        except ParseError as error:
            return ChunkResult(None, collector.diagnostics + error.diagnostics)
        actions = ""
        if pipeline is not None:
            pm, fxn_passes = build_pipeline(pipeline, context, _printing(options))
            _configure(pm, options)
            try:
                with context, _action_log(pm, options) as log:
                    pm.run(module.operation)
            except MLIRError as error:
                collector.add_error(error)
                return ChunkResult(None, collector.diagnostics, log.text)
            finally:
                if options.pass_statistics:
                    _print_fxn_statistics(fxn_passes)
            actions = log.text
        if options.verify_roundtrip:
            problem = _roundtrip_problem(module, filename)
            if problem is not None:
                return ChunkResult(None, collector.diagnostics + [problem])
        if options.emit_bytecode:
            return ChunkResult(_bytecode(module, options), collector.diagnostics, actions)
        if options.print_value_users or options.print_unique_ssa_ids:
            output = print_marked(module.operation, value_users=options.print_value_users,
                                  unique_ids=options.print_unique_ssa_ids, **_print_options(options))
        else:
            output = module.operation.get_asm(**_print_options(options))
        # As mlir-opt: the printer's text (which ends in a newline before its location aliases, if any, unless
        # in local scope), then a newline.
        return ChunkResult(output + "\n", collector.diagnostics, actions)


class _ActionLog:
    text = ""


@contextlib.contextmanager
def _action_log(pm, options: OptOptions):
    """With --log-actions-to, the pass executions of ``pm``'s run, from its IR printer's captured dumps."""
    log = _ActionLog()
    if options.log_actions_to is None:
        yield log
        return
    pm.enable_ir_printing(print_before_all=True, print_after_all=True, large_elements_limit=1,
                          large_resource_limit=1)
    try:
        with capture_native_stderr() as dump:
            yield log
    finally:
        log.text = pass_execution_actions(dump.text)


def _print_options(options: OptOptions) -> dict:
    """``get_asm``'s arguments for mlir-opt's printing flags."""
    return dict(
        enable_debug_info=options.print_debuginfo,
        pretty_debug_info=options.pretty_debuginfo,
        print_generic_op_form=options.print_op_generic,
        use_local_scope=options.print_local_scope,
        use_name_loc_as_prefix=options.use_nameloc_as_prefix,
        skip_regions=options.print_skip_regions,
        assume_verified=options.print_assume_verified,
        large_elements_limit=options.elide_elements_if_larger,
        large_resource_limit=options.elide_resources_if_larger,
    )


def _roundtrip_problem(module, filename: str) -> Diagnostic | None:
    """``--verify-roundtrip``: the module printed in generic and in custom form must parse back to the same IR."""
    expected = module.operation.get_asm(print_generic_op_form=True, enable_debug_info=True)
    for generic in (True, False):
        text = module.operation.get_asm(print_generic_op_form=generic, enable_debug_info=True)
        form = "generic" if generic else "custom"
        try:
            again = parse_module(text, filename, module.context)
        except ParseError as error:
            return Diagnostic("error", f"the {form} form of the output does not parse back: "
                                       f"{error.diagnostics[0].message}")
        if again.operation.get_asm(print_generic_op_form=True, enable_debug_info=True) != expected:
            return Diagnostic("error", f"the {form} form of the output parses back to different IR")
    return None


def _bytecode(module, options: OptOptions) -> bytes:
    import io

    buffer = io.BytesIO()
    module.operation.write_bytecode(buffer, desired_version=options.emit_bytecode_version)
    return buffer.getvalue()


def _configure(pm, options: OptOptions) -> None:
    # As mlir-opt's: --mlir-print-ir-after-change narrows the printing after passes that another flag asks for.
    if options.print_ir_after_all or options.print_ir_before_all or options.print_ir_after_failure:
        pm.enable_ir_printing(
            print_before_all=options.print_ir_before_all,
            # As mlir-opt: printing after a failure prints after every pass, only where one failed.
            print_after_all=options.print_ir_after_all or options.print_ir_after_failure,
            print_module_scope=options.print_ir_module_scope,
            print_after_change=options.print_ir_after_change,
            print_after_failure=options.print_ir_after_failure,
            large_elements_limit=options.elide_elements_if_larger,
            large_resource_limit=options.elide_resources_if_larger,
            enable_debug_info=options.print_debuginfo,
            print_generic_op_form=options.print_op_generic,
            tree_printing_dir_path=options.print_ir_tree_dir,
        )
    if options.timing:
        pm.enable_timing()
    if options.pass_statistics:
        pm.enable_statistics()
    if not options.verify_each:
        pm.enable_verifier(False)


def registered_dialects() -> list[str]:
    """The dialects fxn-opt's context knows, registered or (like fxn, defined in Python) loaded.

    The bindings cannot list a context's dialects; MLIR's parser does, in the
    note it attaches when it meets an op of an unknown dialect, so the list
    is read from that note.
    """
    context = new_context()
    with DiagnosticCollector(context):
        try:
            parse_module("fxn_show_dialects.op", "<show-dialects>", context)
        except ParseError as error:
            for note in (n for d in error.diagnostics for n in d.notes):
                if note.message.startswith("Available dialects: "):
                    listed = note.message.removeprefix("Available dialects: ").split(" (* ", 1)[0]
                    return [name.removesuffix(" (*)") for name in listed.split(", ")]
    raise RuntimeError("MLIR's parser listed no dialects")


def _check_pass_flags(flags: list) -> None:
    """Each ``--<name>`` flag (of :func:`_pass_flag_elements`) must name a pass; InputError says which is wrong."""
    for name, element, anchor in flags:
        try:
            build_pipeline(f"builtin.module({anchor}({element}))" if anchor else f"builtin.module({element})",
                           new_context())
        except PipelineError as error:
            if "does not refer to a registered pass" in str(error):
                raise InputError(f"unknown option '--{name}' (neither an fxn-opt flag nor a registered pass)") from None
            raise InputError(f"--{name}: {error}") from None


def _print_fxn_statistics(fxn_passes) -> None:
    lines = []
    for fxn_pass in fxn_passes:
        lines.append(f"  {type(fxn_pass).__name__} ({fxn_pass.argument})")
        for name, (value, description) in sorted(fxn_pass.statistics.items()):
            lines.append(f"    ({name}) {value} : {description}")
    if lines:
        rule = "===" + "-" * 73 + "==="
        header = [rule, "fxn pass statistics".center(79), rule]
        sys.stderr.write("\n".join(header + lines) + "\n")


def _write_output(data: str | bytes, path: str) -> None:
    """Text, or bytes (bytecode), to ``path`` or stdout for ``-``."""
    if path == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.write(data)
        return
    try:
        with open(path, "wb" if isinstance(data, bytes) else "w") as file:
            file.write(data)
    except OSError as error:
        raise InputError(f"could not open output file '{path}': {error.strerror}") from None


def _top_level_passes(pipeline: str) -> int:
    """The passes of the top-level pass manager of ``pipeline`` (``anchor(p1,p2{...},...)``), as mlir-opt counts."""
    depth, count, inside = 0, 0, pipeline[pipeline.index("(") + 1 : pipeline.rindex(")")]
    for character in inside:
        depth += character in "({"
        depth -= character in ")}"
        count += character == "," and depth == 0
    return count + 1 if inside.strip() else 0


def _error(message: str) -> int:
    print(f"fxn-opt: error: {message}", file=sys.stderr)
    return 1


def run(options: OptOptions) -> int:
    """Everything but argument parsing; returns the exit code."""
    if options.list_passes:
        from fxn.pass_listing import list_passes

        sys.stdout.write(list_passes())
        return 0
    if options.show_dialects:
        print("Available Dialects: " + ",".join(registered_dialects()))
        return 0
    if options.list_backends:
        from fxn.backends import list_backends

        sys.stdout.write(list_backends())
        return 0
    flags = _pass_flag_elements(options)  # each flag's anchor is asked of MLIR once
    pipeline = pipeline_text(options, flags)
    try:
        _check_pass_flags(flags)
        if pipeline is not None:
            # Check the whole pipeline once, before reading any input.
            pm, _ = build_pipeline(pipeline, new_context(), _printing(options))
            if options.dump_pass_pipeline:
                print(f"Pass Manager with {_top_level_passes(str(pm))} passes:\n{pm}", file=sys.stderr)
        text, filename = read_input(options.input)
    except PipelineError as error:
        print(error.format(), file=sys.stderr)
        return 1
    except InputError as error:
        return _error(str(error))

    outputs, actions, failed = [], [], False
    sources = {filename: text} if isinstance(text, str) else {}
    chunks = split_input(text, options.split_input_file) if isinstance(text, str) else [Chunk(text, 1)]
    for chunk in chunks:
        result = process_chunk(chunk, filename, pipeline, options)
        actions.append(result.actions)
        if options.verify_diagnostics:
            expectations = parse_expectations(chunk.text) if isinstance(chunk.text, str) else []
            problems = verify(result.diagnostics, expectations, filename)
            failed |= bool(problems)
            _print_diagnostics(problems, sources, options)
        else:
            _print_diagnostics(result.diagnostics, sources, options)
            failed |= result.output is None or any(d.severity == "error" for d in result.diagnostics)
        if result.output is not None:
            outputs.append(result.output)
    try:
        if options.log_actions_to is not None:
            _write_output("".join(actions), options.log_actions_to)
        joined = b"".join(outputs) if options.emit_bytecode else _join(outputs, options)
        _write_output(joined, options.output)
    except InputError as error:
        return _error(str(error))
    return 1 if failed else 0


def _join(outputs: list[str], options: OptOptions) -> str:
    """The printed chunks as mlir-opt writes them, with --split-input-file the output split marker between them."""
    return (options.output_split_marker + "\n").join(outputs)


def _print_diagnostics(diagnostics: list[Diagnostic], sources: dict, options: OptOptions) -> None:
    """Each diagnostic as mlir-opt prints it: located, with the source line and a caret where it is the input's.

    Those less severe than --mlir-diagnostic-verbosity-level are left out;
    notes as --mlir-print-op-on-diagnostic and --mlir-disable-diagnostic-notes say.
    """
    shown = VERBOSITY[options.diagnostic_verbosity]
    for diagnostic in diagnostics:
        if diagnostic.severity in shown:
            text = diagnostic.format(sources=sources, notes=not options.disable_diagnostic_notes,
                                     operation_notes=options.print_op_on_diagnostic and not options.verify_diagnostics)
            print(text, file=sys.stderr)
