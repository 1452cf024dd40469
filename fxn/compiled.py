"""``@fxn.compile``: a Python function becomes native code, one concrete function per input signature.

A :class:`CompiledFunction` is polymorphic, as ``tf.function`` is: each
input signature (the dtype and shape of every argument) gets its own
:class:`ConcreteFunction`, traced, lowered and JIT-compiled once and cached.

- A fully annotated function (every parameter ``float``/``int``/``bool`` or
  ``fxn.Tensor[...]``, or ``input_signature=``) has exactly one signature:
  it is compiled at its first call and never retraced; a named dim (``"N"``)
  takes any size at run time, the same size wherever the same name appears.
  An argument that does not fit raises ``TypeError`` naming the parameter,
  the expected and the given type.
- Parameters annotated ``np.ndarray`` / ``torch.Tensor`` or not at all
  follow tf.function's tracing rules: arrays key on dtype and shape; Python
  scalars, strings, None, enum members and tuples or lists of these key on
  their value and are constants of the trace (a specialization of the
  function with them static); other objects key on their identity. A call
  runs the most specific concrete function it fits (fewest dynamic dims);
  ``reduce_retracing`` makes a dim seen with two sizes dynamic. ``*args``
  and ``**kwargs`` key each position and keyword (a function of fixed
  parameters per layout of them). Every trace
  counts in :attr:`CompiledFunction.tracing_count`, each retrace logs a
  debug line naming the argument that changed, and the third warns.

Results are numpy arrays, or Python scalars where the return annotation says
``float`` / ``int`` / ``bool`` (or, without one, where every parameter is
annotated as such or ``str``). A returned string is a Python ``str``; a
``str`` parameter takes one (both pass as UTF-8 bytes, through the Python
path: the CPython entry takes no strings). Python side effects in the function body happen when it
is traced, not on every call.

A call of a compiled signature runs no Python code in the common case: the
:class:`CompiledFunction` is a ``functools.partial`` of the signature's
CPython entry (:mod:`fxn.python_entry`; for a function that specializes,
the entry of the latest call's signature), which unboxes the arguments, runs
the compiled code and boxes the result; other arguments fall back to the
Python path (:class:`fxn.runtime.Executable`), which converts them or raises
the ``TypeError``.

``f(x, y, out=buf)`` writes the result into the caller's array ``buf`` and
returns ``buf``; no result buffer is allocated. For a function returning a
tuple, ``out`` is a tuple of arrays, one per result, as numpy's ufuncs take
it (and that tuple is returned); a single result also takes a tuple of one.
Each array must have exactly its result's dtype and shape, else
``TypeError``, and be C-contiguous, aligned and writeable, else
``ValueError``; the messages name ``out`` (``out[i]``), the expected and the
given type. Where a result has dynamic dims, the compiled code computes
their sizes from the arguments' dims before anything else and writes
nothing unless ``out`` has them (``TypeError`` naming the expected shape).
An ``out`` that may share memory with an argument (``out=x``) gets the
result through a fresh array and a copy; arrays of ``out`` that may share
memory with each other are a ``ValueError``. Arguments are never written.
A result returned as a Python scalar takes no ``out`` (``TypeError``); a 0-d
array result takes a 0-d array. A function with a parameter named ``out``
keeps it: ``out=`` then binds that parameter.

The first call with ``out=`` compiles the signature's *destination entry*
(:func:`lower_destination`, :func:`fxn.entries.add_destination_entry`),
in which the op computing each result writes straight into ``out``;
ordinary calls never pay for it. Calls with ``out=`` take the Python path
(:class:`fxn.runtime.DestinationExecutable`, some microseconds per call), so
``out=`` pays off for large results, which a fresh buffer would cost page
faults to map.
"""

from __future__ import annotations

import builtins
import contextlib
import enum
import functools
import re
import sys
import warnings
import weakref

from fxn.compile_lock import holding_compile_lock
from fxn.dialects import TensorType, new_context
from fxn import signatures
from fxn.function_values import address_of, is_function_value, passing
from fxn.structure import LEAF, Structure, constant, flatten, holds_arrays, is_container, leaves_of, unflatten

#: What ``fxn inspect`` can print, in pipeline order.
STAGES = ("traced", "fxn", "optimized", "lowered", "llvm", "asm")
#: Return annotations that ask for Python scalars.
_SCALAR_ANNOTATIONS = (float, int, bool)
#: Python values an unannotated parameter keys a trace on by value (and tuples and lists of them).
_VALUE_TYPES = (bool, int, float, str, type(None))
#: The retrace at which a function warns, once, that it keeps retracing.
_RETRACES_WARNED = 3
#: A parameter or leaf without an annotation (of the function of flattened parameters).
_NO_ANNOTATION = object()


class LoweredFunction:
    """One signature of a predictor lowered to the LLVM dialect, before machine code.

    ``traced`` is the ``fxn.frontend.TracedFunction``; ``module`` the
    LLVM-dialect ``builtin.module`` holding ``@<entry>`` with its memref
    entry and, where the signature allows (``value_entry``), its value entry
    (see :mod:`fxn.runtime`), for ``target`` (an ``fxn.backends.base.Target``);
    ``optimized`` the optimized fxn module (before the value entry), from
    which :func:`lower_destination` starts; ``dim_assumptions`` what the
    compiled code assumes of the arguments' dynamic dims (checked before each
    call); ``allocation_sites`` where it may fail (``FailureSite``), numbered
    as its status reports failures; ``threads`` ``fxn.compile``'s (see
    :func:`fxn.threads.thread_plan`). (Not a dataclass: making one costs every
    decoration, see :mod:`fxn.values`.)
    """

    def __init__(self, traced, module, value_entry: bool, target, fast_math: bool, optimized, dim_assumptions,
                 allocation_sites: list, threads: int | None = None):
        self.traced, self.module, self.value_entry, self.target = traced, module, value_entry, target
        self.fast_math, self.optimized, self.dim_assumptions = fast_math, optimized, dim_assumptions
        self.allocation_sites, self.threads = allocation_sites, threads

    @property
    def entry(self) -> str:
        return self.traced.entry

    @property
    def arg_types(self) -> list[TensorType]:
        return list(self.traced.arg_types)

    @property
    def result_types(self) -> list[TensorType]:
        return list(self.traced.result_types)


@holding_compile_lock
def lower(fn, parameters, arg_types, target, stages: dict | None = None,
          stop_after: str | None = None, fast_math: bool = False, debug_info: bool = False,
          allow_trace_effects: bool = False, statics: dict | None = None,
          bounds_check: bool = True, scalar_dtypes: dict | None = None,
          threads: int | None = None) -> LoweredFunction | None:
    """Trace ``fn`` for ``arg_types``, optimize it, add its value entry and lower it to the LLVM dialect.

    If ``stages`` is a dict, the IR after each step is stored in it under the
    names of :data:`STAGES` ("traced", "fxn", "optimized", "lowered"), each as
    soon as it is reached (with every op's ``loc(...)`` if ``debug_info``);
    ``stop_after`` one of these returns None there.
    """
    from fxn.compiler import lower_to_linalg, lower_to_llvm
    from fxn.frontend.trace import trace
    from fxn.passes.lowering.checked_allocation import allocation_sites
    from fxn.passes.lowering.dim_assumptions import dim_assumptions
    from fxn.pipeline import build_pipeline
    from fxn.entries import add_value_entry, function_named

    def reached(stage: str, ir) -> bool:
        if stages is not None:
            stages[stage] = ir if isinstance(ir, str) else ir.operation.get_asm(enable_debug_info=debug_info)
        return stage == stop_after

    from fxn.frontend.types import SCALAR_DTYPES, using_scalar_dtypes

    with using_scalar_dtypes(scalar_dtypes or SCALAR_DTYPES):
        traced = trace(fn, parameters, list(arg_types), new_context(), allow_trace_effects, statics)
    module = traced.module
    if reached("traced", f"# captured by {traced.capture}\n{traced.graph}") or reached("fxn", module):
        return None
    from fxn.compiler import as_target, optimization_pipeline

    _, target = as_target(target)
    _run(build_pipeline(optimization_pipeline(target, fast_math), module.context)[0], module)
    if reached("optimized", module):
        return None
    optimized = module.operation.clone()
    assumptions = dim_assumptions(function_named(module, traced.entry), [p.name for p in parameters])
    value_entry = add_value_entry(module, traced.entry)
    with _lowering_errors(target):
        if stages is not None:
            linalg = module.operation.clone()
            lower_to_linalg(linalg, target)
            if reached("lowered", linalg):
                return None
        lower_to_llvm(module, target, fast_math=fast_math, bounds_check=bounds_check, threads=threads)
    value_entry = value_entry and not _drop_failing_value_entry(module, traced.entry)
    sites = allocation_sites(module, optimized)
    return LoweredFunction(traced, module, value_entry, target, fast_math, optimized, assumptions, sites, threads)


