"""Link-level references: objects of a small tree compiled with the host gcc,
one definition removed in the patched copy while another file still calls it."""

import shutil
import subprocess
import tempfile
import unittest
from collections import Counter
from pathlib import Path

from treewide_lib import linkrefs
from treewide_lib.kbuild.diagnostics import Diag, diagnostics

SOURCES = {
    "lib/a.c": "int helper(int x) { return x + 1; }\nint kept(void) { return 2; }\n"
               "EXPORT_SYMBOL(helper);\n",
    "lib/b.c": "int helper(int x);\nint kept(void);\nextern int kernel_var;\n"
               "int user(void) { return helper(1) + kept() + kernel_var; }\n",
    # Defined in a source this cell did not build: resolved by the link, not a finding.
    "kernel/var.c": "int kernel_var __attribute__((used)) = 3;\n",
    # Another arch's definition does not help this one.
    "arch/other/lib.c": "int helper(int x)\n{\n\treturn x;\n}\n",
}


class Unresolved(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="treewide-linkrefs-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def tree(self, name, drop=None):
        """A source tree and its objects (lib/*.o); drop: a function removed from lib/a.c."""
        src, out = self.tmp / name, self.tmp / f"{name}-out"
        for path, text in SOURCES.items():
            if drop and path == "lib/a.c":
                text = "".join(
                    line + "\n" for line in text.splitlines() if not line.startswith(f"int {drop}(")
                )
            (src / path).parent.mkdir(parents=True, exist_ok=True)
            (src / path).write_text(text)
        objs = []
        for c in ("lib/a.c", "lib/b.c"):
            (out / c).parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "gcc",
                    "-c",
                    "-O2",
                    "-DEXPORT_SYMBOL(s)=",
                    "-o",
                    out / c.replace(".c", ".o"),
                    src / c,
                ],
                check=True,
            )
            objs.append(c.replace(".c", ".o"))
        return src, out, objs

    def test_a_removed_definition_still_called_is_new(self):
        _, bout, bobjs = self.tree("base")
        psrc, pout, pobjs = self.tree("patched", drop="helper")
        found = linkrefs.new_unresolved("nm", bout, bobjs, pout, pobjs, psrc, "x86")
        self.assertEqual(found, ["helper: referenced by lib/b.o"])

    def test_same_tree_has_none_and_source_definitions_count(self):
        _, bout, bobjs = self.tree("base")
        psrc, pout, pobjs = self.tree("patched")
        self.assertEqual(linkrefs.new_unresolved("nm", bout, bobjs, pout, pobjs, psrc, "x86"), [])
        # kernel_var is unresolved in both: only the source scan knows it is defined.
        self.assertIn("kernel_var", linkrefs.unresolved("nm", pout, pobjs))
        self.assertEqual(
            linkrefs.defined_in_sources(psrc, {"kernel_var", "helper", "nowhere"}, "x86"),
            {"kernel_var", "helper"},
        )
        self.assertEqual(linkrefs.defined_in_sources(psrc, {"helper"}, "other"), {"helper"})

    def test_an_unreadable_object_is_an_error_not_a_pass(self):
        psrc, pout, pobjs = self.tree("patched")
        (pout / "lib/b.o").write_bytes(b"truncated")
        with self.assertRaises(Exception) as e:
            linkrefs.unresolved("nm", pout, pobjs)
        self.assertIn("lib/b.o", str(e.exception))


class LinkDiagnostics(unittest.TestCase):
    def test_ld_and_modpost_undefined_symbols_are_findings(self):
        log = ("ld: drivers/x/b.o: in function `user':\n"
               "b.c:(.text+0x5): undefined reference to `helper'\n"
               'ERROR: modpost: "helper" [drivers/x/m.ko] undefined!\n'
               'WARNING: "old" [drivers/y/n.ko] undefined!\n')
        d = diagnostics(log, ())
        self.assertIn(Diag("b.c", "link", "undefined reference to `helper'"), d)
        self.assertIn(Diag("drivers/x/m.ko", "link", '"helper" [drivers/x/m.ko] undefined!'), d)
        self.assertIn(Diag("drivers/y/n.ko", "link", '"old" [drivers/y/n.ko] undefined!'), d)

    def test_without_debug_info_the_object_ld_named_is_the_file(self):
        # A vmlinux link of objects without -g: no source file, only a section offset.
        log = (
            "hppa-linux-gnu-ld: vmlinux.o: in function `print_pa_hwpath':\n"
            "(.text+0x8): undefined reference to `hwpath_to_device'\n"
        )
        self.assertEqual(
            diagnostics(log, ()),
            Counter({Diag("vmlinux.o", "link", "undefined reference to `hwpath_to_device'"): 1}),
        )


if __name__ == "__main__":
    unittest.main()
