"""What every file format needs: writing a file atomically (utils/atomic_file.py, shared with the
callbacks that write files), and reading a zip member within bounds.

A zip entry declares its inflated size; zipfile never inflates past it (and checks the CRC at the
end), so checking the declared size before reading bounds what a hostile file can make a loader
allocate: a config.json over `max_config_bytes`, or a large member claiming to inflate more than
`max_compression_ratio` times its stored size, is refused before a byte is inflated
(neuroflow.config.set_file_limits raises both).
"""
import zipfile
import zlib

from neuroflow import settings
from neuroflow.utils.atomic_file import partial_files, write_atomically

__all__ = ["partial_files", "read_member", "write_atomically", "CorruptFileError"]

_RATIO_CHECKED_ABOVE = 16 * 2**20  # small members may compress any amount without harm


class CorruptFileError(ValueError):
    """A model file that is truncated, corrupt, or larger inside than its limits allow."""


def read_member(archive, name, filepath, is_config=False):
    """The bytes of member `name` of an open ZipFile, after checking its declared size.

    Raises:
        KeyError: when the member is absent (the caller says what that means).
        CorruptFileError: for a member over the limits, or one that fails to inflate or its CRC check.
    """
    info = archive.getinfo(name)
    if is_config and info.file_size > settings.max_config_bytes:
        raise CorruptFileError(f"{filepath!r}: {name} declares {info.file_size} bytes, over the limit of "
                               f"{settings.max_config_bytes} bytes for a config; if the file is trusted, raise it with "
                               "neuroflow.config.set_file_limits(max_config_bytes=...)")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_CHECKED_ABOVE and ratio > settings.max_compression_ratio:
        raise CorruptFileError(f"{filepath!r}: {name} is stored in {info.compress_size} bytes but declares "
                               f"{info.file_size} bytes inflated (ratio {ratio:.0f}, over the limit of "
                               f"{settings.max_compression_ratio:g}), which is how a zip bomb looks; if the file is "
                               "trusted, raise it with neuroflow.config.set_file_limits(max_compression_ratio=...)")
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise CorruptFileError(f"{filepath!r}: member {name} cannot be read ({type(error).__name__}: {error}); the "
                               "file is truncated or corrupt") from None
