"""Python control flow on run-time values: ``if``/``elif``/``else``, ternaries, ``and``/``or``/``not``,
chained comparisons, ``while`` and early returns, emitted as ``scf.if``/``scf.while``, compared with CPython."""

import ast
import inspect
import textwrap

import numpy as np
import pytest

import fxn
from fxn.frontend.desugar import hoist_conditionals, single_return
from fxn.frontend.errors import UnsupportedOperation
from frontend_harness import traced, line_of


def unparse(source: str, rewrite) -> str:
    function = ast.parse(textwrap.dedent(source)).body[0]
    function.body = rewrite(function.body)
    return ast.unparse(function)


# ----------------------------------------------------------------------------- the AST rewrites


def test_conditional_expressions_become_if_statements_that_short_circuit():
    text = unparse("""
        def f(a, b, c):
            return a if b else c and not a
    """, hoist_conditionals)
    assert text == textwrap.dedent("""\
        def f(a, b, c):
            if b:
                fxn_cond_0 = a
            else:
                fxn_cond_1 = c
                if fxn_cond_1:
                    if a:
                        fxn_cond_2 = False
                    else:
                        fxn_cond_2 = True
                    fxn_cond_1 = fxn_cond_2
                fxn_cond_0 = fxn_cond_1
            return fxn_cond_0""")


def test_a_chained_comparison_evaluates_each_operand_once_and_stops_at_the_first_false():
    text = unparse("""
        def f(a, b, c):
            return a < b() <= c
    """, hoist_conditionals)
    assert text == textwrap.dedent("""\
        def f(a, b, c):
            fxn_cond_1 = a
            fxn_cond_2 = b()
            fxn_cond_0 = fxn_cond_1 < fxn_cond_2
            if fxn_cond_0:
                fxn_cond_3 = c
                fxn_cond_0 = fxn_cond_2 <= fxn_cond_3
            return fxn_cond_0""")


def test_a_while_test_keeps_its_statements_on_the_loop():
    function = ast.parse("def f(i, n):\n    while i < n and n > 0:\n        i = i + 1\n").body[0]
    (loop,) = hoist_conditionals(function.body)
    assert ast.unparse(loop.test) == "fxn_cond_0"
    assert [ast.unparse(s) for s in loop.fxn_test_statements] == [
        "fxn_cond_0 = i < n", "if fxn_cond_0:\n    fxn_cond_0 = n > 0"]


def test_returns_in_branches_become_one_return():
    text = unparse("""
        def f(x, c):
            if c:
                return x
            y = x + 1
            if y:
                y = 2
            else:
                return 3
            return y
    """, single_return)
    assert text == textwrap.dedent("""\
        def f(x, c):
            if c:
                fxn_result = x
            else:
                y = x + 1
                if y:
                    y = 2
                    fxn_result = y
                else:
                    fxn_result = 3
            return fxn_result""")


# ----------------------------------------------------------------------------- if / else


@fxn.compile
def sign_scaled(x: fxn.Tensor[fxn.f32, 4]):
    if x.sum() > 0:
        y = x * 2
    else:
        y = -x
    return y


@pytest.mark.parametrize("values", [[1, 2, 3, 4], [-1, -2, 3, -4], [0, 0, 0, 0]])
def test_if_else_on_a_reduction(values):
    x = np.array(values, np.float32)
    np.testing.assert_array_equal(sign_scaled(x), sign_scaled.__wrapped__(x))


def test_an_if_on_a_run_time_value_is_scf_if_at_the_users_line():
    result = traced(sign_scaled.__wrapped__, np.ones(4, np.float32))
    assert result.capture == "ast"
    text = result.module.operation.get_asm(enable_debug_info=True)
    assert text.count("scf.if") == 1 and "-> (tensor<4xf32>)" in text
    assert f'loc("{__file__}":{line_of(sign_scaled.__wrapped__, "if x.sum() > 0")}:5)' in text


@fxn.compile
def piecewise(t: float) -> float:
    if t < -1.0:
        return -1.0
    elif t < 1.0:
        r = t * t * t
    else:
        r = 1
    return r


