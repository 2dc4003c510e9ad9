"""What every file format needs: writing a file atomically."""
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
