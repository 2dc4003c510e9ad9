"""Keras 3's file formats: the `.keras` zip and the weights-only `.weights.h5`.

    m.keras (zip)
      metadata.json     {"keras_version", "date_saved"}
      config.json       {"module", "class_name", "config", "registered_name", "build_config", "compile_config"}
                        (saving/keras_config.py)
      model.weights.h5  one group per object Keras' saving walk visits:
                          layers/<name>/vars/0, 1, ...   a layer's own variables (Layer.saved_variables)
                          layers/<name>/layers/...       the layers of a nested Sequential / Functional
                          <attribute>/vars/...           sub-layers of subclassed models, by attribute name
                          optimizer/vars/0, 1, ...       iterations, learning rate, then the slots
                                                         (in Optimizer.keras_slot_groups' order)
                          vars                           the model's own variables (usually none)

`<name>` is not the layer's name: inside a list of layers Keras names each entry by its snake-cased
class name with a counter (dense, dense_1, dropout, ...), in the list's order. For a functional model
that list is Keras' `model.layers` order (inputs included), Functional.keras_layers. An RNN's
variables live in its `cell` (<layer>/cell/vars), Bidirectional's under forward_layer/ and
backward_layer/, TimeDistributed's under layer/.
"""
import datetime
import io
import json
import os
import warnings
import zipfile
import zlib

import numpy

from neuroflow.layers.layer import Layer
from neuroflow.optimizers.loss_scale_optimizer import LossScaleOptimizer
from neuroflow.saving import keras_config
from neuroflow.saving.files import read_member, write_atomically
from neuroflow.utils import registry
from neuroflow.utils.naming import to_snake_case

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "files only: weights are copied to the host (backend.to_numpy) before they are written"

KERAS_VERSION = "3.5.0"       # the Keras 3 file layout this module writes
CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
WEIGHTS_FILE = "model.weights.h5"


def h5py_module():
    """The h5py module (Keras' formats are HDF5 inside)."""
    # Imported on first use: only the Keras formats need h5py, which is slow to import.
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is a dependency, but say what to do if it is missing
        raise ImportError("Keras' file formats (.keras, .weights.h5) need h5py: pip install h5py") from None
    return h5py


# ---- the weights walk --------------------------------------------------------------------------

def is_layer(value):
    return isinstance(value, Layer)


