"""Layers: the Keras layer vocabulary on neuroflow's engine."""
from neuroflow.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from neuroflow.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from neuroflow.layers.audio import MelSpectrogram, STFTSpectrogram  # layersb
from neuroflow.layers.augmentation_policies import AugMix, RandAugment  # layersb
from neuroflow.layers.bounding_boxes import MaxNumBoundingBoxes  # layersb
from neuroflow.layers.category_encoding import CategoryEncoding
from neuroflow.layers.color_augmentation import (  # layersb
                                    Equalization,
                                    RandomColorJitter,
                                    RandomGaussianBlur,
                                    RandomHue,
                                    RandomSaturation,
                                    RandomSharpness,
)
from neuroflow.layers.convolutional import (
                                    Conv1D,
                                    Conv2D,
                                    Conv2DTranspose,
                                    Convolution1D,
                                    Convolution2D,
                                    Convolution2DTranspose,
                                    DepthwiseConv2D,
                                    SeparableConv2D,
                                    SeparableConvolution2D,
)
from neuroflow.layers.core import Activation, Dense, Dropout, Flatten, Identity, Lambda, Permute, RepeatVector, Reshape
from neuroflow.layers.discretization import Discretization
from neuroflow.layers.embedding import Embedding
from neuroflow.layers.geometric_augmentation import RandomElasticTransform, RandomPerspective, RandomShear  # layersb
from neuroflow.layers.hashed_crossing import HashedCrossing  # layersb
from neuroflow.layers.hashing import Hashing  # layers10
from neuroflow.layers.image_augmentation import (  # layers10
                                    AutoContrast,
                                    RandomColorDegeneration,
                                    RandomCrop,
                                    RandomGrayscale,
                                    RandomInvert,
                                    RandomPosterization,
                                    Solarization,
)
from neuroflow.layers.image_preprocessing import (
                                    CenterCrop,
                                    RandomBrightness,
                                    RandomContrast,
                                    RandomFlip,
                                    RandomRotation,
                                    RandomTranslation,
                                    RandomZoom,
                                    Resizing,
)
from neuroflow.layers.index_lookup import IntegerLookup, StringLookup
from neuroflow.layers.input_layer import Input, InputLayer
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.layers.masking import Masking
from neuroflow.layers.merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, concatenate, dot
from neuroflow.layers.merge_functions import average, maximum, minimum, multiply, subtract  # layers10
from neuroflow.layers.mixing_augmentation import CutMix, MixUp, RandomErasing  # layersb
from neuroflow.layers.normalization import BatchNormalization, LayerNormalization, UnitNormalization
from neuroflow.layers.pooling import (
                                    AveragePooling1D,
                                    AveragePooling2D,
                                    AvgPool1D,
                                    AvgPool2D,
                                    GlobalAveragePooling1D,
                                    GlobalAveragePooling2D,
                                    GlobalAvgPool1D,
                                    GlobalAvgPool2D,
                                    GlobalMaxPool1D,
                                    GlobalMaxPool2D,
                                    GlobalMaxPooling1D,
                                    GlobalMaxPooling2D,
                                    MaxPool1D,
                                    MaxPool2D,
                                    MaxPooling1D,
                                    MaxPooling2D,
)
from neuroflow.layers.preprocessing import Normalization, Rescaling
from neuroflow.layers.recurrent import GRU, LSTM, SimpleRNN
from neuroflow.layers.regularization import (
                                    ActivityRegularization,
                                    AlphaDropout,
                                    GaussianDropout,
                                    GaussianNoise,
                                    SpatialDropout1D,
                                    SpatialDropout2D,
)
from neuroflow.layers.reshaping import Cropping1D, Cropping2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D
from neuroflow.layers.rnn import RNN, StackedRNNCells  # layers10
from neuroflow.layers.rnn_cells import GRUCell, LSTMCell, SimpleRNNCell  # layers10
from neuroflow.layers.text_vectorization import TextVectorization
from neuroflow.layers.volumetric import (  # layers10
                                    AveragePooling3D,
                                    AvgPool3D,
                                    Conv3D,
                                    Convolution3D,
                                    Cropping3D,
                                    GlobalAveragePooling3D,
                                    GlobalAvgPool3D,
                                    GlobalMaxPool3D,
                                    GlobalMaxPooling3D,
                                    MaxPool3D,
                                    MaxPooling3D,
                                    SpatialDropout3D,
                                    UpSampling3D,
                                    ZeroPadding3D,
)
from neuroflow.layers.wrappers import Bidirectional, TimeDistributed
from neuroflow.utils import registry

