"""The sandbox fxn traces a predictor in: what the predictor's code does to the world is refused, or recorded.

:func:`tracing` opens a :class:`Session` on the current thread for one
trace (a context variable: threads tracing at once have one session each).
While it is open:

- imports in the predictor's own code are checked against
  :data:`.effects.ALLOWED_IMPORTS` before anything runs;
- an audit hook (PEP 578; installed once per process, a no-op on threads
  that are not tracing) sees file, program, network, ctypes, import and
  compile events and refuses, before they happen, those
  :mod:`.attribution` charges to the predictor;
- while the predictor's code runs for real (``make_fx``:
  :func:`running_predictor`), a profile function on this thread watches the
  calls that read the clock, the global random state, the environment or
  OS randomness, which raise no audit event. Torch's work for each op runs
  unwatched (:func:`_unwatched_torch_ops`): tracing stays as fast as before.
  NumPy's global generator is Cython, which the profiler does not see: its
  state is compared before and after;
- TorchDynamo interprets the predictor instead of running it: where Dynamo
  refuses a call that is an effect, :func:`refusal_at` says so in fxn's
  words; what Dynamo reads for real while interpreting (``os.environ``,
  whose Python methods it inlines) :func:`check_interpreted` finds in the
  code it traced.

A refused effect raises :class:`.errors.UnsupportedOperation` (naming the
predictor's file and line) where it happens, and the session keeps it: it is
raised again when the session closes, even if the predictor or torch caught
it. With ``allow_effects``, readings (:attr:`.effects.Category.allowable`)
are allowed and listed in :attr:`Session.effects`.

This keeps a predictor's accidental effects, and values of the build
machine, out of the build; it is no jail for hostile code (PEP 578 explains
why), which runs anyway when its module is imported. Not seen: what raises
no audit event and is not watched (``os.stat``/``os.path.exists``,
``os.getpid``, ``sys.argv``), a ctypes C function the predictor's code
does not name (it is refused by name: calling one raises no event on POSIX),
threads the predictor starts, readings in
code torch calls back inside an op, effectful builtins handed to torch's
engine as callbacks. A NumPy draw whose code names no ``np.random``
function is refused at the predictor's ``def``.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import dis
import functools
import importlib.util
import sys
import threading
import types

from .attribution import USER, FrameKinds, effect_references, namespace_of, responsible_position, source_text
from .effects import (IMPORTS, NATIVE_CODE, RANDOM, Category, Watch, describe_event, event_category, import_allowed,
                      watched_builtins, watched_code)
from .errors import UnsupportedOperation
from .source import Position, definition_position

_SESSION: contextvars.ContextVar[Session | None] = contextvars.ContextVar("fxn_trace_session", default=None)
_hook_lock = threading.Lock()
_hook_installed = False


class Session:
    """One trace of ``fn``: the readings allowed (:attr:`effects`) and the first effect refused (:attr:`refusal`).

    The hooks report what they see to :meth:`on_event` and :meth:`on_call`;
    :meth:`meet` decides, for an effect charged to the predictor.
    """

    def __init__(self, fn, allow_effects: bool):
        self.fn = fn
        self.allow_effects = allow_effects
        self.kinds = FrameKinds({fn.__code__.co_filename})
        #: Allowed readings: "time.time() at p.py:7 (value baked in)".
        self.effects: list[str] = []
        self.refusal: UnsupportedOperation | None = None
        #: The Python code objects the predictor's code entered while it ran (:func:`running_predictor`), by id.
        self.entered: dict[int, types.CodeType] = {}

    def meet(self, category: Category, what: str, position: Position) -> None:
        """The predictor did ``what`` at ``position``: record it if allowed, else refuse it (raise)."""
        if category.allowable and self.allow_effects:
            entry = f"{what} at {position.filename}:{position.line} (value baked in)"
            if entry not in self.effects:
                self.effects.append(entry)
            return
        raise copy.copy(self.refuse(category, what, position))  # torch may add to what it sees raised

    def refuse(self, category: Category, what: str, position: Position) -> UnsupportedOperation:
        """The error refusing ``what``, kept as :attr:`refusal` if it is the first."""
        error = UnsupportedOperation(f"fxn refuses {category.name} while tracing: {what}; {category.advice}",
                                     position.filename, position.line, position.column + 1)
        if self.refusal is None:
            self.refusal = error
        return error

    def on_event(self, category: Category, event: str, args: tuple, frame) -> None:
        """An audit event of ``category`` was raised in ``frame``."""
        if category is IMPORTS and import_allowed(args[0]):
            return
        position = responsible_position(frame, self.kinds, category is IMPORTS or event in ("exec", "compile"))
        if position is None:
            return
        what = describe_event(event, args)
        text = source_text(position)
        if text and event.rpartition(".")[2] not in text:
            what += f" (in '{text}')"  # through a library: 'np.loadtxt(path)'
        self.meet(category, what, position)

    def on_call(self, watch: Watch, caller, callee) -> None:
        """A watched function was called from frame ``caller`` (``callee``: its frame if it is Python code)."""
        position = responsible_position(caller, self.kinds, watch.category is IMPORTS)
        if position is None or callee is not None and watch.category is IMPORTS and _imports_allowed(callee):
            return
        self.meet(watch.category, source_text(position) or f"{watch.name}()", position)

    def refuse_imports(self) -> None:
        """Refuse an ``import`` statement in the predictor's own code of a module outside the allow-list.

        Checked in the code, before it runs: importing a module that is
        loaded already raises no audit event.
        """
        for module, relative, position in _imports(self.fn.__code__):
            if relative or not import_allowed(module):
                self.meet(IMPORTS, source_text(position) or f"import {module}", position)

    def refuse_foreign_calls(self, code: types.CodeType) -> None:
        """Refuse ``code``, the predictor's, before it runs if it names a ctypes function (``ctypes.memset``, ``libc.system``).

        Calling a C function through ctypes raises no audit event on POSIX and
        no profile event: the name is the only sign, checked as the code is
        entered. A function reached otherwise (an attribute of an object) is
        not seen.
        """
        if self.kinds.of(code.co_filename) is not USER:
            return
        for position, watch in _references_in([code], self.fn):
            if watch.category is NATIVE_CODE:
                self.meet(NATIVE_CODE, source_text(position) or watch.name, position)

    def check_numpy_random(self, before) -> None:
        """Refuse (or record) draws from NumPy's global generator since its state was ``before``.

        They are located by name in the predictor's code that ran, else at
        its definition. (Another thread drawing meanwhile is taken for the
        predictor: NumPy has one global generator per process.)
        """
        if before is None or _same_numpy_state(before, _numpy_random_state()):
            return
        codes = [self.fn.__code__] + [c for c in self.entered.values() if self.kinds.of(c.co_filename) is USER]
        for position, watch in _references_in(codes, self.fn):
            if watch.category is RANDOM and watch.name.startswith("np."):
                return self.meet(RANDOM, source_text(position) or watch.name, position)
        self.meet(RANDOM, "np.random (NumPy's global generator changed while it ran)", definition_position(self.fn))


@contextlib.contextmanager
def tracing(fn, allow_effects: bool = False):
    """The sandbox of one trace of ``fn`` on this thread: yields its :class:`Session`, raises what it refused."""
    _install_audit_hook()
    session = Session(fn, allow_effects)
    session.refuse_imports()
    token = _SESSION.set(session)
    try:
        yield session
    except Exception:
        reraise_refusal()
        raise
    finally:
        _SESSION.reset(token)
    if session.refusal is not None:
        raise copy.copy(session.refusal) from None


def reraise_refusal() -> None:
    """Raise what this thread's trace refused, if anything (where a caught error may hide it)."""
    session = _SESSION.get()
    if session is not None and session.refusal is not None:
        raise copy.copy(session.refusal) from None


