"""Label and array helpers with `keras.utils` semantics: `to_categorical`, `normalize`."""
import numpy

from neuroflow import backend
from neuroflow.utils.errors import shape_text

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"


def _host_array(x):
    """A NumPy array from an array-like, a neuroflow Tensor, or a backend (e.g. CuPy) array."""
    if hasattr(x, "numpy") and callable(x.numpy):
        x = x.numpy()
    return backend.to_numpy(x) if not isinstance(x, (list, tuple)) else numpy.asarray(x)


def to_categorical(x, num_classes=None):
    """Converts integer class labels to one-hot rows (a binary class matrix).

    The class axis is added last. Labels of shape (..., 1) lose that trailing axis first, so
    (n,) and (n, 1) labels both give (n, num_classes), as in Keras.

        out[..., k] = 1.0 if x[...] == k else 0.0

    Args:
        x: array-like of integer labels in [0, num_classes).
        num_classes: number of classes; None infers `max(x) + 1`.

    Returns:
        float64 NumPy array of shape `x.shape (without a trailing 1) + (num_classes,)`
        (Keras returns float64 for NumPy input too).

    Raises:
        ValueError: a label is negative, not a whole number, or not below `num_classes`;
            or `num_classes` is not a positive integer.

    Example:
        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]])
    """
    values = _host_array(x)
    if values.dtype.kind not in "iub":
        if values.dtype.kind != "f":
            raise ValueError(f"to_categorical expects integer class labels, got dtype {values.dtype}")
        if values.size and not numpy.all(numpy.isfinite(values) & (values == numpy.round(values))):
            bad = values[~(numpy.isfinite(values) & (values == numpy.round(values)))].ravel()[0]
            raise ValueError(
                f"to_categorical expects whole-number class labels, got {bad!r}; labels are class "
                f"indices 0..num_classes-1, not probabilities."
            )
    labels = values.astype(numpy.int64)
    input_shape = labels.shape
    # Shrink a trailing axis of size 1: (n, 1) labels give (n, num_classes).
    if len(input_shape) > 1 and input_shape[-1] == 1:
        input_shape = input_shape[:-1]
    labels = labels.reshape(-1)
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"to_categorical got a negative label ({int(labels.min())}); labels must be class "
            f"indices 0..num_classes-1."
        )
    if not num_classes:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif not isinstance(num_classes, (int, numpy.integer)) or num_classes < 0:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    num_classes = int(num_classes)
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"to_categorical got label {int(labels.max())} with num_classes={num_classes}; labels "
            f"must be in 0..{num_classes - 1}. Raise num_classes or fix the labels."
        )
    categorical = numpy.zeros((labels.shape[0], num_classes))
    categorical[numpy.arange(labels.shape[0]), labels] = 1.0
    return categorical.reshape(tuple(input_shape) + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Scales `x` so each slice along `axis` has unit `order`-norm (zero slices stay zero).

        out = x / ||x||_order   (norm over `axis`; a zero norm counts as 1)

    Args:
        x: array-like.
        axis: the axis along which to take the norm.
        order: the norm order, as `numpy.linalg.norm`'s `ord` (2 = Euclidean, 1, numpy.inf ...).

    Returns:
        A normalized copy, a NumPy array (float; integer input gives float64).

    Raises:
        ValueError: `axis` is out of range for `x`.

    Example:
        >>> normalize(numpy.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
    """
    values = _host_array(x)
    if values.ndim == 0:
        raise ValueError("normalize expects an array with at least one axis, got a scalar")
    if not -values.ndim <= axis < values.ndim:
        raise ValueError(
            f"normalize got axis={axis} for an input of shape {shape_text(values.shape)} "
            f"({values.ndim} axes)"
        )
    norm = numpy.linalg.norm(values, ord=order, axis=axis, keepdims=True)
    norm = numpy.where(norm == 0, numpy.ones((), dtype=norm.dtype), norm)
    return values / norm
