"""Users' trees as they really are: line endings, odd bytes, symlinks, and
runs that are cut short. Each case checks the bytes of the tree, not only
the exit status."""

import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from . import minitree
from .test_apply import Base, treewide


def digest(tree):
    """One checksum over every file's path and bytes (symlinks as links)."""
    h = hashlib.sha256()
    for p in sorted(Path(tree).rglob("*")):
        h.update(str(p.relative_to(tree)).encode())
        h.update(os.readlink(p).encode() if p.is_symlink() else p.read_bytes() if p.is_file() else b"/")
    return h.hexdigest()


class LineEndings(Base):
    HEADER = "arch/alpha/include/asm/dma-mapping.h"

    def crlf_tree(self):
        tree = self.tree()
        path = tree / self.HEADER
        text = path.read_text()
        # CRLF lines, trailing blanks, a Latin-1 byte in a comment, no final newline.
        lines = text.rstrip("\n").split("\n")
        lines[0] += " \t"
        lines.insert(1, "/* (c) Fran\xe7ois */")
        path.write_bytes("\r\n".join(lines).encode("latin-1"))
        return tree

    def test_crlf_file_is_rewritten_byte_exactly(self):
        lf = self.tree()
        treewide("apply", lf, "--out", self.tmp / "lf-out")
        expected_lf = (lf / self.HEADER).read_bytes()
        shutil.rmtree(lf)
        tree = self.crlf_tree()
        before = (tree / self.HEADER).read_bytes()
        self.apply(tree)
        after = (tree / self.HEADER).read_bytes()
        self.assertNotEqual(after, before)
        old_lines, new_lines = before.split(b"\r\n"), after.split(b"\r\n")
        self.assertNotIn(b"\n", b"".join(new_lines))            # every line ends in CRLF, the hunk's too
        self.assertEqual(new_lines[:2], old_lines[:2])           # trailing blanks and the odd byte kept
        self.assertFalse(after.endswith(b"\n"))                  # still no final newline
        # The same change as on the LF tree, line for line.
        self.assertIn(b"get_arch_dma_ops(void)", after)
        changed = [line for line in new_lines if line not in old_lines]
        self.assertTrue(changed)
        self.assertTrue(all(line in expected_lf.split(b"\n") for line in changed), changed)
        # A second run finds nothing to do and leaves the bytes alone.
        r = self.apply(tree)
        self.assertIn("Nothing to do", r.stdout)
        self.assertEqual((tree / self.HEADER).read_bytes(), after)

    def test_rollback_restores_the_original_bytes(self):
        from treewide_lib.txn import Transaction
        tree = self.crlf_tree()
        before = digest(tree)
        txn = Transaction(tree, self.out)
        real = Path.write_bytes
        calls = []

        def dies_on_second(path, *a, **k):
            calls.append(path)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(path, *a, **k)
        Path.write_bytes = dies_on_second
        try:
            with self.assertRaises(KeyboardInterrupt):
                txn.commit({self.HEADER: "changed\r\n", "include/linux/device.h": "changed\n"})
        finally:
            Path.write_bytes = real
        self.assertEqual(digest(tree), before)


