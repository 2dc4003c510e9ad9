"""Structures and calls that tests/test_tree.py runs on neuroflow.tree and the fixture script on keras.tree.

Each case is a function of the tree module; its result's repr is compared.
"""
import collections

Point = collections.namedtuple("Point", ["x", "y"])

NESTED = {"b": [1, (2, 3)], "a": None, "c": {"e": 4, "d": Point(5, 6)}}
ORDERED = collections.OrderedDict([("z", 1), ("a", 2)])


def _paths(tree, structure):
    return [(list(path), leaf) for path, leaf in tree.flatten_with_path(structure)]


CASES = {
    "flatten_nested": lambda t: t.flatten(NESTED),
    "flatten_leaf": lambda t: t.flatten(3),
    "flatten_none": lambda t: t.flatten(None),
    "flatten_empty": lambda t: t.flatten([[], {}, ()]),
    "flatten_ordered": lambda t: t.flatten(ORDERED),
    "flatten_set_is_leaf": lambda t: len(t.flatten([{1, 2}])),
    "flatten_string_is_leaf": lambda t: t.flatten(["ab", b"c"]),
    "is_nested_list": lambda t: t.is_nested([1]),
    "is_nested_tuple": lambda t: t.is_nested(()),
    "is_nested_dict": lambda t: t.is_nested({}),
    "is_nested_namedtuple": lambda t: t.is_nested(Point(1, 2)),
    "is_nested_none": lambda t: t.is_nested(None),
    "is_nested_int": lambda t: t.is_nested(1),
    "is_nested_string": lambda t: t.is_nested("ab"),
    "is_nested_set": lambda t: t.is_nested({1}),
    "pack_nested": lambda t: t.pack_sequence_as(NESTED, list(range(7))),
    "pack_dict_order": lambda t: list(t.pack_sequence_as({"b": 0, "a": 0}, [1, 2]).items()),
    "pack_ordered": lambda t: t.pack_sequence_as(ORDERED, [10, 20]),
    "pack_leaf": lambda t: t.pack_sequence_as(0, [5]),
    "pack_wrong_count": lambda t: t.pack_sequence_as([0, 0], [1]),
    "map_nested": lambda t: t.map_structure(lambda v: None if v is None else v * 10, NESTED),
    "map_two": lambda t: t.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]),
    "map_none_is_leaf_false": lambda t: t.map_structure(lambda v: v + 1, [1, None], none_is_leaf=False),
    "map_mismatch": lambda t: t.map_structure(lambda a, b: a, [1, 2], [1, 2, 3]),
    "map_list_vs_tuple": lambda t: t.map_structure(lambda a, b: a, [1, 2], (1, 2)),
    "map_shape": lambda t: t.map_shape_structure(lambda s: tuple(reversed(s)), [(1, 2), {"a": (3, None)}]),
    "map_up_to": lambda t: t.map_structure_up_to([0, 0], lambda a, b: (a, b), [[1, 2], 3], [4, [5, 6]]),
    "assert_same_ok": lambda t: t.assert_same_structure([1, (2, 3)], [4, (5, 6)]),
    "assert_same_bad": lambda t: t.assert_same_structure([1, (2, 3)], [4, 5]),
    "assert_same_types": lambda t: t.assert_same_structure([1, 2], (1, 2)),
    "assert_same_dict_keys": lambda t: t.assert_same_structure({"a": 1}, {"b": 1}),
    "assert_same_paths_ok": lambda t: t.assert_same_paths({"a": [1, 2]}, {"a": (3, 4)}),
    "assert_same_paths_bad": lambda t: t.assert_same_paths({"a": 1}, {"b": 1}),
    "lists_to_tuples": lambda t: t.lists_to_tuples([1, [2, {"a": [3]}], (4, [5])]),
    "flatten_with_path": lambda t: _paths(t, NESTED),
    "flatten_with_path_leaf": lambda t: _paths(t, 7),
    "traverse_top_down": lambda t: t.traverse(lambda v: "X" if isinstance(v, tuple) else None, [1, (2, 3), {"a": (4,)}]),
    "traverse_map_to_none": lambda t: t.traverse(lambda v: t.MAP_TO_NONE if v == 2 else None, [1, 2, [2]]),
    "traverse_bottom_up": lambda t: t.traverse(lambda v: sum(v) if isinstance(v, list) else None, [1, [2, 3]],
                                               top_down=False),
    "traverse_visits": lambda t: _visits(t),
}


def _visits(tree):
    seen = []
    tree.traverse(lambda v: seen.append(repr(v)), [1, (2,), {"a": 3}])
    return seen
