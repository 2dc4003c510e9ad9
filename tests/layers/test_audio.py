"""MelSpectrogram: Keras 3's values (fixtures/layersb_references.npz), shapes, config and errors."""
import os

import numpy
import pytest

import neuroflow
from neuroflow import layers
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
