"""The metrics a trial recorded, per step and per execution (KerasTuner's `MetricsTracker`).

A trial trains its model several times (`executions_per_trial`, or once per fold with cross-validation).
Each execution reports its logs at each step (epoch); the values of one step are kept side by side and
averaged. A metric's best value is the best of these per-step means, so the trial's score is the best epoch
of the mean learning curve.
"""
import numpy

from neuroflow.tuner.objective import infer_metric_direction

HOST_NUMPY = "hyperparameter-search bookkeeping on host numbers"  # numpy here works on host data (tests/test_backend_seam.py)


class MetricHistory:
    """One metric's values: step -> the values of every execution at that step."""

    def __init__(self, direction="min"):
        if direction not in ("min", "max"):
            raise ValueError(f"direction must be 'min' or 'max'; received {direction!r}")
        self.direction = direction
        self._observations = {}

    def update(self, value, step):
        self._observations.setdefault(int(step), []).append(float(value))

    def _means(self):
        return {step: float(numpy.mean(values)) for step, values in sorted(self._observations.items())}

    def get_best_value(self):
        means = [value for value in self._means().values() if not numpy.isnan(value)]
        if not means:
            return None
        return min(means) if self.direction == "min" else max(means)

    def get_best_step(self):
        best = self.get_best_value()
        for step, value in self._means().items():
            if value == best:
                return step
        return None

    def get_last_value(self):
        means = self._means()
        return list(means.values())[-1] if means else None

    def get_history(self):
        """[(step, [values of each execution]), ...] in step order."""
        return [(step, list(values)) for step, values in sorted(self._observations.items())]

    def get_statistics(self):
        values = list(self._means().values())
        if not values:
            return {}
        return {"min": float(numpy.nanmin(values)), "max": float(numpy.nanmax(values)),
                "mean": float(numpy.nanmean(values)), "median": float(numpy.nanmedian(values)),
                "var": float(numpy.nanvar(values)), "std": float(numpy.nanstd(values))}

    def get_config(self):
        return {"direction": self.direction,
                "observations": [{"step": step, "value": values} for step, values in self.get_history()]}

    @classmethod
    def from_config(cls, config):
        history = cls(config["direction"])
        for observation in config["observations"]:
            for value in observation["value"]:
                history.update(value, observation["step"])
        return history


class MetricsTracker:
    """Every metric of a trial: name -> `MetricHistory`."""

    def __init__(self):
        self.metrics = {}

    def exists(self, name):
        return name in self.metrics

    def register(self, name, direction=None):
        if self.exists(name):
            raise ValueError(f"Metric already exists: {name}")
        self.metrics[name] = MetricHistory(direction or infer_metric_direction(name) or "min")

    def update(self, name, value, step=0):
        if not self.exists(name):
            self.register(name)
        self.metrics[name].update(value, step)

    def _history(self, name):
        if name not in self.metrics:
            raise ValueError(f"Unknown metric: {name}; recorded: {', '.join(self.metrics) or 'none'}")
        return self.metrics[name]

    def get_best_value(self, name):
        return self._history(name).get_best_value()

    def get_best_step(self, name):
        return self._history(name).get_best_step()

    def get_last_value(self, name):
        return self._history(name).get_last_value()

    def get_history(self, name):
        return self._history(name).get_history()

    def get_statistics(self, name):
        return self._history(name).get_statistics()

    def get_direction(self, name):
        return self._history(name).direction

    def get_config(self):
        return {"metrics": {name: history.get_config() for name, history in self.metrics.items()}}

    @classmethod
    def from_config(cls, config):
        tracker = cls()
        tracker.metrics = {name: MetricHistory.from_config(entry) for name, entry in config["metrics"].items()}
        return tracker