def _unique_name(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


# neuroflow's own bookkeeping attributes: never weight-holding children in Keras' sense.
_INTERNAL_ATTRIBUTES = {"_tracked_layers", "_stack", "_functional_layers", "_input_layer", "_inbound_nodes", "_nodes",
                        "inputs", "outputs", "_inputs_structure", "_outputs_structure", "_own_weights",
                        "_activity_losses", "_added_losses", "_keras_layer_order", "optimizer", "_compiled_loss",
                        "_compile_metrics", "_loss_tracker", "_output_loss_trackers", "history", "input_spec",
                        "_step_variables", "_flat_layers_cache"}


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _children(layer):
    if hasattr(layer, "keras_layers"):   # Sequential and Functional: Keras saves their list of layers
        yield "layers", layer.keras_layers()
    for attribute in sorted(vars(layer), key=_name_key):
        if attribute in _INTERNAL_ATTRIBUTES or attribute.startswith("__"):
            continue
        value = vars(layer)[attribute]
        if is_layer(value) or (isinstance(value, (list, tuple, dict)) and _holds_layers(value)):
            yield attribute, value


def _holds_layers(container):
    values = container.values() if isinstance(container, dict) else container
    return any(is_layer(v) or (isinstance(v, (list, tuple, dict)) and _holds_layers(v)) for v in values)


def weight_groups(model):
    """[(h5 group path, owner name, [variables])] in the order Keras' saving walk visits them."""
    groups, visited = [], set()

    def join(path, name):
        if not name:
            return path
        return f"{path}/{name}" if path else name

    def visit(layer, path):
        if id(layer) in visited:
            return
        visited.add(id(layer))
        for subpath, variables in layer.saved_variables().items():
            groups.append((join(join(path, subpath), "vars"), layer.name, variables))
        for attribute, child in _children(layer):
            if is_layer(child):
                visit(child, join(path, attribute))
            else:
                container(child, join(path, attribute))

    def container(values, path):
        used = {}
        for value in (values.values() if isinstance(values, dict) else values):
            if is_layer(value):
                visit(value, join(path, _unique_name(to_snake_case(type(value).__name__), used)))
            elif isinstance(value, (list, tuple, dict)):
                container(value, join(path, _unique_name("container", used)))

    visit(model, "")
    return groups


# ---- optimizer state ---------------------------------------------------------------------------

def _slots_in_keras_order(optimizer, variables):
    """The optimizer's slot Variables in the order Keras 3 saves them, for `variables` (the model's
    `keras_trainable_variables`): the EMA averages and gradient accumulators first, then the groups
    the optimizer declares (`keras_slot_groups`), each interleaved per variable. None for an
    optimizer with no known Keras layout (a custom one, or slots that do not match `variables`)."""
    groups = optimizer.keras_slot_groups
    if groups is None or not registry.is_builtin(type(optimizer)):
        return None
    slots = optimizer._slots
    if any(id(v) not in slots for v in variables):
        return None
    ordered = []
    base = [["average"]] if optimizer.use_ema else []
    base += [["gradient_accumulator"]] if optimizer.gradient_accumulation_steps else []
    for group in base + groups:
        present = [name for name in group if variables and name in slots[id(variables[0])]]
        for variable in variables:
            ordered += [slots[id(variable)][name] for name in present]
    if len(ordered) != len(optimizer.variables):
        return None
    return ordered


def optimizer_state(model):
    """The optimizer's variables in Keras 3's saved order (None when it has no known Keras layout).

    A LossScaleOptimizer (mixed_float16) saves as Keras' does: its own iterations and learning
    rate (0), its step counter and dynamic scale, then the inner optimizer's variables.
    """
    optimizer = model.optimizer
    if isinstance(optimizer, LossScaleOptimizer):
        # fit builds the inner optimizer through the wrapper's apply; the wrapper's own flag stays unset.
        inner = _plain_optimizer_state(optimizer.inner_optimizer, model) if optimizer.inner_optimizer.built else None
        return None if inner is None else [
            numpy.asarray(0, dtype="int64"), numpy.asarray(0.0, dtype="float32"),
            numpy.asarray(optimizer.step_counter, dtype="int64"), numpy.asarray(optimizer.dynamic_scale.numpy())] + inner
    return _plain_optimizer_state(optimizer, model) if optimizer is not None and optimizer.built else None


def _plain_optimizer_state(optimizer, model):
    slots = _slots_in_keras_order(optimizer, model.keras_trainable_variables())
    if slots is None:
        return None
    values = [numpy.asarray(int(optimizer._iterations), dtype="int64")]
    if isinstance(optimizer._learning_rate, float):
        values.append(numpy.asarray(optimizer._learning_rate, dtype="float32"))
    return values + [numpy.asarray(v.numpy()) for v in slots]


def read_optimizer_state(model, group, filepath):
    optimizer = model.optimizer
    variables = model.keras_trainable_variables()
    if not optimizer.built:
        optimizer.build(variables)
    stored = [group[str(i)] for i in range(len(group))]  # h5py datasets: shapes known, nothing read yet
    if isinstance(optimizer, LossScaleOptimizer):   # Keras' layout: see optimizer_state
        if len(stored) > 4 and _read_plain_optimizer_state(optimizer.inner_optimizer, variables, stored[4:], filepath,
                                                           warn_as=optimizer):
            optimizer.step_counter = int(numpy.asarray(stored[2]))
            optimizer.dynamic_scale.assign(numpy.asarray(stored[3]).astype("float32"))
        elif len(stored) <= 4:
            _read_plain_optimizer_state(optimizer.inner_optimizer, variables, [], filepath, warn_as=optimizer)
        return
    _read_plain_optimizer_state(optimizer, variables, stored, filepath)


def _read_plain_optimizer_state(optimizer, variables, stored, filepath, warn_as=None):
    """Restores one optimizer from `stored` (Keras' order); warns and returns False when they do not fit."""
    named = warn_as or optimizer
    slots = _slots_in_keras_order(optimizer, variables)
    expected = None if slots is None else 1 + isinstance(optimizer._learning_rate, float) + len(slots)
    if slots is None or len(stored) != expected:
        count = len(stored) + (4 if warn_as is not None else 0)
        needs = expected and expected + (4 if warn_as is not None else 0)
        warnings.warn(f"Not restoring the state of optimizer '{named.name}' from {filepath}: it holds {count} "
                      f"variables, this {type(named).__name__} needs {needs or 'an unmapped layout'}; "
                      "training resumes from a fresh optimizer state", stacklevel=5)
        return False
    for slot, value in zip(slots, stored[expected - len(slots):]):
        if tuple(value.shape) != slot.shape:
            warnings.warn(f"Not restoring optimizer state from {filepath}: slot shape {value.shape} does not match "
                          f"{slot.shape}", stacklevel=5)
            return False
    optimizer._iterations = int(numpy.asarray(stored[0]))
    if isinstance(optimizer._learning_rate, float):
        optimizer._learning_rate = float(numpy.asarray(stored[1]))
    for slot, value in zip(slots, stored[expected - len(slots):]):
        slot.assign(numpy.asarray(value).astype(slot.value.dtype, copy=False))
    return True


# ---- h5 ----------------------------------------------------------------------------------------

def write_h5(model, target, include_optimizer=True):
    h5py = h5py_module()
    with h5py.File(target, "w") as handle:
        for path, owner, variables in weight_groups(model):
            group = handle.require_group(path)
            group.attrs["name"] = owner
            for index, variable in enumerate(variables):
                group.create_dataset(str(index), data=numpy.asarray(variable.numpy()))
        values = optimizer_state(model) if include_optimizer and getattr(model, "optimizer", None) else None
        if values is not None:
            group = handle.require_group("optimizer/vars")
            group.attrs["name"] = model.optimizer.name
            for index, value in enumerate(values):
                group.create_dataset(str(index), data=value)
            if isinstance(model.optimizer, LossScaleOptimizer):   # Keras writes the inner optimizer's group too
                inner = handle.require_group("optimizer/inner_optimizer/vars")
                inner.attrs["name"] = model.optimizer.inner_optimizer.name
                for index, value in enumerate(values[4:]):
                    inner.create_dataset(str(index), data=value)


def read_h5(model, source, filepath, skip_mismatch=False, load_optimizer=True):
    h5py = h5py_module()
    try:
        handle = h5py.File(source, "r")
    except (OSError, ValueError) as error:
        raise ValueError(f"{filepath!r}: the weights are not a readable HDF5 file ({error}); the file may be truncated "
                         "or corrupt") from None
    with handle:
        if "model_weights" in handle or "layer_names" in handle.attrs:
            raise ValueError(f"{filepath!r} is a legacy Keras 2 HDF5 file, which neuroflow does not read. Load it in "
                             "Keras and re-save it with model.save('model.keras') or model.save_weights("
                             "'model.weights.h5').")
        assignments, skipped, read_paths = [], [], set()
        for path, owner, variables in weight_groups(model):
            read_paths.add(path)
            if path not in handle:
                if variables and not skip_mismatch:
                    raise ValueError(f"{filepath!r} has no weights for layer '{owner}' (group {path!r}); the file was "
                                     "saved from a different architecture (pass skip_mismatch=True to keep the "
                                     "model's own values for it)")
                if variables:
                    skipped.append(f"'{owner}' (no group {path!r} in the file)")
                continue
            group = handle[path]
            if len(group) != len(variables):
                if skip_mismatch:
                    skipped.append(f"'{owner}' ({len(group)} arrays in the file, {len(variables)} in the model)")
                    continue
                raise ValueError(f"Layer '{owner}' expects {len(variables)} weight arrays but {filepath!r} holds "
                                 f"{len(group)} at {path!r}; the file was saved from a different architecture")
            arrays = []
            for index, variable in enumerate(variables):
                # The declared shape first: a dataset claiming (10**6, 10**6) is refused, not read.
                dataset = group[str(index)]
                array = dataset if tuple(dataset.shape) != variable.shape else numpy.asarray(dataset)
                if tuple(array.shape) != variable.shape:
                    if skip_mismatch:
                        skipped.append(f"'{owner}' (weight {index} has shape {tuple(array.shape)} in the file, "
                                       f"{variable.shape} in the model)")
                        arrays = None
                        break
                    label = variable.path if hasattr(variable, "path") else variable.name
                    raise ValueError(f"Weight {index} of layer '{owner}' ({label}) "
                                     f"has shape {variable.shape} but {filepath!r} holds shape {tuple(array.shape)} "
                                     f"at {path}/{index}")
                arrays.append(array)
            if arrays is not None:
                assignments += list(zip(variables, arrays))
        if skipped:
            warnings.warn(f"Skipping loading weights of {filepath!r} for layer(s) {', '.join(skipped)} "
                          "(skip_mismatch=True): they keep their current values", stacklevel=3)
        unused = _unused_groups(handle, read_paths)
        if unused:
            warnings.warn(f"{filepath!r} holds weights that model '{model.name}' has no place for, not loaded: "
                          f"{', '.join(unused[:10])}{' ...' if len(unused) > 10 else ''}", stacklevel=3)
        for variable, array in assignments:
            variable.assign(array.astype(variable.value.dtype, copy=False))
        if load_optimizer and "optimizer/vars" in handle and getattr(model, "optimizer", None) is not None:
            read_optimizer_state(model, handle["optimizer/vars"], filepath)


def _unused_groups(handle, read_paths):
    """The groups of the file holding weight arrays that no layer of the model read (the optimizer's
    and Keras' metric and seed-generator state aside, which a model does not load as weights)."""
    found = []

    def visit(name, item):
        top = name.split("/", 1)[0]
        if top in ("optimizer", "metrics") or "seed_generator" in name:
            return
        if hasattr(item, "shape") and name.rsplit("/", 1)[0] not in read_paths:
            found.append(name.rsplit("/", 1)[0])

    handle.visititems(visit)
    return sorted(set(found))


# ---- files -------------------------------------------------------------------------------------

def save_model(model, filepath, include_optimizer=True):
    """Writes `model` as a Keras 3 `.keras` file (atomically: a failed save leaves any old file intact)."""
    config = keras_config.model_to_keras(model)
    metadata = {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "saved_by": "neuroflow"}
    buffer = io.BytesIO()
    write_h5(model, buffer, include_optimizer)

    def write(path):
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILE, json.dumps(metadata))
            archive.writestr(CONFIG_FILE, json.dumps(config))
            archive.writestr(WEIGHTS_FILE, buffer.getvalue())

    write_atomically(filepath, write)


