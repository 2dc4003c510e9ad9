"""Records Keras 3's STFT initializer kernels and configs (run with real Keras, not neuroflow).

    KERAS_BACKEND=torch .kerasvenv/bin/python tests/initializer_fixtures/make_stft_fixtures.py

Writes stft_initializer.npz beside this script: one float64 kernel per case named in CASES, and
`configs`, the JSON of each case's get_config(). The test suite only reads the file.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# Keras' named windows need SciPy, which the Keras venv lacks; the cases pass window values instead
# (a Hann window written out, and an arbitrary one), and the tests compare neuroflow's named windows
# with SciPy's separately. (case name, constructor kwargs, shape)
HANN_8 = [0.0, 0.1882550990706332, 0.6112604669781572, 0.9504844339512095, 0.9504844339512095,
          0.6112604669781572, 0.1882550990706332, 0.0]
CASES = [
    ("real_hann_density", dict(side="real", window=HANN_8, scaling="density"), (8, 1, 5)),
    ("imag_hann_spectrum", dict(side="imag", window=HANN_8, scaling="spectrum"), (8, 1, 5)),
    ("imag_hann_unscaled", dict(side="imag", window=HANN_8, scaling=None), (8, 1, 9)),
    ("real_no_window", dict(side="real", window=None, scaling=None), (8, 1, 5)),
    ("imag_no_window", dict(side="imag", window=None, scaling="density"), (6, 1, 4)),
    ("real_array_window", dict(side="real", window=[0.1, 0.5, 1.0, 0.5, 0.2, 0.3], scaling="spectrum"), (6, 1, 4)),
]


def main():
    arrays, configs = {}, {}
    for name, kwargs, shape in CASES:
        initializer = keras.initializers.STFT(**kwargs)
        arrays[name] = keras.ops.convert_to_numpy(initializer(shape, dtype="float64"))
        configs[name] = {"kwargs": kwargs, "shape": list(shape), "config": initializer.get_config()}
    arrays["configs"] = numpy.array(json.dumps(configs))
    numpy.savez(os.path.join(HERE, "stft_initializer.npz"), **arrays)


if __name__ == "__main__":
    main()
