"""Writing files so that nothing is ever half-written: temp file beside it, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and
    ``os.replace``: readers see the old file or the new one, never a partial one.
    A symlink at ``path`` is replaced by the file, never followed."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise InputError.single(str(path), "is a directory; give a file name to write to")
    parent = path.parent
    if not parent.is_dir():
        raise InputError.single(str(path), f"cannot write: directory {str(parent)!r} does not exist")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError.single(str(path), f"cannot write: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        _unlink_quietly(tmp)
        raise InputError.single(str(path), f"cannot write: {e.strerror or e}") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
