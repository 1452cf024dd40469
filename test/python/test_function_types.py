"""First-class function types (Numba's function subtyping): functions passed to compiled functions as native
addresses, called through ``fxn.call_indirect``, compiled once per signature whatever functions are passed."""

import ctypes
import shutil
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import numpy as np
import pytest

import fxn
from frontend_harness import line_of
from fxn.frontend.function_types import Signature, why_not_convertible

F32 = fxn.FunctionType(fxn.f32(fxn.f32))


@fxn.compile
def foo(x: float) -> float:
    return x + 1.0


@fxn.compile
def foo2(x: float) -> float:
    return x * 2.0


@fxn.compile(dtype=fxn.f64)
def third(x: float) -> float:
    return x / 3.0


def f32(value: float) -> float:
    """``value`` rounded to f32, as the compiled code computes."""
    return float(np.float32(value))


# ----------------------------------------------------------------------------- types


def test_an_element_type_called_with_element_types_is_a_signature():
    assert fxn.f32(fxn.f32) == Signature("f32", ("f32",))
    assert fxn.bool_(fxn.f64, fxn.f64) == Signature("i1", ("f64", "f64"))
    assert repr(fxn.FunctionType(fxn.i32(fxn.i32, fxn.i32))) == "fxn.FunctionType(fxn.i32(fxn.i32, fxn.i32))"
    assert str(fxn.f64(fxn.f32)) == "f64(f32)"
    assert fxn.f64(fxn.f64, fxn.i32, fxn.bool_) == Signature("f64", ("f64", "i32", "i1"))
    assert repr(fxn.f64(fxn.f64, fxn.i32)) == "fxn.f64(fxn.f64, fxn.i32)"


def test_the_frontend_and_the_dialect_agree_on_what_a_signature_takes():
    from fxn.dialects import function
    from fxn.frontend import function_types

    assert function_types.SIGNATURE_DTYPES == function.SIGNATURE_DTYPES
    assert function_types.MAX_PARAMETERS == function.MAX_PARAMETERS


def test_signatures_are_checked_when_written():
    with pytest.raises(TypeError, match=r"fxn.f32\(...\) takes element types \(fxn.f32, ...\); got <class 'float'>"):
        fxn.f32(float)
    with pytest.raises(TypeError, match="a function type takes and returns scalars of .*; got f16"):
        fxn.f16(fxn.f16)
    with pytest.raises(TypeError, match=r"a function type takes at most 8 parameters; got f32\(f32, f32, f32, f32, "
                                        r"f32, f32, f32, f32, f32\)"):
        fxn.f32(*[fxn.f32] * 9)
    with pytest.raises(TypeError, match="fxn.FunctionType takes a signature"):
        fxn.FunctionType(fxn.f32)


@pytest.mark.parametrize("given, expected, why", [
    (fxn.f32(fxn.f32), fxn.f32(fxn.f32), None),
    (fxn.f32(fxn.f32), fxn.f64(fxn.f32), None),  # the result converts safely: covariant
    (fxn.f32(fxn.f64), fxn.f32(fxn.f32), None),  # the expected argument converts to the function's: contravariant
    (fxn.f64(fxn.f64), fxn.f32(fxn.f32), "it returns f64, which does not convert safely to f32"),
    (fxn.f32(fxn.f32), fxn.f32(fxn.f64), "its argument #0 is f32, to which f64 does not convert safely"),
    (fxn.f32(fxn.f32, fxn.f32), fxn.f32(fxn.f32), "it takes 2 argument(s), not 1"),
])
def test_arguments_are_contravariant_and_results_covariant(given, expected, why):
    assert why_not_convertible(given, expected) == why


# ----------------------------------------------------------------------------- the design document's ideal case


@fxn.compile
def bar(fs: tuple[F32, F32], x: float) -> float:
    r = x
    for f in fs:
        r = f(r)
    return r


