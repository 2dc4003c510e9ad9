"""STFT kernels against Keras' (fixture) and SciPy's windows; Keras' compatibility spellings."""
import json
import pathlib

import numpy
import pytest

from neuroflow import backend, initializers

FIXTURE = pathlib.Path(__file__).parent / "initializer_fixtures" / "stft_initializer.npz"


@pytest.fixture(autouse=True)
def _on_numpy():
    """The initializer's values against SciPy / Keras references on the host, whatever NEUROFLOW_BACKEND says."""
    previous = backend.backend()
    backend.set_backend("numpy")
    yield
    backend.set_backend(previous)


def _cases():
    with numpy.load(FIXTURE) as data:
        configs = json.loads(str(data["configs"]))
        return [(name, case, data[name]) for name, case in configs.items()]


@pytest.mark.parametrize("name, case, expected", _cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_stft_matches_keras(name, case, expected):
    initializer = initializers.STFT(**case["kwargs"])
    kernel = numpy.asarray(initializer(tuple(case["shape"]), dtype="float64"))
    numpy.testing.assert_allclose(kernel, expected, rtol=1e-12, atol=1e-12)
    assert initializer.get_config() == case["config"]
    assert numpy.asarray(initializer(tuple(case["shape"]))).dtype == numpy.float32


@pytest.mark.parametrize("window", ["hann", "hamming", "blackman", "bartlett", "triang", "boxcar"])
@pytest.mark.parametrize("length", [1, 3, 7, 8])
@pytest.mark.parametrize("periodic", [False, True])
def test_named_windows_match_scipy(window, length, periodic):
    signal = pytest.importorskip("scipy.signal")
    expected = signal.get_window(window, length, fftbins=periodic)
    numpy.testing.assert_allclose(initializers._window(window, length, periodic), expected, atol=1e-14)
    # A named window gives the kernel of its values passed as an array.
    named = initializers.STFT("imag", window, "spectrum", periodic)((length, 1, 5), dtype="float64")
    explicit = initializers.STFT("imag", expected, "spectrum")((length, 1, 5), dtype="float64")
    numpy.testing.assert_allclose(numpy.asarray(named), numpy.asarray(explicit), atol=1e-14)


def test_stft_is_a_dft_of_the_frame():
    frame = numpy.random.default_rng(0).normal(size=16)
    real = numpy.asarray(initializers.STFT("real", None, None)((16, 1, 9), dtype="float64"))[:, 0, :]
    imag = numpy.asarray(initializers.STFT("imag", None, None)((16, 1, 9), dtype="float64"))[:, 0, :]
    spectrum = numpy.fft.rfft(frame)
    numpy.testing.assert_allclose(frame @ real, spectrum.real, atol=1e-12)
    numpy.testing.assert_allclose(frame @ imag, spectrum.imag, atol=1e-12)


def test_stft_bad_arguments():
    with pytest.raises(ValueError, match="side.*'real' or 'imag'.*side='both'"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="window.*hann.*window='kaiserr'"):
        initializers.STFT(window="kaiserr")
    with pytest.raises(ValueError, match="scaling.*scaling='l2'"):
        initializers.STFT(scaling="l2")
    with pytest.raises(ValueError, match=r"window.*\(4,\).*\(3,\)"):
        initializers.STFT(window=[1.0, 2.0, 3.0])((4, 1, 3))
    with pytest.raises(ValueError, match="frame_length, channels, bins"):
        initializers.STFT()((4, 3))


def test_keras_compatibility_spellings():
    assert initializers.IdentityInitializer is initializers.Identity
    assert initializers.OrthogonalInitializer is initializers.Orthogonal
    assert initializers.STFTInitializer is initializers.stft is initializers.STFT
    for name in ("STFT", "stft", "STFTInitializer"):
        assert isinstance(initializers.get(name), initializers.STFT)
    restored = initializers.deserialize(initializers.serialize(initializers.STFT("imag", "hamming", None, True)))
    assert restored.get_config() == {"side": "imag", "window": "hamming", "periodic": True, "scaling": None}
    # Keras' configs of the aliases are those of the classes themselves.
    assert initializers.IdentityInitializer(gain=2.0).get_config() == {"gain": 2.0}
    assert initializers.OrthogonalInitializer(gain=0.5, seed=3).get_config() == {"gain": 0.5, "seed": 3}
