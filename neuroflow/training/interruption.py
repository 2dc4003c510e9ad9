"""Ctrl-C during `fit`: stop at the end of the batch under way, not in the middle of an update.

A KeyboardInterrupt raised inside an optimizer step could leave some variables updated and others
not. While `fit` runs, the first SIGINT only sets a flag; the loop finishes the batch, skips the rest
of the epoch (no validation, no on_epoch_end for a partial epoch), calls `on_train_end`, then raises
KeyboardInterrupt saying where it stopped: `model.interrupted_at` holds (epoch, batches done in it),
the point where a resumed run goes on ((epoch + 1, 0) after a whole epoch).
A second Ctrl-C stops at once, as before. Outside the main thread, or when the program has its own
SIGINT handler, nothing is changed.
"""
import contextlib
import signal
import sys
import threading


@contextlib.contextmanager
def stop_at_batch_end(model):
    """Installs the deferring SIGINT handler for the duration of fit; yields `interrupted()`."""
    state = {"requested": False}
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    installed = previous is signal.default_int_handler

    def handler(signum, frame):
        if state["requested"]:
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        state["requested"] = True
        print("\nCtrl-C: stopping at the end of this batch (press Ctrl-C again to stop at once)", file=sys.stderr,
              flush=True)

    if installed:
        signal.signal(signal.SIGINT, handler)
    object.__setattr__(model, "_interruption", state)
    try:
        yield lambda: model.interrupted_at is not None
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous)
        object.__setattr__(model, "_interruption", None)


def requested(model, epoch, batches_done):
    """True (and `model.interrupted_at` set to (epoch, batches_done)) when Ctrl-C came."""
    state = model.__dict__.get("_interruption")
    if state is None or not state["requested"]:
        return False
    object.__setattr__(model, "interrupted_at", (epoch, batches_done))
    model.stop_training = True
    return True


def report(model):
    """Raises the KeyboardInterrupt that says where training stopped."""
    epoch, batches_done = model.interrupted_at
    where = f"after batch {batches_done} of epoch {epoch + 1}" if batches_done else f"at the end of epoch {epoch}"
    raise KeyboardInterrupt(f"Training of model '{model.name}' interrupted (Ctrl-C) {where}; on_train_end was called "
                            "and the weights are those after that batch. With a callbacks.BackupAndRestore, the same "
                            "fit call resumes from there.")
