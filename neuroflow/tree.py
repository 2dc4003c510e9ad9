"""Keras' `keras.tree`: nested structures of lists, tuples, namedtuples, dicts and deques.

The rules are Keras' (its optree implementation): a dict's leaves come in sorted key order (the
insertion order where keys do not sort, and always for an OrderedDict), and a structure rebuilt
from leaves keeps the original dict's key order; None is a leaf unless `none_is_leaf=False`;
strings, sets and arrays are leaves. neuroflow's training path keeps its own lean helper,
neuroflow/utils/nest.py: this module is the public, complete one.
"""
import collections


class MAP_TO_NONE:
    """Returned by a `traverse` function to put None in place of a node (returning None keeps it)."""


def is_nested(structure):
    """Whether `structure` is a list, tuple (namedtuples too), dict or deque, rather than a leaf."""
    return isinstance(structure, (list, tuple, dict, collections.deque))


def _keys(node):
    """The keys of a node's children in flattening order."""
    if isinstance(node, dict):
        if isinstance(node, collections.OrderedDict):
            return list(node)
        try:
            return sorted(node)
        except TypeError:  # keys of mixed types: insertion order
            return list(node)
    return range(len(node))


def _children(node):
    if isinstance(node, dict):
        return [node[key] for key in _keys(node)]
    return list(node)


def _rebuild(node, children):
    """`node`'s kind of container holding `children` (given in flattening order)."""
    if isinstance(node, dict):
        by_key = dict(zip(_keys(node), children))
        pairs = [(key, by_key[key]) for key in node]
        if isinstance(node, collections.defaultdict):
            return collections.defaultdict(node.default_factory, pairs)
        try:
            return type(node)(pairs)
        except TypeError:
            return dict(pairs)
    if isinstance(node, tuple):
        return type(node)(*children) if hasattr(type(node), "_fields") else type(node)(children)
    if isinstance(node, collections.deque):
        return collections.deque(children, maxlen=node.maxlen)
    return type(node)(children) if type(node) is not list else list(children)


def _is_node(structure, none_is_leaf, is_leaf):
    if is_leaf is not None and is_leaf(structure):
        return False
    if structure is None:
        return not none_is_leaf
    return is_nested(structure)


def _flatten(structure, leaves, none_is_leaf=True, is_leaf=None):
    if structure is None and not none_is_leaf:
        return leaves
    if _is_node(structure, none_is_leaf, is_leaf):
        for child in _children(structure):
            _flatten(child, leaves, none_is_leaf, is_leaf)
    else:
        leaves.append(structure)
    return leaves


def flatten(structure):
    """The leaves of `structure`, depth first (a leaf gives a one-item list)."""
    return _flatten(structure, [])


def flatten_with_path(structure):
    """(path, leaf) pairs: the path is the tuple of keys and indices from the root to the leaf."""
    pairs = []

    def visit(node, path):
        if is_nested(node):
            for key in _keys(node):
                visit(node[key], path + (key,))
        else:
            pairs.append((path, node))

    visit(structure, ())
    return pairs


def _kind(node):
    """What two nodes must share to have the same structure: dicts their keys, others their type and length."""
    if isinstance(node, dict):
        return ("dict", tuple(_keys(node)) if isinstance(node, collections.OrderedDict) else frozenset(node))
    return (type(node), len(node))


def _check_same(a, b, none_is_leaf=True, is_leaf=None):
    a_node, b_node = _is_node(a, none_is_leaf, is_leaf), _is_node(b, none_is_leaf, is_leaf)
    if not a_node and not b_node:
        return
    if a_node != b_node or _kind(a) != _kind(b):
        raise ValueError("The two structures don't have the same nested structure.\n"
                         f"First structure: {a!r}\nSecond structure: {b!r}")
    if a is None:  # None as an empty node (none_is_leaf=False)
        return
    for x, y in zip(_children(a), _children(b)):
        _check_same(x, y, none_is_leaf, is_leaf)


def assert_same_structure(a, b, check_types=None):
    """Raises ValueError unless `a` and `b` nest the same way (same container types, lengths, keys).

    `check_types` is Keras' deprecated argument: types are always checked.
    """
    _check_same(a, b)


