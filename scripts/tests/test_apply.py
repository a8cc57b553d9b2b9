"""treewide apply on small kernel-shaped trees: outcomes, residuals, bad input."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from . import minitree
from .support import SCRIPTS, TREEWIDE, Base, treewide

class Outcomes(Base):
    def test_generation_a_goes_to_c(self):
        tree = self.tree()
        self.apply(tree)
        steps = self.steps()
        self.assertEqual(
            [s["status"] for s in steps.values()],
            ["applied", "not-applicable", "applied", "not-applicable", "not-applicable", "applied"],
        )
        self.assertEqual(self.report()["generation_before"], "A")
        self.assertEqual(self.report()["residuals"], [])
        alpha = (tree / "arch/alpha/include/asm/dma-mapping.h").read_text()
        self.assertIn(
            "struct dma_map_ops *get_arch_dma_ops(void)\n{\n\treturn &alpha_dma_ops;\n}", alpha
        )
        mips = (tree / "arch/mips/include/asm/dma-mapping.h").read_text()
        self.assertIn("get_arch_dma_ops(void)\n{\n\treturn mips_default_ops;\n}", mips)
        self.assertNotIn("set_dma_ops", mips)
        generic = (tree / "include/linux/dma-mapping.h").read_text()
        self.assertIn("return get_arch_dma_ops();", generic)
        self.assertIn("static inline void set_dma_ops(struct device *dev,", generic)
        self.assertIn(
            "\tstruct dma_map_ops *dma_ops;\n\tu64 *dma_mask;",
            (tree / "include/linux/device.h").read_text(),
        )
        self.assertIn(
            "wdev->dev.dma_ops = &widget_dma_ops;", (tree / "drivers/widget/widget.c").read_text()
        )

    def test_second_run_changes_nothing(self):
        tree = self.tree()
        self.apply(tree)
        first = minitree.snapshot(tree)
        r = self.apply(tree)
        self.assertEqual(minitree.snapshot(tree), first)
        self.assertEqual(
            {s["status"] for s in self.steps().values()}, {"already-done", "not-applicable"}
        )
        self.assertIn("Nothing to do", r.stdout)

    def test_argument_removal_is_all_or_nothing(self):
        tree = self.tree((("alpha", "plain"), ("sparc", "uses-bus")))
        self.apply(tree)
        step = self.steps()["drop-bus-argument"]
        self.assertEqual(step["status"], "skipped")
        self.assertIn("arch/sparc/include/asm/dma-mapping.h", step["reason"])
        self.assertEqual(step["changed_files"], [])
        for arch in ("alpha", "sparc"):
            text = (tree / f"arch/{arch}/include/asm/dma-mapping.h").read_text()
            self.assertIn("get_arch_dma_ops(struct bus_type *bus)", text)
        self.assertIn(
            "bus == &pci_bus_type", (tree / "arch/sparc/include/asm/dma-mapping.h").read_text()
        )

    def test_sparc32_pci_devices_get_their_ops_per_device(self):
        tree = self.sparc_tree("sparc-pci32", pci="applied", sbus="not-applicable")
        hook = (tree / "arch/sparc/include/asm/dma-mapping.h").read_text()
        self.assertIn(
            (
                "get_arch_dma_ops(void)\n{\n#ifdef CONFIG_SPARC_LEON\n\tif (sparc_cpu_model =="
                " sparc_leon)\n\t\treturn &pci32_dma_ops;\n#endif\n\treturn dma_ops;\n}"
            ),
            hook,
        )
        self.assertNotIn("pci_bus_type", hook)
        self.assertIn(
            (
                "#ifdef CONFIG_PCI\n/* The ops of sparc32 PCI devices, given per device: not chosen"
                " by bus */\nint pcibios_add_device(struct pci_dev"
                " *dev)\n{\n\tset_dma_ops(&dev->dev, &pci32_dma_ops);\n\treturn 0;\n}\n#endif\n"
            ),
            (tree / "arch/sparc/kernel/ioport.c").read_text(),
        )
        self.assertSecondRunChangesNothing(tree)

    def test_sparc32_pci_devices_get_the_ops_the_hook_names(self):
        # 4.19's hook gives PCI devices the generic noncoherent ops, not pci32_dma_ops.
        tree = self.sparc_tree("sparc-noncoherent", pci="applied", sbus="not-applicable")
        self.assertIn(
            "\tset_dma_ops(&dev->dev, &dma_noncoherent_ops);\n",
            (tree / "arch/sparc/kernel/ioport.c").read_text(),
        )
        self.assertNotIn(
            "pci_bus_type", (tree / "arch/sparc/include/asm/dma-mapping.h").read_text()
        )

    def test_sparc32_sbus_devices_get_their_ops_per_device(self):
        tree = self.sparc_tree("sparc-direct", pci="not-applicable", sbus="applied")
        self.assertIn("get_arch_dma_ops(void)\n{\n\t/* sparc32 uses per-device dma_ops */\n"
                      "\treturn IS_ENABLED(CONFIG_SPARC64) ? dma_ops : NULL;\n}",
                      (tree / "arch/sparc/include/asm/dma-mapping.h").read_text())
        for rel in ("arch/sparc/mm/iommu.c", "arch/sparc/mm/io-unit.c"):
            self.assertIn(
                "\t\top->dev.dma_ops = dma_ops;\n\t\tof_propagate_archdata(op);",
                (tree / rel).read_text(),
            )
        self.assertIn(
            "bus_sd->numa_node;\n\t\top->dev.dma_ops = bus->dev.dma_ops;\n",
            (tree / "arch/sparc/kernel/of_device_common.c").read_text(),
        )
        self.assertSecondRunChangesNothing(tree)

    def sparc_tree(self, shape, pci, sbus):
        """A tree with that sparc shape, applied: the sparc32 steps as given,
        the argument gone, no residual."""
        tree = self.tree((("alpha", "plain"), ("sparc", shape)))
        self.apply(tree)
        steps = {name: s["status"] for name, s in self.steps().items()}
        self.assertEqual(
            (
                steps["sparc32-pci-dma-ops"],
                steps["sparc32-sbus-dma-ops"],
                steps["drop-bus-argument"],
            ),
            (pci, sbus, "applied"),
        )
        self.assertEqual(self.report()["residuals"], [])
        return tree

    def assertSecondRunChangesNothing(self, tree):
        first = minitree.snapshot(tree)
        self.apply(tree)
        self.assertEqual(minitree.snapshot(tree), first)

    def test_sparc32_without_all_per_device_ops_keeps_its_hook(self):
        # The IO-UNIT (sun4d) file has a shape the rule does not know: had
        # the hook gone to NULL, sun4d's SBUS devices would have lost their ops.
        tree = self.tree((("alpha", "plain"), ("sparc", "sparc-direct")))
        (tree / "arch/sparc/mm/io-unit.c").write_text(
            "void iounit_init(void)\n{\n\tvendor_sbi_scan();\n}\n"
        )
        before = (tree / "arch/sparc/include/asm/dma-mapping.h").read_text()
        self.apply(tree)
        self.assertEqual((tree / "arch/sparc/include/asm/dma-mapping.h").read_text(), before)
        steps = self.steps()
        self.assertEqual(steps["sparc32-sbus-dma-ops"]["status"], "applied")
        self.assertEqual(steps["drop-bus-argument"]["status"], "skipped")
        self.assertIn(("sparc hook tests the bus", "arch/sparc/include/asm/dma-mapping.h"),
                      [(r["kind"], r.get("file")) for r in self.report()["residuals"]])

    def test_unknown_shape_is_a_residual_left_alone(self):
        tree = self.tree((("alpha", "plain"), ("foo", "unknown")))
        self.apply(tree)
        foo = tree / "arch/foo/include/asm/dma-mapping.h"
        self.assertIn(
            "get_dma_ops(struct device *dev)\n{\n\treturn foo_pick_ops(dev);", foo.read_text()
        )
        res = self.report()["residuals"]
        self.assertEqual([(r["kind"], r.get("file"), r.get("line")) for r in res],
                         [("arch get_dma_ops()", "arch/foo/include/asm/dma-mapping.h", 6)])
        self.assertEqual(treewide("apply", tree, "--out", self.out, "--strict").returncode, 3)

    def test_a_step_short_of_its_end_state_is_not_kept(self):
        # The generic header reaches the arch hooks by a path the rules do not
        # know: the members would move with no generic set_dma_ops() to set them.
        tree = self.tree()
        generic = tree / "include/linux/dma-mapping.h"
        generic.write_text(generic.read_text().replace("<asm/dma-mapping.h>", "<asm/dma-ops.h>"))
        before = minitree.snapshot(tree)
        r = self.apply(tree, ok=False)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)  # a CI running apply notices
        self.assertIn(
            (
                "The tree did NOT reach the recipe's end state: move-dma-ops fell short of its end"
                " state and was undone, 5 later step(s) not run"
            ),
            r.stdout,
        )
        self.assertFalse(self.report()["end_state_reached"])
        self.assertEqual(minitree.snapshot(tree), before)
        steps = list(self.steps().values())
        self.assertEqual((steps[0]["name"], steps[0]["status"], steps[0]["changed_files"]),
                         ("move-dma-ops", "skipped", []))
        self.assertIn("did not reach its end state (a generic set_dma_ops())", steps[0]["reason"])
        for later in steps[1:]:
            self.assertEqual(later["status"], "skipped")
            self.assertIn("not run: move-dma-ops could not be applied", later["reason"])
        kinds = {(r["kind"], r.get("file")) for r in self.report()["residuals"]}
        self.assertIn(("archdata.dma_ops", "drivers/widget/widget.c"), kinds)
        self.assertIn(("missing end state", None), kinds)
        self.assertEqual(self.apply(tree, "--strict", ok=False).returncode, 3)

    def test_unparsable_code_is_reported_never_skipped(self):
        tree = self.tree()
        (tree / "drivers/widget/broken.c").write_text(
            "static void broken_setup(struct device *dev)\n{\n"
            "\tWIDGET_MAGIC(((;\n\tdev->archdata.dma_ops = &broken_ops;\n}\n")
        self.apply(tree)
        res = self.report()["residuals"]
        self.assertIn(("parse failure", "drivers/widget/broken.c", True),
                      [(r["kind"], r.get("file"), r.get("touches_site")) for r in res])
        self.assertIn(("archdata.dma_ops", "drivers/widget/broken.c", 4),
                      [(r["kind"], r.get("file"), r.get("line")) for r in res])

    def test_dry_run_writes_only_the_output(self):
        tree = self.tree()
        before = minitree.snapshot(tree)
        self.apply(tree, "--dry-run")
        self.assertEqual(minitree.snapshot(tree), before)
        self.assertIn("+static inline struct dma_map_ops *get_arch_dma_ops(void)",
                      (self.out / "apply.diff").read_text())


class XenOrder(Base):
    """The Xen preservation must land before the consolidation (recipe order)."""

    ARCHES = (("arm", "xen-arm"), ("arm64", "xen-arm"), ("alpha", "plain"))

    def test_every_step_keeps_dom0_on_xen_ops(self):
        tree = self.tree(self.ARCHES)
        self.apply(tree)
        steps = self.steps()
        self.assertEqual(steps["xen-preserve-dma-ops"]["status"], "applied")
        self.assertEqual([s["broke_invariants"] for s in steps.values()], [[]] * len(steps))
        inv = self.report()["invariants"]["xen-dom0-arm"]
        self.assertEqual((inv["broken_before"], inv["broken_after"]), (False, False))
        self.assertEqual(self.report()["residuals"], [])
        self.assertTrue((tree / "include/xen/arm/dma-ops.h").is_file())
        setup = (tree / "arch/arm/mm/dma-mapping.c").read_text()
        self.assertIn("#include <xen/arm/dma-ops.h>", setup)
        self.assertIn(
            "\tdev->archdata.dma_coherent = coherent;\n\txen_preserve_dma_ops(dev);\n}", setup
        )
        hook = (tree / "arch/arm64/include/asm/dma-mapping.h").read_text()
        # As upstream's fix has it: the native default, and no helper left.
        self.assertIn("get_arch_dma_ops(void)\n{\n\treturn &arm64_dma_ops;\n}", hook)
        self.assertNotIn("__generic_dma_ops", hook)
        self.assertIn(
            "xen_get_dma_ops(hwdev)->alloc", (tree / "include/xen/arm/page-coherent.h").read_text()
        )

    def test_xen_shapes_are_recognised_per_arch(self):
        """Each arch in a shape that keeps dom0 on Xen's ops, whatever the other holds
        (5.0 - 5.3: arm has the 4.12 fix, arm64 installs Xen's ops directly)."""
        said = {
            "fix": (
                "arch_setup_dma_ops() keeps the native ops in struct dev_archdata and installs"
                " Xen's"
            ),
            "direct": "arch_setup_dma_ops() installs Xen's ops straight in dev->dma_ops",
            "none": "no Xen DMA support",
        }
        for arm, arm64 in (
            ("fix", "direct"),
            ("direct", "fix"),
            ("none", "direct"),
            ("fix", "fix"),
        ):
            with self.subTest(arm=arm, arm64=arm64):
                tree = minitree.write_xen_gen_b(self.tmp / f"tree {arm} {arm64}", arm, arm64)
                r = treewide("apply", tree, "--out", self.out)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                steps = self.steps()
                xen = steps["xen-preserve-dma-ops"]
                self.assertEqual(xen["status"], "already-done", xen["reason"])
                self.assertIn(f"arm: {said[arm]}", xen["reason"])
                self.assertIn(f"arm64: {said[arm64]}", xen["reason"])
                self.assertEqual(steps["drop-bus-argument"]["status"], "applied")
                self.assertEqual(
                    (self.report()["residuals"], self.report()["end_state_reached"]), ([], True)
                )
                self.assertIn(
                    "get_arch_dma_ops(void)",
                    (tree / "arch/arm/include/asm/dma-mapping.h").read_text(),
                )
                after = minitree.snapshot(tree)
                self.assertEqual(treewide("apply", tree, "--out", self.out).returncode, 0)
                self.assertEqual(minitree.snapshot(tree), after)  # a second run changes nothing

    def test_an_arch_in_no_known_xen_shape_is_not_taken_as_fixed(self):
        tree = minitree.write_xen_gen_b(self.tmp / "tree", "fix", "hazard")
        before = minitree.snapshot(tree)
        r = self.apply(tree, ok=False)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertNotEqual(self.steps()["xen-preserve-dma-ops"]["status"], "already-done")
        self.assertIn("did NOT reach the recipe's end state", r.stdout)
        self.assertEqual(minitree.snapshot(tree), before)

    def test_consolidating_first_is_caught(self):
        import tomllib
        text = (SCRIPTS.parent / "semantic-patches/recipe.toml").read_text()
        data = tomllib.loads(text)
        order = [s["name"] for s in data["step"]]
        self.assertLess(order.index("xen-preserve-dma-ops"), order.index("consolidate-get-dma-ops"))
        # The same recipe with the Xen step moved after the consolidation.
        head, _, rest = text.partition("[[step]]\nname = \"xen-preserve-dma-ops\"")
        xen, _, tail = rest.partition("[[step]]\nname = \"consolidate-get-dma-ops\"")
        cons, _, last = tail.partition("[[step]]\nname = \"drop-bus-argument\"")
        swapped = (head + "[[step]]\nname = \"consolidate-get-dma-ops\"" + cons +
                   "[[step]]\nname = \"xen-preserve-dma-ops\"" + xen +
                   "[[step]]\nname = \"drop-bus-argument\"" + last)
        recipe = SCRIPTS.parent / "semantic-patches" / ".swapped-recipe.toml"
        recipe.write_text(swapped)
        self.addCleanup(recipe.unlink)
        tree = self.tree(self.ARCHES)
        self.apply(tree, "--recipe", recipe)
        steps = self.steps()
        self.assertEqual(
            steps["consolidate-get-dma-ops"]["broke_invariants"], ["xen-dom0-arm", "xen-dom0-arm64"]
        )
        self.assertIn(
            {"kind": "invariant broken", "what": "xen-dom0-arm", "step": "consolidate-get-dma-ops"},
            self.report()["residuals"],
        )


class BadInput(Base):
    def assertRefused(self, r, *words):
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        for w in words:
            self.assertIn(w, r.stderr)
        self.assertIn("fix:", r.stderr)

    def test_not_a_kernel_tree(self):
        d = self.tmp / "not a tree"
        d.mkdir()
        (d / "Makefile").write_text("all:\n")
        self.assertRefused(self.apply(d, ok=False), "is not a kernel tree")
        self.assertRefused(self.apply(self.tmp / "missing", ok=False), "is not a directory")

    def test_matrix_refuses_paths_kbuild_cannot_build(self):
        tree = self.tree()                             # its path has a space, as every path here
        before = minitree.snapshot(tree)
        r = treewide("matrix", tree, "--out", self.out, "--cell", "parisc")
        self.assertRefused(r, "space or colon", "Kbuild")
        self.assertFalse(self.out.exists())
        self.assertEqual(minitree.snapshot(tree), before)

    def test_matrix_refusals_change_nothing(self):
        """What a matrix run is refused for, checked before it writes anything."""
        root = Path(tempfile.mkdtemp(prefix="treewide-matrix-"))    # Kbuild-safe paths
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        tree, out = minitree.write(root / "linux"), root / "out"
        table = root / "arches.toml"
        table.write_text(
            '[arch.alpha]\npackage = "gcc-nowhere"\ncross_compile = "nowhere-linux-gnu-"\n'
            '[[arch.alpha.cell]]\nname = "alpha"\ndefconfig = "defconfig"\n'
        )
        before = minitree.snapshot(tree)
        cases = [
            (
                ["--arch-table", table],
                "no cross compiler for cell(s) alpha",
                "apt-get install gcc-nowhere",
            ),
            (["--arch-table", root / "none.toml"], "cannot read the arch table", "--arch"),
            (["--arch", "nosuch"], "unknown arch nosuch", "choose from"),
            (["--cell", "nosuch"], "unknown cell(s) nosuch", "choose from"),
        ]
        for extra, *words in cases:
            with self.subTest(extra=extra):
                self.assertRefused(treewide("matrix", tree, "--out", out, *extra), *words)
                self.assertFalse(out.exists())
        out.mkdir()
        (out / "notes.txt").write_text("mine\n")
        self.assertRefused(
            treewide("matrix", tree, "--out", out), "not empty", "no `treewide matrix` run"
        )
        self.assertEqual(os.listdir(out), ["notes.txt"])
        self.assertRefused(
            treewide("matrix-merge", root / "merged", out), "no cell records", "--shard"
        )
        (tree / ".config").write_text("CONFIG_ALPHA=y\n")  # built in place
        self.assertRefused(
            treewide("matrix", tree, "--out", root / "o2"), "built in place", "make mrproper"
        )
        self.assertFalse((root / "o2").exists())
        self.assertEqual(minitree.snapshot(tree), dict(before, **{".config": b"CONFIG_ALPHA=y\n"}))

    def test_spatch_missing(self):
        tree = self.tree()
        before = minitree.snapshot(tree)
        env = dict(os.environ, SPATCH=str(self.tmp / "no-spatch"))
        r = treewide("apply", tree, "--out", self.out, env=env)
        self.assertRefused(r, "spatch not found", "make deps")
        self.assertEqual(minitree.snapshot(tree), before)

    def test_a_spatch_crash_is_a_crash_not_a_timeout(self):
        tree = self.tree()
        before = minitree.snapshot(tree)
        fake = self.tmp / "spatch"
        fake.write_text(
            "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'spatch version 1.1.1'; exit 0; }\n"
            "echo 'Fatal error: exception Stack_overflow' >&2\nexit 2\n"
        )
        fake.chmod(0o755)
        r = treewide("apply", tree, "--out", self.out, env=dict(os.environ, SPATCH=str(fake)))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        failures = [f for s in self.report()["steps"] for f in s["failures"]]
        self.assertTrue(failures)
        self.assertTrue(
            all(
                f["error"] == "spatch crashed: Fatal error: exception Stack_overflow"
                for f in failures
            )
        )
        self.assertEqual([s for s in self.report()["steps"] if s["timeouts"]], [])
        # What spatch did not read is left as it was: a residual, printed, never "0 residuals".
        self.assertEqual(
            {x["kind"] for x in self.report()["residuals"]} & {"spatch failure"}, {"spatch failure"}
        )
        self.assertIn("spatch failure:", r.stdout)
        self.assertEqual(minitree.snapshot(tree), before)

    def test_one_writer_per_tree(self):
        from treewide_lib import lock
        tree = self.tree()
        before = minitree.snapshot(tree)
        with lock.tree_lock(tree.resolve(), exclusive=True, log=lambda *a: None):
            r = self.apply(tree, ok=False)
            self.assertRefused(r, "another treewide run is using", f"pid {os.getpid()}", "--wait")
            self.assertEqual(minitree.snapshot(tree), before)
            r = treewide(
                "series", tree, "--out", self.tmp / "series", "--signoff", "T <t@example.org>"
            )
            self.assertRefused(r, "another treewide run is using")
        self.apply(tree)                                # the lock went with its holder
        self.assertNotEqual(minitree.snapshot(tree), before)

    def test_output_inside_the_tree(self):
        tree = self.tree()
        r = treewide("apply", tree, "--out", tree / "out")
        self.assertRefused(r, "inside the kernel tree")
        self.assertFalse((tree / "out").exists())

    def test_dirty_git_tree(self):
        tree = self.tree()
        git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@example.org"]
        subprocess.run(git + ["init", "-q"], check=True)
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", "base"], check=True)
        (tree / "include/linux/device.h").write_text("/* local edit */\n")
        before = minitree.snapshot(tree)
        self.assertRefused(self.apply(tree, ok=False), "uncommitted changes", "--allow-dirty")
        self.assertEqual(minitree.snapshot(tree), before)

    def test_read_only_tree(self):
        tree = self.tree()
        before = minitree.snapshot(tree)
        for p in [tree, *tree.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        self.addCleanup(lambda: [p.chmod(0o755) for p in [tree, *tree.rglob("*")] if p.is_dir()])
        user, tool = None, TREEWIDE
        if os.geteuid() == 0:        # root writes anywhere: run as nobody, from a copy it can read
            user = "nobody"
            kit = self.tmp / "kit"
            for part in ("scripts", "semantic-patches", "kernel-overlay"):
                shutil.copytree(SCRIPTS.parent / part, kit / part,
                                ignore=shutil.ignore_patterns("__pycache__"))
            self.out.mkdir()
            for p in [self.tmp, self.out, kit, *kit.rglob("*")]:
                p.chmod(0o777 if p.is_dir() else 0o755)
            tool = ["/usr/bin/python3", str(kit / "scripts/treewide")]
        r = treewide("apply", tree, "--out", self.out, user=user, tool=tool)
        self.assertRefused(r, "cannot write", "nothing was changed")
        self.assertEqual(minitree.snapshot(tree), before)

    def test_interrupted_commit_is_rolled_back(self):
        from treewide_lib.txn import Transaction, on_disk
        tree = self.tree()
        before = minitree.snapshot(tree)
        staged = {"include/linux/device.h": "changed\n", "include/linux/dma-mapping.h": "changed\n"}
        txn = Transaction(tree, self.out)
        # A run killed after its first write: journal and backups are on disk.
        real = Path.write_bytes
        calls = []

        def dies_on_second(path, *a, **k):
            calls.append(path)
            if (
                len(calls) == 2
            ):  # the first file written (the journal is already on disk), then the kill
                raise KeyboardInterrupt
            return real(path, *a, **k)
        Path.write_bytes = dies_on_second
        try:
            with self.assertRaises(KeyboardInterrupt):
                txn.commit(staged, on_disk(tree, staged))
        finally:
            Path.write_bytes = real
        self.assertEqual(minitree.snapshot(tree), before)
        self.assertFalse((self.out / ".txn").exists())

    def test_next_run_rolls_back_a_killed_commit(self):
        from treewide_lib.txn import JOURNAL
        tree = self.tree()
        before = minitree.snapshot(tree)
        backup = self.out / ".txn" / "orig" / "include/linux/device.h"
        backup.parent.mkdir(parents=True)
        backup.write_bytes(before["include/linux/device.h"])
        (self.out / ".txn" / JOURNAL).write_text(json.dumps({"tree": str(tree.resolve()),
                                                             "files": ["include/linux/device.h"]}))
        (tree / "include/linux/device.h").write_text("half-written\n")
        r = self.apply(tree, "--dry-run")
        self.assertIn("rolled back an interrupted run: 1 file(s)", r.stdout)
        self.assertEqual(minitree.snapshot(tree), before)

    def test_journal_of_another_tree_is_never_replayed(self):
        from treewide_lib.txn import JOURNAL
        tree = self.tree()
        before = minitree.snapshot(tree)
        backup = self.out / ".txn" / "orig" / "include/linux/device.h"
        backup.parent.mkdir(parents=True)
        backup.write_text("the other tree's device.h\n")
        journal = self.out / ".txn" / JOURNAL
        journal.write_text(
            json.dumps({"tree": "/srv/other-linux", "files": ["include/linux/device.h"]})
        )
        self.assertRefused(
            self.apply(tree, ok=False), "another tree, /srv/other-linux", "pass another OUT"
        )
        self.assertEqual(minitree.snapshot(tree), before)
        journal.write_text("")                         # a crash while it was written
        self.assertRefused(self.apply(tree, ok=False), "is damaged", "orig")
        self.assertEqual(minitree.snapshot(tree), before)

    def test_output_that_contains_the_tree(self):
        tree = self.tree()
        before = minitree.snapshot(tree)
        for cmd in (["apply"], ["series", "--force"], ["sweep"]):
            r = treewide(*cmd, tree, "--out", tree.parent)
            self.assertRefused(r, "contains the kernel tree")
            self.assertEqual(minitree.snapshot(tree), before)

    def test_numbers_must_be_positive(self):
        tree = self.tree()
        for opt in (["--jobs", "-1"], ["--timeout", "0"], ["-j", "two"]):
            r = treewide("apply", tree, "--out", self.out, *opt)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("is not a positive whole number", r.stderr)
        self.assertRefused(
            self.apply(tree, "--recipe", self.tmp, ok=False), "cannot be read", "Is a directory"
        )
        self.assertFalse(self.out.exists())


if __name__ == "__main__":
    unittest.main()
