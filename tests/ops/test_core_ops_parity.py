"""neuroflow's core ops (issue 10) against Keras' outputs recorded in fixtures/core_ops_references.npz."""
import pathlib

import numpy
import pytest

from neuroflow import ops

REF = numpy.load(pathlib.Path(__file__).parent / "fixtures" / "core_ops_references.npz")


def close(actual, key, atol=2e-5):
    numpy.testing.assert_allclose(ops.convert_to_numpy(actual), REF[key], rtol=2e-5, atol=atol)


@pytest.mark.parametrize("name", ["fft", "fft2", "ifft2"])
def test_complex_transforms(name):
    real, imag = getattr(ops, name)((REF["a"], REF["b"]))
    close(real, f"{name}_real", atol=1e-4)
    close(imag, f"{name}_imag", atol=1e-4)
    assert real.dtype == "float32"


@pytest.mark.parametrize("length", [None, 8])
def test_rfft_irfft(length):
    real, imag = ops.rfft(REF["a"], fft_length=length)
    close(real, f"rfft_{length}_real", atol=1e-4)
    close(imag, f"rfft_{length}_imag", atol=1e-4)
    close(ops.irfft((REF["a"], REF["b"]), fft_length=length), f"irfft_{length}", atol=1e-5)


def test_cdist_logdet_slogdet():
    close(ops.cdist(REF["x"], REF["y"]), "cdist")
    close(ops.logdet(REF["spd"]), "logdet", atol=1e-4)
    sign, logabs = ops.slogdet(REF["m"])
    close(sign, "slogdet_sign")
    close(logabs, "slogdet_logabs", atol=1e-4)


def test_extract_sequences_and_saturate_cast():
    close(ops.extract_sequences(REF["signal"], 6, 4), "extract_sequences")
    uint8 = ops.saturate_cast(REF["wide"], "uint8")
    assert uint8.dtype == "uint8"
    numpy.testing.assert_array_equal(uint8.numpy(), REF["saturate_uint8"])
    numpy.testing.assert_array_equal(ops.saturate_cast(REF["wide"], "int8").numpy(), REF["saturate_int8"])


def test_scans():
    carry, ys = ops.scan(lambda c, e: (c + e, c * e), ops.zeros((6,)), REF["a"][0])
    close(carry, "scan_carry")
    close(ys, "scan_ys")
    close(ops.associative_scan(lambda p, q: p + q, REF["a"], axis=1), "associative_scan")
    close(ops.associative_scan(lambda p, q: p * q, REF["a"], reverse=True, axis=2), "associative_scan_reverse")


@pytest.mark.parametrize("key,options", [
    ("hann", {}), ("hamming_nocenter", {"window": "hamming", "center": False}), ("none", {"window": None}),
    ("array", {"window": numpy.linspace(0.5, 1.0, 10, dtype="float32")})])
def test_stft(key, options):
    real, imag = ops.stft(REF["long_signal"], 10, 3, 16, **options)
    close(real, f"stft_{key}_real", atol=1e-4)
    close(imag, f"stft_{key}_imag", atol=1e-4)
    assert real.dtype == "float32"


@pytest.mark.parametrize("window", ["hann", "hamming"])
def test_istft(window):
    spectrum = ops.stft(REF["long_signal"], 16, 4, 16, window=window)
    close(ops.istft(spectrum, 16, 4, 16, window=window), f"istft_{window}", atol=1e-4)
    close(ops.istft(spectrum, 16, 4, 16, length=50, window=window), f"istft_{window}_length", atol=1e-4)


def test_rearrange():
    close(ops.rearrange(REF["a"], "b (h1 h) w -> w b h h1", h1=2), "rearrange_split")
    close(ops.rearrange(REF["a"], "b h w -> (b w) h"), "rearrange_merge")
