"""The base Layer: lazy build on first call, weights, sub-layer tracking, config.

A layer's life, as in Keras:
    layer = Dense(64, activation="relu")    # __init__ stores the arguments
    y = layer(x)                            # first call: build(x.shape) creates weights, then call(x)

Subclasses implement `build(input_shape)` (creating weights with `add_weight`) and
`call(inputs, training=None)` (composing ops). Calling a layer on functional-API placeholders
records a graph node instead of computing.
"""
import inspect

import numpy

from neuroflow import backend, constraints, initializers, ops, regularizers
from neuroflow.engine import autocast, scopes
from neuroflow.engine.keras_tensor import KerasTensor, Node, _probe_value, infer_outputs
from neuroflow.engine.tape import no_grad
from neuroflow.engine.tensor import Tensor, Variable
from neuroflow.layers import build_config, keras_options
from neuroflow.layers.layer_dtypes import LayerDTypes
from neuroflow.random.seed_generator import SeedGenerator
from neuroflow.utils import nest, registry
from neuroflow.utils.errors import shape_text
from neuroflow.utils.naming import to_snake_case, unique_name

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "shapes of weights given to set_weights (metadata, no tensor math)"

_call_signature_cache = {}
# The `training` flag of the calls in progress, innermost last (None: inference by default).
_training_context = [None]


def _call_accepts(layer, argument):
    key = (type(layer), argument)
    if key not in _call_signature_cache:
        parameters = inspect.signature(layer.call).parameters
        _call_signature_cache[key] = argument in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return _call_signature_cache[key]


# The module resolving and serializing a per-weight argument, by the last word of its Keras name.
_IDENTIFIER_MODULES = {"initializer": initializers, "regularizer": regularizers, "constraint": constraints}


def store_arguments(layer, **arguments):
    """Stores a layer's initializer / regularizer / constraint arguments under their names, resolved.

    Each is resolved by the `get` of the module its name ends with, as Keras names them
    ('kernel_initializer', 'bias_regularizer', 'gamma_constraint', ...): `store_arguments(self,
    kernel_initializer="glorot_uniform")` sets `self.kernel_initializer` to a GlorotUniform.
    """
    for name, value in arguments.items():
        setattr(layer, name, _IDENTIFIER_MODULES[name.rpartition("_")[2]].get(value))


def serialized_arguments(layer, names):
    """{name: config value} for a layer's initializer / regularizer / constraint arguments.

    The module that serializes each is read off the argument's name, as in `store_arguments`;
    None stays None.
    """
    config = {}
    for name in names:
        value = getattr(layer, name)
        config[name] = None if value is None else _IDENTIFIER_MODULES[name.rpartition("_")[2]].serialize(value)
    return config


# Input classes that are never, and never hold, functional-API placeholders.
_PLAIN_INPUTS = (Tensor, numpy.ndarray)


