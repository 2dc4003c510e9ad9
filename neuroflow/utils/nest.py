"""Nested structures (lists, tuples, dicts) flattened to lists and packed back, as tf.nest does."""


def flatten(structure):
    """Leaves of a nested list / tuple / dict, depth first; dicts in sorted key order."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_like(structure, leaves):
    """Rebuilds `structure` with `leaves` (as produced by `flatten`) in place of its leaves."""
    iterator = iter(leaves)

    def build(node):
        if isinstance(node, dict):
            return {key: build(node[key]) for key in sorted(node)}
        if isinstance(node, (list, tuple)):
            items = [build(item) for item in node]
            return items if isinstance(node, list) else type(node)(items) if not hasattr(node, "_fields") else type(node)(*items)
        return next(iterator)

    return build(structure)


def map_structure(function, structure):
    return pack_like(structure, [function(leaf) for leaf in flatten(structure)])
