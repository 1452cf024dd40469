"""The C names of what fxn compiles for a function: every one starts with ``fxn_<name>`` (no MLIR here).

:func:`memref_symbol` is the stem; the entries of :mod:`fxn.entries` and
:mod:`fxn.python_entry` append a suffix to it: ``__value``, ``__out``,
``__python`` (the CPython entry), ``__runtime`` (its runtime table, see
:mod:`fxn.entry_binding`), ``__free_capsule``, and ``__address`` for the
function returning a symbol's address.
"""

from __future__ import annotations


def memref_symbol(name: str) -> str:
    """The memref entry of function ``name``: ``fxn_<name>``, the C name of everything compiled for it.

    Every symbol fxn defines for a function starts with this name, so that
    no function name can collide with libc (a predictor named ``malloc``),
    the runtime or another entry; characters of ``name`` that C does not
    allow in identifiers become ``_`` (only the JIT sees such names:
    artifacts refuse them).
    """
    return "fxn_" + "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in name)


def value_symbol(name: str) -> str:
    """The value entry of function ``name`` (scalars in and out), where it has one."""
    return f"{memref_symbol(name)}__value"


def destination_symbol(name: str) -> str:
    """The destination entry of function ``name`` (``out=``), where it has one."""
    return f"{memref_symbol(name)}__out"


def entry_symbol(name: str) -> str:
    """The CPython entry of function ``name``."""
    return f"{memref_symbol(name)}__python"


def runtime_symbol(name: str) -> str:
    """The runtime table of function ``name``'s CPython entry (see :mod:`fxn.entry_binding`)."""
    return f"{memref_symbol(name)}__runtime"


def destructor_symbol(name: str) -> str:
    """The capsule destructor a module holding function ``name``'s CPython entry carries for its result arrays."""
    return f"{memref_symbol(name)}__free_capsule"


def address_symbol(symbol: str) -> str:
    """The function returning the address of ``symbol`` (a JIT engine looks up functions' packed wrappers only)."""
    return f"{symbol}__address"
