"""`image_dataset_from_directory`: batches of images from a folder of class subfolders
(keras.utils.image_dataset_from_directory), read through Pillow when their batch is asked for."""
import numpy

from neuroflow import backend
from neuroflow.utils import image_utils
from neuroflow.utils.directory_dataset import from_directory

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None, validation_split=None,
                                 subset=None, interpolation="bilinear", follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf", verbose=True):
    """A dataset of `(images, labels)` batches from `directory`, one class per subfolder.

    Args:
        directory: the folder; with labels="inferred" each subfolder holds one class's images.
        labels: "inferred" (from the subfolders), None (images only), or one label per file in
            sorted file order.
        label_mode: "int" (int32 indices), "categorical" (one-hot float32), "binary" (float32 of
            shape (batch, 1), two classes), or None (images only).
        class_names: the subfolders to use, in label order (labels="inferred" only).
        color_mode: "grayscale", "rgb" or "rgba": 1, 3 or 4 channels.
        batch_size: images per batch; None gives single images.
        image_size: (height, width) every image is resized to.
        shuffle, seed: shuffle the files (once, before splitting).
        validation_split, subset: keep the "training" or "validation" part, or "both" for both datasets.
        interpolation: the resizing filter ("bilinear", "nearest", "bicubic", "lanczos", ...).
        follow_links: follow symbolic links to folders.
        crop_to_aspect_ratio: crop (centered) to the target's aspect ratio before resizing.
        pad_to_aspect_ratio: pad with zeros to the target's aspect ratio before resizing.
        data_format: "channels_last" (default) or "channels_first".
        format: "tf" or "grain" (Keras' choice of loader); either gives the same NumPy batches here.
        verbose: print how many files and classes were found.

    Returns:
        A `PyDataset` of float32 images (values 0..255) of shape (batch, height, width, channels)
        and their labels, with `class_names` and `file_paths` attributes; a pair of them for subset="both".

    Raises:
        ImportError: Pillow is not installed.
        ValueError: for a bad argument, naming it.
    """
    image_utils.pil_image()
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if color_mode not in image_utils.COLOR_MODES:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}')
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be set to `True`.")
    if interpolation not in image_utils.INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`: expected one of {image_utils.INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation!r}")
    height, width = (int(d) for d in image_size)
    data_format = data_format or backend.image_data_format()

    def load(path):
        img = image_utils.load_img(path, color_mode=color_mode)
        if crop_to_aspect_ratio:
            img = img.crop(image_utils.crop_box(img.size[1], img.size[0], height, width))
        elif pad_to_aspect_ratio:
            img = _pad(img, height, width)
        if img.size != (width, height):
            img = img.resize((width, height), image_utils.resample_filter(interpolation))
        return image_utils.img_to_array(img, data_format=data_format, dtype="float32")

    return from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
                          subset, follow_links, verbose, IMAGE_FORMATS, load)


def _pad(img, height, width):
    """`img` centered on a black canvas of the target's aspect ratio."""
    source_width, source_height = img.size
    canvas_height = max(source_height, int(numpy.ceil(source_width * height / width)))
    canvas_width = max(source_width, int(numpy.ceil(source_height * width / height)))
    canvas = image_utils.pil_image().new(img.mode, (canvas_width, canvas_height))
    canvas.paste(img, ((canvas_width - source_width) // 2, (canvas_height - source_height) // 2))
    return canvas
