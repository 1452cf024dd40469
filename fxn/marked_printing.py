"""mlir-opt's ``--mlir-print-value-users`` and ``--mlir-print-unique-ssa-ids``, on the bindings' printer.

The bindings' printer has neither option. Both are served from two prints
of the same IR with locations: the printer's own, and one with a marker
location on every op and block argument (put back afterwards: a copy of the
IR would not do, as copying reorders the lists of uses the comments show).
Both prints hold their locations in the same places, so the markers tell
whose each location of the first print is: an op's comes right after the op
(after its regions), where mlir-opt puts the value-user comment, and the
text before it, up to the location before, is that op's. Then:

- each name in an op's text is renamed to the name mlir-opt's printer gives
  with the options (:mod:`fxn.ssa_numbering` replays its numbering),
  string literals left alone;
- with value users, each op's comment follows its location, and each
  block's argument comments go on lines of their own before the first line
  of the block's first op;
- the locations stay where ``--mlir-print-debuginfo`` asked for them, else
  they go.

The comments, as mlir-opt's printer writes them: ``// id: %N`` after an op
without results that has operands, ``// unused`` after an op whose results
have no users, else ``// user: ...`` (one result, used by one op producing
at most one result) or ``// users: ...``, one entry per result, in
parentheses when there are several; a user is named by its results, or by
its id when it has none; ``// %arg0 is used by %2, %3`` or ``// %arg0 is
unused`` for block arguments. Users are listed in use-list order (the latest
use first), each once.
"""

from __future__ import annotations

import re

from fxn.mlir import ir
from fxn.ssa_numbering import IRShape, Names, Renaming, default_names, number, renaming

#: File names of the marker locations: one per op, one per block argument.
_OP_MARK = "fxn.marked-printing.op"
_ARG_MARK = "fxn.marked-printing.arg"
_OP_MARK_TEXT = re.compile(r' loc\("' + re.escape(_OP_MARK) + r'":(\d+):0\)')
_ANY_MARK_TEXT = re.compile(r' loc\("(' + re.escape(_OP_MARK) + "|" + re.escape(_ARG_MARK) + r')":(\d+):0\)')
_MARK_ALIAS = re.compile(r'^(#loc\d*) = (loc\("(?:' + re.escape(_OP_MARK) + "|" + re.escape(_ARG_MARK)
                         + r')":\d+:0\))\n?', re.MULTILINE)
#: A string literal (left alone) or an SSA name.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|%[\w$.-]+')


def print_marked(operation: ir.Operation, *, value_users: bool = False, unique_ids: bool = False,
                 enable_debug_info: bool = False, pretty_debug_info: bool = False,
                 print_generic_op_form: bool = False, use_name_loc_as_prefix: bool = False, **print_options) -> str:
    """``operation`` printed as ``get_asm`` prints it, with mlir-opt's value-user comments and/or unique ids."""
    if use_name_loc_as_prefix or pretty_debug_info:  # fxn-opt refuses these combinations and says why
        raise ValueError("print_marked serves neither use_name_loc_as_prefix nor pretty_debug_info")
    shape = IRShape.of(operation)
    defaults = default_names(shape)
    printed = number(shape, defaults, generic=print_generic_op_form)
    if not print_generic_op_form and (printed.results, printed.arguments) != (defaults.results, defaults.arguments):
        raise RuntimeError("fxn's replay of MLIR's SSA numbering disagrees with the bindings' printer")
    wanted = number(shape, defaults, generic=print_generic_op_form, unique=unique_ids, value_users=value_users)
    comments = _Comments(shape, wanted) if value_users else None
    return _MarkedText(shape, renaming(shape, printed, wanted), comments, enable_debug_info).print(
        print_generic_op_form=print_generic_op_form, **print_options)


class _Comments:
    """The value-user comments of every op and block argument, by index."""

    def __init__(self, shape: IRShape, names: Names):
        self.shape, self.names = shape, names
        index = {op: i for i, op in enumerate(shape.ops)}  # before any location changes: they change op hashes
        self.op_of = lambda op: index[op.operation]
        self.ops = [self._op_comment(i) for i in range(len(shape.ops))]
        self.arguments = [self._argument_comment(a) for a in range(len(shape.arguments))]

    def _op_comment(self, i: int) -> str:
        results = self.shape.results[i]
        if not results:
            return f" // id: {self.names.op_ids[i]}" if len(self.shape.ops[i].operands) else ""
        users = _unique(self.op_of(use.owner) for result in results for use in result.uses)
        if not users:
            return " // unused"
        one = len(users) <= 1 and sum(len(self.shape.results[u]) for u in users) <= 1 and len(results) == 1
        groups = [self._value_users(r) for r in results]
        if len(results) > 1:
            groups = [f"({group})" for group in groups]
        return f" // {'user' if one else 'users'}: " + ", ".join(groups)

    def _value_users(self, value) -> str:
        users = _unique(self.op_of(use.owner) for use in value.uses)
        return ", ".join(self._user_ids(u) for u in users) if users else "unused"

    def _user_ids(self, u: int) -> str:
        return ", ".join(self.names.results[u]) if self.shape.results[u] else self.names.op_ids[u]

    def _argument_comment(self, a: int) -> str:
        name = self.names.arguments[a]
        if not list(self.shape.arguments[a].uses):
            return f"// {name} is unused"
        return f"// {name} is used by {self._value_users(self.shape.arguments[a])}"


