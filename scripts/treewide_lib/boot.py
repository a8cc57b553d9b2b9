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
from pathlib import Path
from typing import Any

from . import buildcheck, copies, initramfs, qemu, select
from .errors import ToolError
from .txn import write_atomic
from .paths import ARCHES, PROBE_DIR, TOP

MARK = ".treewide-boot"
FAILED = ("regression", "config-lost")


def load_machines(path=ARCHES):
    """({machine: row}, {arch: why no machine}) from the arch table's
    [[arch.X.boot]] rows and `boot_skip` (or `skip`) reasons."""
    data = buildcheck._read_table(path)
    machines, skips = {}, {}
    for arch, row in data["arch"].items():
        if not row.get("boot"):
            skips[arch] = row.get("boot_skip") or row.get("skip") or "no boot machine in the arch table"
            continue
        for m in row["boot"]:
            machines[m["name"]] = dict(m, arch=arch, make_arch=m.get("make_arch", arch),
                                       cross_compile=m.get("cross_compile", row.get("cross_compile", "")),
                                       package=m.get("package", row.get("package", "gcc")),
                                       enable=m.get("enable", []), disable=m.get("disable", []))
    return machines, skips


def for_tree(root, machines, skips):
    """The machines whose arch this tree has; arches it has without one, and why."""
    here = {d.name for d in (Path(root) / "arch").iterdir() if d.is_dir()}
    return ({n: m for n, m in machines.items() if m["arch"] in here},
            {a: why for a, why in skips.items() if a in here})


def missing_tools(machine):
    """Programs a machine needs that this host lacks, with their Debian packages."""
    need = [(machine["qemu"].split()[0], machine["qemu_package"]), (machine["init_cc"], machine["init_package"]),
            (f"{machine['cross_compile']}gcc", machine["package"])]
    return [(tool, pkg) for tool, pkg in need if not shutil.which(tool)]


def hypervisor(machine):
    """The path the row's `hypervisor` command prints (ci/xen-hypervisor
    fetches Debian's arm64 Xen on first use), or "" for a row without one."""
    if not machine.get("hypervisor"):
        return ""
    cmd = shlex.split(machine["hypervisor"])
    r = subprocess.run([str(TOP / cmd[0])] + cmd[1:], capture_output=True, text=True, errors="replace", check=False)
    path = r.stdout.strip()
    if r.returncode != 0 or not Path(path).is_file():
        raise ToolError(f"{machine['name']}: `{machine['hypervisor']}` failed (exit {r.returncode}): "
                        + " | ".join(r.stderr.strip().splitlines()[-2:]), "run `make deps` as root")
    return path


def known_options(src, names):
    """The options of names some Kconfig file of the tree defines."""
    found = select.grep(["-rhoE", "--include=Kconfig*", r"^\s*(menu)?config\s+\w+", "."], src)
    return set(names) & {line.split()[-1] for line in found.splitlines()}


def configure(src, out, machine, extra, jobs, env):
    """The base config with the row's options forced (KCONFIG_ALLCONFIG), as
    the kernel's own `make allnoconfig KCONFIG_ALLCONFIG=...` does; options
    the tree does not define are left out. Returns (log, lost options
    reason or None)."""
    out.mkdir(parents=True, exist_ok=True)
    known = known_options(src, machine["enable"] + machine["disable"])
    asked, machine = machine, dict(machine, enable=[o for o in machine["enable"] if o in known],
                   disable=[o for o in machine["disable"] if o in known])
    frag = out / "treewide-boot.config"
    frag.write_text("".join(f"CONFIG_{o}=y\n" for o in machine["enable"]) +
                    "".join(f"# CONFIG_{o} is not set\n" for o in machine["disable"]))
    cmd = buildcheck.make_command(src, out, machine, extra, jobs, f"KCONFIG_ALLCONFIG={frag}", machine["config"])
    rc, log = _make(cmd, env)
    if rc != 0:
        raise BuildFailed(f"configuring failed (exit {rc}): {shlex.join(cmd)}", log)
    _, lost = buildcheck.config_values(out, machine)
    absent = sorted(set(asked["enable"] + asked["disable"]) - known)
    return log, lost and buildcheck.lost_options(src, lost, machine["arch"]), absent


