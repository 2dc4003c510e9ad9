"""A user's own 2-D dataset: a CSV file of rows `x1, x2, label`, checked line by line.

The first row may be a header (any non-numeric row first). Errors name the line, what was expected
and what was found, because the message is shown to the student as-is.
"""
import csv
import io

import numpy as np

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "the playground's datasets, exports and plots are host data for the browser"

MIN_ROWS = 10
MAX_ROWS = 5000
MAX_BYTES = 1_000_000


def parse_csv(text, problem):
    """Points of shape (n, 2) and labels of shape (n,) in [-1, 1] from CSV text.

    Classification labels must take exactly two values; the smaller becomes -1, the larger +1
    (so 0/1 and -1/1 files both work). Regression labels are scaled into [-1, 1] by their largest
    magnitude when they leave that range.

    Raises:
        ValueError: naming the line and what is wrong with it.
    """
    if not isinstance(text, str):
        raise ValueError(f"the CSV upload must be text, got {type(text).__name__}")
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise ValueError(f"the CSV file is larger than {MAX_BYTES // 1000} kB; upload at most {MAX_ROWS} rows")
    rows = []
    for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise ValueError(f"line {line_number}: expected 3 columns (x1, x2, label), got {len(row)}: {','.join(row)!r}")
        try:
            values = [float(cell) for cell in row]
        except ValueError:
            if not rows and line_number == 1:
                continue  # a header row
            raise ValueError(f"line {line_number}: expected three numbers (x1, x2, label), got {','.join(row)!r}") from None
        if not all(np.isfinite(values)):
            raise ValueError(f"line {line_number}: values must be finite numbers, got {','.join(row)!r}")
        rows.append(values)
        if len(rows) > MAX_ROWS:
            raise ValueError(f"the CSV file has more than {MAX_ROWS} rows; upload at most {MAX_ROWS}")
    if len(rows) < MIN_ROWS:
        raise ValueError(f"the CSV file needs at least {MIN_ROWS} rows of x1, x2, label; found {len(rows)}")
    data = np.array(rows)
    points, labels = data[:, :2], data[:, 2]
    if problem == "classification":
        classes = np.unique(labels)
        if len(classes) != 2:
            shown = ", ".join(f"{value:g}" for value in classes[:5]) + (", ..." if len(classes) > 5 else "")
            raise ValueError(f"a classification CSV needs exactly two label values (such as 0 and 1), "
                             f"found {len(classes)}: {shown}")
        labels = np.where(labels == classes[1], 1.0, -1.0)
    elif np.abs(labels).max() > 1:
        labels = labels / np.abs(labels).max()
    return points, labels
