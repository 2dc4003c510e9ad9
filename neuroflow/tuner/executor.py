"""Where trials run: the seam between the search loop and the machines that train the models.

The search loop (`BaseTuner.search`) asks the oracle for trials and hands each one to an executor:
`executor.submit(function, *args)` returns a future whose `result()` is what the trial measured. The loop
keeps up to `executor.max_in_flight` trials running, reports each finished one to the oracle, and asks for
the next, so a tuner never knows whether its trials ran here, in threads or on other machines.

- `SerialExecutor` (the default) runs each trial at once, in this process.
- `FuturesExecutor(pool, max_in_flight)` wraps any `concurrent.futures.Executor`: a
  `ThreadPoolExecutor`, a `ProcessPoolExecutor`, or Dask's `client.get_executor()`. For processes the
  submitted work is the tuner's `_execute_trial` with the trial: the tuner pickles without its executor
  (`BaseTuner.__getstate__`), so the hypermodel must pickle (a module-level function or class), and the
  project folder must be shared, since trials write their checkpoints there. Only the search loop's
  process touches the oracle; a worker returns the trial's metrics and hyperparameters by value.
"""
import concurrent.futures


class SerialExecutor:
    """Runs each trial when it is submitted, in the calling process; one trial in flight."""

    max_in_flight = 1

    def submit(self, function, *args, **kwargs):
        future = concurrent.futures.Future()
        try:
            future.set_result(function(*args, **kwargs))
        except Exception as error:  # the search loop records it as the trial's failure
            future.set_exception(error)
        return future

    def wait_any(self, futures):
        """The futures among `futures` that are finished (all of them: each finished when submitted)."""
        return [future for future in futures if future.done()]


class FuturesExecutor:
    """Runs trials on a `concurrent.futures.Executor`, `max_in_flight` at a time.

    Args:
        pool: the executor (ThreadPoolExecutor, ProcessPoolExecutor, dask's `client.get_executor()`, ...).
        max_in_flight: how many trials run at once (usually the pool's worker count).
    """

    def __init__(self, pool, max_in_flight):
        if int(max_in_flight) < 1:
            raise ValueError(f"max_in_flight must be at least 1; received {max_in_flight!r}")
        self.pool = pool
        self.max_in_flight = int(max_in_flight)

    def submit(self, function, *args, **kwargs):
        return self.pool.submit(function, *args, **kwargs)

    def wait_any(self, futures):
        """Blocks until at least one of `futures` is finished; returns the finished ones."""
        done, _ = concurrent.futures.wait(list(futures), return_when=concurrent.futures.FIRST_COMPLETED)
        return list(done)
