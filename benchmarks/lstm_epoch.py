"""IMDB LSTM text model: Embedding(10000, 32) - LSTM(32) - Dense(1), neuroflow vs Keras 3 on JAX and PyTorch eager.

Reviews of 200 tokens, batch 128, RMSprop, binary cross-entropy, 20 batches per epoch, 3 epochs
(_imdb_text.py has the data and the models, _harness.py the runs and figures).

    python benchmarks/lstm_epoch.py [--pin] [--peer-python PYTHON] [--json lstm.json]

Target (issue 15): at most 1.0x the fastest of PyTorch eager and Keras-JAX, per steady epoch and for
the whole fit. The LSTM's per-step product is tiny, (128, 32) @ (32, 128): with 2 BLAS threads on a
busy 2-core machine thread wake-ups swing the figures, so compare with --pin too.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _imdb_text  # noqa: E402

CONTENDERS = _imdb_text.CONTENDERS  # the children look their contender up here

if __name__ == "__main__":
    _imdb_text.main(__doc__, __file__, "lstm", length=200)
