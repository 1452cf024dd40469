"""Checked allocation: compiled code reports a failed allocation instead of writing through NULL.

Two passes, one at each level where the facts are visible:

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

- ``fxn-check-allocations`` (on the LLVM dialect, last): every
  ``malloc``/``aligned_alloc`` result is compared with NULL. Each function
  that allocates, or calls a function of the module that may fail, and
  each C interface wrapper (``_mlir_ciface_*``, the entries callers use),
  takes one more, last, argument: a pointer to the caller's *status*, two
  ``int64_t``: ``{site, bytes}``. A function with a status sets ``site``
  to 0 when it starts; a failed allocation stores its site number (from 1,
  in the order of the module attribute ``fxn.allocation_sites``, which
  gives each site's file, line and column) and the byte size it asked for
  (zero-extended to 64 bits where ``size_t`` is narrower, as on wasm32),
  and the function returns at once (a zero value); after a call of a
  function that may fail, a non-zero ``site`` returns at once too. Buffers
  allocated before the failure are not freed (a failed call leaks them).
  Functions that may fail carry the unit attribute ``fxn.may_fail``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fxn.mlir import arith, ir, llvm

from ..registry import FxnPass

#: Allocation functions the conversion to LLVM calls -> index of their byte-size operand.
ALLOCATORS = {"malloc": 0, "aligned_alloc": 1}
#: Prefix of the C interface wrappers that ``llvm.emit_c_interface`` creates: the entries callers use.
C_INTERFACE_PREFIX = "_mlir_ciface_"
#: Module attribute listing each allocation site's location, site ``k`` at index ``k - 1``.
SITES_ATTRIBUTE = "fxn.allocation_sites"
#: Unit attribute of the functions that may fail.
MAY_FAIL_ATTRIBUTE = "fxn.may_fail"


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
    """Check every allocation of LLVM-dialect code for NULL and report failures through a status argument.

    See :mod:`fxn.passes.lowering.checked_allocation` for the status and the
    allocation sites. The anchor is the ``builtin.module``.
    """

    argument = "fxn-check-allocations"

    def run_on(self, module) -> None:
        functions = {f.sym_name.value: f for f in _functions(module) if len(f.body.blocks)}
        may_fail = _functions_that_may_fail(functions)
        with_status = {n for n in functions if n in may_fail or n.startswith(C_INTERFACE_PREFIX)}
        with module.context:
            for name in with_status:
                _add_status_argument(functions[name])
            sites: list = []
            for name in with_status:
                _StatusRewriter(functions[name], with_status, may_fail, sites).run()
                if name in may_fail:
                    functions[name].attributes[MAY_FAIL_ATTRIBUTE] = ir.UnitAttr.get()
            module.attributes[SITES_ATTRIBUTE] = ir.ArrayAttr.get([_site_attribute(loc) for loc in sites])
        self.count("sites", "allocations checked for NULL", len(sites))


def _functions(module) -> list:
    return [op for op in module.regions[0].blocks[0].operations if isinstance(op, llvm.LLVMFuncOp)]


def _callee(op) -> str | None:
    """The symbol a direct ``llvm.call`` calls, else None."""
    if op.name != "llvm.call" or "callee" not in op.attributes:
        return None
    return ir.FlatSymbolRefAttr(op.attributes["callee"]).value


def _calls(function) -> list:
    return [op for block in function.body.blocks for op in block.operations if _callee(op) is not None]


def _functions_that_may_fail(functions: dict) -> set[str]:
    """The functions that allocate, or call one that may fail (a fixed point over the call graph)."""
    callees = {name: {_callee(call) for call in _calls(f)} for name, f in functions.items()}
    failing = {name for name, called in callees.items() if called & ALLOCATORS.keys()}
    while True:
        more = {name for name, called in callees.items() if called & failing} - failing
        if not more:
            return failing
        failing |= more


def _add_status_argument(function) -> None:
    """Append a ``!llvm.ptr`` argument (the status) to ``function``'s type and entry block."""
    ptr = ir.Type.parse("!llvm.ptr")
    old = llvm.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value)
    new = llvm.FunctionType.get(old.return_type, [*old.inputs, ptr], is_var_arg=old.is_var_arg)
    function.attributes["function_type"] = ir.TypeAttr.get(new)
    if "arg_attrs" in function.attributes:
        attrs = list(ir.ArrayAttr(function.attributes["arg_attrs"]))
        function.attributes["arg_attrs"] = ir.ArrayAttr.get([*attrs, ir.DictAttr.get({})])
    function.body.blocks[0].add_argument(ptr, function.location)