@fxn.compile
def bar_unannotated(fs, x):
    r = x
    for f in fs:
        r = f(r)
    return r


@pytest.mark.parametrize("function", [bar, bar_unannotated], ids=["annotated", "unannotated"])
def test_reordered_functions_reuse_one_trace(function):
    assert function((foo, foo2), 3.5) == 9.0
    assert function((foo2, foo), 3.5) == 8.0
    assert function((foo2, foo2), 3.5) == 14.0
    assert type(function((foo, foo), 3.5)) is float  # functions are no arrays: a function of numbers gives numbers
    assert function.tracing_count == 1


def test_the_higher_order_function_calls_through_a_pointer():
    text = str(bar.get_concrete_function((foo, foo2), 1.0).lowered.optimized)
    assert text.count('"fxn.call_indirect"') == 2
    assert ("{operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>, signature = (f32) -> f32} : "
            "(tensor<i64>, tensor<f32>) -> tensor<f32>") in text


def test_lists_and_zip_of_functions():
    @fxn.compile
    def paired(fs, gs, x):
        r = x
        for f, g in zip(fs, gs):
            r = f(g(r))
        return r

    assert paired([foo, foo2], [foo2, foo], 1.0) == 8.0  # foo2(foo(foo(foo2(1))))
    assert paired([foo2, foo2], [foo, foo], 1.0) == 10.0
    assert paired.tracing_count == 1


def test_python_functions_and_lambdas_are_compiled_on_the_fly():
    def minus_half(x: float) -> float:
        return x - 0.5

    assert bar((minus_half, lambda v: v * v), 3.0) == 6.25
    assert bar((lambda v: v / 3.0, foo), 1.0) == f32(f32(1.0 / 3.0) + 1.0)
    assert bar.tracing_count == 1  # declared: one signature, whatever is passed


def test_an_unannotated_parameter_takes_the_signature_of_its_first_call():
    @fxn.compile
    def twice(f, x: float):
        return f(f(x))

    assert twice(lambda v: v * 3.0, 1.5) == 13.5
    assert twice(lambda v: v - 1.0, 1.5) == -0.5
    assert twice.tracing_count == 1  # neither lambda declares a type: the call site's decides


def test_calling_another_compiled_function_inlines_it():
    @fxn.compile
    def direct(x: float) -> float:
        return foo(foo2(x)) + third(x)

    assert direct(3.0) == 8.0  # 7 (f32) + 1 (f64): PyTorch promotion, an f64 result
    text = str(direct.concrete_functions[0].lowered.optimized)
    assert "call_indirect" not in text and '"fxn.cast"' in text  # third computes in f64, its own type


# ----------------------------------------------------------------------------- loops and branches


def count_over(fs, x: float, n: int) -> int:
    count = 0
    for k in range(n):
        for f in fs:
            if f(x + k) > 3.0:
                count += 1
    return count


def first_over(fs, x: float, limit: float):
    found = -1.0
    for f in fs:
        if f(x) > limit:
            found = f(x)
            break
    return found


def alternate_by_index(fs, gs, x: float) -> float:
    r = x
    for i, (f, g) in enumerate(zip(fs, gs)):
        if r > 2.0:
            r = f(r) - i
        else:
            r = g(r) + i
    return r


@pytest.mark.parametrize("function, args", [
    (count_over, ((foo, foo2), 1.0, 4)),
    (first_over, ((foo, foo2), 1.5, 2.8)),
    (first_over, ((foo, foo2), 1.5, 10.0)),
    (alternate_by_index, ((foo, foo2, foo), (foo2, foo, foo2), 0.5)),
], ids=["count", "break", "none-found", "enumerate-zip"])
def test_branches_inside_a_for_over_functions(function, args):
    compiled = fxn.compile(function)
    assert compiled(*args) == function(*args)
    reordered = tuple(part[::-1] if isinstance(part, tuple) else part for part in args)
    assert compiled(*reordered) == function(*reordered)
    assert compiled.tracing_count == 1


