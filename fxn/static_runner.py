"""Running code of a foreign Linux target as a static binary under an emulator: a runner any backend can use.

A backend whose target is a Linux ABI that this machine emulates (aarch64
and riscv64 under qemu-user) makes a :class:`StaticRunner` with its
target's clang flags, the flags that link a static executable against the
cross C library, and the emulator's command line; its
:meth:`~fxn.backends.base.Backend.runner` hook returns it. The runner
generates a small C driver (one ``main``) for the functions of a
:class:`~fxn.backends.base.Program`, compiles it with the program's LLVM IR
(through :func:`fxn.toolchain.parsable_ir`) into one static executable,
caches that per process (by a hash of the IR, the flags and the driver),
and runs it once per call, arguments and results piped through stdin and
stdout (as tinygrad runs its Hexagon device under qemu).

The driver's protocol, binary, in the target's byte order (little-endian:
the runner reads it so, and refuses big-endian triples):

- ``argv[1]``: the function's memref entry, ``fxn_<name>``
  (:func:`fxn.entries.memref_symbol`);
- stdin, per argument in order: its sizes (one int64 per dim, none for a
  0-d array), then its elements, row-major (``i1`` one byte each, ``f16``
  its IEEE binary16 bits, ``ui8`` as ``uint8_t``);
- stdout: the entry's status ``{int64 site, int64 value, int64 bound,
  int64 axis}`` (``fxn_status``); if ``site`` is 0, per result in order:
  its sizes, then its elements, row-major (the driver follows the
  descriptor's offset and strides);
- exit status 0. A driver that cannot read its input exits with status 2
  and says why on stderr; the code may also die of a signal.

The driver builds each argument's memref descriptor ``{allocated, aligned,
offset, sizes[rank], strides[rank]}`` with the target's index width (see
:mod:`fxn.entries`), 64-byte aligned data (an empty array gets a buffer
too), and calls ``fxn_<name>(result *, arg *..., fxn_status *)``, where the
result of a function of several results is a struct of descriptors. A
status with ``site != 0`` is the error
:func:`fxn.passes.lowering.checked_allocation.failure_error` makes of it
with the program's ``allocation_sites``: a :class:`MemoryError` naming the
op, line and size of a failed allocation, an :class:`IndexError` naming
the index, axis, size and line of an index out of bounds. A crash or any
other failure to run is a :class:`RuntimeError` with the emulator's
stderr. Compiled buffers are never freed: each call is its own process.
"""

from __future__ import annotations

import atexit
import glob
import hashlib
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fxn import toolchain
from fxn.symbols import memref_symbol

if TYPE_CHECKING:  # imported where arrays are read and written: a backend importing this module costs nothing
    import numpy as np

#: Architectures (the triple's first part) whose byte order is big-endian: the protocol is little-endian.
_BIG_ENDIAN = ("aarch64_be", "armeb", "mips", "mips64", "powerpc", "powerpc64", "s390x", "sparc", "sparcv9")


