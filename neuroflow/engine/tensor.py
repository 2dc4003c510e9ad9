"""`Tensor` (an immutable array value) and `Variable` (mutable state a model trains).

A Tensor only wraps an array of the active backend; it carries no graph. What an op did is
written on the tape that watched it (engine/tape.py), so a Tensor made outside any tape costs
nothing beyond its array. The arithmetic operators (+, *, @, [], ...) are attached by
`neuroflow.ops` so that they run as recorded ops.
"""
import numpy

from neuroflow import backend
from neuroflow.engine import scopes

_DTYPE_NAMES = {}  # dtype -> its name, as `Tensor.dtype` reports it

# Called with the Variable on every assign while a training step is traced (engine/trace.py):
# a forward pass that assigns state cannot be replayed op by op.
_on_assign = None

# Turns an initializer identifier (a name such as 'zeros', a config dict, an object) into a callable
# `(shape, dtype) -> array`. The engine sits below initializers and must not import them, so
# neuroflow/initializers.py installs its `get` here when it is imported (dependency inversion);
# `import neuroflow` always imports it. Until then only callables are accepted.
_resolve_initializer = None


def install_initializer_resolver(resolver):
    """Sets how Variable(initializer_name, shape=...) finds the initializer (initializers.get)."""
    global _resolve_initializer
    _resolve_initializer = resolver


class Tensor:
    """An array value flowing through ops. `value` is the backend array."""

    # `_keras_mask`: the (batch, time) boolean mask a masking layer attached (Keras' name), or None.
    __slots__ = ("value", "_softmax_logits", "_keras_mask", "__weakref__")
    # Makes NumPy defer to our reflected operators in `ndarray * tensor`.
    __array_priority__ = 100

    def __init__(self, value):
        if backend.xp is not numpy and isinstance(value, numpy.ndarray):
            value = backend.xp.asarray(value)  # a host array entering a device backend moves there, once
        self.value = value
        self._softmax_logits = None
        self._keras_mask = None

    @property
    def shape(self):
        return tuple(self.value.shape)

    @property
    def dtype(self):
        # str(numpy dtype) runs Python code inside NumPy (~2 us); the cached name is a dict lookup.
        dtype = self.value.dtype
        name = _DTYPE_NAMES.get(dtype)
        if name is None:
            name = _DTYPE_NAMES[dtype] = str(dtype)
        return name

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def size(self):
        return int(self.value.size)

    def numpy(self):
        """The value as a NumPy array."""
        return backend.to_numpy(self.value)

    def __array__(self, dtype=None, copy=None):
        array = backend.to_numpy(self.value)
        return array.astype(dtype) if dtype is not None else array

    def __len__(self):
        if self.value.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.value.shape[0]

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __index__(self):
        return int(self.value)

    def __bool__(self):
        return bool(self.value)

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"<{type(self).__name__} shape={self.shape} dtype={self.dtype}\n{self.numpy()!r}>"

    def __format__(self, spec):
        if self.value.ndim == 0:
            return format(self.value.item(), spec)
        return format(str(self), spec)


