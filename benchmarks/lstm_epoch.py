"""One training epoch of Embedding(10000, 32) -> LSTM(32) -> Dense(1): neuroflow against PyTorch eager.

Sequences of 200 tokens, batch 128, RMSprop, binary cross-entropy, `--batches` batches per
epoch, the median of `--repeats` epochs after one warm-up batch. Each contender runs in its own
subprocess with the same thread count, so its peak RSS (resource.getrusage) is its own.

    python benchmarks/lstm_epoch.py                      # as the environment is
    python benchmarks/lstm_epoch.py --openblas-env both  # also with OPENBLAS_CORETYPE/L2_SIZE unset
    python benchmarks/lstm_epoch.py --python /path/to/venv/bin/python   # interpreter with torch

Prints median seconds per epoch, peak memory, and neuroflow / PyTorch ratios.

Note: the LSTM's per-step product is tiny, (128, 32) @ (32, 128). With 2 OpenBLAS threads on a
busy 2-core machine one such call was measured at 0.3 to 30 ms (thread wake-ups) against 10 us
with 1 thread, so 2-thread figures swing with machine load; compare with --threads 1 too.
"""
import argparse
import json
import os
import pathlib
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _lockstep  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
VOCABULARY, LENGTH, BATCH, UNITS, EMBEDDING = 10000, 200, 128, 32, 32
OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _data(batches):
    import numpy
    generator = numpy.random.default_rng(0)
    x = generator.integers(1, VOCABULARY, size=(batches * BATCH, LENGTH)).astype("int32")
    y = generator.integers(0, 2, size=(batches * BATCH, 1)).astype("float32")
    return x, y


def _run_neuroflow(batches, repeats):
    sys.path.insert(0, str(ROOT))
    from neuroflow import layers, models

    x, y = _data(batches)
    model = models.Sequential([layers.Input(shape=(LENGTH,)), layers.Embedding(VOCABULARY, EMBEDDING),
                               layers.LSTM(UNITS), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    model.train_on_batch(x[:BATCH], y[:BATCH])  # warm-up
    times = []
    for _ in range(repeats):
        _lockstep.wait_turn()
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        times.append(time.perf_counter() - start)
        _lockstep.turn_done()
    return times


def _run_torch(batches, repeats, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x, y = _data(batches)
    x, y = torch.from_numpy(x.astype("int64")), torch.from_numpy(y)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
            self.lstm = torch.nn.LSTM(EMBEDDING, UNITS, batch_first=True)
            self.dense = torch.nn.Linear(UNITS, 1)

        def forward(self, tokens):
            _, (h, _) = self.lstm(self.embedding(tokens))
            return self.dense(h[-1])

    net = Net()
    optimizer = torch.optim.RMSprop(net.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    loss_function = torch.nn.BCEWithLogitsLoss()

    def step(xb, yb):
        optimizer.zero_grad()
        loss = loss_function(net(xb), yb)
        loss.backward()
        optimizer.step()

    step(x[:BATCH], y[:BATCH])  # warm-up
    times = []
    for _ in range(repeats):
        _lockstep.wait_turn()
        start = time.perf_counter()
        for index in range(batches):
            step(x[index * BATCH:(index + 1) * BATCH], y[index * BATCH:(index + 1) * BATCH])
        times.append(time.perf_counter() - start)
        _lockstep.turn_done()
    return times


def _child(arguments):
    if arguments.contender == "neuroflow":
        times = _run_neuroflow(arguments.batches, arguments.repeats)
    else:
        times = _run_torch(arguments.batches, arguments.repeats, arguments.threads)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"times": times, "median": statistics.median(times), "peak_mib": peak_kib / 1024}))


def _spawn_both(arguments, unset_openblas):
    """Both contenders in lockstep (_lockstep.py): {name: (result or None, error or None)}.

    Each timed epoch of one contender runs right after the other's, never at the same time, so
    both see the same phase of this noisy machine.
    """
    commands, environments = {}, {}
    for contender in ("neuroflow", "torch"):
        environment = dict(os.environ)
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            environment[variable] = str(arguments.threads)
        if unset_openblas:
            for variable in OPENBLAS_VARIABLES:
                environment.pop(variable, None)
        python = arguments.python if contender == "torch" else sys.executable
        commands[contender] = [python, __file__, "--child", contender, "--batches", str(arguments.batches),
                               "--repeats", str(arguments.repeats), "--threads", str(arguments.threads)]
        environments[contender] = environment
    return _lockstep.last_json_results(_lockstep.run_in_turns(commands, environments, pause=0.3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="batches of 128 per epoch")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--python", default=sys.executable, help="interpreter for the PyTorch contender")
    parser.add_argument("--openblas-env", choices=("as-is", "unset", "both"), default="as-is")
    parser.add_argument("--child", choices=("neuroflow", "torch"), dest="contender", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.contender:
        _child(arguments)
        return
    settings = {"as-is": [False], "unset": [True], "both": [False, True]}[arguments.openblas_env]
    print(f"Embedding({VOCABULARY}, {EMBEDDING}) -> LSTM({UNITS}) -> Dense(1); sequences of {LENGTH}, batch "
          f"{BATCH}, {arguments.batches} batches per epoch, median of {arguments.repeats}, {arguments.threads} threads")
    for unset in settings:
        label = "OPENBLAS_CORETYPE/L2_SIZE unset" if unset else "environment as is (" + ", ".join(
            f"{v}={os.environ.get(v, '-')}" for v in OPENBLAS_VARIABLES) + ")"
        print(f"\n[{label}]")
        results = {}
        outcomes = _spawn_both(arguments, unset)
        for contender in ("neuroflow", "torch"):
            result, error = outcomes[contender]
            results[contender] = result
            if result is None:
                print(f"  {contender:<10} unavailable: {error}")
            else:
                print(f"  {contender:<10} {result['median']:8.3f} s/epoch   peak RSS {result['peak_mib']:8.1f} MiB")
        if results["neuroflow"] and results["torch"]:
            print(f"  ratio      time {results['neuroflow']['median'] / results['torch']['median']:.2f}x   "
                  f"memory {results['neuroflow']['peak_mib'] / results['torch']['peak_mib']:.2f}x  (neuroflow / PyTorch)")


if __name__ == "__main__":
    main()
