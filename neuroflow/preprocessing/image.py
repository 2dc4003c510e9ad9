"""`keras.preprocessing.image`: images as files and arrays (Pillow), and `smart_resize`."""
from neuroflow.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]
