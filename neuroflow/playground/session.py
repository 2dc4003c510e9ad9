"""One browser tab's training run: its data, its network, its epochs, and the frames it shows.

A `TrainingSession` knows nothing of the web: the server (`server.py`) calls it between frames
and sends what it returns. neuroflow keeps its random generator and gradient tapes in module
state, so every call that touches a model holds `ENGINE_LOCK`; sessions of several tabs then take
turns, one step at a time.
"""
import base64
import pathlib
import tempfile
import threading
import time

import numpy as np

from neuroflow import backend, losses, seeding
from neuroflow.playground import datasets
from neuroflow.playground.config import LIVE_FIELDS, NETWORK_FIELDS, UPLOADED, PlaygroundConfig
from neuroflow.playground.csv_dataset import parse_csv
from neuroflow.playground.export import python_script
from neuroflow.playground.features import FEATURES, feature_columns
from neuroflow.playground.network import build_model, dense_layers

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "the playground's datasets, exports and plots are host data for the browser"

ENGINE_LOCK = threading.Lock()

#: side of the output heatmap's grid, and of each neuron's small heatmap
OUTPUT_GRID = 64
NEURON_GRID = 24
#: "Show backprop" writes out one step of networks up to this many parameters
BACKPROP_MAX_PARAMETERS = 100


