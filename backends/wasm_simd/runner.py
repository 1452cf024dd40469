"""Running wasm_simd code in this process with wasmtime (the PyPI package): what ``fxn run --target wasm_simd`` uses.

A :class:`~fxn.backends.base.Program` is built into a ``.wasm`` once (cached
by its LLVM IR and target) and compiled by wasmtime; each call instantiates
it afresh (a new linear memory), places every argument through the exported
``fxn_malloc`` with its memref descriptor, calls the memref entry
``fxn_<name>(results *, args *..., status *)`` and copies the results out,
freeing what it placed and what the code allocated (``fxn_free``).

Descriptors on wasm32 are 32-bit little-endian fields: ``{allocated,
aligned, offset, sizes[rank], strides[rank]}`` (``struct`` format ``<IIi``
and two ``i`` per dim); several results are consecutive descriptors; the
status is ``{int64 site, int64 value, int64 bound, int64 axis}``. A
failure it reports is the error
:func:`fxn.passes.lowering.checked_allocation.failure_error` makes of it
with the program's ``allocation_sites``: a ``MemoryError`` naming the op
and line of a failed allocation, an ``IndexError`` naming the index, axis,
size and line of an index out of bounds, as the loader does from the
manifest.
"""

from __future__ import annotations

import collections
import functools
import struct
import tempfile
import threading
from pathlib import Path

import numpy as np

from fxn.backends.base import Program, Target

#: Bytes of the status ``{int64 site, int64 value, int64 bound, int64 axis}``.
STATUS_BYTES = 32


def wasmtime_missing() -> bool:
    """Whether the wasmtime package is not installed (then nothing of this target runs here)."""
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        return True
    return False


def descriptor_bytes(rank: int) -> int:
    """Bytes of a memref descriptor of ``rank`` on wasm32."""
    return 4 * (3 + 2 * rank)


def pack_descriptor(address: int, shape: tuple[int, ...]) -> bytes:
    """The descriptor of a row-major array of ``shape`` at ``address`` (offset 0)."""
    strides, stride = [], 1
    for size in reversed(shape):
        strides.insert(0, stride)
        stride *= size
    return struct.pack(f"<2I{1 + 2 * len(shape)}i", address, address, 0, *shape, *strides)


@functools.cache
def _engine(relaxed: bool):
    import wasmtime

    config = wasmtime.Config()
    config.wasm_simd = True
    config.wasm_relaxed_simd = relaxed
    return wasmtime.Engine(config)


def _as_i32(address: int) -> int:
    """An address as the signed i32 that wasmtime takes for a wasm32 pointer."""
    return address - (1 << 32) if address >= 1 << 31 else address


class WasmtimeRunner:
    """Runs wasm_simd code with wasmtime; ``memory_limit`` (bytes) caps each instance's linear memory."""

    #: Compiled modules kept (the most recently used), by LLVM IR and target.
    CACHED_MODULES = 16

    def __init__(self, memory_limit: int | None = None):
        self.memory_limit = memory_limit
        self._modules: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def module(self, program: Program, target: Target):
        """The wasmtime module of ``program`` for ``target``, built on first use."""
        import wasmtime
        from fxn.symbols import memref_symbol

        from .toolchain import link_module

        key = (program.llvm_ir, target.spec)
        with self._lock:
            if key not in self._modules:
                with tempfile.TemporaryDirectory(prefix="fxn-wasm-run-") as scratch:
                    path = Path(scratch) / "program.wasm"
                    link_module([program.llvm_ir], path, [memref_symbol(f) for f in program.functions], target)
                    self._modules[key] = wasmtime.Module(_engine("relaxed-simd" in target.features),
                                                         path.read_bytes())
                if len(self._modules) > self.CACHED_MODULES:
                    self._modules.popitem(last=False)
            self._modules.move_to_end(key)
            return self._modules[key]

    def instantiate(self, program: Program, target: Target):
        """A fresh instance of ``program``'s module (its own linear memory): ``(store, instance)``."""
        import wasmtime

        module = self.module(program, target)
        store = wasmtime.Store(_engine("relaxed-simd" in target.features))
        if self.memory_limit is not None:
            store.set_limits(memory_size=self.memory_limit)
        return store, wasmtime.Instance(store, module, [])

    def run(self, program: Program, function: str, target: Target, inputs: list) -> list:
        import wasmtime

        call = _Call(*self.instantiate(program, target), function)
        _, result_types = program.functions[function]
        try:
            return call.run(inputs, result_types, program.allocation_sites)
        except wasmtime.Trap as trap:
            raise RuntimeError(f"{call.symbol} trapped in wasmtime: {trap.message}") from None


class _Call:
    """One call of a memref entry in one instance: its argument buffers, descriptors and results."""

    def __init__(self, store, instance, function: str):
        from fxn.symbols import memref_symbol

        exports = instance.exports(store)
        self.store, self.function, self.symbol = store, function, memref_symbol(function)
        self.entry = exports[self.symbol]
        self.memory, self.malloc, self.free = exports["memory"], exports["fxn_malloc"], exports["fxn_free"]

    def place(self, data: bytes, what: str) -> int:
        """``data`` copied into a fresh block of linear memory; its address."""
        address = self.malloc(self.store, max(1, len(data))) & 0xFFFFFFFF  # wasmtime gives i32 as signed
        if not address:
            raise MemoryError(f"{self.function}(): could not place {what} ({len(data)} bytes) in the "
                              "module's memory")
        self.memory.write(self.store, data, address)
        return address

    def read(self, address: int, size: int) -> bytes:
        return bytes(self.memory.read(self.store, address, address + size))

    def run(self, inputs: list, result_types: list, sites: list) -> list:
        from fxn.passes.lowering.checked_allocation import failure_error

        placed = []
        for index, array in enumerate(inputs):
            data = self.place(np.ascontiguousarray(array).tobytes(), f"argument {index}")
            placed += [data, self.place(pack_descriptor(data, array.shape), f"the descriptor of argument {index}")]
        results = self.place(bytes(sum(descriptor_bytes(t.rank) for t in result_types)), "the results")
        status = self.place(bytes(STATUS_BYTES), "the status")
        placed += [results, status]
        self.entry(self.store, *map(_as_i32, [results, *placed[1:2 * len(inputs):2], status]))
        site, value, bound, axis = struct.unpack("<4q", self.read(status, STATUS_BYTES))
        if site:
            raise failure_error(self.function, sites, site, value, bound, axis)
        outputs, owned = self.results(results, result_types)
        for address in [*placed, *owned]:
            self.free(self.store, _as_i32(address))
        return outputs

    def results(self, address: int, result_types: list) -> tuple[list[np.ndarray], set[int]]:
        """The result arrays (copies) of the descriptors at ``address``, and the blocks they were in."""
        outputs, owned = [], set()
        for result in result_types:
            rank, dtype = result.rank, result.numpy_dtype
            allocated, aligned, offset, *dims = struct.unpack(f"<2I{1 + 2 * rank}i",
                                                              self.read(address, descriptor_bytes(rank)))
            shape = tuple(dims[:rank])
            count = int(np.prod(shape, dtype=np.int64))
            start = aligned + offset * dtype.itemsize
            outputs.append(np.frombuffer(self.read(start, count * dtype.itemsize), dtype).reshape(shape).copy())
            if allocated:
                owned.add(allocated)
            address += descriptor_bytes(rank)
        return outputs, owned


@functools.cache
def shared_runner() -> WasmtimeRunner:
    """The runner :meth:`~fxn.backends.wasm_simd.WasmSimdBackend.runner` gives: one per process, its modules cached."""
    return WasmtimeRunner()
