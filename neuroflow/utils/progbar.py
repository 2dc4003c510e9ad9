"""Progbar: the progress bar `fit`, `evaluate` and `predict` print, drawn the way Keras 3 draws it."""
import math
import numbers
import os
import sys
import time

import numpy

# numpy here works on host data (tests/test_backend_seam.py):
HOST_NUMPY = "host-side data preparation and reporting (files, sequences, boxes, progress)"

# Off a terminal (CI logs, pipes) a '\r' redraw leaves every intermediate bar in the log, so there the
# bar prints a line at most this often, plus the final line.
_NON_INTERACTIVE_INTERVAL = 30.0

_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_GREY = "\x1b[37m"
_RESET = "\x1b[0m"


def _is_interactive():
    """Whether stdout redraws a line on '\\r': a terminal or a notebook."""
    stdout = sys.stdout
    return (
        (hasattr(stdout, "isatty") and stdout.isatty())
        or "ipykernel" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _as_number(value):
    """A logged value as a Python float (arrays are averaged), or None when it is not numeric."""
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        return float(numpy.mean(numpy.asarray(value, dtype=numpy.float64)))
    except (TypeError, ValueError):
        return None


def format_value(value):
    """A metric value as Keras prints it: 4 decimals, or scientific notation at or below 1e-3.

    Example: `format_value(0.26384)` is '0.2638', `format_value(2.5e-05)` is '2.5000e-05'.
    """
    if abs(value) > 1e-3:
        return f"{value:.4f}"
    return f"{value:.4e}"


def format_time_per_unit(seconds, unit_name="step"):
    """A per-step duration in the unit that fits it: '2s/step', '4ms/step' or '350us/step'."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds):
    """Time left as '45s', '2:05' or '1:02:05'."""
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


class Progbar:
    """A progress bar with running metrics, like `keras.utils.Progbar`.

    verbose=1 redraws one line with '\\r' while running, e.g.

        312/469 ━━━━━━━━━━━━━━━━━━━━ 0s 4ms/step - accuracy: 0.9187 - loss: 0.2790

    showing the time left (ETA) until the last update, which shows the elapsed time instead and ends
    the line. Redraws are at most one per `interval` seconds; the last update always draws. When
    stdout is not a terminal the bar prints a plain line every 30 seconds and the final line.
    verbose=2 prints only the final line, e.g. `469/469 - 2s - 4ms/step - loss: 0.2638`.

    A metric's value is averaged over the steps it was reported for (weighted by the steps since the
    previous update) unless its name is in `stateful_metrics`, which show as given. The final update
    shows the values it is given as they are, since `fit` passes epoch-level results there.

    Args:
        target: total number of steps, or None when unknown.
        width: number of characters of the bar.
        verbose: 0 (silent), 1 (live bar) or 2 (one line at the end).
        interval: least number of seconds between two redraws.
        stateful_metrics: names of metrics shown as given, not averaged.
        stateless_metrics: names of metrics averaged, all others shown as given (pass this or
            `stateful_metrics`, not both).
        unit_name: what a step is called in the time per step ('step', 'sample').

    Raises:
        ValueError: for a verbose other than 0, 1, 2, a negative target, or both metric lists.

    Example:

    ```python
    bar = Progbar(target=100)
    for step in range(100):
        bar.update(step + 1, [("loss", loss_value)])
    ```
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
    ):
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar expects verbose to be 0, 1 or 2; got verbose={verbose!r}.")
        if target is not None and (not isinstance(target, numbers.Integral) or target < 0):
            raise ValueError(
                f"Progbar expects target to be a non-negative integer or None; got target={target!r}."
            )
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Progbar takes either stateful_metrics (averaged unless listed) or stateless_metrics "
                "(shown as given unless listed), not both."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ()) if stateless_metrics is None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None

        self._dynamic_display = _is_interactive()
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, weight] for numbers, the raw value otherwise
        self._values_order = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._previous_width = 0

    def _is_averaged(self, name):
        if self.stateless_metrics is not None:
            return name in self.stateless_metrics
        return name not in self.stateful_metrics

    def update(self, current, values=None, finalize=None):
        """Moves the bar to step `current` and records metric values.

        Args:
            current: number of steps done.
            values: list of `(name, value)` pairs for the latest step(s).
            finalize: whether this is the last update; defaults to `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target

        for name, value in values or []:
            if name not in self._values_order:
                self._values_order.append(name)
            number = _as_number(value)
            if number is None:
                self._values[name] = value
            elif self._is_averaged(name) and not finalize:
                # Weight by the steps since the previous update, at least 1 (a repeated `current`).
                weight = max(current - self._seen_so_far, 1)
                total = self._values.get(name)
                if isinstance(total, list):
                    total[0] += number * weight
                    total[1] += weight
                else:
                    self._values[name] = [number * weight, weight]
            else:
                self._values[name] = [number, 1]
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)

        if self.verbose == 1:
            if not finalize:
                if self._dynamic_display:
                    if now - self._last_update < self.interval:
                        return
                elif now - max(self._last_update, self._start) < max(self.interval, _NON_INTERACTIVE_INTERVAL):
                    return
            self._draw_bar(current, finalize, now, time_per_unit)
        elif self.verbose == 2 and finalize:
            self._print_summary(current, now, time_per_unit)
        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by `n` steps; see `update`."""
        self.update(self._seen_so_far + n, values)

    def _metrics_text(self):
        text = ""
        for name in self._values_order:
            entry = self._values[name]
            if isinstance(entry, list):
                total, weight = entry
                text += f" - {name}: {format_value(total / max(1, weight))}"
            else:
                text += f" - {name}: {entry}"
        return text

    def _draw_bar(self, current, finalize, now, time_per_unit):
        colored = self._dynamic_display
        bold, reset = (_BOLD, _RESET) if colored else ("", "")
        if self.target:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
            done_width = min(int(self.width * current / self.target), self.width)
            # Colour tells done from left on a terminal; plain text needs a lighter glyph instead.
            done, left = "━" * done_width, ("━" if colored else "─") * (self.width - done_width)
            if colored:
                done = f"{_GREEN}{done}{_RESET}" if done else ""
                left = f"{_GREY}{left}{_RESET}"
            bar = f"{bold}{count}{reset} {done}{left}"
            visible = len(count) + 1 + self.width
        else:
            bar = f"{current:7d}/Unknown"
            visible = len(bar)

        if self.target and not finalize:
            clock = _format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        info = f" {bold}{clock}{reset} {format_time_per_unit(time_per_unit, self.unit_name)}"
        info += self._metrics_text()
        visible += len(info) - (len(bold) + len(reset))

        if self._dynamic_display:
            # Blank out what is left of a longer previous line.
            message = "\r" + bar + info + " " * max(self._previous_width - visible, 0)
            if finalize:
                message += "\n"
        else:
            message = bar + info + "\n"
        self._previous_width = visible
        sys.stdout.write(message)
        sys.stdout.flush()

    def _print_summary(self, current, now, time_per_unit):
        if self.target:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
        else:
            count = f"{current}/Unknown"
        line = f"{count} - {now - self._start:.0f}s - {format_time_per_unit(time_per_unit, self.unit_name)}"
        line += self._metrics_text()
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def _estimate_step_duration(self, current, now):
        """Seconds per step; after step 1 the first step is left out, as it carries one-off costs."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            duration = (now - self._time_after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return duration
