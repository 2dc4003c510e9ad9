"""The Keras reduction, statistics, product, sorting, splitting, reordering and scatter ops: float64 gradient
checks, functional-API placeholders, NumPy references for what the Keras parity fixture cannot record, and
errors for bad arguments. (Values and dtypes against Keras: test_numpy_reduction_shape_parity.py.)
"""
import numpy
import pytest

import neuroflow
from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor
from tests.ops.op_checks import check_grad, check_op, uniform

np = numpy
SEGMENTS = np.array([0, 0, 1])

# (id, op, NumPy reference or None, input specs); every input is checked by finite differences.
DIFFERENTIABLE = [
    ("cumsum", ops.cumsum, np.cumsum, [(3, 4)]),
    ("cumsum_axis", lambda x: ops.cumsum(x, axis=1), lambda x: np.cumsum(x, axis=1), [(3, 4)]),
    ("cumprod", lambda x: ops.cumprod(x, axis=0), lambda x: np.cumprod(x, axis=0), [(3, 4)]),
    ("cumprod_with_zero", ops.cumprod, np.cumprod, [np.array([[1.5, 0.0, 2.0], [0.5, -1.0, 0.0]])]),
    ("diff", lambda x: ops.diff(x, n=2, axis=0), lambda x: np.diff(x, n=2, axis=0), [(4, 3)]),
    ("trapezoid", lambda y, x: ops.trapezoid(y, x=x), lambda y, x: np.trapezoid(y, x=x), [(3, 4), (4,)]),
    ("nancumsum", lambda x: ops.nancumsum(x, axis=1), lambda x: np.nancumsum(x, axis=1), [(3, 4)]),
    ("nancumprod", ops.nancumprod, np.nancumprod, [(3, 4)]),
    ("median", lambda x: ops.median(x, axis=1), lambda x: np.median(x, axis=1), [(3, 4)]),
    ("quantile", lambda x: ops.quantile(x, [0.2, 0.7], axis=0, keepdims=True),
     lambda x: np.quantile(x, [0.2, 0.7], axis=0, keepdims=True), [(3, 4)]),
    ("quantile_midpoint", lambda x: ops.quantile(x, 0.4, method="midpoint"),
     lambda x: np.quantile(x, 0.4, method="midpoint"), [(3, 4)]),
    ("percentile", lambda x: ops.percentile(x, 30.0, axis=(0, 2)), lambda x: np.percentile(x, 30.0, axis=(0, 2)),
     [(2, 3, 4)]),
    ("average_weights_along_axis", lambda x: ops.average(x, axis=0, weights=np.array([1.0, 2.0, 3.0], "float32")),
     lambda x: np.average(x, axis=0, weights=[1.0, 2.0, 3.0]), [(3, 4)]),
    ("average_full_weights", lambda x, w: ops.average(x, axis=1, weights=w), lambda x, w: np.average(x, axis=1, weights=w),
     [(3, 4), np.full((3, 4), 0.5) + np.arange(12.0).reshape(3, 4)]),
    ("ptp", lambda x: ops.ptp(x, axis=1), lambda x: np.ptp(x, axis=1), [(3, 4)]),
    ("nansum", lambda x: ops.nansum(x, axis=0), lambda x: np.nansum(x, axis=0), [(3, 4)]),
    ("nanmean", ops.nanmean, np.nanmean, [(3, 4)]),
    ("nanmax", lambda x: ops.nanmax(x, axis=1), lambda x: np.nanmax(x, axis=1), [(3, 4)]),
    ("nanprod", ops.nanprod, np.nanprod, [(3, 4)]),
    ("nanstd", lambda x: ops.nanstd(x, axis=0), lambda x: np.nanstd(x, axis=0), [(3, 4)]),
    ("nanmedian", lambda x: ops.nanmedian(x, axis=1), lambda x: np.nanmedian(x, axis=1), [(3, 4)]),
    ("max_initial", lambda x: ops.max(x, axis=0, initial=0.5), lambda x: np.max(x, axis=0, initial=0.5), [(3, 4)]),
    ("einsum_matmul", lambda a, b: ops.einsum("ij,jk->ik", a, b), lambda a, b: np.einsum("ij,jk->ik", a, b),
     [(3, 4), (4, 2)]),
    ("einsum_ellipsis", lambda a, b: ops.einsum("...j,j->...", a, b), lambda a, b: np.einsum("...j,j->...", a, b),
     [(2, 3, 4), (4,)]),
    ("einsum_implicit", lambda a, b: ops.einsum("ij,jk", a, b), lambda a, b: np.einsum("ij,jk", a, b), [(3, 4), (4, 2)]),
    ("einsum_diagonal", lambda a: ops.einsum("ii->i", a), lambda a: np.einsum("ii->i", a), [(3, 3)]),
    ("einsum_summed_alone", lambda a, b: ops.einsum("ij,k->k", a, b), lambda a, b: np.einsum("ij,k->k", a, b),
     [(3, 4), (2,)]),
    ("einsum_three", lambda a, b, c: ops.einsum("ij,jk,kl->il", a, b, c),
     lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c), [(2, 3), (3, 4), (4, 2)]),
    ("tensordot", lambda a, b: ops.tensordot(a, b, axes=([1, 2], [0, 1])),
     lambda a, b: np.tensordot(a, b, axes=([1, 2], [0, 1])), [(2, 3, 4), (3, 4, 2)]),
    ("outer", ops.outer, np.outer, [(3,), (2, 2)]),
    ("inner", ops.inner, np.inner, [(2, 3), (4, 3)]),
    ("vdot", ops.vdot, np.vdot, [(2, 3), (2, 3)]),
    ("cross", ops.cross, np.cross, [(4, 3), (4, 3)]),
    ("cross_axis", lambda a, b: ops.cross(a, b, axis=0), lambda a, b: np.cross(a, b, axis=0), [(3, 4), (3, 4)]),
    ("cross_axisc", lambda a, b: ops.cross(a, b, axisc=0), lambda a, b: np.cross(a, b, axisc=0), [(2, 4, 3), (4, 3)]),
    ("cross_three_and_two", ops.cross, np.cross, [(4, 3), (4, 2)]),
    ("kron", ops.kron, np.kron, [(2, 3), (3, 2)]),
    ("kron_ranks", ops.kron, np.kron, [(2,), (2, 3)]),
    ("trace", lambda x: ops.trace(x, offset=1, axis1=1, axis2=2), lambda x: np.trace(x, 1, 1, 2), [(2, 3, 4)]),
    ("correlate_full", lambda a, b: ops.correlate(a, b, mode="full"), lambda a, b: np.correlate(a, b, "full"),
     [(5,), (3,)]),
    ("correlate_same_longer_second", lambda a, b: ops.correlate(a, b, mode="same"),
     lambda a, b: np.correlate(a, b, "same"), [(3,), (5,)]),
    ("sort", lambda x: ops.sort(x, axis=0), lambda x: np.sort(x, axis=0), [(3, 4)]),
    ("sort_flat", lambda x: ops.sort(x, axis=None), lambda x: np.sort(x, axis=None), [(3, 4)]),
    ("top_k_values", lambda x: ops.top_k(x, 2)[0], lambda x: -np.sort(-x, axis=-1)[:, :2], [(3, 4)]),
    ("split", lambda x: ops.split(x, [1, 3], axis=1), None, [(3, 4)]),
    ("array_split", lambda x: ops.array_split(x, 3, axis=1), None, [(3, 4)]),
    ("array_split_indices", lambda x: ops.array_split(x, [1], axis=0)[1], lambda x: np.array_split(x, [1])[1], [(3, 4)]),
    ("unstack", lambda x: ops.unstack(x, axis=1)[2], lambda x: x[:, 2], [(3, 4)]),
    ("hstack", lambda a, b: ops.hstack([a, b]), lambda a, b: np.hstack([a, b]), [(3, 4), (3, 2)]),
    ("vstack", lambda a, b: ops.vstack([a, b]), lambda a, b: np.vstack([a, b]), [(4,), (2, 4)]),
    ("dstack", lambda a, b: ops.dstack([a, b]), lambda a, b: np.dstack([a, b]), [(3, 4), (3, 4)]),
    ("append", ops.append, np.append, [(3, 4), (2,)]),
    ("flip", lambda x: ops.flip(x, axis=(0, 2)), lambda x: np.flip(x, axis=(0, 2)), [(2, 3, 4)]),
    ("fliplr", ops.fliplr, np.fliplr, [(3, 4)]),
    ("roll", lambda x: ops.roll(x, (1, -2), axis=(0, 1)), lambda x: np.roll(x, (1, -2), axis=(0, 1)), [(3, 4)]),
    ("roll_flat", lambda x: ops.roll(x, 5), lambda x: np.roll(x, 5), [(3, 4)]),
    ("rot90", lambda x: ops.rot90(x, k=3, axes=(1, 2)), lambda x: np.rot90(x, k=3, axes=(1, 2)), [(2, 3, 4)]),
    ("rot90_reversed_axes", lambda x: ops.rot90(x, axes=(1, 0)), lambda x: np.rot90(x, axes=(1, 0)), [(3, 4)]),
    ("swapaxes", lambda x: ops.swapaxes(x, 0, -1), lambda x: np.swapaxes(x, 0, -1), [(2, 3, 4)]),
    ("moveaxis", lambda x: ops.moveaxis(x, [2, 0], [0, 1]), lambda x: np.moveaxis(x, [2, 0], [0, 1]), [(2, 3, 4)]),
    ("repeat_counts", lambda x: ops.repeat(x, [1, 0, 2], axis=0), lambda x: np.repeat(x, [1, 0, 2], axis=0), [(3, 4)]),
    ("repeat_flat", lambda x: ops.repeat(x, 2), lambda x: np.repeat(x, 2), [(3, 4)]),
    ("ravel", ops.ravel, np.ravel, [(3, 4)]),
    ("diag_vector", lambda x: ops.diag(x, k=-1), lambda x: np.diag(x, k=-1), [(3,)]),
    ("diag_matrix", lambda x: ops.diag(x, k=1), lambda x: np.diag(x, k=1), [(3, 4)]),
    ("diagflat", ops.diagflat, np.diagflat, [(2, 2)]),
    ("diagonal", lambda x: ops.diagonal(x, offset=-1, axis1=2, axis2=0), lambda x: np.diagonal(x, -1, 2, 0), [(3, 2, 4)]),
    ("tril", lambda x: ops.tril(x, k=1), lambda x: np.tril(x, k=1), [(2, 3, 4)]),
    ("triu", lambda x: ops.triu(x, k=-1), lambda x: np.triu(x, k=-1), [(3, 4)]),
    ("get_item", lambda x: ops.get_item(x, (slice(None), [0, 0, 2])), lambda x: x[:, [0, 0, 2]], [(3, 4)]),
    ("slice", lambda x: ops.slice(x, (1, 0), (2, 3)), lambda x: x[1:3, 0:3], [(3, 4)]),
    ("slice_update", lambda x, u: ops.slice_update(x, (1, 2), u), None, [(3, 4), (2, 2)]),
    ("scatter", lambda v: ops.scatter(np.array([[0, 1], [0, 1], [2, 3]]), v, (3, 4)), None, [(3,)]),
    ("scatter_rows", lambda v: ops.scatter(np.array([[1], [0]]), v, (3, 4)), None, [(2, 4)]),
    ("scatter_update", lambda x, u: ops.scatter_update(x, np.array([[0, 1], [2, 3]]), u), None, [(3, 4), (2,)]),
    ("scatter_update_add", lambda x, u: ops.scatter_update(x, np.array([[0, 1], [0, 1]]), u, reduction="add"), None,
     [(3, 4), (2,)]),
    ("segment_sum", lambda x: ops.segment_sum(x, SEGMENTS, num_segments=3), None, [(3, 4)]),
    ("segment_max", lambda x: ops.segment_max(x, SEGMENTS), None, [(3, 4)]),
    ("segment_min", lambda x: ops.segment_min(x, SEGMENTS), None, [(3, 4)]),
    ("segment_prod", lambda x: ops.segment_prod(x, SEGMENTS), None, [(3, 4)]),
    ("segment_prod_with_zeros", lambda x: ops.segment_prod(x, np.array([0, 0, 0, 1, 1])), None,
     [np.array([[0.0, 1.5], [2.0, 0.0], [3.0, 0.0], [0.0, 0.0], [-1.0, 2.0]])]),
    ("corrcoef", ops.corrcoef, np.corrcoef, [(3, 5)]),
]