@fxn.compile
def iterate(f: F32, x: float, n: int) -> float:
    r = x
    for _ in range(n):
        r = f(r)
    return r


def test_a_loop_over_a_run_time_range_calls_through_the_pointer():
    assert iterate(foo, 0.5, 10) == 10.5
    assert iterate(foo2, 0.5, 10) == 512.0
    assert iterate(lambda v: v - 0.25, 1.0, 0) == 1.0
    assert iterate.tracing_count == 1
    text = str(iterate.concrete_functions[0].lowered.optimized)
    assert "scf.for" in text and text.count('"fxn.call_indirect"') == 1


@pytest.mark.parametrize("annotated", [True, False])
def test_while_loops_over_zipped_tuples_of_functions(annotated):
    def alternate(fs, gs, x, n: int):
        r, i = x, 0
        while i < n:
            for f, g in zip(fs, gs):
                r = f(g(r))
            i += 1
        return r

    if annotated:
        alternate.__annotations__.update(fs=tuple[F32, F32], gs=tuple[F32, F32], x=float)
    compiled = fxn.compile(alternate)
    assert compiled((foo, foo2), (foo2, foo), 1.0, 2) == alternate((foo, foo2), (foo2, foo), 1.0, 2) == 36.0
    assert compiled((foo2, foo), (foo, foo2), 1.0, 2) == 41.0
    assert compiled((foo2, foo), (foo, foo2), 1.0, 0) == 1.0
    assert compiled.tracing_count == 1


def test_an_unannotated_function_called_in_a_loop_takes_the_signature_of_its_first_call():
    @fxn.compile
    def iterate_any(f, x: float, n: int):
        r = x
        for _ in range(n):
            r = f(r)
        return r

    assert iterate_any(lambda v: v * v, 1.5, 2) == 5.0625
    assert iterate_any(lambda v: v - 1.0, 1.5, 3) == -1.5
    assert iterate_any.tracing_count == 1


def test_branches_pick_which_function_to_call():
    @fxn.compile
    def pick(f: F32, g: F32, x: float) -> float:
        h = f if x > 0 else g
        if x > 10:
            return h(x) - 100.0
        return h(x)

    assert [pick(foo, foo2, x) for x in (1.0, -1.0, 20.0)] == [2.0, -2.0, -79.0]
    assert pick(foo2, foo, 1.0) == 2.0 and pick(foo2, foo, -3.0) == -2.0
    assert pick.tracing_count == 1


def test_loops_carry_function_values():
    @fxn.compile
    def alternate(f: F32, g: F32, x: float, n: int) -> float:
        a, b = f, g
        for _ in range(n):
            x = a(x)
            a, b = b, a
        return x

    @fxn.compile
    def until(f: F32, x: float) -> float:
        while f(x) < 100.0:
            x = f(x)
        return x

    assert alternate(foo, foo2, 1.0, 3) == alternate.fn(foo, foo2, 1.0, 3) == 5.0
    assert alternate(foo2, foo, 1.0, 4) == alternate.fn(foo2, foo, 1.0, 4)
    assert alternate.tracing_count == 1
    assert until(foo2, 1.0) == 64.0 and until(foo, 0.5) == 99.5


def test_a_loop_giving_a_function_another_type_is_an_error():
    @fxn.compile
    def drift(f: F32, g: fxn.FunctionType(fxn.f64(fxn.f64)), x: float, n: int) -> float:
        for _ in range(n):
            x = f(x)
            f = g
        return x

    with pytest.raises(fxn.frontend.UnsupportedOperation, match=r"the loop: 'f' is a function<f32\(f32\)> before "
                                                                 r"it and a function<f64\(f64\)> in it"):
        drift(foo, third, 1.0, 2)


