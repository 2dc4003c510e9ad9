"""Issue 14, part 2: files that cannot hurt. Loading runs no code from a file, allocates only what a
file's limits allow, names what is wrong with a corrupt or mismatched file, and every writer
replaces its target atomically with the permissions the user's umask gives."""
import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
import zipfile

import h5py
import numpy
import pytest

import neuroflow
from neuroflow import layers
from neuroflow.datasets import _cache
from neuroflow.saving.files import CorruptFileError, partial_files, write_atomically
from neuroflow.tuner.trial import write_json
from neuroflow.utils import atomic_file  # the module every writer goes through

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _model(names=("first", "second")):
    model = neuroflow.Sequential([layers.Input((3,))] + [layers.Dense(2, name=name) for name in names])
    model.compile("adam", "mse")
    return model


@pytest.fixture
def limits():
    saved = neuroflow.config.file_limits()
    yield
    neuroflow.config.set_file_limits(**saved)


def _declare_size(path, member, size):
    """Rewrites the central directory's inflated size of `member` (what zipfile trusts) to `size`."""
    data = bytearray(open(path, "rb").read())
    name = member.encode()
    offset = 0
    while True:
        offset = data.index(b"PK\x01\x02", offset)
        name_length = struct.unpack("<H", data[offset + 28:offset + 30])[0]
        if bytes(data[offset + 46:offset + 46 + name_length]) == name:
            data[offset + 24:offset + 28] = struct.pack("<I", size)
            break
        offset += 4
    open(path, "wb").write(bytes(data))


# ---- no code runs on load --------------------------------------------------------------------

KERAS_2_LAMBDA = ["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHIC", None, None]


@neuroflow.saving.register_keras_serializable(package="robustness")
def double(x):
    return x * 2


