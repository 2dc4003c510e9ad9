import numpy

import neuroflow
from neuroflow import layers, models, ops, optimizers


class TwoLayer(models.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(16, activation="relu")
        self.dropout = layers.Dropout(0.1)
        self.out = layers.Dense(1)

    def call(self, inputs, training=False):
        return self.out(self.dropout(self.hidden(inputs), training=training))


def _data(rng):
    x = rng.normal(size=(256, 3)).astype("float32")
    return x, (x @ numpy.array([[1.0], [-2.0], [0.5]], dtype="float32"))


def test_subclassed_model_trains_with_fit(rng):
    model = TwoLayer()
    x, y = _data(rng)
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert set(history.history) == {"loss", "mae"}
    assert len(model.trainable_variables) == 4


def test_gradient_tape_training_loop(rng):
    model = TwoLayer()
    x, y = _data(rng)
    optimizer = optimizers.Adam(learning_rate=0.01)
    losses = []
    for _ in range(150):
        with neuroflow.GradientTape() as tape:
            prediction = model(x, training=True)
            loss = ops.mean(ops.square(ops.subtract(y, prediction)))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        losses.append(float(loss))
    assert losses[-1] < 0.1 * losses[0]


def test_training_flag_reaches_inner_layers_through_the_call_context(rng):
    class Inner(models.Model):
        def __init__(self):
            super().__init__()
            self.dropout = layers.Dropout(0.5, seed=0)

        def call(self, inputs):  # does not pass `training` on: Keras' call context must
            return self.dropout(inputs)

    model = Inner()
    x = numpy.ones((50, 20), dtype="float32")
    numpy.testing.assert_array_equal(model(x).numpy(), x)
    assert (model(x, training=True).numpy() == 0).any()
