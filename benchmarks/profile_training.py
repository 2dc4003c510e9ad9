"""Where neuroflow's training time goes: cProfile of `fit` on the two benchmark cases.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/profile_training.py mnist --top 30
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/profile_training.py digits --sort cumtime

Run it with one BLAS thread: profiles of a two-thread run on a shared machine mostly measure waits.
The first epoch is run unprofiled (build, first allocations), then `--epochs` more are profiled.
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("NEUROFLOW_DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                  "..", "shared", "data"))


def mnist_case():
    import numpy

    import neuroflow
    from neuroflow import layers, models
    from neuroflow.datasets import mnist
    from neuroflow.utils import to_categorical

    (x, y), _ = mnist.load_data()
    x = x.reshape(len(x), 784).astype(numpy.float32) / 255
    model = models.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer=neuroflow.optimizers.RMSprop(), loss="categorical_crossentropy", metrics=["accuracy"])
    return model, x, to_categorical(y, 10), 128


def digits_case():
    import numpy
    from sklearn.datasets import load_digits

    import neuroflow
    from neuroflow import layers, models

    digits = load_digits()
    x = ((digits.data - digits.data.mean(0)) / (digits.data.std(0) + 1e-8)).astype(numpy.float32)
    model = models.Sequential([layers.Dense(64, activation="relu", input_shape=(64,)),
                               layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=neuroflow.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, x[:1437], digits.target[:1437], 32


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=["mnist", "digits"])
    parser.add_argument("--epochs", type=int, default=None, help="profiled epochs (default: mnist 1, digits 20)")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--verbose", type=int, default=0, help="fit's verbose (1: include the progress bar)")
    arguments = parser.parse_args()
    model, x, y, batch_size = mnist_case() if arguments.case == "mnist" else digits_case()
    epochs = arguments.epochs or (1 if arguments.case == "mnist" else 20)
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=arguments.verbose)
    profile.disable()
    seconds = time.perf_counter() - start
    steps = epochs * -(-len(x) // batch_size)
    print(f"{arguments.case}: {epochs} epoch(s), {steps} steps, {seconds:.2f} s under the profiler "
          f"({seconds / steps * 1e3:.3f} ms/step)")
    pstats.Stats(profile).sort_stats(arguments.sort).print_stats(arguments.top)


if __name__ == "__main__":
    main()
