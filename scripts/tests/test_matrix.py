"""The build matrix on the real Debian 6.1 tree: a smoke subset of cells
(x86_64, arm64, parisc: hooks the series changes, and the Xen arch; alpha:
Debian's 6.1.192 builds for alpha only with the arch table's fixup), the
same alpha cell without the fixup (baseline-broken), incremental reruns,
a deliberately broken rewrite caught in exactly the arch it breaks, and a
no-op step checked against the tree of the code-changing steps before it."""

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from treewide_lib import bench_matrix, each_commit
from treewide_lib.kbuild import table
from treewide_lib.kbuild.fixups import applicable
from treewide_lib.paths import ARCHES
from treewide_lib.objcode import compare_code
from treewide_lib.paths import SMPL_DIR

from .support import REPO, debian_tree, treewide

TIER = "matrix"

BREAK = """\
/// Deliberately wrong: renames parisc's hook in its header only.
//
// Confidence: Low
// Options: --no-includes

virtual patch

@depends on patch@
type T;
@@
T
- get_arch_dma_ops
+ get_arch_dma_ops_renamed
  (...) { ... }
"""

STEP = """
[[step]]
name = "{name}"
subject = "{arch}: {name}"
split = "none"
noop = false
[[step.sites]]
kind = "{arch} site"
paths = ["{path}"]
regex = '{site}'
[[step.rules]]
smpl = "{smpl}"
paths = ["{path}"]

"""


class MatrixCase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="treewide-matrix-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def matrix(self, *args):
        r = treewide("matrix", debian_tree("6.1"), "--out", self.tmp / "out", *args)
        return r, self.records()

    def records(self):
        return {
            c["cell"]: c for c in json.loads((self.tmp / "out/matrix.json").read_text())["cells"]
        }

    def recipe_with(
        self, name, smpl, site, before=None, path="arch/parisc/include/asm/dma-mapping.h"
    ):
        """The recipe, with a step changing a parisc file (default: its DMA
        header) by smpl (text) placed before the step named `before`
        (default: at the end)."""
        (self.tmp / f"{name}.cocci").write_text(smpl)
        step = STEP.format(
            name=name, arch="parisc", site=site, smpl=self.tmp / f"{name}.cocci", path=path
        )
        recipe = self.tmp / "recipe.toml"
        recipe.write_text(recipe_plus(step, before))
        return recipe

    def without_hwpath_to_device(self, *args):
        """The parisc cell of a recipe that also removes a function
        drivers.c defines and two files call."""
        recipe = self.recipe_with("drop-hwpath", DROP_DEFINITION, r"hwpath_to_device\(struct",
                                  path="arch/parisc/kernel/drivers.c")
        r, cells = self.matrix("--recipe", recipe, "--cell", "parisc", *args)
        self.assertEqual(r.returncode, 1, r.stdout[-3000:])
        self.assertEqual(cells["parisc"]["status"], "regression")
        return r, cells["parisc"]


def recipe_plus(step, before=None):
    """The text of the toolkit's recipe (its SmPL paths made absolute) with
    one more step, before the step named `before` (default: at the end)."""
    text = (SMPL_DIR / "recipe.toml").read_text()
    text = re.sub(r'smpl = "([^"/]+\.cocci)"', lambda m: f'smpl = "{SMPL_DIR / m.group(1)}"', text)
    if not before:
        return text + step
    head, tail = text.split(f'[[step]]\nname = "{before}"')
    return f'{head}{step}[[step]]\nname = "{before}"{tail}'


def ccache_results(logfile):
    """[(result, command line)] of every call a ccache log records."""
    commands, out = {}, []
    for line in Path(logfile).read_text(errors="replace").splitlines():
        m = re.match(r"\[\S+ (\d+)\s*\] (Command line|Result): (.*)", line)
        if m and m.group(2) == "Command line":
            commands[m.group(1)] = m.group(3)
        elif m and m.group(3) in ("cache_miss", "direct_cache_hit", "preprocessed_cache_hit"):
            out.append((m.group(3), commands.get(m.group(1), "?")))
    return out


