"""Custom layers written with keras.ops and add_weight (keras.io, "Making new layers and models via subclassing").

A linear layer of its own weights, a layer normalization from ops.mean / ops.var, an activity
regularizer through `add_loss`, and a softmax gate, trained in a Sequential classifier.
"""
from tests.training.keras_programs import data


def run(keras, GradientTape, seed, epochs=10):
    ops = keras.ops

    class Linear(keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform",
                                     trainable=True, name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True, name="b")

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

    class SimpleLayerNorm(keras.layers.Layer):
        def build(self, input_shape):
            self.gamma = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gamma")
            self.beta = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="beta")

        def call(self, inputs):
            mean = ops.mean(inputs, axis=-1, keepdims=True)
            variance = ops.var(inputs, axis=-1, keepdims=True)
            return (inputs - mean) * ops.rsqrt(variance + 1e-5) * self.gamma + self.beta

    class ActivityRegularization(keras.layers.Layer):
        def __init__(self, rate=1e-3, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * ops.mean(ops.square(inputs)))
            return inputs

    class SoftmaxGate(keras.layers.Layer):
        """Weights the features by a learned softmax over them, then concatenates with the input."""

        def build(self, input_shape):
            self.logits = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="logits")

        def call(self, inputs):
            gate = ops.softmax(self.logits, axis=-1) * ops.cast(ops.shape(inputs)[-1], inputs.dtype)
            gated = ops.where(inputs > 0, inputs * gate, ops.zeros_like(inputs))
            return ops.concatenate([ops.relu(inputs), gated], axis=-1)

    keras.utils.set_random_seed(seed)
    x, labels = data.blobs(separation=0.5)
    model = keras.Sequential([
        keras.Input(shape=(x.shape[1],)),
        Linear(32),
        SimpleLayerNorm(),
        ActivityRegularization(1e-2),
        SoftmaxGate(),
        Linear(3),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(x[:192], labels[:192], batch_size=16, epochs=epochs, verbose=0,
                        validation_data=(x[192:], labels[192:]))
    return {"loss": history.history["loss"][-1], "accuracy": history.history["accuracy"][-1],
            "val_loss": history.history["val_loss"][-1], "val_accuracy": history.history["val_accuracy"][-1]}
