"""Boot test: a small kernel of the baseline and of the patched tree per
machine of the arch table, booted under QEMU with our /init doing DMA
through the machine's block device (initramfs.py, qemu.py).

Per machine: configure (the row's base config plus its options, read back
from the final .config as the matrix does), build the image (ccache,
the arch table's quirks), boot with a fresh disk image, keep the console,
read the verdict. A machine regresses when the patched kernel fails where
the baseline passes; a baseline that does not build or boot is reported as
pre-existing, with the reason, never as a pass.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from . import copies, initramfs, lava, qemu, recipe
from .errors import ToolError
from .kbuild import config, make, proc
from .kbuild.diagnostics import diagnostics
from .kbuild.make import Vars
from .kbuild.table import DEFAULT_LOADER, Fixup, Machine, Table
from .paths import PROBE_DIR, TOP
from .records import BOOT_FAILED, BOOT_SCHEMA, BootTreeRecord, MachineRecord, boot_markdown
from .tree import Tree
from .txn import write_atomic


@dataclass(frozen=True)
class Options:
    """What the command line asked of a boot run."""
    jobs: int
    timeout: int | None = None          # s per boot; None: each machine's own
    reproduce: str = ""                 # the command that reruns a machine (its name appended)
    via: str = "qemu"                   # qemu (direct) | lava (lava-run here) | lab (jobs only)
    lava_url: str = ""                  # where a lab finds OUT's files (default: file://)


@dataclass
class Prepared:
    """What a machine boots with, built once per run: our /init, the
    libraries it needs, its initramfs, and the hypervisor's path."""
    init: Path
    runtime: list[tuple[str, Path]]
    initrd: Path
    extra: dict[str, str]               # the quirks' make variables
    hypervisor: str = ""


@dataclass
class Run:
    options: Options
    out: Path
    env: dict[str, str]
    prepared: dict[str, Prepared] = field(default_factory=dict)


def missing_tools(machine: Machine) -> list[tuple[str, str]]:
    """Programs a machine needs that this host lacks, with their Debian packages."""
    need = [
        (machine.init_cc, machine.init_package),
        (f"{machine.cross_compile}gcc", machine.package),
    ] + ([] if machine.board else [(machine.qemu.split()[0], machine.qemu_package)])
    return [(tool, pkg) for tool, pkg in need if not shutil.which(tool)]


def hypervisor(machine: Machine) -> str:
    """The path the row's `hypervisor` command prints (ci/xen-hypervisor
    fetches Debian's arm64 Xen on first use), or "" for a row without one."""
    if not machine.hypervisor:
        return ""
    cmd = shlex.split(machine.hypervisor)
    r = subprocess.run(
        [str(TOP / cmd[0])] + cmd[1:], capture_output=True, text=True, errors="replace", check=False
    )
    path = r.stdout.strip()
    if r.returncode != 0 or not Path(path).is_file():
        raise ToolError(f"{machine.name}: `{machine.hypervisor}` failed (exit {r.returncode}): "
                        + " | ".join(r.stderr.strip().splitlines()[-2:]), "run `make deps` as root")
    return path


def configure(src: Path, out: Path, machine: Machine, extra: Vars, jobs: int,
              env: dict[str, str]) -> tuple[str, str | None, list[str]]:
    """The machine's config (kbuild/config.allconfig). Returns (log, lost
    options reason or None, options the tree does not define)."""
    out.mkdir(parents=True, exist_ok=True)
    cmd, machine, absent = config.allconfig(src, out, machine, extra, jobs)
    rc, log = proc.run(cmd, env)
    if rc != 0:
        raise BuildFailed(f"configuring failed (exit {rc}): {shlex.join(cmd)}", log)
    _, lost = config.values(out, machine)
    return log, config.lost_options(src, lost, machine.arch) if lost else None, absent


class BuildFailed(Exception):
    def __init__(self, reason: str, log: str) -> None:
        super().__init__(reason)
        self.reason, self.log = reason, log


