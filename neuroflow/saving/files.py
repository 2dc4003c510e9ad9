"""What every file format needs: writing a file atomically, and h5py with a clear message when missing."""
import os
import tempfile


def write_atomically(filepath, write):
    """Writes to a temporary file beside `filepath`, then renames: a failed save never destroys the old file."""
    directory = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".partial")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, filepath)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def h5py_module():
    """The h5py module (Keras' formats are HDF5 inside)."""
    # Imported on first use: h5py is needed by the Keras formats only, and is slow to import.
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is a dependency, but say what to do if it is missing
        raise ImportError("Keras' file formats (.keras, .weights.h5) need h5py: pip install h5py") from None
    return h5py
