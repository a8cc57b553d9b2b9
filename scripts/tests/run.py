"""Run the tests by tier. Every scripts/tests/test_*.py is found by itself;
a module says its tier with a top-level `TIER = "..."` line (none: check).

    python3 -m tests.run [-j N] [TIER...]   (from scripts/; default: check)

With -j N, N modules of the check tier run at once, each in a process of
its own (its output printed whole when it ends), the slowest first; the
other tiers' modules, which use every core themselves, run one at a time.

Tiers, in the order `make test` runs them:
  check   rules and fixtures, the tool on small kernel-shaped trees, units
          (no kernel tree, build or boot: `make check`, before every commit)
  trees   the real Debian 6.1 and 6.12 trees: apply, series, overlay
  sweep   the release sweep against scripts/data/sweep.toml
  matrix  real cross builds of kernel objects, baseline against patched
  boot    real kernels booted under QEMU (and Xen)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
# How long each module took last time: the slowest start first, so that the
# workers finish together (the repository's out/, which git ignores).
TIMES = HERE.parents[1] / "out" / "test-times.json"
TIERS = ("check", "trees", "sweep", "matrix", "boot")
_TIER = re.compile(r'(?m)^TIER = "(\w+)"')


def tier_of(path):
    m = _TIER.search(path.read_text(encoding="utf-8"))
    return m.group(1) if m else "check"


def modules(tiers):
    """(tier, module name) of every test module in the tiers, in tier order."""
    found = sorted((TIERS.index(tier_of(p)) if tier_of(p) in TIERS else -1, p.stem)
                   for p in HERE.glob("test_*.py"))
    unknown = [name for i, name in found if i < 0]
    if unknown:
        raise SystemExit(
            f"run: {', '.join(unknown)} declare(s) a TIER that is none of {', '.join(TIERS)}"
        )
    return [(TIERS[i], name) for i, name in found if TIERS[i] in tiers]


def _read_times():
    try:
        return json.loads(TIMES.read_text())
    except (OSError, ValueError):
        return {}


def _write_times(last, now):
    try:
        TIMES.parent.mkdir(exist_ok=True)
        TIMES.write_text(json.dumps({**last, **now}, indent=1, sort_keys=True) + "\n")
    except OSError:
        pass                    # only an ordering hint


def run_module(tier, name):
    """(row of the summary, passed, seconds) for one module, run in its own process."""
    env = dict(os.environ, TREEWIDE_BOOT_TESTS="1") if tier == "boot" else None
    t0 = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "unittest", "-v", f"tests.{name}"],
        cwd=HERE.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    print(r.stdout, flush=True)
    last = (r.stdout.strip().splitlines() or ["(no output)"])[-1]
    ran = re.search(r"(?m)^Ran (\d+) test", r.stdout)
    verdict = "ok" if r.returncode == 0 else f"FAILED (exit {r.returncode})"
    took = time.monotonic() - t0
    return (
        (
            f"  {tier:<7} {name:<20} {ran.group(1) if ran else '?':>3} test(s)  {took:7.1f} s "
            f" {verdict}: {last}"
        ),
        r.returncode == 0,
        round(took, 1),
    )


def main(argv):
    p = argparse.ArgumentParser(prog="tests.run", description="run the test tiers")
    p.add_argument("-j", "--jobs", type=int, default=1, help="modules at once")
    p.add_argument(
        "tiers", nargs="*", metavar="TIER", help=f"one of {', '.join(TIERS)} (default: check)"
    )
    args = p.parse_args(argv)
    args.tiers = args.tiers or ["check"]
    bad = [t for t in args.tiers if t not in TIERS]
    if bad:
        p.error(f"unknown tier(s) {', '.join(bad)}; tiers: {', '.join(TIERS)}")
    chosen = modules(args.tiers)
    last = _read_times()
    t0 = time.monotonic()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        slowest_first = sorted(
            (m for m in chosen if m[0] == "check"), key=lambda m: -last.get(m[1], 0)
        )
        parallel = dict(zip(slowest_first, pool.map(lambda m: run_module(*m), slowest_first)))
    results = [parallel[m] if m in parallel else run_module(*m) for m in chosen]
    _write_times(last, {name: r[2] for (tier, name), r in zip(chosen, results)})
    print(
        f"\nTiers {', '.join(args.tiers)} ({len(results)} module(s), {time.monotonic() - t0:.0f} s"
        " in all):"
    )
    print("\n".join(row for row, _, _ in results))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
