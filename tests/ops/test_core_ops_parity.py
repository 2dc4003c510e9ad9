"""neuroflow's core ops (issue 10) against Keras' outputs recorded in fixtures/core_ops_references.npz."""
import pathlib

import numpy
import pytest

from neuroflow import ops

REF = numpy.load(pathlib.Path(__file__).parent / "fixtures" / "core_ops_references.npz")


def assert_matches_keras(actual, key, atol=2e-5):
    numpy.testing.assert_allclose(ops.convert_to_numpy(actual), REF[key], rtol=2e-5, atol=atol)


@pytest.mark.parametrize("name", ["fft", "fft2", "ifft2"])
def test_complex_transforms(name):
    real, imag = getattr(ops, name)((REF["a"], REF["b"]))
    assert_matches_keras(real, f"{name}_real", atol=1e-4)
    assert_matches_keras(imag, f"{name}_imag", atol=1e-4)
    assert real.dtype == "float32"


@pytest.mark.parametrize("length", [None, 8])
def test_rfft_irfft(length):
    real, imag = ops.rfft(REF["a"], fft_length=length)
    assert_matches_keras(real, f"rfft_{length}_real", atol=1e-4)
    assert_matches_keras(imag, f"rfft_{length}_imag", atol=1e-4)
    assert_matches_keras(ops.irfft((REF["a"], REF["b"]), fft_length=length), f"irfft_{length}", atol=1e-5)


def test_cdist_logdet_slogdet():
    assert_matches_keras(ops.cdist(REF["x"], REF["y"]), "cdist")
    assert_matches_keras(ops.logdet(REF["spd"]), "logdet", atol=1e-4)
    sign, logabs = ops.slogdet(REF["m"])
    assert_matches_keras(sign, "slogdet_sign")
    assert_matches_keras(logabs, "slogdet_logabs", atol=1e-4)


def test_extract_sequences_and_saturate_cast():
    assert_matches_keras(ops.extract_sequences(REF["signal"], 6, 4), "extract_sequences")
    uint8 = ops.saturate_cast(REF["wide"], "uint8")
    assert uint8.dtype == "uint8"
    numpy.testing.assert_array_equal(uint8.numpy(), REF["saturate_uint8"])
    numpy.testing.assert_array_equal(ops.saturate_cast(REF["wide"], "int8").numpy(), REF["saturate_int8"])


def test_scans():
    carry, ys = ops.scan(lambda c, e: (c + e, c * e), ops.zeros((6,)), REF["a"][0])
    assert_matches_keras(carry, "scan_carry")
    assert_matches_keras(ys, "scan_ys")
    assert_matches_keras(ops.associative_scan(lambda p, q: p + q, REF["a"], axis=1), "associative_scan")
    assert_matches_keras(ops.associative_scan(lambda p, q: p * q, REF["a"], reverse=True, axis=2), "associative_scan_reverse")


@pytest.mark.parametrize("key,options", [
    ("hann", {}), ("hamming_nocenter", {"window": "hamming", "center": False}), ("none", {"window": None}),
    ("array", {"window": numpy.linspace(0.5, 1.0, 10, dtype="float32")})])
def test_stft(key, options):
    real, imag = ops.stft(REF["long_signal"], 10, 3, 16, **options)
    assert_matches_keras(real, f"stft_{key}_real", atol=1e-4)
    assert_matches_keras(imag, f"stft_{key}_imag", atol=1e-4)
    assert real.dtype == "float32"


@pytest.mark.parametrize("window", ["hann", "hamming"])
def test_istft(window):
    spectrum = ops.stft(REF["long_signal"], 16, 4, 16, window=window)
    assert_matches_keras(ops.istft(spectrum, 16, 4, 16, window=window), f"istft_{window}", atol=1e-4)
    assert_matches_keras(ops.istft(spectrum, 16, 4, 16, length=50, window=window), f"istft_{window}_length", atol=1e-4)


def test_rearrange():
    assert_matches_keras(ops.rearrange(REF["a"], "b (h1 h) w -> w b h h1", h1=2), "rearrange_split")
    assert_matches_keras(ops.rearrange(REF["a"], "b h w -> (b w) h"), "rearrange_merge")
