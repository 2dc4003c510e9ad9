"""Trials on Dask: a LocalCluster of 2 workers gives the serial search's table, even when a worker dies mid-trial."""
import os
import threading

import numpy
import pytest

import neuroflow.tuner as kt
from tests.tuner.synthetic import (
    CoordinatorOnlyOracle,
    KillingHyperModel,
    TrainedHyperModel,
    assert_same_results,
    results_table,
)

distributed = pytest.importorskip("distributed")

SEARCH_SECONDS = 240  # each search below takes seconds; past this the test fails instead of hanging


def within_deadline(function, seconds=SEARCH_SECONDS):
    """Runs `function` in a daemon thread; fails the test if it has not returned in `seconds`."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"the search did not finish within {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def data(rng):
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, (x @ numpy.array([1.0, -2.0, 0.5, 0.0], dtype="float32"))[:, None]


@pytest.fixture(scope="module")
def thread_client():
    """Two workers of one thread each, inside this process."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        with distributed.Client(cluster, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            yield client


def search(directory, data, executor=None, hypermodel=None, max_trials=6):
    oracle = CoordinatorOnlyOracle(objective="val_loss", max_trials=max_trials, seed=11)
    tuner = kt.Tuner(oracle, hypermodel or TrainedHyperModel(), directory=directory, project_name="p",
                     executor=executor)
    within_deadline(lambda: tuner.search(*data, epochs=2, validation_split=0.25, verbose=0))
    return tuner


def test_a_search_on_two_dask_workers_gives_the_serial_table(tmp_path, data, thread_client):
    serial = search(tmp_path / "serial", data)
    executor = kt.DaskExecutor(thread_client)
    assert executor.max_in_flight == 2
    parallel = search(tmp_path / "dask", data, executor=executor)
    assert_same_results(results_table(parallel), results_table(serial))
    assert all(trial.status == "COMPLETED" for trial in parallel.oracle.trials.values())
    assert len({trial.score for trial in parallel.oracle.trials.values()}) == 6  # the trials did differ
    # get_best_models rebuilds from the checkpoints the workers wrote.
    x, y = data
    best = parallel.get_best_models()[0]
    assert best.evaluate(x, y, verbose=0) == pytest.approx(serial.get_best_models()[0].evaluate(x, y, verbose=0))


def test_the_executor_connects_to_a_scheduler_address_and_closes_its_own_client(thread_client):
    address = thread_client.scheduler.address
    with kt.DaskExecutor(address, max_in_flight=3) as executor:
        assert executor.max_in_flight == 3 and executor.client is not thread_client
        assert executor.submit(sum, executor.share([1, 2, 3])).result(timeout=30) == 6
        assert repr(executor) == f"DaskExecutor({address!r}, max_in_flight=3)"
    assert executor.client.status == "closed"
    assert thread_client.status == "running"


def test_max_in_flight_must_be_positive(thread_client):
    with pytest.raises(ValueError, match="max_in_flight must be at least 1; received 0"):
        kt.DaskExecutor(thread_client, max_in_flight=0)


def test_a_worker_killed_mid_trial_has_its_trial_run_again(tmp_path, data):
    """Worker processes: one is SIGKILLed at the end of a trial's first epoch; Dask runs the trial again
    elsewhere, the search completes with the serial table, and only the test's process wrote the record."""
    marker = tmp_path / "killed"
    serial = search(tmp_path / "serial", data, max_trials=4)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster, timeout=60) as client:
            # Both workers up, so that two trials run at once and one survives the kill.
            client.wait_for_workers(2, timeout=60)
            executor = kt.DaskExecutor(client)
            assert executor.max_in_flight == 2
            parallel = search(tmp_path / "dask", data, executor=executor, hypermodel=KillingHyperModel(marker),
                              max_trials=4)
    assert marker.exists() and int(marker.read_text()) != os.getpid()  # a worker did die
    assert all(trial.status == "COMPLETED" for trial in parallel.oracle.trials.values())
    assert_same_results(results_table(parallel), results_table(serial))
    # The record on disk is whole: a new tuner reloads the same table and has nothing left to run.
    reloaded = kt.Tuner(CoordinatorOnlyOracle(objective="val_loss", max_trials=4, seed=11), TrainedHyperModel(),
                        directory=tmp_path / "dask", project_name="p")
    assert_same_results(results_table(reloaded), results_table(serial))
    assert reloaded.oracle.ongoing_trials == {} and reloaded.remaining_trials == 0


def test_a_cluster_without_workers_needs_max_in_flight():
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster:
        with pytest.raises(ValueError, match="has no workers yet: start some, or pass max_in_flight="):
            kt.DaskExecutor(cluster)
        with kt.DaskExecutor(cluster, max_in_flight=2) as executor:
            assert executor.max_in_flight == 2
