""""Export as Python": the runnable neuroflow script that reproduces a playground run.

The script carries its dataset (the generator's own source, or an uploaded CSV's rows), the
feature columns, the Sequential model, compile and fit with the playground's settings and seed,
and prints the test loss on the data alone, the figure the page shows.
"""
import inspect

import numpy as np

from neuroflow.playground import datasets
from neuroflow.playground.config import UPLOADED
from neuroflow.playground.features import FEATURES
from neuroflow.playground.network import OUTPUT

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "the playground's datasets, exports and plots are host data for the browser"

_INITIALIZERS = {"glorot": "initializers.GlorotUniform()", "he": "initializers.HeNormal()",
                 "normal": "initializers.RandomNormal(mean=0.0, stddev=1.0)",
                 "small_normal": "initializers.RandomNormal(mean=0.0, stddev=0.01)"}
_OPTIMIZERS = {"sgd": "optimizers.SGD(learning_rate={})", "momentum": "optimizers.SGD(learning_rate={}, momentum=0.9)",
               "rmsprop": "optimizers.RMSprop(learning_rate={})", "adam": "optimizers.Adam(learning_rate={})"}
_LOSS_CLASSES = {"binary_crossentropy": "BinaryCrossentropy", "mean_squared_error": "MeanSquaredError"}


def python_script(config, epochs, uploaded=None, live_changes=()):
    """The source of a script that trains `config`'s network for `epochs` epochs.

    Args:
        config: the run's `PlaygroundConfig`.
        epochs: how many epochs the run trained (the script trains as many).
        uploaded: `(points, labels)` of an uploaded CSV dataset, written into the script.
        live_changes: descriptions of learning-rate or batch-size changes made during the run
            (the script uses the final values; they are listed in its docstring).
    """
    output_activation, loss = OUTPUT[config.problem]
    noted = "".join(f"\n  - not replayed: {change}" for change in live_changes)
    lines = [
        f'"""A neuroflow playground run, as a script: {config.dataset} ({config.problem}), '
        f'hidden layers {list(config.hidden_layers)}, {epochs} epochs.',
        "",
        "Made by the playground's \"Export as Python\"; run it with `python <this file>`. It trains the same",
        "network on the same data from the same seed and prints the test loss the playground showed"
        " (up to the spread of the random seed when the run was changed midway)." + noted,
        '"""',
        "import numpy as np",
        "",
        "import neuroflow",
        "from neuroflow import initializers, layers, losses, models, optimizers, regularizers",
        "",
        f"SEED = {config.seed}",
        f"EPOCHS = {epochs}",
        "",
    ]
    lines += _data_lines(config, uploaded)
    lines += _feature_lines(config)
    lines += _model_lines(config, output_activation, loss)
    lines += [
        "history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, shuffle=True, verbose=0)",
        "",
        "# The loss on the data alone, without the regularization penalty: the figure the playground shows.",
        f"data_loss = losses.{_LOSS_CLASSES[loss]}()",
        "train_loss = float(data_loss(y_train, model.predict(x_train, verbose=0)))",
        "test_loss = float(data_loss(y_test, model.predict(x_test, verbose=0)))",
        'print(f"epochs: {EPOCHS}  train loss: {train_loss:.4f}  test loss: {test_loss:.4f}")',
        "",
    ]
    return "\n".join(lines)


def _data_lines(config, uploaded):
    if config.dataset == UPLOADED:
        points, labels = uploaded
        rows = np.round(np.column_stack([points, labels]), 6).tolist()
        lines = ["# The uploaded CSV's rows: x1, x2, label (labels already mapped to -1 / +1 or scaled into [-1, 1]).",
                 "DATA = np.array(["]
        lines += [f"    [{x1!r}, {x2!r}, {label!r}]," for x1, x2, label in rows]
        lines += ["])", "points, labels = DATA[:, :2], DATA[:, 2]", ""]
    else:
        generator, _problem, num_samples = datasets.DATASETS[config.dataset]
        lines = ["# The dataset, as the playground draws it: points in [-6, 6]^2, labels in [-1, 1].", "",
                 *inspect.getsource(generator).rstrip().splitlines(), "", "",
                 f"points, labels = {generator.__name__}({num_samples}, {config.noise / 100!r}, np.random.default_rng(SEED))"]
    lines += [
        f"# {config.train_percent}% of the points train, the rest test, split by a seeded shuffle.",
        "order = np.random.default_rng(SEED).permutation(len(points))",
        f"cut = int(len(points) * {config.train_percent} / 100)",
        "train_index, test_index = order[:cut], order[cut:]",
        "",
    ]
    return lines


def _feature_lines(config):
    columns = ", ".join(FEATURES[name][1] for name in config.features)
    lines = [
        f"# The input features: {', '.join(FEATURES[name][1] for name in config.features)}.",
        "def features(points):",
        "    x1, x2 = points[:, 0], points[:, 1]",
        f"    return np.stack([{columns}], axis=1).astype(\"float32\")",
        "",
        "",
        "targets = labels[:, None].astype(\"float32\")",
    ]
    if config.problem == "classification":
        lines.append("targets = (targets + 1) / 2  # -1 / +1 become the 0 / 1 of binary cross-entropy")
    lines += [
        "x_train, y_train = features(points[train_index]), targets[train_index]",
        "x_test, y_test = features(points[test_index]), targets[test_index]",
        "",
    ]
    return lines


def _model_lines(config, output_activation, loss):
    regularizer = {"none": "None", "l1": f"regularizers.L1({config.regularization_rate!r})",
                   "l2": f"regularizers.L2({config.regularization_rate!r})"}[config.regularization]
    lines = ["# Seeded before the layers are made, so the initial weights are the playground's.",
             "neuroflow.utils.set_random_seed(SEED)",
             "model = models.Sequential([",
             f"    layers.Input(({len(config.features)},)),"]
    initializer = _INITIALIZERS[config.initializer]
    for units, rate in zip(config.hidden_layers, config.dropout):
        lines.append(f"    layers.Dense({units}, activation=\"{config.activation}\", kernel_initializer={initializer},"
                     f" kernel_regularizer={regularizer}),")
        if rate > 0:
            lines.append(f"    layers.Dropout({rate!r}),")
    lines += [
        f"    layers.Dense(1, activation=\"{output_activation}\", kernel_initializer={_INITIALIZERS[config.initializer]},"
        f" kernel_regularizer={regularizer}),",
        "])",
        f"model.compile(optimizer={_OPTIMIZERS[config.optimizer].format(repr(config.learning_rate))}, loss=\"{loss}\")",
        f"BATCH_SIZE = {config.batch_size}",
    ]
    return lines
