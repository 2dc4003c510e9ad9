"""keras.ops.linalg: float64 gradient checks of every differentiable op, properties, errors, placeholders.

Values against Keras are in test_nn_linalg_image_parity.py.
"""
import numpy
import pytest

import neuroflow
from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor
from neuroflow.ops import linalg
from tests.ops.op_checks import check_grad, uniform

np = numpy


def symmetric(a):
    """Symmetrizes the input, so a finite-difference probe moves both triangles together."""
    return (a + ops.transpose(a, (0, 2, 1) if len(a.shape) == 3 else (1, 0))) * 0.5


def spd(n, batch=(), seed=0):
    a = uniform(*batch, n, n, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def well_conditioned(n, batch=(), seed=0):
    return uniform(*batch, n, n, seed=seed) + 3 * np.eye(n)


def test_inv_gradient():
    check_grad(linalg.inv, well_conditioned(3, (2,)))


def test_det_gradient():
    check_grad(linalg.det, well_conditioned(3, (2,)))


@pytest.mark.parametrize("b_shape", [(3, 2), (3,)], ids=["matrix", "vector"])
def test_solve_gradient(b_shape):
    check_grad(linalg.solve, well_conditioned(3), uniform(*b_shape, seed=1))


@pytest.mark.parametrize("lower", [True, False])
def test_solve_triangular_gradient(lower):
    check_grad(lambda a, b: linalg.solve_triangular(a, b, lower=lower), well_conditioned(3), uniform(3, 2, seed=1))


def test_solve_triangular_reads_one_triangle():
    a = well_conditioned(3)
    b = uniform(3, 2, seed=1)
    np.testing.assert_allclose(linalg.solve_triangular(a, b, lower=True).numpy(), np.linalg.solve(np.tril(a), b))
    np.testing.assert_allclose(linalg.solve_triangular(a, b).numpy(), np.linalg.solve(np.triu(a), b))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_gradient(upper):
    check_grad(lambda a: linalg.cholesky(symmetric(a), upper=upper), spd(3, (2,)))


def test_cholesky_inverse_gradient():
    check_grad(linalg.cholesky_inverse, np.tril(well_conditioned(3)))


def test_eigh_gradients():
    # Values, and the vectors through a sign-free function of them (each column's sign is arbitrary).
    check_grad(lambda a: linalg.eigh(symmetric(a))[0], spd(3, (2,)))
    check_grad(lambda a: ops.square(linalg.eigh(symmetric(a))[1]), spd(3))


def test_svd_values_gradient():
    check_grad(lambda a: linalg.svd(a, compute_uv=False), uniform(4, 3))
    check_grad(lambda a: linalg.svd(a, full_matrices=False)[1], uniform(2, 3, 5))


def test_svd_vectors_do_not_record():
    x = Tensor(uniform(4, 3))
    with GradientTape() as tape:
        tape.watch(x)
        u, s, vh = linalg.svd(x)
    assert tape.gradient(ops.sum(u), x) is None


@pytest.mark.parametrize("shape", [(4, 3), (3, 3)])
def test_qr_gradient(shape):
    check_grad(lambda a: linalg.qr(a)[0], uniform(*shape))
    check_grad(lambda a: linalg.qr(a)[1], uniform(*shape))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4)])
def test_pinv_gradient(shape):
    check_grad(linalg.pinv, uniform(*shape))


def test_lstsq_gradient_and_value():
    a, b = uniform(5, 3), uniform(5, 2, seed=1)
    np.testing.assert_allclose(linalg.lstsq(a, b).numpy(), np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-10)
    check_grad(linalg.lstsq, a, b)


@pytest.mark.parametrize("options", [
    {}, {"axis": 1}, {"ord": 1, "axis": 0}, {"ord": 3, "axis": -1}, {"ord": float("inf"), "axis": 1},
    {"ord": "fro"}, {"ord": "nuc"}, {"ord": 2}, {"ord": -2}, {"ord": 1}, {"ord": float("-inf")},
    {"ord": "nuc", "keepdims": True},
], ids=str)
def test_norm_gradient(options):
    check_grad(lambda x: linalg.norm(x, **options), uniform(3, 4))


