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


def _cases(library, xp, ops, a, b, w, indices, condition):
    """{op name: a function of no arguments}: the same computation in `library` ('neuroflow' or 'numpy')."""
    if library == "neuroflow":
        return {
            "add": lambda: ops.add(a, b),
            "multiply": lambda: ops.multiply(a, b),
            "a + b (operator)": lambda: a + b,
            "matmul": lambda: ops.matmul(a, w),
            "sum": lambda: ops.sum(a),
            "mean(axis=-1)": lambda: ops.mean(a, axis=-1),
            "max(axis=-1)": lambda: ops.max(a, axis=-1),
            "var(axis=-1)": lambda: ops.var(a, axis=-1),
            "argmax(axis=-1)": lambda: ops.argmax(a, axis=-1),
            "exp": lambda: ops.exp(a),
            "square": lambda: ops.square(a),
            "sqrt": lambda: ops.sqrt(b),
            "relu": lambda: ops.relu(a),
            "sigmoid": lambda: ops.sigmoid(a),
            "tanh": lambda: ops.tanh(a),
            "softmax": lambda: ops.softmax(a, axis=-1),
            "clip": lambda: ops.clip(a, -1.0, 1.0),
            "maximum(x, 0)": lambda: ops.maximum(a, 0.0),
            "where": lambda: ops.where(condition, a, b),
            "concatenate": lambda: ops.concatenate([a, b], axis=-1),
            "stack": lambda: ops.stack([a, b], axis=0),
            "reshape": lambda: ops.reshape(a, (-1,)),
            "transpose": lambda: ops.transpose(a),
            "expand_dims": lambda: ops.expand_dims(a, -1),
            "take(axis=0)": lambda: ops.take(a, indices, axis=0),
            "cast": lambda: ops.cast(a, "float64"),
            "x[:, :4] (getitem)": lambda: a[:, :4],
        }

    def softmax(x):
        shifted = xp.exp(x - x.max(axis=-1, keepdims=True))
        return shifted / shifted.sum(axis=-1, keepdims=True)

    return {
        "add": lambda: xp.add(a, b),
        "multiply": lambda: xp.multiply(a, b),
        "a + b (operator)": lambda: a + b,
        "matmul": lambda: xp.matmul(a, w),
        "sum": lambda: xp.sum(a),
        "mean(axis=-1)": lambda: xp.mean(a, axis=-1),
        "max(axis=-1)": lambda: xp.max(a, axis=-1),
        "var(axis=-1)": lambda: xp.var(a, axis=-1),
        "argmax(axis=-1)": lambda: xp.argmax(a, axis=-1),
        "exp": lambda: xp.exp(a),
        "square": lambda: xp.square(a),
        "sqrt": lambda: xp.sqrt(b),
        "relu": lambda: xp.maximum(a, 0.0),
        "sigmoid": lambda: 1.0 / (1.0 + xp.exp(-a)),
        "tanh": lambda: xp.tanh(a),
        "softmax": lambda: softmax(a),
        "clip": lambda: xp.clip(a, -1.0, 1.0),
        "maximum(x, 0)": lambda: xp.maximum(a, 0.0),
        "where": lambda: xp.where(condition, a, b),
        "concatenate": lambda: xp.concatenate([a, b], axis=-1),
        "stack": lambda: xp.stack([a, b], axis=0),
        "reshape": lambda: xp.reshape(a, (-1,)),
        "transpose": lambda: xp.transpose(a),
        "expand_dims": lambda: xp.expand_dims(a, -1),
        "take(axis=0)": lambda: xp.take(a, indices, axis=0),
        "cast": lambda: a.astype("float64"),
        "x[:, :4] (getitem)": lambda: a[:, :4],
    }


def _time_call(function, config):
    """Best microseconds per call over `loops` timed loops, each of enough calls to last `loop_seconds`."""
    function()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < config["loop_seconds"] / 4:
        function()
        calls += 1
    calls = max(1, calls * 4)
    best = float("inf")
    for _ in range(config["loops"]):
        start = time.perf_counter()
        for _ in range(calls):
            function()
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
        for name, function in _cases(library, numpy, ops, a, b, w, indices, condition).items():
            clock.start()   # in lockstep: the other contender times the same op just before or after
            per_call[f"{name} [{size_name}]"] = _time_call(function, config)
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
