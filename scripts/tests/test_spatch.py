"""spatch over many files in a few processes: each file's result is its own."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from treewide_lib.recipe import SMPL_DIR  # noqa: E402
from treewide_lib.spatch import SmPL, Spatch  # noqa: E402


class DictTree:
    def __init__(self, files):
        self.files = files

    def read(self, rel):
        return self.files[rel]


USER = "static void widget_setup(struct device *dev)\n{\n\tdev->archdata.dma_ops = &widget_ops;\n}\n"
CLEAN = "static int widget_probe(struct device *dev)\n{\n\treturn 0;\n}\n"
# Unparsable, and quoting what a crash would say: spatch quotes bad lines, and that is no crash.
BROKEN = ("static void broken(struct device *dev)\n{\n\tWIDGET(((; pr_err(\"Out of memory\");\n"
          "\tdev->archdata.dma_ops = &b_ops;\n}\n")


class Batches(unittest.TestCase):
    def test_each_file_gets_its_own_rules_text_and_parse_errors(self):
        files = {f"drivers/w{i}/{name}": text for i, (name, text) in
                 enumerate([("user.c", USER), ("clean.c", CLEAN), ("broken.c", BROKEN), ("user.h", USER)] * 3)}
        smpl = SmPL.load(SMPL_DIR / "archdata-dma-ops-users.cocci")
        for jobs in (1, 2, 5):
            with self.subTest(jobs=jobs):
                results, stats = Spatch(jobs=jobs).run(smpl, "patch", set(), DictTree(files), list(files))
                self.assertEqual([r.rel for r in results], list(files))
                self.assertEqual(stats.files, len(files))
                for r in results:
                    name = Path(r.rel).name
                    self.assertEqual((r.failed, r.timed_out), ("", False), r.rel)
                    if name.startswith("user"):
                        self.assertIn("dev->dma_ops = &widget_ops;", r.text, r.rel)
                        self.assertEqual(r.rules, ["archdata_access"], r.rel)
                    else:
                        self.assertIsNone(r.text, r.rel)
                        self.assertEqual(r.rules, [], r.rel)
                    self.assertEqual(bool(r.parse_errors), name == "broken.c", r.rel)

    def test_report_lines_name_the_tree_file(self):
        files = {"arch/foo/include/asm/dma-mapping.h":
                 "static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)\n"
                 "{\n\tif (bus == &pci_bus_type)\n\t\treturn &foo_pci_ops;\n\treturn foo_ops;\n}\n",
                 "arch/bar/include/asm/dma-mapping.h":
                 "static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)\n"
                 "{\n\treturn bar_ops;\n}\n"}
        smpl = SmPL.load(SMPL_DIR / "bus-argument-users.cocci")
        results, _ = Spatch(jobs=1).run(smpl, "report", set(), DictTree(files), list(files))
        foo, bar = results
        self.assertTrue(foo.report and all(line.startswith("arch/foo/include/asm/dma-mapping.h:")
                                           for line in foo.report), foo.report)
        self.assertEqual(bar.report, [])


if __name__ == "__main__":
    unittest.main()
