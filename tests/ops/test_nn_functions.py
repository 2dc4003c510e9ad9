"""keras.ops.nn additions: gradient checks, errors and placeholders (values against Keras: the parity test)."""
import numpy
import pytest

import neuroflow
from neuroflow import ops
from neuroflow.ops import nn
from tests.ops.op_checks import check_grad, uniform

np = numpy


def test_sparsemax_is_the_projection_onto_the_simplex():
    # Martins and Astudillo (2016): [0.1, 0.2, 0.3] keeps all three, tau = (0.6 - 1) / 3.
    out = nn.sparsemax(np.array([[2.0, 1.0, -3.0], [0.1, 0.2, 0.3], [0.5, 0.4, -1.0]])).numpy()
    np.testing.assert_allclose(out, [[1.0, 0.0, 0.0], [0.1 + 0.4 / 3, 0.2 + 0.4 / 3, 0.3 + 0.4 / 3], [0.55, 0.45, 0.0]])
    np.testing.assert_allclose(out.sum(axis=-1), 1.0)
    check_grad(nn.sparsemax, uniform(3, 5))
    check_grad(nn.sparsemax, uniform(3, 5, low=-0.3, high=0.3))  # most entries in the support
    check_grad(lambda x: nn.sparsemax(x, axis=0), uniform(5, 3))


def test_glu_gradient_and_error():
    check_grad(nn.glu, uniform(3, 4))
    check_grad(lambda x: nn.glu(x, axis=0), uniform(4, 3))
    with pytest.raises(ValueError, match=r"glu expects an even size along axis=-1; received x.shape=\(2, 3\)"):
        nn.glu(np.zeros((2, 3)))


@pytest.mark.parametrize("function", [
    lambda x: nn.moments(x, axes=[0, 2])[1],
    lambda x: nn.moments(x, axes=[1], keepdims=True)[0],
    lambda x: nn.normalize(x),
    lambda x: nn.normalize(x, axis=0, order=1),
    lambda x: nn.normalize(x, order=3),
    lambda x: nn.layer_normalization(x, axis=(1, 2)),
    lambda x: nn.layer_normalization(x, rms_scaling=True),
    lambda x: nn.rms_normalization(x, axis=1),
], ids=["moments_variance", "moments_mean", "normalize", "normalize_order1", "normalize_order3", "layer_norm_axes",
        "layer_norm_rms_scaling", "rms_norm"])
def test_normalization_gradients(function):
    check_grad(function, uniform(2, 3, 4))


def test_normalization_gradients_in_every_input():
    check_grad(lambda x, m, v, o, s: nn.batch_normalization(x, m, v, axis=-1, offset=o, scale=s),
               uniform(2, 3, 4), uniform(4, seed=1), uniform(4, low=0.5, high=2.0, seed=2), uniform(4, seed=3),
               uniform(4, seed=4))
    check_grad(lambda x, g, b: nn.layer_normalization(x, g, b), uniform(2, 3, 4), uniform(4, seed=1), uniform(4, seed=2))
    check_grad(lambda x, s: nn.rms_normalization(x, s), uniform(2, 3, 4), uniform(4, seed=1))


def test_normalize_refuses_a_bad_order():
    with pytest.raises(ValueError, match=r"`order` to be an int >= 1; received order=0.5"):
        nn.normalize(np.ones(3), order=0.5)


