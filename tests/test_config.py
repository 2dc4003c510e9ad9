"""neuroflow.config against keras.config's names and recorded defaults (tests/config_fixtures)."""
import json
import os
import warnings

import numpy as np
import pytest

import neuroflow as nf
from neuroflow import backend, config, settings

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "config_fixtures", "keras_config.json")) as _file:
    KERAS = json.load(_file)


@pytest.fixture(autouse=True)
def _restore_settings():
    saved = dict(vars(settings))
    yield
    for name, value in saved.items():
        if not name.startswith("__"):
            setattr(settings, name, value)
    backend.set_epsilon(1e-7)
    backend.set_image_data_format("channels_last")
    nf.dtype_policies.reset_dtype_policy()


def test_has_every_keras_name():
    assert [n for n in KERAS["names"] if not hasattr(config, n)] == []


@pytest.mark.parametrize("name", sorted(KERAS["defaults"]))
def test_defaults_match_keras(name):
    value = getattr(config, name)()
    assert (repr(value) if name == "dtype_policy" else value) == KERAS["defaults"][name]


def test_backend_settings_are_backend_module_state():
    config.set_floatx("float64")
    assert backend.floatx() == "float64" and config.floatx() == "float64"
    config.set_epsilon(1e-5)
    assert backend.epsilon() == 1e-5
    config.set_image_data_format("channels_first")
    assert backend.image_data_format() == "channels_first"
    assert config.backend() == backend.backend()  # 'numpy' unless NEUROFLOW_BACKEND (or the tests' stand-in) says otherwise


def test_set_floatx_changes_default_policy():
    config.set_floatx("float64")
    assert config.dtype_policy().name == "float64"
    assert nf.layers.Dense(2).dtype == "float64"


def test_set_dtype_policy_sets_layer_dtype():
    config.set_dtype_policy("float64")
    layer = nf.layers.Dense(2)
    layer.build((None, 3))
    assert str(layer.kernel.dtype) == "float64"
    assert backend.floatx() == "float32"  # the policy is its own setting, as in Keras


def test_set_dtype_policy_mixed_bfloat16_is_refused():
    with pytest.raises(NotImplementedError, match="bfloat16"):
        config.set_dtype_policy("mixed_bfloat16")
    assert config.dtype_policy().name == "float32"


def test_set_dtype_policy_bad_argument():
    with pytest.raises(ValueError, match="Invalid `policy` argument"):
        config.set_dtype_policy(3)


def test_switches_round_trip():
    for enable, disable, read in [("enable_traceback_filtering", "disable_traceback_filtering",
                                   "is_traceback_filtering_enabled"),
                                  ("enable_interactive_logging", "disable_interactive_logging",
                                   "is_interactive_logging_enabled"),
                                  ("enable_flash_attention", "disable_flash_attention", "is_flash_attention_enabled")]:
        getattr(config, disable)()
        assert getattr(config, read)() is False
        getattr(config, enable)()
        assert getattr(config, read)() is True
    config.enable_unsafe_deserialization()
    assert config.is_unsafe_deserialization_enabled()


def _model():
    model = nf.Sequential([nf.Input((2,)), nf.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_max_epochs_caps_fit():
    config.set_max_epochs(2)
    assert config.max_epochs() == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = _model().fit(np.ones((8, 2)), np.ones((8, 1)), epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2
    assert any("Limiting epochs to 2" in str(w.message) for w in caught)


def test_max_steps_per_epoch_caps_fit():
    config.set_max_steps_per_epoch(1)

    class Count(nf.callbacks.Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            Count.batches += 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _model().fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, epochs=2, verbose=0, callbacks=[Count()])
    assert Count.batches == 2