def test_a_function_picked_by_a_branch_is_returned_as_the_function_passed():
    @fxn.compile
    def choose(f: F32, g: F32, x: float) -> F32:
        if x > 0:
            chosen = f
        else:
            chosen = g
        return chosen

    assert choose(foo, foo2, 1.0) is foo
    assert choose(foo, foo2, -1.0) is foo2
    assert choose.tracing_count == 1


def test_functions_of_two_types_joined_by_a_branch_are_an_error():
    @fxn.compile
    def mixed(f: F32, g: fxn.FunctionType(fxn.f64(fxn.f64)), x: float) -> float:
        h = f if x > 0 else g
        return h(x)

    with pytest.raises(fxn.frontend.UnsupportedOperation, match=r"the 'if': the conditional expression is a function<f32\(f32\)> "
                                                                 r"on one of its branches and a function<f64\(f64\)> on "
                                                                 "the other"):
        mixed(foo, third, 1.0)


@fxn.compile
def mapped(f: F32, xs: fxn.Tensor[fxn.f32, "N"]):
    out = np.zeros_like(xs)
    for i in range(xs.shape[0]):
        out[i] = f(xs[i])
    return out


def test_a_function_value_applied_to_each_element_of_an_array():
    xs = np.arange(5, dtype=np.float32) - 2
    np.testing.assert_array_equal(mapped(foo, xs), xs + 1)
    np.testing.assert_array_equal(mapped(foo2, xs[:3]), xs[:3] * 2)
    np.testing.assert_array_equal(mapped(lambda v: v * v - 1.0, xs), xs * xs - 1)
    assert mapped.tracing_count == 1


def test_calls_of_function_values_beside_array_code():
    @fxn.compile
    def weighted(fs, xs, n: int):
        total = xs * 0
        for k in range(n):
            for f in fs:
                total = total + f(xs[0] + k) * xs
        return total

    xs = np.arange(3, dtype=np.float32) + 1
    np.testing.assert_allclose(weighted((foo, foo2), xs, 3), weighted.fn((foo, foo2), xs, 3))
    np.testing.assert_allclose(weighted((foo2, foo2), xs, 2), weighted.fn((foo2, foo2), xs, 2))
    assert weighted.tracing_count == 1


def test_a_function_value_called_with_an_array_is_refused_with_the_reason():
    @fxn.compile
    def whole(f: F32, xs):
        return f(xs) + 1

    line = line_of(whole.fn, "return f(xs) + 1")
    with pytest.raises(fxn.frontend.UnsupportedOperation, match=rf":{line}: fxn cannot compile this call of a "
                                                                 r"function argument: it takes numbers, and here it is "
                                                                 r"given a tensor<3xf32> \(to apply it to each element"):
        whole(foo, np.ones(3, np.float32))


# ----------------------------------------------------------------------------- conversion and subtyping


@fxn.compile
def apply(f: F32, x: float) -> float:
    return f(x)


@fxn.compile
def apply_wide(f: fxn.FunctionType(fxn.f64(fxn.f32)), x: float):
    return f(x)


def test_a_function_of_a_narrower_result_converts_through_an_adapter():
    assert apply_wide(foo, 2.25) == 3.25
    assert isinstance(apply_wide(foo, 2.25), float)


def test_a_function_whose_result_does_not_convert_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError, match=r"argument 'f' expects a function of type f32\(f32\); third has type "
                                        r"f64\(f64\): it returns f64, which does not convert safely to f32"):
        apply(third, 1.0)


def test_a_non_function_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError, match=r"argument 'f' expects a function of type f32\(f32\); got int"):
        apply(3, 1.0)


def test_a_function_returning_no_number_is_a_type_error():
    with pytest.raises(TypeError, match="argument 'f' expects a function of type f32"):
        apply(lambda v: (v, v), 1.0)


# ----------------------------------------------------------------------------- the op's reference semantics


