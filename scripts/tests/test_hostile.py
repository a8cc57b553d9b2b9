"""Users' trees as they really are: line endings, odd bytes, symlinks, and
runs that are cut short. Each case checks the bytes of the tree, not only
the exit status."""

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest
from pathlib import Path

from . import minitree
from .support import SCRIPTS, TREEWIDE, Base, one_job, treewide


def digest(tree):
    """One checksum over every file's path and bytes (symlinks as links)."""
    h = hashlib.sha256()
    for p in sorted(Path(tree).rglob("*")):
        h.update(str(p.relative_to(tree)).encode())
        h.update(
            os.readlink(p).encode() if p.is_symlink() else p.read_bytes() if p.is_file() else b"/"
        )
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
        self.assertNotIn(b"\n", b"".join(new_lines))  # every line ends in CRLF, the hunk's too
        self.assertEqual(new_lines[:2], old_lines[:2])  # trailing blanks and the odd byte kept
        self.assertFalse(after.endswith(b"\n"))  # still no final newline
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
        from treewide_lib.txn import Transaction, on_disk
        tree = self.crlf_tree()
        before = digest(tree)
        txn = Transaction(tree, self.out)
        staged = {self.HEADER: "changed\r\n", "include/linux/device.h": "changed\n"}
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
                txn.commit(staged, on_disk(tree, staged))
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
        self.assertEqual(
            report["through_symlinks"]["shared/alpha-dma-mapping.h"],
            "arch/alpha/include/asm/dma-mapping.h",
        )
        self.assertEqual(
            report["through_symlinks"]["shared/mips-asm/dma-mapping.h"],
            "arch/mips/include/asm/dma-mapping.h",
        )
        self.assertIn(
            "return get_arch_dma_ops();", (tree / "include/linux/dma-mapping.h").read_text()
        )
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
        self.assertIn(
            f"{alpha} is a symlink to {elsewhere / 'dma-mapping.h'}, outside the tree", r.stderr
        )
        self.assertEqual((digest(tree), digest(elsewhere)), (before, outside))

    def test_a_link_to_nothing_holds_no_site(self):
        # Selftests link to arch sources; a trimmed or vendor tree may lack them.
        tree = self.tree()
        (tree / "tools/testing").mkdir(parents=True)
        (tree / "tools/testing/vphn.c").symlink_to("../../arch/powerpc/mm/vphn.c")
        self.apply(tree)
        self.assertEqual(self.report()["residuals"], [])
        self.assertIn(
            "get_arch_dma_ops(void)", (tree / "arch/alpha/include/asm/dma-mapping.h").read_text()
        )
        self.assertTrue((tree / "tools/testing/vphn.c").is_symlink())


class Permissions(Base):
    """What a user without root meets: files and directories they may not read or write."""

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

    def test_one_out_rule_for_every_command(self):
        # An OUT holding the user's files, or another command's run, is never
        # used by matrix or boot (whose runs replace what they wrote there);
        # an empty one, or an earlier run's of the same command, is.
        from treewide_lib import outdir
        from treewide_lib.errors import ToolError
        theirs = self.tmp / "theirs"
        theirs.mkdir()
        (theirs / "notes.txt").write_text("mine\n")
        matrix_out = self.tmp / "matrix-out"
        outdir.claim(matrix_out, "matrix")
        legacy = self.tmp / "legacy"
        legacy.mkdir()
        (legacy / ".treewide-boot").touch()                 # an earlier version's marker
        (legacy / "boot.json").write_text("{}\n")
        tree = self.tree()
        for command, out in (("matrix", theirs), ("boot", theirs), ("boot", matrix_out)):
            r = treewide(command, tree, "--out", out)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn(f"no `treewide {command}` run wrote it", r.stderr)
            self.assertIn("fix: pass a new or empty OUT", r.stderr)
        self.assertEqual((theirs / "notes.txt").read_text(), "mine\n")
        self.assertEqual(outdir.check(matrix_out, [tree], "matrix"), matrix_out.resolve())
        self.assertEqual(outdir.check(legacy, [tree], "boot"), legacy.resolve())
        (self.tmp / "empty").mkdir()
        self.assertTrue(outdir.check(self.tmp / "empty", [tree], "boot"))
        with self.assertRaisesRegex(ToolError, "is inside the kernel tree"):
            outdir.check(tree / "out", [tree], "matrix")

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
                txn.Transaction(tree.resolve(), self.out).commit(staged, txn.on_disk(tree, staged))
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
            if len(calls) == 2:  # the tree is written, its final report is not
                raise KeyboardInterrupt
            return real(out, rep)
        apply._write_report = stopped
        txn.watch(tree.root)
        try:
            with self.assertRaises(KeyboardInterrupt):
                apply.run(tree, recipe.load(), Spatch(jobs=2), self.out, log=lambda *a: None)
        finally:
            apply._write_report = real
        self.assertIn("holds this run's result", txn.tree_state())
        self.assertEqual(self.report()["written"], "interrupted while writing the tree")
        self.assertIn(
            "get_arch_dma_ops(void)",
            (tree.root / "arch/alpha/include/asm/dma-mapping.h").read_text(),
        )
        txn.watch("")  # a scratch copy's state is never the user's
        self.assertEqual(txn.tree_state(), "the tree was left as it was before this run")
        txn.PHASE.update(phase="untouched", user_tree=None)


