"""The Kbuild layer: diagnostics by identity, the arch table, the make command and its wrappers."""

import os
import shutil
import subprocess
import tempfile
import unittest
from collections import Counter
from pathlib import Path

from treewide_lib import cellbuild, matrix_records, objcode
from treewide_lib.errors import ToolError
from treewide_lib.kbuild import config, make, table
from treewide_lib.kbuild.diagnostics import Diag, diagnostics, make_failure
from treewide_lib.kbuild.jobserver import Jobserver
from treewide_lib.kbuild.make import diag_tools
from treewide_lib.kbuild.table import Cell, Machine, Quirk, Table
from treewide_lib.paths import DIAG_WRAPPER

VENDOR = Path(__file__).resolve().parents[1] / "data" / "vendor" / "allwinner-sun50iw6.toml"

LOG = """\
  CC      drivers/xen/swiotlb-xen.o
/src/linux/drivers/xen/swiotlb-xen.c:712:9: warning: unused variable 'x' [-Wunused-variable]
/src/linux/drivers/xen/swiotlb-xen.c:720:9: warning: unused variable 'x' [-Wunused-variable]
/tmp/o/arch/arm/xen/foo.h:3: error: bad   thing
/tmp/s.s:9: Error: selected processor does not support `dsb' in ARM mode
arm-linux-gnueabihf-ld: warning: arch/arm/xen/hypercall.o: missing .note.GNU-stack section
make[3]: *** [/src/linux/scripts/Makefile.build:290: arch/arm/xen/enlighten.o] Error 1
"""


class Diagnostics(unittest.TestCase):
    def test_identity_drops_lines_and_tree_paths(self):
        d = diagnostics(LOG, (Path("/src/linux"), Path("/tmp/o")))
        self.assertEqual(d[Diag("drivers/xen/swiotlb-xen.c", "warning",
                                "unused variable 'x' [-Wunused-variable]")], 2)
        self.assertEqual(d[Diag("arch/arm/xen/foo.h", "error", "bad thing")], 1)
        self.assertIn(
            Diag("/tmp/s.s", "error", "selected processor does not support `dsb' in ARM mode"), d
        )
        self.assertIn(
            Diag("(link)", "warning", "arch/arm/xen/hypercall.o: missing .note.GNU-stack section"),
            d,
        )
        self.assertIn(Diag("arch/arm/xen/enlighten.o", "make", "target failed"), d)

    def test_gcc_temporary_assembler_file_is_the_objects(self):
        # Each build names gcc's .s file anew: the same error must be the same diagnostic.
        first = diagnostics(
            "/tmp/ccA1b2C3.s: Assembler messages:\n/tmp/ccA1b2C3.s:7: Error: .err encountered\n",
            (),
            "kernel/fork.o",
        )
        again = diagnostics("/tmp/ccZz9yX8.s:7: Error: .err encountered\n", (), "kernel/fork.o")
        self.assertEqual(first, again)
        self.assertEqual(
            list(first), [Diag("kernel/fork.o (assembler)", "error", ".err encountered")]
        )
        self.assertNotEqual(
            first, diagnostics("/tmp/ccZz9yX8.s:7: Error: .err encountered\n", (), "kernel/exit.o")
        )

    def test_moved_warning_is_unchanged_and_new_one_is_new(self):
        base = diagnostics("a.c:10:1: warning: w1\n", ())
        moved = diagnostics("a.c:99:1: warning: w1\na.c:5:1: warning: w2\n", ())
        self.assertEqual(moved - base, Counter({Diag("a.c", "warning", "w2"): 1}))
        self.assertEqual(base - moved, Counter())

    def test_modpost_stopping_the_link_is_an_error(self):
        log = ("FATAL: modpost: Section mismatches detected.\n"
               "make[3]: *** [scripts/Makefile.modpost:97: vmlinux.o] Error 1\n")
        self.assertEqual(sorted(map(str, diagnostics(log, ()))), [
            "(modpost): error: Section mismatches detected.", "vmlinux.o: make: target failed"])

    def test_offsets_in_messages_do_not_make_a_warning_new(self):
        msg = (
            "warning: array subscript {} is outside array bounds of 'struct list_head[1]'"
            " [-Warray-bounds]"
        )
        base = diagnostics(f"k.h:851:9: {msg.format(-47)}\n", ())
        grown = diagnostics(f"k.h:851:9: {msg.format(-48)}\nk.h:9:1: {msg.format(-48)}\n", ())
        self.assertEqual(base & grown, base)
        self.assertEqual(sum((grown - base).values()), 1)  # a second one is still new
        self.assertIn(
            Diag("a.c", "warning", "unused variable 'x2' of type 'u32' [-Wunused-variable]"),
            diagnostics(
                "a.c:1:1: warning: unused variable 'x2' of type 'u32' [-Wunused-variable]", ()
            ),
        )
        link = (
            "ld: warning: a.o: in function `f': (.text+{}): relocation against `x' in read-only"
            " section\n"
        )
        self.assertEqual(
            diagnostics(link.format("0x1c"), ()), diagnostics(link.format("0x2f0"), ())
        )