def test_the_interpreter_calls_the_address():
    callback = ctypes.CFUNCTYPE(ctypes.c_float, ctypes.c_float)(lambda v: v * 10.0)
    address = ctypes.cast(callback, ctypes.c_void_p).value
    module = """
    func.func @apply(%f: tensor<i64>, %x: tensor<f32>) -> tensor<f32> {
      %0 = "fxn.call_indirect"(%f, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0, 0, 0>,
                                        signature = (f32) -> f32} : (tensor<i64>, tensor<f32>) -> tensor<f32>
      return %0 : tensor<f32>
    }
    """
    result = fxn.interpret(module, np.asarray(address, np.int64), np.asarray(1.5, np.float32))
    assert result == np.float32(15.0) and result.dtype == np.float32


def test_the_interpreter_calls_an_address_with_arguments_of_different_types():
    callback = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_int32, ctypes.c_bool)(
        lambda x, n, negate: -x * n if negate else x * n)
    address = ctypes.cast(callback, ctypes.c_void_p).value
    module = """
    func.func @apply(%f: tensor<i64>, %x: tensor<f64>, %n: tensor<i32>, %b: tensor<i1>) -> tensor<f64> {
      %0 = "fxn.call_indirect"(%f, %x, %n, %b) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0, 0>,
          signature = (f64, i32, i1) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>, tensor<i1>) -> tensor<f64>
      return %0 : tensor<f64>
    }
    """
    arguments = [np.asarray(address, np.int64), np.asarray(2.5), np.asarray(-3, np.int32)]
    assert fxn.interpret(module, *arguments, np.asarray(False)) == -7.5
    assert fxn.interpret(module, *arguments, np.asarray(True)) == 7.5


# ----------------------------------------------------------------------------- returning functions


def test_a_returned_function_comes_back_as_the_function_passed():
    @fxn.compile
    def second(fs: tuple[F32, F32]):
        return fs[1]

    assert second((foo, foo2)) is foo2
    assert second((foo2, foo)) is foo
    halve = lambda v: v / 2.0  # noqa: E731
    assert second((foo, halve)) is halve
    assert second.tracing_count == 1


def test_a_function_and_a_number_returned_together():
    @fxn.compile
    def applied(f: F32, x: float):
        return f(x), f

    assert applied(foo, 1.5) == (2.5, foo)


def test_returning_a_function_of_unknown_type_is_an_error():
    @fxn.compile
    def identity(f):
        return f

    with pytest.raises(fxn.frontend.UnsupportedOperation, match="a returned function argument must have a known type"):
        identity(lambda v: v)


def test_a_scalar_i64_result_is_a_python_int():
    @fxn.compile(dtype={int: fxn.i64})
    def increment(n: int) -> int:
        return n + 1

    assert increment(2**40) == 2**40 + 1


# ----------------------------------------------------------------------------- declared in other ways


class Pipeline(typing.NamedTuple):
    first: F32
    then: F32


def test_a_named_tuple_of_functions_is_a_declared_container():
    @fxn.compile
    def run(p: Pipeline, x: float) -> float:
        return p.then(p.first(x))

    assert run(Pipeline(foo, foo2), 1.0) == 4.0
    assert run(Pipeline(foo2, foo), 1.0) == 3.0
    assert run.tracing_count == 1


def test_input_signature_declares_a_function_type():
    def twice(f, x):
        return f(f(x))

    compiled = fxn.compile(twice, input_signature=[F32, fxn.TensorSpec((), fxn.f32)])
    assert compiled(foo2, 1.5) == 6.0
    assert compiled(foo, 1.5) == 3.5
    assert compiled.tracing_count == 1
    with pytest.raises(TypeError, match=r"argument 'f' expects a function of type f32\(f32\); got float"):
        compiled(1.0, 1.5)


