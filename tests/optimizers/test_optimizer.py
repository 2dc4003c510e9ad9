"""The base class: clipping, weight decay, constraints, learning rates, legacy arguments, names,
configs, state, and that every optimizer minimizes a quadratic."""
import pickle
import warnings

import numpy as np
import pytest

from neuroflow import constraints, ops, optimizers
from neuroflow.engine import GradientTape, Variable
from neuroflow.optimizers import SGD, Adam, schedules

ALL = ["SGD", "RMSprop", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Adadelta", "Ftrl"]


def step(optimizer, grads, variables):
    optimizer.apply_gradients(list(zip(grads, variables)))


# ---- clipping --------------------------------------------------------------------------------

def test_clipnorm_rescales_each_gradient_separately():
    a, b = Variable(np.zeros(2), dtype="float64"), Variable(np.zeros(1), dtype="float64")
    step(SGD(learning_rate=1.0, clipnorm=1.0), [np.array([3.0, 4.0]), np.array([0.5])], [a, b])
    np.testing.assert_allclose(a.numpy(), [-0.6, -0.8])   # norm 5 -> 1
    np.testing.assert_allclose(b.numpy(), [-0.5])         # norm 0.5 <= 1: unchanged


def test_global_clipnorm_rescales_all_gradients_together():
    a, b = Variable(np.zeros(2), dtype="float64"), Variable(np.zeros(1), dtype="float64")
    # global norm sqrt(9 + 16 + 144) = 13 -> scale 1/13 with global_clipnorm=1
    step(SGD(learning_rate=1.0, global_clipnorm=1.0), [np.array([3.0, 4.0]), np.array([12.0])], [a, b])
    np.testing.assert_allclose(a.numpy(), [-3 / 13, -4 / 13])
    np.testing.assert_allclose(b.numpy(), [-12 / 13])


def test_global_clipnorm_leaves_small_gradients_alone():
    a = Variable(np.zeros(2), dtype="float64")
    step(SGD(learning_rate=1.0, global_clipnorm=10.0), [np.array([3.0, 4.0])], [a])
    np.testing.assert_allclose(a.numpy(), [-3.0, -4.0])


def test_clipvalue_clips_elements():
    a = Variable(np.zeros(3), dtype="float64")
    step(SGD(learning_rate=1.0, clipvalue=0.5), [np.array([2.0, -0.1, -7.0])], [a])
    np.testing.assert_allclose(a.numpy(), [-0.5, 0.1, 0.5])


def test_clipping_does_not_modify_the_callers_gradient():
    grad = np.array([3.0, 4.0])
    for options in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}, {"clipvalue": 1.0}):
        step(SGD(**options), [grad], [Variable(np.zeros(2))])
        np.testing.assert_array_equal(grad, [3.0, 4.0])


def test_only_one_clipping_argument():
    with pytest.raises(ValueError, match="Only one of"):
        SGD(clipnorm=1.0, clipvalue=1.0)


# ---- weight decay ----------------------------------------------------------------------------

