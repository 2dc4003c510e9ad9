"""Issue 14, part 1: input that used to train (or return) silently wrong now raises or warns, naming
the argument, what was expected and what was given."""
import warnings

import numpy
import pytest

import neuroflow
from neuroflow import layers


def _binary_model(optimizer="adam"):
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer, "binary_crossentropy")
    return model


def _softmax_model(loss):
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(3, activation="softmax")])
    model.compile("sgd", loss)
    return model


@pytest.fixture
def data(rng):
    return rng.random((8, 3)).astype("float32"), numpy.array([0, 1] * 4, dtype="float32")


# ---- sample_weight and class_weight ----------------------------------------------------------

@pytest.mark.parametrize("bad, message", [(numpy.nan, "non-finite"), (numpy.inf, "non-finite"), (-1.0, "non-negative")])
def test_sample_weight_nan_inf_or_negative_is_refused(data, bad, message):
    x, y = data
    weights = numpy.ones(8)
    weights[3] = bad
    with pytest.raises(ValueError, match=rf"sample_weight.*{message}.*index \(3,\)"):
        _binary_model().fit(x, y, sample_weight=weights, verbose=0)


def test_sample_weight_checked_in_a_generator_batch(data):
    x, y = data
    with pytest.raises(ValueError, match=r"sample_weight \(a batch from the generator\) must be non-negative"):
        _binary_model().fit(iter([(x, y, -numpy.ones(8))]), verbose=0)


def test_class_weight_leaving_a_class_without_weight_is_refused(data):
    x, y = data
    with pytest.raises(ValueError, match=r"no weight for class\(es\) \[1\].*covers \[0\]"):
        _binary_model().fit(x, y, class_weight={0: 1.0}, verbose=0)


def test_class_weight_naming_a_class_the_targets_lack_is_refused(data):
    x, y = data
    with pytest.raises(ValueError, match=r"names class\(es\) \[5\] that the targets do not have"):
        _binary_model().fit(x, y, class_weight={0: 1.0, 1: 1.0, 5: 2.0}, verbose=0)


def test_class_weight_beyond_the_one_hot_classes_is_refused(data):
    x, _ = data
    y = numpy.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]]
    with pytest.raises(ValueError, match=r"names class\(es\) \[3\]"):
        _softmax_model("categorical_crossentropy").fit(x, y, class_weight={0: 1, 1: 1, 2: 1, 3: 1}, verbose=0)


def test_class_weight_negative_is_refused(data):
    x, y = data
    with pytest.raises(ValueError, match="finite and non-negative"):
        _binary_model().fit(x, y, class_weight={0: 1.0, 1: -2.0}, verbose=0)


# ---- targets outside the loss's domain --------------------------------------------------------

@pytest.mark.parametrize("target", [2.0, -1.0])
def test_binary_crossentropy_target_outside_0_1_is_refused(data, target):
    x, y = data
    y = y.copy()
    y[5] = target
    with pytest.raises(ValueError, match=rf"binary_crossentropy expects targets in \[0, 1\], but y holds {target} at index \(5,\)"):
        _binary_model().fit(x, y, verbose=0)


def test_sparse_categorical_crossentropy_fractional_label_is_refused(data):
    x, _ = data
    with pytest.raises(ValueError, match=r"expects integer class ids, but y holds 0.5 .*truncated"):
        _softmax_model("sparse_categorical_crossentropy").fit(x, numpy.full(8, 0.5), verbose=0)


def test_categorical_crossentropy_given_class_ids_is_refused(data):
    x, _ = data
    ids = (numpy.arange(8) % 3).reshape(8, 1).repeat(3, axis=1)  # (8, 3) of class ids: same shape, wrong meaning
    with pytest.raises(ValueError, match="categorical_crossentropy expects targets in \\[0, 1\\].*sparse_categorical"):
        _softmax_model("categorical_crossentropy").fit(x, ids, verbose=0)


def test_targets_checked_in_validation_data_and_generators(data):
    x, y = data
    with pytest.raises(ValueError, match="binary_crossentropy expects targets in"):
        _binary_model().fit(x, y, validation_data=(x, y + 2), verbose=0)
    with pytest.raises(ValueError, match=r"y \(a batch from generator\) holds 3.0"):
        _binary_model().fit((batch for batch in [(x, y * 3)]), verbose=0)


def test_mse_rank_1_targets_meet_a_rank_2_output_without_broadcasting(data):
    x, y = data
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    prediction = model.predict(x, verbose=0)
    assert prediction.shape == (8, 1)
    expected = numpy.mean((prediction[:, 0] - y) ** 2)  # an (8, 8) broadcast would give another number
    broadcast = numpy.mean((prediction - y) ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert abs(expected - broadcast) > 1e-3


def test_mse_targets_of_another_width_are_refused(data):
    x, _ = data
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(2)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="same shape"):
        model.fit(x, numpy.zeros((8, 3)), verbose=0)


