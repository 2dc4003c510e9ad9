"""Bidirectional LSTM text model: Embedding(10000, 32) - Bidirectional(LSTM(32)) - Dense(1), vs Keras-JAX and PyTorch.

IMDB reviews of 150 tokens, batch 128, RMSprop, binary cross-entropy, 20 batches per epoch, 3
epochs; the two directions' last states are concatenated (_imdb_text.py, _harness.py).

    python benchmarks/bilstm_text.py [--pin] [--peer-python PYTHON] [--json bilstm.json]

Target (issue 15): at most 1.0x the fastest of PyTorch eager and Keras-JAX, per steady epoch and for
the whole fit.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _imdb_text  # noqa: E402

CONTENDERS = _imdb_text.CONTENDERS

if __name__ == "__main__":
    _imdb_text.main(__doc__, __file__, "bilstm", length=150)
