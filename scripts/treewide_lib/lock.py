"""One writer per kernel tree: an flock keyed by the tree's device and inode.

Runs that write the tree (apply in place) take the lock exclusively; runs
that only read it (dry runs, series, sweep, matrix copies) share it. The
kernel drops the lock when the process dies, so a killed run never leaves
a stale one. The lock file lives outside the tree (the tree may be
read-only, and nothing is written into it unasked).
"""

import contextlib
import fcntl
import os
import sys
import tempfile
from pathlib import Path

from .errors import ToolError


def _lock_dir():
    """A directory every user can create lock files in (sticky, like /tmp)."""
    base = Path(tempfile.gettempdir()) / "treewide-locks"
    try:
        base.mkdir(exist_ok=True)
        if base.stat().st_uid == os.getuid():
            os.chmod(base, 0o1777)         # mkdir's mode is cut by the umask
    except OSError:
        pass
    if os.access(base, os.W_OK | os.X_OK):
        return base
    mine = Path(tempfile.gettempdir()) / f"treewide-locks-{os.getuid()}"   # only this user's runs see it
    mine.mkdir(mode=0o700, exist_ok=True)
    return mine


def _lock_path(root):
    st = os.stat(root)
    return _lock_dir() / f"{st.st_dev}-{st.st_ino}.lock"


def _holder(fd):
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode(errors="replace").strip()
    return text or "a process that has not written its name yet"


@contextlib.contextmanager
def held(root, exclusive, wait=False, log=print):
    """Hold the tree's lock for the block: exclusive for a writer, shared for a reader."""
    path = _lock_path(root)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        writable = True
        if os.fstat(fd).st_uid == os.getuid():
            os.fchmod(fd, 0o666)      # other users lock the same tree through the same file
    except PermissionError:            # another user's lock file: flock works on a read-only descriptor
        fd = os.open(path, os.O_RDONLY)
        writable = False
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise ToolError(f"another treewide run is using {root} ({holder})",
                                "wait for it to finish, or pass --wait to queue behind it") from None
            log(f"waiting for another treewide run on {root} ({holder})")
            fcntl.flock(fd, mode)
        # Who holds it, for the message of the next one (whoever owns the
        # file: a stale name left by an earlier holder would be a false one).
        if writable:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"pid {os.getpid()}: {' '.join(sys.argv)}".encode())
        yield
    finally:
        os.close(fd)
