"""The input features a playground network can be given, computed from the point (x1, x2).

Each feature has a NumPy expression in `x1` and `x2`; the same text is evaluated here and written
into the exported script, so the page and the script compute the same columns.
"""
import numpy as np

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "the playground's datasets, exports and plots are host data for the browser"

#: feature name -> (its label on the page, its NumPy expression in x1 and x2)
FEATURES = {
    "x1": ("X\u2081", "x1"),
    "x2": ("X\u2082", "x2"),
    "x1_squared": ("X\u2081\u00b2", "x1 ** 2"),
    "x2_squared": ("X\u2082\u00b2", "x2 ** 2"),
    "x1_times_x2": ("X\u2081X\u2082", "x1 * x2"),
    "sin_x1": ("sin(X\u2081)", "np.sin(x1)"),
    "sin_x2": ("sin(X\u2082)", "np.sin(x2)"),
}


def feature_columns(points, names):
    """The network's input: one column per feature in `names`, for points of shape (n, 2)."""
    x1, x2 = points[:, 0], points[:, 1]
    # eval reads only the fixed expressions of FEATURES above, never text from a user.
    columns = [eval(FEATURES[name][1], {"np": np}, {"x1": x1, "x2": x2}) for name in names]
    return np.stack(columns, axis=1).astype("float32")
