"""make bench-boot: how long a boot machine takes on this machine, per tree.

Three runs of `treewide boot` against one private ccache (OUT/ccache, so
the user's cache neither helps nor suffers):
  cold        empty ccache, new build directories
  warm-cache  ccache warm, new build directories (a fresh CI job)
  rerun       the same OUT again: incremental builds, nothing changed
  rerun-lava  (--lava) the same again, each boot a LAVA job run by lava-run
Each prints, per machine and tree, the build time and the boot time (QEMU
start to the verdict line; through LAVA, lava-run's whole run of the job:
its copies of the files, validation, QEMU, the monitor).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from . import bench_run, lava, outdir


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


def run(args: argparse.Namespace) -> int:
    work = Path(args.out)
    work = outdir.check(work, [args.ksrc], "bench-boot")
    shutil.rmtree(work, ignore_errors=True)
    outdir.claim(work, "bench-boot")
    ccache = work / "ccache"
    print(
        f"bench-boot: {args.ksrc}, machine(s) {' '.join(args.machine or ['all'])}, -j{args.jobs}, "
        f"private ccache {ccache}"
    )
    runs: list[tuple[str, str, list[str]]] = [
        ("cold", "run1", []), ("warm-cache", "run2", []), ("rerun", "run2", [])]
    if args.lava:
        lava.check_runner()
        runs.append(("rerun-lava", "run2", ["--via", "lava"]))
    for name, out, via in runs:
        flags = [a for m in args.machine or [] for a in ("--machine", m)] + via
        wall, records = bench_run.timed("boot", args.ksrc, work / out, work / f"{name}.log",
                                        ccache, args.jobs, flags, "machines")
        print(_line(name, wall, records), flush=True)
    return 0
