"""What the generic lowering assumes about the run-time sizes of a function's dynamic argument dims.

The reference interpreter checks dynamic dims when it runs an op (a
dynamic dim of size 1 broadcasts; incompatible sizes are a located error).
The generic lowering decides from the static types alone and assumes the
rest (see :mod:`.elementwise`, :mod:`.tensor`). :func:`dim_assumptions`
states those assumptions for one fxn-dialect ``func.func`` (the traced
predictor, before lowering) in terms of its arguments' dims, so that a
caller can check them before each call: :meth:`DimAssumptions.check` in
Python, or the flat :attr:`~DimAssumptions.groups` and
:attr:`~DimAssumptions.minimums` in native code.

Every dynamic dim of an argument is a symbol :class:`ArgDim`; symbols flow
through the ops to their results, where a result dim keeps an operand's
dim unchanged (elementwise ops, casts, transpose, reductions' kept dims,
matmul and linear batch/rows/columns, conv and pooling batch and channels,
unpadded pad dims, concat's other dims, a reshape that only regroups
static dims). A dynamic result dim whose size is computed (a concat's sum,
a reshape's ``-1``, a padded dim, an unknown op's result) is *derived*.

The assumptions, each verified against the lowering that makes it:

- **broadcasting** (elementwise ops, ``broadcast_to``, matmul batch dims):
  a dynamic operand dim is read with the result's extent, never broadcast.
  Two dynamic dims meeting in a dynamic result dim are equal; a dynamic dim
  meeting a static result size ``n`` equals ``n`` (``n = 1`` only arises
  for ``broadcast_to``; a static result size 0 reads nothing and assumes
  nothing). A static operand size 1 broadcasts. The equality is slightly
  stronger than the compiled code needs in one case: sizes 0 and 1 would
  give the correct empty result when the 0 is the dim the result's size is
  read from.
- **equal sizes the op itself requires** (the reference refuses anything
  else): matmul and linear contraction dims, linear and conv bias sizes,
  conv input channels (``groups`` times the weight's), batch-norm statistics
  against the input's channels, concat's non-concatenated dims, a dynamic
  input reshaped to a static shape (one dynamic dim: its size follows).
- **minimum sizes where the compiled code reads by position** (else it
  reads out of bounds): a slice's limits, reflect pad amounts below the
  dim's size, a replicate-padded dim non-empty, a crop window inside the
  input.

An assumption about a derived size cannot be checked from the arguments:
it is listed in :attr:`DimAssumptions.unchecked`, never an error. Sizes
are unified across assumptions (union-find), so a derived size equated
with an argument dim or a static size is expressed through it afterwards.
Ops the analysis does not know (``func.call``, other dialects' ops on
dynamic tensors, ops with regions) are listed as unchecked too; their
tensor results' dynamic dims are derived. Loop-carried values of
``scf.for`` keep their initial value's dims if the body yields the same
dims (under the assumptions), else their dims are derived. A loop body's
assumptions are required even of a call whose loop runs zero times.

Also required: a non-empty extent wherever max, min or argmax reduces
(the compiled code would return its starting value). Not covered: calls
the reference refuses while the compiled code returns a value without
reading out of bounds (a ``-1`` reshape of a count that does not divide, a
dynamic dim broadcast against a static 0).
"""

from __future__ import annotations

import math
import re
from typing import Callable, Sequence

from fxn.dialects import OPS, TensorType
from fxn.dialects import elementwise as elementwise_ops
from fxn.dialects import string as string_ops
from fxn.dialects.reduction import reduced_axes, reduced_shape
from fxn.dialects.types import normalize_axis
from fxn.mlir import ir
from fxn.values import FrozenValue

# ----------------------------------------------------------------------------
# The result: assumptions on argument dims, and the check.


