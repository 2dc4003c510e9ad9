"""SeedGenerator: its state Variable, next(), use as `seed=` and inside layers."""
import numpy as np
import pytest

import neuroflow as nf
from neuroflow import backend, random
from neuroflow.random import SeedGenerator
from neuroflow.testing import device_standin


def test_state_and_next():
    generator = SeedGenerator(42)
    assert generator.state.value.tolist() == [42, 0] and not generator.state.trainable
    np.testing.assert_array_equal(backend.to_numpy(generator.next()), [42, 0])
    np.testing.assert_array_equal(backend.to_numpy(generator.next()), [42, 1])
    assert generator.state.value.tolist() == [42, 2]
    generator.next(ordered=False)
    assert generator.state.value.tolist() == [(43 * 5387) % 933199, (3 * 5387) % 933199]


def test_seed_generator_gives_new_values_reproducibly():
    first, second = SeedGenerator(7), SeedGenerator(7)
    a, b = random.normal((4,), seed=first).numpy(), random.normal((4,), seed=first).numpy()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, random.normal((4,), seed=second).numpy())


def test_restoring_state_replays_draws():
    generator = SeedGenerator(3)
    random.uniform((2,), seed=generator)
    saved = generator.state.numpy().copy()
    expected = random.uniform((3,), seed=generator).numpy()
    generator.state.assign(saved)
    np.testing.assert_array_equal(random.uniform((3,), seed=generator).numpy(), expected)


def test_unseeded_follows_set_random_seed():
    nf.set_random_seed(5)
    a = SeedGenerator().state.value.tolist()
    nf.set_random_seed(5)
    assert SeedGenerator().state.value.tolist() == a


def test_config_round_trip_and_name():
    generator = SeedGenerator(9, name="noise_seed")
    config = generator.get_config()
    assert config == {"seed": 9, "name": "noise_seed"}
    assert SeedGenerator.from_config(config).state.value.tolist() == [9, 0]
    assert generator.state.path == "noise_seed/seed_generator_state"


def test_bad_seed():
    with pytest.raises(ValueError, match="Argument `seed` must be an integer"):
        SeedGenerator(1.5)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        SeedGenerator(1, colour="red")


class _KerasDropout(nf.Layer):
    """Keras' documented SeedGenerator pattern."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = random.SeedGenerator(1337)

    def call(self, x, training=False):
        return random.dropout(x, rate=0.5, seed=self.seed_generator) if training else x


def test_layer_tracks_its_seed_generator():
    layer = _KerasDropout()
    x = np.ones((4, 8), "float32")
    first = layer(x, training=True).numpy()
    second = layer(x, training=True).numpy()
    assert not np.array_equal(first, second)
    assert layer.weights == [] and layer.non_trainable_weights == []
    assert layer.variables == layer.non_trainable_variables == [layer.seed_generator.state]
    assert layer.seed_generator.state.value.tolist() == [1337, 2]
    np.testing.assert_array_equal(layer(x).numpy(), x)


def test_model_variables_hold_seed_states_and_restore():
    model = nf.Sequential([nf.Input((8,)), _KerasDropout(), nf.layers.Dense(2)])
    states = [v for v in model.variables if v.path.endswith("seed_generator_state")]
    assert len(states) == 1 and len(model.weights) == 2
    x = np.ones((3, 8), "float32")
    saved = [v.numpy().copy() for v in model.variables]
    expected = model(x, training=True).numpy()
    for variable, value in zip(model.variables, saved):
        variable.assign(value)
    np.testing.assert_array_equal(model(x, training=True).numpy(), expected)


def test_builtin_dropout_layer_still_uses_its_stream():
    layer = nf.layers.Dropout(0.5, seed=3)
    x = np.ones((2, 6), "float32")
    again = nf.layers.Dropout(0.5, seed=3)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), again(x, training=True).numpy())
    assert layer.variables == [layer.seed_generator.state]



def test_a_draw_on_the_device_reads_nothing_back_and_equals_numpy(on_numpy):
    host_generator = SeedGenerator(11)
    host = [random.normal((3,), seed=host_generator).numpy() for _ in range(3)]
    with device_standin.use_standin():
        generator = SeedGenerator(11)
        device_standin.reset_counters()
        values = [random.normal((3,), seed=generator) for _ in range(3)]
        # The state's host copy seeds the draws: no copy back (a wait for the device) per draw.
        assert device_standin.device_to_host.count == 0
        assert device_standin.host_to_device.count == 3 * 2  # the new state and the values, per draw
        assert [backend.to_numpy(v.value).tolist() for v in values] == [h.tolist() for h in host]
        assert backend.to_numpy(generator.state.value).tolist() == [11, 3]
        # A state assigned from the host (a restore) is the host copy at once ...
        generator.state.assign(np.array([11, 1]))
        device_standin.reset_counters()
        np.testing.assert_array_equal(random.normal((3,), seed=generator).numpy(), host[1])
        assert device_standin.device_to_host.count == 1  # .numpy() above, nothing for the draw
        # ... one from the device is read back once, at the next draw.
        generator.state.assign(backend.xp.asarray(np.array([11, 2])))
        device_standin.reset_counters()
        drawn = random.normal((3,), seed=generator)
        assert device_standin.device_to_host.count == 1
        np.testing.assert_array_equal(drawn.numpy(), host[2])
        generator.state.assign_add(backend.xp.asarray(np.array([0, -3])))
        assert generator.state.host_value().tolist() == [11, 0]
