"""A subclassed Model with its own train_step and test_step (keras.io, "Customizing what happens in fit()").

The model is built functionally, `CustomModel(inputs, outputs)`; the step uses `self.compute_loss`,
`self.optimizer.apply` and updates `self.metrics` (the loss tracker and the compiled metrics).
"""
from tests.training.keras_programs import data


def run(keras, GradientTape, seed, epochs=8):
    ops = keras.ops

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            trainable_vars = self.trainable_variables
            gradients = tape.gradient(loss, trainable_vars)
            self.optimizer.apply(gradients, trainable_vars)
            return self.update_metrics(loss, y, y_pred)

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            return self.update_metrics(loss, y, y_pred)

        def update_metrics(self, loss, y, y_pred):
            # The metrics include the one that tracks the loss.
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    keras.utils.set_random_seed(seed)
    x, y = data.regression()
    inputs = keras.Input(shape=(x.shape[1],))
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    outputs = keras.layers.Dense(1)(hidden)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), loss="mse", metrics=["mae"])
    history = model.fit(x[:192], y[:192], batch_size=32, epochs=epochs, verbose=0)
    evaluation = model.evaluate(x[192:], y[192:], verbose=0, return_dict=True)
    # A sanity figure that needs no spread: the squared error computed with ops from predict.
    predictions = model.predict(x[192:], verbose=0)
    return {"loss": history.history["loss"][-1], "mae": history.history["mae"][-1],
            "val_loss": evaluation["loss"], "val_mae": evaluation["mae"],
            "predict_mse": float(ops.convert_to_numpy(ops.mean(ops.square(predictions - y[192:]))))}
