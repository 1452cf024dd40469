"""tf.function's tracing rules: what keys a trace, the most specific concrete function, and the tracing API."""

import logging
import warnings

import numpy as np
import pytest

import fxn


def _f32(*shape) -> np.ndarray:
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)


# ----------------------------------------------------------------------------- what keys a trace


def test_tensors_key_on_dtype_and_shape():
    @fxn.compile
    def double(x):
        return x * 2

    double(_f32(3))
    double(_f32(3) + 1)
    assert double.tracing_count == 1
    double(_f32(4))
    double(np.arange(3, dtype=np.float64))
    assert double.tracing_count == 3
    assert [str(c.arg_types[0]) for c in double.concrete_functions] == [
        "tensor<3xf32>", "tensor<4xf32>", "tensor<3xf64>"]


def test_python_scalars_strings_and_none_key_on_their_value():
    @fxn.compile
    def scale(x, factor, mode, offset):
        y = x * factor
        if mode == "shift" and offset is not None:
            y = y + offset
        return y

    x = _f32(4)
    np.testing.assert_array_equal(scale(x, 2.0, "shift", None), x * 2)
    np.testing.assert_array_equal(scale(x, 2.0, "shift", None), x * 2)
    assert scale.tracing_count == 1
    np.testing.assert_array_equal(scale(x, 3.0, "shift", 1.0), x * 3 + 1)
    np.testing.assert_array_equal(scale(x, 3.0, "keep", 1.0), x * 3)
    np.testing.assert_array_equal(scale(x, 3, "keep", 1.0), x * 3)  # an int is not the float 3.0
    assert scale.tracing_count == 4


def test_annotated_scalars_are_run_time_values():
    @fxn.compile
    def fma(x: float, y: float, z: float) -> float:
        return x * y + z

    assert fma(3.0, -1.0, 2.0) == -1.0
    assert fma(2.0, 2.0, 2.0) == 6.0
    assert fma.tracing_count == 1


# ----------------------------------------------------------------------------- dispatch and the API


def test_get_concrete_function_from_specs_and_from_arguments():
    @fxn.compile
    def add(x, y):
        return x + y

    general = add.get_concrete_function(fxn.TensorSpec([None], fxn.f32), fxn.TensorSpec([None], fxn.f32))
    assert add.tracing_count == 1 and [str(t) for t in general.arg_types] == ["tensor<?xf32>"] * 2
    np.testing.assert_array_equal(general(_f32(5), _f32(5)), _f32(5) * 2)
    # Calls of any length dispatch to it: the most specific concrete function that fits, no retrace.
    np.testing.assert_array_equal(add(_f32(7), _f32(7)), _f32(7) * 2)
    assert add.tracing_count == 1
    assert add.get_concrete_function(_f32(2), _f32(2)) is general  # what a call with them runs
    exact = add.get_concrete_function(fxn.TensorSpec([2]), _f32(2))
    assert add.tracing_count == 2 and [str(t) for t in exact.arg_types] == ["tensor<2xf32>"] * 2
    assert add.get_concrete_function(_f32(2), _f32(2)) is exact  # now the most specific
    assert add.concrete_functions == [general, exact]


def test_input_signature_fixes_the_signature_and_refuses_others():
    @fxn.compile(input_signature=[fxn.TensorSpec([None, 3], fxn.f32), fxn.TensorSpec([], fxn.f32)])
    def affine(x, s):
        return x * s + 1.0

    np.testing.assert_array_equal(affine(_f32(2, 3), 2.0), _f32(2, 3) * 2 + 1)
    np.testing.assert_array_equal(affine(_f32(5, 3), np.float32(1.0)), _f32(5, 3) + 1)
    assert affine.tracing_count == 1
    with pytest.raises(TypeError, match=r"parameter 'x' expects tensor<\?x3xf32>; got tensor<2x4xf32>"):
        affine(_f32(2, 4), 2.0)
    with pytest.raises(TypeError, match=r"parameter 'x' expects tensor<\?x3xf32>; got tensor<2x3xf64>"):
        affine(np.ones((2, 3)), 2.0)
    assert affine.tracing_count == 1


