"""neuroflow on the GPU (the cupy backend) against PyTorch CUDA eager: four trainings, median epoch time.

    python benchmarks/gpu.py                       # all four, 3 timed epochs each after a warm-up epoch
    python benchmarks/gpu.py --epochs 2 --json results.json --only mlp_big,convnet
    python benchmarks/gpu.py --cpu-batches 20      # also neuroflow on the CPU (NumPy), 20 batches scaled to an epoch

The four (issue 16), each the same network, math and batch in both libraries, float32:
    mlp         the lecture MNIST MLP: Dense(512, relu) - Dense(10, softmax), RMSprop, batch 128
    mlp_big     Dense(2048, relu) - Dense(2048, relu) - Dense(10, softmax), Adam, batch 1024
    convnet     examples/mnist_cnn.py's convnet, Adam, batch 128
    lstm        Embedding(10000, 32) - LSTM(32) - Dense(1, sigmoid) on 200 tokens, RMSprop, batch 128
                (benchmarks/lstm_epoch.py's; 25,000 sequences an epoch, as IMDB's training set)

The inputs are random arrays of MNIST's / IMDB's shapes (an epoch's time does not depend on the
values, and the GPU machine need not hold the datasets). Each contender trains in its own
subprocess, so one library's memory pool never holds the other's memory. Reported: the median
epoch seconds, neuroflow / PyTorch, peak GPU memory (CuPy's pool total / torch's max reserved),
and with --cpu-batches neuroflow-CPU / neuroflow-GPU. Targets: every ratio <= 1.0, and >= 10x over
the CPU for mlp_big and convnet.

neuroflow's epochs are those of one `model.fit(..., epochs=N + 1)`, timed by a callback (logs
copied to the host once per step, as Keras' progress bar needs); PyTorch's loop keeps the running
loss on the device and synchronises once at the epoch's end, the faster way to write it. Both
move the whole data set to the GPU once, before the first (untimed) epoch (neuroflow does when
it fits half the free memory); each row ends with neuroflow's own line on where the data went
("... moved to the device once" or "... batch by batch").
"""
import argparse
import json
import logging
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
MARKER = "@@GPU-BENCHMARK@@ "
BENCHMARKS = {
    "mlp": {"samples": 60000, "batch": 128},
    "mlp_big": {"samples": 60000, "batch": 1024},
    "convnet": {"samples": 60000, "batch": 128},
    "lstm": {"samples": 25000, "batch": 128},
}
VOCABULARY, LENGTH = 10000, 200
CPU_TARGETS = ("mlp_big", "convnet")


def _data(name, samples):
    import numpy

    generator = numpy.random.default_rng(0)
    if name == "lstm":
        return (generator.integers(1, VOCABULARY, size=(samples, LENGTH)).astype("int32"),
                generator.integers(0, 2, size=(samples, 1)).astype("float32"))
    images = generator.random((samples, 28, 28, 1), dtype="float32")
    labels = generator.integers(0, 10, size=samples)
    return (images if name == "convnet" else images.reshape(samples, 784)), labels


# ---- neuroflow -----------------------------------------------------------------------------------

def _neuroflow_model(name):
    from neuroflow import layers, models, optimizers

    if name == "mlp":
        model = models.Sequential([layers.Input((784,)), layers.Dense(512, activation="relu"),
                                   layers.Dense(10, activation="softmax")])
        optimizer = optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7)
    elif name == "mlp_big":
        model = models.Sequential([layers.Input((784,)), layers.Dense(2048, activation="relu"),
                                   layers.Dense(2048, activation="relu"), layers.Dense(10, activation="softmax")])
        optimizer = optimizers.Adam(learning_rate=0.001, epsilon=1e-7)
    elif name == "convnet":
        sys.path.insert(0, str(ROOT / "examples"))
        import mnist_cnn  # the example's own network

        model, optimizer = mnist_cnn.build_model(), optimizers.Adam(learning_rate=0.001, epsilon=1e-7)
    else:
        model = models.Sequential([layers.Input((LENGTH,), dtype="int32"), layers.Embedding(VOCABULARY, 32),
                                   layers.LSTM(32), layers.Dense(1, activation="sigmoid")])
        optimizer = optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7)
    loss = "binary_crossentropy" if name == "lstm" else "sparse_categorical_crossentropy"
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


