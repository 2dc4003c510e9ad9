"""The NumPy-like math of keras.ops (creation, trigonometric, exp/log, special, rounding, division, bitwise,
NaN/inf tests, selection, complex parts): values and result dtypes against Keras 3, gradients, placeholders.

Keras' outputs are recorded in fixtures/numpy_math.npz by fixtures/make_numpy_math_references.py, on the cases
of fixtures/numpy_math_cases.py; a case Keras could not run is skipped.
"""
import pathlib

import numpy
import pytest

import neuroflow
from neuroflow import ops
from neuroflow.engine import GradientTape, Tensor
from tests.ops.fixtures.numpy_math_cases import cases
from tests.ops.op_checks import check_grad

FIXTURE = numpy.load(pathlib.Path(__file__).parent / "fixtures" / "numpy_math.npz")
CASES = cases()
# Ops on the training path keep NumPy's result for integer inputs rather than pay a dtype check per call.
KNOWN_DIFFERENCES = {
    "tanh_int32": "the tanh activation gives float64 for int32 input (Keras: floatx)",
    "true_divide_int32": "divide gives float64 for two int32 inputs (Keras: floatx)",
}


@pytest.mark.parametrize("case_id,name,args,kwargs", CASES, ids=[case[0] for case in CASES])
def test_matches_keras_values_and_dtypes(case_id, name, args, kwargs):
    if f"{case_id}__0" not in FIXTURE.files:
        pytest.skip(f"Keras ({FIXTURE['keras_version']}) recorded no output for {case_id}")
    if case_id in KNOWN_DIFFERENCES:
        pytest.xfail(KNOWN_DIFFERENCES[case_id])
    with numpy.errstate(all="ignore"):
        result = getattr(ops, name)(*args, **kwargs)
    results = result if isinstance(result, (list, tuple)) else [result]
    for index, item in enumerate(results):
        expected = FIXTURE[f"{case_id}__{index}"]
        assert isinstance(item, Tensor)
        assert item.dtype == str(FIXTURE[f"{case_id}__{index}__dtype"]), f"{case_id}: dtype {item.dtype}"
        assert item.shape == expected.shape
        tolerance = 1e-6 if expected.dtype.kind == "f" else 0
        numpy.testing.assert_allclose(item.numpy(), expected, rtol=max(tolerance, 2e-6), atol=tolerance)


def test_every_name_is_in_both_namespaces():
    for _, name, _, _ in CASES:
        assert callable(getattr(ops, name))
        if name not in ("rsqrt", "erf", "erfc", "erfinv"):
            assert callable(getattr(ops.numpy, name)), name


x_wide = numpy.array([-1.7, -0.6, 0.3, 0.8, 1.9])
x_unit = numpy.array([-0.8, -0.3, 0.1, 0.45, 0.7])
x_positive = numpy.array([0.3, 0.7, 1.2, 2.0, 3.5])
x_above_one = numpy.array([1.2, 1.5, 2.5, 4.0])
y_wide = numpy.array([0.9, -1.3, 0.5, -0.4, 2.2])

UNARY_GRADIENTS = [
    ("sin", x_wide), ("cos", x_wide), ("tan", x_unit), ("arcsin", x_unit), ("arccos", x_unit), ("arctan", x_wide),
    ("sinh", x_wide), ("cosh", x_wide), ("arcsinh", x_wide), ("arccosh", x_above_one), ("arctanh", x_unit),
    ("deg2rad", x_wide), ("rad2deg", x_wide), ("sinc", numpy.array([-1.3, -0.4, 0.0, 0.2, 0.9])),
    ("log1p", x_positive), ("log2", x_positive), ("log10", x_positive), ("expm1", x_wide), ("exp2", x_wide),
    ("cbrt", x_wide), ("rsqrt", x_positive), ("reciprocal", x_positive), ("erf", x_wide), ("erfc", x_wide), ("erfinv", x_unit),
    ("fabs", x_wide), ("copy", x_wide), ("conj", x_wide), ("real", x_wide),
    ("nan_to_num", x_wide),
]
BINARY_GRADIENTS = [
    ("arctan2", x_wide, y_wide), ("hypot", x_wide, y_wide), ("logaddexp", x_wide, y_wide),
    ("logaddexp2", x_wide, y_wide), ("fmax", x_wide, y_wide), ("fmin", x_wide, y_wide),
    ("mod", x_wide, numpy.array([0.7, 0.9, -0.45, 1.1, -0.65])),
    ("fmod", x_wide, numpy.array([0.7, 0.9, -0.45, 1.1, -0.65])),
    ("divide_no_nan", x_wide, y_wide),
]