def _site_attribute(location) -> ir.Attribute:
    """``{file, line, column}`` of an allocation's location (empty where it has no file location)."""
    if not _has_file(location):
        return ir.DictAttr.get({})
    i64 = ir.IntegerType.get_signless(64)
    return ir.DictAttr.get({"file": ir.StringAttr.get(location.filename),
                            "line": ir.IntegerAttr.get(i64, location.start_line),
                            "column": ir.IntegerAttr.get(i64, location.start_col)})


class _StatusRewriter:
    """Adds the status checks to one function (see the module docstring); appends its sites to ``sites``."""

    def __init__(self, function, with_status: set[str], may_fail: set[str], sites: list):
        self.function = function
        self.with_status = with_status
        self.may_fail = may_fail
        self.sites = sites
        self.status = function.body.blocks[0].arguments[-1]
        self.ptr = ir.Type.parse("!llvm.ptr")
        self.i64 = ir.IntegerType.get_signless(64)
        self._failed = None  # the blocks that report a failure and return, created on first need
        self._return = None

    def run(self) -> None:
        with self.function.location:
            start = ir.InsertionPoint.at_block_begin(self.function.body.blocks[0])
            self.store(self.constant(0, start), 0, start)
            for call in _calls(self.function):
                callee = _callee(call)
                if callee in ALLOCATORS:
                    self.check_allocation(call, ALLOCATORS[callee])
                elif callee in self.with_status:
                    self.pass_status(call, callee in self.may_fail)

    def constant(self, value: int, ip):
        with ip:
            return llvm.mlir_constant(ir.IntegerAttr.get(self.i64, value))

    def store(self, value, field: int, ip) -> None:
        with ip:
            address = self.status if field == 0 else llvm.getelementptr(
                self.ptr, self.status, [], [field], self.i64, llvm.GEPNoWrapFlags.none)
            llvm.store(value, address)

    def check_allocation(self, call, size_operand: int) -> None:
        """After ``call``: NULL branches to the failure block with this site and the size asked for."""
        self.sites.append(call.location)
        continuation = _split_after(call)
        ip = ir.InsertionPoint(call.operation.block)
        with ip, call.location:
            null = llvm.mlir_zero(self.ptr)
            failed = llvm.icmp(llvm.ICmpPredicate.eq, call.results[0], null)
            site = self.constant(len(self.sites), ip)
            size = call.operands[size_operand]
            if ir.IntegerType(size.type).width < 64:  # size_t of a 32-bit target: the status field is int64_t
                size = llvm.zext(self.i64, size)
            llvm.cond_br(failed, [site, size], [], self.failure_block(), continuation)

    def pass_status(self, call, may_fail: bool) -> None:
        """Call with the status as the last operand; if the callee may fail, return at once when it did."""
        with ir.InsertionPoint(call), call.location:
            result_type = call.results[0].type if len(call.results) else None
            new = llvm.call(result_type, [*call.operands, self.status], [], [], callee=_callee(call))
        new_op = new.owner if result_type is not None else new.operation
        for old, replacement in zip(call.results, new_op.results):
            old.replace_all_uses_with(replacement)
        call.erase()
        if not may_fail:
            return
        continuation = _split_after(new_op)
        ip = ir.InsertionPoint(new_op.operation.block)
        with ip, new_op.location:
            failed = llvm.icmp(llvm.ICmpPredicate.ne, llvm.load(self.i64, self.status), self.constant(0, ip))
            llvm.cond_br(failed, [], [], self.return_block(), continuation)

    def failure_block(self):
        """``^failed(%site: i64, %bytes: i64)``: stores both into the status, then returns."""
        if self._failed is None:
            block = self._new_last_block(self.i64, self.i64)
            site, size = block.arguments
            ip = ir.InsertionPoint(block)
            self.store(site, 0, ip)
            self.store(size, 1, ip)
            with ip:
                llvm.br([], self.return_block())
            self._failed = block
        return self._failed

    def return_block(self):
        """``^return``: returns a zero value of the function's result type (nothing if void)."""
        if self._return is None:
            block = self._new_last_block()
            returned = llvm.FunctionType(ir.TypeAttr(self.function.attributes["function_type"]).value).return_type
            with ir.InsertionPoint(block):
                if returned == ir.Type.parse("!llvm.void"):
                    llvm.return_()
                else:
                    llvm.return_(arg=llvm.mlir_zero(returned))
            self._return = block
        return self._return

    def _new_last_block(self, *argument_types):
        region = self.function.body
        return region.blocks[len(region.blocks) - 1].create_after(
            *argument_types, arg_locs=[self.function.location] * len(argument_types))


