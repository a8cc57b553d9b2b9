"""The progress of a run of many parts (the matrix's cells): counts and
elapsed time, a status line rewritten in place on a terminal, plain lines
elsewhere (CI logs)."""

import shutil
import sys
import threading
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO = sys.stdout) -> None:
        self.total, self.done = total, 0
        self.running: dict[str, str] = {}
        self.t0, self.stream, self.tty = time.monotonic(), stream, stream.isatty()
        self.lock = threading.Lock()

    def __call__(self, part: str, what: str) -> None:
        """part is now doing what."""
        with self.lock:
            self.running[part] = what
            self._show(f"{part}: {what}")

    def finished(self, part: str, line: str) -> None:
        """part is done: line says how."""
        with self.lock:
            self.done += 1
            self.running.pop(part, None)
            self._show(line, keep=True)

    def close(self) -> None:
        if self.tty:
            print(file=self.stream)

    def _show(self, line: str, keep: bool = False) -> None:
        took = int(time.monotonic() - self.t0)
        head = f"[{self.done}/{self.total} {took // 60}:{took % 60:02d}]"
        if not self.tty:
            print(f"{head} {line}", file=self.stream, flush=True)
            return
        status = "; ".join(f"{c}: {w}" for c, w in sorted(self.running.items()))
        cols = shutil.get_terminal_size().columns
        if keep:
            print(f"\r\033[K{head} {line}", file=self.stream)
        print(f"\r\033[K{head} {status}"[:cols + 4], end="", file=self.stream, flush=True)