class _Placements(logging.Handler):
    """Keeps fit's messages on where its data went (neuroflow.training logs them at INFO)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def run_neuroflow(name, epochs, device, batches=None):
    sys.path.insert(0, str(ROOT))
    import neuroflow
    from neuroflow import backend

    neuroflow.config.set_backend(device)
    placements = _Placements()
    training_logger = logging.getLogger("neuroflow.training")
    training_logger.setLevel(logging.INFO)
    training_logger.addHandler(placements)
    settings = BENCHMARKS[name]
    samples = settings["samples"] if batches is None else batches * settings["batch"]
    x, y = _data(name, samples)
    neuroflow.set_random_seed(0)
    model = _neuroflow_model(name)
    times = []

    class EpochTimes(neuroflow.callbacks.Callback):
        """Each epoch's seconds; its end waits for the device (the last step's logs come back)."""

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)
    # One fit, as PyTorch's one loop: the data moves to the device once, before the first epoch; that
    # epoch traces the step and fills the memory pool, and is not timed.
    model.fit(x, y, batch_size=settings["batch"], epochs=epochs + 1, shuffle=True, verbose=0, callbacks=[EpochTimes()])
    scale = 1.0 if batches is None else -(-settings["samples"] // settings["batch"]) / batches
    result = {"epoch_seconds": [t * scale for t in times[1:]], "device": backend.device_description()}
    if backend.on_device():  # the first fit's decision: the arrays moved once, or batch by batch
        result["data"] = placements.messages[0] if placements.messages else "no placement logged"
    if device == "cupy":
        result["peak_gpu_bytes"] = int(backend.xp.get_default_memory_pool().total_bytes())
    return result


# ---- PyTorch CUDA eager --------------------------------------------------------------------------

def _torch_model(torch, name):
    nn = torch.nn
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
        return model, torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    if name == "mlp_big":
        model = nn.Sequential(nn.Linear(784, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 10))
        return model, torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    if name == "convnet":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
        return model, torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCABULARY, 32)
            self.lstm, self.dense = nn.LSTM(32, 32, batch_first=True), nn.Linear(32, 1)

        def forward(self, tokens):
            _, (hidden, _) = self.lstm(self.embedding(tokens))
            return self.dense(hidden[-1])
    model = LSTMClassifier()
    return model, torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)


def run_torch(name, epochs):
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError("PyTorch finds no CUDA device")
    device = torch.device("cuda")
    torch.manual_seed(0)
    settings = BENCHMARKS[name]
    x, y = _data(name, settings["samples"])
    if name == "convnet":
        x = x.transpose(0, 3, 1, 2).copy()  # NCHW, PyTorch's layout
    # The whole data set moved once, as neuroflow does when it fits the device (training/device_data.py).
    inputs = torch.from_numpy(x).to(device)
    targets = torch.from_numpy(y).to(device)
    targets = targets.float() if name == "lstm" else targets.long()
    model, optimizer = _torch_model(torch, name)
    model.to(device)
    loss_function = torch.nn.BCEWithLogitsLoss() if name == "lstm" else torch.nn.CrossEntropyLoss()
    batch = settings["batch"]
    times = []
    for _ in range(epochs + 1):
        torch.cuda.synchronize()
        start = time.perf_counter()
        order = torch.randperm(len(inputs), device=device)
        running, correct = torch.zeros((), device=device), torch.zeros((), device=device)
        for begin in range(0, len(inputs), batch):
            index = order[begin:begin + batch]
            optimizer.zero_grad(set_to_none=True)
            outputs = model(inputs[index])
            loss = loss_function(outputs, targets[index])
            loss.backward()
            optimizer.step()
            with torch.no_grad():  # the same running loss and accuracy fit keeps, on the device
                running += loss.detach()
                predicted = (outputs > 0).float() if name == "lstm" else outputs.argmax(1)
                correct += (predicted == targets[index]).sum()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return {"epoch_seconds": times[1:], "device": torch.cuda.get_device_name(0),
            "peak_gpu_bytes": int(torch.cuda.max_memory_reserved())}


# ---- the parent: one subprocess per contender, then the table ------------------------------------

def _child(arguments):
    name, contender = arguments.child.split(":")
    try:
        if contender == "torch":
            result = run_torch(name, arguments.epochs)
        elif contender == "neuroflow-cpu":
            result = run_neuroflow(name, 1, "numpy", batches=arguments.cpu_batches)
        else:
            result = run_neuroflow(name, arguments.epochs, "cupy")
    except Exception as error:  # reported in the table instead of stopping the other benchmarks
        result = {"error": f"{type(error).__name__}: {error}"}
    print(MARKER + json.dumps(result), flush=True)


def _launch(name, contender, arguments):
    command = [sys.executable, os.path.abspath(__file__), "--child", f"{name}:{contender}", "--epochs",
               str(arguments.epochs), "--cpu-batches", str(arguments.cpu_batches)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=arguments.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {arguments.timeout} s"}
    for line in completed.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    return {"error": (completed.stderr or completed.stdout)[-800:]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per contender (after one warm-up epoch)")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmark names")
    parser.add_argument("--cpu-batches", type=int, default=0,
                        help="also time neuroflow on NumPy over this many batches, scaled to an epoch (0: skip)")
    parser.add_argument("--timeout", type=int, default=240, help="seconds allowed to each contender")
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        return _child(arguments)
    results = {}
    for name in arguments.only.split(","):
        # The CPU side only where the issue sets a GPU-over-CPU target (an LSTM epoch on NumPy takes minutes).
        contenders = ["neuroflow", "torch"] + (["neuroflow-cpu"] if arguments.cpu_batches and name in CPU_TARGETS else [])
        results[name] = {contender: _launch(name, contender, arguments) for contender in contenders}
        row = results[name]
        for result in row.values():
            if "epoch_seconds" in result:
                result["median_seconds"] = statistics.median(result["epoch_seconds"])
        gpu, torch_result = row["neuroflow"].get("median_seconds"), row["torch"].get("median_seconds")
        if gpu and torch_result:
            row["ratio_to_torch"] = gpu / torch_result
        if gpu and row.get("neuroflow-cpu", {}).get("median_seconds"):
            row["speedup_over_cpu"] = row["neuroflow-cpu"]["median_seconds"] / gpu
        print(_line(name, row), flush=True)
        if arguments.json:  # after every row: a run stopped at its time limit keeps what it measured
            pathlib.Path(arguments.json).write_text(json.dumps(results, indent=2))
    return results


def _line(name, row):
    def seconds(result):
        if "error" in result:
            return "error: " + result["error"].strip().splitlines()[-1][:120]
        memory = result.get("peak_gpu_bytes")
        return f"{result['median_seconds']:.3f} s" + (f" ({memory / 2**20:.0f} MiB)" if memory else "")
    parts = [f"{name:8s}", "neuroflow-cupy " + seconds(row["neuroflow"]), "torch " + seconds(row["torch"])]
    if "ratio_to_torch" in row:
        parts.append(f"ratio {row['ratio_to_torch']:.2f}x")
    if "neuroflow-cpu" in row:
        parts.append("neuroflow-cpu " + seconds(row["neuroflow-cpu"]))
    if "speedup_over_cpu" in row:
        parts.append(f"GPU speedup {row['speedup_over_cpu']:.1f}x")
    device = row["neuroflow"].get("device") or row["torch"].get("device")
    data = row["neuroflow"].get("data")
    return " | ".join(parts) + (f" | {device}" if device else "") + (f" | data: {data}" if data else "")


if __name__ == "__main__":
    main()