def test_input_signature_must_name_each_parameter():
    with pytest.raises(TypeError, match=r"input_signature has 1 spec for 2 parameters \(x, y\)"):
        fxn.compile(lambda x, y: x + y, input_signature=[fxn.TensorSpec([3])])
    with pytest.raises(TypeError, match=r"input_signature takes fxn.TensorSpec\(shape, dtype\) entries; got int"):
        fxn.compile(lambda x: x, input_signature=[3])


def test_tensor_spec_takes_a_shape_and_an_element_type():
    spec = fxn.TensorSpec((None, 3, "W"), fxn.f64)
    assert str(spec.tensor_type) == "tensor<?x3x?xf64>"
    assert fxn.TensorSpec([2]).dtype == fxn.f32
    with pytest.raises(TypeError, match="fxn.TensorSpec dims are non-negative ints, None or names; got -1"):
        fxn.TensorSpec([-1])


def test_reduce_retracing_makes_a_dim_seen_with_two_sizes_dynamic():
    @fxn.compile(reduce_retracing=True)
    def norm(x):
        return x * x

    for rows in (2, 3, 4, 9):
        np.testing.assert_array_equal(norm(_f32(rows, 5)), _f32(rows, 5) ** 2)
    assert norm.tracing_count == 2
    assert [str(c.arg_types[0]) for c in norm.concrete_functions] == ["tensor<2x5xf32>", "tensor<?x5xf32>"]
    # The first, more specific, concrete function still serves its own shape.
    norm(_f32(2, 5))
    assert norm.tracing_count == 2
    norm(_f32(3, 6))
    assert [str(c.arg_types[0]) for c in norm.concrete_functions][-1] == "tensor<?x?xf32>"


def test_each_retrace_logs_the_argument_that_changed(caplog):
    @fxn.compile
    def shift(x, by):
        return x + by

    with caplog.at_level(logging.DEBUG, logger="fxn"):
        shift(_f32(3), 1.0)
        shift(_f32(3), 2.0)
        shift(_f32(4), 2.0)
    lines = [r.getMessage() for r in caplog.records if r.name == "fxn"]
    assert len(lines) == 2
    assert "retracing shift" in lines[0] and "argument 'by' changed from float 1.0 to float 2.0" in lines[0]
    assert "argument 'x' changed from tensor<3xf32> to tensor<4xf32>" in lines[1]


def test_the_third_retrace_warns_once():
    @fxn.compile
    def offset(x, by):
        return x + by

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for by in (1.0, 2.0, 3.0):
            offset(_f32(2), by)
        assert not [w for w in caught if "retraced" in str(w.message)]
        offset(_f32(2), 4.0)
        offset(_f32(2), 5.0)
    retraces = [str(w.message) for w in caught if "retraced" in str(w.message)]
    assert len(retraces) == 1
    assert "offset has been retraced 3 times" in retraces[0] and "argument 'by'" in retraces[0]


# ----------------------------------------------------------------------------- *args and **kwargs


def test_star_args_key_each_position():
    @fxn.compile
    def total(*ts):
        out = ts[0]
        for t in ts[1:]:
            out = out + t
        return out

    a = _f32(3)
    np.testing.assert_array_equal(total(a, a, a), a * 3)
    np.testing.assert_array_equal(total(a + 1, a, a), a * 3 + 1)
    assert total.tracing_count == 1
    np.testing.assert_array_equal(total(a, a), a * 2)
    np.testing.assert_array_equal(total(a, 2.0), a + 2)  # a Python float keys on its value, as a named one does
    np.testing.assert_array_equal(total(a, 2.0), a + 2)
    assert total.tracing_count == 3


def test_keyword_arguments_key_each_keyword_in_any_order():
    @fxn.compile
    def mix(x, *rest, scale=2.0, **named):
        y = x * scale
        for r in rest:
            y = y + r
        for key in sorted(named):
            y = y - named[key]
        return y

    a = _f32(3)
    np.testing.assert_array_equal(mix(a, a, b=a, c=a), a)
    np.testing.assert_array_equal(mix(a, a, c=a, b=a), a)
    assert mix.tracing_count == 1
    np.testing.assert_array_equal(mix(a, scale=3.0, b=a), a * 2)
    assert mix.tracing_count == 2
    with pytest.raises(TypeError, match=r"mix\(\): missing a required argument: 'x'"):
        mix(b=a)