def run_main(*args):
    """`treewide ARGS` in this process (so that a test can reach into the run):
    (exit status, stdout, stderr), the signal handlers and streams put back."""
    from treewide_lib import cli

    handlers = {
        s: signal.getsignal(s)
        for s in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM)
    }
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(one_job(args))
    finally:
        sys.stdout, sys.stderr = saved
        for s, h in handlers.items():
            signal.signal(s, h)
    return status, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def patched(module, name, make):
    """module.name replaced by make(real) for the block."""
    real = getattr(module, name)
    setattr(module, name, make(real))
    try:
        yield
    finally:
        setattr(module, name, real)


@contextlib.contextmanager
def every_write(make):
    """write_atomic, by which the tree's files and apply's reports are
    written, replaced by make(real)."""
    from treewide_lib import apply, txn
    with patched(txn, "write_atomic", make), patched(apply, "write_atomic", make):
        yield


class Edits(Base):
    """A file the user changes after the run read it is never overwritten."""

    EDIT = "/* the user's edit */\n"

    _result = None

    def result_of_a_run(self):
        """The tree a whole run gives, and the files it writes (one run for the class)."""
        if Edits._result is None:
            tree = self.tree()
            before = minitree.snapshot(tree)
            self.apply(tree)
            after = minitree.snapshot(tree)
            shutil.rmtree(tree)
            shutil.rmtree(self.out)
            Edits._result = after, sorted(rel for rel in after if after[rel] != before.get(rel))
        return Edits._result

    def edit(self, tree, rel):
        with open(tree / rel, "a", encoding="utf-8") as f:
            f.write(self.EDIT)

    def test_an_edit_before_the_write_survives(self):
        from treewide_lib import txn
        _, written = self.result_of_a_run()
        tree = self.tree()
        before = minitree.snapshot(tree)

        def edits_first(real):
            def commit(self_, staged, expected):
                self.edit(tree, written[-1])  # saved after the run read it, before the write
                return real(self_, staged, expected)
            return commit
        with patched(txn.Transaction, "commit", edits_first):
            status, out, err = run_main("apply", tree, "--out", self.out)
        self.assertEqual(status, 2, err)
        self.assertIn(f"{written[-1]} changed in {tree.resolve()} after this run read it", err)
        now = minitree.snapshot(tree)
        self.assertEqual(now[written[-1]], before[written[-1]] + self.EDIT.encode())
        self.assertEqual({k: v for k, v in now.items() if k != written[-1]},
                         {k: v for k, v in before.items() if k != written[-1]})
        self.assertNotIn("written", self.report()["written"].replace("rewritten", ""))

    def test_an_edit_during_the_write_survives_and_the_rest_is_rolled_back(self):
        from treewide_lib import txn
        _, written = self.result_of_a_run()
        self.assertGreater(len(written), 2)
        tree = self.tree()
        before = minitree.snapshot(tree)
        calls = []

        def edits_after_first(real):
            def write(path, data):
                real(path, data)
                calls.append(path)
                if (
                    Path(path).is_relative_to(tree.resolve())
                    and len([c for c in calls if Path(c).is_relative_to(tree.resolve())]) == 1
                ):
                    self.edit(tree, written[-1])  # the first file is written, the last one not yet

            return write
        with patched(txn, "write_atomic", edits_after_first):
            status, out, err = run_main("apply", tree, "--out", self.out)
        self.assertEqual(status, 2, err)
        self.assertIn(f"{written[-1]} changed in", err)
        now = minitree.snapshot(tree)
        self.assertEqual(now[written[-1]], before[written[-1]] + self.EDIT.encode())
        del now[written[-1]], before[written[-1]]
        self.assertEqual(now, before)  # the first file rolled back, nothing else touched

    def test_a_rollback_keeps_an_edit_made_to_a_file_already_written(self):
        from treewide_lib import txn
        result, written = self.result_of_a_run()
        tree = self.tree()
        before = minitree.snapshot(tree)
        mine = []

        def edits_then_stops(real):
            def write(path, data):
                if Path(path).is_relative_to(tree.resolve()):
                    mine.append(os.path.relpath(path, tree.resolve()))
                    if len(mine) == 2:  # the user edits the first file written, then hangs up
                        self.edit(tree, mine[0])
                        os.kill(os.getpid(), signal.SIGHUP)
                real(path, data)
            return write
        with patched(txn, "write_atomic", edits_then_stops):
            status, out, err = run_main("apply", tree, "--out", self.out)
        self.assertEqual(status, 128 + signal.SIGHUP, err)
        self.assertIn("rolled back, except 1 file(s) someone else changed meanwhile", err)
        now = minitree.snapshot(tree)
        self.assertEqual(
            now[mine[0]], result[mine[0]] + self.EDIT.encode()
        )  # their edit of our result
        self.assertEqual((self.out / txn.KEPT / mine[0]).read_bytes(), before[mine[0]])
        del now[mine[0]], before[mine[0]]
        self.assertEqual(now, before)

    def test_a_series_of_a_tree_changed_meanwhile_is_not_written(self):
        from treewide_lib import series
        _, written = self.result_of_a_run()
        tree = self.tree()
        out = self.tmp / "series out"

        def edits_after_the_steps(real):
            def run_steps(*a, **k):
                got = real(*a, **k)
                self.edit(tree, written[0])
                return got
            return run_steps
        with patched(series.apply, "run_steps", edits_after_the_steps):
            status, _, err = run_main(
                "series", tree, "--out", out, "--no-verify", "--signoff", "T <t@example.org>"
            )
        self.assertEqual(status, 2, err)
        self.assertIn(f"{written[0]} changed in {tree.resolve()} while this series was made", err)
        self.assertFalse(out.exists())
        self.assertFalse(out.with_name(out.name + ".partial").exists())
        self.assertTrue((tree / written[0]).read_text().endswith(self.EDIT))


