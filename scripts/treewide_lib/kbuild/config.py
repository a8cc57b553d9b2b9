"""Configuring a build: a defconfig with options forced (matrix cells) or a
base config with a fragment (boot machines, as the kernel's own
`make allnoconfig KCONFIG_ALLCONFIG=...` does); then the options read back
from the final .config, since olddefconfig drops one whose dependencies
are unmet without a word, and why Kconfig dropped it."""

import dataclasses
import re
from pathlib import Path

from . import make
from .make import Vars
from .select import grep, known_options
from .table import Cell, Machine, Target


def steps(src: Path, out: Path, cell: Cell, extra: Vars, jobs: int | None,
          wrap: bool = False) -> list[list[str]]:
    """The commands that configure a cell: defconfig, its options, olddefconfig."""
    options = [a for o in cell.enable for a in ("--enable", o)] + [
        a for o in cell.disable for a in ("--disable", o)
    ] + [a for o, v in cell.settings.items() for a in ("--set-val", o, v)]
    edit = (
        [[str(src / "scripts/config"), "--file", str(out / ".config")] + options] if options else []
    )
    return [
        make.command(src, out, cell, extra, jobs, cell.defconfig, wrap=wrap),
        *edit,
        make.command(src, out, cell, extra, jobs, "olddefconfig", wrap=wrap),
    ]


def allconfig(src: Path, out: Path, machine: Machine, extra: Vars,
              jobs: int) -> tuple[list[str], Machine, list[str]]:
    """The command that configures a boot machine: its base config with the
    row's options forced through a fragment; options no Kconfig of the tree
    defines are left out. Returns (command, the machine with only the
    options the tree has, the options it does not have)."""
    asked = (*machine.enable, *machine.disable, *machine.settings)
    known = known_options(src, asked)
    machine = dataclasses.replace(
        machine, enable=tuple(o for o in machine.enable if o in known),
        disable=tuple(o for o in machine.disable if o in known),
        settings={o: v for o, v in machine.settings.items() if o in known})
    frag = out / "treewide-boot.config"
    frag.write_text("".join(f"CONFIG_{o}=y\n" for o in machine.enable) +
                    "".join(f"# CONFIG_{o} is not set\n" for o in machine.disable) +
                    "".join(f"CONFIG_{o}={v}\n" for o, v in machine.settings.items()))
    cmd = make.command(src, out, machine, extra, jobs, f"KCONFIG_ALLCONFIG={frag}", machine.config)
    return cmd, machine, sorted(set(asked) - known)


def values(out: Path, target: Target) -> tuple[dict[str, str | None], list[str]]:
    """{option: its value in the final .config, or None} for every option the
    target asks for, and the options that did not come out as asked."""
    text = (out / ".config").read_text(errors="replace") if (out / ".config").is_file() else ""
    have = dict(re.findall(r"(?m)^CONFIG_(\w+)=(.*)$", text))
    got = {o: have.get(o) for o in [*target.enable, *target.disable, *target.settings]}
    lost = [o for o in target.enable if got[o] not in ("y", "m")] + [
        o for o in target.disable if got[o]
    ] + [o for o, v in target.settings.items() if got[o] != v]
    return got, lost


def unmet(src: Path, option: str, arch: str) -> str:
    """Why Kconfig would drop an option on this arch: defined nowhere, only
    in other arches' Kconfig, or its `depends on` lines."""
    found = grep(
        ["-rn", "--include=Kconfig*", "-A", "12", f"^\\s*\\(menu\\)\\?config {option}$", "."], src
    )
    entries: dict[str, str] = {}  # Kconfig file -> its entry for the option
    for group in re.split(r"(?m)^--$", found):
        m = re.search(r"^\./(\S+?):\d+:", group, re.M)
        if m:
            entries.setdefault(m.group(1), group)
    if not entries:
        return "no Kconfig of this tree defines it"
    ours = {
        f: e
        for f, e in entries.items()
        if not f.startswith("arch/") or f.startswith(f"arch/{arch}/")
    }
    if not ours:
        return f"defined only in {', '.join(sorted(entries))}, which {arch} does not read"
    deps = [d for e in ours.values() for d in re.findall(r"^\S+-\d+-\s*depends on (.*)$", e, re.M)]
    deps = [
        f"({d})" if "||" in d and len(deps) > 1 else d for d in dict.fromkeys(deps)
    ]  # lines are ANDed
    return (
        "depends on " + " && ".join(deps) if deps else f"see its entry in {', '.join(sorted(ours))}"
    )


def lost_options(src: Path, lost: list[str], arch: str) -> str:
    """The options a build asked for that the final .config lacks, each with why."""
    return "requested option(s) not in the final .config: " + "; ".join(
        f"CONFIG_{o} ({unmet(src, o, arch)})" for o in lost)