def test_an_annotated_star_parameter_declares_each_position():
    import torch

    @fxn.compile
    def stacked_sum(*ts: fxn.Tensor[fxn.f32, "N"]):
        return torch.stack(ts).sum(0)

    np.testing.assert_array_equal(stacked_sum(_f32(3), _f32(3)), _f32(3) * 2)
    np.testing.assert_array_equal(stacked_sum(_f32(5), _f32(5)), _f32(5) * 2)
    assert stacked_sum.tracing_count == 1
    with pytest.raises(TypeError, match=r"parameter 'ts\[1\]' expects tensor<\?xf32>; got tensor<3xf64>"):
        stacked_sum(_f32(3), np.ones(3))


def test_star_args_with_specs_and_ahead_of_time():
    @fxn.compile
    def product(*ts):
        return ts[0] * ts[1]

    concrete = product.get_concrete_function(fxn.TensorSpec([None]), fxn.TensorSpec([None]))
    np.testing.assert_array_equal(concrete(_f32(4), _f32(4)), _f32(4) ** 2)
    np.testing.assert_array_equal(product(_f32(6), _f32(6)), _f32(6) ** 2)
    assert product.tracing_count == 1
    with pytest.raises(TypeError, match=r"product takes \*args or \*\*kwargs; ahead-of-time compilation needs named"):
        product.declared_types()
    with pytest.raises(TypeError, match=r"input_signature takes a function of named parameters, not \*args"):
        fxn.compile(lambda *ts: ts[0], input_signature=[fxn.TensorSpec([2])])


def test_ops_of_a_function_of_flattened_arguments_are_located_at_the_users_lines():
    @fxn.compile
    def add(*xs):
        first = xs[0]

        return first * 2 + xs[1]

    concrete = add.get_concrete_function(fxn.TensorSpec([None]), fxn.TensorSpec([None]))
    line = add.fn.__code__.co_firstlineno + 4  # the return, not the line of the generated function's call
    (statement,) = concrete.lowered.dim_assumptions.statements()
    assert statement.startswith(f"xs_0.shape[0] == xs_1.shape[0] (fxn.add at {__file__}:{line}:")


# ----------------------------------------------------------------------------- containers


def test_lists_and_tuples_of_arrays_key_on_length_and_elements():
    @fxn.compile
    def first_plus_last(xs):
        return xs[0] + xs[-1]

    a, b = _f32(3), _f32(2, 3)  # different shapes: no longer stacked into one array
    np.testing.assert_array_equal(first_plus_last([a, b]), a + b)
    np.testing.assert_array_equal(first_plus_last([a + 1, b]), a + 1 + b)
    assert first_plus_last.tracing_count == 1
    np.testing.assert_array_equal(first_plus_last((a, b)), a + b)  # a tuple is not a list
    np.testing.assert_array_equal(first_plus_last([a, a, b]), a + b)
    np.testing.assert_array_equal(first_plus_last([a, _f32(3, 3)]), a + _f32(3, 3))
    assert first_plus_last.tracing_count == 4


def test_dicts_key_on_their_keys_in_any_order_and_their_values():
    @fxn.compile
    def affine(params, x):
        return x * params["w"] + params["b"] * params["scale"]

    x, w, b = _f32(4), _f32(4) + 1, _f32(4) - 1
    np.testing.assert_array_equal(affine({"w": w, "b": b, "scale": 2.0}, x), x * w + b * 2)
    np.testing.assert_array_equal(affine({"scale": 2.0, "b": b, "w": w}, x), x * w + b * 2)
    assert affine.tracing_count == 1
    np.testing.assert_array_equal(affine({"w": w, "b": b, "scale": 3.0}, x), x * w + b * 3)  # a Python value
    assert affine.tracing_count == 2


