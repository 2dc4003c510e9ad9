"""Training curves: `plot_history` draws loss and metrics per epoch (needs matplotlib)."""
from neuroflow.utils.errors import unknown_name_error


def _figure_class():
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as error:
        raise ImportError(
            'plot_history needs matplotlib, which is not installed. Install it with: '
            'pip install "neuroflow[plot]"'
        ) from error
    return Figure, MaxNLocator


def plot_history(history, metrics=None, path=None, title=None, figsize=None, dpi=100):
    """Draws training and validation curves per epoch, one panel per quantity.

    Each panel shows a quantity (`loss` first, then the metrics) on the training data as a solid
    line with dots, and its `val_` counterpart, when recorded, dashed.

    Args:
        history: the `History` returned by `fit` (anything with a `.history` dict) or a plain
            dict of name -> list of per-epoch values, e.g. {"loss": [...], "val_loss": [...]}.
        metrics: names to draw (without `val_`); None draws `loss` and every other recorded
            training quantity.
        path: if given, the figure is saved there as PNG.
        title: optional title over the whole figure.
        figsize: (width, height) in inches; None gives 4.5 inches per panel by 3.5.
        dpi: resolution of the saved PNG.

    Returns:
        The matplotlib `Figure` (displays itself in a notebook; `fig.savefig(...)` saves it).

    Raises:
        ImportError: matplotlib is missing (install `neuroflow[plot]`).
        ValueError: `history` holds no values, or a requested metric was not recorded.
        TypeError: `history` is neither a History nor a dict.

    Example:
        >>> history = model.fit(x, y, validation_split=0.2, epochs=10)
        >>> plot_history(history, path="curves.png")
    """
    records = getattr(history, "history", history)
    if not isinstance(records, dict):
        raise TypeError(
            f"plot_history expects a History (with a .history dict) or a dict, got "
            f"{type(history).__name__}"
        )
    records = {str(k): list(v) for k, v in records.items()}
    train_names = [name for name in records if not name.startswith("val_")]
    if metrics is None:
        names = (["loss"] if "loss" in records else []) + [n for n in train_names if n != "loss"]
        # A metric recorded only on validation data still gets a panel.
        names += [n[4:] for n in records if n.startswith("val_") and n[4:] not in records]
    else:
        names = [metrics] if isinstance(metrics, str) else list(metrics)
        known = set(train_names) | {n[4:] for n in records if n.startswith("val_")}
        for name in names:
            if name not in known:
                raise unknown_name_error("metric", name, known)
    if not names or not any(records.get(n) or records.get("val_" + n) for n in names):
        raise ValueError("plot_history got a history with no recorded values; train for an epoch first")

    Figure, MaxNLocator = _figure_class()
    figure = Figure(figsize=figsize or (4.5 * len(names), 3.5))
    axes = figure.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        for key, style, label in ((name, "o-", "training"), ("val_" + name, "s--", "validation")):
            values = records.get(key)
            if values:
                ax.plot(range(1, len(values) + 1), values, style, markersize=3, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, format="png", dpi=dpi)
    return figure
