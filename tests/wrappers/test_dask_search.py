"""scikit-learn's searches over neuroflow estimators on a Dask cluster: `joblib.parallel_backend("dask")`.

A LocalCluster of 2 worker processes on this machine runs the candidates' fits; the results table
must be the serial search's. Each build seeds neuroflow first, so a fit gives the same model on any
worker, and the two runs can be compared score for score.
"""
import logging

import numpy
import pytest

pytest.importorskip("sklearn", reason='scikit-learn is not installed (pip install "neuroflow[sklearn]")')
distributed = pytest.importorskip("distributed", reason='dask.distributed is not installed (pip install "neuroflow[dask]")')

import dask  # noqa: E402
import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402

import neuroflow  # noqa: E402
from neuroflow import layers, models, optimizers  # noqa: E402
from neuroflow.wrappers import KerasClassifier, SKLearnRegressor  # noqa: E402

CLUSTER_TIME_LIMIT = "120s"  # how long starting the cluster and each wait on it may take


def blobs(n_per_class=20):
    rng = numpy.random.default_rng(0)
    centers = numpy.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    X = numpy.concatenate([center + 0.5 * rng.standard_normal((n_per_class, 2)) for center in centers])
    return X.astype("float32"), numpy.repeat([0, 1, 2], n_per_class)


def build_classifier(hidden=8, learning_rate=0.05):
    """The lecture spelling: build_fn's keywords are searched; seeded so any worker builds the same model."""
    neuroflow.set_random_seed(0)
    model = models.Sequential([layers.Input((2,)), layers.Dense(hidden, activation="relu"),
                               layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    return model


def build_regressor(X, y, units=8):
    neuroflow.set_random_seed(0)
    model = models.Sequential([layers.Input((X.shape[1],)), layers.Dense(units, activation="relu"),
                               layers.Dense(y.shape[1])])
    model.compile(optimizer=optimizers.Adam(0.05), loss="mse")
    return model


@pytest.fixture(scope="module")
def dask_client():
    """A LocalCluster of 2 single-threaded worker processes (neuroflow's seed is per process), and its client."""
    with dask.config.set({"distributed.comm.timeouts.connect": CLUSTER_TIME_LIMIT}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                           silence_logs=logging.ERROR)
        client = distributed.Client(cluster, timeout=CLUSTER_TIME_LIMIT)
        try:
            yield client
        finally:
            client.close()
            cluster.close()


def table(search):
    """The search's results table without its timings."""
    return {key: value for key, value in search.cv_results_.items() if "time" not in key}


def assert_same_table(serial, parallel):
    assert serial.keys() == parallel.keys()
    for key, values in serial.items():
        if key.startswith(("mean_", "std_", "split")):
            numpy.testing.assert_allclose(numpy.asarray(parallel[key], dtype=float), numpy.asarray(values, dtype=float),
                                          rtol=1e-6, err_msg=key)
        else:
            assert list(parallel[key]) == list(values), key


def test_grid_search_on_a_dask_cluster_equals_the_serial_search(dask_client):
    X, y = blobs()
    search = GridSearchCV(KerasClassifier(build_fn=build_classifier, epochs=5, batch_size=16, verbose=0),
                          {"hidden": [4, 8], "learning_rate": [0.01, 0.05]}, cv=2)
    serial = table(search.fit(X, y))
    with joblib.parallel_backend("dask"), distributed.get_task_stream(dask_client) as tasks:
        parallel_search = GridSearchCV(search.estimator, search.param_grid, cv=2, n_jobs=-1).fit(X, y)
    assert_same_table(serial, table(parallel_search))
    # The candidates' fits ran as tasks on the cluster's worker processes.
    workers = set(dask_client.scheduler_info()["workers"])
    assert len(workers) == 2 and tasks.data and {task["worker"] for task in tasks.data} <= workers
    assert parallel_search.best_params_ == search.best_params_
    assert parallel_search.best_estimator_.predict(X).shape == (60,)


def test_randomized_search_on_a_dask_cluster_equals_the_serial_search(dask_client):
    rng = numpy.random.default_rng(0)
    X = rng.standard_normal((48, 3)).astype("float32")
    y = (X @ numpy.array([1.5, -2.0, 0.5]) + 1.0).astype("float32")
    estimator = SKLearnRegressor(build_regressor, fit_kwargs={"epochs": 5, "batch_size": 16, "verbose": 0})
    distributions = {"model_kwargs": [{"units": 4}, {"units": 8}, {"units": 16}]}
    serial = RandomizedSearchCV(estimator, distributions, n_iter=3, cv=2, random_state=0).fit(X, y)
    with joblib.parallel_backend("dask"):
        parallel = RandomizedSearchCV(estimator, distributions, n_iter=3, cv=2, random_state=0, n_jobs=-1).fit(X, y)
    assert_same_table(table(serial), table(parallel))