class ArgDim(FrozenValue):
    """Dim ``axis`` of argument ``arg`` (both 0-based), ordered by argument, then axis. (This module's values are
    immutable values compared by their fields, not dataclasses, which a cold start would pay ~0.7 ms each for:
    see :mod:`fxn.values`.)"""

    _fields = ("arg", "axis")

    def __init__(self, arg: int, axis: int):
        self._freeze(arg=arg, axis=axis)

    def __lt__(self, other: "ArgDim") -> bool:
        return (self.arg, self.axis) < (other.arg, other.axis)

    def __le__(self, other: "ArgDim") -> bool:
        return (self.arg, self.axis) <= (other.arg, other.axis)

    def __gt__(self, other: "ArgDim") -> bool:
        return (self.arg, self.axis) > (other.arg, other.axis)

    def __ge__(self, other: "ArgDim") -> bool:
        return (self.arg, self.axis) >= (other.arg, other.axis)


class Assumption(FrozenValue):
    """One requirement on argument dims, as the op at ``location`` imposes it.

    Two ``dims`` (``size`` None): they are equal. One dim: it equals
    ``size``, or is at least ``size`` if ``at_least``. ``why`` says what the
    op needs it for.
    """

    _fields = ("dims", "size", "at_least", "op", "location", "why")

    def __init__(self, dims: tuple[ArgDim, ...], size: int | None, at_least: bool, op: str, location: str, why: str):
        self._freeze(dims=dims, size=size, at_least=at_least, op=op, location=location, why=why)

    def holds(self, shapes: Sequence[Sequence[int]]) -> bool:
        first = shapes[self.dims[0].arg][self.dims[0].axis]
        if self.size is None:
            second = self.dims[1]
            return first == shapes[second.arg][second.axis]
        return first >= self.size if self.at_least else first == self.size

    def statement(self, names: Sequence[str]) -> str:
        """The requirement as a condition on the named arguments: ``x.shape[0] == y.shape[0] (fxn.add at f.py:4:12)``."""
        spelled = [f"{names[d.arg]}.shape[{d.axis}]" for d in self.dims]
        condition = (f"{spelled[0]} == {spelled[1]}" if self.size is None
                     else f"{spelled[0]} {'>=' if self.at_least else '=='} {self.size}")
        return f"{condition} ({self.op} at {self.location})"

    def message(self, shapes: Sequence[Sequence[int]], names: Sequence[str]) -> str:
        """The violation as a sentence naming the dims, the op and its location, and the sizes given."""
        got = [shapes[d.arg][d.axis] for d in self.dims]
        spelled = [f"{names[d.arg]}.shape[{d.axis}]" for d in self.dims]
        because = f"({self.op} at {self.location} assumes it; {self.why})"
        if self.size is None:
            return f"dims {spelled[0]} and {spelled[1]} must be equal {because}; got {got[0]} and {got[1]}"
        relation = "at least " if self.at_least else ""
        return f"dim {spelled[0]} must be {relation}{self.size} {because}; got {got[0]}"


class DimGroup(FrozenValue):
    """Argument dims that must all be equal, and equal ``size`` if it is given."""

    _fields = ("dims", "size")

    def __init__(self, dims: tuple[ArgDim, ...], size: int | None):
        self._freeze(dims=dims, size=size)


class DimMinimum(FrozenValue):
    """An argument dim that must be at least ``size``."""

    _fields = ("dim", "size")

    def __init__(self, dim: ArgDim, size: int):
        self._freeze(dim=dim, size=size)


class Unchecked(FrozenValue):
    """An assumption of the op at ``location`` that the arguments' sizes cannot express."""

    _fields = ("op", "location", "reason")

    def __init__(self, op: str, location: str, reason: str):
        self._freeze(op=op, location=location, reason=reason)


