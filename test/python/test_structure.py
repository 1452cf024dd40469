"""fxn.structure: nested arguments as array leaves and a hashable structure, and back."""

import collections
import dataclasses

import numpy as np

from fxn.structure import LEAF, flatten, holds_arrays, unflatten


@dataclasses.dataclass
class Layer:
    weight: np.ndarray
    relu: bool = True


Pair = collections.namedtuple("Pair", "left right")


def test_flatten_and_unflatten_round_trip_every_container():
    a, b, c = np.zeros(2), np.ones(3), np.full(1, 2.0)
    value = {"layers": [Layer(a), Layer(b, relu=False)], "pair": Pair(c, (a, 3)), "name": "net"}
    leaves, structure = flatten(value)
    assert [x is y for x, y in zip(leaves, [a, b, c, a])] == [True] * 4
    assert structure.leaves == 4
    assert structure.paths("p") == ["p['layers'][0].weight", "p['layers'][1].weight", "p['pair'][0]",
                                    "p['pair'][1][0]"]
    rebuilt = unflatten(structure, leaves)
    assert rebuilt["name"] == "net" and rebuilt["pair"].right[1] == 3 and rebuilt["layers"][1].relu is False
    assert type(rebuilt["pair"]) is Pair and type(rebuilt["layers"]) is list and rebuilt["layers"][0].weight is a


def test_structures_are_equal_for_equal_keys_and_constants():
    a = np.zeros(2)
    assert flatten({"a": a, "b": 1.0})[1] == flatten({"b": 1.0, "a": a})[1]  # dict order does not matter
    assert flatten([a, float("nan")])[1] == flatten([a, float("nan")])[1]  # NaN is one constant
    assert flatten([a, 0.0])[1] != flatten([a, -0.0])[1]
    assert flatten([a, 1])[1] != flatten([a, 1.0])[1]
    assert flatten([a])[1] != flatten((a,))[1]
    assert hash(flatten({"a": [a, None]})[1]) == hash(flatten({"a": [np.ones(2), None]})[1])
    assert flatten(a) == ([a], LEAF)


def test_holds_arrays_looks_inside_every_container():
    assert holds_arrays({"x": [1, (2, np.zeros(1))]})
    assert holds_arrays(Layer(np.zeros(1)))
    assert not holds_arrays({"x": [1, (2, "a")]})
