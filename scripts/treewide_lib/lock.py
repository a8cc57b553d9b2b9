"""One writer per kernel tree: an flock on the tree's top directory itself.

Runs that write the tree (apply in place) take the lock exclusively; runs
that only read it (dry runs, series, sweep, matrix copies) share it. The
lock is on a descriptor of the directory, not on a file somewhere else, so
every run on the tree sees it whatever its TMPDIR, user or mount namespace
of /tmp, and nothing is written into the tree or left behind anywhere.
The kernel drops it when the process dies, so a killed run never leaves a
stale one; /proc/locks says who holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import ToolError


def _holders(st):
    """pid and command line of each process holding an flock on the inode st describes."""
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    pids = []
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; waiters carry a "->" and hold nothing
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == key and fields[4].isdigit():
            pids.append(int(fields[4]))
    return [f"pid {pid}: {_cmdline(pid)}" for pid in sorted(set(pids))]


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return (
                f.read().replace(b"\0", b" ").decode(errors="replace").strip()
                or "(no command line)"
            )
    except OSError:
        return "(in another pid namespace or gone)"


@contextlib.contextmanager
def tree_lock(root: Path, exclusive: bool, wait: bool = False,
              log: Callable[[str], Any] = print) -> Iterator[None]:
    """Hold the tree's lock for the block: exclusive for a writer, shared for a reader."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = "; ".join(_holders(os.fstat(fd))) or "a process this one cannot see"
            if not wait:
                raise ToolError(
                    f"another treewide run is using {root} ({holder})",
                    "wait for it to finish, or pass --wait to queue behind it",
                ) from None
            log(f"waiting for another treewide run on {root} ({holder})")
            fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)
