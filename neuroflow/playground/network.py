"""The neuroflow model a playground config describes: Dense layers, their dropout, the optimizer.

`build_model` is the one place the playground turns its choices into Keras-style objects;
"Export as Python" (`export.py`) writes the same construction out as source.
"""
from neuroflow import initializers, layers, models, optimizers, regularizers

#: the output layer's activation and the loss, per problem type
OUTPUT = {"classification": ("sigmoid", "binary_crossentropy"), "regression": ("linear", "mean_squared_error")}


def make_initializer(name):
    """A fresh kernel initializer for one of the page's initializer names."""
    if name == "glorot":
        return initializers.GlorotUniform()
    if name == "he":
        return initializers.HeNormal()
    if name == "normal":
        return initializers.RandomNormal(mean=0.0, stddev=1.0)
    return initializers.RandomNormal(mean=0.0, stddev=0.01)


def make_regularizer(name, rate):
    """The kernel regularizer for "none", "l1" or "l2" at `rate`."""
    if name == "l1":
        return regularizers.L1(rate)
    if name == "l2":
        return regularizers.L2(rate)
    return None


def make_optimizer(name, learning_rate):
    """SGD, SGD with momentum 0.9, RMSprop or Adam at `learning_rate`."""
    if name == "momentum":
        return optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    if name == "rmsprop":
        return optimizers.RMSprop(learning_rate=learning_rate)
    if name == "adam":
        return optimizers.Adam(learning_rate=learning_rate)
    return optimizers.SGD(learning_rate=learning_rate)


def build_model(config):
    """A compiled Sequential: the hidden Dense layers (each followed by its Dropout, if any) and one output unit.

    The kernels are drawn from neuroflow's generator; seed it first for a reproducible start.
    """
    stack = [layers.Input((len(config.features),))]
    for units, rate in zip(config.hidden_layers, config.dropout):
        stack.append(layers.Dense(units, activation=config.activation, kernel_initializer=make_initializer(config.initializer),
                                  kernel_regularizer=make_regularizer(config.regularization, config.regularization_rate)))
        if rate > 0:
            stack.append(layers.Dropout(rate))
    output_activation, loss = OUTPUT[config.problem]
    stack.append(layers.Dense(1, activation=output_activation, kernel_initializer=make_initializer(config.initializer),
                              kernel_regularizer=make_regularizer(config.regularization, config.regularization_rate)))
    model = models.Sequential(stack)
    model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate), loss=loss)
    return model


def dense_layers(model):
    """The model's Dense layers in order (the Dropout layers between them draw nothing)."""
    return [layer for layer in model.layers if isinstance(layer, layers.Dense)]
