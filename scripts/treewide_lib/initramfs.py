"""What a boot cell boots with: our /init cross-compiled against Debian's
cross libc (or, where Debian has none, freestanding against our own
freestanding.c), an initramfs (newc cpio, written here: no root, no cpio tool
needed for /dev/console) and a disk image whose first region holds a
pattern the init checks by checksum."""

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import ToolError
from .paths import INIT_C

FREESTANDING_C = INIT_C.with_name("freestanding.c")
# No libc at all: nothing from the compiler's sysroot (a 64-bit libc's
# headers would not fit a -m32 /init), our _start, system calls and stdio.
FREESTANDING = ["-static", "-nostdinc", "-nostdlib", "-ffreestanding", "-fno-stack-protector",
                "-DTREEWIDE_FREESTANDING"]
DISK_SIZE = 8 << 20          # bytes: the checked region, then room for the init's writes
CHECKED = 1 << 20            # bytes of pattern the init reads back and checksums


def build_init(cc: str, package: str, out: Path, static: bool = True, freestanding: bool = False,
               cflags: Sequence[str] = ()) -> Path:
    """Compile /init for the machine (statically unless the arch table says
    the cross libc's static binaries do not run; with no libc at all where
    it says `init_freestanding`), with the row's `init_cflags`; returns its
    path."""
    if not shutil.which(cc):
        raise ToolError(f"{cc} not found", f"install {package} (make deps)")
    exe = Path(out) / "init"
    how = FREESTANDING if freestanding else ["-static"] if static else []
    srcs = [INIT_C, FREESTANDING_C] if freestanding else [INIT_C]
    r = subprocess.run([cc, *cflags, *how, "-O2", "-Wall", "-o", str(exe), *map(str, srcs)],
                       capture_output=True, text=True, errors="replace", check=False)
    if r.returncode != 0 or not exe.is_file():
        raise ToolError(
            f"{cc} could not build {INIT_C} (exit {r.returncode}): "
            + " | ".join(r.stderr.strip().splitlines()[-3:]),
            (
                f"install {'the cross compiler' if freestanding else 'the cross libc'} ({package}, "
                "make deps)"
            ),
        )
    return exe


def runtime(exe: Path, cc: str, package: str) -> list[tuple[str, Path]]:
    """[(name in the image, host path)] a dynamic /init needs: its program
    interpreter and the libraries it needs, transitively, from the cross
    sysroot (/usr/<triplet>/lib, where Debian's cross libc lives)."""
    readelf, sysroot = cc[:-len("gcc")] + "readelf", Path("/usr") / Path(cc).name[:-len("-gcc")]
    files, todo = {}, [Path(exe)]
    while todo:
        r = subprocess.run(
            [readelf, "-l", "-d", "-W", str(todo.pop())],
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
        if r.returncode != 0:
            raise ToolError(f"{readelf} failed (exit {r.returncode}): {r.stderr.strip()[-200:]}",
                            f"install the cross binutils of {cc} (make deps)")
        wanted = re.findall(r"Requesting program interpreter: (\S+)\]", r.stdout)
        wanted += [
            "/lib/" + n for n in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)
        ]
        for name in wanted:
            host = sysroot / "lib" / Path(name).name
            if name.lstrip("/") in files:
                continue
            if not host.is_file():
                raise ToolError(
                    f"{Path(exe).name} needs {name}, not found in {sysroot}/lib",
                    f"install {package}",
                )
            files[name.lstrip("/")] = host.resolve()
            todo.append(host.resolve())
    return sorted(files.items())


def _newc(name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0),
          ino: int = 1) -> bytes:
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
    pad = lambda n: b"\0" * (-n % 4)                       # noqa: E731 (newc aligns to 4 bytes)
    return head + pad(len(head)) + data + pad(len(data))


def write_cpio(path: Path, init: Path, extra: Sequence[tuple[str, Path]] = ()) -> Path:
    """An initramfs: /dev/console (the kernel opens it for init's stdout
    before devtmpfs is mounted), /proc, /sys, /init and extra files
    [(name in the image, host path)]."""
    entries = [
        ("dev", 0o40755, b"", (0, 0)),
        ("dev/console", 0o20600, b"", (5, 1)),
        ("proc", 0o40555, b"", (0, 0)),
        ("sys", 0o40555, b"", (0, 0)),
        ("init", 0o100755, Path(init).read_bytes(), (0, 0)),
    ]
    dirs = sorted(
        {str(parent) for name, _ in extra for parent in Path(name).parents if str(parent) != "."}
    )
    entries += [(d, 0o40755, b"", (0, 0)) for d in dirs]
    entries += [(name, 0o100755, Path(p).read_bytes(), (0, 0)) for name, p in extra]
    blob = b"".join(_newc(n, m, d, r, ino=i + 1) for i, (n, m, d, r) in enumerate(entries))
    blob += _newc("TRAILER!!!", 0, ino=0)
    Path(path).write_bytes(blob + b"\0" * (-len(blob) % 512))
    return path


def pattern(length: int = CHECKED) -> bytes:
    """The disk's checked region: a SHA-256 chain, the same on every run."""
    out, block = bytearray(), b"treewide-boot"
    while len(out) < length:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:length])


def fnv1a(data: bytes) -> int:
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def write_disk(path: Path) -> list[str]:
    """A fresh disk image per boot (the init writes to it); returns the
    kernel command-line words that tell the init what to expect."""
    data = pattern()
    with open(path, "wb") as f:
        f.write(data)
        f.truncate(DISK_SIZE)
    os.chmod(path, 0o644)
    return [f"treewide.len={len(data)}", f"treewide.sum={fnv1a(data):016x}"]