def build(src: Path, out: Path, machine: Machine, extra: Vars, jobs: int,
          env: dict[str, str]) -> tuple[Path, str, list[str]]:
    """Configure and build the image; returns (image path, build log,
    options the tree does not define)."""
    log, lost, absent = configure(src, out, machine, extra, jobs, env)
    if lost:
        raise ConfigLost(lost)
    targets = [Path(machine.image).name] + (["modules"] if machine.probe else []) + (
        ["dtbs"] if machine.dtb else [])
    rc, text = proc.run(make.command(src, out, machine, extra, jobs, *targets), env)
    log += text
    image = out / machine.image
    if rc == 0 and machine.dtb and not (out / machine.dtb).is_file():
        rc, log = 1, log + f"\n{machine.dtb}: not built (the row's dtb)\n"
    if rc != 0 or not image.is_file():
        errs = [str(d) for d in diagnostics(log, (src, out)) if d.kind in ("error", "make", "link")]
        raise BuildFailed(f"make {Path(machine.image).name} failed (exit {rc}): "
                          + ("; ".join(errs[:3]) or " | ".join(log.strip().splitlines()[-3:])), log)
    if machine.probe:
        log += build_probe(src, out, machine, extra, jobs, env)
    return image, log, absent


def build_probe(src: Path, out: Path, machine: Machine, extra: Vars, jobs: int,
                env: dict[str, str]) -> str:
    """The DMA-ops probe, built against this tree as an external module
    (M= must be writable: a copy of its sources under the build directory)."""
    mdir = out / "treewide-probe"
    shutil.rmtree(mdir, ignore_errors=True)
    shutil.copytree(PROBE_DIR, mdir)
    rc, log = proc.run(make.command(src, out, machine, extra, jobs, f"M={mdir}", "modules"), env)
    if rc != 0 or not (mdir / "dma_ops_probe.ko").is_file():
        raise BuildFailed(f"the DMA-ops probe module does not build (exit {rc}): "
                          + " | ".join(log.strip().splitlines()[-3:]), log)
    return log


class ConfigLost(Exception):
    pass


def qemu_command(machine: Machine, image: Path, initrd: Path, disk: Path, words: list[str],
                 hypervisor_path: str = "") -> list[str]:
    """The QEMU command: the row's machine, its loader (default: the kernel
    straight from QEMU; a Xen row starts the hypervisor and hands it the
    kernel and initramfs through guest-loader devices) and its disk. Each
    word of the templates is filled in after splitting, so paths and the
    command line stay one argument each."""
    values = {
        "image": image,
        "initrd": initrd,
        "append": kernel_args(machine, words),
        "disk": disk,
        "hypervisor": hypervisor_path,
    }
    words = (
        shlex.split(machine.qemu)
        + shlex.split(machine.loader or DEFAULT_LOADER)
        + shlex.split(machine.disk)
    )
    return [w.format(**values) for w in words] + ["-nographic", "-no-reboot"]


def kernel_args(machine: Machine, words: list[str]) -> str:
    """The kernel command line: the row's console and words, and the init's."""
    line = f"console={machine.console} panic=-1 {machine.append} {' '.join(words)}"
    return " ".join(line.split())


def run_tree(label: str, machine: Machine, run: Run, log: Callable[[str], Any]) -> BootTreeRecord:
    """Build and boot one tree on one machine: its record."""
    name, logs, src = machine.name, run.out / "logs", run.out / label / "src"
    out, ready = copies.for_release(run.out / label / name, src), run.prepared[machine.name]
    rec: BootTreeRecord = {"tree": str(src)}
    t0 = time.monotonic()
    log(f"{name}: build {label}")
    try:
        image, text, absent = build(src, out, machine, ready.extra, run.options.jobs, run.env)
    except BuildFailed as e:
        (logs / f"{name}-{label}.build.log").write_text(e.log)
        rec.update({"build": "failed", "reason": e.reason})
        rec["build_s"] = round(time.monotonic() - t0, 1)
        return rec
    except ConfigLost as e:
        rec.update({"build": "config-lost", "reason": str(e)})
        rec["build_s"] = round(time.monotonic() - t0, 1)
        return rec
    (logs / f"{name}-{label}.build.log").write_text(text)
    rec.update(
        {"build": "ok", "build_s": round(time.monotonic() - t0, 1), "options_not_in_tree": absent}
    )
    rec.update(boot_tree(machine, label, image, out, run, log))
    return rec


