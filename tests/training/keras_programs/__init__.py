"""Keras 3 programs of the kind in the keras.io guides, each runnable on Keras or on neuroflow.

Each module has `run(keras, GradientTape, seed)`: `keras` is the library (`import keras` or
`import neuroflow as keras`), `GradientTape` what a custom train step records its gradients with
(TensorFlow's `tf.GradientTape` in the guides' TensorFlow versions: neuroflow's own, or the
torch-autograd stand-in of tools/make_keras_program_fixtures.py for Keras' torch backend), and
`seed` goes to `keras.utils.set_random_seed`. The data are the same arrays on both sides
(`data.py`, from a fixed NumPy seed); `run` returns the final training figures as floats.

tools/make_keras_program_fixtures.py runs them on real Keras over several seeds and records the
figures in keras_results.json; tests/training/test_keras_programs.py runs them on neuroflow and
checks that its figures lie within Keras' spread.
"""
PROGRAMS = ["custom_train_step", "custom_layer", "custom_metric", "vae", "multi_output"]
