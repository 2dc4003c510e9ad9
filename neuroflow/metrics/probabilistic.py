"""Probabilistic and hinge metrics: weighted streaming means of the matching losses."""
from neuroflow import losses
from neuroflow.metrics.metric import wrapper_class

_MODULE = __name__

BinaryCrossentropy = wrapper_class(
    "BinaryCrossentropy", losses.binary_crossentropy, "binary_crossentropy",
    "Streaming mean of the binary cross-entropy (from_logits, label_smoothing).", _MODULE,
    from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = wrapper_class(
    "CategoricalCrossentropy", losses.categorical_crossentropy, "categorical_crossentropy",
    "Streaming mean of the categorical cross-entropy (from_logits, label_smoothing, axis).", _MODULE,
    from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = wrapper_class(
    "SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
    "Streaming mean of the sparse categorical cross-entropy (from_logits, axis).", _MODULE,
    from_logits=False, axis=-1)
KLDivergence = wrapper_class("KLDivergence", losses.kl_divergence, "kl_divergence",
                             "Streaming mean of sum(t log(t / p)).", _MODULE)
Poisson = wrapper_class("Poisson", losses.poisson, "poisson",
                        "Streaming mean of mean(y_pred - y_true log(y_pred)).", _MODULE)
Hinge = wrapper_class("Hinge", losses.hinge, "hinge", "Streaming mean of the hinge loss.", _MODULE)
SquaredHinge = wrapper_class("SquaredHinge", losses.squared_hinge, "squared_hinge",
                             "Streaming mean of the squared hinge loss.", _MODULE)
CategoricalHinge = wrapper_class("CategoricalHinge", losses.categorical_hinge, "categorical_hinge",
                                 "Streaming mean of the categorical hinge loss.", _MODULE)
