"""Cost of data-parallel training over MPI: allreduce times and step times at 1, 2 and 4 ranks, and a projection.

    python benchmarks/mpi_scaling.py [--ranks 1 2 4] [--steps 20] [--json results.json]
    python benchmarks/mpi_scaling.py --project results.json      # the projection table of docs/SCALING.md

The driver starts `mpirun -n R --oversubscribe` of this file for each R (Open MPI; as root it adds
--allow-run-as-root). Each job measures, on rank 0:
- the allreduce of neuroflow.distribution (one packed float32 buffer, MPI Iallreduce waited on with
  the timeout loop) at the gradient sizes of the classic MNIST MLP (Dense(512) - Dense(10), 407,050
  parameters) and of the Keras MNIST convnet (examples/mnist_cnn.py, 34,826 parameters), plus a
  one-number buffer (the latency), median over repeats;
- the step time of `fit` (global batch 128, rmsprop / adam as the examples) for both models, and
  how much of it was spent in the two collectives of each step (gradients, metric states).
Every rank runs BLAS and neuroflow on one thread (--threads), so R ranks use R cores (4 ranks on
2 cores: oversubscribed) and the 1-rank job is the one-core baseline. The projection (--project)
applies the ring-allreduce cost model 2 (N-1)/N x bytes / bandwidth + 2 (N-1) x latency to 8 and
64 nodes.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BATCH = 128
# The links of the projection: bandwidth in bytes/s, and an assumed one-way latency per message.
LINKS = {"10 Gbit/s (TCP, 25 us)": (10e9 / 8, 25e-6), "100 Gbit/s (RDMA, 5 us)": (100e9 / 8, 5e-6)}
NODES = (8, 64)
EFFICIENCY_TARGET = 0.8


# ---- worker: one rank of the job -----------------------------------------------------------------

def _models():
    sys.path.insert(0, str(ROOT / "examples"))
    import mnist_cnn

    from neuroflow import layers, models

    mlp = models.Sequential([layers.Input((784,)), layers.Dense(512, activation="relu"),
                             layers.Dense(10, activation="softmax")])
    mlp.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    cnn = mnist_cnn.build_model()
    cnn.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return {"mlp": mlp, "convnet": cnn}


def _data(steps):
    import numpy

    from neuroflow.datasets import mnist
    from neuroflow.utils import to_categorical

    count = steps * BATCH
    try:
        (x, y), _ = mnist.load_data()
    except Exception:  # no offline copy: random images of the same shape cost the same
        generator = numpy.random.default_rng(0)
        x, y = generator.integers(0, 256, size=(count, 28, 28)), generator.integers(0, 10, size=count)
    x = x[:count].astype("float32") / 255
    return {"mlp": x.reshape(-1, 784), "convnet": x[..., None]}, to_categorical(y[:count], 10)


def _time_allreduce(world, floats, repeats):
    import numpy

    buffer = numpy.ones(floats + 1, dtype=numpy.float32)  # the packed gradients and the row count
    for _ in range(3):
        world.allreduce_sum(buffer, "benchmark warm-up")
    times = []
    for _ in range(repeats):
        world.comm.Barrier()
        start = time.perf_counter()
        world.allreduce_sum(buffer, "benchmark")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(steps, repeats):
    import neuroflow
    from neuroflow import distribution
    from neuroflow.distribution import mpi_world

    distribution.set_distribution(distribution.DataParallel())
    world = mpi_world.world()
    neuroflow.set_random_seed(0)
    models = _models()
    x, y = _data(steps)
    result = {"ranks": world.size, "allreduce_seconds": {}, "step_seconds": {}, "collective_seconds_per_step": {},
              "parameters": {}}
    result["allreduce_seconds"]["latency (1 float)"] = _time_allreduce(world, 0, repeats)
    for name, model in models.items():
        count = sum(int(w.size) for w in model.get_weights())
        result["parameters"][name] = count
        result["allreduce_seconds"][name] = _time_allreduce(world, count, repeats)
    # Time spent in collectives during fit, wrapped here only (rank 0's view: waiting included).
    spent = [0.0]
    plain = world.allreduce_sum

    def timed(buffer, what):
        start = time.perf_counter()
        try:
            return plain(buffer, what)
        finally:
            spent[0] += time.perf_counter() - start

    world.allreduce_sum = timed
    for name, model in models.items():
        model.fit(x[name][:2 * BATCH], y[:2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)  # trace, warm up
        world.comm.Barrier()
        spent[0] = 0.0
        start = time.perf_counter()
        model.fit(x[name], y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        elapsed = time.perf_counter() - start
        result["step_seconds"][name] = elapsed / steps
        result["collective_seconds_per_step"][name] = spent[0] / steps
        if world.size == 1:  # the compute model of the projection: step time = fixed + per sample x batch
            by_batch = {str(batch): _step_seconds(model, x[name], y, batch) for batch in (32, BATCH, 4 * BATCH)}
            result.setdefault("one_rank_step_seconds_by_batch", {})[name] = {b: t[0] for b, t in by_batch.items()}
            result.setdefault("one_rank_cpu_seconds_by_batch", {})[name] = {b: t[1] for b, t in by_batch.items()}
    world.allreduce_sum = plain
    if world.rank == 0:
        print("RESULT " + json.dumps(result), flush=True)


def _step_seconds(model, x, y, batch):
    """(wall seconds, CPU seconds of this process) per step of fit at `batch`."""
    model.fit(x[:2 * batch], y[:2 * batch], batch_size=batch, epochs=1, verbose=0)  # trace this shape
    steps = len(x) // batch
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(x[:steps * batch], y[:steps * batch], batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return (time.perf_counter() - start) / steps, (time.process_time() - start_cpu) / steps


# ---- driver --------------------------------------------------------------------------------------

def run_job(ranks, steps, repeats, threads):
    threads = str(threads)
    environment = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
                       NEUROFLOW_NUM_THREADS=threads, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    command = ["mpirun", "-n", str(ranks), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-run-as-root")
    command += [sys.executable, __file__, "--worker", "--steps", str(steps), "--repeats", str(repeats)]
    job = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=1800)
    lines = [line for line in job.stdout.splitlines() if line.startswith("RESULT ")]
    if job.returncode or not lines:
        raise RuntimeError(f"mpirun -n {ranks} failed:\n{job.stdout[-2000:]}\n{job.stderr[-2000:]}")
    result = json.loads(lines[0][len("RESULT "):])
    result["blas_threads_per_rank"] = int(threads)
    return result


def print_measurements(results):
    print(f"{'ranks':>5} {'threads':>7} | {'allreduce: latency':>18} {'MLP grads':>10} {'convnet grads':>13} | "
          f"{'MLP step':>9} {'(in collectives)':>16} {'convnet step':>12} {'(in collectives)':>16}")
    for r in results:
        a, s, c = r["allreduce_seconds"], r["step_seconds"], r["collective_seconds_per_step"]
        print(f"{r['ranks']:>5} {r['blas_threads_per_rank']:>7} | {a['latency (1 float)'] * 1e3:>15.3f} ms "
              f"{a['mlp'] * 1e3:>7.3f} ms {a['convnet'] * 1e3:>10.3f} ms | {s['mlp'] * 1e3:>6.1f} ms "
              f"{c['mlp'] * 1e3:>13.1f} ms {s['convnet'] * 1e3:>9.1f} ms {c['convnet'] * 1e3:>13.1f} ms")


# ---- projection ----------------------------------------------------------------------------------

def ring_allreduce_seconds(nodes, size_bytes, bandwidth, latency):
    """The ring-allreduce cost model: 2 (N-1)/N x bytes / bandwidth + 2 (N-1) x latency."""
    return 2 * (nodes - 1) / nodes * size_bytes / bandwidth + 2 * (nodes - 1) * latency


def compute_model(by_batch):
    """(fixed seconds per step, seconds per sample): the least-squares line through one rank's step times."""
    import numpy

    batches = numpy.array([float(b) for b in by_batch])
    seconds = numpy.array(list(by_batch.values()))
    per_sample, fixed = numpy.polyfit(batches, seconds, 1)
    return max(float(fixed), 0.0), float(per_sample)