@pytest.mark.parametrize("t", [-3.0, -1.0, -0.5, 0.0, 0.75, 1.0, 2.5])
def test_elif_chains_early_returns_and_branches_of_different_types(t):
    assert piecewise(t) == pytest.approx(piecewise.__wrapped__(t), rel=1e-6)


@fxn.compile
def ternary(x: fxn.Tensor[fxn.f32, "N"], t: float):
    return x if t > 0 else -x


def test_a_ternary_on_a_run_time_scalar():
    x = np.arange(5, dtype=np.float32)
    np.testing.assert_array_equal(ternary(x, 1.0), x)
    np.testing.assert_array_equal(ternary(x, -1.0), -x)


@fxn.compile
def in_band(a: float, lo: float, hi: float) -> bool:
    return lo <= a < hi and not a == 0.0 or a > 100.0


@pytest.mark.parametrize("a", [-1.0, 0.0, 0.5, 1.0, 2.0, 150.0])
def test_and_or_not_and_chained_comparisons(a):
    assert in_band(a, -0.5, 1.0) == in_band.__wrapped__(a, -0.5, 1.0)


@fxn.compile
def clipped_growth(r: float, n: int) -> float:
    acc = 1.0
    for i in range(n):
        acc = acc * r
        if acc > 10.0:
            acc = acc - 10.0
    return acc


@pytest.mark.parametrize("n", [0, 1, 5, 40])
def test_an_if_inside_a_run_time_loop(n):
    r = np.float32(1.7)
    assert clipped_growth(1.7, n) == clipped_growth.__wrapped__(r, n)  # in f32, as the compiled code computes


@fxn.compile
def thresholds(x: float) -> float:
    r = 0.0
    for v in (1.0, 2.0, 3.0):
        if x > v:
            r += v
    return r


@fxn.compile
def large_parts(xs, y):
    total = y * 0
    for i, x in enumerate(xs):
        if x.sum() > 2:
            total = total + x * i
    return total


@pytest.mark.parametrize("x", [0.5, 1.5, 2.5, 3.5])
def test_a_branch_inside_a_for_over_a_tuple_unrolls_it(x):
    assert thresholds(x) == thresholds.__wrapped__(x)


def test_a_branch_inside_a_for_over_a_list_of_arrays():
    xs, y = [np.full(3, v, np.float32) for v in (0.5, 1.0, 2.0)], np.ones(3, np.float32)
    np.testing.assert_array_equal(large_parts(xs, y), large_parts.__wrapped__(xs, y))
    xs[0][:] = 5.0
    np.testing.assert_array_equal(large_parts(xs, y), large_parts.__wrapped__(xs, y))
    assert large_parts.tracing_count == 1


# ----------------------------------------------------------------------------- while


@fxn.compile
def gcd_steps(a: int, b: int) -> tuple:
    steps = 0
    while a != b:
        if a > b:
            a = a - b
        else:
            b = b - a
        steps += 1
    return a, steps


@pytest.mark.parametrize("a, b", [(1, 1), (12, 18), (35, 64), (1071, 462), (7, 1)])
def test_a_while_loop_with_a_branch_and_two_carried_values(a, b):
    assert tuple(gcd_steps(a, b)) == gcd_steps.__wrapped__(a, b)


@fxn.compile
def bisect_sqrt(a: float) -> float:
    lo, hi = 0.0, a + 1.0
    while hi - lo > 1e-5:
        mid = (lo + hi) / 2
        if mid * mid > a:
            hi = mid
        else:
            lo = mid
    return lo


@pytest.mark.parametrize("a", [0.25, 2.0, 10.0, 1000.0])
def test_a_bisection_root_finder(a):
    assert bisect_sqrt(a) == pytest.approx(np.sqrt(a), abs=2e-4)
    text = traced(bisect_sqrt.__wrapped__, 2.0).module.operation.get_asm()
    assert text.count("scf.while") == 1 and text.count("scf.if") == 1


# ----------------------------------------------------------------------------- errors


def one_branch_only(x: fxn.Tensor[fxn.f32, 4]):
    if x.sum() > 0:
        y = x * 2
    return y


def array_condition(x: fxn.Tensor[fxn.f32, 4]):
    if x > 0:
        return x
    return -x