def test_dataclasses_and_named_tuples_key_by_field():
    import collections
    import dataclasses

    @dataclasses.dataclass
    class Layer:
        weight: np.ndarray
        bias: np.ndarray
        relu: bool = True

    Pair = collections.namedtuple("Pair", "left right")

    @fxn.compile
    def forward(layer, pair):
        y = pair.left @ layer.weight + layer.bias + pair.right
        return np.maximum(y, 0) if layer.relu else y

    w, bias, x = _f32(3, 2) - 2, _f32(2) - 3, _f32(1, 3)
    pair = Pair(x, np.ones((1, 2), np.float32))
    expected = x @ w + bias + 1
    np.testing.assert_allclose(forward(Layer(w, bias), pair), np.maximum(expected, 0))
    np.testing.assert_allclose(forward(Layer(w, bias, relu=False), pair), expected)
    np.testing.assert_allclose(forward(Layer(w * 2, bias, relu=False), pair), x @ (w * 2) + bias + 1)
    assert forward.tracing_count == 2


def test_nested_containers_with_star_args_and_a_declared_parameter():
    @fxn.compile
    def combine(scale: float, *groups):
        total = 0.0
        for group in groups:
            for key in group:
                total = total + group[key][0] * group[key][1]
        return total * scale

    a, b = _f32(2), _f32(2) + 1
    result = combine(2.0, {"p": [a, b]}, {"q": (b, b)})
    np.testing.assert_allclose(result, (a * b + b * b) * 2)
    np.testing.assert_allclose(combine(3.0, {"p": [b, b]}, {"q": (a, a)}), (b * b + a * a) * 3)
    assert combine.tracing_count == 1


def test_containers_in_functions_with_run_time_loops():
    @fxn.compile
    def weighted(pair: tuple[float, float], n: int) -> float:
        total = 0.0
        for _ in range(n):
            for x in pair:
                total = total * 0.5 + x
        return total

    @fxn.compile
    def accumulate(*ts, config, n: int = 2):
        r = ts[0] * 0
        i = 0
        while i < n:
            for t in ts:
                r = r + t * config["scale"]
            i += 1
        return r

    assert weighted((1.0, 2.0), 3) == weighted.fn((1.0, 2.0), 3) == 3.28125
    assert weighted((2.0, 0.0), 1) == 1.0
    assert weighted.tracing_count == 1
    a, b = _f32(3), _f32(3) + 1
    np.testing.assert_array_equal(accumulate(a, b, config={"scale": np.float32(2)}, n=3), (a + b) * 6)
    np.testing.assert_array_equal(accumulate(b, a, config={"scale": np.float32(1)}, n=0), a * 0)
    assert accumulate.tracing_count == 1


def test_declared_containers_are_one_signature_of_one_parameter_per_leaf():
    import dataclasses
    import typing

    class Pair(typing.NamedTuple):
        left: fxn.Tensor[fxn.f32, "N"]
        right: fxn.Tensor[fxn.f32, "N"]

    @dataclasses.dataclass
    class Mix:
        weights: tuple[fxn.Tensor[fxn.f32, "N"], float]
        on: bool

    @fxn.compile
    def blend(pair: Pair, mix: Mix):
        return pair.left * mix.weights[0] + pair.right * mix.weights[1] * mix.on

    x, y = _f32(3), _f32(3) + 1
    np.testing.assert_array_equal(blend(Pair(x, y), Mix((y, 2.0), True)), x * y + y * 2)
    np.testing.assert_array_equal(blend(Pair(y, y), Mix((x, 3.0), False)), y * x)  # bool and float: run-time values
    np.testing.assert_array_equal(blend(Pair(_f32(5), _f32(5)), Mix([_f32(5), 1.0], True)), _f32(5) ** 2 + _f32(5))
    assert blend.tracing_count == 1 and blend.fully_annotated
    assert [str(t) for t in blend.declared_types()] == ["tensor<?xf32>"] * 3 + ["tensor<f32>", "tensor<i1>"]
    assert [p.name for p in blend.declared_function()[0].parameters] == [
        "pair_left", "pair_right", "mix_weights_0", "mix_weights_1", "mix_on"]
    with pytest.raises(TypeError, match=r"parameter 'pair' expects a Pair; got a tuple of 2"):
        blend((x, y), Mix((y, 2.0), True))
    with pytest.raises(TypeError, match=r"parameter 'mix.weights' expects a tuple of 2; got a tuple of 1"):
        blend(Pair(x, y), Mix((y,), True))
    with pytest.raises(TypeError, match=r"parameter 'pair.right' expects tensor<\?xf32>; got tensor<3xf64>"):
        blend(Pair(x, np.ones(3)), Mix((y, 2.0), True))
    assert blend.tracing_count == 1