class DimAssumptions(FrozenValue):
    """What the compiled code of one function assumes about its arguments' dynamic dims.

    ``assumptions`` lists every requirement as an op imposes it, in program
    order (for messages). ``groups`` and ``minimums`` are the same
    requirements closed under equality, for a check to compare: all dims of
    a group are equal (and equal its size if it has one), each minimum's dim
    is at least its size. A dim is in at most one group, unless the
    assumptions contradict each other (a group per static size; then no call
    satisfies them). ``names`` name the arguments in messages.
    """

    _fields = ("names", "assumptions", "unchecked", "groups", "minimums")

    def __init__(self, names: tuple[str, ...], assumptions: tuple[Assumption, ...], unchecked: tuple[Unchecked, ...]):
        groups = _closed_groups(a for a in assumptions if not a.at_least)
        fixed = {d: g.size for g in groups if g.size is not None for d in g.dims}
        minimums = _strongest_minimums(a for a in assumptions if a.at_least)
        # A minimum that a fixed size already meets is implied by the group.
        minimums = tuple(m for m in minimums if fixed.get(m.dim, -1) < m.size)
        self._freeze(names=names, assumptions=assumptions, unchecked=unchecked, groups=groups, minimums=minimums,
                     _holds=_comparison(groups, minimums))

    def __reduce__(self):
        """Pickled as what it is built from (the on-disk cache stores it): the derived check is built again."""
        return DimAssumptions, (self.names, self.assumptions, self.unchecked)

    def statements(self) -> list[str]:
        """Every assumption as a condition on the arguments (see :meth:`Assumption.statement`), in program order."""
        return [a.statement(self.names) for a in self.assumptions]

    def check(self, shapes: Sequence[Sequence[int]]) -> str | None:
        """None if argument ``shapes`` (one per argument, of the signature's ranks) meet every assumption.

        Otherwise the first violated assumption, in program order, as a message.
        """
        return None if self._holds(shapes) else self._first_violation(shapes)

    def _first_violation(self, shapes) -> str:
        # The groups are connected by the assumptions, so a violated group has a violated assumption.
        violated = next(a for a in self.assumptions if not a.holds(shapes))
        return violated.message(shapes, self.names)


def _comparison(groups: Sequence[DimGroup], minimums: Sequence[DimMinimum]) -> Callable[[Sequence], bool]:
    """``shapes -> bool``: whether every group and minimum holds, as one expression over the shapes.

    Generated code (only integer literals in it) runs in a few hundred
    nanoseconds per call, several times faster than loops over the same
    comparisons: this runs before every call of a compiled function.
    """
    tests = []
    for group in groups:
        first = f"s[{group.dims[0].arg}][{group.dims[0].axis}]"
        tests += [f"{first} == s[{d.arg}][{d.axis}]" for d in group.dims[1:]]
        if group.size is not None:
            tests.append(f"{first} == {group.size}")
    tests += [f"s[{m.dim.arg}][{m.dim.axis}] >= {m.size}" for m in minimums]
    return eval(f"lambda s: {' and '.join(tests) or 'True'}")


def _closed_groups(assumptions) -> tuple[DimGroup, ...]:
    """The equality classes of argument dims and static sizes that equality ``assumptions`` connect."""
    classes = _UnionFind()
    for assumption in assumptions:
        other = assumption.dims[1] if assumption.size is None else assumption.size
        classes.union(assumption.dims[0], other)
    groups = []
    for members in classes.classes():
        dims = tuple(sorted(m for m in members if isinstance(m, ArgDim)))
        sizes = sorted(m for m in members if isinstance(m, int))
        groups += [DimGroup(dims, size) for size in sizes] or [DimGroup(dims, None)]
    return tuple(sorted(groups, key=lambda g: g.dims))


def _strongest_minimums(assumptions) -> tuple[DimMinimum, ...]:
    strongest: dict[ArgDim, int] = {}
    for assumption in assumptions:
        dim = assumption.dims[0]
        strongest[dim] = max(strongest.get(dim, 0), assumption.size)
    return tuple(DimMinimum(dim, size) for dim, size in sorted(strongest.items()))


