"""keras.ops.saturate_cast: a cast that clips to the target dtype's range first, so values saturate
instead of wrapping (-1 and 256 to uint8 give 0 and 255, not 255 and 0)."""
import numpy

from neuroflow.engine.tensor import convert_to_tensor
from neuroflow.ops.elementwise import cast, clip

HOST_NUMPY = "dtype bounds as host scalars"  # numpy here works on host data (tests/test_backend_seam.py)


def _range(dtype):
    dtype = numpy.dtype(dtype)
    if dtype.kind in "iu":
        return numpy.iinfo(dtype).min, numpy.iinfo(dtype).max
    if dtype.kind == "f":
        return numpy.finfo(dtype).min, numpy.finfo(dtype).max
    return None


def saturate_cast(x, dtype):
    """x cast to `dtype`, its values first clipped to what `dtype` can hold (and what x's dtype can state)."""
    if not hasattr(x, "dtype"):
        x = convert_to_tensor(x)
    target = numpy.dtype(dtype)
    bounds = _range(target)
    source = numpy.dtype(x.dtype)
    if bounds is not None and source.kind in "iuf":
        low, high = bounds
        own = _range(source)
        if own[0] < low or own[1] > high:
            # Clip in x's dtype, with bounds x's dtype can hold (float32 cannot hold int64's max exactly).
            low = max(low, own[0])
            high = numpy.asarray(min(high, own[1])).astype(source).item()
            if source.kind == "f" and numpy.asarray(high, dtype=source) > bounds[1]:
                high = numpy.nextafter(numpy.asarray(high, dtype=source), numpy.asarray(0, dtype=source)).item()
            # NumPy scalars of x's dtype (not 0-d arrays): a device accepts them as it accepts Python numbers.
            x = clip(x, numpy.asarray(low, dtype=source)[()], numpy.asarray(high, dtype=source)[()])
    return cast(x, target.name)
