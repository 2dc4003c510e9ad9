"""The recurrent text benchmarks' data and contenders: IMDB reviews, an embedding, recurrent layers, one logit.

Embedding(10000, 32) then one of three recurrent stacks, then Dense(1, sigmoid), RMSprop (lr 0.001,
rho 0.9, epsilon 1e-7), binary cross-entropy, batch 128, on the first `train_samples` IMDB reviews
(num_words 10000, padded and truncated to `length` tokens in front, as Keras' pad_sequences does),
tested on the first `test_samples` test reviews. `config["stack"]` picks the recurrent part:

    "lstm"    LSTM(32)                                   benchmarks/lstm_epoch.py
    "gru2"    GRU(32, return_sequences=True) - GRU(32)   benchmarks/gru_stacked.py
    "bilstm"  Bidirectional(LSTM(32))                    benchmarks/bilstm_text.py

The same model is written in neuroflow and Keras (their APIs agree) and in PyTorch (torch.nn.LSTM /
GRU, whose fused CPU kernels are the eager peer; torch's GRU is Keras' reset_after=True form).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

VOCABULARY, EMBEDDING, UNITS = 10000, 32, 32
CONFIG = {"epochs": 3, "batch_size": 128, "train_samples": 2560, "test_samples": 2560, "length": 200,
          "learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7, "seed": 0, "eval_batch_size": 512}
# Issue 15: at most 1.0x the fastest of PyTorch eager and Keras-JAX, per steady epoch and for the whole fit.
TARGETS = {"keras_jax": 1.0, "torch": 1.0}
FIT_TARGETS = {"keras_jax": 1.0, "torch": 1.0}


def prepare(config):
    """int32 token matrices (samples, length) and float32 labels (samples, 1)."""
    import numpy

    from neuroflow.datasets import imdb
    from neuroflow.utils import pad_sequences

    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=VOCABULARY)
    train, test = config["train_samples"], config["test_samples"]
    return {"x_train": pad_sequences(x_train[:train], maxlen=config["length"]).astype(numpy.int32),
            "y_train": y_train[:train].astype(numpy.float32).reshape(-1, 1),
            "x_test": pad_sequences(x_test[:test], maxlen=config["length"]).astype(numpy.int32),
            "y_test": y_test[:test].astype(numpy.float32).reshape(-1, 1)}


def _keras_style_model(library, config):
    layers = library.layers
    recurrent = {
        "lstm": [layers.LSTM(UNITS)],
        "gru2": [layers.GRU(UNITS, return_sequences=True), layers.GRU(UNITS)],
        "bilstm": [layers.Bidirectional(layers.LSTM(UNITS))],
    }[config["stack"]]
    model = library.models.Sequential([layers.Input(shape=(config["length"],), dtype="int32"),
                                       layers.Embedding(VOCABULARY, EMBEDDING)] + recurrent
                                      + [layers.Dense(1, activation="sigmoid")])
    optimizer = library.optimizers.RMSprop(learning_rate=config["learning_rate"], rho=config["rho"],
                                           epsilon=config["epsilon"])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run_neuroflow(config):
    neuroflow = _harness.timed_import("neuroflow")
    data = _harness.load_data(config)
    neuroflow.random.set_random_seed(config["seed"])
    model = _keras_style_model(neuroflow, config)
    return _harness.fit_timed(neuroflow, model, data["x_train"], data["y_train"], data["x_test"], data["y_test"], config)


def run_keras_jax(config):
    keras = _harness.import_keras()
    data = _harness.load_data(config)
    keras.utils.set_random_seed(config["seed"])
    model = _keras_style_model(keras, config)
    return _harness.fit_timed(keras, model, data["x_train"], data["y_train"], data["x_test"], data["y_test"], config)


def run_torch(config):
    torch = _harness.import_torch(config)
    data = _harness.load_data(config)
    stack = config["stack"]

    class TextModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
            if stack == "gru2":
                self.recurrent = torch.nn.GRU(EMBEDDING, UNITS, num_layers=2, batch_first=True)
            else:
                self.recurrent = torch.nn.LSTM(EMBEDDING, UNITS, batch_first=True, bidirectional=stack == "bilstm")
            self.dense = torch.nn.Linear(2 * UNITS if stack == "bilstm" else UNITS, 1)

        def forward(self, tokens):
            _, state = self.recurrent(self.embedding(tokens.long()))
            hidden = state if stack == "gru2" else state[0]
            last = torch.cat([hidden[-2], hidden[-1]], dim=1) if stack == "bilstm" else hidden[-1]
            return self.dense(last)

    model = TextModel()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=config["learning_rate"], alpha=config["rho"],
                                    eps=config["epsilon"])
    return _harness.train_torch(torch, model, optimizer, data["x_train"], data["y_train"], data["x_test"],
                                data["y_test"], config, loss="binary")


CONTENDERS = {"neuroflow": run_neuroflow, "keras_jax": run_keras_jax, "torch": run_torch}


def main(description, script, stack, **settings):
    config = dict(CONFIG, stack=stack, **settings)
    _harness.run_benchmark(description, CONTENDERS, config, prepare, script, TARGETS, FIT_TARGETS)