def test_norm_matches_numpy():
    x = uniform(2, 3, 4)
    for options in ({"ord": 2, "axis": (1, 2)}, {"ord": -1, "axis": (0, 2), "keepdims": True}, {"axis": 0, "ord": -np.inf},
                    {"axis": 2, "ord": 0}):
        np.testing.assert_allclose(linalg.norm(x, **options).numpy(), np.linalg.norm(x, **options), rtol=1e-12)


def test_eig_reconstructs():
    a = uniform(2, 3, 3)
    values, vectors = linalg.eig(a)
    v = vectors.numpy()
    np.testing.assert_allclose(a @ v, v * values.numpy()[..., None, :], atol=1e-10)


def test_lu_factor_reconstructs():
    a = uniform(2, 4, 4)
    lu, pivots = linalg.lu_factor(a)
    lu, pivots = lu.numpy(), pivots.numpy()
    assert pivots.dtype == np.int32
    for i in range(2):
        permuted = a[i].copy()
        for row, pivot in enumerate(pivots[i]):
            permuted[[row, pivot]] = permuted[[pivot, row]]
        lower = np.tril(lu[i], -1) + np.eye(4)
        np.testing.assert_allclose(lower @ np.triu(lu[i]), permuted, atol=1e-12)


def test_matrix_rank():
    a = uniform(4, 2) @ uniform(2, 4, seed=1)
    assert int(linalg.matrix_rank(a).numpy()) == 2


def test_singular_input_gives_nan_not_an_error():
    assert np.isnan(linalg.inv(np.zeros((2, 2))).numpy()).all()
    assert np.isnan(linalg.cholesky(-np.eye(2)).numpy()).all()


@pytest.mark.parametrize("function,name", [(linalg.inv, "inv"), (linalg.det, "det"), (linalg.cholesky, "cholesky"),
                                           (linalg.eigh, "eigh")])
def test_non_square_input_is_refused(function, name):
    with pytest.raises(ValueError, match=rf"{name} expects square matrices .* received x.shape=\(3, 4\)"):
        function(np.zeros((3, 4)))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="mode='full'"):
        linalg.qr(np.eye(3), mode="full")
    with pytest.raises(ValueError, match="invalid ord='bad'"):
        linalg.norm(np.eye(3), ord="bad")


@pytest.mark.parametrize("function,shape,expected", [
    (linalg.inv, (3, 3), [(None, 3, 3)]),
    (linalg.det, (3, 3), [(None,)]),
    (linalg.cholesky, (3, 3), [(None, 3, 3)]),
    (linalg.cholesky_inverse, (3, 3), [(None, 3, 3)]),
    (linalg.eigh, (3, 3), [(None, 3), (None, 3, 3)]),
    (linalg.svd, (4, 3), [(None, 4, 4), (None, 3), (None, 3, 3)]),
    (linalg.qr, (4, 3), [(None, 4, 3), (None, 3, 3)]),
    (linalg.pinv, (4, 3), [(None, 3, 4)]),
    (lambda x: linalg.norm(x, axis=(1, 2)), (4, 3), [(None,)]),
    (lambda x: linalg.solve(x, x), (3, 3), [(None, 3, 3)]),
    (lambda x: linalg.solve_triangular(x, x), (3, 3), [(None, 3, 3)]),
], ids=["inv", "det", "cholesky", "cholesky_inverse", "eigh", "svd", "qr", "pinv", "norm", "solve", "solve_triangular"])
def test_on_placeholders(function, shape, expected):
    outputs = function(neuroflow.Input(shape))
    outputs = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
    assert [tuple(out.shape) for out in outputs] == expected
