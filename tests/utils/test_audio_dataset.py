"""audio_dataset_from_directory: .wav clips (written here with the standard library) -> batches."""
import wave

import numpy
import pytest

from neuroflow.utils import audio_dataset_from_directory
from neuroflow.utils.audio_dataset import read_wav


def write_wav(path, samples, rate=8000, width=2, channels=1):
    samples = numpy.asarray(samples, "float64").reshape(-1, channels)
    if width == 1:
        raw = (samples * 127 + 128).astype("uint8").tobytes()
    else:
        raw = (samples * (2 ** (8 * width - 1) - 1)).astype(f"<i{width}").tobytes()
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(width)
        handle.setframerate(rate)
        handle.writeframes(raw)


@pytest.fixture
def audio_tree(tmp_path):
    for index, name in enumerate(["no", "yes"]):
        (tmp_path / name).mkdir()
        for i, length in enumerate([100, 160]):
            write_wav(tmp_path / name / f"{i}.wav", numpy.full(length, 0.25 * (index + 1)))
    return tmp_path


@pytest.mark.parametrize("width", [1, 2, 4])
def test_read_wav_scales_to_unit_range(tmp_path, width):
    write_wav(tmp_path / "a.wav", [0.5, -0.5, 0.0, 0.25, -0.25, 0.75], rate=16000, width=width, channels=2)
    clip, rate = read_wav(tmp_path / "a.wav")
    assert rate == 16000 and clip.shape == (3, 2) and clip.dtype == numpy.float32
    numpy.testing.assert_allclose(clip, [[0.5, -0.5], [0, 0.25], [-0.25, 0.75]], atol=0.01)


def test_batches_padded_to_the_longest_and_labels(audio_tree):
    dataset = audio_dataset_from_directory(audio_tree, batch_size=4, shuffle=False, verbose=False)
    assert dataset.class_names == ["no", "yes"]
    audio, labels = dataset[0]
    assert audio.shape == (4, 160, 1) and audio.dtype == numpy.float32
    numpy.testing.assert_array_equal(labels, [0, 0, 1, 1])
    assert audio[0, 100:].max() == 0 and abs(audio[2, 0, 0] - 0.5) < 0.01


def test_fixed_length_ragged_and_sampling_rate(audio_tree):
    fixed = audio_dataset_from_directory(audio_tree, output_sequence_length=120, batch_size=2, seed=0, verbose=False)
    assert fixed[0][0].shape == (2, 120, 1)
    ragged = audio_dataset_from_directory(audio_tree, ragged=True, shuffle=False, verbose=False)
    assert [len(clip) for clip in ragged[0][0]] == [100, 160, 100, 160]
    assert len(audio_dataset_from_directory(audio_tree, sampling_rate=8000, verbose=False)) == 1
    with pytest.raises(ValueError, match="sampling rate of 8000"):
        audio_dataset_from_directory(audio_tree, sampling_rate=16000, verbose=False)[0]


@pytest.mark.parametrize("kwargs, match", [
    ({"sampling_rate": -1}, "sampling_rate"),
    ({"output_sequence_length": 0}, "output_sequence_length"),
    ({"ragged": True, "output_sequence_length": 10}, "ragged"),
])
def test_errors(audio_tree, kwargs, match):
    with pytest.raises(ValueError, match=match):
        audio_dataset_from_directory(audio_tree, **kwargs)
