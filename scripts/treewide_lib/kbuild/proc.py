"""A build or a QEMU runs in a process group of its own, so that a stop
(Ctrl-C, SIGTERM, a timeout) reaches everything it started: the compilers
under make, the guest under QEMU."""

import os
import signal
import subprocess


def start(cmd: list[str], env: dict[str, str] | None = None,
          pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    """cmd started in a process group of its own, its stdout and stderr one text pipe."""
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", env=env, pass_fds=pass_fds, process_group=0)


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run cmd in its own process group, its output (stdout and stderr) kept;
    stopped whole if this process is interrupted. Returns (exit status, output)."""
    with start(cmd, env) as p:
        try:
            out, _ = p.communicate()
        except BaseException:
            stop(p)
            raise
    return p.returncode, out


def stop(p: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM to the process group p leads (make removes half-built targets,
    QEMU closes its files), SIGKILL if it lingers past grace seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not signal_group(p, sig):
            return
        try:
            p.communicate(timeout=grace)
            return
        except (subprocess.TimeoutExpired, ValueError, OSError):
            continue


def signal_group(p: subprocess.Popen, sig: int) -> bool:
    """Send sig to p's process group; False when it is gone."""
    try:
        os.killpg(p.pid, sig)
        return True
    except ProcessLookupError:
        return False
