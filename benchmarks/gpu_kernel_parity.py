"""The GPU kernels against the device's unfused paths: cuDNN vs im2col, fused vs unfused LSTM / GRU steps.

    python benchmarks/gpu_kernel_parity.py --json kernels.json      # on a GPU (switches to the cupy backend)
    python benchmarks/gpu_kernel_parity.py --standin                # the CPU smoke run, on the stand-in device

Each case runs a forward pass and every gradient twice on the device: through the fast path
(cuDNN's convolution / pooling, ops/cudnn.py; the fused step kernels, ops/recurrent/step_kernels.py)
and inside `device_kernels.unfused()` (im2col and tap-by-tap windows, the ufunc loops), and
reports the largest difference and whether all agree to float32 tolerance (|a - b| <= atol + rtol |b|,
rtol 1e-4, atol 1e-5 after scaling by the reference's largest magnitude), with the median time
of each path (forward + backward, synchronised). A fast path the machine lacks (CuPy without
cuDNN, or CuPy 14, which removed cupy.cudnn) is reported as unavailable, not compared.

Exit status: 0 when every available case agrees, 1 otherwise. benchmarks/gpu_check.sh runs it.
"""
import argparse
import contextlib
import json
import pathlib
import statistics
import sys
import time

import numpy

import neuroflow
from neuroflow import backend, ops
from neuroflow.engine.tape import GradientTape
from neuroflow.engine.tensor import Tensor
from neuroflow.ops import cudnn, device_kernels
from neuroflow.ops import recurrent as R
from neuroflow.testing.device_standin import use_standin

RTOL, ATOL = 1e-4, 1e-5


def _arrays(*shapes, seed=0):
    generator = numpy.random.default_rng(seed)
    return [(generator.normal(size=shape) * 0.5).astype("float32") for shape in shapes]


def _conv(strides=1, padding="same", dilation=1, groups=1, data_format=None, activation="relu"):
    def run(x, kernel, bias):
        return ops.conv(x, kernel, strides, padding, data_format, dilation, groups, bias=bias, activation=activation)
    return run


MASK = numpy.random.default_rng(9).random((32, 20)) < 0.8
CASES = {
    # name: (fast path's kernel or "cudnn", function of Tensors, input arrays)
    "conv2d same relu": ("cudnn", _conv(), _arrays((64, 28, 28, 16), (3, 3, 16, 32), (32,))),
    "conv2d valid stride 2": ("cudnn", _conv(2, "valid"), _arrays((64, 27, 27, 8), (5, 5, 8, 16), (16,))),
    "conv2d dilation 2 groups 2": ("cudnn", _conv(1, "same", 2, 2), _arrays((32, 20, 20, 8), (3, 3, 4, 8), (8,))),
    "conv2d even kernel same": ("cudnn", _conv(2, "same"), _arrays((32, 15, 15, 4), (4, 4, 4, 8), (8,))),
    "conv2d channels_first": ("cudnn", _conv(data_format="channels_first"),
                              _arrays((32, 8, 16, 16), (3, 3, 8, 8), (8,))),
    "conv1d causal": ("cudnn", _conv(1, "causal", 2, activation="linear"), _arrays((32, 50, 16), (3, 16, 16), (16,))),
    "max_pool 2x2": ("cudnn", lambda x: ops.max_pool(x, 2), _arrays((64, 26, 26, 32))),
    "max_pool 3x3 s2 same": ("cudnn", lambda x: ops.max_pool(x, 3, 2, "same"), _arrays((64, 15, 15, 16))),
    "average_pool 3x3 s2 same": ("cudnn", lambda x: ops.average_pool(x, 3, 2, "same"), _arrays((64, 16, 16, 16))),
    "average_pool channels_first": ("cudnn", lambda x: ops.average_pool(x, 2, 2, "valid", "channels_first"),
                                    _arrays((64, 16, 14, 14))),
    "lstm": ("lstm_step", lambda *a: R.lstm(*a)[0], _arrays((32, 20, 16), (32, 32), (32, 32), (16, 128), (32, 128),
                                                             (128,))),
    "lstm masked backwards": ("lstm_step_masked", lambda *a: R.lstm(*a, mask=MASK, go_backwards=True)[1],
                              _arrays((32, 20, 16), (32, 32), (32, 32), (16, 128), (32, 128), (128,), seed=1)),
    "gru": ("gru_step", lambda x, h, k, r, b: R.gru(x, h, k, r, b.reshape(2, -1))[0],
            _arrays((32, 20, 16), (32, 32), (16, 96), (32, 96), (192,), seed=2)),
    "gru masked": ("gru_step_general_masked", lambda x, h, k, r, b: R.gru(x, h, k, r, b.reshape(2, -1), mask=MASK)[0],
                   _arrays((32, 20, 16), (32, 32), (16, 96), (32, 96), (192,), seed=3)),
}


