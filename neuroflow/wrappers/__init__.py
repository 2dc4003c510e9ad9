"""Wrappers that make neuroflow models usable by other libraries.

`neuroflow.wrappers.SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer` (Keras 3's
`keras.wrappers`) and the tf.keras spelling `KerasClassifier`, `KerasRegressor` (also as
`neuroflow.wrappers.scikit_learn.KerasRegressor`) turn a model into a scikit-learn estimator.
They need the optional extra scikit-learn (`pip install "neuroflow[sklearn]"`), which is imported
only when one of these names is first used, so `import neuroflow` stays light.
"""
import importlib

_SKLEARN_NAMES = ("SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer", "KerasClassifier",
                  "KerasRegressor")

__all__ = list(_SKLEARN_NAMES)


def __getattr__(name):
    if name in _SKLEARN_NAMES:
        return getattr(importlib.import_module("neuroflow.wrappers.sklearn"), name)
    if name in ("sklearn", "scikit_learn"):
        return importlib.import_module(f"neuroflow.wrappers.{name}")
    raise AttributeError(f"module 'neuroflow.wrappers' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SKLEARN_NAMES) + ["sklearn", "scikit_learn"])
