"""Weight initializers (`keras.initializers`): shape and dtype in, backend array out.

    initializer = neuroflow.initializers.get("glorot_uniform")   # or GlorotUniform(seed=1)
    kernel = initializer((784, 128))                             # float32 array

Seeds follow Keras 3: an initializer made with an integer seed, or with no seed, returns the
same values on every call (an unseeded one draws its seed from `neuroflow.random` when it is
created, so `neuroflow.set_random_seed` makes a whole run reproducible); one made with a
`neuroflow.random.SeedGenerator` returns new values on each call.

Random draws happen on the host with NumPy's generator (then move to `backend.xp`), so a seed
gives the same weights whichever array module is active.
"""
import math
import numbers

import numpy

from neuroflow import backend
from neuroflow import random as nf_random
from neuroflow.engine.tensor import install_initializer_resolver
from neuroflow.utils import registry
from neuroflow.utils.errors import shape_text
from neuroflow.utils.serialization import deserialize_object, get_object, serialize_object

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "draws initial values on the host with the seeded generator; Variable moves them to the device"


def _dtype(dtype):
    return numpy.dtype(dtype or backend.floatx())


def _shape(shape):
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    try:
        return tuple(int(d) for d in shape)
    except TypeError as error:
        raise ValueError(f"An initializer's shape must be a tuple of integers. Received: shape={shape!r}") from error


def _to_backend(host_array, dtype):
    return backend.xp.asarray(host_array.astype(dtype, copy=False))