class Stops(Base):
    """Every signal that ends a process, at every point of the write phase:
    the tree ends pristine or complete, and the exit status and last words say which."""

    def test_sighup_at_every_point_of_the_write(self):
        template = self.tree()
        pristine = minitree.snapshot(template)
        self.apply(template)
        complete = minitree.snapshot(template)
        writes = (
            sum(1 for rel in complete if complete[rel] != pristine.get(rel)) + 2
        )  # + the two reports
        seen = set()
        for k in range(1, writes + 1):
            with self.subTest(signal_at_write=k):
                tree = minitree.write(
                    self.tmp / f"tree {k}", (("alpha", "plain"), ("mips", "check"))
                )
                out = self.tmp / f"out {k}"
                count = []

                def hangs_up(real):
                    def write(path, data):
                        count.append(path)
                        if len(count) == k:
                            os.kill(os.getpid(), signal.SIGHUP)
                        real(path, data)
                    return write
                with every_write(hangs_up):
                    status, _, err = run_main("apply", tree, "--out", out)
                now = minitree.snapshot(tree)
                if status == 0:
                    self.assertEqual(now, complete)
                    self.assertIn("SIGHUP came once the tree was written, so the run finished", err)
                    self.assertIn("file(s) written", (out / "apply.json").read_text())
                    seen.add("complete")
                else:
                    self.assertEqual(status, 128 + signal.SIGHUP, err)
                    self.assertEqual(now, pristine)
                    self.assertRegex(
                        err,
                        (
                            "stopped by SIGHUP; (the tree was left as it was|the write into .* "
                            "was rolled back: the tree is as it was)"
                        ),
                    )
                    self.assertFalse((out / ".txn").exists())
                    seen.add("pristine")
        self.assertEqual(seen, {"complete", "pristine"})

    def test_each_stop_signal_rolls_back(self):
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            with self.subTest(signal=sig.name):
                tree = minitree.write(
                    self.tmp / f"tree {sig.name}", (("alpha", "plain"), ("mips", "check"))
                )
                before = minitree.snapshot(tree)
                count = []

                def stops(real):
                    def write(path, data):
                        count.append(path)
                        if len(count) == 3:  # the report, one file written, then the signal
                            os.kill(os.getpid(), sig)
                        real(path, data)
                    return write
                count.clear()
                with every_write(stops):
                    status, _, err = run_main("apply", tree, "--out", self.tmp / f"out {sig.name}")
                self.assertEqual(status, 128 + sig, err)
                self.assertIn(f"stopped by {sig.name}; the write into", err)
                self.assertEqual(minitree.snapshot(tree), before)

    def test_a_closed_output_stops_the_run_cleanly(self):
        tree = self.tree()
        before = minitree.snapshot(tree)
        p = subprocess.Popen(TREEWIDE + ["apply", str(tree), "--out", str(self.out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()                                  # nobody reads its output any more
        err = p.stderr.read().decode()
        p.stderr.close()
        self.assertEqual(p.wait(), 128 + signal.SIGPIPE, err)
        self.assertIn("stopped by SIGPIPE; the tree was left as it was before this run", err)
        self.assertNotIn("Traceback", err)
        self.assertEqual(minitree.snapshot(tree), before)


class OneLockPerTree(Base):
    """The lock is the tree's own: runs see it whatever their environment."""

    HOLD = ("import sys, time; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from treewide_lib import lock\n"
            "with lock.tree_lock(Path(sys.argv[2]), exclusive=True):\n"
            "    print('held', flush=True); sys.stdin.read()\n")

    def holder(self, tree, tmpdir):
        """Another process, with its own TMPDIR, holding the tree's lock until its stdin closes."""
        env = dict(os.environ, TMPDIR=str(tmpdir))
        p = subprocess.Popen(
            [sys.executable, "-c", self.HOLD, str(SCRIPTS), str(tree.resolve())],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(p.wait)
        self.addCleanup(p.stdout.close)
        self.addCleanup(p.stdin.close)
        self.assertEqual(p.stdout.readline().strip(), "held")
        return p

    def tmpdirs(self):
        dirs = [self.tmp / "tmp a", self.tmp / "tmp b"]
        for d in dirs:
            d.mkdir()
        return dirs

    def test_a_writer_with_another_tmpdir_is_refused_or_waits(self):
        tree = self.tree()
        before = minitree.snapshot(tree)
        a, b = self.tmpdirs()
        held = self.holder(tree, a)
        r = treewide("apply", tree, "--out", self.out, env=dict(os.environ, TMPDIR=str(b)))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"another treewide run is using {tree.resolve()} (pid {held.pid}:", r.stderr)
        self.assertEqual(minitree.snapshot(tree), before)
        waiter = subprocess.Popen(TREEWIDE + ["apply", str(tree), "--out", str(self.out), "--wait"],
                                  env=dict(os.environ, TMPDIR=str(b)), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        self.assertIsNone(waiter.poll())                  # queued behind the holder
        held.stdin.close()
        out, err = waiter.communicate(timeout=300)
        self.assertEqual(waiter.returncode, 0, out + err)
        self.assertIn("waiting for another treewide run", out)
        self.assertNotEqual(minitree.snapshot(tree), before, out + err)
        self.assertEqual([list(d.iterdir()) for d in (a, b)], [[], []])     # nothing left behind

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run a second user")
    def test_a_tmpdir_with_a_space_changes_nothing_of_the_result(self):
        """spatch hands its paths to find and cp through a shell: a path
        with a space finds no file."""
        results = []
        for tmpdir in ("plain", "with space"):
            (self.tmp / tmpdir).mkdir()
            tree = minitree.write(
                self.tmp / f"tree {tmpdir}", (("alpha", "plain"), ("mips", "check"))
            )
            self.assertEqual(
                treewide(
                    "apply",
                    tree,
                    "--out",
                    self.tmp / f"out {tmpdir}",
                    env=dict(os.environ, TMPDIR=str(self.tmp / tmpdir)),
                ).returncode,
                0,
            )
            results.append(minitree.snapshot(tree))
        self.assertEqual(results[0], results[1])

    def test_another_user_sees_the_lock(self):
        tree = self.tree()
        a, b = self.tmpdirs()
        for p in [self.tmp, *self.tmp.rglob("*")]:
            p.chmod(0o777 if p.is_dir() else 0o666)
        held = self.holder(tree, a)
        r = self.as_user("apply", tree, "--out", b / "out", "--dry-run")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(f"(pid {held.pid}:", r.stderr)


if __name__ == "__main__":
    unittest.main()
