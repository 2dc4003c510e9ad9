"""Data-parallel fit over MPI, proven on localhost: `mpirun -n 2` and `-n 4` of the MNIST MLP match one process.

Each test runs mpi_fit_script.py under mpirun (bounded in time) and compares what every rank wrote
with the same script run in this process. Skipped, saying why, without Open MPI's mpirun and mpi4py.
"""
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy
import pytest

from tests.distribution import mpi_fit_script

SCRIPT = pathlib.Path(mpi_fit_script.__file__)
ROOT = SCRIPT.parents[2]
MPI_TIME_LIMIT = 240  # seconds for one mpirun job (4 ranks on 2 busy cores start slowly)


def _open_mpi():
    if shutil.which("mpirun") is None:
        return "mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) to run the MPI tests"
    if importlib.util.find_spec("mpi4py") is None:
        return "mpi4py not installed: pip install 'neuroflow[mpi]' to run the MPI tests"
    version = subprocess.run(["mpirun", "--version"], capture_output=True, text=True, timeout=30).stdout
    if "Open MPI" not in version:
        return f"these tests pass Open MPI's mpirun flags; this mpirun is: {version.strip()[:80]}"
    return None


pytestmark = pytest.mark.skipif(_open_mpi() is not None, reason=_open_mpi() or "")


def mpirun(ranks, out, mode="fit"):
    """Runs the script on `ranks` local processes (more than the cores: --oversubscribe); the finished process."""
    command = ["mpirun", "-n", str(ranks), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-run-as-root")  # CI containers run as root; Open MPI refuses it otherwise
    command += [sys.executable, str(SCRIPT), str(out), mode]
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                       OMPI_MCA_rmaps_base_oversubscribe="1")
    return subprocess.run(command, capture_output=True, text=True, timeout=MPI_TIME_LIMIT, env=environment, cwd=ROOT)


def results(out, rank):
    with numpy.load(out / f"rank_{rank}.npz") as saved:
        weights = [saved[f"arr_{i}"] for i in range(4)]
        return {"weights": weights, "history": json.loads(str(saved["history"])),
                "evaluation": saved["evaluation"], "predictions": saved["predictions"],
                "moving": [saved["moving_mean"], saved["moving_variance"]]}


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    out = tmp_path_factory.mktemp("one_process")
    mpi_fit_script.main(str(out))
    return results(out, 0)


def assert_same_training(reference, replica):
    for expected, got in zip(reference["weights"], replica["weights"]):
        numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert replica["history"].keys() == reference["history"].keys()
    for key, values in reference["history"].items():
        numpy.testing.assert_allclose(replica["history"][key], values, rtol=1e-5, err_msg=key)
    numpy.testing.assert_allclose(replica["evaluation"], reference["evaluation"], rtol=1e-5)
    numpy.testing.assert_allclose(replica["predictions"], reference["predictions"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ranks, mode", [(2, "fit"), (4, "fit"), (2, "eager")])
def test_ranks_train_as_one_process(tmp_path, one_process, ranks, mode):
    """Same global batch and seed: every rank ends with one process's weights, History, evaluate and predict."""
    job = mpirun(ranks, tmp_path, mode)
    assert job.returncode == 0, job.stdout[-3000:] + job.stderr[-3000:]
    first = results(tmp_path, 0)
    assert_same_training(one_process, first)
    for rank in range(1, ranks):
        other = results(tmp_path, rank)
        # The replicas are identical, not merely close: each applies the same reduced gradients.
        for mine, theirs in zip(first["weights"], other["weights"]):
            numpy.testing.assert_array_equal(theirs, mine)
        assert other["history"] == first["history"]
        numpy.testing.assert_array_equal(other["predictions"], first["predictions"])
        # BatchNormalization's moving statistics, each rank's own during the epoch, end averaged: equal.
        for mine, theirs in zip(first["moving"], other["moving"]):
            numpy.testing.assert_array_equal(theirs, mine)
    # Rank 0 alone prints progress and writes the CSV log and the checkpoint.
    assert job.stdout.count("/step") == 1, job.stdout
    assert sorted(path.name for path in tmp_path.glob("*rank*.*") if not path.name.endswith(".npz")) == \
        ["ckpt_rank0.weights.h5", "log_rank0.csv"]


def test_a_stuck_rank_fails_the_job_with_its_name(tmp_path):
    """Rank 1 stops at its 3rd batch: rank 0's gradient allreduce times out (3 s) naming rank 1; no hang."""
    job = mpirun(2, tmp_path, "stuck")
    assert job.returncode != 0
    output = job.stdout + job.stderr
    assert "CollectiveTimeout" in output, output[-3000:]
    assert "rank(s) 1 of 2 never joined it" in output and "gradient allreduce of step" in output, output[-3000:]


def test_a_killed_rank_ends_the_job_with_its_name(tmp_path):
    """Rank 1 is killed at its 3rd batch: mpirun ends the job and names it, instead of rank 0 waiting forever."""
    job = mpirun(2, tmp_path, "killed")
    assert job.returncode != 0
    assert "rank 1" in job.stdout + job.stderr, (job.stdout + job.stderr)[-3000:]


def test_ranks_reading_different_data_are_refused_before_training(tmp_path):
    job = mpirun(2, tmp_path, "uneven")
    assert job.returncode != 0
    output = job.stdout + job.stderr
    assert "every process must read the same data" in output, output[-3000:]
    assert "rank 0: 1843 samples in 15 batches, rank 1: 1728 samples in 14 batches" in output, output[-3000:]
