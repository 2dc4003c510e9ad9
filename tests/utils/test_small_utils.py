"""Config, standardize_dtype and interactive logging."""
import json
import logging

import numpy
import pytest

from neuroflow import utils


def test_config_attributes_keys_and_freezing():
    config = utils.Config(learning_rate=0.1, units=4)
    config.depth = 2
    config["width"] = 8
    assert config.learning_rate == 0.1 and config["depth"] == 2 and "width" in config and len(config) == 4
    assert json.loads(config.to_json()) == config.as_dict() == dict(config.items())
    config.freeze()
    assert config.frozen
    with pytest.raises(ValueError, match="frozen"):
        config.units = 5
    with pytest.raises(ValueError, match="frozen"):
        config.update(units=5)
    config.unfreeze()
    del config.units
    with pytest.raises(AttributeError, match="units"):
        _ = config.units


def test_standardize_dtype():
    assert utils.standardize_dtype(None) == "float32"
    assert utils.standardize_dtype(int) == "int32" and utils.standardize_dtype(bool) == "bool"
    assert utils.standardize_dtype(numpy.float64) == "float64"
    assert utils.standardize_dtype(numpy.dtype("uint8")) == "uint8" and utils.standardize_dtype("int64") == "int64"
    with pytest.raises(ValueError, match="Invalid dtype"):
        utils.standardize_dtype("float")


def test_interactive_logging_switches_between_stdout_and_logging(tmp_path, capsys, caplog):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    assert utils.is_interactive_logging_enabled()
    utils.text_dataset_from_directory(tmp_path)
    assert "Found 1 files belonging to 1 classes." in capsys.readouterr().out
    utils.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="neuroflow"):
            utils.text_dataset_from_directory(tmp_path)
        assert capsys.readouterr().out == ""
        assert "Found 1 files" in caplog.text
        assert not utils.is_interactive_logging_enabled()
    finally:
        utils.enable_interactive_logging()
