"""Keras' global switches that are not about arrays: read by the floors that act on them.

`neuroflow.config` is the public face (Keras' `keras.config`); this module only holds the state, on
the floor of `backend`, so that the trainer (and Progbar, the loaders) can read it without importing
upward. floatx, epsilon and the image data format stay in neuroflow/backend.py.
"""
import os

traceback_filtering = True  # neuroflow adds no frames of its own to filter: an accepted flag
interactive_logging = True  # Progbar and fit's messages go to stdout (Keras' default)
unsafe_deserialization = False  # accepted: neuroflow's loaders never run stored bytecode
flash_attention = None  # Keras' tri-state: None lets the backend decide; a performance switch only
# Keras' debugging caps on fit, also read from Keras' environment variables.
max_epochs = int(os.environ["KERAS_MAX_EPOCHS"]) if os.environ.get("KERAS_MAX_EPOCHS") else None
max_steps_per_epoch = int(os.environ["KERAS_MAX_STEPS_PER_EPOCH"]) if os.environ.get("KERAS_MAX_STEPS_PER_EPOCH") else None
# Bounds on what a model file may make a loader allocate (saving/files.py read_member): a config.json
# larger than max_config_bytes, or a member over 16 MiB that inflates more than max_compression_ratio
# times its stored size, is refused before it is inflated. neuroflow.config.set_file_limits raises them.
max_config_bytes = 64 * 2**20
max_compression_ratio = 1000

# The share of a device's free memory that fit / evaluate / predict may fill with in-memory arrays, moved
# there once instead of batch by batch (training/device_data.py); neuroflow.config.set_device_data_fraction.
device_data_fraction = 0.5