def assert_same_paths(a, b):
    """Raises ValueError unless `a` and `b` have the same set of leaf paths (container types aside)."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        raise ValueError("`a` and `b` don't have the same paths.\n"
                         f"Paths in `a` missing in `b`:\n{a_paths - b_paths}\n"
                         f"Paths in `b` missing in `a`:\n{b_paths - a_paths}")


def _pack(structure, leaves, none_is_leaf=True, is_leaf=None):
    if structure is None and not none_is_leaf:
        return None
    if _is_node(structure, none_is_leaf, is_leaf):
        return _rebuild(structure, [_pack(child, leaves, none_is_leaf, is_leaf) for child in _children(structure)])
    return next(leaves)


def pack_sequence_as(structure, flat_sequence):
    """`structure` rebuilt with the items of `flat_sequence` (in `flatten`'s order) as its leaves.

    Raises:
        TypeError: when `flat_sequence` is not a sequence.
        ValueError: when it holds a different number of items than `structure` has leaves.
    """
    if not isinstance(flat_sequence, (list, tuple)):
        raise TypeError(f"`flat_sequence` must be a list or tuple. Received: flat_sequence={flat_sequence!r}")
    count = len(flatten(structure))
    if count != len(flat_sequence):
        raise ValueError(f"The structure has {count} leaves but `flat_sequence` has {len(flat_sequence)} items. "
                         f"Received: structure={structure!r}")
    return _pack(structure, iter(flat_sequence))


def _map(func, structures, none_is_leaf=True, is_leaf=None):
    first = structures[0]
    for other in structures[1:]:
        _check_same(first, other, none_is_leaf, is_leaf)
    columns = [_flatten(s, [], none_is_leaf, is_leaf) for s in structures]
    return _pack(first, iter([func(*leaves) for leaves in zip(*columns)]), none_is_leaf, is_leaf)


def map_structure(func, *structures, none_is_leaf=True):
    """A structure like the first with `func(*leaves)` at each leaf; all structures must match.

    Args:
        func: called with one leaf of each structure.
        *structures: one or more structures of the same nesting.
        none_is_leaf: False treats None as an empty node, kept as None and not passed to `func`.
    """
    if not structures:
        raise ValueError("`map_structure` needs at least one structure. Received: none")
    return _map(func, structures, none_is_leaf=none_is_leaf)


def _is_shape(value):
    return isinstance(value, (list, tuple)) and all(isinstance(d, int) or d is None for d in value)


def map_shape_structure(func, structure):
    """`map_structure` for structures of shapes: a tuple or list of ints and Nones is one leaf."""
    return _map(func, (structure,), is_leaf=_is_shape)


def map_structure_up_to(shallow_structure, func, *structures):
    """`func` applied to the sub-structures of `structures` found at the leaves of `shallow_structure`.

    Raises:
        ValueError: when a structure does not nest like `shallow_structure` down to its leaves.
    """

    def visit(shallow, items):
        if not is_nested(shallow):
            return func(*items)
        for item in items:
            if not is_nested(item) or _kind(item) != _kind(shallow):
                raise ValueError("The structures do not nest like `shallow_structure` down to its leaves.\n"
                                 f"Shallow structure: {shallow!r}\nStructure: {item!r}")
        return _rebuild(shallow, [visit(s, [_children(item)[i] for item in items])
                                  for i, s in enumerate(_children(shallow))])

    return visit(shallow_structure, list(structures))


def traverse(func, structure, top_down=True):
    """Applies `func` to every node and leaf of `structure`, the whole structure included.

    Top down (default), a non-None result replaces the node and its children are not visited; bottom
    up, `func` sees each node rebuilt from its visited children. Returning `MAP_TO_NONE` puts None in
    the node's place; returning None keeps the node.
    """

    def result(node, value):
        if value is MAP_TO_NONE:
            return None
        return node if value is None else value

    def down(node):
        value = func(node)
        if value is not None:
            return result(node, value)
        return _rebuild(node, [down(child) for child in _children(node)]) if is_nested(node) else node

    def up(node):
        if is_nested(node):
            node = _rebuild(node, [up(child) for child in _children(node)])
        return result(node, func(node))

    return down(structure) if top_down else up(structure)


def lists_to_tuples(structure):
    """`structure` with every list, at any depth, turned into a tuple."""
    return traverse(lambda node: tuple(node) if isinstance(node, list) else None, structure, top_down=False)
