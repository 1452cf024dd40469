"""mlir-opt's numbering of SSA values, for the printer options the bindings' printer lacks.

MLIR's printer names values in one walk over the IR (``SSANameState``):

- it numbers the regions of the printed op, then repeatedly takes the most
  recently queued region (last in, first out), numbers its blocks in order
  and queues the regions of the region's ops, each with the counters as
  they stand after the whole region is numbered;
- in a block: entry-block arguments are ``%arg<N>`` from the argument
  counter (unless the region's op names them), other block arguments take
  the next value number; then each op: its first result takes the next
  value number unless the op names it (``%c0``, ``%cst``); the other results
  print as ``%<first>#<k>`` or under names of their own;
- a queued region restarts from the counters it was queued with, so
  sibling regions reuse numbers, and the numbers of a region are above
  those of every region enclosing it.

Two printer options change the numbers:

- ``--mlir-print-value-users``: an op without results takes a value number
  too (its id in the comments), renumbering the values after it;
- ``--mlir-print-unique-ssa-ids`` (and the generic form, which implies it):
  queued regions do not restart the counters, so every number and every
  ``%arg<N>`` is unique in the printed op.

The generic form also gives up the names ops choose (``%c0`` becomes a
number). :func:`number` replays this walk over the IR and returns the name
of every value under given options; names that ops choose are taken from
the bindings (their ``AsmState``), which give the default numbering.

Where a name an op chooses is taken in an enclosing region or earlier in
its own, the printer adds ``_<n>`` from a counter of clashes, which unique
ids do not restart either. The names ops ask for are not visible through
the bindings; they are inferred from the default names (``%in_0`` asked as
``%in`` where ``%in`` was taken) and kept as printed by default where the
inference does not replay to the default names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fxn.mlir import ir

_NUMBERED = re.compile(r"%(\d+)(?:#(\d+))?")
_ARGUMENT = re.compile(r"%arg(\d+)")


@dataclass
class Region:
    """A region of the printed IR: its op (index in :attr:`IRShape.ops`), its blocks' arguments and ops."""

    op: int
    parent: "Region | None"  # the region holding ``op``, None for the printed op's regions
    blocks: list[tuple[list[int], list[int]]] = field(default_factory=list)  # (argument indices, op indices)


@dataclass
class IRShape:
    """The printed op's ops in pre-order, their results and block arguments, by index.

    Indices, not ``ir.Operation`` objects, identify ops: an op's hash changes
    when its location does, and the markers of :mod:`fxn.marked_printing`
    change every location.
    """

    ops: list[ir.Operation] = field(default_factory=list)
    results: list[list[ir.Value]] = field(default_factory=list)  # per op
    regions: list[list[Region]] = field(default_factory=list)  # per op
    region_of_op: list[Region | None] = field(default_factory=list)  # the region each op is in
    arguments: list[ir.BlockArgument] = field(default_factory=list)
    entry_argument: list[bool] = field(default_factory=list)
    region_of_argument: list[Region] = field(default_factory=list)

    @classmethod
    def of(cls, top: ir.Operation) -> "IRShape":
        shape = cls()
        shape._add(top, None)
        return shape

    def _add(self, op, region: Region | None) -> int:
        index = len(self.ops)
        self.ops.append(op)
        self.results.append(list(op.results))
        self.region_of_op.append(region)
        self.regions.append([])
        for child_region in op.regions:
            model = Region(index, region)
            self.regions[index].append(model)
            for number, block in enumerate(child_region.blocks):
                arguments = []
                for argument in block.arguments:
                    arguments.append(len(self.arguments))
                    self.arguments.append(argument)
                    self.entry_argument.append(number == 0)
                    self.region_of_argument.append(model)
                model.blocks.append((arguments, []))
                for child in block.operations:
                    model.blocks[-1][1].append(self._add(child.operation, model))
        return index


@dataclass
class Names:
    """The name of every result (per op) and block argument, and the id of every op without results."""

    results: list[list[str]]
    arguments: list[str]
    op_ids: dict[int, str]


def default_names(shape: IRShape) -> Names:
    """The names the bindings' printer gives (custom form, default numbering)."""
    state = ir.AsmState(shape.ops[0])
    return Names([[r.get_name(state) for r in results] for results in shape.results],
                 [a.get_name(state) for a in shape.arguments], {})


def number(shape: IRShape, defaults: Names, *, generic: bool = False, unique: bool = False,
           value_users: bool = False) -> Names:
    """Every value's name as mlir-opt's printer gives it with these options (see the module docstring)."""
    requested = None
    if unique and not generic:
        requested = _Walk(shape, defaults).requested_names()
    return _Walk(shape, defaults, generic=generic, unique=unique or generic, value_users=value_users,
                 requested=requested).run()


