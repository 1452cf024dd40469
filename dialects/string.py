"""String ops: Python's ``str`` as fxn values.

A string is a ``tensor<?xui8>`` (:data:`~fxn.dialects.types.STRING`)
holding its UTF-8 encoding, without a terminator: its dim is its length in
bytes. Every string op takes and gives exactly that type, so strings of any
lengths share one type (and a variadic operand group, which IRDL gives one
type, takes any strings). Strings are valid UTF-8: the runtime encodes a
Python ``str`` argument strictly, and every op makes valid UTF-8 of valid
UTF-8 (an op on invalid bytes computes on bytes, its result unspecified).
Ops that count or index do so in code points, as Python does; comparisons
compare bytes, which orders UTF-8 strings by code points, as Python does.

Whether a ``tensor<?xui8>`` is text or bytes is the signature's business
(a ``str`` parameter or result: :mod:`fxn.frontend.types`,
:mod:`fxn.structure`), not the IR's.
"""

from .base import EnumAttr, FxnOp, Operand, TextAttr, VariadicOperand
from .format_spec import checked as checked_spec
from .types import STRING, TensorType, VerifyError


def _check_strings(**operands: TensorType) -> None:
    for name, operand in operands.items():
        if operand != STRING:
            raise VerifyError(f"operand '{name}' must be a string ({STRING}); got {operand}")


class StrConstantOp(FxnOp, name="str_constant"):
    """The string ``value`` (the attribute's UTF-8 bytes).

    ``%s = "fxn.str_constant"() {value = "Hello "} : () -> tensor<?xui8>``
    """

    value = TextAttr()

    @classmethod
    def infer_type(cls, args, attrs):
        return STRING


class StrConcatOp(FxnOp, name="str_concat"):
    """The strings ``inputs`` one after another (Python's ``a + b``, an f-string's pieces); at least one.

    ``%r = "fxn.str_concat"(%a, %b, %c) : (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>``
    """

    inputs: VariadicOperand

    @classmethod
    def infer_type(cls, args, attrs):
        if not args.inputs:
            raise VerifyError("expected at least one input")
        _check_strings(**{f"inputs #{i}": t for i, t in enumerate(args.inputs)})
        return STRING


class StrLenOp(FxnOp, name="str_len"):
    """Python's ``len(s)``: the number of code points of ``input`` (its bytes that do not continue a UTF-8
    sequence, i.e. are not ``0b10xxxxxx``), an i64.

    ``%n = "fxn.str_len"(%s) : (tensor<?xui8>) -> tensor<i64>``
    """

    input: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input)
        return TensorType("i64", ())


class StrCompareOp(FxnOp, name="str_compare"):
    """Python's ``lhs <predicate> rhs`` of two strings: lexicographic on their bytes (unsigned), a prefix
    before the longer string, which is Python's order by code points; an i1.

    ``%r = "fxn.str_compare"(%a, %b) {predicate = "lt"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>``
    """

    lhs: Operand
    rhs: Operand
    predicate = EnumAttr("eq", "ne", "lt", "le", "gt", "ge")

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(lhs=args.lhs, rhs=args.rhs)
        return TensorType("i1", ())


class StrContainsOp(FxnOp, name="str_contains"):
    """Python's ``needle in haystack``: whether ``needle``'s bytes occur in ``haystack``'s (UTF-8 is
    self-synchronizing, so this is the code-point substring test); the empty string is in every string.

    ``%r = "fxn.str_contains"(%haystack, %needle) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>``
    """

    haystack: Operand
    needle: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(haystack=args.haystack, needle=args.needle)
        return TensorType("i1", ())


def _check_i64(**operands: TensorType) -> None:
    for name, operand in operands.items():
        if operand != TensorType("i64", ()):
            raise VerifyError(f"operand '{name}' must be a 0-d i64 (an index or a count); got {operand}")


class StrSliceOp(FxnOp, name="str_slice"):
    """Python's ``input[start:stop]``: the code points from ``start`` up to ``stop`` (0-d i64s), which count from
    the end where negative and are clamped to the string, as ``slice(start, stop).indices(len(input))`` has them
    (an empty string where ``start >= stop``).

    ``%r = "fxn.str_slice"(%s, %start, %stop) : (tensor<?xui8>, tensor<i64>, tensor<i64>) -> tensor<?xui8>``
    """

    input: Operand
    start: Operand
    stop: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input)
        _check_i64(start=args.start, stop=args.stop)
        return STRING


