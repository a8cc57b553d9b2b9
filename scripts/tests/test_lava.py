"""LAVA: the jobs the machine rows give (a QEMU machine's and a lab board's)
pass lava-run's own validation, and a lab's results come back into the
boot records with the right status: a pass only where the DMA test ran
and passed, never for a job that did not reach the verdict or that the
lab ended with an error of its own. The results are written here in the
shapes LAVA gives them (a job log, a results export); lava-run boots real
kernels in the boot tier (test_boot)."""

import json
import os
import shutil
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from treewide_lib import lava
from treewide_lib.errors import ToolError
from treewide_lib.kbuild import table
from treewide_lib.paths import DATA

from . import minitree
from .support import Base, treewide

BOARD_TABLE = DATA / "vendor" / "beaglebone-black.toml"
BOARD_DEVICE = DATA / "vendor" / "lava" / "beaglebone-black.device.yaml"


def job_log(console: list[str], job: dict, cases: dict[str, str], suite: str) -> str:
    """A job's log as lava-run writes it: one YAML flow mapping per line."""
    lines = [{"dt": "2026-01-01T00:00:00", "lvl": "info", "msg": "start: 1 tftp-deploy"}]
    lines += [{"dt": "2026-01-01T00:00:01", "lvl": "target", "msg": c} for c in console]
    lines += [{"dt": "2026-01-01T00:00:02", "lvl": "results",
               "msg": {"definition": suite, "case": case, "result": result}}
              for case, result in cases.items()]
    lines.append({"dt": "2026-01-01T00:00:03", "lvl": "results",
                  "msg": dict({"definition": "lava", "case": "job"}, **job)})
    return "".join(yaml.safe_dump(x, default_flow_style=True, width=10**6) for x in lines)


def export(cases: dict[str, str], suite: str, job: dict) -> str:
    """A job's results export (the server's YAML): one row per test case."""
    rows = [{"suite": suite, "name": case, "result": result, "job": "17",
             "metadata": {"case": case, "definition": suite, "result": result}}
            for case, result in cases.items()]
    rows.append({"suite": "lava", "name": "job", "result": job["result"], "job": "17",
                 "metadata": dict(job, case="job", definition="lava")})
    return yaml.safe_dump(rows)


PASS_JOB = {"result": "pass"}
VERDICT_PASS = "treewide-boot: verdict=pass disk=vda read=ok:1048576 write=ok:262144"
VERDICT_FAIL = "treewide-boot: verdict=fail disk=vda read=checksum-mismatch:00000000deadbeef"