def test_psnr_gradient_and_error():
    check_grad(lambda a, b: nn.psnr(a, b, 1.0), uniform(2, 4, 4, 1, low=0, high=1), uniform(2, 4, 4, 1, low=0, high=1, seed=1))
    with pytest.raises(ValueError, match=r"same shape; received x1.shape=\(2,\), x2.shape=\(3,\)"):
        nn.psnr(np.ones(2), np.ones(3), 1.0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depth_to_space_inverts_space_to_depth(data_format):
    x = uniform(2, 4, 6, 4) if data_format == "channels_last" else uniform(2, 4, 4, 6)
    back = nn.depth_to_space(nn.space_to_depth(x, 2, data_format=data_format), 2, data_format=data_format)
    np.testing.assert_array_equal(back.numpy(), x)
    check_grad(lambda t: nn.depth_to_space(t, 2, data_format=data_format), x)


def test_depth_to_space_errors():
    with pytest.raises(ValueError, match=r"channels \(3\) to be divisible by block_size\*\*2 = 4"):
        nn.depth_to_space(np.zeros((1, 2, 2, 3)), 2)
    with pytest.raises(ValueError, match=r"block_size` to be a positive int; received block_size=0"):
        nn.space_to_depth(np.zeros((1, 2, 2, 3)), 0)


@pytest.mark.parametrize("options", [{}, {"is_causal": True}, {"scale": 0.5}, {"attn_logits_soft_cap": 2.0}], ids=str)
def test_attention_gradient(options):
    q, k, v = uniform(1, 4, 2, 3), uniform(1, 4, 2, 3, seed=1), uniform(1, 4, 2, 3, seed=2)
    check_grad(lambda q, k, v: nn.dot_product_attention(q, k, v, **options), q, k, v)


def test_attention_mask_and_bias_gradient():
    mask = np.tril(np.ones((4, 4), dtype=bool))[None, None]
    q, k, v = (uniform(1, 4, 2, 3, seed=i) for i in range(3))
    bias = uniform(1, 2, 4, 4, seed=5)
    check_grad(lambda q, k, v, b: nn.dot_product_attention(q, k, v, bias=b, mask=mask), q, k, v, bias)


def test_attention_errors():
    with pytest.raises(ValueError, match=r"4-D query, key and value .* query.shape=\(2, 3\)"):
        nn.dot_product_attention(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="flash_attention=True is not supported"):
        x = np.zeros((1, 2, 1, 2))
        nn.dot_product_attention(x, x, x, flash_attention=True)


def test_multi_hot_and_polar():
    np.testing.assert_array_equal(nn.multi_hot(np.array([[0, 2], [1, 1]]), 3).numpy(), [[1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(nn.multi_hot(np.array([0, 2]), num_tokens=3).numpy(), [1, 0, 1])
    with pytest.raises(ValueError, match="num_classes"):
        nn.multi_hot(np.array([0]))
    np.testing.assert_allclose(nn.polar(np.array([2.0]), np.array([np.pi / 2])).numpy(), [2j], atol=1e-12)


@pytest.mark.parametrize("function,shape,expected", [
    (nn.celu, (3,), (None, 3)),
    (nn.glu, (4,), (None, 2)),
    (nn.sparsemax, (4,), (None, 4)),
    (lambda x: nn.threshold(x, 0.1, 0.0), (4,), (None, 4)),
    (lambda x: nn.moments(x, axes=[1])[1], (4, 3), (None, 3)),
    (nn.normalize, (4,), (None, 4)),
    (nn.layer_normalization, (3, 4), (None, 3, 4)),
    (nn.rms_normalization, (3, 4), (None, 3, 4)),
    (lambda x: nn.batch_normalization(x, np.zeros(4), np.ones(4), axis=-1), (3, 4), (None, 3, 4)),
    (lambda x: nn.depth_to_space(x, 2), (2, 3, 8), (None, 4, 6, 2)),
    (lambda x: nn.space_to_depth(x, 2), (4, 6, 3), (None, 2, 3, 12)),
    (lambda x: nn.dot_product_attention(x, x, x, is_causal=True), (5, 2, 3), (None, 5, 2, 3)),
    (lambda x: nn.psnr(x, x * 0.5, 1.0), (3,), ()),
], ids=["celu", "glu", "sparsemax", "threshold", "moments", "normalize", "layer_norm", "rms_norm", "batch_norm",
        "depth_to_space", "space_to_depth", "attention", "psnr"])
def test_on_placeholders(function, shape, expected):
    out = function(neuroflow.Input(shape))
    assert tuple(out.shape) == expected


def test_new_names_are_in_ops_and_nn():
    for name in ("celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus",
                 "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold", "multi_hot", "moments",
                 "normalize", "batch_normalization", "layer_normalization", "rms_normalization", "psnr",
                 "depth_to_space", "space_to_depth", "dot_product_attention", "polar"):
        assert getattr(ops, name) is getattr(nn, name), name


@pytest.mark.parametrize("function,shape", [
    (lambda x: nn.adaptive_average_pool(x, (3, 2), data_format="channels_last"), (2, 7, 5, 3)),
    (lambda x: nn.adaptive_max_pool(x, 3, data_format="channels_last"), (2, 7, 5, 3)),
    (lambda x: nn.adaptive_average_pool(x, 4, data_format="channels_first"), (2, 3, 10)),
    (lambda x: nn.adaptive_max_pool(x, (2, 2, 3), data_format="channels_last"), (1, 4, 5, 6, 2)),
], ids=["average_2d", "max_2d", "average_1d_first", "max_3d"])
def test_adaptive_pool_gradients(function, shape):
    check_grad(function, uniform(*shape))


def test_adaptive_pool_errors_and_placeholders():
    with pytest.raises(ValueError, match=r"`output_size` to be a positive int or 2 positive ints .* output_size=\(2, 2, 2\)"):
        nn.adaptive_average_pool(np.zeros((1, 4, 4, 1)), (2, 2, 2))
    assert tuple(nn.adaptive_max_pool(neuroflow.Input((9, 7, 3)), (4, 3), data_format="channels_last").shape) == (None, 4, 3, 3)


@pytest.mark.parametrize("options", [{"kernel_size": (2, 3)}, {"kernel_size": 3, "dilation": (1, 2), "padding": 1, "stride": 2}],
                         ids=["plain", "strided"])
def test_unfold_and_fold_are_adjoint(options):
    x = uniform(2, 3, 6, 7)
    columns = nn.unfold(x, **options)
    y = uniform(*columns.shape, seed=1)
    folded = nn.fold(y, (6, 7), **options).numpy()
    # <unfold(x), y> = <x, fold(y)>
    np.testing.assert_allclose(np.sum(columns.numpy() * y), np.sum(x * folded), rtol=1e-12)
    check_grad(lambda t: nn.unfold(t, **options), x)
    check_grad(lambda t: nn.fold(t, (6, 7), **options), y)
    assert tuple(nn.unfold(neuroflow.Input((3, 6, 7)), **options).shape) == (None,) + columns.shape[1:]


def test_fold_errors():
    with pytest.raises(ValueError, match=r"kh \* kw = 4; received x.shape=\(1, 6, 9\)"):
        nn.fold(np.zeros((1, 6, 9)), (4, 4), 2)
    with pytest.raises(ValueError, match=r"`stride` must be an int or a pair of ints; received stride=\(1, 2, 3\)"):
        nn.unfold(np.zeros((1, 1, 4, 4)), 2, stride=(1, 2, 3))


def test_ctc_loss_gradient():
    target = np.array([[1, 2, 2, 0], [3, 1, 0, 0]])
    check_grad(lambda x: nn.ctc_loss(target, x, np.array([3, 2]), np.array([7, 5])), uniform(2, 7, 5))
    check_grad(lambda x: nn.ctc_loss(target[:, :2], x, np.array([2, 1]), np.array([4, 6]), mask_index=4), uniform(2, 6, 5))


def test_ctc_loss_of_one_frame_is_its_log_softmax():
    logits = uniform(1, 1, 3)
    expected = -(logits[0, 0, 2] - np.log(np.exp(logits[0, 0]).sum()))
    np.testing.assert_allclose(nn.ctc_loss(np.array([[2]]), logits, np.array([1]), np.array([1])).numpy(), [expected])


def test_ctc_decode_errors_and_placeholders():
    with pytest.raises(ValueError, match="strategy='beam_search' is not implemented"):
        nn.ctc_decode(np.zeros((1, 2, 3)), np.array([2]), strategy="beam_search")
    with pytest.raises(ValueError, match=r"ctc_loss expects `output` of shape \(batch, max_time, num_classes\)"):
        nn.ctc_loss(np.zeros((1, 2)), np.zeros((2, 3)), np.array([1]), np.array([2]))
    assert tuple(nn.ctc_loss(np.array([[1, 2]]), neuroflow.Input((6, 4)), np.array([2]), np.array([6])).shape) == (None,)