class StrAtOp(FxnOp, name="str_at"):
    """Python's ``input[index]``: the code point at ``index`` (a 0-d i64, counting from the end where negative), as
    a string of one code point. An index outside the string is CPython's ``IndexError: string index out of range`` at
    run time.

    ``%r = "fxn.str_at"(%s, %i) : (tensor<?xui8>, tensor<i64>) -> tensor<?xui8>``
    """

    input: Operand
    index: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input)
        _check_i64(index=args.index)
        return STRING


class StrStartsWithOp(FxnOp, name="str_starts_with"):
    """Python's ``input.startswith(prefix)``: whether ``input``'s bytes begin with ``prefix``'s; an i1.

    ``%r = "fxn.str_starts_with"(%s, %p) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>``
    """

    input: Operand
    prefix: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input, prefix=args.prefix)
        return TensorType("i1", ())


class StrEndsWithOp(FxnOp, name="str_ends_with"):
    """Python's ``input.endswith(suffix)``: whether ``input``'s bytes end with ``suffix``'s; an i1.

    ``%r = "fxn.str_ends_with"(%s, %p) : (tensor<?xui8>, tensor<?xui8>) -> tensor<i1>``
    """

    input: Operand
    suffix: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input, suffix=args.suffix)
        return TensorType("i1", ())


#: The integer types ``fxn.str_to_int`` parses into.
PARSED_INT_DTYPES = ("i8", "i32", "i64")


class StrToIntOp(FxnOp, name="str_to_int"):
    """Python's ``int(input)`` of a string (base 10), as an integer of element type ``dtype`` (``i8``, ``i32`` or
    ``i64``).

    The text is optional ASCII whitespace (space, ``\\t \\n \\v \\f \\r``), an optional
    sign, ASCII decimal digits with single underscores between them (``1_000``; leading zeros allowed), and
    optional ASCII whitespace. Any other text is a ``ValueError`` at run time (``invalid literal for int()``),
    and so is a number beyond ``dtype``'s range. CPython also takes non-ASCII decimal digits and whitespace
    (``int("٣")`` is 3): this op refuses them.

    ``%n = "fxn.str_to_int"(%s) {dtype = "i32"} : (tensor<?xui8>) -> tensor<i32>``
    """

    input: Operand
    dtype = EnumAttr(*PARSED_INT_DTYPES)

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input)
        return TensorType(attrs.dtype, ())


#: The float types ``fxn.str_to_float`` parses into.
PARSED_FLOAT_DTYPES = ("f32", "f64")


class StrToFloatOp(FxnOp, name="str_to_float"):
    """Python's ``float(input)`` of a string, as a float of element type ``dtype`` (``f32`` or ``f64``).

    The text is optional ASCII whitespace, an optional sign, then either
    ``inf``, ``infinity`` or ``nan`` in any case, or a decimal number: digits
    with an optional ``.`` and fraction (at least one digit in all, ``5.``
    and ``.5`` included) and an optional exponent (``e`` or ``E``, a sign,
    digits), digits with single underscores between them (``1_000.0_1``),
    then optional ASCII whitespace. Any other text is a ``ValueError`` at
    run time (``could not convert string to float``). The number is
    CPython's double, correctly rounded (half to even, overflow to
    infinity, underflow to subnormals and zero), then rounded to ``dtype``
    (an f32 is ``numpy.float32(float(text))``). CPython also takes
    non-ASCII digits and whitespace: this op refuses them.

    ``%x = "fxn.str_to_float"(%s) {dtype = "f32"} : (tensor<?xui8>) -> tensor<f32>``
    """

    input: Operand
    dtype = EnumAttr(*PARSED_FLOAT_DTYPES)

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input)
        return TensorType(attrs.dtype, ())


class StrCaseOp(FxnOp, name="str_case"):
    """Python's ``input.upper()`` (``mode = "upper"``) or ``input.lower()`` (``"lower"``): each code point replaced by
    its full case mapping in the Unicode database of the Python that compiles (the one ``chr(c).upper()`` gives,
    which may be several code points: ``ß`` is ``SS``), every script included.

    One difference from CPython: ``lower()`` maps ``Σ`` to ``σ`` everywhere, where CPython gives the final form
    ``ς`` at the end of a word (a context rule: per code point, as here, ``"Σ".lower()`` is ``σ`` in CPython too).

    ``%r = "fxn.str_case"(%s) {mode = "upper"} : (tensor<?xui8>) -> tensor<?xui8>``
    """

    input: Operand
    mode = EnumAttr("upper", "lower")

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input)
        return STRING


class StrStripOp(FxnOp, name="str_strip"):
    """Python's ``input.strip(chars)`` (``side = "both"``), ``lstrip`` (``"left"``) or ``rstrip`` (``"right"``):
    ``input`` without its longest prefix, suffix or both of code points that occur in ``chars``. (``strip()``
    without an argument is ``chars`` = every code point ``str.isspace`` is true of.)

    ``%r = "fxn.str_strip"(%s, %chars) {side = "both"} : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>``
    """

    input: Operand
    chars: Operand
    side = EnumAttr("both", "left", "right")

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input, chars=args.chars)
        return STRING


