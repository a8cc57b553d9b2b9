"""The arch table (scripts/data/arches.toml, or a vendor table built on it):
the build cells of the matrix, the boot machines, the quirks that make a
release build with today's compilers, and the fixups of known tree bugs.

A row's keys are checked: a key the toolkit does not know (a typo in a
vendor table) is an error naming it, never a setting silently ignored.
"""

import dataclasses
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import ToolError
from ..paths import ARCHES
from .select import known_options


@dataclass(frozen=True, kw_only=True)
class Target:
    """What Kbuild needs to configure and build for one arch: the part a
    matrix cell and a boot machine share."""
    name: str
    arch: str                       # the tree's arch/<arch>
    make_arch: str                  # ARCH=
    cross_compile: str              # CROSS_COMPILE=, "" for the host's gcc
    package: str                    # the Debian package of that compiler
    enable: tuple[str, ...] = ()    # options forced on, read back after olddefconfig
    disable: tuple[str, ...] = ()
    settings: dict[str, str] = field(default_factory=dict)  # non-bool options, by value
    why: str = ""


@dataclass(frozen=True, kw_only=True)
class Cell(Target):
    """A build cell of the matrix: a defconfig, and objects it always builds."""
    defconfig: str
    targets: tuple[str, ...] = ()


# How QEMU loads a kernel unless the row says otherwise: {image}, {initrd},
# {append} (the kernel command line) and {hypervisor} are filled in.
DEFAULT_LOADER = "-kernel {image} -initrd {initrd} -append {append}"


@dataclass(frozen=True, kw_only=True)
class Machine(Target):
    """A boot machine: a base config, the image it boots and how: QEMU (the
    direct harness, or LAVA's QEMU method), or a lab's board that LAVA boots
    (no qemu: a LAVA device type, its boot method and kernel type)."""

    config: str  # allnoconfig, defconfig...: KCONFIG_ALLCONFIG adds enable/disable
    image: str  # under O=, e.g. arch/arm64/boot/Image
    console: str
    qemu: str = ""
    qemu_package: str = ""
    disk: str = ""                  # QEMU's disk arguments ({disk}: a fresh image per boot)
    init_cc: str                    # the compiler of our /init
    init_package: str
    init_static: bool = True
    init_static_why: str = ""
    init_freestanding: bool = False
    init_freestanding_why: str = ""
    init_cflags: tuple[str, ...] = ()
    loader: str = ""                # QEMU's loader arguments (default: DEFAULT_LOADER)
    append: str = ""                # more kernel command line
    hypervisor: str = ""            # a command printing the hypervisor's path (Xen dom0)
    probe: bool = False             # build and load the DMA-ops probe module
    expect_ops: str = ""            # the ops the probe must find on every device
    timeout: int = 300              # s
    hook: str = ""                  # whether the DMA test goes through the hook the series rewrites
    dtb: str = ""                   # under O=, deployed with the kernel
    lava_device_type: str = ""      # a lab's device type (default: qemu, for a QEMU row)
    lava_boot: str = ""             # a board's LAVA boot method (u-boot...)
    lava_kernel_type: str = ""      # zimage, image, uimage: how the bootloader starts it
    board_disk: str = ""            # a board's block device, read twice, never written
    needs: tuple[str, ...] = ()     # options without which a tree has no such machine

    @property
    def board(self) -> bool:
        """A lab's board: only LAVA boots it."""
        return not self.qemu


@dataclass(frozen=True)
class Quirk:
    why: str
    before: str                     # applies to trees of releases before this one
    make: dict[str, str]            # make variables (flags of one variable are joined)
    arches: tuple[str, ...] = ()    # () for every arch


@dataclass(frozen=True)
class Fixup:
    why: str
    file: str
    find: str
    replace: str
    arches: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    cells: dict[str, Cell]
    machines: dict[str, Machine]
    no_cell: dict[str, str]         # arch: why it has no build cell
    no_machine: dict[str, str]      # arch: why it has no boot machine
    quirks: list[Quirk] = field(default_factory=list)
    fixups: list[Fixup] = field(default_factory=list)

    def for_tree(self, root: Path | str) -> "Table":
        """This table narrowed to the arches the tree has. An arch of the tree
        without a row is listed as having no cell for that reason, never
        dropped; a cell whose arch the tree lacks (riscv before 4.15) is left
        out, listed too; so is a machine whose `needs` no Kconfig of the tree
        defines (QEMU's m68k virt on a tree without CONFIG_VIRT)."""
        here = arches_in(root)
        machines = {n: m for n, m in self.machines.items() if m.arch in here}
        needed = {o for m in machines.values() for o in m.needs}
        known = known_options(Path(root), needed) if needed else set()
        lacking = {n: sorted(set(m.needs) - known) for n, m in machines.items()}
        with_cells = {c.arch for c in self.cells.values()}
        no_cell = {a: why for a, why in self.no_cell.items() if a in here}
        no_cell |= {a: f"no row in the arch table ({ARCHES.name}): add one"
                    for a in here - with_cells - set(self.no_cell)}
        no_cell |= {a: f"the tree has no arch/{a}" for a in with_cells - here}
        return dataclasses.replace(
            self, cells={n: c for n, c in self.cells.items() if c.arch in here},
            machines={n: m for n, m in machines.items() if not lacking[n]},
            no_cell=no_cell, no_machine={a: w for a, w in self.no_machine.items() if a in here}
            | {n: f"no Kconfig of the tree defines {', '.join(lacking[n])}, which it needs"
               for n in machines if lacking[n]})

    def quirks_for(self, version: str, arch: str) -> tuple[dict[str, str], list[str]]:
        """The make variables of every quirk that applies to a tree of this
        version on this arch (flags of one variable joined), and why."""
        make: dict[str, str] = {}
        why = []
        for q in self.quirks:
            if _version(version) < _version(q.before) and (not q.arches or arch in q.arches):
                for k, v in q.make.items():
                    make[k] = f"{make[k]} {v}" if k in make else v
                why.append(q.why)
        return make, why


