"""tf.keras' module path `keras.wrappers.scikit_learn`: `KerasClassifier` and `KerasRegressor`.

Lecture notes written for TensorFlow 2 call `keras.wrappers.scikit_learn.KerasRegressor(build_model)`;
with `keras` replaced by `neuroflow` that line finds the wrappers of `neuroflow.wrappers.sklearn`.
"""
from neuroflow.wrappers.sklearn import KerasClassifier, KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