def boot_tree(machine: Machine, label: str, image: Path, out: Path, run: Run,
              log: Callable[[str], Any]) -> BootTreeRecord:
    """Boot one built tree, as the run's --via says: the boot fields of its record."""
    logs, ready = run.out / "logs", run.prepared[machine.name]
    name, rec = machine.name, BootTreeRecord()
    disk, initrd = logs / f"{name}-{label}.disk", ready.initrd
    if machine.probe:
        probe = [("probe.ko", out / "treewide-probe" / "dma_ops_probe.ko")]
        initrd = initramfs.write_cpio(
            logs / f"{name}-{label}.cpio", ready.init, ready.runtime + probe
        )
    if machine.board:
        words = [f"treewide.len={initramfs.CHECKED}", "treewide.readonly=1",
                 f"treewide.disk={machine.board_disk}"]
    else:
        words = initramfs.write_disk(disk)
    art = lava.Artifacts(image, initrd, None if machine.board else disk,
                         out / machine.dtb if machine.dtb else None,
                         Path(ready.hypervisor) if ready.hypervisor else None)
    if run.options.via == "qemu":
        rec.update(boot_qemu(machine, label, art, words, run, log))
    else:   # a lab's device configuration has the board's console
        args = " ".join(words) if machine.board else kernel_args(machine, words)
        rec.update(boot_lava(machine, label, art, args, run, log))
    return rec


def boot_qemu(machine: Machine, label: str, art: lava.Artifacts, words: list[str], run: Run,
              log: Callable[[str], Any]) -> BootTreeRecord:
    """The direct harness: QEMU driven here, its console read as it comes."""
    assert art.disk is not None, "a QEMU machine boots with a disk"
    console = run.out / "logs" / f"{machine.name}-{label}.console"
    cmd = qemu_command(machine, art.kernel, art.initrd, art.disk, words,
                       run.prepared[machine.name].hypervisor)
    log(f"{machine.name}: boot {label}")
    rec = qemu.boot(cmd, console, run.options.timeout or machine.timeout)
    art.disk.unlink(missing_ok=True)
    rec.update({"console": str(console), "qemu": shlex.join(cmd)})
    if machine.probe:
        rec["probe"] = probe_result(console.read_text(errors="replace"))
    return rec


def boot_lava(machine: Machine, label: str, art: lava.Artifacts, args: str, run: Run,
              log: Callable[[str], Any]) -> BootTreeRecord:
    """The machine's LAVA job for this tree, in OUT/lava/; run by lava-run
    here (--via lava), or left for a lab (--via lab) until its results come
    back (--lava-results)."""
    jobs = run.out / "lava"
    if art.hypervisor and run.options.lava_url:       # a lab fetches every file from OUT
        jobs.mkdir(exist_ok=True)
        shutil.copy2(art.hypervisor, jobs / art.hypervisor.name)
        art = replace(art, hypervisor=jobs / art.hypervisor.name)
    job = lava.write(jobs / f"{lava.name(machine, label)}.yaml",
                     lava.job(machine, label, art, args, run.out, run.options.lava_url,
                              run.options.timeout))
    rec: BootTreeRecord = {"runner": "lava", "lava_job": str(job)}
    if run.options.via == "lab":
        rec.update({"verdict": "no-verdict", "detail": "", "boot_s": None, "exit": None,
                    "pending": True, "reason": f"a LAVA job for a lab ({job}): its results come"
                    " back through `treewide boot --lava-results`"})
        return rec
    device = lava.write(jobs / f"{machine.name}.device.yaml", lava.device(machine))
    log(f"{machine.name}: boot {label} (lava-run)")
    t0, logfile = time.monotonic(), jobs / f"{lava.name(machine, label)}.log"
    rc = lava.run(job, device, logfile)
    wall = round(time.monotonic() - t0, 1)
    rec.update(from_lava(lava.read(logfile), machine, label, run.out))
    # Through LAVA the boot time is lava-run's whole run of the job, its overhead included.
    rec.update({"lava_log": str(logfile), "exit": rc,
                "boot_s": wall if rec["verdict"] != "no-verdict" else None})
    return rec