@unittest.skipUnless(shutil.which("ccache"), "ccache is not installed (apt-get install ccache)")
class Cache(MatrixCase):
    def test_a_new_out_compiles_nothing_the_cache_has(self):
        # Every tree is OUT/<label>/src, built in OUT/<label>/build/<cell>, and
        # ccache's base_dir makes their paths relative: a run into a new OUT
        # (a fresh CI job, another series) takes every object from the cache.
        env = dict(os.environ, CCACHE_DIR=str(self.tmp / "ccache"))
        for out in ("first", "second"):
            if out == "second":
                env["CCACHE_LOGFILE"] = str(self.tmp / "second.ccache.log")
            r = treewide(
                "matrix",
                debian_tree("6.1"),
                "--out",
                self.tmp / out,
                "--cell",
                "parisc",
                "--no-sparse",
                env=env,
            )
            self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-2000:])
        results = ccache_results(self.tmp / "second.ccache.log")
        # Kbuild's compiler probes write to a new .tmp_<pid>/ each time: never hits.
        missed = [cmd for res, cmd in results if res == "cache_miss" and " -o .tmp_" not in cmd]
        self.assertEqual(missed, [])
        cell = json.loads((self.tmp / "second/matrix.json").read_text())["cells"][0]
        hits = [cmd for res, cmd in results if res != "cache_miss"]
        self.assertGreaterEqual(len(hits), 2 * cell["objects_built"])       # baseline and patched
        self.assertEqual(cell["status"], "ok")


class Smoke(MatrixCase):
    def test_no_new_diagnostics_and_identical_code(self):
        r, cells = self.matrix(
            "--cell", "x86_64", "--cell", "arm64", "--cell", "parisc", "--cell", "alpha"
        )
        self.assertEqual(
            r.returncode,
            0,
            r.stdout[-3000:]
            + r.stderr[-2000:]
            + json.dumps(
                {
                    n: {k: c.get(k) for k in ("gone", "flaky", "preexisting_failures")}
                    for n, c in cells.items()
                }
            ),
        )
        self.assertEqual(sorted(cells), ["alpha", "arm64", "parisc", "x86_64"])
        needed = [
            f for f in applicable(table.load().fixups, debian_tree("6.1")) if "alpha" in f.arches
        ]
        self.assertEqual(len(cells["alpha"]["fixups"]), len(needed))
        self.assertEqual(cells["x86_64"]["fixups"], [])
        for name, c in cells.items():
            with self.subTest(cell=name):
                self.assertEqual(c["status"], "ok")
                self.assertEqual(
                    (c["new"], c["new_failures"], c["preexisting_failures"]), ([], [], [])
                )
                self.assertGreater(c["code"]["compared"], 0)
                self.assertEqual(c["code"]["differs"], [])
                self.assertEqual(c["sparse"]["new"], [])
                self.assertEqual(c["unresolved"], [])
                self.assertIn("make -C", c["make"])
        self.assertEqual(cells["x86_64"]["config"],
                         {"HYPERVISOR_GUEST": "y", "PARAVIRT": "y", "XEN": "y", "AMD_IOMMU": "y"})
        self.assertEqual(cells["arm64"]["config"], {"XEN": "y"})
        # The record's own command reruns its cell into the same OUT: nothing
        # is rebuilt, and every object still reports its diagnostics (kept
        # beside it by treewide-diag).
        self.assertTrue(
            cells["parisc"]["reproduce"].startswith('scripts/treewide matrix "$KSRC" --out "$OUT" ')
        )
        self.assertNotIn(str(self.tmp), cells["parisc"]["reproduce"])
        r = subprocess.run(
            ["bash", "-c", cells["parisc"]["reproduce"]],
            cwd=REPO,
            capture_output=True,
            text=True,
            env=dict(os.environ, KSRC=str(debian_tree("6.1")), OUT=str(self.tmp / "out")),
            check=False,
        )
        self.assertEqual(r.returncode, 0, r.stdout[-3000:])
        before, after = cells["parisc"], self.records()["parisc"]
        for tree in ("baseline", "patched"):
            log = (self.tmp / f"out/build/parisc-{tree}.log").read_text()
            self.assertNotRegex(log, r"(?m)^\s+CC( \[M\])?\s", f"{tree} rebuilt objects")
        self.assertEqual(
            (after["unchanged"], after["sparse"]), (before["unchanged"], before["sparse"])
        )
        self.assertGreater(after["sparse"]["unchanged"], 0)
        self.assertEqual(after["code"], before["code"])
        # A cell still at work when --cell-timeout runs out is stopped and
        # recorded (a kernel make, even with nothing to rebuild, takes longer).
        r, cut = self.matrix("--cell", "x86_64", "--cell-timeout", "1")
        self.assertEqual(r.returncode, 1, r.stdout[-3000:])
        self.assertEqual(cut["x86_64"]["status"], "timeout")
        self.assertIn("--cell-timeout", cut["x86_64"]["reason"])


