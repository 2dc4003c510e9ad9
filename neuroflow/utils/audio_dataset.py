"""`audio_dataset_from_directory`: batches of .wav clips from a folder of class subfolders
(keras.utils.audio_dataset_from_directory), decoded with the standard library's `wave` module
(PCM, 8 to 32 bits) as float32 in [-1, 1] of shape (samples, channels)."""
import wave

import numpy

from neuroflow.utils.directory_dataset import from_directory

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"


def read_wav(path):
    """(float32 array (samples, channels) in [-1, 1], sampling rate) of a PCM .wav file.

    Raises:
        ValueError: a sample width other than 1 to 4 bytes.
    """
    with wave.open(str(path), "rb") as handle:
        channels, width, rate = handle.getnchannels(), handle.getsampwidth(), handle.getframerate()
        raw = handle.readframes(handle.getnframes())
    if width == 1:
        values = (numpy.frombuffer(raw, "uint8").astype("float32") - 128) / 128
    elif width in (2, 4):
        values = numpy.frombuffer(raw, f"<i{width}").astype("float32") / float(2 ** (8 * width - 1))
    elif width == 3:
        bytes3 = numpy.frombuffer(raw, "uint8").reshape(-1, 3).astype("int32")
        ints = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
        values = (numpy.where(ints >= 1 << 23, ints - (1 << 24), ints)).astype("float32") / float(1 << 23)
    else:
        raise ValueError(f"{path}: unsupported sample width of {width} bytes (PCM 8, 16, 24 or 32 bits is read)")
    return values.reshape(-1, channels), rate


def _pad_batch(clips):
    """Clips zero-padded at the end to the longest of the batch, stacked."""
    longest = max(len(clip) for clip in clips)
    return numpy.stack([numpy.pad(clip, ((0, longest - len(clip)), (0, 0))) for clip in clips])


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True, seed=None,
                                 validation_split=None, subset=None, follow_links=False, verbose=True):
    """A dataset of `(audio, labels)` batches from the .wav files of `directory`.

    Args:
        directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split, subset,
            follow_links, verbose: as in `image_dataset_from_directory`.
        sampling_rate: the rate every file must have (resampling is not done: a file of another
            rate raises); None accepts any.
        output_sequence_length: clips are cut or zero-padded to this many samples; None pads each
            batch to its longest clip.
        ragged: batches as lists of clips of their own lengths.

    Returns:
        A `PyDataset` of float32 audio of shape (batch, samples, channels) and labels, with
        `class_names` and `file_paths`; a pair of them for subset="both".

    Raises:
        ValueError: for a bad argument, naming it, or a file of another sampling rate.
    """
    if sampling_rate is not None and (not isinstance(sampling_rate, int) or sampling_rate <= 0):
        raise ValueError(f"`sampling_rate` should be a positive integer. Received: sampling_rate={sampling_rate}")
    if output_sequence_length is not None and (not isinstance(output_sequence_length, int)
                                               or output_sequence_length <= 0):
        raise ValueError("`output_sequence_length` should be a positive integer. Received: "
                         f"output_sequence_length={output_sequence_length}")
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")

    def load(path):
        clip, rate = read_wav(path)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(f"{path} has a sampling rate of {rate} Hz, not sampling_rate={sampling_rate}; neuroflow "
                             "does not resample audio")
        if output_sequence_length is not None:
            clip = clip[:output_sequence_length]
            clip = numpy.pad(clip, ((0, output_sequence_length - len(clip)), (0, 0)))
        return clip

    collate = list if ragged else _pad_batch
    return from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
                          subset, follow_links, verbose, (".wav",), load, collate)
