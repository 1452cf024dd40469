"""A concrete function's code in the on-disk cache (:mod:`fxn.cache`): what an entry holds, and how it runs again.

:func:`store` links (on a thread of its own) the JIT engine's
position-independent machine code into a shared library (the memref entry,
the value entry, the CPython entry with its runtime table and capsule
destructor: see :mod:`fxn.python_entry`) and stores it with what calling
it needs: the signature, which results are
Python scalars, the structure results are returned in, and, for the Python
path, what the code assumes of dynamic dims and where it may fail.
:func:`load` gives back a :class:`CachedLowering` and the loaded library.
Nothing is traced and no MLIR is needed to call cached code; what only
the IR can give (``out=``'s destination entry, ``fxn inspect``, the traced
module) traces and lowers the function again on first use.
"""

from __future__ import annotations

from fxn import cache
from fxn.entry_binding import bind
from fxn.structure import LEAF
from fxn.symbols import destructor_symbol

#: Entries being written, by key: a writer thread each (see :func:`store`).
_WRITING: dict[str, object] = {}  # key -> the threading.Thread writing it


def store(cache_key: str, engine, lowered, scalar_results: list[bool], entered: bool, arrays: bool) -> None:
    """Store the code of ``engine`` (built position-independent from ``lowered``) under ``cache_key``.

    The metadata is taken here; linking and writing the entry run on a
    thread of their own (the linker is another process), so the first call
    does not wait for them. The interpreter waits for the thread before it
    exits; :func:`load` of the same key waits for it too. A failure to link
    or write is logged and leaves the cache without the entry.
    """
    import pickle

    metadata = {
        "entry": lowered.entry,
        "result_types": [(t.dtype, t.shape) for t in lowered.result_types],
        # Per result, the signature of a function it returns (a function argument's address), else None.
        "function_results": [_signature_fields(getattr(t, "signature", None)) for t in lowered.result_types],
        "scalar_results": scalar_results,
        "returns_tuple": lowered.traced.returns_tuple,
        # A structure may hold classes and constants: pickled, unless a single result's (read without pickle).
        "result_structure": (None if lowered.traced.result_structure == LEAF
                             else pickle.dumps(lowered.traced.result_structure)),
        "entered": entered,
        "arrays": arrays,
        # Unpickled when the Python path first needs them (they name classes of the lowering passes).
        "python_path": pickle.dumps((lowered.dim_assumptions, lowered.allocation_sites)),
    }
    # Parallel loops call LLVM's OpenMP runtime (as fxn.compiler.jit gives them it).
    libraries = ["omp"] if "omp.parallel" in lowered.module.operation.get_asm() else []
    # Where and how much: as this thread sees the environment now.
    import threading

    writer = threading.Thread(target=_write, args=(cache_key, engine, metadata, libraries, cache.directory(),
                                                   cache.max_bytes()), name=f"fxn-cache-{lowered.entry}")
    _WRITING[cache_key] = writer
    writer.start()


def _signature_fields(signature) -> tuple | None:
    return None if signature is None else (signature.result, signature.params)


def _result_type(dtype: str, shape: tuple, signature: tuple | None):
    """A cached result's type: a function value's (its signature kept) or a tensor's."""
    if signature is None:
        from fxn.dialects.types import TensorType

        return TensorType(dtype, shape)
    from fxn.frontend.function_types import FunctionPointerType, Signature

    return FunctionPointerType.of(Signature(*signature))


def _write(cache_key: str, engine, metadata: dict, libraries: list[str], folder: str, limit: int) -> None:
    """Link the engine's object into a library and store it with ``metadata`` (a writer thread's work)."""
    import subprocess
    import tempfile
    from pathlib import Path

    from fxn.toolchain import ToolchainError, link_shared_object

    try:
        with tempfile.TemporaryDirectory(prefix="fxn-cache-") as scratch:
            code = Path(scratch) / "code.o"
            engine.dump_to_object_file(str(code))
            library = link_shared_object(code, Path(scratch) / "code.so", libraries).read_bytes()
        cache.store(cache_key, metadata, library, folder, limit)
    except (ToolchainError, OSError, subprocess.SubprocessError) as error:
        cache._warn("fxn cache: cannot link %s's code (%s); it is not cached", metadata["entry"], error)
    finally:
        _WRITING.pop(cache_key, None)


def wait() -> None:
    """Wait until every entry this process is writing is written."""
    for writer in list(_WRITING.values()):
        writer.join()


def load(cache_key: str, types: tuple, relower):
    """``(lowering, library, scalar_results, entered, arrays)`` of the entry of ``cache_key`` (whose key holds
    ``types``), or None (no entry, a damaged one). ``relower()`` lowers the function again where the IR is needed."""
    writer = _WRITING.get(cache_key)
    if writer is not None:
        writer.join()
    entry = cache.load(cache_key)
    if entry is None:
        return None
    metadata = entry.metadata
    try:
        library = cache.Library(entry.library, metadata["entry"])
    except OSError as error:  # a library this process cannot load (a runtime it needs is missing)
        cache._warn("fxn cache: cannot load the cached code of %s (%s); it is compiled again", metadata["entry"],
                     error)
        return None
    lowering = CachedLowering(metadata, list(types), relower)
    return lowering, library, metadata["scalar_results"], metadata["entered"], metadata["arrays"]


def library_entry(library: cache.Library, name: str, python_path, arrays: bool):
    """Function ``name``'s CPython entry in a cached library as a builtin function (its own capsule destructor
    frees result buffers: the library is never unloaded)."""
    return bind(library, name, python_path, arrays, library.address_of(destructor_symbol(name)))


class _Traced:
    """What a cached concrete function knows of its trace: how it returns its results."""

    def __init__(self, metadata: dict):
        self.entry = metadata["entry"]
        self.returns_tuple = metadata["returns_tuple"]
        structure = metadata["result_structure"]
        if structure is None:
            self.result_structure = LEAF
        else:
            import pickle

            self.result_structure = pickle.loads(structure)
        self.trace_effects: list[str] = []


class CachedLowering:
    """A :class:`fxn.compiled.LoweredFunction` of cached code: the signature and what calls need; any other
    attribute (the IR) comes from lowering the function again, once."""

    def __init__(self, metadata: dict, arg_types: list, relower):
        self.entry = metadata["entry"]
        self.arg_types = arg_types
        signatures = metadata.get("function_results") or [None] * len(metadata["result_types"])
        self.result_types = [_result_type(dtype, tuple(shape), signature)
                             for (dtype, shape), signature in zip(metadata["result_types"], signatures)]
        self.traced = _Traced(metadata)
        self._python_path = metadata["python_path"]
        self._relower = relower
        self._lowered = None

    @property
    def dim_assumptions(self):
        return self._python_path_data()[0]

    @property
    def allocation_sites(self):
        return self._python_path_data()[1]

    def _python_path_data(self) -> tuple:
        import pickle

        if isinstance(self._python_path, bytes):
            self._python_path = pickle.loads(self._python_path)
        return self._python_path

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._lowered is None:
            self._lowered = self._relower()
        return getattr(self._lowered, name)
