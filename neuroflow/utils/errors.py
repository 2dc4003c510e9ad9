"""Error helpers: did-you-mean suggestions and shape text for messages that say what to do."""
import difflib


def closest_name(name, known):
    """The known name closest to `name`, or None when nothing is close."""
    matches = difflib.get_close_matches(str(name).lower(), [str(k).lower() for k in known], n=1, cutoff=0.6)
    if not matches:
        return None
    lowered = {str(k).lower(): k for k in known}
    return lowered[matches[0]]


def unknown_name_error(kind, name, known):
    """A ValueError for an unknown identifier: names it, suggests the closest, lists the known ones."""
    known = sorted(set(known))
    suggestion = closest_name(name, known)
    hint = f" Did you mean {suggestion!r}?" if suggestion else ""
    return ValueError(f"Unknown {kind}: {name!r}.{hint} Known {kind}s: {', '.join(known)}.")


def shape_text(shape):
    """Writes a shape the way Keras prints it: (None, 784)."""
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
