"""Conv3DTranspose: the transposed 3-D convolution layer (Conv2DTranspose at rank 3)."""
from neuroflow.layers.convolutional import Conv2DTranspose, _add_bias
from neuroflow.ops.convolution.volumetric_transpose import conv3d_transpose


class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3-D convolution (keras.layers.Conv3DTranspose): the input-gradient of Conv3D.

    Args: as Conv2DTranspose, each window argument an int or a 3-tuple.

    Weights: kernel (kd, kh, kw, filters, channels), bias (filters,).
    """

    rank = 3

    # Keras' order differs from Conv2DTranspose's: data_format comes before output_padding.
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def call(self, inputs):
        outputs = conv3d_transpose(inputs, self.kernel, self.strides, self.padding, self.output_padding,
                                   self.data_format, self.dilation_rate)
        return self.activation(_add_bias(outputs, self.bias, self.data_format, 3))


Convolution3DTranspose = Conv3DTranspose
