"""Each commit message of a series says how to make its commit: saved as it
quotes them, its semantic patches run with the commands it shows on the
commit's parent give the commit (on a mini tree, on the Debian 6.1 tree, and
on a fetched 4.10.17 tree where TREEWIDE_TREES has one)."""

import subprocess
import unittest

from treewide_lib import changelog
from treewide_lib.spatch import Spatch

from .support import debian_tree, fetched_tree, scratch_copy
from .test_series import SeriesBase, kernel_scripts

TIER = "trees"

TREE_4_10 = fetched_tree("TREEWIDE_TREE_4_10", "linux-4.10.17")


class Reproduce(SeriesBase):
    def reproduce(self, commits=None):
        """{commit: what differs} of the series in self.out made again from its messages."""
        commits = commits or [p["commit"] for p in self.data()["patches"]]
        return changelog.reproduce(
            self.out / ".work/git", commits, Spatch().env, self.tmp / "again"
        )

    def messages(self):
        return [p.read_text() for p in sorted((self.out / "series").glob("0*.patch"))[1:]]

    def assertReproduces(self, absent=()):
        """Every commit made again from its message; none says what the toolkit alone needs."""
        self.assertEqual(self.reproduce(), {})
        for msg in self.messages():
            for word in ("treewide-rule", "--debug", "--timeout", *absent):
                self.assertNotIn(word, msg)

    def test_mini_tree(self):
        self.series(kernel_scripts(self.tree()))
        self.assertReproduces()
        first = self.messages()[0]
        self.assertIn(
            "save each semantic patch below as the file its first line names",
            " ".join(first.split()),
        )
        self.assertIn("\n      spatch --sp-file archdata-dma-ops-users.cocci -D patch", first)

    def test_a_message_whose_command_does_less_is_caught(self):
        self.series(kernel_scripts(self.tree()))
        gitdir = self.out / ".work/git"
        env = {"GIT_DIR": str(gitdir)}
        first = self.data()["patches"][0]["commit"]
        msg = subprocess.run(
            ["git", "log", "-1", "--format=%B", first],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.assertIn(" -D patch ", msg)
        tree = subprocess.run(
            ["git", "rev-parse", f"{first}^{{tree}}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        forged = subprocess.run(
            ["git", "commit-tree", tree, "-p", f"{first}^", "-m", msg.replace(" -D patch ", " ")],
            env=dict(
                env,
                GIT_AUTHOR_NAME="t",
                GIT_AUTHOR_EMAIL="t@example.org",
                GIT_COMMITTER_NAME="t",
                GIT_COMMITTER_EMAIL="t@example.org",
            ),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        self.assertIn(forged, self.reproduce([forged]))

    def test_debian_6_1(self):
        self.series(scratch_copy(debian_tree("6.1"), self.tmp))
        self.assertReproduces(absent=("@script:python", "@initialize"))

    @unittest.skipUnless(
        TREE_4_10, "set TREEWIDE_TREES (or TREEWIDE_TREE_4_10) to an unpacked 4.10.17 tree"
    )
    def test_linux_4_10_17(self):
        self.series(scratch_copy(TREE_4_10, self.tmp))
        self.assertReproduces()
        self.assertIn("consolidate-get-dma-ops", [p["step"] for p in self.data()["patches"]])