class _UnionFind:
    """Equality classes of hashable members (argument dims, static sizes, derived sizes)."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, member):
        self.parent.setdefault(member, member)
        root = member
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[member] != root:  # path compression
            self.parent[member], member = root, self.parent[member]
        return root

    def union(self, a, b):
        """Merge the classes of ``a`` and ``b``; return the new root and the absorbed one."""
        root, absorbed = self.find(a), self.find(b)
        if root != absorbed:
            self.parent[absorbed] = root
        return root, absorbed

    def classes(self) -> list[list]:
        by_root: dict = {}
        for member in self.parent:
            by_root.setdefault(self.find(member), []).append(member)
        return list(by_root.values())


# ----------------------------------------------------------------------------
# The analysis: a size term per dim of every tensor value.


class _Derived:
    """A dynamic size computed at run time from other sizes (no argument dim names it); equal only to itself."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return f"_Derived(description={self.description!r})"


#: A dim's size: a static int, an argument's dynamic dim, or a derived size.
Term = int | ArgDim | _Derived


class _Site(FrozenValue):
    """The op imposing an assumption: its name and ``file:line:col``."""

    _fields = ("op", "location")

    def __init__(self, op: str, location: str):
        self._freeze(op=op, location=location)


_BROADCAST = "dynamic dims broadcast only where the type says 1"
_FILE_LOCATION = re.compile(r'loc\("(.*)":(\d+):(\d+)\)')


def _location(location: ir.Location) -> str:
    text = str(location)
    match = _FILE_LOCATION.fullmatch(text)
    return f"{match[1]}:{match[2]}:{match[3]}" if match else text


