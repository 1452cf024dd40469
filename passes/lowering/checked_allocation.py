"""Checked allocation and indexing: compiled code reports a failed allocation, an index out of bounds, or a
stored value whose run-time size does not broadcast to its window.

Compiled code neither writes through NULL nor reads past a buffer: it
stops and says where. Two passes, one at each level where the facts are
visible:

- ``fxn-check-alloc-sizes`` (on ``memref.alloc``, after bufferization): the
  byte size of a buffer with dynamic dims is the product of its dims and
  its element size, which the conversion to LLVM computes in wrapping
  ``index`` arithmetic. The pass computes the same product with overflow
  checks and, where it overflows (or exceeds a quarter of the index range),
  asks for ``limit`` bytes instead (``2**62`` with 64-bit indices), which
  no allocator can give: an overflowing size becomes a failed allocation.
  Before/after::

      %m = memref.alloc(%n, %k) : memref<?x?xf32>
      ==>
      %p, %hi = arith.mului_extended %c4, %n ...    (bytes so far, overflow bits)
      %m = memref.alloc(%n_or_huge, %k_or_1) : memref<?x?xf32>

- ``fxn-check-allocations`` (on the LLVM dialect, last): reports each
  *failure site* through a status. A failure site is

  - an allocation: every ``malloc``/``aligned_alloc`` result is compared
    with NULL;
  - an index out of bounds: the lowering of an op that indexes with a
    run-time index checks it and, where it is out of bounds, calls
    ``fxn.index_out_of_bounds(i64 index, i64 size, i64 axis)`` (declared,
    never defined: the index as the user wrote it, possibly negative, the
    size of the indexed axis, the axis), at the location of the op. The
    pass replaces each such call with the report below; the ops after it
    in its block would never run and are erased (a value one of them
    defines becomes poison where a block it reached uses it); the
    declaration is erased, so the compiled code imports no such symbol.
    (Only a declaration is this hook: a function of that name with a body
    is called as any other.)
  - a broadcast mismatch: the lowering of a store whose value has a dim
    known only at run time calls ``fxn.broadcast_mismatch(i64 size, i64
    window, i64 axis)`` where that dim is neither 1 nor the size of the
    window it is stored into (the input's axis); the pass treats it as it
    treats the index check.
  - an invalid literal: the lowering of ``fxn.str_to_int`` calls
    ``fxn.invalid_literal(i64 position, i64 length, i64 bits)`` where its
    text is no integer (``bits`` 0: ``position`` the byte where the text
    stops being one, ``length`` the text's bytes) or one beyond the range of
    the result (``bits`` its width); treated as the index check. The other
    value errors of the string ops use it with a negative ``bits``
    (:data:`NOT_A_FLOAT`, :data:`FIXED_POINT_RANGE`, :data:`EMPTY_SEPARATOR`),
    and an index check of a str or a list of strs has the negative axis
    :data:`STRING_INDEX` or :data:`LIST_INDEX` (CPython's ``string index out
    of range``).

  Each function that has a failure site, or calls a function of the
  module that may fail, and each C interface wrapper (``_mlir_ciface_*``,
  the entries callers use), takes one more, last, argument: a pointer to
  the caller's *status*, four ``int64_t`` (:data:`STATUS_FIELDS`):
  ``{site, value, bound, axis}``. A function with a status sets ``site``
  to 0 when it starts (the other fields are left as they are). A failure
  branches to one block per function that stores the site number (from
  1, in the order of the module attribute ``fxn.allocation_sites``, one
  sequence for both kinds) and the details:

  - an allocation: ``value`` the byte size it asked for (zero-extended to
    64 bits where ``size_t`` is narrower, as on wasm32), ``bound`` and
    ``axis`` 0;
  - an index: ``value`` the index, ``bound`` the size, ``axis`` the axis
    (each sign-extended to 64 bits if narrower); a broadcast mismatch:
    ``value`` the stored size, ``bound`` the window's; an invalid literal:
    ``value`` the position, ``bound`` the length, ``axis`` the bits;

  and the function returns at once (a zero value); after a call of a
  function that may fail, a non-zero ``site`` returns at once too. Buffers
  allocated before the failure are not freed (a failed call leaks them).

  A site inside a parallel loop (the region of an OpenMP op, which code
  cannot return from) reports the same way but only if no other thread
  has yet (an atomic compare-exchange of ``site`` from 0), then ends its
  iteration (the region's ``omp.yield``); the other iterations run to
  their end, and after the loop a non-zero ``site`` returns at once.
  Functions that may fail carry the unit attribute ``fxn.may_fail``.
  Before/after, for an index::

      llvm.call @fxn.index_out_of_bounds(%i, %n, %axis) : (i64, i64, i64) -> ()   loc("p.py":4:12)
      llvm.br ^merge
      ==>
      %site = llvm.mlir.constant(2 : i64) : i64
      llvm.br ^failed(%site, %i, %n, %axis : i64, i64, i64, i64)
      ...
      ^failed(%s: i64, %value: i64, %bound: i64, %axis: i64):   (stores the four fields, returns)

  Each entry of ``fxn.allocation_sites`` is ``{kind, file, line, column}``:
  ``kind`` is ``"allocation"``, ``"index"``, ``"broadcast"`` or ``"literal"``
  (:data:`ALLOCATION`, :data:`INDEX`, :data:`BROADCAST`, :data:`LITERAL`); the location is the first file location in the op's
  (inside a fused, call-site or name location: the callee's, where an
  inlined op came from), and only the kind where it has none.
  :func:`allocation_sites` reads them back as :class:`FailureSite`, and
  :func:`failure_error` makes the Python error a status reports: a
  ``MemoryError`` for an allocation, an ``IndexError`` in numpy's words for
  an index, a ``ValueError`` for a broadcast mismatch or an invalid literal (:func:`failure_message`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fxn import llvm_ops as llvm
from fxn.mlir import arith, ir, llvm_native
from fxn.values import FrozenValue

from ..registry import FxnPass, PassFailure

#: Allocation functions the conversion to LLVM calls -> index of their byte-size operand.
ALLOCATORS = {"malloc": 0, "aligned_alloc": 1}
#: Prefix of the C interface wrappers that ``llvm.emit_c_interface`` creates: the entries callers use.
C_INTERFACE_PREFIX = "_mlir_ciface_"
#: The function the lowering calls where an index is out of bounds: ``(i64 index, i64 size, i64 axis) -> ()``.
INDEX_CHECK = "fxn.index_out_of_bounds"
#: The function it calls where a stored value does not broadcast: ``(i64 size, i64 window, i64 axis) -> ()``.
BROADCAST_CHECK = "fxn.broadcast_mismatch"
#: The function it calls where a text is no integer: ``(i64 position, i64 length, i64 bits) -> ()``.
LITERAL_CHECK = "fxn.invalid_literal"
#: The third operand of a literal check that is no int() width: text that is no float (``fxn.str_to_float``), a
#: float whose fixed-point digits reach 2**64 (``fxn.format``), an empty separator (``fxn.str_split_*``).
NOT_A_FLOAT, FIXED_POINT_RANGE, EMPTY_SEPARATOR = -1, -2, -3
#: The axis of an index check of a str's code point or a list's item, and the sequence CPython names in its message.
STRING_INDEX, LIST_INDEX = -1, -2
SEQUENCE_INDEX = {STRING_INDEX: "string", LIST_INDEX: "list"}
#: Module attribute listing each failure site's kind and location, site ``k`` at index ``k - 1``.
SITES_ATTRIBUTE = "fxn.allocation_sites"
#: Unit attribute of the functions that may fail.
MAY_FAIL_ATTRIBUTE = "fxn.may_fail"
#: The kinds of failure site (the ``kind`` of each entry of :data:`SITES_ATTRIBUTE`).
ALLOCATION, INDEX, BROADCAST, LITERAL = "allocation", "index", "broadcast", "literal"
#: The checks' hooks (declared, never defined) -> the kind of site a call of one is.
CHECKS = {INDEX_CHECK: INDEX, BROADCAST_CHECK: BROADCAST, LITERAL_CHECK: LITERAL}
#: The fields of the status, each an ``int64_t`` (``struct fxn_status`` of the C header), in order.
STATUS_FIELDS = ("site", "value", "bound", "axis")
#: Bytes of the status (on every target).
STATUS_BYTES = 8 * len(STATUS_FIELDS)


# ----------------------------------------------------------------------------- fxn-check-alloc-sizes


@dataclass
class FxnCheckAllocSizes(FxnPass):
    """Turn a buffer size that overflows index arithmetic into a failing allocation of `limit` bytes.

    See :mod:`fxn.passes.lowering.checked_allocation`. ``index-bitwidth``
    is the width of ``index`` on the target (the limit is a quarter of its
    range). The anchor is any op holding ``memref.alloc`` ops.
    """

    argument = "fxn-check-alloc-sizes"
    index_bitwidth: int = 64

    def run_on(self, op) -> None:
        allocs = []

        def collect(inner):
            if inner.name == "memref.alloc" and len(inner.operands):
                allocs.append(inner)
            return ir.WalkResult.ADVANCE

        op.walk(collect)
        for alloc in allocs:
            self._check_size(alloc)

    def _check_size(self, alloc) -> None:
        memref_type = ir.MemRefType(alloc.results[0].type)
        limit = 1 << (self.index_bitwidth - 2)
        static_bytes = _element_bytes(memref_type.element_type, self.index_bitwidth)
        for size in memref_type.shape:
            if not ir.ShapedType.is_dynamic_size(size):
                static_bytes *= size
        if static_bytes == 0 or static_bytes >= limit:
            return  # no element, or too large for any allocator already
        with ir.InsertionPoint(alloc), alloc.location:
            index = ir.IndexType.get()
            constant = lambda value: arith.constant(index, value)  # noqa: E731
            zero, bound = constant(0), constant(limit)
            total, too_large = constant(static_bytes), None
            for size in alloc.operands:
                total, high = arith.mului_extended(total, size)
                this = arith.ori(arith.cmpi(arith.CmpIPredicate.ne, high, zero),
                                 arith.cmpi(arith.CmpIPredicate.uge, total, bound))
                too_large = this if too_large is None else arith.ori(too_large, this)
            replacements = [limit // static_bytes] + [1] * (len(alloc.operands) - 1)
            for position, replacement in enumerate(replacements):
                alloc.operands[position] = arith.select(too_large, constant(replacement), alloc.operands[position])
        self.count("checked", "allocations with dynamic sizes checked for overflow")


def _element_bytes(element_type, index_bitwidth: int = 64) -> int:
    """Bytes one element of a buffer takes (``i1`` is a byte, ``index`` the target's width)."""
    if isinstance(element_type, ir.IndexType):
        return index_bitwidth // 8
    width = element_type.width if isinstance(element_type, (ir.IntegerType, ir.FloatType)) else 64
    return max(1, width // 8)


# ----------------------------------------------------------------------------- fxn-check-allocations


@dataclass
class FxnCheckAllocations(FxnPass):
    """Report every failure site of LLVM-dialect code (a NULL allocation, a failed check) through a status.

    See :mod:`fxn.passes.lowering.checked_allocation` for the status and the
    sites. The anchor is the ``builtin.module``.
    """

    argument = "fxn-check-allocations"

    def run_on(self, module) -> None:
        functions = {_symbol(f): f for f in _functions(module) if len(f.regions[0].blocks)}
        hooks = _failure_hooks(functions)
        may_fail = _functions_that_may_fail(functions, hooks)
        with_status = [n for n in functions if n in may_fail or n.startswith(C_INTERFACE_PREFIX)]  # module order
        with module.context:
            for name in with_status:
                _add_status_argument(functions[name])
            sites: list = []
            for name in with_status:
                _StatusRewriter(functions[name], set(with_status), may_fail, hooks & CHECKS.keys(), sites).run()
                if name in may_fail:
                    functions[name].attributes[MAY_FAIL_ATTRIBUTE] = ir.UnitAttr.get()
            _erase_check_declarations(module)
            module.attributes[SITES_ATTRIBUTE] = ir.ArrayAttr.get([_site_attribute(*site) for site in sites])
        kinds = [kind for kind, _ in sites]
        self.count("sites", "allocations checked for NULL", kinds.count(ALLOCATION))
        self.count("index-sites", "index checks reporting through the status", kinds.count(INDEX))
        self.count("broadcast-sites", "broadcast checks reporting through the status", kinds.count(BROADCAST))
        self.count("literal-sites", "integer literal checks reporting through the status", kinds.count(LITERAL))


def _functions(module) -> list:
    return [op for op in module.regions[0].blocks[0].operations if op.name == "llvm.func"]


def _symbol(function) -> str:
    return ir.StringAttr(function.attributes["sym_name"]).value


def _failure_hooks(functions: dict) -> set[str]:
    """The callees whose calls are failure sites: the allocators, and the checks' hooks the module does not define."""
    return set(ALLOCATORS) | (CHECKS.keys() - functions.keys())


def _callee(op) -> str | None:
    """The symbol a direct ``llvm.call`` calls, else None."""
    if op.name != "llvm.call" or "callee" not in op.attributes:
        return None
    return ir.FlatSymbolRefAttr(op.attributes["callee"]).value


def _calls(function) -> list:
    """The direct calls in ``function``, also in the regions of its ops (parallel loops)."""
    calls = []

    def visit(op):
        if _callee(op) is not None:
            calls.append(op)
        return ir.WalkResult.ADVANCE

    function.operation.walk(visit)
    return calls


def _live_calls(function, checks: set[str]) -> list:
    """The calls of ``function``, in order, also in the regions of its ops (parallel loops), but none after a call
    of one of ``checks`` in its block (never run).

    ``checks`` are the hooks of :data:`CHECKS` that are failure sites (the module does not define them).
    """
    calls = []

    def visit(holder):
        for region in holder.regions:
            for block in region.blocks:
                for op in block.operations:
                    callee = _callee(op)
                    if callee is not None:
                        calls.append(op)
                        if callee in checks:
                            break
                    elif len(op.regions):
                        visit(op)

    visit(function.operation)
    return calls


def _region_owner(op, function):
    """The op whose region holds ``op``'s block (an OpenMP op of a parallel loop), or None in ``function``'s body."""
    owner = op.operation.block.owner
    return None if owner == function.operation else owner


def _top_level_ancestor(op, function):
    """The op of ``function``'s body that holds ``op`` in one of its regions."""
    ancestor = op.operation
    while ancestor.parent != function.operation:
        ancestor = ancestor.parent
    return ancestor


def _functions_that_may_fail(functions: dict, hooks: set[str]) -> set[str]:
    """The functions that call a failure hook, or one that may fail (a fixed point over the call graph)."""
    callees = {name: {_callee(call) for call in _calls(f)} for name, f in functions.items()}
    failing = {name for name, called in callees.items() if called & hooks}
    while True:
        more = {name for name, called in callees.items() if called & failing} - failing
        if not more:
            return failing
        failing |= more


def _add_status_argument(function) -> None:
    """Append a ``!llvm.ptr`` argument (the status) to ``function``'s type and entry block."""
    ptr = ir.Type.parse("!llvm.ptr")
    old = llvm_native.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value)
    new = llvm_native.FunctionType.get(old.return_type, [*old.inputs, ptr], is_var_arg=old.is_var_arg)
    function.attributes["function_type"] = ir.TypeAttr.get(new)
    if "arg_attrs" in function.attributes:
        attrs = list(ir.ArrayAttr(function.attributes["arg_attrs"]))
        function.attributes["arg_attrs"] = ir.ArrayAttr.get([*attrs, ir.DictAttr.get({})])
    function.regions[0].blocks[0].add_argument(ptr, function.location)


def _erase_check_declarations(module) -> None:
    """Erase the declarations of the hooks of :data:`CHECKS` (every call of one is a report now)."""
    for function in _functions(module):
        if _symbol(function) in CHECKS and not len(function.regions[0].blocks):
            function.operation.erase()


def _site_attribute(kind: str, location) -> ir.Attribute:
    """``{kind, file, line, column}`` of a failure site (only ``kind`` where its location has no file)."""
    fields = {"kind": ir.StringAttr.get(kind)}
    where = _file_location(location)
    if where is not None:
        i64 = ir.IntegerType.get_signless(64)
        fields.update({"file": ir.StringAttr.get(where.filename),
                       "line": ir.IntegerAttr.get(i64, where.start_line),
                       "column": ir.IntegerAttr.get(i64, where.start_col)})
    return ir.DictAttr.get(fields)


def _file_location(location):
    """The first file location (``FileLineColLoc``) in ``location``, or None.

    A fused location gives its first one that has a file; a call-site
    location its callee's (where an inlined op came from), then its
    caller's; a name location its child's.
    """
    if _has_file(location):
        return location
    for inner in _inner_locations(location):
        found = _file_location(inner)
        if found is not None:
            return found
    return None


def _inner_locations(location) -> list:
    """The locations inside a fused (its parts), call-site (callee, then caller) or name location (its child)."""
    if hasattr(location, "locations"):
        return list(location.locations)
    if hasattr(location, "callee"):
        return [location.callee, location.caller]
    if hasattr(location, "child_loc"):
        return [location.child_loc]
    return []


class _StatusRewriter:
    """Adds the status checks to one function (see the module docstring); appends its sites to ``sites``.

    Each site is ``(kind, location)``, numbered by its position in ``sites`` (from 1). ``checks`` are
    the hooks of :data:`CHECKS` whose calls are failure sites (the module does not define them).
    """

    def __init__(self, function, with_status: set[str], may_fail: set[str], checks: set[str], sites: list):
        self.function = function
        self.with_status = with_status
        self.may_fail = may_fail
        self.checks = checks
        self.sites = sites
        self.status = function.regions[0].blocks[0].arguments[-1]
        self.ptr = ir.Type.parse("!llvm.ptr")
        self.i64 = ir.IntegerType.get_signless(64)
        self._failed = None  # the blocks that report a failure and return, created on first need
        self._return = None
        #: Per region owner (an OpenMP op) holding a site: its (failure block, exit block).
        self._region_blocks: list[tuple[object, object, object]] = []

    def run(self) -> None:
        with self.function.location:
            start = ir.InsertionPoint.at_block_begin(self.function.regions[0].blocks[0])
            self.store(self.constant(0, start), 0, start)
            parallel = []  # the ops of the body whose regions hold a site
            for call in _live_calls(self.function, self.checks):
                callee = _callee(call)
                owner = _region_owner(call, self.function)
                if owner is not None and (callee in ALLOCATORS or callee in self.checks or callee in self.may_fail):
                    ancestor = _top_level_ancestor(call, self.function)
                    if ancestor not in parallel:
                        parallel.append(ancestor)
                if callee in ALLOCATORS:
                    self.check_allocation(call, ALLOCATORS[callee], owner)
                elif callee in self.checks:
                    self.report_check(call, CHECKS[callee], owner)
                elif callee in self.with_status:
                    self.pass_status(call, callee in self.may_fail, owner)
            for op in parallel:
                self.return_if_failed(op)

    def constant(self, value: int, ip):
        with ip:
            return llvm.constant(ir.IntegerAttr.get(self.i64, value))

    def store(self, value, field: int, ip) -> None:
        with ip:
            address = self.status if field == 0 else llvm.getelementptr(self.status, self.i64, [field])
            llvm.store(value, address)

    def new_site(self, kind: str, location, ip):
        """Number a site of ``kind`` at ``location``; its number as an i64 constant at ``ip``."""
        self.sites.append((kind, location))
        return self.constant(len(self.sites), ip)

    def as_i64(self, value, signed: bool):
        """``value`` (an integer) widened to i64 for the status (sign- or zero-extended), at the current point."""
        if ir.IntegerType(value.type).width >= 64:
            return value
        return llvm.cast("sext" if signed else "zext", self.i64, value)

    def check_allocation(self, call, size_operand: int, owner=None) -> None:
        """After ``call``: NULL branches to the failure block with this site and the size asked for (the failure
        block of ``owner``'s region if it is not None)."""
        continuation = _split_after(call)
        ip = ir.InsertionPoint(call.operation.block)
        with ip, call.location:
            null = llvm.zero(self.ptr)
            failed = llvm.icmp("eq", call.results[0], null)
            site = self.new_site(ALLOCATION, call.location, ip)
            size = self.as_i64(call.operands[size_operand], signed=False)  # size_t of a 32-bit target
            zero = self.constant(0, ip)
            llvm.cond_branch(failed, self.failure_block(owner), continuation, [site, size, zero, zero])

    def report_check(self, call, kind: str, owner=None) -> None:
        """Replace ``call`` of a check's hook with a branch to the failure block (of ``owner``'s region if it is
        not None): this site and the call's three operands (value, bound, axis)."""
        _cut_after(call, self.function)
        ip = ir.InsertionPoint(call.operation.block)
        with ip, call.location:
            site = self.new_site(kind, call.location, ip)
            details = [self.as_i64(operand, signed=True) for operand in call.operands]
            llvm.branch([site, *details], self.failure_block(owner))
        call.erase()

    def pass_status(self, call, may_fail: bool, owner=None) -> None:
        """Call with the status as the last operand; if the callee may fail, return at once when it did (end the
        iteration, in ``owner``'s region if it is not None)."""
        with ir.InsertionPoint(call), call.location:
            result_type = call.results[0].type if len(call.results) else None
            new = llvm.call(result_type, [*call.operands, self.status], _callee(call))
        new_op = new.owner if result_type is not None else new.operation
        for old, replacement in zip(call.results, new_op.results):
            old.replace_all_uses_with(replacement)
        call.erase()
        if not may_fail:
            return
        continuation = _split_after(new_op)
        ip = ir.InsertionPoint(new_op.operation.block)
        with ip, new_op.location:
            failed = llvm.icmp("ne", llvm.load(self.i64, self.status), self.constant(0, ip))
            exit = self.return_block() if owner is None else self.region_blocks(owner)[1]
            llvm.cond_branch(failed, exit, continuation)

    def return_if_failed(self, op) -> None:
        """After ``op`` (a parallel loop whose iterations may have failed), return at once if ``site`` is set."""
        continuation = _split_after(op)
        ip = ir.InsertionPoint(op.block)
        with ip, op.location:
            failed = llvm.icmp("ne", llvm.load(self.i64, self.status), self.constant(0, ip))
            llvm.cond_branch(failed, self.return_block(), continuation)

    def failure_block(self, owner=None):
        """``^failed(%site, %value, %bound, %axis: i64)``: stores the four into the status, then returns.

        In the region of ``owner`` (a parallel loop's op), the block stores
        them only if ``site`` is still 0 (compare-exchange, as another
        thread may report at the same time), then ends the iteration.
        """
        if owner is not None:
            return self.region_blocks(owner)[0]
        if self._failed is None:
            block = self._new_last_block(*[self.i64] * len(STATUS_FIELDS))
            ip = ir.InsertionPoint(block)
            for field, value in enumerate(block.arguments):
                self.store(value, field, ip)
            with ip:
                llvm.branch([], self.return_block())
            self._failed = block
        return self._failed

    def region_blocks(self, owner):
        """The failure block and the exit block (the region's own terminator, ending the iteration) of ``owner``'s
        region (one region; its terminator an ``omp`` op without operands)."""
        for known, failed, exit in self._region_blocks:
            if known == owner:
                return failed, exit
        region = owner.regions[0]
        blocks = list(region.blocks)
        ends = [b.operations[len(b.operations) - 1] for b in blocks if len(b.operations)]
        terminator = next((op.name for op in ends if op.name.startswith("omp.") and not len(op.operands)), None)
        if terminator is None:
            raise PassFailure(f"fxn-check-allocations: a failure site in the region of {owner.name}, "
                              "which has no omp terminator to end an iteration with")
        location = owner.location
        exit = blocks[-1].create_after(arg_locs=[])
        with ir.InsertionPoint(exit), location:
            ir.Operation.create(terminator)
        record = exit.create_before(arg_locs=[])
        failed = record.create_before(*[self.i64] * len(STATUS_FIELDS), arg_locs=[location] * len(STATUS_FIELDS))
        with location:
            ip = ir.InsertionPoint(failed)
            site, *details = failed.arguments
            with ip:
                exchanged = llvm.cmpxchg(self.status, self.constant(0, ip), site, "acq_rel", "monotonic")
                first = llvm.extractvalue(ir.IntegerType.get_signless(1), exchanged, [1])
                llvm.cond_branch(first, record, exit)
            ip = ir.InsertionPoint(record)
            for field, value in enumerate(details, start=1):
                self.store(value, field, ip)
            with ip:
                llvm.branch([], exit)
        self._region_blocks.append((owner, failed, exit))
        return failed, exit

    def return_block(self):
        """``^return``: returns a zero value of the function's result type (nothing if void)."""
        if self._return is None:
            block = self._new_last_block()
            function_type = ir.TypeAttr(self.function.attributes["function_type"]).value
            returned = llvm_native.FunctionType(function_type).return_type
            with ir.InsertionPoint(block):
                if returned == ir.Type.parse("!llvm.void"):
                    llvm.return_()
                else:
                    llvm.return_(llvm.zero(returned))
            self._return = block
        return self._return

    def _new_last_block(self, *argument_types):
        region = self.function.regions[0]
        return region.blocks[len(region.blocks) - 1].create_after(
            *argument_types, arg_locs=[self.function.location] * len(argument_types))


def _ops_after(op) -> list:
    """The ops after ``op`` in its block, in order."""
    following, seen = [], False
    for candidate in op.operation.block.operations:
        if seen:
            following.append(candidate)
        elif candidate.operation == op.operation:
            seen = True
    return following


def _split_after(op):
    """Move the ops after ``op`` into a new block right after ``op``'s block; that block."""
    following = _ops_after(op)
    continuation = op.operation.block.create_after()
    for moved in following:
        continuation.append(moved)
    return continuation


def _cut_after(op, function) -> None:
    """Erase the ops after ``op`` in its block, which will never run once ``op`` branches away.

    A value one of them defines that another block uses (a block reached
    only through this one, since the definition dominates the use: it
    never runs either) becomes a poison value there, defined at the start
    of ``function``.
    """
    block = op.operation.block
    for following in reversed(_ops_after(op)):
        for result in following.results:
            if any(use.owner.operation.block != block for use in result.uses):
                with ir.InsertionPoint.at_block_begin(function.regions[0].blocks[0]), following.location:
                    result.replace_all_uses_with(llvm.poison(result.type))
        following.operation.erase()


# ----------------------------------------------------------------------------- reading the sites back


class FailureSite(FrozenValue):
    """Where compiled code may fail: the kind of failure, the user's location, and the fxn ops there.

    ``kind`` is :data:`ALLOCATION` (a buffer it could not get) or
    :data:`INDEX` (an index out of bounds). (Not a dataclass: every compile
    imports this module, see :mod:`fxn.values`.)
    """

    _fields = ("file", "line", "column", "ops", "kind")

    def __init__(self, file: str | None, line: int = 0, column: int = 0, ops: tuple[str, ...] = (),
                 kind: str = ALLOCATION):
        self._freeze(file=file, line=line, column=column, ops=ops, kind=kind)

    @property
    def where(self) -> str | None:
        """``file:line:column``, or None where the location is unknown."""
        return f"{self.file}:{self.line}:{self.column}" if self.file else None

    def __str__(self) -> str:
        ops = "/".join(self.ops)
        what = (ops or "an allocation") if self.kind == ALLOCATION else \
            f"{'literal' if self.kind == LITERAL else 'index'} check of {ops or 'an indexing op'}"
        return f"{what} at {self.where}" if self.file else f"{what} (location unknown)"

    def describe(self) -> dict:
        """What the manifest says of this site: ``{kind, ops, file, line, column}`` (``file`` None if unknown)."""
        return {"kind": self.kind, "ops": list(self.ops), "file": self.file, "line": self.line, "column": self.column}


#: The name this class had when allocations were the only failure sites.
AllocationSite = FailureSite


def allocation_sites(llvm_module, fxn_module=None) -> list[FailureSite]:
    """The sites :class:`FxnCheckAllocations` numbered in ``llvm_module`` (site ``k`` at index ``k - 1``).

    Every failure site, allocations and index checks (see ``kind``).
    ``fxn_module``, the fxn-dialect module it was lowered from, names the
    fxn ops at each site's location. An entry without ``kind`` (a module
    numbered before index sites existed) is an allocation.
    """
    if SITES_ATTRIBUTE not in llvm_module.operation.attributes:
        return []
    ops_at = _fxn_ops_by_location(fxn_module) if fxn_module is not None else {}
    sites = []
    for entry in ir.ArrayAttr(llvm_module.operation.attributes[SITES_ATTRIBUTE]):
        fields = ir.DictAttr(entry)
        kind = ir.StringAttr(fields["kind"]).value if "kind" in fields else ALLOCATION
        if "file" not in fields:
            sites.append(FailureSite(None, kind=kind))
            continue
        where = (ir.StringAttr(fields["file"]).value, ir.IntegerAttr(fields["line"]).value,
                 ir.IntegerAttr(fields["column"]).value)
        sites.append(FailureSite(*where, ops=tuple(ops_at.get(where, ())), kind=kind))
    return sites


def _fxn_ops_by_location(module) -> dict[tuple, list[str]]:
    ops: dict[tuple, list[str]] = {}

    def visit(op):
        location = _file_location(op.location)
        if op.name.startswith("fxn.") and location is not None:
            names = ops.setdefault((location.filename, location.start_line, location.start_col), [])
            if op.name not in names:
                names.append(op.name)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return ops


def _has_file(location) -> bool:
    try:
        location.filename
    except (AttributeError, ValueError):
        return False
    return True


def failure_message(function: str, sites: list, site: int, value: int, bound: int = 0, axis: int = 0) -> str:
    """The message of the error a call of ``function`` raises when its status reports ``{site, value, bound, axis}``.

    ``sites`` are the module's :class:`FailureSite` (site ``k`` at index
    ``k - 1``). An index site (``value`` the index, ``bound`` the size of
    ``axis``) says, in numpy's words, then where::

        f(): index 5 is out of bounds for axis 0 with size 3 at p.py:4:12

    A broadcast site (``value`` the stored size, ``bound`` the window's)::

        f(): could not broadcast a stored value of size 3 into a window of size 2 along axis 0 at p.py:4:12

    A literal site (``value`` the position, ``bound`` the text's length, ``axis`` 0, or the result's bits where
    the number is beyond its range)::

        f(): invalid literal for int() with base 10 (a text of 5 bytes, not an integer from byte 2) at p.py:4:12
        f(): int() of a text beyond the range of a 32-bit int at p.py:4:12

    Any other (``value`` the bytes asked for), or a site that ``sites``
    does not describe, is a failed allocation::

        f(): could not allocate 16.0 TiB (17592186044416 bytes) for fxn.mul at p.py:4:12
    """
    described = _described(sites, site)
    if _kind(described) in (INDEX, BROADCAST, LITERAL):
        where = f"at {described.where}" if described.where else "(location unknown)"
        if _kind(described) == LITERAL:
            return f"{function}(): {_literal_message(value, bound, axis)} {where}"
        if _kind(described) == INDEX and axis in SEQUENCE_INDEX:
            return f"{function}(): {SEQUENCE_INDEX[axis]} index out of range (index {value}, length {bound}) {where}"
        if _kind(described) == BROADCAST:
            return (f"{function}(): could not broadcast a stored value of size {value} into a window of size {bound} "
                    f"along axis {axis} {where}")
        return f"{function}(): index {value} is out of bounds for axis {axis} with size {bound} {where}"
    where = str(described) if described is not None else f"allocation site {site}"
    if value >= 1 << 62:
        amount = "a buffer whose size overflows 64-bit arithmetic"
    else:
        amount = f"{_human_bytes(value)} ({value} bytes)"
    return f"{function}(): could not allocate {amount} for {where}"


def _literal_message(value: int, bound: int, axis: int) -> str:
    """What a literal site reports: ``axis`` 0, positive (int() beyond ``axis`` bits) or one of :data:`VALUE_ERRORS`."""
    if axis == NOT_A_FLOAT:
        return (f"could not convert string to float (a text of {bound} bytes, not a number from byte {value})")
    if axis == FIXED_POINT_RANGE:
        return f"format() of a float with {value} decimals whose digits reach 2**64 (fxn's fixed-point range)"
    if axis == EMPTY_SEPARATOR:
        return "empty separator"
    if axis:
        return f"int() of a text beyond the range of a {axis}-bit int"
    return f"invalid literal for int() with base 10 (a text of {bound} bytes, not an integer from byte {value})"


def failure_error(function: str, sites: list, site: int, value: int, bound: int = 0, axis: int = 0) -> Exception:
    """The error a call of ``function`` raises when its status reports a failure (``site`` not 0).

    An ``IndexError`` for an index site, a ``ValueError`` for a broadcast
    or literal site, a ``MemoryError`` otherwise; the message is :func:`failure_message`'s.
    """
    error = {INDEX: IndexError, BROADCAST: ValueError, LITERAL: ValueError}.get(_kind(_described(sites, site)),
                                                                             MemoryError)
    return error(failure_message(function, sites, site, value, bound, axis))


def _described(sites: list, site: int):
    """Site number ``site`` of ``sites`` (site ``k`` at index ``k - 1``), None if ``sites`` has no such site."""
    return sites[site - 1] if 0 < site <= len(sites) else None


def _kind(described) -> str:
    """The kind of a described site (an allocation if not described, or described as text only)."""
    return getattr(described, "kind", ALLOCATION)


def _human_bytes(size: int) -> str:
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024 or unit == "EiB":
            break
        value /= 1024
    return f"{value:.1f} {unit}" if unit != "B" else f"{size} B"