def read_archive(filepath):
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No model file at {filepath!r}")
    try:
        with zipfile.ZipFile(filepath) as archive:
            names = archive.namelist()
            if CONFIG_FILE not in names:
                raise ValueError(f"{filepath!r} has no config.json; it is not a Keras 3 .keras file or it is corrupt")
            config = json.loads(read_member(archive, CONFIG_FILE, filepath, is_config=True))
            weights = read_member(archive, WEIGHTS_FILE, filepath) if WEIGHTS_FILE in names else None
    except (zipfile.BadZipFile, zlib.error, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{filepath!r} is not a readable .keras file ({type(error).__name__}: {error}); it may be "
                         "truncated or corrupt") from None
    if weights is None and "model.weights.npz" in names:
        raise ValueError(f"{filepath!r} stores its weights as model.weights.npz; neuroflow reads the h5 layout only")
    return config, weights



def load_model(filepath, custom_objects=None, compile=True):
    """Reads a Keras 3 `.keras` file (written by Keras or neuroflow) into a neuroflow model."""
    config, weights = read_archive(filepath)
    model = keras_config.model_from_keras(config, custom_objects)
    if not model.built:
        raise ValueError(f"Model '{model.name}' in {filepath!r} could not be built from its config, so its weights "
                         "cannot be loaded")
    compile_config = config.get("compile_config")
    if compile and compile_config:
        keras_config.compile_from_keras(model, compile_config, custom_objects)
    if weights is not None:
        read_h5(model, io.BytesIO(weights), filepath, load_optimizer=compile)
    elif model.weights:
        raise ValueError(f"{filepath!r} holds no {WEIGHTS_FILE}; it is truncated or corrupt")
    return model


def save_weights(model, filepath):
    """Writes Keras 3's weights-only `.weights.h5` (layers and, if built, the optimizer state)."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it or call it on a batch before save_weights")
    write_atomically(filepath, lambda path: write_h5(model, path))


def load_weights(model, filepath, skip_mismatch=False):
    """Reads Keras 3's weights-only h5 layout into a built `model`."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before load_weights: call it on a batch or build it "
                         "with an input shape first")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file at {filepath!r}")
    read_h5(model, filepath, filepath, skip_mismatch=skip_mismatch)
