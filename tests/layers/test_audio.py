"""MelSpectrogram and STFTSpectrogram: Keras 3's values (fixtures/layersb_references.npz), shapes,
configs, gradients and errors."""
import os

import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.testing import check_layer_gradients
from tests.layers.helpers import config_round_trip

REFERENCES = numpy.load(os.path.join(os.path.dirname(__file__), "fixtures", "layersb_references.npz"))


MEL = {
    "mel_default_small": dict(fft_length=256, sequence_stride=64, num_mel_bins=16, sampling_rate=8000),
    "mel_hamming_linear": dict(fft_length=128, sequence_stride=50, sequence_length=100, window="hamming",
                               num_mel_bins=10, sampling_rate=4000, min_freq=100.0, max_freq=1800.0,
                               power_to_db=False, mag_exp=1.0),
    "mel_db_ref": dict(fft_length=64, sequence_stride=16, num_mel_bins=8, sampling_rate=2000, top_db=30.0,
                       ref_power=2.0, window=None),
}


@pytest.mark.parametrize("case", sorted(MEL))
def test_mel_spectrogram_matches_keras(case):
    layer = layers.MelSpectrogram(**MEL[case])
    x, expected = REFERENCES[f"{case}_x"], REFERENCES[f"{case}_y"]
    out = layer(x).numpy()
    assert out.shape == expected.shape == layer.compute_output_shape(x.shape)
    scale = max(1.0, float(numpy.abs(expected).max()))
    numpy.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-3 * scale)
    config_round_trip(layer)
    assert layer(neuroflow.Input((700,))).shape == (None,) + expected.shape[1:]
    # One signal (rank 1) is a batch of one (the decibel floor is over the whole input).
    numpy.testing.assert_allclose(layer(x[0]).numpy(), layer(x[:1]).numpy()[0], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("options, argument", [({"fft_length": 64, "sequence_length": 100}, "fft_length"),
                                               ({"window": "kaiser"}, "window"), ({"num_mel_bins": 0}, "num_mel_bins"),
                                               ({"sequence_stride": 1.5}, "sequence_stride")])
def test_mel_spectrogram_errors(options, argument):
    with pytest.raises(ValueError, match=argument):
        layers.MelSpectrogram(**options)


STFT = {
    "stft_log": dict(frame_length=64, frame_step=16),
    "stft_psd_spectrum": dict(mode="psd", frame_length=50, frame_step=20, fft_length=64, scaling="spectrum",
                              window="hamming", periodic=True),
    "stft_stft_same": dict(mode="stft", frame_length=32, padding="same", window=None),
    "stft_angle_expand": dict(mode="angle", frame_length=40, frame_step=10, expand_dims=True),
    "stft_magnitude_first": dict(mode="magnitude", frame_length=48, frame_step=24, data_format="channels_first",
                                 expand_dims=True),
    "stft_real_imag": dict(mode="real", frame_length=30, frame_step=15, scaling=None),
}


@pytest.mark.parametrize("case", sorted(STFT))
def test_stft_spectrogram_matches_keras(case):
    layer = layers.STFTSpectrogram(**STFT[case])
    x, expected = REFERENCES[f"{case}_x"], REFERENCES[f"{case}_y"]
    out = layer(x).numpy()
    assert out.shape == expected.shape == layer.compute_output_shape(x.shape)
    if case == "stft_angle_expand":  # the angle of a near-zero bin is noise: compare where the power is not tiny
        magnitude = layers.STFTSpectrogram(**dict(STFT[case], mode="magnitude"))(x).numpy()
        keep = magnitude > 1e-2
        wrapped = numpy.angle(numpy.exp(1j * (out - expected)))
        numpy.testing.assert_allclose(wrapped[keep], 0.0, atol=1e-3)
    else:
        numpy.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-4 * max(1.0, float(numpy.abs(expected).max())))
    clone = config_round_trip(layer)
    assert clone(neuroflow.Input(x.shape[1:])).shape == (None,) + expected.shape[1:]


def test_stft_spectrogram_trains_its_kernels(rng):
    layer = layers.STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4, dtype="float64")
    check_layer_gradients(layer, rng.normal(size=(2, 24, 1)))
    assert [w.name for w in layer.trainable_weights] == ["real_kernel", "imag_kernel"]
    real_only = layers.STFTSpectrogram(mode="real", frame_length=8)
    real_only(rng.normal(size=(1, 16, 1)).astype("float32"))
    assert [w.name for w in real_only.weights] == ["real_kernel"]


@pytest.mark.parametrize("options, argument", [({"frame_step": 300}, "frame_step"), ({"fft_length": 100}, "fft_length"),
                                               ({"mode": "power"}, "mode"), ({"scaling": "l2"}, "scaling"),
                                               ({"padding": "causal"}, "padding"), ({"window": "kaiser"}, "window")])
def test_stft_spectrogram_errors(options, argument):
    with pytest.raises(ValueError, match=argument):
        layers.STFTSpectrogram(**options)