# ---- empty data ------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_zero_samples_are_refused(data, method):
    x, y = data
    model = _binary_model()
    arguments = (x[:0],) if method == "predict" else (x[:0], y[:0])
    with pytest.raises(ValueError, match=f"{method} received 0 samples"):
        getattr(model, method)(*arguments, verbose=0)


def test_pydataset_of_length_zero_is_refused(data):
    class Empty(neuroflow.utils.PyDataset):
        def __len__(self):
            return 0

        def __getitem__(self, index):
            raise IndexError(index)

    with pytest.raises(ValueError, match="PyDataset Empty has length 0"):
        _binary_model().fit(Empty(), verbose=0)


def test_pydataset_longer_than_its_data_is_refused(data):
    x, y = data

    class TooLong(neuroflow.utils.PyDataset):
        def __len__(self):
            return 4  # but 8 samples in batches of 4 make 2

        def __getitem__(self, index):
            return x[index * 4:(index + 1) * 4], y[index * 4:(index + 1) * 4]

    with pytest.raises(ValueError, match=r"A batch from TooLong\[[23]\] is empty \(0 samples\).*__len__"):
        _binary_model().fit(TooLong(), shuffle=False, verbose=0)


def test_generator_running_out_warns_and_stops(data):
    x, y = data
    batches = iter([(x, y)] * 3)
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        history = _binary_model().fit(batches, steps_per_epoch=2, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2  # 2 full epochs, then the third finds one batch and stops


def test_steps_per_epoch_beyond_the_arrays_warns_as_keras(data):
    x, y = data
    with pytest.warns(UserWarning, match="Your input ran out of data: fit was asked for 10 steps but the arrays make only 2"):
        history = _binary_model().fit(x, y, batch_size=4, steps_per_epoch=10, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2  # as Keras: each epoch runs the batches there are


# ---- argument types and ranges ---------------------------------------------------------------

@pytest.mark.parametrize("arguments, message", [
    ({"batch_size": 2.5}, "batch_size must be a positive integer, got batch_size=2.5"),
    ({"batch_size": 0}, "batch_size must be a positive integer, got batch_size=0"),
    ({"epochs": -1}, "epochs must be a non-negative integer, got epochs=-1"),
    ({"epochs": 1.5}, "epochs must be a non-negative integer"),
    ({"validation_split": "a"}, r"validation_split must be a float in \[0, 1\), got validation_split='a'"),
    ({"validation_split": 1.0}, r"validation_split must be a float in \[0, 1\)"),
    ({"steps_per_epoch": 0}, "steps_per_epoch must be a positive integer"),
    ({"validation_freq": 0}, "validation_freq must be a positive integer"),
])
def test_fit_argument_out_of_type_or_range(data, arguments, message):
    x, y = data
    with pytest.raises(ValueError, match=message):
        _binary_model().fit(x, y, verbose=0, **arguments)


@pytest.mark.parametrize("method", ["predict", "evaluate"])
@pytest.mark.parametrize("batch_size", [0, 2.5, -3])
def test_predict_and_evaluate_batch_size_checked(data, method, batch_size):
    x, y = data
    arguments = (x,) if method == "predict" else (x, y)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        getattr(_binary_model(), method)(*arguments, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("make, message", [
    (lambda: neuroflow.optimizers.Adam(beta_1=1.0), r"Adam: argument `beta_1` must be in \[0, 1\).*beta_1=1.0"),
    (lambda: neuroflow.optimizers.Adam(beta_2=-0.1), r"`beta_2` must be in \[0, 1\)"),
    (lambda: neuroflow.optimizers.Adam(epsilon=0), "`epsilon` must be positive.*epsilon=0"),
    (lambda: neuroflow.optimizers.Nadam(beta_1=1.5), r"Nadam: argument `beta_1`"),
    (lambda: neuroflow.optimizers.Adamax(epsilon=-1e-7), "Adamax: argument `epsilon`"),
    (lambda: neuroflow.optimizers.AdamW(beta_1=1.0), r"AdamW: argument `beta_1`"),
    (lambda: neuroflow.optimizers.RMSprop(rho=1.0), r"RMSprop: argument `rho` must be in \[0, 1\)"),
    (lambda: neuroflow.optimizers.RMSprop(rho=-0.5), r"`rho` must be in \[0, 1\)"),
    (lambda: neuroflow.optimizers.Adadelta(rho=1.2), r"Adadelta: argument `rho`"),
    (lambda: neuroflow.optimizers.RMSprop(epsilon=0.0), "RMSprop: argument `epsilon` must be positive"),
])
def test_optimizer_hyperparameter_out_of_range(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_misspelled_monitor_names_the_available_metrics_and_the_closest(data):
    x, y = data
    stopper = neuroflow.callbacks.EarlyStopping(monitor="val_lss", mode="min")
    with pytest.warns(UserWarning, match="Available metrics are: loss,val_loss. Did you mean 'val_loss'"):
        _binary_model().fit(x, y, validation_split=0.25, callbacks=[stopper], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="cannot tell whether.*Did you mean 'val_loss'"):
        _binary_model().fit(x, y, validation_split=0.25, epochs=2, verbose=0,
                            callbacks=[neuroflow.callbacks.EarlyStopping(monitor="val_lss")])


def test_misspelled_dtype_suggests_the_closest():
    with pytest.raises(ValueError, match="Invalid dtype: 'flaot32'.*Did you mean 'float32'"):
        layers.Input((3,), dtype="flaot32")


@pytest.mark.parametrize("shape", [(-1,), (3, -2), (2.5,)])
def test_input_shape_with_a_negative_or_fractional_dimension_is_refused(shape):
    with pytest.raises(ValueError, match="each dimension must be a non-negative integer or None"):
        layers.Input(shape=shape)


def test_functional_model_with_two_layers_of_one_name_is_refused():
    inputs = layers.Input((3,))
    hidden = layers.Dense(2, name="twin")(inputs)
    with pytest.raises(ValueError, match="The name 'twin' is used 2 times in the model"):
        neuroflow.Model(inputs, layers.Dense(2, name="twin")(hidden))


def test_unknown_class_in_a_saved_config_suggests_the_closest():
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(2)])
    text = model.to_json().replace('"Dense"', '"Dnese"')
    with pytest.raises(ValueError, match="'Dnese' is not supported by neuroflow. Did you mean 'Dense'"):
        neuroflow.models.model_from_json(text)


# ---- one optimizer, two models ---------------------------------------------------------------

def test_optimizer_reused_by_a_second_model_is_refused(data):
    x, y = data
    optimizer = neuroflow.optimizers.Adam()
    _binary_model(optimizer).fit(x, y, verbose=0)
    second = _binary_model(optimizer)
    with pytest.raises(ValueError, match="reused by a second model. Create a new optimizer instance"):
        second.fit(x, y, verbose=0)


def test_optimizer_extended_to_newly_trainable_layers_still_works(data):
    x, y = data
    model = neuroflow.Sequential([layers.Input((3,)), layers.Dense(4), layers.Dense(1, activation="sigmoid")])
    model.layers[0].trainable = False
    model.compile("adam", "binary_crossentropy")
    model.fit(x, y, verbose=0)
    model.layers[0].trainable = True  # fine-tuning: the same optimizer takes on the unfrozen kernel
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, verbose=0)
    assert len(model.optimizer._trainable_variables) == 4


@pytest.mark.parametrize("method", ["fit", "predict"])
def test_a_scalar_input_is_refused_naming_the_batch_axis(method):
    model = _binary_model()
    arguments = (numpy.float32(1.0),) if method == "predict" else (numpy.ones((1, 3)), numpy.float32(1.0))
    with pytest.raises(ValueError, match="is a scalar, but it needs a first \\(batch\\) axis"):
        getattr(model, method)(*arguments, verbose=0)


def test_generator_short_of_steps_in_the_last_epoch_warns(data):
    x, y = data
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        history = _binary_model().fit(iter([(x, y)] * 3), steps_per_epoch=2, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2  # the second epoch ran the one batch left


def test_pydataset_asked_for_more_steps_than_it_has_warns(data):
    x, y = data

    class Two(neuroflow.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return x[index * 4:(index + 1) * 4], y[index * 4:(index + 1) * 4]

    with pytest.warns(UserWarning, match="asked for 5 steps but the Two has 2 batches"):
        _binary_model().fit(Two(), steps_per_epoch=5, verbose=0)


def test_sample_weight_leaving_a_class_without_weight_warns(data):
    x, y = data
    with pytest.warns(UserWarning, match=r"sample_weight is 0 for every sample of class\(es\) \[1\]"):
        _binary_model().fit(x, y, sample_weight=1.0 - y, verbose=0)
    with pytest.warns(UserWarning, match="sample_weight is 0 for all 8 samples"):
        _binary_model().fit(x, y, sample_weight=numpy.zeros(8), verbose=0)