def _synchronize():
    device = getattr(getattr(backend.xp, "cuda", None), "Device", None)
    if device is not None:
        device().synchronize()


def _forward_backward(function, arrays):
    tensors = [Tensor(backend.xp.asarray(a)) for a in arrays]
    with GradientTape() as tape:
        for tensor in tensors:
            tape.watch(tensor)
        out = function(*tensors)
        probe = numpy.random.default_rng(7).normal(size=out.shape).astype("float32")
        total = ops.sum(ops.multiply(out, Tensor(backend.xp.asarray(probe))))
    grads = tape.gradient(total, tensors, unconnected_gradients="zero")
    return [out.value] + [g.value for g in grads]


def _timed(function, arrays, repeats):
    results = _forward_backward(function, arrays)  # warm-up: compiles kernels, picks cuDNN algorithms
    seconds = []
    for _ in range(repeats):
        _synchronize()
        start = time.perf_counter()
        _forward_backward(function, arrays)
        _synchronize()
        seconds.append(time.perf_counter() - start)
    return [backend.to_numpy(r) for r in results], statistics.median(seconds)


def _available(fast):
    return (cudnn.bindings() is not None) if fast == "cudnn" else (device_kernels.get(fast) is not None)


def run_cases(repeats=5, names=None):
    rows = []
    for name, (fast, function, arrays) in CASES.items():
        if names and name not in names:
            continue
        if not _available(fast):
            rows.append({"case": name, "fast_path": fast, "status": "unavailable"})
            continue
        fast_results, fast_seconds = _timed(function, arrays, repeats)
        with device_kernels.unfused():
            plain_results, plain_seconds = _timed(function, arrays, repeats)
        worst, agree = 0.0, True
        for got, want in zip(fast_results, plain_results):
            scale = max(float(numpy.max(numpy.abs(want))), 1.0)
            difference = numpy.abs(got.astype("float64") - want)
            worst = max(worst, float(numpy.max(difference)) / scale)
            agree &= got.shape == want.shape and bool(numpy.all(difference <= ATOL * scale + RTOL * numpy.abs(want)))
        rows.append({"case": name, "fast_path": fast, "status": "ok" if agree else "MISMATCH",
                     "max_scaled_difference": worst, "fast_ms": fast_seconds * 1e3, "unfused_ms": plain_seconds * 1e3})
    return rows


def _table(rows):
    lines = [f"{'case':30} {'fast path':24} {'status':11} {'max diff':>9} {'fast ms':>8} {'unfused ms':>10}"]
    for row in rows:
        numbers = (f"{row['max_scaled_difference']:9.2e} {row['fast_ms']:8.2f} {row['unfused_ms']:10.2f}"
                   if "fast_ms" in row else "")
        lines.append(f"{row['case']:30} {row['fast_path']:24} {row['status']:11} {numbers}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--standin", action="store_true", help="run on the CPU stand-in device (with its cuDNN emulation)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--json", help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    if args.standin:
        device = use_standin(cudnn=True)
    else:
        neuroflow.config.set_backend("cupy")
        device = contextlib.nullcontext()
    with device:
        print("device:", backend.device_description(), "| cuDNN bindings:",
              "found" if cudnn.bindings() is not None else "unavailable")
        rows = run_cases(args.repeats, [name for name in args.only.split(",") if name])
    print(_table(rows))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0 if all(row["status"] in ("ok", "unavailable") for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
