"""The recipe file: loads, refers to real rules, and refuses bad input."""

import tempfile
import unittest
from pathlib import Path

from treewide_lib import recipe
from treewide_lib.errors import ToolError
from treewide_lib.tree import glob_match


class Recipe(unittest.TestCase):
    def test_default_recipe(self):
        r = recipe.load()
        self.assertEqual([s.name for s in r.steps],
                         ["move-dma-ops", "xen-preserve-dma-ops", "consolidate-get-dma-ops", "drop-bus-argument"])
        self.assertEqual(r.final_generation, "C")
        for s in r.steps:
            self.assertTrue(s.pending or (s.sites and s.rules), s.name)
            self.assertTrue(s.split == "per-arch" or s.split_reason or s.pending, s.name)

    def write(self, text):
        d = Path(tempfile.mkdtemp())
        (d / "r.toml").write_text(text)
        return d / "r.toml"

    def test_bad_recipes_are_refused_with_a_reason(self):
        cases = {
            "[[step]\n": "not valid TOML",
            '[[step]]\nname="x"\nsubject="s"\n': "no rules",
            '[[step]]\nname="x"\nsubject="s"\n[[step.rules]]\nsmpl="nope.cocci"\npaths=["a"]\n': "does not exist",
            '[[step]]\nname="x"\nsubject="s"\npending="later"\n[[step.sites]]\npaths=["a"]\nregex="("\n': "bad regex",
        }
        for text, msg in cases.items():
            with self.subTest(msg=msg), self.assertRaises(ToolError) as cm:
                recipe.load(self.write(text))
            self.assertIn(msg, str(cm.exception))
        with self.assertRaises(ToolError):
            recipe.load("/nonexistent/recipe.toml")

    def test_globs(self):
        self.assertTrue(glob_match("arch/x86/include/asm/device.h", "arch/*/include/asm/device.h"))
        self.assertFalse(glob_match("arch/x86/include/asm/foo/device.h", "arch/*/include/asm/device.h"))
        self.assertTrue(glob_match("drivers/a/b.c", "**/*.c"))
        self.assertTrue(glob_match("b.c", "**/*.c"))


if __name__ == "__main__":
    unittest.main()
