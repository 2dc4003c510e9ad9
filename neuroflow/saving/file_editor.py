"""`KerasFileEditor`: look into and edit the weights of a `.keras` or `.weights.h5` file without
building its model (keras.saving.KerasFileEditor).

The weights are a tree of dicts, `{"layers": {"dense": {"0": kernel, "1": bias}}, ...}`, as Keras
lays them out in HDF5 ('<path>/vars/<index>'); objects are named by their leaf name when it is
unique, or by their path ("layers/dense"). `save` writes a `.weights.h5` file.
"""
import io
import json
import zipfile

import numpy

from neuroflow.saving import keras_format

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "files only: weights are copied to the host (backend.to_numpy) before they are written"


def _read_tree(group):
    h5py = keras_format.h5py_module()
    tree = {}
    for key in group.keys():
        link = group.get(key, getclass=True, getlink=True)
        if link in (h5py.ExternalLink, h5py.SoftLink):
            raise ValueError(f"Not allowed: H5 file with {link.__name__} at {group.name}/{key}")
        value = group[key]
        if isinstance(value, h5py.Group):
            inner = value["vars"] if "vars" in value.keys() else value
            if len(inner):
                subtree = _read_tree(inner)
                if subtree:
                    tree[key] = subtree
        elif isinstance(value, h5py.Dataset):
            tree[key] = value[()]
    return tree


def _weights_of(model):
    buffer = io.BytesIO()
    keras_format.write_h5(model, buffer, include_optimizer=True)
    buffer.seek(0)
    with keras_format.h5py_module().File(buffer, "r") as handle:
        return _read_tree(handle)


