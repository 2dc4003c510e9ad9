"""InputSpec: what a layer accepts, checked where input enters (`Layer.__call__`)."""
from neuroflow.utils.errors import shape_text


class InputSpec:
    """Expected rank and fixed axis sizes of a layer's input (keras.layers.InputSpec).

    Args:
        ndim: exact rank, or None.
        min_ndim: minimum rank, or None.
        axes: {axis: size} for axes whose size is fixed (e.g. {-1: 784} after Dense is built).
    """

    def __init__(self, ndim=None, min_ndim=None, max_ndim=None, axes=None, shape=None):
        self.ndim = ndim
        self.min_ndim = min_ndim
        self.max_ndim = max_ndim
        self.axes = dict(axes or {})
        self.shape = shape

    def check(self, layer, shape, index=0):
        """Raises ValueError naming the layer, the expectation and the received shape."""
        rank = len(shape)
        where = f"Input {index} of layer '{layer.name}' ({type(layer).__name__}) is incompatible with the layer"
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(f"{where}: expected ndim={self.ndim}, found ndim={rank}. "
                             f"Full shape received: {shape_text(shape)}")
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={self.min_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape_text(shape)}")
        if self.max_ndim is not None and rank > self.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={self.max_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape_text(shape)}")
        for axis, size in self.axes.items():
            if -rank <= axis < rank and shape[axis] is not None and shape[axis] != size:
                expected = [None] * rank
                expected[axis] = size
                raise ValueError(f"{where}: expected axis {axis} of input shape to have value {size}, "
                                 f"but received input with shape {shape_text(shape)}. "
                                 f"The layer was built for input shape {shape_text(expected)}; reshape or "
                                 f"flatten the input, or build the model with the right input_shape.")