class _Analysis:
    """One pass over a function body: size terms of values, the assumptions met on the way."""

    def __init__(self, names: tuple[str, ...], unstable: frozenset):
        self.names = names
        self.terms: dict = {}  # ir.Value -> tuple[Term, ...]
        self.sizes = _UnionFind()
        self.witness: dict = {}  # class root -> the static size or argument dim expressing the class
        self.assumptions: list[Assumption] = []
        self.unchecked: list[Unchecked] = []
        #: Loop-carried dims known to change across iterations: (loop ordinal, value index, axis).
        self.unstable = unstable
        self.found_unstable: set = set()
        self.loops = 0

    # -- terms and their classes -----------------------------------------------

    def express(self, term: Term) -> int | ArgDim | None:
        """``term`` as a static size or argument dim, through the assumptions so far; None if derived."""
        return self.class_witness(term) if isinstance(term, _Derived) else term

    def class_witness(self, term: Term) -> int | ArgDim | None:
        """The static size or argument dim that expresses ``term``'s class, if the class has one."""
        witness = self.witness.get(self.sizes.find(term))
        return term if witness is None and not isinstance(term, _Derived) else witness

    def unify(self, a: Term, b: Term) -> None:
        witnesses = [w for w in (self.class_witness(a), self.class_witness(b)) if w is not None]
        root, absorbed = self.sizes.union(a, b)
        self.witness.pop(absorbed, None)
        if witnesses:
            # A static size expresses a class best; else the first argument dim.
            self.witness[root] = min(witnesses, key=lambda w: (0, w, 0) if isinstance(w, int) else (1, w.arg, w.axis))

    def describe(self, term: Term) -> str:
        if isinstance(term, ArgDim):
            return f"{self.names[term.arg]}.shape[{term.axis}]"
        return term.description if isinstance(term, _Derived) else str(term)

    # -- assumptions ---------------------------------------------------------

    def require_equal(self, site: _Site, a: Term, b: Term, why: str) -> None:
        """The op at ``site`` needs sizes ``a`` and ``b`` to be equal."""
        if a == b:
            return
        first, second = self.express(a), self.express(b)
        self.unify(a, b)
        if first is None or second is None:
            self.note_unchecked(site, f"{self.describe(a)} must equal {self.describe(b)} ({why})")
        elif first == second:
            return
        elif isinstance(first, int) and isinstance(second, int):
            self.note_unchecked(site, f"{self.describe(a)} must equal {self.describe(b)} ({why}), "
                                      f"but other assumptions make them {first} and {second}")
        elif isinstance(first, int) or isinstance(second, int):
            dim, size = (second, first) if isinstance(first, int) else (first, second)
            self.assumptions.append(Assumption((dim,), size, False, site.op, site.location, why))
        else:
            self.assumptions.append(Assumption((first, second), None, False, site.op, site.location, why))

    def require_at_least(self, site: _Site, term: Term, size: int, why: str) -> None:
        """The op at ``site`` needs size ``term`` to be at least ``size``."""
        expressed = self.express(term)
        if size <= 0 or (isinstance(expressed, int) and expressed >= size):
            return
        if isinstance(expressed, ArgDim):
            self.assumptions.append(Assumption((expressed,), size, True, site.op, site.location, why))
        else:
            self.note_unchecked(site, f"{self.describe(term)} must be at least {size} ({why})")

    def note_unchecked(self, site: _Site, reason: str) -> None:
        self.unchecked.append(Unchecked(site.op, site.location, reason))

    def broadcast(self, site: _Site, operands: Sequence[tuple], result_shape: Sequence) -> list[Term]:
        """Result terms of operands broadcast as :func:`~.structured.broadcast_map` reads them."""
        rank = len(result_shape)
        result = []
        for axis, size in enumerate(result_shape):
            aligned = [terms[axis - rank + len(terms)] for terms in operands if axis - rank + len(terms) >= 0]
            dynamic = [t for t in aligned if not isinstance(t, int)]
            if size is not None:
                for term in dynamic:
                    if size:  # a static 0 reads nothing
                        self.require_equal(site, term, size, _BROADCAST)
                result.append(size)
                continue
            # The result's size is read from the first dynamic operand (structured.dynamic_sizes).
            for term in dynamic[1:]:
                self.require_equal(site, dynamic[0], term, _BROADCAST)
            result.append(dynamic[0])
        return result

    # -- walking the IR ------------------------------------------------------

    def run(self, function) -> None:
        block = function.regions[0].blocks[0]
        for index, argument in enumerate(block.arguments):
            shape = TensorType.from_mlir(argument.type).shape
            self.terms[argument] = tuple(ArgDim(index, axis) if d is None else d for axis, d in enumerate(shape))
        self.visit_block(block)

    def visit_block(self, block) -> list:
        """Visit the ops of ``block``; return its terminator's operands."""
        for op in block.operations:
            name = op.operation.name
            if name in ("func.return", "scf.yield"):
                return list(op.operands)
            site = _Site(name, _location(op.location))
            if name == "scf.for":
                self.visit_for(op, site)
            elif name in RULES:
                self.visit_fxn_op(op, site)
            else:
                self.visit_unknown(op, site)
        return []

    def visit_fxn_op(self, op, site: _Site) -> None:
        op_class = OPS[site.op]
        operands = op_class.group_operands([self.terms[v] for v in op.operands])
        attrs = op_class.decode_attrs(op.operation.attributes)
        result = TensorType.from_mlir(op.results[0].type)
        terms = RULES[site.op](self, site, operands, attrs, result)
        self.terms[op.results[0]] = tuple(
            size if size is not None else term if term is not None else self.derived(site, axis)
            for axis, (size, term) in enumerate(zip(result.shape, terms))
        )

    def derived(self, site: _Site, axis: int, what: str = "the result") -> _Derived:
        return _Derived(f"dim {axis} of {what} of {site.op} at {site.location} (a derived size)")

    def visit_unknown(self, op, site: _Site) -> None:
        """An op the analysis does not model: whatever it assumes is unchecked, its results derived."""
        dynamic_operand = any(
            not isinstance(t, int) for v in op.operands for t in self.terms.get(v, ())
        )
        if len(op.regions) or (dynamic_operand and site.op != "tensor.dim"):
            self.note_unchecked(site, "the op is not analysed; whatever it assumes about dynamic dims is unchecked")
        for result in op.results:
            if isinstance(result.type, ir.RankedTensorType):
                shape = TensorType.from_mlir(result.type).shape
                self.terms[result] = tuple(self.derived(site, a) if d is None else d for a, d in enumerate(shape))

    def visit_for(self, op, site: _Site) -> None:
        """``scf.for``: carried dims keep their initial terms unless an earlier pass found them changing."""
        ordinal, self.loops = self.loops, self.loops + 1
        body = op.regions[0].blocks[0]
        carried = list(body.arguments)[1:]
        for index, (init, argument) in enumerate(zip(list(op.operands)[3:], carried)):
            if init in self.terms:
                self.terms[argument] = tuple(
                    self.derived(site, axis, f"loop-carried value #{index}")
                    if (ordinal, index, axis) in self.unstable and not isinstance(t, int) else t
                    for axis, t in enumerate(self.terms[init])
                )
        yielded = self.visit_block(body)
        for index, (argument, value, result) in enumerate(zip(carried, yielded, op.results)):
            if argument not in self.terms:
                continue
            for axis, (before, after) in enumerate(zip(self.terms[argument], self.terms[value])):
                if self.sizes.find(before) != self.sizes.find(after):
                    self.found_unstable.add((ordinal, index, axis))
            # A changing dim's final size is none of the sizes the body saw.
            self.terms[result] = tuple(
                self.derived(site, axis, f"loop result #{index}") if (ordinal, index, axis) in self.unstable else t
                for axis, t in enumerate(self.terms[argument])
            )


