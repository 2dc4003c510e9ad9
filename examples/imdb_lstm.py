"""IMDB sentiment with an LSTM: Embedding(10000, 32) -> LSTM(32) -> Dense(1, sigmoid).

The Keras LSTM example of Deep Learning with Python (ch. 6): reviews cut or padded to 200 words,
RMSprop, binary cross-entropy. Run `python examples/imdb_lstm.py [--epochs N] [--samples N]`
with the data in NEUROFLOW_DATA_DIR (or the download cache).
"""
import argparse
import time

from neuroflow import layers, models
from neuroflow.datasets import imdb
from neuroflow.utils import pad_sequences

MAX_FEATURES = 10000   # vocabulary: the 10,000 most frequent words
MAXLEN = 200           # words kept per review (the last 200: pad_sequences truncates at the start)


def main(epochs=3, samples=None, batch_size=128, verbose=1, test_samples=None):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=MAX_FEATURES)
    if samples:
        x_train, y_train = x_train[:samples], y_train[:samples]
    if test_samples:
        x_test, y_test = x_test[:test_samples], y_test[:test_samples]
    x_train = pad_sequences(x_train, maxlen=MAXLEN)
    x_test = pad_sequences(x_test, maxlen=MAXLEN)

    model = models.Sequential([
        layers.Input(shape=(MAXLEN,)),
        layers.Embedding(MAX_FEATURES, 32),
        layers.LSTM(32),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    if verbose:
        model.summary()

    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=0.2,
                        verbose=verbose)
    seconds = time.perf_counter() - start
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    print(f"test_loss: {test_loss:.4f} - test_acc: {test_acc:.4f} ({seconds:.1f} s of training)")
    return {"history": history, "test_loss": test_loss, "test_accuracy": test_acc, "train_seconds": seconds}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=None, help="train on the first N reviews only")
    parser.add_argument("--batch-size", type=int, default=128)
    arguments = parser.parse_args()
    main(epochs=arguments.epochs, samples=arguments.samples, batch_size=arguments.batch_size)