@pytest.mark.parametrize("name,op,reference,specs", DIFFERENTIABLE, ids=[case[0] for case in DIFFERENTIABLE])
def test_values_and_gradients(name, op, reference, specs):
    check_op(op, reference, *specs)


def test_quantile_methods_match_numpy():
    x = uniform(3, 5)
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        for axis in (None, 0, 1, (0, 1)):
            got = ops.quantile(x, [0.1, 0.5, 0.95], axis=axis, method=method, keepdims=True).numpy()
            numpy.testing.assert_allclose(got, np.quantile(x, [0.1, 0.5, 0.95], axis=axis, method=method, keepdims=True))


def test_nan_reductions_skip_nans():
    x = uniform(3, 4)
    x[0, 1] = x[2, 0] = np.nan
    pairs = [(ops.nansum, np.nansum), (ops.nanmean, np.nanmean), (ops.nanmax, np.nanmax), (ops.nanmin, np.nanmin),
             (ops.nanprod, np.nanprod), (ops.nanvar, np.nanvar), (ops.nanstd, np.nanstd),
             (ops.nanmedian, np.nanmedian), (ops.nanargmax, np.nanargmax), (ops.nanargmin, np.nanargmin)]
    for ours, theirs in pairs:
        for axis in (None, 0, 1):
            numpy.testing.assert_allclose(ours(x, axis=axis).numpy(), theirs(x, axis=axis), err_msg=ours.__name__)
    numpy.testing.assert_allclose(ops.nanquantile(x, 0.3, axis=1).numpy(), np.nanquantile(x, 0.3, axis=1))
    numpy.testing.assert_allclose(ops.nanpercentile(x, [20, 80], axis=0).numpy(), np.nanpercentile(x, [20, 80], axis=0))
    all_nan = np.full((2, 2), np.nan)
    assert np.isnan(ops.nanmax(all_nan, axis=0).numpy()).all()
    assert np.isnan(ops.nanmedian(all_nan, axis=0).numpy()).all()