def project(results, batches=(128, 1024, 8192, 65536)):
    """Efficiency at 8 and 64 nodes from one rank's step times and the ring-allreduce cost model.

    A node's step at per-node batch b costs fixed + per_sample x b of compute, then the two
    allreduces t; one node alone takes fixed + per_sample x B for the global batch B, so
    E = (fixed + per_sample B) / (N (fixed + per_sample B / N + t)).
    """
    one = next(r for r in results if r["ranks"] == 1)
    print("\nProjection from one rank's CPU seconds per step at batches 32, 128, 512 (one thread; a line: fixed + "
          "per sample x batch; CPU time, as the shared cores make wall time wander); each step = one gradient "
          "allreduce + one metric allreduce (a few numbers).")
    for name in ("mlp", "convnet"):
        fixed, per_sample = compute_model(one["one_rank_cpu_seconds_by_batch"][name])
        size_bytes = 4 * (one["parameters"][name] + 1)
        print(f"\n{name}: {one['parameters'][name]:,} parameters ({size_bytes / 1e6:.3f} MB of float32 gradients), "
              f"compute {fixed * 1e3:.2f} ms per step + {per_sample * 1e6:.1f} us per sample")
        header = f"{'link':>26} {'nodes':>5} {'allreduce':>10} | " + " ".join(f"{'B=' + str(b):>8}" for b in batches)
        print(header + f" | {'per-node batch for E>=0.8':>26}")
        for link, (bandwidth, latency) in LINKS.items():
            for nodes in NODES:
                communication = ring_allreduce_seconds(nodes, size_bytes, bandwidth, latency) + \
                    ring_allreduce_seconds(nodes, 8 * 4, bandwidth, latency)
                efficiencies = [(fixed + per_sample * b) / (nodes * (fixed + per_sample * b / nodes + communication))
                                for b in batches]
                # E >= e  <=>  (1 - e) per_sample B >= e N (fixed + t) - fixed.
                target = EFFICIENCY_TARGET
                needed = (target * nodes * (fixed + communication) - fixed) / ((1 - target) * per_sample) / nodes
                print(f"{link:>26} {nodes:>5} {communication * 1e3:>7.2f} ms | "
                      + " ".join(f"{e:>8.2f}" for e in efficiencies) + f" | {needed:>20,.0f} rows")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--steps", type=int, default=20, help="timed fit steps per model")
    parser.add_argument("--repeats", type=int, default=50, help="timed allreduce calls per size")
    parser.add_argument("--threads", type=int, default=1, help="BLAS / neuroflow threads per rank")
    parser.add_argument("--json", help="write the measurements here")
    parser.add_argument("--project", help="print the projection from measurements written by --json")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(arguments.steps, arguments.repeats)
        return
    if arguments.project:
        results = json.loads(pathlib.Path(arguments.project).read_text())
        print_measurements(results)
        project(results)
        return
    if shutil.which("mpirun") is None:
        sys.exit("mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) and mpi4py")
    results = [run_job(ranks, arguments.steps, arguments.repeats, arguments.threads) for ranks in arguments.ranks]
    if arguments.json:
        pathlib.Path(arguments.json).write_text(json.dumps(results, indent=1))
    print_measurements(results)
    project(results)


if __name__ == "__main__":
    main()