def _drop_failing_value_entry(module, name: str) -> bool:
    """Erase the value entry if its code may fail to allocate (it has no status to say so); whether it did.

    A value entry exists only for code that allocates nothing it could fail
    to get: scalars in and out, nothing to check. (Code that does, say a
    scalar function summing a large constant it builds, keeps its memref
    entry, whose status reports the failure.)
    """
    from fxn.entries import function_named
    from fxn.symbols import value_symbol
    from fxn.passes.lowering.checked_allocation import MAY_FAIL_ATTRIBUTE

    entry = function_named(module, value_symbol(name))
    if MAY_FAIL_ATTRIBUTE not in entry.attributes:
        return False
    entry.operation.erase()
    return True


@contextlib.contextmanager
def _lowering_errors(target):
    """A lowering's located error (an op the target cannot lower as typed) as an UnsupportedOperation."""
    from fxn.diagnostics import from_mlir_error
    from fxn.frontend import UnsupportedOperation
    from fxn.mlir import MLIRError

    try:
        yield
    except MLIRError as error:
        first = from_mlir_error(error)[0]
        raise UnsupportedOperation(f"fxn cannot compile this for target '{target.spec}': {first.message}",
                                   first.filename, first.line or None, first.column or None) from None


@holding_compile_lock
def lower_destination(lowered: LoweredFunction):
    """A new LLVM-dialect module holding the destination entry of ``lowered``.

    See :func:`fxn.entries.add_destination_entry`. The entry is added once
    the function is lowered to linalg, where its types are upstream's
    (``ui8`` is ``i8`` there).
    """
    from fxn.compiler import DESTINATION_STAGES, lower_to_linalg, lower_to_llvm
    from fxn.entries import add_destination_entry

    module = lowered.optimized.clone().opview
    lower_to_linalg(module, lowered.target)
    add_destination_entry(module, lowered.entry)
    lower_to_llvm(module, lowered.target, lowered.fast_math, DESTINATION_STAGES, threads=lowered.threads)
    return module


def _run(pass_manager, op) -> None:
    with op.context:
        pass_manager.run(op.operation)


class ConcreteFunction:
    """The compiled code of one input signature, callable with arguments of exactly that signature.

    Calls go through :attr:`entry`: the CPython entry (:mod:`fxn.python_entry`)
    where the signature has one (:attr:`native`), falling back to
    :attr:`python_path` (the :class:`fxn.runtime.Executable`) for arguments it
    does not take as they are; otherwise the Python path itself. Calls with
    ``out=`` go to :meth:`call_into`.
    """

    def __init__(self, lowered: LoweredFunction, make_executable, names: list[str] | None = None):
        self.lowered = lowered
        self._make_executable = make_executable
        self.python_path = _python_path(self, lowered.traced.result_structure)
        self.entry = self.python_path
        self.native = False
        self._destination = None  # a DestinationExecutable, compiled by the first call with out=
        #: The address of its value entry (scalars in and out), where it has one: what it is as a function value
        #: (a function finding it, until first read).
        self._value_address = None
        #: (index, name, signature) of each parameter of function type: its argument is converted to an address.
        self.function_parameters = _function_parameters(lowered, names)
        #: Per result, whether it is a function (its address turns back into the function passed).
        self._function_results = _function_results(lowered) if self.function_parameters else []

    @property
    def value_address(self) -> int | None:
        """The address of its value entry (scalars in and out), where it has one: what it is as a function value."""
        if callable(self._value_address):
            self._value_address = self._value_address()
        return self._value_address

    @value_address.setter
    def value_address(self, address) -> None:
        self._value_address = address

    def returned_functions(self, result):
        """``result`` with each function address it returns replaced by the function it came from (a tuple's
        elements; other containers keep the addresses)."""
        returned = self._function_results
        if not any(returned):
            return result
        from fxn.function_values import function_of_address

        if len(returned) == 1:
            return function_of_address(int(result))
        if type(result) is tuple:
            return tuple(function_of_address(int(r)) if f else r for r, f in zip(result, returned))
        return result

    def function_addresses(self, args) -> tuple:
        """``args`` with each function argument replaced by its native address (:mod:`fxn.function_values`)."""
        args = list(args)
        for index, name, signature in self.function_parameters:
            args[index] = address_of(args[index], signature, name) if signature is not None else 0
        return tuple(args)

    @functools.cached_property
    def executable(self):
        """The :class:`fxn.runtime.Executable` of the Python path, made when first needed."""
        return self._make_executable()

    @property
    def arg_types(self) -> list[TensorType]:
        return self.lowered.arg_types

    @property
    def result_types(self) -> list[TensorType]:
        return self.lowered.result_types

    def __call__(self, *args, out=None):
        return self.entry(*args) if out is None else self.call_into(out, args)

    def call_into(self, out, args):
        """Run with the results written into ``out`` instead of new arrays; returns ``out``.

        ``out`` is an array for a function returning one array (a tuple of one
        array is taken too, as numpy's ufuncs take it, and the array is
        returned), a tuple of arrays, one per result, for a function returning
        a tuple. Each must have exactly its result's type and be C-contiguous,
        aligned and writeable (see :class:`fxn.runtime.DestinationExecutable`).
        The first such call compiles the destination entry.
        """
        outs = self._destinations(out)
        destination = self._destination or self._compile_destination()
        destination.call(args, outs)
        return out if self.lowered.traced.returns_tuple or not isinstance(out, tuple) else outs[0]

    def _destinations(self, out) -> tuple:
        """``out`` as one array per result; TypeError if it is not that, or if a result is a Python scalar."""
        if _returns_string(self.lowered.traced.result_structure):
            raise TypeError(f"out= needs array results; {self.lowered.entry}() returns a str")
        scalars = self.executable.scalar_results
        if any(scalars):
            index = scalars.index(True)
            raise TypeError(f"out= needs array results; {self.lowered.entry}() returns result {index} "
                            f"({self.result_types[index]}) as a Python scalar")
        count = len(self.result_types)
        given = f"a tuple of {len(out)}" if isinstance(out, tuple) else type(out).__name__
        if self.lowered.traced.returns_tuple:
            if not isinstance(out, tuple) or len(out) != count:
                raise TypeError(f"out must be a tuple of {count} array(s), one per result; got {given}")
            return out
        if not isinstance(out, tuple):
            return (out,)
        if len(out) != 1:
            raise TypeError(f"out must be an array (or a tuple of one array); got {given}")
        return out

    @holding_compile_lock
    def _compile_destination(self):
        """The destination entry, compiled once: racing first out= calls wait for one compile and share it."""
        if self._destination is not None:
            return self._destination
        from fxn.compiler import jit
        from fxn.passes.lowering.checked_allocation import allocation_sites
        from fxn.runtime import DestinationExecutable

        executable = self.executable
        count = len(self.result_types)
        out_names = [f"out[{i}]" for i in range(count)] if self.lowered.traced.returns_tuple else ["out"]
        module = lower_destination(self.lowered)
        self._destination = DestinationExecutable(
            jit(module), self.lowered.entry, self.arg_types, self.result_types,
            arg_names=executable.arg_names, named_dims=executable.named_dims, out_names=out_names,
            dim_assumptions=self.lowered.dim_assumptions,
            allocation_sites=allocation_sites(module, self.lowered.optimized),
        )
        return self._destination

    def __repr__(self) -> str:
        args = ", ".join(map(str, self.arg_types))
        return f"<ConcreteFunction {self.lowered.entry}({args}) -> {', '.join(map(str, self.result_types))}>"


def _returns_string(structure: Structure) -> bool:
    """Whether a result structure holds a str."""
    return structure.kind == "string" or any(_returns_string(child) for child in structure.children)


