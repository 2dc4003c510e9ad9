"""CSV uploads: two numbers and a label a row, with errors that name the line."""
import numpy as np
import pytest

from neuroflow.playground.csv_dataset import parse_csv


def rows(count, label=lambda index: index % 2):
    return "\n".join(f"{index * 0.1},{-index * 0.2},{label(index)}" for index in range(count))


def test_a_file_with_a_header_gives_points_and_labels_of_minus_one_and_one():
    points, labels = parse_csv("x1,x2,label\n" + rows(12) + "\n\n", "classification")
    assert points.shape == (12, 2) and points[3].tolist() == pytest.approx([0.3, -0.6])
    assert labels.tolist() == [-1.0, 1.0] * 6


def test_regression_labels_are_scaled_into_minus_one_to_one():
    _points, labels = parse_csv(rows(10, label=lambda index: index * 2), "regression")
    assert labels.max() == 1 and labels.min() == 0
    np.testing.assert_allclose(labels, np.arange(10) / 9)


@pytest.mark.parametrize("text, problem, message", [
    ("1,2\n" + rows(20), "classification", r"line 1: expected 3 columns \(x1, x2, label\), got 2"),
    (rows(3) + "\n1,two,0\n" + rows(20), "classification", r"line 4: expected three numbers \(x1, x2, label\), got '1,two,0'"),
    (rows(3) + "\n1,nan,0", "classification", "line 4: values must be finite numbers"),
    (rows(5), "classification", "needs at least 10 rows of x1, x2, label; found 5"),
    (rows(20, label=lambda index: index % 3), "classification", "exactly two label values .* found 3: 0, 1, 2"),
    (rows(6000), "regression", "more than 5000 rows"),
    (b"1,2,3", "regression", "must be text, got bytes"),
])
def test_bad_files_are_refused_with_the_line_and_the_reason(text, problem, message):
    with pytest.raises(ValueError, match=message):
        parse_csv(text, problem)
