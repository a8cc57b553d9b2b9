"""Boot machines as LAVA jobs: for the labs that hold boards (KernelCI's,
LKFT's, a vendor's own) and for `treewide boot --via lava`, which runs the
QEMU machines' jobs here through LAVA's own dispatcher (lava-run).

A job deploys the kernel (and the row's DTB), the initramfs with our /init
(and the probe module) and, on a QEMU machine, the disk image; it boots and
watches the console with a LAVA test monitor, which records the init's
`treewide-boot: verdict=...` and the probe's `treewide-probe: verdict=...`
as test cases of the suite `treewide-<machine>-<tree>`. What comes back
(lava-run's job log here; a lab's job log or results export) becomes the
same BootTreeRecord fields the direct harness writes, so the page and the
exit status do not depend on the runner. A job that never reached the
verdict, or that LAVA ended with an infrastructure error, is recorded as
such: never a pass.
"""

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import qemu
from .errors import ToolError
from .kbuild import proc
from .kbuild.table import DEFAULT_LOADER, Machine
from .paths import DATA
from .records import BootTreeRecord

QEMU_DEVICE = DATA / "lava" / "qemu-device.yaml"
# The monitor's start and end: the first line of our /init (the kernel's
# banner is read by a bootloader boot method), and the line it prints after
# its verdict (the end must not be the line the pattern reads).
START = "treewide-boot: start"
END = "treewide-boot: done"
PATTERN = r"treewide-(?P<test_case_id>boot|probe): verdict=(?P<result>\w+)"
# LAVA's error types that are the lab's, not the kernel's.
INFRA = ("Infrastructure", "Configuration", "Bug", "Canceled")


@dataclass(frozen=True)
class Artifacts:
    """What a job deploys, as paths here."""
    kernel: Path
    initrd: Path
    disk: Path | None = None
    dtb: Path | None = None
    hypervisor: Path | None = None


def name(machine: Machine, label: str) -> str:
    """The job's name and its monitor's suite: treewide-<machine>-<tree>."""
    return f"treewide-{machine.name}-{label}"


def qemu_arch(machine: Machine) -> str:
    """The job's context arch: what follows qemu-system- in the row's command."""
    return machine.qemu.split()[0].removeprefix("qemu-system-")


def device(machine: Machine) -> dict[str, Any]:
    """The device configuration lava-run boots a QEMU machine with: the
    shipped template with the row's QEMU command and options."""
    dev = yaml.safe_load(QEMU_DEVICE.read_text())
    words = shlex.split(machine.qemu)
    dev["available_architectures"] = [qemu_arch(machine)]
    dev["actions"]["boot"]["methods"]["qemu"]["parameters"].update(
        command=words[0], options=words[1:] + ["-nographic", "-no-reboot"]
    )
    return dev


def _url(path: Path, base_url: str, out: Path) -> str:
    """file:// here (not percent-encoded: lava-run opens the URL's path as it
    is), or the lab's base URL with the path under OUT."""
    if not base_url:
        return f"file://{path.resolve()}"
    try:
        under = path.resolve().relative_to(out.resolve())
    except ValueError:
        raise ToolError(f"{path} is not under {out}, where the lab fetches the job's files",
                        "build into OUT (the toolkit's own files are copied there)") from None
    return base_url.rstrip("/") + "/" + under.as_posix()


