"""SpectralNormalization: rescales a wrapped layer's kernel by its largest singular value while training."""
from neuroflow import backend, initializers
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.wrappers import Wrapper


def _unit(x):
    """x / ||x||_2 over the whole array, with Keras' floor: x * min(1 / ||x||, 1 / epsilon)."""
    epsilon = backend.epsilon()
    return x / backend.xp.sqrt(backend.xp.maximum((x * x).sum(), epsilon * epsilon))


class SpectralNormalization(Wrapper):
    """Keeps the wrapped layer's kernel (or `embeddings`) at spectral norm about 1 (Miyato et al., 2018).

    At each training call, `power_iterations` steps of the power method on W = kernel reshaped to
    (-1, units) refine the left vector `vector_u` (1, units):
        v = unit(u @ W^T), u = unit(v @ W), sigma = v @ W @ u^T,
    and the kernel is replaced in place by kernel / sigma (an all-zero kernel is left alone). Like
    Keras this is an update between steps, not part of the gradient; inference uses the kernel as is.

    Args:
        layer: a layer with a `kernel` or `embeddings` weight (Dense, Conv2D, Embedding ...).
        power_iterations: power-method steps per training call (> 0, default 1).

    Weights: the wrapped layer's, and `vector_u` (1, units), non-trainable.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization '{self.name}': `power_iterations` must be an integer > 0; "
                             f"received power_iterations={power_iterations!r}")
        self.power_iterations = power_iterations

    @property
    def kernel(self):
        return getattr(self.layer, self._kernel_name)

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        names = [name for name in ("kernel", "embeddings") if getattr(self.layer, name, None) is not None]
        if not names:
            raise ValueError(f"SpectralNormalization '{self.name}': `layer` {type(self.layer).__name__} "
                             f"'{self.layer.name}' has no `kernel` nor `embeddings` weight to normalize")
        self._kernel_name = names[0]
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
                                        name="vector_u")
        self.built = True

    def normalized_weights(self):
        """(new vector_u, kernel / sigma) as arrays, from the power method on the current kernel."""
        weights = self.kernel.value.reshape(-1, self.kernel_shape[-1])
        u = self.vector_u.value.astype(weights.dtype)
        for _ in range(self.power_iterations):
            v = _unit(u @ weights.T)
            u = _unit(v @ weights)
        sigma = (v @ weights @ u.T).reshape(())
        return u, (weights / sigma).reshape(self.kernel_shape)

    def call(self, inputs, training=False):
        if training and bool(backend.xp.any(self.kernel.value != 0)):
            u, kernel = self.normalized_weights()
            self.vector_u.assign(u.astype(self.vector_u.value.dtype))
            self.kernel.assign(kernel.astype(self.kernel.value.dtype))
        return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def saved_variables(self):
        # Keras tracks the wrapped kernel as the wrapper's own variable too: vars/0 kernel, vars/1 vector_u.
        return {"": [self.kernel, self.vector_u]}

    def get_config(self):
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config