class Results(Base):
    """A `--via lab` run's OUT, written as that run leaves it (both trees
    built, their jobs pending), then the lab's results read into it."""

    machine = "x86_64-pc"

    def setUp(self):
        super().setUp()
        self.ksrc = self.tree((("x86", "plain"),))
        self.results = self.tmp / "results"
        self.results.mkdir()
        (self.out / "machines").mkdir(parents=True)
        trees = {label: {"tree": "src", "build": "ok", "verdict": "no-verdict", "pending": True,
                         "runner": "lava", "lava_job": f"{self.name(label)}.yaml",
                         "reason": "a LAVA job for a lab"} for label in ("baseline", "patched")}
        rec = {"machine": self.machine, "arch": "x86", "why": "", "config": "allnoconfig",
               "reproduce": "", "trees": trees, "status": "pending", "reason": "",
               "duration_s": 1.0}
        (self.out / "machines" / f"{self.machine}.json").write_text(json.dumps(rec))
        (self.out / "boot.json").write_text(json.dumps({"machines": [rec]}))

    def name(self, label):
        return f"treewide-{self.machine}-{label}"

    def log(self, label, console, job=PASS_JOB, cases=None):
        cases = cases if cases is not None else {"boot": "pass"}
        text = job_log(["treewide-boot: start", *console], job, cases, self.name(label))
        (self.results / f"{self.name(label)}.yaml").write_text(text)

    def read_back(self, status=0):
        r = treewide("boot", self.ksrc, "--out", self.out, "--lava-results", self.results)
        self.assertEqual(r.returncode, status, r.stdout + r.stderr)
        return json.loads((self.out / "machines" / f"{self.machine}.json").read_text())

    def test_both_trees_pass(self):
        for label in ("baseline", "patched"):
            self.log(label, [VERDICT_PASS, "treewide-boot: done"])
        rec = self.read_back()
        self.assertEqual(rec["status"], "ok", rec)
        self.assertEqual(rec["trees"]["patched"]["verdict"], "pass")
        self.assertNotIn("pending", rec["trees"]["patched"])
        console = Path(rec["trees"]["patched"]["console"]).read_text()
        self.assertIn(VERDICT_PASS, console)
        self.assertIn("| x86_64-pc | x86 | ok |", (self.out / "boot.md").read_text())

    def test_a_failing_dma_test_is_a_regression(self):
        self.log("baseline", [VERDICT_PASS, "treewide-boot: done"])
        self.log("patched", [VERDICT_FAIL, "treewide-boot: done"], cases={"boot": "fail"})
        rec = self.read_back(status=1)
        self.assertEqual(rec["status"], "regression")
        self.assertIn("checksum-mismatch", rec["reason"])

    def test_a_job_that_never_reached_the_verdict_is_no_pass(self):
        self.log("baseline", [VERDICT_PASS, "treewide-boot: done"])
        timeout = {"result": "fail", "error_type": "Test",
                   "error_msg": "lava-test-monitor timed out after 300 seconds"}
        self.log("patched", ["[    0.000000] Linux version 6.1.0", "Kernel panic - not syncing"],
                 job=timeout, cases={})
        rec = self.read_back(status=1)
        self.assertEqual(rec["status"], "regression")
        self.assertEqual(rec["trees"]["patched"]["verdict"], "no-verdict")
        self.assertIn("timed out", rec["reason"])

    def test_an_infrastructure_error_is_the_labs_not_a_pass(self):
        self.log("baseline", [VERDICT_PASS, "treewide-boot: done"])
        infra = {"result": "fail", "error_type": "Infrastructure",
                 "error_msg": "Unable to power on the device"}
        self.log("patched", [], job=infra, cases={})
        rec = self.read_back(status=1)
        self.assertEqual(rec["status"], "lab-error")
        self.assertIn("Unable to power on", rec["reason"])
        self.assertIn("not tested", rec["trees"]["patched"]["reason"])

    def test_a_results_export_without_console(self):
        for label, result in (("baseline", "pass"), ("patched", "fail")):
            text = export({"boot": result}, self.name(label), PASS_JOB)
            (self.results / f"{label}-export.yaml").write_text(text)
        rec = self.read_back(status=1)
        self.assertEqual(rec["status"], "regression")
        self.assertEqual(rec["trees"]["baseline"]["verdict"], "pass")
        self.assertEqual(rec["trees"]["patched"]["verdict"], "fail")

    def test_a_job_without_results_of_ours_is_named_by_its_file(self):
        self.log("baseline", [VERDICT_PASS, "treewide-boot: done"])
        (self.results / "lab-job-99.yaml").write_text(
            export({}, "x", {"result": "fail", "error_type": "Infrastructure", "error_msg": "x"}))
        r = treewide("boot", self.ksrc, "--out", self.out, "--lava-results", self.results)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("lab-job-99.yaml", r.stderr)
        self.assertIn(self.name("patched"), r.stderr)
        self.assertNotIn("Traceback", r.stderr)