def test_weight_decay_is_decoupled_and_applied_before_the_update():
    # w = 2 - 2 * 0.1 * 0.5 = 1.9, then w = 1.9 - 0.5 * 1 = 1.4
    w = Variable(np.array([2.0]), dtype="float64")
    step(SGD(learning_rate=0.5, weight_decay=0.1), [np.array([1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [1.4], rtol=1e-12)


def test_weight_decay_exclusions_by_variable_and_by_name():
    kept, by_name, by_variable = (Variable(np.array([2.0]), dtype="float64", name="kernel"),
                                  Variable(np.array([2.0]), dtype="float64", name="dense/bias"),
                                  Variable(np.array([2.0]), dtype="float64", name="other"))
    optimizer = SGD(learning_rate=1.0, weight_decay=0.25)
    optimizer.exclude_from_weight_decay(var_list=[by_variable], var_names=["bias"])
    step(optimizer, [np.zeros(1)] * 3, [kept, by_name, by_variable])
    assert (kept.numpy()[0], by_name.numpy()[0], by_variable.numpy()[0]) == (1.5, 2.0, 2.0)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        optimizer.exclude_from_weight_decay(var_names=["x"])


# ---- constraints, None gradients, shapes -----------------------------------------------------

def test_constraint_applied_after_the_update():
    w = Variable(np.array([0.5, -0.2]), dtype="float64", constraint=constraints.NonNeg())
    step(SGD(learning_rate=1.0), [np.array([1.0, -1.0])], [w])   # update gives [-0.5, 0.8]
    np.testing.assert_allclose(w.numpy(), [0.0, 0.8])


def test_none_gradients_are_skipped_with_a_warning():
    a, b = Variable(np.ones(1), dtype="float64", name="used"), Variable(np.ones(1), dtype="float64", name="unused")
    with pytest.warns(UserWarning, match="unused"):
        step(SGD(learning_rate=1.0), [np.array([1.0]), None], [a, b])
    assert (a.numpy()[0], b.numpy()[0]) == (0.0, 1.0)
    with pytest.raises(ValueError, match="No gradients"):
        step(SGD(), [None], [a])


def test_gradients_as_tensors_from_a_tape():
    w = Variable(np.array([1.0, -2.0]), dtype="float64")
    optimizer = SGD(learning_rate=0.25)
    with GradientTape() as tape:
        loss = ops.sum(ops.square(w))
    grads = tape.gradient(loss, [w])
    optimizer.apply_gradients(zip(grads, [w]))
    np.testing.assert_allclose(w.numpy(), [0.5, -1.0])   # w - 0.25 * 2w


def test_gradient_shape_mismatch_names_the_variable():
    with pytest.raises(ValueError, match="'kernel'.*shape"):
        step(SGD(), [np.ones(3)], [Variable(np.ones(2), name="kernel")])


def test_float32_variables_stay_float32_with_float64_gradients():
    w = Variable(np.ones(3, dtype="float32"))
    optimizer = Adam()
    step(optimizer, [np.ones(3, dtype="float64")], [w])
    assert w.dtype == "float32"
    assert [slot.dtype for slot in optimizer.variables] == ["float32", "float32"]


def test_in_place_updates_keep_the_arrays():
    w = Variable(np.ones(3))
    optimizer = Adam()
    step(optimizer, [np.ones(3)], [w])
    arrays = [id(w.value)] + [id(v.value) for v in optimizer.variables]
    step(optimizer, [np.ones(3)], [w])
    assert arrays == [id(w.value)] + [id(v.value) for v in optimizer.variables]


def test_apply_with_built_variables_and_new_variables_later():
    a, b = Variable(np.ones(1), dtype="float64"), Variable(np.ones(2), dtype="float64")
    optimizer = SGD(learning_rate=1.0, momentum=0.5)
    optimizer.build([a])
    optimizer.apply([np.array([1.0])])                 # no variables: the built ones
    step(optimizer, [np.array([1.0]), np.ones(2)], [a, b])  # b is new: its slot is created
    assert len(optimizer.variables) == 2
    np.testing.assert_allclose(a.numpy(), [1 - 1 - 1.5])
    np.testing.assert_allclose(b.numpy(), [0.0, 0.0])


# ---- step count and learning rates -----------------------------------------------------------

def test_iterations_count_updates():
    optimizer, w = SGD(), Variable(np.ones(1))
    assert optimizer.iterations == 0
    for expected in (1, 2, 3):
        step(optimizer, [np.ones(1)], [w])
        assert optimizer.iterations == expected and isinstance(optimizer.iterations, int)
    assert optimizer.iterations.numpy() == 3
    optimizer.iterations = 10
    assert optimizer.iterations == 10


def test_tf_keras_config_keys_are_ignored():
    config = {"learning_rate": 0.1, "jit_compile": True, "is_legacy_optimizer": False}
    assert Adam.from_config(config).learning_rate == pytest.approx(0.1)


def test_learning_rate_is_a_float_settable_mid_training():
    w = Variable(np.array([0.0]), dtype="float64")
    optimizer = SGD(learning_rate=0.1)
    assert optimizer.learning_rate == pytest.approx(0.1) and isinstance(optimizer.learning_rate, float)
    step(optimizer, [np.ones(1)], [w])
    optimizer.learning_rate = 0.01
    step(optimizer, [np.ones(1)], [w])
    np.testing.assert_allclose(w.numpy(), [-0.11])
    optimizer.learning_rate.assign(1.0)        # Keras-variable style
    assert optimizer.learning_rate == 1.0
    np.testing.assert_allclose(optimizer.learning_rate.numpy(), 1.0)


def test_schedule_learning_rate_follows_iterations():
    schedule = schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    w = Variable(np.array([0.0]), dtype="float64")
    optimizer = SGD(learning_rate=schedule)
    assert optimizer.learning_rate == 1.0
    for _ in range(3):
        step(optimizer, [np.ones(1)], [w])   # rates 1, 0.5, 0.25
    np.testing.assert_allclose(w.numpy(), [-1.75])
    assert optimizer.learning_rate == 0.125
    with pytest.raises(TypeError, match="not settable"):
        optimizer.learning_rate = 0.1


def test_callable_learning_rate():
    rate = {"value": 0.5}
    w = Variable(np.array([0.0]), dtype="float64")
    optimizer = SGD(learning_rate=lambda: rate["value"])
    step(optimizer, [np.ones(1)], [w])
    rate["value"] = 0.25
    step(optimizer, [np.ones(1)], [w])
    np.testing.assert_allclose(w.numpy(), [-0.75])


def test_bad_learning_rate():
    with pytest.raises(ValueError, match="learning_rate"):
        SGD(learning_rate="fast")


def test_legacy_lr_argument_warns_and_works():
    with pytest.warns(DeprecationWarning, match="lr"):
        optimizer = SGD(lr=0.3)
    assert optimizer.learning_rate == pytest.approx(0.3)


def test_legacy_decay_is_keras2_time_decay():
    w = Variable(np.array([0.0]), dtype="float64")
    with pytest.warns(DeprecationWarning, match="decay"):
        optimizer = SGD(learning_rate=1.0, decay=0.5)
    for _ in range(3):
        step(optimizer, [np.ones(1)], [w])   # rates 1/(1+0), 1/(1+0.5), 1/(1+1)
    np.testing.assert_allclose(w.numpy(), [-(1 + 1 / 1.5 + 0.5)])
    assert optimizer.learning_rate == 1.0    # the base rate; decay applies at update time
    assert optimizer.get_config()["decay"] == 0.5


def test_unknown_argument_is_refused():
    with pytest.raises(ValueError, match="momentun"):
        Adam(momentun=0.9)


# ---- EMA, gradient accumulation, loss scaling ------------------------------------------------

def test_ema_tracks_the_average_and_finalize_writes_it():
    w = Variable(np.array([0.0]), dtype="float64")
    optimizer = SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    step(optimizer, [np.array([-1.0])], [w])  # w = 1, average = 1 (first step copies)
    step(optimizer, [np.array([-1.0])], [w])  # w = 2, average = 0.5 * 1 + 0.5 * 2 = 1.5
    assert w.numpy()[0] == 2.0
    optimizer.finalize_variable_values([w])
    assert w.numpy()[0] == 1.5


def test_ema_overwrite_frequency():
    w = Variable(np.array([0.0]), dtype="float64")
    optimizer = SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    step(optimizer, [np.array([-1.0])], [w])
    step(optimizer, [np.array([-1.0])], [w])
    assert w.numpy()[0] == 1.5


def test_gradient_accumulation_updates_every_n_steps_with_the_mean():
    w = Variable(np.array([0.0]), dtype="float64")
    optimizer = SGD(learning_rate=1.0, gradient_accumulation_steps=2)
    step(optimizer, [np.array([1.0])], [w])
    assert w.numpy()[0] == 0.0 and optimizer.iterations == 0
    step(optimizer, [np.array([3.0])], [w])
    assert w.numpy()[0] == -2.0 and optimizer.iterations == 1
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        SGD(gradient_accumulation_steps=1)


def test_loss_scale_factor_unscales_gradients():
    w = Variable(np.array([0.0]), dtype="float64")
    optimizer = SGD(learning_rate=1.0, loss_scale_factor=4.0)
    assert optimizer.scale_loss(2.0) == 8.0
    step(optimizer, [np.array([8.0])], [w])
    assert w.numpy()[0] == -2.0


# ---- names, configs, state -------------------------------------------------------------------

@pytest.mark.parametrize("name, cls", [("sgd", "SGD"), ("SGD", "SGD"), ("rmsprop", "RMSprop"), ("adam", "Adam"),
                                       ("Adam", "Adam"), ("adamw", "AdamW"), ("nadam", "Nadam"), ("ftrl", "Ftrl")])
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)).__name__ == cls


def test_get_instances_and_dicts():
    optimizer = SGD()
    assert optimizers.get(optimizer) is optimizer
    rebuilt = optimizers.get({"class_name": "Adam", "config": {"learning_rate": 0.5}})
    assert isinstance(rebuilt, Adam) and rebuilt.learning_rate == 0.5


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'RMSprop'"):
        optimizers.get("rmsprp")
    with pytest.raises(ValueError, match="optimizer identifier"):
        optimizers.get(3)


@pytest.mark.parametrize("name", ALL)
def test_config_round_trip(name):
    cls = getattr(optimizers, name)
    original = cls(learning_rate=0.5, clipnorm=2.0, name="custom")
    config = original.get_config()
    assert config["learning_rate"] == 0.5 and config["clipnorm"] == 2.0 and config["name"] == "custom"
    rebuilt = optimizers.deserialize(optimizers.serialize(original))
    assert type(rebuilt) is cls and rebuilt.get_config() == config
    assert cls.from_config(config).get_config() == config


def test_config_round_trip_with_a_schedule():
    schedule = schedules.CosineDecay(0.1, 100, alpha=0.1)
    config = Adam(learning_rate=schedule).get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    rebuilt = Adam.from_config(config)
    assert isinstance(rebuilt._learning_rate, schedules.CosineDecay)
    assert rebuilt.learning_rate == pytest.approx(0.1)


def test_save_and_load_own_variables_restore_the_state():
    grads = [np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([-1.0, 3.0])]
    w_a, w_b = Variable(np.ones(2), dtype="float64"), Variable(np.ones(2), dtype="float64")
    a, b = Adam(learning_rate=0.1), Adam(learning_rate=0.1)
    step(a, [grads[0]], [w_a])
    store = {}
    a.save_own_variables(store)
    assert int(store["0"]) == 1 and float(store["1"]) == pytest.approx(0.1) and len(store) == 4
    w_b.assign(w_a)
    b.build([w_b])
    b.load_own_variables(store)
    for g in grads[1:]:
        step(a, [g], [w_a])
        step(b, [g], [w_b])
    np.testing.assert_array_equal(w_a.numpy(), w_b.numpy())
    assert b.iterations == 3


def test_minimize_with_a_callable_loss():
    w = Variable(np.array([3.0]), dtype="float64")
    SGD(learning_rate=0.1).minimize(lambda: ops.sum(ops.square(w)), [w])
    np.testing.assert_allclose(w.numpy(), [3.0 - 0.1 * 6.0])


# ---- every optimizer descends ----------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_minimizes_a_quadratic(name):
    target = np.array([1.0, -2.0, 0.5])
    w = Variable(np.zeros(3), dtype="float64")
    # Adadelta's first steps are ~sqrt(epsilon) long; a larger epsilon lets it start within the test.
    options = {"learning_rate": 1.0, "epsilon": 1e-2} if name == "Adadelta" else {"learning_rate": 0.1}
    optimizer = getattr(optimizers, name)(**options)

    def loss():
        return ops.sum(ops.square(ops.subtract(w, target)))

    first = float(loss())
    for _ in range(100):
        with GradientTape() as tape:
            value = loss()
        optimizer.apply_gradients(zip(tape.gradient(value, [w]), [w]))
    assert float(loss()) < 0.5 * first
    assert optimizer.iterations == 100


def test_no_warnings_on_an_ordinary_step():
    variable = Variable(np.ones(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        step(Adam(), [np.ones(2)], [variable])
    assert (variable.numpy() < 1).all()


@pytest.mark.parametrize("make", [lambda: optimizers.Adam(0.01), lambda: optimizers.Adafactor(0.01),
                                  lambda: optimizers.SGD(0.01, momentum=0.9)], ids=["adam", "adafactor", "sgd"])
@pytest.mark.parametrize("sizes", [[(3, 4), (4,)], [(300, 40), (40,)]], ids=["packed", "unpacked"])
def test_a_pickled_optimizer_continues_with_its_slots(make, sizes):
    """Slots are keyed by id(variable); unpickled (with its variables), the optimizer finds them again."""
    rng = np.random.default_rng(0)
    variables = [Variable(rng.normal(size=shape)) for shape in sizes]
    optimizer = make()
    gradients = [[rng.normal(size=shape) for shape in sizes] for _ in range(3)]
    optimizer.apply(gradients[0], variables)
    restored_optimizer, restored_variables = pickle.loads(pickle.dumps((optimizer, variables)))
    for step in gradients[1:]:
        optimizer.apply(step, variables)
        restored_optimizer.apply(step, restored_variables)
    for original, restored in zip(variables, restored_variables):
        np.testing.assert_array_equal(restored.numpy(), original.numpy())
    assert restored_optimizer.iterations == 3 and len(restored_optimizer.variables) == len(optimizer.variables)