def job(machine: Machine, label: str, art: Artifacts, args: str, out: Path, base_url: str = "",
        timeout: int | None = None) -> dict[str, Any]:
    """The LAVA job definition of one tree on one machine; args is the
    kernel command line."""
    timeout = timeout or machine.timeout
    suite = name(machine, label)
    monitor = {"name": suite, "start": START, "end": END, "pattern": PATTERN,
               "fixupdict": _fixups(machine)}
    data: dict[str, Any] = {
        "job_name": suite,
        "device_type": machine.lava_device_type or "qemu",
        "visibility": "public",
        "priority": "medium",
        "timeouts": {"job": {"seconds": timeout + 300}, "action": {"seconds": timeout},
                     "connection": {"seconds": 120}},
        "metadata": {"treewide.machine": machine.name, "treewide.tree": label},
        "context": {},
        "actions": [],
    }
    if machine.qemu:
        data["context"] = {"arch": qemu_arch(machine)}
        deploy = {"to": "tmpfs", "images": _images(machine, art, args, out, base_url)}
        boot: dict[str, Any] = {"method": "qemu", "media": "tmpfs"}
    else:
        data["context"] = {"extra_kernel_args": args}
        deploy = {
            "to": "tftp",
            "kernel": {"url": _url(art.kernel, base_url, out), "type": machine.lava_kernel_type},
            "ramdisk": {"url": _url(art.initrd, base_url, out)},
        }
        if art.dtb:
            deploy["dtb"] = {"url": _url(art.dtb, base_url, out)}
        boot = {"method": machine.lava_boot, "commands": "ramdisk"}
    data["actions"] = [
        {"deploy": dict(deploy, timeout={"seconds": 300})},
        {"boot": dict(boot, timeout={"seconds": timeout})},
        {"test": {"timeout": {"seconds": timeout}, "monitors": [monitor]}},
    ]
    return data


def _images(machine: Machine, art: Artifacts, args: str, out: Path,
            base_url: str) -> dict[str, Any]:
    """A QEMU job's images. LAVA fills in {<image>} with each file it fetched,
    in the arguments of every image: the row's loader (the Xen row's
    guest-loader devices too) rides on the kernel's, its placeholders
    renamed to the images', the command line quoted as one word."""
    names = {"image": "{kernel}", "initrd": "{initrd}", "hypervisor": "{hypervisor}",
             "append": shlex.quote(args)}
    images = {
        "kernel": {"url": _url(art.kernel, base_url, out),
                   "image_arg": (machine.loader or DEFAULT_LOADER).format(**names)},
        "initrd": {"url": _url(art.initrd, base_url, out), "image_arg": ""},
    }
    if art.hypervisor:
        images["hypervisor"] = {"url": _url(art.hypervisor, base_url, out), "image_arg": ""}
    if art.disk:   # the row's disk arguments: {disk} is LAVA's image of that name
        images["disk"] = {"url": _url(art.disk, base_url, out), "image_arg": machine.disk}
    return images


def _fixups(machine: Machine) -> dict[str, str]:
    """The probe says which ops it found: a pass where those are the ones the
    row expects (any ops where it expects none), a fail otherwise."""
    kinds = ("xen", "native", "none")         # what kernel-overlay/boot/probe prints
    return {k: "pass" if not machine.expect_ops or k == machine.expect_ops else "fail"
            for k in kinds}


def write(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000))
    return path


def check_runner() -> None:
    """lava-run is there and can run (it must run as root)."""
    if not shutil.which("lava-run"):
        raise ToolError("lava-run not found (LAVA's dispatcher)", "apt-get install lava-dispatcher"
                        " (or `make deps`)")
    if os.geteuid() != 0:
        raise ToolError("lava-run runs jobs as root only", "run `treewide boot --via lava` as root,"
                        " or boot with the direct harness (no --via)")


def run(job_path: Path, device_path: Path, log_path: Path, validate: bool = False) -> int:
    """lava-run on one job; its log (LAVA's YAML lines) kept at log_path."""
    work = log_path.with_suffix(".lava")
    cmd = ["lava-run", "--job-id", job_path.stem, "--output-dir", str(work),
           "--device", str(device_path), *(["--validate"] if validate else []), str(job_path)]
    rc, text = proc.run(cmd)
    log_path.write_text(text)
    shutil.rmtree(work, ignore_errors=True)   # lava-run's downloads: copies of OUT's files
    return rc


@dataclass
class Outcome:
    """One job's results as LAVA reported them, and its console where the
    report had one (a job log has; a results export has not)."""
    results: list[dict[str, Any]]
    console: str | None


