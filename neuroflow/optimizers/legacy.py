"""`keras.optimizers.legacy`: the names Keras 3 keeps only to say they are gone.

Each class refuses construction with Keras 3's message, so a Keras 2 program that reaches for
`optimizers.legacy.Adam` learns what to use instead.
"""

_MESSAGE = ("`neuroflow.optimizers.legacy` is not supported, as `keras.optimizers.legacy` is not in Keras 3. Use the "
            "optimizers of `neuroflow.optimizers` instead (e.g. `neuroflow.optimizers.{name}`).")


class _Legacy:
    def __init__(self, *args, **kwargs):
        raise ImportError(_MESSAGE.format(name=type(self).__name__ if type(self).__name__ != "Optimizer" else "Adam"))


class Optimizer(_Legacy):
    pass


class Adagrad(_Legacy):
    pass


class Adam(_Legacy):
    pass


class Ftrl(_Legacy):
    pass


class RMSprop(_Legacy):
    pass


class SGD(_Legacy):
    pass


__all__ = ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"]
