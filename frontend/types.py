"""Parameter types of a predictor, from its annotations and, where they leave it open, its first call.

- ``float`` is f32, ``int`` i32, ``bool`` i1: 0-d tensors, passed and
  returned as Python scalars (``fxn.compile(dtype=fxn.f64)`` makes ``float``
  f64, Python's own precision; see :func:`scalar_dtypes_option`);
- ``str`` is a string: a ``tensor<?xui8>`` of its UTF-8 bytes
  (:data:`~fxn.dialects.types.STRING`), passed as a Python ``str``;
- ``fxn.Tensor[fxn.f32, 3, "H", "W"]`` is a tensor of that element type;
  an int is a static dim, a string names a dynamic one;
- ``np.ndarray``, ``torch.Tensor`` or no annotation specialize on the
  dtype and shape of the argument of each call;
- ``tuple[A, B]``, a ``NamedTuple`` or a dataclass whose fields are
  annotated so declares a container, each leaf a parameter of its own
  (:mod:`.containers`);
- ``fxn.Static[int]`` (or a name in ``static_argnames``) is a Python value
  fixed when the function is traced, a constant of its code: each value
  (``int``, ``float``, ``bool``, ``str``, ``None``, an enum member, or a
  tuple of these) has a concrete function of its own, as ``jax.jit``'s
  static arguments do.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys

from fxn.dialects import TensorType
from fxn.dialects.types import STRING, VerifyError, dtype_of_numpy, numpy_dtypes
from fxn import signatures
from fxn.values import FrozenValue

TYPE_CHECKING = False  # (typing.TYPE_CHECKING without importing typing, which a cached call need not load)
if TYPE_CHECKING:
    import numpy as np


class DType(FrozenValue):
    """An element type usable in annotations: ``fxn.f32``. (This module's values are immutable values compared
    by their fields, not dataclasses, which would cost every decoration: see :mod:`fxn.values`.)"""

    _fields = ("name",)

    def __init__(self, name: str):
        self._freeze(name=name)

    def __repr__(self) -> str:
        return f"fxn.{ {'i1': 'bool_', 'ui8': 'u8'}.get(self.name, self.name) }"

    def __call__(self, *params: "DType"):
        """The signature of a function of ``params`` returning this type: ``fxn.f32(fxn.f32, fxn.i32)``."""
        from .function_types import Signature

        for param in params:
            if not isinstance(param, DType):
                raise TypeError(f"{self!r}(...) takes element types (fxn.f32, ...); got {param!r}")
        return Signature(self.name, tuple(p.name for p in params))


f16, f32, f64 = DType("f16"), DType("f32"), DType("f64")
i8, i32, i64 = DType("i8"), DType("i32"), DType("i64")
u8 = DType("ui8")  # unsigned: images
bool_ = DType("i1")

#: Python scalar annotations and the element type they mean by default (``fxn.compile(dtype=...)`` overrides).
SCALAR_DTYPES = {float: "f32", int: "i32", bool: "i1"}
_scalar_dtypes = contextvars.ContextVar("scalar_dtypes", default=SCALAR_DTYPES)


def scalar_dtypes_option(dtype) -> dict:
    """The element types of Python's ``float``, ``int`` and ``bool`` under ``fxn.compile(dtype=...)``.

    ``dtype`` is None (the defaults of :data:`SCALAR_DTYPES`), a float type
    for ``float`` (``fxn.f64``: Python's precision), or a dict from ``float``
    and/or ``int`` to element types (``{float: fxn.f64, int: fxn.i64}``).
    """
    if dtype is None:
        return SCALAR_DTYPES
    wanted = dtype if isinstance(dtype, dict) else {float: dtype}
    result = dict(SCALAR_DTYPES)
    for kind, element in wanted.items():
        allowed = {float: ("f16", "f32", "f64"), int: ("i8", "i32", "i64")}.get(kind)
        name = element.name if isinstance(element, DType) else None
        if allowed is None or name not in allowed:
            raise TypeError(f"fxn.compile(dtype=...) gives float a float type (fxn.f16, fxn.f32, fxn.f64) and int a "
                            f"signed integer type (fxn.i8, fxn.i32, fxn.i64); got {kind!r}: {element!r}")
        result[kind] = name
    return result


def scalar_dtype(kind: type) -> str:
    """The element type of a Python ``float``, ``int`` or ``bool`` in the function being traced."""
    return _scalar_dtypes.get()[kind]


@contextlib.contextmanager
def using_scalar_dtypes(dtypes: dict):
    """Within the block, :func:`scalar_dtype` follows ``dtypes`` (see :func:`scalar_dtypes_option`)."""
    token = _scalar_dtypes.set(dtypes)
    try:
        yield
    finally:
        _scalar_dtypes.reset(token)


class TensorSpec(FrozenValue):
    """A tensor's element type and shape: ``fxn.TensorSpec(shape, dtype=fxn.f32)``, as ``tf.TensorSpec``.

    Each dim is an int (static), None (any size) or a name (any size, the
    same wherever the name appears among a function's parameters).
    ``fxn.Tensor[fxn.f32, 3, "H"]`` is ``fxn.TensorSpec((3, "H"), fxn.f32)``;
    ``fxn.compile(input_signature=[...])`` takes a list of them.
    """

    _fields = ("shape", "dtype", "name")

    def __init__(self, shape: tuple, dtype: DType = f32, name: str | None = None):
        if not isinstance(dtype, DType):
            raise TypeError(f"fxn.TensorSpec takes an fxn element type (fxn.f32, ...); got {dtype!r}")
        shape = tuple(shape)
        for dim in shape:
            if not (dim is None or isinstance(dim, str) or (isinstance(dim, int) and not isinstance(dim, bool)
                                                            and dim >= 0)):
                raise TypeError(f"fxn.TensorSpec dims are non-negative ints, None or names; got {dim!r}")
        self._freeze(shape=shape, dtype=dtype, name=name)

    @property
    def dims(self) -> tuple:
        return self.shape

    @property
    def tensor_type(self) -> TensorType:
        return TensorType(self.dtype.name, tuple(d if isinstance(d, int) else None for d in self.shape))

    def __repr__(self) -> str:
        return f"fxn.TensorSpec({list(self.shape)!r}, {self.dtype!r})"


class StaticSpec(FrozenValue):
    """``fxn.Static[T]``: a parameter whose Python value (of type ``T``) is a constant of the traced code."""

    _fields = ("python_type",)

    def __init__(self, python_type: object):
        self._freeze(python_type=python_type)

    def __repr__(self) -> str:
        return f"fxn.Static[{getattr(self.python_type, '__name__', self.python_type)}]"


class Static:
    """Annotation of a static parameter: ``fxn.Static[int]`` (see the module docstring)."""

    def __class_getitem__(cls, python_type) -> StaticSpec:
        return StaticSpec(python_type)


def check_static(name: str, value, spec: StaticSpec | None):
    """``value`` as the key of a static argument; TypeError naming the parameter if it cannot be one."""
    import enum

    def allowed(item) -> bool:
        if isinstance(item, tuple):
            return all(allowed(i) for i in item)
        return item is None or isinstance(item, (bool, int, float, str, enum.Enum))

    if not allowed(value):
        raise TypeError(f"static parameter '{name}' takes an int, float, bool, str, None, enum member or tuple of "
                        f"these; got {type(value).__name__}")
    wanted = getattr(spec, "python_type", None)
    if isinstance(wanted, type) and not isinstance(value, wanted) and not (wanted is float and type(value) is int):
        raise TypeError(f"static parameter '{name}' is annotated {spec!r}; got {type(value).__name__} {value!r}")
    return (type(value), value)


class Tensor:
    """Annotation of a tensor parameter: ``fxn.Tensor[fxn.f32, 3, "H", "W"]``."""

    def __class_getitem__(cls, spec) -> TensorSpec:
        spec = spec if isinstance(spec, tuple) else (spec,)
        dtype, dims = spec[0], spec[1:]
        if not isinstance(dtype, DType):
            raise TypeError(f"fxn.Tensor[...] takes an element type first (fxn.f32, ...), got {dtype!r}")
        for dim in dims:
            if not (isinstance(dim, str) or (isinstance(dim, int) and dim >= 0)):
                raise TypeError(f"fxn.Tensor dims are non-negative ints or names, got {dim!r}")
        return TensorSpec(tuple(dims), dtype)


class Parameter(FrozenValue):
    """A predictor parameter: its declared type, or None where each call's argument decides.

    ``is_scalar``: passed as a Python scalar (annotated float / int / bool);
    ``static``: a Python value fixed at trace time (``fxn.Static[...]`` or
    ``static_argnames``); ``container``: a declared container
    (``.containers.ContainerSpec``), one parameter per leaf; ``string``: a
    Python str (annotated ``str``), passed as its UTF-8 bytes (declared
    ``STRING``); ``shown``: how errors name it (its name, or for a leaf of a
    container the Python path the caller wrote: ``pair.right``, ``fs[1][0]``).
    """

    _fields = ("name", "declared", "is_scalar", "static", "container", "string", "shown")

    def __init__(self, name: str, declared: TensorType | None, is_scalar: bool, static: StaticSpec | None = None,
                 container: object = None, string: bool = False, shown: str | None = None):
        self._freeze(name=name, declared=declared, is_scalar=is_scalar, static=static, container=container,
                     string=string, shown=shown or name)

    def shown_as(self, shown: str) -> "Parameter":
        """This parameter, named ``shown`` in errors."""
        return Parameter(self.name, self.declared, self.is_scalar, self.static, self.container, self.string, shown)


def parameters(fn, static_argnames=(), scalar_dtypes: dict = SCALAR_DTYPES) -> list[Parameter]:
    """The parameters of ``fn`` with the types their annotations declare (``float``: ``scalar_dtypes[float]``)."""
    result = []
    hints = signatures.annotations(fn)
    names = signatures.parameter_kinds(fn)
    unknown = [name for name in static_argnames if name not in names]
    if unknown:
        raise TypeError(f"{fn.__qualname__}: static_argnames names no parameter {', '.join(map(repr, unknown))}")
    for name, kind in names.items():
        if kind in (signatures.VAR_POSITIONAL, signatures.VAR_KEYWORD):
            raise TypeError(f"{fn.__qualname__}: *{name} parameters cannot be compiled")
        hint = hints.get(name)
        if isinstance(hint, StaticSpec) or name in static_argnames:
            result.append(Parameter(name, None, False, hint if isinstance(hint, StaticSpec) else StaticSpec(object)))
        elif hint in SCALAR_DTYPES:
            result.append(Parameter(name, TensorType(scalar_dtypes[hint], ()), True))
        elif hint is str:
            result.append(Parameter(name, STRING, False, string=True))
        elif isinstance(hint, TensorSpec) or is_function_type(hint):
            result.append(Parameter(name, hint.tensor_type, False))
        else:
            result.append(Parameter(name, None, False, container=_declared_container(hint, name)))
    return result


def is_function_type(hint) -> bool:
    """Whether ``hint`` is an ``fxn.FunctionType`` (there is none before its module is imported, which a call that
    uses none then never pays for)."""
    module = sys.modules.get("fxn.frontend.function_types")
    return module is not None and isinstance(hint, module.FunctionType)


def _declared_container(hint, name: str):
    """The container an annotation declares, or None (no container, or one of no fixed structure)."""
    from .containers import Undeclarable, annotated_container

    try:
        return annotated_container(hint, name)
    except Undeclarable:  # it specializes on each call; ahead-of-time compilation says why it cannot
        return None


def argument_type(parameter: Parameter, value) -> TensorType:
    """The type of ``value`` passed for ``parameter``; TypeError naming both if it does not fit.

    A function passed as a value has a function type: the parameter's declared one (whether it converts is
    checked when the call converts it to an address), else its own signature if it has exactly one, else
    one its first call in the traced code decides (see :mod:`fxn.function_values`).
    """
    from fxn.function_values import is_function_value, known_signature

    from .function_types import FunctionPointerType

    if isinstance(parameter.declared, FunctionPointerType):
        return parameter.declared
    if parameter.declared is None and is_function_value(value):
        return FunctionPointerType.of(known_signature(value))
    given = _type_of_value(value, parameter)
    expected = parameter.declared
    if expected is not None and not fits(given, expected):
        raise TypeError(f"parameter '{parameter.shown}' expects {expected}; got {given}")
    return given if expected is None else _refine(expected, given)


def _type_of_value(value, parameter: Parameter) -> TensorType:
    if parameter.string:
        if not isinstance(value, str):
            raise TypeError(f"parameter '{parameter.shown}' expects a str; got {type(value).__name__}")
        return STRING
    if isinstance(value, (bool, int, float)) and parameter.declared is not None and parameter.declared.rank == 0:
        return parameter.declared
    if isinstance(value, (str, bytes, dict, type(None))) or callable(value):
        raise TypeError(f"parameter '{parameter.shown}' got a {type(value).__name__}; fxn compiles arrays and numbers "
                        f"as run-time values: annotate the parameter fxn.Static[{type(value).__name__}] to make the "
                        "value a constant of the compiled code")
    array = as_array(value)
    try:
        return TensorType(dtype_of_numpy(array.dtype), array.shape)
    except VerifyError:
        raise TypeError(f"parameter '{parameter.shown}': {array.dtype} arrays are not supported "
                        f"(supported: {', '.join(str(d) for d in numpy_dtypes().values())})") from None


def fits(given: TensorType, expected: TensorType) -> bool:
    """Whether ``given`` is ``expected`` or a subtype of it (same dtype and rank; each static dim equal; a function
    type only itself: code compiled for one signature calls its functions with that signature's C types)."""
    if type(given) is not type(expected):
        return False
    if type(given) is not TensorType:
        return given == expected
    return (
        given.dtype == expected.dtype
        and given.rank == expected.rank
        and all(e is None or e == g for e, g in zip(expected.shape, given.shape))
    )


def _refine(expected: TensorType, given: TensorType) -> TensorType:
    # Named dims stay dynamic: one compiled function serves every size.
    return expected


def as_array(value) -> np.ndarray:
    import numpy as np

    """A numpy view of an argument: arrays as they are, torch CPU tensors without a copy, scalars as 0-d."""
    if isinstance(value, np.ndarray):
        return value
    if type(value).__module__.startswith("torch"):
        return value.detach().numpy()
    return np.asarray(value)
