"""channels_first <-> channels_last for the windowed ops, which compute channels_last."""
from neuroflow.engine.registry import apply

# Imported by name: `neuroflow.ops.shape` is shadowed by the `ops.shape()` function.
from neuroflow.ops.shape import transpose as _transpose


def _to_channels_last(x, data_format, rank):
    if data_format in (None, "channels_last"):
        return x
    if data_format != "channels_first":
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return apply(_transpose, (x,), {"axes": (0,) + tuple(range(2, rank + 2)) + (1,)})


def _from_channels_last(x, data_format, rank):
    if data_format in (None, "channels_last"):
        return x
    return apply(_transpose, (x,), {"axes": (0, rank + 1) + tuple(range(1, rank + 1))})
