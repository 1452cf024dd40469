"""fxn.structure: nested arguments as array leaves and a hashable structure, and back."""

import collections
import dataclasses

import numpy as np

import pytest

from fxn.structure import LEAF, flatten, holds_arrays, leaves_of, unflatten


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
    assert structure.paths("p") == ["p['layers'][0].weight", "p['layers'][1].weight", "p['pair'].left",
                                    "p['pair'].right[0]"]
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


def test_leaves_of_takes_a_value_apart_as_a_declared_structure_says():
    a, b, c = np.zeros(2), np.ones(3), np.full(1, 2.0)
    _, declared = flatten({"pair": Pair(a, [b, c]), "layer": Layer(a, relu=np.bool_(True))})
    value = {"layer": Layer(c, relu=False), "pair": Pair(b, (a, 3.0))}  # a tuple for the list; numbers at leaves
    assert leaves_of(declared, value, "p") == [c, False, b, a, 3.0]  # dict keys sorted, fields in order


@pytest.mark.parametrize("value, message", [
    ({"pair": Pair(1, [2, 3])}, r"parameter 'p' expects a dict of the keys 'layer', 'pair'; got a dict of 1"),
    ({"pair": (1, [2, 3]), "layer": Layer(1)}, r"parameter 'p\['pair'\]' expects a Pair; got a tuple of 2"),
    ({"pair": Pair(1, [2]), "layer": Layer(1)}, r"parameter 'p\['pair'\].right' expects a list of 2; got a list of 1"),
    ({"pair": Pair(1, [2, 3]), "layer": {"weight": 1}}, r"parameter 'p\['layer'\]' expects a Layer; got a dict of 1"),
])
def test_leaves_of_names_the_path_where_a_value_differs(value, message):
    leaf = np.zeros(1)
    _, declared = flatten({"pair": Pair(leaf, [leaf, leaf]), "layer": Layer(leaf, relu=np.bool_(True))})
    with pytest.raises(TypeError, match=message):
        leaves_of(declared, value, "p")
