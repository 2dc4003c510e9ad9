"""IMDB sentiment as binary classification (Deep Learning with Python 3.4, deck 4).

Reviews become multi-hot vectors over the 10,000 most frequent words; a Dense(16, relu) -
Dense(16, relu) - Dense(1, sigmoid) network is trained with rmsprop and binary cross-entropy,
batch 512. Two runs, as in the book:

1. Listing 3.9: 20 epochs on 15,000 reviews, validated on 10,000 held-out ones. Validation loss
   bottoms out after a few epochs while training loss keeps falling: overfitting (figures 3.7 and
   3.8; the deck's run of it then scores [0.912, 0.850] on the test set).
2. Listing 3.11: a fresh model trained 4 epochs on all 25,000 reviews: test accuracy 0.8833.

Run it with `python examples/imdb_binary.py [--epochs N] [--validation-epochs N] [--samples N]`.
"""
import time

import _common  # noqa: F401  (finds neuroflow and the offline data)
import numpy
from _common import DEFAULT_PLOT_DIR, parse_args, save_history_plot

import neuroflow
from neuroflow import layers, models
from neuroflow.datasets import imdb
from neuroflow.utils import multi_hot_sequences

NUM_WORDS = 10000
EXPECTED = "test accuracy about 0.88 after 4 epochs (deck 4: 0.8833); 20-epoch run overfits (deck 4: 0.850)"


def build():
    model = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(NUM_WORDS,)),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main(epochs=4, samples=None, verbose=1, plot_dir=DEFAULT_PLOT_DIR, seed=0, validation_epochs=20):
    """Runs the book's validation experiment, then trains the final model and tests it.

    Args:
        epochs: epochs of the final model (the book: 4).
        samples: use the first N training and N test reviews (None: 25,000 each); the held-out
            validation set is then min(10,000, N // 2) reviews.
        verbose: 0 silent, 1 progress bars.
        plot_dir: folder for `imdb_binary.png`, the overfitting curves (None: no plot).
        seed: seed of the weights and shuffling.
        validation_epochs: epochs of the validation run (the book: 20; 0 skips it).

    Returns:
        dict with `test_loss`, `test_accuracy` (final model), `validation_history` (dict),
        `best_validation_epoch` (the epoch of least validation loss), `overfit_test_accuracy`
        (the validation-run model on the test set), `train_seconds`, `plot`, `measured`.
    """
    (train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=NUM_WORDS)
    if samples:
        train_data, train_labels = train_data[:samples], train_labels[:samples]
        test_data, test_labels = test_data[:samples], test_labels[:samples]
    x_train = multi_hot_sequences(train_data, NUM_WORDS)
    x_test = multi_hot_sequences(test_data, NUM_WORDS)
    y_train = numpy.asarray(train_labels, dtype="float32")
    y_test = numpy.asarray(test_labels, dtype="float32")

    result = {}
    plot = None
    if validation_epochs:
        held_out = min(10000, len(x_train) // 2)
        x_val, partial_x_train = x_train[:held_out], x_train[held_out:]
        y_val, partial_y_train = y_train[:held_out], y_train[held_out:]
        neuroflow.set_random_seed(seed)
        model = build()
        history = model.fit(partial_x_train, partial_y_train, epochs=validation_epochs, batch_size=512,
                            validation_data=(x_val, y_val), verbose=verbose)
        val_loss = history.history["val_loss"]
        best = int(numpy.argmin(val_loss)) + 1
        overfit_loss, overfit_acc = model.evaluate(x_test, y_test, verbose=0)
        print(f"validation run: least validation loss {min(val_loss):.4f} at epoch {best} of {validation_epochs} "
              f"(accuracy {history.history['val_accuracy'][best - 1]:.4f}); after epoch {validation_epochs}: "
              f"val_loss {val_loss[-1]:.4f}, test [{overfit_loss:.4f}, {overfit_acc:.4f}]")
        plot = save_history_plot(history, plot_dir, "imdb_binary",
                                 title=f"IMDB: training vs validation ({held_out} held out) - overfitting")
        result.update(validation_history=dict(history.history), best_validation_epoch=best,
                      overfit_test_loss=overfit_loss, overfit_test_accuracy=overfit_acc)

    neuroflow.set_random_seed(seed)
    model = build()
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=512, verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"final model ({epochs} epochs): test_loss: {test_loss:.4f} - test_acc: {test_acc:.4f} "
          f"({seconds:.1f} s of training)")
    measured = f"test accuracy {test_acc:.4f}"
    if validation_epochs:
        measured += (f"; validation run: least val loss at epoch {result['best_validation_epoch']}, "
                     f"test accuracy after {validation_epochs} epochs {result['overfit_test_accuracy']:.4f}")
    result.update(test_loss=test_loss, test_accuracy=test_acc, train_seconds=seconds, plot=plot, measured=measured)
    return result


if __name__ == "__main__":
    def _extra(parser):
        parser.add_argument("--validation-epochs", type=int, default=20,
                            help="epochs of the overfitting run on 10,000 held-out reviews (0 skips it)")

    arguments = parse_args(__doc__, epochs=4, extra=_extra)
    main(epochs=arguments.epochs, samples=arguments.samples, plot_dir=arguments.plot_dir,
         validation_epochs=arguments.validation_epochs)
