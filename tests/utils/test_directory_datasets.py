"""image_dataset_from_directory / text_dataset_from_directory: class subfolders -> batches and
class_names, label modes, validation splits, and training on the result."""
import numpy
import pytest

import neuroflow as nf
from neuroflow.utils import image_dataset_from_directory, save_img, text_dataset_from_directory


@pytest.fixture
def text_tree(tmp_path):
    for name, texts in {"neg": ["bad", "awful", "poor"], "pos": ["good", "great"]}.items():
        (tmp_path / name).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / name / f"{i}.txt").write_text(text)
    (tmp_path / "pos" / "notes.md").write_text("ignored: not .txt")
    (tmp_path / ".hidden").mkdir()
    return tmp_path


@pytest.fixture
def image_tree(tmp_path):
    pytest.importorskip("PIL")
    for index, name in enumerate(["cat", "dog", "fox"]):
        (tmp_path / name).mkdir()
        for i in range(3):
            save_img(tmp_path / name / f"{i}.png", numpy.full((10, 14, 3), 40 * index + i, "float32"), scale=False)
    return tmp_path


def test_text_batches_labels_and_class_names(text_tree, capsys):
    dataset = text_dataset_from_directory(text_tree, batch_size=2, shuffle=False)
    assert "Found 5 files belonging to 2 classes." in capsys.readouterr().out
    assert dataset.class_names == ["neg", "pos"] and len(dataset) == 3
    texts, labels = nf.utils.unpack_x_y_sample_weight(dataset[0])[:2]
    assert list(texts) == ["bad", "awful"] and labels.dtype == numpy.int32
    all_labels = numpy.concatenate([batch[1] for batch in dataset])
    numpy.testing.assert_array_equal(all_labels, [0, 0, 0, 1, 1])


def test_text_label_modes_and_max_length(text_tree):
    binary = text_dataset_from_directory(text_tree, label_mode="binary", shuffle=False, max_length=3, verbose=False)
    texts, labels = binary[0]
    assert labels.shape == (5, 1) and labels.dtype == numpy.float32
    assert max(len(t) for t in texts) == 3
    categorical = text_dataset_from_directory(text_tree, label_mode="categorical", shuffle=False, verbose=False)
    numpy.testing.assert_array_equal(categorical[0][1][-1], [0, 1])
    unlabeled = text_dataset_from_directory(text_tree, labels=None, shuffle=False, verbose=False)
    assert unlabeled.class_names is None and len(unlabeled[0]) == 5
    chosen = text_dataset_from_directory(text_tree, class_names=["pos"], verbose=False)
    assert chosen.class_names == ["pos"] and len(chosen.file_paths) == 2


def test_validation_split_is_disjoint_and_seeded(text_tree):
    train, val = text_dataset_from_directory(text_tree, validation_split=0.4, subset="both", seed=1, verbose=False)
    assert len(train.file_paths) == 3 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    again = text_dataset_from_directory(text_tree, validation_split=0.4, subset="training", seed=1, verbose=False)
    assert again.file_paths == train.file_paths


@pytest.mark.parametrize("kwargs, match", [
    ({"label_mode": "sparse"}, "label_mode"),
    ({"labels": "folders"}, "labels"),
    ({"validation_split": 0.2}, "subset"),
    ({"validation_split": 0.2, "subset": "training"}, "seed"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, "validation_split"),
    ({"subset": "test", "validation_split": 0.2, "seed": 1}, "subset"),
    ({"class_names": ["nope"]}, "class_names"),
    ({"label_mode": "binary", "class_names": ["neg"]}, "exactly 2"),
    ({"labels": [0, 1]}, "lengths of `labels`"),
])
def test_errors_name_the_argument(text_tree, kwargs, match):
    with pytest.raises(ValueError, match=match):
        text_dataset_from_directory(text_tree, verbose=False, **kwargs)


def test_missing_directory(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        text_dataset_from_directory(tmp_path / "absent")


def test_images_resized_batched_and_trainable(image_tree):
    dataset = image_dataset_from_directory(image_tree, image_size=(8, 8), batch_size=4, seed=0, verbose=False)
    assert dataset.class_names == ["cat", "dog", "fox"] and len(dataset) == 3
    images, labels = dataset[0]
    assert images.shape == (4, 8, 8, 3) and images.dtype == numpy.float32 and labels.dtype == numpy.int32
    # Each class's images have one grey level band: labels match the pixel values.
    for image, label in zip(images, labels):
        assert 40 * label <= image[0, 0, 0] <= 40 * label + 2
    model = nf.Sequential([nf.Input((8, 8, 3)), nf.layers.Rescaling(1 / 255), nf.layers.Flatten(),
                           nf.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(dataset, epochs=1, verbose=0)


def test_image_options(image_tree):
    gray = image_dataset_from_directory(image_tree, color_mode="grayscale", image_size=(5, 7), shuffle=False,
                                        label_mode="categorical", verbose=False)
    images, labels = gray[0]
    assert images.shape == (9, 5, 7, 1) and labels.shape == (9, 3)
    cropped = image_dataset_from_directory(image_tree, image_size=(4, 4), crop_to_aspect_ratio=True, verbose=False,
                                           batch_size=None, seed=0)
    assert cropped[0][0].shape == (4, 4, 3)
    padded = image_dataset_from_directory(image_tree, image_size=(4, 4), pad_to_aspect_ratio=True, labels=None, interpolation="nearest",
                                          data_format="channels_first", verbose=False)
    assert padded[0].shape == (9, 3, 4, 4)
    assert padded[0][:, :, 0, :].max() == 0  # the padding rows are black
    with pytest.raises(ValueError, match="crop_to_aspect_ratio"):
        image_dataset_from_directory(image_tree, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="color_mode"):
        image_dataset_from_directory(image_tree, color_mode="cmyk")


def test_preprocessing_aliases():
    assert nf.preprocessing.image_dataset_from_directory is image_dataset_from_directory
    assert nf.preprocessing.text_dataset_from_directory is text_dataset_from_directory
    assert nf.preprocessing.timeseries_dataset_from_array is nf.utils.timeseries_dataset_from_array
    assert nf.preprocessing.sequence.pad_sequences is nf.utils.pad_sequences
    assert nf.preprocessing.image.load_img is nf.utils.load_img


def test_format_argument(text_tree):
    assert len(text_dataset_from_directory(text_tree, format="grain", verbose=False).file_paths) == 5
    with pytest.raises(ValueError, match="format"):
        text_dataset_from_directory(text_tree, format="torch")