def from_lava(outcome: lava.Outcome, machine: Machine, label: str, out: Path) -> BootTreeRecord:
    """A tree's boot fields from its LAVA job; the console (where LAVA's
    report has one) kept beside the direct harness's, the probe read from it."""
    rec = lava.record(outcome, lava.name(machine, label))
    if outcome.console is not None:
        console = out / "logs" / f"{machine.name}-{label}.console"
        console.parent.mkdir(exist_ok=True)
        console.write_text(outcome.console)
        rec["console"] = str(console)
        if machine.probe:
            rec["probe"] = probe_result(outcome.console)
    elif machine.probe and "lava_probe" in rec:
        found = machine.expect_ops if rec["lava_probe"] == "pass" else "unexpected"
        rec["probe"] = {"verdict": found, "devices": {}}
    return rec


_PROBE_DEV = re.compile(r"treewide-probe: dev=(\S+) ops=(\S+) kind=(\w+)")
_PROBE_VERDICT = re.compile(r"treewide-probe: verdict=(\w+) dom0=(\d)")


def probe_result(console: str) -> dict[str, Any]:
    """What the DMA-ops probe printed: {verdict, dom0, devices {dev: "kind ops"}}."""
    m = _PROBE_VERDICT.search(console)
    return {"verdict": m.group(1) if m else "not-run", "dom0": bool(m and m.group(2) == "1"),
            "devices": {d: f"{kind} {ops}" for d, ops, kind in _PROBE_DEV.findall(console)}}


def passed(t: BootTreeRecord, machine: Machine) -> bool:
    """A tree passed: the DMA test did, and where the row expects ops of a
    kind (Xen's, in dom0) the probe found those on every device."""
    want = machine.expect_ops
    return t.get("verdict") == "pass" and (not want or t.get("probe", {}).get("verdict") == want)


def verdict(trees: dict[str, BootTreeRecord], machine: Machine) -> tuple[str, str]:
    """(status, reason) of a machine from its two trees' records: "fixed"
    where the patched tree passes what the baseline fails (the Xen dom0 bug
    on a tree with the hazard)."""
    b, p = trees["baseline"], trees["patched"]
    if "config-lost" in (b["build"], p["build"]):
        return "config-lost", (b if b["build"] == "config-lost" else p)["reason"]
    for key, status in (("lab_error", "lab-error"), ("pending", "pending")):
        if b.get(key) or p.get(key):
            return status, "; ".join(f"{n} {t['reason']}" for n, t in trees.items() if t.get(key))
    if not passed(b, machine):
        return ("fixed" if passed(p, machine) else "baseline-broken"), "baseline " + _why(
            b, machine
        )
    if not passed(p, machine):
        return "regression", "patched " + _why(p, machine)
    return "ok", ""


def _why(t: BootTreeRecord, machine: Machine) -> str:
    if t["build"] != "ok":
        return f"does not build: {t['reason']}"
    if t["verdict"] == "fail":
        return f"boots, DMA test fails: {t['detail']}"
    if t["verdict"] == "pass":
        probe, want = t.get("probe", {}), machine.expect_ops
        wrong = sorted(
            f"{d} {k}"
            for d, k in probe.get("devices", {}).items()
            if k.split()[0] not in (want, "direct")
        )
        return (
            f"does DMA, but the probe finds {probe.get('verdict')} ops where {want} ops are"
            f" expected, on {len(wrong)} device(s): "
            + ", ".join(wrong[:3])
            + (", ..." if len(wrong) > 3 else "")
        )
    return f"gives no verdict: {t['reason']}"


def run_machine(machine: Machine, run: Run, log: Callable[[str], Any]) -> MachineRecord:
    t0 = time.monotonic()
    rec: MachineRecord = {
        "machine": machine.name,
        "arch": machine.arch,
        "why": machine.why,
        "hook": machine.hook,
        "config": f"{machine.config} + {len(machine.enable + machine.disable)} option(s)"
                  + (f", {len(machine.settings)} value(s)" if machine.settings else ""),
        "reproduce": f"{run.options.reproduce} --machine {shlex.quote(machine.name)}",
        "trees": {},
    }
    for label in ("baseline", "patched"):
        rec["trees"][label] = run_tree(label, machine, run, log)
    rec["status"], rec["reason"] = verdict(rec["trees"], machine)
    rec["duration_s"] = round(time.monotonic() - t0, 1)
    return rec


