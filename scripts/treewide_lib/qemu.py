"""One QEMU boot: the console kept, the init's verdict line read, the
machine stopped at the verdict, on timeout or on Ctrl-C."""

import os
import re
import selectors
import subprocess
import time
from typing import BinaryIO
from pathlib import Path

from .kbuild import proc
from .records import BootTreeRecord

VERDICT = re.compile(r"treewide-boot: verdict=(?P<verdict>pass|fail)(?P<detail>[^\r\n]*)\r*\n")
# What a kernel prints when it cannot go on: said in the record, not left to the timeout.
_DEATH = re.compile(r"(?:Kernel panic - not syncing|Unable to mount root|Attempted to kill init|"
                    r"No working init found)[^\r\n]*\r*\n")
# After the verdict the init resets the machine (QEMU exits: -no-reboot); give it that long.
POWEROFF_GRACE_S = 10


def boot(cmd: list[str], log_path: Path, timeout: float) -> BootTreeRecord:
    """Run QEMU; returns {verdict, detail, boot_s, exit, reason}. verdict is
    "pass", "fail" (the init said so), or "no-verdict" (the kernel died,
    QEMU failed or the timeout ran out; reason says which)."""
    t0 = time.monotonic()
    res: BootTreeRecord = {
        "verdict": "no-verdict",
        "detail": "",
        "boot_s": None,
        "exit": None,
        "reason": "",
    }
    with open(log_path, "wb") as log, subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        process_group=0,
    ) as p:
        try:
            console, closed = _console(p, log, res, t0, timeout)
            if closed:                                     # it closed its console to exit
                try:
                    res["exit"] = p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if p.poll() is None:
                proc.stop(p, grace=5)
                res["exit"] = "stopped"
    if res["verdict"] == "no-verdict" and not res["reason"]:
        res["reason"] = (
            f"QEMU exited with status {res['exit']} before the verdict: {_tail(console)}"
            if isinstance(res["exit"], int)
            else f"no verdict within {timeout} s ({log_path})"
        )
    return res


def _console(p: subprocess.Popen, log: BinaryIO, res: BootTreeRecord, t0: float,
             timeout: float) -> tuple[bytearray, bool]:
    """Copy the console to the log until QEMU exits: after the verdict line
    (the init then resets the machine) or a kernel's last words it has a few
    seconds more, then it is stopped; so it is at the timeout, at once.
    Returns (console, whether QEMU closed it)."""
    assert p.stdout is not None, "QEMU's console is a pipe"
    out = p.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(out, selectors.EVENT_READ)
    console, deadline = bytearray(), t0 + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=min(1.0, max(deadline - time.monotonic(), 0))):
            continue
        chunk = os.read(out, 65536)
        if not chunk:
            return console, True
        console += chunk
        log.write(chunk)
        log.flush()
        if res["verdict"] != "no-verdict" or res["reason"]:
            continue
        text = console.decode(errors="replace")
        m, death = VERDICT.search(text), _DEATH.search(text)
        if m:
            res.update({"verdict": m.group("verdict"), "detail": m.group("detail").strip(),
                        "boot_s": round(time.monotonic() - t0, 1)})
            deadline = min(deadline, time.monotonic() + POWEROFF_GRACE_S)
        elif death:
            res["reason"] = death.group(0).strip()
            deadline = min(deadline, time.monotonic() + 2)
    return console, False


def _tail(console: bytearray) -> str:
    lines = console.decode(errors="replace").strip().splitlines()
    return " | ".join(lines[-3:])[-300:] if lines else "(nothing on the console)"