@pytest.mark.parametrize("fn, line, message", [
    (one_branch_only, "if x.sum() > 0", "the 'if': 'y' is assigned on one of its branches only and used after it"),
    (array_condition, "if x > 0", "a condition that is a tensor<4xi1> (the truth value of an array with more than "
                                  "one element is ambiguous: use .any() or .all())"),
])
def test_control_flow_errors_name_the_users_line(fn, line, message):
    with pytest.raises(UnsupportedOperation) as error:
        fxn.compile(fn)(np.ones(4, np.float32))
    assert str(error.value).startswith(f"{__file__}:{line_of(fn, line)}: fxn cannot compile ")
    assert message in str(error.value)


# ----------------------------------------------------------------------------- break, continue, return in loops


@fxn.compile
def doublings_past(t: float, n: int) -> int:
    acc = 1.0
    for i in range(n):
        acc = acc * 2
        if acc > t:
            return i
    return -1


@pytest.mark.parametrize("t, n", [(0.5, 10), (5.0, 10), (1000.0, 10), (5.0, 0)])
def test_a_return_inside_a_loop(t, n):
    assert doublings_past(t, n) == doublings_past.__wrapped__(t, n)


@fxn.compile
def count_down(n: int, step: int) -> int:
    total = 0
    for i in range(n, 0, step):
        total = total + i
    return total


@pytest.mark.parametrize("n, step", [(9, -2), (9, -1), (0, -1), (5, -7), (5, 2), (5, 0)])
def test_range_with_a_run_time_or_negative_step(n, step):
    expected = 0 if step == 0 else count_down.__wrapped__(n, step)  # Python refuses a step of 0; fxn runs no iteration
    assert count_down(n, step) == expected


@fxn.compile
def first_square_above(n: int, step: int, limit: int) -> int:
    found = -1  # fxn needs a value before the loop: it cannot prove the for-else assigns one on every path
    for k in range(0, n, step):
        if k * k > limit:
            found = k
            break
    else:
        found = -2
    return found


@pytest.mark.parametrize("n, step, limit", [(20, 3, 50), (5, 1, 50), (20, -1, 50), (100, 7, 0)])
def test_break_and_for_else(n, step, limit):
    assert first_square_above(n, step, limit) == first_square_above.__wrapped__(n, step, limit)


@fxn.compile
def sum_skipping(n: int, skip: int) -> int:
    total = 0
    i = 0
    while i < n:
        i += 1
        if i == skip:
            continue
        total += i
    return total


@pytest.mark.parametrize("n, skip", [(0, 1), (5, 3), (5, 9), (10, 1)])
def test_continue_in_a_while_loop(n, skip):
    assert sum_skipping(n, skip) == sum_skipping.__wrapped__(n, skip)


@fxn.compile
def last_index(n: int) -> int:
    i = -5
    for i in range(n):
        pass
    return i


@pytest.mark.parametrize("n", [0, 1, 4])
def test_the_loop_variable_after_its_loop_has_pythons_value(n):
    assert last_index(n) == last_index.__wrapped__(n)


@fxn.compile
def nested_break(n: int) -> int:
    pairs = 0
    for a in range(n):
        for b in range(n):
            if b > a:
                break
            pairs += 1
    return pairs


@pytest.mark.parametrize("n", [0, 1, 4, 7])
def test_a_break_leaves_only_the_inner_loop(n):
    assert nested_break(n) == nested_break.__wrapped__(n)


@fxn.compile
def collatz_steps(n: int) -> int:
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@pytest.mark.parametrize("n", [1, 2, 3, 7, 27, 97])
def test_collatz_lengths(n):
    assert collatz_steps(n) == collatz_steps.__wrapped__(n)


@fxn.compile
def even_index_sum(x: float, n: int) -> float:
    total = 0.0
    for i in range(n):
        if i % 2 == 0:
            total = total + x
    return total


@pytest.mark.parametrize("n", [0, 1, 6, 7])
def test_a_branch_on_the_loop_index(n):
    assert even_index_sum(1.5, n) == even_index_sum.__wrapped__(1.5, n)
