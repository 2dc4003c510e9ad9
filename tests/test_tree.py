"""neuroflow.tree against keras.tree's recorded answers (tests/tree_fixtures) and Keras' documented rules."""
import collections
import json
import os

import numpy as np
import pytest

from neuroflow import tree
from tests.tree_fixtures.tree_cases import CASES, Point

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "tree_fixtures", "keras_tree.json")) as _file:
    KERAS = json.load(_file)


def _answer(run):
    try:
        return repr(run(tree))
    except Exception as error:  # noqa: BLE001 - the exception's kind is the answer compared
        return f"raises {type(error).__name__}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name):
    assert _answer(CASES[name]) == KERAS[name]


def test_every_case_is_recorded():
    assert sorted(CASES) == sorted(KERAS)


def test_arrays_strings_and_sets_are_leaves():
    array = np.ones((2, 3))
    assert tree.flatten([array, "s"])[0] is array
    assert tree.flatten({"a": {1, 2}}) == [{1, 2}]


def test_traverse_top_down_does_not_visit_replaced_children():
    seen = []

    def func(node):
        seen.append(node)
        return "replaced" if isinstance(node, tuple) else None

    assert tree.traverse(func, [(1, 2), 3]) == ["replaced", 3]
    assert (1, 2) in seen and 1 not in seen


def test_pack_keeps_namedtuple_ordered_dict_and_defaultdict():
    packed = tree.pack_sequence_as([Point(0, 0), collections.defaultdict(list, {"b": 0, "a": 0})], [1, 2, 3, 4])
    assert packed[0] == Point(1, 2)
    assert isinstance(packed[1], collections.defaultdict) and packed[1].default_factory is list
    assert packed[1] == {"a": 3, "b": 4} and list(packed[1]) == ["b", "a"]


def test_map_structure_up_to_mismatch_raises():
    with pytest.raises(ValueError, match="shallow_structure"):
        tree.map_structure_up_to([0, 0], lambda a: a, [1])


def test_pack_sequence_as_needs_a_sequence():
    with pytest.raises(TypeError, match="flat_sequence"):
        tree.pack_sequence_as([0], 5)
    with pytest.raises(ValueError, match="2 leaves"):
        tree.pack_sequence_as([0, 0], [1, 2, 3])


def test_map_structure_needs_a_structure():
    with pytest.raises(ValueError, match="at least one"):
        tree.map_structure(lambda x: x)
