"""The process-wide compile lock: what fxn does from one thread at a time.

Tracing and compiling are not thread-safe below fxn: TorchDynamo and
``torch.fx`` patch process-wide state while they trace, and every new MLIR
context loads the Python-defined fxn dialect through ``dialects.ext``, whose
``Dialect.load`` keeps the module it builds in a class attribute (two loads
at once run one thread's pass manager on the other's module). So tracing,
lowering, JIT engine creation and the reference interpreter run with
:data:`COMPILE_LOCK` held. It is reentrant because locked steps nest (a
compile lowers, then builds the CPython entry with the cached helpers of
:mod:`fxn.python_entry`). Calls of compiled code never take it.

A function traced under the lock must not wait for another thread that
compiles: that thread waits for the lock.
"""

from __future__ import annotations

import _thread
import functools

#: Held while fxn traces, creates MLIR contexts, lowers, JIT-compiles or interprets.
COMPILE_LOCK = _thread.RLock()  # threading.RLock's type, without importing threading (a cached call need not)


def holding_compile_lock(fn):
    """Decorator: ``fn`` runs with :data:`COMPILE_LOCK` held."""
    @functools.wraps(fn)
    def locked(*args, **kwargs):
        with COMPILE_LOCK:
            return fn(*args, **kwargs)

    return locked