def test_input_signature_declares_containers_of_specs():
    spec = fxn.TensorSpec([None])
    mix = fxn.compile(lambda pair, cfg: pair[0] * cfg["a"] + pair[1] - cfg["b"],
                      input_signature=[(spec, spec), {"b": spec, "a": spec}])
    x, y = _f32(3), _f32(3) + 1
    np.testing.assert_array_equal(mix([x, y], {"a": y, "b": x}), x * y + y - x)
    np.testing.assert_array_equal(mix((_f32(2), _f32(2)), {"b": _f32(2), "a": _f32(2)}), _f32(2) ** 2)
    assert mix.tracing_count == 1
    assert mix.get_concrete_function((spec, spec), {"a": spec, "b": spec}) is mix.concrete_functions[0]
    assert [p.name for p in mix.declared_function()[0].parameters] == ["pair_0", "pair_1", "cfg_a", "cfg_b"]
    with pytest.raises(TypeError, match=r"parameter 'cfg' expects a dict of the keys 'a', 'b'; got a dict of 1"):
        mix((x, y), {"a": y})
    with pytest.raises(TypeError, match=r"input_signature takes fxn.TensorSpec\(shape, dtype\) entries; got str at "
                                        r"cfg\['a'\]"):
        fxn.compile(lambda cfg: cfg["a"], input_signature=[{"a": "f32"}])


def test_other_objects_key_on_their_identity():
    class Config:
        def __init__(self, scale):
            self.scale = scale

    @fxn.compile
    def scaled(x, config):
        return x * config.scale

    x, first, second = _f32(3), Config(2.0), Config(2.0)
    np.testing.assert_array_equal(scaled(x, first), x * 2)
    first.scale = 5.0  # read when traced: a constant of the code (why keying on objects is discouraged)
    np.testing.assert_array_equal(scaled(x, first), x * 2)
    assert scaled.tracing_count == 1
    np.testing.assert_array_equal(scaled(x, second), x * 2)
    assert scaled.tracing_count == 2
    (key, (references, _)), = [item for item in scaled._by_values.items() if item[0][0][1][2] == id(first)]
    del first
    import gc

    gc.collect()
    assert references[0]() is None  # the trace of a dead object is never taken for a new one with its id


# ----------------------------------------------------------------------------- containers as results


def test_results_keep_their_structure():
    import collections

    Stats = collections.namedtuple("Stats", "low high")

    @fxn.compile
    def summary(x):
        return {"scaled": [x * 2, x * 3], "stats": Stats(x.min(), x.max()), "shifted": (x + 1,)}

    x = _f32(4)
    result = summary(x)
    assert list(result) == ["scaled", "stats", "shifted"]  # the function's key order
    assert type(result["scaled"]) is list and type(result["stats"]) is Stats and type(result["shifted"]) is tuple
    np.testing.assert_array_equal(result["scaled"][1], x * 3)
    assert float(result["stats"].high) == 3.0
    np.testing.assert_array_equal(result["shifted"][0], x + 1)


def test_a_returned_list_stays_a_list_and_a_tuple_a_tuple():
    @fxn.compile
    def pair(x):
        return [x, x + 1]

    @fxn.compile
    def same(x):
        return x, x + 1

    x = _f32(3)
    assert type(pair(x)) is list and type(same(x)) is tuple
    np.testing.assert_array_equal(pair(x)[1], x + 1)


def test_numpy_code_returns_dicts_too():
    @fxn.compile
    def moments(x):
        return {"mean": np.mean(x), "sum": np.sum(x)}

    x = np.arange(4.0)
    result = moments(x)
    assert list(result) == ["mean", "sum"] and float(result["sum"]) == 6.0


def test_out_takes_one_array_per_result_of_a_structured_result():
    @fxn.compile
    def both(x):
        return {"double": x * 2, "square": x * x}

    x, outs = _f32(3), (np.empty(3, np.float32), np.empty(3, np.float32))
    assert both(x, out=outs) is outs  # one array per result, in the order the function returns them
    np.testing.assert_array_equal(outs[0], x * 2)
    np.testing.assert_array_equal(outs[1], x * x)
