"""One GNU make jobserver shared by every make of a run."""

import os
import signal
import subprocess
import time
from typing import Callable

from . import proc


class Jobserver:
    """One GNU make jobserver for every make of every cell: cells run side by
    side and still share `jobs` compile slots (plus one per make in flight,
    as a plain `make -jN` would have)."""

    def __init__(self, jobs: int) -> None:
        self.r, self.w = os.pipe()
        os.write(self.w, b"+" * max(jobs - 1, 0))
        self.env = dict(os.environ, MAKEFLAGS=f" -j{jobs} --jobserver-auth={self.r},{self.w}")
        self.running: set[subprocess.Popen] = set()
        self.stopped = False

    def run(self, cmd: list[str], tick: Callable[[], None] | None = None, every: float = 30,
            deadline: float | None = None, serial: bool = False) -> tuple[int, str]:
        """Run a make; call tick() every `every` seconds while it runs. Past
        the deadline (a time.monotonic() value) the make is stopped and
        CellTimeout raised. A stopped make cannot hand its slots back: the
        other cells go on with fewer. Each make runs in its own process
        group, so that it can be stopped whole. serial: outside the
        jobserver, one job at a time (cmd says -j1)."""
        if self.stopped:
            raise Stopped()
        env = {k: v for k, v in self.env.items() if k != "MAKEFLAGS"} if serial else self.env
        with proc.start(cmd, env, pass_fds=(self.r, self.w)) as p:
            self.running.add(p)
            try:
                while True:
                    try:
                        out, _ = p.communicate(timeout=_wait(every if tick else None, deadline))
                    except subprocess.TimeoutExpired:
                        if deadline is not None and time.monotonic() >= deadline:
                            raise CellTimeout() from None
                        if tick:
                            tick()
                        continue
                    if self.stopped:
                        raise Stopped()
                    return p.returncode, out
            except BaseException:
                proc.stop(p, grace=30)
                raise
            finally:
                self.running.discard(p)

    def stop_all(self) -> None:
        """Stop every make in flight and refuse new ones (Ctrl-C, SIGTERM:
        the makes are out of the terminal's reach, in their own groups)."""
        self.stopped = True
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in list(self.running):
                proc.signal_group(p, sig)
            end = time.monotonic() + 10
            while self.running and time.monotonic() < end:
                time.sleep(0.1)


class CellTimeout(Exception):
    pass


class Stopped(Exception):
    pass


def _wait(every: float | None, deadline: float | None) -> float | None:
    if deadline is None:
        return every
    left = max(deadline - time.monotonic(), 0.1)
    return min(every, left) if every else left