def arches_in(root: Path | str) -> set[str]:
    """The arches a kernel tree has: the directories under its arch/."""
    return {d.name for d in (Path(root) / "arch").iterdir() if d.is_dir()}


def load(path: Path | str = ARCHES) -> Table:
    """The arch table at path, checked."""
    data = read(path)
    cells: dict[str, Cell] = {}
    machines: dict[str, Machine] = {}
    no_cell, no_machine = {}, {}
    for arch, row in data.get("arch", {}).items():
        where = f"{path}: [arch.{arch}]"
        _known(row, ("package", "cross_compile", "skip", "boot_skip", "cell", "boot"), where)
        if "skip" in row or not row.get("cell"):
            no_cell[arch] = row.get("skip") or "no build cell in the arch table"
        for c in [] if "skip" in row else row.get("cell", []):
            cell = _make(Cell, c, row, arch, f"{where} cell {c.get('name')}")
            cells[cell.name] = cell
        if not row.get("boot"):
            no_machine[arch] = (
                row.get("boot_skip") or row.get("skip") or "no boot machine in the arch table"
            )
        for m in row.get("boot", []):
            machine = _make(Machine, m, row, arch, f"{where} boot {m.get('name')}")
            _check_runner(machine, f"{where} boot {machine.name}")
            machines[machine.name] = machine
    _known(data, ("arch", "quirk", "fixup"), str(path))
    return Table(cells, machines, no_cell, no_machine,
                 [_typed(Quirk, q, f"{path}: [[quirk]]") for q in data.get("quirk", [])],
                 [_typed(Fixup, f, f"{path}: [[fixup]]") for f in data.get("fixup", [])])


def _make(cls: type, entry: dict[str, Any], row: dict[str, Any], arch: str, where: str) -> Any:
    # A cell of x86 is named for its ARCH= (i386, x86_64); other arches' is theirs.
    make_arch = entry.get("make_arch", entry.get("name") if cls is Cell and arch == "x86" else arch)
    inherited = {
        "arch": arch,
        "make_arch": make_arch,
        "cross_compile": row.get("cross_compile", ""),
        "package": row.get("package", "gcc"),
    }
    return _typed(cls, {**inherited, **entry}, where)


def _check_runner(m: Machine, where: str) -> None:
    """A QEMU row has its command, package and disk; a board row its LAVA
    device type, boot method, kernel type and disk."""
    keys = (("qemu", "qemu_package", "disk") if m.qemu else
            ("lava_device_type", "lava_boot", "lava_kernel_type", "board_disk"))
    missing = [k for k in keys if not getattr(m, k)]
    if missing:
        raise ToolError(f"{where} lacks {', '.join(missing)}",
                        "a QEMU machine needs qemu, qemu_package and disk; a lab's board"
                        " lava_device_type, lava_boot, lava_kernel_type and board_disk")


def _typed(cls: type, entry: dict[str, Any], where: str) -> Any:
    names = {f.name: f for f in dataclasses.fields(cls)}
    _known(entry, names, where)
    missing = [n for n, f in names.items() if n not in entry and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ToolError(
            f"{where} lacks {', '.join(missing)}", f"add it, as the rows of {ARCHES} have it"
        )
    for key, value in entry.items():
        want = _KINDS.get(names[key].type)
        if want and not want[0](value):
            raise ToolError(f"{where}: {key} = {value!r} is not {want[1]}",
                            f"write it as the rows of {ARCHES} do")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})


def _strings(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


# What a TOML value must be for a field of each type: a check, and its name for the error.
_KINDS: dict[Any, tuple[Callable[[Any], bool], str]] = {
    str: (lambda v: isinstance(v, str), "a string"),
    bool: (lambda v: isinstance(v, bool), "true or false"),
    int: (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    tuple[str, ...]: (_strings, "a list of strings"),
    dict[str, str]: (lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
                     "a table of strings"),
}


def _known(entry: dict[str, Any], names: Iterable[str], where: str) -> None:
    unknown = sorted(set(entry) - set(names))
    if unknown:
        raise ToolError(f"{where} has key(s) the toolkit does not know: {', '.join(unknown)}",
                        f"fix the spelling; the keys it knows: {', '.join(sorted(names))}")


def read(path: Path | str, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The arch table at path as TOML data; one with `base = "FILE"` (relative
    to itself) adds its cells, machines, quirks and fixups to that table's,
    so a vendor table names only the cells of its own defconfigs."""
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ToolError(
            f"cannot read the arch table {path}: {e}",
            f"pass a TOML file shaped like {ARCHES} (--arch <name> selects cells by arch)",
        ) from None
    if "base" not in data:
        return data
    base = path.parent / data.pop("base")
    if base.resolve() in seen + (path,):
        raise ToolError(f"the arch table {path} names itself as its base, through {base}",
                        "give `base` a table that has no base of this one")
    return _merged(read(base, seen + (path,)), data)


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """base with extra's arch rows (cells and boot machines appended, other keys
    overridden), quirks and fixups added."""
    out: dict[str, Any] = dict(base, arch={a: dict(r) for a, r in base.get("arch", {}).items()})
    for arch, row in extra.get("arch", {}).items():
        have = out["arch"].setdefault(arch, {})
        lists = {k: have.get(k, []) + row[k] for k in ("cell", "boot") if k in row}
        have.update(row, **lists)
    for key in ("quirk", "fixup"):
        out[key] = base.get(key, []) + extra.get(key, [])
    return out


def _version(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:2])
