"""Time one MNIST epoch (or N batches) of the Keras example convnet in neuroflow and in PyTorch eager.

    python benchmarks/cnn_epoch.py [--batches 40] [--repeats 3] [--threads 2] [--blas-env both]

Each contender runs in its own subprocess (so peak memory, the max RSS from
resource.getrusage, is its own), with the same thread count for BLAS / OpenMP / torch. The network is
examples/mnist_cnn.py's: Conv2D(32, 3, relu) - MaxPooling2D - Conv2D(64, 3, relu) - MaxPooling2D -
Flatten - Dropout(0.5) - Dense(10, softmax), Adam, categorical cross-entropy, batch 128, float32.
The reported epoch time is the median over repeats of N batches, scaled to a full epoch of
60,000 images (469 batches). PyTorch is skipped when it cannot be imported.

`--blas-env` runs everything with the environment's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE as they
are ('asis'), with both removed ('unset'), or both ways ('both').
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
BATCH = 128
EPOCH_BATCHES = -(-60000 // BATCH)


def _data(batches):
    import numpy

    from neuroflow.datasets import mnist

    (x, y), _ = mnist.load_data()
    count = batches * BATCH
    return numpy.expand_dims(x[:count].astype("float32") / 255, -1), y[:count].astype("int64")


def _neuroflow(batches, repeats):
    from neuroflow.utils import to_categorical
    sys.path.insert(0, str(ROOT / "examples"))
    import mnist_cnn

    x, y = _data(batches)
    y = to_categorical(y, 10)
    model = mnist_cnn.build_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x[:2 * BATCH], y[:2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    times = []
    for _ in range(repeats):
        _lockstep.wait_turn()
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
        _lockstep.turn_done()
    return times


def _torch(batches, repeats, threads):
    import numpy
    import torch

    torch.set_num_threads(threads)
    x, y = _data(batches)
    x, y = torch.from_numpy(numpy.ascontiguousarray(x.transpose(0, 3, 1, 2))), torch.from_numpy(y)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Dropout(0.5), torch.nn.Linear(1600, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def epoch(images, labels):
        order = torch.randperm(len(images))
        for start in range(0, len(images), BATCH):
            index = order[start:start + BATCH]
            optimizer.zero_grad()
            logits = model(images[index])
            loss = torch.nn.functional.cross_entropy(logits, labels[index])
            loss.backward()
            optimizer.step()
            (logits.argmax(1) == labels[index]).float().mean().item()  # the accuracy metric fit reports

    epoch(x[:2 * BATCH], y[:2 * BATCH])  # warm-up
    times = []
    for _ in range(repeats):
        _lockstep.wait_turn()
        start = time.perf_counter()
        epoch(x, y)
        times.append(time.perf_counter() - start)
        _lockstep.turn_done()
    return times


def worker(name, batches, repeats, threads):
    """Runs one contender and prints its timings and peak RSS as JSON on the last line."""
    times = _neuroflow(batches, repeats) if name == "neuroflow" else _torch(batches, repeats, threads)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(json.dumps({"times": times, "peak_mib": peak_mib}))


def _run_both(args, unset_blas):
    """Both contenders in lockstep (_lockstep.py): {name: (result or None, error or None)}.

    Each timed repeat of one contender runs right after the other's, never at the same time, so
    both see the same phase of this noisy machine.
    """
    commands, environments = {}, {}
    for name in ("neuroflow", "torch"):
        env = dict(os.environ)
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[variable] = str(args.threads)
        if unset_blas:
            env.pop("OPENBLAS_CORETYPE", None)
            env.pop("OPENBLAS_L2_SIZE", None)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        python = args.torch_python if name == "torch" else sys.executable
        commands[name] = [python, __file__, "--worker", name, "--batches", str(args.batches),
                          "--repeats", str(args.repeats), "--threads", str(args.threads)]
        environments[name] = env
    return _lockstep.last_json_results(_lockstep.run_in_turns(commands, environments, pause=0.3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="batches of 128 per timed epoch (469 = full)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--blas-env", choices=["asis", "unset", "both"], default="both")
    parser.add_argument("--torch-python", default=sys.executable,
                        help="the interpreter that has torch (e.g. a virtual environment's python)")
    parser.add_argument("--worker", choices=["neuroflow", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.batches, args.repeats, args.threads)
        return
    scale = EPOCH_BATCHES / args.batches
    print(f"MNIST convnet, batch {BATCH}, {args.batches} batches x {args.repeats} repeats, {args.threads} threads; "
          f"seconds scaled to a {EPOCH_BATCHES}-batch epoch")
    settings = {"asis": [False], "unset": [True], "both": [False, True]}[args.blas_env]
    for unset in settings:
        label = "OPENBLAS_CORETYPE/L2_SIZE unset" if unset else (
            f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}")
        print(f"\n[{label}]")
        results = {}
        outcomes = _run_both(args, unset)
        for name in ("neuroflow", "torch"):
            result, error = outcomes[name]
            if result is None:
                print(f"  {name:10s} skipped: {error}")
                continue
            results[name] = result
            epoch = statistics.median(result["times"]) * scale
            print(f"  {name:10s} median epoch {epoch:7.1f} s  ({epoch / EPOCH_BATCHES * 1000:6.1f} ms/batch)  "
                  f"peak RSS {result['peak_mib']:7.1f} MiB")
        if len(results) == 2:
            time_ratio = statistics.median(results["neuroflow"]["times"]) / statistics.median(results["torch"]["times"])
            memory_ratio = results["neuroflow"]["peak_mib"] / results["torch"]["peak_mib"]
            print(f"  neuroflow / torch: time {time_ratio:.2f}x, peak memory {memory_ratio:.2f}x")


if __name__ == "__main__":
    main()
