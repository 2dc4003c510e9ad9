"""Utilities with `keras.utils` names: labels, normalization, sequences, training plots."""
from neuroflow.seeding import set_random_seed
from neuroflow.utils.numerical import normalize, to_categorical
from neuroflow.utils.plotting import plot_history
from neuroflow.utils.progbar import Progbar
from neuroflow.utils.py_dataset import PyDataset, Sequence
from neuroflow.utils.sequence import multi_hot_sequences, pad_sequences

__all__ = ["Progbar", "PyDataset", "Sequence", "multi_hot_sequences", "normalize", "pad_sequences", "plot_history",
           "set_random_seed", "to_categorical"]