def read(path: Path) -> Outcome:
    """A job log (lava-run's output: one {dt, lvl, msg} mapping per line;
    `lavacli jobs logs --raw`: a list of them) or a results export (a list of
    {suite, name, result, metadata}), as one Outcome."""
    text = path.read_text(errors="replace")
    if text.lstrip().startswith("{"):
        return _log_lines(text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ToolError(f"{path} is not LAVA results (YAML): {e}",
                        "pass a job log or a results export as LAVA writes it") from None
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        if all("lvl" in r for r in data):
            return _log_records(data)
        if all("suite" in r and "result" in r for r in data):
            return Outcome([_export_row(r) for r in data], None)
    raise ToolError(f"{path} is neither a LAVA job log nor a results export",
                    "pass what `lavacli jobs logs --raw ID` or the job's results (YAML) give")


def _log_lines(text: str) -> Outcome:
    """lava-run's output: one YAML flow mapping per line (other lines, say
    Python warnings, are not LAVA's)."""
    records = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                rec = yaml.safe_load(line)
            except yaml.YAMLError:
                continue
            if isinstance(rec, dict) and "lvl" in rec:
                records.append(rec)
    return _log_records(records)


def _log_records(records: list[dict[str, Any]]) -> Outcome:
    results = [r["msg"] for r in records if r["lvl"] == "results" and isinstance(r["msg"], dict)]
    console = "".join(f"{r['msg']}\n" for r in records
                      if r["lvl"] in ("target", "feedback") and isinstance(r["msg"], str))
    return Outcome([_result(r) for r in results], console)


def _result(r: dict[str, Any]) -> dict[str, Any]:
    return {"suite": str(r.get("definition", "")), "case": str(r.get("case", "")),
            "result": str(r.get("result", "")), "error_type": str(r.get("error_type", "")),
            "error_msg": str(r.get("error_msg", ""))}


def _export_row(r: dict[str, Any]) -> dict[str, Any]:
    meta = r.get("metadata") or {}
    # The server numbers suites of test definitions (0_name); a monitor's is its name.
    return _result({"definition": re.sub(r"^\d+_", "", str(r["suite"])), "case": r.get("name"),
                    "result": r["result"], "error_type": meta.get("error_type", ""),
                    "error_msg": meta.get("error_msg", "")})


def identify(outcome: Outcome, path: Path, known: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(machine, tree) of the job: from its suite's name, else from the file's
    name (a job that never reached its monitor has no suite of ours)."""
    for r in outcome.results:
        if r["suite"] in known:
            return known[r["suite"]]
    for job_name, which in known.items():
        if path.name.startswith(job_name + "."):
            return which
    raise ToolError(f"{path}: no result names a job of this boot run, and the file is not named"
                    " for one", "save each job's results as <job name>.yaml; the job names: "
                    + ", ".join(sorted(known)))


def record(outcome: Outcome, suite: str) -> BootTreeRecord:
    """The boot fields of a tree's record from its job: the verdict from the
    console where there is one (as the direct harness reads it), else from
    LAVA's test cases; why there is none, from LAVA's job result."""
    ours = {r["case"]: r["result"] for r in outcome.results if r["suite"] == suite}
    job = next((r for r in outcome.results if r["suite"] == "lava" and r["case"] == "job"), None)
    rec: BootTreeRecord = {"verdict": "no-verdict", "detail": "", "boot_s": None, "exit": None,
                           "reason": "", "runner": "lava"}
    if outcome.console is not None:
        m = qemu.VERDICT.search(outcome.console + "\n")
        if m:
            rec["verdict"], rec["detail"] = m.group("verdict"), m.group("detail").strip()
    elif ours.get("boot") in ("pass", "fail"):
        rec["verdict"] = ours["boot"]
    if "probe" in ours:
        rec["lava_probe"] = ours["probe"]
    if rec["verdict"] == "no-verdict":
        rec["reason"] = _no_verdict(job)
    if job and job.get("error_type") in INFRA:
        rec["lab_error"] = True
    return rec


def _no_verdict(job: dict[str, Any] | None) -> str:
    if job is None:
        return "the LAVA job has no result: it did not finish"
    if job["error_type"] in INFRA:
        return f"LAVA {job['error_type']} error, the kernel was not tested: {job['error_msg']}"
    if job["result"] == "fail":
        return f"the LAVA job failed before the verdict ({job['error_type']}): {job['error_msg']}"
    return "the LAVA job ended without the init's verdict"