class KerasFileEditor:
    """The weights of a Keras file, to list, compare with a model, edit and save again.

    Args:
        filepath: a `.keras` or `.weights.h5` file.

    Attributes:
        weights_dict: the tree of weights; `config` and `metadata` for a `.keras` file (else None).

    Raises:
        ValueError: another file name ending.
    """

    def __init__(self, filepath):
        self.filepath = str(filepath)
        self.config = self.metadata = None
        h5py = keras_format.h5py_module()
        if self.filepath.endswith(".keras"):
            self.config, weights = keras_format.read_archive(self.filepath)
            with zipfile.ZipFile(self.filepath) as archive:
                if keras_format.METADATA_FILE in archive.namelist():
                    self.metadata = json.loads(archive.read(keras_format.METADATA_FILE))
            source = io.BytesIO(weights or b"")
        elif self.filepath.endswith(".weights.h5"):
            source = self.filepath
        else:
            raise ValueError(f"Invalid filename: expected a `.keras` `.weights.h5` extension. Received: "
                             f"filepath={self.filepath}")
        with h5py.File(source, "r") as handle:
            self.weights_dict = _read_tree(handle)

    # ---- looking ---------------------------------------------------------------------------------

    def weights_summary(self):
        """Prints every object path with its weights' shapes and dtypes."""
        print(self._summary_text())

    def summary(self):
        """Prints the file's name, its Keras version (for a .keras file) and its weights."""
        version = (self.metadata or {}).get("keras_version")
        print(f"Keras model file '{self.filepath}'" + (f" (saved with Keras {version})" if version else ""))
        print(self._summary_text())

    def _summary_text(self, tree=None, path=""):
        lines = []
        for key, value in (self.weights_dict if tree is None else tree).items():
            inner = f"{path}/{key}" if path else key
            if isinstance(value, dict):
                lines.append(self._summary_text(value, inner))
            else:
                lines.append(f"{inner}: shape={tuple(value.shape)}, dtype={value.dtype}")
        return "\n".join(line for line in lines if line)

    def compare(self, reference_model):
        """Checks the file's weights against a model's: the same objects, and weights of the same shapes.

        Returns:
            {'status': 'success' or 'error', 'error_count': mismatches, 'match_count': matching weights}.
        """
        errors, matches = [], 0

        def walk(ours, theirs, path):
            nonlocal matches
            for key in sorted(set(ours) | set(theirs)):
                inner = f"{path}/{key}" if path else key
                if key not in ours:
                    errors.append(f"{inner} is in the model but not in the file")
                elif key not in theirs:
                    errors.append(f"{inner} is in the file but not in the model")
                elif isinstance(ours[key], dict) != isinstance(theirs[key], dict):
                    errors.append(f"{inner} is a weight on one side and an object on the other")
                elif isinstance(ours[key], dict):
                    walk(ours[key], theirs[key], inner)
                elif ours[key].shape != theirs[key].shape:
                    errors.append(f"{inner}: shape {ours[key].shape} in the file, {theirs[key].shape} in the model")
                else:
                    matches += 1

        walk(self.weights_dict, _weights_of(reference_model), "")
        for error in errors:
            print(error)
        print("All weights match." if not errors else f"Found {len(errors)} mismatches.")
        return {"status": "error" if errors else "success", "error_count": len(errors), "match_count": matches}

    # ---- editing ---------------------------------------------------------------------------------

    def _parent_of(self, name):
        """(the dict holding object `name`, its key there); `name` is a unique leaf name or a path."""
        if "/" in name:
            parts = name.split("/")
            node = self.weights_dict
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    raise ValueError(f"Path '{name}' not found in model.")
                node = node[part]
            if parts[-1] not in node:
                raise ValueError(f"Path '{name}' not found in model.")
            return node, parts[-1]
        holders = []

        def find(node):
            for key, value in node.items():
                if key == name and isinstance(value, dict):
                    holders.append(node)
                if isinstance(value, dict):
                    find(value)

        find(self.weights_dict)
        if len(holders) > 1:
            raise ValueError(f"Name '{name}' occurs more than once in the model; try passing a complete path")
        if not holders:
            raise ValueError(f"Source name '{name}' does not appear in the model. Use `editor.weights_summary()` to "
                             "list all objects.")
        return holders[0], name

    def rename_object(self, object_name, new_name):
        """Renames an object (a leaf name: the path above it stays)."""
        if "/" in new_name:
            raise ValueError(f"Argument `target_name` should be a leaf name, not a full path name. Received: "
                             f"target_name='{new_name}'")
        parent, key = self._parent_of(object_name)
        parent[new_name] = parent.pop(key)

    def delete_object(self, object_name):
        parent, key = self._parent_of(object_name)
        del parent[key]

    def add_object(self, object_path, weights):
        """Adds an object at `object_path` with `weights`, a dict of names ('0', '1', ...) -> arrays."""
        _check_weights(weights)
        parts = object_path.split("/")
        node = self.weights_dict
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise ValueError(f"Path '{'/'.join(parts[:-1])}' not found in model.")
            node = node[part]
        node[parts[-1]] = {str(k): numpy.asarray(v) for k, v in weights.items()}

    def delete_weight(self, object_name, weight_name):
        parent, key = self._parent_of(object_name)
        if weight_name not in parent[key]:
            raise ValueError(f"Weight {weight_name} not found in object {object_name}. Weights found: "
                             f"{list(parent[key])}")
        del parent[key][weight_name]

    def add_weights(self, object_name, weights):
        _check_weights(weights)
        parent, key = self._parent_of(object_name)
        parent[key].update({str(k): numpy.asarray(v) for k, v in weights.items()})

    # ---- writing ---------------------------------------------------------------------------------

    def save(self, filepath):
        """Writes the (edited) weights as a `.weights.h5` file that `load_weights` reads."""
        filepath = str(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(f"Invalid `filepath` argument: expected a `.weights.h5` extension. Received: "
                             f"filepath={filepath}")
        with keras_format.h5py_module().File(filepath, "w") as handle:
            _write_tree(handle, self.weights_dict, "")

    def resave_weights(self, filepath):
        self.save(filepath)


def _check_weights(weights):
    if not isinstance(weights, dict):
        raise ValueError("Argument `weights` should be a dict where keys are weight names (usually '0', '1', etc.) "
                         f"and values are NumPy arrays. Received: type(weights)={type(weights)}")


def _write_tree(handle, tree, path):
    arrays = {key: value for key, value in tree.items() if not isinstance(value, dict)}
    if arrays:
        group = handle.require_group(f"{path}/vars" if path else "vars")
        for key, value in arrays.items():
            group.create_dataset(key, data=value)
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            _write_tree(handle, value, f"{path}/{key}" if path else key)
