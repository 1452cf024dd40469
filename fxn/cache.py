"""The on-disk cache of compiled code: what one process compiled, a later one loads instead of compiling again.

- **Where**: ``FXN_CACHE_DIR``, else the user cache directory
  (``platformdirs``: ``~/.cache/fxn`` on Linux). ``FXN_CACHE=0`` turns the
  cache off: nothing is read or written.
- **Key**: a sha256 of everything the code depends on, given by the caller
  (:func:`key`): the function's fingerprint (:mod:`fxn.fingerprint`), the
  signature, the target, the versions of fxn, of the MLIR bindings and of
  the target's backend plugin, and the compile options.
- **Entry**: one file ``<key>.fxn`` holding :data:`MAGIC`, the sha256 of
  the rest, and the rest: the length of the metadata, the metadata (plain
  values: strings, numbers, bytes, tuples, lists and dicts of them, in
  ``marshal``'s format, which reads without importing pickle) and a shared
  library. An entry that is shorter,
  or whose bytes do not match the checksum (truncated, corrupted), is
  removed and counts as a miss: it is never loaded.
- **Writes are atomic**: an entry is written to a temporary file in the
  same folder and renamed into place, so a reader sees a whole entry or
  none; processes compiling one key at the same time each write a whole
  entry, and the last rename wins. Reading an entry marks it used (its
  modification time), and after each write the least recently used
  entries are removed while the folder holds more than ``FXN_CACHE_MAX_BYTES``
  (default :data:`DEFAULT_MAX_BYTES`).
- **Loading**: the library is loaded from the checked bytes in memory
  (a ``memfd``), not from the file, so what runs is exactly what was
  checked, and it is never unloaded (result arrays may outlive everything
  else that refers to its code).

``fxn cache info`` and ``fxn cache clear`` (:func:`info`, :func:`clear`)
show and empty it.
"""

from __future__ import annotations

import ctypes
import functools
import marshal
import os
import sys

from fxn.fingerprint import sha256
from fxn.symbols import address_symbol

#: The first bytes of every entry (the format's version is its last digit).
MAGIC = b"fxncache2\n"
#: The size the cache folder is kept under unless ``FXN_CACHE_MAX_BYTES`` says otherwise: 1 GiB.
DEFAULT_MAX_BYTES = 1 << 30
#: The suffix of entries (a temporary file being written has another).
SUFFIX = ".fxn"

#: Libraries loaded by this process, kept for its lifetime.
_LOADED: list = []


def _warn(message: str, *args) -> None:
    """A warning on the ``fxn`` logger (shown on stderr unless the program configures logging)."""
    import logging

    logging.getLogger("fxn").warning(message, *args)


def enabled() -> bool:
    """Whether the cache is on (``FXN_CACHE`` is not ``0``)."""
    return os.environ.get("FXN_CACHE", "1") != "0"


def directory() -> str:
    """The cache folder: ``FXN_CACHE_DIR``, else the user cache directory's ``fxn``."""
    configured = os.environ.get("FXN_CACHE_DIR")
    if configured:
        return configured
    import platformdirs

    return platformdirs.user_cache_dir("fxn", appauthor=False)


def max_bytes() -> int:
    """The size the cache is kept under (``FXN_CACHE_MAX_BYTES``, else :data:`DEFAULT_MAX_BYTES`)."""
    configured = os.environ.get("FXN_CACHE_MAX_BYTES")
    if not configured:
        return DEFAULT_MAX_BYTES
    try:
        return int(configured)
    except ValueError:
        _warn("fxn cache: FXN_CACHE_MAX_BYTES=%r is not a number of bytes; the limit is %d", configured,
              DEFAULT_MAX_BYTES)
        return DEFAULT_MAX_BYTES


def key(*parts) -> str:
    """The key of an entry: a sha256 of the ``repr`` of each part (plain values: strings, numbers, tuples)."""
    digest = sha256()
    for part in parts:
        digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()


