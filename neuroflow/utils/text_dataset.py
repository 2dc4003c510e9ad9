"""`text_dataset_from_directory`: batches of texts from a folder of class subfolders
(keras.utils.text_dataset_from_directory); each .txt file is one sample, read when its batch is."""
import numpy

from neuroflow.utils.directory_dataset import from_directory

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """A dataset of `(texts, labels)` batches from the .txt files of `directory`.

    Args:
        directory: the folder; with labels="inferred" each subfolder holds one class's files.
        labels, label_mode, class_names: as in `image_dataset_from_directory`.
        batch_size: texts per batch; None gives single texts.
        max_length: the most characters kept of each text.
        shuffle, seed, validation_split, subset, follow_links, verbose: as in `image_dataset_from_directory`.
        format: "tf" or "grain" (Keras' choice of loader); either gives the same NumPy batches here.

    Returns:
        A `PyDataset` whose batches are NumPy arrays of str (and their labels), with `class_names`
        and `file_paths`; a pair of them for subset="both".
    """
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')

    def load(path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        return numpy.asarray(text if max_length is None else text[:max_length], dtype=object)

    return from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
                          subset, follow_links, verbose, (".txt",), load)
