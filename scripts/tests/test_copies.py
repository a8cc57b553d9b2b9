"""A build directory follows the release of the tree it builds: make
judges by dates, so objects of another release are not kept."""

import os
import shutil
import tempfile
import time
import unittest
from pathlib import Path

from treewide_lib import copies

OLD = time.time() - 86400  # a tarball's dates: older than any object built here


def makefile(sublevel):
    return f"VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = {sublevel}\nEXTRAVERSION =\n"


class ForRelease(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="copies"))
        self.addCleanup(shutil.rmtree, self.tmp)
        self.src, self.build = self.tmp / "patched/src", self.tmp / "patched/build/x86_64"
        self.src.mkdir(parents=True)
        self.unpack(10)

    def unpack(self, sublevel):
        """The tree as a release tarball leaves it: every file dated OLD."""
        for name, text in (("Makefile", makefile(sublevel)), ("a.h", f"#define A {sublevel}\n")):
            (self.src / name).write_text(text)
            os.utime(self.src / name, (OLD, OLD))

    def build_once(self):
        out = copies.for_release(self.build, self.src)
        (out / "a.o").write_text((self.src / "a.h").read_text())
        return out

    def test_another_release_with_older_dates_empties_the_directory(self):
        self.build_once()
        self.unpack(11)
        out = copies.for_release(self.build, self.src)
        self.assertFalse((out / "a.o").exists())  # make builds it from 6.1.11
        self.assertEqual((out / ".treewide-release").read_text(), "6.1.11")
        self.assertEqual((self.src / "a.h").read_text(), "#define A 11\n")  # the tree untouched

    def test_the_same_release_keeps_its_objects(self):
        self.build_once()
        self.unpack(10)
        out = copies.for_release(self.build, self.src)
        self.assertEqual((out / "a.o").read_text(), "#define A 10\n")

    def test_a_directory_without_a_mark_is_kept_and_marked(self):
        self.build.mkdir(parents=True)
        (self.build / "a.o").write_text("earlier\n")
        out = copies.for_release(self.build, self.src)
        self.assertEqual((out / "a.o").read_text(), "earlier\n")
        self.assertEqual((out / ".treewide-release").read_text(), "6.1.10")


if __name__ == "__main__":
    unittest.main()