class DiagWrapper(unittest.TestCase):
    """scripts/treewide-diag keeps each object's diagnostics beside it."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)
        (self.dir / "sub").mkdir()
        (self.dir / "sub/a.c").write_text(
            "int f(void) { return (char *)0 - (char *)0; }\nint g(void) { h(); }\n"
        )

    def run_in_dir(self, *cmd):
        return subprocess.run(
            [str(DIAG_WRAPPER), *cmd], cwd=self.dir, capture_output=True, text=True, check=False
        )

    def test_compiler_and_sparse_output_kept_per_object(self):
        r = self.run_in_dir(
            "cc",
            "gcc",
            "-Werror=implicit-function-declaration",
            "-Wp,-MMD,sub/.a.o.d",
            "-c",
            "-o",
            "sub/a.o",
            "sub/a.c",
        )
        self.assertNotEqual(r.returncode, 0)  # h() is undeclared: an error, exit status kept
        kept = (self.dir / "sub/a.o.cc").read_text()
        self.assertEqual(kept, r.stderr)              # and still printed for the build log
        self.assertIn(Diag("sub/a.c", "error", "implicit declaration of function 'h' "
                                               "[-Werror=implicit-function-declaration]"),
                      diagnostics(kept.replace("\u2018", "'").replace("\u2019", "'"), ()))
        if shutil.which("sparse"):
            self.run_in_dir("sparse", "sparse", "-Wp,-MMD,sub/.a.o.d", "sub/a.c")
            self.assertIn("symbol 'f' was not declared", (self.dir / "sub/a.o.sparse").read_text())

    def test_a_checker_that_cannot_run_is_kept_and_does_not_fail_the_object(self):
        # Debian's sparse rejects the -march of 6.1's riscv; that must not delete riscv objects.
        r = self.run_in_dir(
            "sparse",
            "sh",
            "-c",
            "echo \"invalid argument to '-march'\" >&2; exit 1",
            "sparse",
            "-Wp,-MMD,sub/.a.o.d",
            "sub/a.c",
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(Diag("sub/a.o", "error", "sparse exited with status N"),
                      diagnostics((self.dir / "sub/a.o.sparse").read_text(), ()))

    def test_a_checker_that_does_not_finish_is_stopped_and_kept(self):
        env = dict(os.environ, TREEWIDE_SPARSE_TIMEOUT="1")
        r = subprocess.run(
            [str(DIAG_WRAPPER), "sparse", "sh", "-c", "sleep 30", "sparse", "-Wp,-MMD,sub/.a.o.d"],
            cwd=self.dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=20,
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(Diag("sub/a.o", "error", "sparse timed out after 1s"),
                      diagnostics((self.dir / "sub/a.o.sparse").read_text(), ()))

    def test_a_record_that_cannot_be_kept_fails_the_object(self):
        # The old record would stand for this build's diagnostics: the compile fails instead.
        (self.dir / "sub/b.c").write_text("int b(void) { return 0; }\n")
        (self.dir / "sub/b.o.cc/b.o.cc.tmp").mkdir(parents=True)  # mv cannot put the new one there
        r = self.run_in_dir("cc", "gcc", "-c", "-o", "sub/b.o", "sub/b.c")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot keep the diagnostics of sub/b.o", r.stderr)

    def test_kbuild_probes_pass_through(self):
        r = self.run_in_dir("cc", "gcc", "-c", "-o", "sub/.1234.o", "sub/a.c", "-Dh=f")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(p.name for p in (self.dir / "sub").iterdir()), [".1234.o", "a.c"])

    def test_modversions_compile_is_the_objects_record_and_genksyms_cpp_is_not(self):
        # 4.10 with CONFIG_MODVERSIONS: -o dir/.tmp_foo.o, then $(CPP) with
        # the same depfile for genksyms (6.1 runs that CPP after the compile).
        self.run_in_dir("cc", "gcc", "-Wp,-MD,sub/.a.o.d", "-c", "-o", "sub/.tmp_a.o", "sub/a.c")
        self.run_in_dir("cc", "gcc", "-E", "-Wp,-MD,sub/.a.o.d", "sub/a.c")
        self.assertIn("implicit declaration of function", (self.dir / "sub/a.o.cc").read_text())


class LinkRecords(unittest.TestCase):
    """ld's diagnostics are kept per link, so a rerun that does not relink
    still reports them (a 4.10 s390 rerun once showed a baseline link
    warning as new in the patched tree)."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="o dir "))     # a path with a space
        self.addCleanup(shutil.rmtree, self.dir)

    def test_tools_directory_ld_keeps_each_links_output(self):
        diag_tools(self.dir, "")
        tools = self.dir / ".treewide-tools"
        self.assertEqual(os.readlink(tools / "objcopy"), shutil.which("objcopy"))
        (self.dir / "sub").mkdir()
        subprocess.run(["as", "-o", "sub/a.o", "/dev/null"], cwd=self.dir, check=True)
        r = subprocess.run(
            [str(tools / "ld"), "-r", "-o", "sub/built-in.o", "sub/a.o", "sub/missing.o"],
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("missing.o", r.stderr)
        self.assertEqual((self.dir / "sub/built-in.o.ld").read_text(), r.stderr)
        diag_tools(self.dir, "")  # again: unchanged, still works
        r = subprocess.run(
            [str(tools / "ld"), "-r", "-o", "sub/built-in.o", "sub/a.o"], cwd=self.dir, check=False
        )
        self.assertEqual(r.returncode, 0)
        self.assertEqual((self.dir / "sub/built-in.o.ld").read_text(), "")

    def test_links_not_redone_still_report_and_fresh_ones_count_once(self):
        old = Diag(
            "(link)", "warning", "a/x.o: missing .note.GNU-stack section implies executable stack"
        )
        fresh = Diag(
            "(link)", "warning", "b/y.o: missing .note.GNU-stack section implies executable stack"
        )
        driver = Diag("(link)", "warning", "vdso.so: creating DT_TEXTREL")
        for d in ("a", "b"):
            (self.dir / d).mkdir()
        (self.dir / "a/built-in.o.ld").write_text(f"ld: warning: {old.msg}\n")
        os.utime(self.dir / "a/built-in.o.ld", ns=(0, 0))
        (self.dir / "b/built-in.o.ld").write_text(f"ld: warning: {fresh.msg}\n")
        logged = Counter({fresh: 1, driver: 1})
        self.assertEqual(cellbuild.link_diagnostics(self.dir, logged, 10**9, ()),
                         Counter({old: 1, fresh: 1, driver: 1}))


class CodeCompare(unittest.TestCase):
    """Object code per function, as a no-op step is checked."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)
        for side in ("base", "patched"):
            (self.dir / side).mkdir()

    def compile(self, side, name, src):
        (self.dir / side / f"{name}.c").write_text(src)
        subprocess.run(
            ["gcc", "-O2", "-c", "-o", f"{name}.o", f"{name}.c"], cwd=self.dir / side, check=True
        )

    def compare(self, objs):
        return objcode.compare_code("objdump", self.dir / "base", self.dir / "patched", objs,
                                   self.dir / "code.json")

    def test_a_call_to_another_function_differs_and_moved_code_does_not(self):
        call = "extern void %s(void);\n%svoid f(void) { %s(); }\n"
        self.compile("base", "call", call % ("foo", "", "foo"))
        self.compile("patched", "call", call % ("bar", "", "bar"))  # same bytes, another relocation
        self.compile("base", "moved", call % ("foo", "", "foo"))
        self.compile(
            "patched", "moved", call % ("foo", "static int g(int x) { return x; }\n", "foo")
        )
        self.assertEqual(self.compare(["call.o", "moved.o"]), ["call.o: f"])
        self.assertEqual(self.compare(["call.o", "moved.o"]), ["call.o: f"])    # from the cache

    def test_an_object_objdump_cannot_read_is_a_difference(self):
        self.compile("base", "t", "int f(int x) { return x + 1; }\n")
        (self.dir / "patched/t.o").write_bytes((self.dir / "base/t.o").read_bytes()[:100])
        [diff] = self.compare(["t.o"])
        self.assertTrue(diff.startswith("t.o: (not compared: objdump failed"), diff)


class RenewRecords(unittest.TestCase):
    def test_objects_the_wrapper_compiled_are_rebuilt_once_when_it_changes(self):
        out = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, out)
        (out / "k").mkdir()
        for name, cc in (
            ("a", f"{DIAG_WRAPPER} cc ccache gcc"),
            ("tmp", f"{DIAG_WRAPPER} cc gcc"),
            ("h", "ccache gcc"),
            ("b", f"{out}/.treewide-tools/treewide-cc ccache gcc"),
        ):
            (out / f"k/.{name}.o.cmd").write_text(
                f"cmd_k/{name}.o := {cc} -c -o k/{name}.o k/{name}.c\n"
            )
            (out / f"k/{name}.o").write_text("")
        make._renew_records(out)
        self.assertEqual(
            sorted(p.name for p in (out / "k").glob("*.o")), ["h.o"]
        )  # a host object stays
        (out / "k/a.o").write_text("")
        make._renew_records(out)                                    # same wrapper: kept
        self.assertTrue((out / "k/a.o").exists())


class Quirks(unittest.TestCase):
    def test_quirks_follow_version_and_arch(self):
        arches = table.load()
        self.assertTrue({"arm", "arm64"} <= set(arches.cells))
        flags, why = arches.quirks_for("4.10.17", "arm64")
        self.assertEqual(flags, {"HOSTCFLAGS": "-fcommon"})
        self.assertEqual(len(why), 1)
        self.assertIn("KCFLAGS", arches.quirks_for("4.11", "arm")[0])
        self.assertEqual(arches.quirks_for("6.1.192", "arm"), ({}, []))
        both = Table({}, {}, {}, {}, [Quirk("a", "5.0", {"KCFLAGS": "-x"}),
                                      Quirk("b", "5.0", {"KCFLAGS": "-y"}, ("sparc",))])
        self.assertEqual(both.quirks_for("4.10", "sparc"), ({"KCFLAGS": "-x -y"}, ["a", "b"]))
        self.assertEqual(both.quirks_for("4.10", "arm")[0], {"KCFLAGS": "-x"})


class Settings(unittest.TestCase):
    def test_a_value_is_forced_through_the_fragment_and_read_back(self):
        src, out = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, src)
        self.addCleanup(shutil.rmtree, out)
        (src / "Kconfig").write_text('config MEMORY_START\n\thex "RAM"\nconfig PCI\n\tbool "PCI"\n')
        board = Machine(name="b", arch="sh", make_arch="sh", cross_compile="", package="gcc",
                        config="allnoconfig", image="zImage", console="ttySC1", init_cc="gcc",
                        init_package="libc6-dev", enable=("PCI",),
                        settings={"MEMORY_START": "0x0c000000", "GONE": "1"})
        cmd, kept, absent = config.allconfig(src, out, board, {}, 1)
        self.assertEqual(absent, ["GONE"])
        self.assertEqual(kept.settings, {"MEMORY_START": "0x0c000000"})
        self.assertEqual((out / "treewide-boot.config").read_text(),
                         "CONFIG_PCI=y\nCONFIG_MEMORY_START=0x0c000000\n")
        self.assertIn("allnoconfig", cmd)
        (out / ".config").write_text("CONFIG_PCI=y\nCONFIG_MEMORY_START=0x08000000\n")
        self.assertEqual(config.values(out, kept)[1], ["MEMORY_START"])
        (out / ".config").write_text("CONFIG_PCI=y\nCONFIG_MEMORY_START=0x0c000000\n")
        self.assertEqual(config.values(out, kept)[1], [])


class VendorTable(unittest.TestCase):
    def test_a_table_with_a_base_adds_its_cells_to_the_base_table(self):
        vendor, base = table.load(VENDOR), table.load()
        self.assertEqual(set(vendor.cells) - set(base.cells), {"arm64-sun50iw6"})
        self.assertEqual(
            vendor.cells["arm64-sun50iw6"].cross_compile, base.cells["arm64"].cross_compile
        )
        self.assertEqual(vendor.cells["arm64"], base.cells["arm64"])
        self.assertEqual(
            (vendor.no_cell, vendor.quirks, vendor.fixups), (base.no_cell, base.quirks, base.fixups)
        )

    def test_a_table_that_is_its_own_base_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            loop = Path(tmp) / "loop.toml"
            loop.write_text('base = "loop.toml"\n')
            with self.assertRaisesRegex(ToolError, "names itself as its base"):
                table.load(loop)


class MakeEnd(unittest.TestCase):
    """How a make ended decides whether its build can be compared at all."""
    roots = (Path("/t"), Path("/o"))

    def test_make_k_failing_on_an_object_is_normal(self):
        log = (
            "/t/a.c:1:1: error: unknown type name 'x'\nmake[2]: *** [/t/scripts/Makefile.build:250:"
            " a.o] Error 1\nmake: *** [Makefile:1: all] Error 2\n"
        )
        self.assertIsNone(make_failure(2, log, self.roots))
        self.assertIsNone(make_failure(0, "", self.roots))

    def test_a_signal_or_a_failure_without_an_error_is_not(self):
        self.assertRegex(make_failure(-9, "  CC a.o\n", self.roots), "killed by signal 9.*CC a.o")
        self.assertRegex(make_failure(2, "  CC a.o\n", self.roots), "exited 2 with no error")

    def test_a_real_make_killed_mid_build_fails_the_cell(self):
        # A make that a signal ends (the OOM killer, say) leaves objects that
        # compare as clean; the cell says error and names the make.
        with tempfile.TemporaryDirectory() as tmp:
            mk = Path(tmp) / "Makefile"
            mk.write_text("all:\n\t@echo '  CC a.o'; kill -9 $$PPID; sleep 5\n")
            js = Jobserver(1)
            rc, text = js.run(["make", "-s", "-C", tmp])
            with self.assertRaisesRegex(cellbuild.MakeFailed, "killed by signal 9"):
                cellbuild._check_make(rc, text, ["make", "-C", tmp, "all"], (Path(tmp), Path(tmp)))


class SparseCompared(unittest.TestCase):
    def test_an_object_sparse_did_not_finish_on_is_not_checked_not_unchanged(self):
        roots = (Path("/t"), Path("/o"))
        base = diagnostics(
            "a.o:0:0: error: sparse timed out after 300s\n/t/b.c:2:3: warning: x\n", roots
        )
        patched = diagnostics(
            "a.o:0:0: error: sparse timed out after 300s\n/t/b.c:2:3: warning: x\n", roots
        )
        got = matrix_records.sparse_compared(base, patched)
        self.assertEqual(got, {"new": [], "gone": [], "unchanged": 1, "not_checked": ["a.o"]})
        # Not finishing in the patched tree only is no pass either.
        got = matrix_records.sparse_compared(diagnostics("", roots), patched)
        self.assertEqual((got["not_checked"], got["new"]), (["a.o"], ["b.c: warning: x"]))


class MakeCommand(unittest.TestCase):
    def test_file_names_are_relative_and_quirk_flags_kept(self):
        # 4.10's Kbuild leaves __FILE__ absolute: two trees at two paths would
        # compile to different code, and a no-op step would look like a change.
        cell = _cell("sparc", "sparc64-linux-gnu-")
        cmd = make.command(
            Path("/o/before-noop/src"),
            Path("/o/before-noop/build/sparc64"),
            cell,
            {"KCFLAGS": "-Wno-error=array-bounds", "HOSTCFLAGS": "-fcommon"},
            2,
            "a.o",
        )
        self.assertIn(
            (
                "KCFLAGS=-fmacro-prefix-map=/o/before-noop/src/= "
                "-fdebug-prefix-map=/o/before-noop/build/sparc64=. -Wno-error=array-bounds"
            ),
            cmd,
        )
        self.assertIn("HOSTCFLAGS=-fcommon", cmd)
        self.assertEqual(sum(a.startswith("KCFLAGS=") for a in cmd), 1)
        self.assertEqual(cmd[-1], "a.o")

    def test_ccache_base_dir_is_the_trees_and_builds_common_directory(self):
        cell = _cell("x86", "")
        cmd = make.command(Path("/o/patched/src"), Path("/o/patched/build/x86_64"), cell, {}, 2)
        apart = make.command(Path("/t"), Path("/o"), cell, {}, 2)
        if shutil.which("ccache"):
            self.assertIn("CCACHE_BASEDIR=/o/patched", cmd)
        else:
            self.assertFalse([a for a in cmd if a.startswith("CCACHE_BASEDIR=")])
        self.assertFalse(
            [a for a in apart if a.startswith("CCACHE_BASEDIR=")]
        )  # "/" would rewrite every path

    def test_a_wrapped_build_names_no_toolkit_path_and_its_cc_keeps_records(self):
        # Kbuild rebuilds an object whose command line changed: a path of
        # the toolkit in it would recompile everything from another checkout.
        # (O= has no space: the matrix refuses one, Kbuild cannot build there.)
        out = Path(tempfile.mkdtemp(prefix="o-dir"))
        self.addCleanup(shutil.rmtree, out)
        cmd = make.command(Path("/t"), out, _cell("x86", ""), {}, 2, sparse=True, wrap=True)
        self.assertFalse([a for a in cmd if str(DIAG_WRAPPER.parent) in a])
        cc = next(a for a in cmd if a.startswith("CC=")).split()[0][len("CC="):]
        self.assertTrue(next(a for a in cmd if a.startswith("CHECK=")).startswith(f"CHECK={out}/"))
        diag_tools(out, "")
        (out / "sub").mkdir()
        (out / "sub/a.c").write_text("int f(void) { int x; return 0; }\n")
        r = subprocess.run(
            [cc, "gcc", "-Wunused-variable", "-c", "-o", "sub/a.o", "sub/a.c"],
            cwd=out,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("sub/a.c:1:19: warning: unused variable", (out / "sub/a.o.cc").read_text())

    def test_paths_relative_to_the_build_directory_are_the_trees(self):
        log = "../../src/drivers/a.c:3:1: warning: unused variable 'x' [-Wunused-variable]\n"
        found = diagnostics(log, (Path("/o/patched/src"), Path("/o/patched/build/arm")))
        self.assertEqual([d.file for d in found], ["drivers/a.c"])


class TableRows(unittest.TestCase):
    """A vendor's arch table is checked as it is read: a misspelt key would
    otherwise drop an option or a target without a word."""

    def load(self, text):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "vendor.toml"
            path.write_text(text)
            return table.load(path)

    ROW = ('[arch.arm]\ncross_compile = "arm-linux-gnueabihf-"\n'
           'package = "gcc-arm-linux-gnueabihf"\n')
    CELL = '[[arch.arm.cell]]\nname = "v7"\ndefconfig = "multi_v7_defconfig"\n'

    def test_a_key_the_toolkit_does_not_know_is_named(self):
        with self.assertRaisesRegex(ToolError, r"\[arch.arm\] cell v7 has key\(s\) the "
                                    "toolkit does not know: enabel"):
            self.load(self.ROW + self.CELL + 'enabel = ["XEN"]\n')

    def test_a_value_of_the_wrong_kind_is_named(self):
        # enable = "XEN" would otherwise be read as the options X, E and N.
        with self.assertRaisesRegex(ToolError, r"cell v7: enable = 'XEN' is not a list of strings"):
            self.load(self.ROW + self.CELL + 'enable = "XEN"\n')

    def test_a_row_without_a_required_key_is_named(self):
        with self.assertRaisesRegex(ToolError, r"boot m1 lacks image, console"):
            self.load(self.ROW + '[[arch.arm.boot]]\nname = "m1"\nconfig = "allnoconfig"\n')


def _cell(make_arch, cross_compile):
    return Cell(
        name=make_arch,
        arch=make_arch,
        make_arch=make_arch,
        cross_compile=cross_compile,
        package="gcc",
        defconfig="defconfig",
    )


if __name__ == "__main__":
    unittest.main()