class Symlinks(Base):
    def test_linked_file_and_directory_are_rewritten_at_their_targets(self):
        tree = self.tree()
        # alpha's header is a link to a file elsewhere in the tree; mips's asm/ a linked directory.
        shared = tree / "shared"
        shared.mkdir()
        alpha = tree / "arch/alpha/include/asm/dma-mapping.h"
        (shared / "alpha-dma-mapping.h").write_bytes(alpha.read_bytes())
        alpha.unlink()
        alpha.symlink_to("../../../../shared/alpha-dma-mapping.h")
        mips = tree / "arch/mips/include/asm"
        mips.rename(shared / "mips-asm")
        mips.symlink_to("../../../shared/mips-asm")
        self.apply(tree)
        report = self.report()
        self.assertEqual(report["residuals"], [])
        self.assertTrue(alpha.is_symlink() and mips.is_symlink())
        self.assertIn("get_arch_dma_ops(void)", (shared / "alpha-dma-mapping.h").read_text())
        self.assertIn("get_arch_dma_ops(void)", (shared / "mips-asm/dma-mapping.h").read_text())
        self.assertEqual(report["through_symlinks"]["shared/alpha-dma-mapping.h"],
                         "arch/alpha/include/asm/dma-mapping.h")
        self.assertEqual(report["through_symlinks"]["shared/mips-asm/dma-mapping.h"],
                         "arch/mips/include/asm/dma-mapping.h")
        self.assertIn("return get_arch_dma_ops();", (tree / "include/linux/dma-mapping.h").read_text())
        self.assertIn("Nothing to do", self.apply(tree).stdout)

    def test_a_link_out_of_the_tree_is_refused(self):
        tree = self.tree()
        elsewhere = self.tmp / "elsewhere"
        elsewhere.mkdir()
        alpha = tree / "arch/alpha/include/asm/dma-mapping.h"
        (elsewhere / "dma-mapping.h").write_bytes(alpha.read_bytes())
        alpha.unlink()
        alpha.symlink_to(elsewhere / "dma-mapping.h")
        before, outside = digest(tree), digest(elsewhere)
        r = self.apply(tree, ok=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(f"{alpha} is a symlink to {elsewhere / 'dma-mapping.h'}, outside the tree", r.stderr)
        self.assertEqual((digest(tree), digest(elsewhere)), (before, outside))

    def test_a_link_to_nothing_holds_no_site(self):
        # Selftests link to arch sources; a trimmed or vendor tree may lack them.
        tree = self.tree()
        (tree / "tools/testing").mkdir(parents=True)
        (tree / "tools/testing/vphn.c").symlink_to("../../arch/powerpc/mm/vphn.c")
        self.apply(tree)
        self.assertEqual(self.report()["residuals"], [])
        self.assertIn("get_arch_dma_ops(void)", (tree / "arch/alpha/include/asm/dma-mapping.h").read_text())
        self.assertTrue((tree / "tools/testing/vphn.c").is_symlink())


class Permissions(Base):
    """What a user without root meets: files and directories they may not read or write."""

    def as_user(self, *args):
        """treewide run as an unprivileged user when the tests run as root (root reads and writes anything)."""
        from .test_apply import SCRIPTS, TREEWIDE
        if os.geteuid() != 0:
            return treewide(*args)
        kit = self.tmp / "kit"
        if not kit.exists():
            for part in ("scripts", "semantic-patches", "kernel-overlay"):
                shutil.copytree(SCRIPTS.parent / part, kit / part, ignore=shutil.ignore_patterns("__pycache__"))
            for p in [self.tmp, kit, *kit.rglob("*")]:
                p.chmod(0o777 if p.is_dir() else 0o755)
        return treewide(*args, user="nobody", tool=["/usr/bin/python3", str(kit / "scripts/treewide")])

    def test_unreadable_header_is_a_clear_error(self):
        tree = self.tree()
        for p in [tree, *tree.rglob("*")]:
            p.chmod(0o777 if p.is_dir() else 0o666)
        header = tree / "include/linux/dma-mapping.h"
        header.chmod(0)
        before = digest(tree)
        r = self.as_user("apply", tree, "--out", self.tmp / "out")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("include/linux/dma-mapping.h: Permission denied", r.stderr)
        self.assertIn("fix:", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertEqual(digest(tree), before)

    def test_out_that_cannot_be_written(self):
        tree = self.tree()
        for p in [tree, *tree.rglob("*")]:
            p.chmod(0o777 if p.is_dir() else 0o666)
        out = self.tmp / "locked out"
        out.mkdir()
        out.chmod(0o555)
        before = digest(tree)
        r = self.as_user("apply", tree, "--out", out / "run")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("locked out/run: Permission denied", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertEqual(digest(tree), before)


class Interruptions(Base):
    def test_out_that_is_a_file_or_lies_under_one(self):
        tree = self.tree()
        before = digest(tree)
        blocker = self.tmp / "a file"
        blocker.write_text("not a directory\n")
        for out in (blocker, blocker / "out"):
            r = treewide("apply", tree, "--out", out)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("fix:", r.stderr)
            self.assertNotIn("Traceback", r.stderr)
        self.assertEqual(digest(tree), before)
        self.assertEqual(blocker.read_text(), "not a directory\n")

    def test_disk_full_while_journalling_then_a_rerun_finishes(self):
        import errno
        from treewide_lib import txn
        tree = self.tree()
        before = digest(tree)
        real = shutil.copyfile
        calls = []

        def full(src, dst, *a, **k):
            calls.append(dst)
            if len(calls) == 2:
                raise OSError(errno.ENOSPC, "No space left on device", str(dst))
            return real(src, dst, *a, **k)
        staged = {"include/linux/device.h": "changed\n", "include/linux/dma-mapping.h": "changed\n"}
        txn.shutil.copyfile = full
        try:
            with self.assertRaises(OSError):
                txn.Transaction(tree.resolve(), self.out).commit(staged)
        finally:
            txn.shutil.copyfile = real
        self.assertEqual(digest(tree), before)            # not one file of the tree written
        self.apply(tree)                                  # space is back: the same OUT goes on
        self.assertEqual(self.report()["residuals"], [])
        self.assertIn("written", self.report()["written"])

    def test_last_words_after_the_write_say_what_the_tree_holds(self):
        from treewide_lib import apply, recipe, txn
        from treewide_lib.spatch import Spatch
        from treewide_lib.tree import Tree
        tree = Tree(self.tree())
        real = apply._write_report
        calls = []

        def stopped(out, rep):
            calls.append(rep.get("written"))
            if len(calls) == 2:                           # the tree is written, its final report is not
                raise KeyboardInterrupt
            return real(out, rep)
        apply._write_report = stopped
        txn.watch(tree.root)
        try:
            with self.assertRaises(KeyboardInterrupt):
                apply.run(tree, recipe.load(), Spatch(jobs=2), self.out, log=lambda *a: None)
        finally:
            apply._write_report = real
        self.assertIn("holds this run's result", txn.last_words())
        self.assertEqual(self.report()["written"], "interrupted while writing the tree")
        self.assertIn("get_arch_dma_ops(void)", (tree.root / "arch/alpha/include/asm/dma-mapping.h").read_text())
        txn.watch("")                                     # a scratch copy's state is never the user's
        self.assertEqual(txn.last_words(), "the tree was left as it was before this run")
        txn.PHASE.update(phase="untouched", user_tree=None)


if __name__ == "__main__":
    unittest.main()
