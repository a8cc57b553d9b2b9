"""A `treewide` command run as the benches run it: timed, against a
private ccache (so the user's cache neither helps nor suffers), its
output written to a log as it goes (`tail -f` shows the run)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .errors import ToolError
from .paths import TREEWIDE


def timed(command: str, ksrc: str, out: Path, log: Path, ccache: Path, jobs: int, flags: list[str],
          result: str) -> tuple[float, list[dict[str, Any]]]:
    """(wall seconds, the records under `result` of OUT/<command>.json).
    Exit 1 is a cell or machine that regressed: its time counts all the same."""
    cmd = [sys.executable, str(TREEWIDE), command, str(ksrc), "--out", str(out), "-j", str(jobs)]
    cmd += list(flags)
    print(f"  {log.stem}: running (tail -f {log})", flush=True)
    t0 = time.monotonic()
    with open(log, "w") as f:
        r = subprocess.run(cmd, env=dict(os.environ, CCACHE_DIR=str(ccache)), stdout=f,
                           stderr=subprocess.STDOUT, check=False)
    wall = time.monotonic() - t0
    data = out / f"{command}.json"
    if r.returncode not in (0, 1) or not data.is_file():
        raise ToolError(f"`{' '.join(cmd)}` failed ({r.returncode})", f"read {log}")
    return wall, json.loads(data.read_text())[result]