def _function_parameters(lowered: LoweredFunction, names: list[str] | None) -> list[tuple]:
    """(index, name, signature) of each parameter of function type of ``lowered`` (signature None: never called)."""
    function_types = sys.modules.get("fxn.frontend.function_types")  # (none exists before it is imported)
    if function_types is None:
        return []
    FunctionPointerType = function_types.FunctionPointerType
    signatures = getattr(lowered.traced, "function_signatures", {})  # (cached code: every signature is in its key)
    return [(index, names[index] if names else f"#{index}", t.signature or signatures.get(index))
            for index, t in enumerate(lowered.arg_types) if isinstance(t, FunctionPointerType)]


def _infers_a_signature(types: tuple) -> bool:
    """Whether a parameter of function type among ``types`` has no signature until its first call is traced."""
    function_types = sys.modules.get("fxn.frontend.function_types")  # (none exists before it is imported)
    return function_types is not None and any(
        isinstance(t, function_types.FunctionPointerType) and t.signature is None for t in types)


def _function_results(lowered: LoweredFunction) -> list[bool]:
    """Per result of ``lowered``, whether it is a function argument returned (its address)."""
    from fxn.frontend.function_types import FunctionPointerType

    return [isinstance(t, FunctionPointerType) for t in lowered.result_types]


def _library_value_address(library, entry: str) -> int | None:
    """The address of ``entry``'s value entry in a cached library, None if it has none."""
    from fxn.symbols import value_symbol

    try:
        return library.address(value_symbol(entry))
    except LookupError:
        return None


def _inlined(compiled, args: tuple, kwargs: dict):
    """The result of calling ``compiled`` from code being captured with numbers (inlined), or _NOT_INLINED."""
    capture = sys.modules.get("fxn.frontend.number_capture")
    if capture is None or not capture.capturing():
        return _NOT_INLINED
    return capture.inline(compiled, args, kwargs)


_NOT_INLINED = object()


def _python_path(concrete: ConcreteFunction, structure: Structure):
    """``f(*args)`` running the concrete function's executable: its one result, or the results rebuilt as the
    function returned them (a tuple, a list, a dict, nested)."""
    if structure.kind == "tuple" and all(child.kind == "leaf" for child in structure.children):
        return lambda *args: tuple(concrete.executable.call(args))
    if structure.kind != "leaf":
        return lambda *args: unflatten(structure, concrete.executable.call(args))
    return lambda *args: concrete.executable.call(args)[0]


