"""The release sweep against upstream history (scripts/data/sweep.toml).

The Debian 6.1 and 6.12 trees always run (`make deps`). The fetched
trees run where TREEWIDE_TREES names a directory of linux-<version>
folders; they never enter CI. Every row must be as its expectation says,
reach a fixpoint, and, where upstream has an answer, equal it token for
token once the tree is applied.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from treewide_lib.sweep import EXPECTATIONS, load_expectations

from .hooks import definitions, tokens
from .support import debian_tree, treewide

TIER = "sweep"


def available_trees():
    """{folder name: path} of every tree this machine has for the sweep."""
    trees = {p.name: p for p in (debian_tree("6.1"), debian_tree("6.12"))}
    root = os.environ.get("TREEWIDE_TREES")
    if root:
        trees.update(
            {p.name: p for p in sorted(Path(root).glob("linux-*")) if (p / "Makefile").is_file()}
        )
    return trees


def applied_copy(tree, diff, dest):
    """A copy of `tree` with the sweep's diff for it applied (unchanged files hard-linked)."""
    # resolved: `cp -a` copies a symlinked tree as the link, and patch
    # would then write into the tree itself
    if subprocess.run(["cp", "-al", str(tree.resolve()), str(dest)], check=False).returncode != 0:
        raise AssertionError(f"cannot copy {tree}")
    r = subprocess.run(
        ["patch", "-p1", "-s", "--follow-symlinks", "-d", str(dest), "-i", str(diff)],
        capture_output=True,
        text=True,
        check=False,
    )
    if r.returncode != 0:
        raise AssertionError(f"the sweep's diff does not apply to {tree}: {r.stdout}{r.stderr}")
    return dest


class Sweep(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="treewide-sweep-"))
        cls.trees = available_trees()
        cls.expect = load_expectations(EXPECTATIONS)
        cls.names = sorted(n for n in cls.trees if n in cls.expect)
        cls.started = cls.tmp / "started"
        cls.started.touch()
        cls.swept = treewide(
            "sweep",
            *[cls.trees[n] for n in cls.names],
            "--out",
            cls.tmp / "out",
            "--expect",
            EXPECTATIONS,
        )
        cls.data = (
            json.loads((cls.tmp / "out" / "sweep.json").read_text())
            if cls.swept.returncode < 2
            else None
        )

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_every_row_as_upstream_history_says(self):
        self.assertEqual(self.swept.returncode, 0, self.swept.stdout + self.swept.stderr)
        rows = {r["name"]: r for r in self.data["trees"]}
        self.assertEqual(sorted(rows), self.names)
        for name, row in rows.items():
            with self.subTest(tree=name):
                self.assertEqual(row["check"], [])
                self.assertEqual(row["second_pass"]["changed_files"], [])
                self.assertEqual(row["residuals"], [])
        self.assertIn("| linux-source-6.12 |", (self.tmp / "out" / "sweep.md").read_text())

    def test_nothing_written_into_the_trees(self):
        r = subprocess.run(
            ["find", *[str(self.trees[n]) for n in self.names], "-newer", str(self.started)],
            capture_output=True,
            text=True,
            check=True,
        )
        self.assertEqual(r.stdout, "")

    def test_hooks_equal_upstream(self):
        checked = 0
        for name in self.names:
            exp = self.expect[name]
            if not exp.get("hook") and not exp.get("hooks_as"):
                continue
            ref = self.trees.get(exp.get("hooks_as", ""))
            if exp.get("hooks_as") and ref is None:
                continue          # the reference release is not on this machine
            with self.subTest(tree=name):
                ours = self.applied(name)
                if ref is not None and exp.get("hooks_as_applied"):
                    ref = self.applied(exp["hooks_as"])
                if ref is not None:
                    checked += self.assertHooksAs(ours, ref, exp)
                for hook in exp.get("hook", []):
                    text = (ours / hook["file"]).read_text()
                    found = definitions(text, hook.get("function", "get_arch_dma_ops"))
                    self.assertEqual(len(found), 1, hook["file"])
                    body = found[0][found[0].index("{") + 1:found[0].rindex("}")]
                    self.assertEqual(tokens(body, ()), tokens(hook["body"], ()), hook["file"])
                    if "absent" in hook:
                        self.assertNotIn(hook["absent"], text, hook["file"])
                    checked += 1
        if not checked:
            self.skipTest(
                "no tree with an upstream answer and its reference here (TREEWIDE_TREES unset?)"
            )

    def applied(self, name):
        """The tree `name` as this sweep left it (made once)."""
        dest = self.tmp / name
        if not dest.exists():
            applied_copy(self.trees[name], self.tmp / "out" / name / "apply.diff", dest)
        return dest

    def assertHooksAs(self, ours, ref, exp):
        """Every arch's get_arch_dma_ops() as in `ref` (constness aside); the number compared."""
        n = 0
        for header in sorted(ours.glob("arch/*/include/asm/dma-mapping.h")):
            arch = header.parts[-4]
            if arch in exp.get("hooks_except", {}):
                continue
            rel = header.relative_to(ours)
            mine = definitions(header.read_text(), "get_arch_dma_ops")
            theirs = (
                definitions((ref / rel).read_text(), "get_arch_dma_ops")
                if (ref / rel).exists()
                else []
            )
            if arch in exp.get("signature_only", {}):
                mine, theirs = ([d[:d.index("{")] for d in x] for x in (mine, theirs))
            self.assertEqual([tokens(d) for d in mine], [tokens(d) for d in theirs], str(rel))
            n += 1
        self.assertGreater(n, 0)
        return n


if __name__ == "__main__":
    unittest.main()


class Releases(unittest.TestCase):
    """Every mainline release from 4.4 to 6.12 is covered by a row of the
    sweep, or listed with why none is (scripts/data/sweep.toml)."""

    def test_every_release_has_a_row_or_a_reason(self):
        import tomllib
        data = tomllib.loads(EXPECTATIONS.read_text())
        rows = {row["name"] for row in data["tree"]}
        listed = [r["release"] for r in data.get("release", [])]
        wanted = (
            [f"4.{y}" for y in range(4, 21)]
            + [f"5.{y}" for y in range(20)]
            + [f"6.{y}" for y in range(13)]
        )
        self.assertEqual(listed, wanted)
        for r in data["release"]:
            with self.subTest(release=r["release"]):
                self.assertNotEqual(
                    bool(r.get("trees")), bool(r.get("missing")), "trees or missing, one of them"
                )
                for name in r.get("trees", []):
                    self.assertIn(name, rows)
                    self.assertRegex(name, rf"^linux-(source-)?{re.escape(r['release'])}(\.|-|$)")

    def test_every_fetched_row_says_where_its_tree_comes_from(self):
        for name, row in load_expectations(EXPECTATIONS).items():
            if not name.startswith("linux-source-") and "source" in row:
                with self.subTest(tree=name):
                    self.assertRegex(row["source"], r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")

