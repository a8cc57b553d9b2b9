"""apply on real kernel trees: the Debian 6.1 and 6.12 sources (installed by
`make deps-kernel`), and 4.10.17 against 4.11.0 where the developer has them
(TREEWIDE_TREE_4_10, TREEWIDE_TREE_4_11: fetched trees never enter CI)."""

import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from .hooks import body, definitions, signature, tokens
from .test_apply import treewide

CI = Path(__file__).resolve().parents[2] / "ci"

CHANGED_6_1 = sorted(["arch/alpha/include/asm/dma-mapping.h", "arch/ia64/include/asm/dma-mapping.h",
                      "arch/mips/include/asm/dma-mapping.h", "arch/parisc/include/asm/dma-mapping.h",
                      "arch/sparc/include/asm/dma-mapping.h", "arch/x86/include/asm/dma-mapping.h",
                      "include/asm-generic/dma-mapping.h", "include/linux/dma-map-ops.h"])


def debian_tree(version):
    r = subprocess.run([str(CI / "kernel-tree"), version], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise AssertionError(f"Debian {version} source unavailable: {r.stderr.strip()} (run `make deps-kernel`)")
    return Path(r.stdout.strip())


def scratch_copy(src, tmp):
    """A copy of a tree sharing unchanged files (apply replaces, never edits, a file)."""
    dst = Path(tmp) / src.name
    if subprocess.run(["cp", "-al", str(src), str(dst)], check=False).returncode != 0:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst, symlinks=True)
    return dst


def differing(a, b):
    r = subprocess.run(["diff", "-rq", str(a), str(b)], capture_output=True, text=True, check=False)
    return sorted(line.split()[1][len(str(a)) + 1:] for line in r.stdout.splitlines() if line.startswith("Files "))


class TreeCase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="treewide-trees-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def apply(self, tree, name="out"):
        out = self.tmp / name
        r = treewide("apply", tree, "--out", out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout, json.loads((out / "apply.json").read_text())


class Debian61(TreeCase):
    def test_argument_dropped_as_in_6_12(self):
        orig = debian_tree("6.1")
        new = debian_tree("6.12")
        tree = scratch_copy(orig, self.tmp)
        out, report = self.apply(tree)
        self.assertEqual(report["generation_before"], "B")
        self.assertEqual(report["residuals"], [])
        self.assertEqual(differing(orig, tree), CHANGED_6_1)
        self.assertEqual(report["changed_files"], CHANGED_6_1)
        for rel in CHANGED_6_1:
            ours = definitions((tree / rel).read_text(), "get_arch_dma_ops")
            if rel == "include/linux/dma-map-ops.h":
                self.assertIn("return get_arch_dma_ops();", (tree / rel).read_text())
                self.assertIn("return get_arch_dma_ops();", (new / rel).read_text())
                continue
            self.assertEqual(len(ours), 1, rel)
            self.assertIn("get_arch_dma_ops(void)", signature(ours[0]))
            if "ia64" in rel:                # removed from the kernel in 6.7
                continue
            theirs = definitions((new / rel).read_text(), "get_arch_dma_ops")
            self.assertEqual(len(theirs), 1, rel)
            self.assertEqual(tokens(signature(ours[0]), ()), tokens(signature(theirs[0]), ()), rel)
            if "alpha" not in rel:           # alpha's body changed after 6.1 for another reason
                self.assertEqual(tokens(body(ours[0]), ()), tokens(body(theirs[0]), ()), rel)
        out, report = self.apply(tree, "again")
        self.assertIn("Nothing to do", out)
        self.assertEqual(report["changed_files"], [])
        self.assertEqual(differing(orig, tree), CHANGED_6_1)


class Debian612(TreeCase):
    def test_nothing_to_do(self):
        orig = debian_tree("6.12")
        tree = scratch_copy(orig, self.tmp)
        out, report = self.apply(tree)
        self.assertIn("Nothing to do: the tree is already at the end state", out)
        self.assertEqual(report["generation_before"], "C")
        self.assertEqual({s["status"] for s in report["steps"]}, {"already-done", "not-applicable"})
        self.assertEqual(differing(orig, tree), [])


@unittest.skipUnless(os.environ.get("TREEWIDE_TREE_4_10") and os.environ.get("TREEWIDE_TREE_4_11"),
                     "set TREEWIDE_TREE_4_10 and TREEWIDE_TREE_4_11 to unpacked 4.10.17 and 4.11.0 trees")
class Linux410(TreeCase):
    def test_hooks_equal_4_11(self):
        orig = Path(os.environ["TREEWIDE_TREE_4_10"])
        ref = Path(os.environ["TREEWIDE_TREE_4_11"])
        tree = scratch_copy(orig, self.tmp)
        _, report = self.apply(tree)
        steps = {s["name"]: s for s in report["steps"]}
        self.assertEqual(steps["drop-bus-argument"]["status"], "skipped")
        self.assertIn("arch/sparc/include/asm/dma-mapping.h", steps["drop-bus-argument"]["reason"])
        headers = sorted(glob.glob(str(orig / "arch/*/include/asm/dma-mapping.h")))
        self.assertEqual(len(headers), 29)
        for h in headers:
            rel = os.path.relpath(h, orig)
            ours = definitions((tree / rel).read_text(), "get_arch_dma_ops")
            theirs = definitions((ref / rel).read_text(), "get_arch_dma_ops")
            self.assertTrue(ours, rel)
            self.assertEqual([tokens(body(d)) for d in ours], [tokens(body(d)) for d in theirs], rel)
            self.assertTrue(all("struct bus_type *bus" in signature(d) for d in ours), rel)
        left = subprocess.run(["grep", "-rlE", "--include=*.[ch]", r"archdata(\.|->)dma_ops", str(tree)],
                              capture_output=True, text=True, check=False).stdout
        self.assertEqual(left, "")
        _, again = self.apply(tree, "again")
        self.assertEqual(again["changed_files"], [])


if __name__ == "__main__":
    unittest.main()