def test_an_integer_predicate():
    @fxn.compile
    def count_if(p: fxn.FunctionType(fxn.bool_(fxn.i32)), a: int, b: int) -> int:
        return 1 * p(a) + 1 * p(b)  # (bool + bool is a logical or in torch, which fxn refuses: count as ints)

    assert count_if(lambda n: n % 2 == 0, 4, 7) == 1
    assert count_if(lambda n: n > 0, 4, 7) == 2
    assert count_if.tracing_count == 1


def test_an_unannotated_parameter_keys_on_the_signature_not_the_function():
    @fxn.compile
    def chain(fs, x):
        r = x
        for f in fs:
            r = f(r)
        return r

    assert chain((foo, foo2), 1.0) == 4.0
    assert chain((foo2, foo2), 1.0) == 4.0
    assert chain.tracing_count == 1
    assert chain((third, third), 1.0) == np.float64(1.0) / 9.0  # f64(f64): another signature, another trace
    assert chain.tracing_count == 2


def test_calling_a_function_value_with_the_wrong_arguments_is_a_type_error():
    @fxn.compile
    def wrong(f: F32, x: float) -> float:
        return f(x, x)

    line = line_of(wrong.fn, "return f(x, x)")
    with pytest.raises(TypeError, match=rf"test_function_types.py:{line}: function argument 'f' of type f32\(f32\) "
                                        r"takes 1 argument\(s\); got 2"):
        wrong(foo, 1.0)

    @fxn.compile
    def narrowing(f: F32, x: fxn.Tensor[fxn.f64]) -> float:
        return f(x)

    with pytest.raises(TypeError, match="argument #0 of 'f' is f64, which does not convert safely to f32"):
        narrowing(foo, np.float64(1.0))


def test_a_lambda_passed_once_is_not_kept_alive():
    import gc
    import weakref

    add_two = lambda v: v + 2.0  # noqa: E731
    reference = weakref.ref(add_two)
    assert apply(add_two, 1.0) == 3.0
    del add_two
    gc.collect()
    assert reference() is None


def test_reduce_retracing_keeps_function_types():
    @fxn.compile(reduce_retracing=True)
    def scaled(f, x: float):
        return f(2.0) * x

    assert scaled(foo, 2.0) == 6.0
    assert scaled(foo2, 2.0) == 8.0
    assert scaled.tracing_count == 1


def test_arrays_beside_function_values():
    @fxn.compile
    def scaled(f: F32, xs):
        return f(2.0) * xs

    np.testing.assert_array_equal(scaled(foo, np.ones(3, np.float32)), np.full(3, 3.0, np.float32))
    np.testing.assert_array_equal(scaled(foo2, np.ones(3, np.float32)), np.full(3, 4.0, np.float32))
    assert scaled.tracing_count == 1

    @fxn.compile
    def aliased(f: F32, xs):
        g = f
        return g(xs[1]) * xs

    xs = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(aliased(foo, xs), aliased.fn(foo, xs))


# ----------------------------------------------------------------------------- parameters of different element types

MIXED = fxn.FunctionType(fxn.f64(fxn.f64, fxn.i32))


@fxn.compile(dtype=fxn.f64)
def apply_mixed(f: MIXED, x: float, n: int):
    return f(x, n)


@fxn.compile(dtype=fxn.f64)
def shifted_product(x: float, n: int) -> float:
    return x * n - 0.25


@fxn.compile(dtype={float: fxn.f64, int: fxn.i64})
def wide_difference(x: float, n: int) -> float:
    return x - n


def scaled_half(x, n):
    return x * n + 0.5


@pytest.mark.parametrize("x, n", [(1.5, 3), (-2.25, 7), (1e10, -2**31)])
def test_a_signature_of_mixed_parameters_takes_lambdas_and_compiled_functions(x, n):
    assert apply_mixed(lambda v, k: v * k + 0.5, x, n) == scaled_half(x, n)
    assert apply_mixed(shifted_product, x, n) == x * n - 0.25
    assert apply_mixed(scaled_half, x, n) == scaled_half(x, n)
    assert apply_mixed.tracing_count == 1  # one machine code for every function of the type