class StaticRunner:
    """Runs a target's code as a static executable under an emulator (the ``Runner`` of :mod:`fxn.backends.base`).

    ``cc_flags`` generate code for the target (``--target=<triple>``,
    ``-mcpu``/``-march``, ``-O3``) and compile the C driver with it;
    ``link_flags`` link a static executable (``-fuse-ld=lld -static`` and
    where the cross C library is, if clang does not find it itself);
    ``emulator`` is the command that runs it, the executable's path and
    arguments appended (``["qemu-aarch64"]``). ``requirements`` maps each
    tool (a command) or file (a glob pattern) the runner needs to how to get
    it; :meth:`unavailable` says which is missing. ``timeout`` bounds one
    call, in seconds.
    """

    def __init__(self, cc_flags: list[str], link_flags: list[str], emulator: list[str],
                 requirements: dict[str, str] | None = None, timeout: float = 600.0):
        self.cc_flags = list(cc_flags)
        self.link_flags = list(link_flags)
        self.emulator = list(emulator)
        self.requirements = dict(requirements or {})
        self.timeout = timeout

    def unavailable(self) -> str | None:
        """Why this runner cannot run here (the first tool or file missing and how to get it), or None."""
        needed = {toolchain.CLANG: "Debian's clang-22", self.emulator[0]: "the emulator", **self.requirements}
        for requirement, source in needed.items():
            found = glob.glob(requirement) if "/" in requirement else shutil.which(requirement)
            if not found:
                return f"{requirement} is missing ({source})"
        return None

    def run(self, program, function: str, target, inputs: list) -> list[np.ndarray]:
        """The results of ``function`` of ``program`` on ``inputs`` (numpy arrays of its argument types)."""
        return self.executable([program], target).run(function, inputs)

    def executable(self, programs: list, target) -> "StaticExecutable":
        """One static executable serving every function of ``programs``, built once per process.

        Several programs (one LLVM IR module each) link into one executable,
        which tests use to compile many small functions at once.
        """
        if target.triple.split("-")[0] in _BIG_ENDIAN:
            raise NotImplementedError(f"the static runner's protocol is little-endian; {target.triple} is not")
        signatures = _signatures(programs)
        driver = driver_source(signatures, target.index_bits)
        modules = [toolchain.parsable_ir(program.llvm_ir) for program in programs]
        flags = [*self.cc_flags, "|", *self.link_flags]
        key = _digest([toolchain.version(), *flags, driver, *modules])
        path = _CACHE.get(key, lambda directory: self._build(directory, driver, modules))
        return StaticExecutable(path, signatures, self.emulator, self.timeout)

    def _build(self, directory: Path, driver: str, modules: list[str]) -> Path:
        (directory / "driver.c").write_text(driver)
        sources = [str(directory / "driver.c")]
        for index, module in enumerate(modules):
            sources.append(str(directory / f"module{index}.ll"))
            Path(sources[-1]).write_text(module)
        binary, clang = directory / "program", shutil.which(toolchain.CLANG)
        if clang is None:
            raise toolchain.ToolchainError(f"{toolchain.CLANG} is not installed (scripts/setup installs it)")
        command = [clang, *self.cc_flags, *sources, *self.link_flags, "-o", str(binary)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            detail = "; ".join(line for line in result.stderr.splitlines() if "error" in line)
            raise toolchain.ToolchainError(f"{toolchain.CLANG} failed to build a static executable with "
                                           f"{' '.join(self.cc_flags)}: {(detail or result.stderr.strip())[:2000]}")
        return binary


@dataclass
class StaticExecutable:
    """A built driver executable and the signatures of the functions it serves (by memref symbol)."""

    path: Path
    signatures: dict[str, tuple[str, list, list]]  # symbol -> (function name, arg types, result types)
    emulator: list[str]
    timeout: float = 600.0

    def run(self, function: str, inputs: list) -> list[np.ndarray]:
        """Call ``function`` (a function's name) on ``inputs``; its results as numpy arrays (0-d ones too)."""
        symbol = memref_symbol(function)
        if symbol not in self.signatures:
            raise LookupError(f"no function '{function}' in this program (functions: "
                              f"{', '.join(name for name, *_ in self.signatures.values())})")
        _, arg_types, result_types, sites = self.signatures[symbol]
        request = encode_arguments(function, arg_types, inputs)
        try:
            done = subprocess.run([*self.emulator, str(self.path), symbol], input=request, capture_output=True,
                                  timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{function}() under {self.emulator[0]} did not finish in {self.timeout:g} s") from None
        if done.returncode != 0:
            raise RuntimeError(f"{function}() under {self.emulator[0]} {_exit_reason(done.returncode)}: "
                               f"{done.stderr.decode(errors='replace').strip()[-2000:] or 'no message'}")
        return decode_results(function, result_types, done.stdout, sites)


def _exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"died of {signal.Signals(-code).name}"
        except ValueError:
            return f"died of signal {-code}"
    return f"exited with status {code}"


def _signatures(programs: list) -> dict[str, tuple[str, list, list, list]]:
    """Each function's memref entry symbol -> its name, argument and result types, and its program's sites."""
    signatures = {}
    for program in programs:
        for name, (arg_types, result_types) in program.functions.items():
            symbol = memref_symbol(name)
            if symbol in signatures:
                raise ValueError(f"two programs define the function '{name}' ({symbol})")
            signatures[symbol] = (name, list(arg_types), list(result_types), program.allocation_sites)
    if not signatures:
        raise ValueError("the programs have no function to run")
    return signatures


def _digest(parts: list[str]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


# ----------------------------------------------------------------------------- the wire format


def _wire_dtype(t) -> np.dtype:
    """The element type of ``t`` as the protocol carries it: little-endian."""
    return t.numpy_dtype.newbyteorder("<")


def encode_arguments(function: str, arg_types: list, inputs: list) -> bytes:
    """stdin of the driver for one call: each argument's sizes, then its elements (TypeError if one does not fit).

    An argument is converted to its parameter's element type; its rank and
    static dims must be the parameter's, except that a 0-d parameter also
    takes a one-element 1-d array (what ``np.ascontiguousarray`` makes of a
    0-d one).
    """
    import numpy as np

    if len(inputs) != len(arg_types):
        raise TypeError(f"{function}() takes {len(arg_types)} arguments; got {len(inputs)}")
    pieces = []
    for index, (t, value) in enumerate(zip(arg_types, inputs)):
        array = np.asarray(value, dtype=_wire_dtype(t))  # tobytes() below writes it row-major
        if t.rank == 0 and array.shape == (1,):  # np.ascontiguousarray makes a 0-d array 1-d
            array = array.reshape(())
        if array.ndim != t.rank or any(d is not None and d != s for d, s in zip(t.shape, array.shape)):
            raise TypeError(f"{function}(): argument #{index} expects {t}; got an array of shape {array.shape}")
        pieces += [np.asarray(array.shape, "<i8").tobytes(), array.tobytes()]
    return b"".join(pieces)


def decode_results(function: str, result_types: list, output: bytes, sites: list = ()) -> list[np.ndarray]:
    """The results in the driver's stdout; MemoryError or IndexError if its status reports a failure."""
    import numpy as np

    from fxn.passes.lowering.checked_allocation import STATUS_BYTES, STATUS_FIELDS, failure_error

    if len(output) < STATUS_BYTES:
        raise RuntimeError(f"{function}(): the driver wrote {len(output)} bytes, not even a status")
    site, value, bound, axis = (int(v) for v in np.frombuffer(output, "<i8", len(STATUS_FIELDS)))
    if site:
        raise failure_error(function, list(sites), site, value, bound, axis)
    results, position = [], STATUS_BYTES
    for t in result_types:
        shape = tuple(int(v) for v in np.frombuffer(output, "<i8", t.rank, position))
        position += 8 * t.rank
        dtype = _wire_dtype(t)
        count = int(np.prod(shape, dtype=np.int64))
        data = np.frombuffer(output, dtype, count, position)
        position += count * dtype.itemsize
        results.append(data.astype(t.numpy_dtype).reshape(shape))  # a copy: writable, native byte order
    if position != len(output):
        raise RuntimeError(f"{function}(): the driver wrote {len(output) - position} bytes past its results")
    return results


# ----------------------------------------------------------------------------- the C driver

_DRIVER_PRELUDE = """\
/* The static runner's driver (generated by fxn.static_runner; its docstring states the protocol). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef {index_type} fxn_index;
typedef struct {{ int64_t site; int64_t value; int64_t bound; int64_t axis; }} fxn_status;

static void driver_fail(const char *what) {{
  fprintf(stderr, "fxn driver: %s\\n", what);
  exit(2);
}}

static void driver_read(void *data, size_t bytes) {{
  if (bytes && fread(data, 1, bytes, stdin) != bytes) driver_fail("stdin ended before the arguments did");
}}

static void driver_write(const void *data, size_t bytes) {{
  if (bytes && fwrite(data, 1, bytes, stdout) != bytes) driver_fail("cannot write the results to stdout");
}}

/* One argument from stdin into a descriptor's fields: sizes, row-major strides, 64-byte aligned data. */
static void driver_read_array(size_t element, int rank, void **allocated, void **aligned, fxn_index *offset,
                              fxn_index *sizes, fxn_index *strides) {{
  int64_t wire[rank ? rank : 1];
  driver_read(wire, sizeof(int64_t) * rank);
  size_t count = 1;
  for (int axis = rank - 1; axis >= 0; --axis) {{
    sizes[axis] = (fxn_index)wire[axis];
    strides[axis] = (fxn_index)count;
    count *= (size_t)wire[axis];
  }}
  size_t bytes = count * element, padded = (bytes + 63) / 64 * 64;
  void *data = aligned_alloc(64, padded ? padded : 64);
  if (!data) driver_fail("cannot allocate an argument");
  driver_read(data, bytes);
  *allocated = *aligned = data;
  *offset = 0;
}}

/* The elements of dims axis.. of a strided array, row-major (a contiguous row in one write). */
static void driver_write_elements(const char *at, size_t element, int axis, int rank, const fxn_index *sizes,
                                  const fxn_index *strides) {{
  if (axis == rank) {{ driver_write(at, element); return; }}
  if (axis == rank - 1 && strides[axis] == 1) {{ driver_write(at, (size_t)sizes[axis] * element); return; }}
  for (fxn_index i = 0; i < sizes[axis]; ++i)
    driver_write_elements(at + (ptrdiff_t)(i * strides[axis]) * (ptrdiff_t)element, element, axis + 1, rank, sizes,
                          strides);
}}

/* One result to stdout: its sizes, then its elements. */
static void driver_write_array(size_t element, int rank, const void *aligned, fxn_index offset,
                               const fxn_index *sizes, const fxn_index *strides) {{
  for (int axis = 0; axis < rank; ++axis) {{
    int64_t size = sizes[axis];
    driver_write(&size, sizeof size);
  }}
  driver_write_elements((const char *)aligned + (ptrdiff_t)offset * (ptrdiff_t)element, element, 0, rank, sizes,
                        strides);
}}
"""


def _descriptor_typedef(rank: int) -> str:
    dims = f" fxn_index sizes[{rank}]; fxn_index strides[{rank}];" if rank else ""
    return f"typedef struct {{ void *allocated; void *aligned; fxn_index offset;{dims} }} driver_memref{rank};"


def _call_function(index: int, symbol: str, arg_types: list, result_types: list) -> list[str]:
    """The C of ``driver_call<index>``: read the arguments, call ``symbol``, write the status and results."""
    lines = [f"static void driver_call{index}(void) {{"]
    for i, t in enumerate(arg_types):
        lines += [f"  driver_memref{t.rank} a{i};",
                  f"  driver_read_array({t.numpy_dtype.itemsize}, {t.rank}, &a{i}.allocated, &a{i}.aligned, "
                  f"&a{i}.offset, {f'a{i}.sizes, a{i}.strides' if t.rank else 'NULL, NULL'});"]
    fields = " ".join(f"driver_memref{t.rank} r{i};" for i, t in enumerate(result_types))
    lines += [f"  struct {{ {fields} }} results;", "  memset(&results, 0, sizeof results);",
              "  fxn_status status = {0, 0, 0, 0};"]
    # One result: its descriptor is the struct's only member, at the struct's address.
    arguments = (["&results"] if result_types else []) + [f"&a{i}" for i in range(len(arg_types))] + ["&status"]
    lines += [f"  {symbol}({', '.join(arguments)});", "  driver_write(&status, sizeof status);",
              "  if (status.site) return;"]
    for i, t in enumerate(result_types):
        fields = f"results.r{i}.aligned, results.r{i}.offset, " + (
            f"results.r{i}.sizes, results.r{i}.strides" if t.rank else "NULL, NULL")
        lines.append(f"  driver_write_array({t.numpy_dtype.itemsize}, {t.rank}, {fields});")
    return lines + ["}"]


def driver_source(signatures: dict[str, tuple[str, list, list, list]], index_bits: int) -> str:
    """The C driver serving these functions (memref symbol -> (name, arg types, result types))."""
    ranks = sorted({t.rank for _, args, results, _ in signatures.values() for t in [*args, *results]})
    lines = [_DRIVER_PRELUDE.format(index_type=f"int{index_bits}_t"), *map(_descriptor_typedef, ranks), ""]
    dispatch = []
    for index, (symbol, (_, arg_types, result_types, _)) in enumerate(sorted(signatures.items())):
        # Descriptors are passed by pointer: void * has the ABI of each descriptor pointer.
        parameters = ["void *"] * (bool(result_types) + len(arg_types)) + ["fxn_status *"]
        lines += [f"void {symbol}({', '.join(parameters)});", *_call_function(index, symbol, arg_types, result_types),
                  ""]
        dispatch.append(f'if (!strcmp(argv[1], "{symbol}")) driver_call{index}();')
    lines += ["int main(int argc, char **argv) {",
              '  if (argc != 2) driver_fail("usage: program FUNCTION < arguments > results");',
              "  " + "\n  else ".join(dispatch), '  else driver_fail("no such function");',
              "  if (fflush(stdout)) driver_fail(\"cannot write the results to stdout\");",
              "  return 0;", "}", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the per-process cache


@dataclass
class _BinaryCache:
    """Executables by key, built once per process into a temporary directory removed at exit."""

    binaries: dict[str, Path] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    root: Path | None = None

    def get(self, key: str, build) -> Path:
        with self.lock:
            if key not in self.binaries:
                if self.root is None:
                    self.root = Path(tempfile.mkdtemp(prefix="fxn-static-runner-"))
                    atexit.register(shutil.rmtree, self.root, True)
                directory = self.root / key[:16]
                directory.mkdir(exist_ok=True)
                self.binaries[key] = build(directory)
            return self.binaries[key]


_CACHE = _BinaryCache()
