"""Trials on a Dask cluster: `DaskExecutor`, the search loop's executor for `dask.distributed`.

    from dask.distributed import LocalCluster
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=20, directory="tuning",
                            executor=kt.DaskExecutor(LocalCluster(n_workers=4, threads_per_worker=1)))
    tuner.search(x_train, y_train, epochs=5, validation_split=0.2)

The loop stays in this process and is the only one that touches the oracle and its files; each trial
goes to a worker as one task (the tuner, pickled without its executor, and the trial), and comes back
by value (its metrics). The data goes to the cluster once per search (`share`). A worker that
dies mid-trial loses nothing on disk: the scheduler runs the task again on another worker (up to Dask's
`distributed.scheduler.allowed-failures` times, 3 by default; past that the trial fails with
`KilledWorker` and the oracle's `max_retries_per_trial` applies). Since each trial draws from its own
seed (`base_tuner.trial_seed`), the rerun gives what the first run would have, and the search gives the
serial search's results table.
"""
import warnings


def _the_value(value):
    return value


class DaskExecutor:
    """Runs trials on Dask workers, as many at once as the cluster has worker threads.

    Args:
        cluster: a `distributed.Client`, a scheduler address ("tcp://host:8786"), or a cluster object
            (`LocalCluster`, dask-jobqueue's clusters ...). A client made here from an address or a cluster is
            closed by `close()` (or at the end of a `with` block); a client given is left open.
        max_in_flight: how many trials run at once; by default the number of worker threads the cluster
            has now.

    Raises:
        ImportError: when dask.distributed is not installed (`pip install neuroflow[dask]`).
        ValueError: for max_in_flight below 1, or a cluster without workers and no max_in_flight.
    """

    def __init__(self, cluster, max_in_flight=None):
        # Lazily imported: dask.distributed is the optional extra `neuroflow[dask]`.
        try:
            import distributed
        except ImportError as error:
            raise ImportError("DaskExecutor needs dask.distributed: pip install 'neuroflow[dask]'") from error
        self._distributed = distributed
        self._owns_client = not isinstance(cluster, distributed.Client)
        self.client = distributed.Client(cluster) if self._owns_client else cluster
        if max_in_flight is None:
            max_in_flight = sum(self.client.nthreads().values())
            if max_in_flight < 1:
                address = self.client.scheduler.address
                self.close()
                raise ValueError(f"The Dask cluster at {address} has no workers yet: start some, or pass "
                                 "max_in_flight=")
        if int(max_in_flight) < 1:
            self.close()
            raise ValueError(f"max_in_flight must be at least 1; received {max_in_flight!r}")
        self.max_in_flight = int(max_in_flight)

    def share(self, value):
        """A future of `value`, which the tasks given it receive as `value`: the data goes to the cluster once.

        A task that returns the value rather than `client.scatter`: the scheduler can compute a task's result
        again when every worker holding it dies, never scattered data.
        """
        # The data in the graph is the point (kept once, for recomputation): Dask's advice to scatter it
        # instead does not apply.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            return self.client.submit(_the_value, value, pure=False)

    def submit(self, function, *args, **kwargs):
        # pure=False: a retried trial has the same arguments, and must run again rather than reuse a result.
        return self.client.submit(function, *args, pure=False, **kwargs)

    def wait_any(self, futures):
        """Blocks until at least one of `futures` is finished; returns the finished ones."""
        done, _ = self._distributed.wait(list(futures), return_when="FIRST_COMPLETED")
        return list(done)

    def close(self):
        """Closes the client if this executor made it."""
        if self._owns_client:
            self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return f"DaskExecutor({self.client.scheduler.address!r}, max_in_flight={self.max_in_flight})"
