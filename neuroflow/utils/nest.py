"""Nested structures (lists, tuples, dicts) flattened to lists and packed back, as tf.nest does."""


def flatten(structure):
    """Leaves of a nested list / tuple / dict, depth first; dicts in sorted key order."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def _rebuild(node, iterator):
    # A module-level function rather than a closure calling itself: that closure would be a
    # reference cycle, keeping every packed array alive until the next garbage collection.
    if isinstance(node, dict):
        return {key: _rebuild(node[key], iterator) for key in sorted(node)}
    if isinstance(node, list):
        return [_rebuild(item, iterator) for item in node]
    if isinstance(node, tuple):
        items = [_rebuild(item, iterator) for item in node]
        return type(node)(*items) if hasattr(node, "_fields") else type(node)(items)  # namedtuples take fields
    return next(iterator)


def pack_like(structure, leaves):
    """Rebuilds `structure` with `leaves` (as produced by `flatten`) in place of its leaves."""
    return _rebuild(structure, iter(leaves))


def map_structure(function, structure):
    """`structure` with `function` applied to every leaf."""
    return pack_like(structure, [function(leaf) for leaf in flatten(structure)])