def dim_assumptions(function, names: Sequence[str] | None = None) -> DimAssumptions:
    """What the generically lowered ``function`` (an fxn-dialect ``func.func``) assumes about its arguments' dims.

    ``names`` name the arguments in messages (default ``arg0``, ``arg1``, ...).
    """
    block = function.regions[0].blocks[0]
    names = tuple(names) if names is not None else tuple(f"arg{i}" for i in range(len(block.arguments)))
    unstable: frozenset = frozenset()
    while True:
        analysis = _Analysis(names, unstable)
        analysis.run(function)
        changing = analysis.found_unstable - unstable
        if not changing:
            return DimAssumptions(names, tuple(analysis.assumptions), tuple(analysis.unchecked))
        # Dims found changing make later terms derived: analyse again until nothing new changes.
        unstable |= changing


# ----------------------------------------------------------------------------
# Per-op rules: ``rule(analysis, site, operands, attrs, result) -> a term or None (derived) per result dim``.
# ``operands`` holds each operand's terms, grouped as the op declares its operands.

Rule = Callable[[_Analysis, _Site, dict, object, TensorType], list]
RULES: dict[str, Rule] = {}


def _rule(*op_names: str):
    def register(fn: Rule) -> Rule:
        for name in op_names:
            RULES[name] = fn
        return fn

    return register


def _elementwise(a, site, operands, attrs, result):
    return a.broadcast(site, list(operands.values()), result.shape)


# Each op of dialects/elementwise.py lowers to one broadcasting generic (structured.elementwise).
RULES.update({name: _elementwise for name, op in OPS.items() if op.__module__ == elementwise_ops.__name__})


def _string(a, site, operands, attrs, result):
    return [None] * result.rank


# The string ops of dialects/string.py assume nothing of their operands' lengths; a string's length follows from
# its contents (a derived size).
RULES.update({name: _string for name, op in OPS.items() if op.__module__ == string_ops.__name__})


@_rule("fxn.broadcast_to")
def _broadcast_to(a, site, operands, attrs, result):
    return a.broadcast(site, [operands["input"]], result.shape)


@_rule("fxn.constant")
def _constant(a, site, operands, attrs, result):
    return list(result.shape)