def test_nan_reductions_give_no_gradient_to_nans():
    x = Tensor(np.array([1.0, np.nan, 3.0]))
    with GradientTape() as tape:
        tape.watch(x)
        y = ops.nansum(x * 2.0)
    numpy.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 0.0, 2.0])


def test_index_valued_ops_match_numpy_and_do_not_record():
    from neuroflow.engine.registry import get_op

    for name in ("argsort", "argpartition", "top_k_indices", "unique", "searchsorted", "digitize", "bincount",
                 "histogram", "nonzero", "isin", "unravel_index", "any", "all", "count_nonzero", "argmax", "view"):
        assert not get_op(name).differentiable, name
    x = Tensor(uniform(3, 4))
    indices = ops.argsort(x, axis=0)
    assert isinstance(indices, Tensor) and indices.dtype == "int32"
    numpy.testing.assert_array_equal(indices.numpy(), np.argsort(x.numpy(), axis=0))
    partitioned = ops.argpartition(x, 1).numpy()
    numpy.testing.assert_allclose(np.sort(np.take_along_axis(x.numpy(), partitioned, -1)[:, :2], -1),
                                  np.sort(x.numpy(), -1)[:, :2])
    values = np.array([3, 1, 3, 0, 7])
    unique, index, inverse, counts = ops.unique(values, return_index=True, return_inverse=True, return_counts=True)
    expected = np.unique(values, return_index=True, return_inverse=True, return_counts=True)
    for got, want in zip((unique, index, inverse, counts), expected):
        numpy.testing.assert_array_equal(got.numpy(), want)
    numpy.testing.assert_array_equal(ops.unique(values, size=6).numpy(), [0, 1, 3, 7, 0, 0])
    numpy.testing.assert_array_equal(ops.bincount(np.array([[0, 1], [2, 2]])).numpy(), [[1, 1, 0], [0, 0, 2]])
    numpy.testing.assert_array_equal(ops.in_top_k(np.array([0, 2]), np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.3]]), 1).numpy(),
                                     [False, True])
    counts, edges = ops.histogram(np.array([0.0, 0.5, 1.0, 1.0]), bins=2)
    numpy.testing.assert_array_equal(counts.numpy(), [1, 3])
    numpy.testing.assert_array_equal(edges.numpy(), [0.0, 0.5, 1.0])


