"""What the test modules share: the command, the small-tree test case, the
Debian trees and copies of trees."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from . import minitree

REPO = Path(__file__).resolve().parents[2]
CI = REPO / "ci"
SCRIPTS = Path(__file__).resolve().parents[1]
TREEWIDE = ["/usr/bin/python3", str(SCRIPTS / "treewide")]


def one_job(args):
    """The tool's commands on small trees with one spatch at a time: tests run
    two modules at once, and a second process per rule only doubles the work."""
    args = [str(a) for a in args]
    if (
        args
        and args[0] in ("apply", "series", "sweep")
        and not any(a.startswith(("-j", "--jobs")) for a in args)
    ):
        args.append("-j1")
    return args


def treewide(*args, env=None, user=None, tool=TREEWIDE):
    cmd = tool + one_job(args)
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="treewide test "))   # a space on purpose
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.out = self.tmp / "out dir"

    def tree(self, arches=(("alpha", "plain"), ("mips", "check"))):
        return minitree.write(self.tmp / "linux tree", arches)

    def apply(self, tree, *extra, ok=True):
        r = treewide("apply", tree, "--out", self.out, *extra)
        if ok:
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def as_user(self, *args):
        """treewide run as an unprivileged user when the tests run as root (root reads and
        writes anything), from a copy of the toolkit that user can read."""
        if os.geteuid() != 0:
            return treewide(*args)
        kit = self.tmp / "kit"
        if not kit.exists():
            for part in ("scripts", "semantic-patches", "kernel-overlay"):
                shutil.copytree(
                    SCRIPTS.parent / part, kit / part, ignore=shutil.ignore_patterns("__pycache__")
                )
            for p in [self.tmp, kit, *kit.rglob("*")]:
                p.chmod(0o777 if p.is_dir() else 0o755)
        return treewide(
            *args, user="nobody", tool=["/usr/bin/python3", str(kit / "scripts/treewide")]
        )

    def report(self):
        return json.loads((self.out / "apply.json").read_text())

    def steps(self):
        return {s["name"]: s for s in self.report()["steps"]}


def debian_tree(version):
    r = subprocess.run(
        [str(CI / "kernel-tree"), version], capture_output=True, text=True, check=False
    )
    if r.returncode != 0:
        raise AssertionError(
            f"Debian {version} source unavailable: {r.stderr.strip()} (run `make deps`)"
        )
    return Path(r.stdout.strip())


def fetched_tree(variable, name):
    """A fetched tree: $variable, else $TREEWIDE_TREES/name; None when neither is here."""
    path = os.environ.get(variable) or (
        os.environ.get("TREEWIDE_TREES") and Path(os.environ["TREEWIDE_TREES"], name)
    )
    return Path(path) if path and (Path(path) / "Makefile").is_file() else None


def scratch_copy(src, tmp):
    """A copy of a tree sharing unchanged files (apply replaces, never edits, a file)."""
    dst = Path(tmp) / src.name
    dst.parent.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["cp", "-al", str(src), str(dst)], check=False).returncode != 0:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst, symlinks=True)
    return dst


def differing(a, b):
    r = subprocess.run(["diff", "-rq", str(a), str(b)], capture_output=True, text=True, check=False)
    return sorted(
        line.split()[1][len(str(a)) + 1 :]
        for line in r.stdout.splitlines()
        if line.startswith("Files ")
    )
