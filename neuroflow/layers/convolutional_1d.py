"""The 1-D forms of the transposed, depthwise and separable convolutions: Conv1DTranspose,
DepthwiseConv1D and SeparableConv1D, the 2-D classes at rank 1 with Keras' 1-D defaults."""
from neuroflow.layers.convolutional import Conv2DTranspose, DepthwiseConv2D, SeparableConv2D


class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution (keras.layers.Conv1DTranspose): the input-gradient of Conv1D.

    Args: as Conv2DTranspose, each window argument an int or a 1-tuple.

    Weights: kernel (kernel_size, filters, channels), bias (filters,).
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class DepthwiseConv1D(DepthwiseConv2D):
    """Depthwise 1-D convolution (keras.layers.DepthwiseConv1D): each channel meets only its own filters.

    Args: as DepthwiseConv2D, each window argument an int or a 1-tuple.

    Weights: depthwise_kernel (kernel_size, channels, depth_multiplier), bias (channels * depth_multiplier,).
    """

    rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)


class SeparableConv1D(SeparableConv2D):
    """Depthwise then pointwise 1-D convolution (keras.layers.SeparableConv1D).

    Args: as SeparableConv2D, each window argument an int or a 1-tuple.

    Weights: depthwise_kernel (kernel_size, channels, dm), pointwise_kernel (1, channels * dm, filters),
    bias (filters,).
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


# Keras' long-form aliases.
Convolution1DTranspose = Conv1DTranspose
SeparableConvolution1D = SeparableConv1D
