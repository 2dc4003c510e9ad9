"""Per-call time of the neuroflow.ops a custom layer uses, eagerly, against the same NumPy call.

A layer written with keras.ops (`call` of a custom layer, a loss, a metric's update_state) runs
its ops one Python call at a time. Each op is timed on Tensors outside any GradientTape, on a
small array (8 x 16: the overhead-bound case, where the wrapper around NumPy is the cost) and a
medium one (256 x 256: the arithmetic-bound case), against the NumPy expression that computes the
same values on the same arrays. Figures: microseconds per call (the best of several timed
loops of enough calls to take 20 ms each), and neuroflow's time over NumPy's.

    python benchmarks/ops_overhead.py [--pin] [--repeats 3] [--json ops.json]

The two contenders run in separate processes, op by op in turn (benchmarks/_harness.py).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

CONFIG = {"sizes": {"small": [8, 16], "medium": [256, 256]}, "loop_seconds": 0.02, "loops": 5, "seed": 0}


def _softmax(xp, x):
    shifted = xp.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


# op name -> (the neuroflow call, the NumPy call computing the same values), each f(library, a, b, w,
# indices, condition) with `library` neuroflow.ops or numpy.
CASES = {
    "add": (lambda m, a, b, *_: m.add(a, b), lambda m, a, b, *_: m.add(a, b)),
    "multiply": (lambda m, a, b, *_: m.multiply(a, b), lambda m, a, b, *_: m.multiply(a, b)),
    "a + b (operator)": (lambda m, a, b, *_: a + b, lambda m, a, b, *_: a + b),
    "matmul": (lambda m, a, b, w, *_: m.matmul(a, w), lambda m, a, b, w, *_: m.matmul(a, w)),
    "sum": (lambda m, a, *_: m.sum(a), lambda m, a, *_: m.sum(a)),
    "mean(axis=-1)": (lambda m, a, *_: m.mean(a, axis=-1), lambda m, a, *_: m.mean(a, axis=-1)),
    "max(axis=-1)": (lambda m, a, *_: m.max(a, axis=-1), lambda m, a, *_: m.max(a, axis=-1)),
    "var(axis=-1)": (lambda m, a, *_: m.var(a, axis=-1), lambda m, a, *_: m.var(a, axis=-1)),
    "argmax(axis=-1)": (lambda m, a, *_: m.argmax(a, axis=-1), lambda m, a, *_: m.argmax(a, axis=-1)),
    "exp": (lambda m, a, *_: m.exp(a), lambda m, a, *_: m.exp(a)),
    "square": (lambda m, a, *_: m.square(a), lambda m, a, *_: m.square(a)),
    "sqrt": (lambda m, a, b, *_: m.sqrt(b), lambda m, a, b, *_: m.sqrt(b)),
    "relu": (lambda m, a, *_: m.relu(a), lambda m, a, *_: m.maximum(a, 0.0)),
    "sigmoid": (lambda m, a, *_: m.sigmoid(a), lambda m, a, *_: 1.0 / (1.0 + m.exp(-a))),
    "tanh": (lambda m, a, *_: m.tanh(a), lambda m, a, *_: m.tanh(a)),
    "softmax": (lambda m, a, *_: m.softmax(a, axis=-1), lambda m, a, *_: _softmax(m, a)),
    "clip": (lambda m, a, *_: m.clip(a, -1.0, 1.0), lambda m, a, *_: m.clip(a, -1.0, 1.0)),
    "maximum(x, 0)": (lambda m, a, *_: m.maximum(a, 0.0), lambda m, a, *_: m.maximum(a, 0.0)),
    "where": (lambda m, a, b, w, i, c: m.where(c, a, b), lambda m, a, b, w, i, c: m.where(c, a, b)),
    "concatenate": (lambda m, a, b, *_: m.concatenate([a, b], axis=-1),
                    lambda m, a, b, *_: m.concatenate([a, b], axis=-1)),
    "stack": (lambda m, a, b, *_: m.stack([a, b], axis=0), lambda m, a, b, *_: m.stack([a, b], axis=0)),
    "reshape": (lambda m, a, *_: m.reshape(a, (-1,)), lambda m, a, *_: m.reshape(a, (-1,))),
    "transpose": (lambda m, a, *_: m.transpose(a), lambda m, a, *_: m.transpose(a)),
    "expand_dims": (lambda m, a, *_: m.expand_dims(a, -1), lambda m, a, *_: m.expand_dims(a, -1)),
    "take(axis=0)": (lambda m, a, b, w, i, c: m.take(a, i, axis=0), lambda m, a, b, w, i, c: m.take(a, i, axis=0)),
    "cast": (lambda m, a, *_: m.cast(a, "float64"), lambda m, a, *_: a.astype("float64")),
    "x[:, :4] (getitem)": (lambda m, a, *_: a[:, :4], lambda m, a, *_: a[:, :4]),
}


def _time_call(function, arguments, config):
    """Best microseconds per `function(*arguments)` over `loops` timed loops, each of enough calls to
    last `loop_seconds` (the same call overhead for both contenders)."""
    function(*arguments)
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < config["loop_seconds"] / 4:
        function(*arguments)
        calls += 1
    calls = max(1, calls * 4)
    best = float("inf")
    for _ in range(config["loops"]):
        start = time.perf_counter()
        for _ in range(calls):
            function(*arguments)
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def _run(library, config):
    import numpy
    ops = None
    if library == "neuroflow":
        from neuroflow import ops
    rng = numpy.random.default_rng(config["seed"])
    clock = _harness.EpochClock()
    per_call = {}
    for size_name, shape in config["sizes"].items():
        a = rng.normal(size=shape).astype("float32")
        b = rng.random(shape).astype("float32") + 0.5
        w = rng.normal(size=(shape[1], shape[1])).astype("float32")
        indices = numpy.arange(0, shape[0], 2)
        condition = a > 0
        if library == "neuroflow":
            a, b, w, condition = (ops.convert_to_tensor(v) for v in (a, b, w, condition))
        module, side = (ops, 0) if library == "neuroflow" else (numpy, 1)
        for name, calls in CASES.items():
            function = calls[side]
            clock.start()   # in lockstep: the other contender times the same op just before or after
            per_call[f"{name} [{size_name}]"] = _time_call(function, (module, a, b, w, indices, condition), config)
            clock.stop()
    return {"per_call_us": per_call, "epoch_seconds": clock.wall, "epoch_cpu_seconds": clock.cpu}


def run_neuroflow(config):
    return _run("neuroflow", config)


def run_numpy(config):
    return _run("numpy", config)


CONTENDERS = {"neuroflow": run_neuroflow, "numpy": run_numpy}


def summarize(name, runs, mode):
    """Per op, the median over runs of the per-call microseconds."""
    keys = runs[0]["per_call_us"]
    return {key: sorted(run["per_call_us"][key] for run in runs)[len(runs) // 2] for key in keys}


def report(result):
    contenders = result["contenders"]
    print(f"{result['benchmark']}: mode={result['mode']} threads={result['threads']} repeats={result['repeats']} "
          f"({result['machine']}, Python {result['python']})")
    if "neuroflow" not in contenders or "numpy" not in contenders:
        for name, note in result["notes"].items():
            print(f"  note: {name} {note}")
        return
    ours, theirs = contenders["neuroflow"]["summary"], contenders["numpy"]["summary"]
    # --baseline CHECKOUT: the same ops on another checkout of neuroflow, to show a change's effect.
    baseline = contenders.get(_harness.BASELINE, {}).get("summary")
    width = max(len(key) for key in ours)
    print(f"  {'op':<{width}}  {'neuroflow us':>12}  {'numpy us':>9}  {'ratio':>6}"
          + (f"  {'baseline us':>11}  {'ratio':>6}" if baseline else ""))
    ratios = {}
    for key in ours:
        ratios[key] = ours[key] / theirs[key]
        print(f"  {key:<{width}}  {ours[key]:12.2f}  {theirs[key]:9.2f}  {ratios[key]:6.2f}"
              + (f"  {baseline[key]:11.2f}  {baseline[key] / theirs[key]:6.2f}" if baseline else ""))
    for size in result["config"]["sizes"]:
        values = [ratio for key, ratio in ratios.items() if key.endswith(f"[{size}]")]
        product = 1.0
        for value in values:
            product *= value
        line = f"  geometric mean ratio [{size}]: {product ** (1 / len(values)):.2f}"
        if baseline:
            product = 1.0
            for key in ratios:
                if key.endswith(f"[{size}]"):
                    product *= baseline[key] / theirs[key]
            line += f"  (baseline {product ** (1 / len(values)):.2f})"
        print(line)
    result["ratios"] = ratios


if __name__ == "__main__":
    outcome = _harness.main(__doc__.splitlines()[0], CONTENDERS, CONFIG, summarize, __file__)
    if outcome is not None:
        report(outcome)
        _harness.write_json(outcome, _harness.parse_arguments(__doc__).json)