@pytest.mark.parametrize("unsafe", [False, True])
def test_keras_2_lambda_bytecode_in_a_legacy_h5_is_refused_even_when_unsafe(tmp_path, unsafe, monkeypatch):
    path = str(tmp_path / "lambda.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy-format advice
        neuroflow.Sequential([layers.Input((3,)), layers.Lambda(double), layers.Dense(1)]).save(path)
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        lambda_config = next(e for e in config["config"]["layers"] if e["class_name"] == "Lambda")["config"]
        lambda_config.update(function=KERAS_2_LAMBDA, function_type="lambda")
        handle.attrs["model_config"] = json.dumps(config).encode()
    if unsafe:
        monkeypatch.setattr(neuroflow.settings, "unsafe_deserialization", True)
    with pytest.raises(ValueError, match="Lambda 'lambda.*bytecode, which neuroflow never executes.*safe_mode=False"):
        neuroflow.models.load_model(path, safe_mode=not unsafe)


def test_object_array_in_the_native_format_is_refused_without_unpickling(tmp_path):
    path = str(tmp_path / "model.nfz")
    _model().save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    planted = numpy.empty(1, dtype=object)
    planted[0] = {"a": 1}
    with open(tmp_path / "object.npy", "wb") as handle:
        numpy.save(handle, planted, allow_pickle=True)
    members["weights/0000.npy"] = (tmp_path / "object.npy").read_bytes()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(CorruptFileError, match=r"weights/0000.npy holds Python objects \(dtype object\)"):
        neuroflow.models.load_model(path)


# ---- bounded resources -----------------------------------------------------------------------

@pytest.mark.parametrize("suffix, member", [(".nfz", "weights/0000.npy"), (".keras", "model.weights.h5")])
def test_member_declaring_a_huge_inflated_size_is_refused_before_allocating(tmp_path, suffix, member):
    path = str(tmp_path / f"model{suffix}")
    _model().save(path)
    _declare_size(path, member, 2**30)  # a few kB claiming a GiB: the shape of a zip bomb
    tracemalloc.start()
    with pytest.raises(CorruptFileError, match=rf"{member} is stored in \d+ bytes but declares 1073741824 bytes"):
        neuroflow.models.load_model(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20


def test_compression_ratio_limit_can_be_raised(tmp_path, limits):
    path = str(tmp_path / "zeros.nfz")
    model = neuroflow.Sequential([layers.Input((2048,)), layers.Dense(2048, kernel_initializer="zeros")])
    model.save(path)  # 16 MiB of zeros deflate about 1000 times
    neuroflow.config.set_file_limits(max_compression_ratio=10)
    with pytest.raises(CorruptFileError, match="set_file_limits\\(max_compression_ratio=...\\)"):
        neuroflow.models.load_model(path)
    neuroflow.config.set_file_limits(max_compression_ratio=10**6)
    assert numpy.all(neuroflow.models.load_model(path).get_weights()[0] == 0)


@pytest.mark.parametrize("suffix", [".nfz", ".keras"])
def test_config_over_the_limit_is_refused_and_the_limit_can_be_raised(tmp_path, limits, suffix):
    path = str(tmp_path / f"model{suffix}")
    _model().save(path)
    neuroflow.config.set_file_limits(max_config_bytes=200)
    with pytest.raises(CorruptFileError, match=r"config.json declares \d+ bytes, over the limit of 200 bytes"):
        neuroflow.models.load_model(path)
    neuroflow.config.set_file_limits(max_config_bytes=10**7)
    assert neuroflow.models.load_model(path).layers[0].name == "first"


def test_legacy_h5_config_over_the_limit_is_refused(tmp_path, limits):
    path = str(tmp_path / "model.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _model().save(path)
        neuroflow.config.set_file_limits(max_config_bytes=200)
        with pytest.raises(CorruptFileError, match=r"model_config attribute holds \d+ bytes, over the limit of 200"):
            neuroflow.models.load_model(path)
        neuroflow.config.set_file_limits(max_config_bytes=10**7)
        assert neuroflow.models.load_model(path).layers[0].name == "first"


def _huge_dataset(group, name):
    del group[name]
    group.create_dataset(name, shape=(2**18, 2**17), dtype="float32", chunks=(64, 64))  # 128 GiB declared


def test_weights_h5_dataset_declaring_a_huge_shape_is_refused_before_reading(tmp_path):
    path = str(tmp_path / "model.weights.h5")
    model = _model()
    model.save_weights(path)
    with h5py.File(path, "r+") as handle:
        _huge_dataset(handle["layers/dense/vars"], "0")  # Keras names the groups by class
    with pytest.raises(ValueError, match=r"layer 'first'.*has shape \(3, 2\) but .* holds shape \(262144, 131072\)"):
        _model().load_weights(path)


def test_legacy_h5_dataset_declaring_a_huge_shape_is_refused_before_reading(tmp_path):
    path = str(tmp_path / "model.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _model().save(path)
    with h5py.File(path, "r+") as handle:
        group = handle["model_weights/first/first"]
        _huge_dataset(group, next(name for name in group if name.startswith("kernel")))
    with pytest.raises(ValueError, match=r"has shape \(3, 2\) but .* holds shape \(262144, 131072\)"):
        neuroflow.models.load_model(path)


# ---- corrupt and truncated files -------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".nfz", ".keras", ".h5", ".weights.h5"])
def test_truncated_file_gives_one_clear_error_naming_it(tmp_path, suffix):
    path = str(tmp_path / f"model{suffix}")
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2])
    with pytest.raises(ValueError, match="model" + suffix.replace(".", r"\.") + ".*(truncated|corrupt)"):
        _model().load_weights(path) if suffix == ".weights.h5" else neuroflow.models.load_model(path)


@pytest.mark.parametrize("suffix", [".nfz", ".keras"])
def test_member_with_a_bad_crc_gives_one_clear_error(tmp_path, suffix):
    path = str(tmp_path / f"model{suffix}")
    _model().save(path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("config.json")
    data = bytearray(open(path, "rb").read())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match=rf"model{suffix}.*(Bad CRC|corrupt|Error)"):
        neuroflow.models.load_model(path)


# ---- missing and unknown weight groups -------------------------------------------------------

def test_unknown_weight_groups_are_named_in_a_warning(tmp_path):
    path = str(tmp_path / "big.weights.h5")
    _model(("first", "second", "third")).save_weights(path)
    small = _model(("first", "second"))
    with pytest.warns(UserWarning, match=r"has no place for, not loaded: layers/dense_2/vars"):
        small.load_weights(path)


def test_missing_weight_groups_are_an_error_or_with_skip_mismatch_a_warning(tmp_path):
    path = str(tmp_path / "small.weights.h5")
    _model(("first", "second")).save_weights(path)
    big = _model(("first", "second", "third"))
    with pytest.raises(ValueError, match=r"no weights for layer 'third' \(group 'layers/dense_2/vars'\).*skip_mismatch"):
        big.load_weights(path)
    before = big.layers[2].get_weights()
    with pytest.warns(UserWarning, match=r"Skipping loading weights .* for layer\(s\) 'third'"):
        big.load_weights(path, skip_mismatch=True)
    assert all(numpy.array_equal(a, b) for a, b in zip(before, big.layers[2].get_weights()))


def test_native_weights_of_another_architecture_name_the_differences(tmp_path):
    path = str(tmp_path / "big.nfz")
    _model(("first", "second", "third")).save_weights(path)
    with pytest.raises(ValueError, match=r"holds 6 weight arrays but model .* has 4.*In the file only: \['third/bias', 'third/kernel'\]"):
        _model(("first", "second")).load_weights(path)


# ---- every save round-trips --------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".keras", ".nfz", ".h5"])
def test_functional_model_round_trips_in_every_format(tmp_path, suffix, rng):
    inputs = layers.Input((3,))
    left = layers.Dense(4, name="left")(inputs)
    right = layers.Dense(4, name="right")(inputs)
    model = neuroflow.Model(inputs, layers.Dense(1, name="out")(layers.Concatenate()([left, right])))
    path = str(tmp_path / f"model{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(path)
        loaded = neuroflow.models.load_model(path)
    x = rng.random((5, 3)).astype("float32")
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    numpy.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- atomic writes ---------------------------------------------------------------------------

def _writers(tmp_path):
    """(name, target path, function writing it) for every writer that replaces a file."""
    model = _model()
    model.fit(numpy.ones((4, 3)), numpy.ones((4, 2)), verbose=0)

    def checkpoint(path):
        callback = neuroflow.callbacks.ModelCheckpoint(path)
        callback.set_model(model)
        callback.on_epoch_end(0, {"loss": 1.0})

    def csv_logger(path):
        callback = neuroflow.callbacks.CSVLogger(path)
        callback.set_model(model)
        callback.on_train_begin()
        callback.on_epoch_end(0, {"loss": 1.0})

    def quiet(function):
        def run(path):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                function(path)
        return run

    return [("save .keras", tmp_path / "m.keras", model.save), ("save native", tmp_path / "m.nfz", model.save),
            ("save .h5", tmp_path / "m.h5", quiet(model.save)),
            ("save_weights .weights.h5", tmp_path / "m.weights.h5", model.save_weights),
            ("save_weights native", tmp_path / "m.weights.nfz", model.save_weights),
            ("ModelCheckpoint", tmp_path / "checkpoint.keras", checkpoint), ("CSVLogger", tmp_path / "log.csv", csv_logger),
            # the tuner's search state (oracle.json, trial.json) goes through one writer
            ("tuner state", tmp_path / "oracle.json", lambda path: write_json(path, {"trials": []}))]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_every_writer_respects_the_umask(tmp_path, mask):
    previous = os.umask(mask)
    try:
        for name, path, write in _writers(tmp_path):
            write(str(path))
            assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask, name
    finally:
        os.umask(previous)


def test_every_writer_failing_midway_keeps_the_old_file_and_leaves_no_partial(tmp_path, monkeypatch):
    real_replace = os.replace

    def die_before_rename(source, target):
        raise KeyboardInterrupt("killed between writing and renaming")

    for name, path, write in _writers(tmp_path):
        path.write_bytes(b"the previous file")
        monkeypatch.setattr(atomic_file.os, "replace", die_before_rename)
        with pytest.raises(KeyboardInterrupt):
            write(str(path))
        monkeypatch.setattr(atomic_file.os, "replace", real_replace)
        assert path.read_bytes() == b"the previous file", name
        assert partial_files(path) == [], name


def test_a_save_killed_with_sigkill_leaves_the_old_file_and_the_next_save_cleans_up(tmp_path):
    target = tmp_path / "model.nfz"
    _model().save(str(target))
    previous = target.read_bytes()
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {ROOT!r})
        from neuroflow.saving.files import write_atomically

        def write(path):
            with open(path, "wb") as handle:
                handle.write(b"half a model")
            print("writing", flush=True)
            time.sleep(60)

        write_atomically({str(target)!r}, write)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert target.read_bytes() == previous
    assert len(partial_files(target)) == 1  # SIGKILL gives no chance to clean up ...
    _model().save(str(target))
    assert partial_files(target) == []  # ... the next save does


def test_a_partial_of_a_live_writer_is_left_alone(tmp_path):
    target = tmp_path / "model.nfz"
    planted = tmp_path / f".model.nfz.{os.getppid()}.abc.partial"  # a running process (pytest's parent)
    planted.write_bytes(b"in progress")
    write_atomically(str(target), lambda path: open(path, "wb").close())
    assert planted.exists()


# ---- dataset cache ---------------------------------------------------------------------------

def test_a_cached_dataset_whose_checksum_does_not_match_is_downloaded_again(tmp_path, monkeypatch):
    good = b"the published dataset"
    remote = _cache.RemoteFile(name="data.bin", url="https://example.invalid/data.bin",
                               hashes={"sha256:" + hashlib.sha256(good).hexdigest(): "keras"})
    monkeypatch.setenv("NEUROFLOW_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("NEUROFLOW_DATA_DIR", raising=False)
    cached = tmp_path / "data.bin"
    cached.write_bytes(b"tampered or truncated")
    monkeypatch.setattr(_cache, "_download", lambda url, destination: open(destination, "wb").write(good))
    with pytest.warns(UserWarning, match="deleting it and downloading it again"):
        path, layout = _cache.fetch(remote)
    assert open(path, "rb").read() == good and layout == "keras"
    cached.write_bytes(b"tampered again")
    monkeypatch.setattr(_cache, "_download", lambda url, destination: (_ for _ in ()).throw(OSError("offline")))
    with pytest.warns(UserWarning), pytest.raises(_cache.DatasetError, match="Corrupt copies found and not used"):
        _cache.fetch(remote)
