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

# isort: split
# Issue 10: the rest of keras.ops.nn.
from neuroflow.ops.activation import (
    celu,
    glu,
    hard_shrink,
    hard_tanh,
    log_sigmoid,
    soft_shrink,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    tanh_shrink,
    threshold,
)
from neuroflow.ops.adaptive_pooling import adaptive_average_pool, adaptive_max_pool
from neuroflow.ops.attention import dot_product_attention
from neuroflow.ops.ctc import ctc_decode, ctc_loss
from neuroflow.ops.depth_space import depth_to_space, space_to_depth
from neuroflow.ops.elementwise import polar
from neuroflow.ops.fold import fold, unfold
from neuroflow.ops.image_quality import psnr
from neuroflow.ops.normalization import (
    batch_normalization,
    layer_normalization,
    moments,
    normalize,
    rms_normalization,
)
from neuroflow.ops.shape import multi_hot