class Layer(LayerDTypes):
    """Base class of all layers (keras.layers.Layer).

    Args:
        trainable: whether the layer's weights are updated by training.
        name: a unique name; by default the snake-cased class name with a counter.
        dtype: the dtype of the weights and computations, or a dtype policy (a name such as
            'mixed_float16', a `DTypePolicy` or its serialized dict): float32 weights, float16
            computations, as in Keras (default: the global policy, else `backend.floatx()`).
        input_shape / input_dim / batch_input_shape / batch_size: the input shape of the first
            layer of a Sequential model, without the batch axis.
        activity_regularizer: a regularizer applied to the layer's output.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("layers", cls)

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, activity_regularizer=None, **kwargs):
        if kwargs:
            unknown = ", ".join(sorted(kwargs))
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s): {unknown}")
        object.__setattr__(self, "_tracked_layers", [])
        self._seed_generators = []
        self._own_weights = []
        self._trainable = bool(trainable)
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._set_dtype_policy(dtype)
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._activity_losses = []
        self._added_losses = []
        self._inbound_nodes = []
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        self._input_shape_argument = tuple(input_shape) if input_shape is not None else None
        self._batch_size_argument = batch_size
        self.activity_regularizer = regularizers.get(activity_regularizer) if activity_regularizer else None

    # ---- attribute tracking ------------------------------------------------------------------

    def __setattr__(self, name, value):
        tracked = self.__dict__.get("_tracked_layers")
        if tracked is not None and name not in ("_tracked_layers",):
            for leaf in nest.flatten(value) if isinstance(value, (list, tuple, dict)) else [value]:
                if isinstance(leaf, Layer) and leaf is not self and all(leaf is not t for t in tracked):
                    tracked.append(leaf)
                elif isinstance(leaf, Variable) and all(leaf is not w for w in self._own_weights):
                    self._own_weights.append(leaf)
                elif isinstance(leaf, SeedGenerator) and all(leaf is not g for g in self._seed_generators):
                    self._seed_generators.append(leaf)  # its state is in `variables`, not `weights`, as in Keras
        object.__setattr__(self, name, value)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._tracked_layers:
            layer.trainable = value

    @property
    def layers(self):
        return list(self._tracked_layers)

    def _flatten_layers(self):
        """This layer and every layer inside it, each once."""
        # An explicit stack (depth first, same order) rather than a recursive closure: a closure
        # that calls itself is a reference cycle, left to the garbage collector every step.
        seen, order, stack = set(), [], [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            order.append(layer)
            stack.extend(reversed(layer._tracked_layers))
        return order

    def blas_threads(self):
        """How this layer wants BLAS threads while fit runs: None (no preference), 'split' or 'default'.

        'split': it trains faster when neuroflow splits products and elementwise work over the
        cores itself, with OpenBLAS on one thread (ops/parallel.managed_threads). 'default': its
        work relies on OpenBLAS's own threads, so the model keeps them. fit splits only when some
        layer says 'split' and none says 'default'.
        """
        return None

    # ---- weights -----------------------------------------------------------------------------

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, regularizer=None,
                   constraint=None, name=None, autocast=True, **kwargs):
        """Creates a weight Variable owned by this layer.

        Args:
            shape: the weight's shape.
            initializer: name, object or callable; default glorot_uniform for floats.
            regularizer: adds `regularizer(weight)` to the layer's losses.
            constraint: projects the weight after each optimizer update.
            autocast: whether a mixed-precision call reads it in the compute dtype (Keras'; a
                BatchNormalization's moving statistics are not).
        """
        dtype = dtype or self.dtype
        if initializer is None:
            initializer = "glorot_uniform" if backend.is_float_dtype(dtype) else "zeros"
        initializer = initializers.get(initializer)
        shape = tuple(int(d) for d in (shape or ()))
        value = initializer(shape, dtype=dtype)
        variable = Variable(value, dtype=dtype, trainable=trainable, name=name or "variable",
                            constraint=constraints.get(constraint) if constraint is not None else None,
                            regularizer=regularizers.get(regularizer) if regularizer is not None else None,
                            autocast=autocast)
        variable.path = scopes.scoped(f"{self.name}/{variable.name}")
        self._own_weights.append(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True, autocast=True, regularizer=None,
                     constraint=None, aggregation="none", overwrite_with_gradient=False, name=None):
        """Keras 3's `add_variable`: `add_weight` with `shape` and `initializer` first.

        `autocast=False` keeps the variable in its own dtype inside a mixed-precision call (Keras').
        `aggregation` and `overwrite_with_gradient` are accepted for Keras compatibility; neuroflow
        trains on one device.
        """
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype, trainable=trainable,
                               regularizer=regularizer, constraint=constraint, name=name, autocast=autocast)

    @property
    def metrics(self):
        """The metrics this layer and its sub-layers hold as attributes (Keras' `Layer.metrics`)."""
        found = []
        for layer in self._flatten_layers():
            for value in vars(layer).values():
                # Duck-typed: metrics sit above layers, so no class test here.
                if hasattr(value, "update_state") and hasattr(value, "result") and hasattr(value, "reset_state") \
                        and not isinstance(value, Layer) and all(value is not m for m in found):
                    found.append(value)
        return found

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = [w for w in self._own_weights if w.trainable]
        for layer in self._tracked_layers:
            weights += layer.trainable_weights
        return unique_objects(weights)

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        weights = [w for w in self._own_weights if not w.trainable]
        for layer in self._tracked_layers:
            weights += layer.non_trainable_weights
        return unique_objects(weights)

    @property
    def weights(self):
        weights = list(self._own_weights)
        for layer in self._tracked_layers:
            weights += layer.weights
        return unique_objects(weights)

    trainable_variables = trainable_weights

    def _seed_states(self):
        return [g.state for layer in self._flatten_layers() for g in layer.__dict__.get("_seed_generators", ())]

    @property
    def non_trainable_variables(self):
        """The non-trainable weights, then the states of the SeedGenerators held here or in sub-layers (Keras')."""
        return unique_objects(self.non_trainable_weights + self._seed_states())

    @property
    def variables(self):
        """The weights, then the states of the SeedGenerators held here or in sub-layers (Keras': saved
        files leave them out, as `weights` does)."""
        return unique_objects(self.weights + self._seed_states())

    def get_weights(self):
        """The weights as a list of NumPy arrays."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Sets the weights from a list of arrays, in the order of `get_weights()`."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"Layer '{self.name}' expects {len(own)} weight arrays, got {len(weights)}. "
                             f"Provided shapes: {[tuple(numpy.shape(w)) for w in weights]}")
        for variable, value in zip(own, weights):
            if tuple(numpy.shape(value)) != variable.shape:
                raise ValueError(f"Layer '{self.name}' weight '{variable.path}' has shape {shape_text(variable.shape)}, "
                                 f"but the provided array has shape {shape_text(numpy.shape(value))}")
            variable.assign(backend.xp.asarray(value, dtype=variable.value.dtype))

    def count_params(self):
        """The number of scalar weights (raises if the layer is not built)."""
        if not self.built:
            raise ValueError(f"Layer '{self.name}' is not built yet, so its parameters are not known: "
                             "call it on data or build it with an input shape first.")
        return int(sum(int(numpy.prod(w.shape)) for w in self.weights))

    # ---- losses ------------------------------------------------------------------------------

    @property
    def losses(self):
        """Regularization losses of the weights plus losses added during the last call."""
        losses = []
        for layer in self._flatten_layers():
            for weight in layer._own_weights:
                if weight.regularizer is not None and weight.trainable and layer.trainable:
                    losses.append(weight.regularizer(weight))
            losses += layer._activity_losses + layer._added_losses
        return losses

    def add_loss(self, loss):
        """Adds a loss tensor (computed in `call`) to the model's objective."""
        self._added_losses.append(loss)

    def _clear_call_losses(self):
        for layer in self._flatten_layers():
            # Only when non-empty: __setattr__'s layer tracking costs more than the check (every step).
            if layer._activity_losses:
                layer._activity_losses = []
            if layer._added_losses:
                layer._added_losses = []

    # ---- building and calling ----------------------------------------------------------------

    def build(self, input_shape):
        """Creates the layer's weights for `input_shape` (batch axis included, may be None)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, found by running the layer on a zero batch."""
        if build_config.is_shape(input_shape):
            placeholders = KerasTensor(input_shape, dtype=self.dtype)
        else:
            placeholders = [KerasTensor(s, dtype=self.dtype) for s in input_shape]
        if not self.built:
            self._build_from(placeholders)
        outputs = infer_outputs(self._eager_call, (placeholders,), {})
        return nest.map_structure(lambda t: t.shape, outputs)

    def compute_output_spec(self, *args, **kwargs):
        """Placeholders (KerasTensor) for the outputs of a call on placeholder inputs, without a graph node
        (Keras' symbolic shape and dtype inference); builds the layer first if needed."""
        if not self.built:
            self._build_from(args[0])
        return infer_outputs(self._eager_call, args, kwargs)

    def get_build_config(self):
        """The shapes the layer was built for, in Keras' layout (layers/build_config.py); None if never built."""
        return build_config.build_config(self)

    def build_from_config(self, config):
        """Builds the layer from `get_build_config()`'s output, as loading a saved model does."""
        build_config.build_from_config(self, config)

    def _build_from(self, inputs):
        """Builds from the shapes of `inputs`: one shape tuple, or a list of them for several inputs."""
        if isinstance(inputs, dict):
            shapes = {key: tuple(value.shape) for key, value in inputs.items()}
        elif isinstance(inputs, (list, tuple)):
            shapes = [tuple(x.shape) for x in inputs]
        else:
            shapes = tuple(inputs.shape)
        # Kept for saving: Keras files record the shape a layer was built for (build_config).
        self._build_input_shape = shapes
        self.build(shapes)
        self.built = True

    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs: the input mask passed on when `supports_masking`, else None.

        Args:
            inputs: the call's inputs.
            previous_mask: the mask that came with them (explicit `mask=` or carried by the input).
        """
        return previous_mask if self.supports_masking else None

    def __call__(self, inputs, *args, **kwargs):
        # A single Tensor or array (every step of a Sequential model) skips the structure walk.
        if inputs.__class__ not in _PLAIN_INPUTS and any(isinstance(x, KerasTensor) for x in nest.flatten(inputs)):
            return self._symbolic_call(inputs, args, kwargs)
        # Keras' mask plumbing: an explicit mask= wins, else the mask the input carries.
        previous_mask = kwargs.pop("mask") if "mask" in kwargs else _carried_mask(inputs)
        if previous_mask is not None and _call_accepts(self, "mask"):
            kwargs["mask"] = previous_mask
        # One tensor (the usual case) skips map_structure, whose packing closure is a reference cycle.
        inputs = nest.map_structure(self._to_tensor, inputs) if isinstance(inputs, (list, tuple, dict)) \
            else self._to_tensor(inputs)
        if not self.built:
            self._check_input_spec(inputs)
            self._build_from(inputs)
        self._check_input_spec(inputs)
        # `training` set on an outer call reaches every inner layer, as Keras' call context does.
        training = kwargs.get("training")
        if training is None:
            training = _training_context[-1]
        kwargs["training"] = training
        _training_context.append(training)
        try:
            outputs = self._eager_call(inputs, *args, **kwargs)
        finally:
            _training_context.pop()
        if self.activity_regularizer is not None:
            self._activity_losses = [self._activity_loss(o) for o in nest.flatten(outputs)]
        if self.supports_masking:
            _attach_masks(outputs, self.compute_mask(inputs, previous_mask), Tensor)
        if isinstance(outputs, Tensor):
            # Remembered for summary() of subclassed models, whose graph is not known in advance.
            # (object.__setattr__: a shape holds no layers or weights to track.)
            object.__setattr__(self, "_last_output_shape", (None,) + outputs.shape[1:])
        return outputs

    def _activity_loss(self, output):
        """activity_regularizer(output) divided by the batch size (as Keras 3 does), so that the
        penalty's strength does not depend on the batch size."""
        loss = self.activity_regularizer(output)
        if output.ndim > 0 and output.shape[0]:
            loss = ops.divide(loss, float(output.shape[0]))
        return loss

    def _eager_call(self, inputs, *args, **kwargs):
        if "training" in kwargs and not _call_accepts(self, "training"):
            kwargs.pop("training")
        if "mask" in kwargs and not _call_accepts(self, "mask"):
            kwargs.pop("mask")
        if self._mixed_policy is None and autocast.active is None:
            return self.call(inputs, *args, **kwargs)   # no mixed precision in play: the usual case
        # A mixed-precision layer reads its float32 variables as float16 during its call; any other
        # layer ends the scope of the layer around it (a dtype="float32" layer in a mixed model).
        previous = autocast.enter(autocast.AutocastScope(self.compute_dtype) if self._mixed_policy is not None
                                  else None)
        try:
            return self.call(inputs, *args, **kwargs)
        finally:
            autocast.leave(previous)

    def _check_input_spec(self, inputs):
        if self.input_spec is None:
            return
        shape = getattr(inputs, "shape", None)
        accepted = self.__dict__.get("_accepted")
        if accepted is not None and accepted[0] is self.input_spec and accepted[1] == shape:
            return  # the spec already accepted this shape (every full batch of an epoch)
        specs = self.input_spec if isinstance(self.input_spec, (list, tuple)) else [self.input_spec]
        for index, (spec, x) in enumerate(zip(specs, nest.flatten(inputs))):
            if spec is not None and hasattr(x, "shape"):
                spec.check(self, tuple(x.shape), index)
        if shape is not None:
            object.__setattr__(self, "_accepted", (self.input_spec, shape))

    def _symbolic_call(self, inputs, args, kwargs):
        if not self.built:
            self._check_input_spec(inputs)
            self._build_from(inputs)
        self._check_input_spec(inputs)
        call_kwargs = dict(kwargs)
        call_kwargs.pop("training", None)
        # A carried mask is not recorded on the node: at run time the eager call finds it on its input.
        previous_mask = call_kwargs.get("mask") if "mask" in call_kwargs else _carried_mask(inputs)
        if "mask" not in call_kwargs and previous_mask is not None and _call_accepts(self, "mask"):
            call_kwargs["mask"] = previous_mask
        outputs = infer_outputs(self._eager_call_on_probes, (inputs,) + tuple(args), call_kwargs)
        if self.supports_masking:
            self._attach_symbolic_masks(inputs, previous_mask, outputs)
        node = Node(self, (inputs,) + tuple(args), kwargs, outputs)
        for index, tensor in enumerate(nest.flatten(outputs)):
            tensor.node, tensor.index = node, index
            tensor.name = self.name
        self._inbound_nodes.append(node)
        return outputs

    def _attach_symbolic_masks(self, inputs, previous_mask, outputs):
        """Sets `_keras_mask` placeholders on symbolic outputs, from compute_mask on probe values."""
        def concrete(x):
            if isinstance(x, KerasTensor):
                # Probe masks are all True, the common case, so compute_mask sees a realistic mask.
                value = _probe_value(x)
                return Tensor(backend.xp.ones(value.shape, dtype=bool) if x.dtype == "bool" else value)
            return x

        with no_grad():
            masks = self.compute_mask(nest.map_structure(concrete, inputs), nest.map_structure(concrete, previous_mask))
        batch_unknown = any(isinstance(x, KerasTensor) and x.shape and x.shape[0] is None for x in nest.flatten(inputs))

        flat_outputs = nest.flatten(outputs)
        flat_masks = masks if isinstance(masks, (list, tuple)) else [masks]
        for output, mask in zip(flat_outputs, flat_masks):
            if mask is None or not isinstance(output, KerasTensor) or output._keras_mask is not None:
                continue
            # A mask covers the output's leading axes: (batch, time) of (batch, time, units).
            shape = tuple(None if i < output.ndim and output.shape[i] is None else d for i, d in enumerate(mask.shape))
            if batch_unknown and shape:
                shape = (None,) + shape[1:]
            output._keras_mask = KerasTensor(shape, dtype="bool")

    # ---- the functional graph around a layer ------------------------------------------------

    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on a functional-API input, so it has no "
                                 f"defined {what}; call it on neuroflow.Input(...) placeholders first")
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The placeholder(s) this layer was first called on (functional API)."""
        node = self._first_node("input")
        if not node.call_args:
            return node.outputs  # an InputLayer's input is its own placeholder
        return node.call_args[0]

    @property
    def output(self):
        """The placeholder(s) this layer produced on its first call (functional API)."""
        return self._first_node("output").outputs

    @property
    def input_shape(self):
        return nest.map_structure(lambda t: t.shape, self.input)

    @property
    def output_shape(self):
        return nest.map_structure(lambda t: t.shape, self.output)

    # ---- config ------------------------------------------------------------------------------

    def get_config(self):
        """The constructor arguments, so that `from_config(get_config())` rebuilds the layer."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_config()}
        if self._input_shape_argument is not None:
            config["batch_input_shape"] = (self._batch_size_argument,) + tuple(self._input_shape_argument)
        return config

    # Options Keras writes for this class that neuroflow drops at these inert values (layers/keras_options.py).
    keras_inert_options = {}

    @classmethod
    def from_config(cls, config):
        return cls(**keras_options.drop_inert_options(cls, config, Layer))

    # ---- saved state -------------------------------------------------------------------------

    def saved_variables(self):
        """This layer's own variables in the order Keras' `save_own_variables` writes them.

        Returns:
            {subpath: [variables]}: '' for the layer's own `vars` group; a sub-object's name where
            Keras keeps them in a sub-layer that neuroflow does not have (an RNN's 'cell'). Sub-layers
            held as attributes save their own. The default is Keras' own: the trainable variables,
            then the non-trainable ones, each in creation order.
        """
        own = self._own_weights
        return {"": [w for w in own if w.trainable] + [w for w in own if not w.trainable]}

    def keras_trainable_variables(self, sublayers=None):
        """`trainable_variables` in Keras' order (the order a Keras optimizer's slots follow): the
        layer's own, then each of `sublayers`' (default: the tracked sub-layers, in tracking order)."""
        if not self.trainable:
            return []
        variables = [w for w in self._own_weights if w.trainable]
        if not self._tracked_layers:
            return variables
        for child in self._tracked_layers if sublayers is None else sublayers:
            variables += child.keras_trainable_variables()
        return unique_objects(variables)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def unique_objects(items):
    """`items` in order with each object kept once, compared by identity (a Tensor's == is elementwise).

    Beside Layer rather than in utils/: its weight lists run on every training step, and this keeps
    that step in the files it already passes through."""
    seen, unique = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            unique.append(item)
    return unique


def _carried_mask(inputs):
    """The `_keras_mask` of the input (a list of them for several inputs), or None if none has one."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return getattr(inputs, "_keras_mask", None)


def _attach_masks(outputs, masks, tensor_type):
    """Writes `masks` (one per flat output; a single mask goes to the first) onto outputs without one."""
    if masks is None:
        return
    flat_masks = masks if isinstance(masks, (list, tuple)) else [masks]
    for output, mask in zip(nest.flatten(outputs), flat_masks):
        if mask is None or not isinstance(output, tensor_type) or getattr(output, "_keras_mask", None) is not None:
            continue
        if not isinstance(mask, Tensor):
            mask = Tensor(backend.xp.asarray(mask))
        output._keras_mask = mask

