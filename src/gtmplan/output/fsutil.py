"""Writing files so that nothing is ever half-written: temp file beside it, then rename.

* A regular file (or nothing) at the target: the data goes to a temporary file in
  the same directory, which then replaces the target in one rename. The new file
  keeps the permission bits of the file it replaces; a new file gets the usual ones
  under the umask. A symlink at the target is replaced by the file, never followed.
* A character device or a pipe at the target (``-o /dev/null``, ``-o /dev/stdout``,
  a FIFO, or a symlink to one of them): written through, never replaced. A pipe
  that nobody reads is refused; block devices and sockets are refused.
* The temporary file is removed whatever stops the write: an OS error, Ctrl-C, or a
  terminating signal (SIGTERM, SIGHUP, ...); only SIGKILL cannot be caught.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import NoReturn, Optional

from gtmplan.errors import InputError, Terminated

# Deferred imports: tempfile (with its random module) and threading are imported only when a file is written, which
# check without -o never does; printable comes from fmt only for an error message.

# Signals whose default action ends the process: while a temporary file exists they
# raise instead, so that it is removed before the process ends with the usual status.
_TERMINATING = tuple(getattr(signal, name) for name in (
    "SIGTERM", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
    "SIGPWR") if hasattr(signal, name))


def write_atomic(path: str | Path, data: str | bytes, exists: Optional[str] = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and
    ``os.replace``: readers see the old file or the new one, never a partial one.
    With ``exists`` (a message), ``path`` is created, never replaced: a file there, even
    one another process wrote a moment ago, is refused with that message (the temporary
    file is hard-linked into place, which fails if the name is taken)."""
    shown = _shown(path)
    if "\0" in os.fspath(path):
        raise InputError.single(shown, "cannot write: the file name contains a NUL character")
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        lst = None
    except OSError as e:
        raise InputError.single(shown, f"cannot write: {_reason(e)}") from None
    if lst is not None:
        try:
            st = os.stat(path) if stat.S_ISLNK(lst.st_mode) else lst
        except OSError:  # a dangling symlink: replaced like any link
            st = lst
        if stat.S_ISDIR(st.st_mode) and not stat.S_ISLNK(lst.st_mode):
            raise InputError.single(shown, "is a directory; give a file name to write to")
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            _write_through(path, raw, shown, fifo=stat.S_ISFIFO(st.st_mode))
            return
        if stat.S_ISBLK(st.st_mode) or stat.S_ISSOCK(st.st_mode):
            kind = "a block device" if stat.S_ISBLK(st.st_mode) else "a socket"
            raise InputError.single(shown, f"is {kind}; refused (give a file name to write to)")
    parent = path.parent
    if not parent.is_dir():
        raise InputError.single(shown, f"cannot write: directory {_shown(parent)!r} does not exist")
    mode = stat.S_IMODE(lst.st_mode) if lst is not None and stat.S_ISREG(lst.st_mode) else _new_file_mode()
    import tempfile

    with _signals_raise():
        tmp = None
        try:
            # a short prefix: the temporary name must fit wherever the target's name fits
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
            if exists is None:
                os.replace(tmp, path)
                tmp = None
            else:
                _create(tmp, path, raw, mode, shown, exists)
        except OSError as e:
            raise InputError.single(shown, f"cannot write: {_reason(e)}") from None
        finally:
            if tmp is not None:
                _unlink_quietly(tmp)


def _create(tmp: str, path: Path, raw: bytes, mode: int, shown: str, exists: str) -> None:
    """``tmp`` in place at ``path`` unless something is there (the caller removes ``tmp``)."""
    try:
        os.link(tmp, path)
        return
    except FileExistsError:
        raise InputError.single(shown, exists) from None
    except OSError as e:  # a file system without hard links: create the name exclusively
        if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS, errno.EXDEV):
            raise
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    except FileExistsError:
        raise InputError.single(shown, exists) from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())


def _write_through(path: Path, raw: bytes, shown: str, fifo: bool) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        if fifo and e.errno == errno.ENXIO:
            raise InputError.single(shown, "is a pipe that nobody reads; refused") from None
        raise InputError.single(shown, f"cannot write: {_reason(e)}") from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
    except OSError as e:
        raise InputError.single(shown, f"cannot write: {_reason(e)}") from None
    finally:
        os.close(fd)


def _new_file_mode() -> int:
    """0o666 under the umask, as open() would create the file (read without changing it
    where /proc says it; else by setting and restoring it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def _signals_raise() -> Iterator[None]:
    """While the block runs, terminating signals raise :class:`Terminated` (cleanup
    runs, then the process ends as the signal would have ended it)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum: int, frame: Optional[FrameType]) -> NoReturn:
        raise Terminated(signum)

    for sig in _TERMINATING:
        try:
            if signal.getsignal(sig) is signal.SIG_DFL:
                previous[sig] = signal.signal(sig, handler)
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _reason(e: OSError) -> str:
    if e.errno == errno.ENAMETOOLONG:
        return "the file name is longer than the file system allows"
    return e.strerror or str(e)


def _shown(path: str | bytes | os.PathLike) -> str:
    from gtmplan.output.fmt import printable

    return printable(os.fspath(path) if not isinstance(path, bytes) else os.fsdecode(path))


def _unlink_quietly(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
