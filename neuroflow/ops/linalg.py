"""`neuroflow.ops.linalg`: Keras 3's `keras.ops.linalg` namespace, the linear-algebra ops.

Every name here is also in `neuroflow.ops`; each function is defined beside its op in its family module.
Keras names not yet here are listed by tools/keras_api_coverage.py --missing.
"""
