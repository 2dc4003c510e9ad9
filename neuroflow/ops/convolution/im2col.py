"""im2col and its adjoint col2im: a padded input's kernel taps side by side, and back."""
from neuroflow import backend
from neuroflow.ops.parallel import run_chunks
from neuroflow.ops.window import tap_slices


def im2col(x_padded, kernel_hw, geometry):
    """Columns (batch, oh, ow, kh, kw, channels) of a padded NHWC input.

    A strided window view (no copy) made contiguous in one pass; a copy per tap for few channels
    or where the array module has no sliding_window_view. Both are split over the batch (threads).
    """
    kh, kw = kernel_hw
    (sh, sw), (dh, dw), (oh, ow) = geometry
    xp = backend.xp
    n, _, _, c = x_padded.shape
    window_view = getattr(getattr(getattr(xp, "lib", None), "stride_tricks", None), "sliding_window_view", None)
    if window_view is not None and c >= 4:
        span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
        windows = window_view(x_padded, (span_h, span_w), axis=(1, 2))  # (n, H', W', c, span_h, span_w)
        windows = windows[:, :sh * (oh - 1) + 1:sh, :sw * (ow - 1) + 1:sw, :, ::dh, ::dw]
        windows = windows.transpose(0, 1, 2, 4, 5, 3)
        columns = xp.empty(windows.shape, dtype=x_padded.dtype)

        def copy(start, stop):
            xp.copyto(columns[start:stop], windows[start:stop])

        run_chunks(n, copy, columns.size)  # a pure copy: split over the batch across threads
        return columns
    # Few channels (an image's 1 or 3): a copy per tap moves whole rows at a time, where the
    # window view's innermost run is only `c` long (0.37 vs 1.7 ms for MNIST's 128 x 26 x 26 x 9).
    columns = xp.empty((n, oh, ow, kh, kw, c), dtype=x_padded.dtype)

    def copy_taps(start, stop):
        for i in range(kh):
            for j in range(kw):
                _, rows, cols = tap_slices(i, j, geometry)
                columns[start:stop, :, :, i, j, :] = x_padded[start:stop, rows, cols]

    run_chunks(n, copy_taps, columns.size)
    return columns


def col2im(columns, padded_shape, geometry):
    """The adjoint of im2col: adds each tap's columns back onto a zero padded input."""
    grad = backend.xp.empty(padded_shape, dtype=columns.dtype)
    kh, kw = columns.shape[3:5]

    def accumulate(start, stop):  # samples start:stop, independent of the others
        part = grad[start:stop]
        part.fill(0)
        for i in range(kh):
            for j in range(kw):
                part[tap_slices(i, j, geometry)] += columns[start:stop, :, :, i, j, :]

    run_chunks(padded_shape[0], accumulate, columns.size)
    return grad
