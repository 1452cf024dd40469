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
            raise VerifyError(f"operand '{name}' must be a 0-d i64 (a code-point index); got {operand}")


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
    a string of one code point. An index outside the string is an ``IndexError`` at run time.

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


class FormatOp(FxnOp, name="format"):
    """Python's ``format(input, spec)`` of a 0-d number or a string: ``f"{x:spec}"``, ``str(x)`` (``spec = ""``).

    ``input`` is an integer (``i8 ui8 i32 i64``), an ``i1`` (a bool: an
    empty spec gives ``True`` or ``False``, any other formats 0 or 1, as
    Python's ``bool`` does) or a string (padded to a width, cut to a
    precision, both in code points). ``spec`` is Python's format spec, in
    the subset :mod:`fxn.dialects.format_spec` lists (integers: types ``d x
    X o b``, fill, align, sign, ``#``, ``0``, width; strings: fill, align,
    ``0``, width, precision); the result is CPython's, byte for byte.

    ``%s = "fxn.format"(%x) {spec = "08x"} : (tensor<i32>) -> tensor<?xui8>``
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