def test_a_mixed_signature_converts_through_an_adapter_where_the_types_differ_safely():
    assert wide_difference.get_concrete_function(1.0, 2).arg_types[1].dtype == "i64"
    assert apply_mixed(wide_difference, 0.5, 2**31 - 1) == 0.5 - (2**31 - 1)  # i32 -> i64: contravariant
    assert apply_mixed.tracing_count == 1


def test_a_mixed_signature_refuses_a_function_whose_argument_does_not_convert():
    @fxn.compile
    def narrow(x: float, n: int) -> float:
        return x * n

    with pytest.raises(TypeError, match=r"argument 'f' expects a function of type f64\(f64, i32\); narrow has type "
                                        r"f32\(f32, i32\): its argument #0 is f32, to which f64 does not convert "
                                        r"safely"):
        apply_mixed(narrow, 1.0, 2)


def test_the_higher_order_function_calls_with_each_argument_of_its_type():
    text = str(apply_mixed.get_concrete_function(shifted_product, 1.0, 2).lowered.optimized)
    assert ('signature = (f64, i32) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>) -> tensor<f64>' in text)


def choose_sign(negate, n):
    if negate:
        return -n
    return n


@fxn.compile(dtype={int: fxn.i64})
def with_flag(f: fxn.FunctionType(fxn.i64(fxn.bool_, fxn.i64)), flag: bool, n: int):
    return f(flag, n)


