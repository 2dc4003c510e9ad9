"""`keras.preprocessing` as Keras 3 keeps it: the dataset builders and the image / sequence helpers."""
from neuroflow.preprocessing import image, sequence
from neuroflow.utils.image_dataset import image_dataset_from_directory
from neuroflow.utils.text_dataset import text_dataset_from_directory
from neuroflow.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