@_rule("fxn.call_indirect")
def _call_indirect(a, site, operands, attrs, result):
    return []  # scalars in and out: nothing to assume


@_rule("fxn.slice")
def _slice(a, site, operands, attrs, result):
    for term, limit in zip(operands["input"], attrs.limits):
        a.require_at_least(site, term, limit, "the slice's limit lies within the dim")
    return list(result.shape)


@_rule("fxn.transpose")
def _transpose(a, site, operands, attrs, result):
    terms = operands["input"]
    return [terms[p % len(terms)] for p in attrs.permutation]


@_rule("fxn.reshape")
def _reshape(a, site, operands, attrs, result):
    terms = operands["input"]
    dynamic = [t for t in terms if not isinstance(t, int)]
    static_part = math.prod(t for t in terms if isinstance(t, int))
    if not dynamic or not static_part:
        return [None] * result.rank
    why = "a reshape keeps the element count"
    if result.is_static:
        size = math.prod(result.shape) // static_part
        if len(dynamic) == 1:
            a.require_equal(site, dynamic[0], size, why)
        else:
            product = " * ".join(a.describe(t) for t in dynamic)
            a.note_unchecked(site, f"{product} must be {size} ({why})")
        return list(result.shape)
    # The -1 dim is the element count over the other sizes: the one dynamic dim if they are its static part.
    known = math.prod(d for d in attrs.shape if d != -1)
    unchanged = dynamic[0] if len(dynamic) == 1 and known == static_part else None
    return [unchanged if d is None else d for d in result.shape]


@_rule("fxn.pad")
def _pad(a, site, operands, attrs, result):
    terms = []
    for term, low, high in zip(operands["input"], attrs.low, attrs.high):
        if attrs.mode == "reflect" and max(low, high):
            a.require_at_least(site, term, max(low, high) + 1, "reflect padding needs amounts below the dim's size")
        if attrs.mode == "replicate" and max(low, high):
            a.require_at_least(site, term, 1, "replicate padding needs a non-empty dim")
        terms.append(term if low == high == 0 else None)
    return terms


@_rule("fxn.concat")
def _concat(a, site, operands, attrs, result):
    inputs = [operands["first"], operands["second"], *operands["rest"]]
    dim = normalize_axis(attrs.dim, result.rank)
    terms = []
    for axis in range(result.rank):
        column = [terms_of[axis] for terms_of in inputs]
        if axis == dim:  # the sum: an input's own size only where the others are empty
            nonempty = [t for t in column if t != 0]
            terms.append(nonempty[0] if len(nonempty) == 1 else None)
            continue
        static = [t for t in column if isinstance(t, int)]
        joined = static[0] if static else column[0]
        for term in column:
            a.require_equal(site, joined, term, "concatenated inputs agree outside the concatenation dim")
        terms.append(joined)
    return terms


_NO_EMPTY_EXTREMUM = "the maximum or minimum of nothing is undefined"


@_rule("fxn.reduce")
def _reduce(a, site, operands, attrs, result):
    terms = operands["input"]
    axes = reduced_axes(attrs.axes, len(terms))
    if attrs.kind in ("max", "min"):
        for axis in axes:
            if axis < len(terms):  # a 0-d input's one axis holds its element
                a.require_at_least(site, terms[axis], 1, _NO_EMPTY_EXTREMUM)
    return list(reduced_shape(terms, axes, attrs.keepdims))


@_rule("fxn.argmax")
def _argmax(a, site, operands, attrs, result):
    terms = operands["input"]
    axes = reduced_axes((attrs.dim,), len(terms))
    for axis in axes:
        if axis < len(terms):
            a.require_at_least(site, terms[axis], 1, _NO_EMPTY_EXTREMUM)
    return list(reduced_shape(terms, axes, attrs.keepdims))


@_rule("fxn.softmax", "fxn.cumulative")
def _softmax(a, site, operands, attrs, result):
    return list(operands["input"])