class BaselineBroken(MatrixCase):
    def test_alpha_without_the_fixup_is_baseline_broken(self):
        if not applicable(table.load().fixups, debian_tree("6.1")):
            self.skipTest(
                "this linux-source-6.1 no longer has the alpha bug the arch table's fixup is for"
            )
        no_fixups = self.tmp / "arches.toml"
        no_fixups.write_text(ARCHES.read_text().split("[[fixup]]")[0])
        r, cells = self.matrix("--arch-table", no_fixups, "--cell", "alpha")
        self.assertEqual(r.returncode, 0, r.stdout[-3000:])
        self.assertEqual(cells["alpha"]["status"], "baseline-broken")
        self.assertIn("page_table_check_pte_clear", cells["alpha"]["reason"])


class ConfigLost(MatrixCase):
    def test_an_option_olddefconfig_drops_fails_the_cell_and_is_named(self):
        table = self.tmp / "arches.toml"
        text = ARCHES.read_text()
        asked = 'enable = ["HYPERVISOR_GUEST", "PARAVIRT", "XEN", "AMD_IOMMU"]'
        self.assertIn(asked, text)
        # An arm-only option asked of x86_64: scripts/config sets it, olddefconfig drops it.
        table.write_text(text.replace(asked, asked[:-1] + ', "ARM_DMA_USE_IOMMU"]'))
        r, cells = self.matrix("--arch-table", table, "--cell", "x86_64", "--no-sparse")
        self.assertEqual(r.returncode, 1, r.stdout[-3000:])
        cell = cells["x86_64"]
        self.assertEqual(cell["status"], "config-lost")
        self.assertIn("CONFIG_ARM_DMA_USE_IOMMU", cell["reason"])
        self.assertIn("defined only in arch/arm/Kconfig, which x86 does not read", cell["reason"])
        self.assertEqual(cell["config"]["ARM_DMA_USE_IOMMU"], None)
        self.assertEqual(cell["config"]["XEN"], "y")


class BrokenRewrite(MatrixCase):
    def test_caught_as_a_new_error_in_that_arch_only(self):
        recipe = self.recipe_with("break-parisc", BREAK, r"get_arch_dma_ops\(void\)")
        r, cells = self.matrix("--recipe", recipe, "--cell", "x86_64", "--cell", "parisc")
        self.assertEqual(r.returncode, 1, r.stdout[-3000:])
        self.assertEqual(cells["x86_64"]["status"], "ok")
        self.assertEqual(cells["parisc"]["status"], "regression")
        self.assertIn(
            "step break-parisc changes code after no-op step drop-bus-argument",
            cells["x86_64"]["code"]["not_compared"],
        )
        self.assertTrue(
            any("get_arch_dma_ops" in d and "error" in d for d in cells["parisc"]["new"]),
            cells["parisc"]["new"],
        )


DROP_DEFINITION = """\
/// Deliberately wrong: removes a function pdc_stable.c still calls (its
/// EXPORT_SYMBOL stays behind).
//
// Confidence: Low
// Options: --no-includes

virtual patch

@depends on patch@
type T;
@@
- T hwpath_to_device(...) { ... }
"""


class UnresolvedReference(MatrixCase):
    def test_a_removed_definition_still_called_is_found_without_a_link(self):
        r, cell = self.without_hwpath_to_device("--no-sparse")
        self.assertEqual(
            cell["unresolved"],
            [
                "hwpath_to_device: referenced by arch/parisc/kernel/drivers.o, "
                "drivers/parisc/pdc_stable.o"
            ],
        )
        # Every object compiled, without a new diagnostic.
        self.assertEqual((cell["new"], cell["new_failures"]), ([], []))
        self.assertIn("NEW UNRESOLVED REFERENCE in parisc: hwpath_to_device", r.stdout)


# The real cross compiler, but for two objects of the baseline tree: one it
# fails to compile once (a compiler killed, a full disk), one every time.
FAULTY_GCC = """#!/bin/sh
case "$PWD $* " in
*/baseline/*" -o arch/parisc/kernel/drivers.o "*)
    mkdir "$TREEWIDE_TEST_MARK" 2>/dev/null &&
        { echo "gcc: fatal error: Killed signal" >&2; exit 1; } ;;
*/baseline/*" -o drivers/parisc/ccio-dma.o "*)
    echo "gcc: fatal error: no space left on device" >&2; exit 1 ;;
esac
exec {gcc} "$@"
"""


