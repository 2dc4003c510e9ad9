"""Keras' `name_scope` (a sub-namespace for variable paths) and `SymbolicScope` (the marker that
shape inference is running), over one stack each.

    with neuroflow.name_scope("block"):
        v = neuroflow.Variable(1.0, name="v")     # v.path == "block/v"

Layers prefix their weights' paths with the scope they are created in ("block/dense/kernel"), as
Keras' do. `SymbolicScope` is entered by the functional API's shape inference (engine/keras_tensor.py
`infer_outputs`), so that code can ask `in_symbolic_scope()` whether it runs on probe values.
"""
_name_scopes = []
_symbolic_scopes = []


class name_scope:
    """Creates a sub-namespace for variable paths (Keras' `keras.name_scope`).

    Args:
        name: the scope's name (a string without '/').
        caller: optional object opening the scope; re-entering the innermost scope of the same
            caller and name opens nothing new when `deduplicate`.
        deduplicate: see `caller`.
        override_parent: an absolute path that replaces the enclosing scopes' path.

    Raises:
        ValueError: for a name that is not a string or holds '/'.
    """

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pop_on_exit = False

    def __enter__(self):
        if self.deduplicate and _name_scopes:
            parent = _name_scopes[-1]
            if self.caller is not None and self.caller is parent.caller and self.name == parent.name:
                return self
        _name_scopes.append(self)
        self._pop_on_exit = True
        return self

    def __exit__(self, *exception):
        if self._pop_on_exit and _name_scopes:
            _name_scopes.pop()
            self._pop_on_exit = False
        return False


def current_path():
    """The path of the open name scopes, 'outer/inner' ('' when none is open)."""
    parts = []
    for scope in _name_scopes:
        if scope.override_parent is not None:
            parts = [part for part in scope.override_parent.split("/") if part]
        parts.append(scope.name)
    return "/".join(parts)


def scoped(name):
    """`name` under the open name scopes' path."""
    if not _name_scopes:
        return name
    return f"{current_path()}/{name}"


class SymbolicScope:
    """Marks code running on symbolic placeholders (Keras' `keras.SymbolicScope`)."""

    def __enter__(self):
        _symbolic_scopes.append(self)
        return self

    def __exit__(self, *exception):
        _symbolic_scopes.remove(self)
        return False


def in_symbolic_scope():
    """Whether a SymbolicScope is open."""
    return bool(_symbolic_scopes)


def get_symbolic_scope():
    """The innermost open SymbolicScope, or None."""
    return _symbolic_scopes[-1] if _symbolic_scopes else None