@_rule("fxn.matmul")
def _matmul(a, site, operands, attrs, result):
    lhs, rhs = operands["lhs"], operands["rhs"]
    contracted = rhs[-2] if len(rhs) > 1 else rhs[0]
    a.require_equal(site, lhs[-1], contracted, "the contracting dims of a matrix product")
    rows = list(lhs[-2:-1])
    columns = list(rhs[-1:]) if len(rhs) > 1 else []
    batch_rank = result.rank - len(rows) - len(columns)
    return a.broadcast(site, [lhs[:-2], rhs[:-2]], result.shape[:batch_rank]) + rows + columns


@_rule("fxn.linear", "fxn.linear_activation")
def _linear(a, site, operands, attrs, result):
    x, weight, bias = operands["input"], operands["weight"], operands["bias"]
    a.require_equal(site, x[-1], weight[1], "input features and the weight's input features")
    if bias is not None:
        a.require_equal(site, weight[0], bias[0], "one bias per output feature")
    return list(x[:-1]) + [weight[0]]


@_rule("fxn.conv2d", "fxn.conv2d_activation")
def _conv2d(a, site, operands, attrs, result):
    x, weight, bias = operands["input"], operands["weight"], operands["bias"]
    channels, groups = x[1], attrs.groups
    why = "input channels are groups times the weight's input channels"
    if groups == 1:
        a.require_equal(site, channels, weight[1], why)
    elif isinstance(weight[1], int):
        a.require_equal(site, channels, groups * weight[1], why)
    elif isinstance(channels, int):
        a.require_equal(site, weight[1], channels // groups, why)
    else:
        a.note_unchecked(site, f"{a.describe(channels)} must be {groups} * {a.describe(weight[1])} ({why})")
    if bias is not None:
        a.require_equal(site, weight[0], bias[0], "one bias per output channel")
    return [x[0], weight[0], None, None]


def _spatial_derived(terms) -> list:
    """Leading dims kept, the two spatial dims computed (or static)."""
    return list(terms[:-2]) + [None, None]


@_rule("fxn.max_pool2d", "fxn.avg_pool2d", "fxn.adaptive_avg_pool2d", "fxn.resize")
def _windowed(a, site, operands, attrs, result):
    return _spatial_derived(operands["input"])


@_rule("fxn.crop")
def _crop(a, site, operands, attrs, result):
    terms = operands["input"]
    why = "the crop window lies inside the input"
    a.require_at_least(site, terms[-2], attrs.top + attrs.height, why)
    a.require_at_least(site, terms[-1], attrs.left + attrs.width, why)
    return _spatial_derived(terms)


@_rule("fxn.batch_norm")
def _batch_norm(a, site, operands, attrs, result):
    x = operands["input"]
    for name in ("running_mean", "running_var", "weight", "bias"):
        a.require_equal(site, x[1], operands[name][0], "one statistic per input channel")
    return list(x)


@_rule("fxn.layer_norm")
def _layer_norm(a, site, operands, attrs, result):
    x = operands["input"]
    normalized = x[len(x) - attrs.normalized_rank:]
    for name in ("weight", "bias"):
        for dim, size in zip(normalized, operands[name]):
            a.require_equal(site, dim, size, f"the {name} has the normalized dims' shape")
    return list(x)


@_rule("fxn.dim")
def _dim(a, site, operands, attrs, result):
    return []


@_rule("fxn.dynamic_slice")
def _dynamic_slice(a, site, operands, attrs, result):
    # Compiled code checks the window against the input's dims; a run-time size is a new size.
    return list(result.shape)


@_rule("fxn.dynamic_update_slice")
def _dynamic_update_slice(a, site, operands, attrs, result):
    # Compiled code checks the window against the input's dims, and each update dim against the window's (1 or
    # its size); the result has the input's dims.
    return list(operands["input"])


@_rule("fxn.full", "fxn.empty")
def _new_tensor(a, site, operands, attrs, result):
    return list(result.shape)