class CompiledFunction(functools.partial):
    """What ``@fxn.compile`` returns: callable like the original, compiled per signature.

    It is a ``functools.partial`` of its current target, so that a call
    reaches compiled code without running any Python code: the target is
    :meth:`_dispatch` (bind the arguments, find or compile the concrete
    function of their signature, call its entry) until a signature with a
    CPython entry is compiled. From then on, for a fully annotated function
    (one signature), the target is that concrete function's entry, which
    falls back to binding keyword arguments and to the Python path for
    arguments it does not take as they are; for a function without declared
    parameters, it is the CPython entry of the signature of the latest
    dispatched call, falling back to :meth:`_dispatch`: the entry takes
    exactly the arguments whose signature is its own, as numpy arrays and
    Python scalars, so a run of calls with one signature skips the dispatch.
    """

    #: A compiled function passed as an argument is a function value (see :mod:`fxn.function_values`).
    fxn_function_value = True

    def __new__(cls, fn, tag: str | None = None, description: str | None = None, targets=None,
                fast_math: bool = False, allow_trace_effects: bool = False, static_argnames=(),
                statics: dict | None = None, boundscheck: bool = True, dtype=None, threads: int | None = None,
                input_signature=None, reduce_retracing: bool = False, root: "CompiledFunction | None" = None):
        from fxn.frontend.types import parameters, scalar_dtypes_option
        from fxn.threads import check_threads

        self = super().__new__(cls, fn)
        functools.update_wrapper(self, fn)
        self.fn = fn
        #: fn's own parameters and their kinds, static ones included (read once, not per call).
        self._fn_parameters = signatures.parameter_kinds(fn)
        #: The function the user decorated; its specializations count their traces there.
        self._root = root or self
        self._tracing_count = 0
        self._traces: list[ConcreteFunction] = []  # every concrete function of the root, in order of tracing
        self._last_trace: dict[str, str] | None = None
        self.input_signature = None if input_signature is None else list(input_signature)
        self.reduce_retracing = reduce_retracing
        self.tag = tag
        self.description = description
        self.targets = targets
        self.fast_math = fast_math
        self.threads = check_threads(threads)
        self.boundscheck = boundscheck
        self.allow_trace_effects = allow_trace_effects
        self.static_argnames = tuple(static_argnames)
        self.dtype = dtype
        self.scalar_dtypes = scalar_dtypes_option(dtype)
        #: Parameters declared as containers (annotations, input_signature): name -> ContainerSpec.
        self._containers = {}
        #: Whether every parameter's type or structure is declared: then one flattened function runs every call.
        self._declared_layout = False
        if signatures.is_variadic(fn) and statics is None:
            # *args / **kwargs: each call's positions and keywords pick a function of fixed parameters.
            if input_signature is not None:
                raise TypeError(f"{fn.__qualname__}: input_signature takes a function of named parameters, not "
                                "*args or **kwargs")
            self.parameters, self.static_parameters, self.statics = [], {}, {}
            self._fixed_names = ()
            self._hints = signatures.annotations(fn)
            self._fixed: dict[tuple, CompiledFunction] = {}
            self.variadic = True  # takes *args or **kwargs
            self._retarget(self._dispatch_variadic)
            return self
        self.variadic = False
        every = parameters(fn, self.static_argnames, self.scalar_dtypes)
        if self.input_signature is not None:
            every = _with_input_signature(fn, every, self.input_signature)
        #: The static parameters (fxn.Static[...] or static_argnames) and, in a specialization, their values.
        self.static_parameters = {p.name: p.static for p in every if p.static is not None}
        self.statics = dict(statics or {})
        self._hints = signatures.annotations(fn)
        self._fixed_names = ()  # the parameters its signature does not bind: none, or the statics it fixes
        if self.static_parameters and statics is None:
            # Calls bind every parameter, then go to the specialization of their static values.
            self.parameters = every
            self._specializations: dict[tuple, CompiledFunction] = {}
            self._concrete = {}
            self._retarget(self._dispatch_static)
            return self
        self.parameters = _shown_as_paths(fn, [p for p in every if p.static is None])
        self._containers = {p.name: p.container for p in self.parameters if p.container is not None}
        self._fixed_names = tuple(self.static_parameters)
        self._concrete: dict[tuple[TensorType, ...], ConcreteFunction] = {}
        #: With no declared parameter, each _signature_key is one signature: concrete functions by key.
        self._keyed = all(p.declared is None for p in self.parameters)
        self._by_key: dict[tuple, ConcreteFunction] = {}
        #: With no declared parameter: per concrete function, its CPython entry falling back to _dispatch.
        self._dispatching_entries: dict[ConcreteFunction, object] = {}
        self._arity = len(self.parameters)
        #: out= asks for destination passing, unless the function has a parameter of that name.
        self._out_keyword = all(p.name != "out" for p in self.parameters)
        #: Parameters without a declared type: a Python value given for one keys a trace on that value.
        self._undeclared = [i for i, p in enumerate(self.parameters) if p.declared is None]
        self._names = [p.name for p in self.parameters]
        self._by_values: dict[tuple, tuple] = {}  # value key -> (weak references to objects, specialization)
        self._fixed: dict[tuple, CompiledFunction] = {}  # layout of flattened containers -> its function
        self._declared_layout = all(p.declared is not None or p.container is not None for p in self.parameters)
        self._retarget(self._dispatch)
        return self

    def _retarget(self, target) -> None:
        """Send calls to ``target`` (through partial's state, the one way to change its function)."""
        self.__setstate__((target, (), {}, self.__dict__))

    def _dispatch_variadic(self, *args, **kwargs):
        """A call of a function with ``*args`` or ``**kwargs``: the function of fixed parameters of its
        positions and keywords runs it (see :meth:`_flattened`)."""
        out = kwargs.pop("out", None)
        fixed, flat = self._flattened(self._bound(args, kwargs))
        return fixed(*flat) if out is None else fixed(*flat, out=out)

    @functools.cached_property
    def _signature(self):
        """The ``inspect.Signature`` that binds calls with keywords (made by the first that needs it: importing
        inspect costs a call of cached code a quarter of its time): the function's, without the static
        parameters a specialization fixes."""
        import inspect

        signature = inspect.signature(self.fn)
        return signature.replace(parameters=[p for name, p in signature.parameters.items()
                                             if name not in self._fixed_names])

    def _bound(self, args, kwargs) -> dict:
        """Every parameter's argument in a call, defaults applied; TypeError naming the function if it does
        not bind."""
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{self.__name__}(): {error}") from None
        bound.apply_defaults()
        return bound.arguments

    def _flattened(self, arguments: dict) -> tuple["CompiledFunction", list]:
        """The function of fixed parameters that runs a call with these arguments (by parameter name, static
        ones included), and its arguments: each position of ``*args``, each keyword of ``**kwargs``, each leaf
        of a declared container and each array in a container given to a parameter without a declared type
        is a parameter of its own; the containers' structure and the Python values in them are constants of
        its code (part of the key)."""
        if self._declared_layout and "_declared_fixed" in self.__dict__:
            return self._declared_fixed, self._declared_leaves([arguments[name] for name in self._names])
        declared = {p.name for p in self.parameters if p.declared is not None}
        layout, flat = [], []
        for name, parameter in self._fn_parameters.items():
            value = arguments[name]
            if name in self.statics:
                structure = constant(value)
            elif name in self._containers:
                structure = self._containers[name].structure
                flat.extend(leaves_of(structure, value, name))
            elif parameter == signatures.VAR_POSITIONAL:
                parts = [_argument_structure(v, flat) for v in value]
                structure = Structure("tuple", tuple(parts))
            elif parameter == signatures.VAR_KEYWORD:
                keys = tuple(sorted(value))  # keywords key a trace whatever their order
                structure = Structure("dict", tuple(_argument_structure(value[k], flat) for k in keys), keys)
            elif name in declared:
                structure = LEAF
                flat.append(value)
            else:
                structure = _argument_structure(value, flat)
            layout.append((name, structure))
        fixed = self._fixed_function(tuple(layout))
        if self._declared_layout:  # this layout, whatever the call
            self._declared_fixed = fixed
        return fixed, flat

    def _declared_leaves(self, args) -> list:
        """The arguments of :meth:`_flattened` for ``args`` (in parameter order) where every parameter is
        declared (their structures are the declarations, the same for every call)."""
        flat = []
        for name, value in zip(self._names, args):
            spec = self._containers.get(name)
            if spec is None:
                flat.append(value)
            else:
                flat.extend(leaves_of(spec.structure, value, name))
        return flat

    def _fixed_function(self, layout: tuple) -> "CompiledFunction":
        """The function of one parameter per leaf of ``layout`` ((parameter name, Structure) for each parameter
        of the function, static ones as constants), made once per layout."""
        fixed = self._fixed.get(layout)
        if fixed is None:
            hints = dict(self._hints)  # what declares each parameter: its annotation, or its input_signature entry
            if self.input_signature is not None:
                hints.update(zip((p.name for p in self.parameters), self.input_signature))
            leaf_hints = {name: spec.leaves for name, spec in self._containers.items()}
            fixed = self._fixed[layout] = CompiledFunction(
                _with_flat_parameters(self.fn, hints, layout, leaf_hints), tag=self.tag,
                description=self.description, targets=self.targets, fast_math=self.fast_math,
                allow_trace_effects=self.allow_trace_effects, boundscheck=self.boundscheck, dtype=self.dtype,
                threads=self.threads, reduce_retracing=self.reduce_retracing, root=self._root)
        return fixed

    def flattened(self, args) -> tuple["CompiledFunction", list]:
        """For a function with parameters declared as containers: the function of one parameter per leaf
        that runs a call with these arguments (in parameter order), and its arguments; else itself and
        ``args``. TypeError naming the path where an argument does not have its declared structure."""
        if not self._containers:
            return self, list(args)
        return self._flattened({**self.static_values(), **dict(zip(self._names, args))})

    def _dispatch_static(self, *args, **kwargs):
        """A call of a function with static parameters: the specialization of their values runs the rest."""
        out = kwargs.pop("out", None) if "out" not in self._signature.parameters else None
        bound = self._bound(args, kwargs)
        special = self.specialize(**{name: bound[name] for name in self.static_parameters})
        runtime = [bound[p.name] for p in self.parameters if p.static is None]
        return special(*runtime) if out is None else special(*runtime, out=out)

    def specialize(self, **statics) -> "CompiledFunction":
        """The compiled function of these static parameters' values (made on first request).

        It takes the other parameters; its code holds the static values as
        constants (``f.specialize(k=3).export(...)`` builds that code ahead
        of time).
        """
        from fxn.frontend.types import check_static

        if set(statics) != set(self.static_parameters):
            raise TypeError(f"{self.__name__}.specialize() takes the static parameters "
                            f"{', '.join(self.static_parameters)}; got {', '.join(statics) or 'none'}")
        key = tuple(check_static(name, statics[name], spec) for name, spec in self.static_parameters.items())
        special = self._specializations.get(key)
        if special is None:
            special = self._specializations[key] = self._special(self.static_argnames, statics)
        return special

    def _special(self, static_argnames, statics: dict) -> "CompiledFunction":
        """The compiled function of this one with the parameters ``static_argnames`` fixed to ``statics``."""
        signature = self.input_signature
        if signature is not None:
            names = [p.name for p in self.parameters]
            signature = [spec for name, spec in zip(names, signature) if name not in statics]
        return CompiledFunction(
            self.fn, tag=self.tag, description=self.description, targets=self.targets, fast_math=self.fast_math,
            allow_trace_effects=self.allow_trace_effects, static_argnames=static_argnames, statics=statics,
            boundscheck=self.boundscheck, dtype=self.dtype, threads=self.threads, input_signature=signature,
            reduce_retracing=self.reduce_retracing, root=self._root)

    def _dispatch(self, *args, **kwargs):
        inlined = _inlined(self, args, kwargs)
        if inlined is not _NOT_INLINED:
            return inlined
        args, out = self._arguments(args, kwargs)
        delegate, args = self._delegate(args)
        if delegate is not None:
            return delegate(*args) if out is None else delegate(*args, out=out)
        key = _signature_key(args) if self._keyed else None
        concrete = self._by_key.get(key)
        if concrete is None:
            concrete = self._concrete_for(args)
            if key is not None:
                self._by_key[key] = concrete
        if concrete.function_parameters:
            result = concrete.entry(*concrete.function_addresses(args)) if out is None else \
                concrete.call_into(out, concrete.function_addresses(args))
            return concrete.returned_functions(result)
        target = self._dispatching_entries.get(concrete)
        if target is not None and self.func is not target:
            self._retarget(target)
        return concrete.entry(*args) if out is None else concrete.call_into(out, args)

    def _delegate(self, args: tuple) -> tuple["CompiledFunction | None", tuple]:
        """The compiled function that runs a call with these arguments (in parameter order) in this one's
        place, and its arguments: the function of flattened containers if one holds arrays, else the
        specialization of the Python values given; (None, ``args``) if this one runs it."""
        if self._declared_layout and "_declared_fixed" in self.__dict__:  # (containers, a call made before)
            return self._declared_fixed, self._declared_leaves(args)
        if self._containers or any(_structured(args[i]) for i in self._undeclared):
            return self._flattened({**self.static_values(), **dict(zip(self._names, args))})
        return self._value_specialization(args)

    def _value_specialization(self, args: tuple) -> tuple["CompiledFunction | None", tuple]:
        """For arguments that give Python values (scalars, strings, None, tuples and lists of these; other
        objects by identity) to parameters without a declared type: the specialization tracing with those
        values as constants, and the other arguments; else (None, ``args``)."""
        values = {self.parameters[i].name: args[i] for i in self._undeclared if _keyed_by_value(args[i])}
        if not values:
            return None, args
        key = tuple((name, _value_key(value)) for name, value in values.items())
        found = self._by_values.get(key)
        if found is None or any(ref() is None for ref in found[0]):
            references = _object_references(values.values())
            held = {name: _Referenced(value) if _by_identity(value) else value for name, value in values.items()}
            found = self._by_values[key] = (references, self._special(self.static_argnames + tuple(values), held))
        rest = tuple(a for p, a in zip(self.parameters, args) if p.name not in values)
        return found[1], rest

    def _traced(self, concrete: ConcreteFunction, description: dict[str, str]) -> None:
        """Count a trace of the root function, log what changed since the last one, and warn at the third
        retrace (``description``: each parameter's type or Python value, in order)."""
        root = self._root
        previous, root._last_trace = root._last_trace, description
        root._tracing_count += 1
        root._traces.append(concrete)
        if previous is None:
            return
        changed = [(name, previous.get(name, "nothing"), now) for name, now in description.items()
                   if previous.get(name) != now]
        what = (", ".join(f"argument '{name}' changed from {old} to {new}" for name, old, new in changed)
                or "a new signature")
        _debug("retracing %s (trace %d): %s", root.__name__, root._tracing_count, what)
        if root._tracing_count == _RETRACES_WARNED + 1:
            warnings.warn(
                f"{root.location()}: {root.__name__} has been retraced {_RETRACES_WARNED} times (last: {what}). Each "
                "new shape or dtype of an array, each new value of a Python scalar, string or None and each new "
                "object traces again; declare the types (annotations or input_signature=[fxn.TensorSpec(...)]) "
                "or pass reduce_retracing=True", RuntimeWarning, stacklevel=2)

    def _description(self, types) -> dict[str, str]:
        """Each parameter of the function's signature, in order: its type in ``types`` or its static value."""
        given = dict(zip((p.name for p in self.parameters), map(str, types)))
        for name, value in self.static_values().items():
            given[name] = f"{type(value).__name__} {value!r}"
        order = list(self._fn_parameters)
        return {name: given[name] for name in sorted(given, key=order.index)}

    def static_values(self) -> dict:
        """The static parameters' values (an object keyed by identity, held weakly, resolved)."""
        return {name: value.get() if isinstance(value, _Referenced) else value for name, value in self.statics.items()}

    @property
    def tracing_count(self) -> int:
        """How many times the function was traced (each concrete function of each signature and value)."""
        return self._root._tracing_count

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The concrete function for these arguments (traced and compiled if need be), as ``tf.function``'s.

        Arguments are example values (the concrete function a call with them
        runs) or :class:`fxn.TensorSpec` (the concrete function of exactly
        that type).
        """
        from fxn.frontend.types import TensorSpec, argument_type

        if self.variadic:
            fixed, flat = self._flattened(self._bound(args, kwargs))
            return fixed.get_concrete_function(*flat)
        if self.static_parameters and not self.statics:
            bound = self._bound(args, kwargs)
            statics = {name: bound[name] for name in self.static_parameters}
            runtime = [bound[p.name] for p in self.parameters if p.static is None]
            return self.specialize(**statics).get_concrete_function(*runtime)
        args, _ = self._arguments(args, dict(kwargs))
        delegate, args = self._delegate(args)
        if delegate is not None:
            return delegate.get_concrete_function(*args)
        if not any(isinstance(a, TensorSpec) for a in args):
            return self._concrete_for(args)
        types = []
        for p, a in zip(self.parameters, args):
            if isinstance(a, TensorSpec):
                if p.declared is not None and a.tensor_type != p.declared:
                    raise TypeError(f"parameter '{p.shown}' expects {p.declared}; got {a.tensor_type}")
                types.append(a.tensor_type)
            else:
                types.append(argument_type(p, a))
        return self.concrete_function(types)

    def __repr__(self) -> str:
        return f"<fxn.compile {self.__qualname__} tag={self.tag!r}>"

    @property
    def fully_annotated(self) -> bool:
        """Whether every parameter declares its type (or its container's): one signature, no retracing."""
        return all(p.declared is not None or p.container is not None for p in self.parameters)

    @property
    def concrete_functions(self) -> list[ConcreteFunction]:
        """The concrete functions traced so far, in order of tracing (those of every specialization)."""
        if self._root is not self:
            return list(self._concrete.values())
        return list(self._traces)

    def declared_types(self) -> list[TensorType]:
        """The declared signature, one type per parameter (per leaf of the flattened signature where a
        parameter is a container, see :meth:`declared_function`); TypeError naming the first parameter
        without a declared type."""
        if self._containers:
            return self.declared_function()[0].declared_types()
        self._check_declared()
        return [p.declared for p in self.parameters]

    def declared_function(self) -> tuple["CompiledFunction", tuple]:
        """What ahead-of-time compilation lowers: the function of one declared parameter per leaf that runs
        this one's calls (this one itself, unless a parameter is a declared container), and how this one's
        parameters flatten into it, as ``(name, Structure)`` per parameter in order (``LEAF`` for a parameter
        that is no container). TypeError as :meth:`declared_types`."""
        self._check_declared()
        if not self._containers:
            return self, tuple((p.name, LEAF) for p in self.parameters)
        statics = self.static_values()
        layout = tuple((name, constant(statics[name]) if name in statics else
                        self._containers[name].structure if name in self._containers else LEAF)
                       for name in self._fn_parameters)
        return self._fixed_function(layout), tuple(item for item in layout if item[0] not in statics)

    def _check_declared(self) -> None:
        """TypeError (located) unless every parameter of the function declares its type."""
        from fxn.frontend.containers import why_undeclared

        if self.variadic:
            raise TypeError(f"{self.location()}: {self.__name__} takes *args or **kwargs; ahead-of-time compilation "
                            "needs named parameters with declared types")
        if self.static_parameters and not self.statics:
            names = ", ".join(f"{name}=..." for name in self.static_parameters)
            raise TypeError(f"{self.location()}: {self.__name__} has static parameters; compile a specialization "
                            f"ahead of time: {self.__name__}.specialize({names})")
        for p in self.parameters:
            if p.declared is None and p.container is None:
                raise TypeError(
                    f"{self.location()}: parameter '{p.name}' of {self.__name__}"
                    f"{why_undeclared(self._hints.get(p.name), p.name)}; ahead-of-time compilation needs a "
                    "declared type (float, int, bool or fxn.Tensor[dtype, dims...]) or a container of them "
                    "(tuple[...], a NamedTuple or a dataclass)"
                )

    def export(self, directory, targets=None) -> list:
        """Build this predictor ahead of time into ``directory``, one folder per target; the Artifacts written.

        ``targets`` (specs or Targets) default to those given to
        ``@fxn.compile(targets=[...])``, else this machine. Each folder,
        named after its target, holds the target's artifact, a C header and a
        manifest (see :func:`fxn.artifacts.build`), as ``fxn compile --target``
        writes them.
        """
        from pathlib import Path

        from fxn.artifacts import build, target_folder
        from fxn.compiler import as_target

        written = []
        for spec in targets or self.targets or ["host"]:
            _, target = as_target(spec)
            path = Path(self.fn.__code__.co_filename)
            written.append(build([(self.__name__, self)], self.__name__, Path(directory) / target_folder(target),
                                 source=path.name, source_path=path if path.is_file() else None, target=target))
        return written

    def location(self) -> str:
        """``file:line`` of the function's definition."""
        code = self.fn.__code__
        return f"{code.co_filename}:{code.co_firstlineno}"

    def concrete_function(self, types) -> ConcreteFunction:
        """The concrete function of a signature (a sequence of TensorType), compiled on first request."""
        types = tuple(types)
        return self._concrete.get(types) or self._compile(types)

    def lower(self, types, target, stages: dict | None = None,
              stop_after: str | None = None, debug_info: bool = False) -> LoweredFunction | None:
        """Lower one signature for ``target`` (a Target or a spec) without compiling it (AOT, inspection); see
        :func:`lower`. With declared containers, ``types`` are those of the flattened signature
        (:meth:`declared_types`), lowered by :meth:`declared_function`."""
        if self._containers:
            return self.declared_function()[0].lower(types, target, stages, stop_after, debug_info)
        lowered = lower(self.fn, self.parameters, list(types), target, stages, stop_after, self.fast_math,
                        debug_info, self.allow_trace_effects, self.static_values(), self.boundscheck,
                        self.scalar_dtypes, self.threads)
        if lowered is not None:
            self.scalar_results(lowered.result_types, lowered.arg_types)  # a return annotation that does not fit fails
            if self._hints.get("return") is str and lowered.traced.result_structure.kind != "string":
                raise TypeError(f"{self.location()}: {self.__name__} is annotated to return str but returns "
                                f"{', '.join(map(str, lowered.result_types))}")
        return lowered

    def scalar_results(self, result_types: list[TensorType], arg_types: list[TensorType] = ()) -> list[bool]:
        """Which results are returned as Python scalars; TypeError if the return annotation asks for one that is not 0-d.

        Without one, they are where every parameter is a declared scalar, a string or a function (``arg_types``,
        the traced types, say which parameters took functions)."""
        import typing

        if "return" not in self._hints:
            from fxn.frontend.function_types import FunctionPointerType

            # (a function passed as a value is no array: it leaves the results of a function of numbers scalars)
            functions = [isinstance(t, FunctionPointerType) for t in arg_types] or [False] * len(self.parameters)
            scalars = all(p.is_scalar or p.string or isinstance(p.declared, FunctionPointerType) or function
                          for p, function in zip(self.parameters, functions))
            return [scalars and t.rank == 0 for t in result_types]
        returns = self._hints["return"]
        wanted = list(typing.get_args(returns)) if typing.get_origin(returns) is tuple else [returns]
        if len(wanted) != len(result_types):
            wanted = [returns] * len(result_types)
        flags = [w in _SCALAR_ANNOTATIONS for w in wanted]
        for flag, result, annotation in zip(flags, result_types, wanted):
            if flag and result.rank != 0:
                raise TypeError(f"{self.location()}: {self.__name__} is annotated to return "
                                f"{annotation.__name__} but returns {result}")
        return flags

    def annotated_shapes(self) -> list[tuple | None]:
        """Each parameter's shape as annotated: ints and dim names (``(3, "H", "W")``), None where not declared."""
        from fxn.frontend.types import TensorSpec

        specs = {}
        if self.input_signature is not None:
            specs = dict(zip((p.name for p in self.parameters), self.input_signature))
        shapes = []
        for p in self.parameters:
            hint = specs.get(p.name, self._hints.get(p.name))
            shapes.append(tuple(hint.dims) if isinstance(hint, TensorSpec) else p.declared and p.declared.shape)
        return shapes

    def named_dims(self) -> dict[str, list[tuple[int, int]]]:
        """Dim names shared by several parameter dims, with the (parameter index, axis) pairs they name."""
        names: dict[str, list[tuple[int, int]]] = {}
        for index, shape in enumerate(self.annotated_shapes()):
            for axis, dim in enumerate(shape or ()):
                if isinstance(dim, str):
                    names.setdefault(dim, []).append((index, axis))
        return {name: places for name, places in names.items() if len(places) > 1}

    def _bind(self, args, kwargs) -> tuple:
        bound = self._bound(args, kwargs)
        return tuple(bound[p.name] for p in self.parameters)

    def _concrete_for(self, args) -> ConcreteFunction:
        # Functions passed: the first call site of a function parameter without a signature infers it from them.
        examples = {index: value for index, value in enumerate(args) if is_function_value(value)}
        if self.fully_annotated:
            with passing(examples):
                concrete = self.concrete_function(self.declared_types())
            if concrete.function_parameters:  # functions are converted to addresses by _dispatch: it stays the target
                self._by_key[None] = concrete  # (the one signature, without its key's cost)
            else:
                self._retarget(concrete.entry if concrete.native else self._binding(concrete))
            return concrete
        from fxn.frontend.types import argument_type

        types = tuple(argument_type(p, a) for p, a in zip(self.parameters, args))
        found = self._concrete.get(types) or self._most_specific(types)
        if found is not None:
            return found
        with passing(examples):
            return self.concrete_function(self._relaxed(types) if self.reduce_retracing else types)

    def _most_specific(self, types: tuple) -> ConcreteFunction | None:
        """Of the concrete functions whose signature ``types`` fits, the one with the fewest dynamic dims."""
        from fxn.frontend.types import fits

        fitting = [(sum(d is None for t in key for d in t.shape), index, concrete)
                   for index, (key, concrete) in enumerate(self._concrete.items())
                   if all(fits(given, wanted) for given, wanted in zip(types, key))]
        return min(fitting)[2] if fitting else None

    def _relaxed(self, types: tuple) -> tuple:
        """``types`` with each dim dynamic that a traced signature of the same dtypes and ranks has another size
        of (``reduce_retracing``): the next trace serves both sizes."""
        relaxed = []
        for index, given in enumerate(types):
            if given.rank == 0:  # nothing to relax (and a function type stays one)
                relaxed.append(given)
                continue
            shape = list(given.shape)
            for key in self._concrete:
                seen = key[index]
                if seen.dtype == given.dtype and seen.rank == given.rank:
                    shape = [None if s != d else d for s, d in zip(seen.shape, shape)]
            relaxed.append(given.with_shape(shape))
        return tuple(relaxed)

    @holding_compile_lock
    def _compile(self, types: tuple[TensorType, ...]) -> ConcreteFunction:
        """Compile one signature, once: racing first calls wait for one compile and share it.

        The concrete function is published in ``_concrete`` (read without the
        lock) only once it is complete, its entries included. Its code comes
        from the on-disk cache (:mod:`fxn.cache`) where an entry of its key
        exists, without tracing; otherwise it is traced and compiled, and
        stored there.
        """
        if types in self._concrete:
            return self._concrete[types]
        cache_key = self._cache_key(types)
        concrete = self._load_cached(cache_key, types) if cache_key else None
        if concrete is None:
            concrete = self._compile_traced(types, _host(), cache_key)
            self._traced(concrete, self._description(types))
        else:
            self._root._traces.append(concrete)
            _debug("%s: loaded %s from the on-disk cache", self.__name__, concrete)
        self._concrete[types] = concrete
        return concrete

    def _compile_traced(self, types: tuple, target, cache_key: str | None) -> ConcreteFunction:
        """Trace, lower and JIT-compile one signature (and store its code in the cache under ``cache_key``)."""
        from fxn.compiler import jit
        from fxn.python_entry import add_address_getter, add_python_entry, can_enter, uses_arrays
        from fxn.symbols import value_symbol

        lowered = self.lower(types, target)
        scalar_results = self.scalar_results(lowered.result_types, lowered.arg_types)
        # The entry returns one value; a function returning a tuple of one keeps the Python path.
        string_args = [p.string for p in self.parameters]
        string_result = lowered.traced.result_structure.kind == "string"
        entered = not lowered.traced.returns_tuple and can_enter(
            lowered.arg_types, lowered.result_types, scalar_results[0], string_args, string_result)
        arrays = entered and uses_arrays(lowered.arg_types, scalar_results[0], string_args, string_result)
        if entered:
            dim_names = [shape or (None,) * t.rank for shape, t in zip(self.annotated_shapes(), lowered.arg_types)]
            add_python_entry(lowered.module, lowered.entry, lowered.arg_types, lowered.result_types, dim_names,
                             scalar_results[0], lowered.value_entry, lowered.dim_assumptions, string_args,
                             string_result)
        if lowered.value_entry:  # its address is what this function is as a function value
            with lowered.module.context, lowered.module.operation.location:
                add_address_getter(lowered.module, value_symbol(lowered.entry))
        engine = jit(lowered.module, position_independent=cache_key is not None)
        if cache_key is not None:
            from fxn.cached_code import store

            store(cache_key, engine, lowered, scalar_results, entered, arrays)
        concrete = ConcreteFunction(lowered, lambda: self._executable(engine, lowered, scalar_results),
                                    [p.shown for p in self.parameters])
        if lowered.value_entry:
            from fxn.python_entry import function_address

            concrete.value_address = function_address(engine, value_symbol(lowered.entry))
        if entered:
            from fxn.python_entry import builtin_function

            self._enter(concrete, lambda python_path: builtin_function(engine, lowered.entry, python_path, arrays))
        return concrete

    def _executable(self, engine, lowered, scalar_results: list[bool]):
        """The Python path to the code of ``lowered`` in ``engine`` (a JIT engine or a cached library)."""
        from fxn.runtime import Executable

        return Executable(
            engine, lowered.entry, lowered.arg_types, lowered.result_types,
            arg_names=[p.shown for p in self.parameters],
            string_args=[p.string for p in self.parameters],
            scalar_results=scalar_results,
            named_dims=self.named_dims(),
            dim_assumptions=lowered.dim_assumptions,
            allocation_sites=lowered.allocation_sites,
        )

    def _enter(self, concrete: ConcreteFunction, builtin) -> None:
        """Make calls of ``concrete`` (and dispatching calls) go through its CPython entry: ``builtin(python_path)``
        is the entry as a builtin function falling back to ``python_path``."""
        concrete.entry = builtin(self._binding(concrete))
        concrete.native = True
        if self._keyed and not concrete.function_parameters:
            self._dispatching_entries[concrete] = builtin(self._dispatch)

    def _cache_key(self, types: tuple) -> str | None:
        """The key of one signature's code in the on-disk cache, or None where it is not cached: the cache is off
        (``FXN_CACHE=0``), tracing may read the world (``allow_trace_effects``), a function parameter has no
        signature before the trace (the function passed decides it), or the function reads a value
        :mod:`fxn.fingerprint` cannot digest. A function parameter keys on its signature (``function<f32(f32)>``),
        so the cached code serves every function of that type."""
        from fxn import cache

        if not cache.enabled() or self.allow_trace_effects or _infers_a_signature(types):
            return None
        from fxn.fingerprint import fingerprint, values_digest
        from fxn.threads import cores, default_threads

        source, statics = fingerprint(self.fn), values_digest(self.static_values())
        if source is None or statics is None:
            _debug("%s: not cached on disk (it reads a value fxn cannot fingerprint)", self.__name__)
            return None
        hints = sorted((name, repr(hint)) for name, hint in self._hints.items())
        options = (self.fast_math, self.boundscheck, sorted((t.__name__, d) for t, d in self.scalar_dtypes.items()),
                   self.threads, default_threads(), cores())
        return cache.key(cache.build_id(), cache.host_id(), source, statics, tuple(map(str, types)), hints, options)

    def _load_cached(self, cache_key: str, types: tuple) -> ConcreteFunction | None:
        """The concrete function of ``types`` from its code in the on-disk cache, or None if there is none."""
        from fxn.cached_code import load

        loaded = load(cache_key, types, lambda: self.lower(types, _host()))
        if loaded is None:
            return None
        lowered, library, scalar_results, entered, arrays = loaded
        concrete = ConcreteFunction(lowered, lambda: self._executable(library, lowered, scalar_results),
                                    [p.shown for p in self.parameters])
        concrete.value_address = functools.partial(_library_value_address, library, lowered.entry)
        if entered:
            from fxn.cached_code import library_entry

            self._enter(concrete, lambda python_path: library_entry(library, lowered.entry, python_path, arrays))
        return concrete

    def _binding(self, concrete: ConcreteFunction):
        """``concrete``'s Python path taking arguments as the Python function does, and out= (an entry's fallback)."""
        def call(*args, **kwargs):
            inlined = _inlined(self, args, kwargs)
            if inlined is not _NOT_INLINED:
                return inlined
            args, out = self._arguments(args, kwargs)
            return concrete.python_path(*args) if out is None else concrete.call_into(out, args)

        return call

    def _arguments(self, args: tuple, kwargs: dict) -> tuple[tuple, object]:
        """A call's arguments in parameter order, bound as the Python function binds them, and its out= (or None)."""
        out = kwargs.pop("out", None) if kwargs and self._out_keyword else None
        if kwargs or len(args) != self._arity:
            args = self._bind(args, kwargs)
        return args, out


def _debug(message: str, *args) -> None:
    """A debug line on the ``fxn`` logger (retraces, the on-disk cache). Unless the program imported
    :mod:`logging`, no handler could show it, and it is skipped (a cached call stays free of the import)."""
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger("fxn").debug(message, *args)


def _host():
    from fxn.backends import host_target

    return host_target()[1]




def _structured(value) -> bool:
    """Whether an argument is a container holding arrays (flattened into parameters of their own)."""
    return is_container(value) and holds_arrays(value)


def _argument_structure(value, flat: list) -> Structure:
    """The structure of one argument, its leaves appended to ``flat``: a container holding arrays is
    flattened; anything else is one leaf (keyed by the function of fixed parameters as any argument)."""
    if _structured(value):
        leaves, structure = flatten(value)
        flat.extend(leaves)
        return structure
    flat.append(value)
    return LEAF


def _leaves(name: str, kind, structure: Structure, hint, declared: tuple | None) -> list[tuple[str, object]]:
    """(path, annotation) of each leaf of a parameter's structure: the leaves of a declared container take
    their ``declared`` annotations; a leaf that is the whole parameter, a position of ``*ts`` or a keyword
    of ``**kw`` takes the parameter's ``hint``; other leaves inside containers take none (``_NO_ANNOTATION``)."""
    empty = _NO_ANNOTATION
    if declared is not None:
        return list(zip(structure.paths(name), declared))
    if kind in (signatures.VAR_POSITIONAL, signatures.VAR_KEYWORD):
        steps = range(len(structure.children)) if kind == signatures.VAR_POSITIONAL else structure.names
        leaves = []
        for step, child in zip(steps, structure.children):
            path = f"{name}_{step}"
            leaves += [(path, hint)] if child.kind == "leaf" else [(p, empty) for p in child.paths(path)]
        return leaves
    if structure.kind == "leaf":
        return [(name, hint)]
    return [(path, empty) for path in structure.paths(name)]


def _shown_as_paths(fn, parameters: list) -> list:
    """``parameters``, those of a function of flattened arguments (``__fxn_layout__``) named in errors by the
    Python paths of their leaves (``pair.right``, ``fs[1][0]``, ``ts[0]``)."""
    layout = getattr(fn, "__fxn_layout__", None)
    if layout is None:
        return parameters
    paths = [path for name, structure in layout for path in structure.paths(name)]
    if len(paths) != len(parameters):
        return parameters
    return [p.shown_as(path) for p, path in zip(parameters, paths)]


def _with_flat_parameters(fn, hints: dict, layout: tuple, declared_leaves: dict):
    """``fn`` as a function of one parameter per leaf of ``layout`` ((parameter name, Structure) in ``fn``'s
    order): ``*ts`` given 2 values takes ``ts_0, ts_1``, ``**kw`` given ``a`` takes ``kw_a``, a list ``xs``
    of 2 arrays ``xs_0, xs_1``, a named tuple ``p`` ``p_left, p_right``; a leaf standing for a whole
    parameter, or for a position of ``*ts`` or a keyword of ``**kw``, is annotated as that parameter is
    (``hints``), a leaf of a declared container as declared (``declared_leaves``: parameter name -> each
    leaf's annotation), and the function's results as ``fn``'s. Its body rebuilds the arguments and calls
    ``fn``.

    The function is compiled in ``fn``'s file (so that ops are located in the user's lines) under a name of
    its own (so that the AST path does not take ``fn``'s ``def`` for it); ``__fxn_calls__`` names ``fn``
    (whose code decides NumPy or torch semantics).
    """
    kinds = signatures.parameter_kinds(fn)
    taken = set(kinds)
    names, annotations = [], {}
    for name, structure in layout:
        kind = kinds[name]
        hint = hints.get(name, _NO_ANNOTATION)
        for leaf, annotation in _leaves(name, kind, structure, hint, declared_leaves.get(name)):
            own = re.sub(r"\W+", "_", leaf).strip("_")
            while own in taken and leaf != name:  # only a leaf that is the whole parameter keeps its name
                own += "_"
            taken.add(own)
            names.append(own)
            if annotation is not _NO_ANNOTATION:
                annotations[own] = annotation
    if "return" in hints:
        annotations["return"] = hints["return"]

    def rebuild(*leaves):
        args, kwargs, rest = [], {}, iter(leaves)
        for name, structure in layout:
            kind = kinds[name]
            value = unflatten(structure, rest)
            if kind == signatures.VAR_POSITIONAL:
                args.extend(value)
            elif kind == signatures.VAR_KEYWORD:
                kwargs.update(value)
            elif kind == signatures.KEYWORD_ONLY:
                kwargs[name] = value
            else:
                args.append(value)
        return args, kwargs

    own = "_fxn_flat_" + re.sub(r"\W", "_", fn.__name__)  # of a lambda too
    source = (f"def {own}({', '.join(names)}):\n"
              f"    args, kwargs = _fxn_rebuild({''.join(n + ', ' for n in names)})\n"
              f"    return _fxn_function(*args, **kwargs)\n")
    namespace = {"_fxn_function": fn, "_fxn_rebuild": rebuild}
    padding = "\n" * (fn.__code__.co_firstlineno - 1)  # its def on fn's line: located errors name that line
    exec(builtins.compile(padding + source, fn.__code__.co_filename, "exec"), namespace)
    wrapper = namespace[own]
    wrapper.__name__, wrapper.__qualname__ = fn.__name__, fn.__qualname__
    wrapper.__annotations__ = annotations
    wrapper.__fxn_calls__ = fn
    wrapper.__fxn_rebuild__ = rebuild  # (the AST path emits fn's body on the rebuilt arguments)
    wrapper.__fxn_layout__ = layout  # what the on-disk cache keys on besides fn (fxn.fingerprint)
    return wrapper


def _keyed_by_value(value) -> bool:
    """Whether an argument for a parameter without a declared type keys a trace on its value rather than on a
    type: Python scalars, strings, None, enum members, tuples and lists of these, and other objects (by
    identity); not arrays, tensors, numpy scalars, callables, dicts or containers holding arrays."""
    kind = type(value)
    if kind in _VALUE_TYPES or isinstance(value, enum.Enum):
        return True
    if kind in (tuple, list):
        return all(_keyed_by_value(v) and not _by_identity(v) for v in value)
    return _by_identity(value)


def _by_identity(value) -> bool:
    """Whether an argument is an object keyed by its identity (not a value, array, container, callable or
    fxn.TensorSpec)."""
    from fxn.frontend.types import TensorSpec

    numpy = sys.modules.get("numpy")  # a numpy array or scalar exists only once numpy is imported
    arrays = (numpy.ndarray, numpy.generic) if numpy is not None else ()
    if type(value) in _VALUE_TYPES or isinstance(value, (enum.Enum, tuple, list, dict, TensorSpec, *arrays)):
        return False
    module = type(value).__module__
    return not (callable(value) or module.startswith(("torch", "numpy")) or hasattr(value, "__array__"))


def _value_key(value):
    """The key of a value-keyed argument: type and value (a float by its repr: NaN equals itself, -0.0 is not
    0.0), elements in order, an object by identity."""
    if isinstance(value, float):
        return (float, repr(value))
    if type(value) in (tuple, list):
        return (type(value), tuple(_value_key(v) for v in value))
    if _by_identity(value):
        return ("object", type(value), id(value))
    return (type(value), value)


class _Referenced:
    """A static argument keyed by its identity, held through a weak reference: the specialization keyed on it
    does not keep it alive (an object without weak references is held)."""

    def __init__(self, value):
        try:
            self.get = weakref.ref(value)
        except TypeError:
            self.get = lambda: value


def _object_references(values) -> tuple:
    """Weak references to the objects keyed by identity among ``values`` (a dead one invalidates the key: its
    id may be reused)."""
    return tuple(_Referenced(value).get for value in values if _by_identity(value))


def _with_input_signature(fn, every: list, signature: list) -> list:
    """``every`` parameter of ``fn`` with the type its ``input_signature`` entry declares (static ones keep
    theirs); TypeError unless there is one fxn.TensorSpec, or container of them, per other parameter."""
    from fxn.frontend.containers import signature_container
    from fxn.frontend.function_types import FunctionType
    from fxn.frontend.types import Parameter, TensorSpec

    runtime = [p for p in every if p.static is None]
    if len(signature) != len(runtime):
        names = ", ".join(p.name for p in runtime)
        raise TypeError(f"{fn.__qualname__}: input_signature has {len(signature)} spec"
                        f"{'' if len(signature) == 1 else 's'} for {len(runtime)} parameters ({names})")
    specs = iter(signature)
    result = []
    for p in every:
        if p.static is not None:
            result.append(p)
            continue
        spec = next(specs)
        if isinstance(spec, (TensorSpec, FunctionType)):
            result.append(Parameter(p.name, spec.tensor_type, False))
        else:
            result.append(Parameter(p.name, None, False, container=signature_container(spec, p.name, fn.__qualname__)))
    return result


def _signature_key(args) -> tuple | None:
    """A cheap key that determines the signature of these arguments, or None if there is none this cheap.

    A numpy array's type is its dtype and shape, a Python scalar's its type
    (for a parameter that declares a type, both decide whether it fits).
    """
    key = []
    numpy = sys.modules.get("numpy")
    array = numpy.ndarray if numpy is not None else None  # a numpy array exists only once numpy is imported
    for value in args:
        kind = type(value)
        if kind is array:
            key.append((value.dtype, value.shape))
        elif kind in _SCALAR_ANNOTATIONS:
            key.append(kind)
        else:
            return None
    return tuple(key)


def _traced_callable(function):
    """What fxn traces for ``function``: a torch ``nn.Module``'s bound ``forward``, else ``function`` itself."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(function, torch.nn.Module):
        return function.forward
    return function


def compile(fn=None, *, tag: str | None = None, description: str | None = None, targets=None,
            fast_math: bool = False, allow_trace_effects: bool = False, static_argnames=(), boundscheck: bool = True,
            dtype=None, threads: int | None = None, input_signature=None, reduce_retracing: bool = False):
    """Decorator: ``@fxn.compile`` or ``@fxn.compile(tag="@acme/fma", description=...)``.

    Each call runs the concrete function of its arguments' trace key (see
    the module docstring and the README's "Tracing rules"), tracing a new
    one when none fits. ``input_signature=[fxn.TensorSpec(shape, dtype),
    ...]`` declares the one signature (a call that does not fit is a
    ``TypeError`` naming the argument, never a retrace);
    ``reduce_retracing=True`` traces a dim seen with two sizes as dynamic
    instead of tracing once per size.

    ``fast_math=True`` lets a float multiply and a dependent add fuse into one
    FMA (one rounding where the Python code rounds twice), as C compilers do
    by default and numba does with ``fastmath=True``.

    ``allow_trace_effects=True`` lets the function read the clock, the global
    random state, the environment and OS randomness while it is traced (fxn
    refuses them otherwise): their values are baked into the compiled code
    and listed in ``trace_effects`` of the traced function.

    ``targets=["neon", "wasm_simd", ...]`` names the targets
    :meth:`CompiledFunction.export` builds for (calls always run code for
    this machine).

    ``static_argnames=("k",)`` makes parameters static, as annotating them
    ``fxn.Static[...]`` does: their Python values are constants of the
    traced code, each value compiled on its first call
    (:meth:`CompiledFunction.specialize`). Without either, an ``int``,
    ``float`` or ``bool`` argument is a run-time value, one compiled
    function serving every value (branches on it are ``scf.if``).

    ``threads=N`` runs the large loops of the compiled code on ``N`` threads
    (OpenMP; ``1``: serial code). The default, None, uses ``FXN_NUM_THREADS``
    if it is set when a signature compiles, else every core the process may
    run on. Each thread computes whole elements as the serial code would:
    results do not depend on the thread count. Targets other than x86-64
    compile serial code (see :mod:`fxn.threads`).

    ``boundscheck=False`` drops the checks of run-time indices (``x[i]``):
    an index out of bounds then reads or writes outside the array, as in C,
    instead of raising ``IndexError``.

    A torch ``nn.Module`` (``fxn.compile(model)``) compiles as its bound
    ``forward``: its parameters and buffers are constants of the compiled
    code, read when a signature is first compiled (put the model in eval
    mode first for inference).

    ``dtype=fxn.f64`` makes Python's ``float`` f64 (its own precision, as
    Numba's) instead of f32: ``float`` parameters and results, and Python
    float literals carried by loops. ``dtype={float: fxn.f64, int: fxn.i64}``
    sets ``int`` too (default i32).
    """
    def make(function):
        function = _traced_callable(function)
        return CompiledFunction(function, tag=tag, description=description, targets=targets, fast_math=fast_math,
                                allow_trace_effects=allow_trace_effects, static_argnames=static_argnames,
                                boundscheck=boundscheck, dtype=dtype, threads=threads,
                                input_signature=input_signature, reduce_retracing=reduce_retracing)

    return make(fn) if fn is not None else make
