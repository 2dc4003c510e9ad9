"""`clear_session` as keras.utils has it: a fresh start for global state (layer auto-names restart)."""
import gc

from neuroflow.utils import naming


def clear_session(free_memory=True):
    """Resets the global state Keras' clear_session resets: automatic layer names restart from 'dense'.

    Args:
        free_memory: also run the garbage collector, so arrays of dropped models are freed now.
    """
    naming.reset_names()
    if free_memory:
        gc.collect()
