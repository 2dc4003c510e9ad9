"""A stateful metric made with add_variable and a custom loss (keras.io, "Training & evaluation with the
built-in methods": CategoricalTruePositives, custom_mean_squared_error), with class weights.
"""
from tests.training.keras_programs import data


def run(keras, GradientTape, seed, epochs=8):
    ops = keras.ops

    class CategoricalTruePositives(keras.metrics.Metric):
        def __init__(self, name="categorical_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
            values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
            values = ops.cast(values, "float32")
            if sample_weight is not None:
                sample_weight = ops.cast(sample_weight, "float32")
                values = ops.multiply(values, sample_weight)
            self.true_positives.assign_add(ops.sum(values))

        def result(self):
            return self.true_positives

        def reset_state(self):
            self.true_positives.assign(0.0)

    class FocalCrossentropy(keras.losses.Loss):
        """Sparse categorical cross-entropy down-weighting the easy samples, from softmax outputs."""

        def __init__(self, gamma=2.0, **kwargs):
            super().__init__(**kwargs)
            self.gamma = gamma

        def call(self, y_true, y_pred):
            labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
            probability = ops.sum(y_pred * ops.one_hot(labels, ops.shape(y_pred)[-1]), axis=-1)
            probability = ops.clip(probability, 1e-7, 1.0)
            return -ops.power(1.0 - probability, self.gamma) * ops.log(probability)

    keras.utils.set_random_seed(seed)
    x, labels = data.blobs(features=6)
    inputs = keras.Input(shape=(x.shape[1],), name="features")
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    hidden = keras.layers.Dropout(0.1)(hidden)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-3), loss=FocalCrossentropy(),
                  metrics=[CategoricalTruePositives(), "sparse_categorical_accuracy"])
    history = model.fit(x[:192], labels[:192], batch_size=32, epochs=epochs, verbose=0,
                        class_weight={0: 1.0, 1: 2.0, 2: 1.0})
    evaluation = model.evaluate(x[192:], labels[192:], verbose=0, return_dict=True)
    return {"loss": history.history["loss"][-1],
            "categorical_true_positives": history.history["categorical_true_positives"][-1],
            "accuracy": history.history["sparse_categorical_accuracy"][-1],
            "val_loss": evaluation["loss"], "val_true_positives": evaluation["categorical_true_positives"]}
