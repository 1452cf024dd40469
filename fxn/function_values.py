"""Functions as arguments of compiled functions: their signatures, and their native addresses.

A parameter of function type (:mod:`fxn.frontend.function_types`) takes,
at run time, the address of the callee's *value entry* (C scalars in and
out, :mod:`fxn.entries`). :func:`address_of` converts a Python argument
to it:

- a compiled function of one signature (fully annotated) converts to a
  function type when Numba's subtyping rule allows it
  (:func:`~fxn.frontend.function_types.why_not_convertible`): its own code
  where the signatures are equal, else an *adapter* compiled once, which
  converts the arguments, calls it (inlined) and converts the result;
- any other compiled function converts where it can be compiled for the
  signature's parameters and its result converts to the signature's;
- a plain Python function or lambda is compiled on the fly
  (``fxn.compile(fn)``, once per function object), then converted as a
  compiled function;
- anything else is a TypeError naming the argument.

Addresses are kept on the function object itself, per signature (its
``__fxn_addresses__``, which lives and dies with it): a call with
functions already converted costs two dictionary lookups per function.
"""

from __future__ import annotations

import contextlib
import contextvars
import types
import weakref

#: Per function value address, the function it was converted from, weakly (a returned address turns back into it).
_BY_ADDRESS: dict[int, object] = {}
#: While a function is traced: per parameter index, the function a call passed (its first call site infers the
#: signature of a parameter that declares none).
_EXAMPLES: contextvars.ContextVar = contextvars.ContextVar("function_examples", default={})


def is_function_value(value) -> bool:
    """Whether an argument is a function passed as a value: a compiled function, a Python function or lambda."""
    return isinstance(value, types.FunctionType) or getattr(type(value), "fxn_function_value", False)


def compiled(value):
    """``value`` as a compiled function (a plain function is compiled once, on its first use as a value)."""
    if getattr(type(value), "fxn_function_value", False):
        return value
    # Kept on the function itself: it lives as long as the function (a table would keep every lambda alive).
    found = value.__dict__.get("__fxn_compiled__")
    if found is None:
        from fxn.compiled import compile

        found = value.__fxn_compiled__ = compile(value)
    return found


def known_signature(value):
    """The one signature of a function value that has one (a compiled function whose parameters are all declared
    scalars), else None (the traced code's first call of it decides)."""
    if isinstance(value, types.FunctionType) and value.__annotations__:
        value = compiled(value)  # a plain function with annotations may declare its one signature
    if not getattr(type(value), "fxn_function_value", False) or value.variadic or not value.fully_annotated:
        return None
    declared = value.declared_types()
    if any(t.rank != 0 for t in declared):
        return None
    return _signature(value, declared)


def _signature(function, arg_types):
    """The signature of ``function`` compiled for ``arg_types`` (0-d): TypeError if it returns no one scalar."""
    from fxn.frontend.function_types import Signature

    concrete = function.concrete_function(arg_types)
    results = concrete.result_types
    if len(results) != 1 or results[0].rank != 0 or concrete.value_address is None:
        raise TypeError(f"{function.__name__} returns {', '.join(map(str, results))}: a function value returns one "
                        "scalar and allocates nothing")
    return Signature(results[0].dtype, tuple(t.dtype for t in arg_types))


def address_of(value, signature, name: str) -> int:
    """The native address of ``value`` as a function of ``signature``; TypeError naming argument ``name`` if it
    is not a function or cannot convert (see the module docstring)."""
    try:
        return value.__dict__["__fxn_addresses__"][signature]
    except (AttributeError, KeyError):
        pass
    if not is_function_value(value):
        raise TypeError(f"argument '{name}' expects a function of type {signature}; got {type(value).__name__}")
    address = _convert(compiled(value), signature, name)
    value.__dict__.setdefault("__fxn_addresses__", {})[signature] = address
    known = _BY_ADDRESS.get(address)
    if known is None or known() is None:  # (the code of a function that died may be reused at its address)
        _BY_ADDRESS[address] = weakref.ref(value)
    return address


def _convert(function, signature, name: str) -> int:
    from fxn.dialects import TensorType
    from fxn.frontend.function_types import why_not_convertible

    own = known_signature(function)
    if own is None:
        try:
            own = _signature(function, [TensorType(p, ()) for p in signature.params])
        except TypeError as error:
            raise TypeError(f"argument '{name}' expects a function of type {signature}; {error}") from None
    why = why_not_convertible(own, signature)
    if why is not None:
        raise TypeError(f"argument '{name}' expects a function of type {signature}; {function.__name__} has type "
                        f"{own}: {why}")
    if own != signature:
        function = _adapter(function, signature)
        own = signature
    return function.concrete_function([TensorType(p, ()) for p in own.params]).value_address


def _adapter(function, signature):
    """A compiled function of ``signature`` calling ``function`` (inlined), its arguments and result converted;
    TypeError for more than three parameters."""
    from fxn.compiled import compile
    from fxn.frontend.types import DType, TensorSpec

    adapters = _adapters(function, signature.result)
    if len(signature.params) >= len(adapters):
        raise TypeError(f"{function.__name__} has type {known_signature(function)}, not {signature}: fxn adapts "
                        f"functions of at most {len(adapters) - 1} parameters; pass one of exactly that type")
    adapted = adapters[len(signature.params)]
    adapted.__name__ = adapted.__qualname__ = f"{function.__name__}_as_{signature.result}"
    adapted.__annotations__ = {f"x{i}": TensorSpec((), DType(p)) for i, p in enumerate(signature.params)}
    return compile(adapted)


def _adapters(function, result: str) -> tuple:
    """Functions of 0 to 3 parameters returning ``function``'s result converted to ``result`` (see :func:`_adapter`)."""
    from fxn.frontend.number_capture import converted

    def adapted0():
        return converted(function(), result)

    def adapted1(x0):
        return converted(function(x0), result)

    def adapted2(x0, x1):
        return converted(function(x0, x1), result)

    def adapted3(x0, x1, x2):
        return converted(function(x0, x1, x2), result)

    return adapted0, adapted1, adapted2, adapted3


def function_of_address(address: int):
    """The function a returned function value's address came from (LookupError if none is known)."""
    function = _BY_ADDRESS[address]() if address in _BY_ADDRESS else None
    if function is None:
        raise LookupError(f"no function value has the address {address:#x}")
    return function


def example_functions():
    """Per parameter index, the function the call being traced passed (see :func:`passing`)."""
    return _EXAMPLES.get()


@contextlib.contextmanager
def passing(examples: dict):
    """Within the block, :func:`example_functions` gives ``examples``."""
    token = _EXAMPLES.set(examples)
    try:
        yield
    finally:
        _EXAMPLES.reset(token)
