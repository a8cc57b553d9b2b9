"""spatch over many files in a few processes: each file's result is its own."""

import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from treewide_lib.paths import SMPL_DIR  # noqa: E402
from treewide_lib.spatch import SmPL, Spatch  # noqa: E402


class DictTree:
    def __init__(self, files):
        self.files = files

    def read(self, rel):
        return self.files[rel]


USER = (
    "static void widget_setup(struct device *dev)\n{\n\tdev->archdata.dma_ops = &widget_ops;\n}\n"
)
CLEAN = "static int widget_probe(struct device *dev)\n{\n\treturn 0;\n}\n"
# Unparsable, and quoting what a crash would say: spatch quotes bad lines, and that is no crash.
BROKEN = ("static void broken(struct device *dev)\n{\n\tWIDGET(((; pr_err(\"Out of memory\");\n"
          "\tdev->archdata.dma_ops = &b_ops;\n}\n")


class Batches(unittest.TestCase):
    def test_each_file_gets_its_own_rules_text_and_parse_errors(self):
        files = {
            f"drivers/w{i}/{name}": text
            for i, (name, text) in enumerate(
                [("user.c", USER), ("clean.c", CLEAN), ("broken.c", BROKEN), ("user.h", USER)] * 3
            )
        }
        smpl = SmPL.load(SMPL_DIR / "archdata-dma-ops-users.cocci")
        for jobs in (1, 2, 5):
            with self.subTest(jobs=jobs):
                results, stats = Spatch(jobs=jobs).run(
                    smpl, "patch", set(), DictTree(files), list(files)
                )
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

    def test_files_a_dying_batch_never_reached_run_on_their_own(self):
        # spatch times out on the first file of a batch and stops (exit 1):
        # the files after it were never read, and an empty log would call
        # them unchanged. Each runs again in a process of its own.
        with tempfile.TemporaryDirectory() as tmp:
            fake, calls = Path(tmp) / "spatch", Path(tmp) / "calls"
            fake.write_text(f"""#!/bin/sh
[ "$1" = --version ] && {{ echo 'spatch version 1.1.1'; exit 0; }}
for a do last=$a; done
if [ -d "$last" ]; then
	echo "HANDLING: $last/$(ls "$last" | sort | head -n1)"; echo "Timeout at 1"; exit 1
fi
echo "one" >>{calls}
exit 0
""")
            fake.chmod(0o755)
            files = {"drivers/a.c": CLEAN, "drivers/b.c": CLEAN, "drivers/c.c": CLEAN}
            smpl = SmPL.load(SMPL_DIR / "archdata-dma-ops-users.cocci")
            results, _ = Spatch(exe=str(fake), jobs=1).run(
                smpl, "patch", set(), DictTree(files), list(files)
            )
            self.assertEqual(
                [(r.rel, r.timed_out, r.failed) for r in results],
                [("drivers/a.c", True, ""), ("drivers/b.c", False, ""), ("drivers/c.c", False, "")],
            )
            self.assertEqual(calls.read_text().splitlines(), ["one", "one"])


if __name__ == "__main__":
    unittest.main()
