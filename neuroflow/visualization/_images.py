"""Shared checks and conversions of the drawing functions: batches, layouts, value ranges, matplotlib."""
import numpy

from neuroflow import backend

HOST_NUMPY = "draws on host images for matplotlib and Pillow"  # numpy here works on host data (tests/test_backend_seam.py)


def host_batch(images, name="images"):
    """`images` as a host NumPy array of rank 4.

    Raises:
        ValueError: the array is not a batch of images (rank 4).
    """
    array = backend.to_numpy(getattr(images, "value", images))
    array = numpy.asarray(array)
    if array.ndim != 4:
        raise ValueError(f"`{name}` must be a batched 4D tensor. Received: {name}.shape={array.shape}")
    return array


def data_format_of(data_format):
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("Argument `data_format` must be 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def to_channels_last(array, data_format):
    return array.transpose(0, 2, 3, 1) if data_format == "channels_first" else array


def rescale(images, value_range, target_range=(0, 255)):
    """Maps values linearly from `value_range` to `target_range`, in float32."""
    images = images.astype(numpy.float32)
    if tuple(value_range) == tuple(target_range):
        return images
    low, high = value_range
    new_low, new_high = target_range
    return (images - low) / (high - low) * (new_high - new_low) + new_low


def matplotlib_module(function):
    """pyplot and matplotlib.patches, or an ImportError naming the extra to install."""
    # matplotlib is an optional extra (`neuroflow[plot]`): imported only when a gallery is drawn.
    try:
        from matplotlib import patches, pyplot
    except ImportError as error:
        raise ImportError(f"{function} needs matplotlib, which is not installed. Install it with: "
                          'pip install "neuroflow[plot]"') from error
    return pyplot, patches