class BuildFailed(Exception):
    def __init__(self, reason, log):
        super().__init__(reason)
        self.reason, self.log = reason, log


def _make(cmd, env):
    """Run a make in its own process group, stopped whole (compilers
    included) on Ctrl-C or SIGTERM. Returns (exit status, output)."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                          env=env, process_group=0) as p:
        try:
            out, _ = p.communicate()
        except BaseException:
            qemu.stop(p)
            raise
    return p.returncode, out


def build(src, out, machine, extra, jobs, env):
    """Configure and build the image; returns (image path, build log,
    options the tree does not define)."""
    log, lost, absent = configure(src, out, machine, extra, jobs, env)
    if lost:
        raise ConfigLost(lost)
    targets = [Path(machine["image"]).name] + (["modules"] if machine.get("probe") else [])
    rc, text = _make(buildcheck.make_command(src, out, machine, extra, jobs, *targets), env)
    log += text
    image = out / machine["image"]
    if rc != 0 or not image.is_file():
        errs = [str(d) for d in buildcheck.diagnostics(log, (src, out)) if d.kind in ("error", "make", "link")]
        raise BuildFailed(f"make {Path(machine['image']).name} failed (exit {rc}): "
                          + ("; ".join(errs[:3]) or " | ".join(log.strip().splitlines()[-3:])), log)
    if machine.get("probe"):
        log += build_probe(src, out, machine, extra, jobs, env)
    return image, log, absent


def build_probe(src, out, machine, extra, jobs, env):
    """The DMA-ops probe, built against this tree as an external module
    (M= must be writable: a copy of its sources under the build directory)."""
    mdir = out / "treewide-probe"
    shutil.rmtree(mdir, ignore_errors=True)
    shutil.copytree(PROBE_DIR, mdir)
    rc, log = _make(buildcheck.make_command(src, out, machine, extra, jobs, f"M={mdir}", "modules"), env)
    if rc != 0 or not (mdir / "dma_ops_probe.ko").is_file():
        raise BuildFailed(f"the DMA-ops probe module does not build (exit {rc}): "
                          + " | ".join(log.strip().splitlines()[-3:]), log)
    return log


class ConfigLost(Exception):
    pass


LOADER = "-kernel {image} -initrd {initrd} -append {append}"


def qemu_command(machine, image, initrd, disk, words):
    """The QEMU command: the row's machine, its loader (default: the kernel
    straight from QEMU; a Xen row starts the hypervisor and hands it the
    kernel and initramfs through guest-loader devices) and its disk. Each
    word of the templates is filled in after splitting, so paths and the
    command line stay one argument each."""
    append = " ".join(f"console={machine['console']} panic=-1 {machine.get('append', '')} {' '.join(words)}".split())
    values = {"image": image, "initrd": initrd, "append": append, "disk": disk,
              "hypervisor": machine.get("hypervisor_path", "")}
    words = shlex.split(machine["qemu"]) + shlex.split(machine.get("loader", LOADER)) + shlex.split(machine["disk"])
    return [w.format(**values) for w in words] + ["-nographic", "-no-reboot"]


def run_tree(label, machine, ctx, log):
    """Build and boot one tree on one machine: its record."""
    name, logs, src = machine["name"], ctx["out"] / "logs", ctx["out"] / label / "src"
    out = ctx["out"] / label / name
    rec: dict[str, Any] = {"tree": str(src)}
    t0 = time.monotonic()
    log(f"{name}: build {label}")
    try:
        image, text, absent = build(src, out, machine, ctx["extra"][name], ctx["jobs"], ctx["env"])
    except BuildFailed as e:
        (logs / f"{name}-{label}.build.log").write_text(e.log)
        return dict(rec, build="failed", reason=e.reason, build_s=round(time.monotonic() - t0, 1))
    except ConfigLost as e:
        return dict(rec, build="config-lost", reason=str(e), build_s=round(time.monotonic() - t0, 1))
    (logs / f"{name}-{label}.build.log").write_text(text)
    rec.update(build="ok", build_s=round(time.monotonic() - t0, 1), options_not_in_tree=absent)
    disk, initrd = logs / f"{name}-{label}.disk", ctx["initrd"][name]
    if machine.get("probe"):
        probe = [("probe.ko", out / "treewide-probe" / "dma_ops_probe.ko")]
        initrd = initramfs.write_cpio(logs / f"{name}-{label}.cpio", ctx["init"][name], ctx["runtime"][name] + probe)
    cmd = qemu_command(machine, image, initrd, disk, initramfs.write_disk(disk))
    log(f"{name}: boot {label}")
    res = qemu.boot(cmd, logs / f"{name}-{label}.console", ctx["timeout"] or machine.get("timeout", 300))
    disk.unlink(missing_ok=True)
    rec.update(res, console=str(logs / f"{name}-{label}.console"), qemu=shlex.join(cmd))
    if machine.get("probe"):
        rec["probe"] = probe_result((logs / f"{name}-{label}.console").read_text(errors="replace"))
    return rec


_PROBE_DEV = re.compile(r"treewide-probe: dev=(\S+) ops=(\S+) kind=(\w+)")
_PROBE_VERDICT = re.compile(r"treewide-probe: verdict=(\w+) dom0=(\d)")


def probe_result(console):
    """What the DMA-ops probe printed: {verdict, dom0, devices {dev: "kind ops"}}."""
    m = _PROBE_VERDICT.search(console)
    return {"verdict": m.group(1) if m else "not-run", "dom0": bool(m and m.group(2) == "1"),
            "devices": {d: f"{kind} {ops}" for d, ops, kind in _PROBE_DEV.findall(console)}}


def passed(t, machine):
    """A tree passed: the DMA test did, and where the row expects ops of a
    kind (Xen's, in dom0) the probe found those on every device."""
    want = machine.get("expect_ops")
    return t.get("verdict") == "pass" and (not want or t.get("probe", {}).get("verdict") == want)


def verdict(trees, machine):
    """(status, reason) of a machine from its two trees' records: "fixed"
    where the patched tree passes what the baseline fails (the Xen dom0 bug
    on a tree with the hazard)."""
    b, p = trees["baseline"], trees["patched"]
    if "config-lost" in (b["build"], p["build"]):
        return "config-lost", (b if b["build"] == "config-lost" else p)["reason"]
    if not passed(b, machine):
        return ("fixed" if passed(p, machine) else "baseline-broken"), "baseline " + _why(b, machine)
    if not passed(p, machine):
        return "regression", "patched " + _why(p, machine)
    return "ok", ""


def _why(t, machine):
    if t["build"] != "ok":
        return f"does not build: {t['reason']}"
    if t["verdict"] == "fail":
        return f"boots, DMA test fails: {t['detail']}"
    if t["verdict"] == "pass":
        probe, want = t.get("probe", {}), machine["expect_ops"]
        wrong = sorted(f"{d} {k}" for d, k in probe.get("devices", {}).items() if k.split()[0] not in (want, "direct"))
        return (f"does DMA, but the probe finds {probe.get('verdict')} ops where {want} ops are expected, on "
                f"{len(wrong)} device(s): " + ", ".join(wrong[:3]) + (", ..." if len(wrong) > 3 else ""))
    return f"gives no verdict: {t['reason']}"


def run_machine(machine, ctx, log):
    t0 = time.monotonic()
    rec = {"machine": machine["name"], "arch": machine["arch"], "why": machine.get("why", ""),
           "config": f"{machine['config']} + {len(machine['enable'])} option(s)",
           "reproduce": f"{ctx['reproduce']} --machine {shlex.quote(machine['name'])}", "trees": {}}
    for label in ("baseline", "patched"):
        rec["trees"][label] = run_tree(label, machine, ctx, log)
    rec["status"], rec["reason"] = verdict(rec["trees"], machine)
    rec["duration_s"] = round(time.monotonic() - t0, 1)
    return rec


def markdown(records, skips):
    out = ["| machine | arch | status | baseline | patched | boot s (b/p) | time |", "|---|---|---|---|---|---|---|"]
    for r in records:
        b, p = r["trees"]["baseline"], r["trees"]["patched"]
        out.append(f"| {r['machine']} | {r['arch']} | {r['status']} | {_cell(b)} | {_cell(p)} "
                   f"| {b.get('boot_s') or '-'} / {p.get('boot_s') or '-'} | {r['duration_s']} s |")
    out += [f"- {r['status'].upper()} {r['machine']}: {r['reason']}" for r in records if r["reason"]]
    out += ["", "Arches without a boot machine:", ""] + [f"- {a}: {why}" for a, why in sorted(skips.items())]
    return "\n".join(out) + "\n"


def _cell(t):
    return t.get("verdict", t["build"]) if t["build"] == "ok" else f"build {t['build']}"


def write(out, records, skips):
    """OUT/machines/<name>.json per machine, and boot.json and boot.md from
    all of them: a rerun of one machine keeps the others' records. The
    exit status is this run's: 1 when a machine it booted regressed."""
    (out / "machines").mkdir(exist_ok=True)
    for r in records:
        write_atomic(out / "machines" / f"{r['machine']}.json", json.dumps(r, indent=2) + "\n")
    every = [json.loads(f.read_text()) for f in sorted((out / "machines").glob("*.json"))]
    data = {"schema": "treewide-boot/1", "machines": every, "no_machine": skips}
    write_atomic(out / "boot.json", json.dumps(data, indent=2) + "\n")
    write_atomic(out / "boot.md", markdown(every, skips))
    return 1 if any(r["status"] in FAILED for r in records) else 0


def trees(base, out, rec, fixups, jobs):
    """OUT/baseline/src and OUT/patched/src: hard-linked copies (the patched
    one with the recipe applied), the arch table's fixups in both (each
    touches its own arch's files only). Both trees and their build
    directories (OUT/<tree>/<machine>) lie at the same depth under OUT, so
    that with CCACHE_BASEDIR=OUT every object the series does not change is
    a ccache hit in the patched build."""
    patched = copies.patched_copy(base, out, rec, jobs)
    copies.baseline_copy(base, [patched], out, fixups)


def run(base, out, names, machines, skips, rec, opts, log=print):
    """Every named machine, baseline and patched; boot.json and boot.md in
    out. Returns the exit status (1 when a machine regressed)."""
    trees(base, out, rec, buildcheck.load_fixups(opts["arch_table"]), opts["jobs"])
    (out / "logs").mkdir(exist_ok=True)
    ctx = {"out": out, "jobs": opts["jobs"], "timeout": opts["timeout"], "reproduce": opts["reproduce"],
           "env": dict(os.environ, CCACHE_BASEDIR=str(out)), "extra": {}, "initrd": {}, "init": {}, "runtime": {}}
    quirks = buildcheck.load_arches(opts["arch_table"])[2]
    for n in names:
        m, init_dir = machines[n], out / "init" / n
        init_dir.mkdir(parents=True, exist_ok=True)
        ctx["extra"][n] = buildcheck.quirks_for(quirks, base.version, m["arch"])[0]
        m["hypervisor_path"] = hypervisor(m)
        ctx["init"][n] = initramfs.build_init(m["init_cc"], m["init_package"], init_dir, m.get("init_static", True),
                                              m.get("init_freestanding", False), m.get("init_cflags", []))
        ctx["runtime"][n] = [] if m.get("init_static", True) else initramfs.runtime(ctx["init"][n], m["init_cc"],
                                                                                       m["init_package"])
        ctx["initrd"][n] = initramfs.write_cpio(init_dir / "initramfs.cpio", ctx["init"][n], ctx["runtime"][n])
    records = []
    for n in names:
        records.append(run_machine(machines[n], ctx, log))
        log(f"{n}: {records[-1]['status']}{': ' + records[-1]['reason'] if records[-1]['reason'] else ''}")
        status = write(out, records, skips)
    return status