@pytest.mark.parametrize("name,x", UNARY_GRADIENTS, ids=[case[0] for case in UNARY_GRADIENTS])
def test_unary_gradients(name, x):
    check_grad(getattr(ops, name), x)


@pytest.mark.parametrize("name,x1,x2", BINARY_GRADIENTS, ids=[case[0] for case in BINARY_GRADIENTS])
def test_binary_gradients(name, x1, x2):
    check_grad(getattr(ops, name), x1, x2)


def test_divide_no_nan_gradient_is_zero_where_the_divisor_is():
    a, b = Tensor(numpy.array([1.0, 2.0, 3.0])), Tensor(numpy.array([0.0, 2.0, 0.0]))
    with GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        out = ops.divide_no_nan(a, b)
    numpy.testing.assert_array_equal(out.numpy(), [0.0, 1.0, 0.0])
    numpy.testing.assert_array_equal(tape.gradient(out, a).numpy(), [0.0, 0.5, 0.0])
    numpy.testing.assert_array_equal(tape.gradient(out, b).numpy(), [0.0, -0.5, 0.0])


def test_nan_to_num_gradient_passes_only_where_finite():
    x = Tensor(numpy.array([1.0, numpy.nan, numpy.inf, -2.0]))
    with GradientTape() as tape:
        tape.watch(x)
        out = ops.nan_to_num(x)
    numpy.testing.assert_array_equal(tape.gradient(out, x).numpy(), [1.0, 0.0, 0.0, 1.0])


def test_ldexp_gradient_flows_to_the_mantissa():
    check_grad(lambda m: ops.ldexp(m, numpy.array([1, -2, 3, 0, 2])), x_wide)


def test_select_and_meshgrid_gradients():
    check_grad(lambda a, b: ops.select([a < 0, a > 1], [a, b * 2.0], default=0.5), x_wide, y_wide)
    check_grad(lambda a, b: ops.meshgrid(a, b)[0] * ops.meshgrid(a, b, indexing="ij")[1].T, x_wide, y_wide[:3])


def test_erf_and_erfinv_invert_each_other_to_float64_precision():
    y = numpy.linspace(-0.999, 0.999, 41)
    numpy.testing.assert_allclose(ops.erf(ops.erfinv(y)).numpy(), y, rtol=0, atol=1e-14)
    assert ops.erf(numpy.array([1.0])).numpy()[0] == pytest.approx(0.8427007929497149, abs=1e-15)
    numpy.testing.assert_array_equal(ops.erfinv(numpy.array([-1.0, 1.0, 1.5])).numpy(), [-numpy.inf, numpy.inf, numpy.nan])
    x32 = ops.erfinv(y.astype("float32"))
    assert x32.dtype == "float32"
    numpy.testing.assert_allclose(x32.numpy(), ops.erfinv(y).numpy(), rtol=1e-4, atol=1e-5)


PLAIN = [
    ("trunc", (x_wide,)), ("signbit", (x_wide,)), ("floor_divide", (x_wide, y_wide)), ("nextafter", (x_wide, y_wide)),
    ("heaviside", (x_wide, y_wide)), ("isinf", (x_wide,)), ("isclose", (x_wide, y_wide)), ("imag", (x_wide,)),
    ("angle", (x_wide,)), ("isreal", (x_wide,)), ("i0", (x_wide,)), ("zeros_like", (x_wide,)), ("full_like", (x_wide, 3.0)), ("vander", (x_wide,)),
]


@pytest.mark.parametrize("name,args", PLAIN, ids=[case[0] for case in PLAIN])
def test_ops_without_gradient_are_not_recorded(name, args):
    x = Tensor(args[0])
    with GradientTape() as tape:
        tape.watch(x)
        out = getattr(ops, name)(x, *args[1:])
    assert isinstance(out, Tensor)
    assert tape.gradient(out, x) is None