# ----------------------------------------------------------------------------
# Audit events.


def _install_audit_hook() -> None:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True


def _audit(event: str, args: tuple, _session=_SESSION) -> None:
    # The variable is bound at definition: the hook outlives the module's globals at interpreter shutdown.
    session = _session.get()
    if session is None:
        return
    category = event_category(event)
    if category is not None:
        session.on_event(category, event, args, sys._getframe(1))


# ----------------------------------------------------------------------------
# Calls, while the predictor runs for real.


@contextlib.contextmanager
def running_predictor():
    """Watch the calls the predictor's code makes until the block ends (``make_fx`` runs it inside)."""
    session = _SESSION.get()
    if session is None:
        yield
        return
    numpy_state = _numpy_random_state()
    previous = sys.getprofile()
    sys.setprofile(_watcher(session, watched_builtins(), watched_code()))
    try:
        with _unwatched_torch_ops()():
            yield
    finally:
        sys.setprofile(previous)
    session.check_numpy_random(numpy_state)


def _watcher(session: Session, builtins_table: dict, code_table: dict):
    """The profile function: a dict lookup per call, the rest only for watched functions."""
    entered = session.entered

    def watch(frame, event, arg):
        if event == "c_call":
            watched = builtins_table.get(arg)
            if watched is not None:
                session.on_call(watched, frame, None)
        elif event == "call":
            code = frame.f_code
            if id(code) not in entered:
                entered[id(code)] = code
                session.refuse_foreign_calls(code)
            watched = code_table.get(id(code))
            if watched is not None:
                session.on_call(watched, frame.f_back, frame)

    return watch


