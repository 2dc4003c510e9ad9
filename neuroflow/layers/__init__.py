"""Layers: the Keras layer vocabulary on neuroflow's engine."""
from neuroflow.layers.core import Activation, Dense, Dropout, Flatten, Lambda, Reshape
from neuroflow.layers.input_layer import Input, InputLayer
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.layers.merge import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add,
                                    concatenate)
from neuroflow.layers.embedding import Embedding
from neuroflow.layers.masking import Masking
from neuroflow.layers.recurrent import GRU, LSTM, SimpleRNN
from neuroflow.layers.wrappers import Bidirectional, TimeDistributed