@functools.cache
def build_id() -> str:
    """What compiled code depends on besides the function and its options: fxn's own code (each source file's
    path, size and modification time, in-tree backends included), the MLIR bindings' native libraries (which
    hold MLIR and LLVM), and Python's version."""
    import fxn

    digest = sha256(sys.version.encode())
    folders = []
    for package in ("fxn", "fxn.frontend", "fxn.dialects", "fxn.passes", "fxn.backends"):
        folders += [(folder, ".py") for folder in _package_folders(package, fxn.__path__)]
    folders += [(os.path.join(folder, "_mlir_libs"), ".so") for folder in _package_folders("torch_mlir", None)]
    for folder, suffix in folders:
        digest.update(b"".join(_file_stamps(folder, "", suffix)))
    return digest.hexdigest()


def _file_stamps(folder: str, relative: str, suffix: str) -> list[bytes]:
    """``path:size:mtime`` of each file under ``folder`` whose name ends in ``suffix`` (its path relative to the
    folder walked first, ``relative``), in sorted order, subfolders after the files beside them."""
    try:
        with os.scandir(folder) as entries:
            entries = sorted(entries, key=lambda entry: entry.name)
    except OSError:
        return []
    stamps, subfolders = [], []
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():  # as os.walk: a linked folder is not walked
                subfolders.append(entry)
        elif entry.name.endswith(suffix):
            stat = entry.stat()
            stamps.append(f"{relative}{entry.name}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    for entry in subfolders:
        stamps += _file_stamps(entry.path, f"{relative}{entry.name}/", suffix)
    return stamps


def _package_folders(name: str, parent_path) -> list[str]:
    """The folders of package ``name`` (a subpackage of the package whose ``__path__`` is ``parent_path``), found
    as an import would find them, without importing it (nor importlib.util, which a cached call need not load)."""
    for finder in sys.meta_path:
        spec = finder.find_spec(name, parent_path) if hasattr(finder, "find_spec") else None
        if spec is not None:
            return list(spec.submodule_search_locations or ())
    return []


@functools.cache
def host_id() -> str:
    """What decides the JIT's target without loading a backend: this machine's architecture and CPU (vendor,
    model and features, as ``/proc/cpuinfo`` gives them) and the backends installed (each distribution that
    registers one in the ``fxn.backends`` entry-point group, by its name, version and entry points: the first
    whose targets include this machine compiles for it)."""
    machine = os.uname()
    digest = sha256(f"{machine.machine}\0{machine.sysname}\0".encode())
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as file:
            processor = ""
            while "\n\n" not in processor:  # the first processor's block (the file has one per CPU)
                chunk = file.read(4096)
                if not chunk:
                    break
                processor += chunk
            processor = processor.split("\n\n", 1)[0]
        digest.update("".join(line for line in processor.splitlines(keepends=True)
                              if line.split(":")[0].strip() in ("vendor_id", "model name", "flags")).encode())
    except OSError:  # no /proc: the architecture alone
        pass
    for folder in sys.path:
        try:
            names = sorted(name for name in os.listdir(folder or ".") if name.endswith(".dist-info"))
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8") as file:
                    points = file.read()
            except OSError:
                continue
            if "[fxn.backends]" in points:
                digest.update(f"{name}\0{points}\0".encode())
    return digest.hexdigest()


class Entry:
    """A loaded entry: its metadata and its shared library's bytes."""

    def __init__(self, metadata: dict, library: bytes):
        self.metadata = metadata
        self.library = library


def _path(entry_key: str, folder: str | None = None) -> str:
    return os.path.join(folder or directory(), f"{entry_key}{SUFFIX}")


def load(entry_key: str) -> Entry | None:
    """The entry of ``entry_key``, checked against its checksum, or None (a miss; a bad entry is removed)."""
    path = _path(entry_key)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return None
    entry = _parse(data)
    if entry is None:
        _warn("fxn cache: %s is damaged (truncated or corrupted); removed, the code is compiled again", path)
        _remove(path)
        return None
    try:
        os.utime(path)  # used now: the last to be evicted
    except OSError:
        pass
    return entry


def _parse(data: bytes) -> Entry | None:
    head = len(MAGIC) + 32
    if len(data) < head + 8 or not data.startswith(MAGIC):
        return None
    rest = data[head:]
    if sha256(rest).digest() != data[len(MAGIC):head]:
        return None
    size = int.from_bytes(rest[:8], "little")
    try:
        metadata = marshal.loads(rest[8:8 + size])
    except (ValueError, EOFError, TypeError):  # checked bytes that still do not read: an entry of another build
        return None
    return Entry(metadata, rest[8 + size:])


def store(entry_key: str, metadata: dict, library: bytes, folder: str | None = None,
          limit: int | None = None) -> str | None:
    """Write the entry of ``entry_key`` atomically into ``folder`` (default: :func:`directory`), then evict down
    to ``limit`` bytes (default: :func:`max_bytes`); the path, or None if it could not be written."""
    folder = folder or directory()
    written = marshal.dumps(metadata)
    rest = len(written).to_bytes(8, "little") + written + library
    data = MAGIC + sha256(rest).digest() + rest
    import tempfile

    try:
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{entry_key[:16]}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, _path(entry_key, folder))
        except BaseException:
            _remove(temporary)
            raise
    except OSError as error:
        _warn("fxn cache: cannot write to %s (%s); compiled code is not cached", folder, error)
        return None
    evict(max_bytes() if limit is None else limit, folder)
    return _path(entry_key, folder)