def test_top_k_ties_keep_index_order():
    values, indices = ops.top_k(np.array([[1, 3, 2, 3]], dtype="uint8"), 3)
    numpy.testing.assert_array_equal(values.numpy(), [[3, 3, 2]])
    numpy.testing.assert_array_equal(indices.numpy(), [[1, 3, 2]])


def test_mixed_integer_and_float_inputs_take_the_float_dtype():
    ints, floats = np.arange(6, dtype="int32").reshape(2, 3), np.ones((2, 3), dtype="float32")
    for result in (ops.einsum("ij,ij->i", ints, floats), ops.vdot(ints, floats), ops.cross(ints, floats),
                   ops.append(ints, floats), ops.hstack([ints, floats]), ops.outer(ints, floats)):
        assert result.dtype == "float32"
    assert ops.tril(ints).dtype == "int32"
    assert ops.median(ints).dtype == "float32"
    assert ops.cumsum(np.array([True, True])).dtype == "int32"


def test_size_ndim_and_view():
    x = np.zeros((2, 3), dtype="float32")
    assert ops.size(x) == 6 and ops.ndim(x) == 2
    assert ops.view(x, "int32").dtype == "int32"


PLACEHOLDER_OPS = [
    ("cumsum", lambda x: ops.cumsum(x, axis=1), (None, 4)),
    ("cumprod", lambda x: ops.cumprod(x, axis=-1), (None, 4)),
    ("diff", lambda x: ops.diff(x), (None, 3)),
    ("median", lambda x: ops.median(x, axis=-1, keepdims=True), (None, 1)),
    ("quantile", lambda x: ops.quantile(x, 0.25, axis=1), (None,)),
    ("nanmean", lambda x: ops.nanmean(x, axis=-1), (None,)),
    ("ptp", lambda x: ops.ptp(x, axis=1), (None,)),
    ("any", lambda x: ops.any(x, axis=1), (None,)),
    ("nanmax", lambda x: ops.nanmax(x, axis=1), (None,)),
    ("count_nonzero", lambda x: ops.count_nonzero(x, axis=1), (None,)),
    ("argmax", lambda x: ops.argmax(x, axis=-1, keepdims=True), (None, 1)),
    ("einsum", lambda x: ops.einsum("bi,ij->bj", x, np.ones((4, 2))), (None, 2)),
    ("tensordot", lambda x: ops.tensordot(x, np.ones((4, 5)), axes=1), (None, 5)),
    ("sort", lambda x: ops.sort(x), (None, 4)),
    ("argsort", lambda x: ops.argsort(x), (None, 4)),
    ("top_k", lambda x: ops.top_k(x, 2)[1], (None, 2)),
    ("split", lambda x: ops.split(x, 2, axis=1)[1], (None, 2)),
    ("flip", lambda x: ops.flip(x, axis=1), (None, 4)),
    ("roll", lambda x: ops.roll(x, 1, axis=1), (None, 4)),
    ("repeat", lambda x: ops.repeat(x, 2, axis=1), (None, 8)),
    ("moveaxis", lambda x: ops.moveaxis(ops.reshape(x, (-1, 2, 2)), 1, 2), (None, 2, 2)),
    ("tril", lambda x: ops.tril(ops.reshape(x, (-1, 2, 2))), (None, 2, 2)),
    ("diagonal", lambda x: ops.diagonal(ops.reshape(x, (-1, 2, 2)), axis1=1, axis2=2), (None, 2)),
    ("slice_update", lambda x: ops.slice_update(x, (0, 1), np.zeros((1, 2), "float32")), (None, 4)),
    ("segment_sum", lambda x: ops.segment_sum(x, np.array([0, 1, 1, 0]), num_segments=2), (2, 4)),
]