@functools.cache
def _unwatched_torch_ops():
    """A torch-function mode running each torch call unwatched: what torch does for an op is not the predictor's."""
    from torch.overrides import TorchFunctionMode

    class UnwatchedTorchOps(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            watcher = sys.getprofile()
            sys.setprofile(None)
            try:
                return func(*args, **(kwargs or {}))
            finally:
                sys.setprofile(watcher)

    return UnwatchedTorchOps


def _imports_allowed(frame) -> bool:
    """Whether ``importlib.import_module(name, package)`` (its frame) imports an allowed module."""
    name, package = frame.f_locals.get("name"), frame.f_locals.get("package")
    try:
        return import_allowed(importlib.util.resolve_name(name, package))
    except (ImportError, TypeError, ValueError):
        return False


def _numpy_random_state():
    numpy = sys.modules.get("numpy")
    return None if numpy is None else numpy.random.mtrand._rand.get_state(legacy=False)


def _same_numpy_state(a: dict, b: dict) -> bool:
    return (a["state"]["pos"] == b["state"]["pos"] and a["has_gauss"] == b["has_gauss"] and a["gauss"] == b["gauss"]
            and (a["state"]["key"] == b["state"]["key"]).all())


# ----------------------------------------------------------------------------
# TorchDynamo.


def refusal_at(position: Position | None) -> UnsupportedOperation | None:
    """fxn's refusal of the effect TorchDynamo could not trace at ``position``, None if it is no (refused) effect."""
    session = _SESSION.get()
    if session is None or position is None:
        return None
    namespace = namespace_of(position.filename, session.fn)
    found = effect_references(position.filename, range(position.line, position.line + 1), namespace)
    if not found:
        return None
    where, watch = next((f for f in found if f[0].column == position.column), found[0])
    what = source_text(where) or watch.name
    if watch.category.allowable and session.allow_effects:  # allowed, but Dynamo cannot trace it
        return UnsupportedOperation(
            f"fxn cannot compile '{what}': {watch.category.name} is allowed with allow_trace_effects only where fxn "
            f"runs the code (torch code); TorchDynamo, which traces code using NumPy, cannot: pass the value as an "
            f"argument", where.filename, where.line, where.column + 1)
    return session.refuse(watch.category, what, where)


def check_interpreted(codes) -> None:
    """Refuse (or record) the watched functions among ``codes``, which TorchDynamo interpreted for the predictor.

    Dynamo inlines Python functions such as ``os.environ``'s methods, reading
    the real environment. It records what it inlined, not from where: the
    place is found among the predictor's code it traced, by name.
    """
    session = _SESSION.get()
    if session is None:
        return
    table = watched_code()
    watches = {table[id(code)].category: table[id(code)] for code in codes if id(code) in table}
    user_codes = {id(code): code for code in codes if session.kinds.of(code.co_filename) is USER}
    for category, watch in watches.items():
        for where, reference in _references_in(user_codes.values(), session.fn):
            if reference.category is category:
                session.meet(category, source_text(where) or reference.name, where)
                break
        else:
            session.meet(category, f"{watch.name} (in a function it calls)", definition_position(session.fn))


def _references_in(codes, fn) -> list[tuple[Position, Watch]]:
    found = []
    for code in codes:
        lines = [line for _, _, line in code.co_lines() if line]
        if lines:
            span = range(min(lines), max(lines) + 1)
            found += effect_references(code.co_filename, span, namespace_of(code.co_filename, fn))
    return found


def _imports(code: types.CodeType):
    """(module, whether relative, position) of each ``import`` in ``code`` and the functions it defines."""
    instructions = list(dis.get_instructions(code))
    for index, instruction in enumerate(instructions):
        if instruction.opname == "IMPORT_NAME":
            level = instructions[index - 2]  # LOAD_CONST level, LOAD_CONST fromlist, IMPORT_NAME module
            p = instruction.positions
            position = Position(code.co_filename, p.lineno, p.col_offset or 0, p.end_lineno, p.end_col_offset)
            yield instruction.argval, level.opname == "LOAD_CONST" and bool(level.argval), position
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _imports(constant)
