"""Object selection for the matrix, on a small kernel-shaped tree."""

import shutil
import tempfile
import unittest
from pathlib import Path

from treewide_lib import cellbuild, matrix
from treewide_lib.kbuild import select
from treewide_lib.kbuild.table import Cell, Machine, Table
from treewide_lib.errors import ToolError

FILES = {
    "include/linux/dma-map-ops.h": (
        "#include <asm/dma-mapping.h>\nstatic inline int get_dma_ops(void);\n"
    ),
    "include/linux/dma-mapping.h": "#include <linux/device.h>\n",
    "include/asm-generic/dma-mapping.h": (
        "static inline void *get_arch_dma_ops(void) { return 0; }\n"
    ),
    "arch/alpha/include/asm/dma-mapping.h": (
        "static inline void *get_arch_dma_ops(void) { return 0; }\n"
    ),
    "arch/alpha/kernel/pci.c": "#include <linux/dma-map-ops.h>\n",
    "arch/alpha/kernel/Makefile": "obj-y := pci.o\n",
    "arch/arm64/mm/dma-mapping.c": "#include <linux/dma-map-ops.h>\n",
    "arch/arm64/mm/Makefile": "obj-$(CONFIG_HAS_DMA) += dma-mapping.o\n",
    "kernel/dma/mapping.c": '#include "direct.h"\n',
    "kernel/dma/direct.h": "#include <linux/dma-map-ops.h>\n",
    "kernel/dma/other.c": "#include <linux/dma-mapping.h>\n",
    "kernel/dma/Makefile": (
        "obj-y += mapping.o other.o\nobj-$(CONFIG_DMA_GONE) += gone.o\ndmapool-y := part.o\n"
        "ifdef CONFIG_POOL_SUB\ndmapool-y += sub/deep.o\nendif\nobj-$(CONFIG_POOL) += dmapool.o\n"
        "mounts-y := mnt.o\nmounts-$(CONFIG_MD) += md.o\nobj-y += mounts.o\n"
    ),
    "kernel/dma/mnt.c": "int mnt;\n",
    "kernel/dma/md.c": "#include <linux/dma-map-ops.h>\n",
    "kernel/dma/sub/deep.c": "void g(void) { get_arch_dma_ops(); }\n",
    "kernel/dma/gone.c": "#include <linux/dma-map-ops.h>\n",
    "kernel/dma/part.c": "void f(void) { get_arch_dma_ops(); }\n",
    "drivers/x/Makefile": "obj-$(CONFIG_X) += x.o\n",
    "drivers/x/x.c": "#include <linux/dma-map-ops.h>\n",
    "drivers/Makefile": "obj-$(CONFIG_XDIR) += x/\n",
    "tools/testing/t.c": "#include <linux/dma-map-ops.h>\n",
    "tools/testing/Makefile": "obj-y += t.o\n",
    "kernel/Makefile": "obj-y += dma/\n",
    "Makefile": "core-y += kernel/\ndrivers-y := drivers/\n",
    "arch/alpha/Makefile": "core-y += arch/alpha/kernel/\n",
    "scripts/Kbuild.include": "# functions\n",
    "arch/arm64/Makefile": "core-$(CONFIG_XEN) += arch/arm64/xen/\n",
    "arch/arm64/xen/Makefile": (
        "xen-arm-y += $(addprefix ../../arm/xen/, mm.o)\nobj-y := xen-arm.o hypercall.o\n"
    ),
    "arch/arm64/xen/hypercall.S": "/* hypercalls */\n",
    "arch/arm/xen/Makefile": "obj-y := mm.o\n",
    "arch/arm/xen/mm.c": "#include <linux/dma-map-ops.h>\n",
}