class FailureInOneTree(MatrixCase):
    def test_a_failure_the_retry_does_not_repeat_is_noted_and_one_it_does_is_kept(self):
        bindir = self.tmp / "bin"
        bindir.mkdir()
        gcc = shutil.which("hppa-linux-gnu-gcc")
        (bindir / "hppa-linux-gnu-gcc").write_text(FAULTY_GCC.replace("{gcc}", gcc))
        (bindir / "hppa-linux-gnu-gcc").chmod(0o755)
        env = dict(
            os.environ,
            PATH=f"{bindir}:{os.environ['PATH']}",
            CCACHE_DISABLE="1",
            TREEWIDE_TEST_MARK=str(self.tmp / "failed-once"),
        )
        r = treewide(
            "matrix",
            debian_tree("6.1"),
            "--out",
            self.tmp / "out",
            "--cell",
            "parisc",
            "--no-sparse",
            env=env,
        )
        self.assertTrue((self.tmp / "failed-once").is_dir())  # the fault did happen
        self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-2000:])
        cell = self.records()["parisc"]
        self.assertEqual(cell["status"], "ok")
        self.assertEqual(
            cell["flaky"], ["baseline: arch/parisc/kernel/drivers.o: make: target failed"]
        )
        self.assertEqual(cell["preexisting_failures"], ["drivers/parisc/ccio-dma.o"])
        # What the baseline could not build says nothing of its references.
        self.assertEqual((cell["new"], cell["new_failures"], cell["unresolved"]), ([], [], []))
        # The failure that did not come back takes the make failures of its directories with it.
        self.assertEqual(
            cell["gone"],
            [
                "drivers/parisc/ccio-dma.o: make: target failed",
                "drivers/parisc: make: target failed",
                "drivers: make: target failed",
            ],
        )
        self.assertIn(
            "failed once, built on a retry in parisc: baseline: arch/parisc/kernel/drivers.o",
            r.stdout,
        )


class Link(MatrixCase):
    def test_the_link_finds_what_the_objects_do_not_and_sparse_stays_on_the_selection(self):
        # --link: vmlinux and modpost in both trees, a make of their own
        # without sparse (C=1 would check every object of the kernel).
        _, cell = self.without_hwpath_to_device("--link")
        self.assertTrue(cell["link"].startswith("linked: make vmlinux"), cell["link"])
        self.assertTrue((self.tmp / "out/baseline/build/parisc/vmlinux").is_file())
        self.assertFalse((self.tmp / "out/patched/build/parisc/vmlinux").exists())
        self.assertTrue(
            [d for d in cell["new"] if "hwpath_to_device" in d and ": link: " in d], cell["new"]
        )
        build = self.tmp / "out/patched/build/parisc"
        checked = {str(p.relative_to(build))[:-len(".sparse")] for p in build.glob("**/*.o.sparse")}
        selected = {t for t in shlex.split(cell["make"].split(" && ")[0]) if t.endswith(".o")}
        self.assertTrue(checked and checked <= selected, checked - selected)
        self.assertGreater(len(list(build.glob("**/*.o.cc"))), 10 * len(checked))


NULL_OPS = """\
/// Changes code on purpose: parisc's hook returns no ops.
//
// Confidence: Low
// Options: --no-includes

virtual patch

@depends on patch@
identifier bus;
@@
get_arch_dma_ops(struct bus_type *bus)
{
- return hppa_dma_ops;
+ return NULL;
}
"""


class NoopAfterACodeChange(MatrixCase):
    def test_noop_code_is_compared_with_the_tree_before_it(self):
        recipe = self.recipe_with(
            "null-parisc-ops", NULL_OPS, "return hppa_dma_ops;", before="drop-bus-argument"
        )
        r, cells = self.matrix("--recipe", recipe, "--cell", "parisc", "--no-sparse")
        self.assertEqual(r.returncode, 0, r.stdout[-3000:])
        self.assertIn("object code compared with the tree before drop-bus-argument", r.stdout)
        code = cells["parisc"]["code"]
        self.assertEqual((code["against"], code["differs"]), ("before-noop", []))
        self.assertGreater(code["compared"], 0)
        # The baseline's code does differ: comparing with it would have failed.
        objs = [t for t in shlex.split(cells["parisc"]["make"]) if t.endswith(".o")]
        differs = compare_code("hppa-linux-gnu-objdump", *(self.tmp / f"out/{t}/build/parisc"
                                                           for t in ("baseline", "patched")), objs)
        self.assertTrue(differs)
        self.assertFalse([d for d in differs if "not compared" in d], differs)


if __name__ == "__main__":
    unittest.main()


UNBREAK = """\
/// Gives parisc's hook its name back.
//
// Confidence: Low
// Options: --no-includes

virtual patch

@depends on patch@
type T;
@@
T
- get_arch_dma_ops_renamed
+ get_arch_dma_ops
  (...) { ... }
"""


