#!/usr/bin/env bash
# The one GPU check (issue 16), for a machine with an NVIDIA GPU, CuPy, PyTorch and pytest installed.
#
#     OUT=/some/folder bash benchmarks/gpu_check.sh        # from the repository root; about 8 minutes
#
# Installs nothing. Writes under $OUT (default ./gpu_check_out):
#   environment.txt   nvidia-smi, Python, NumPy, CuPy, PyTorch versions, neuroflow's device line, and whether a
#                     small fit's arrays went to the device once ("neuroflow.training: fit: ... moved to the device once")
#   parity.txt        tests/training/test_on_device.py on CuPy: CPU-vs-GPU losses and weights (float32 tolerance)
#   kernels.txt       benchmarks/gpu_kernel_parity.py: cuDNN conv / pooling vs im2col, fused vs unfused LSTM / GRU
#   kernels.json      steps, on the GPU (float32 tolerance; forward + backward ms of each path)
#   benchmark.txt     benchmarks/gpu.py's table (neuroflow-cupy vs PyTorch CUDA eager, neuroflow-CPU)
#   benchmark.json    the same figures as JSON
#   suite.txt         the whole test suite with NEUROFLOW_BACKEND=cupy (stopped with SIGINT at its time limit,
#                     so pytest still prints the failures it found)
#   summary.txt       one line per phase: exit status and seconds; then where fit put the data (environment.txt
#                     and each benchmark row: "moved to the device once" or "batch by batch")
# Phases have their own time limits (seconds; override through the environment):
PARITY_LIMIT=${PARITY_LIMIT:-90}
KERNELS_LIMIT=${KERNELS_LIMIT:-45}
BENCHMARK_LIMIT=${BENCHMARK_LIMIT:-200}
SUITE_LIMIT=${SUITE_LIMIT:-125}
PYTHON=${PYTHON:-python}
PHASES=${PHASES:-"parity kernels benchmark suite"}  # e.g. PHASES=suite SUITE_LIMIT=480 for a rerun of the suite alone

OUT=${OUT:-gpu_check_out}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
: > "$OUT/summary.txt"

phase() {  # phase NAME LIMIT COMMAND...: runs COMMAND with a time limit, output to $OUT/NAME.txt
    local name=$1 limit=$2
    shift 2
    case " $PHASES " in *" $name "*) ;; *) return ;; esac
    local start=$SECONDS
    timeout -s INT -k 15 "$limit" "$@" > "$OUT/$name.txt" 2>&1
    local status=$?
    echo "$name: exit $status in $((SECONDS - start)) s (limit $limit s)" | tee -a "$OUT/summary.txt"
}

{
    nvidia-smi || echo "nvidia-smi failed"
    "$PYTHON" - <<'EOF'
import platform, sys
print("python", sys.version.split()[0], platform.machine())
for name in ("numpy", "cupy", "torch", "pytest"):
    try:
        module = __import__(name)
        print(name, module.__version__)
    except Exception as error:
        print(name, "unavailable:", error)
try:
    import cupy
    print("cupy.cuda.runtime", cupy.cuda.runtime.runtimeGetVersion(), "cuDNN", cupy.cuda.cudnn.getVersion())
except Exception as error:
    print("cuDNN through CuPy unavailable:", error)
import neuroflow
neuroflow.config.set_backend("cupy")
print("neuroflow", neuroflow.backend.device_description(), neuroflow.config.list_devices())
# Whether fit's arrays go to the device once (training/device_data.py logs it): expect "... moved to the device once".
import logging
import numpy
logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
logging.getLogger("neuroflow.training").setLevel(logging.INFO)
print("device free memory:", neuroflow.backend.device_free_memory(), "bytes; fraction", neuroflow.config.device_data_fraction())
model = neuroflow.Sequential([neuroflow.layers.Input((8,)), neuroflow.layers.Dense(3)])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(numpy.zeros((256, 8), "float32"), numpy.zeros(256, "int64"), epochs=2, batch_size=32, verbose=0,
          validation_split=0.25)
EOF
} > "$OUT/environment.txt" 2>&1

# 1. CPU-vs-GPU parity: the same models and seeds on NumPy and on CuPy (the [cupy] cases; [standin] runs as on CI).
phase parity "$PARITY_LIMIT" "$PYTHON" -m pytest -q -o addopts="" -p no:cacheprovider -rfE tests/training/test_on_device.py

# 1b. The GPU kernels against the device's unfused paths (cuDNN vs im2col; fused vs unfused LSTM / GRU steps).
phase kernels "$KERNELS_LIMIT" "$PYTHON" benchmarks/gpu_kernel_parity.py --json "$OUT/kernels.json"

# 2. The GPU benchmark: two timed epochs per contender after a warm-up, neuroflow-CPU over 10 batches.
phase benchmark "$BENCHMARK_LIMIT" "$PYTHON" benchmarks/gpu.py --epochs 2 --cpu-batches 10 --timeout 90 \
    --json "$OUT/benchmark.json"

# 3. The whole suite on the cupy backend, float64 gradient checks included.
phase suite "$SUITE_LIMIT" env NEUROFLOW_BACKEND=cupy "$PYTHON" -m pytest -q -o addopts="" -p no:cacheprovider -rfE \
    --durations=15 tests

# Where each benchmark's data went (the benchmark rows end with neuroflow's own line on it).
{ grep -h "neuroflow.training:" "$OUT/environment.txt"; grep -ho "^[a-z_]* .*| data: .*" "$OUT/benchmark.txt" 2>/dev/null \
    | sed 's/^\([a-z_]*\) .*| data: /\1 data: /'; } >> "$OUT/summary.txt"
cat "$OUT/summary.txt"