def test_integer_ops_without_gradient():
    a, b = numpy.array([12, 18, -7], "int32"), numpy.array([8, 12, 3], "int32")
    numpy.testing.assert_array_equal(ops.gcd(a, b).numpy(), [4, 6, 1])
    numpy.testing.assert_array_equal(ops.lcm(a, b).numpy(), [24, 36, 21])
    numpy.testing.assert_array_equal(ops.bitwise_not(a).numpy(), ~a)
    numpy.testing.assert_array_equal(ops.right_shift(a, 1).numpy(), a >> 1)
    assert ops.left_shift(numpy.array([1], "int8"), 2).dtype == "int8"  # a Python int is weak


@pytest.mark.parametrize("name,args,shape", [
    ("sin", (), (None, 4)), ("arctan2", ("same",), (None, 4)), ("erf", (), (None, 4)), ("mod", (2.0,), (None, 4)),
    ("isinf", (), (None, 4)), ("bitwise_and", ("int",), (None, 4)), ("vander", (), None), ("zeros_like", (), (None, 4)),
    ("nan_to_num", (), (None, 4)), ("fmax", ("same",), (None, 4)), ("copy", (), (None, 4)), ("signbit", (), (None, 4)),
])
def test_functional_placeholders(name, args, shape):
    dtype = "int32" if args == ("int",) else None
    if name == "vander":
        x = neuroflow.Input(batch_shape=(3,))
        expected = (3, 3)
    else:
        x = neuroflow.Input(shape=(4,), dtype=dtype)
        expected = shape
    call_args = [x if a in ("same", "int") else a for a in args]
    out = getattr(ops, name)(x, *call_args)
    assert tuple(out.shape) == expected


def test_creation_defaults_follow_keras():
    assert ops.arange(5).dtype == "int32"
    assert ops.arange(0, 1, 0.25).dtype == "float32"
    assert ops.full((2,), 3).dtype == "float32"
    assert ops.array([1, 2]).dtype == "int32"
    assert ops.array(numpy.array([1.0, 2.0])).dtype == "float64"  # an array keeps its dtype
    values, step = ops.linspace(0.0, 1.0, num=5, retstep=True)
    assert step == 0.25 and values.dtype == "float32"
    numpy.testing.assert_array_equal(ops.linspace(numpy.zeros(2), numpy.array([1.0, 2.0]), num=3, axis=1).numpy(),
                                     [[0.0, 0.5, 1.0], [0.0, 1.0, 2.0]])
    assert ops.empty((2, 3)).shape == (2, 3) and ops.empty_like(numpy.ones(4, "int32")).dtype == "int32"


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="x2 .*integer dtype; got x2 with dtype float32"):
        ops.ldexp(numpy.ones(2, "float32"), numpy.ones(2, "float32"))
    with pytest.raises(ValueError, match="len\\(condlist\\)=2, len\\(choicelist\\)=1"):
        ops.select([numpy.array([True]), numpy.array([False])], [numpy.array([1.0])])
    with pytest.raises(ValueError, match="indexing='xy' or 'ij', got indexing='xx'"):
        ops.meshgrid(numpy.ones(2), indexing="xx")
    with pytest.raises(ValueError, match="hamming expects x, the window length, as a scalar number"):
        ops.hamming(numpy.ones(3))
    with pytest.raises(ValueError, match="1-D x; got x with shape \\(2, 2\\)"):
        ops.vander(numpy.ones((2, 2)))


def test_mod_and_floor_divide_operators():
    x = Tensor(numpy.array([-3.0, 7.5, 4.0]))
    numpy.testing.assert_array_equal((x % 2).numpy(), [1.0, 1.5, 0.0])
    numpy.testing.assert_array_equal((x // 2).numpy(), [-2.0, 3.0, 2.0])
    numpy.testing.assert_array_equal((10 % Tensor(numpy.array([3, 4]))).numpy(), [1, 2])
    placeholder = neuroflow.Input(shape=(3,))
    assert (placeholder % 2.0).shape == (None, 3) and (placeholder // 2.0).shape == (None, 3)