def _entries(folder: str, suffix: str = SUFFIX) -> list[tuple[float, int, str]]:
    """(last use, size, path) of each file of ``folder`` whose name ends in ``suffix`` (the entries)."""
    found = []
    try:
        paths = [os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(suffix)]
    except OSError:
        return found
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:  # removed meanwhile
            continue
        found.append((stat.st_mtime, stat.st_size, path))
    return found


def evict(limit: int, folder: str | None = None) -> int:
    """Remove the least recently used entries while the cache (``folder``, default :func:`directory`) holds
    more than ``limit`` bytes; how many went."""
    entries = sorted(_entries(folder or directory()))
    total, removed = sum(size for _, size, _ in entries), 0
    for _, size, path in entries:
        if total <= limit:
            break
        if _remove(path):
            removed += 1
        total -= size
    return removed


def _remove(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


def info() -> dict:
    """What the cache holds: its folder, whether it is on, its entries, their bytes and the limit."""
    entries = _entries(directory())
    return {"directory": directory(), "enabled": enabled(), "entries": len(entries),
            "bytes": sum(size for _, size, _ in entries), "max_bytes": max_bytes()}


def clear() -> int:
    """Remove every entry (and stale temporary files); how many entries went."""
    folder = directory()
    removed = sum(_remove(path) for _, _, path in _entries(folder))
    for _, _, temporary in _entries(folder, ".tmp"):
        _remove(temporary)
    return removed


# ----------------------------------------------------------------------------- libraries


class Library:
    """A shared library loaded from bytes (never unloaded); ``raw_lookup`` as a JIT engine's, for the runtime."""

    def __init__(self, data: bytes, name: str):
        # The descriptor stays open: the loader knows a library by its path, and a closed descriptor's
        # number, reused by the next library, would give that one the first library's path.
        handle = os.memfd_create(f"fxn-{name}", os.MFD_CLOEXEC)
        try:
            os.write(handle, data)
            self._library = ctypes.CDLL(f"/proc/self/fd/{handle}")
        except BaseException:
            os.close(handle)
            raise
        self._descriptor = handle
        _LOADED.append(self)

    def address(self, symbol: str) -> int:
        """The address of ``symbol`` (LookupError if the library has none)."""
        try:
            return ctypes.cast(getattr(self._library, symbol), ctypes.c_void_p).value
        except AttributeError:
            raise LookupError(f"the cached library has no symbol {symbol}") from None

    def raw_lookup(self, symbol: str) -> int:
        """The packed wrapper of function ``symbol`` (``_mlir_<symbol>``), as the JIT engine's ``raw_lookup``."""
        return self.address(f"_mlir_{symbol}")

    def address_of(self, symbol: str) -> int:
        """The address the library's address getter of ``symbol`` returns (see :mod:`fxn.python_entry`)."""
        return ctypes.CFUNCTYPE(ctypes.c_void_p)(self.address(address_symbol(symbol)))()