class TrainingSession:
    """The state of one tab: config, data, the model, the epoch count and the loss history."""

    def __init__(self, config=None):
        self.config = config or PlaygroundConfig()
        self.uploaded = None
        self.live_changes = []
        self._make_data()
        self._make_network()

    # --- changes -------------------------------------------------------------------------------

    def apply(self, changes):
        """Applies a dict of config changes; returns which parts were rebuilt ("data", "network").

        Learning rate and batch size take effect at the next step and keep the trained network;
        features, layers and the training choices rebuild the network; the data choices rebuild both.

        Raises:
            ValueError: for a bad field or value (the session is left as it was).
        """
        config = self.config.updated(changes)
        if config.dataset == UPLOADED and self.uploaded is None:
            raise ValueError("dataset 'csv' needs an uploaded CSV file first; upload one with the CSV button")
        changed = {name for name in changes if getattr(config, name) != getattr(self.config, name)}
        previous, self.config = self.config, config
        if changed - LIVE_FIELDS - NETWORK_FIELDS:
            self._make_data()
            self._make_network()
            return {"data", "network"}
        if changed & NETWORK_FIELDS:
            self._make_network()
            return {"network"}
        if "learning_rate" in changed:
            with ENGINE_LOCK:
                self.model.optimizer.learning_rate = config.learning_rate
        if changed and self.epoch > 0:
            self.live_changes.append(", ".join(f"{name} {getattr(previous, name)} -> {getattr(config, name)}"
                                               for name in sorted(changed)) + f" at epoch {self.epoch}")
        return set()

    def upload(self, text):
        """Makes an uploaded CSV text the dataset. Raises ValueError (shown to the user) for a bad file."""
        points, labels = parse_csv(text, self.config.problem)
        self.uploaded = (points, labels)
        self.config = self.config.updated({"dataset": UPLOADED})
        self._make_data()
        self._make_network()

    def regenerate(self):
        """New data (and a new start) from the next seed."""
        self.config = self.config.updated({"seed": (self.config.seed + 1) % 2**31})
        self._make_data()
        self._make_network()

    def reset(self):
        """The network back to its seeded initial weights, epoch 0."""
        self._make_network()

    # --- training -------------------------------------------------------------------------------

    def train_step(self):
        """One batch update. Returns True when it finished an epoch.

        Each epoch's order is one permutation from neuroflow's generator, drawn as `fit(shuffle=True)`
        draws it, and its batch size is fixed when it starts: so a run of whole epochs is the exported
        script's `fit`, update for update, while a frame can still end in the middle of an epoch.
        """
        with ENGINE_LOCK:
            if self._epoch_order is None:
                self._epoch_order = seeding.generator().permutation(len(self.x_train))
                self._epoch_batch_size = self.config.batch_size
                self._epoch_position = 0
            batch = self._epoch_order[self._epoch_position:self._epoch_position + self._epoch_batch_size]
            self.model.train_on_batch(self.x_train[batch], self.y_train[batch])
            self._epoch_position += len(batch)
        self.steps += 1
        if self._epoch_position < len(self.x_train):
            return False
        self._epoch_order = None
        self.epoch += 1
        self._record_losses()
        return True

    def train_epoch(self):
        """Trains to the end of the current epoch (a whole one when none is under way): the page's step button."""
        while not self.train_step():
            pass

    def train_for(self, seconds, max_epochs):
        """Trains batches for about `seconds` (at least one), stopping after `max_epochs` finished epochs."""
        start = time.perf_counter()
        finished = 0
        while True:
            finished += self.train_step()
            if finished >= max_epochs or time.perf_counter() - start >= seconds:
                return finished

    # --- what the page draws --------------------------------------------------------------------

    def frame(self):
        """The state to draw: epoch, losses, weights, and the heatmaps as base64 bytes (0..255 for -1..1)."""
        with ENGINE_LOCK:
            output = self._forward(self.output_grid)[-1]
            neurons = self._forward(self.neuron_grid)
            weights = [layer.get_weights() for layer in dense_layers(self.model)]
        return {
            "type": "frame",
            "epoch": self.epoch,
            "steps": self.steps,
            "train_loss": self.train_loss,
            "test_loss": self.test_loss,
            "history": self._unsent_history(),
            "weights": [np.round(kernel, 5).tolist() for kernel, _bias in weights],
            "biases": [np.round(bias, 5).tolist() for _kernel, bias in weights],
            "output": _encode_heatmap(self._display_values(output)),
            "neurons": [[_encode_heatmap(values[:, unit]) for unit in range(values.shape[1])]
                        for values in neurons[:-1]] + [[_encode_heatmap(self._display_values(neurons[-1]))]],
        }

    def data_message(self):
        """The training and test points (x1, x2, label in [-1, 1]) and the square they lie in."""
        return {
            "type": "data",
            "problem": self.config.problem,
            "domain": self.domain,
            "train": np.round(np.column_stack([self.points[self.train_index], self.labels[self.train_index]]), 4).tolist(),
            "test": np.round(np.column_stack([self.points[self.test_index], self.labels[self.test_index]]), 4).tolist(),
        }

    def network_message(self):
        """The shape of the network (features fed in, layer sizes) and every input feature's heatmap."""
        columns = feature_columns(self.neuron_points, tuple(FEATURES))
        # Each feature's heatmap spans its own range over the plot, so x1 and x1^2 both show their shape.
        scale = np.maximum(np.abs(columns).max(axis=0), 1e-9)
        return {
            "type": "network",
            "features": [{"name": name, "label": FEATURES[name][0], "active": name in self.config.features,
                          "heatmap": _encode_heatmap(columns[:, index] / scale[index])} for index, name in enumerate(FEATURES)],
            "layers": [len(self.config.features), *self.config.hidden_layers, 1],
            "grid": {"output": OUTPUT_GRID, "neuron": NEURON_GRID},
        }

    # --- exports --------------------------------------------------------------------------------

    def export_python(self):
        """The source of a runnable neuroflow script that reproduces this run (see `export.py`)."""
        changes = list(self.live_changes)
        if self._epoch_order is not None:
            changes.append(f"the run was {self._epoch_position} samples into epoch {self.epoch + 1} "
                           f"(the script stops at {self.epoch})")
        return python_script(self.config, self.epoch, self.uploaded if self.config.dataset == UPLOADED else None, changes)

    def export_keras(self):
        """The trained model as the bytes of a `.keras` file."""
        with tempfile.TemporaryDirectory() as directory, ENGINE_LOCK:
            path = pathlib.Path(directory) / "playground.keras"
            self.model.save(path)
            return path.read_bytes()

    # --- internals ------------------------------------------------------------------------------

    def _make_data(self):
        config = self.config
        if config.dataset == UPLOADED:
            self.points, self.labels = self.uploaded
            # The plot covers the uploaded points with a margin, and never less than the built-in square.
            self.domain = float(max(datasets.DOMAIN, np.ceil(np.abs(self.points).max() * 1.1)))
        else:
            self.points, self.labels = datasets.generate(config.dataset, config.noise / 100, config.seed)
            self.domain = datasets.DOMAIN
        self.train_index, self.test_index = datasets.split(len(self.points), config.train_percent, config.seed)
        axis = np.linspace(-self.domain, self.domain, OUTPUT_GRID)
        # Row 0 of a heatmap is the top of the plot: x2 runs from +domain down to -domain.
        self.output_points = np.stack(np.meshgrid(axis, axis[::-1]), axis=-1).reshape(-1, 2)
        axis = np.linspace(-self.domain, self.domain, NEURON_GRID)
        self.neuron_points = np.stack(np.meshgrid(axis, axis[::-1]), axis=-1).reshape(-1, 2)

    def _make_network(self):
        config = self.config
        targets = self.labels[:, None].astype("float32")
        if config.problem == "classification":
            targets = (targets + 1) / 2
        self.x_train = feature_columns(self.points[self.train_index], config.features)
        self.x_test = feature_columns(self.points[self.test_index], config.features)
        self.y_train, self.y_test = targets[self.train_index], targets[self.test_index]
        self.output_grid = feature_columns(self.output_points, config.features)
        self.neuron_grid = feature_columns(self.neuron_points, config.features)
        with ENGINE_LOCK:
            seeding.set_random_seed(config.seed)
            self.model = build_model(config)
        self.loss = losses.get(self.model.loss) if isinstance(self.model.loss, str) else self.model.loss
        self.epoch = 0
        self.steps = 0
        self._epoch_order = None
        self.history = []
        self._history_sent = 0
        self.live_changes = []
        self._record_losses()

    def _record_losses(self):
        with ENGINE_LOCK:
            self.train_loss = self._data_loss(self.x_train, self.y_train)
            self.test_loss = self._data_loss(self.x_test, self.y_test)
        self.history.append([self.epoch, self.train_loss, self.test_loss])

    def _unsent_history(self):
        # Every epoch's losses reach the chart once, however many epochs one frame covers.
        entries = self.history[self._history_sent:]
        self._history_sent = len(self.history)
        return entries

    def _data_loss(self, x, y):
        """The loss on the data alone (without the regularization penalty), as the page and the export report it."""
        if len(x) == 0:
            return None
        return float(np.mean(backend.to_numpy(self.loss(y, self._forward(x)[-1]))))

    def _forward(self, x):
        """Each Dense layer's output for inputs `x`, in inference mode (dropout off)."""
        outputs = []
        for layer in self.model.layers:
            x = layer(x, training=False)
            if layer in dense_layers(self.model):
                outputs.append(backend.to_numpy(x))
        return outputs

    def _display_values(self, output):
        # Classification shows the probability p as 2p - 1, so the colours span -1 (orange) to +1 (blue).
        output = output[:, 0]
        return 2 * output - 1 if self.config.problem == "classification" else output


def _encode_heatmap(values):
    """Values in [-1, 1] (clipped) as base64 of one byte each: compact enough to stream at the frame rate."""
    levels = np.round((np.clip(np.nan_to_num(values), -1, 1) + 1) * 127.5).astype(np.uint8)
    return base64.b64encode(levels.tobytes()).decode("ascii")
