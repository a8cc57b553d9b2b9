"""How a run ends when it is told to: every catchable signal that ends a
process, and an output that went away (a closed pipe, a terminal hung up),
end it as Ctrl-C does, through Stopped, so that the code in flight puts the
tree right (rolls back or completes) and the last words can say which."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO


STOPS = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM)
_state: dict[str, Any] = {"stopping": False, "defer": lambda: False, "deferred": []}


class Stopped(KeyboardInterrupt):
    """The run was told to stop by `signum` (SIGPIPE: its output was closed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def install(defer: Callable[[], bool] = lambda: False) -> None:
    """Handle the stop signals and guard stdout and stderr. `defer()` says
    whether a stop now would cut short what must finish (the user's tree
    written, its report not yet): the signal is then noted (`deferred()`)
    and the run goes on to its end."""
    _state.update(stopping=False, defer=defer, deferred=[])
    for s in STOPS:
        signal.signal(s, _handler)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if hasattr(stream, "reconfigure"):
            # a line as it is printed (CI logs show progress as it happens), and a
            # reader that went away is found at the first line, not at exit
            stream.reconfigure(line_buffering=True)
        if not isinstance(stream, _Guarded):
            setattr(sys, name, _Guarded(stream))


def deferred() -> list[int]:
    """The stop signals that came while a stop had to wait, in order."""
    return list(_state["deferred"])


def _stop(signum):
    if _state["stopping"]:               # already on the way out: one stop is enough
        return
    if _state["defer"]():
        _state["deferred"].append(signum)
        return
    _state["stopping"] = True
    raise Stopped(signum)


def _handler(signum, frame):
    _stop(signum)


@contextlib.contextmanager
def blocked() -> Iterator[None]:
    """No stop signal is delivered inside the block (a rollback must not be cut
    short); one that came meanwhile is delivered at its end."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Guarded:
    """A text stream whose reader may go away. The first write that finds it
    gone stops the run (SIGPIPE for a closed pipe, SIGHUP for a terminal
    that hung up); from then on its output is dropped, never an error."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        return self._guard(self._stream.write, text)

    def flush(self) -> None:
        return self._guard(self._stream.flush)

    def _guard(self, fn, *args):
        if self._gone:
            return 0
        try:
            return fn(*args)
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.EIO):
                raise
            self._gone = True
            self._discard()
            _stop(signal.SIGPIPE if e.errno == errno.EPIPE else signal.SIGHUP)
            return 0

    def _discard(self):
        """Point the descriptor at /dev/null: what is still buffered, and
        what child processes write there, goes nowhere without an error."""
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)
        except (OSError, ValueError):
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)