class _MarkedText:
    """The printed text with a span for every location the printer wrote, each known to be an op's or a block
    argument's; the text is renamed, commented and stripped of locations from there."""

    def __init__(self, shape: IRShape, names: Renaming, comments: _Comments | None, keep_locations: bool):
        self.shape, self.names, self.comments, self.keep_locations = shape, names, comments, keep_locations

    def print(self, **print_options) -> str:
        text, spans = self._located_text(print_options)
        pieces, op_lines, line, start = [], {}, 0, 0
        for (begin, end), (kind, index) in spans:
            chain = (self.names.of_op if kind == _OP_MARK else self.names.of_argument)[index]
            piece = _TOKEN.sub(lambda t: chain.get(t[0], t[0]), text[start:begin]) if chain else text[start:begin]
            line += piece.count("\n")
            pieces.append(piece)
            if self.keep_locations:
                pieces.append(text[begin:end])
            if kind == _OP_MARK:
                op_lines[index] = line
                pieces.append(self.comments.ops[index] if self.comments is not None else "")
            start = end
        text = "".join(pieces) + text[start:]
        return self._argument_lines(text, op_lines) if self.comments is not None else text

    def _located_text(self, print_options: dict) -> tuple[str, list]:
        """The text to print and its location spans, each with ``(marker kind, op or argument index)``.

        Printed with markers, the text tells whose each location is. Where the
        original locations are wanted, the spans are those of the printer's
        own text (its location aliases kept), which holds the same locations
        in the same places.
        """
        ops, arguments = self.shape.ops, self.shape.arguments
        plain = ops[0].get_asm(enable_debug_info=True, **print_options) if self.keep_locations else ""
        originals = [op.location for op in ops]
        argument_originals = [a.location for a in arguments]
        try:
            for index, op in enumerate(ops):
                op.location = ir.Location.file(_OP_MARK, index, 0, context=op.context)
            for index, argument in enumerate(arguments):
                argument.set_location(ir.Location.file(_ARG_MARK, index, 0, context=argument.context))
            text = ops[0].get_asm(enable_debug_info=True, **print_options)
        finally:
            for op, location in zip(ops, originals):
                op.location = location
            for argument, location in zip(arguments, argument_originals):
                argument.set_location(location)
        # Location aliases of the markers (without --mlir-print-local-scope) become the markers themselves.
        aliases = dict(_MARK_ALIAS.findall(text))
        text = _MARK_ALIAS.sub("", text)
        text = re.sub(r" loc\((#loc\d*)\)", lambda m: " " + aliases.get(m[1], m[0][1:]), text).rstrip("\n")
        # As the printer ends its text: a newline before its location aliases, none in local scope.
        text += "" if print_options.get("use_local_scope") else "\n"
        marks = [(m.span(), (m[1], int(m[2]))) for m in _ANY_MARK_TEXT.finditer(text)]
        if self.keep_locations:
            printed = _printed_locations(plain)
            if len(printed) == len(marks):
                return plain, [(span, owner) for span, (_, owner) in zip(printed, marks)]
            # Locations elsewhere too (in attributes): the original locations go inline instead.
            return self._inline(text, marks, originals, argument_originals)
        return text, marks

    @staticmethod
    def _inline(text, marks, originals, argument_originals) -> tuple[str, list]:
        """``text`` with each marker replaced by its original location, printed inline, and the new spans."""
        pieces, spans, start, length = [], [], 0, 0
        for (begin, end), (kind, index) in marks:
            location = f" {(originals if kind == _OP_MARK else argument_originals)[index]}"
            pieces.append(text[start:begin])
            length += begin - start
            spans.append(((length, length + len(location)), (kind, index)))
            pieces.append(location)
            length += len(location)
            start = end
        return "".join(pieces) + text[start:], spans

    def _argument_lines(self, text: str, op_lines: dict) -> str:
        """Insert each block's argument comments before the first line of the block's first op."""
        lines = text.split("\n")
        insertions = []
        for region in (r for regions in self.shape.regions for r in regions):
            for argument_indices, op_indices in region.blocks:
                first = self._first_line(op_indices[0], lines, op_lines) if argument_indices and op_indices else None
                if first is not None:
                    indent = lines[first][:len(lines[first]) - len(lines[first].lstrip(" "))]
                    insertions.append((first, [f"{indent}{self.comments.arguments[a]}" for a in argument_indices]))
        for position, new_lines in sorted(insertions, key=lambda insertion: insertion[0], reverse=True):
            lines[position:position] = new_lines
        return "\n".join(lines)

    def _first_line(self, op: int, lines: list[str], op_lines: dict) -> int | None:
        """The line an op's printing starts on: its location's line, or for an op with regions (its location
        after the closing brace) the nearest line above at the brace's indent that neither closes a region nor
        labels a block."""
        line = op_lines.get(op)
        if line is None or not any(block_ops for r in self.shape.regions[op] for _, block_ops in r.blocks):
            return line
        indent = len(lines[line]) - len(lines[line].lstrip(" "))
        for above in range(line - 1, -1, -1):
            stripped = lines[above].lstrip(" ")
            if len(lines[above]) - len(stripped) == indent and not stripped.startswith(("}", "^")):
                return above
        return None


def _printed_locations(text: str) -> list[tuple[int, int]]:
    """The span of each `` loc(...)`` the printer wrote after an op or argument in ``text``, in order (those
    defining location aliases left out)."""
    found, position = [], 0
    while (start := text.find(" loc(", position)) >= 0:
        depth, i = 0, start + len(" loc")
        while i < len(text):
            if text[i] == '"':  # a string literal: its parentheses do not count
                i += 1
                while i < len(text) and text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
            elif text[i] in "()":
                depth += 1 if text[i] == "(" else -1
                if depth == 0:
                    break
            i += 1
        if not text.startswith("#", text.rfind("\n", 0, start) + 1):  # not an alias's definition
            found.append((start, i + 1))
        position = i + 1
    return found


def _unique(indices) -> list[int]:
    seen: dict[int, None] = {}
    for index in indices:
        seen.setdefault(index, None)
    return list(seen)
