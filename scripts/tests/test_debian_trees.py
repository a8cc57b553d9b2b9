"""apply on real kernel trees: the Debian 6.1 and 6.12 sources (installed by
`make deps`), and 4.10.17 against 4.11.0 where the developer has them
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
from .support import debian_tree, differing, fetched_tree, scratch_copy, treewide

TIER = "trees"

CHANGED_6_1 = sorted(
    [
        "arch/alpha/include/asm/dma-mapping.h",
        "arch/ia64/include/asm/dma-mapping.h",
        "arch/mips/include/asm/dma-mapping.h",
        "arch/parisc/include/asm/dma-mapping.h",
        "arch/sparc/include/asm/dma-mapping.h",
        "arch/x86/include/asm/dma-mapping.h",
        "include/asm-generic/dma-mapping.h",
        "include/linux/dma-map-ops.h",
    ]
)


class TreeCase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="treewide-trees-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def apply(self, tree, name="out"):
        out = self.tmp / name
        r = treewide("apply", tree, "--out", out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout, json.loads((out / "apply.json").read_text())


    def assertXenNotApplicable(self, report):
        xen = next(s for s in report["steps"] if s["name"] == "xen-preserve-dma-ops")
        self.assertEqual(xen["status"], "not-applicable")
        self.assertEqual(xen["changed_files"], [])
        for evidence in (
            "include/xen/arm/xen-ops.h:",
            "no xen_dma_ops",
            "arm64 has no arch DMA header",
        ):
            self.assertIn(evidence, xen["reason"])


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
        self.assertXenNotApplicable(report)
        out, report = self.apply(tree, "again")
        self.assertIn("Nothing to do", out)
        self.assertEqual(report["changed_files"], [])
        self.assertEqual(differing(orig, tree), CHANGED_6_1)


class ArchTable(unittest.TestCase):
    def test_every_arch_has_a_row(self):
        from treewide_lib.kbuild import table
        arches = table.load()
        rows = {c.arch for c in arches.cells.values()} | set(arches.no_cell)
        for version in ("6.1", "6.12"):
            arches = {p.name for p in (debian_tree(version) / "arch").iterdir() if p.is_dir()}
            self.assertEqual(sorted(arches - rows), [], version)


class Debian612(TreeCase):
    def test_nothing_to_do(self):
        orig = debian_tree("6.12")
        tree = scratch_copy(orig, self.tmp)
        out, report = self.apply(tree)
        self.assertIn("Nothing to do: the tree is already at the end state", out)
        self.assertEqual(report["generation_before"], "C")
        self.assertEqual({s["status"] for s in report["steps"]}, {"already-done", "not-applicable"})
        self.assertXenNotApplicable(report)
        self.assertEqual(differing(orig, tree), [])


TREE_4_10 = fetched_tree("TREEWIDE_TREE_4_10", "linux-4.10.17")
TREE_4_11 = fetched_tree("TREEWIDE_TREE_4_11", "linux-4.11.0")


@unittest.skipUnless(
    TREE_4_10 and TREE_4_11,
    (
        "set TREEWIDE_TREES (or TREEWIDE_TREE_4_10 and TREEWIDE_TREE_4_11) "
        "to unpacked 4.10.17 and 4.11.0 trees"
    ),
)
class Linux410(TreeCase):
    def test_hooks_equal_4_11_and_xen_end_state_equal_fixed_4_11(self):
        # 4.11.0 is upstream's answer for the consolidation; the steps after it
        # (the sparc32 ops, the argument removal) apply to both trees alike, so
        # the 4.10 tree is compared with 4.11.0 as the same recipe leaves it.
        orig, ref = TREE_4_10, TREE_4_11
        tree = scratch_copy(orig, self.tmp)
        _, report = self.apply(tree)
        steps = {s["name"]: s for s in report["steps"]}
        self.assertEqual(
            {n: steps[n]["status"] for n in ("sparc32-pci-dma-ops", "drop-bus-argument")},
            {"sparc32-pci-dma-ops": "applied", "drop-bus-argument": "applied"},
        )
        fixed = scratch_copy(ref, self.tmp / "4.11")
        _, ref_report = self.apply(fixed, "out-4.11")
        self.assertEqual(ref_report["invariants"]["xen-dom0-arm"]["broken_before"], True)
        headers = sorted(glob.glob(str(orig / "arch/*/include/asm/dma-mapping.h")))
        self.assertEqual(len(headers), 29)
        for h in headers:
            rel = os.path.relpath(h, orig)
            ours = definitions((tree / rel).read_text(), "get_arch_dma_ops")
            theirs = definitions((fixed / rel).read_text(), "get_arch_dma_ops")
            self.assertTrue(ours, rel)
            self.assertEqual(
                [tokens(body(d)) for d in ours], [tokens(body(d)) for d in theirs], rel
            )
            self.assertTrue(all("(void)" in signature(d) for d in ours), rel)
        left = subprocess.run(
            ["grep", "-rlE", "--include=*.[ch]", r"archdata(\.|->)dma_ops", str(tree)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        self.assertEqual(left, "")
        _, again = self.apply(tree, "again")
        self.assertEqual(again["changed_files"], [])
        self.assertFalse(any(s["broke_invariants"] for s in report["steps"]))
        self.assertXenEndStateEqual(tree, fixed)

    def assertXenEndStateEqual(self, a, b):
        for arch in ("arm", "arm64"):
            hooks = [
                definitions(
                    (t / f"arch/{arch}/include/asm/dma-mapping.h").read_text(), "get_arch_dma_ops"
                )
                for t in (a, b)
            ]
            self.assertEqual(*[[tokens(body(d)) for d in h] for h in hooks])
            for t in (a, b):
                setup = definitions(
                    (t / f"arch/{arch}/mm/dma-mapping.c").read_text(), "arch_setup_dma_ops"
                )
                self.assertEqual(len(setup), 1)
                self.assertIn("xen_preserve_dma_ops(dev);", setup[0])
                self.assertIn("const struct dma_map_ops *dev_dma_ops;",
                              (t / f"arch/{arch}/include/asm/device.h").read_text())
        for rel in ("include/xen/arm/page-coherent.h", "drivers/xen/swiotlb-xen.c"):
            self.assertEqual(
                [(t / rel).read_text().count("__generic_dma_ops(") for t in (a, b)], [0, 0], rel
            )
        users = [
            (t / "include/xen/arm/page-coherent.h").read_text().count("xen_get_dma_ops(")
            for t in (a, b)
        ]
        self.assertEqual(users, [9, 9])
        overlay = Path(__file__).resolve().parents[2] / "kernel-overlay/include/xen/arm/dma-ops.h"
        for t in (a, b):
            self.assertEqual((t / "include/xen/arm/dma-ops.h").read_text(), overlay.read_text())


if __name__ == "__main__":
    unittest.main()
