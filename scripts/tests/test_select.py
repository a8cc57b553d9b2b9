"""Object selection for the matrix, on a small kernel-shaped tree."""

import shutil
import tempfile
import unittest
from pathlib import Path

from treewide_lib import matrix, select
from treewide_lib.errors import ToolError

FILES = {
    "include/linux/dma-map-ops.h": "#include <asm/dma-mapping.h>\nstatic inline int get_dma_ops(void);\n",
    "include/linux/dma-mapping.h": "#include <linux/device.h>\n",
    "include/asm-generic/dma-mapping.h": "static inline void *get_arch_dma_ops(void) { return 0; }\n",
    "arch/alpha/include/asm/dma-mapping.h": "static inline void *get_arch_dma_ops(void) { return 0; }\n",
    "arch/alpha/kernel/pci.c": "#include <linux/dma-map-ops.h>\n",
    "arch/alpha/kernel/Makefile": "obj-y := pci.o\n",
    "arch/arm64/mm/dma-mapping.c": "#include <linux/dma-map-ops.h>\n",
    "arch/arm64/mm/Makefile": "obj-$(CONFIG_HAS_DMA) += dma-mapping.o\n",
    "kernel/dma/mapping.c": '#include "direct.h"\n',
    "kernel/dma/direct.h": "#include <linux/dma-map-ops.h>\n",
    "kernel/dma/other.c": "#include <linux/dma-mapping.h>\n",
    "kernel/dma/Makefile": "obj-y += mapping.o other.o\nobj-$(CONFIG_DMA_GONE) += gone.o\ndmapool-y := part.o\n"
                           "obj-$(CONFIG_POOL) += dmapool.o\n",
    "kernel/dma/gone.c": "#include <linux/dma-map-ops.h>\n",
    "kernel/dma/part.c": "void f(void) { get_arch_dma_ops(); }\n",
    "drivers/x/Makefile": "obj-$(CONFIG_X) += x.o\n",
    "drivers/x/x.c": "#include <linux/dma-map-ops.h>\n",
    "drivers/Makefile": "obj-$(CONFIG_XDIR) += x/\n",
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
        self.assertEqual(alpha, {"arch/alpha/kernel/pci.c", "kernel/dma/mapping.c", "kernel/dma/gone.c",
                                 "drivers/x/x.c"})
        # arm64 has no asm/dma-mapping.h of its own: it gets asm-generic's.
        arm64 = self.graph.includers(["include/asm-generic/dma-mapping.h"], "arm64")
        self.assertIn("arch/arm64/mm/dma-mapping.c", arm64)
        self.assertNotIn("arch/alpha/kernel/pci.c", arm64)
        self.assertEqual(self.graph.includers(["include/asm-generic/dma-mapping.h"], "alpha"), set())

    def test_config_decides_what_is_built(self):
        conf = {"CONFIG_X": "y", "CONFIG_POOL": "m"}
        diff = "-\treturn get_arch_dma_ops(bus);\n+\treturn get_arch_dma_ops();\n"
        objs, candidates = select.objects(self.root, conf, "alpha", ["arch/alpha/include/asm/dma-mapping.h"],
                                          diff, self.graph)
        self.assertEqual(objs, ["arch/alpha/kernel/pci.o", "kernel/dma/mapping.o", "kernel/dma/part.o"])
        self.assertEqual(candidates, 5)      # gone.o (CONFIG_DMA_GONE unset) and x.o (its dir is off) left out
        conf["CONFIG_XDIR"] = "y"
        objs, _ = select.objects(self.root, conf, "alpha", ["arch/alpha/include/asm/dma-mapping.h"], diff,
                                 self.graph)
        self.assertIn("drivers/x/x.o", objs)

    def test_changed_symbols(self):
        self.assertEqual(select.changed_symbols("+\treturn get_arch_dma_ops();\n-#define FOO(x) bar(x)\n"),
                         ["FOO", "bar", "get_arch_dma_ops"])


class Shards(unittest.TestCase):
    def test_round_robin_covers_every_cell_once(self):
        names = ["e", "a", "d", "c", "b"]
        parts = [matrix.shard(names, f"{i}/3") for i in (1, 2, 3)]
        self.assertEqual(parts, [["a", "d"], ["b", "e"], ["c"]])
        self.assertEqual(sorted(sum(parts, [])), sorted(names))
        for bad in ("0/3", "4/3", "x"):
            with self.assertRaises(ToolError):
                matrix.shard(names, bad)


if __name__ == "__main__":
    unittest.main()