@pytest.mark.parametrize("flag", [False, True])
@pytest.mark.parametrize("n", [5, -(2**40), 2**62])
def test_booleans_and_i64_mixed(flag, n):
    assert with_flag(choose_sign, flag, n) == choose_sign(flag, n)
    assert with_flag(lambda b, k: k * 2 + b, flag, n // 4) == (n // 4) * 2 + flag
    assert with_flag.tracing_count == 1


def test_a_boolean_result_of_mixed_parameters():
    @fxn.compile(dtype=fxn.f64)
    def count_above(p: fxn.FunctionType(fxn.bool_(fxn.f64, fxn.i32)), a: float, b: float, limit: int) -> int:
        return 1 * p(a, limit) + 1 * p(b, limit)

    assert count_above(lambda x, k: x > k, 2.5, 7.5, 3) == 1
    assert count_above(lambda x, k: x < k, 2.5, 7.5, 3) == 1
    assert count_above(lambda x, k: x != k, 2.5, 7.5, 3) == 2
    assert count_above.tracing_count == 1


def test_a_tuple_of_mixed_function_types_and_input_signature():
    def chain(fs, x, n):
        for f in fs:
            x = f(x, n)
        return x

    compiled = fxn.compile(chain, input_signature=[(MIXED, MIXED), fxn.TensorSpec((), fxn.f64),
                                                   fxn.TensorSpec((), fxn.i32)])
    assert compiled((shifted_product, scaled_half), 1.5, 4) == scaled_half(1.5 * 4 - 0.25, 4)
    assert compiled((scaled_half, shifted_product), 1.5, 4) == (1.5 * 4 + 0.5) * 4 - 0.25
    assert compiled.tracing_count == 1


def test_an_unannotated_parameter_infers_a_mixed_signature_from_its_first_call():
    @fxn.compile(dtype=fxn.f64)
    def twice(f, x: float, n: int):
        return f(f(x, n), n)

    assert twice(scaled_half, 1.5, 2) == scaled_half(scaled_half(1.5, 2), 2)
    assert twice(lambda v, k: v - k, 1.5, 2) == 1.5 - 2 - 2
    assert twice.tracing_count == 1
    text = str(twice.concrete_functions[0].lowered.optimized)
    assert text.count("signature = (f64, i32) -> f64} : (tensor<i64>, tensor<f64>, tensor<i32>)") == 2


# ----------------------------------------------------------------------------- ahead of time: the C header

PREDICTORS = """
import fxn

@fxn.compile(dtype=fxn.f64)
def apply(f: fxn.FunctionType(fxn.f64(fxn.f64, fxn.i32)), x: float, n: int) -> float:
    return f(x, n) + 1.0

@fxn.compile(dtype=fxn.f64)
def scale(x: float, n: int) -> float:
    return x * n

@fxn.compile
def pick(f: fxn.FunctionType(fxn.f32(fxn.bool_, fxn.f32)), b: bool, x: float) -> float:
    return f(b, x)
"""

C_DRIVER = r"""
#include <stdio.h>
#include "predictors.h"

static double shifted(double x, int32_t n) { return x * n - 0.25; }
static float signed_by(bool positive, float x) { return positive ? x : -x; }

int main(void) {
    fxn_function_f64_f64_i32 functions[] = {shifted, fxn_scale__value};
    for (int i = 0; i < 2; i++)
        printf("%g\n", fxn_apply__value((int64_t)(intptr_t)functions[i], 1.5, -3));
    fxn_function_f32_i1_f32 sign = signed_by;
    printf("%g %g\n", fxn_pick__value((int64_t)(intptr_t)sign, true, 2.5f),
           fxn_pick__value((int64_t)(intptr_t)sign, false, 2.5f));
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("clang-22") is None, reason="clang-22 builds the artifacts")
def test_the_header_declares_function_types_in_c_and_a_c_program_passes_its_functions(tmp_path):
    (tmp_path / "predictors.py").write_text(PREDICTORS)
    fxn_command = str(Path(sys.executable).parent / "fxn")
    built = subprocess.run([fxn_command, "compile", "predictors.py", "-o", "out"], cwd=tmp_path, capture_output=True,
                           text=True)
    assert built.returncode == 0, built.stderr
    header = (tmp_path / "out" / "predictors.h").read_text()
    assert "typedef double (*fxn_function_f64_f64_i32)(double, int32_t);" in header
    assert "typedef float (*fxn_function_f32_i1_f32)(bool, float);" in header
    assert "double fxn_apply__value(int64_t f, double x, int32_t n);" in header
    assert "apply(f: function<f64(f64, i32)> (fxn_function_f64_f64_i32), x: tensor<f64>" in header
    (tmp_path / "driver.c").write_text(textwrap.dedent(C_DRIVER))
    out = tmp_path / "out"
    compiled = subprocess.run(["clang-22", "-std=c11", "-Wall", "-Werror", "-I", str(out), "driver.c", "-L", str(out),
                               "-lpredictors", f"-Wl,-rpath,{out}", "-o", "driver"], cwd=tmp_path, capture_output=True,
                              text=True)
    assert compiled.returncode == 0, compiled.stderr
    run = subprocess.run([str(tmp_path / "driver")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [f"{1.5 * -3 - 0.25 + 1.0:g}", f"{1.5 * -3 + 1.0:g}", "2.5", "-2.5"]


def test_calls_after_the_first_check_each_argument_as_the_first_does():
    @fxn.compile
    def nested(fs: tuple[F32, tuple[F32, F32]], x: float) -> float:
        return fs[1][1](fs[1][0](fs[0](x)))

    assert nested((foo, (foo2, foo)), 1.0) == 5.0  # the flattened function is found, then kept
    with pytest.raises(TypeError, match=r"parameter 'fs\[1\]' expects a tuple of 2; got a tuple of 1"):
        nested((foo, (foo2,)), 1.0)
    with pytest.raises(TypeError, match=r"argument 'fs\[1\]\[0\]' expects a function of type f32\(f32\); got int"):
        nested((foo, (3, foo)), 1.0)
    assert nested((foo2, (foo, foo2)), 1.0) == 6.0
    assert nested.tracing_count == 1
    assert foo.__fxn_addresses__[fxn.f32(fxn.f32)] == foo.get_concrete_function(1.0).value_address