class Selection(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root)
        for rel, text in FILES.items():
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).write_text(text)
        self.graph = select.IncludeGraph(self.root)

    def test_includers_follow_headers_per_arch(self):
        alpha = self.graph.includers(["arch/alpha/include/asm/dma-mapping.h"], "alpha")
        self.assertEqual(
            alpha,
            {
                "arch/alpha/kernel/pci.c",
                "kernel/dma/mapping.c",
                "kernel/dma/gone.c",
                "kernel/dma/md.c",
                "tools/testing/t.c",
                "drivers/x/x.c",
            },
        )
        # arm64 has no asm/dma-mapping.h of its own: it gets asm-generic's.
        arm64 = self.graph.includers(["include/asm-generic/dma-mapping.h"], "arm64")
        self.assertIn("arch/arm64/mm/dma-mapping.c", arm64)
        self.assertNotIn("arch/alpha/kernel/pci.c", arm64)
        self.assertEqual(
            self.graph.includers(["include/asm-generic/dma-mapping.h"], "alpha"), set()
        )

    def configure(self, **conf):
        """An objtree as `make olddefconfig` leaves it: .config and auto.conf."""
        objtree = self.root.parent / (self.root.name + "-out")
        (objtree / "include/config").mkdir(parents=True, exist_ok=True)
        self.addCleanup(shutil.rmtree, objtree, True)
        text = "".join(f"CONFIG_{k}={v}\n" for k, v in conf.items())
        (objtree / ".config").write_text(text)
        (objtree / "include/config/auto.conf").write_text(text)
        return objtree

    def select(self, objtree):
        diff = "-\treturn get_arch_dma_ops(bus);\n+\treturn get_arch_dma_ops();\n"
        return select.objects(
            self.root, objtree, "alpha", ["arch/alpha/include/asm/dma-mapping.h"], diff, self.graph
        )

    def test_kbuild_decides_what_is_built(self):
        objs, candidates, _ = self.select(self.configure(X="y", POOL="m"))
        self.assertEqual(
            objs, ["arch/alpha/kernel/pci.o", "kernel/dma/mapping.o", "kernel/dma/part.o"]
        )
        # gone.o (CONFIG_DMA_GONE unset), x.o (its dir is off), sub/deep.o
        # (ifdef) and tools/ left out
        self.assertEqual(candidates, 8)
        # md.o is a part of the built-in mounts.o only when CONFIG_MD=y: Kbuild ignores mounts-m
        self.assertNotIn("kernel/dma/md.o", self.select(self.configure(MD="m")).objects)
        self.assertIn("kernel/dma/md.o", self.select(self.configure(MD="y")).objects)
        objs, _, targets = self.select(self.configure(X="y", XDIR="y", POOL="y", POOL_SUB="y"))
        self.assertIn("drivers/x/x.o", objs)
        self.assertIn("kernel/dma/sub/deep.o", objs)
        self.assertNotIn("tools/testing/t.o", objs)
        # Old Kbuild reads sub/'s Makefile for `make kernel/dma/sub/deep.o`, missing
        # kernel/dma's flags: the part is built through its composite's directory,
        # which builds part.o and mapping.o too (asked for again, two sub-makes would race).
        # Every object drivers/ and arch/alpha/kernel/ build is wanted: one target each.
        self.assertEqual(targets, ["arch/alpha/kernel/", "drivers/", "kernel/dma/"])
        # kernel/dma/other.o is not reached: the directory is not built whole.
        _, _, targets = self.select(self.configure(X="y", XDIR="y", POOL="y"))
        self.assertEqual(
            targets, ["arch/alpha/kernel/", "drivers/", "kernel/dma/mapping.o", "kernel/dma/part.o"]
        )
        (self.root / "Makefile").write_text(FILES["Makefile"] + "single-targets := %.o %/\n")
        _, _, targets = self.select(self.configure(X="y", XDIR="y", POOL="y", POOL_SUB="y"))
        self.assertIn("kernel/dma/sub/deep.o", targets)
        self.assertNotIn("kernel/dma/", targets)

    def test_a_directory_below_one_built_whole_is_not_asked_for_again(self):
        # Old Kbuild: kernel/dma/ is built through its directory (sub/deep.o is
        # a part of its composite), and whole/, every object of which is
        # wanted, lies below it: two sub-makes would compile whole/'s objects.
        (self.root / "kernel/dma/whole").mkdir()
        (self.root / "kernel/dma/whole/Makefile").write_text("obj-y += w.o\n")
        (self.root / "kernel/dma/whole/w.c").write_text("#include <linux/dma-map-ops.h>\n")
        with (self.root / "kernel/dma/Makefile").open("a") as f:
            f.write("obj-$(CONFIG_WHOLE) += whole/\n")
        self.graph = select.IncludeGraph(self.root)
        objs, _, targets = self.select(
            self.configure(X="y", XDIR="y", POOL="y", POOL_SUB="y", WHOLE="y"))
        self.assertIn("kernel/dma/whole/w.o", objs)
        self.assertEqual(targets, ["arch/alpha/kernel/", "drivers/", "kernel/dma/"])

    def test_objects_an_arch_builds_from_another_arches_directory(self):
        # arm64's xen/ links ../../arm/xen/mm.o into its xen-arm.o
        def arm64(**conf):
            return select.objects(
                self.root,
                self.configure(**conf),
                "arm64",
                ["include/linux/dma-map-ops.h"],
                "",
                self.graph,
            )

        objs, _, targets = arm64(XEN="y")
        self.assertIn("arch/arm/xen/mm.o", objs)
        self.assertIn("arch/arm64/xen/", targets)  # old Kbuild: through the directory that links it
        self.assertNotIn("arch/arm/xen/mm.o", arm64().objects)

    def test_changed_symbols(self):
        self.assertEqual(
            select.changed_symbols("+\treturn get_arch_dma_ops();\n-#define FOO(x) bar(x)\n"),
            ["FOO", "bar", "get_arch_dma_ops"],
        )