# The layer classes registered themselves (Layer.__init_subclass__); these are Keras' other names.
registry.register_builtins("layers", {"Layer": Layer, "Convolution1D": Convolution1D, "Convolution2D": Convolution2D,
                                      "Convolution2DTranspose": Convolution2DTranspose,
                                      "SeparableConvolution2D": SeparableConvolution2D, "AvgPool1D": AvgPool1D,
                                      "AvgPool2D": AvgPool2D, "GlobalAvgPool1D": GlobalAvgPool1D,
                                      "GlobalAvgPool2D": GlobalAvgPool2D, "GlobalMaxPool1D": GlobalMaxPool1D,
                                      "GlobalMaxPool2D": GlobalMaxPool2D, "MaxPool1D": MaxPool1D, "MaxPool2D": MaxPool2D})
# layers10: the 3-D aliases.
registry.register_builtins("layers", {"Convolution3D": Convolution3D, "MaxPool3D": MaxPool3D, "AvgPool3D": AvgPool3D,
                                      "GlobalMaxPool3D": GlobalMaxPool3D, "GlobalAvgPool3D": GlobalAvgPool3D})
# layersa: group / RMS normalization, EinsumDense, the 1-D transposed / depthwise / separable convolutions,
# Conv3DTranspose, the adaptive poolings, Wrapper, serialize / deserialize.
from neuroflow.layers.adaptive_pooling import (  # noqa: E402
                                    AdaptiveAveragePooling1D,
                                    AdaptiveAveragePooling2D,
                                    AdaptiveAveragePooling3D,
                                    AdaptiveMaxPooling1D,
                                    AdaptiveMaxPooling2D,
                                    AdaptiveMaxPooling3D,
)
from neuroflow.layers.conv3d_transpose import Conv3DTranspose, Convolution3DTranspose  # noqa: E402
from neuroflow.layers.convolutional_1d import (  # noqa: E402
                                    Conv1DTranspose,
                                    Convolution1DTranspose,
                                    DepthwiseConv1D,
                                    SeparableConv1D,
                                    SeparableConvolution1D,
)
from neuroflow.layers.einsum_dense import EinsumDense  # noqa: E402
from neuroflow.layers.group_normalization import GroupNormalization, RMSNormalization  # noqa: E402
from neuroflow.layers.grouped_query_attention import GroupedQueryAttention, GroupQueryAttention  # noqa: E402
from neuroflow.layers.layer_serialization import deserialize, serialize  # noqa: E402
from neuroflow.layers.pipeline import Pipeline  # noqa: E402
from neuroflow.layers.reversible_embedding import ReversibleEmbedding  # noqa: E402
from neuroflow.layers.spectral_normalization import SpectralNormalization  # noqa: E402
from neuroflow.layers.wrappers import Wrapper  # noqa: E402

registry.register_builtins("layers", {"Convolution1DTranspose": Convolution1DTranspose,
                                      "SeparableConvolution1D": SeparableConvolution1D,
                                      "Convolution3DTranspose": Convolution3DTranspose,
                                      "GroupQueryAttention": GroupQueryAttention})
# api10 (issue 10): Keras 3.13's CLAHE layer; convlstm: the convolutional LSTM layers (their cell
# stays internal, as in Keras).
from neuroflow.layers.clahe import ContrastLimitedAdaptiveHistogramEqualization  # noqa: E402
from neuroflow.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: E402