@pytest.mark.parametrize("name,op,expected", PLACEHOLDER_OPS, ids=[case[0] for case in PLACEHOLDER_OPS])
def test_functional_placeholders(name, op, expected):
    inputs = neuroflow.Input((4,))
    if name == "segment_sum":
        inputs = neuroflow.Input((4,), batch_size=4)
    out = op(inputs)
    assert tuple(out.shape) == expected


ERRORS = [
    (lambda: ops.quantile(uniform(3), 1.5), "quantiles `q` in [0, 1]"),
    (lambda: ops.quantile(uniform(3), 0.5, method="cubic"), "method='cubic'"),
    (lambda: ops.diff(uniform(3), n=-1), "non-negative integer"),
    (lambda: ops.top_k(uniform(2, 3), 4), "at most the size of the last axis"),
    (lambda: ops.split(uniform(5), 2), "divide the axis of size 5 evenly"),
    (lambda: ops.unstack(uniform(3, 2), num=2), "`num` to equal the size 3"),
    (lambda: ops.cross(uniform(2, 4), uniform(2, 4)), "2 or 3 components"),
    (lambda: ops.tensordot(uniform(2, 3), uniform(3), axes=3), "`axes` between 0 and 1"),
    (lambda: ops.correlate(uniform(3, 2), uniform(2)), "two 1-D inputs"),
    (lambda: ops.correlate(uniform(3), uniform(2), mode="wide"), "mode='wide'"),
    (lambda: ops.einsum("ij,jk->ik", uniform(2, 3)), "2 operands"),
    (lambda: ops.average(uniform(3, 4), axis=1, weights=np.ones(3)), "length 4"),
    (lambda: ops.diagonal(uniform(3)), "at least 2 dimensions"),
    (lambda: ops.tril(uniform(3)), "at least 2 dimensions"),
    (lambda: ops.rot90(uniform(3, 3), axes=(1, 1)), "two different axes"),
    (lambda: ops.moveaxis(uniform(2, 3), [0, 1], [1]), "as many `source` as `destination`"),
    (lambda: ops.searchsorted(uniform(2, 2), uniform(2)), "1-D `sorted_sequence`"),
    (lambda: ops.bincount(np.array([1, -1])), "non-negative integers"),
    (lambda: ops.histogram(uniform(4), bins=0), "`bins` to be a positive integer"),
    (lambda: ops.slice(uniform(3, 3), (0,), (1, 1)), "as many `start_indices`"),
    (lambda: ops.scatter_update(uniform(3), np.array([[0]]), uniform(1), reduction="sum"), "reduction='sum'"),
]


@pytest.mark.parametrize("call,message", ERRORS, ids=[message for _, message in ERRORS])
def test_bad_arguments_name_the_argument(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_namespaces_export_the_ops():
    for name in ("cumsum", "median", "einsum", "argsort", "split", "flip", "diag", "get_item", "nanmean", "view"):
        assert getattr(ops.numpy, name) is getattr(ops, name)
    for name in ("top_k", "in_top_k", "unstack", "slice", "slice_update", "scatter", "scatter_update",
                 "segment_sum", "segment_max"):
        assert callable(getattr(ops, name))


def test_gradient_of_repeated_scatter_coordinates_reaches_each_value():
    check_grad(lambda v: ops.scatter(np.array([[1], [1]]), v, (3,)), uniform(2))


def test_in_top_k_counts_ties_and_infinity_in_favour_of_the_target():
    predictions = np.array([[np.inf, 1.0, 2.0], [1.0, 1.0, 1.0], [np.nan, 1.0, 2.0]])
    numpy.testing.assert_array_equal(ops.in_top_k(np.array([0, 2, 0]), predictions, 1).numpy(), [True, True, False])
