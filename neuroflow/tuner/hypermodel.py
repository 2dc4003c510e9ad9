"""A hypermodel: builds a model from hyperparameters, and trains it (KerasTuner's `keras_tuner.HyperModel`).

Either a function `build(hp)` returning a compiled model, or a subclass:

    class MyHyperModel(neuroflow.tuner.HyperModel):
        def build(self, hp):
            model = Sequential([Dense(hp.Int("units", 32, 512, step=32), activation="relu"), Dense(10)])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model

        def fit(self, hp, model, *args, **kwargs):
            # tune how the model is trained, too
            return model.fit(*args, batch_size=hp.Choice("batch_size", [16, 32]), **kwargs)

`fit` returns a History (the tuner reads every epoch of it), a dict of metrics, or a single float (the
objective's value).
"""


class HyperModel:
    """The base of hypermodels.

    Args:
        name: an optional name.
        tunable: whether its hyperparameters are tuned (KerasTuner's flag; kept for compatibility).
    """

    def __init__(self, name=None, tunable=True):
        self.name = name
        self.tunable = tunable

    def build(self, hp):
        """Returns a model (compiled, unless the tuner is given optimizer / loss / metrics)."""
        raise NotImplementedError(f"{type(self).__name__} must implement build(hp)")

    def declare_hyperparameters(self, hp):
        """Declares hyperparameters before `build` (nothing by default)."""

    def fit(self, hp, model, *args, **kwargs):
        """Trains `model`: by default `model.fit(*args, **kwargs)`; override to tune the training as well.

        Returns:
            A History, a dict of metric values, or a float (the objective's value).
        """
        return model.fit(*args, **kwargs)


class DefaultHyperModel(HyperModel):
    """A hypermodel around a `build(hp)` function."""

    def __init__(self, build, name=None, tunable=True):
        super().__init__(name=name, tunable=tunable)
        self._build = build

    def build(self, hp):
        return self._build(hp)


def get_hypermodel(hypermodel):
    """A `HyperModel` from a hypermodel, a build function or None.

    Raises:
        TypeError: for anything else.
    """
    if hypermodel is None or isinstance(hypermodel, HyperModel):
        return hypermodel
    if callable(hypermodel):
        return DefaultHyperModel(hypermodel)
    raise TypeError(f"hypermodel must be a HyperModel or a function build(hp) returning a model; received "
                    f"{type(hypermodel).__name__}")
