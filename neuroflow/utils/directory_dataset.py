"""Datasets of files in class folders: the indexing and batching that `image_dataset_from_directory`
and `text_dataset_from_directory` share.

    main_directory/
        class_a/  a_1.txt  a_2.txt
        class_b/  b_1.txt

gives the class names ['class_a', 'class_b'] (sorted folder names) and the labels 0, 0, 1. Files are
read when their batch is asked for, so a folder larger than memory can be trained on.
"""
import os

import numpy

from neuroflow.utils.io_utils import print_msg
from neuroflow.utils.py_dataset import PyDataset

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"

LABEL_MODES = ("int", "categorical", "binary", None)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False,
                    verbose=True):
    """(file paths, integer labels or None, class names) of the files under `directory`.

    Args:
        directory: the folder; with labels="inferred" each subfolder is a class.
        labels: "inferred", None, or a list of one label per file (files in sorted order).
        formats: the file-name endings kept, e.g. ('.txt',).
        class_names: with labels="inferred", the subfolders to use, in the order of their labels.
        shuffle, seed: shuffle the files (and labels) together.
        follow_links: follow symbolic links to folders.
        verbose: print how many files and classes were found.

    Raises:
        ValueError: class names that are no subfolders, or labels that do not match the files.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"Expected `directory` to be an existing folder. Received: directory={directory!r}")
    if labels == "inferred":
        folders = sorted(d for d in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, d)) and not d.startswith("."))
        if class_names is not None:
            if not set(class_names).issubset(folders):
                raise ValueError(f"The `class_names` passed did not match the names of the subdirectories of the target "
                                 f"directory. Expected: {folders} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            folders = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified." if labels is None
                             else "When argument `labels` is specified, argument `class_names` cannot be specified "
                             "(the `class_names` will be the sorted list of labels).")
        folders = [""]
    formats = tuple(f.lower() for f in formats)
    paths, found = [], []
    for index, folder in enumerate(folders):
        root = os.path.join(directory, folder)
        for walk_root, subfolders, files in os.walk(root, followlinks=follow_links):
            subfolders.sort()
            for name in sorted(files):
                if name.lower().endswith(formats):
                    paths.append(os.path.join(walk_root, name))
                    found.append(index)
    if labels == "inferred":
        label_array = numpy.asarray(found, dtype="int32")
        names = folders
    elif labels is None:
        label_array, names = None, None
    else:
        if len(labels) != len(paths):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target directory. "
                             f"len(labels) is {len(labels)} while we found {len(paths)} files in directory {directory}.")
        label_array = numpy.asarray(labels)
        names = [str(label) for label in sorted(set(labels))]
    if verbose:
        classes = "" if names is None else f" belonging to {len(names)} classes"
        print_msg(f"Found {len(paths)} files{classes}.")
    if shuffle:
        order = numpy.random.RandomState(numpy.random.randint(1e6) if seed is None else seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        label_array = None if label_array is None else label_array[order]
    return paths, label_array, names


def check_split(validation_split, subset, shuffle, seed):
    """Keras' rules for `validation_split` / `subset` (a seed is needed to split shuffled files)."""
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split is None) != (subset is None):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely. Received: "
                         f"validation_split={validation_split}, subset={subset}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, to "
                         "make sure that there is no overlap between the training and validation subset.")


def split(paths, labels, validation_split, subset):
    """The training or validation part: the last `int(validation_split * n)` files are validation."""
    if not validation_split:
        return paths, labels
    count = int(validation_split * len(paths))
    part = slice(None, len(paths) - count) if subset == "training" else slice(len(paths) - count, None)
    print_msg(f"Using {len(paths[part])} files for {subset}.")
    return paths[part], None if labels is None else labels[part]


def encode_labels(labels, label_mode, num_classes):
    """Labels as Keras hands them over: int32 indices, float32 one-hot, or float32 (n, 1) for binary."""
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    return numpy.eye(num_classes, dtype="float32")[labels]


class FileDataset(PyDataset):
    """Batches read from files by index: `load(path)` reads one sample, batches stack them.

    Attributes:
        file_paths: the files, in batch order.
        class_names: the names of the label indices (None without labels).
    """

    def __init__(self, file_paths, labels, load, batch_size, class_names, collate=numpy.stack):
        super().__init__()
        self.collate = collate
        self.file_paths = list(file_paths)
        self.labels = labels
        self.load = load
        self.batch_size = batch_size
        self.class_names = class_names

    def __len__(self):
        if self.batch_size is None:
            return len(self.file_paths)
        return -(-len(self.file_paths) // self.batch_size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"Batch index {index} is out of range for a dataset of {len(self)} batches")
        index %= len(self)
        size = 1 if self.batch_size is None else self.batch_size
        rows = slice(index * size, (index + 1) * size)
        samples = self.collate([self.load(path) for path in self.file_paths[rows]])
        labels = None if self.labels is None else self.labels[rows]
        if self.batch_size is None:
            samples, labels = samples[0], None if labels is None else labels[0]
        return samples if labels is None else (samples, labels)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


def from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split, subset,
                   follow_links, verbose, formats, load, collate=numpy.stack):
    """The dataset (or, for subset="both", the training and validation datasets) of a class folder."""
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError("`labels` argument should be a list/tuple of integer labels, of the same size as the number of "
                         f"files in the target directory. If you wish to infer the labels from the subdirectory names in "
                         f'the target directory, pass `labels="inferred"`. If you wish to get a dataset that only '
                         f"contains samples (no labels), pass `labels=None`. Received: labels={labels}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_split(validation_split, subset, shuffle, seed)
    paths, label_array, names = index_directory(directory, labels, formats, class_names=class_names, shuffle=shuffle,
                                                seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={names}")
    if label_array is not None and label_mode is not None:
        label_array = encode_labels(numpy.asarray(label_array, dtype="int64"), label_mode, len(names))
    subsets = ["training", "validation"] if subset == "both" else [subset]
    datasets = []
    for part in subsets:
        part_paths, part_labels = split(paths, label_array, validation_split, part)
        if not part_paths:
            raise ValueError(f"No files found in directory {directory}. Allowed formats: {formats}")
        datasets.append(FileDataset(part_paths, part_labels, load, batch_size, names, collate))
    return tuple(datasets) if subset == "both" else datasets[0]
