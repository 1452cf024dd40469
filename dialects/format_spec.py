"""Python's format specification mini-language, parsed: what ``fxn.format`` computes.

``format(value, spec)`` (and an f-string's ``{value:spec}``) reads ``spec``
as ``[[fill]align][sign][z][#][0][width][grouping][.precision][type]``;
:func:`parse` splits it the way CPython does (``Objects/stringlib/unicode_format.h``)
and :meth:`FormatSpec.check` says whether fxn computes it for a value of a
given element type. Supported (anything else is a :class:`VerifyError`
naming the part):

- integers (``i8 ui8 i32 i64``): types ``d`` (or none), ``x``, ``X``,
  ``o``, ``b``; any fill character (one code point, non-ASCII included),
  alignment ``< > ^ =``, sign ``+ - space``, ``#`` (the ``0x``/``0X``/``0o``/``0b``
  prefix), ``0`` (zero padding after the sign) and a width;
- ``i1`` (bool): an empty spec gives ``True``/``False``; any other spec
  formats it as the int 0 or 1, as Python's ``bool`` does;
- strings (``str``): type ``s`` (or none), fill, alignment ``< > ^``, the
  ``0`` flag, a width and a precision (at most that many code points; widths
  count code points too);
- floats (``f32``, ``f64``; the value as a double, as Python holds it):
  types ``f`` ``F`` (fixed point) and ``e`` ``E`` (scientific), a precision
  up to :data:`MAX_FLOAT_PRECISION` (default 6), fill, alignment, sign,
  ``z``, ``#`` and ``0``; digits correctly rounded (half to even on the
  exact binary value), as CPython's. Fixed point needs ``|x| * 10**precision
  < 2**64`` (a run-time ``ValueError`` beyond).

Not yet: grouping (``,`` ``_``), a precision of integers, ``n``, ``c``,
float types of integers, and of floats ``g``, ``%`` and no type at all
(``str(x)``: Python's shortest repr). This module imports neither MLIR nor
numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import INT_DTYPES, VerifyError

#: The integer presentation types fxn formats, with their radix.
INTEGER_RADIX = {"": 10, "d": 10, "x": 16, "X": 16, "o": 8, "b": 2}
#: The widest field fxn pads to (a width in code points).
MAX_WIDTH = (1 << 31) - 1
#: The float presentation types fxn formats: fixed point and scientific, each in lower and upper case.
FLOAT_TYPES = ("f", "F", "e", "E")
#: The float element types fxn formats.
FLOAT_DTYPES = ("f32", "f64")
#: The largest precision of a float's spec (so that the digits fit 64 bits), and the precision without one.
MAX_FLOAT_PRECISION, DEFAULT_FLOAT_PRECISION = 18, 6
#: The prefix ``#`` adds, per integer type.
ALTERNATE_PREFIX = {"x": "0x", "X": "0X", "o": "0o", "b": "0b"}


@dataclass(frozen=True)
class FormatSpec:
    """A parsed format spec; ``fill`` and ``align`` are None where the spec gives none (each type has its default)."""

    fill: str | None = None
    align: str | None = None
    sign: str | None = None
    no_negative_zero: bool = False
    alternate: bool = False
    zero: bool = False
    width: int = 0
    grouping: str = ""
    precision: int | None = None
    type: str = ""

    def check(self, dtype: str, spec: str) -> None:
        """VerifyError unless fxn formats a value of element type ``dtype`` (``str``: a string) with this spec (see
        the module)."""
        if self.width > MAX_WIDTH:
            raise VerifyError(f"format spec '{spec}': width {self.width} is above fxn's limit {MAX_WIDTH}")
        if dtype == "str":
            self._check_string(spec)
            return
        if dtype == "i1" and spec == "":
            return
        if dtype in FLOAT_DTYPES:
            self._check_float(spec)
            return
        if dtype not in INT_DTYPES + ("i1",):
            raise VerifyError(f"cannot format {dtype} values yet (supported: integers, i1, f32 and f64)")
        if self.type not in INTEGER_RADIX:
            raise VerifyError(f"format spec '{spec}': type '{self.type}' of an integer is not supported "
                              f"(supported: {', '.join(t for t in INTEGER_RADIX if t)} or none)")
        if self.precision is not None:
            raise VerifyError(f"format spec '{spec}': precision not allowed in integer format specifier")
        if self.no_negative_zero:
            raise VerifyError(f"format spec '{spec}': negative zero coercion (z) not allowed in integer format "
                              "specifier")
        if self.grouping:
            raise VerifyError(f"format spec '{spec}': grouping with '{self.grouping}' is not supported")

    def _check_string(self, spec: str) -> None:
        """CPython's refusals of a string's spec, in its words."""
        if self.type not in ("", "s"):
            raise VerifyError(f"format spec '{spec}': unknown format code '{self.type}' for object of type 'str'")
        for given, what in ((self.sign is not None, "sign not allowed"),
                            (self.no_negative_zero, "negative zero coercion (z) not allowed"),
                            (self.alternate, "alternate form (#) not allowed"),
                            (self.align == "=", "'=' alignment not allowed")):
            if given:
                raise VerifyError(f"format spec '{spec}': {what} in string format specifier")
        if self.grouping:
            raise VerifyError(f"format spec '{spec}': cannot specify '{self.grouping}' with 's'")

    def _check_float(self, spec: str) -> None:
        if self.type == "":
            raise VerifyError(f"format spec '{spec}': fxn formats a run-time float with a type, not as Python's "
                              "shortest repr (str(x), f'{x}'): give a precision and a type, e.g. '.6f' or '.6e'")
        if self.type not in FLOAT_TYPES:
            raise VerifyError(f"format spec '{spec}': type '{self.type}' of a float is not supported (supported: "
                              f"{', '.join(FLOAT_TYPES)})")
        if self.precision is not None and self.precision > MAX_FLOAT_PRECISION:
            raise VerifyError(f"format spec '{spec}': precision {self.precision} of a float is above fxn's limit "
                              f"{MAX_FLOAT_PRECISION}")
        if self.grouping:
            raise VerifyError(f"format spec '{spec}': grouping with '{self.grouping}' is not supported")

    def padding(self, default_align: str) -> tuple[str, str]:
        """The fill character and alignment of a value whose type aligns ``default_align`` without a spec (numbers
        ``>``, strings ``<``): the ``0`` flag, where no fill is given, fills with ``0`` and puts a number's padding
        after its sign (``=``), as CPython does."""
        fill = self.fill if self.fill is not None else "0" if self.zero else " "
        align = self.align if self.align is not None else "=" if self.zero and default_align == ">" else default_align
        return fill, align


def parse(spec: str) -> FormatSpec:
    """The parts of ``spec``; VerifyError for text that is no format spec (CPython's ``Invalid format specifier``)."""
    i, n = 0, len(spec)
    fields: dict = {}
    if n >= 2 and spec[1] in "<>=^":
        fields.update(fill=spec[0], align=spec[1])
        i = 2
    elif n >= 1 and spec[0] in "<>=^":
        fields["align"] = spec[0]
        i = 1
    if i < n and spec[i] in "+- ":
        fields["sign"] = spec[i]
        i += 1
    if i < n and spec[i] == "z":
        fields["no_negative_zero"] = True
        i += 1
    if i < n and spec[i] == "#":
        fields["alternate"] = True
        i += 1
    if "fill" not in fields and i < n and spec[i] == "0":  # a given fill makes the 0 part of the width
        fields["zero"] = True
        i += 1
    start = i
    while i < n and "0" <= spec[i] <= "9":
        i += 1
    if i > start:
        fields["width"] = int(spec[start:i])
    if i < n and spec[i] in ",_":
        fields["grouping"] = spec[i]
        i += 1
    if i < n and spec[i] == ".":
        start = i = i + 1
        while i < n and "0" <= spec[i] <= "9":
            i += 1
        if i == start:
            raise VerifyError(f"format spec '{spec}': format specifier missing precision")
        fields["precision"] = int(spec[start:i])
    if n - i > 1:
        raise VerifyError(f"invalid format specifier '{spec}'")
    if i < n:
        fields["type"] = spec[i]
    return FormatSpec(**fields)


def checked(spec: str, dtype: str) -> FormatSpec:
    """``spec`` parsed and checked for a value of element type ``dtype`` (VerifyError if fxn cannot format it)."""
    parsed = parse(spec)
    parsed.check(dtype, spec)
    return parsed