def write(out: Path, records: list[MachineRecord], skips: dict[str, str]) -> int:
    """OUT/machines/<name>.json per machine, and boot.json and boot.md from
    all of them: a rerun of one machine keeps the others' records. The
    exit status is this run's: 1 when a machine it booted regressed."""
    (out / "machines").mkdir(exist_ok=True)
    for r in records:
        write_atomic(out / "machines" / f"{r['machine']}.json", json.dumps(r, indent=2) + "\n")
    every = [json.loads(f.read_text()) for f in sorted((out / "machines").glob("*.json"))]
    data = {"schema": BOOT_SCHEMA, "machines": every, "no_machine": skips}
    write_atomic(out / "boot.json", json.dumps(data, indent=2) + "\n")
    write_atomic(out / "boot.md", boot_markdown(every, skips))
    return 1 if any(r["status"] in BOOT_FAILED for r in records) else 0


def read_lava_results(out: Path, files: list[Path], table: Table) -> int:
    """A lab's results of the LAVA jobs a `--via lab` run wrote into OUT:
    each tree's boot fields from its job, each machine's status again.
    Returns the exit status, as a run's."""
    records: dict[str, MachineRecord] = {}
    for f in sorted((out / "machines").glob("*.json")):
        r = json.loads(f.read_text())
        records[r["machine"]] = r
    known = {lava.name(table.machines[m], label): (m, label) for m, r in records.items()
             if m in table.machines for label, t in r["trees"].items() if t.get("lava_job")}
    if not known:
        raise ToolError(f"{out}: no machine of this boot run has a LAVA job",
                        "write the jobs with `treewide boot --via lab` first")
    touched: dict[str, MachineRecord] = {}
    for f in files:
        outcome = lava.read(f)
        m, label = lava.identify(outcome, f, known)
        tree = records[m]["trees"][label]
        for stale in ("pending", "lab_error", "lava_probe", "probe", "console", "reason"):
            tree.pop(stale, None)  # type: ignore[misc]
        tree.update(from_lava(outcome, table.machines[m], label, out))
        tree["lava_log"] = str(f.resolve())
        touched[m] = records[m]
    for m, r in touched.items():
        r["status"], r["reason"] = verdict(r["trees"], table.machines[m])
    return write(out, list(touched.values()), table.no_machine)


def trees(base: Tree, out: Path, rec: recipe.Recipe, fixups: list[Fixup], jobs: int) -> None:
    """OUT/baseline/src and OUT/patched/src: hard-linked copies (the patched
    one with the recipe applied), the arch table's fixups in both (each
    touches its own arch's files only). Both trees and their build
    directories (OUT/<tree>/<machine>) lie at the same depth under OUT, so
    that with CCACHE_BASEDIR=OUT every object the series does not change is
    a ccache hit in the patched build."""
    patched = copies.patched_copy(base, out, rec, jobs)
    copies.baseline_copy(base, [patched], out, fixups)


def prepare(machine: Machine, table: Table, version: str, init_dir: Path) -> Prepared:
    """Our /init for the machine, its runtime libraries and initramfs, the
    quirks of its arch for this release, and the hypervisor."""
    init_dir.mkdir(parents=True, exist_ok=True)
    init = initramfs.build_init(
        machine.init_cc,
        machine.init_package,
        init_dir,
        machine.init_static,
        machine.init_freestanding,
        machine.init_cflags,
    )
    runtime = (
        []
        if machine.init_static
        else initramfs.runtime(init, machine.init_cc, machine.init_package)
    )
    return Prepared(
        init,
        runtime,
        initramfs.write_cpio(init_dir / "initramfs.cpio", init, runtime),
        table.quirks_for(version, machine.arch)[0],
        hypervisor(machine),
    )


def run(base: Tree, out: Path, names: list[str], table: Table, rec: recipe.Recipe, opts: Options,
        log: Callable = print) -> int:
    """Every named machine, baseline and patched; boot.json and boot.md in
    out. Returns the exit status (1 when a machine regressed)."""
    trees(base, out, rec, table.fixups, opts.jobs)
    (out / "logs").mkdir(exist_ok=True)
    job = Run(opts, out, dict(os.environ, CCACHE_BASEDIR=str(out)))
    for n in names:
        job.prepared[n] = prepare(table.machines[n], table, base.version, out / "init" / n)
    records, status = [], 0
    for n in names:
        records.append(run_machine(table.machines[n], job, log))
        last = records[-1]
        log(f"{n}: {last['status']}{': ' + last['reason'] if last['reason'] else ''}")
        status = write(out, records, table.no_machine)
    return status
