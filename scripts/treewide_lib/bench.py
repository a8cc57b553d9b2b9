"""make bench-apply: wall time, spatch CPU time and files parsed, per step.

Runs apply as a dry run (everything but the final write of a few files)
once with the page cache dropped where the machine allows it (it says
when not), then --runs more times warm, and prints the first run and the
median and spread of each warm figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from . import apply, recipe, series, target
from .spatch import Spatch
from .tree import Tree


def _timed_run(args, rec, sp):
    tree = Tree(args.ksrc)
    with tempfile.TemporaryDirectory(prefix="treewide-bench-") as out:
        t0 = time.monotonic()
        report, results = apply.run(tree, rec, sp, out, dry_run=True, log=lambda *a: None)
        total = time.monotonic() - t0
    return total, {r.name: (r.wall_s, r.stats.cpu_s, r.stats.files, r.status) for r in results}


def drop_page_cache() -> str:
    """Empty the page cache for a cold first run; why not, if it cannot."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return "cold: page cache dropped before it"
    except OSError as e:
        return (
            f"page cache as found: it could not be dropped ({e.strerror}; needs root outside a"
            " container)"
        )


def run(args: argparse.Namespace) -> int:
    rec = recipe.load(args.recipe)
    sp = Spatch(jobs=args.jobs)
    tree = Tree(args.ksrc)
    print(f"bench-apply: {tree.name} ({tree.version}), spatch {sp.version}, {sp.jobs} job(s), "
          f"1 first + {args.runs} warm run(s), dry run, {os.cpu_count()} core(s)")
    how = drop_page_cache()
    cold_total, cold = _timed_run(args, rec, sp)
    runs = [_timed_run(args, rec, sp) for _ in range(args.runs)]
    print(f"  first run ({how}): {cold_total:.2f} s; " +
          ", ".join(f"{name} {v[0]:.1f} s" for name, v in cold.items()))
    print(f"  {'step':<26} {'status':<13} {'wall s':>8} {'spatch cpu s':>13} {'files parsed':>13}")
    for step in rec.steps:
        walls = [r[1][step.name][0] for r in runs]
        cpus = [r[1][step.name][1] for r in runs]
        _, _, files, status = runs[-1][1][step.name]
        print(f"  {step.name:<26} {status:<13} {statistics.median(walls):8.2f} "
              f"{statistics.median(cpus):13.2f} {files:13d}")
    totals = [r[0] for r in runs]
    print(f"  {'whole apply, warm median':<40} {statistics.median(totals):8.2f}  "
          f"(min {min(totals):.2f}, max {max(totals):.2f})")
    return 0


def run_series(args: argparse.Namespace) -> int:
    """make bench-series: whole `treewide series` runs (plain or git tree as
    given), the first after dropping the page cache where allowed, then warm."""
    rec = recipe.load(args.recipe)
    sp = Spatch(jobs=args.jobs)
    tree = Tree(args.ksrc)
    print(
        f"bench-series: {tree.name} ({tree.version}), {'git' if tree.is_git() else 'plain'} tree, "
        f"{sp.jobs} job(s), 1 first + {args.runs} warm run(s), {os.cpu_count()} core(s)"
    )

    def once() -> tuple[float, int]:
        with tempfile.TemporaryDirectory(prefix="treewide-bench-series-") as tmp:
            job = series.Series(
                Tree(args.ksrc),
                rec,
                sp,
                os.path.join(tmp, "out"),
                target.for_tree(tree.version),
                signoff="Bench <bench@example.org>",
                log=lambda *a: None,
            )
            t0 = time.monotonic()
            data, _ = job.run(allow_dirty=True)
            return time.monotonic() - t0, len(data["patches"]) if data else 0
    how = drop_page_cache()
    first, patches = once()
    warm = [once()[0] for _ in range(args.runs)]
    print(
        f"  {patches} patch(es); first run ({how}): {first:.2f} s; warm median"
        f" {statistics.median(warm):.2f} s (min {min(warm):.2f}, max {max(warm):.2f})"
    )
    return 0