class StrReplaceOp(FxnOp, name="str_replace"):
    """Python's ``input.replace(old, new, count)``: the first ``count`` (a 0-d i64; negative: all) occurrences of
    ``old`` in ``input``, found left to right without overlapping, replaced by ``new``. An empty ``old`` occurs
    before each code point and at the end (``"ab".replace("", "-")`` is ``-a-b-``).

    ``%r = "fxn.str_replace"(%s, %old, %new, %count) : (tensor<?xui8>, tensor<?xui8>, tensor<?xui8>, tensor<i64>)
    -> tensor<?xui8>``
    """

    input: Operand
    old: Operand
    new: Operand
    count: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input, old=args.old, new=args.new)
        _check_i64(count=args.count)
        return STRING


class StrSplitCountOp(FxnOp, name="str_split_count"):
    """Python's ``len(input.split(sep, maxsplit))``: one more than the occurrences of ``sep`` found left to right
    without overlapping, at most ``maxsplit`` of them (a 0-d i64; negative: all); an i64. An empty ``sep`` is
    CPython's ``ValueError: empty separator`` at run time.

    ``%n = "fxn.str_split_count"(%s, %sep, %maxsplit) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>) -> tensor<i64>``
    """

    input: Operand
    sep: Operand
    maxsplit: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input, sep=args.sep)
        _check_i64(maxsplit=args.maxsplit)
        return TensorType("i64", ())


class StrSplitPartOp(FxnOp, name="str_split_part"):
    """Python's ``input.split(sep, maxsplit)[index]``: the part ``index`` (a 0-d i64, counting from the end where
    negative) of ``input`` split at the occurrences of ``sep`` as ``fxn.str_split_count`` finds them. An index
    outside the parts is CPython's ``IndexError: list index out of range``, an empty ``sep`` its ``ValueError:
    empty separator``, at run time.

    ``%r = "fxn.str_split_part"(%s, %sep, %maxsplit, %i) : (tensor<?xui8>, tensor<?xui8>, tensor<i64>, tensor<i64>)
    -> tensor<?xui8>``
    """

    input: Operand
    sep: Operand
    maxsplit: Operand
    index: Operand

    @classmethod
    def infer_type(cls, args, attrs):
        _check_strings(input=args.input, sep=args.sep)
        _check_i64(maxsplit=args.maxsplit, index=args.index)
        return STRING


class FormatOp(FxnOp, name="format"):
    """Python's ``format(input, spec)`` of a 0-d number or a string: ``f"{x:spec}"``, ``str(x)`` (``spec = ""``).

    ``input`` is an integer (``i8 ui8 i32 i64``), an ``i1`` (a bool: an
    empty spec gives ``True`` or ``False``, any other formats 0 or 1, as
    Python's ``bool`` does), a float (``f32 f64``: the value as the double
    Python holds, an f32 widened exactly) or a string (padded to a width,
    cut to a precision, both in code points). ``spec`` is Python's format
    spec, in the subset :mod:`fxn.dialects.format_spec` lists (integers:
    types ``d x X o b``, fill, align, sign, ``#``, ``0``, width; floats:
    types ``f F e E`` with a precision up to 18 (default 6), fill, align,
    sign, ``z``, ``#``, ``0``, width; strings: fill, align, ``0``, width,
    precision); the result is CPython's, byte for byte, digits correctly
    rounded (half to even on the exact binary value).

    Limits: a float needs a type (its shortest repr, ``str(x)`` or
    ``f"{x}"``, is refused when the op is built: use ``.Nf`` or ``.Ne``);
    fixed point (``f F``) needs ``|x| * 10**precision < 2**64`` (``.2f``
    of ``|x|`` up to about ``1.8e17``), beyond which the op is a
    ``ValueError`` at run time. Scientific (``e E``) takes every float.

    ``%s = "fxn.format"(%x) {spec = "08x"} : (tensor<i32>) -> tensor<?xui8>``
    ``%s = "fxn.format"(%y) {spec = "+.3e"} : (tensor<f32>) -> tensor<?xui8>``
    """

    input: Operand
    spec = TextAttr(default="")

    @classmethod
    def infer_type(cls, args, attrs):
        if args.input == STRING:
            checked_spec(attrs.spec, "str")
        elif args.input.rank != 0:
            raise VerifyError(f"operand 'input' must be 0-d (a number) or a string ({STRING}); got {args.input}")
        else:
            checked_spec(attrs.spec, args.input.dtype)
        return STRING
