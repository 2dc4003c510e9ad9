"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE), as keras.layers has it since Keras 3.13.

Each image channel, on the 0..255 scale, is cut into a grid of tiles (padded by reflection to a
whole number of tiles); each tile's 256-bin histogram is clipped at clip_limit * pixels / 256 and
the excess spread evenly over the bins; the normalized cumulative histogram maps a pixel value
to its equalized value. A pixel's output interpolates bilinearly between the maps of the four
tiles around it (edge tiles repeated), which removes the tile boundaries. Keras' algorithm, step
for step, in NumPy: an integer-binned lookup, with no gradient (Keras' has none either).
"""
import numpy

from neuroflow import backend
from neuroflow.engine.tensor import Tensor
from neuroflow.layers.convolutional import check_data_format
from neuroflow.layers.image_preprocessing import _value_range
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.ops import image as image_ops

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "CLAHE runs on a host copy (integer histograms, no gradient), then moves the result back"


def _tile_maps(padded, grid_h, grid_w, tile_h, tile_w, clip_limit):
    """(batch, grid_h + 2, grid_w + 2, channels, 256): each tile's value map, edge tiles repeated."""
    batch, _, _, channels = padded.shape
    tiles = padded.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels).transpose(0, 1, 3, 5, 2, 4)
    bins = numpy.clip(tiles.reshape(batch, grid_h, grid_w, channels, tile_h * tile_w).astype("int32"), 0, 255)
    # One bincount for every tile at once: tile k's values are offset into bins 256 k .. 256 k + 255.
    flat = bins.reshape(-1, tile_h * tile_w)
    offsets = numpy.arange(flat.shape[0])[:, None] * 256
    counts = numpy.bincount((flat + offsets).ravel(), minlength=flat.shape[0] * 256).astype("float32")
    counts = counts.reshape(batch, grid_h, grid_w, channels, 256)
    if clip_limit > 0:
        limit = numpy.float32(clip_limit * (tile_h * tile_w) / 256.0)
        clipped = numpy.clip(counts, 0, limit)
        counts = clipped + (counts - clipped).sum(axis=-1, keepdims=True) / 256.0
    cdf = numpy.cumsum(counts, axis=-1)
    cdf_min = cdf.min(axis=-1, keepdims=True)
    denominator = numpy.float32(tile_h * tile_w) - cdf_min
    denominator = numpy.where(denominator == 0, 1.0, denominator)
    maps = numpy.clip((cdf - cdf_min) * 255.0 / denominator, 0, 255).astype("float32")
    maps = numpy.concatenate([maps[:, :1], maps, maps[:, -1:]], axis=1)
    return numpy.concatenate([maps[:, :, :1], maps, maps[:, :, -1:]], axis=2)


def clahe(images, clip_limit, tile_grid_size):
    """CLAHE of (batch, height, width, channels) float32 images on the 0..255 scale."""
    batch, height, width, channels = images.shape
    grid_h, grid_w = tile_grid_size
    tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
    pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
    padded = images
    if pad_h or pad_w:
        padded = numpy.pad(images, [(0, 0), (0, pad_h), (0, pad_w), (0, 0)], mode="symmetric")
    maps = _tile_maps(padded, grid_h, grid_w, tile_h, tile_w, clip_limit)
    # Position of each pixel among the tile centres, in the grid padded by one tile on each side.
    rows = (numpy.arange(tile_h * grid_h, dtype="float32") - tile_h / 2.0) / tile_h + 1.0
    columns = (numpy.arange(tile_w * grid_w, dtype="float32") - tile_w / 2.0) / tile_w + 1.0
    top, left = numpy.floor(rows), numpy.floor(columns)
    row_weight, column_weight = (rows - top)[None, :, None, None], (columns - left)[None, None, :, None]
    top_index, bottom_index = (numpy.clip(v, 0, grid_h + 1).astype("int32") for v in (top, top + 1))
    left_index, right_index = (numpy.clip(v, 0, grid_w + 1).astype("int32") for v in (left, left + 1))
    pixels = numpy.clip(padded, 0, 255).astype("int32")
    batch_index = numpy.arange(batch)[:, None, None, None]
    channel_index = numpy.arange(channels)[None, None, None, :]

    def lookup(row_index, column_index):
        return maps[batch_index, row_index[None, :, None, None], column_index[None, None, :, None], channel_index,
                    pixels]

    upper = lookup(top_index, left_index) * (1.0 - column_weight) + lookup(top_index, right_index) * column_weight
    lower = lookup(bottom_index, left_index) * (1.0 - column_weight) + lookup(bottom_index, right_index) * column_weight
    result = upper * (1.0 - row_weight) + lower * row_weight
    return result[:, :height, :width, :]


class ContrastLimitedAdaptiveHistogramEqualization(Layer):
    """Contrast Limited Adaptive Histogram Equalization, in training and inference alike.

    Args:
        value_range: (low, high) of the input's values, default (0, 255).
        clip_limit: how far a tile's histogram may rise above flat before it is clipped (the noise
            amplification limit in near-constant regions), default 4.0; 0 disables clipping.
        tile_grid_size: (rows, columns) of tiles, default (8, 8).
        data_format: 'channels_last' (default) or 'channels_first'.

    Input: (batch, height, width, channels) or one image (height, width, channels); the output
    has the input's shape and dtype.
    """

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"ContrastLimitedAdaptiveHistogramEqualization '{self.name}'"
        self.value_range = _value_range(value_range, where)
        if not isinstance(clip_limit, (int, float)) or isinstance(clip_limit, bool) or clip_limit < 0:
            raise ValueError(f"{where}: `clip_limit` must be a non-negative number; received clip_limit={clip_limit!r}")
        self.clip_limit = clip_limit
        if (not isinstance(tile_grid_size, (list, tuple)) or len(tile_grid_size) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in tile_grid_size)):
            raise ValueError(f"{where}: `tile_grid_size` must be two positive integers (rows, columns); received "
                             f"tile_grid_size={tile_grid_size!r}")
        self.tile_grid_size = tuple(tile_grid_size)
        self.data_format = check_data_format(data_format, where)
        self.input_spec = InputSpec(min_ndim=3, max_ndim=4)

    def call(self, inputs):
        def equalize(images):
            values = backend.to_numpy(images.value if isinstance(images, Tensor) else images)
            dtype = values.dtype
            low, high = self.value_range
            scaled = values
            if (low, high) != (0, 255):
                scaled = (values.astype("float32") - low) * (255.0 / (high - low))
            out = clahe(scaled, self.clip_limit, self.tile_grid_size)
            if (low, high) != (0, 255):
                out = out.astype("float32") * ((high - low) / 255.0) + low
            return Tensor(backend.xp.asarray(out.astype(dtype)))

        return image_ops.on_image_batch(inputs, self.data_format, equalize,
                                        what="ContrastLimitedAdaptiveHistogramEqualization")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "clip_limit": self.clip_limit,
                       "tile_grid_size": self.tile_grid_size, "data_format": self.data_format})
        return config