class _Walk:
    """One replay of the printer's naming walk.

    ``requested`` maps each value an op names (``("result", op, k)`` or
    ``("argument", index)``) to the name asked for before clashes were
    resolved; without it, names ops choose are kept as the bindings print them.
    """

    def __init__(self, shape: IRShape, defaults: Names, *, generic=False, unique=False, value_users=False,
                 requested: dict | None = None):
        self.shape, self.defaults = shape, defaults
        self.generic, self.unique, self.value_users, self.requested = generic, unique, value_users, requested
        self.results = [list(names) for names in defaults.results]
        self.arguments = list(defaults.arguments)
        self.op_ids: dict[int, str] = {}
        self.counters = {"value": 0, "argument": 0, "conflict": 0}
        self.scopes: dict[int, set] = {}  # names taken in each region (by id), as the printer's scoped table
        self.inferred: dict | None = None  # when inferring: requested name per key

    def run(self) -> Names:
        shape = self.shape
        queue = [(region, dict(self.counters)) for region in shape.regions[0]]
        self._number_op(0)
        while queue:
            region, saved = queue.pop()
            if not self.unique:
                self.counters.update(saved)
            self._number_region(region)
            for _, op_indices in region.blocks:
                for i in op_indices:
                    for nested in shape.regions[i]:
                        queue.append((nested, dict(self.counters)))
        return Names(self.results, self.arguments, self.op_ids)

    def requested_names(self) -> dict | None:
        """The names ops asked for, inferred from the default names (``x_3`` asked as ``x`` where ``x`` was
        taken), or None where replaying the default walk with them does not give the default names back."""
        self.inferred = {}
        names = self.run()
        same = (names.results, names.arguments) == (self.defaults.results, self.defaults.arguments)
        return self.inferred if same else None

    def _next(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind] - 1

    # -- names ops choose, made unique against the names taken in enclosing regions --

    def _taken(self, region: Region | None) -> set:
        taken = set()
        while region is not None:
            taken |= self.scopes.get(id(region), set())
            region = region.parent
        return taken | self.scopes.get(id(None), set())

    def _chosen(self, region: Region | None, key, printed: str) -> str:
        """The name a value an op names gets (``printed`` is its default name)."""
        if self.requested is None and self.inferred is None:
            return printed
        taken = self._taken(region)
        if self.inferred is not None:
            clash = re.fullmatch(r"%(.+)_\d+", printed)
            asked = clash[1] if clash and clash[1] in taken else printed[1:]
            self.inferred[key] = asked
        else:
            asked = self.requested.get(key, printed[1:])
        name = asked
        while name in taken:
            name = f"{asked}_{self._next('conflict')}"
        self.scopes.setdefault(id(region), set()).add(name)
        return f"%{name}"

    # -- the walk --

    def _number_op(self, index: int) -> None:
        names = self.results[index]
        region = self.shape.region_of_op[index]
        if not names:
            if self.value_users:
                self.op_ids[index] = f"%{self._next('value')}"
            return
        defaults = self.defaults.results[index]
        if not self.generic:
            for k, default in enumerate(defaults):
                if not _NUMBERED.fullmatch(default):
                    names[k] = self._chosen(region, ("result", index, k), default)
        if self.generic or _NUMBERED.fullmatch(defaults[0]):
            first = self._next("value")
            if self.generic:
                self.results[index] = [f"%{first}" if len(names) == 1 else f"%{first}#{k}" for k in range(len(names))]
            else:
                self.results[index] = [_renumbered(name, first) for name in names]

    def _number_region(self, region: Region) -> None:
        entry = self.shape.entry_argument
        if not self.generic:  # the arguments the region's op names come first
            for argument_indices, _ in region.blocks:
                for a in argument_indices:
                    default = self.defaults.arguments[a]
                    if not (_ARGUMENT.fullmatch(default) if entry[a] else _NUMBERED.fullmatch(default)):
                        self.arguments[a] = self._chosen(region, ("argument", a), default)
        for argument_indices, op_indices in region.blocks:
            for a in argument_indices:
                default = self.defaults.arguments[a]
                if entry[a] and (self.generic or _ARGUMENT.fullmatch(default)):
                    self.arguments[a] = self._argument_name(region, a)
                elif not entry[a] and (self.generic or _NUMBERED.fullmatch(default)):
                    self.arguments[a] = f"%{self._next('value')}"
            for i in op_indices:
                self._number_op(i)

    def _argument_name(self, region: Region, a: int) -> str:
        """``%arg<N>``: asked for from the argument counter, and made unique as op-chosen names are."""
        asked = f"arg{self._next('argument')}"
        if self.requested is None and self.inferred is None:
            return f"%{asked}"
        taken = self._taken(region)
        name = asked
        while name in taken:
            name = f"{asked}_{self._next('conflict')}"
        self.scopes.setdefault(id(region), set()).add(name)
        return f"%{name}"


def _renumbered(name: str, first: int) -> str:
    """``name`` (``%5`` or ``%5#1``, else an op's own name, kept) with the group number ``first``."""
    match = _NUMBERED.fullmatch(name)
    if match is None:
        return name
    return f"%{first}" if match[2] is None else f"%{first}#{match[2]}"


@dataclass
class Renaming:
    """From the names printed to the names wanted, for the text of each op and of each block argument.

    A name in the text an op prints (or in the declaration of a block
    argument) is a value of the op's (the argument's) region or of a region
    enclosing it, whose numbers differ (see the module docstring), so the
    renaming there is the union over that chain of regions.
    """

    of_op: list[dict[str, str]]
    of_argument: list[dict[str, str]]


def renaming(shape: IRShape, printed: Names, wanted: Names) -> Renaming:
    per_region: dict[int, dict[str, str]] = {}

    def add(region: Region | None, old: str, new: str) -> None:
        if old != new:
            per_region.setdefault(id(region), {})[_base(old)] = _base(new)

    for index, names in enumerate(printed.results):
        for old, new in zip(names, wanted.results[index]):
            add(shape.region_of_op[index], old, new)
    for index, old in enumerate(printed.arguments):
        add(shape.region_of_argument[index], old, wanted.arguments[index])
    chains: dict[int, dict[str, str]] = {}

    def chain(region: Region | None) -> dict[str, str]:
        if id(region) not in chains:
            outer = chain(region.parent) if region is not None else {}
            chains[id(region)] = {**outer, **per_region.get(id(region), {})}
        return chains[id(region)]

    return Renaming([chain(r) for r in shape.region_of_op], [chain(r) for r in shape.region_of_argument])


def _base(name: str) -> str:
    """``%5`` of ``%5#1``: the token the text holds before a result number."""
    return name.split("#", 1)[0]