class Variable(Tensor):
    """Mutable state: a model's weights, an optimizer's slots, a metric's totals.

    Updates happen in place on `value`, so the array a Variable owns is the same for its whole
    life (optimizers rely on that to avoid allocations). Trainable variables are watched by every
    GradientTape automatically, as in Keras.

    Args:
        initializer: an array-like initial value, or an initializer (name, object or callable
            taking `(shape, dtype)`) used with `shape`.
        shape: the shape, needed when `initializer` is not a value.
        dtype: the dtype; defaults to the value's float dtype or `backend.floatx()`.
        trainable: whether gradients update it.
        name: a readable name.
        constraint: a callable applied to the value after each optimizer update.
        autocast: whether a mixed-precision layer's call reads it cast to its compute dtype
            (engine/autocast.py; Keras' `autocast`, default True).
    """

    __slots__ = ("name", "trainable", "constraint", "regularizer", "path", "autocast")
    _counter = 0

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None, constraint=None,
                 regularizer=None, autocast=True, **kwargs):
        if callable(initializer) or isinstance(initializer, str):
            if shape is None:
                raise ValueError("Variable(initializer=...) needs `shape` when the initializer is not a value")
            if _resolve_initializer is not None:
                initializer = _resolve_initializer(initializer)
            elif isinstance(initializer, str):
                raise ValueError(f"Variable({initializer!r}, ...): initializer names are known once "
                                 "neuroflow.initializers is imported")
            value = initializer(tuple(shape), dtype=dtype or backend.floatx())
        else:
            value = initializer.value if isinstance(initializer, Tensor) else initializer
        value = backend.xp.asarray(value)
        if dtype is None:
            # Keras' default: float values (and Python numbers) take floatx; integer arrays keep theirs.
            integer_array = value.dtype.kind in "iub" and not isinstance(initializer, (int, float, list, tuple))
            dtype = value.dtype if integer_array else backend.floatx()
        value = value.astype(dtype, copy=False)
        # Own a C-contiguous writable array: in-place updates must never touch the caller's array, and
        # reshape(-1) must be a view (an F-ordered orthogonal init would otherwise copy).
        super().__init__(backend.xp.array(value, copy=True, order="C"))
        if name is None:
            Variable._counter += 1
            name = f"variable_{Variable._counter}"
        self.name = name
        self.path = scopes.scoped(name)
        self.trainable = bool(trainable)
        self.constraint = constraint
        self.regularizer = regularizer
        self.autocast = bool(autocast)

    def assign(self, value):
        """Writes `value` into the variable (in place, keeping shape and dtype)."""
        if _on_assign is not None:
            _on_assign(self)
        value = value.value if isinstance(value, Tensor) else value
        value = backend.xp.asarray(value)
        if value.shape != self.value.shape:
            raise ValueError(f"Variable '{self.name}' has shape {self.shape}; "
                             f"cannot assign a value of shape {tuple(value.shape)}")
        self.value[...] = value
        return self

    def assign_add(self, delta):
        if _on_assign is not None:
            _on_assign(self)
        self.value += delta.value if isinstance(delta, Tensor) else backend.to_device(delta)
        return self

    def assign_sub(self, delta):
        if _on_assign is not None:
            _on_assign(self)
        self.value -= delta.value if isinstance(delta, Tensor) else backend.to_device(delta)
        return self

    def numpy(self):
        """A copy of the value: a snapshot that later in-place updates do not change."""
        return backend.to_numpy(self.value).copy()

    def __array__(self, dtype=None, copy=None):
        # Always a snapshot, like numpy(): `before = np.array(v); fit(...)` must keep `before`.
        return backend.to_numpy(self.value).astype(dtype or self.value.dtype, copy=True)

    def __repr__(self):
        return f"<Variable path={self.path} shape={self.shape} dtype={self.dtype}\n{self.numpy()!r}>"


def convert_to_tensor(x, dtype=None, sparse=None):
    """A Tensor holding `x` (float64 NumPy input stays float64 unless `dtype` says otherwise).

    `neuroflow.ops.convert_to_tensor`, defined here so that ops modules below `neuroflow.ops`
    (ops/image.py) can use it.
    """
    if isinstance(x, Tensor) and (dtype is None or x.dtype == str(numpy.dtype(dtype))):
        return x
    value = x.value if isinstance(x, Tensor) else backend.xp.asarray(x)
    if dtype is not None:
        value = value.astype(dtype)
    elif isinstance(x, (float, list, tuple)) and value.dtype == numpy.float64:
        value = value.astype(backend.floatx())
    return Tensor(value)


def as_array(x, dtype=None):
    """The backend array behind `x` (a Tensor, array or Python number)."""
    if isinstance(x, Tensor):
        x = x.value
    array = backend.xp.asarray(x)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array
