"""Auto-naming: snake_case class names and unique names ('dense', 'dense_1', ...), as Keras does.

    to_snake_case("Conv2DTranspose")   # 'conv2d_transpose'
    unique_name("dense")               # 'dense', then 'dense_1', 'dense_2', ...
    reset_names()                      # backend.clear_session(): names restart from 'dense'
"""
import re

_name_counts = {}


def to_snake_case(name, capital_after_digit_starts_word=False):
    """A CamelCase name in snake_case, by Keras 3's rule (keras/src/utils/naming.py `to_snake_case`).

    A capital starts a word when a lowercase letter precedes it, or when a lowercase letter follows
    it (so acronyms stay whole); characters that cannot be in an identifier are dropped.

    Args:
        name: the name, usually a class name.
        capital_after_digit_starts_word: the rule neuroflow's metrics, losses and optimizers have
            always named themselves by, kept so their names (History keys, saved names) do not
            change: a capital after any character other than a capital also starts a word, so
            'Conv2D' -> 'conv2_d' rather than 'conv2d', and no character is dropped.

    Returns:
        The snake_case name: 'Conv2D' -> 'conv2d', 'GlobalAveragePooling1D' ->
        'global_average_pooling1d', 'LSTM' -> 'lstm', 'PReLU' -> 'p_re_lu', 'AUC' -> 'auc',
        'F1Score' -> 'f1_score', 'RMSprop' -> 'rm_sprop'.
    """
    if capital_after_digit_starts_word:
        out = []
        for index, char in enumerate(name):
            if char.isupper() and index and (not name[index - 1].isupper()
                                             or (index + 1 < len(name) and name[index + 1].islower())):
                out.append("_")
            out.append(char.lower())
        return "".join(out)
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix):
    """'dense', then 'dense_1', 'dense_2', ... like Keras' auto names."""
    count = _name_counts.get(prefix, 0)
    _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names():
    """Restarts auto naming (keras.backend.clear_session's effect on names)."""
    _name_counts.clear()