class Command(unittest.TestCase):
    """What `treewide boot` refuses before it builds anything (in a directory
    without a space, which boot refuses first)."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="treewide-lava-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.out = self.tmp / "out"

    def tree(self, arch):
        return minitree.write(self.tmp / "linux", ((arch, "plain"),))

    def test_a_board_boots_only_through_a_lab(self):
        tree = self.tree("arm")
        r = treewide("boot", tree, "--out", self.out, "--arch-table", BOARD_TABLE,
                     "--machine", "beaglebone-black")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("beaglebone-black: a lab's board", r.stderr)
        self.assertIn("--via lab", r.stderr)
        self.assertFalse(self.out.exists())

    def test_a_lab_url_without_a_lab_is_refused(self):
        tree = self.tree("x86")
        r = treewide("boot", tree, "--out", self.out, "--machine", "x86_64-pc",
                     "--lava-url", "https://lab.example.org/tw")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("give it with --via lab", r.stderr)
        self.assertFalse(self.out.exists())


def lava_run_here():
    if not shutil.which("lava-run"):
        raise unittest.SkipTest("lava-run is not installed (make deps)")
    if os.geteuid() != 0:
        raise unittest.SkipTest("lava-run runs as root only")


def lava_validate(job: Path, device: Path) -> int:
    """lava-run --validate on the job; its log beside the job."""
    return lava.run(job, device, job.with_suffix(".validate.log"), validate=True)


class Jobs(Base):
    def validate(self, job: Path, device: Path):
        self.assertValidated(job, lava_validate(job, device))

    def assertValidated(self, job: Path, rc: int):
        """lava-run --validate, which exited rc, passed on the job."""
        log = job.with_suffix(".validate.log")
        results = lava.read(log).results
        self.assertEqual(rc, 0, log.read_text()[-2000:])
        self.assertIn({"suite": "lava", "case": "validate", "result": "pass", "error_type": "",
                       "error_msg": ""}, results)

    def artifacts(self, *names):
        # In a directory without a space: LAVA's QEMU command line is split at spaces
        # (treewide boot refuses such an OUT).
        here = Path(tempfile.mkdtemp(prefix="treewide-lava-"))
        self.addCleanup(shutil.rmtree, here, ignore_errors=True)
        for n in names:
            (here / n).write_bytes(b"\0" * 64)
        return [here / n for n in names]

    def test_a_board_rows_jobs_pass_lava_run_validate(self):
        lava_run_here()
        board = table.load(BOARD_TABLE).machines["beaglebone-black"]
        self.assertTrue(board.board)
        kernel, initrd, dtb = self.artifacts("zImage", "initramfs.cpio", "board.dtb")
        data = lava.job(board, "patched", lava.Artifacts(kernel, initrd, None, dtb),
                        "treewide.len=1048576 treewide.readonly=1", kernel.parent,
                        base_url="https://lab.example.org/treewide")
        self.assertEqual(data["device_type"], "beaglebone-black")
        self.assertEqual(data["actions"][0]["deploy"]["dtb"]["url"],
                         "https://lab.example.org/treewide/board.dtb")
        # Validation downloads nothing: file:// URLs of the same files.
        data = lava.job(board, "patched", lava.Artifacts(kernel, initrd, None, dtb),
                        "treewide.len=1048576 treewide.readonly=1", kernel.parent)
        self.validate(lava.write(self.tmp / "job.yaml", data), BOARD_DEVICE)

    def test_every_qemu_rows_job_and_device_pass_lava_run_validate(self):
        lava_run_here()
        rows = [m for m in table.load().machines.values() if not m.board and not m.hypervisor]
        self.assertIn("x86_64-pc", {m.name for m in rows})
        files = {}
        for m in rows:
            kernel, initrd, disk = self.artifacts(Path(m.image).name, "initramfs.cpio", "disk")
            data = lava.job(m, "baseline", lava.Artifacts(kernel, initrd, disk),
                            f"console={m.console}", kernel.parent)
            self.assertEqual(data["actions"][0]["deploy"]["images"]["disk"]["image_arg"], m.disk)
            files[m.name] = (lava.write(self.tmp / f"{m.name}.job.yaml", data),
                             lava.write(self.tmp / f"{m.name}.device.yaml", lava.device(m)))
        # lava-run mostly waits: the rows' validations run at once.
        with ThreadPoolExecutor(len(files)) as pool:
            rcs = dict(zip(files, pool.map(lambda f: lava_validate(*f), files.values())))
        for name, (job, _) in files.items():
            with self.subTest(machine=name):
                self.assertValidated(job, rcs[name])

    def test_the_xen_rows_guest_loader_rides_on_the_kernel_image(self):
        lava_run_here()
        m = table.load().machines["arm64-xen-dom0"]
        kernel, initrd, disk, xen = self.artifacts("Image", "initramfs.cpio", "disk", "xen")
        data = lava.job(m, "patched", lava.Artifacts(kernel, initrd, disk, None, xen),
                        "console=hvc0 treewide.len=1", kernel.parent)
        images = data["actions"][0]["deploy"]["images"]
        self.assertIn("-kernel {hypervisor}", images["kernel"]["image_arg"])
        self.assertIn("kernel={kernel},bootargs='console=hvc0 treewide.len=1'",
                      images["kernel"]["image_arg"])
        self.assertEqual(data["actions"][2]["test"]["monitors"][0]["fixupdict"],
                         {"xen": "pass", "native": "fail", "none": "fail"})
        device = lava.write(self.tmp / "device.yaml", lava.device(m))
        self.validate(lava.write(self.tmp / "job.yaml", data), device)

    def test_a_board_row_without_its_lava_keys_is_refused(self):
        t = self.tmp / "t.toml"
        t.write_text(f'base = "{BOARD_TABLE}"\n[[arch.arm.boot]]\nname = "b"\nconfig = "c"\n'
                     'image = "i"\nconsole = "c"\ninit_cc = "gcc"\ninit_package = "p"\n'
                     'lava_device_type = "x"\n')
        with self.assertRaises(ToolError) as e:
            table.load(t)
        self.assertIn("lava_boot", str(e.exception))


if __name__ == "__main__":
    unittest.main()
