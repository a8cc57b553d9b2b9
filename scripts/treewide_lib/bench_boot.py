"""make bench-boot: how long a boot machine takes on this machine, per tree.

Three runs of `treewide boot` against one private ccache (OUT/ccache, so
the user's cache neither helps nor suffers):
  cold        empty ccache, new build directories
  warm-cache  ccache warm, new build directories (a fresh CI job)
  rerun       the same OUT again: incremental builds, nothing changed
Each prints, per machine and tree, the build time and the boot time (QEMU
start to the verdict line).
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import outdir
from .errors import ToolError
from .paths import TREEWIDE



def _boot(ksrc, out, ccache, jobs, machines):
    cmd = [sys.executable, str(TREEWIDE), "boot", str(ksrc), "--out", str(out), "-j", str(jobs)]
    cmd += [a for m in machines or [] for a in ("--machine", m)]
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=dict(os.environ, CCACHE_DIR=str(ccache)), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, check=False)
    wall = time.monotonic() - t0
    (out.parent / f"{out.name}.log").write_text(r.stdout)
    if r.returncode not in (0, 1) or not (out / "boot.json").is_file():
        raise ToolError(
            f"`{' '.join(cmd)}` failed ({r.returncode})", f"read {out.parent}/{out.name}.log"
        )
    return wall, json.loads((out / "boot.json").read_text())["machines"]


def _line(name, wall, records):
    per = "; ".join(
        f"{r['machine']} {r['status']}: "
        + ", ".join(
            f"{label} build {t.get('build_s', '-')} s boot {t.get('boot_s') or '-'} s"
            for label, t in r["trees"].items()
        )
        for r in records
    )
    return f"{name:<11} {wall:7.1f} s   {per}"


def run(args):
    work = Path(args.out)
    work = outdir.check(work, [args.ksrc], "bench-boot")
    shutil.rmtree(work, ignore_errors=True)
    outdir.claim(work, "bench-boot")
    ccache = work / "ccache"
    print(
        f"bench-boot: {args.ksrc}, machine(s) {' '.join(args.machine or ['all'])}, -j{args.jobs}, "
        f"private ccache {ccache}"
    )
    for name, out in (("cold", "run1"), ("warm-cache", "run2"), ("rerun", "run2")):
        wall, records = _boot(args.ksrc, work / out, ccache, args.jobs, args.machine)
        print(_line(name, wall, records), flush=True)
    return 0