def _split_after(op):
    """Move the ops after ``op`` into a new block right after ``op``'s block; that block."""
    op = op.operation
    block = op.block
    following = []
    seen = False
    for candidate in block.operations:
        if seen:
            following.append(candidate)
        elif candidate.operation == op.operation:
            seen = True
    continuation = block.create_after()
    for moved in following:
        continuation.append(moved)
    return continuation


# ----------------------------------------------------------------------------- reading the sites back


@dataclass(frozen=True)
class AllocationSite:
    """Where an allocation of compiled code comes from: the user's location, and the fxn ops there."""

    file: str | None
    line: int = 0
    column: int = 0
    ops: tuple[str, ...] = ()

    def __str__(self) -> str:
        what = "/".join(self.ops) or "an allocation"
        return f"{what} at {self.file}:{self.line}:{self.column}" if self.file else f"{what} (location unknown)"


def allocation_sites(llvm_module, fxn_module=None) -> list[AllocationSite]:
    """The sites :class:`FxnCheckAllocations` numbered in ``llvm_module`` (site ``k`` at index ``k - 1``).

    ``fxn_module``, the fxn-dialect module it was lowered from, names the
    fxn ops at each site's location.
    """
    if SITES_ATTRIBUTE not in llvm_module.operation.attributes:
        return []
    ops_at = _fxn_ops_by_location(fxn_module) if fxn_module is not None else {}
    sites = []
    for entry in ir.ArrayAttr(llvm_module.operation.attributes[SITES_ATTRIBUTE]):
        fields = ir.DictAttr(entry)
        if "file" not in fields:
            sites.append(AllocationSite(None))
            continue
        where = (ir.StringAttr(fields["file"]).value, ir.IntegerAttr(fields["line"]).value,
                 ir.IntegerAttr(fields["column"]).value)
        sites.append(AllocationSite(*where, ops=tuple(ops_at.get(where, ()))))
    return sites


def _fxn_ops_by_location(module) -> dict[tuple, list[str]]:
    ops: dict[tuple, list[str]] = {}

    def visit(op):
        location = op.location
        if op.name.startswith("fxn.") and _has_file(location):
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


def failure_message(function: str, sites: list[AllocationSite], site: int, size: int) -> str:
    """The MemoryError message of a call of ``function`` whose status reports ``site`` and ``size`` bytes."""
    where = str(sites[site - 1]) if 0 < site <= len(sites) else f"allocation site {site}"
    if size >= 1 << 62:
        amount = "a buffer whose size overflows 64-bit arithmetic"
    else:
        amount = f"{_human_bytes(size)} ({size} bytes)"
    return f"{function}(): could not allocate {amount} for {where}"


def _human_bytes(size: int) -> str:
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024 or unit == "EiB":
            break
        value /= 1024
    return f"{value:.1f} {unit}" if unit != "B" else f"{size} B"
