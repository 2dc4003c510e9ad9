"""Window geometry (ops/window.py): output lengths and pads against the formulas written out."""
import math

import pytest

from neuroflow.ops import window


def _expected_length(n, k, s, d, padding):
    """The textbook output length: floor((n - k_eff) / s) + 1 for 'valid', ceil(n / s) otherwise."""
    effective = (k - 1) * d + 1
    if padding == "valid":
        return max((n - effective) // s + 1, 0)
    return math.ceil(n / s)


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_output_length_matches_the_formulas(padding):
    for n in range(0, 12):
        for k in range(1, 5):
            for s in range(1, 4):
                for d in range(1, 4):
                    (pads,) = window.spatial_pads((n,), (k,), (s,), (d,), padding)
                    got = max(window.output_length(n, k, s, d, pads), 0)
                    assert got == _expected_length(n, k, s, d, padding), (n, k, s, d, padding)
                    assert window.output_shape((n,), k, s, padding, d) == (_expected_length(n, k, s, d, padding),)


def test_same_pads_put_the_extra_one_after():
    # n=5, k=4, s=1: total 3 -> (1, 2); n=6, k=3, s=2: ceil(6/2)=3, total max(2*2 + 3 - 6, 0) = 1 -> (0, 1)
    assert window.same_padding(5, 4, 1) == (1, 2)
    assert window.same_padding(6, 3, 2) == (0, 1)
    assert window.same_padding(7, 3, 1, dilation=2) == (2, 2)  # k_eff 5


def test_causal_pads_everything_before():
    assert window.spatial_pads((10,), (3,), (1,), (2,), "causal") == ((4, 0),)


def test_output_shape_keeps_unknown_sizes():
    assert window.output_shape((None, 28), 3, 2, "same") == (None, 14)
    assert window.output_shape((28, 28), 3, 2, "valid") == (13, 13)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_deconv_output_length_inverts_the_convolution(padding):
    # Without output_padding the transposed convolution of an n-long input gives an output that a
    # convolution with the same arguments maps back to n.
    for n in range(1, 8):
        for k in range(1, 5):
            for s in range(1, 4):
                out = window.deconv_output_length(n, k, s, padding)
                (pads,) = window.spatial_pads((out,), (k,), (s,), (1,), padding)
                assert window.output_length(out, k, s, 1, pads) == n, (n, k, s, padding)