class EachCommit(MatrixCase):
    """A series whose first commit does not compile for parisc and whose
    later commits mend it (a rename split over two steps, as a series
    reordered by hand has): the final tree is clean, and --each-commit names
    that commit, in the parisc cell only, as not bisectable."""

    def test_a_commit_that_does_not_compile_is_named_not_bisectable(self):
        header = "arch/parisc/include/asm/dma-mapping.h"
        (self.tmp / "break.cocci").write_text(BREAK)
        (self.tmp / "unbreak.cocci").write_text(UNBREAK)
        steps = STEP.format(
            name="rename-parisc-hook",
            arch="parisc",
            path=header,
            smpl=self.tmp / "break.cocci",
            site=r"get_arch_dma_ops\(struct",
        ) + STEP.format(
            name="restore-parisc-hook",
            arch="parisc",
            path=header,
            smpl=self.tmp / "unbreak.cocci",
            site="get_arch_dma_ops_renamed",
        )
        recipe = self.tmp / "recipe.toml"
        recipe.write_text(recipe_plus(steps, before="drop-bus-argument"))
        series = self.tmp / "series"
        r = treewide("series", debian_tree("6.1"), "--out", series, "--recipe", recipe,
                     "--signoff", "Test Developer <dev@example.org>")
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-2000:])
        patches = [p["patch"] for p in json.loads((series / "series.json").read_text())["patches"]]
        self.assertEqual(len(patches), 3)
        r = treewide(
            "matrix",
            debian_tree("6.1"),
            "--out",
            series / "matrix",
            "--recipe",
            recipe,
            "--cell",
            "parisc",
            "--cell",
            "x86_64",
            "--no-sparse",
            "--each-commit",
        )
        self.assertEqual(r.returncode, 1, r.stdout[-3000:] + r.stderr[-2000:])
        cells = {
            c["cell"]: c for c in json.loads((series / "matrix/matrix.json").read_text())["cells"]
        }
        parisc, x86 = cells["parisc"], cells["x86_64"]
        self.assertEqual(
            (parisc["new"], parisc["new_failures"]), ([], [])
        )  # the final tree is clean
        self.assertEqual(parisc["status"], "regression")
        self.assertEqual([c["patch"] for c in parisc["commits"]], patches)
        self.assertEqual([c["status"] for c in parisc["commits"]], ["not-bisectable", "ok", "ok"])
        self.assertTrue(parisc["commits"][0]["not_built"])
        self.assertTrue(
            any("get_arch_dma_ops" in d for d in parisc["commits"][0]["new"]), parisc["commits"][0]
        )
        self.assertEqual([c["status"] for c in x86["commits"]], ["ok", "ok", "ok"])
        self.assertEqual(x86["status"], "ok")
        # Each commit's build is timed: the walk's cost is a figure of the record.
        self.assertTrue(
            all(c["duration_s"] > 0 for c in parisc["commits"] + x86["commits"]), x86["commits"]
        )
        # make bench-matrix SERIES= names the same three commits as a range.
        flags = bench_matrix.series_range(series)
        base, _, tip = flags[flags.index("--range") + 1].partition("..")
        listed = each_commit.commits(Path(flags[flags.index("--git") + 1]), base, tip)
        self.assertEqual([c["commit"] for c in listed], [c["commit"] for c in parisc["commits"]])
        md = (series / "matrix/matrix.md").read_text()
        self.assertIn(f"- NOT BISECTABLE in parisc: {patches[0]}: ", md)
        # The review page's build check of each patch reads the commits.
        r = treewide("report", series)
        self.assertEqual(r.returncode, 0, r.stderr)
        page = (series / "report.md").read_text()
        self.assertIn("not bisectable in parisc", page)

    def test_without_a_series_or_range_it_says_what_to_pass(self):
        r, _ = self.matrix_error("--each-commit", "--cell", "parisc")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--range BASE..TIP", r.stderr)

    def test_bench_matrix_of_no_series_says_what_to_pass_and_writes_nothing(self):
        work = self.tmp / "bench"
        r = treewide(
            "bench-matrix",
            debian_tree("6.1"),
            "--out",
            work,
            "--series",
            self.tmp,
            "--cell",
            "parisc",
        )
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("holds no series", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertFalse(work.exists())

    def matrix_error(self, *args):
        r = treewide("matrix", debian_tree("6.1"), "--out", self.tmp / "out", *args)
        self.assertNotIn("Traceback", r.stderr)
        return r, None
