"""The overlay is kernel source: checkpatch-clean by the kernel's own checkpatch."""

import subprocess
import unittest
from pathlib import Path

from .support import debian_tree

TIER = "trees"

OVERLAY = Path(__file__).resolve().parents[2] / "kernel-overlay"


class Checkpatch(unittest.TestCase):
    def test_overlay_files_are_clean(self):
        checkpatch = debian_tree("6.1") / "scripts/checkpatch.pl"
        files = sorted(p for p in (OVERLAY / "include").rglob("*.h"))
        self.assertTrue(files)
        for f in files:
            r = subprocess.run(
                ["perl", str(checkpatch), "--no-tree", "--strict", "--quiet", "-f", str(f)],
                capture_output=True,
                text=True,
                check=False,
            )
            with self.subTest(file=f.name):
                self.assertEqual((r.returncode, r.stdout), (0, ""))


if __name__ == "__main__":
    unittest.main()
