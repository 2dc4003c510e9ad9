"""Utilities with `keras.utils` names: labels, normalization, sequences, training plots."""
from neuroflow.seeding import set_random_seed
from neuroflow.utils.numerical import normalize, to_categorical
from neuroflow.utils.plotting import plot_history
from neuroflow.utils.progbar import Progbar
from neuroflow.utils.py_dataset import PyDataset, Sequence
from neuroflow.utils.sequence import multi_hot_sequences, pad_sequences

# isort: split
# keras.utils: files, datasets, images, object serialization, graph pictures (issue 10).
from neuroflow.utils import bounding_boxes, legacy
from neuroflow.utils.audio_dataset import audio_dataset_from_directory
from neuroflow.utils.config import Config
from neuroflow.utils.dataset_utils import pack_x_y_sample_weight, split_dataset, unpack_x_y_sample_weight
from neuroflow.utils.dtype_utils import standardize_dtype
from neuroflow.utils.file_cache import get_file
from neuroflow.utils.image_dataset import image_dataset_from_directory
from neuroflow.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize
from neuroflow.utils.io_utils import disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled
from neuroflow.utils.model_visualization import model_to_dot, plot_model
from neuroflow.utils.object_serialization import deserialize_keras_object, serialize_keras_object
from neuroflow.utils.registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from neuroflow.utils.session import clear_session
from neuroflow.utils.symbolic import get_source_inputs, is_keras_tensor
from neuroflow.utils.text_dataset import text_dataset_from_directory
from neuroflow.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = ["Progbar", "PyDataset", "Sequence", "multi_hot_sequences", "normalize", "pad_sequences", "plot_history",
           "set_random_seed", "to_categorical"]
__all__ += ["CustomObjectScope", "array_to_img", "clear_session", "custom_object_scope", "deserialize_keras_object",
            "get_custom_objects", "get_file", "get_registered_name", "get_registered_object", "get_source_inputs",
            "image_dataset_from_directory", "img_to_array", "is_keras_tensor", "load_img", "model_to_dot",
            "pack_x_y_sample_weight", "plot_model", "register_keras_serializable", "save_img", "serialize_keras_object",
            "smart_resize", "Config", "audio_dataset_from_directory", "disable_interactive_logging",
            "enable_interactive_logging", "is_interactive_logging_enabled", "legacy", "bounding_boxes", "standardize_dtype",
            "split_dataset", "text_dataset_from_directory", "timeseries_dataset_from_array", "unpack_x_y_sample_weight"]