def compute_fans(shape, input_axes=None, output_axes=None):
    """The (fan_in, fan_out) of a weight shape.

    Dense kernels `(in, out)` give (in, out). Convolution kernels `(..., in_channels, filters)`
    multiply both by the receptive field size (the product of the leading spatial dimensions).
    A vector gives (n, n) and a scalar (1, 1). Given both `input_axes` and `output_axes`, the fans
    are the products of the sizes along those axes instead (for kernels such as EinsumDense's).
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return int(math.prod(shape[a] for a in input_axes)), int(math.prod(shape[a] for a in output_axes))
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field_size = math.prod(shape[:-2])
        fan_in = shape[-2] * receptive_field_size
        fan_out = shape[-1] * receptive_field_size
    return int(fan_in), int(fan_out)


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)` and `get_config()`.

    Example:
        class Twos(Initializer):
            def __call__(self, shape, dtype=None):
                return neuroflow.backend.xp.full(shape, 2.0, dtype=dtype or "float32")
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.register_subclass("initializers", cls)

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer {type(self).__name__} must implement __call__(shape, dtype=None).")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


# ---- constant initializers -------------------------------------------------------------------

class Zeros(Initializer):
    """Fills with 0."""

    def __call__(self, shape, dtype=None):
        return backend.xp.zeros(_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """Fills with 1."""

    def __call__(self, shape, dtype=None):
        return backend.xp.ones(_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Fills with `value` (a number, or an array broadcastable to the shape).

    Args:
        value: the fill value (default 0.0).
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        value = backend.xp.asarray(getattr(self.value, "value", self.value), dtype=_dtype(dtype))
        try:
            return backend.xp.array(backend.xp.broadcast_to(value, shape), copy=True)
        except ValueError as error:
            raise ValueError(f"Constant initializer: value of shape {shape_text(value.shape)} cannot fill a "
                             f"weight of shape {shape_text(shape)}.") from error

    def get_config(self):
        value = self.value
        if hasattr(value, "tolist"):
            value = value.tolist()
        return {"value": value}


class Identity(Initializer):
    """The identity matrix times `gain` (for 2D shapes; rectangular ones get ones on the diagonal).

    Args:
        gain: the diagonal value (default 1.0).

    Raises:
        ValueError: for a shape that is not 2D.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity initializer can only be used for 2D matrices. Received: shape={shape_text(shape)} "
                             f"of rank {len(shape)}.")
        return self.gain * backend.xp.eye(shape[0], shape[1], dtype=_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


# Windows over a frame, as `scipy.signal.get_window` names them: (cosine-sum coefficients) or a
# special shape. NumPy only, so the STFT kernel needs no SciPy.
_COSINE_WINDOWS = {"hann": (0.5, 0.5), "hanning": (0.5, 0.5), "hamming": (0.54, 0.46),
                   "blackman": (0.42, 0.5, 0.08), "boxcar": (1.0,), "ones": (1.0,), "rectangular": (1.0,)}
_WINDOW_NAMES = tuple(_COSINE_WINDOWS) + ("bartlett", "triang")


def _window(name, length, periodic):
    """The named window of `length` samples; a periodic one is the symmetric one of length + 1, cut."""
    if length <= 1:
        return numpy.ones(length)
    size = length + 1 if periodic else length
    if name in ("bartlett", "triang"):
        n = numpy.arange(size)
        if name == "bartlett":
            values = 1.0 - numpy.abs(2.0 * n / (size - 1) - 1.0)
        else:
            # SciPy's triangle never reaches zero at the ends.
            half = numpy.arange(1, (size + 1) // 2 + 1)
            rising = (2 * half - 1.0) / size if size % 2 == 0 else 2 * half / (size + 1.0)
            values = numpy.concatenate([rising, rising[-1 - size % 2::-1]])
    else:
        phase = 2.0 * numpy.pi * numpy.arange(size) / (size - 1)
        values = sum(((-1) ** k) * a * numpy.cos(k * phase) for k, a in enumerate(_COSINE_WINDOWS[name]))
    return values[:length]


class STFT(Initializer):
    """Convolution kernels that compute one side of a short-time Fourier transform.

    For a shape `(frame_length, channels, bins)` the kernel holds cos (side "real") or sin (side
    "imag") of `-2 pi t f / fft_length` with `fft_length = 2 * (bins - 1)`, times an optional window
    over t, divided by the window's L2 norm ("density") or L1 norm ("spectrum"). This is what
    `keras.initializers.STFT` returns (the kernel of `STFTSpectrogram`).

    Args:
        side: "real" or "imag".
        window: a window name ("hann", "hamming", "blackman", "bartlett", "triang", "boxcar"), an
            array of `frame_length` values, or None for no window.
        scaling: "density", "spectrum" or None.
        periodic: use the periodic form of a named window (the one for spectral analysis).

    Raises:
        ValueError: for an unknown side, window name or scaling, or a window of the wrong length.
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"Argument `side` must be 'real' or 'imag'. Received: side={side!r}")
        if isinstance(window, str) and window not in _WINDOW_NAMES:
            raise ValueError(f"Argument `window` must be one of {', '.join(_WINDOW_NAMES)}, an array or None. "
                             f"Received: window={window!r}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"Argument `scaling` must be None, 'density' or 'spectrum'. Received: scaling={scaling!r}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 3:
            raise ValueError(f"STFT initializer expects a shape (frame_length, channels, bins). "
                             f"Received: shape={shape_text(shape)}")
        frame_length, _, bins = shape
        time = numpy.arange(frame_length, dtype=numpy.float64).reshape(frame_length, 1, 1)
        freq = numpy.arange(bins, dtype=numpy.float64).reshape(1, 1, bins) / ((bins - 1) * 2)
        angle = -2.0 * time * freq * numpy.pi
        kernel = numpy.cos(angle) if self.side == "real" else numpy.sin(angle)
        if self.window is not None:
            if isinstance(self.window, str):
                window = _window(self.window, frame_length, self.periodic)
            else:
                window = numpy.asarray(self.window, dtype=numpy.float64)
            if window.shape != (frame_length,):
                raise ValueError(f"The shape of `window` must be (frame_length,) = ({frame_length},). "
                                 f"Received: window shape={shape_text(window.shape)}")
            window = window.reshape(frame_length, 1, 1)
            scale = 1.0
            if self.scaling == "density":
                scale = numpy.sqrt(numpy.sum(window ** 2))
            elif self.scaling == "spectrum":
                scale = numpy.sum(numpy.abs(window))
            kernel = kernel * window / scale
        return _to_backend(numpy.broadcast_to(kernel, shape).copy(), _dtype(dtype))

    def get_config(self):
        window = self.window.tolist() if hasattr(self.window, "tolist") else self.window
        return {"side": self.side, "window": window, "periodic": self.periodic, "scaling": self.scaling}


# ---- random initializers ---------------------------------------------------------------------

class RandomInitializer(Initializer):
    """Base of the random initializers: owns the seed.

    Args:
        seed: an int (same values each call), None (a seed drawn from `neuroflow.random` now:
            same values each call, reproducible under `set_random_seed`), or a
            `neuroflow.random.SeedGenerator` (new values each call).

    Raises:
        ValueError: for any other seed.
    """

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = nf_random.make_seed()
        elif isinstance(seed, dict):
            seed = seed.get("config", {}).get("seed")
        elif not isinstance(seed, (numbers.Integral, nf_random.SeedGenerator)) or isinstance(seed, bool):
            raise ValueError("`seed` argument should be an instance of `neuroflow.random.SeedGenerator()` or an "
                             f"integer. Received: seed={seed!r}")
        self.seed = seed

    def _generator(self):
        if isinstance(self.seed, nf_random.SeedGenerator):
            return self.seed.rng
        return numpy.random.default_rng(int(self.seed))

    def get_config(self):
        seed = self._init_seed
        if isinstance(seed, nf_random.SeedGenerator):
            # A generator's stream cannot be written down; keep its starting seed.
            seed = seed.seed
        return {"seed": seed}


def _truncated_normal(generator, shape, mean, stddev):
    """Normal samples, each one beyond two standard deviations of the mean drawn again."""
    values = generator.normal(mean, stddev, size=shape)
    outside = numpy.abs(values - mean) > 2 * stddev
    while outside.any():
        values[outside] = generator.normal(mean, stddev, size=int(outside.sum()))
        outside = numpy.abs(values - mean) > 2 * stddev
    return values


class RandomNormal(RandomInitializer):
    """Samples from a normal distribution N(mean, stddev**2).

    Args:
        mean: the mean (default 0.0).
        stddev: the standard deviation (default 0.05).
        seed: see `RandomInitializer`.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = self._generator().normal(self.mean, self.stddev, size=_shape(shape))
        return _to_backend(values, _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Samples from N(mean, stddev**2), redrawing any value more than 2 stddev from the mean.

    Args:
        mean: the mean (default 0.0).
        stddev: the standard deviation before truncation (default 0.05).
        seed: see `RandomInitializer`.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = _truncated_normal(self._generator(), _shape(shape), self.mean, self.stddev)
        return _to_backend(values, _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples from the uniform distribution on [minval, maxval).

    Args:
        minval: the lower bound (default -0.05).
        maxval: the upper bound (default 0.05).
        seed: see `RandomInitializer`.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        values = self._generator().uniform(self.minval, self.maxval, size=_shape(shape))
        return _to_backend(values, _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's fan: the variance is `scale / n`.

    n is fan_in, fan_out, or their mean (`mode`), with fans from `compute_fans`, and at least 1.

    - "truncated_normal": a normal truncated at 2 stddev, with
      `stddev = sqrt(scale / n) / 0.87962566103423978` (the truncation's correction, so the
      samples' standard deviation is sqrt(scale / n));
    - "untruncated_normal": N(0, scale / n);
    - "uniform": U(-limit, limit) with `limit = sqrt(3 * scale / n)`.

    Args:
        scale: positive scaling factor (default 1.0).
        mode: "fan_in" (default), "fan_out" or "fan_avg".
        distribution: "truncated_normal" (default; "normal" means the same), "untruncated_normal"
            or "uniform".
        seed: see `RandomInitializer`.
        input_axes, output_axes: the axes whose sizes make fan_in and fan_out (both or neither;
            None uses the layout rule of `compute_fans`).

    Raises:
        ValueError: for a non-positive scale, or an unknown mode or distribution.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
                 output_axes=None):
        if not scale > 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of 'fan_in', 'fan_out', 'fan_avg'.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Please use one of 'uniform', "
                             "'truncated_normal', 'untruncated_normal'.")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]
        super().__init__(seed=seed)

    def _axes_config(self):
        # Keras writes both keys always; neuroflow only when set, so configs without them stay as they were.
        if self.input_axes is None and self.output_axes is None:
            return {}
        return {"input_axes": self.input_axes, "output_axes": self.output_axes}

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        generator = self._generator()
        if self.distribution == "truncated_normal":
            # 0.8796... is the standard deviation of a unit normal truncated to [-2, 2].
            values = _truncated_normal(generator, shape, 0.0, math.sqrt(scale) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            values = generator.normal(0.0, math.sqrt(scale), size=shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = generator.uniform(-limit, limit, size=shape)
        return _to_backend(values, _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **self._axes_config()}


class _FixedVarianceScaling(VarianceScaling):
    """A named VarianceScaling setting whose only argument is the seed."""

    _settings = {}

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(seed=seed, input_axes=input_axes, output_axes=output_axes, **self._settings)

    def get_config(self):
        return {"seed": RandomInitializer.get_config(self)["seed"], **self._axes_config()}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: U(-limit, limit), `limit = sqrt(6 / (fan_in + fan_out))`."""

    _settings = {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"}


class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with `stddev = sqrt(2 / (fan_in + fan_out))`."""

    _settings = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}


class HeUniform(_FixedVarianceScaling):
    """He uniform: U(-limit, limit), `limit = sqrt(6 / fan_in)`."""

    _settings = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}


class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with `stddev = sqrt(2 / fan_in)`."""

    _settings = {"scale": 2.0, "mode": "fan_in", "distribution": "truncated_normal"}


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: U(-limit, limit), `limit = sqrt(3 / fan_in)`."""

    _settings = {"scale": 1.0, "mode": "fan_in", "distribution": "uniform"}


class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with `stddev = sqrt(1 / fan_in)`."""

    _settings = {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times `gain` (Saxe et al., 2014).

    The shape is flattened to (prod(shape[:-1]), shape[-1]); a normal matrix of the taller
    orientation is QR-factorized, Q's columns are sign-corrected by diag(R) (so the result is
    uniformly distributed), and Q is transposed back if needed: the result has orthonormal
    columns when rows >= columns, orthonormal rows otherwise.

    Args:
        gain: the multiplier (default 1.0).
        seed: see `RandomInitializer`.

    Raises:
        ValueError: for a shape of rank below 2.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape_text(shape)} of rank {len(shape)}.")
        rows, columns = math.prod(shape[:-1]), shape[-1]
        matrix = self._generator().normal(size=(max(rows, columns), min(rows, columns)))
        q, r = numpy.linalg.qr(matrix)
        q *= numpy.sign(numpy.diag(r))
        if rows < columns:
            q = q.T
        return _to_backend(self.gain * q.reshape(shape), _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


# ---- names -----------------------------------------------------------------------------------

# The classes registered themselves (Initializer.__init_subclass__); these are Keras' other spellings.
registry.register_builtins("initializers", {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_normal": GlorotNormal, "glorot_uniform": GlorotUniform, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    # Older Keras spellings.
    "zero": Zeros, "one": Ones, "uniform": RandomUniform, "normal": RandomNormal,
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
    "stft": STFT, "STFTInitializer": STFT,
})
ALL_OBJECTS = registry.builtins("initializers")

# Snake-case aliases of the classes, as Keras exports them (`initializers.glorot_uniform(seed=1)`).
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal, variance_scaling = (RandomNormal, RandomUniform, TruncatedNormal,
                                                                     VarianceScaling)
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, HeUniform
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
# Keras' compatibility spellings of three classes.
IdentityInitializer, OrthogonalInitializer, STFTInitializer, stft = Identity, Orthogonal, STFT, STFT


def serialize(initializer):
    """The initializer as `{'module', 'class_name', 'config', 'registered_name'}`."""
    return serialize_object(initializer, "neuroflow.initializers")


def deserialize(config, custom_objects=None):
    """Builds an initializer from the output of `serialize`.

    Raises:
        ValueError: for an unknown `class_name`, naming the closest known one.
    """
    return deserialize_object("initializer", config, ALL_OBJECTS, custom_objects)


def get(identifier):
    """An initializer from a name ('glorot_uniform' or 'GlorotUniform'), a config dict, an
    instance, a class, or a callable `(shape, dtype=None) -> array`. None gives None.

    Raises:
        ValueError: for an unknown name (with the closest known one) or an uninterpretable value.
    """
    return get_object("initializer", identifier, ALL_OBJECTS, deserialize,
                      "a name such as 'glorot_uniform', a config dict, an Initializer or a callable "
                      "(shape, dtype=None)")


# Variable("zeros", shape=...) resolves names through this module (engine/tensor.py).
install_initializer_resolver(get)
