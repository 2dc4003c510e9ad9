"""Checks of fit / evaluate / predict's scalar arguments where they enter, before they reach a loop.

`range(0, -1)` trains for no epochs and `int(2.5)` quietly trains with batches of 2; each check here
names the argument, what was expected and what was given instead.
"""
import numbers


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_integer(value, name, allow_none=True):
    """`value` as an int > 0 (None passes through when `allow_none`).

    Raises:
        ValueError: for a float, a bool, a string, zero or a negative number.
    """
    if value is None and allow_none:
        return None
    if not _is_integer(value) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {name}={value!r}")
    return int(value)


def non_negative_integer(value, name):
    if not _is_integer(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {name}={value!r}")
    return int(value)


def check_fit_arguments(batch_size, epochs, validation_split, initial_epoch, steps_per_epoch, validation_freq):
    """fit's scalar arguments checked; returns (batch_size, epochs, steps_per_epoch) as ints (or None)."""
    batch_size = positive_integer(batch_size, "batch_size")
    epochs = non_negative_integer(epochs, "epochs")
    initial_epoch = non_negative_integer(initial_epoch, "initial_epoch")
    if not isinstance(validation_split, numbers.Real) or isinstance(validation_split, bool) \
            or not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be a float in [0, 1), got validation_split={validation_split!r}")
    steps_per_epoch = positive_integer(steps_per_epoch, "steps_per_epoch")
    if not isinstance(validation_freq, numbers.Integral) or validation_freq <= 0:
        raise ValueError(f"validation_freq must be a positive integer, got validation_freq={validation_freq!r}")
    return batch_size, epochs, steps_per_epoch
