"""treewide series on small kernel-shaped trees (with the Debian 6.1 tree's
own get_maintainer.pl, checkpatch.pl and MAINTAINERS copied in), and on the
real Debian trees."""

import email.utils
import json
import os
import re
import shutil
import subprocess
import unittest
from pathlib import Path
from datetime import datetime, timezone

from treewide_lib import kcidb

from . import minitree
from .support import Base, debian_tree, differing, fetched_tree, scratch_copy, treewide

TIER = "trees"

SIGNOFF = "Test Developer <dev@example.org>"
TOP_FILES = ("COPYING", "CREDITS", "Kbuild", "README")
TOP_DIRS = ("Documentation", "drivers", "fs", "init", "ipc", "kernel", "lib")


def kernel_scripts(root):
    """What get_maintainer.pl and checkpatch.pl need to run in a mini tree."""
    debian = debian_tree("6.1")
    for rel in ("scripts/get_maintainer.pl", "scripts/checkpatch.pl", "scripts/spelling.txt",
                "scripts/const_structs.checkpatch", "MAINTAINERS"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(debian / rel, root / rel)
    for f in TOP_FILES:
        (root / f).touch()
    for d in TOP_DIRS:
        (root / d).mkdir(exist_ok=True)
    return root


class SeriesBase(Base):
    def series(self, tree, *extra, ok=True, out=None, env=None):
        r = treewide(
            "series", tree, "--out", out or self.out, "--signoff", SIGNOFF, *extra, env=env
        )
        if ok:
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def data(self, out=None):
        return json.loads(((out or self.out) / "series.json").read_text())

    def git(self, tree, *args):
        git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@example.org"]
        return subprocess.run(git + list(args), check=True, capture_output=True, text=True).stdout


class Series(SeriesBase):
    def test_plain_tree(self):
        tree = kernel_scripts(self.tree())
        before = minitree.snapshot(tree)
        self.series(tree, "--for", "mainline")
        self.assertEqual(minitree.snapshot(tree), before)
        d = self.data()
        self.assertEqual([p["step"] for p in d["patches"]],
                         ["move-dma-ops", "consolidate-get-dma-ops", "drop-bus-argument"])
        self.assertTrue(d["verify"]["identical"], d["verify"])
        patches = sorted((self.out / "series").glob("*.patch"))
        self.assertEqual(len(patches), 4)
        cover = patches[0].read_text()
        self.assertIn("Subject: [PATCH 0/3] Consolidate get_dma_ops() into one generic hook", cover)
        self.assertIn(
            "- xen/arm: Preserve the native DMA ops when dom0 installs Xen's: does\n  not apply",
            cover,
        )
        self.assertIn("not a git checkout, so there is\nno base-commit", cover)
        self.assertNotIn("base-commit:", cover)
        self.assertIn("\nTesting:\n", cover)
        first = patches[1].read_text()
        self.assertIn(
            "Subject: [PATCH 1/3] treewide: Move dma_ops from struct dev_archdata into", first
        )
        self.assertIn("To reproduce this commit from its parent, save each semantic patch", first)
        self.assertIn("\n  // archdata-dma-ops-users.cocci\n", first)
        self.assertIn(f"Signed-off-by: {SIGNOFF}", first)
        self.assertRegex(first, r"\nTo: Christoph Hellwig")              # DMA MAPPING HELPERS
        self.assertRegex(first, r"\nCc: Richard Henderson")              # alpha, from MAINTAINERS
        self.assertRegex(first, r"linux-mips@vger.kernel.org")
        for p in d["patches"]:
            self.assertTrue(p["checkpatch"]["explained"], p["checkpatch"])
        prov = json.loads((self.out / "provenance.json").read_text())
        hunks = [h for p in prov.values() for h in p]
        self.assertTrue(hunks)
        self.assertNotIn(["(unattributed)"], [h["sources"] for h in hunks])
        widget = [h for h in prov[patches[1].name] if h["file"] == "drivers/widget/widget.c"]
        self.assertEqual(widget[0]["sources"], ["archdata-dma-ops-users.cocci"])
        self.assertEqual(
            widget[0]["made_by"],
            [{"source": "archdata-dma-ops-users.cocci", "rules": ["archdata_access"]}],
        )
        mips = [
            h
            for p in prov.values()
            for h in p
            if h["file"] == "arch/mips/include/asm/dma-mapping.h"
            and h["step"] == "consolidate-get-dma-ops"
        ]
        self.assertEqual(mips[0]["made_by"][0]["rules"], ["check_first"])
        report = (self.out / "report.md").read_text()
        self.assertIn(
            "| 1 | treewide: Move dma_ops from struct dev_archdata into struct device |", report
        )

    def test_git_am_gives_the_apply_tree(self):
        tree = kernel_scripts(self.tree())
        self.series(tree)
        applied = self.tmp / "applied"
        shutil.copytree(tree, applied)
        r = treewide("apply", applied, "--out", self.tmp / "apply-out")
        self.assertEqual(r.returncode, 0, r.stderr)
        checkout = self.tmp / "am"
        shutil.copytree(tree, checkout)
        self.git(checkout, "init", "-q")
        self.git(checkout, "add", "-A", "-f")
        self.git(checkout, "commit", "-qm", "base")
        patches = sorted(str(p) for p in (self.out / "series").glob("*.patch"))[1:]
        self.git(checkout, "am", "-q", *patches)
        shutil.rmtree(checkout / ".git")
        self.assertEqual(minitree.snapshot(checkout), minitree.snapshot(applied))

    def test_regeneration_is_byte_identical(self):
        tree = kernel_scripts(self.tree())
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        self.series(tree, env=env)
        first = {p.name: p.read_bytes() for p in (self.out / "series").glob("*")}
        self.assertIn(b"\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n", first[min(first)])
        self.series(tree, "--force", env=env)
        self.assertEqual({p.name: p.read_bytes() for p in (self.out / "series").glob("*")}, first)

    def test_patches_are_dated_now_without_source_date_epoch(self):
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        self.series(kernel_scripts(self.tree()), env=env)
        date = re.search(
            r"(?m)^Date: (.*)$", sorted((self.out / "series").glob("*.patch"))[1].read_text()
        )
        when = email.utils.parsedate_to_datetime(date.group(1))
        self.assertLess(abs((datetime.now(timezone.utc) - when).total_seconds()), 600)

    def test_a_source_date_epoch_that_is_no_number_is_refused(self):
        r = self.series(
            kernel_scripts(self.tree()),
            ok=False,
            env=dict(os.environ, SOURCE_DATE_EPOCH="yesterday"),
        )
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("SOURCE_DATE_EPOCH='yesterday' is not a number", r.stderr)
        self.assertFalse(self.out.exists())

    def test_git_tree_base_is_head(self):
        tree = kernel_scripts(self.tree())
        self.git(tree, "init", "-q")
        self.git(tree, "add", "-A")
        self.git(tree, "commit", "-qm", "upstream")
        head = self.git(tree, "rev-parse", "HEAD").strip()
        before = minitree.snapshot(tree)
        self.series(tree)
        self.assertEqual(self.data()["base"], head)
        self.assertTrue(self.data()["verify"]["identical"])
        self.assertEqual(minitree.snapshot(tree), before)
        self.assertEqual(self.git(tree, "status", "--porcelain"), "")

    def test_nothing_to_do(self):
        tree = kernel_scripts(self.tree())
        treewide("apply", tree, "--out", self.tmp / "apply-out")
        r = self.series(tree)
        self.assertIn("Nothing to do", r.stdout)
        self.assertFalse(self.out.exists())


class SeriesBadInput(SeriesBase):
    def test_dirty_git_tree_is_refused(self):
        tree = kernel_scripts(self.tree())
        self.git(tree, "init", "-q")
        self.git(tree, "add", "-A")
        self.git(tree, "commit", "-qm", "upstream")
        device = tree / "include/linux/device.h"
        edited = device.read_text() + "/* local */\n"
        device.write_text(edited)
        r = self.series(tree, ok=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("uncommitted changes", r.stderr)
        self.assertFalse(self.out.exists())
        self.series(tree, "--allow-dirty")
        self.assertEqual(device.read_text(), edited)

    def test_a_tree_short_of_the_end_state_exits_3(self):
        tree = kernel_scripts(self.tree())
        (tree / "include/linux/device.h").write_text("/* no struct device here */\n")
        r = self.series(tree, ok=False)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("did NOT reach the recipe's end state: move-dma-ops", r.stdout)
        self.assertIn("No series", r.stdout)
        self.assertFalse(self.out.exists())

    def test_existing_output_is_never_mixed(self):
        tree = kernel_scripts(self.tree())
        self.out.mkdir()
        (self.out / "mine.txt").write_text("keep\n")
        for force in ((), ("--force",)):
            r = self.series(tree, *force, ok=False)
            self.assertEqual(r.returncode, 2)
            self.assertIn("holds what no treewide series run wrote (mine.txt)", r.stderr)
            self.assertEqual([p.name for p in self.out.iterdir()], ["mine.txt"])

    def test_scripts_that_die_are_named_never_read_as_clean(self):
        tree = kernel_scripts(self.tree())
        for script in (
            "get_maintainer.pl",
            "checkpatch.pl",
        ):  # as on a machine missing a Perl module
            (tree / "scripts" / script).write_text("use Treewide::Missing;\n")
        r = self.series(tree, ok=False)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        for script in ("get_maintainer.pl", "checkpatch.pl"):
            self.assertIn(f"scripts/{script} did not finish (exit 2)", r.stderr)
        self.assertIn("Can't locate Treewide/Missing.pm", r.stderr)
        self.assertIn("apt-get install libtreewide-missing-perl", r.stderr)
        self.assertNotIn("clean", r.stdout)
        self.assertFalse(self.out.exists())

    def test_force_replaces_only_an_earlier_run(self):
        tree = kernel_scripts(self.tree())
        self.series(tree)
        r = self.series(tree, ok=False)
        self.assertIn("already holds a run", r.stderr)
        (self.out / "notes.txt").write_text("mine\n")     # the user's file in an earlier run's OUT
        r = self.series(tree, "--force", ok=False)
        self.assertIn("(notes.txt)", r.stderr)
        (self.out / "notes.txt").unlink()
        self.series(tree, "--force")
        sibling = self.out.with_name(self.out.name + ".old")
        sibling.mkdir()
        (sibling / "keep").write_text("mine\n")
        r = self.series(tree, "--force", ok=False)
        self.assertIn("no treewide series run wrote it", r.stderr)
        self.assertEqual((sibling / "keep").read_text(), "mine\n")

    def test_failed_run_keeps_previous_output(self):
        tree = kernel_scripts(self.tree())
        self.series(tree)
        previous = {p.name: p.read_bytes() for p in (self.out / "series").glob("*")}
        (tree / "scripts/get_maintainer.pl").unlink()      # the run fails half-way
        r = self.series(tree, "--force", ok=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("get_maintainer.pl not found", r.stderr)
        self.assertEqual(
            {p.name: p.read_bytes() for p in (self.out / "series").glob("*")}, previous
        )
        self.assertFalse(self.out.with_name(self.out.name + ".partial").exists())


class Reroll(SeriesBase):
    def test_v2_says_what_changed_since_v1(self):
        tree = kernel_scripts(self.tree())
        self.series(tree)
        (tree / "drivers/widget/gadget.c").write_text(
            "static int gadget_probe(struct device *dev)\n{\n\tdev->archdata.dma_ops ="
            " NULL;\n\treturn 0;\n}\n"
        )
        v2 = self.tmp / "v2"
        self.series(tree, "-v", "2", "--since", self.out, out=v2)
        cover = next((v2 / "series").glob("v2-0000-cover-letter.patch")).read_text()
        self.assertIn("Subject: [PATCH v2 0/3]", cover)
        self.assertIn(
            (
                "\nChanges in v2:\n"
                "- treewide: Move dma_ops from struct dev_archdata into struct device: changed"
            ),
            cover,
        )
        self.assertIn("- treewide: Consolidate get_dma_ops() implementations: unchanged\n", cover)
        self.assertNotIn(str(self.out), cover)

    def test_since_without_a_version_is_refused_before_anything_runs(self):
        r = self.series(kernel_scripts(self.tree()), "--since", self.tmp, ok=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--since names the series this one follows, but -v is 1", r.stderr)
        self.assertEqual(r.stdout, "")


def ok_commits(data):
    """A cell's commit records in which every patch of the series built cleanly."""
    return [{"commit": p["commit"], "patch": p["patch"], "subject": p["subject"], "status": "ok",
             "not_built": [], "new": [], "new_vs_previous": []} for p in data["patches"]]


class Readiness(SeriesBase):
    def test_recorded_results_make_it_ready_and_the_mail_says_how_it_was_tested(self):
        self.series(kernel_scripts(self.tree()), "--for", "mainline")
        d = self.data()
        cover = self.out / "series" / d["cover"]
        self.assertIn("- Not built yet (make matrix).", cover.read_text())
        ok = ok_commits(d)
        cells = [
            {
                "cell": c,
                "arch": c,
                "status": "ok",
                "new": [],
                "gone": [],
                "new_failures": [],
                "preexisting_failures": [],
                "unresolved": [],
                "objects_built": 1,
                "selected": 1,
                "sparse": {"new": [], "gone": [], "unchanged": 0},
                "code": {"compared": 1, "differs": []},
                "commits": ok,
            }
            for c in d["needs"]["cells"]
        ]
        (self.out / "matrix").mkdir()
        (self.out / "matrix/matrix.json").write_text(json.dumps({"cells": cells[1:]}))
        r = treewide("report", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(
            f"Not ready to send yet: 1 of {len(cells)} build cells not run ({cells[0]['cell']})",
            r.stdout,
        )
        (self.out / "matrix/matrix.json").write_text(json.dumps({"cells": cells}))
        booted = {"build": "ok", "verdict": "pass", "boot_s": 2.0}
        boots = [
            {
                "machine": n,
                "arch": "x",
                "status": "ok",
                "reason": "",
                "trees": {"baseline": booted, "patched": booted},
            }
            for n in d["needs"]["machines"] + d["needs"]["xen"]
        ]
        (self.out / "boot").mkdir()
        (self.out / "boot/boot.json").write_text(json.dumps({"machines": boots}))
        r = treewide("report", self.out)
        self.assertIn("Ready to send: 3 patch(es)", r.stdout, r.stderr)
        testing = cover.read_text().split("\nTesting:\n", 1)[1].split("\n\n", 1)[0]
        self.assertIn(
            (
                f"- Built in {len(cells)} arch/config cell(s), before and after the series and at\n"
                "  every commit"
            ),
            testing,
        )
        self.assertIn("- Booted in QEMU, before and after: ", testing)
        self.assertIn(testing.split("\n")[1], (self.out / "report.md").read_text())


class Kcidb(SeriesBase):
    def test_every_build_and_test_once_and_each_status_from_what_ran(self):
        self.series(kernel_scripts(self.tree()), "--for", "mainline")
        d = self.data()
        ok = ok_commits(d)
        cell = {
            "cell": "mips",
            "arch": "mips",
            "defconfig": "malta_defconfig",
            "status": "regression",
            "new": ["a.c:3: error: x"],
            "gone": [],
            "new_failures": [],
            "preexisting_failures": [],
            "unresolved": [],
            "objects_built": 1,
            "selected": 1,
            "compiler": "gcc 12",
            "sparse": {"new": [], "gone": [], "unchanged": 0, "not_checked": ["b.o"]},
            "code": {"compared": 2, "differs": ["c.o: f"], "against": "baseline"},
            "commits": ok,
            "config": {"XEN": "y"},
            "make": "make -C src",
            "reproduce": "scripts/treewide matrix",
        }
        (self.out / "matrix").mkdir()
        (self.out / "matrix/matrix.json").write_text(json.dumps({"cells": [cell]}))
        tree = {"build": "ok", "verdict": "pass", "boot_s": 2.0, "detail": "", "reason": ""}
        machines = [
            {
                "machine": "arm64-xen-dom0",
                "arch": "arm64",
                "status": "regression",
                "config": "defconfig",
                "expect_ops": "xen",
                "trees": {
                    "baseline": dict(tree, probe={"verdict": "xen", "devices": {}}),
                    "patched": dict(tree, verdict="none", reason="no verdict in 60 s"),
                },
            },
            {
                "machine": "x86_64-pc",
                "arch": "x86",
                "status": "regression",
                "config": "defconfig",
                "trees": {
                    "baseline": dict(tree),
                    "patched": dict(tree, build="failed", reason="ld"),
                },
            },
        ]
        (self.out / "boot").mkdir()
        (self.out / "boot/boot.json").write_text(json.dumps({"machines": machines}))
        r = treewide("kcidb", self.out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        data = json.loads((self.out / "kcidb.json").read_text())
        self.assertEqual(kcidb.check(data), [])
        self.assertEqual(len(data["builds"]), 2 + len(ok) + 4)
        tests = {t["id"].split(":", 2)[2]: t["status"] for t in data["tests"]}
        self.assertEqual(
            tests,
            {
                "mips:patched:build.diagnostics": "FAIL",
                "mips:patched:build.sparse": "ERROR",
                "mips:patched:build.object_code": "FAIL",
                "mips:patched:build.references": "PASS",
                "boot:arm64-xen-dom0:baseline:boot.dma": "PASS",
                "boot:arm64-xen-dom0:baseline:boot.xen_probe": "PASS",
                "boot:arm64-xen-dom0:patched:boot.dma": "ERROR",
                "boot:x86_64-pc:baseline:boot.dma": "PASS",
            },
        )
        unbuilt = next(b for b in data["builds"] if b["id"].endswith("boot:x86_64-pc:patched"))
        self.assertFalse(unbuilt["valid"])
        self.assertEqual(data["checkouts"][0]["patchset_files"][0]["url"],
                         (self.out / "series" / d["patches"][0]["patch"]).resolve().as_uri())

    def test_the_check_finds_what_breaks_the_schema(self):
        bad = {
            "version": {"major": 4, "minor": 0},
            "checkouts": [{"id": "treewide:1", "origin": "Tree-Wide"}],
            "builds": [{"id": "treewide:b", "origin": "treewide", "arch": "x86"}],
            "tests": [
                {
                    "id": "treewide:t",
                    "build_id": "treewide:b",
                    "origin": "treewide",
                    "status": "MISS",
                },
                {
                    "id": "treewide:t",
                    "build_id": "treewide:b",
                    "origin": "treewide",
                    "status": "PASS",
                },
            ],
        }
        self.assertEqual(
            kcidb.check(bad),
            [
                "checkouts treewide:1: origin 'Tree-Wide' is not origin",
                "builds treewide:b: lacks checkout_id",
                "builds treewide:b: arch is no property of the schema",
                "tests treewide:t: status 'MISS' is not status",
                "tests treewide:t: twice",
            ],
        )


class DebianSeries(SeriesBase):
    def test_6_1_series(self):
        orig = debian_tree("6.1")
        self.series(orig)
        d = self.data()
        self.assertEqual(len(d["patches"]), 1)
        p = d["patches"][0]
        self.assertEqual(p["step"], "drop-bus-argument")
        # checkpatch wants prose style for the stable rules' "commit <sha> upstream." line
        self.assertEqual({(m["type"], m["line"]) for m in p["checkpatch"]["messages"]},
                         {("GIT_COMMIT_ID", 7), ("UNKNOWN_COMMIT_ID", 7)})
        self.assertTrue(p["checkpatch"]["explained"], p["checkpatch"])
        self.assertTrue(p["maintainers"]["to"])
        self.assertTrue(d["verify"]["identical"], d["verify"])
        applied = scratch_copy(orig, self.tmp / "applied")
        treewide("apply", applied, "--out", self.tmp / "apply-out")
        self.assertEqual(d["verify"]["tree"], d["verify"]["expected_tree"])
        self.assertEqual(len(differing(orig, applied)), len(p["files"]))

    def test_6_12_nothing_to_do(self):
        r = self.series(debian_tree("6.12"))
        self.assertIn("Nothing to do", r.stdout)
        self.assertFalse(self.out.exists())


if __name__ == "__main__":
    unittest.main()


def send_email_dry_run(patches, tmp):
    """git send-email --dry-run on the patches (nothing sent): (exit status, output)."""
    repo = Path(tmp) / "send"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    # A machine without a git identity (CI): send-email still wants a committer.
    r = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=Test Developer",
            "-c",
            "user.email=dev@example.org",
            "send-email",
            "--dry-run",
            "--confirm=never",
            "--from",
            SIGNOFF,
            "--to-cmd=true",
            "--smtp-server=/bin/false",
            *map(str, patches),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return r.returncode, r.stdout + r.stderr


class Targets(SeriesBase):
    """Whom the Debian 6.1 series is for: a 6.1.y backport by default."""

    def patch(self):
        return next((self.out / "series").glob("0001-*.patch")).read_text()

    def test_a_6_1_tree_is_a_stable_backport_that_keeps_the_upstream_author(self):
        r = self.series(debian_tree("6.1"))
        self.assertIn("for stable [PATCH 6.1]", r.stdout.splitlines()[0])
        self.assertIsNone(self.data()["cover"])               # one patch: its notes below "---"
        text = self.patch()
        head, body = text.split("\n\n", 1)
        self.assertIn("\nFrom: Greg Kroah-Hartman <gregkh@linuxfoundation.org>\n", head)
        self.assertIn("\nSubject: [PATCH 6.1] treewide: Drop the unused bus argument of", head)
        self.assertIn("\nTo: stable@vger.kernel.org\nCc: Greg Kroah-Hartman", head)
        self.assertTrue(
            body.startswith("commit ade1229caed9433921b69e20bd6fadf1bba9558e upstream.\n\n"), body
        )
        self.assertIn(
            (
                "Signed-off-by: Greg Kroah-Hartman <gregkh@linuxfoundation.org>\n"
                f"Signed-off-by: {SIGNOFF}\n---\n"
            ),
            body,
        )
        self.assertNotIn("base-commit:", text)
        self.assertIn("\nTesting:\n", text.split("\n---\n", 1)[1])
        rc, said = send_email_dry_run([next((self.out / "series").glob("0001-*.patch"))], self.tmp)
        self.assertEqual(rc, 0, said)
        self.assertIn("Result: OK", said)
        self.assertIn("\nTo: stable@vger.kernel.org\n", said)

    def test_mainline_is_addressed_to_the_dma_mapping_maintainers(self):
        r = self.series(debian_tree("6.1"), "--for", "mainline")
        self.assertIn("for mainline [PATCH]", r.stdout.splitlines()[0])
        m = self.data()["patches"][0]["maintainers"]
        self.assertEqual(
            m["to"],
            ["Christoph Hellwig <hch@lst.de>", "Marek Szyprowski <m.szyprowski@samsung.com>"],
        )
        self.assertIn("Robin Murphy <robin.murphy@arm.com>", m["cc"])  # a reviewer
        self.assertIn("Richard Henderson <richard.henderson@linaro.org>", m["cc"])  # alpha
        text = self.patch()
        self.assertIn(f"\nFrom: {SIGNOFF}\n", text)
        self.assertNotIn(" upstream.\n", text)

    def test_vendor_with_no_auto_cc_has_only_the_users_recipients(self):
        self.series(
            debian_tree("6.1"),
            "--for",
            "vendor",
            "--no-auto-cc",
            "--to",
            "Kernel Team <k@vendor.example>",
        )
        m = self.data()["patches"][0]["maintainers"]
        self.assertEqual(m, {"to": ["Kernel Team <k@vendor.example>"], "cc": []})
        self.assertIn("\nSubject: [PATCH] treewide:", self.patch())


TREE_4_11 = fetched_tree("TREEWIDE_TREE_4_11", "linux-4.11.0")


@unittest.skipUnless(
    TREE_4_11, "set TREEWIDE_TREES (or TREEWIDE_TREE_4_11) to an unpacked 4.11.0 tree"
)
class Linux411Backport(SeriesBase):
    def test_the_xen_fix_names_upstream_and_the_commit_it_fixes(self):
        r = self.series(TREE_4_11)
        self.assertIn("for stable [PATCH 4.11]", r.stdout.splitlines()[0])
        xen = next(p for p in self.data()["patches"] if p["step"] == "xen-preserve-dma-ops")
        text = (self.out / "series" / xen["patch"]).read_text()
        self.assertIn("\nFrom: Stefano Stabellini <sstabellini@kernel.org>\n", text)
        self.assertIn("\ncommit e058632670b709145730a134acc3f83f392f7aa7 upstream.\n", text)
        self.assertIn(
            '\nFixes: 815dd18788fe ("treewide: Consolidate get_dma_ops() implementations")\n', text
        )
        self.assertRegex(text, r"\nSubject: \[PATCH 4\.11 \d/\d\] xen/arm:")
        rc, said = send_email_dry_run(sorted((self.out / "series").glob("0*.patch")), self.tmp)
        self.assertEqual(rc, 0, said)
        sparc = next(
            n for n, p in enumerate(self.data()["patches"], 1) if p["step"] == "sparc32-pci-dma-ops"
        )
        self.assertIn(f"patch {sparc} has no upstream commit", (self.out / "report.md").read_text())
