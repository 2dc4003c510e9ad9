"""`neuroflow.ops.nn`: Keras 3's `keras.ops.nn` namespace: activations, losses, convolutions, pooling, normalization.

Every name here is also in `neuroflow.ops`; each function is defined beside its op in its family module.
Keras names not yet here are listed by tools/keras_api_coverage.py --missing.
"""
from neuroflow.ops.activation import (
    elu,
    gelu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    leaky_relu,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    swish,
)
from neuroflow.ops.convolution.depthwise import depthwise_conv, separable_conv
from neuroflow.ops.convolution.standard import conv
from neuroflow.ops.convolution.transpose import conv_transpose
from neuroflow.ops.loss_kernels import binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy
from neuroflow.ops.pooling import average_pool, max_pool
from neuroflow.ops.shape import one_hot
