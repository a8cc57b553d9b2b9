"""The per-commit walk's copy of the tree, without a kernel build: it
follows the user's tree from run to run, and every file a commit wrote
(or the next run puts back) is newer than what the last build made."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from treewide_lib import each_commit
from treewide_lib.kbuild.table import Fixup
from treewide_lib.errors import ToolError

OLD = time.time() - 3600  # the tree's files, and the objects built from them, are older than now


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def commit(repo, message):
    git(repo, "commit", "-q", "-am", message)
    return git(repo, "rev-parse", "HEAD")


class WalkCopy(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="walk"))
        self.addCleanup(shutil.rmtree, self.tmp)
        self.base = self.tmp / "tree"
        self.base.mkdir()
        for name, text in (("Makefile", "all:\n"), ("a.h", "#define A 1\n"), ("b.c", "int b;\n")):
            (self.base / name).write_text(text)
            os.utime(self.base / name, (OLD, OLD))
        (self.base / "link.h").symlink_to("a.h")
        repo = self.tmp / "repo"
        shutil.copytree(self.base, repo, symlinks=True)
        git(repo, "init", "-q")
        git(repo, "add", ".")
        base = commit(repo, "base")
        (repo / "a.h").write_text("#define A 2\n")
        (repo / "link.h").unlink()
        (repo / "link.h").symlink_to("b.c")
        (repo / "tool.sh").write_text("#!/bin/sh\n")
        (repo / "tool.sh").chmod(0o755)
        git(repo, "add", ".")
        tip = commit(repo, "a: two")
        self.commit, = each_commit.commits(repo / ".git", base, tip)
        self.src = self.tmp / "out/commits/x86_64/src"

    def walk(self, fixups=()):
        return each_commit.Walk(self.tmp / "repo/.git", self.base, self.src, list(fixups))

    def test_a_rerun_sees_a_file_the_tree_replaced_and_rebuilds_what_the_walk_wrote(self):
        w = self.walk()
        w.reset()
        w.apply(self.commit)
        self.assertEqual((self.src / "a.h").read_text(), "#define A 2\n")
        # Between runs the user's tree replaces b.c (as a checkout does: a new file).
        tmp = self.base / "b.c.new"
        tmp.write_text("long b;\n")
        os.utime(tmp, (OLD, OLD))
        os.replace(tmp, self.base / "b.c")
        w = self.walk()
        w.reset()
        self.assertEqual((self.src / "b.c").read_text(), "long b;\n")
        self.assertEqual((self.src / "a.h").read_text(), "#define A 1\n")
        self.assertGreater(
            (self.src / "a.h").stat().st_mtime, OLD + 60
        )  # make rebuilds what it reaches
        self.assertEqual(
            ((self.base / "a.h").read_text(), (self.base / "a.h").stat().st_mtime),
            ("#define A 1\n", OLD),
        )  # the tree is untouched

    def test_a_symlink_and_a_script_are_written_as_git_holds_them(self):
        each_commit.check_base(
            self.tmp / "repo/.git", self.commit["commit"] + "~1", [self.commit], self.base
        )
        w = self.walk()
        w.reset()
        w.apply(self.commit)
        self.assertEqual(os.readlink(self.src / "link.h"), "b.c")
        self.assertTrue(os.access(self.src / "tool.sh", os.X_OK))
        self.assertEqual(os.readlink(self.base / "link.h"), "a.h")  # the tree is untouched

    def test_a_range_whose_base_is_not_an_ancestor_is_refused(self):
        repo = self.tmp / "repo"
        git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
        (repo / "b.c").write_text("short b;\n")
        side = commit(repo, "b: short")
        with self.assertRaisesRegex(ToolError, "does not follow"):
            each_commit.commits(repo / ".git", side, self.commit["commit"])

    def test_a_fixup_in_a_file_the_commit_wrote_does_not_date_it_back(self):
        w = self.walk([Fixup("a 4.x bug", "a.h", "A 2", "A 2 /* fixed */")])
        w.reset()
        w.apply(self.commit)
        self.assertEqual((self.src / "a.h").read_text(), "#define A 2 /* fixed */\n")
        self.assertGreater((self.src / "a.h").stat().st_mtime, OLD + 60)


if __name__ == "__main__":
    unittest.main()
