"""Reuters newswires in 46 topics: single-label multiclass classification (Deep Learning with Python 3.5).

Multi-hot vectors over the 10,000 most frequent words, one-hot labels, Dense(64, relu) -
Dense(64, relu) - Dense(46, softmax), rmsprop, categorical cross-entropy, batch 512. The book
validates on 1,000 held-out wires for 20 epochs, sees overfitting after about 9, then retrains
a fresh network for 9 epochs on all 8,982 wires: test accuracy about 0.78.

Run it with `python examples/reuters_multiclass.py [--epochs N] [--validation-epochs N] [--samples N]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models
from neuroflow.datasets import reuters
from neuroflow.utils import multi_hot_sequences, to_categorical

NUM_WORDS = 10000
EXPECTED = "test accuracy about 0.78 after 9 epochs (Deep Learning with Python 3.5)"


def build():
    model = models.Sequential([
        layers.Dense(64, activation="relu", input_shape=(NUM_WORDS,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(46, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def main(epochs=9, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0, validation_epochs=20):
    """Runs the book's 20-epoch validation experiment, then trains 9 epochs on all wires and tests.

    Args:
        epochs: epochs of the final model (the book: 9).
        samples: use the first N training and N test wires (None: 8,982 / 2,246); the held-out
            validation set is then min(1,000, N // 2) wires.
        verbose: 0 silent, 1 progress bars.
        plot_dir: folder for `reuters_multiclass.png` (None: no plot).
        seed: seed of the weights and shuffling.
        validation_epochs: epochs of the validation run (the book: 20; 0 skips it).

    Returns:
        dict with `test_loss`, `test_accuracy`, `best_validation_epoch`, `train_seconds`, `plot`, `measured`.
    """
    (train_data, train_labels), (test_data, test_labels) = reuters.load_data(num_words=NUM_WORDS)
    if samples:
        train_data, train_labels = train_data[:samples], train_labels[:samples]
        test_data, test_labels = test_data[:samples], test_labels[:samples]
    x_train = multi_hot_sequences(train_data, NUM_WORDS)
    x_test = multi_hot_sequences(test_data, NUM_WORDS)
    y_train, y_test = to_categorical(train_labels, 46), to_categorical(test_labels, 46)

    result, plot = {}, None
    if validation_epochs:
        held_out = min(1000, len(x_train) // 2)
        neuroflow.set_random_seed(seed)
        model = build()
        history = model.fit(x_train[held_out:], y_train[held_out:], epochs=validation_epochs, batch_size=512,
                            validation_data=(x_train[:held_out], y_train[:held_out]), verbose=verbose)
        best = int(numpy.argmin(history.history["val_loss"])) + 1
        print(f"validation run: least validation loss at epoch {best} of {validation_epochs} "
              f"(val accuracy {history.history['val_accuracy'][best - 1]:.4f})")
        plot = save_history_plot(history, plot_dir, "reuters_multiclass",
                                 title=f"Reuters: training vs validation ({held_out} held out)")
        result.update(validation_history=dict(history.history), best_validation_epoch=best)

    neuroflow.set_random_seed(seed)
    model = build()
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=512, verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    # The book's reference point: a random classifier scores about 0.19 on this test set.
    shuffled = numpy.random.RandomState(seed).permutation(numpy.asarray(test_labels))
    random_acc = float(numpy.mean(shuffled == numpy.asarray(test_labels)))
    print(f"final model ({epochs} epochs): test_loss: {test_loss:.4f} - test_acc: {test_acc:.4f} "
          f"(random baseline {random_acc:.3f}; {seconds:.1f} s of training)")
    measured = f"test accuracy {test_acc:.4f}"
    if validation_epochs:
        measured += f"; validation run: least val loss at epoch {result['best_validation_epoch']}"
    result.update(test_loss=test_loss, test_accuracy=test_acc, random_baseline=random_acc, train_seconds=seconds,
                  plot=plot, measured=measured)
    return result


if __name__ == "__main__":
    def _extra(parser):
        parser.add_argument("--validation-epochs", type=int, default=20,
                            help="epochs of the validation run on 1,000 held-out wires (0 skips it)")

    arguments = parse_args(__doc__, epochs=9, extra=_extra)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir,
         validation_epochs=arguments.validation_epochs)