class ArchTable(unittest.TestCase):
    def test_every_arch_of_the_tree_is_a_cell_or_listed(self):
        root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, root)
        for a in ("alpha", "avr32", "newarch"):
            (root / "arch" / a).mkdir(parents=True)
        cells = {
            a: Cell(
                name=a, arch=a, make_arch=a, cross_compile="", package="gcc", defconfig="defconfig"
            )
            for a in ("alpha", "riscv")
        }
        narrowed = Table(cells, {}, {"avr32": "no compiler", "csky": "no compiler"}, {}).for_tree(
            root
        )
        self.assertEqual(list(narrowed.cells), ["alpha"])
        skips = narrowed.no_cell
        self.assertEqual(sorted(skips), ["avr32", "newarch", "riscv"])
        self.assertIn("no row in the arch table", skips["newarch"])
        self.assertEqual(skips["riscv"], "the tree has no arch/riscv")

    def test_a_machine_whose_needs_the_tree_lacks_is_listed_not_kept(self):
        root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, root)
        (root / "arch/m68k").mkdir(parents=True)
        kconfig = root / "arch/m68k/Kconfig.machine"
        kconfig.write_text("config MAC\n\tbool \"Macintosh\"\n")
        virt = Machine(name="m68k-virt", arch="m68k", make_arch="m68k", cross_compile="",
                       package="gcc", config="allnoconfig", image="vmlinux", console="ttyGF0",
                       init_cc="gcc", init_package="libc6-dev", qemu="qemu-system-m68k -M virt",
                       qemu_package="qemu-system-misc", disk="-drive", needs=("VIRT",))
        table = Table({}, {"m68k-virt": virt}, {}, {})
        old = table.for_tree(root)
        self.assertEqual(old.machines, {})
        self.assertIn("defines VIRT", old.no_machine["m68k-virt"])
        kconfig.write_text("config MAC\n\tbool\nconfig VIRT\n\tbool \"Virtual M68k\"\n")
        new = table.for_tree(root)
        self.assertEqual(list(new.machines), ["m68k-virt"])
        self.assertNotIn("m68k-virt", new.no_machine)


class EmptySelection(unittest.TestCase):
    def test_no_target_builds_nothing(self):
        # make without a target would build the whole tree: no make may run
        text, built, cc, sparse = cellbuild.build_tree(
            Path("/nonexistent"), Path("/nonexistent"), None, {}, [], [], None, False, print
        )
        self.assertIn("nothing to build", text)
        self.assertEqual((built, sum(cc.values()), sum(sparse.values())), (set(), 0, 0))


class Shards(unittest.TestCase):
    def test_round_robin_covers_every_cell_once(self):
        names = ["e", "a", "d", "c", "b"]
        parts = [matrix.shard(names, f"{i}/3") for i in (1, 2, 3)]
        self.assertEqual(parts, [["a", "d"], ["e", "b"], ["c"]])     # in the order given
        self.assertEqual(sorted(sum(parts, [])), sorted(names))
        for bad in ("0/3", "4/3", "x"):
            with self.assertRaises(ToolError):
                matrix.shard(names, bad)


if __name__ == "__main__":
    unittest.main()
