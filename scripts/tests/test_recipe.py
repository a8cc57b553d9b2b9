"""The recipe file: loads, refers to real rules, and refuses bad input."""

import tempfile
import unittest
from pathlib import Path

from treewide_lib import recipe
from treewide_lib.errors import ToolError
from treewide_lib.tree import glob_match


class Prefilters(unittest.TestCase):
    """The files a step's rules run on hold every site of that step: a
    prefilter narrowed for speed (grep, match) may never hide a site."""

    EXTRA = {
        "drivers/gpu/sample/glue.c": (
            "static struct platform_device gpu = {\n\t.dev.archdata.dma_ops\n\t\t= &ops,\n};\n"
        ),
        "drivers/bus/sample/alias.c": (
            "void f(struct device *d)\n{\n\tstruct dev_archdata *ad = &d->archdata;\n"
            "\tad->dma_ops = NULL;\n}\n"
        ),
        "drivers/usb/sample/host.c": (
            "void g(struct device *c, struct device *p)\n{\n\tc->archdata.\n\t\tdma_ops = "
            "p->archdata . dma_ops;\n}\n"
        ),
        "include/xen/sample/users.h": "#define OPS(d) __generic_dma_ops(d)\n",
        "arch/powerpc/kernel/sample.c": (
            "void h(struct device *dev)\n{\n\tstruct dev_archdata __maybe_unused *sd ="
            " &dev->archdata;\n\n\tsd->dma_ops = NULL;\n}\n"
        ),
    }

    def test_every_site_is_in_a_file_the_rules_see(self):
        from treewide_lib import sites
        from treewide_lib.tree import Tree
        from . import minitree
        with tempfile.TemporaryDirectory() as tmp:
            root = minitree.write(
                Path(tmp) / "linux",
                [
                    (a, s)
                    for a, s in (
                        ("alpha", "plain"),
                        ("mips", "check"),
                        ("sparc", "uses-bus"),
                        ("arm", "xen-arm"),
                        ("arm64", "xen-arm"),
                    )
                ],
            )
            for rel, text in self.EXTRA.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text)
            tree = Tree(root)
            checked = 0
            for step in recipe.load().steps:
                seen = set().union(*(tree.files(r.query) for r in step.rules))
                for site in sites.find(tree, step.sites):
                    with self.subTest(step=step.name, site=str(site)):
                        self.assertIn(site.file, seen)
                        checked += 1
            self.assertGreater(checked, len(self.EXTRA))


class Recipe(unittest.TestCase):
    def test_default_recipe(self):
        r = recipe.load()
        self.assertEqual(
            [s.name for s in r.steps],
            [
                "move-dma-ops",
                "xen-preserve-dma-ops",
                "consolidate-get-dma-ops",
                "sparc32-pci-dma-ops",
                "sparc32-sbus-dma-ops",
                "drop-bus-argument",
            ],
        )
        self.assertEqual(r.final_generation, "C")
        for s in r.steps:
            self.assertTrue(s.pending or (s.sites and s.rules), s.name)
            self.assertTrue(s.split_reason or s.pending, s.name)

    def test_changelogs_fit_checkpatch(self):
        # checkpatch's COMMIT_LOG_LONG_LINE: a generated series is not safe to send with one.
        for s in recipe.load().steps:
            for line in s.changelog.split("\n"):
                self.assertLessEqual(len(line), 75, f"{s.name}: {line}")

    def write(self, text):
        d = Path(tempfile.mkdtemp())
        (d / "r.toml").write_text(text)
        return d / "r.toml"

    def test_bad_recipes_are_refused_with_a_reason(self):
        cases = {
            "[[step]\n": "not valid TOML",
            '[[step]]\nname="x"\nsubject="s"\n': "no rules",
            '[[step]]\nname="x"\nsubject="s"\n[[step.rules]]\nsmpl="nope.cocci"\npaths=["a"]\n': (
                "does not exist"
            ),
            '[[step]]\nname="x"\nsubject="s"\npending="later"\n'
            '[[step.sites]]\npaths=["a"]\nregex="("\n': "bad regex",
            '[virtuals.v]\npaths=["a"]\nif_any="x"\ncapture="(x)"\n': "exactly one of",
            '[virtuals.v]\npaths=["a"]\ncapture="x"\n': "exactly one group",
            '[[step]]\nname="x"\nsubject="s"\nsplit="per-arch"\n': "a step is one commit",
        }
        for text, msg in cases.items():
            with self.subTest(msg=msg), self.assertRaises(ToolError) as cm:
                recipe.load(self.write(text))
            self.assertIn(msg, str(cm.exception))
        with self.assertRaises(ToolError):
            recipe.load("/nonexistent/recipe.toml")

    def test_globs(self):
        self.assertTrue(glob_match("arch/x86/include/asm/device.h", "arch/*/include/asm/device.h"))
        self.assertFalse(
            glob_match("arch/x86/include/asm/foo/device.h", "arch/*/include/asm/device.h")
        )
        self.assertTrue(glob_match("drivers/a/b.c", "**/*.c"))
        self.assertTrue(glob_match("b.c", "**/*.c"))


if __name__ == "__main__":
    unittest.main()


class CodeReference(unittest.TestCase):
    def test_no_code_builds_no_reference_tree_and_says_why(self):
        from treewide_lib import copies
        steps = recipe.load().steps
        noop = [st for st in steps if st.noop]
        self.assertTrue(noop)
        with tempfile.TemporaryDirectory() as out:
            stale = Path(out) / "before-noop"
            stale.mkdir()
            before, code = copies.code_reference(None, Path(out), None, steps, 1, compare=False)
            self.assertIsNone(before)
            self.assertEqual(code, {"against": None, "why": "not compared (--no-code)"})
            self.assertFalse(stale.exists())
